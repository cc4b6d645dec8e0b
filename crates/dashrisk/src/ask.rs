//! "Ask next": the unanswered questions whose answer would change the outcome
//! ([`Scorer::decisive_questions`]).
//!
//! Candidates are every question of the record's form answered *not known*, the
//! conflict screen's fear, power-imbalance and children-exposed questions when not
//! known, whether children live in the household when not known, and the number of
//! earlier incidents in the past 12 months when not known. Each is tried both ways
//! (a question "yes" and "no"; children yes and no; earlier incidents
//! "escalation_incidents − 1 or more", the count that with this incident meets the
//! potential-escalation criterion, and none). A candidate is decisive when either
//! answer changes the classification, the risk level, the MARAC referral or a
//! notification (children's social care, or the school). Decisive questions come
//! first by the most important thing they decide (classification, then level, then
//! MARAC, then notifications), then by how many things they decide, then in the
//! form's order.
//!
//! Each answer is tried on its own, with every other answer as recorded: two answers
//! that matter only together are not found. *Declined* answers are not candidates:
//! the victim was asked.

use crate::answers::{Answer, Assessment};
use crate::error::InputError;
use crate::result::{AssessmentResult, Classification, RiskLevel};
use crate::scorer::{AssessOptions, Scorer};
use serde::{Deserialize, Serialize};

/// What an answer would decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decides {
    /// The classification (parental conflict, unclear, domestic abuse).
    Classification,
    /// The risk level.
    RiskLevel,
    /// The MARAC referral.
    Marac,
    /// A notification to children's social care or the school.
    Notifications,
}

/// The outcome a recorded answer would lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The classification.
    pub classification: Classification,
    /// The risk level.
    pub risk_level: RiskLevel,
    /// Whether a MARAC referral is indicated.
    pub marac_referral: bool,
    /// Whether to notify children's social care.
    pub csc_notification: bool,
    /// Whether to notify the child's school.
    pub school_notification: bool,
}

impl Outcome {
    /// The outcome of a result.
    pub fn of(r: &AssessmentResult) -> Outcome {
        Outcome {
            classification: r.classification,
            risk_level: r.risk_level,
            marac_referral: r.marac_referral,
            csc_notification: r.csc_notification,
            school_notification: r.school_notification,
        }
    }

    /// What differs between `self` and `other`, most important first.
    pub fn differences(&self, other: &Outcome) -> Vec<Decides> {
        let mut d = Vec::new();
        if self.classification != other.classification {
            d.push(Decides::Classification);
        }
        if self.risk_level != other.risk_level {
            d.push(Decides::RiskLevel);
        }
        if self.marac_referral != other.marac_referral {
            d.push(Decides::Marac);
        }
        if self.csc_notification != other.csc_notification
            || self.school_notification != other.school_notification
        {
            d.push(Decides::Notifications);
        }
        d
    }
}

/// An unanswered question whose answer would change the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisiveQuestion {
    /// Where the answer goes in the input contract: `answers.q3`,
    /// `conflict_screen.fear`, `context.children_in_household`,
    /// `context.prior_incidents_12m`.
    pub field: String,
    /// The question, in words.
    pub text: String,
    /// What its answer would decide, most important first.
    pub decides: Vec<Decides>,
    /// The value recorded for "yes" (`"yes"`, `true`, or a count).
    pub yes_value: serde_json::Value,
    /// The outcome with that value.
    pub if_yes: Outcome,
    /// The value recorded for "no" (`"no"`, `false`, or 0).
    pub no_value: serde_json::Value,
    /// The outcome with that value.
    pub if_no: Outcome,
}

/// Records a candidate's "yes" (`true`) or "no" (`false`) on a record.
type Setter = Box<dyn Fn(&mut Assessment, bool)>;

/// One candidate: its field, text, the two values, and how to record each.
struct Candidate {
    field: String,
    text: String,
    order: usize,
    yes_value: serde_json::Value,
    no_value: serde_json::Value,
    set: Setter,
}

impl Scorer {
    /// The unanswered questions whose answer would change the classification, the
    /// risk level, the MARAC referral or a notification, most decisive first (the
    /// module documentation, [`crate::ask`], gives the rules). Empty when no single
    /// answer would change anything. Errors as [`Scorer::assess`].
    ///
    /// ```
    /// use dashrisk::{Assessment, Answer, Classification, Scorer};
    /// use dashrisk::ask::Decides;
    /// let scorer = Scorer::default();
    /// let a = scorer.parse_json(r#"{
    ///     "answers": {"q1": "no", "q2": "no", "q4": "no", "q15": "no", "q16": "no",
    ///                 "q17": "no", "q18": "no", "q19": "no", "q11": "no", "q12": "no"},
    ///     "conflict_screen": {"fear": "no", "power_imbalance": "no"},
    ///     "context": {"children_in_household": true, "prior_incidents_12m": 0}
    /// }"#).unwrap();
    /// assert_eq!(scorer.assess(&a).unwrap().classification, Classification::Unclear);
    /// let next = scorer.decisive_questions(&a).unwrap();
    /// // q3 (afraid of further harm) is a gate question left unanswered.
    /// let q3 = next.iter().find(|q| q.field == "answers.q3").unwrap();
    /// assert_eq!(q3.decides[0], Decides::Classification);
    /// assert_eq!(q3.if_yes.classification, Classification::DomesticAbuse);
    /// ```
    pub fn decisive_questions(&self, a: &Assessment) -> Result<Vec<DecisiveQuestion>, InputError> {
        let options = AssessOptions { reason_text: false };
        let now = Outcome::of(&self.assess_with(a, &options)?);
        let inst = self
            .instrument(&a.instrument)
            .expect("an assessed record's instrument is known");
        let mut candidates: Vec<Candidate> = Vec::new();
        for (i, q) in inst.questions.iter().enumerate() {
            if a.answer(&q.id) == Answer::NotKnown {
                let id = q.id.clone();
                candidates.push(Candidate {
                    field: format!("answers.{}", q.id),
                    text: q.text.clone(),
                    order: i,
                    yes_value: "yes".into(),
                    no_value: "no".into(),
                    set: Box::new(move |a, yes| {
                        a.answers
                            .insert(id.clone(), if yes { Answer::Yes } else { Answer::No });
                    }),
                });
            }
        }
        let base = inst.questions.len();
        type Screen = fn(&mut Assessment) -> &mut Answer;
        let screen: [(&str, &str, Screen); 3] = [
            ("fear", "Is either parent afraid of the other?", |a| {
                &mut a.conflict_screen.fear
            }),
            (
                "power_imbalance",
                "Is there an imbalance of power, or does one parent control the other?",
                |a| &mut a.conflict_screen.power_imbalance,
            ),
            (
                "children_exposed",
                "Were children present at, or exposed to, the incident?",
                |a| &mut a.conflict_screen.children_exposed,
            ),
        ];
        for (k, (name, text, get)) in screen.into_iter().enumerate() {
            let mut probe = a.clone();
            if *get(&mut probe) == Answer::NotKnown {
                candidates.push(Candidate {
                    field: format!("conflict_screen.{name}"),
                    text: text.into(),
                    order: base + k,
                    yes_value: "yes".into(),
                    no_value: "no".into(),
                    set: Box::new(move |a, yes| {
                        *get(a) = if yes { Answer::Yes } else { Answer::No };
                    }),
                });
            }
        }
        if a.context.children_in_household.is_none() {
            candidates.push(Candidate {
                field: "context.children_in_household".into(),
                text: "Do children live in the household?".into(),
                order: base + 3,
                yes_value: true.into(),
                no_value: false.into(),
                set: Box::new(|a, yes| a.context.children_in_household = Some(yes)),
            });
        }
        if a.context.prior_incidents_12m.is_none() {
            let many = self
                .policy()
                .grading
                .escalation_incidents
                .saturating_sub(1)
                .max(1);
            candidates.push(Candidate {
                field: "context.prior_incidents_12m".into(),
                text: format!(
                    "Earlier domestic incidents in the past 12 months ({many} or more, or none)?"
                ),
                order: base + 4,
                yes_value: many.into(),
                no_value: 0.into(),
                set: Box::new(move |a, yes| {
                    a.context.prior_incidents_12m = Some(if yes { many } else { 0 });
                }),
            });
        }
        let mut out: Vec<(usize, DecisiveQuestion)> = Vec::new();
        for c in candidates {
            let outcome = |yes: bool| -> Result<Outcome, InputError> {
                let mut probe = a.clone();
                (c.set)(&mut probe, yes);
                Ok(Outcome::of(&self.assess_with(&probe, &options)?))
            };
            let (if_yes, if_no) = (outcome(true)?, outcome(false)?);
            let mut decides = now.differences(&if_yes);
            for d in now.differences(&if_no) {
                if !decides.contains(&d) {
                    decides.push(d);
                }
            }
            decides.sort();
            if decides.is_empty() {
                continue;
            }
            out.push((
                c.order,
                DecisiveQuestion {
                    field: c.field,
                    text: c.text,
                    decides,
                    yes_value: c.yes_value,
                    if_yes,
                    no_value: c.no_value,
                    if_no,
                },
            ));
        }
        out.sort_by(|(oa, a), (ob, b)| {
            a.decides[0]
                .cmp(&b.decides[0])
                .then(b.decides.len().cmp(&a.decides.len()))
                .then(oa.cmp(ob))
        });
        Ok(out.into_iter().map(|(_, q)| q).collect())
    }
}
