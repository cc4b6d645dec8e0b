//! The model artefact: other versions are refused before the schema, truncated files
//! as unreadable, and a file without its checksum as such.

use dashrisk::{synth, ArtefactError, Assessment};
use dashrisk_learn::{ClassWeight, LogisticModel, LogisticParams, ParamGuard, TrainingSet};

fn model_json() -> String {
    model_json_weighted(ClassWeight::Unweighted)
}

fn model_json_weighted(weight: ClassWeight) -> String {
    let recs = synth::generate(800, 4, &Default::default());
    let a: Vec<Assessment> = recs.iter().map(|r| r.assessment.clone()).collect();
    let y: Vec<bool> = recs.iter().map(|r| r.abuse).collect();
    let set = TrainingSet::from_assessments(&a, &y, "label_abuse", "synth seed 4", true).unwrap();
    LogisticParams::new()
        .class_weight(weight)
        .check()
        .unwrap()
        .fit(&set)
        .unwrap()
        .to_json()
}

/// Class weights in the file: whole numbers as integers, as when they could only be
/// whole (so files trained without real-valued weights, and their checksums, are
/// as they were); real ones as numbers with a fraction, which read back exactly.
#[test]
fn class_weights_are_written_as_before_and_real_ones_read_back() {
    let compact = |json: &str| {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        (
            v["hyperparameters"]["class_weight"].to_string(),
            v["class_weight"].to_string(),
        )
    };
    let cases = [
        (
            ClassWeight::Unweighted,
            r#""unweighted""#,
            r#"{"negative":1,"positive":1}"#,
        ),
        (
            ClassWeight::Integer {
                negative: 1,
                positive: 5,
            },
            r#"{"integer":{"negative":1,"positive":5}}"#,
            r#"{"negative":1,"positive":5}"#,
        ),
        (
            ClassWeight::Real {
                negative: 0.3,
                positive: 2.5,
            },
            r#"{"real":{"negative":0.3,"positive":2.5}}"#,
            r#"{"negative":0.3,"positive":2.5}"#,
        ),
    ];
    for (weight, hyper, applied) in cases {
        let json = model_json_weighted(weight);
        assert_eq!(compact(&json), (hyper.to_string(), applied.to_string()));
        let m = LogisticModel::from_json(&json).unwrap();
        assert_eq!(m.hyperparameters.class_weight(), weight);
        assert_eq!(m.to_json(), json);
    }
    // The balanced weights resolve to whole numbers: integers in the file.
    let json = model_json_weighted(ClassWeight::Balanced);
    let applied = compact(&json).1;
    assert!(
        !applied.contains('.') && applied != r#"{"negative":1,"positive":1}"#,
        "{applied}"
    );
    // Negative weights are refused (they could not be written as u32 either).
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["class_weight"]["negative"] = serde_json::json!(-1);
    let m: LogisticModel = serde_json::from_value(v).unwrap();
    let err = LogisticModel::from_json(&m.to_json()).unwrap_err();
    assert!(
        err.to_string()
            .contains("class_weight: weights must be 0 or more"),
        "{err}"
    );
}

#[test]
fn damaged_model_files_are_refused_with_the_problem() {
    let json = model_json();
    assert!(LogisticModel::from_json(&json).is_ok());
    let future = json.replacen(
        "\"format_version\": 1",
        "\"format_version\": 2, \"calibrated\": true",
        1,
    );
    let err = LogisticModel::from_json(&future).unwrap_err();
    assert!(
        matches!(
            err,
            ArtefactError::Version {
                found: 2,
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    for cut in [10, json.len() / 2, json.len() - 2] {
        let err = LogisticModel::from_json(&json[..cut]).unwrap_err();
        assert!(
            err.to_string().starts_with("model: cannot be read"),
            "{err}"
        );
    }
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v.as_object_mut().unwrap().remove("checksum");
    let err = LogisticModel::from_json(&v.to_string()).unwrap_err();
    assert!(err.to_string().contains("checksum: is missing"), "{err}");
}

/// Found while checking the `model_file` fuzz invariant (probabilities in [0, 1]):
/// finite but huge coefficients of opposite sign passed validation and summed to
/// infinity minus infinity, a NaN probability
/// (fuzz/regressions/model_file/huge-opposite-coefficients.json). They are refused.
#[test]
fn huge_coefficients_are_refused() {
    let json = model_json();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let n = v["coefficients"].as_array().unwrap().len();
    v["coefficients"] = (0..n)
        .map(|i| if i % 2 == 0 { 1e308 } else { -1e308 })
        .collect();
    let mut m: LogisticModel = serde_json::from_value(v).unwrap();
    let err = LogisticModel::from_json(&m.to_json()).unwrap_err();
    assert!(
        err.to_string()
            .contains("coefficients: must be finite and at most 1e6"),
        "{err}"
    );
    m.coefficients = vec![0.0; n];
    m.intercept = -2e6;
    assert!(LogisticModel::from_json(&m.to_json()).is_err());
}

/// A model file whose gradient norm is above its tolerance (resealed) is refused:
/// training never writes one, and non-convergence is never a model.
#[test]
fn an_unconverged_model_is_refused() {
    let json = model_json();
    let mut m = LogisticModel::from_json(&json).unwrap();
    let tolerance = m.hyperparameters.tolerance();
    assert!(m.gradient_norm <= tolerance);
    m.gradient_norm = 12345.5;
    let err = LogisticModel::from_json(&m.to_json()).unwrap_err();
    assert!(err.to_string().contains("did not converge"), "{err}");
    m.gradient_norm = f64::NAN;
    assert!(LogisticModel::from_json(&m.to_json()).is_err());
}
