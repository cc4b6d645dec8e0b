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

/// The position of a result column, found when compiling (a name that is not a
/// column stops the build).
const fn column_index(name: &str) -> usize {
    let mut i = 0;
    while i < RESULT_COLUMNS.len() {
        let (a, b) = (RESULT_COLUMNS[i].name.as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("no such result column")
}

/// The sentences' column, left out of the code-only CSV.
const REASONS: usize = column_index("reasons");
/// The probability, written to 4 places (other numbers to 2).
const P_ABUSE: usize = column_index("p_abuse");

/// Appends `x` with `places` digits after the point, exactly as `format!("{x:.N}")`
/// writes it ([`dashrisk::flat::Fixed`]; the tests below compare them on random,
/// tied and nearly tied values).
pub(crate) fn push_fixed(buf: &mut String, x: f64, places: usize) {
    use std::fmt::Write as _;
    let _ = write!(buf, "{}", dashrisk::flat::Fixed(x, places));
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
            push_fixed(buf, *x, 4);
            buf
        }
        Cell::Float(x) => {
            push_fixed(buf, *x, 2);
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
    /// A sink writing into `cw`, with `buf` as scratch space for numbers and
    /// lists. The `reasons` column (the sentences) is written when the row gives
    /// the sentences, and left out when it has none, as `write_row` leaves it out
    /// without `--reasons text`.
    pub fn new(cw: &'w mut csv::Writer<W>, buf: &'w mut String) -> Self {
        CsvSink {
            cw,
            buf,
            error: None,
        }
    }

    fn field(&mut self, text: Option<&str>) {
        if self.error.is_some() {
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
    fn text(&mut self, _col: usize, s: &str) {
        self.field(Some(s));
    }
    fn bool(&mut self, _col: usize, v: bool) {
        self.field(Some(if v { "true" } else { "false" }));
    }
    fn count(&mut self, _col: usize, v: u32) {
        use std::fmt::Write as _;
        self.buf.clear();
        let _ = write!(self.buf, "{v}");
        self.field(None);
    }
    fn float(&mut self, col: usize, v: f64) {
        self.buf.clear();
        push_fixed(self.buf, v, if col == P_ABUSE { 4 } else { 2 });
        self.field(None);
    }
    fn list<I: Iterator<Item = &'static str>>(&mut self, _col: usize, items: I) {
        self.buf.clear();
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.buf.push(';');
            }
            self.buf.push_str(item);
        }
        self.field(None);
    }
    fn not_known(&mut self, _col: usize) {
        self.field(Some("not_known"));
    }
    fn missing(&mut self, col: usize) {
        // No sentences: the column is not in the output (no `--reasons text`).
        if col != REASONS {
            self.field(Some(""));
        }
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
    use proptest::prelude::*;

    fn fixed(x: f64, places: usize) -> String {
        let mut s = String::new();
        push_fixed(&mut s, x, places);
        s
    }

    #[test]
    fn fixed_places_are_formats_on_ties_and_edges() {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            0.5,
            0.125,
            0.375,
            0.03125,
            0.00005,
            0.99995,
            0.999_95,
            1e-300,
            f64::MIN_POSITIVE,
            2.675,
            1.005,
            0.045,
            999_999_999.995,
            1e9,
            1e12,
            123.456_5,
            -0.001,
            -1.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4.35,
            0.0001,
            9.999_95,
        ];
        // Every exact tie at 2 and 4 places below 4 (multiples of 1/128 and 1/32 at
        // the tie points), and their neighbours.
        for k in 0..2_000u32 {
            let x = f64::from(k) / 128.0;
            xs.extend([
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits().saturating_sub(1)),
            ]);
        }
        for x in xs {
            for places in 0..=5 {
                assert_eq!(
                    fixed(x, places),
                    format!("{x:.places$}"),
                    "{x:e} to {places}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn fixed_places_are_formats(x in any::<f64>(), y in 0.0f64..2.0, z in 0.0f64..200.0) {
            for v in [x, y, z, (y * 10_000.0).round() / 10_000.0 + 0.000_05] {
                prop_assert_eq!(fixed(v, 4), format!("{v:.4}"));
                prop_assert_eq!(fixed(v, 2), format!("{v:.2}"));
            }
        }
    }

    /// 300 synthetic records, one without an id and one without the children fact.
    fn records(seed: u64) -> Vec<dashrisk::Assessment> {
        let mut records: Vec<dashrisk::Assessment> =
            dashrisk::synth::generate(300, seed, &Default::default())
                .into_iter()
                .map(|r| r.assessment)
                .collect();
        records[0].id = None;
        records[1].context.children_in_household = None;
        records
    }

    #[test]
    fn the_compact_csv_row_is_the_full_row_without_sentences() {
        let scorer = dashrisk::Scorer::default();
        let records = records(4);
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

    #[test]
    fn the_compact_csv_row_with_sentences_is_the_full_row() {
        let scorer = dashrisk::Scorer::default();
        let records = records(5);
        let (mut full, mut compact) = (
            csv::Writer::from_writer(Vec::new()),
            csv::Writer::from_writer(Vec::new()),
        );
        let (mut buf, mut text) = (String::new(), String::new());
        for a in &records {
            let r = scorer.assess(a).map_err(|error| RecordError {
                line: 1,
                id: None,
                error,
            });
            write_row(&mut full, &r, true, &mut buf).unwrap();
            full.write_record(None::<&[u8]>).unwrap();
            let c = scorer.assess_compact_text(a, &mut text).unwrap();
            let mut sink = CsvSink::new(&mut compact, &mut buf);
            dashrisk::flat::write_compact_text(
                &c,
                a.id.as_deref(),
                Some(&text),
                &scorer,
                &mut sink,
            );
            assert!(sink.error.is_none());
            compact.write_record(None::<&[u8]>).unwrap();
        }
        let (full, compact) = (full.into_inner().unwrap(), compact.into_inner().unwrap());
        let (full, compact) = (
            String::from_utf8(full).unwrap(),
            String::from_utf8(compact).unwrap(),
        );
        // The sentences are there: the row is the full one, not one without them.
        assert!(full.contains("questions answered yes"));
        assert_eq!(compact, full);
    }
}
