//! Scenario cases for trainer mode: the shipped ones (fixtures/scenarios, embedded
//! at build time) or a trainer's own folder (`--scenarios DIR`). Each file holds a
//! `name`, a `story`, a `rationale`, an `input` record in the input contract and the
//! `expect`ed outcome; every file is checked when the server starts, and a problem
//! names the file.

use dashrisk::{AssessmentResult, Scorer};
use serde::{Deserialize, Serialize};
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));

/// One exercise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scenario {
    /// The file it came from.
    #[serde(default)]
    pub file: String,
    /// A short title.
    pub name: String,
    /// What happened, as the officer would hear it.
    pub story: String,
    /// Why the expected outcome is right.
    pub rationale: String,
    /// The recorded answers, in the input contract.
    pub input: serde_json::Value,
    /// The expected outcome (kept as written; the tool's own answer is computed).
    #[serde(default)]
    pub expect: serde_json::Value,
}

/// A scenario with the tool's result on it.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// The scenario.
    pub scenario: Scenario,
    /// The record as parsed.
    pub record: dashrisk::Assessment,
    /// The tool's result.
    pub result: AssessmentResult,
}

/// Reads one scenario. `file` is its name as served (the file name only: a
/// trainer's folder path is not the pages' business); `path` names it in the
/// start-up errors, where the full path helps.
fn parse(file: &str, path: &str, text: &str, scorer: &Scorer) -> Result<Exercise, String> {
    let mut s: Scenario =
        serde_json::from_str(text).map_err(|e| format!("{path}: not a scenario file: {e}"))?;
    s.file = file.to_string();
    let record = scorer
        .parse_value(&s.input)
        .map_err(|e| format!("{path}: input: {e}"))?;
    let result = scorer
        .assess(&record)
        .map_err(|e| format!("{path}: input: {e}"))?;
    Ok(Exercise {
        scenario: s,
        record,
        result,
    })
}

/// The shipped scenarios, assessed.
pub fn shipped(scorer: &Scorer) -> Result<Vec<Exercise>, String> {
    SHIPPED
        .iter()
        .map(|(file, text)| parse(file, file, text, scorer))
        .collect()
}

/// The scenarios of a folder (every `*.json` file, in name order), assessed.
pub fn from_dir(dir: &Path, scorer: &Scorer) -> Result<Vec<Exercise>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no scenario (*.json) files", dir.display()));
    }
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let name = p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            parse(&name, &p.display().to_string(), &text, scorer)
        })
        .collect()
}
