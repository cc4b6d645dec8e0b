//! The result of an assessment: classification, calibrated probability, risk level,
//! MARAC criteria, notifications, pathways, recording category and reasons.

use serde::{Deserialize, Serialize};

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

impl RiskLevel {
    /// Allowed strings.
    pub const VALUES: [&'static str; 3] = ["standard", "medium", "high"];
    /// Parses a contract string.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "standard" => Self::Standard,
            "medium" => Self::Medium,
            "high" => Self::High,
            _ => return None,
        })
    }
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
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

impl Classification {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ParentalConflict => "parental_conflict",
            Self::Unclear => "unclear",
            Self::DomesticAbuse => "domestic_abuse",
        }
    }
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

impl MaracCriterion {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VisibleHighRisk => "visible_high_risk",
            Self::ProfessionalJudgement => "professional_judgement",
            Self::PotentialEscalation => "potential_escalation",
            Self::RepeatMarac => "repeat_marac",
        }
    }
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

impl Pathway {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marac => "marac",
            Self::Idva => "idva",
            Self::SpecialistDaService => "specialist_da_service",
            Self::VictimSupport => "victim_support",
            Self::RpcSupport => "rpc_support",
            Self::EarlyHelp => "early_help",
            Self::ChildrensSocialCare => "childrens_social_care",
            Self::OperationEncompass => "operation_encompass",
            Self::ManagementOversight => "management_oversight",
        }
    }
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

impl RecordingCategory {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DomesticAbuse => "domestic_abuse",
            Self::ParentalConflict => "parental_conflict",
            Self::DomesticIncidentUnderReview => "domestic_incident_under_review",
        }
    }
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
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// A fear item was answered yes.
    FearReported,
    /// A control or power-imbalance item was answered yes.
    PowerImbalanceReported,
    /// Violence or a high-harm marker was answered yes.
    HarmMarkerReported,
    /// Fear or power imbalance could not be ruled out (not known or declined).
    FearOrPowerNotCleared,
    /// The calibrated probability of abuse is high.
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
    /// A MARAC criterion could not be checked for lack of data.
    MaracCriterionUnchecked,
    /// Risk indicators rule out handling as parental conflict (risk level or MARAC).
    RiskRulesOutConflict,
    /// Children live in the household.
    ChildrenInHousehold,
    /// It is not known whether children live in the household.
    ChildrenNotKnown,
    /// Children are exposed to the arguments.
    ChildrenExposed,
    /// A named high-harm cluster.
    HighHarmCluster,
    /// Unknown answers raise p_abuse over the abuse threshold, but the answers given
    /// do not establish abuse.
    UnknownsRaiseProbability,
    /// The classification is unclear: supervisor review and professional judgement.
    ProfessionalJudgementNeeded,
    /// The victim has a MARAC history: supervisor review before "parental conflict".
    MaracHistory,
    /// Follow-up questions to ask (S-DASH, honour-based abuse prompts).
    FollowUpQuestions,
    /// A high-harm marker with a count below high: consider raising by judgement.
    ConsiderProfessionalJudgement,
    /// A comparison model's feature moved its probability up or down (coefficient ×
    /// feature value). Used by comparison predictors, never by the scorer.
    ModelContribution,
}

/// A reason: a stable code plus a plain-English sentence an officer can read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable code.
    pub code: ReasonCode,
    /// Plain-English sentence.
    pub text: String,
}

/// What the assessment means for the children in the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildrenImpact {
    /// Whether children live in the household: `Some(true)`, `Some(false)`, or
    /// `None` when not known.
    pub in_household: Option<bool>,
    /// A plain-English summary for whole-family support.
    pub summary: String,
}

/// The result of assessing one incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentResult {
    /// The record's id, echoed.
    pub id: Option<String>,
    /// Parental conflict, domestic abuse, or unclear.
    pub classification: Classification,
    /// Calibrated probability that this is domestic abuse rather than parental
    /// conflict (reference population: synthetic; see docs/model-card.md).
    pub p_abuse: f64,
    /// The points score the probability was calibrated from.
    pub score: f64,
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
    pub marac_criteria: Vec<MaracCriterion>,
    /// Coercive-control, stalking and high-harm flags.
    pub flags: Vec<Flag>,
    /// Whether to notify children's social care (via the MASH).
    pub csc_notification: bool,
    /// Whether to send an Operation Encompass notice to the child's school.
    pub school_notification: bool,
    /// Referral pathways, in a fixed order.
    pub pathways: Vec<Pathway>,
    /// The recording category.
    pub recording_category: RecordingCategory,
    /// What this means for the children.
    pub children: ChildrenImpact,
    /// Why: stable codes with plain-English sentences.
    pub reasons: Vec<Reason>,
    /// Instrument id used.
    pub instrument: String,
    /// Version of the scorer rules.
    pub scorer_version: String,
    /// Version of the calibration artefact.
    pub calibration_version: String,
    /// The record's `meta`, echoed untouched.
    pub meta: Option<serde_json::Value>,
}

impl AssessmentResult {
    /// Whether any reason has this code.
    pub fn has_reason(&self, code: ReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }
}
