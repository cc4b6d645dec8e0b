//! [`CompactResult`]: everything an assessment decides, without sentences, ids or
//! echoed data, held in a fixed-size value that assessing fills without touching
//! the heap ([`crate::Scorer::assess_compact`]).
//!
//! It is the bulk path's result: the CLI's code-only CSV, `summarise`, and Python's
//! frames read it, and [`crate::Scorer::assess`] is built from the same stages, so
//! the two never disagree (a property test checks every field against the full
//! result). The sentences of the reasons need the record and the scorer; ask
//! [`crate::Scorer::assess`] for them.

use crate::result::{
    ChildLink, Classification, ConflictBlocker, DecisionBasis, Flag, MaracCriterion, Pathway,
    ReasonCode, RecordingCategory, RiskLevel,
};
use crate::set::Set;

/// The most reasons one result can carry. There are 41 places that give a reason,
/// some exclusive of each other, and two of them repeat (once per MARAC criterion,
/// at most 4, and once per high-harm flag, at most 3); a test checks the bound.
pub const MAX_REASONS: usize = 64;

/// The reason codes of a result, in the result's order, in a fixed array.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReasonCodes {
    codes: [ReasonCode; MAX_REASONS],
    len: u8,
}

impl ReasonCodes {
    /// No codes.
    pub const fn new() -> Self {
        ReasonCodes {
            codes: [ReasonCode::YesCountBand; MAX_REASONS],
            len: 0,
        }
    }

    /// Adds a code. There is room for every code an assessment can give
    /// ([`MAX_REASONS`]); past that a code would be dropped, which the bound's test
    /// rules out.
    pub(crate) fn push(&mut self, code: ReasonCode) {
        let n = usize::from(self.len);
        debug_assert!(n < MAX_REASONS, "more reasons than MAX_REASONS");
        if n < MAX_REASONS {
            self.codes[n] = code;
            self.len += 1;
        }
    }

    /// The codes, in order.
    pub fn as_slice(&self) -> &[ReasonCode] {
        &self.codes[..usize::from(self.len)]
    }

    /// Whether a code is present.
    pub fn contains(&self, code: ReasonCode) -> bool {
        self.as_slice().contains(&code)
    }
}

impl Default for ReasonCodes {
    fn default() -> Self {
        ReasonCodes::new()
    }
}

impl std::fmt::Debug for ReasonCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// Everything [`crate::AssessmentResult`] decides, as plain values: the same
/// fields under the same names, lists as [`Set`]s (iterated in the result's order)
/// and the reasons as codes. `Copy`; making one allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompactResult {
    /// Parental conflict, domestic abuse, or unclear.
    pub classification: Classification,
    /// What decided the classification.
    pub decided_by: DecisionBasis,
    /// Everything that rules out parental conflict.
    pub conflict_blockers: Set<ConflictBlocker>,
    /// The statistical estimate (`None` without one for the form).
    pub p_abuse: Option<f64>,
    /// The points score behind it.
    pub points: Option<f64>,
    /// The final risk level.
    pub risk_level: RiskLevel,
    /// The level from the yes-count alone.
    pub actuarial_level: RiskLevel,
    /// The officer's grade as recorded.
    pub officer_judgement: Option<RiskLevel>,
    /// Number of "yes" answers.
    pub yes_count: u32,
    /// Number of "not known" answers.
    pub not_known_count: u32,
    /// Number of "declined" answers.
    pub declined_count: u32,
    /// Whether a MARAC referral is indicated.
    pub marac_referral: bool,
    /// Which MARAC criteria were met.
    pub marac_criteria: Set<MaracCriterion>,
    /// Coercive-control, stalking and high-harm flags.
    pub flags: Set<Flag>,
    /// Whether to notify children's social care.
    pub csc_notification: bool,
    /// Whether to notify the child's school.
    pub school_notification: bool,
    /// Referral pathways.
    pub pathways: Set<Pathway>,
    /// The recording category.
    pub recording_category: RecordingCategory,
    /// Children in the household, as recorded (`children.in_household`).
    pub children_in_household: Option<bool>,
    /// Children linked to the incident (`children.linked`).
    pub children_linked: Option<bool>,
    /// Why they are linked (`children.linked_by`).
    pub children_linked_by: Set<ChildLink>,
    /// The reason codes, in the result's order.
    pub reasons: ReasonCodes,
    /// The position of the record's instrument among the scorer's
    /// ([`crate::Scorer::instruments`]).
    pub instrument: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_is_room_for_every_reason_an_assessment_can_give() {
        // Every `say!` in the reasons stage gives at most one reason, except the
        // two in loops: one per MARAC criterion and one per high-harm flag (three
        // flags have a sentence). The sum bounds any result.
        let src = include_str!("stage/reasons.rs");
        let sites = src.matches("say!(").count();
        let criteria = MaracCriterion::ALL.len();
        let harm_flags = 3;
        let bound = sites + (criteria - 1) + (harm_flags - 1);
        assert!(bound <= MAX_REASONS, "{bound} > {MAX_REASONS}");
        let mut r = ReasonCodes::new();
        for c in ReasonCode::ALL.iter().cycle().take(MAX_REASONS) {
            r.push(*c);
        }
        assert_eq!(r.as_slice().len(), MAX_REASONS);
        assert!(r.contains(ReasonCode::ALL[0]));
    }

    #[test]
    fn codes_keep_their_order_and_say_what_they_hold() {
        let mut r = ReasonCodes::new();
        assert!(r.as_slice().is_empty());
        r.push(ReasonCode::YesCountBand);
        r.push(ReasonCode::DecisionAbuseSafetyGate);
        assert_eq!(
            r.as_slice(),
            [
                ReasonCode::YesCountBand,
                ReasonCode::DecisionAbuseSafetyGate
            ]
        );
        assert!(r.contains(ReasonCode::DecisionAbuseSafetyGate));
        assert!(!r.contains(ReasonCode::ChildrenExposed));
        assert_eq!(format!("{r:?}"), "[YesCountBand, DecisionAbuseSafetyGate]");
    }
}
