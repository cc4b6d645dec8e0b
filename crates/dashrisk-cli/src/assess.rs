//! `dashrisk assess`: streaming, record by record, with flat memory. A bad record
//! becomes an error record in the output (and a line on stderr) and the rest are
//! still assessed.

use crate::csv_rows::{CsvRows, Row, RowBuf};
use crate::input::InputArgs;
use crate::{Fatal, Format};
use dashrisk::error::{ErrorKind, InputError, RecordError};
use dashrisk::flat::RESULT_COLUMNS;
use dashrisk::parse::{is_passthrough_column, FlatHeader};
use dashrisk::{AssessmentResult, Limits, Scorer};
use std::io::{self, BufRead, Write};
use std::path::Path;

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

fn sniff(reader: &mut dyn BufRead) -> io::Result<Format> {
    let buf = reader.fill_buf()?;
    let first = buf.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if matches!(first, Some(b'{') | Some(b'[')) || first.is_none() {
        return Ok(Format::Jsonl);
    }
    let line_end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let line = &buf[..line_end];
    Ok(
        if crate::input::DELIMITERS.iter().any(|d| line.contains(d)) {
            Format::Csv
        } else {
            Format::Jsonl
        },
    )
}

/// Settles the format of `reader`: the one given, else from the file extension of
/// `input`, else sniffed from the first line. A leading UTF-8 byte-order mark (as
/// Windows tools write) is dropped first, in either format.
pub fn settle_format(
    reader: &mut dyn BufRead,
    input: &str,
    format: Option<Format>,
) -> Result<Format, Fatal> {
    if reader.fill_buf()?.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    }
    let ext = Path::new(input)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match (format, ext.as_deref()) {
        (Some(f), _) => f,
        (None, Some("csv")) => Format::Csv,
        (None, Some("jsonl" | "ndjson" | "json")) => Format::Jsonl,
        _ => sniff(reader)?,
    })
}

/// Assesses every record of `input` (a path, or `-` for standard input), writing
/// results to `out` and a line per failed record to `log`; returns the number of
/// failed records.
#[allow(clippy::too_many_arguments)]
pub fn run(
    scorer: &Scorer,
    input: &str,
    input_args: &InputArgs,
    output_format: Option<Format>,
    reason_text: bool,
    extras: Option<Extras>,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<u64, Fatal> {
    let opened = crate::input::open(input, input_args)?;
    if extras.is_some() && output_format.unwrap_or(opened.format) != Format::Jsonl {
        return Err(Fatal(
            "--ask-next and --services add nested lists to each result: they need JSON Lines output (--output-format jsonl)".into(),
        ));
    }
    let output = OutputOptions {
        format: output_format,
        reason_text,
        extras: extras.map(std::sync::Arc::new),
    };
    run_reader_with(
        scorer,
        opened.reader,
        opened.format,
        opened.delimiter,
        output,
        out,
        log,
    )
}

/// What the output holds.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    /// The output format (default: the input's).
    pub format: Option<Format>,
    /// CSV only: add the `reasons` column of sentences beside `reason_codes`
    /// (JSON Lines always carries both).
    pub reason_text: bool,
    /// JSON Lines only: "ask next" and the local services, beside each result.
    pub extras: Option<std::sync::Arc<Extras>>,
}

/// What `--ask-next` and `--services` add to each JSON Lines result: `ask_next`
/// (the unanswered questions that would change it, `Scorer::decisive_questions`)
/// and `services` (the local services for each of its pathways).
#[derive(Debug, Clone)]
pub struct Extras {
    /// Add `ask_next`.
    pub ask_next: bool,
    /// Add `services` from this directory.
    pub services: Option<dashrisk::services::Services>,
}

impl Extras {
    /// The keys to add for a record and its result.
    fn keys(
        &self,
        scorer: &Scorer,
        a: &dashrisk::Assessment,
        r: &AssessmentResult,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        if self.ask_next {
            // The record was just assessed, so this cannot fail; were it to, the
            // key is null rather than a guess.
            let q = scorer.decisive_questions(a).ok();
            m.insert(
                "ask_next".into(),
                serde_json::to_value(q).unwrap_or(serde_json::Value::Null),
            );
        }
        if let Some(dir) = &self.services {
            m.insert(
                "services".into(),
                serde_json::to_value(dir.for_pathways(r.pathways))
                    .unwrap_or(serde_json::Value::Null),
            );
        }
        m
    }
}

/// [`run`] on an open reader whose format is settled: one output record (a result or
/// an error record) per input record, in input order, under the scorer's
/// [`Limits`]. Fails only on I/O errors and unwritable output.
pub fn run_reader(
    scorer: &Scorer,
    reader: Box<dyn BufRead>,
    format: Format,
    output_format: Option<Format>,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<u64, Fatal> {
    let output = OutputOptions {
        format: output_format,
        reason_text: true,
        extras: None,
    };
    run_reader_with(scorer, reader, format, b',', output, out, log)
}

/// [`run_reader`] with CSV cells split at `delimiter`.
pub fn run_reader_with(
    scorer: &Scorer,
    reader: Box<dyn BufRead>,
    format: Format,
    delimiter: u8,
    output: OutputOptions,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<u64, Fatal> {
    let mut out = Output::new(
        output.format.unwrap_or(format),
        output.reason_text,
        out,
        log,
    );
    out.fmt.extras = output.extras;
    match format {
        Format::Jsonl => run_jsonl(scorer, reader, out),
        Format::Csv => run_csv(scorer, reader, delimiter, out),
    }
}

/// Records read per chunk: a chunk is assessed on every core, then written in order.
/// Memory holds two chunks of input (the one being assessed and the one being read)
/// and one chunk's output.
pub(crate) const CHUNK: usize = 4096;

/// Rows per part: the unit of work a thread takes from a chunk.
pub(crate) const PART: usize = 256;

/// Reads chunks with `fill` (which returns whether the input has ended) and runs
/// `work` on parts of [`PART`] jobs of each, on `threads` threads in all, while the
/// calling thread hands the outputs of the chunk before to `emit` (in input order)
/// and reads the next chunk. Threads take parts in turn from a shared counter, and
/// the calling thread takes parts too once it has written and read, so every core
/// stays busy to the end of a chunk whichever part is slow. A panic in `work` is
/// re-raised here.
pub(crate) fn pipeline<J: Sync, O: Send>(
    threads: usize,
    mut fill: impl FnMut(&mut Vec<J>) -> Result<bool, Fatal>,
    work: impl Fn(&[J]) -> O + Sync,
    mut emit: impl FnMut(O) -> Result<(), Fatal>,
) -> Result<(), Fatal> {
    let (mut cur, mut next) = (Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK));
    let mut eof = fill(&mut cur)?;
    // The outputs of the chunk before: written while this one is assessed.
    let mut done: Vec<O> = Vec::new();
    while !cur.is_empty() {
        let parts: Vec<&[J]> = cur.chunks(PART).collect();
        let (written, outs) = dashrisk::batch::map_each_after(
            &parts,
            threads,
            || {
                done.drain(..).try_for_each(&mut emit).and_then(|()| {
                    if eof {
                        next.clear();
                        Ok(true)
                    } else {
                        fill(&mut next)
                    }
                })
            },
            |part| work(part),
        );
        eof = written?;
        done = outs;
        std::mem::swap(&mut cur, &mut next);
    }
    done.into_iter().try_for_each(&mut emit)?;
    Ok(())
}

/// A CSV row read for a chunk: its line, whether it was within the limit, its cells.
pub(crate) type CsvJob = (u64, Row, RowBuf);

/// A JSON Lines line read for a chunk: its line, whether it was over the limit, its
/// bytes.
pub(crate) type LineJob = (u64, bool, Vec<u8>);

/// Refills `jobs` with up to [`CHUNK`] rows (reusing the records it held), counting
/// rows in `row_no`; returns whether the input has ended.
pub(crate) fn fill_csv<R: BufRead>(
    rdr: &mut CsvRows<R>,
    jobs: &mut Vec<CsvJob>,
    row_no: &mut u64,
) -> Result<bool, Fatal> {
    let mut spare: Vec<RowBuf> = jobs.drain(..).map(|j| j.2).collect();
    while jobs.len() < CHUNK {
        let mut rec = spare.pop().unwrap_or_default();
        match rdr.read(&mut rec)? {
            None => return Ok(true),
            Some(row) => {
                *row_no += 1;
                jobs.push((*row_no, row, rec));
            }
        }
    }
    Ok(false)
}

/// Refills `jobs` with up to [`CHUNK`] records (reusing the buffers it held), blank
/// lines skipped but counted in `line`, records counted in `records`; returns whether
/// the input has ended.
pub(crate) fn fill_lines(
    reader: &mut dyn BufRead,
    limit: usize,
    jobs: &mut Vec<LineJob>,
    line: &mut u64,
    records: &mut u64,
) -> Result<bool, Fatal> {
    let mut spare: Vec<Vec<u8>> = jobs.drain(..).map(|j| j.2).collect();
    while jobs.len() < CHUNK {
        let mut buf = spare.pop().unwrap_or_default();
        match read_line_limited(reader, &mut buf, limit)? {
            None => return Ok(true),
            Some(too_long) => {
                *line += 1;
                // A blank line is not a record: skip it (line numbers still count it).
                if !too_long && buf.iter().all(u8::is_ascii_whitespace) {
                    spare.push(buf);
                    continue;
                }
                *records += 1;
                jobs.push((*line, too_long, buf));
            }
        }
    }
    Ok(false)
}

/// Reads one line into `buf` (without the newline), keeping at most `limit` bytes.
/// Returns `None` at end of input, else whether the line was longer than `limit`.
pub(crate) fn read_line_limited(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(read_any.then_some(too_long));
        }
        read_any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        let room = limit.saturating_sub(buf.len());
        if part.len() > room {
            too_long = true;
        }
        buf.extend_from_slice(&part[..part.len().min(room)]);
        let consumed = done.unwrap_or(chunk.len());
        r.consume(consumed);
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(too_long));
        }
    }
}

pub(crate) fn too_large(limits: &Limits, line: u64) -> RecordError {
    RecordError {
        line,
        id: None,
        error: limits.record_too_large(),
    }
}

/// The error record for a row with a malformed quoted field.
pub(crate) fn malformed(bad: &crate::csv_rows::BadQuote, line: u64) -> RecordError {
    RecordError {
        line,
        id: None,
        error: bad.error(),
    }
}

pub(crate) fn empty_input() -> RecordError {
    RecordError {
        line: 0,
        id: None,
        error: InputError::new(
            ErrorKind::EmptyInput,
            "",
            None,
            "the input holds no records",
        ),
    }
}

fn run_jsonl(scorer: &Scorer, mut reader: Box<dyn BufRead>, mut out: Output) -> Result<u64, Fatal> {
    out.header(&["meta"])?;
    out.fmt.meta_only = true;
    let limits = scorer.limits();
    let options = out.fmt.assess_options();
    let threads = dashrisk::batch::threads();
    let mut line = 0u64;
    let mut records = 0u64;
    let fill = |jobs: &mut Vec<LineJob>| {
        fill_lines(
            &mut *reader,
            limits.max_record_bytes,
            jobs,
            &mut line,
            &mut records,
        )
    };
    let fmt = out.fmt.clone();
    let work = |part: &[LineJob]| {
        let mut chunk = fmt.chunk(part.len());
        for (line, too_long, buf) in part {
            let mut extra = None;
            let res = if *too_long {
                Err(too_large(limits, *line))
            } else if fmt.extras.is_none() {
                // Nothing else reads the record: assessed as it is read, with no
                // answers map (`Scorer::assess_json_line_with`).
                scorer.assess_json_line_with(*line, buf, &options)
            } else {
                scorer.parse_json_line(*line, buf).and_then(|a| {
                    let r = scorer
                        .assess_with(&a, &options)
                        .map_err(|error| RecordError {
                            line: *line,
                            id: a.id.as_deref().map(dashrisk::error::truncate_value),
                            error,
                        })?;
                    extra = fmt.extras.as_ref().map(|x| x.keys(scorer, &a, &r));
                    Ok(r)
                })
            };
            let meta = res
                .as_ref()
                .ok()
                .and_then(|r| r.meta.as_ref())
                .map(|m| m.to_string());
            chunk.record_with(&fmt, res, &[meta.as_deref().unwrap_or("")], extra);
        }
        chunk
    };
    pipeline(threads, fill, work, |c| out.write(c))?;
    if records == 0 {
        out.record(Err(empty_input()), &[""])?;
    }
    out.finish()
}

fn run_csv(
    scorer: &Scorer,
    reader: Box<dyn BufRead>,
    delimiter: u8,
    mut out: Output,
) -> Result<u64, Fatal> {
    let limits = scorer.limits();
    let mut rdr = CsvRows::with_delimiter(reader, limits.max_record_bytes, delimiter);
    let mut record = RowBuf::new();
    let header_error = |error: InputError| RecordError {
        line: 0,
        id: None,
        error,
    };
    // The header.
    let (names, problem) = match rdr.read(&mut record)? {
        None => {
            out.header(&[])?;
            out.record(Err(empty_input()), &[])?;
            return out.finish();
        }
        Some(Row::TooLarge) => (Vec::new(), Some(limits.record_too_large())),
        Some(Row::Malformed(bad)) => (Vec::new(), Some(bad.error())),
        Some(Row::Read) => read_header(&record),
    };
    let pass_idx: Vec<usize> = (0..names.len())
        .filter(|&i| !names[i].is_empty() && is_passthrough_column(&names[i]))
        .collect();
    let pass_names: Vec<&str> = pass_idx.iter().map(|&i| names[i].as_str()).collect();
    out.header(&pass_names)?;
    if let Some(e) = problem {
        // Without a readable header no row can be read safely.
        out.record(Err(header_error(e)), &[])?;
        return out.finish();
    }
    let id_idx = names.iter().position(|n| n == "id");
    let header = FlatHeader::new(&names);
    let options = out.fmt.assess_options();
    let threads = dashrisk::batch::threads();
    let mut row_no = 0u64;
    let fill = |jobs: &mut Vec<CsvJob>| fill_csv(&mut rdr, jobs, &mut row_no);
    let fmt = out.fmt.clone();
    let pass_idx = &pass_idx;
    // CSV out: the compact path, written straight into the CSV writer. With reason
    // codes only (the default) it allocates nothing; with `--reasons text` the
    // sentences are written into one reused string.
    let compact = fmt.format == Format::Csv && fmt.extras.is_none();
    let work = |part: &[CsvJob]| {
        let mut chunk = fmt.chunk(part.len());
        let mut pass_vals: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(pass_idx.len());
        let mut scratch = dashrisk::parse::FlatScratch::new();
        let mut cells: Vec<&str> = Vec::with_capacity(header.names().len());
        let mut text = String::new();
        for (line, row, rec) in part {
            if compact && matches!(row, Row::Read) {
                let done = row_cells_into(&header, rec, &mut cells).and_then(|()| {
                    if fmt.reason_text {
                        scorer.assess_flat_compact_text(&header, &cells, &mut scratch, &mut text)
                    } else {
                        scorer.assess_flat_compact(&header, &cells, &mut scratch)
                    }
                });
                if let Ok(c) = done {
                    let text = fmt.reason_text.then_some(text.as_str());
                    chunk.compact(&fmt, (&c, text), pass_idx, rec, id_idx, scorer);
                    continue;
                }
                // An error record goes the usual way, which names it.
            }
            let mut extra = None;
            let res = match (row, &fmt.extras) {
                (Row::TooLarge, _) => Err(too_large(limits, *line)),
                (Row::Malformed(bad), _) => Err(malformed(bad, *line)),
                (Row::Read, None) => assess_row(scorer, &header, rec, *line, id_idx, &options),
                (Row::Read, Some(x)) => {
                    let fail = |error: InputError| RecordError {
                        line: *line,
                        id: row_id(rec, id_idx),
                        error,
                    };
                    row_cells(&header, rec)
                        .and_then(|cells| scorer.parse_flat_row(&header, &cells))
                        .and_then(|a| {
                            let r = scorer.assess_with(&a, &options)?;
                            extra = Some(x.keys(scorer, &a, &r));
                            Ok(r)
                        })
                        .map_err(fail)
                }
            };
            pass_vals.clear();
            pass_vals.extend(
                pass_idx
                    .iter()
                    .map(|&i| String::from_utf8_lossy(rec.get(i).unwrap_or(b""))),
            );
            let pass: Vec<&str> = pass_vals.iter().map(|c| c.as_ref()).collect();
            chunk.record_with(&fmt, res, &pass, extra);
        }
        chunk
    };
    pipeline(threads, fill, work, |c| out.write(c))?;
    if row_no == 0 {
        out.record(Err(empty_input()), &vec![""; pass_idx.len()])?;
    }
    out.finish()
}

/// The column names of a CSV header (a leading byte-order mark dropped from each),
/// and the first problem with them (a repeated or non-UTF-8 name), if any.
pub fn read_header(record: &RowBuf) -> (Vec<String>, Option<InputError>) {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    // A set, not a scan of `names`: a header can hold hundreds of thousands of
    // columns within the size limit, and a quadratic check would hang on it.
    let mut seen = std::collections::HashSet::with_capacity(record.len());
    let mut problem = None;
    for (i, cell) in record.iter().enumerate() {
        match std::str::from_utf8(cell) {
            Ok(s) => {
                // A byte-order mark means nothing in a name. Dropped from every name,
                // not only the first: one left on a later name would start the CSV
                // output, where readers drop it, turning "\u{feff}id" into a second
                // `id` column (found by fuzzing).
                let s = s.trim_start_matches('\u{feff}');
                if !seen.insert(s) {
                    problem.get_or_insert(InputError::new(
                        ErrorKind::DuplicateField,
                        s,
                        Some(s),
                        format!(
                            "header: column {:?} appears more than once",
                            dashrisk::error::truncate_value(s)
                        ),
                    ));
                }
                names.push(s.to_string());
            }
            Err(_) => {
                problem.get_or_insert(InputError::new(
                    ErrorKind::InvalidUtf8,
                    format!("column {}", i + 1),
                    None,
                    format!("header: column {} is not valid UTF-8", i + 1),
                ));
                names.push(String::new());
            }
        }
    }
    if problem.is_none() && !names.is_empty() && names.iter().all(|n| is_passthrough_column(n)) {
        // Not one column of the contract: most likely another delimiter, and every
        // row would otherwise come out "unclear" without a word.
        let joined = names.join(",");
        let hint = [';', '\t', '|']
            .into_iter()
            .find(|d| joined.contains(*d))
            .map(|d| {
                format!(
                    "; is the delimiter {}?",
                    if d == '\t' {
                        "a tab".to_string()
                    } else {
                        format!("{d:?}")
                    }
                )
            })
            .unwrap_or_default();
        problem = Some(InputError::new(
            ErrorKind::UnknownField,
            "header",
            Some(&joined),
            format!(
                "header: no column of the input contract found (q1…q27, fear, power_imbalance, children_in_household, …){hint}"
            ),
        ));
    }
    (names, problem)
}

/// The id cell of a row, when there is one, truncated for error records.
fn row_id(record: &RowBuf, id_idx: Option<usize>) -> Option<String> {
    id_idx
        .and_then(|i| record.get(i))
        .and_then(|b| std::str::from_utf8(b).ok())
        .filter(|s| !s.is_empty())
        .map(dashrisk::error::truncate_value)
}

fn assess_row(
    scorer: &Scorer,
    header: &FlatHeader,
    record: &RowBuf,
    line: u64,
    id_idx: Option<usize>,
    options: &dashrisk::AssessOptions,
) -> Result<AssessmentResult, RecordError> {
    let fail = |error: InputError| RecordError {
        line,
        id: row_id(record, id_idx),
        error,
    };
    let cells = row_cells(header, record).map_err(fail)?;
    scorer
        .assess_flat_row(header, &cells, options)
        .map_err(|e| RecordError {
            line,
            id: row_id(record, id_idx),
            error: e,
        })
}

/// [`row_cells`] into a list kept from row to row.
pub(crate) fn row_cells_into<'r>(
    header: &FlatHeader,
    record: &'r RowBuf,
    cells: &mut Vec<&'r str>,
) -> Result<(), InputError> {
    cells.clear();
    if record.len() != header.names().len() {
        return row_cells(header, record).map(|_| ());
    }
    // The row's bytes checked once, then cut at the cells' bounds (a cell of
    // valid UTF-8 between ASCII delimiters starts and ends on a character).
    let Ok(text) = std::str::from_utf8(record.as_slice()) else {
        // The usual reader names the column.
        return row_cells(header, record).map(|_| ());
    };
    for i in 0..record.len() {
        match record.range(i).and_then(|r| text.get(r)) {
            Some(cell) => cells.push(cell),
            None => return row_cells(header, record).map(|_| ()),
        }
    }
    Ok(())
}

/// A row's cells as text: an error for a row of another length than the header,
/// or a cell that is not UTF-8 (naming its column).
fn row_cells<'r>(header: &FlatHeader, record: &'r RowBuf) -> Result<Vec<&'r str>, InputError> {
    let names = header.names();
    if record.len() != names.len() {
        return Err(InputError::new(
            ErrorKind::RowLength,
            "",
            Some(&record.len().to_string()),
            format!(
                "row has {} cells but the header has {}",
                record.len(),
                names.len()
            ),
        ));
    }
    names
        .iter()
        .zip(record.iter())
        .map(|(name, cell)| {
            std::str::from_utf8(cell).map_err(|_| {
                InputError::new(
                    ErrorKind::InvalidUtf8,
                    name.as_str(),
                    None,
                    format!(
                        "{name}: the cell is not valid UTF-8 (if the file comes from Excel or another Windows program, try --encoding windows-1252)"
                    ),
                )
            })
        })
        .collect()
}

/// Reads one CSV data row into an assessment, or the contract's error record.
pub(crate) fn parse_row(
    scorer: &Scorer,
    header: &FlatHeader,
    record: &RowBuf,
    line: u64,
    id_idx: Option<usize>,
) -> Result<dashrisk::Assessment, RecordError> {
    let fail = |error: InputError| RecordError {
        line,
        id: row_id(record, id_idx),
        error,
    };
    let cells = row_cells(header, record).map_err(fail)?;
    scorer.parse_flat_row(header, &cells).map_err(fail)
}

/// The CSV output names of the pass-through columns: a column that shares its name
/// with a result column (an earlier run's output fed back in has `classification`,
/// `error_code`, …) is written as `input_<name>`, so that no output column name is
/// ambiguous. JSON Lines output keeps the names (they sit under `passthrough`).
pub fn csv_passthrough_names(pass: &[&str]) -> Vec<String> {
    let mut taken: std::collections::BTreeSet<String> =
        RESULT_COLUMNS.iter().map(|c| c.name.to_string()).collect();
    let mut out = Vec::with_capacity(pass.len());
    for &p in pass {
        let mut name = p.to_string();
        while taken.contains(&name) || (name != p && pass.contains(&name.as_str())) {
            name = format!("input_{name}");
        }
        taken.insert(name.clone());
        out.push(name);
    }
    out
}

/// The CSV column of reason sentences, written only with `--reasons text`.
const REASON_TEXT: &str = "reasons";

/// How records are written: shared, read-only, by every thread of a chunk.
#[derive(Clone)]
struct Formatter {
    format: Format,
    pass_names: Vec<String>,
    /// JSON Lines input: the only pass-through is `meta`, already in the result.
    meta_only: bool,
    /// CSV: write the `reasons` column of sentences.
    reason_text: bool,
    /// JSON Lines: "ask next" and services beside each result.
    extras: Option<std::sync::Arc<Extras>>,
    /// Output buffers already written out, kept for the next parts: a part's
    /// output is up to half a megabyte with `--reasons text`, and a fresh one
    /// each time cost a page fault per 4 KB (about a fifth of the kernel's time).
    spare: Spare,
}

/// Buffers handed back by the writer, shared by the workers.
type Spare = std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>;

/// At most this many spare buffers are kept: two chunks' parts are in flight.
const SPARE_BUFFERS: usize = 2 * CHUNK / PART + 2;

impl Formatter {
    /// What the scorer must write: JSON Lines always carries the sentences.
    fn assess_options(&self) -> dashrisk::AssessOptions {
        dashrisk::AssessOptions {
            reason_text: self.format == Format::Jsonl || self.reason_text,
        }
    }

    fn chunk(&self, rows: usize) -> Chunk {
        // A spare buffer is empty: the writer clears it before handing it back.
        let mut bytes = self
            .spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default();
        let (csv, json) = if self.format == Format::Csv {
            let w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(bytes);
            (Some(w), Vec::new())
        } else {
            bytes.reserve(rows * 512);
            (None, bytes)
        };
        Chunk {
            csv,
            json,
            log: Vec::new(),
            failed: 0,
            scratch: String::new(),
            error: None,
        }
    }
}

/// The output of part of a chunk: the bytes to write, the lines for standard error,
/// and the failures, in input order.
struct Chunk {
    csv: Option<csv::Writer<Vec<u8>>>,
    json: Vec<u8>,
    log: Vec<u8>,
    failed: u64,
    /// Scratch space for writing a cell.
    scratch: String,
    /// The first error writing to memory (none in practice; kept, never dropped).
    error: Option<String>,
}

impl Chunk {
    /// A result of the compact path, as CSV: the pass-through cells, then the
    /// result's (with the sentences, when given), with no allocation.
    fn compact(
        &mut self,
        fmt: &Formatter,
        (c, text): (&dashrisk::CompactResult, Option<&str>),
        pass_idx: &[usize],
        rec: &RowBuf,
        id_idx: Option<usize>,
        scorer: &Scorer,
    ) {
        let Some(cw) = self.csv.as_mut() else {
            self.error.get_or_insert("no CSV writer".into());
            return;
        };
        let mut result = Ok(());
        for i in 0..fmt.pass_names.len() {
            let cell = pass_idx.get(i).and_then(|&j| rec.get(j)).unwrap_or(b"");
            // Bytes as read: the compact path only runs on rows whose cells are
            // all UTF-8.
            result = result.and_then(|()| cw.write_field(cell));
        }
        let id = id_idx
            .and_then(|i| rec.get(i))
            .and_then(|b| std::str::from_utf8(b).ok())
            .filter(|s| !s.trim().is_empty());
        let mut sink = crate::flat::CsvSink::new(cw, &mut self.scratch);
        dashrisk::flat::write_compact_text(c, id, text, scorer, &mut sink);
        if let Some(e) = sink.error {
            result = Err(e);
        }
        result = result.and_then(|()| cw.write_record(None::<&[u8]>));
        if let Err(e) = result {
            self.error.get_or_insert(e.to_string());
        }
    }

    fn record(
        &mut self,
        fmt: &Formatter,
        res: Result<AssessmentResult, RecordError>,
        pass: &[&str],
    ) {
        self.record_with(fmt, res, pass, None);
    }

    /// [`Chunk::record`] with keys to add to a JSON Lines result.
    fn record_with(
        &mut self,
        fmt: &Formatter,
        res: Result<AssessmentResult, RecordError>,
        pass: &[&str],
        extra: Option<serde_json::Map<String, serde_json::Value>>,
    ) {
        if let Err(e) = self.try_record(fmt, res, pass, extra) {
            self.error.get_or_insert(e.to_string());
        }
    }

    fn try_record(
        &mut self,
        fmt: &Formatter,
        res: Result<AssessmentResult, RecordError>,
        pass: &[&str],
        extra: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        if let Err(e) = &res {
            self.failed += 1;
            // Field, line and at most the offending value: never the record.
            writeln!(self.log, "dashrisk: {e}")?;
        }
        match fmt.format {
            Format::Csv => {
                let cw = self.csv.as_mut().ok_or("no CSV writer")?;
                for i in 0..fmt.pass_names.len() {
                    cw.write_field(pass.get(i).copied().unwrap_or(""))?;
                }
                crate::flat::write_row(cw, &res, fmt.reason_text, &mut self.scratch)?;
                cw.write_record(None::<&[u8]>)?;
            }
            Format::Jsonl => {
                let has_pass = !fmt.pass_names.is_empty() && !fmt.meta_only;
                let mut more = extra.unwrap_or_default();
                // An added key of the same name would win, as it did when the
                // added keys were inserted after `passthrough` (none is so named).
                if has_pass && !more.contains_key("passthrough") {
                    let map: serde_json::Map<String, serde_json::Value> = fmt
                        .pass_names
                        .iter()
                        .zip(pass)
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.to_string())))
                        .collect();
                    more.insert("passthrough".into(), serde_json::Value::Object(map));
                }
                match &res {
                    // Written straight from the result (the same bytes as the tree).
                    Ok(r) => crate::json_out::write_result(&mut self.json, r, &more)?,
                    Err(e) => {
                        let mut value = serde_json::to_value(e)?;
                        if let serde_json::Value::Object(obj) = &mut value {
                            obj.extend(more);
                        }
                        serde_json::to_writer(&mut self.json, &value)?;
                    }
                }
                self.json.push(b'\n');
            }
        }
        Ok(())
    }
}

/// Writes chunks in order to the output and standard error, and counts failures.
struct Output<'w> {
    fmt: Formatter,
    out: &'w mut dyn Write,
    failed: u64,
    /// Where failed records are reported (standard error): line, field and at most
    /// the offending value, never the record.
    log: &'w mut dyn Write,
}

impl<'w> Output<'w> {
    fn new(
        format: Format,
        reason_text: bool,
        out: &'w mut dyn Write,
        log: &'w mut dyn Write,
    ) -> Self {
        Output {
            fmt: Formatter {
                format,
                pass_names: Vec::new(),
                meta_only: false,
                reason_text,
                extras: None,
                spare: Spare::default(),
            },
            out,
            failed: 0,
            log,
        }
    }

    /// `pass` names the pass-through columns: CSV input's extra columns, or for
    /// JSON Lines input `meta`, kept as JSON text when the output is CSV.
    fn header(&mut self, pass: &[&str]) -> Result<(), Fatal> {
        self.fmt.pass_names = pass.iter().map(|s| s.to_string()).collect();
        if self.fmt.format == Format::Csv {
            let mut h = csv_passthrough_names(pass);
            let text = self.fmt.reason_text;
            h.extend(
                RESULT_COLUMNS
                    .iter()
                    .filter(|c| text || c.name != REASON_TEXT)
                    .map(|c| c.name.to_string()),
            );
            let mut cw = csv::WriterBuilder::new().from_writer(Vec::new());
            cw.write_record(&h)?;
            let bytes = cw.into_inner().map_err(|e| Fatal(e.to_string()))?;
            self.out.write_all(&bytes)?;
        }
        Ok(())
    }

    /// One record, on this thread.
    fn record(
        &mut self,
        res: Result<AssessmentResult, RecordError>,
        pass: &[&str],
    ) -> Result<(), Fatal> {
        let mut chunk = self.fmt.chunk(1);
        chunk.record(&self.fmt, res, pass);
        self.write(chunk)
    }

    fn write(&mut self, chunk: Chunk) -> Result<(), Fatal> {
        if let Some(e) = chunk.error {
            return Err(Fatal(format!("writing the output: {e}")));
        }
        let mut bytes = match chunk.csv {
            Some(cw) => cw.into_inner().map_err(|e| Fatal(e.to_string()))?,
            None => chunk.json,
        };
        self.out.write_all(&bytes)?;
        bytes.clear();
        if let Ok(mut spare) = self.fmt.spare.lock() {
            if spare.len() < SPARE_BUFFERS {
                spare.push(bytes);
            }
        }
        self.log.write_all(&chunk.log)?;
        self.failed += chunk.failed;
        Ok(())
    }

    fn finish(self) -> Result<u64, Fatal> {
        self.out.flush()?;
        if self.failed > 0 {
            let _ = writeln!(
                self.log,
                "dashrisk: {} record(s) failed; the others were assessed",
                self.failed
            );
        }
        Ok(self.failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passthrough_names_never_repeat_a_result_column() {
        let names =
            csv_passthrough_names(&["note", "error_code", "input_error_code", "classification"]);
        assert_eq!(
            names,
            [
                "note",
                "input_input_error_code",
                "input_error_code",
                "input_classification"
            ]
        );
        let mut all = names.clone();
        all.extend(RESULT_COLUMNS.iter().map(|c| c.name.to_string()));
        let unique: std::collections::BTreeSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
    }
}
