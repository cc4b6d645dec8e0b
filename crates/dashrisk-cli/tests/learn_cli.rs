//! `dashrisk train` and `dashrisk predict` end to end: synthetic data in, a model
//! file out, predictions with contributions, error records and exit codes.

mod common;

use common::run;
use std::path::PathBuf;
use std::process::Output;

fn tmp(name: &str) -> PathBuf {
    common::tmp("learn-cli", name)
}

/// The command stopped with exit 2 and said `says` on stderr.
fn refused(out: &Output, says: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Synthetic training data and a model trained on it (once per test that asks).
fn trained(tag: &str, n: &str) -> (PathBuf, PathBuf, Output) {
    let data = tmp(&format!("{tag}-train.csv"));
    let model = tmp(&format!("{tag}-model.json"));
    let out = run(
        &[
            "synth",
            "--n",
            n,
            "--seed",
            "5",
            "--out",
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--out",
            model.to_str().unwrap(),
            "--folds",
            "3",
        ],
        b"",
    );
    (data, model, out)
}

#[test]
fn train_reports_cross_validated_auc_and_brier_and_flags_synthetic_data() {
    let (_, model, out) = trained("report", "1500");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let field = |k: &str| -> f64 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}\t")))
            .unwrap_or_else(|| panic!("{k} in {stdout}"))
            .parse()
            .unwrap()
    };
    assert!(field("cv_auc") > 0.9 && field("cv_auc") <= 1.0);
    assert!(field("cv_brier") > 0.0 && field("cv_brier") < 0.15);
    assert_eq!(field("records"), 1500.0);
    assert!(text(&out.stderr).contains("SYNTHETIC"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["provenance"]["synthetic"], true);
    assert_eq!(m["feature_set_version"], "dashrisk-features/1");
    assert_eq!(m["provenance"]["cross_validation"]["folds"], 3);
}

#[test]
fn predict_writes_probabilities_and_error_records_and_fails_on_bad_records() {
    let (_, model, out) = trained("predict", "600");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let input = concat!(
        r#"{"id": "a", "answers": {"q18": "yes", "q2": "yes"}}"#,
        "\n",
        r#"{"id": "b", "answers": {"q28": "yes"}}"#,
        "\n",
        "not json\n",
        r#"{"id": "c", "answers": {"q2": "no", "q3": "no", "q4": "no", "q15": "no"}, "conflict_screen": {"fear": "no", "power_imbalance": "no"}}"#,
        "\n"
    );
    let out = run(
        &[
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--top",
            "2",
            "-",
        ],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let pa = lines[0]["probability"].as_f64().unwrap();
    let pc = lines[3]["probability"].as_f64().unwrap();
    assert!(
        pa > pc,
        "fear and strangulation rank above cleared fear and power"
    );
    assert_eq!(lines[0]["contributions"].as_array().unwrap().len(), 2);
    assert_eq!(lines[0]["reasons"].as_array().unwrap().len(), 2);
    assert_eq!(lines[0]["reasons"][0]["code"], "model_contribution");
    // Error records: the same shape as `dashrisk assess`.
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["id"], "b");
    assert_eq!(lines[1]["error"]["code"], "unknown_question");
    assert_eq!(lines[1]["error"]["field"], "answers.q28");
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[2]["error"]["code"], "invalid_json");
    assert!(text(&out.stderr).contains("2 record(s) failed"));
}

#[test]
fn predict_reads_csv_in_the_input_contract() {
    let (data, model, out) = trained("csv", "400");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(
        &[
            "predict",
            "--model",
            model.to_str().unwrap(),
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 400);
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "syn-0000001");
    assert_eq!(first["synthetic_training_data"], true);
}

#[test]
fn damaged_models_and_bad_training_data_are_refused() {
    let (data, model, out) = trained("refuse", "300");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json = std::fs::read_to_string(&model).unwrap();

    let tampered = tmp("refuse-tampered.json");
    std::fs::write(
        &tampered,
        json.replacen("\"intercept\": ", "\"intercept\": 1", 1),
    )
    .unwrap();
    let out = run(
        &["predict", "--model", tampered.to_str().unwrap(), "-"],
        b"{}\n",
    );
    refused(&out, "checksum");

    // No penalty: the one-hot blocks make the fit not unique, so it is refused
    // before anything is read or written.
    let never = tmp("refuse-alpha0.json");
    let out = run(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--alpha",
            "0",
            "--out",
            never.to_str().unwrap(),
        ],
        b"",
    );
    refused(&out, "not unique");
    assert!(!never.exists());

    // No such label column: a usage error naming the columns.
    let out = run(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "outcome",
            "--out",
            "/dev/null",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no column \"outcome\""));

    // A label that is not 1/0/true/false/yes/no: the record fails and no model is
    // written.
    let bad = tmp("refuse-bad.csv");
    let csv = std::fs::read_to_string(&data).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let last = lines[3].rfind(',').unwrap();
    let before = lines[3][..last].rfind(',').unwrap();
    lines[3] = format!("{}maybe{}", &lines[3][..=before], &lines[3][last..]);
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let out_model = tmp("refuse-never.json");
    let out = run(
        &[
            "train",
            "--data",
            bad.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--out",
            out_model.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("label_abuse"),
        "{err}"
    );
    assert!(!out_model.exists());

    // Non-convergence is an error, not a model.
    let out = run(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--out",
            out_model.to_str().unwrap(),
            "--max-iterations",
            "1",
        ],
        b"",
    );
    refused(&out, "did not converge");
    assert!(!out_model.exists());
}

/// `data` without the named columns, as a new CSV file.
fn without_columns(data: &std::path::Path, drop: &[&str], to: &std::path::Path) {
    let mut r = csv::Reader::from_path(data).unwrap();
    let header = r.headers().unwrap().clone();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !drop.contains(&&header[i]))
        .collect();
    assert_eq!(
        keep.len() + drop.len(),
        header.len(),
        "every dropped column exists"
    );
    let mut w = csv::Writer::from_path(to).unwrap();
    w.write_record(keep.iter().map(|&i| &header[i])).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        w.write_record(keep.iter().map(|&i| &row[i])).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn predict_names_fields_that_training_answered_and_no_record_here_does() {
    let (data, model, out) = trained("columns", "400");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let model_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let answered = model_json["answered_in_training"].as_object().unwrap();
    let fear = answered["screen.fear"].as_f64().unwrap();
    assert!(fear > 0.5 && fear <= 1.0, "{answered:?}");
    let m = model.to_str().unwrap();

    // Every column: no warning.
    let full = run(&["predict", "--model", m, data.to_str().unwrap()], b"");
    assert!(full.status.success(), "{}", text(&full.stderr));
    assert!(
        !text(&full.stderr).contains("warning"),
        "{}",
        text(&full.stderr)
    );

    // Two columns left out: predicted, but both named.
    let cut = tmp("columns-cut.csv");
    without_columns(&data, &["q2", "fear"], &cut);
    let out = run(&["predict", "--model", m, cut.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning") && err.contains("q2 (") && err.contains("), screen.fear ("),
        "{err}"
    );
    assert!(err.contains("none of the 400 record(s)"), "{err}");
    assert_eq!(text(&out.stdout).lines().count(), 400);
    assert_ne!(out.stdout, full.stdout, "the predictions moved");

    // --strict-columns refuses, and writes nothing.
    let to = tmp("columns-strict.jsonl");
    let _ = std::fs::remove_file(&to);
    let out = run(
        &[
            "predict",
            "--model",
            m,
            "--strict-columns",
            "--out",
            to.to_str().unwrap(),
            cut.to_str().unwrap(),
        ],
        b"",
    );
    refused(&out, "), screen.fear (");
    assert!(text(&out.stderr).contains("nothing was written"));
    assert!(!to.exists(), "no output file after a refusal");

    // A few records that leave answers blank by chance are not a missing column:
    // two rows with every column present, some answers blank, pass the strict check.
    let few = tmp("columns-few.csv");
    let text_all = std::fs::read_to_string(&data).unwrap();
    let kept: Vec<&str> = text_all.lines().take(3).collect();
    std::fs::write(&few, kept.join("\n") + "\n").unwrap();
    // (Some question the model saw answered is blank in both rows here.)
    let mut r = csv::Reader::from_path(&few).unwrap();
    let header = r.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(
        (0..header.len()).any(|i| header[i].starts_with('q')
            && answered.contains_key(&header[i])
            && rows.iter().all(|row| row[i].is_empty())),
        "the two rows answer every question"
    );
    let out = run(
        &[
            "predict",
            "--model",
            m,
            "--strict-columns",
            few.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );

    // A model written before the field was recorded loads and is not checked.
    let mut old = model_json.clone();
    old.as_object_mut().unwrap().remove("answered_in_training");
    let old_model: dashrisk_learn::LogisticModel = serde_json::from_value(old).unwrap();
    let old_path = tmp("columns-old-model.json");
    std::fs::write(&old_path, old_model.to_json()).unwrap();
    let out = run(
        &[
            "predict",
            "--model",
            old_path.to_str().unwrap(),
            "--strict-columns",
            cut.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}
