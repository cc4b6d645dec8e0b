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
