//! The safety rules (docs/grading.md, "The safety rules") checked on one result
//! from its record alone: the oracle that the property tests (`safety_rules.rs`)
//! and the fuzz targets (`crates/dashrisk-fuzz`, which includes this file by
//! path) both apply, so that arbitrary generated records and fuzzed JSON records,
//! forms and policies are held to the same account.
//!
//! It restates the rules from the record's answers and the form's markers, not
//! from the scorer's own stages, so that a fault in a stage cannot hide itself.

use dashrisk::instrument::{Gate, Marker, Question};
use dashrisk::{
    Answer, Assessment, AssessmentResult, Classification, DecisionBasis, ReasonCode, RiskLevel,
    Scorer,
};

/// Every rule `r` (the result of `a` under `s`) breaks, in words; empty when it
/// keeps them all.
///
/// - A fear, power-imbalance or harm "yes" (on the form or the screen) is
///   `domestic_abuse`, decided by the safety gate.
/// - `parental_conflict` exactly when no conflict blocker is listed, and then:
///   every gate and blocker item asked and answered "no" (not known is never no),
///   the form has a harm question, the screen's fear and power answered "no", no
///   earlier incident and no MARAC history, `p_abuse` under the conflict threshold,
///   the standard level, no MARAC, CSC or school notice.
/// - The first reason names what decided; only a form with an estimate is decided
///   by it, and a rule-decided result says the estimate did not decide.
pub fn safety_violations(s: &Scorer, a: &Assessment, r: &AssessmentResult) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |ok: bool, rule: &str| {
        if !ok {
            out.push(rule.to_string());
        }
    };
    let Some(form) = s.instrument(&a.instrument) else {
        return vec![format!(
            "assessed on {:?}, a form the scorer lacks",
            a.instrument
        )];
    };
    let ids = |pred: &dyn Fn(&Question) -> bool| -> Vec<&str> {
        form.questions
            .iter()
            .filter(|q| pred(q))
            .map(|q| q.id.as_str())
            .collect()
    };
    let all_no = |ids: &[&str]| ids.iter().all(|id| a.answer(id) == Answer::No);
    let any_yes = |ids: &[&str]| ids.iter().any(|id| a.answer(id) == Answer::Yes);
    let screen = &a.conflict_screen;

    if let Some(p) = r.p_abuse {
        check((0.0..=1.0).contains(&p), "p_abuse lies outside 0 to 1");
    }
    let gate_yes = any_yes(&ids(&|q| q.is_gate_item()))
        || screen.fear == Answer::Yes
        || screen.power_imbalance == Answer::Yes;
    if gate_yes {
        check(
            r.classification == Classification::DomesticAbuse
                && r.decided_by == DecisionBasis::SafetyGate,
            "a fear, power or harm \"yes\" is not domestic abuse by the safety gate",
        );
    }
    let conflict = r.classification == Classification::ParentalConflict;
    check(
        conflict == r.conflict_blockers.is_empty(),
        "parental_conflict is not exactly the results with no conflict blocker",
    );
    if conflict {
        check(
            all_no(&ids(&|q| q.is_gate_item())),
            "parental_conflict with a gate item not answered no",
        );
        check(
            all_no(&ids(&|q| q.has(Marker::BlocksConflict))),
            "parental_conflict with a blocker item not answered no",
        );
        check(
            !ids(&|q| q.fires(Gate::Harm)).is_empty(),
            "parental_conflict on a form with no harm question",
        );
        check(
            screen.fear == Answer::No && screen.power_imbalance == Answer::No,
            "parental_conflict without the screen's fear and power answered no",
        );
        check(
            a.context.prior_incidents_12m.unwrap_or(0) == 0,
            "parental_conflict with earlier incidents",
        );
        check(
            a.context.last_marac_date.is_none(),
            "parental_conflict with a MARAC history",
        );
        check(
            r.p_abuse.is_some_and(|p| p < s.conflict_threshold()),
            "parental_conflict without an estimate under the conflict threshold",
        );
        check(
            r.risk_level == RiskLevel::Standard,
            "parental_conflict above the standard level",
        );
        check(
            !r.marac_referral && !r.csc_notification && !r.school_notification,
            "parental_conflict with a MARAC referral or a notification",
        );
    }
    let first = match r.decided_by {
        DecisionBasis::SafetyGate => ReasonCode::DecisionAbuseSafetyGate,
        DecisionBasis::AnswersGiven => ReasonCode::DecisionAbuseAnswersGiven,
        DecisionBasis::SafetyRules => ReasonCode::DecisionUnclearSafetyRules,
        DecisionBasis::Estimate => ReasonCode::DecisionUnclearEstimate,
        DecisionBasis::ScreenedOut => ReasonCode::DecisionConflictScreenedOut,
    };
    check(
        r.reasons.first().map(|x| x.code) == Some(first),
        "the first reason does not name what decided",
    );
    if r.decided_by == DecisionBasis::Estimate {
        check(
            r.p_abuse.is_some(),
            "decided by an estimate the form does not have",
        );
    }
    if matches!(
        r.decided_by,
        DecisionBasis::SafetyGate | DecisionBasis::SafetyRules
    ) {
        check(
            !r.has_reason(ReasonCode::LowAbuseProbability)
                && !r.has_reason(ReasonCode::HighAbuseProbability),
            "a rule-decided result reports the estimate as deciding",
        );
        let said = if r.p_abuse.is_some() {
            ReasonCode::StatisticalEstimate
        } else {
            ReasonCode::NoEstimate
        };
        check(
            r.has_reason(said),
            "a rule-decided result does not say what the estimate was",
        );
    }
    out
}
