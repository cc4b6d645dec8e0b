//! Resolve: find the record's instrument, check that every answered id belongs to
//! it and that the dates are plausible, and line the answers up in question order
//! (left-out questions are not known), so that later stages read a slice.

use super::estimate::FormTable;
use super::evidence::FormMasks;
use crate::answers::{Answer, Assessment};
use crate::error::{ErrorKind, InputError};
use crate::instrument::{Instrument, MAX_QUESTIONS};
use crate::parse::{unknown_instrument, unknown_question};
use chrono::{Datelike, NaiveDate};

/// The earliest and latest years a date may have (rule 4 of the safety rules):
/// anything else is a typing slip, and read as a real date it could move an
/// incident in or out of a window.
pub const DATE_YEARS: (i32, i32) = (1900, 2100);

/// Room for one record's answers in question order, on the stack: no form has more
/// than [`MAX_QUESTIONS`] questions.
pub(crate) type AnswerBuf = [Answer; MAX_QUESTIONS];

/// An empty [`AnswerBuf`].
pub(crate) const fn answer_buf() -> AnswerBuf {
    [Answer::NotKnown; MAX_QUESTIONS]
}

/// An assessment's answers resolved against its instrument.
pub(crate) struct Resolved<'a> {
    /// The instrument's position among the scorer's.
    pub idx: usize,
    pub inst: &'a Instrument,
    /// The form's learned scoring, if the calibration has one.
    pub form: Option<&'a FormTable>,
    /// The form's markers as bit masks.
    pub masks: &'a FormMasks,
    /// Answers in question order, one per question of `inst`.
    pub answers: &'a [Answer],
}

/// Resolves `a` against the scorer's instruments (`forms` and `masks` parallel to
/// them), laying its answers out in `buf`. Allocates nothing unless the record is
/// refused.
pub(crate) fn resolve<'a>(
    instruments: &'a [Instrument],
    forms: &'a [Option<FormTable>],
    masks: &'a [FormMasks],
    a: &Assessment,
    buf: &'a mut AnswerBuf,
) -> Result<Resolved<'a>, InputError> {
    let idx = instruments
        .iter()
        .position(|i| i.id == a.instrument)
        .ok_or_else(|| unknown_instrument(instruments, &a.instrument))?;
    let inst = &instruments[idx];
    // `Instrument::validate` caps a form at MAX_QUESTIONS; the scorer only holds
    // validated forms.
    let len = inst.questions.len();
    let answers = &mut buf[..len];
    answers.fill(Answer::NotKnown);
    let m = &masks[idx];
    for (key, &ans) in &a.answers {
        match m.position(key).or_else(|| inst.position(key)) {
            Some(i) => answers[i] = ans,
            None => return Err(unknown_question(inst, &format!("answers.{key}"), key)),
        }
    }
    check_dates(a, "context.")?;
    Ok(Resolved {
        idx,
        inst,
        form: forms[idx].as_ref(),
        masks: m,
        answers,
    })
}

/// Dates must lie in [`DATE_YEARS`], and with an incident date every earlier
/// incident must be dated on or before it. Fields are named with `prefix`
/// (`context.` for JSON records, nothing for flat rows).
pub(crate) fn check_dates(a: &Assessment, prefix: &str) -> Result<(), InputError> {
    let ctx = &a.context;
    let singles = [
        ("incident_date", ctx.incident_date),
        ("last_marac_date", ctx.last_marac_date),
    ];
    for (name, d) in singles {
        if let Some(d) = d {
            plausible(|| format!("{prefix}{name}"), d)?;
        }
    }
    // Field names are formatted only for an error: this runs for every record.
    let field = || format!("{prefix}prior_incident_dates");
    for &d in ctx.prior_incident_dates.iter().flatten() {
        plausible(field, d)?;
        if let Some(today) = ctx.incident_date {
            if d > today {
                let field = field();
                return Err(InputError::new(
                    ErrorKind::InvalidDate,
                    &field,
                    Some(&d.to_string()),
                    format!(
                        "{field}: {d} is after the incident date {today}; earlier incidents must be dated on or before the incident"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn plausible(field: impl Fn() -> String, d: NaiveDate) -> Result<(), InputError> {
    let (lo, hi) = DATE_YEARS;
    if (lo..=hi).contains(&d.year()) {
        Ok(())
    } else {
        let field = field();
        Err(InputError::new(
            ErrorKind::InvalidDate,
            &field,
            Some(&d.to_string()),
            format!(
                "{field}: {d} is outside the years {lo} to {hi}; expected a real incident date"
            ),
        ))
    }
}
