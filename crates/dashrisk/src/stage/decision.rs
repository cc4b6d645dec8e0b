//! Decision: the classification, and why: what established abuse, or everything
//! that rules out parental conflict.
//!
//! 1. A fired gate (fear, power imbalance, harm) is `domestic_abuse`, whatever the
//!    estimate says. So is an estimate from the answers given (unknowns scoring
//!    nothing) at or above the abuse threshold.
//! 2. `parental_conflict` needs abuse asked about and screened out: nothing in
//!    [`ConflictBlocker`] applies.
//! 3. Everything else is `unclear`.

use super::estimate::Estimate;
use super::evidence::Evidence;
use crate::grading::Grade;
use crate::policy::ScorerPolicy;
use crate::result::{Classification, ConflictBlocker, DecisionBasis, RiskLevel};
use crate::set::Set;

/// Where `p_abuse` falls against the two thresholds (`None` in [`Decision`] when
/// the form has no estimate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Band {
    /// Below the conflict threshold.
    Low,
    /// Between the thresholds.
    Intermediate,
    /// At or above the abuse threshold.
    High,
}

/// The decision and its grounds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub classification: Classification,
    pub basis: DecisionBasis,
    /// Everything that rules out parental conflict, in [`ConflictBlocker`] order.
    pub blockers: Set<ConflictBlocker>,
    /// Where `p_abuse` falls; `None` without an estimate.
    pub band: Option<Band>,
    /// The conflict threshold in force (the policy's, or the calibration's
    /// guaranteed one when lower).
    pub conflict_threshold: f64,
    /// `p_abuse` reaches the abuse threshold only because of unknown answers.
    pub unknowns_reach_abuse: bool,
}

pub(crate) fn decide(
    ev: &Evidence,
    est: &Estimate,
    grade: &Grade,
    sp: &ScorerPolicy,
    conflict_threshold: f64,
) -> Decision {
    // Without an estimate parental conflict cannot be confirmed: the rule needs a
    // low estimate.
    let low = est.p_abuse.is_some_and(|p| p < conflict_threshold);
    let mut blockers = Set::new();
    for (applies, b) in [
        (ev.gate_fired(), ConflictBlocker::SafetyGate),
        (ev.gate_unanswered(), ConflictBlocker::GateItemUnanswered),
        (!ev.blockers.is_empty(), ConflictBlocker::AbuseEvidence),
        (grade.earlier_abuse, ConflictBlocker::EarlierAbuse),
        (grade.marac_history, ConflictBlocker::MaracHistory),
        (grade.marac(), ConflictBlocker::MaracCriterion),
        (
            grade.level > RiskLevel::Standard,
            ConflictBlocker::RaisedRiskLevel,
        ),
        (!low, ConflictBlocker::AbuseProbability),
    ] {
        blockers.insert_if(applies, b);
    }
    let evidence_reaches_abuse = est.p_evidence.is_some_and(|p| p >= sp.abuse_min_p_abuse);
    let (classification, basis) = if ev.gate_fired() {
        (Classification::DomesticAbuse, DecisionBasis::SafetyGate)
    } else if evidence_reaches_abuse {
        (Classification::DomesticAbuse, DecisionBasis::AnswersGiven)
    } else if blockers.is_empty() {
        (Classification::ParentalConflict, DecisionBasis::ScreenedOut)
    } else if est.p_abuse.is_none()
        || blockers
            .iter()
            .any(|b| b != ConflictBlocker::AbuseProbability)
    {
        // Without an estimate it is the rule "conflict needs a low estimate" that
        // decides, not an estimate.
        (Classification::Unclear, DecisionBasis::SafetyRules)
    } else {
        (Classification::Unclear, DecisionBasis::Estimate)
    };
    let band = est.p_abuse.map(|p| {
        if p >= sp.abuse_min_p_abuse {
            Band::High
        } else if p >= conflict_threshold {
            Band::Intermediate
        } else {
            Band::Low
        }
    });
    Decision {
        classification,
        basis,
        blockers,
        band,
        conflict_threshold,
        unknowns_reach_abuse: band == Some(Band::High) && !evidence_reaches_abuse,
    }
}
