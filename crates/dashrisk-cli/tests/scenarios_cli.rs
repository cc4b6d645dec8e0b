//! Runs every training scenario in `fixtures/scenarios/` through the `dashrisk`
//! binary as one JSON Lines file and checks each output line, in order, against the
//! same expectations as the library test.

#[path = "../../dashrisk/tests/support/scenario_expect.rs"]
mod scenario_expect;

use scenario_expect::{assert_coverage, load_all, mismatches, report};
use serde_json::Value;
use std::process::Command;

#[test]
fn cli_scenarios_match_the_rules() {
    let scenarios = load_all();
    assert_coverage(&scenarios);
    let mut input = String::new();
    for s in &scenarios {
        input.push_str(&serde_json::to_string(&s.input).unwrap());
        input.push('\n');
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("scenarios-{}.jsonl", std::process::id()));
    std::fs::write(&path, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dashrisk"))
        .arg("assess")
        .arg(&path)
        .output()
        .expect("run dashrisk");
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "dashrisk assess failed ({}):\n{stderr}",
        out.status
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), scenarios.len(), "one output line per scenario");
    let mut failures = Vec::new();
    for (s, line) in scenarios.iter().zip(lines) {
        let actual: Value = serde_json::from_str(line).expect("each output line is JSON");
        let mut problems = Vec::new();
        // Output order must follow input order: the id is echoed.
        if actual["id"] != s.input["id"] {
            problems.push(format!(
                "id: expected {}, got {}",
                s.input["id"], actual["id"]
            ));
        }
        problems.extend(mismatches(&s.expect, &actual));
        if !problems.is_empty() {
            failures.push((s.file.clone(), problems));
        }
    }
    report(failures, scenarios.len());
}
