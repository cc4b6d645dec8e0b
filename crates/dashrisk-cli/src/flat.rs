//! Flat (CSV) views of results, errors and synthetic records.

use crate::Format;
use dashrisk::flat::{error_row, result_row, Cell, Column, RESULT_COLUMNS};
use dashrisk::synth::{Generator, SynthParams};
use dashrisk::{AssessmentResult, RecordError};
use std::io::Write;

/// The snake_case name serde gives an enum value.
pub fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Writes a cell as CSV text: lists joined with `;`, a fact not recorded as
/// `not_known`, probabilities to 4 places and points to 2. `buf` is scratch space
/// kept by the caller, so that a row is written without allocating.
fn write_cell<W: Write>(
    cw: &mut csv::Writer<W>,
    cell: &Cell<'_>,
    column: &Column,
    buf: &mut String,
) -> csv::Result<()> {
    use std::fmt::Write as _;
    buf.clear();
    let text: &str = match cell {
        Cell::Text(s) => s,
        Cell::Bool(true) => "true",
        Cell::Bool(false) => "false",
        Cell::Count(n) => {
            let _ = write!(buf, "{n}");
            buf
        }
        Cell::Float(x) if column.name == "p_abuse" => {
            let _ = write!(buf, "{x:.4}");
            buf
        }
        Cell::Float(x) => {
            let _ = write!(buf, "{x:.2}");
            buf
        }
        Cell::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    buf.push(';');
                }
                buf.push_str(item);
            }
            buf
        }
        Cell::NotKnown => "not_known",
        Cell::Missing => "",
    };
    cw.write_field(text)
}

/// Writes the result columns of a result or an error record (all of them, or all
/// but the `reasons` sentences), then nothing else: the caller ends the record.
pub fn write_row<W: Write>(
    cw: &mut csv::Writer<W>,
    res: &Result<AssessmentResult, RecordError>,
    reason_text: bool,
    buf: &mut String,
) -> csv::Result<()> {
    let cells = match res {
        Ok(r) => result_row(r),
        Err(e) => error_row(e),
    };
    for (cell, column) in cells.iter().zip(RESULT_COLUMNS.iter()) {
        if reason_text || column.name != "reasons" {
            write_cell(cw, cell, column, buf)?;
        }
    }
    Ok(())
}

/// Writes a [`dashrisk::CompactResult`]'s cells as CSV fields, exactly as
/// [`write_row`] writes the full result without the sentences (a test compares
/// them): the allocation-free path of `assess` with reason codes only.
pub struct CsvSink<'w, W: Write> {
    cw: &'w mut csv::Writer<W>,
    buf: &'w mut String,
    /// The first error writing a field.
    pub error: Option<csv::Error>,
}

impl<'w, W: Write> CsvSink<'w, W> {
    /// A sink writing into `cw`, with `buf` as scratch space for numbers and lists.
    pub fn new(cw: &'w mut csv::Writer<W>, buf: &'w mut String) -> Self {
        CsvSink {
            cw,
            buf,
            error: None,
        }
    }

    fn field(&mut self, col: usize, text: Option<&str>) {
        // The sentences' column is left out, as `write_row` leaves it out.
        if RESULT_COLUMNS[col].name == "reasons" || self.error.is_some() {
            return;
        }
        let r = match text {
            Some(t) => self.cw.write_field(t),
            None => self.cw.write_field(self.buf.as_bytes()),
        };
        if let Err(e) = r {
            self.error = Some(e);
        }
    }
}

impl<W: Write> dashrisk::flat::RowSink for CsvSink<'_, W> {
    fn text(&mut self, col: usize, s: &str) {
        self.field(col, Some(s));
    }
    fn bool(&mut self, col: usize, v: bool) {
        self.field(col, Some(if v { "true" } else { "false" }));
    }
    fn count(&mut self, col: usize, v: u32) {
        use std::fmt::Write as _;
        self.buf.clear();
        let _ = write!(self.buf, "{v}");
        self.field(col, None);
    }
    fn float(&mut self, col: usize, v: f64) {
        use std::fmt::Write as _;
        self.buf.clear();
        let _ = if RESULT_COLUMNS[col].name == "p_abuse" {
            write!(self.buf, "{v:.4}")
        } else {
            write!(self.buf, "{v:.2}")
        };
        self.field(col, None);
    }
    fn list<I: Iterator<Item = &'static str>>(&mut self, col: usize, items: I) {
        self.buf.clear();
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.buf.push(';');
            }
            self.buf.push_str(item);
        }
        self.field(col, None);
    }
    fn not_known(&mut self, col: usize) {
        self.field(col, Some("not_known"));
    }
    fn missing(&mut self, col: usize) {
        self.field(col, Some(""));
    }
}

/// Column names of the synthetic CSV (`dashrisk::synth::flat_header`).
pub fn synth_header(params: &SynthParams) -> Vec<String> {
    dashrisk::synth::flat_header(params)
}

/// Streams `n` synthetic records in the input contract.
pub fn write_synth(
    w: &mut dyn Write,
    n: usize,
    seed: u64,
    params: &SynthParams,
    format: Format,
) -> std::io::Result<()> {
    let mut gen = Generator::new(seed, params.clone());
    match format {
        Format::Csv => {
            let mut cw = csv::Writer::from_writer(w);
            cw.write_record(synth_header(params))?;
            for i in 0..n {
                let row = gen.record(i).flat_row();
                cw.write_record(&row)?;
            }
            cw.flush()?;
        }
        Format::Jsonl => {
            for i in 0..n {
                let a = gen.record(i).with_meta();
                serde_json::to_writer(&mut *w, &a)?;
                w.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_csv_row_is_the_full_row_without_sentences() {
        let scorer = dashrisk::Scorer::default();
        let mut records: Vec<dashrisk::Assessment> =
            dashrisk::synth::generate(300, 4, &Default::default())
                .into_iter()
                .map(|r| r.assessment)
                .collect();
        records[0].id = None;
        records[1].context.children_in_household = None;
        let options = dashrisk::AssessOptions { reason_text: false };
        let (mut full, mut compact) = (
            csv::Writer::from_writer(Vec::new()),
            csv::Writer::from_writer(Vec::new()),
        );
        let mut buf = String::new();
        for a in &records {
            let r = scorer
                .assess_with(a, &options)
                .map_err(|error| RecordError {
                    line: 1,
                    id: None,
                    error,
                });
            write_row(&mut full, &r, false, &mut buf).unwrap();
            full.write_record(None::<&[u8]>).unwrap();
            let c = scorer.assess_compact(a).unwrap();
            let mut sink = CsvSink::new(&mut compact, &mut buf);
            dashrisk::flat::write_compact(&c, a.id.as_deref(), &scorer, &mut sink);
            assert!(sink.error.is_none());
            compact.write_record(None::<&[u8]>).unwrap();
        }
        let (full, compact) = (full.into_inner().unwrap(), compact.into_inner().unwrap());
        assert_eq!(
            String::from_utf8(compact).unwrap(),
            String::from_utf8(full).unwrap()
        );
    }
}
