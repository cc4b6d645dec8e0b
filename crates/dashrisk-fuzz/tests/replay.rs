//! Replays every committed fuzz input through its target on stable Rust: the
//! minimised corpora in `fuzz/corpus/<target>/` and the inputs of fixed crashes in
//! `fuzz/regressions/<target>/`. Cheap (seconds), and catches a regression of any
//! finding without nightly or libFuzzer (docs/fuzzing.md).

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(kind)
        .join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn replay(target: &str) {
    let (_, body) = dashrisk_fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a known target");
    let corpus = inputs("corpus", target);
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} is empty");
    let mut failed = Vec::new();
    for path in corpus.iter().chain(&inputs("regressions", target)) {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            // A fuzzer running on the corpus meanwhile may have minimised it away.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: failing inputs: {failed:#?}");
}

macro_rules! replay_tests {
    ($($name:ident),*) => {$(
        #[test]
        fn $name() {
            replay(stringify!($name));
        }
    )*};
}

replay_tests!(
    json_record,
    csv_input,
    instrument_file,
    policy_file,
    calibration_file,
    model_file,
    assess_e2e
);

#[test]
fn every_target_is_replayed() {
    // A new target must be added to the list above too.
    assert_eq!(dashrisk_fuzz::TARGETS.len(), 7);
}
