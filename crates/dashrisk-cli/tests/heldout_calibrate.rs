//! The honest held-out test of the probability (issue: "a probability that means
//! what it says"): a SYNTHETIC population from another generator setting than the
//! one the shipped points were fitted on (a lower base rate, stronger officer
//! under-recording, more unknown answers), split in two. `dashrisk calibrate
//! --data` fits on the first half; on the second half:
//!
//! - ECE <= 0.02 overall, and <= 0.05 in every stratum with at least 200 records
//!   (gate fired or not; 0, 1-2 or 3+ unanswered items);
//! - ROC AUC within 0.01 of the logistic comparison model (`dashrisk train`) trained
//!   on the same records;
//! - at most 0.5% of true abuse labelled parental conflict;
//! - at least 90% of the true conflict cases whose recorded answers leave conflict
//!   open under the safety rules routed to `parental_conflict`.
//!
//! docs/model-card.md reports a run of this test.

mod common;

use common::{lines, run, tmp};
use serde_json::Value;

const SETTINGS: [&str; 4] = [
    "p_abuse=0.35",
    "under_recording_sensitive=0.55",
    "under_recording_other=0.15",
    "p_not_known=0.12",
];

fn ece(p: &[f64], y: &[bool]) -> f64 {
    let mut bins = [(0.0f64, 0.0f64, 0u64); 10];
    for (&pi, &yi) in p.iter().zip(y) {
        let b = ((pi * 10.0) as usize).min(9);
        bins[b] = (
            bins[b].0 + pi,
            bins[b].1 + f64::from(u8::from(yi)),
            bins[b].2 + 1,
        );
    }
    bins.iter()
        .filter(|b| b.2 > 0)
        .map(|b| (b.0 - b.1).abs() / p.len() as f64)
        .sum()
}

fn auc(p: &[f64], y: &[bool]) -> f64 {
    // Mann-Whitney with ties counted half.
    let (mut num, mut pos, mut neg) = (0.0, 0.0, 0.0);
    let mut pairs: Vec<(f64, bool)> = p.iter().copied().zip(y.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut i = 0;
    let mut neg_below = 0.0;
    while i < pairs.len() {
        let mut j = i;
        let (mut tp, mut tn) = (0.0, 0.0);
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            if pairs[j].1 {
                tp += 1.0
            } else {
                tn += 1.0
            }
            j += 1;
        }
        num += tp * (neg_below + tn / 2.0);
        neg_below += tn;
        pos += tp;
        neg += tn;
        i = j;
    }
    num / (pos * neg)
}

fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn calibrate_on_a_force_population_holds_on_its_held_out_half() {
    let (train, test, cal) = (
        tmp("heldout", "train.csv"),
        tmp("heldout", "test.csv"),
        tmp("heldout", "cal.json"),
    );
    let mut args = vec!["synth", "--n", "60000", "--seed", "31337"];
    for s in &SETTINGS {
        args.extend(["--set", s]);
    }
    let out = run(&args, b"");
    ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = text.lines();
    let header = rows.next().unwrap();
    let body: Vec<&str> = rows.collect();
    let half = body.len() / 2;
    std::fs::write(&train, format!("{header}\n{}\n", body[..half].join("\n"))).unwrap();
    std::fs::write(&test, format!("{header}\n{}\n", body[half..].join("\n"))).unwrap();

    let out = run(
        &[
            "calibrate",
            "--data",
            train.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--out",
            cal.to_str().unwrap(),
        ],
        b"",
    );
    ok(&out);
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("SYNTHETIC"), "{report}");
    let artefact: Value = serde_json::from_str(&std::fs::read_to_string(&cal).unwrap()).unwrap();
    assert_eq!(artefact["provenance"]["n"], 30000);
    assert!(
        artefact["provenance"]["input_sha256"]
            .as_str()
            .unwrap()
            .len()
            == 64
    );
    assert!(artefact["conflict"]["guaranteed"].as_bool().unwrap());

    let out = run(
        &[
            "assess",
            test.to_str().unwrap(),
            "--calibration",
            cal.to_str().unwrap(),
            "--output-format",
            "jsonl",
        ],
        b"",
    );
    ok(&out);
    let results = lines(&out);
    assert_eq!(results.len(), body.len() - half);
    let labels: Vec<bool> = body[half..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells[cells.len() - 2] == "1"
        })
        .collect();
    let p: Vec<f64> = results
        .iter()
        .map(|r| r["p_abuse"].as_f64().unwrap())
        .collect();

    // Calibration, overall and by stratum.
    let overall = ece(&p, &labels);
    assert!(overall <= 0.02, "ECE {overall:.4}");
    type Keep = fn(&Value) -> bool;
    let strata: [(&str, Keep); 5] = [
        ("gate fired", |r| r["decided_by"] == "safety_gate"),
        ("no gate", |r| r["decided_by"] != "safety_gate"),
        ("0 unanswered", |r| unanswered(r) == 0),
        ("1-2 unanswered", |r| (1..=2).contains(&unanswered(r))),
        ("3+ unanswered", |r| unanswered(r) >= 3),
    ];
    for (name, keep) in strata {
        let (ps, ys): (Vec<f64>, Vec<bool>) = results
            .iter()
            .zip(&p)
            .zip(&labels)
            .filter(|((r, _), _)| keep(r))
            .map(|((_, &pi), &yi)| (pi, yi))
            .unzip();
        if ps.len() >= 200 {
            let e = ece(&ps, &ys);
            assert!(e <= 0.05, "{name}: ECE {e:.4} on {} records", ps.len());
        }
    }

    // Routing safety.
    let n_abuse = labels.iter().filter(|&&y| y).count();
    let abuse_pc = results
        .iter()
        .zip(&labels)
        .filter(|(r, &y)| y && r["classification"] == "parental_conflict")
        .count();
    assert!(
        abuse_pc as f64 <= 0.005 * n_abuse as f64,
        "{abuse_pc} of {n_abuse} abuse cases labelled parental conflict"
    );
    let open = |r: &Value| {
        !r["conflict_blockers"].as_array().unwrap().iter().any(|b| {
            matches!(
                b.as_str().unwrap(),
                "safety_gate" | "gate_item_unanswered" | "abuse_evidence" | "earlier_abuse"
            )
        })
    };
    let eligible: Vec<&Value> = results
        .iter()
        .zip(&labels)
        .filter(|(r, &y)| !y && open(r))
        .map(|(r, _)| r)
        .collect();
    let routed = eligible
        .iter()
        .filter(|r| r["classification"] == "parental_conflict")
        .count();
    assert!(eligible.len() >= 200, "{} eligible", eligible.len());
    assert!(
        routed as f64 >= 0.9 * eligible.len() as f64,
        "{routed} of {} eligible conflict cases routed to parental conflict",
        eligible.len()
    );

    // Discrimination against the logistic comparison model on the same records.
    let model = tmp("heldout", "model.json");
    ok(&run(
        &[
            "train",
            "--data",
            train.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--out",
            model.to_str().unwrap(),
        ],
        b"",
    ));
    let out = run(
        &[
            "predict",
            "--model",
            model.to_str().unwrap(),
            test.to_str().unwrap(),
        ],
        b"",
    );
    ok(&out);
    let lr: Vec<f64> = lines(&out)
        .iter()
        .map(|r| r["probability"].as_f64().unwrap())
        .collect();
    let (a_scorer, a_lr) = (auc(&p, &labels), auc(&lr, &labels));
    assert!(
        a_scorer >= a_lr - 0.01,
        "scorer AUC {a_scorer:.4} vs logistic {a_lr:.4}"
    );
    let all_conflict = labels.iter().filter(|&&y| !y).count();
    let all_routed = results
        .iter()
        .zip(&labels)
        .filter(|(r, &y)| !y && r["classification"] == "parental_conflict")
        .count();
    eprintln!(
        "held-out (synthetic): ECE {overall:.4}; AUC {a_scorer:.4} vs logistic {a_lr:.4}; abuse as conflict {abuse_pc} of {n_abuse}; eligible conflict routed {routed} of {}; all true conflict routed {all_routed} of {all_conflict}",
        eligible.len()
    );
}

fn unanswered(r: &Value) -> u64 {
    r["not_known_count"].as_u64().unwrap() + r["declined_count"].as_u64().unwrap()
}

#[test]
fn too_few_records_refit_the_map_only_and_give_no_conflict_label() {
    let (data, cal) = (tmp("few", "few.csv"), tmp("few", "cal.json"));
    let out = run(&["synth", "--n", "400", "--seed", "5"], b"");
    ok(&out);
    // One record loses its label: counted and left out, not an error.
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows: Vec<String> = text.lines().map(String::from).collect();
    let cells: Vec<&str> = rows[1].split(',').collect();
    let n = cells.len();
    rows[1] = format!("{},,{}", cells[..n - 2].join(","), cells[n - 1]);
    std::fs::write(&data, rows.join("\n") + "\n").unwrap();
    let out = run(
        &[
            "calibrate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--out",
            cal.to_str().unwrap(),
        ],
        b"",
    );
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refit the points of dash-2009 (399 records")
            && err.contains("its map was refitted, keeping its points"),
        "{err}"
    );
    assert!(
        err.contains("1 record(s) have no \"label_abuse\" label"),
        "{err}"
    );
    assert!(
        err.contains("NO CASE WILL BE LABELLED PARENTAL CONFLICT"),
        "{err}"
    );
    let artefact: Value = serde_json::from_str(&std::fs::read_to_string(&cal).unwrap()).unwrap();
    assert_eq!(artefact["conflict"]["guaranteed"], false);
    assert_eq!(artefact["conflict"]["threshold"], 0.0);
    assert_eq!(artefact["provenance"]["unlabelled"], 1);
    // The default label names the day and the contents: another fit of the same
    // day (here with the other map) gets another label.
    let label = artefact["version"].as_str().unwrap().to_string();
    let (prefix, digits) = label.rsplit_once('-').unwrap();
    assert!(prefix.starts_with("cal-local-20"), "{label}");
    assert!(
        digits.len() == 8 && digits.chars().all(|c| c.is_ascii_hexdigit()),
        "{label}"
    );
    let platt = tmp("few", "cal-platt.json");
    let out = run(
        &[
            "calibrate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--method",
            "platt",
            "--out",
            platt.to_str().unwrap(),
        ],
        b"",
    );
    ok(&out);
    let other: Value = serde_json::from_str(&std::fs::read_to_string(&platt).unwrap()).unwrap();
    let other_label = other["version"].as_str().unwrap();
    assert!(
        other_label.starts_with(prefix) && other_label != label,
        "{other_label}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(other_label));
    // With that artefact nothing is labelled parental conflict.
    let out = run(
        &[
            "assess",
            data.to_str().unwrap(),
            "--calibration",
            cal.to_str().unwrap(),
            "--output-format",
            "jsonl",
        ],
        b"",
    );
    ok(&out);
    let results = lines(&out);
    assert_eq!(results.len(), 400);
    assert!(results
        .iter()
        .all(|r| r["classification"] != "parental_conflict"));
}
