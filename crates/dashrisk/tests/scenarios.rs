//! Runs every training scenario in `fixtures/scenarios/` through the library and
//! checks the hand-worked expectations.

#[path = "support/scenario_expect.rs"]
mod scenario_expect;

use dashrisk::Scorer;
use scenario_expect::{assert_coverage, load_all, mismatches, report};

#[test]
fn scenarios_match_the_rules() {
    let scorer = Scorer::default();
    let scenarios = load_all();
    assert_coverage(&scenarios);
    let mut failures = Vec::new();
    for s in &scenarios {
        let problems = match scorer.parse_value(&s.input).and_then(|a| scorer.assess(&a)) {
            Ok(r) => mismatches(
                &s.expect,
                &serde_json::to_value(&r).expect("result serialises"),
            ),
            Err(e) => vec![format!("input rejected: {e}")],
        };
        if !problems.is_empty() {
            failures.push((s.file.clone(), problems));
        }
    }
    report(failures, scenarios.len());
}

#[test]
fn scenario_files_are_numbered_and_named() {
    for (i, s) in load_all().iter().enumerate() {
        let (num, rest) = s.file.split_at(2);
        assert_eq!(
            num,
            format!("{:02}", i + 1),
            "{}: files must be numbered 01, 02, … with no gaps",
            s.file
        );
        let slug = rest
            .strip_prefix('-')
            .and_then(|r| r.strip_suffix(".json"))
            .unwrap_or("");
        assert!(
            !slug.is_empty()
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: expected NN-short-slug.json",
            s.file
        );
    }
}
