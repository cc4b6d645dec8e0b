//! Estimate: the points score and its calibrated probability `p_abuse`.
//!
//! The estimate never decides on its own where a safety rule applies
//! ([`super::decision`]); it is reported as the statistical estimate it is.

use super::resolve::Resolved;
use crate::answers::{Answer, Assessment};
use crate::calibration::Calibration;
use crate::policy::ScoreWeights;

/// Points and probabilities for one record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// The points score, unknown answers scoring the policy's share of a "yes".
    pub points: f64,
    /// The calibrated probability of `points`: reported in the result.
    pub p_abuse: f64,
    /// The calibrated probability of the answers given (unknowns scoring nothing):
    /// only used to decide abuse without a gate, so that unknowns alone never
    /// establish abuse.
    pub p_evidence: f64,
}

pub(crate) fn estimate(
    r: &Resolved,
    a: &Assessment,
    w: &ScoreWeights,
    calibration: &Calibration,
) -> Estimate {
    let points = points_with(r, a, w, w.unknown_fraction);
    Estimate {
        points,
        p_abuse: calibration.p(points),
        p_evidence: calibration.p(points_with(r, a, w, 0.0)),
    }
}

/// Points with unknown answers scoring `unknown_share` of a "yes".
pub(crate) fn points_with(
    r: &Resolved,
    a: &Assessment,
    w: &ScoreWeights,
    unknown_share: f64,
) -> f64 {
    let share = |ans: Answer| match ans {
        Answer::Yes => 1.0,
        Answer::No => 0.0,
        Answer::NotKnown | Answer::Declined => unknown_share,
    };
    let mut total = 0.0;
    for (&pts, &ans) in r.points.iter().zip(&r.answers) {
        total += pts * share(ans);
    }
    let s = &a.conflict_screen;
    total += w.screen_fear_points * share(s.fear);
    total += w.screen_power_points * share(s.power_imbalance);
    let cap = f64::from(w.prior_incident_cap);
    total += match a.context.prior_incidents_12m {
        Some(n) => w.prior_incident_points * f64::from(n).min(cap),
        None => w.prior_incident_points * cap * unknown_share,
    };
    total
}
