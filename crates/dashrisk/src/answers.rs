//! What an officer records at an incident: DASH answers, the parental-conflict
//! screen and context. *Not known* and *declined* are kept distinct from *no*
//! everywhere; a question left out of a record is *not known*.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An answer to a risk question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The risk factor is present.
    Yes,
    /// The risk factor was asked about and is absent.
    No,
    /// Not asked, or the answer is not known. Never read as "no".
    NotKnown,
    /// The victim declined to answer. Never read as "no".
    Declined,
}

impl Answer {
    /// Allowed strings for a question answer.
    pub const QUESTION_VALUES: [&'static str; 4] = ["yes", "no", "not_known", "declined"];
    /// Allowed strings for a screen answer (no "declined" on the screen).
    pub const SCREEN_VALUES: [&'static str; 3] = ["yes", "no", "not_known"];

    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotKnown => "not_known",
            Answer::Declined => "declined",
        }
    }

    /// Parses a contract string (exact, lower-case).
    pub fn parse(s: &str) -> Option<Answer> {
        match s {
            "yes" => Some(Answer::Yes),
            "no" => Some(Answer::No),
            "not_known" => Some(Answer::NotKnown),
            "declined" => Some(Answer::Declined),
            _ => None,
        }
    }

    /// Whether the answer is "not known" or "declined": the factor may be present.
    pub fn is_unknown(self) -> bool {
        matches!(self, Answer::NotKnown | Answer::Declined)
    }
}

/// How often the parents argue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgumentFrequency {
    /// Rarely.
    Rare,
    /// About monthly.
    Monthly,
    /// About weekly.
    Weekly,
    /// Daily.
    Daily,
    /// Not known.
    NotKnown,
}

impl ArgumentFrequency {
    /// Allowed strings.
    pub const VALUES: [&'static str; 5] = ["rare", "monthly", "weekly", "daily", "not_known"];
    /// Parses a contract string.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "rare" => Self::Rare,
            "monthly" => Self::Monthly,
            "weekly" => Self::Weekly,
            "daily" => Self::Daily,
            "not_known" => Self::NotKnown,
            _ => return None,
        })
    }
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}

/// Whether arguments get resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Arguments are usually resolved.
    Resolved,
    /// Arguments are poorly resolved.
    PoorlyResolved,
    /// Not known.
    NotKnown,
}

impl Resolution {
    /// Allowed strings.
    pub const VALUES: [&'static str; 3] = ["resolved", "poorly_resolved", "not_known"];
    /// Parses a contract string.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "resolved" => Self::Resolved,
            "poorly_resolved" => Self::PoorlyResolved,
            "not_known" => Self::NotKnown,
            _ => return None,
        })
    }
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}

/// A family transition that raises the risk of conflict (DWP/Foundations guidance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// Separation.
    Separation,
    /// A new baby.
    NewBaby,
    /// A bereavement.
    Bereavement,
    /// A child starting school.
    ChildStartingSchool,
    /// Economic pressure.
    EconomicPressure,
}

impl Transition {
    /// Allowed strings.
    pub const VALUES: [&'static str; 5] = [
        "separation",
        "new_baby",
        "bereavement",
        "child_starting_school",
        "economic_pressure",
    ];
    /// Parses a contract string.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "separation" => Self::Separation,
            "new_baby" => Self::NewBaby,
            "bereavement" => Self::Bereavement,
            "child_starting_school" => Self::ChildStartingSchool,
            "economic_pressure" => Self::EconomicPressure,
            _ => return None,
        })
    }
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}

/// The parental-conflict screen: the questions that tell conflict from abuse.
/// Fields left out of its serde form are not known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConflictScreen {
    /// Is either parent afraid of the other?
    pub fear: Answer,
    /// Is there an imbalance of power, or does one parent control the other?
    pub power_imbalance: Answer,
    /// How often they argue.
    pub argument_frequency: ArgumentFrequency,
    /// Whether arguments get resolved.
    pub resolution: Resolution,
    /// Are children exposed to the arguments?
    pub children_exposed: Answer,
    /// Recent transitions; `None` when not known, `Some(vec![])` when none.
    pub recent_transitions: Option<Vec<Transition>>,
}

impl Default for ConflictScreen {
    /// Everything not known.
    fn default() -> Self {
        ConflictScreen {
            fear: Answer::NotKnown,
            power_imbalance: Answer::NotKnown,
            argument_frequency: ArgumentFrequency::NotKnown,
            resolution: Resolution::NotKnown,
            children_exposed: Answer::NotKnown,
            recent_transitions: None,
        }
    }
}

/// Context of the incident. Every field is optional: `None` means not known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Context {
    /// Do children live in the household?
    pub children_in_household: Option<bool>,
    /// Earlier domestic abuse incidents (including incidents recorded as under
    /// review, not those recorded as parental conflict) in the 12 months before
    /// this one. The potential-escalation criterion counts abuse incidents.
    pub prior_incidents_12m: Option<u32>,
    /// Dates of earlier incidents, when known; used when the escalation window is
    /// not 12 months.
    pub prior_incident_dates: Option<Vec<NaiveDate>>,
    /// Date of this incident; needed to check repeat MARAC and dated escalation.
    pub incident_date: Option<NaiveDate>,
    /// Date of the victim's last MARAC case, if any.
    pub last_marac_date: Option<NaiveDate>,
}

/// One incident to assess: the input contract's record, validated and typed.
///
/// Its serde form has the contract's shape: every part may be left out (not
/// known; the instrument defaults to `dash-2009`), so `{"answers": {"q18": "yes"}}`
/// deserialises. Use it for records you built or stored yourself. For records from
/// outside (a request body, a file) use [`crate::Scorer::parse_json`] or
/// [`crate::Scorer::parse_value`], which also refuse a key repeated within an object,
/// enforce the record [`crate::Limits`], accept `null` as not known, refuse
/// `declined` on the screen, and name the field of every error. [`crate::Scorer::assess`]
/// checks question ids and dates on both paths.
///
/// ```
/// let a: dashrisk::Assessment = serde_json::from_str(r#"{"answers": {"q18": "yes"}}"#).unwrap();
/// assert_eq!(a.instrument, "dash-2009");
/// let r = dashrisk::Scorer::default().assess(&a).unwrap();
/// assert_eq!(r.classification, dashrisk::Classification::DomesticAbuse);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Assessment {
    /// Caller's id, echoed in the result.
    pub id: Option<String>,
    /// Instrument id (default [`crate::instrument::DASH_2009`]).
    pub instrument: String,
    /// Answers by question id. Questions left out are not known.
    pub answers: BTreeMap<String, Answer>,
    /// The parental-conflict screen.
    pub conflict_screen: ConflictScreen,
    /// Incident context.
    pub context: Context,
    /// The officer's own grade, which may raise the level but never lower it.
    pub officer_judgement: Option<crate::result::RiskLevel>,
    /// Caller's data, echoed untouched.
    pub meta: Option<serde_json::Value>,
}

impl Default for Assessment {
    /// An empty DASH 2009 record: every answer not known.
    fn default() -> Self {
        Assessment {
            id: None,
            instrument: crate::instrument::DASH_2009.to_string(),
            answers: BTreeMap::new(),
            conflict_screen: ConflictScreen::default(),
            context: Context::default(),
            officer_judgement: None,
            meta: None,
        }
    }
}

impl Assessment {
    /// The answer to question `id`: not known when the record leaves it out.
    pub fn answer(&self, id: &str) -> Answer {
        self.answers.get(id).copied().unwrap_or(Answer::NotKnown)
    }
}

display_from_str!(Answer, "answer", Answer::QUESTION_VALUES);
display_from_str!(
    ArgumentFrequency,
    "argument frequency",
    ArgumentFrequency::VALUES
);
display_from_str!(Resolution, "resolution", Resolution::VALUES);
display_from_str!(Transition, "transition", Transition::VALUES);
