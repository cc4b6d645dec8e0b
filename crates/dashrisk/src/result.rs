//! The result of an assessment: classification, calibrated probability, risk level,
//! MARAC criteria, notifications, pathways, recording category and reasons.

use crate::set::Set;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// DASH risk level. Ordered: `Standard < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Current evidence does not indicate likelihood of causing serious harm.
    Standard,
    /// Identifiable indicators of risk of serious harm; unlikely unless circumstances change.
    Medium,
    /// Serious harm could happen at any time, and the impact would be serious.
    High,
}

/// Parental conflict, domestic abuse, or unclear. Ordered by caution:
/// `ParentalConflict < Unclear < DomesticAbuse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Conflict between parents with no fear, no control and no imbalance of power.
    ParentalConflict,
    /// Cannot be told apart on what was recorded: professional judgement and
    /// management oversight are needed.
    Unclear,
    /// Domestic abuse.
    DomesticAbuse,
}

/// A MARAC referral criterion (SafeLives guidance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaracCriterion {
    /// Yes-count at or above the high band (14 by default).
    VisibleHighRisk,
    /// The officer graded the risk high.
    ProfessionalJudgement,
    /// Repeated incidents in the escalation window (3 in 12 months by default).
    PotentialEscalation,
    /// A new incident within 12 months of the last MARAC.
    RepeatMarac,
}

/// A referral pathway (fixed vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pathway {
    /// Multi-Agency Risk Assessment Conference.
    Marac,
    /// Independent Domestic Violence Advisor.
    Idva,
    /// Specialist domestic abuse service.
    SpecialistDaService,
    /// Victim support and domestic abuse service advice.
    VictimSupport,
    /// Reducing Parental Conflict support.
    RpcSupport,
    /// Early Help for the family.
    EarlyHelp,
    /// Children's social care / MASH notification.
    ChildrensSocialCare,
    /// Operation Encompass notice to the child's school before the next school day.
    OperationEncompass,
    /// Supervisor review: professional judgement and management oversight.
    ManagementOversight,
}

/// How the incident is recorded. Parental conflict is its own category, as police asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingCategory {
    /// A domestic abuse incident.
    DomesticAbuse,
    /// A parental conflict incident (below the abuse threshold).
    ParentalConflict,
    /// A domestic incident whose category awaits supervisor review; handled as
    /// possible abuse until then.
    DomesticIncidentUnderReview,
}

/// A flag raised by the answers: named high-harm clusters and coercive control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Control, isolation, jealousy, stalking, or the screen's power imbalance.
    CoerciveControl,
    /// Stalking or harassment reported (ask the S-DASH follow-up).
    Stalking,
    /// Non-fatal strangulation.
    Strangulation,
    /// Threats to kill.
    ThreatsToKill,
    /// Weapons or objects used.
    Weapons,
    /// Sexual abuse.
    SexualAbuse,
    /// Harm or threats to children.
    ChildHarm,
    /// Separation together with coercive control and violence.
    SeparationControlViolence,
    /// Another person threatens the victim (ask the honour-based abuse prompts).
    ThirdPartyThreat,
}

/// A stable reason code. The same code always carries the same meaning; the text
/// beside it may name the questions involved.
///
/// Like every enum of the result, it is exhaustive: a new code is a breaking change,
/// listed in CHANGELOG.md with the scorer version that brings it
/// (docs/ARCHITECTURE.md, "Public enums").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// There is no statistical estimate: the calibration has no points for the
    /// record's form (a custom form not fitted with `calibrate --data`).
    NoEstimate,
    /// The first reason of a `domestic_abuse` result decided by a safety gate (fear,
    /// power imbalance or harm reported).
    DecisionAbuseSafetyGate,
    /// The first reason of a `domestic_abuse` result decided by the answers given:
    /// their estimate reaches the abuse threshold with no gate fired.
    DecisionAbuseAnswersGiven,
    /// The first reason of an `unclear` result that a safety rule keeps from
    /// `parental_conflict` (unanswered gate items, abuse evidence, earlier abuse,
    /// Marac, a raised level). The text lists the rules.
    DecisionUnclearSafetyRules,
    /// The first reason of an `unclear` result that only the estimate keeps from
    /// `parental_conflict`.
    DecisionUnclearEstimate,
    /// The first reason of a `parental_conflict` result: abuse was asked about and
    /// screened out.
    DecisionConflictScreenedOut,
    /// A fear item was answered yes.
    FearReported,
    /// A control or power-imbalance item was answered yes.
    PowerImbalanceReported,
    /// Violence or a high-harm marker was answered yes.
    HarmMarkerReported,
    /// An item that reports abuse, violence or threats beyond the gates (a
    /// `blocks_conflict` item: escalation, harm to others, animals, a broken order,
    /// …) was answered yes: rules out parental conflict, does not establish abuse.
    AbuseEvidenceReported,
    /// Fear or power imbalance could not be ruled out (not known or declined).
    FearOrPowerNotCleared,
    /// A harm item was not known or declined, or the form asks no harm question:
    /// ask about harm before recording parental conflict.
    HarmNotCleared,
    /// A `blocks_conflict` item (escalation, harm to others, animals, a broken
    /// order, …) was not known or declined: ask it before recording parental
    /// conflict.
    AbuseEvidenceNotCleared,
    /// An earlier domestic-abuse incident (counted, or dated inside the escalation
    /// window) rules out parental conflict.
    EarlierAbuseIncident,
    /// The statistical estimate `p_abuse`, when a safety rule decided the
    /// classification: the estimate did not decide it.
    StatisticalEstimate,
    /// The calibrated probability of abuse is high, and the answers given reach it.
    HighAbuseProbability,
    /// The probability of abuse is between the conflict and abuse thresholds.
    IntermediateAbuseProbability,
    /// The calibrated probability of abuse is low.
    LowAbuseProbability,
    /// Fear and power imbalance were asked about and positively cleared.
    FearAndPowerCleared,
    /// The pattern fits parental conflict (frequent or poorly resolved arguments).
    ConflictPattern,
    /// A family transition that raises conflict risk was reported.
    TransitionReported,
    /// Risk level from the yes-count and bands.
    YesCountBand,
    /// Some answers were not known or declined.
    UnansweredItems,
    /// If the unanswered items were yes, the count would reach the high band.
    HighRiskPossibleIfUnknownsYes,
    /// The officer raised the level.
    ProfessionalJudgementRaised,
    /// The officer's grade was lower than the actuarial level and did not lower it.
    ProfessionalJudgementNotLowering,
    /// A MARAC criterion was met.
    MaracCriterionMet,
    /// Potential escalation could not be checked: no count and no dates of earlier
    /// incidents were recorded.
    EscalationUnchecked,
    /// Potential escalation counts as met because the incidents recorded could fall
    /// inside the window; the dates would settle it.
    EscalationMetOnRecords,
    /// Repeat MARAC counts as met because the last MARAC date was recorded without
    /// the incident date; the incident date would settle it.
    RepeatMaracMetOnRecords,
    /// Risk indicators rule out handling as parental conflict (risk level or MARAC).
    RiskRulesOutConflict,
    /// Children live in the household.
    ChildrenInHousehold,
    /// It is not known whether children live in the household.
    ChildrenNotKnown,
    /// Children are exposed to the arguments.
    ChildrenExposed,
    /// Children are linked to the incident by exposure although the household was
    /// recorded without children: notifications follow the link.
    ChildrenLinkedByExposure,
    /// A named high-harm cluster.
    HighHarmCluster,
    /// Unknown answers raise p_abuse over the abuse threshold, but the answers given
    /// do not establish abuse.
    UnknownsRaiseProbability,
    /// The classification is unclear: supervisor review and professional judgement.
    ProfessionalJudgementNeeded,
    /// The victim has a MARAC history: supervisor review before "parental conflict".
    MaracHistory,
    /// Stalking or harassment reported: ask the stalking (S-DASH) follow-up questions.
    StalkingFollowUp,
    /// Isolation or threats from other people reported: ask the honour-based abuse
    /// prompts.
    HonourBasedAbuseFollowUp,
    /// A high-harm marker or cluster with a level below high: consider raising it by
    /// professional judgement.
    ConsiderProfessionalJudgement,
    /// A comparison model's feature moved its probability up or down (coefficient ×
    /// feature value). Used by comparison predictors, never by the scorer.
    ModelContribution,
}

/// How the classification was decided: the rule, or the estimate, that settled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionBasis {
    /// `domestic_abuse`: a fear, power-imbalance or harm gate fired.
    SafetyGate,
    /// `domestic_abuse`: no gate fired, but the answers given (unknowns scoring
    /// nothing) reach the abuse threshold.
    AnswersGiven,
    /// `unclear`: a safety rule rules out parental conflict (see `conflict_blockers`).
    SafetyRules,
    /// `unclear`: only the estimate rules out parental conflict.
    Estimate,
    /// `parental_conflict`: abuse was asked about and screened out.
    ScreenedOut,
}

/// Something that rules out `parental_conflict`. A `parental_conflict` result has
/// none; every other result lists all that apply, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictBlocker {
    /// A fear, power-imbalance or harm gate fired.
    SafetyGate,
    /// Abuse was not fully asked about: a fear, power-imbalance, harm or
    /// `blocks_conflict` item (or the screen's fear or power question) was not known
    /// or declined, or the form asks no harm question.
    GateItemUnanswered,
    /// A `blocks_conflict` item was answered yes.
    AbuseEvidence,
    /// An earlier domestic-abuse incident was recorded.
    EarlierAbuse,
    /// The victim has been discussed at MARAC before.
    MaracHistory,
    /// A MARAC criterion is met (or counts as met on what was recorded).
    MaracCriterion,
    /// The final risk level is above standard.
    RaisedRiskLevel,
    /// The estimate `p_abuse` is not below the conflict threshold, or there is no
    /// estimate for the form.
    AbuseProbability,
}

/// Why children count as linked to the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildLink {
    /// Children live in the household (the context, or a "yes" to a question with
    /// the `children_in_household` marker).
    InHousehold,
    /// The screen records children exposed to the incident's arguments.
    Exposed,
}

/// A reason: a stable code plus a plain-English sentence an officer can read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable code.
    pub code: ReasonCode,
    /// Plain-English sentence.
    pub text: Cow<'static, str>,
}

/// What the assessment means for the children in the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildrenImpact {
    /// Whether children live in the household, as recorded: `Some(true)`,
    /// `Some(false)`, or `None` when not known.
    pub in_household: Option<bool>,
    /// Whether children are linked to the incident (present at it, or living in the
    /// household): `Some(true)` when either applies, otherwise what the household
    /// record says. Notifications and Early Help follow this.
    pub linked: Option<bool>,
    /// Which links applied (empty when children are not linked).
    pub linked_by: Set<ChildLink>,
    /// A plain-English summary for whole-family support.
    pub summary: Cow<'static, str>,
}

/// The result of assessing one incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentResult {
    /// The record's id, echoed.
    pub id: Option<String>,
    /// Parental conflict, domestic abuse, or unclear.
    pub classification: Classification,
    /// What decided the classification: a safety rule or the estimate.
    pub decided_by: DecisionBasis,
    /// Everything that rules out parental conflict (empty for `parental_conflict`).
    pub conflict_blockers: Set<ConflictBlocker>,
    /// The statistical estimate: the calibrated probability that this is domestic
    /// abuse rather than parental conflict (reference population: synthetic; see
    /// docs/model-card.md). The safety rules decide before it does: read
    /// `decided_by`. `None` for a form the calibration has no points for (reason
    /// `no_estimate`).
    pub p_abuse: Option<f64>,
    /// The points score the probability was calibrated from (`None` likewise).
    pub points: Option<f64>,
    /// The final risk level: the actuarial level raised, never lowered, by judgement.
    pub risk_level: RiskLevel,
    /// The level from the yes-count alone.
    pub actuarial_level: RiskLevel,
    /// The officer's grade as recorded.
    pub officer_judgement: Option<RiskLevel>,
    /// Number of "yes" answers.
    pub yes_count: u32,
    /// Number of "not known" answers (including questions left out).
    pub not_known_count: u32,
    /// Number of "declined" answers.
    pub declined_count: u32,
    /// Whether a MARAC referral is indicated.
    pub marac_referral: bool,
    /// Which MARAC criteria were met.
    pub marac_criteria: Set<MaracCriterion>,
    /// Coercive-control, stalking and high-harm flags.
    pub flags: Set<Flag>,
    /// Whether to notify children's social care (via the MASH).
    pub csc_notification: bool,
    /// Whether to send an Operation Encompass notice to the child's school.
    pub school_notification: bool,
    /// Referral pathways, in a fixed order.
    pub pathways: Set<Pathway>,
    /// The recording category.
    pub recording_category: RecordingCategory,
    /// What this means for the children.
    pub children: ChildrenImpact,
    /// Why: stable codes with plain-English sentences.
    pub reasons: Vec<Reason>,
    /// Instrument id used.
    pub instrument: Cow<'static, str>,
    /// Version of the scorer rules.
    pub scorer_version: Cow<'static, str>,
    /// Version of the calibration artefact.
    pub calibration_version: Cow<'static, str>,
    /// The record's `meta`, echoed untouched.
    pub meta: Option<serde_json::Value>,
}

impl AssessmentResult {
    /// Whether any reason has this code.
    pub fn has_reason(&self, code: ReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }
}

/// A string that is not one of an enum's contract values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {what}; expected one of: {}", expected.join(", "))]
pub struct ParseEnumError {
    /// The type's name in the contract (`classification`, `pathway`, …).
    pub what: &'static str,
    /// The string given (cut to [`crate::error::MAX_ERROR_VALUE_CHARS`]).
    pub value: String,
    /// The allowed strings.
    pub expected: &'static [&'static str],
}

contract_strings!(RiskLevel, "risk level", 3, [
    Standard => "standard", Medium => "medium", High => "high",
]);
contract_strings!(Classification, "classification", 3, [
    ParentalConflict => "parental_conflict", Unclear => "unclear", DomesticAbuse => "domestic_abuse",
]);
contract_strings!(MaracCriterion, "MARAC criterion", 4, [
    VisibleHighRisk => "visible_high_risk",
    ProfessionalJudgement => "professional_judgement",
    PotentialEscalation => "potential_escalation",
    RepeatMarac => "repeat_marac",
]);
contract_strings!(Pathway, "pathway", 9, [
    Marac => "marac",
    Idva => "idva",
    SpecialistDaService => "specialist_da_service",
    VictimSupport => "victim_support",
    RpcSupport => "rpc_support",
    EarlyHelp => "early_help",
    ChildrensSocialCare => "childrens_social_care",
    OperationEncompass => "operation_encompass",
    ManagementOversight => "management_oversight",
]);
contract_strings!(RecordingCategory, "recording category", 3, [
    DomesticAbuse => "domestic_abuse",
    ParentalConflict => "parental_conflict",
    DomesticIncidentUnderReview => "domestic_incident_under_review",
]);
contract_strings!(Flag, "flag", 9, [
    CoerciveControl => "coercive_control",
    Stalking => "stalking",
    Strangulation => "strangulation",
    ThreatsToKill => "threats_to_kill",
    Weapons => "weapons",
    SexualAbuse => "sexual_abuse",
    ChildHarm => "child_harm",
    SeparationControlViolence => "separation_control_violence",
    ThirdPartyThreat => "third_party_threat",
]);
contract_strings!(DecisionBasis, "decision basis", 5, [
    SafetyGate => "safety_gate",
    AnswersGiven => "answers_given",
    SafetyRules => "safety_rules",
    Estimate => "estimate",
    ScreenedOut => "screened_out",
]);
contract_strings!(ConflictBlocker, "conflict blocker", 8, [
    SafetyGate => "safety_gate",
    GateItemUnanswered => "gate_item_unanswered",
    AbuseEvidence => "abuse_evidence",
    EarlierAbuse => "earlier_abuse",
    MaracHistory => "marac_history",
    MaracCriterion => "marac_criterion",
    RaisedRiskLevel => "raised_risk_level",
    AbuseProbability => "abuse_probability",
]);
contract_strings!(ChildLink, "child link", 2, [
    InHousehold => "in_household", Exposed => "exposed",
]);
contract_strings!(ReasonCode, "reason code", 43, [
    NoEstimate => "no_estimate",
    DecisionAbuseSafetyGate => "decision_abuse_safety_gate",
    DecisionAbuseAnswersGiven => "decision_abuse_answers_given",
    DecisionUnclearSafetyRules => "decision_unclear_safety_rules",
    DecisionUnclearEstimate => "decision_unclear_estimate",
    DecisionConflictScreenedOut => "decision_conflict_screened_out",
    FearReported => "fear_reported",
    PowerImbalanceReported => "power_imbalance_reported",
    HarmMarkerReported => "harm_marker_reported",
    AbuseEvidenceReported => "abuse_evidence_reported",
    FearOrPowerNotCleared => "fear_or_power_not_cleared",
    HarmNotCleared => "harm_not_cleared",
    AbuseEvidenceNotCleared => "abuse_evidence_not_cleared",
    EarlierAbuseIncident => "earlier_abuse_incident",
    StatisticalEstimate => "statistical_estimate",
    HighAbuseProbability => "high_abuse_probability",
    IntermediateAbuseProbability => "intermediate_abuse_probability",
    LowAbuseProbability => "low_abuse_probability",
    FearAndPowerCleared => "fear_and_power_cleared",
    ConflictPattern => "conflict_pattern",
    TransitionReported => "transition_reported",
    YesCountBand => "yes_count_band",
    UnansweredItems => "unanswered_items",
    HighRiskPossibleIfUnknownsYes => "high_risk_possible_if_unknowns_yes",
    ProfessionalJudgementRaised => "professional_judgement_raised",
    ProfessionalJudgementNotLowering => "professional_judgement_not_lowering",
    MaracCriterionMet => "marac_criterion_met",
    EscalationUnchecked => "escalation_unchecked",
    EscalationMetOnRecords => "escalation_met_on_records",
    RepeatMaracMetOnRecords => "repeat_marac_met_on_records",
    RiskRulesOutConflict => "risk_rules_out_conflict",
    ChildrenInHousehold => "children_in_household",
    ChildrenNotKnown => "children_not_known",
    ChildrenExposed => "children_exposed",
    ChildrenLinkedByExposure => "children_linked_by_exposure",
    HighHarmCluster => "high_harm_cluster",
    UnknownsRaiseProbability => "unknowns_raise_probability",
    ProfessionalJudgementNeeded => "professional_judgement_needed",
    MaracHistory => "marac_history",
    StalkingFollowUp => "stalking_follow_up",
    HonourBasedAbuseFollowUp => "honour_based_abuse_follow_up",
    ConsiderProfessionalJudgement => "consider_professional_judgement",
    ModelContribution => "model_contribution",
]);

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The macro's strings are serde's strings, value by value, and parse back.
    fn agree<T>(all: &[T])
    where
        T: Serialize + std::fmt::Display + FromStr + PartialEq + std::fmt::Debug + Copy,
        <T as FromStr>::Err: std::fmt::Debug,
    {
        for v in all {
            let serde = serde_json::to_value(v).unwrap();
            assert_eq!(serde.as_str(), Some(v.to_string().as_str()), "{v:?}");
            assert_eq!(T::from_str(&v.to_string()).unwrap(), *v);
        }
    }

    #[test]
    fn contract_strings_match_serde() {
        agree(&RiskLevel::ALL);
        agree(&Classification::ALL);
        agree(&MaracCriterion::ALL);
        agree(&Pathway::ALL);
        agree(&RecordingCategory::ALL);
        agree(&Flag::ALL);
        agree(&DecisionBasis::ALL);
        agree(&ConflictBlocker::ALL);
        agree(&ChildLink::ALL);
        agree(&ReasonCode::ALL);
    }

    #[test]
    fn from_str_errors_list_the_allowed_values() {
        let e = "abuse".parse::<Classification>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"abuse\" is not a classification; expected one of: parental_conflict, unclear, domestic_abuse"
        );
    }
}
