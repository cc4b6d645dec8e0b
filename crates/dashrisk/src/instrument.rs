//! Risk instruments as data: questions with ids, printed numbers, short labels,
//! domains and the safety markers a "yes" carries.
//!
//! The built-in DASH forms ship **paraphrased labels** keyed by question number, not
//! the verbatim wording: the DASH (2009) checklist is © Laura Richards 2009 and may not
//! be reproduced without permission. A licensed force can load the official wording as
//! a custom instrument with the same ids (see [`Instrument::from_json`]).
//!
//! Question ids are the police form's (`q1`…`q27`) on every built-in form, so that
//! answers, models and reports line up across forms; `number` is the number printed on
//! that form (the partner-agency form prints 1–24).

use crate::artefact::{content_checksum, open, seal, Seal};
use crate::error::ArtefactError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Id of the built-in 27-question police DASH form (the default instrument).
pub const DASH_2009: &str = "dash-2009";
/// Id of the built-in 24-question partner-agency form (police form less items 10–12).
pub const DASH_2009_PARTNER: &str = "dash-2009-partner";

/// The current format version of instrument files.
pub const INSTRUMENT_FORMAT_VERSION: u32 = 1;

/// The most questions a form may have (DASH has 27). The scorer lays a record's
/// answers out in a fixed array of this size, so that assessing allocates nothing.
pub const MAX_QUESTIONS: usize = 128;

/// What a question is about. Used for reporting and for the scorer's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// Physical violence and injury.
    PhysicalHarm,
    /// The victim's fear.
    Fear,
    /// Control, isolation, jealousy: coercive and controlling behaviour.
    CoerciveControl,
    /// Stalking and harassment.
    Stalking,
    /// Sexual abuse.
    Sexual,
    /// Threats to kill or harm.
    Threats,
    /// Children and dependants.
    Children,
    /// Pregnancy or a recent baby.
    Pregnancy,
    /// Abuse becoming more frequent or worse.
    Escalation,
    /// Separation and child-contact disputes.
    Separation,
    /// The victim's mental health.
    VictimWellbeing,
    /// Money: dependence and economic abuse.
    Economic,
    /// Threats from people other than the abuser (including honour-based abuse).
    ThirdPartyThreat,
    /// The abuser's history of harm, offending and breaches.
    PerpetratorHistory,
    /// The abuser's substance use, mental health and suicidality.
    PerpetratorWellbeing,
}

/// A safety marker: what a "yes" to a question signals. Markers drive the hard gates
/// of the conflict-vs-abuse decision and the result's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    /// Fear of the other person: rules out parental conflict.
    Fear,
    /// Control or an imbalance of power: rules out parental conflict.
    PowerImbalance,
    /// Violence causing injury.
    Violence,
    /// Stalking or harassment.
    Stalking,
    /// Harm or threats to children or dependants.
    ChildHarm,
    /// Weapons or objects used to hurt.
    Weapon,
    /// Threats to kill.
    ThreatToKill,
    /// Non-fatal strangulation, choking, suffocation or drowning.
    Strangulation,
    /// Sexual abuse.
    SexualAbuse,
    /// Abuse, violence or threats by the other party beyond the gates (the abuse
    /// getting worse, harm to others or to animals, a broken order, …): a "yes"
    /// rules out parental conflict but does not by itself establish abuse. Fires no
    /// gate.
    BlocksConflict,
    /// A "yes" means children or dependants live in the household. Fires no gate.
    ChildrenInHousehold,
    /// A "yes" prompts the honour-based abuse questions (isolation, threats from
    /// other people). Fires no gate.
    HonourBasedPrompt,
}

impl Marker {
    /// Which hard gate a "yes" with this marker fires, if any.
    pub fn gate(self) -> Option<Gate> {
        match self {
            Marker::Fear => Some(Gate::Fear),
            Marker::PowerImbalance => Some(Gate::PowerImbalance),
            Marker::Violence
            | Marker::Stalking
            | Marker::ChildHarm
            | Marker::Weapon
            | Marker::ThreatToKill
            | Marker::Strangulation
            | Marker::SexualAbuse => Some(Gate::Harm),
            Marker::BlocksConflict | Marker::ChildrenInHousehold | Marker::HonourBasedPrompt => {
                None
            }
        }
    }
}

/// The three hard gates: any one fired rules out "parental conflict".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Someone is afraid of the other parent.
    Fear,
    /// One parent controls the other, or there is an imbalance of power.
    PowerImbalance,
    /// Violence or a high-harm marker (strangulation, weapons, threats to kill, …).
    Harm,
}

/// One question of an instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id used in input records (`q1`…). Lower-case `q` followed by digits.
    pub id: String,
    /// The number printed on the form.
    pub number: u32,
    /// A short label (paraphrased for the built-in DASH forms).
    pub text: String,
    /// What the question is about; the first domain is its primary one.
    pub domains: Vec<Domain>,
    /// The safety markers a "yes" carries (may be empty).
    #[serde(default)]
    pub markers: Vec<Marker>,
}

impl Question {
    /// Whether a "yes" to this question fires `gate`.
    pub fn fires(&self, gate: Gate) -> bool {
        self.markers.iter().any(|m| m.gate() == Some(gate))
    }

    /// Whether a "yes" to this question fires any gate: parental conflict then
    /// needs it answered "no".
    pub fn is_gate_item(&self) -> bool {
        self.markers.iter().any(|m| m.gate().is_some())
    }

    /// Whether the question carries `marker`.
    pub fn has(&self, marker: Marker) -> bool {
        self.markers.contains(&marker)
    }
}

/// A risk instrument: an ordered list of questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// The file format version ([`INSTRUMENT_FORMAT_VERSION`]).
    pub format_version: u32,
    /// Stable id (`dash-2009`), used in input records' `instrument` field.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Where the content comes from, and any licence note.
    pub source: String,
    /// The built-in form this one is a version of (`dash-2009`,
    /// `dash-2009-partner`), for example a licensed force's official wording. Such
    /// a form must carry at least the built-in's markers on every question id the
    /// two share, so that it keeps every safety rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
    /// The questions, in printed order.
    pub questions: Vec<Question>,
}

/// Checks that a question id has the form `q<digits>` with no leading zero.
pub fn is_question_id(id: &str) -> bool {
    let Some(digits) = id.strip_prefix('q') else {
        return false;
    };
    !digits.is_empty() && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a key *looks like* a question (`Q2 `, `q02`, `q 3`): such keys are errors
/// when they are not one of the instrument's ids, so that a misspelt question is
/// never silently ignored.
pub fn looks_like_question(key: &str) -> bool {
    let k = key.trim();
    let Some(rest) = k.strip_prefix(['q', 'Q']) else {
        return false;
    };
    let rest = rest.trim_start_matches(['_', '-', ' ']);
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
}

impl Instrument {
    /// Reads and validates a custom instrument from JSON.
    ///
    /// The file may carry a `checksum` (written by [`Instrument::to_sealed_json`],
    /// or `dashrisk instrument seal`): when it does, it must match the contents, so
    /// an edited, truncated or damaged sealed file is refused. A hand-written file
    /// without one is accepted; use [`Instrument::from_json_sealed`] to insist on a
    /// checksum. A `format_version` other than [`INSTRUMENT_FORMAT_VERSION`] is
    /// refused before the rest is read.
    ///
    /// ```
    /// let json = r#"{"format_version":1,"id":"mini","name":"Mini","source":"test",
    ///   "questions":[{"id":"q1","number":1,"text":"Afraid?","domains":["fear"],"markers":["fear"]},
    ///                {"id":"q2","number":2,"text":"Controlled?","domains":["coercive_control"],"markers":["power_imbalance"]}]}"#;
    /// let inst = dashrisk::Instrument::from_json(json).unwrap();
    /// assert_eq!(inst.questions.len(), 2);
    /// // Without a power-imbalance question the safety gates could not work:
    /// let weak = json.replace(r#""markers":["power_imbalance"]"#, r#""markers":[]"#);
    /// assert!(dashrisk::Instrument::from_json(&weak).is_err());
    /// // A sealed copy reads back; an edit after sealing is refused.
    /// let sealed = inst.to_sealed_json();
    /// assert_eq!(dashrisk::Instrument::from_json_sealed(&sealed).unwrap(), inst);
    /// assert!(dashrisk::Instrument::from_json(&sealed.replace("Afraid?", "Scared?")).is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Instrument, ArtefactError> {
        Instrument::read(text, Seal::Optional)
    }

    /// Reads an instrument like [`Instrument::from_json`], but refuses a file
    /// without a `checksum`: for deployments that accept sealed files only.
    pub fn from_json_sealed(text: &str) -> Result<Instrument, ArtefactError> {
        Instrument::read(text, Seal::Required)
    }

    fn read(text: &str, seal: Seal) -> Result<Instrument, ArtefactError> {
        let inst: Instrument = open(
            text,
            "instrument",
            INSTRUMENT_FORMAT_VERSION,
            seal,
            Instrument::artefact_name,
        )?;
        inst.validate()?;
        Ok(inst)
    }

    fn artefact_name(&self) -> String {
        format!("instrument {:?}", crate::error::truncate_value(&self.id))
    }

    /// The SHA-256 of the instrument's canonical content: what a sealed file's
    /// `checksum` holds. Layout (indentation, key order) does not change it.
    pub fn checksum(&self) -> String {
        content_checksum(self)
    }

    /// The instrument file, pretty-printed and sealed with its [`checksum`]
    /// (the last key).
    ///
    /// [`checksum`]: Instrument::checksum
    pub fn to_sealed_json(&self) -> String {
        seal(self)
    }

    /// Checks the rules every instrument must keep: a supported format version,
    /// a non-empty id, at least one question, unique well-formed ids and numbers,
    /// and at least one domain per question.
    pub fn validate(&self) -> Result<(), ArtefactError> {
        let invalid = |field: String, problem: String| ArtefactError::Invalid {
            artefact: self.artefact_name(),
            field,
            problem,
        };
        if self.format_version != INSTRUMENT_FORMAT_VERSION {
            return Err(ArtefactError::Version {
                artefact: self.artefact_name(),
                found: self.format_version,
                expected: INSTRUMENT_FORMAT_VERSION,
            });
        }
        if self.id.trim().is_empty() || self.id.chars().any(|c| c.is_whitespace()) {
            return Err(invalid(
                "id".into(),
                "must be non-empty with no spaces".into(),
            ));
        }
        if self.questions.is_empty() {
            return Err(invalid("questions".into(), "must not be empty".into()));
        }
        if self.questions.len() > MAX_QUESTIONS {
            return Err(invalid(
                "questions".into(),
                format!(
                    "has {} questions; a form may have at most {MAX_QUESTIONS} (DASH has 27)",
                    self.questions.len()
                ),
            ));
        }
        let mut ids = BTreeSet::new();
        let mut numbers = BTreeSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let field = format!("questions[{i}]");
            if !is_question_id(&q.id) {
                return Err(invalid(
                    format!("{field}.id"),
                    format!("{:?} is not of the form q<number> (q1, q2, …)", q.id),
                ));
            }
            if !ids.insert(q.id.as_str()) {
                return Err(invalid(
                    format!("{field}.id"),
                    format!("{:?} is used twice", q.id),
                ));
            }
            if !numbers.insert(q.number) {
                return Err(invalid(
                    format!("{field}.number"),
                    format!("{} is used twice", q.number),
                ));
            }
            if q.domains.is_empty() {
                return Err(invalid(
                    format!("{field}.domains"),
                    "must name at least one domain".into(),
                ));
            }
        }
        // The conflict-vs-abuse gates read the fear and power items: an instrument
        // without them could call a frightened victim's case "parental conflict" on
        // the screen alone. Refuse it rather than silently weaken the gates.
        for (gate, what) in [
            (Gate::Fear, "fear"),
            (Gate::PowerImbalance, "power_imbalance"),
        ] {
            if !self.questions.iter().any(|q| q.fires(gate)) {
                return Err(invalid(
                    "questions".into(),
                    format!("no question carries the {what:?} marker; the safety gates need at least one fear and one power_imbalance question"),
                ));
            }
        }
        if let Some(base_id) = &self.based_on {
            let Some(base) = Instrument::builtin_by_id(base_id) else {
                let known: Vec<&str> = Instrument::builtin()
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect();
                return Err(invalid(
                    "based_on".into(),
                    format!(
                        "{:?} is not a built-in instrument; expected one of: {}",
                        crate::error::truncate_value(base_id),
                        known.join(", ")
                    ),
                ));
            };
            // The marker floor: a version of a built-in form keeps every safety rule
            // of the built-in on the ids they share (a licensed wording must not
            // turn strangulation into "conflict" by leaving out a marker).
            for (i, q) in self.questions.iter().enumerate() {
                let Some(bq) = base.question(&q.id) else {
                    continue;
                };
                if let Some(m) = bq.markers.iter().find(|m| !q.markers.contains(m)) {
                    return Err(invalid(
                        format!("questions[{i}].markers"),
                        format!(
                            "question {} lacks the {:?} marker that {} gives it; a form based on {} must keep at least the built-in's markers",
                            q.id,
                            m.as_str(),
                            base.id,
                            base.id
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.position(id).map(|i| &self.questions[i])
    }

    /// The index of question `id` in [`Instrument::questions`]. Questions are
    /// usually numbered in order (`q7` seventh), so that place is tried first.
    pub fn position(&self, id: &str) -> Option<usize> {
        let guess = id.strip_prefix('q').and_then(|n| {
            // At most three digits: ids are short, and this runs for every answer.
            (1..=3).contains(&n.len()).then_some(())?;
            n.bytes()
                .try_fold(0usize, |acc, b| {
                    b.is_ascii_digit().then(|| acc * 10 + usize::from(b - b'0'))
                })?
                .checked_sub(1)
        });
        if let Some(i) = guess {
            if self.questions.get(i).is_some_and(|q| q.id == id) {
                return Some(i);
            }
        }
        self.questions.iter().position(|q| q.id == id)
    }

    /// Whether the instrument asks about children or dependants (police form items
    /// 10–12).
    pub fn asks_about_children(&self) -> bool {
        self.questions
            .iter()
            .any(|q| q.domains.contains(&Domain::Children))
    }

    /// The built-in 27-question police DASH form.
    pub fn dash_2009() -> &'static Instrument {
        static CELL: OnceLock<Instrument> = OnceLock::new();
        CELL.get_or_init(|| build_dash(DASH_2009, false))
    }

    /// The built-in 24-question partner-agency form.
    pub fn dash_2009_partner() -> &'static Instrument {
        static CELL: OnceLock<Instrument> = OnceLock::new();
        CELL.get_or_init(|| build_dash(DASH_2009_PARTNER, true))
    }

    /// The built-in instruments.
    pub fn builtin() -> [&'static Instrument; 2] {
        [Instrument::dash_2009(), Instrument::dash_2009_partner()]
    }

    /// A built-in instrument by id.
    pub fn builtin_by_id(id: &str) -> Option<&'static Instrument> {
        Instrument::builtin().into_iter().find(|i| i.id == id)
    }
}

contract_strings!(Domain, "domain", 15, [
    PhysicalHarm => "physical_harm",
    Fear => "fear",
    CoerciveControl => "coercive_control",
    Stalking => "stalking",
    Sexual => "sexual",
    Threats => "threats",
    Children => "children",
    Pregnancy => "pregnancy",
    Escalation => "escalation",
    Separation => "separation",
    VictimWellbeing => "victim_wellbeing",
    Economic => "economic",
    ThirdPartyThreat => "third_party_threat",
    PerpetratorHistory => "perpetrator_history",
    PerpetratorWellbeing => "perpetrator_wellbeing",
]);
contract_strings!(Marker, "marker", 12, [
    Fear => "fear",
    PowerImbalance => "power_imbalance",
    Violence => "violence",
    Stalking => "stalking",
    ChildHarm => "child_harm",
    Weapon => "weapon",
    ThreatToKill => "threat_to_kill",
    Strangulation => "strangulation",
    SexualAbuse => "sexual_abuse",
    BlocksConflict => "blocks_conflict",
    ChildrenInHousehold => "children_in_household",
    HonourBasedPrompt => "honour_based_prompt",
]);
contract_strings!(Gate, "gate", 3, [
    Fear => "fear",
    PowerImbalance => "power_imbalance",
    Harm => "harm",
]);

use Domain as D;
use Marker as M;

/// The DASH 2009 police form: (number, paraphrased label, domains, markers).
/// Items 12–27 follow a paraphrased public list (see docs/instrument.md); the labels
/// are ours, not the form's wording.
const DASH_ITEMS: [(u32, &str, &[Domain], &[Marker]); 27] = [
    (
        1,
        "Injury in the current incident",
        &[D::PhysicalHarm],
        &[M::Violence],
    ),
    (2, "Victim very frightened", &[D::Fear], &[M::Fear]),
    (
        3,
        "Victim afraid of further harm (to self, children or others)",
        &[D::Fear],
        &[M::Fear],
    ),
    (
        4,
        "Victim isolated from family or friends",
        &[D::CoerciveControl],
        &[M::PowerImbalance, M::HonourBasedPrompt],
    ),
    (
        5,
        "Victim depressed or having suicidal thoughts",
        &[D::VictimWellbeing],
        &[],
    ),
    (
        6,
        "Separated or tried to separate in the past year",
        &[D::Separation],
        &[],
    ),
    (
        7,
        "Conflict over child contact",
        &[D::Separation, D::Children],
        &[],
    ),
    (
        8,
        "Constant contact, following, stalking or harassment",
        &[D::Stalking, D::CoerciveControl],
        &[M::Stalking],
    ),
    (
        9,
        "Pregnant, or a baby in the past 18 months",
        &[D::Pregnancy],
        &[],
    ),
    (
        10,
        "Children not the abuser's, or other dependants, in the household",
        &[D::Children],
        &[M::ChildrenInHousehold],
    ),
    (
        11,
        "Abuser has hurt the children or dependants",
        &[D::Children, D::PhysicalHarm],
        &[M::ChildHarm],
    ),
    (
        12,
        "Abuser has threatened to hurt or kill the children or dependants",
        &[D::Children, D::Threats],
        &[M::ChildHarm, M::ThreatToKill],
    ),
    (
        13,
        "Abuse happening more often",
        &[D::Escalation],
        &[M::BlocksConflict],
    ),
    (
        14,
        "Abuse getting worse",
        &[D::Escalation],
        &[M::BlocksConflict],
    ),
    (
        15,
        "Abuser tries to control everything or is excessively jealous",
        &[D::CoerciveControl],
        &[M::PowerImbalance],
    ),
    (
        16,
        "Abuser has used weapons or objects to hurt",
        &[D::PhysicalHarm],
        &[M::Weapon],
    ),
    (
        17,
        "Abuser has threatened to kill someone and was believed",
        &[D::Threats],
        &[M::ThreatToKill],
    ),
    (
        18,
        "Attempted strangulation, choking, suffocation or drowning",
        &[D::PhysicalHarm],
        &[M::Strangulation],
    ),
    (
        19,
        "Sexual acts or words that made the victim feel bad or hurt",
        &[D::Sexual],
        &[M::SexualAbuse],
    ),
    (
        20,
        "Another person has threatened the victim, or the victim fears them",
        &[D::ThirdPartyThreat],
        &[M::BlocksConflict, M::HonourBasedPrompt],
    ),
    (
        21,
        "Abuser known to have hurt anyone else",
        &[D::PerpetratorHistory],
        &[M::BlocksConflict],
    ),
    (
        22,
        "Abuser has mistreated an animal or pet",
        &[D::PerpetratorHistory],
        &[M::BlocksConflict],
    ),
    (
        23,
        "Financial issues, or dependence on the abuser",
        &[D::Economic],
        &[],
    ),
    (
        24,
        "Abuser's drug, alcohol or mental-health problems in the past year",
        &[D::PerpetratorWellbeing],
        &[],
    ),
    (
        25,
        "Abuser has threatened or attempted suicide",
        &[D::PerpetratorWellbeing],
        &[M::BlocksConflict],
    ),
    (
        26,
        "Abuser broke bail, an injunction or a contact agreement",
        &[D::PerpetratorHistory],
        &[M::BlocksConflict],
    ),
    (
        27,
        "Abuser in trouble with the police or has a criminal history",
        &[D::PerpetratorHistory],
        &[],
    ),
];

fn build_dash(id: &str, partner: bool) -> Instrument {
    let mut questions = Vec::new();
    for (number, text, domains, markers) in DASH_ITEMS {
        // The partner-agency form leaves out the police form's children/dependants
        // items 10–12 and prints the rest as 1–24.
        if partner && (10..=12).contains(&number) {
            continue;
        }
        questions.push(Question {
            id: format!("q{number}"),
            number: questions.len() as u32 + 1,
            text: text.to_string(),
            domains: domains.to_vec(),
            markers: markers.to_vec(),
        });
    }
    let (name, source) = if partner {
        (
            "DASH 2009 risk checklist, partner-agency form (24 questions)",
            "Paraphrased labels keyed to the DASH (2009) partner-agency form; DASH (2009) © Laura Richards. Ids follow the police form (q1–q9, q13–q27).",
        )
    } else {
        (
            "DASH 2009 risk checklist, police form (27 questions)",
            "Paraphrased labels keyed to the DASH (2009) police form; DASH (2009) © Laura Richards, not reproduced.",
        )
    };
    Instrument {
        format_version: INSTRUMENT_FORMAT_VERSION,
        id: id.to_string(),
        name: name.to_string(),
        source: source.to_string(),
        based_on: None,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid_and_sized() {
        let police = Instrument::dash_2009();
        let partner = Instrument::dash_2009_partner();
        police.validate().unwrap();
        partner.validate().unwrap();
        assert_eq!(police.questions.len(), 27);
        assert_eq!(partner.questions.len(), 24);
        assert!(partner.question("q10").is_none());
        assert_eq!(partner.question("q13").unwrap().number, 10);
        assert!(police.asks_about_children());
    }

    #[test]
    fn gate_items_match_the_issue() {
        let police = Instrument::dash_2009();
        let ids = |g: Gate| -> Vec<&str> {
            police
                .questions
                .iter()
                .filter(|q| q.fires(g))
                .map(|q| q.id.as_str())
                .collect()
        };
        assert_eq!(ids(Gate::Fear), ["q2", "q3"]);
        assert_eq!(ids(Gate::PowerImbalance), ["q4", "q15"]);
        assert_eq!(
            ids(Gate::Harm),
            ["q1", "q8", "q11", "q12", "q16", "q17", "q18", "q19"]
        );
    }

    #[test]
    fn blockers_match_the_safety_rules_on_both_forms() {
        for inst in Instrument::builtin() {
            let blockers: Vec<&str> = inst
                .questions
                .iter()
                .filter(|q| q.has(Marker::BlocksConflict))
                .map(|q| q.id.as_str())
                .collect();
            assert_eq!(
                blockers,
                ["q13", "q14", "q20", "q21", "q22", "q25", "q26"],
                "{}",
                inst.id
            );
            // A blocker never fires a gate.
            assert!(inst
                .questions
                .iter()
                .filter(|q| q.has(Marker::BlocksConflict))
                .all(|q| !q.is_gate_item()));
            // The items compatible with parental conflict carry no marker that
            // rules it out.
            for id in ["q5", "q6", "q7", "q9", "q10", "q23", "q24", "q27"] {
                if let Some(q) = inst.question(id) {
                    assert!(!q.is_gate_item() && !q.has(Marker::BlocksConflict), "{id}");
                }
            }
        }
    }

    #[test]
    fn marker_domain_and_gate_strings_match_serde() {
        for m in Marker::ALL {
            assert_eq!(serde_json::to_value(m).unwrap().as_str(), Some(m.as_str()));
            assert_eq!(m.to_string().parse::<Marker>().unwrap(), m);
        }
        for d in Domain::ALL {
            assert_eq!(serde_json::to_value(d).unwrap().as_str(), Some(d.as_str()));
        }
        for g in Gate::ALL {
            assert_eq!(serde_json::to_value(g).unwrap().as_str(), Some(g.as_str()));
        }
        assert_eq!(
            "declined".parse::<crate::Answer>().unwrap(),
            crate::Answer::Declined
        );
        assert!("maybe".parse::<crate::Answer>().is_err());
    }

    #[test]
    fn a_form_based_on_a_builtin_keeps_its_markers() {
        let mut official = Instrument::dash_2009().clone();
        official.id = "dash-2009-official".into();
        official.based_on = Some(DASH_2009.into());
        official.validate().unwrap();
        // Adding markers is allowed.
        official.questions[4].markers.push(Marker::BlocksConflict);
        official.validate().unwrap();
        // Dropping strangulation's marker is refused, naming the id and the marker.
        let q18 = official
            .questions
            .iter()
            .position(|q| q.id == "q18")
            .unwrap();
        official.questions[q18].markers.clear();
        let err = official.validate().unwrap_err().to_string();
        assert!(
            err.contains("q18") && err.contains("\"strangulation\""),
            "{err}"
        );
        // Without based_on the same form is only held to the fear/power floor.
        official.based_on = None;
        official.validate().unwrap();
        // An unknown base is refused.
        official.based_on = Some("dash-2031".into());
        let err = official.validate().unwrap_err().to_string();
        assert!(
            err.contains("based_on") && err.contains("dash-2009"),
            "{err}"
        );
    }

    #[test]
    fn question_id_shapes() {
        assert!(is_question_id("q1"));
        assert!(is_question_id("q27"));
        assert!(!is_question_id("Q1"));
        assert!(!is_question_id("q01"));
        assert!(!is_question_id("q"));
        assert!(looks_like_question("Q2 "));
        assert!(looks_like_question("q_28"));
        assert!(!looks_like_question("quality"));
    }

    #[test]
    fn custom_instrument_rules() {
        let base = |qs: &str| {
            format!(r#"{{"format_version":1,"id":"x","name":"X","source":"s","questions":[{qs}]}}"#)
        };
        let ok = r#"{"id":"q1","number":1,"text":"t","domains":["fear"],"markers":["fear"]},
                    {"id":"q2","number":2,"text":"c","domains":["coercive_control"],"markers":["power_imbalance"]}"#;
        assert!(Instrument::from_json(&base(ok)).is_ok());
        let no_power = r#"{"id":"q1","number":1,"text":"t","domains":["fear"],"markers":["fear"]}"#;
        let err = Instrument::from_json(&base(no_power)).unwrap_err();
        assert!(err.to_string().contains("power_imbalance"), "{err}");
        let dup = format!("{no_power},{ok}");
        assert!(matches!(
            Instrument::from_json(&base(&dup)),
            Err(ArtefactError::Invalid { .. })
        ));
        let bad_id = r#"{"id":"Q1","number":1,"text":"t","domains":["fear"]}"#;
        assert!(Instrument::from_json(&base(bad_id)).is_err());
        let no_domain = r#"{"id":"q1","number":1,"text":"t","domains":[]}"#;
        assert!(Instrument::from_json(&base(no_domain)).is_err());
        let typo = r#"{"id":"q3","number":3,"text":"t","domains":["fear"],"marker":["fear"]}"#;
        let typo = format!("{ok},{typo}");
        assert!(matches!(
            Instrument::from_json(&base(&typo)),
            Err(ArtefactError::Malformed { .. })
        ));
        let v2 = base(ok).replace("\"format_version\":1", "\"format_version\":2");
        assert!(matches!(
            Instrument::from_json(&v2),
            Err(ArtefactError::Version { found: 2, .. })
        ));
    }
}
