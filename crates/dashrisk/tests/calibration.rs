//! The shipped calibration is reproducible from its recorded seed, refuses to pair
//! with other weights, and is calibrated on a synthetic population it never saw.

use dashrisk::calibration::SHIPPED_CALIBRATION_JSON;
use dashrisk::synth::{generate, SynthParams};
use dashrisk::*;

#[test]
fn shipped_calibration_is_reproducible_from_its_seed() {
    let refit = fit_reference_calibration(&Policy::default(), REFERENCE_N, REFERENCE_SEED).unwrap();
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
}

#[test]
fn calibration_for_other_weights_is_refused() {
    let mut policy = Policy::default();
    policy.scorer.weights.screen_fear_points += 1.0;
    let err = Scorer::new(policy.clone(), Calibration::shipped()).unwrap_err();
    assert!(matches!(err, ArtefactError::Mismatch { .. }), "{err}");
    assert!(err.to_string().contains("refit"), "{err}");
    // A calibration fitted for those weights is accepted.
    let cal = fit_reference_calibration(&policy, 20_000, 5).unwrap();
    assert!(Scorer::new(policy, cal).is_ok());
}

#[test]
fn calibrated_on_an_unseen_synthetic_population() {
    // Expected calibration error over ten equal-width bins on 20,000 records from a
    // seed the calibration never saw: under 3 percentage points. (Synthetic data:
    // this checks the fitting, not real-world calibration.)
    let scorer = Scorer::default();
    let recs = generate(20_000, 4242, &SynthParams::default());
    let mut bins = vec![(0.0f64, 0.0f64, 0.0f64); 10];
    let mut brier = 0.0;
    for r in &recs {
        let res = scorer.assess(&r.assessment).unwrap();
        let y = f64::from(u8::from(r.abuse));
        let b = ((res.p_abuse * 10.0) as usize).min(9);
        bins[b].0 += res.p_abuse;
        bins[b].1 += y;
        bins[b].2 += 1.0;
        brier += (res.p_abuse - y).powi(2);
    }
    let n = recs.len() as f64;
    // Per bin |sum p - sum y| / n is the bin's |mean p - mean y| weighted by its share.
    let ece: f64 = bins.iter().map(|(p, y, _)| (p - y).abs() / n).sum();
    brier /= n;
    assert!(ece < 0.03, "expected calibration error {ece:.4}");
    // Better than always predicting the base rate.
    let base = recs.iter().filter(|r| r.abuse).count() as f64 / n;
    assert!(
        brier < base * (1.0 - base),
        "Brier {brier:.4} vs base-rate {:.4}",
        base * (1.0 - base)
    );
}
