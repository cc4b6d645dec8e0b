//! Flat (CSV) views of results, errors and synthetic records.

use crate::Format;
use dashrisk::synth::{Generator, SynthParams};
use dashrisk::{Answer, AssessmentResult, RecordError};
use std::io::Write;

/// Result columns appended after the pass-through columns in CSV output.
pub const RESULT_COLUMNS: [&str; 25] = [
    "id",
    "classification",
    "p_abuse",
    "risk_level",
    "actuarial_level",
    "yes_count",
    "not_known_count",
    "declined_count",
    "marac_referral",
    "marac_criteria",
    "flags",
    "csc_notification",
    "school_notification",
    "pathways",
    "recording_category",
    "children_in_household",
    "reason_codes",
    "reasons",
    "instrument",
    "scorer_version",
    "calibration_version",
    "error_code",
    "error_field",
    "error_value",
    "error_message",
];

/// The snake_case name serde gives an enum value.
pub fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn join<T: serde::Serialize>(items: &[T]) -> String {
    items.iter().map(snake).collect::<Vec<_>>().join(";")
}

/// The result columns of a successful record.
pub fn result_cells(r: &AssessmentResult) -> Vec<String> {
    let reason_codes: Vec<String> = r.reasons.iter().map(|x| snake(&x.code)).collect();
    let reasons: Vec<&str> = r.reasons.iter().map(|x| x.text.as_str()).collect();
    vec![
        r.id.clone().unwrap_or_default(),
        r.classification.as_str().into(),
        format!("{:.4}", r.p_abuse),
        r.risk_level.as_str().into(),
        r.actuarial_level.as_str().into(),
        r.yes_count.to_string(),
        r.not_known_count.to_string(),
        r.declined_count.to_string(),
        r.marac_referral.to_string(),
        join(&r.marac_criteria),
        join(&r.flags),
        r.csc_notification.to_string(),
        r.school_notification.to_string(),
        join(&r.pathways),
        r.recording_category.as_str().into(),
        match r.children.in_household {
            Some(b) => b.to_string(),
            None => "not_known".into(),
        },
        reason_codes.join(";"),
        reasons.join(" "),
        r.instrument.clone(),
        r.scorer_version.clone(),
        r.calibration_version.clone(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// The result columns of a failed record: id and the error columns.
pub fn error_cells(e: &RecordError) -> Vec<String> {
    let mut cells = vec![String::new(); RESULT_COLUMNS.len()];
    cells[0] = e.id.clone().unwrap_or_default();
    let n = cells.len();
    cells[n - 4] = e.error.code.code().into();
    cells[n - 3] = e.error.field.clone();
    cells[n - 2] = e.error.value.clone().unwrap_or_default();
    cells[n - 1] = e.error.message.clone();
    cells
}

/// Column names of the synthetic CSV.
pub fn synth_header() -> Vec<String> {
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
        "label_abuse",
        "label_serious_harm",
    ] {
        h.push(c.to_string());
    }
    h
}

/// Streams `n` synthetic records in the input contract.
pub fn write_synth(w: &mut dyn Write, n: usize, seed: u64, format: Format) -> std::io::Result<()> {
    let mut gen = Generator::new(seed, SynthParams::default());
    match format {
        Format::Csv => {
            let mut cw = csv::Writer::from_writer(w);
            cw.write_record(synth_header())?;
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
                a.meta = Some(serde_json::json!({
                    "synthetic": true,
                    "label_abuse": u8::from(r.abuse),
                    "label_serious_harm": u8::from(r.serious_harm),
                }));
                serde_json::to_writer(&mut *w, &a)?;
                w.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}
