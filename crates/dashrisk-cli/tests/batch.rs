//! Property: a batch with bad records still scores every good record exactly once, in
//! order, and gives every bad record exactly one error record naming its line. Run
//! in process through the CLI's own reader (`dashrisk_cli::assess::run_reader`), for
//! JSON Lines and CSV, with limits small enough that some bad records are too large.

use dashrisk::synth::{Generator, SynthParams};
use dashrisk::{Limits, Scorer};
use dashrisk_cli::assess::run_reader;
use dashrisk_cli::Format;
use proptest::prelude::*;
use serde_json::Value;
use std::io;

const MAX_RECORD_BYTES: usize = 4096;

fn scorer() -> Scorer {
    Scorer::default()
        .with_limits(Limits::new(MAX_RECORD_BYTES, 8).unwrap())
        .unwrap()
}

/// One item of a batch: a good synthetic record, or a bad one of some kind.
#[derive(Debug, Clone)]
enum Item {
    Good(usize),
    Bad(u8, String),
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        3 => (0usize..5000).prop_map(Item::Good),
        2 => (0u8..8, "[a-z0-9 {}\\[\\]\":,]{0,30}").prop_map(|(k, s)| Item::Bad(k, s)),
    ]
}

fn good_json(i: usize) -> String {
    let mut a = Generator::new(11, SynthParams::default())
        .record(i)
        .assessment;
    a.id = Some(format!("good-{i}"));
    serde_json::to_string(&a).unwrap()
}

/// A bad JSON Lines record: never blank, never a newline, always an error.
fn bad_json(kind: u8, s: &str) -> String {
    match kind {
        0 => format!("{{\"id\":\"bad\",\"answers\":{{\"q2\":{s:?}x}}}}"),
        1 => format!("{{\"answers\":{{\"q99\":\"yes\"}},\"note\":{s:?}}}"),
        2 => format!("{{\"id\":\"b\",\"id\":{s:?}}}"),
        3 => format!("{{\"meta\":{}{}}}", "[".repeat(9), "]".repeat(9)),
        4 => format!("{{\"meta\":\"{}\"}}", "x".repeat(MAX_RECORD_BYTES)),
        5 => format!("{{\"context\":{{\"prior_incidents_12m\":-1}},\"id\":{s:?}}}"),
        6 => format!("[{s:?}]"),
        // Ends in `"`: a document that opens with `{` is valid only if it ends with
        // `}`, so this never parses (plain `{{{s}` did, as `{}`, for s = "}").
        _ => format!("{{{s}\""),
    }
}

fn run(input: Vec<u8>, format: Format) -> (u64, Vec<Value>) {
    let mut out = Vec::new();
    let failed = run_reader(
        &scorer(),
        Box::new(io::Cursor::new(input)),
        format,
        Some(Format::Jsonl),
        &mut out,
        &mut io::sink(),
    )
    .unwrap();
    let answers = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (failed, answers)
}

/// Every good item's id once, in order; every bad item an error record with its line.
fn check(items: &[Item], failed: u64, answers: &[Value]) -> Result<(), TestCaseError> {
    prop_assert_eq!(answers.len(), items.len());
    let bad = items.iter().filter(|i| matches!(i, Item::Bad(..))).count() as u64;
    prop_assert_eq!(failed, bad);
    for (n, (item, answer)) in items.iter().zip(answers).enumerate() {
        match item {
            Item::Good(i) => {
                prop_assert_eq!(&answer["id"], &Value::from(format!("good-{i}")));
                prop_assert!(answer.get("classification").is_some(), "{}", answer);
            }
            Item::Bad(..) => {
                prop_assert!(answer.get("error").is_some(), "{}", answer);
                prop_assert_eq!(&answer["line"], &Value::from(n + 1));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn json_lines_batches_score_every_good_record_once(items in proptest::collection::vec(item(), 1..40)) {
        let mut input = Vec::new();
        for item in &items {
            let line = match item {
                Item::Good(i) => good_json(*i),
                Item::Bad(k, s) => bad_json(*k, s),
            };
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
        }
        let (failed, answers) = run(input, Format::Jsonl);
        check(&items, failed, &answers)?;
    }

    #[test]
    fn csv_batches_score_every_good_record_once(items in proptest::collection::vec(item(), 1..40)) {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        w.write_record(["id", "q1", "q2", "fear", "prior_incidents_12m", "note"]).unwrap();
        for item in &items {
            match item {
                Item::Good(i) => {
                    let yes = if i % 2 == 0 { "yes" } else { "no" };
                    w.write_record([&format!("good-{i}"), yes, "no", "no", "0", "a note"]).unwrap();
                }
                Item::Bad(k, s) => {
                    let row: Vec<String> = match k {
                        0 => vec!["bad".into(), format!("{s}!"), "".into(), "".into(), "".into(), "".into()],
                        1 => vec!["bad".into(), "".into(), "".into(), "".into(), "-2".into(), s.clone()],
                        2 => vec!["bad".into(), "".into()],
                        3 => vec!["bad".into(), "".into(), "".into(), "".into(), "".into(), "x".repeat(MAX_RECORD_BYTES)],
                        _ => vec!["bad".into(), "".into(), "".into(), format!("maybe{s}"), "".into(), "".into()],
                    };
                    w.write_record(&row).unwrap();
                }
            }
        }
        let (failed, answers) = run(w.into_inner().unwrap(), Format::Csv);
        check(&items, failed, &answers)?;
    }
}
