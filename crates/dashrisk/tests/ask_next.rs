//! "Ask next" ([`Scorer::decisive_questions`]) as properties over arbitrary records,
//! on both built-in forms and on generated custom forms, checked through the input
//! contract (the record as JSON, the listed field set to the listed value, parsed
//! and assessed again), not through the function's own code path:
//!
//! - each listed question's `if_yes` and `if_no` are what recording its
//!   `yes_value` and `no_value` gives, and `decides` is exactly what differs from
//!   the outcome now;
//! - every not-known question of the form, not-known screen question and unknown
//!   context field that is *not* listed changes nothing either way;
//! - the list is ordered by the most important thing decided, then by how many
//!   things, then in the form's order;
//! - only unanswered questions are listed.

#[path = "support/arb.rs"]
mod arb;

use arb::*;
use dashrisk::ask::{Decides, Outcome};
use dashrisk::*;
use proptest::prelude::*;
use serde_json::Value;

/// The record as input-contract JSON with `field` (a dotted path) set to `value`.
fn with(a: &Assessment, field: &str, value: &Value) -> Value {
    let mut j = serde_json::to_value(a).unwrap();
    let (head, tail) = field.split_once('.').unwrap();
    let obj = j
        .as_object_mut()
        .unwrap()
        .entry(head)
        .or_insert_with(|| Value::Object(Default::default()));
    if obj.is_null() {
        *obj = Value::Object(Default::default());
    }
    obj.as_object_mut()
        .unwrap()
        .insert(tail.into(), value.clone());
    j
}

fn outcome_with(s: &Scorer, a: &Assessment, field: &str, value: &Value) -> Outcome {
    let j = with(a, field, value);
    let b = s.parse_value(&j).expect("the changed record parses");
    Outcome::of(&s.assess(&b).expect("the changed record assesses"))
}

/// Every candidate field for this record, with its two values, as the documentation
/// of `dashrisk::ask` lists them.
fn candidates(s: &Scorer, a: &Assessment) -> Vec<(String, Value, Value)> {
    let inst = s.instrument(&a.instrument).unwrap();
    let mut c: Vec<(String, Value, Value)> = inst
        .questions
        .iter()
        .filter(|q| a.answer(&q.id) == Answer::NotKnown)
        .map(|q| (format!("answers.{}", q.id), "yes".into(), "no".into()))
        .collect();
    let sc = &a.conflict_screen;
    for (name, ans) in [
        ("fear", sc.fear),
        ("power_imbalance", sc.power_imbalance),
        ("children_exposed", sc.children_exposed),
    ] {
        if ans == Answer::NotKnown {
            c.push((format!("conflict_screen.{name}"), "yes".into(), "no".into()));
        }
    }
    if a.context.children_in_household.is_none() {
        c.push((
            "context.children_in_household".into(),
            true.into(),
            false.into(),
        ));
    }
    if a.context.prior_incidents_12m.is_none() {
        let many = s
            .policy()
            .grading
            .escalation_incidents
            .saturating_sub(1)
            .max(1);
        c.push(("context.prior_incidents_12m".into(), many.into(), 0.into()));
    }
    c
}

/// What differs between two outcomes, written out here rather than through
/// `Outcome::differences`, so that the test does not lean on the code it checks.
fn differs(now: &Outcome, other: &Outcome) -> Vec<Decides> {
    let mut d = Vec::new();
    if now.classification != other.classification {
        d.push(Decides::Classification);
    }
    if now.risk_level != other.risk_level {
        d.push(Decides::RiskLevel);
    }
    if now.marac_referral != other.marac_referral {
        d.push(Decides::Marac);
    }
    if (now.csc_notification, now.school_notification)
        != (other.csc_notification, other.school_notification)
    {
        d.push(Decides::Notifications);
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn ask_next_lists_exactly_the_answers_that_change_the_outcome((s, a) in any_case()) {
        let now = Outcome::of(&s.assess(&a).unwrap());
        let listed = s.decisive_questions(&a).unwrap();
        let cands = candidates(&s, &a);
        for q in &listed {
            let c = cands.iter().find(|c| c.0 == q.field);
            prop_assert!(c.is_some(), "{} is listed but is not unanswered", q.field);
            let (_, yes, no) = c.unwrap();
            prop_assert_eq!(&q.yes_value, yes);
            prop_assert_eq!(&q.no_value, no);
            let if_yes = outcome_with(&s, &a, &q.field, yes);
            let if_no = outcome_with(&s, &a, &q.field, no);
            prop_assert_eq!(q.if_yes, if_yes, "{} = yes", q.field);
            prop_assert_eq!(q.if_no, if_no, "{} = no", q.field);
            let mut want = differs(&now, &if_yes);
            for d in differs(&now, &if_no) {
                if !want.contains(&d) {
                    want.push(d);
                }
            }
            want.sort();
            prop_assert!(!want.is_empty());
            prop_assert_eq!(&q.decides, &want, "{}", q.field);
        }
        for (field, yes, no) in &cands {
            if listed.iter().any(|q| &q.field == field) {
                continue;
            }
            prop_assert_eq!(outcome_with(&s, &a, field, yes), now, "{} = yes changes the outcome but is not listed", field);
            prop_assert_eq!(outcome_with(&s, &a, field, no), now, "{} = no changes the outcome but is not listed", field);
        }
        // Ordered by the most important thing decided, then by how many things,
        // then in the form's order: the form's questions, the screen (fear, power,
        // exposure), children in the household, earlier incidents.
        let inst = s.instrument(&a.instrument).unwrap();
        let n = inst.questions.len();
        let rank = |field: &str| -> usize {
            match field.split_once('.').unwrap() {
                ("answers", q) => inst.questions.iter().position(|x| x.id == q).unwrap(),
                (_, "fear") => n,
                (_, "power_imbalance") => n + 1,
                (_, "children_exposed") => n + 2,
                (_, "children_in_household") => n + 3,
                _ => n + 4,
            }
        };
        for w in listed.windows(2) {
            let key = |q: &dashrisk::ask::DecisiveQuestion| {
                (q.decides[0], std::cmp::Reverse(q.decides.len()), rank(&q.field))
            };
            prop_assert!(key(&w[0]) < key(&w[1]), "{} before {}", w[0].field, w[1].field);
        }
    }
}

#[test]
fn an_unclear_record_with_gate_questions_open_lists_them_first() {
    let s = Scorer::default();
    let a = s
        .parse_json(
            r#"{"answers": {"q1": "no", "q2": "no", "q4": "no", "q15": "no", "q16": "no",
                "q17": "no", "q18": "no", "q19": "no", "q11": "no", "q12": "no"},
                "conflict_screen": {"fear": "no", "power_imbalance": "no"},
                "context": {"children_in_household": true, "prior_incidents_12m": 0}}"#,
        )
        .unwrap();
    assert_eq!(
        s.assess(&a).unwrap().classification,
        Classification::Unclear
    );
    let next = s.decisive_questions(&a).unwrap();
    assert!(!next.is_empty());
    assert_eq!(next[0].decides[0], Decides::Classification);
    let q3 = next.iter().find(|q| q.field == "answers.q3").unwrap();
    assert_eq!(q3.if_yes.classification, Classification::DomesticAbuse);
    // A fully answered record has nothing to ask.
    let mut full = a.clone();
    for q in &s.instrument("dash-2009").unwrap().questions {
        full.answers.entry(q.id.clone()).or_insert(Answer::No);
    }
    full.conflict_screen.children_exposed = Answer::No;
    assert!(s.decisive_questions(&full).unwrap().is_empty());
}

#[test]
fn screen_questions_that_decide_alike_come_in_the_forms_order() {
    // Every question answered no; fear, power and exposure not known. Each of the
    // first two alone decides the classification: fear comes first, then power,
    // after every form question that decides alike.
    let s = Scorer::default();
    let mut a = Assessment::default();
    for q in &s.instrument("dash-2009").unwrap().questions {
        a.answers.insert(q.id.clone(), Answer::No);
    }
    a.context.children_in_household = Some(true);
    a.context.prior_incidents_12m = Some(0);
    let next = s.decisive_questions(&a).unwrap();
    let fields: Vec<&str> = next.iter().map(|q| q.field.as_str()).collect();
    let fear = fields
        .iter()
        .position(|f| *f == "conflict_screen.fear")
        .unwrap();
    let power = fields
        .iter()
        .position(|f| *f == "conflict_screen.power_imbalance")
        .unwrap();
    assert_eq!(next[fear].decides, next[power].decides);
    assert!(fear < power, "{fields:?}");
}
