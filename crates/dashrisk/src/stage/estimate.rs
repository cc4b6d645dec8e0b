//! Estimate: the points score and its calibrated probability `p_abuse`, from the
//! form's learned points (the calibration artefact).
//!
//! The estimate never decides on its own where a safety rule applies
//! ([`super::decision`]); it is reported as the statistical estimate it is. A form
//! the calibration has no points for has no estimate.

use super::resolve::Resolved;
use crate::answers::{Answer, Assessment};
use crate::calibration::{Calibration, FormScore, SCREEN_FEAR, SCREEN_POWER};

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
                p_abuse: Some(cal.p(f, points)),
                p_evidence: Some(cal.p(f, self::points(r, a, f, false))),
            }
        }
    }
}

/// The points score; with `unknowns` false, the score of the answers given about
/// this incident: unknown answers and the earlier-incident count score nothing.
pub(crate) fn points(r: &Resolved, a: &Assessment, f: &FormScore, unknowns: bool) -> f64 {
    let score = |id: &str, ans: Answer| {
        let p = f.item(id);
        match ans {
            Answer::Yes => f64::from(p.yes),
            Answer::No => 0.0,
            Answer::NotKnown | Answer::Declined if unknowns => p.unknown,
            Answer::NotKnown | Answer::Declined => 0.0,
        }
    };
    let mut total = 0.0;
    for (q, ans) in r.questions() {
        total += score(&q.id, ans);
    }
    let s = &a.conflict_screen;
    total += score(SCREEN_FEAR, s.fear);
    total += score(SCREEN_POWER, s.power_imbalance);
    let pr = f.prior_incidents;
    if unknowns {
        total += match a.context.prior_incidents_12m {
            Some(n) => f64::from(pr.per_incident) * f64::from(n.min(pr.cap)),
            None => pr.unknown,
        };
    }
    total
}
