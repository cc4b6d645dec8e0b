//! Estimate: the points score and its calibrated probability `p_abuse`, from the
//! form's learned points (the calibration artefact).
//!
//! The estimate never decides on its own where a safety rule applies
//! ([`super::decision`]); it is reported as the statistical estimate it is. A form
//! the calibration has no points for has no estimate.

use super::resolve::Resolved;
use crate::answers::{Answer, Assessment};
use crate::calibration::{Calibration, FormScore, ItemPoints, SCREEN_FEAR, SCREEN_POWER};
use crate::instrument::Instrument;

/// A form's learned points laid out in its question order, made once when the
/// scorer is built, so that scoring a record reads a slice instead of looking up
/// question ids.
#[derive(Debug, Clone)]
pub(crate) struct FormTable {
    /// The points as fitted.
    pub score: FormScore,
    /// Points by question, in the instrument's order.
    pub items: Vec<ItemPoints>,
    /// The screen's fear question.
    pub fear: ItemPoints,
    /// The screen's power-imbalance question.
    pub power: ItemPoints,
}

impl FormTable {
    pub fn new(inst: &Instrument, score: FormScore) -> FormTable {
        FormTable {
            items: inst.questions.iter().map(|q| score.item(&q.id)).collect(),
            fear: score.item(SCREEN_FEAR),
            power: score.item(SCREEN_POWER),
            score,
        }
    }
}

/// Points and probabilities for one record; all `None` without a form score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// The points score, unknown answers scoring their unknown points.
    pub points: Option<f64>,
    /// The calibrated probability of `points`: reported in the result.
    pub p_abuse: Option<f64>,
    /// The calibrated probability of the answers given about this incident (the
    /// form's and the screen's "yes" answers; unknowns and earlier incidents scoring
    /// nothing): only used to decide abuse without a gate, so that neither unknowns
    /// nor history alone establish abuse. (Earlier abuse rules out parental conflict
    /// and can meet a MARAC criterion; it does not make this incident abuse.)
    pub p_evidence: Option<f64>,
}

pub(crate) fn estimate(r: &Resolved, a: &Assessment, cal: &Calibration) -> Estimate {
    match r.form {
        None => Estimate {
            points: None,
            p_abuse: None,
            p_evidence: None,
        },
        Some(f) => {
            let points = points(r, a, f, true);
            Estimate {
                points: Some(points),
                p_abuse: Some(cal.p(&f.score, points)),
                p_evidence: Some(cal.p(&f.score, self::points(r, a, f, false))),
            }
        }
    }
}

/// The points score; with `unknowns` false, the score of the answers given about
/// this incident: unknown answers and the earlier-incident count score nothing.
pub(crate) fn points(r: &Resolved, a: &Assessment, f: &FormTable, unknowns: bool) -> f64 {
    let score = |p: ItemPoints, ans: Answer| match ans {
        Answer::Yes => f64::from(p.yes),
        Answer::No => 0.0,
        Answer::NotKnown | Answer::Declined if unknowns => p.unknown,
        Answer::NotKnown | Answer::Declined => 0.0,
    };
    let mut total = 0.0;
    for (&p, &ans) in f.items.iter().zip(r.answers) {
        total += score(p, ans);
    }
    let s = &a.conflict_screen;
    total += score(f.fear, s.fear);
    total += score(f.power, s.power_imbalance);
    let pr = f.score.prior_incidents;
    if unknowns {
        total += match a.context.prior_incidents_12m {
            Some(n) => f64::from(pr.per_incident) * f64::from(n.min(pr.cap)),
            None => pr.unknown,
        };
    }
    total
}
