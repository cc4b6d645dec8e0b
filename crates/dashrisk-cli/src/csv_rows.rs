//! A CSV row reader with a size limit.
//!
//! `csv::Reader` grows its record buffer until a row ends, so one giant row (a
//! missing closing quote is enough) takes as much memory as the file. This reader
//! drives the same parser (`csv_core`, with `csv::Reader`'s settings: comma, double
//! quote, CRLF or LF, a leading byte-order mark dropped, blank lines skipped) but stops
//! keeping a row's cells once it is over the limit: it reads on to the end of the row
//! with a fixed buffer and reports the row as too large, so that row becomes one
//! `too_large` error record and the next row is read as usual.
//!
//! `csv_core` accepts two malformations of RFC 4180 without a word: a quoted field
//! still open at the end of the file, and text after a field's closing quote
//! (`"a"b`). Either means a stray quote, and the rows after it were read as part of
//! one cell. This reader follows the quotes in the bytes it feeds the parser and
//! reports such a row as [`Row::Malformed`], naming the line where the quoted
//! field started; reading goes on after that row.

use csv_core::ReadRecordResult;
use std::io::{self, BufRead};

/// What [`CsvRows::read`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A row within the limit; its cells are in the record.
    Read,
    /// A row over the limit; its cells were dropped and the record is empty.
    TooLarge,
    /// A row with a malformed quoted field; its cells were dropped and the record
    /// is empty.
    Malformed(BadQuote),
}

/// A quoted field that breaks RFC 4180.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadQuote {
    /// The line of the file (from 1, the header's) where the quoted field started.
    pub start_line: u64,
    /// What was wrong with it.
    pub kind: BadQuoteKind,
}

/// What was wrong with a quoted field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadQuoteKind {
    /// The file ended inside it.
    Unclosed,
    /// Its closing quote, on `line`, is followed by `byte`, not by the delimiter, a
    /// line end or another quote.
    TextAfterQuote {
        /// The line of the closing quote.
        line: u64,
        /// The byte after it.
        byte: u8,
    },
}

impl BadQuote {
    /// The error record's error: names the line where the quoted field started.
    pub fn error(&self) -> dashrisk::InputError {
        let what = match self.kind {
            BadQuoteKind::Unclosed => format!(
                "a quoted field that starts on line {} of the file is never closed: the rest of the file was read as one cell",
                self.start_line
            ),
            BadQuoteKind::TextAfterQuote { line, byte } => {
                let shown = if byte.is_ascii_graphic() || byte == b' ' {
                    format!("{:?}", char::from(byte))
                } else {
                    format!("byte 0x{byte:02x}")
                };
                let span = if line == self.start_line {
                    String::new()
                } else {
                    format!(" (lines {} to {line} were read as one cell)", self.start_line)
                };
                format!(
                    "a quoted field that starts on line {} of the file is closed on line {line} and followed by {shown}; a closing quote must be followed by the delimiter or the end of the line (write a quote inside a quoted field as \"\"){span}",
                    self.start_line
                )
            }
        };
        dashrisk::InputError::new(
            dashrisk::ErrorKind::RowLength,
            "",
            None,
            format!("malformed CSV: {what}"),
        )
    }
}

/// Where the quote tracker is within a field (mirroring `csv_core`'s parser with
/// its default settings: `"` quotes, `""` escapes one, no escape character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    /// At the start of a field (or of a record).
    FieldStart,
    /// In an unquoted field: a quote here is an ordinary byte (`5'10"`).
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: its end, or half of `""`.
    QuoteInQuoted,
}

/// Follows quotes and lines in the bytes the parser reads.
#[derive(Debug, Clone, Copy)]
struct Quotes {
    state: QuoteState,
    delimiter: u8,
    /// The current line, from 1.
    line: u64,
    /// The line where the open quoted field started.
    start: u64,
    /// The first problem in the current row.
    bad: Option<BadQuote>,
    /// The bytes that end a run of an unquoted field: the delimiter and line ends.
    stop_unquoted: [bool; 256],
    /// The bytes that end a run of a quoted field: the quote and the line feed
    /// (counted).
    stop_quoted: [bool; 256],
}

impl Quotes {
    fn new(delimiter: u8) -> Self {
        Quotes {
            state: QuoteState::FieldStart,
            delimiter,
            line: 1,
            start: 1,
            bad: None,
            stop_unquoted: std::array::from_fn(|b| {
                b == usize::from(delimiter) || b == usize::from(b'\n') || b == usize::from(b'\r')
            }),
            stop_quoted: std::array::from_fn(|b| b == usize::from(b'"') || b == usize::from(b'\n')),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        // The usual row has no quote: only its line ends are counted (a loop the
        // compiler vectorises), and the state follows from its last byte. Byte by
        // byte, this tracker cost a fifth of `dashrisk assess`'s time.
        if self.state != QuoteInQuoted && !bytes.contains(&b'"') {
            self.line += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            if let (Some(&last), false) = (bytes.last(), self.state == Quoted) {
                self.state = if self.stop_unquoted[usize::from(last)] {
                    FieldStart
                } else {
                    Unquoted
                };
            }
            return;
        }
        let mut i = 0;
        while i < bytes.len() {
            // Within a field, skip the bytes that change nothing (most of them).
            let stop = match self.state {
                Unquoted => &self.stop_unquoted,
                Quoted => &self.stop_quoted,
                _ => &[true; 256],
            };
            while i < bytes.len() && !stop[usize::from(bytes[i])] {
                i += 1;
            }
            let Some(&b) = bytes.get(i) else {
                break;
            };
            i += 1;
            let end = b == b'\n' || b == b'\r';
            self.state = match self.state {
                FieldStart if b == b'"' => {
                    self.start = self.line;
                    Quoted
                }
                FieldStart | Unquoted if b == self.delimiter || end => FieldStart,
                FieldStart | Unquoted => Unquoted,
                Quoted if b == b'"' => QuoteInQuoted,
                Quoted => Quoted,
                QuoteInQuoted if b == b'"' => Quoted,
                QuoteInQuoted if b == self.delimiter || end => FieldStart,
                QuoteInQuoted => {
                    if self.bad.is_none() {
                        self.bad = Some(BadQuote {
                            start_line: self.start,
                            kind: BadQuoteKind::TextAfterQuote {
                                line: self.line,
                                byte: b,
                            },
                        });
                    }
                    // The parser reads on as an unquoted field.
                    Unquoted
                }
            };
            if b == b'\n' {
                self.line += 1;
            }
        }
    }

    /// At the end of the input: a quoted field still open is a problem.
    fn at_end(&mut self) {
        if self.state == QuoteState::Quoted && self.bad.is_none() {
            self.bad = Some(BadQuote {
                start_line: self.start,
                kind: BadQuoteKind::Unclosed,
            });
        }
    }
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
    quotes: Quotes,
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
            quotes: Quotes::new(delimiter),
        }
    }

    /// Reads the next row into `record`, straight from the parser. Returns `None`
    /// at the end of the input. Fails only when the underlying reader fails.
    pub fn read(&mut self, record: &mut RowBuf) -> io::Result<Option<Row>> {
        record.clear();
        self.quotes.bad = None;
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
            if input.is_empty() {
                self.quotes.at_end();
            } else {
                self.quotes.feed(&input[..nin]);
            }
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
                    if let Some(bad) = self.quotes.bad.take() {
                        record.clear();
                        return Ok(Some(Row::Malformed(bad)));
                    }
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
                Row::Malformed(bad) => panic!("{bad:?}"),
            });
        }
        out
    }

    #[test]
    fn reads_as_csv_reader_does() {
        let cases: [&[u8]; 11] = [
            b"a,b,c\n1,2,3\n",
            b"\xef\xbb\xbfid,q1\r\nx,yes\r\n",
            b"a,\"b,\"\"c\"\"\nd\",e\n\n\n1,2\n",
            b"",
            b"\n\n",
            b"only",
            b"a,b\n1\n1,2,3\n",
            b",,,\n,\n",
            // Legitimate quotes: a bare quote in an unquoted field, an escaped quote,
            // an embedded line end, a quoted field at the end of the file.
            b"id,height\n1,5'10\"\n2,x\"y\"z\n",
            b"a,\"x\"\"\"\r\n\"\",\"line\r\nbreak, comma\"\r\n",
            b"a,\"last\"",
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
        // Over the limit and never closed: the quote is the cause, and is reported.
        assert_eq!(
            rows.read(&mut record).unwrap(),
            Some(Row::Malformed(BadQuote {
                start_line: 1,
                kind: BadQuoteKind::Unclosed
            }))
        );
        assert!(
            record.bytes.len() <= 2 * 10_000 + 4096,
            "{}",
            record.bytes.len()
        );
        assert!(record.is_empty());
        assert_eq!(rows.read(&mut record).unwrap(), None);
    }

    /// Every row as ours reads it: its cells, or `Err` with its problem.
    fn rows_of(data: &[u8], delimiter: u8) -> Vec<Result<Vec<String>, Row>> {
        let mut rows =
            CsvRows::with_delimiter(io::BufReader::with_capacity(3, data), 1 << 20, delimiter);
        let mut record = RowBuf::new();
        let mut out = Vec::new();
        while let Some(row) = rows.read(&mut record).unwrap() {
            out.push(match row {
                Row::Read => Ok(record
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect()),
                other => Err(other),
            });
        }
        out
    }

    fn cells(c: &[&str]) -> Result<Vec<String>, Row> {
        Ok(c.iter().map(|s| s.to_string()).collect())
    }

    /// The review's file: a stray quote in a2's notes used to swallow a3 to a5
    /// into one cell, silently. The row is now reported, naming the line where the
    /// quoted field started, and a6 is read.
    #[test]
    fn a_stray_quote_is_reported_not_swallowed() {
        let data = b"id,q18,notes\na1,no,ok\na2,no,\"Victim said: leave\na3,yes,strangled\na4,yes,x\na5,no,\"fine\"\na6,yes,x\n";
        let rows = rows_of(data, b',');
        assert_eq!(
            rows,
            vec![
                cells(&["id", "q18", "notes"]),
                cells(&["a1", "no", "ok"]),
                Err(Row::Malformed(BadQuote {
                    start_line: 3,
                    kind: BadQuoteKind::TextAfterQuote {
                        line: 6,
                        byte: b'f'
                    }
                })),
                cells(&["a6", "yes", "x"]),
            ]
        );
        let Err(Row::Malformed(bad)) = &rows[2] else {
            unreachable!()
        };
        let e = bad.error();
        assert!(
            e.message.contains("starts on line 3") && e.message.contains("line 6"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_quote_open_at_the_end_of_the_file_is_reported() {
        let data = b"id,notes\n1,fine\n2,\"never closed\n3,x\n4,y\n";
        let rows = rows_of(data, b',');
        let unclosed = Err(Row::Malformed(BadQuote {
            start_line: 3,
            kind: BadQuoteKind::Unclosed,
        }));
        assert_eq!(
            rows,
            vec![cells(&["id", "notes"]), cells(&["1", "fine"]), unclosed]
        );
        let Err(Row::Malformed(bad)) = &rows[2] else {
            unreachable!()
        };
        assert!(bad.error().message.contains("line 3"));
        // Without a line end at the end, and with CRLF, the same.
        let rows = rows_of(b"a\r\n\"b", b',');
        assert_eq!(
            rows[1],
            Err(Row::Malformed(BadQuote {
                start_line: 2,
                kind: BadQuoteKind::Unclosed
            }))
        );
    }

    #[test]
    fn text_after_a_closing_quote_is_reported_and_the_next_row_read() {
        let rows = rows_of(b"a,b\n\"x\"y,1\n2,3\n", b',');
        assert_eq!(
            rows,
            vec![
                cells(&["a", "b"]),
                Err(Row::Malformed(BadQuote {
                    start_line: 2,
                    kind: BadQuoteKind::TextAfterQuote {
                        line: 2,
                        byte: b'y'
                    }
                })),
                cells(&["2", "3"]),
            ]
        );
        // The delimiter is whatever the file uses: a comma after a closing quote in
        // a semicolon file is text after the quote, a semicolon is not.
        let rows = rows_of(b"a;b\n\"x\";\"y\"\n\"x\",y;z\n", b';');
        assert_eq!(rows[1], cells(&["x", "y"]));
        assert!(matches!(rows[2], Err(Row::Malformed(_))), "{rows:?}");
    }

    /// Whatever cells hold, a file written by `csv::Writer` (RFC 4180 quoting) is
    /// never reported as malformed, and reads back cell for cell, with any buffer
    /// size and either delimiter.
    #[test]
    fn well_formed_files_are_never_refused() {
        let alphabet: &[u8] = b"a,;\"\n\r '5";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let delimiter = if round % 2 == 0 { b',' } else { b';' };
            let cols = 1 + (next() % 4) as usize;
            let rows: Vec<Vec<String>> = (0..1 + next() % 6)
                .map(|_| {
                    (0..cols)
                        .map(|_| {
                            (0..next() % 6)
                                .map(|_| char::from(alphabet[(next() % 9) as usize]))
                                .collect()
                        })
                        .collect()
                })
                .collect();
            let mut w = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(Vec::new());
            for r in &rows {
                w.write_record(r).unwrap();
            }
            let data = w.into_inner().unwrap();
            let cap = 1 + (next() % 8) as usize;
            let mut reader = CsvRows::with_delimiter(
                io::BufReader::with_capacity(cap, &data[..]),
                1 << 20,
                delimiter,
            );
            let mut record = RowBuf::new();
            let mut got = Vec::new();
            while let Some(row) = reader.read(&mut record).unwrap() {
                assert_eq!(row, Row::Read, "{:?}", String::from_utf8_lossy(&data));
                got.push(
                    record
                        .iter()
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>(),
                );
            }
            // (csv::Writer writes a row of one empty cell as `""`, not a blank line.)
            assert_eq!(got, rows, "{:?}", String::from_utf8_lossy(&data));
        }
    }
}
