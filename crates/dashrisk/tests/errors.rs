//! Bad input gets a clear error naming the field, the value and what is allowed.

use dashrisk::*;

fn err(json: &str) -> InputError {
    let s = Scorer::default();
    s.parse_json(json)
        .and_then(|a| s.assess(&a))
        .expect_err("should be refused")
}

#[track_caller]
fn check(json: &str, code: &str, field: &str, value: Option<&str>, mentions: &[&str]) {
    let e = err(json);
    assert_eq!(e.code.code(), code, "{json}: {e}");
    assert_eq!(e.field, field, "{json}: {e}");
    assert_eq!(e.value.as_deref(), value, "{json}: {e}");
    for m in mentions {
        assert!(
            e.message.contains(m),
            "{json}: message {:?} lacks {m:?}",
            e.message
        );
    }
}

#[test]
fn each_kind_of_bad_input_names_field_value_and_allowed() {
    check("{", "invalid_json", "", None, &["not valid JSON"]);
    check("   ", "empty_input", "", None, &["empty"]);
    check(
        "[1,2]",
        "wrong_type",
        "",
        Some("an array"),
        &["JSON object"],
    );
    check(
        r#"{"answers": {"q28": "yes"}}"#,
        "unknown_question",
        "answers.q28",
        Some("q28"),
        &["q1", "q27", "dash-2009"],
    );
    check(
        r#"{"answers": {"Q2 ": "yes"}}"#,
        "unknown_question",
        "answers.Q2 ",
        Some("Q2 "),
        &["q1"],
    );
    check(
        r#"{"instrument": "dash-2009-partner", "answers": {"q10": "yes"}}"#,
        "unknown_question",
        "answers.q10",
        Some("q10"),
        &["q9, q13"],
    );
    check(
        r#"{"answers": {"q2": "Yes"}}"#,
        "invalid_value",
        "answers.q2",
        Some("Yes"),
        &["yes, no, not_known, declined"],
    );
    check(
        r#"{"answers": {"q2": true}}"#,
        "wrong_type",
        "answers.q2",
        Some("true"),
        &["a string"],
    );
    check(
        r#"{"answer": {}}"#,
        "unknown_field",
        "answer",
        Some("answer"),
        &["answers", "conflict_screen"],
    );
    check(
        r#"{"conflict_screen": {"fearful": "no"}}"#,
        "unknown_field",
        "conflict_screen.fearful",
        Some("fearful"),
        &["fear", "power_imbalance"],
    );
    check(
        r#"{"conflict_screen": {"fear": "declined"}}"#,
        "invalid_value",
        "conflict_screen.fear",
        Some("declined"),
        &["yes, no, not_known"],
    );
    check(
        r#"{"conflict_screen": {"argument_frequency": "hourly"}}"#,
        "invalid_value",
        "conflict_screen.argument_frequency",
        Some("hourly"),
        &["rare, monthly, weekly, daily, not_known"],
    );
    check(
        r#"{"conflict_screen": {"recent_transitions": ["divorce"]}}"#,
        "invalid_value",
        "conflict_screen.recent_transitions",
        Some("divorce"),
        &["separation", "new_baby"],
    );
    check(
        r#"{"conflict_screen": {"recent_transitions": "separation"}}"#,
        "wrong_type",
        "conflict_screen.recent_transitions",
        Some("separation"),
        &["array"],
    );
    check(
        r#"{"context": {"prior_incidents_12m": -1}}"#,
        "invalid_count",
        "context.prior_incidents_12m",
        Some("-1"),
        &["0 or more"],
    );
    check(
        r#"{"context": {"prior_incidents_12m": 2.5}}"#,
        "invalid_count",
        "context.prior_incidents_12m",
        Some("2.5"),
        &["whole number"],
    );
    check(
        r#"{"context": {"prior_incidents_12m": "3"}}"#,
        "wrong_type",
        "context.prior_incidents_12m",
        Some("3"),
        &["whole number"],
    );
    check(
        r#"{"context": {"children_in_household": "yes"}}"#,
        "wrong_type",
        "context.children_in_household",
        Some("yes"),
        &["true or false"],
    );
    check(
        r#"{"context": {"last_marac_date": "2025-02-30"}}"#,
        "invalid_date",
        "context.last_marac_date",
        Some("2025-02-30"),
        &["YYYY-MM-DD"],
    );
    check(
        r#"{"context": {"incident_date": "31/03/2025"}}"#,
        "invalid_date",
        "context.incident_date",
        Some("31/03/2025"),
        &["YYYY-MM-DD"],
    );
    // Found by fuzzing (fuzz/regressions/json_record/signed-year-date): chrono takes a
    // signed year, so "-025-06-30" was the year −25, written back as "-0025-06-30".
    for date in ["-025-06-30", "+025-06-30", " 025-06-30", "2025-6-030"] {
        check(
            &format!(r#"{{"context": {{"prior_incident_dates": ["2025-01-01", "{date}"]}}}}"#),
            "invalid_date",
            "context.prior_incident_dates",
            Some(date),
            &["YYYY-MM-DD"],
        );
    }
    check(
        r#"{"context": {"childs": true}}"#,
        "unknown_field",
        "context.childs",
        Some("childs"),
        &["children_in_household"],
    );
    check(
        r#"{"officer_judgement": "very high"}"#,
        "invalid_value",
        "officer_judgement",
        Some("very high"),
        &["standard, medium, high"],
    );
    check(
        r#"{"instrument": "dash-2019"}"#,
        "unknown_instrument",
        "instrument",
        Some("dash-2019"),
        &["dash-2009", "dash-2009-partner"],
    );
    check(r#"{"id": 7}"#, "wrong_type", "id", Some("7"), &["a string"]);
}

#[test]
fn null_and_missing_mean_not_known() {
    let s = Scorer::default();
    let a = s
        .parse_json(r#"{"id": null, "answers": {"q2": null}, "context": {"prior_incidents_12m": null}, "meta": null}"#)
        .unwrap();
    assert_eq!(a.answer("q2"), Answer::NotKnown);
    assert_eq!(a.context.prior_incidents_12m, None);
    assert_eq!(a.meta, None);
    // Whole-number floats are counts (pandas writes 2.0 when a column has gaps).
    let a = s
        .parse_json(r#"{"context": {"prior_incidents_12m": 2.0}}"#)
        .unwrap();
    assert_eq!(a.context.prior_incidents_12m, Some(2));
}

#[test]
fn long_values_are_truncated_in_errors() {
    let long = "x".repeat(10_000);
    let e = err(&format!(r#"{{"answers": {{"q2": "{long}"}}}}"#));
    assert!(e.value.as_ref().unwrap().chars().count() <= error::MAX_ERROR_VALUE_CHARS + 1);
    assert!(e.message.len() < 400, "message repeats the whole value");
}

#[test]
fn binary_garbage_is_an_error_record_with_its_line() {
    let s = Scorer::default();
    let e = s
        .assess_json_line(7, &[0xff, 0xfe, b'{', 0x00])
        .unwrap_err();
    assert_eq!(e.line, 7);
    assert_eq!(e.error.code, ErrorKind::InvalidUtf8);
    let e = s.assess_json_line(8, b"\x00\x01\x02").unwrap_err();
    assert_eq!(e.error.code, ErrorKind::InvalidJson);
    // The id is kept when the record can be read far enough.
    let e = s
        .assess_json_line(9, br#"{"id": "case-9", "answers": {"q99": "yes"}}"#)
        .unwrap_err();
    assert_eq!(e.id.as_deref(), Some("case-9"));
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["line"], 9);
    assert_eq!(json["error"]["code"], "unknown_question");
    assert_eq!(json["error"]["field"], "answers.q99");
    assert_eq!(json["error"]["value"], "q99");
}

#[test]
fn flat_rows_follow_the_same_rules() {
    let s = Scorer::default();
    let row = [
        ("case_ref", "A1"),
        ("q2", "no"),
        ("fear", ""),
        ("recent_transitions", "new_baby;separation"),
        ("children_in_household", "True"),
        ("prior_incidents_12m", "1.0"),
        ("label", "0"),
    ];
    let (a, pass) = s.parse_flat(&row).unwrap();
    assert_eq!(a.answer("q2"), Answer::No);
    assert_eq!(a.conflict_screen.fear, Answer::NotKnown);
    assert_eq!(
        a.conflict_screen.recent_transitions,
        Some(vec![Transition::NewBaby, Transition::Separation])
    );
    assert_eq!(a.context.children_in_household, Some(true));
    assert_eq!(a.context.prior_incidents_12m, Some(1));
    assert_eq!(pass, vec![("case_ref", "A1"), ("label", "0")]);
    let (a, _) = s.parse_flat(&[("recent_transitions", "none")]).unwrap();
    assert_eq!(a.conflict_screen.recent_transitions, Some(vec![]));
    for (row, code, field) in [
        (vec![("q28", "yes")], "unknown_question", "q28"),
        (vec![("Q2 ", "yes")], "unknown_question", "Q2 "),
        (vec![("q2", "maybe")], "invalid_value", "q2"),
        (
            vec![("prior_incidents_12m", "-2")],
            "invalid_count",
            "prior_incidents_12m",
        ),
        (
            vec![("children_in_household", "y")],
            "invalid_value",
            "children_in_household",
        ),
        (vec![("q2", "no"), ("q2", "yes")], "duplicate_field", "q2"),
        (
            vec![("instrument", "dash-2009-partner"), ("q11", "no")],
            "unknown_question",
            "q11",
        ),
    ] {
        let e = s.parse_flat(&row).unwrap_err();
        assert_eq!(
            (e.code.code(), e.field.as_str()),
            (code, field),
            "{row:?}: {e}"
        );
    }
}

/// Rule 4 of the safety rules: implausible dates and an earlier incident dated
/// after the incident are error records naming the field and the value, by every
/// way in (JSON, flat rows, and an `Assessment` built in code).
#[test]
fn dates_must_be_plausible_and_earlier_incidents_earlier() {
    check(
        r#"{"context": {"incident_date": "1899-12-31"}}"#,
        "invalid_date",
        "context.incident_date",
        Some("1899-12-31"),
        &["1900", "2100"],
    );
    check(
        r#"{"context": {"last_marac_date": "2101-01-01"}}"#,
        "invalid_date",
        "context.last_marac_date",
        Some("2101-01-01"),
        &["1900", "2100"],
    );
    check(
        r#"{"context": {"incident_date": "2025-06-30", "prior_incident_dates": ["2025-05-01", "2025-07-01"]}}"#,
        "invalid_date",
        "context.prior_incident_dates",
        Some("2025-07-01"),
        &["after the incident date 2025-06-30"],
    );
    // The same day is allowed: it was listed as an earlier incident.
    let s = Scorer::default();
    let a = s
        .parse_json(r#"{"context": {"incident_date": "2025-06-30", "prior_incident_dates": ["2025-06-30"]}}"#)
        .unwrap();
    assert!(s.assess(&a).is_ok());
    // Without the incident date the dates cannot be placed, and are not refused.
    let a = s
        .parse_json(r#"{"context": {"prior_incident_dates": ["2099-01-01"]}}"#)
        .unwrap();
    assert!(s.assess(&a).is_ok());
    // Flat rows.
    let e = s
        .parse_flat(&[("prior_incident_dates", "1850-01-01")])
        .unwrap_err();
    assert_eq!(
        (e.code.code(), e.field.as_str()),
        ("invalid_date", "prior_incident_dates")
    );
    let e = s
        .parse_flat(&[
            ("incident_date", "2025-06-30"),
            ("prior_incident_dates", "2025-06-01;2026-01-01"),
        ])
        .unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.value.as_deref()),
        ("prior_incident_dates", Some("2026-01-01")),
        "the CSV column is named"
    );
    // An Assessment built in code cannot bypass the check.
    let mut a = Assessment::default();
    a.context.incident_date = NaiveDate::from_ymd_opt(1066, 10, 14);
    let e = s.assess(&a).unwrap_err();
    assert_eq!(
        (e.code.code(), e.field.as_str()),
        ("invalid_date", "context.incident_date")
    );
}

/// The docs name the calibration that ships; an older version may appear only on a
/// line that also names the shipped one (as what it replaced).
#[test]
fn docs_name_the_shipped_calibration_version() {
    let shipped = Calibration::shipped().version;
    assert_eq!(shipped, REFERENCE_CALIBRATION_VERSION);
    for doc in ["grading.md", "model-card.md"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs")
            .join(doc);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&shipped), "{doc} does not name {shipped}");
        for line in text.lines().filter(|l| l.contains("cal-synth-")) {
            assert!(
                line.contains(&shipped),
                "{doc} names another calibration than the shipped {shipped}: {line}"
            );
        }
    }
}

/// A column close to a contract name is an error naming the name it probably meant,
/// never a pass-through column read as not known.
#[test]
fn misspelt_contract_columns_are_errors_naming_what_they_meant() {
    let s = Scorer::default();
    for (col, meant) in [
        ("power_imbalence", "power_imbalance"),
        ("prior_incidents", "prior_incidents_12m"),
        ("Children In Household", "children_in_household"),
        ("officer_judgment", "officer_judgement"),
        // Short names in another case or with a stray space were once passed
        // through: `Fear` read as not known turned abuse into unclear.
        ("Fear", "fear"),
        ("FEAR", "fear"),
        ("fear ", "fear"),
        ("ID", "id"),
    ] {
        let e = s.parse_flat(&[(col, "no"), ("q2", "no")]).unwrap_err();
        assert_eq!((e.code.code(), e.field.as_str()), ("unknown_field", col));
        assert!(e.message.contains(meant), "{}", e.message);
    }
    // Ordinary pass-through columns still pass through.
    let (_, pass) = s
        .parse_flat(&[("label_abuse", "1"), ("officer", "A12"), ("incident", "77")])
        .unwrap();
    assert_eq!(pass.len(), 3);
}

/// Nested names from a flattened JSON record (`json_normalize`) are read as their
/// flat names, giving the JSON record's result; a key its section lacks is refused,
/// and a field given both nested and flat is a duplicate. None is passed through
/// and read as not known.
#[test]
fn nested_column_names_are_read_or_refused_never_dropped() {
    let s = Scorer::default();
    let nested = [
        ("id", "n1"),
        ("answers.q18", "yes"),
        ("answers.q2", "no"),
        ("conflict_screen.fear", "no"),
        ("conflict_screen.recent_transitions", "separation"),
        ("context.children_in_household", "true"),
        ("context.incident_date", "2026-03-01"),
        ("meta.area", "north"),
    ];
    let (a, pass) = s.parse_flat(&nested).unwrap();
    let json = s
        .parse_json(
            r#"{"id": "n1", "answers": {"q18": "yes", "q2": "no"},
                "conflict_screen": {"fear": "no", "recent_transitions": ["separation"]},
                "context": {"children_in_household": true, "incident_date": "2026-03-01"}}"#,
        )
        .unwrap();
    assert_eq!(a, json);
    assert_eq!(pass, vec![("meta.area", "north")]);
    let r = s.assess(&a).unwrap();
    assert_eq!(r.classification, dashrisk::Classification::DomesticAbuse);

    for (col, field, code) in [
        (
            "conflict_screen.feer",
            "conflict_screen.feer",
            "unknown_field",
        ),
        (
            "context.prior_incidents",
            "context.prior_incidents",
            "unknown_field",
        ),
        ("answers.q99", "answers.q99", "unknown_question"),
        ("answers.q18", "answers.q18", "duplicate_field"),
    ] {
        let e = s.parse_flat(&[("q18", "no"), (col, "yes")]).unwrap_err();
        assert_eq!((e.code.code(), e.field.as_str()), (code, field), "{col}");
        let header = dashrisk::parse::FlatHeader::new(&["q18", col]);
        // Whole-table front ends refuse the header once (a question id is checked
        // against each row's instrument, so it is a row error only).
        assert_eq!(
            header.problem().map(|e| e.code.code()),
            (code != "unknown_question").then_some(code),
            "{col}"
        );
    }
    assert!(
        dashrisk::parse::FlatHeader::new(&["q18", "answers.q2", "meta.x"])
            .problem()
            .is_none()
    );
}

/// A table of several forms: a question column the row's form does not ask is
/// fine when empty (not asked, nothing lost), and an error when it holds an answer.
#[test]
fn a_question_the_form_does_not_ask_is_an_error_only_with_an_answer() {
    let s = Scorer::default();
    let (a, _) = s
        .parse_flat(&[
            ("instrument", "dash-2009-partner"),
            ("q10", ""),
            ("q18", "yes"),
        ])
        .unwrap();
    assert_eq!(a.answers.len(), 1);
    assert_eq!(s.assess(&a).unwrap().instrument, "dash-2009-partner");
    let e = s
        .parse_flat(&[("instrument", "dash-2009-partner"), ("q10", "no")])
        .unwrap_err();
    assert_eq!(
        (e.code.code(), e.field.as_str()),
        ("unknown_question", "q10")
    );
    // A misspelt question column is refused even when empty.
    let e = s.parse_flat(&[("Q18", ""), ("q2", "no")]).unwrap_err();
    assert_eq!(e.code.code(), "unknown_question");
}

/// Which columns pass through: exactly those outside the contract. A close name is
/// echoed with the output (`is_passthrough_column`) but still reaches the parser,
/// which refuses it (`passes_through` is false). From a cargo mutants run, which
/// found `is_passthrough_column` tested only through the CLI.
#[test]
fn pass_through_columns_are_exactly_those_outside_the_contract() {
    use dashrisk::parse::{is_passthrough_column, passes_through};
    for name in ["label_abuse", "officer", "meta.area", "notes"] {
        assert!(is_passthrough_column(name), "{name}");
        assert!(passes_through(name), "{name}");
    }
    for name in [
        "q18",
        "Q18",
        "fear",
        "id",
        "answers.q2",
        "conflict_screen.feer",
        "context.x",
    ] {
        assert!(!is_passthrough_column(name), "{name}");
        assert!(!passes_through(name), "{name}");
    }
    assert!(is_passthrough_column("power_imbalence"));
    assert!(!passes_through("power_imbalence"));
}

/// A question column with something added (`q18_strangulation`, `Q.18`,
/// `dash_q18`, `question_18`, a zero-width space) was passed through and its
/// answers read as not known: a real "yes" lost. Each is now refused, naming the
/// column and the question it probably meant; the question ids themselves and
/// `answers.q18` are still read, and pass-through columns still pass through.
#[test]
fn decorated_question_columns_are_refused_naming_the_question() {
    use dashrisk::parse::{close_question_name, passes_through};
    let s = Scorer::default();
    for (col, meant) in [
        ("q18_strangulation", "q18"),
        ("Q.18", "q18"),
        ("Q18.", "q18"),
        ("q18a", "q18"),
        ("question_18", "q18"),
        ("Question 18", "q18"),
        ("question18", "q18"),
        ("dash_q18", "q18"),
        ("answers_q18", "q18"),
        ("Answers.q18", "q18"),
        ("Q18 (strangulation)", "q18"),
        ("q18\u{200b}", "q18"),
        ("q18_", "q18"),
        ("Q.01", "q1"),
    ] {
        assert_eq!(close_question_name(col).as_deref(), Some(meant), "{col:?}");
        assert!(!passes_through(col), "{col:?}");
        let e = s.parse_flat(&[(col, "yes"), ("q2", "no")]).unwrap_err();
        assert_eq!(
            (e.code.code(), e.field.as_str()),
            ("unknown_question", col),
            "{e}"
        );
        assert!(e.message.contains(&format!("{meant:?}")), "{}", e.message);
        // Empty too: the column itself is wrong, whatever the row holds.
        assert!(s.parse_flat(&[(col, ""), ("q2", "no")]).is_err(), "{col:?}");
    }
    // The ids themselves and the documented nested form are read.
    let (a, _) = s.parse_flat(&[("q18", "yes"), ("q2", "no")]).unwrap();
    assert_eq!(a.answers.len(), 2);
    let (a, _) = s
        .parse_flat(&[("answers.q18", "yes"), ("q2", "no")])
        .unwrap();
    assert_eq!(a.answers.len(), 2);
    // Pass-through columns, as the guide and the tests use them, still pass.
    for name in [
        "label_abuse",
        "label_serious_harm",
        "officer",
        "area",
        "notes",
        "id_ref",
        "meta.area",
        "quality",
        "quarter",
        "incident",
        "date",
        "children",
        "force_reference",
        "area_code",
        "officer_id",
    ] {
        assert_eq!(close_question_name(name), None, "{name}");
        assert!(passes_through(name), "{name}");
    }
}

/// Context columns misspelt by a word: a shortened, reordered or partial name
/// (`last_marac`, `date_of_incident`, `transitions`) was passed through and its
/// value lost. Each is refused naming the column meant.
#[test]
fn context_columns_short_of_a_word_are_refused() {
    use dashrisk::parse::close_contract_name;
    let s = Scorer::default();
    for (col, meant) in [
        ("last_marac", "last_marac_date"),
        ("lastmarac", "last_marac_date"),
        ("child_exposed", "children_exposed"),
        ("transitions", "recent_transitions"),
        ("prior_dates", "prior_incident_dates"),
        ("date_of_incident", "incident_date"),
        ("Date of Incident", "incident_date"),
    ] {
        assert_eq!(close_contract_name(col), Some(meant), "{col:?}");
        let e = s.parse_flat(&[(col, "x"), ("q2", "no")]).unwrap_err();
        assert_eq!((e.code.code(), e.field.as_str()), ("unknown_field", col));
        assert!(e.message.contains(&format!("{meant:?}")), "{}", e.message);
    }
    for name in [
        "officer",
        "area",
        "notes",
        "incident",
        "date",
        "children",
        "label_abuse",
        "label_serious_harm",
        "officer_id",
        "incident_ref",
        "prior",
        "marac_outcome",
    ] {
        assert_eq!(close_contract_name(name), None, "{name}");
    }
}

/// `prior_incidents_12m` in a CSV cell: digits, perhaps `.` and zeros; `1e1`
/// (which f64 parsing reads as 10) and other float spellings are refused. What the
/// Python package writes for a whole float (`float_text`: Rust's `f64` Display, `2`
/// for 2.0, never an exponent) is accepted.
#[test]
fn counts_in_cells_are_digits_not_float_syntax() {
    let s = Scorer::default();
    let count = |cell: &str| {
        s.parse_flat(&[("prior_incidents_12m", cell), ("q2", "no")])
            .map(|(a, _)| a.context.prior_incidents_12m)
    };
    for (cell, n) in [
        ("2", 2),
        ("2.0", 2),
        ("2.00", 2),
        (" 3 ", 3),
        ("0", 0),
        ("007", 7),
    ] {
        assert_eq!(count(cell).unwrap(), Some(n), "{cell:?}");
    }
    for cell in [
        "1e1",
        "1E1",
        "1e0",
        "+2",
        "-1",
        ".5",
        "2.",
        "2.5",
        "0x10",
        "inf",
        "NaN",
        "2,0",
        "1_000",
        "99999999999999999999999",
    ] {
        let e = count(cell).unwrap_err();
        assert_eq!(
            (e.code.code(), e.field.as_str(), e.value.as_deref()),
            ("invalid_count", "prior_incidents_12m", Some(cell)),
            "{cell:?}"
        );
    }
    // The Python package's text for whole floats (`float_text` is `x.to_string()`).
    for x in [0.0_f64, 2.0, 12.0, 1e9, 4_294_967_295.0] {
        let text = x.to_string();
        assert!(!text.contains(['e', 'E', '.']), "{text}");
        assert_eq!(count(&text).unwrap(), Some(x as u32), "{text}");
    }
}

/// The JSON string "true" in a boolean field is shown as a string in the error,
/// not as `found true` (which read as if true were refused).
#[test]
fn a_string_where_a_boolean_belongs_is_shown_as_a_string() {
    let e = err(r#"{"answers":{"q2":"no"},"context":{"children_in_household":"true"}}"#);
    assert_eq!(e.code.code(), "wrong_type");
    assert_eq!(e.value.as_deref(), Some("true"));
    assert!(e.message.contains("\"true\""), "{}", e.message);
    assert!(!e.message.ends_with("found true"), "{}", e.message);
}
