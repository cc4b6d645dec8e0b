//! A CSV row reader with a size limit.
//!
//! `csv::Reader` grows its record buffer until a row ends, so one giant row (a
//! missing closing quote is enough) takes as much memory as the file. This reader
//! drives the same parser (`csv_core`, with `csv::Reader`'s settings: comma, double
//! quote, CRLF or LF, a leading byte-order mark dropped, blank lines skipped) but stops
//! keeping a row's cells once it is over the limit: it reads on to the end of the row
//! with a fixed buffer and reports the row as too large, so that row becomes one
//! `too_large` error record and the next row is read as usual.

use csv::ByteRecord;
use csv_core::ReadRecordResult;
use std::io::{self, BufRead};

/// What [`CsvRows::read`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A row within the limit; its cells are in the record.
    Read,
    /// A row over the limit; its cells were dropped and the record is empty.
    TooLarge,
}

/// Reads CSV rows from a buffered reader, keeping at most `limit` bytes of a row.
pub struct CsvRows<R> {
    core: csv_core::Reader,
    rdr: R,
    fields: Vec<u8>,
    ends: Vec<usize>,
    limit: usize,
    done: bool,
}

impl<R: BufRead> CsvRows<R> {
    /// A reader of `rdr` that reports rows whose cells and cell count add up to more
    /// than `limit` as [`Row::TooLarge`].
    pub fn new(rdr: R, limit: usize) -> Self {
        Self::with_delimiter(rdr, limit, b',')
    }

    /// [`CsvRows::new`] with cells split at `delimiter` instead of a comma.
    pub fn with_delimiter(rdr: R, limit: usize, delimiter: u8) -> Self {
        CsvRows {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            rdr,
            fields: vec![0; 4096],
            ends: vec![0; 64],
            limit,
            done: false,
        }
    }

    /// Reads the next row into `record`. Returns `None` at the end of the input.
    /// Fails only when the underlying reader fails.
    pub fn read(&mut self, record: &mut ByteRecord) -> io::Result<Option<Row>> {
        record.clear();
        if self.done {
            return Ok(None);
        }
        let (mut outlen, mut endlen) = (0usize, 0usize);
        // Cell bytes plus one per cell: a row of a million empty cells is large too.
        let mut size = 0usize;
        let mut over = false;
        loop {
            let input = self.rdr.fill_buf()?;
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.fields[outlen..], &mut self.ends[endlen..]);
            self.rdr.consume(nin);
            outlen += nout;
            endlen += nend;
            size = size.saturating_add(nout + nend);
            over |= size > self.limit;
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if over {
                        // Past the limit the cells are not kept: write over them.
                        outlen = 0;
                    } else {
                        let n = self.fields.len();
                        self.fields.resize(n * 2, 0);
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if over {
                        endlen = 0;
                    } else {
                        let n = self.ends.len();
                        self.ends.resize(n * 2, 0);
                    }
                }
                ReadRecordResult::Record => {
                    if over {
                        return Ok(Some(Row::TooLarge));
                    }
                    let mut start = 0;
                    for &end in &self.ends[..endlen] {
                        record.push_field(&self.fields[start..end]);
                        start = end;
                    }
                    return Ok(Some(Row::Read));
                }
                ReadRecordResult::End => {
                    self.done = true;
                    return Ok(None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row as `csv::Reader` (flexible, no headers) reads it.
    fn reference(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(data);
        rdr.byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn ours(data: &[u8], limit: usize) -> Vec<Option<Vec<Vec<u8>>>> {
        let mut rows = CsvRows::new(io::BufReader::with_capacity(7, data), limit);
        let mut record = ByteRecord::new();
        let mut out = Vec::new();
        while let Some(row) = rows.read(&mut record).unwrap() {
            out.push(match row {
                Row::Read => Some(record.iter().map(<[u8]>::to_vec).collect()),
                Row::TooLarge => None,
            });
        }
        out
    }

    #[test]
    fn reads_as_csv_reader_does() {
        let cases: [&[u8]; 9] = [
            b"a,b,c\n1,2,3\n",
            b"\xef\xbb\xbfid,q1\r\nx,yes\r\n",
            b"a,\"b,\"\"c\"\"\nd\",e\n\n\n1,2\n",
            b"",
            b"\n\n",
            b"only",
            b"a,b\n1\n1,2,3\n",
            b"a,\"unterminated\n1,2\n",
            b",,,\n,\n",
        ];
        for data in cases {
            let want: Vec<_> = reference(data).into_iter().map(Some).collect();
            assert_eq!(
                ours(data, 1 << 20),
                want,
                "{:?}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn a_giant_row_is_reported_and_the_next_row_is_read() {
        let mut data = b"id,note\n1,short\n2,\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100_000));
        data.extend_from_slice(b"\"\n3,fine\n");
        let rows = ours(&data, 1000);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[2], None);
        assert_eq!(rows[3], Some(vec![b"3".to_vec(), b"fine".to_vec()]));
        // Many empty cells count too.
        let mut data = b"a\n".to_vec();
        data.extend(std::iter::repeat_n(b',', 50_000));
        data.extend_from_slice(b"\nb\n");
        let rows = ours(&data, 1000);
        assert_eq!(
            rows,
            vec![Some(vec![b"a".to_vec()]), None, Some(vec![b"b".to_vec()])]
        );
    }

    #[test]
    fn memory_stays_bounded_on_an_unterminated_quote() {
        let mut data = b"a,\"".to_vec();
        data.extend(std::iter::repeat_n(b'y', 5_000_000));
        let mut rows = CsvRows::new(io::BufReader::new(&data[..]), 10_000);
        let mut record = ByteRecord::new();
        assert_eq!(rows.read(&mut record).unwrap(), Some(Row::TooLarge));
        assert!(
            rows.fields.len() <= 2 * 10_000 + 4096,
            "{}",
            rows.fields.len()
        );
        assert_eq!(rows.read(&mut record).unwrap(), None);
    }
}
