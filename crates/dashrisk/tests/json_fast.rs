//! The JSON line read without a tree (`parse_json_line`, `assess_json_compact`)
//! against the strict decoder (`parse_json_line_strict`, which builds a tree and
//! names every error): on arbitrary records on every form, with their keys in any
//! order, nulls, `meta` of any shape, and on lines broken in every way the strict
//! path refuses (repeated keys at each level, escapes, nesting, unknown keys, wrong
//! types), both read the same record or give the same error record.

#[path = "support/arb.rs"]
mod arb;

use arb::*;
use dashrisk::parse::FlatScratch;
use dashrisk::*;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Every way of reading `line` agrees with the strict path.
fn agree(s: &Scorer, line: &str) -> Result<(), TestCaseError> {
    let bytes = line.as_bytes();
    let strict = s.parse_json_line_strict(7, bytes);
    prop_assert_eq!(&s.parse_json_line(7, bytes), &strict, "line {}", line);
    let mut scratch = FlatScratch::new();
    // A scratch that last read another record: nothing of it may remain.
    let _ = s.assess_json_compact(
        1,
        br#"{"id":"x","answers":{"q1":"yes","q2":"not_known"},"conflict_screen":{"recent_transitions":["separation"]},"context":{"prior_incident_dates":["2024-01-01"]}}"#,
        &mut scratch,
    );
    let compact = s.assess_json_compact(7, bytes, &mut scratch);
    // The whole result, sentences and all, is the strict record's.
    let whole = s.assess_json_line(7, bytes);
    let expected = strict.clone().and_then(|a| {
        s.assess(&a).map_err(|error| RecordError {
            line: 7,
            id: a.id.as_deref().map(dashrisk::error::truncate_value),
            error,
        })
    });
    prop_assert_eq!(whole, expected, "line {}", line);
    let codes_only = AssessOptions { reason_text: false };
    let expected = strict.clone().and_then(|a| {
        s.assess_with(&a, &codes_only).map_err(|error| RecordError {
            line: 7,
            id: a.id.as_deref().map(dashrisk::error::truncate_value),
            error,
        })
    });
    prop_assert_eq!(
        s.assess_json_line_with(7, bytes, &codes_only),
        expected,
        "line {}",
        line
    );
    match (&strict, compact) {
        (Ok(a), Ok(c)) => {
            prop_assert_eq!(Ok(c), s.assess_compact(a).map_err(|e| e.code));
            let mut open = Vec::new();
            s.unanswered_gate_questions_flat(&scratch, &mut open);
            let owned = s.unanswered_gate_questions(a).unwrap();
            let ids: Vec<&str> = owned.iter().map(|q| q.id.as_str()).collect();
            prop_assert_eq!(open.iter().map(|q| q.id).collect::<Vec<_>>(), ids);
        }
        (Ok(a), Err(e)) => {
            // The record reads, and its assessment is refused the same way.
            let full = s.assess_compact(a).unwrap_err();
            prop_assert_eq!(e.error, full);
            prop_assert_eq!(e.line, 7);
        }
        (Err(se), Err(e)) => prop_assert_eq!(&e, se),
        (Err(se), Ok(c)) => prop_assert!(false, "strict {se:?} but compact {c:?}: {line}"),
    }
    Ok(())
}

/// The record as JSON with its keys sorted (so `answers` comes before
/// `instrument`), `meta` added, and some keys set to null.
fn variants(a: &Assessment, meta: &Value, nulls: u8) -> Vec<String> {
    let plain = serde_json::to_string(a).unwrap();
    let mut v: Value = serde_json::to_value(a).unwrap();
    let sorted = serde_json::to_string(&v).unwrap();
    let o = v.as_object_mut().unwrap();
    o.insert("meta".into(), meta.clone());
    for (bit, key) in ["id", "officer_judgement", "conflict_screen", "context"]
        .iter()
        .enumerate()
    {
        if nulls & (1 << bit) != 0 {
            o.insert((*key).into(), Value::Null);
        }
    }
    if nulls & 16 != 0 {
        if let Some(Value::Object(ans)) = o.get_mut("answers") {
            if let Some(first) = ans.keys().next().cloned() {
                ans.insert(first, Value::Null);
            }
        }
    }
    vec![plain, sorted, serde_json::to_string(&v).unwrap()]
}

/// Small JSON values, objects with repeated-looking keys, and deep ones.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (0u64..40).prop_map(Value::from),
        Just(json!(2.0)),
        Just(json!(-1)),
        prop_oneof![
            Just("yes"),
            Just("no"),
            Just("declined"),
            Just("not_known"),
            Just("separation"),
            Just("2024-02-29"),
            Just("2024-02-30"),
            Just("high"),
            Just("dash-2009"),
            Just("q1"),
        ]
        .prop_map(|s| Value::String(s.into())),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("q1".to_string()),
                    Just("q18".to_string()),
                    Just("q28".to_string()),
                    Just("fear".to_string()),
                    Just("recent_transitions".to_string()),
                    Just("prior_incidents_12m".to_string()),
                    Just("prior_incident_dates".to_string()),
                    Just("children_in_household".to_string()),
                    Just("incident_date".to_string()),
                    "[a-z_0-9]{0,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Valid records on every form (built-in and custom), in three layouts.
    #[test]
    fn records_read_alike((s, a) in any_case(), meta in arb_json(), nulls in any::<u8>()) {
        for line in variants(&a, &meta, nulls) {
            agree(&s, &line)?;
        }
    }

    /// Any value under any key of the record: wrong types, unknown keys and bad
    /// values are refused alike, and what reads, reads alike.
    #[test]
    fn any_values_read_alike(
        parts in proptest::collection::vec((prop_oneof![
            Just("id"), Just("instrument"), Just("answers"), Just("conflict_screen"),
            Just("context"), Just("officer_judgement"), Just("meta"), Just("answer"),
        ], arb_json()), 0..5),
    ) {
        let o: serde_json::Map<String, Value> =
            parts.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        agree(scorer(), &Value::Object(o).to_string())?;
    }

    /// A record's text cut or with one byte changed: broken JSON, and valid JSON
    /// that says something else, read alike.
    #[test]
    fn damaged_lines_read_alike(a in assessment(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let mut line = serde_json::to_vec(&a).unwrap();
        let i = at.index(line.len());
        if cut {
            line.truncate(i);
        } else {
            line[i] = byte;
        }
        let strict = scorer().parse_json_line_strict(3, &line);
        prop_assert_eq!(scorer().parse_json_line(3, &line), strict.clone());
        let mut scratch = FlatScratch::new();
        let compact = scorer().assess_json_compact(3, &line, &mut scratch);
        match strict {
            Ok(a) => prop_assert_eq!(compact.map_err(|e| e.error), scorer().assess_compact(&a)),
            Err(e) => prop_assert_eq!(compact.unwrap_err(), e),
        }
    }
}

/// Lines the strict path refuses for a reason a reader without a tree could miss:
/// each is refused alike, with the strict path's error.
#[test]
fn repeated_keys_escapes_depth_and_types_are_refused_alike() {
    let s = scorer();
    let refused = [
        r#"{"id":"a","id":"b"}"#,
        r#"{"answers":{"q1":"yes"},"answers":{"q2":"yes"}}"#,
        r#"{"answers":{"q1":"yes","q1":"no"}}"#,
        r#"{"answers":{"q1":null,"q1":"no"}}"#,
        r#"{"answers":{"q5":"yes","q5":"no"}}"#,
        r#"{"answers":{"q27":"no","q2":"yes","q27":"yes"}}"#,
        r#"{"instrument":"dash-2009-partner","answers":{"q24":"no","q24":"yes"}}"#,
        r#"{"answers":{"q1":"yes","q\u0031":"no"}}"#,
        r#"{"conflict_screen":{"fear":"no","fear":"yes"}}"#,
        r#"{"context":{"incident_date":"2024-01-01","incident_date":"2024-01-02"}}"#,
        r#"{"meta":{"a":1,"a":2}}"#,
        r#"{"meta":{"x":{"a":1,"\u0061":2}}}"#,
        r#"{"meta":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
        r#"{"answers":{"q1":"yes"},"instrument":"dash-2009-partner","x":1}"#,
        r#"{"answers":{"q10":"yes"},"instrument":"dash-2009-partner"}"#,
        r#"{"answers":{"q1":"Yes"}}"#,
        r#"{"answers":{"q1":1}}"#,
        r#"{"answers":["yes"]}"#,
        r#"{"conflict_screen":{"fear":"declined"}}"#,
        r#"{"conflict_screen":{"recent_transitions":["separation",null]}}"#,
        r#"{"conflict_screen":{"recent_transitions":"separation"}}"#,
        r#"{"context":{"prior_incidents_12m":-1}}"#,
        r#"{"context":{"prior_incidents_12m":1.5}}"#,
        r#"{"context":{"prior_incidents_12m":"2"}}"#,
        r#"{"context":{"children_in_household":1}}"#,
        r#"{"context":{"prior_incident_dates":["2024-02-30"]}}"#,
        r#"{"context":{"incident_date":"2024-01-01","prior_incident_dates":["2024-06-01"]}}"#,
        r#"{"context":{"incident_date":"1800-01-01"}}"#,
        r#"{"officer_judgement":"severe"}"#,
        r#"{"instrument":"dash-2099"}"#,
        r#"{"instrument":7}"#,
        r#"{"id":7}"#,
        r#"{"colour":"red"}"#,
        r#"[]"#,
        r#"{"answers":{}} x"#,
        r#""#,
    ];
    for line in refused {
        let strict = s.parse_json_line_strict(5, line.as_bytes());
        assert_eq!(s.parse_json_line(5, line.as_bytes()), strict, "{line}");
        let mut scratch = FlatScratch::new();
        let compact = s.assess_json_compact(5, line.as_bytes(), &mut scratch);
        match strict {
            Ok(a) => assert_eq!(compact.map_err(|e| e.error), s.assess_compact(&a), "{line}"),
            Err(e) => assert_eq!(compact.unwrap_err(), e, "{line}"),
        }
        assert!(
            s.assess_json_compact(5, line.as_bytes(), &mut scratch)
                .is_err(),
            "{line} is refused"
        );
    }
    // And what the fast reader takes, with escapes, nulls and every key.
    let taken = [
        r#"{"id":"a\"b","instrument":null,"answers":{"q1":"y\u0065s","q2":null},"meta":{"k\u0031":1}}"#,
        r#"{"answers":{"q1":"yes"},"instrument":"dash-2009"}"#,
        r#"{"conflict_screen":{"recent_transitions":["separation","separation"],"fear":"no","power_imbalance":"not_known"},"context":{"prior_incidents_12m":2.0,"children_in_household":true,"prior_incident_dates":[],"incident_date":"2025-03-01","last_marac_date":null},"officer_judgement":"high"}"#,
    ];
    for line in taken {
        let a = s.parse_json_line_strict(5, line.as_bytes()).unwrap();
        assert_eq!(s.parse_json_line(5, line.as_bytes()).unwrap(), a, "{line}");
        let mut scratch = FlatScratch::new();
        assert_eq!(
            s.assess_json_compact(5, line.as_bytes(), &mut scratch)
                .unwrap(),
            s.assess_compact(&a).unwrap()
        );
    }
}

/// After a line that cannot be read (not UTF-8, a bad value, over the size limit),
/// the scratch holds no row: no answers, no open questions of the line before.
#[test]
fn a_line_that_cannot_be_read_leaves_nothing_in_the_scratch() {
    let s = scorer();
    let mut scratch = FlatScratch::new();
    let unclear = br#"{"answers":{"q1":"no","q3":"not_known"},"conflict_screen":{"fear":"no","power_imbalance":"not_known"}}"#;
    let too_long = vec![b' '; s.limits().max_record_bytes + 1];
    for bad in [
        &b"{\"id\":\"\xff\"}"[..],
        &br#"{"answers":{"q1":"maybe"}}"#[..],
        &too_long[..],
    ] {
        let r = s.assess_json_compact(1, unclear, &mut scratch).unwrap();
        assert_eq!(r.classification, Classification::Unclear);
        let mut open = Vec::new();
        s.unanswered_gate_questions_flat(&scratch, &mut open);
        assert!(!open.is_empty() && !scratch.answers().is_empty());
        assert!(s.assess_json_compact(2, bad, &mut scratch).is_err());
        assert!(scratch.answers().is_empty());
        open.clear();
        s.unanswered_gate_questions_flat(&scratch, &mut open);
        assert!(open.is_empty());
    }
}

/// `meta` objects with many keys: read alike, and a repeated key among them is
/// refused alike, wherever it is.
#[test]
fn large_meta_objects_read_alike() {
    let s = scorer();
    let keys: Vec<String> = (0..2_000).map(|i| format!("\"k{i}\":{i}")).collect();
    let plain = format!("{{\"meta\":{{{}}}}}", keys.join(","));
    agree(s, &plain).unwrap();
    assert!(s.parse_json_line(1, plain.as_bytes()).is_ok());
    for at in [1, 15, 16, 17, 1_999] {
        let mut k = keys.clone();
        k.push(format!("\"k{}\":0", at - 1));
        let repeated = format!("{{\"meta\":{{\"x\":{{{}}}}}}}", k.join(","));
        agree(s, &repeated).unwrap();
        let e = s.parse_json_line(1, repeated.as_bytes()).unwrap_err();
        assert_eq!(e.error.code, ErrorKind::DuplicateField, "{at}");
    }
}

/// The size limit holds on every way of assessing a line: a plain record one byte
/// over it is `too_large`, and at it is assessed (the reader without a tree is
/// only tried within the limit).
#[test]
fn a_plain_record_over_the_size_limit_is_too_large_on_every_path() {
    let line = br#"{"id": "big", "answers": {"q1": "yes", "q18": "no"}, "meta": {"pad": "xxxxxxxxxxxxxxxx"}}"#;
    let at = Scorer::default()
        .with_limits(Limits::new(line.len(), 8).unwrap())
        .unwrap();
    let under = Scorer::default()
        .with_limits(Limits::new(line.len() - 1, 8).unwrap())
        .unwrap();
    let codes_only = AssessOptions { reason_text: false };
    assert!(at.assess_json_line(3, line).is_ok());
    assert!(at.assess_json_line_with(3, line, &codes_only).is_ok());
    let mut scratch = FlatScratch::new();
    assert!(at.assess_json_compact(3, line, &mut scratch).is_ok());
    for r in [
        under.assess_json_line(3, line).map(|_| ()),
        under
            .assess_json_line_with(3, line, &codes_only)
            .map(|_| ()),
        under.assess_json_compact(3, line, &mut scratch).map(|_| ()),
        under.parse_json_line(3, line).map(|_| ()),
    ] {
        let e = r.unwrap_err();
        assert_eq!((e.line, e.error.code), (3, ErrorKind::TooLarge));
    }
}
