//! The safety invariants of DEVELOPERS.md as property tests over arbitrary valid
//! assessments (both built-in forms, every answer value, missing answers, arbitrary
//! screen, context and officer judgement):
//!
//! - fear or power imbalance never yields "parental conflict";
//! - not known / declined is never treated as no;
//! - an added "yes" never lowers the risk level or the abuse probability;
//! - professional judgement never lowers the level;
//! - results are deterministic;
//! - serde round-trips (input contract and results);
//! - nothing panics on arbitrary text or JSON;
//! - the record limits are exact: a record is `too_large` exactly when it is over
//!   the size or depth limit, by text, decoded value or flat row;
//! - the text and decoded-value paths agree on any JSON value;
//! - nested `json_normalize` column names read as the JSON record, on every form.

use dashrisk::instrument::Gate;
use dashrisk::*;
use proptest::prelude::*;

#[path = "support/arb.rs"]
mod arb;
use arb::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn fear_or_power_imbalance_never_yields_conflict(mut a in assessment(), pick in any::<prop::sample::Index>(), screen_pick in 0usize..3) {
        // Put a "yes" on one fear/power item (instrument or screen).
        let items = gate_items(&a, &[Gate::Fear, Gate::PowerImbalance]);
        match screen_pick {
            0 => a.conflict_screen.fear = Answer::Yes,
            1 => a.conflict_screen.power_imbalance = Answer::Yes,
            _ => { a.answers.insert(pick.get(&items).clone(), Answer::Yes); }
        }
        let r = assess(&a);
        prop_assert_eq!(r.classification, Classification::DomesticAbuse);
        prop_assert_ne!(r.recording_category, RecordingCategory::ParentalConflict);
        prop_assert!(!r.pathways.contains(Pathway::RpcSupport));
    }

    #[test]
    fn conflict_only_when_fear_and_power_answered_no(a in assessment()) {
        let r = assess(&a);
        if r.classification == Classification::ParentalConflict {
            for id in gate_items(&a, &[Gate::Fear, Gate::PowerImbalance]) {
                prop_assert_eq!(a.answer(&id), Answer::No, "{} not answered no", id);
            }
            for id in gate_items(&a, &[Gate::Harm]) {
                prop_assert_ne!(a.answer(&id), Answer::Yes);
            }
            prop_assert_eq!(a.conflict_screen.fear, Answer::No);
            prop_assert_eq!(a.conflict_screen.power_imbalance, Answer::No);
            prop_assert!(r.p_abuse.is_some_and(|p| p < scorer().conflict_threshold()));
            prop_assert_eq!(r.risk_level, RiskLevel::Standard);
            prop_assert!(!r.marac_referral && !r.csc_notification && !r.school_notification);
        }
    }

    #[test]
    fn unknown_fear_or_power_item_never_yields_conflict(mut a in assessment(), pick in any::<prop::sample::Index>(), declined in any::<bool>(), screen_pick in 0usize..3) {
        let unknown = if declined { Answer::Declined } else { Answer::NotKnown };
        let items = gate_items(&a, &[Gate::Fear, Gate::PowerImbalance]);
        match screen_pick {
            0 => a.conflict_screen.fear = Answer::NotKnown,
            1 => a.conflict_screen.power_imbalance = Answer::NotKnown,
            _ => { a.answers.insert(pick.get(&items).clone(), unknown); }
        }
        prop_assert_ne!(assess(&a).classification, Classification::ParentalConflict);
    }

    #[test]
    fn unknown_is_never_read_as_no(a in assessment(), pick in any::<prop::sample::Index>(), how in 0usize..3) {
        // From "no" to not known / declined / left out, and on to "yes": never less
        // cautious, and the points never fall (unknown scores between no and yes).
        let ids = question_ids(&a);
        let id = pick.get(&ids).clone();
        let mut no = a.clone();
        no.answers.insert(id.clone(), Answer::No);
        let mut unknown = a.clone();
        match how {
            0 => { unknown.answers.insert(id.clone(), Answer::NotKnown); }
            1 => { unknown.answers.insert(id.clone(), Answer::Declined); }
            _ => { unknown.answers.remove(&id); }
        }
        let mut yes = a.clone();
        yes.answers.insert(id.clone(), Answer::Yes);
        let (rn, ru, ry) = (assess(&no), assess(&unknown), assess(&yes));
        no_less_cautious(&rn, &ru)?;
        no_less_cautious(&ru, &ry)?;
        prop_assert!(ru.points >= rn.points, "points fell: {:?} -> {:?}", rn.points, ru.points);
        prop_assert!(ry.points >= ru.points, "points fell: {:?} -> {:?}", ru.points, ry.points);
        prop_assert_eq!(ru.yes_count, rn.yes_count);
        prop_assert_eq!(ru.not_known_count + ru.declined_count, rn.not_known_count + rn.declined_count + 1);
    }

    #[test]
    fn unknown_screen_and_context_are_never_read_as_no(a in assessment(), which in 0usize..3) {
        let mut no = a.clone();
        let mut unknown = a.clone();
        match which {
            0 => { no.conflict_screen.fear = Answer::No; unknown.conflict_screen.fear = Answer::NotKnown; }
            1 => { no.conflict_screen.power_imbalance = Answer::No; unknown.conflict_screen.power_imbalance = Answer::NotKnown; }
            _ => { no.context.prior_incidents_12m = Some(0); unknown.context.prior_incidents_12m = None; }
        }
        let (rn, ru) = (assess(&no), assess(&unknown));
        no_less_cautious(&rn, &ru)?;
        prop_assert!(ru.points >= rn.points);
    }

    #[test]
    fn an_added_yes_never_lowers_risk_or_abuse_probability(a in assessment(), pick in any::<prop::sample::Index>(), screen_pick in 0usize..4) {
        let mut yes = a.clone();
        match screen_pick {
            0 => yes.conflict_screen.fear = Answer::Yes,
            1 => yes.conflict_screen.power_imbalance = Answer::Yes,
            _ => {
                let ids = question_ids(&a);
                yes.answers.insert(pick.get(&ids).clone(), Answer::Yes);
            }
        }
        let (before, after) = (assess(&a), assess(&yes));
        no_less_cautious(&before, &after)?;
        prop_assert!(after.yes_count >= before.yes_count);
        prop_assert!(after.points >= before.points);
    }

    #[test]
    fn more_prior_incidents_never_lower_risk(a in assessment(), extra in 1u32..5) {
        let mut more = a.clone();
        more.context.prior_incidents_12m = Some(a.context.prior_incidents_12m.unwrap_or(0) + extra);
        let mut base = a.clone();
        base.context.prior_incidents_12m = Some(a.context.prior_incidents_12m.unwrap_or(0));
        no_less_cautious(&assess(&base), &assess(&more))?;
    }

    #[test]
    fn judgement_may_raise_but_never_lowers(a in assessment(), j in level()) {
        let mut without = a.clone();
        without.officer_judgement = None;
        let mut with = a.clone();
        with.officer_judgement = Some(j);
        let (r0, r1) = (assess(&without), assess(&with));
        prop_assert_eq!(r1.actuarial_level, r0.actuarial_level);
        prop_assert_eq!(r1.risk_level, r0.actuarial_level.max(j));
        prop_assert!(r1.risk_level >= r0.risk_level);
        no_less_cautious(&r0, &r1)?;
        prop_assert_eq!(r1.marac_criteria.contains(MaracCriterion::ProfessionalJudgement), j == RiskLevel::High);
    }

    #[test]
    fn results_are_deterministic(a in assessment()) {
        let r1 = assess(&a);
        let r2 = assess(&a);
        let r3 = std::thread::spawn({
            let a = a.clone();
            move || Scorer::default().assess(&a).unwrap()
        }).join().unwrap();
        prop_assert_eq!(&r1, &r2);
        prop_assert_eq!(&r1, &r3);
    }

    #[test]
    fn contract_and_results_round_trip_through_json(a in assessment()) {
        // The serde form of an Assessment is a valid contract record.
        let json = serde_json::to_string(&a).unwrap();
        let back = scorer().parse_json(&json).unwrap();
        prop_assert_eq!(&back, &a);
        let r = assess(&a);
        let rj = serde_json::to_string(&r).unwrap();
        let rback: AssessmentResult = serde_json::from_str(&rj).unwrap();
        prop_assert_eq!(rback, r);
    }

    #[test]
    fn risk_level_follows_the_count(a in assessment()) {
        let r = assess(&a);
        let g = &scorer().policy().grading;
        let expected = if r.yes_count >= g.high_from { RiskLevel::High }
            else if r.yes_count >= g.medium_from { RiskLevel::Medium }
            else { RiskLevel::Standard };
        prop_assert_eq!(r.actuarial_level, expected);
        prop_assert_eq!(r.marac_criteria.contains(MaracCriterion::VisibleHighRisk), r.yes_count >= g.high_from);
        prop_assert_eq!(r.marac_referral, !r.marac_criteria.is_empty());
        prop_assert!(r.p_abuse.is_some_and(|p| p > 0.0 && p < 1.0));
    }

    #[test]
    fn calibration_is_monotone(s1 in -5.0f64..60.0, s2 in -5.0f64..60.0) {
        let cal = scorer().calibration();
        let (lo, hi) = if s1 <= s2 { (s1, s2) } else { (s2, s1) };
        for f in &cal.forms {
            prop_assert!(cal.p(f, lo) <= cal.p(f, hi));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = scorer().parse_json(&text).and_then(|a| scorer().assess(&a));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = scorer().assess_json_line(1, &bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let _ = scorer().parse_value(&v).and_then(|a| scorer().assess(&a));
        // Also nested where a record's parts belong.
        for key in ["answers", "conflict_screen", "context", "officer_judgement", "id", "instrument"] {
            let rec = serde_json::json!({ key: v.clone() });
            let _ = scorer().parse_value(&rec).and_then(|a| scorer().assess(&a));
        }
    }

    #[test]
    fn arbitrary_flat_rows_never_panic(row in proptest::collection::vec(("[a-zA-Z_ 0-9]{0,24}", ".{0,20}"), 0..12)) {
        let pairs: Vec<(&str, &str)> = row.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let _ = scorer().parse_flat(&pairs).and_then(|(a, _)| scorer().assess(&a));
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        prop_oneof![
            Just("yes".to_string()),
            Just("no".to_string()),
            Just("not_known".to_string()),
            Just("q2".to_string()),
            Just("2024-02-30".to_string()),
            ".{0,12}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("q1".to_string()),
                    Just("q18".to_string()),
                    Just("fear".to_string()),
                    Just("answers".to_string()),
                    Just("prior_incidents_12m".to_string()),
                    Just("recent_transitions".to_string()),
                    Just("children_in_household".to_string()),
                    "[a-z_0-9]{0,10}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A record whose `meta` nests so that the whole record is `levels` deep.
fn nested_record(levels: usize) -> String {
    let inner = levels.saturating_sub(1);
    if inner == 0 {
        return r#"{"meta":0}"#.into();
    }
    format!(r#"{{"meta":{}{}}}"#, "[".repeat(inner), "]".repeat(inner))
}

fn small_scorer(max_record_bytes: usize, max_depth: usize) -> Scorer {
    Scorer::default()
        .with_limits(Limits::new(max_record_bytes, max_depth).unwrap())
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The depth limit is exact: a record `levels` deep is refused as `too_large`
    /// exactly when that is over the limit, whatever else it holds.
    #[test]
    fn the_depth_limit_is_exact(levels in 1usize..70, max in 3usize..60) {
        let s = small_scorer(1 << 20, max);
        let text = nested_record(levels);
        let too_large = |r: Result<Assessment, InputError>| {
            matches!(r, Err(e) if e.code == ErrorKind::TooLarge)
        };
        prop_assert_eq!(too_large(s.parse_json(&text)), levels > max);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(too_large(s.parse_value(&value)), levels > max);
    }

    /// The size limit is exact and checked before anything else: a line over it is
    /// `too_large` however broken it is, and one within it never is (when shallow).
    #[test]
    fn the_size_limit_is_exact(bytes in proptest::collection::vec(any::<u8>(), 0..400), max in 1usize..300) {
        let s = small_scorer(max, 3);
        let r = s.assess_json_line(1, &bytes);
        let too_large = matches!(&r, Err(e) if e.error.code == ErrorKind::TooLarge);
        let shallow = bytes.iter().filter(|&&b| b == b'[' || b == b'{').count() <= 3;
        if bytes.len() > max {
            prop_assert!(too_large);
        } else if shallow {
            prop_assert!(!too_large, "{:?}", r);
        }
        let row = [("id", std::str::from_utf8(&bytes).unwrap_or(""))];
        let flat = s.parse_flat(&row);
        prop_assert_eq!(
            matches!(flat, Err(e) if e.code == ErrorKind::TooLarge),
            2 + row[0].1.len() > max
        );
    }

    /// Any JSON value, as text, through the strict decoder: never a panic, and the
    /// text of a decoded value never has a repeated key; the text path and the value
    /// path agree.
    #[test]
    fn json_text_and_value_paths_agree(v in arb_json(), key in prop_oneof![
        Just("answers"), Just("conflict_screen"), Just("context"), Just("meta"), Just("id")
    ]) {
        let rec = serde_json::json!({ key: v });
        let text = serde_json::to_string(&rec).unwrap();
        let by_text = scorer().parse_json(&text);
        let by_value = scorer().parse_value(&rec);
        if let Err(e) = &by_text {
            prop_assert_ne!(e.code, ErrorKind::DuplicateField);
        }
        prop_assert_eq!(by_text, by_value);
    }
}

/// A record as the nested columns `pandas.json_normalize` makes of its JSON
/// (`answers.q18`, `conflict_screen.fear`, `context.incident_date`), with cells as
/// a CSV writes them.
fn nested_row(a: &Assessment) -> Vec<(String, String)> {
    let value = serde_json::to_value(a).expect("an assessment serialises");
    let cell = |key: &str, v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Array(items) if items.is_empty() && key == "recent_transitions" => {
                Some("none".into())
            }
            serde_json::Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            serde_json::Value::Object(_) => None,
        }
    };
    let mut row = Vec::new();
    for (key, v) in value.as_object().expect("an object") {
        match (key.as_str(), v) {
            ("answers" | "conflict_screen" | "context", serde_json::Value::Object(inner)) => {
                for (k, x) in inner {
                    if let Some(c) = cell(k, x) {
                        row.push((format!("{key}.{k}"), c));
                    }
                }
            }
            ("meta", _) => {}
            (k, x) => {
                if let Some(c) = cell(k, x) {
                    row.push((k.to_string(), c));
                }
            }
        }
    }
    row
}

/// One scratch for every case, so that each row is read over another's.
static SCRATCH: std::sync::LazyLock<std::sync::Mutex<dashrisk::parse::FlatScratch>> =
    std::sync::LazyLock::new(Default::default);

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Nested column names are read as the JSON record they came from, on every
    /// form (built-in and custom): the same assessment and the same result, never
    /// a field dropped and read as not known.
    #[test]
    fn nested_columns_read_as_the_json_record((s, a) in any_case()) {
        // An empty list of earlier-incident dates has no flat cell (an empty cell
        // is not known): the cautious reading, and not the same record.
        prop_assume!(a.context.prior_incident_dates.as_ref().is_none_or(|d| !d.is_empty()));
        let json = s.parse_json(&serde_json::to_string(&a).unwrap());
        let row = nested_row(&a);
        let pairs: Vec<(&str, &str)> = row.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let flat = s.parse_flat(&pairs).map(|(rec, pass)| {
            assert!(pass.is_empty(), "nothing passes through: {pass:?}");
            rec
        });
        match (json, flat) {
            (Ok(j), Ok(f)) => {
                let mut j = j;
                j.meta = None;
                prop_assert_eq!(&f, &j);
                prop_assert_eq!(s.assess(&f), s.assess(&j));
                // The bulk path, on a scratch that last read another case's row:
                // nothing of that row may remain.
                let names: Vec<&str> = pairs.iter().map(|p| p.0).collect();
                let cells: Vec<&str> = pairs.iter().map(|p| p.1).collect();
                let header = dashrisk::parse::FlatHeader::new(&names);
                let mut scratch = SCRATCH.lock().unwrap();
                let c = s.assess_flat_compact(&header, &cells, &mut scratch).expect("a valid row");
                same_as_full(&c, &s.assess(&f).unwrap(), &s)?;
                // With the sentences, on the same scratch: the same result, and the
                // full result's sentences joined by spaces.
                let mut text = String::from("left from the row before");
                let ct = s
                    .assess_flat_compact_text(&header, &cells, &mut scratch, &mut text)
                    .expect("a valid row");
                prop_assert_eq!(ct, c);
                let full = s.assess(&f).unwrap();
                let sentences: Vec<&str> = full.reasons.iter().map(|r| r.text.as_ref()).collect();
                prop_assert_eq!(text, sentences.join(" "));
                // The open questions of the scratch's row are the record's, in order.
                let mut open = Vec::new();
                s.unanswered_gate_questions_flat(&scratch, &mut open);
                let owned = s.unanswered_gate_questions(&f).unwrap();
                let flat: Vec<(&str, &str, dashrisk::Answer)> =
                    open.iter().map(|q| (q.id, q.text, q.answer)).collect();
                let full: Vec<(&str, &str, dashrisk::Answer)> =
                    owned.iter().map(|q| (q.id.as_str(), q.text.as_str(), q.answer)).collect();
                prop_assert_eq!(flat, full);
            }
            (Err(_), Err(_)) => {}
            (j, f) => prop_assert!(false, "JSON {:?} but nested columns {:?}", j.map(|_| ()), f.map(|_| ())),
        }
    }
}
