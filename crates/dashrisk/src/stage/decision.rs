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

/// Where `p_abuse` falls against the two thresholds.
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
    pub blockers: Vec<ConflictBlocker>,
    /// Where `p_abuse` falls.
    pub band: Band,
    /// `p_abuse` reaches the abuse threshold only because of unknown answers.
    pub unknowns_reach_abuse: bool,
}

pub(crate) fn decide(ev: &Evidence, est: &Estimate, grade: &Grade, sp: &ScorerPolicy) -> Decision {
    let mut blockers = Vec::new();
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
        (
            est.p_abuse >= sp.conflict_max_p_abuse,
            ConflictBlocker::AbuseProbability,
        ),
    ] {
        if applies {
            blockers.push(b);
        }
    }
    let evidence_reaches_abuse = est.p_evidence >= sp.abuse_min_p_abuse;
    let (classification, basis) = if ev.gate_fired() {
        (Classification::DomesticAbuse, DecisionBasis::SafetyGate)
    } else if evidence_reaches_abuse {
        (Classification::DomesticAbuse, DecisionBasis::AnswersGiven)
    } else if blockers.is_empty() {
        (Classification::ParentalConflict, DecisionBasis::ScreenedOut)
    } else if blockers
        .iter()
        .any(|&b| b != ConflictBlocker::AbuseProbability)
    {
        (Classification::Unclear, DecisionBasis::SafetyRules)
    } else {
        (Classification::Unclear, DecisionBasis::Estimate)
    };
    let band = if est.p_abuse >= sp.abuse_min_p_abuse {
        Band::High
    } else if est.p_abuse >= sp.conflict_max_p_abuse {
        Band::Intermediate
    } else {
        Band::Low
    };
    Decision {
        classification,
        basis,
        blockers,
        band,
        unknowns_reach_abuse: band == Band::High && !evidence_reaches_abuse,
    }
}
