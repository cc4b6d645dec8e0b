//! Flat (CSV) views of results, errors and synthetic records.

use crate::Format;
use dashrisk::flat::{error_row, result_row, Cell, Column, RESULT_COLUMNS};
use dashrisk::synth::{Generator, SynthParams};
use dashrisk::{Answer, AssessmentResult, RecordError};
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

/// Column names of the synthetic CSV; with officers set, the call-out columns
/// `incident_date`, `area` and `officer` follow `prior_incidents_12m`.
pub fn synth_header(params: &SynthParams) -> Vec<String> {
    let mut h = vec!["id".to_string(), "instrument".to_string()];
    h.extend((1..=27).map(|i| format!("q{i}")));
    for c in [
        "fear",
        "power_imbalance",
        "argument_frequency",
        "resolution",
        "children_exposed",
        "recent_transitions",
        "children_in_household",
        "prior_incidents_12m",
    ] {
        h.push(c.to_string());
    }
    if params.officers > 0 {
        h.extend(["incident_date", "area", "officer"].map(String::from));
    }
    h.extend(["label_abuse", "label_serious_harm"].map(String::from));
    h
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
                let r = gen.record(i);
                let a = &r.assessment;
                let s = &a.conflict_screen;
                let mut row = vec![a.id.clone().unwrap_or_default(), a.instrument.clone()];
                for q in 1..=27 {
                    // Left-out questions stay empty: not known.
                    row.push(
                        a.answers
                            .get(&format!("q{q}"))
                            .map(|x: &Answer| x.as_str().to_string())
                            .unwrap_or_default(),
                    );
                }
                row.push(s.fear.as_str().into());
                row.push(s.power_imbalance.as_str().into());
                row.push(s.argument_frequency.as_str().into());
                row.push(s.resolution.as_str().into());
                row.push(s.children_exposed.as_str().into());
                row.push(match &s.recent_transitions {
                    None => String::new(),
                    Some(t) if t.is_empty() => "none".into(),
                    Some(t) => t.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(";"),
                });
                row.push(
                    a.context
                        .children_in_household
                        .map(|b| b.to_string())
                        .unwrap_or_default(),
                );
                row.push(
                    a.context
                        .prior_incidents_12m
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                );
                if let Some(c) = &r.call_out {
                    row.push(
                        a.context
                            .incident_date
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    );
                    row.push(c.area.clone());
                    row.push(c.officer.clone());
                }
                row.push(u8::from(r.abuse).to_string());
                row.push(u8::from(r.serious_harm).to_string());
                cw.write_record(&row)?;
            }
            cw.flush()?;
        }
        Format::Jsonl => {
            for i in 0..n {
                let r = gen.record(i);
                let mut a = r.assessment;
                let mut meta = serde_json::json!({
                    "synthetic": true,
                    "label_abuse": u8::from(r.abuse),
                    "label_serious_harm": u8::from(r.serious_harm),
                });
                if let Some(c) = &r.call_out {
                    meta["area"] = c.area.clone().into();
                    meta["officer"] = c.officer.clone().into();
                }
                a.meta = Some(meta);
                serde_json::to_writer(&mut *w, &a)?;
                w.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}
