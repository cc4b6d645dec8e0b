//! `dashrisk assess --ask-next --services`: each JSON Lines result carries the
//! library's "ask next" list and the local services for its pathways, from JSON
//! Lines or CSV input; CSV output is refused with the reason.

mod common;

use common::{lines, run, tmp};
use dashrisk::Scorer;
use std::path::Path;

fn services_file() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dashrisk/assets/services-example.json")
        .display()
        .to_string()
}

#[test]
fn every_scenario_carries_the_librarys_ask_next_and_its_pathways_services() {
    let scorer = Scorer::default();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/scenarios");
    let mut input = String::new();
    let mut records = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        input.push_str(&v["input"].to_string());
        input.push('\n');
        records.push(scorer.parse_value(&v["input"]).unwrap());
    }
    let services = services_file();
    let out = run(
        &["assess", "--ask-next", "--services", &services],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = lines(&out);
    assert_eq!(results.len(), records.len());
    let dir_ =
        dashrisk::services::Services::from_json(&std::fs::read_to_string(&services).unwrap())
            .unwrap();
    let mut some_ask = 0;
    for (r, a) in results.iter().zip(&records) {
        let want = serde_json::to_value(scorer.decisive_questions(a).unwrap()).unwrap();
        assert_eq!(r["ask_next"], want, "{}", r["id"]);
        some_ask += usize::from(!want.as_array().unwrap().is_empty());
        let lib = scorer.assess(a).unwrap();
        let keys: Vec<String> = r["services"].as_object().unwrap().keys().cloned().collect();
        let mut want_keys: Vec<String> = lib
            .pathways
            .iter()
            .filter(|p| !dir_.for_pathway(*p).is_empty())
            .map(|p| {
                serde_json::to_value(p)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        want_keys.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, want_keys, "{}", r["id"]);
    }
    assert!(
        some_ask > 5,
        "the scenarios include unclear cases with something to ask"
    );
}

#[test]
fn csv_input_works_and_csv_output_is_refused_with_the_reason() {
    let data = tmp("ask-next", "in.csv");
    std::fs::write(&data, "id,q1,q2,fear,power_imbalance\nc1,no,no,no,no\n").unwrap();
    let out = run(
        &[
            "assess",
            data.to_str().unwrap(),
            "--ask-next",
            "--output-format",
            "jsonl",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &lines(&out)[0];
    assert!(r["ask_next"].as_array().is_some_and(|a| !a.is_empty()));
    let out = run(&["assess", data.to_str().unwrap(), "--ask-next"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON Lines output"));
    let bad = tmp("ask-next", "bad-services.json");
    std::fs::write(&bad, r#"{"format": "dashrisk-services/1", "area": "A", "services": [{"name": "N", "pathway": "idvaa"}]}"#).unwrap();
    let out = run(&["assess", "--services", bad.to_str().unwrap()], b"{}\n");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad-services.json") && err.contains("idvaa"),
        "{err}"
    );
}
