//! The scoring model: the shipped artefact is reproducible from its recorded seed;
//! it is calibrated on a synthetic population it never saw; a record with nothing
//! answered gets about the base rate; artefacts round-trip, and tampered or
//! mismatched ones are refused. (The held-out test on a population from another
//! generator setting, against a logistic regression, is in
//! crates/dashrisk-cli/tests/heldout_calibrate.rs.)

use dashrisk::calibration::{MapMethod, SHIPPED_CALIBRATION_JSON};
use dashrisk::synth::{generate, SynthParams};
use dashrisk::*;

#[test]
fn shipped_calibration_is_reproducible_from_its_seed() {
    let refit =
        fit_reference_calibration(MapMethod::Isotonic, REFERENCE_N, REFERENCE_SEED).unwrap();
    assert_eq!(
        refit.to_json(),
        SHIPPED_CALIBRATION_JSON,
        "assets/calibration.json differs from a refit: run `dashrisk calibrate --out crates/dashrisk/assets/calibration.json`"
    );
    let shipped = Calibration::shipped();
    assert!(
        shipped.provenance.synthetic,
        "the shipped calibration must say it is synthetic"
    );
    assert_eq!(shipped.provenance.seed, Some(REFERENCE_SEED));
    assert_eq!(
        shipped.provenance.fitted_on, None,
        "the reference fit carries no date"
    );
    for f in &shipped.forms {
        for (id, p) in &f.items {
            assert!(p.yes <= 10, "{id}: {} points", p.yes);
            assert!(p.unknown >= 0.0 && p.unknown <= f64::from(p.yes), "{id}");
        }
    }
}

fn ece(pairs: &[(f64, bool)]) -> f64 {
    let p: Vec<f64> = pairs.iter().map(|x| x.0).collect();
    let y: Vec<bool> = pairs.iter().map(|x| x.1).collect();
    fit::ece(&p, &y)
}

#[test]
fn calibrated_on_an_unseen_synthetic_population() {
    // 20,000 records from a seed the calibration never saw. (Synthetic data: this
    // checks the fitting, not real-world calibration.)
    let scorer = Scorer::default();
    let recs = generate(20_000, 4242, &SynthParams::default());
    let pairs: Vec<(f64, bool)> = recs
        .iter()
        .map(|r| {
            (
                scorer.assess(&r.assessment).unwrap().p_abuse.unwrap(),
                r.abuse,
            )
        })
        .collect();
    let e = ece(&pairs);
    assert!(e < 0.02, "expected calibration error {e:.4}");
    let n = pairs.len() as f64;
    let brier = pairs
        .iter()
        .map(|(p, y)| (p - f64::from(u8::from(*y))).powi(2))
        .sum::<f64>()
        / n;
    let base = recs.iter().filter(|r| r.abuse).count() as f64 / n;
    assert!(brier < 0.25 * base * (1.0 - base), "Brier {brier:.4}");
}

#[test]
fn nothing_answered_gets_about_the_base_rate_on_every_form() {
    let scorer = Scorer::default();
    let base = {
        let c = scorer.calibration();
        c.provenance.positives as f64 / c.provenance.n as f64
    };
    for inst in ["dash-2009", "dash-2009-partner"] {
        let a = Assessment {
            instrument: inst.into(),
            ..Assessment::default()
        };
        let r = scorer.assess(&a).unwrap();
        let p = r.p_abuse.unwrap();
        assert!(
            (p - base).abs() <= 0.15,
            "{inst}: p_abuse {p:.3} vs base rate {base:.3}"
        );
        assert_eq!(r.classification, Classification::Unclear);
    }
}

#[test]
fn each_form_has_its_own_points() {
    let cal = Calibration::shipped();
    let police = cal.form("dash-2009").unwrap();
    let partner = cal.form("dash-2009-partner").unwrap();
    assert!(police.items.contains_key("q10"));
    assert!(
        !partner.items.contains_key("q10"),
        "the partner form has no q10"
    );
    assert_ne!(police.map, partner.map);
}

#[test]
fn artefacts_round_trip_and_tampered_or_mismatched_ones_are_refused() {
    let cal = Calibration::shipped();
    let json = cal.to_json();
    assert_eq!(Calibration::from_json(&json).unwrap(), cal);
    // An edit after writing breaks the checksum.
    let edited = json.replacen("\"per_incident\": ", "\"per_incident\": 1", 1);
    assert!(Calibration::from_json(&edited).is_err());
    // Points for a question the form does not have: refused by the scorer.
    let mut odd = cal.clone();
    let form = odd
        .forms
        .iter_mut()
        .find(|f| f.instrument == "dash-2009-partner")
        .unwrap();
    form.items.insert("q11".into(), form.items["q13"]);
    odd.seal();
    let err = Scorer::new(Policy::default(), odd).unwrap_err();
    assert!(matches!(err, ArtefactError::Mismatch { .. }), "{err}");
    assert!(err.to_string().contains("q11"), "{err}");
}

#[test]
fn a_custom_form_has_no_estimate_until_fitted_and_a_based_on_form_starts_from_its_base() {
    let custom = Instrument::from_json(
        r#"{"format_version":1,"id":"mini","name":"Mini","source":"test",
        "questions":[{"id":"q1","number":1,"text":"Afraid?","domains":["fear"],"markers":["fear"]},
                     {"id":"q2","number":2,"text":"Controlled?","domains":["coercive_control"],"markers":["power_imbalance"]}]}"#,
    )
    .unwrap();
    let scorer = Scorer::default().with_instrument(custom).unwrap();
    let a = scorer
        .parse_json(r#"{"instrument":"mini","answers":{"q1":"no","q2":"no"},"conflict_screen":{"fear":"no","power_imbalance":"no"},"context":{"prior_incidents_12m":0}}"#)
        .unwrap();
    let r = scorer.assess(&a).unwrap();
    assert_eq!(r.p_abuse, None);
    assert!(r.has_reason(ReasonCode::NoEstimate));
    assert_ne!(r.classification, Classification::ParentalConflict);
    // A form based on the police form scores with its points.
    let mut official = Instrument::dash_2009().clone();
    official.id = "dash-2009-official".into();
    official.based_on = Some("dash-2009".into());
    let scorer = Scorer::default().with_instrument(official).unwrap();
    let mut b = Assessment::default();
    b.answers.insert("q1".into(), Answer::Yes);
    let police = scorer.assess(&b).unwrap();
    b.instrument = "dash-2009-official".into();
    let official = scorer.assess(&b).unwrap();
    assert_eq!(official.p_abuse, police.p_abuse);
    assert!(official.p_abuse.is_some());
}
