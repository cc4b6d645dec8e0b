//! Thousands of mutated and hostile JSON records through `dashrisk assess` in one
//! stream: every record gets exactly one answer (a result or an error record) on its
//! own line, in order, with no panic; the untouched scenario records among them are
//! still assessed as their fixtures expect; and nothing a record holds reaches
//! standard error beyond a cut value.
//!
//! The records are generated deterministically from the scenario fixtures
//! (`fixtures/scenarios/`) and from hostile constructions: deep nesting, huge
//! numbers, NaN-like tokens, repeated keys, byte-order marks, NUL bytes, lone
//! surrogates, invalid UTF-8, 2 MB strings, truncation, and a wrong type in every
//! field of every scenario.

#[path = "../../dashrisk/tests/support/scenario_expect.rs"]
#[allow(dead_code)] // shared with the scenario tests, which use all of it
mod scenario_expect;

use scenario_expect::{load_all, mismatches};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

/// A marker put in every record's free text: it must never reach standard error.
const SECRET: &str = "SECRET-VICTIM-NARRATIVE-7f3a";

/// What a generated line must produce, when the construction fixes it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// The untouched scenario at this index: its fixture's expectations.
    Scenario(usize),
    /// An error record with this code.
    Error(&'static str),
    /// Either a result or an error record.
    Any,
}

/// Every path to a value inside `v` (objects and arrays), as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

/// Values of every JSON type but the one at hand, in a fixed rotation.
fn wrong_value(current: &Value, turn: usize) -> Value {
    let pool = [
        json!(42),
        json!(-1.5),
        json!(true),
        json!([]),
        json!({}),
        json!("not-a-value"),
        json!(1e308),
        json!([1, "a", null]),
        json!({"nested": {"yes": "yes"}}),
        json!(""),
    ];
    let same_type = |a: &Value, b: &Value| std::mem::discriminant(a) == std::mem::discriminant(b);
    (0..pool.len())
        .map(|i| &pool[(turn + i) % pool.len()])
        .find(|v| !same_type(v, current))
        .cloned()
        .unwrap()
}

fn nested(levels: usize) -> String {
    "[".repeat(levels) + &"]".repeat(levels)
}

/// The generated stream: one line per record, and what each must produce.
fn generate() -> (Vec<Vec<u8>>, Vec<Expect>, usize) {
    let scenarios = load_all();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut expect = Vec::new();
    let mut push = |line: Vec<u8>, e: Expect| {
        assert!(!line.contains(&b'\n'), "a generated record holds a newline");
        lines.push(line);
        expect.push(e);
    };
    for (i, s) in scenarios.iter().enumerate() {
        let mut base = s.input.clone();
        base["meta"]["note"] = json!(SECRET);
        let text = serde_json::to_string(&base).unwrap();
        // The scenario itself, untouched apart from its note: still assessed.
        push(text.clone().into_bytes(), Expect::Scenario(i));

        // A wrong type in every field, rotating through the types.
        let mut paths = Vec::new();
        pointers(&s.input, String::new(), &mut paths);
        for (j, p) in paths.iter().enumerate() {
            if p.starts_with("/meta") {
                continue; // meta is free-form: any type is allowed
            }
            let mut v = base.clone();
            let slot = v.pointer_mut(p).unwrap();
            *slot = wrong_value(slot, i + j);
            push(serde_json::to_vec(&v).unwrap(), Expect::Any);
        }

        // Text-level constructions on the scenario's own JSON.
        let t = &text;
        let ends_with_brace = |extra: &str| format!("{}{extra}}}", &t[..t.len() - 1]);
        let cases: Vec<(String, Expect)> = vec![
            // A repeated key, at the top and inside answers.
            (
                ends_with_brace(r#","id":"again""#),
                Expect::Error("duplicate_field"),
            ),
            (
                t.replacen(r#""answers":{"#, r#""answers":{"q2":"no","q2":"yes","#, 1),
                if t.contains(r#""answers":{"#) {
                    Expect::Error("duplicate_field")
                } else {
                    Expect::Scenario(i)
                },
            ),
            // Nesting past the default limit of 32, and far past serde_json's 128.
            (
                ends_with_brace(&format!(r#","zz":{{"deep":{}}}"#, nested(40))),
                Expect::Error("too_large"),
            ),
            (
                ends_with_brace(&format!(r#","zz":{{"deep":{}}}"#, nested(5000))),
                Expect::Error("too_large"),
            ),
            // Numbers serde_json cannot hold or the contract does not allow.
            (
                t.replacen('{', r#"{"context":{"prior_incidents_12m":1e400},"#, 1),
                Expect::Any,
            ),
            (
                ends_with_brace(r#","zz":NaN"#),
                Expect::Error("invalid_json"),
            ),
            (
                ends_with_brace(r#","zz":Infinity"#),
                Expect::Error("invalid_json"),
            ),
            (
                ends_with_brace(r#","zz":-0"#),
                Expect::Error("unknown_field"),
            ),
            (
                ends_with_brace(r#","zz":18446744073709551616"#),
                Expect::Error("unknown_field"),
            ),
            // Byte-order mark in the middle of a stream, NUL bytes, escapes.
            (format!("\u{feff}{t}"), Expect::Error("invalid_json")),
            (
                t.replacen(":\"", ":\"\u{0}", 1),
                Expect::Error("invalid_json"),
            ),
            (t.replacen(":\"", ":\"\\u0000", 1), Expect::Any),
            (
                t.replacen(":\"", ":\"\\ud800", 1),
                Expect::Error("invalid_json"),
            ),
            (
                t.replacen(":\"", ":\"\\udc00\\ud800", 1),
                Expect::Error("invalid_json"),
            ),
            // Truncated, trailing garbage, not an object.
            (t[..t.len() / 2].to_string(), Expect::Error("invalid_json")),
            (format!("{t} {t}"), Expect::Error("invalid_json")),
            (format!("[{t}]"), Expect::Error("wrong_type")),
            // Keys that look like the contract but are not.
            (t.replacen("\"answers\"", "\"Answers\"", 1), Expect::Any),
            (t.replacen("\"q1\"", "\"q1 \"", 1), Expect::Any),
            (
                t.replacen("\"answers\"", "\"\\u0061nswers\"", 1),
                Expect::Scenario(i),
            ),
        ];
        for (line, e) in cases {
            push(line.into_bytes(), e);
        }
        // A 2 MB string: over the 1 MiB record limit (a few, to keep the test quick).
        if i % 20 == 0 {
            let big = "x".repeat(2 << 20);
            push(
                ends_with_brace(&format!(r#","zz":"{big}""#)).into_bytes(),
                Expect::Error("too_large"),
            );
        }
        // Invalid UTF-8: a surrogate encoded as UTF-8 (CESU-8) and a stray byte.
        let mut bad = t.as_bytes().to_vec();
        bad.splice(2..2, [0xed, 0xa0, 0x80]);
        push(bad, Expect::Error("invalid_utf8"));
        let mut bad = t.as_bytes().to_vec();
        bad.insert(bad.len() / 2, 0xff);
        push(bad, Expect::Error("invalid_utf8"));
    }
    (lines, expect, scenarios.len())
}

#[test]
fn every_hostile_record_gets_exactly_one_answer() {
    let (lines, expect, n_scenarios) = generate();
    assert!(
        lines.len() >= 1500,
        "only {} records generated",
        lines.len()
    );
    let mut input = Vec::new();
    for l in &lines {
        input.extend_from_slice(l);
        input.push(b'\n');
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_dashrisk"))
        .args(["assess", "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "some records fail: exit 1");

    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let answers: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect();
    assert_eq!(answers.len(), lines.len(), "exactly one answer per record");

    let scenarios = load_all();
    let mut failures = Vec::new();
    let mut errors = 0;
    for (i, (answer, e)) in answers.iter().zip(&expect).enumerate() {
        let line = i as u64 + 1;
        let is_error = answer.get("error").is_some();
        if is_error {
            errors += 1;
            assert_eq!(answer["line"], line, "error record {line} names its line");
            let value = answer["error"]["value"].as_str().unwrap_or("");
            assert!(value.chars().count() <= 65, "line {line}: value not cut");
        } else {
            assert!(
                answer.get("classification").is_some(),
                "line {line}: {answer}"
            );
        }
        match *e {
            Expect::Scenario(k) => {
                let problems = mismatches(&scenarios[k].expect, answer);
                if is_error || !problems.is_empty() {
                    failures.push(format!(
                        "line {line} ({}): {problems:?} {answer}",
                        scenarios[k].file
                    ));
                }
            }
            Expect::Error(code) => {
                if answer["error"]["code"] != code {
                    failures.push(format!("line {line}: expected {code}, got {answer}"));
                }
            }
            Expect::Any => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let scenario_lines = expect
        .iter()
        .filter(|e| matches!(e, Expect::Scenario(_)))
        .count();
    assert!(scenario_lines >= n_scenarios);

    // Standard error: one line per failed record and a count; never a record.
    assert_eq!(stderr.lines().count(), errors + 1, "{stderr}");
    assert!(
        !stderr.contains(SECRET),
        "a record's text reached standard error"
    );
    assert!(
        stderr.lines().all(|l| l.len() < 1024),
        "an overlong stderr line"
    );
    assert!(!stdout
        .lines()
        .filter(|l| l.contains("\"error\""))
        .any(|l| l.contains(SECRET)));
}
