//! The command line end to end: streaming, error records, exit codes, formats,
//! instruments, synthetic data and policy/calibration files.

mod common;

use common::{lines, run};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    common::tmp("cli-test", name)
}

const GOOD: &str = r#"{"id":"a","answers":{"q18":"yes"},"context":{"children_in_household":true}}"#;

#[test]
fn bad_records_become_error_records_and_the_rest_are_assessed() {
    let mut input = format!(
        "{GOOD}\n{{\"id\":\"b\",\"answers\":{{\"q28\":\"yes\"}},\"meta\":{{\"note\":\"SECRET-NOTE\"}}}}\nnot json\n\n{GOOD}\n"
    )
    .into_bytes();
    input.extend_from_slice(b"\x00\xffgarbage\n");
    input.extend_from_slice(br#"{"id":"c","context":{"prior_incidents_12m":-3}}"#);
    input.push(b'\n');
    let out = run(&["assess", "--format", "jsonl"], &input);
    assert_eq!(
        out.status.code(),
        Some(1),
        "non-zero when any record failed"
    );
    let recs = lines(&out);
    assert_eq!(recs.len(), 6, "exactly one answer per non-blank line");
    assert_eq!(recs[0]["classification"], "domestic_abuse");
    assert_eq!(recs[3]["id"], "a");
    let err = |i: usize| &recs[i]["error"];
    assert_eq!(recs[1]["line"], 2);
    assert_eq!(recs[1]["id"], "b");
    assert_eq!(err(1)["code"], "unknown_question");
    assert_eq!(err(1)["field"], "answers.q28");
    assert_eq!(err(1)["value"], "q28");
    assert_eq!(err(2)["code"], "invalid_json");
    assert_eq!(
        recs[4]["line"], 6,
        "line numbers count the skipped blank line"
    );
    assert_eq!(err(4)["code"], "invalid_utf8");
    assert_eq!(err(5)["code"], "invalid_count");
    assert_eq!(err(5)["field"], "context.prior_incidents_12m");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("answers.q28"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("SECRET-NOTE"),
        "stderr must not echo records: {stderr}"
    );
    assert!(stderr.contains("4 record(s) failed"), "{stderr}");
}

#[test]
fn all_good_exits_zero_and_empty_input_is_an_error() {
    let out = run(
        &["assess", "--format", "jsonl"],
        format!("{GOOD}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    for empty in [&b""[..], b"\n\n  \n"] {
        let out = run(&["assess", "--format", "jsonl"], empty);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(lines(&out)[0]["error"]["code"], "empty_input");
    }
    let out = run(&["assess", "--format", "csv"], b"");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn binary_garbage_never_panics() {
    let mut garbage = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..20_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        garbage.push((x >> 16) as u8);
    }
    for fmt in ["jsonl", "csv"] {
        let out = run(&["assess", "--format", fmt], &garbage);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{fmt}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn csv_passes_other_columns_through_and_reports_bad_rows() {
    let csv =
        "case_ref,q2,q18,fear,power_imbalance,children_in_household,prior_incidents_12m,label\n\
               A1,no,yes,no,no,true,0,1\n\
               A2,maybe,no,no,no,false,0,0\n\
               A3,no,no\n\
               A4,no,no,no,no,false,-1,0\n";
    let out = run(&["assess", "--format", "csv"], csv.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..2],
        ["case_ref", "label"],
        "pass-through columns first"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[0][col("case_ref")], "A1");
    assert_eq!(&rows[0][col("classification")], "domestic_abuse");
    assert_eq!(&rows[0][col("error_code")], "");
    assert_eq!(&rows[1][col("case_ref")], "A2");
    assert_eq!(&rows[1][col("error_code")], "invalid_value");
    assert_eq!(&rows[1][col("error_field")], "q2");
    assert_eq!(&rows[1][col("error_value")], "maybe");
    assert_eq!(&rows[2][col("error_code")], "row_length");
    assert_eq!(&rows[3][col("error_code")], "invalid_count");
}

#[test]
fn a_question_like_column_that_is_not_a_question_is_an_error() {
    for bad in ["q28", "Q2 "] {
        let csv = format!("id,q2,{bad}\nx,no,yes\n");
        let out = run(
            &["assess", "--format", "csv", "--output-format", "jsonl"],
            csv.as_bytes(),
        );
        assert_eq!(out.status.code(), Some(1));
        let r = &lines(&out)[0];
        assert_eq!(r["error"]["code"], "unknown_question", "{bad}");
        assert_eq!(r["error"]["field"], bad);
        assert_eq!(r["id"], "x");
    }
}

#[test]
fn formats_are_detected_and_converted() {
    let p = tmp("in.csv");
    std::fs::write(&p, "id,q18\nz,yes\n").unwrap();
    let out = run(
        &["assess", p.to_str().unwrap(), "--output-format", "jsonl"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out)[0]["id"], "z");
    // Sniffed from standard input.
    let out = run(&["assess"], b"id,q18\nz,yes\n");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("id,classification"));
    let out = run(
        &["assess", "--output-format", "csv"],
        format!("{GOOD}\n").as_bytes(),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("meta,id,classification"), "{text}");
}

#[test]
fn instruments_are_listed_and_shown() {
    let out = run(&["instrument", "list"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("dash-2009\t27 questions"));
    assert!(text.contains("dash-2009-partner\t24 questions"));
    let out = run(&["instrument", "show", "dash-2009", "--json"], b"");
    let inst = dashrisk::Instrument::from_json(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(inst.questions.len(), 27);
    let out = run(&["instrument", "show", "dash-2009"], b"");
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("markers: strangulation"));
    let out = run(&["instrument", "show", "nope"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dash-2009"));
}

#[test]
fn a_custom_instrument_file_is_loaded_and_used() {
    let p = tmp("custom.json");
    std::fs::write(
        &p,
        r#"{"format_version":1,"id":"force-x","name":"Force X","source":"test",
            "questions":[{"id":"q1","number":1,"text":"Afraid of partner","domains":["fear"],"markers":["fear"]},
                         {"id":"q2","number":2,"text":"Partner controls money","domains":["economic"],"markers":["power_imbalance"]},
                         {"id":"q3","number":3,"text":"Arguments","domains":["separation"]}]}"#,
    )
    .unwrap();
    let out = run(
        &[
            "assess",
            "--instrument-file",
            p.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        br#"{"instrument":"force-x","answers":{"q1":"yes"}}"#,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &lines(&out)[0];
    assert_eq!(r["classification"], "domestic_abuse");
    assert_eq!(r["instrument"], "force-x");
    std::fs::write(
        &p,
        r#"{"format_version":1,"id":"bad","name":"B","source":"s","questions":[]}"#,
    )
    .unwrap();
    let out = run(
        &[
            "instrument",
            "list",
            "--instrument-file",
            p.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("custom.json") && err.contains("questions"),
        "{err}"
    );
}

#[test]
fn synth_is_seeded_and_assessable() {
    let a = run(&["synth", "--n", "300", "--seed", "9"], b"");
    let b = run(&["synth", "--n", "300", "--seed", "9"], b"");
    let c = run(&["synth", "--n", "300", "--seed", "10"], b"");
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout);
    assert!(String::from_utf8_lossy(&a.stderr).contains("SYNTHETIC"));
    let out = run(&["assess", "--format", "csv"], &a.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 301);
    assert!(text
        .lines()
        .next()
        .unwrap()
        .starts_with("label_abuse,label_serious_harm,id,"));
    let j = run(
        &["synth", "--n", "50", "--seed", "9", "--format", "jsonl"],
        b"",
    );
    let out = run(&["assess", "--format", "jsonl"], &j.stdout);
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_eq!(recs.len(), 50);
    assert_eq!(recs[0]["meta"]["synthetic"], true);
}

#[test]
fn policy_and_calibration_files_must_agree() {
    let out = run(&["policy"], b"");
    let mut policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Banding is not part of the score: a stricter band needs no new calibration.
    policy["grading"]["high_from"] = 12.into();
    let p = tmp("policy.json");
    std::fs::write(&p, policy.to_string()).unwrap();
    let rec = r#"{"answers":{"q1":"yes","q2":"yes","q3":"yes","q4":"yes","q5":"yes","q6":"yes","q7":"yes","q8":"yes","q9":"yes","q10":"yes","q11":"yes","q12":"yes"}}"#;
    // `dashrisk policy` prints a sealed policy: an edit is refused until it is
    // sealed again, and the message says how.
    let out = run(&["assess", "--policy", p.to_str().unwrap()], rec.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("policy.json")
            && err.contains("checksum")
            && err.contains("dashrisk policy seal"),
        "{err}"
    );
    let out = run(&["policy", "seal", p.to_str().unwrap()], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &[
            "assess",
            "--policy",
            p.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        rec.as_bytes(),
    );
    assert_eq!(lines(&out)[0]["risk_level"], "high");
    // A policy from before scorer 2.0 (hand-set weights) is refused, naming the
    // field. (A hand-written policy without a checksum is accepted.)
    policy.as_object_mut().unwrap().remove("checksum");
    policy["scorer"]["weights"] = serde_json::json!({"screen_fear_points": 4.0});
    std::fs::write(&p, policy.to_string()).unwrap();
    let out = run(
        &[
            "assess",
            "--policy",
            p.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        rec.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("weights"));
    policy["scorer"].as_object_mut().unwrap().remove("weights");
    std::fs::write(&p, policy.to_string()).unwrap();
    let cal = tmp("cal.json");
    let out = run(
        &["calibrate", "--n", "20000", "--out", cal.to_str().unwrap()],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &[
            "assess",
            "--policy",
            p.to_str().unwrap(),
            "--calibration",
            cal.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        rec.as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A tampered calibration is refused, naming the file.
    let text = std::fs::read_to_string(&cal)
        .unwrap()
        .replacen("0.", "0.9", 1);
    std::fs::write(&cal, text).unwrap();
    let out = run(
        &[
            "assess",
            "--policy",
            p.to_str().unwrap(),
            "--calibration",
            cal.to_str().unwrap(),
        ],
        rec.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cal.json"), "{err}");
}

/// Found by fuzzing (fuzz/regressions/assess_e2e/passthrough-column-named-error_code):
/// an input column named like a result column (an earlier run's output fed back in)
/// was written twice under one name. It is now written as `input_<name>`.
#[test]
fn passthrough_columns_never_share_a_name_with_result_columns() {
    let input = "id,q18,classification,error_code,note\na,yes,old,E1,n\n";
    let out = run(&["assess", "--format", "csv"], input.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        &header[..3],
        ["input_classification", "input_error_code", "note"]
    );
    let mut sorted = header.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), header.len());
    let row = rdr.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "old");
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&row[at("classification")], "domestic_abuse");
    assert_eq!(&row[at("error_code")], "");
}

/// Found by fuzzing (fuzz/regressions/assess_e2e/byte-order-mark-before-a-later-column-name):
/// a byte-order mark before a later column's name kept it distinct from `id`, but
/// written first in the CSV output it was dropped by readers, giving two `id` columns.
/// Byte-order marks are now dropped from every name, so this header repeats `id`.
#[test]
fn a_byte_order_mark_in_any_column_name_is_dropped() {
    let input = "\u{feff}id,\u{feff}id,q1\na,b,yes\n".as_bytes();
    let out = run(
        &["assess", "--format", "csv", "--output-format", "jsonl"],
        input,
    );
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["error"]["code"], "duplicate_field");
    assert_eq!(recs[0]["error"]["field"], "id");
    let out = run(
        &["assess", "--format", "csv"],
        "id,\u{feff}note,q1\na,n,yes\n".as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("note,id,"));
}

/// JSON Lines output carries `passthrough` exactly when the input had columns to
/// pass through: a CSV with extra columns (each as text, even on an error record);
/// never a JSON Lines input (its `meta` is echoed as `meta`) or a CSV without them.
#[test]
fn passthrough_is_written_only_for_columns_passed_through() {
    let jsonl = r#"{"id":"a","answers":{"q18":"yes"},"meta":{"force":"X"}}"#;
    let out = run(&["assess", "--format", "jsonl"], jsonl.as_bytes());
    let recs = lines(&out);
    assert_eq!(recs[0]["meta"]["force"], "X");
    assert!(recs[0].get("passthrough").is_none(), "{}", recs[0]);

    let csv_to_jsonl = |csv: &str| {
        lines(&run(
            &["assess", "--format", "csv", "--output-format", "jsonl"],
            csv.as_bytes(),
        ))
    };
    let recs = csv_to_jsonl("id,q18\na,yes\n");
    assert!(recs[0].get("passthrough").is_none(), "{}", recs[0]);

    let recs = csv_to_jsonl("id,q18,force_ref\na,yes,F-1\nb,maybe,F-2\n");
    assert_eq!(recs.len(), 2);
    assert_eq!(
        recs[0]["passthrough"],
        serde_json::json!({"force_ref": "F-1"})
    );
    assert_eq!(recs[1]["error"]["code"], "invalid_value");
    assert_eq!(
        recs[1]["passthrough"],
        serde_json::json!({"force_ref": "F-2"})
    );
}

/// A stray quote in a notes cell used to swallow the rows after it into that cell:
/// 3 results for 6 rows, exit 0, nothing said. The row is now an error record that
/// names the line where the quoted field started, the exit status is 1, and the
/// row after the damage is still assessed.
#[test]
fn a_stray_quote_is_an_error_record_never_swallowed_rows() {
    let data =
        b"id,q18,notes\na1,no,ok\na2,no,\"Victim said: leave\na3,yes,strangled\na4,yes,x\na5,no,\"fine\"\na6,yes,x\n";
    let out = run(
        &["assess", "--format", "csv", "--output-format", "jsonl", "-"],
        data,
    );
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out);
    assert_eq!(recs.len(), 3, "{recs:?}");
    assert_eq!(recs[0]["id"], "a1");
    let e = &recs[1]["error"];
    assert!(e["message"].as_str().unwrap().contains("line 3"), "{e}");
    assert_eq!(recs[2]["id"], "a6");
    assert_eq!(recs[2]["classification"], "domestic_abuse");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    // Never closed: the same, at the end of the file.
    let out = run(
        &["assess", "--format", "csv", "--output-format", "jsonl", "-"],
        b"id,q18,notes\na1,no,ok\na2,no,\"open\na3,yes,x\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out);
    assert_eq!(recs.len(), 2);
    assert!(recs[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("never closed"));
    // Legitimate quoting is read as before: an embedded line end and comma, an
    // escaped quote, a bare quote in an unquoted cell.
    let out = run(
        &["assess", "--format", "csv", "--output-format", "jsonl", "-"],
        b"id,q18,notes\na1,yes,\"line\nbreak, \"\"quoted\"\"\"\na2,no,5'10\"\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&out).len(), 2);
}
