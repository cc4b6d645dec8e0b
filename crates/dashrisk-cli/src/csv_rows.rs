//! A CSV row reader with a size limit.
//!
//! `csv::Reader` grows its record buffer until a row ends, so one giant row (a
//! missing closing quote is enough) takes as much memory as the file. This reader
//! drives the same parser (`csv_core`, with `csv::Reader`'s settings: comma, double
//! quote, CRLF or LF, a leading byte-order mark dropped, blank lines skipped) but stops
//! keeping a row's cells once it is over the limit: it reads on to the end of the row
//! with a fixed buffer and reports the row as too large, so that row becomes one
//! `too_large` error record and the next row is read as usual.

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

/// One row's cells: the parser writes them here directly, and the buffers are kept
/// from row to row (`csv::ByteRecord` has no way to be written into by
/// `csv_core`, so every cell was copied into one; that copy was a tenth of the
/// CPU of `dashrisk assess`).
#[derive(Debug, Clone, Default)]
pub struct RowBuf {
    /// The cells' bytes, one after another; only `..used` is the row's.
    bytes: Vec<u8>,
    used: usize,
    /// Where each cell ends in `bytes`; only `..cells` are the row's.
    ends: Vec<usize>,
    cells: usize,
}

impl RowBuf {
    /// An empty row.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.cells
    }

    /// Whether the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.cells == 0
    }

    /// The bytes of every cell, one after another.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.used]
    }

    /// Where cell `i` lies in [`RowBuf::as_slice`].
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        if i >= self.cells {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..self.ends[i])
    }

    /// Cell `i`'s bytes.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.range(i).map(|r| &self.bytes[r])
    }

    /// The cells in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.cells).filter_map(|i| self.get(i))
    }

    /// Adds a cell at the end (for rows made by hand, as in tests).
    pub fn push_cell(&mut self, cell: &[u8]) {
        let end = self.used + cell.len();
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        self.bytes[self.used..end].copy_from_slice(cell);
        self.used = end;
        if self.ends.len() <= self.cells {
            self.ends.resize(self.cells + 1, 0);
        }
        self.ends[self.cells] = end;
        self.cells += 1;
    }

    fn clear(&mut self) {
        self.used = 0;
        self.cells = 0;
    }
}

/// Reads CSV rows from a buffered reader, keeping at most `limit` bytes of a row.
pub struct CsvRows<R> {
    core: csv_core::Reader,
    rdr: R,
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
            limit,
            done: false,
        }
    }

    /// Reads the next row into `record`, straight from the parser. Returns `None`
    /// at the end of the input. Fails only when the underlying reader fails.
    pub fn read(&mut self, record: &mut RowBuf) -> io::Result<Option<Row>> {
        record.clear();
        if self.done {
            return Ok(None);
        }
        if record.bytes.is_empty() {
            record.bytes.resize(1024, 0);
        }
        if record.ends.is_empty() {
            record.ends.resize(64, 0);
        }
        let (mut outlen, mut endlen) = (0usize, 0usize);
        // Cell bytes plus one per cell: a row of a million empty cells is large too.
        let mut size = 0usize;
        let mut over = false;
        loop {
            let input = self.rdr.fill_buf()?;
            let (res, nin, nout, nend) = self.core.read_record(
                input,
                &mut record.bytes[outlen..],
                &mut record.ends[endlen..],
            );
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
                        let n = record.bytes.len();
                        record.bytes.resize(n * 2, 0);
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if over {
                        endlen = 0;
                    } else {
                        let n = record.ends.len();
                        record.ends.resize(n * 2, 0);
                    }
                }
                ReadRecordResult::Record => {
                    if over {
                        return Ok(Some(Row::TooLarge));
                    }
                    record.used = outlen;
                    record.cells = endlen;
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
        let mut record = RowBuf::new();
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
    fn a_row_is_read_as_a_byte_record_holds_it() {
        let data: &[u8] = b"id,q1,note\r\nx,yes,\"a, \"\"b\"\"\"\n,,\n\xc3\xa9,no,z\n";
        let mut want = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(data);
        let mut rows = CsvRows::new(io::BufReader::with_capacity(5, data), 1 << 20);
        let (mut got, mut reference) = (RowBuf::new(), csv::ByteRecord::new());
        let mut n = 0;
        while want.read_byte_record(&mut reference).unwrap() {
            assert_eq!(rows.read(&mut got).unwrap(), Some(Row::Read));
            assert_eq!(got.len(), reference.len());
            assert_eq!(got.is_empty(), reference.is_empty());
            assert_eq!(got.as_slice(), reference.as_slice());
            for i in 0..=reference.len() {
                assert_eq!(got.range(i), reference.range(i), "row {n} cell {i}");
                assert_eq!(got.get(i), reference.get(i), "row {n} cell {i}");
            }
            // The same row made by hand.
            let mut made = RowBuf::new();
            for cell in &reference {
                made.push_cell(cell);
            }
            assert_eq!(
                made.iter().collect::<Vec<_>>(),
                got.iter().collect::<Vec<_>>()
            );
            assert_eq!(made.as_slice(), got.as_slice());
            n += 1;
        }
        assert_eq!(n, 4);
        assert_eq!(rows.read(&mut got).unwrap(), None);
    }

    #[test]
    fn a_giant_row_is_reported_and_the_next_row_is_read() {
        let mut data = b"id,note\n1,short\n2,\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100_000));
        data.extend_from_slice(b"\"\n3,fine\n");
        let rows = ours(&data, 1000);
        assert_eq!(rows.len(), 4);
        // Read into one kept buffer, the giant row leaves no cell of the row before.
        let mut reader = CsvRows::new(&data[..], 1000);
        let mut record = RowBuf::new();
        for want in [Row::Read, Row::Read, Row::TooLarge] {
            assert_eq!(reader.read(&mut record).unwrap(), Some(want));
        }
        assert!(record.is_empty() && record.as_slice().is_empty());
        assert_eq!(record.get(0), None);
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
        let mut record = RowBuf::new();
        assert_eq!(rows.read(&mut record).unwrap(), Some(Row::TooLarge));
        assert!(
            record.bytes.len() <= 2 * 10_000 + 4096,
            "{}",
            record.bytes.len()
        );
        assert!(record.is_empty());
        assert_eq!(rows.read(&mut record).unwrap(), None);
    }
}
