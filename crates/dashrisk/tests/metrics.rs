//! `dashrisk::metrics` against reference values: scikit-learn 1.9.1 for ROC AUC,
//! average precision, the Brier score and log loss; the reference implementations of
//! `tests/reference/metrics_reference.py` for DeLong, the calibration slope and
//! intercept, ECE, the confusion table and decision curves. The JSON file records
//! which function and version produced each value (`produced_by`).
//!
//! Tolerances (from the evaluation issue): AUC, average precision, Brier and log loss
//! 1e-9; the DeLong standard error 1e-6; the AUC's interval (Newcombe's method 5,
//! against the roots of its quartic) 1e-9; slope and intercept 1e-4.

use dashrisk::metrics;
use serde_json::Value;

fn reference() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/reference/metrics_reference.json"),
    )
    .expect("the reference file");
    serde_json::from_str(&text).expect("JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn bools(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_bool().unwrap())
        .collect()
}

fn close(what: &str, got: f64, want: &Value, tol: f64) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no reference value"));
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got} against {want} (tolerance {tol})"
    );
}

#[test]
fn every_metric_matches_its_reference() {
    let r = reference();
    assert!(r["produced_by"]["roc_auc"]
        .as_str()
        .unwrap()
        .contains("scikit-learn"));
    let mut checked = 0;
    for (name, c) in r["cases"].as_object().unwrap() {
        let s = floats(&c["scores"]);
        let y = bools(&c["labels"]);
        let at = |k: &str| format!("{name}: {k}");
        close(
            &at("roc_auc"),
            metrics::roc_auc(&s, &y).unwrap(),
            &c["roc_auc"],
            1e-9,
        );
        close(
            &at("average_precision"),
            metrics::average_precision(&s, &y).unwrap(),
            &c["average_precision"],
            1e-9,
        );
        let d = metrics::roc_auc_delong(&s, &y).unwrap();
        close(&at("delong auc"), d.auc, &c["delong"]["auc"], 1e-9);
        close(&at("delong se"), d.se, &c["delong"]["se"], 1e-6);
        let iv = &c["auc_interval"];
        assert_eq!(d.ci95_method, iv["method"].as_str().unwrap(), "{name}");
        let (low, high) = d.ci95.expect("scores that vary have an interval");
        close(&at("interval low"), low, &iv["ci95"][0], 1e-9);
        close(&at("interval high"), high, &iv["ci95"][1], 1e-9);
        let cf = &c["confusion"];
        let m = metrics::confusion(&s, &y, cf["threshold"].as_f64().unwrap());
        assert_eq!(
            [m.tp, m.fp, m.tn, m.fn_],
            ["tp", "fp", "tn", "fn"].map(|k| cf[k].as_u64().unwrap()),
            "{name}: confusion"
        );
        close(
            &at("sensitivity"),
            m.sensitivity.unwrap(),
            &cf["sensitivity"],
            1e-12,
        );
        close(
            &at("specificity"),
            m.specificity.unwrap(),
            &cf["specificity"],
            1e-12,
        );
        close(&at("ppv"), m.ppv.unwrap(), &cf["ppv"], 1e-12);
        close(&at("npv"), m.npv.unwrap(), &cf["npv"], 1e-12);
        checked += 1;
        if c.get("brier").is_none() {
            continue; // a ranking score: no probability figures
        }
        close(
            &at("brier"),
            metrics::brier(&s, &y).unwrap(),
            &c["brier"],
            1e-9,
        );
        close(
            &at("log_loss"),
            metrics::log_loss(&s, &y).unwrap(),
            &c["log_loss"],
            1e-9,
        );
        close(&at("ece"), metrics::ece(&s, &y), &c["ece"], 1e-9);
        close(
            &at("calibration_slope"),
            metrics::calibration_slope(&s, &y).unwrap(),
            &c["slope"],
            1e-4,
        );
        close(
            &at("calibration_intercept"),
            metrics::calibration_intercept(&s, &y).unwrap(),
            &c["intercept"],
            1e-4,
        );
        let ts: Vec<f64> = c["decision_curve"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["threshold"].as_f64().unwrap())
            .collect();
        let curve = metrics::decision_curve(&s, &y, &ts);
        assert_eq!(curve.len(), ts.len());
        for (got, want) in curve.iter().zip(c["decision_curve"].as_array().unwrap()) {
            let t = got.threshold;
            close(
                &at(&format!("net benefit at {t}")),
                got.net_benefit,
                &want["net_benefit"],
                1e-9,
            );
            close(
                &at(&format!("treat all at {t}")),
                got.net_benefit_all,
                &want["net_benefit_all"],
                1e-9,
            );
            close(
                &at(&format!("interventions avoided at {t}")),
                got.net_interventions_avoided,
                &want["net_interventions_avoided"],
                1e-9,
            );
            assert_eq!(got.net_benefit_none, 0.0);
        }
        let bins = metrics::reliability(&s, &y, 10);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), s.len() as u64);
    }
    assert_eq!(checked, 3);
    let p = &r["paired"];
    let (a, b, y) = (floats(&p["a"]), floats(&p["b"]), bools(&p["labels"]));
    let c = metrics::delong_paired(&a, &b, &y).unwrap();
    close("paired difference", c.difference, &p["difference"], 1e-9);
    close("paired se", c.se, &p["se"], 1e-6);
    close("paired low", c.ci95.0, &p["ci95"][0], 1e-6);
    close("paired high", c.ci95.1, &p["ci95"][1], 1e-6);
    close("paired p", c.p_value.unwrap(), &p["p_value"], 1e-6);
}

/// The AUC's interval alone (Newcombe's method 5) at the reference's grid: AUCs
/// from 0 to 1, one record of a class, up to 2,000 and 6,000 records.
#[test]
fn the_auc_interval_matches_its_reference() {
    let r = reference();
    let cases = r["auc_intervals"].as_array().unwrap();
    assert!(cases.len() >= 60);
    for c in cases {
        let a = c["auc"].as_f64().unwrap();
        let m = c["positives"].as_u64().unwrap() as usize;
        let n = c["negatives"].as_u64().unwrap() as usize;
        let (low, high) = metrics::auc_score_interval(a, m, n).unwrap();
        let at = format!("auc {a}, {m} and {n}");
        close(&format!("{at}: low"), low, &c["ci95"][0], 1e-9);
        close(&format!("{at}: high"), high, &c["ci95"][1], 1e-9);
    }
}
