//! Shared by the library and CLI scenario tests: loads `fixtures/scenarios/*.json`
//! and compares a result (as the JSON the CLI writes) with a scenario's `expect`.
//! The expectations are worked out by hand from the documented rules, not taken
//! from the tool; a mismatch means the rules or the fixture need a decision.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// One scenario file.
pub struct Scenario {
    /// File name, for messages.
    pub file: String,
    /// The record in the input contract.
    pub input: Value,
    /// The expected outcome.
    pub expect: Value,
}

const TOP_KEYS: [&str; 5] = ["name", "story", "rationale", "input", "expect"];
/// Compared exactly (criteria and pathways as sets).
const REQUIRED: [&str; 8] = [
    "classification",
    "risk_level",
    "marac_referral",
    "marac_criteria",
    "pathways",
    "csc_notification",
    "school_notification",
    "recording_category",
];
/// "At least these": the result may hold more.
const OPTIONAL: [&str; 2] = ["flags_include", "reason_codes_include"];

/// The scenario folder, from either crate.
pub fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/scenarios")
}

/// Every scenario, sorted by file name. Panics on a malformed file, naming it.
pub fn load_all() -> Vec<Scenario> {
    let dir = scenario_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: {e}"));
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            let obj = v
                .as_object()
                .unwrap_or_else(|| panic!("{file}: not an object"));
            let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                TOP_KEYS.into_iter().collect(),
                "{file}: top-level keys"
            );
            for k in ["name", "story", "rationale"] {
                assert!(
                    obj[k].as_str().is_some_and(|s| !s.trim().is_empty()),
                    "{file}: {k} must be a non-empty string"
                );
            }
            let expect = &obj["expect"];
            let e = expect
                .as_object()
                .unwrap_or_else(|| panic!("{file}: expect must be an object"));
            for k in e.keys() {
                assert!(
                    REQUIRED.contains(&k.as_str()) || OPTIONAL.contains(&k.as_str()),
                    "{file}: unknown expect key {k:?}"
                );
            }
            for k in REQUIRED {
                assert!(e.contains_key(k), "{file}: expect.{k} is missing");
            }
            Scenario {
                file,
                input: obj["input"].clone(),
                expect: expect.clone(),
            }
        })
        .collect()
}

fn strings(v: &Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Value::as_str).collect()
}

fn set(v: &Value) -> Option<BTreeSet<&str>> {
    strings(v).map(|s| s.into_iter().collect())
}

/// Every field of `expect` that `actual` (a serialised `AssessmentResult`) does not
/// meet, one line each.
pub fn mismatches(expect: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in [
        "classification",
        "risk_level",
        "marac_referral",
        "csc_notification",
        "school_notification",
        "recording_category",
    ] {
        if expect[key] != actual[key] {
            out.push(format!(
                "{key}: expected {}, got {}",
                expect[key], actual[key]
            ));
        }
    }
    for key in ["marac_criteria", "pathways"] {
        let (want, got) = (set(&expect[key]), set(&actual[key]));
        let dup = strings(&actual[key]).map(|s| s.len()) != got.as_ref().map(|s| s.len());
        if want.is_none() || want != got || dup {
            out.push(format!(
                "{key}: expected {}, got {}",
                expect[key], actual[key]
            ));
        }
    }
    let codes: Vec<Value> = actual["reasons"]
        .as_array()
        .map(|rs| rs.iter().map(|r| r["code"].clone()).collect())
        .unwrap_or_default();
    for (key, have) in [
        ("flags_include", actual["flags"].clone()),
        ("reason_codes_include", Value::Array(codes)),
    ] {
        let Some(want) = expect.get(key) else {
            continue;
        };
        let have = set(&have).unwrap_or_default();
        match set(want) {
            Some(want) => {
                let missing: Vec<&str> = want.difference(&have).copied().collect();
                if !missing.is_empty() {
                    out.push(format!("{key}: missing {missing:?}, got {have:?}"));
                }
            }
            None => out.push(format!("{key}: must be an array of strings")),
        }
    }
    out
}

/// The suite must stay large and cover every classification and risk level.
pub fn assert_coverage(scenarios: &[Scenario]) {
    assert!(
        scenarios.len() >= 40,
        "only {} scenarios; at least 40 are required",
        scenarios.len()
    );
    let seen = |key: &str| -> BTreeSet<String> {
        scenarios
            .iter()
            .filter_map(|s| s.expect[key].as_str().map(str::to_string))
            .collect()
    };
    for (key, all) in [
        (
            "classification",
            &["parental_conflict", "unclear", "domestic_abuse"][..],
        ),
        ("risk_level", &["standard", "medium", "high"][..]),
    ] {
        let seen = seen(key);
        for want in all {
            assert!(seen.contains(*want), "no scenario expects {key} {want}");
        }
    }
}

/// Panics with every failing scenario and field, if any.
pub fn report(failures: Vec<(String, Vec<String>)>, total: usize) {
    if failures.is_empty() {
        return;
    }
    let mut msg = format!("{} of {total} scenarios failed:\n", failures.len());
    for (file, problems) in &failures {
        msg.push_str(&format!("{file}:\n"));
        for p in problems {
            msg.push_str(&format!("    {p}\n"));
        }
    }
    panic!("{msg}");
}
