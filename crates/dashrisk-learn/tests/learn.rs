//! Behaviour of training, the artefact and the predictor interface.

use dashrisk::predictor::{DashGrading, Predictor};
use dashrisk::result::ReasonCode;
use dashrisk::{synth, ArtefactError, Assessment, Scorer};
use dashrisk_learn::metrics::roc_auc;
use dashrisk_learn::{
    ClassWeight, CrossValidation, FittedLogistic, LearnError, LogisticModel, LogisticParams,
    NonConvergence, TrainingSet, ValidLogisticParams,
};
use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` rows, `p` Gaussian features, labels from a logistic with this intercept.
fn gaussian(n: usize, p: usize, intercept: f64, seed: u64) -> (Array2<f64>, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = || {
        // Box–Muller: enough for test data.
        let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let x = Array2::from_shape_simple_fn((n, p), &mut normal);
    let beta: Vec<f64> = (0..p)
        .map(|j| if j % 2 == 0 { 1.0 } else { -0.5 })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let y = x
        .rows()
        .into_iter()
        .map(|r| {
            let z = intercept + r.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            rng.random::<f64>() < 1.0 / (1.0 + (-z).exp())
        })
        .collect();
    (x, y)
}

fn params() -> ValidLogisticParams {
    LogisticParams::new().check().unwrap()
}

fn synth_set(n: usize, seed: u64, harm: bool) -> (Vec<Assessment>, TrainingSet) {
    let recs = synth::generate(n, seed, &Default::default());
    let a: Vec<Assessment> = recs.iter().map(|r| r.assessment.clone()).collect();
    let y: Vec<bool> = recs
        .iter()
        .map(|r| if harm { r.serious_harm } else { r.abuse })
        .collect();
    let label = if harm {
        "label_serious_harm"
    } else {
        "label_abuse"
    };
    let set =
        TrainingSet::from_assessments(&a, &y, label, &format!("synth seed {seed}"), true).unwrap();
    (a, set)
}

#[test]
fn probabilities_are_of_the_positive_class_when_positives_are_rare() {
    let (x, y) = gaussian(4000, 3, -3.6, 1);
    let rate = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
    assert!(
        (0.035..0.065).contains(&rate),
        "about 5% positives, got {rate}"
    );

    let m = params().fit_arrays(x.view(), &y).unwrap();
    let p = m.predict_proba(x.view());
    // At the optimum the intercept's gradient is zero, so the mean fitted
    // probability equals the share of positives: P(negative) would give 1 − rate.
    let mean = p.mean().unwrap();
    assert!((mean - rate).abs() < 1e-3, "mean p {mean} vs rate {rate}");
    assert!(
        m.coefficients[0] > 0.5 && m.coefficients[1] < -0.2,
        "{:?}",
        m.coefficients
    );
    assert!(roc_auc(p.as_slice().unwrap(), &y).unwrap() > 0.8);

    // The trap this guards against: linfa-logistic 0.8.1 itself returns the
    // probability of the majority class. If this starts failing, linfa has fixed
    // the flip; the orientation through `labels().pos.class` stays correct.
    let raw = linfa_logistic::LogisticRegression::default()
        .fit(&linfa::DatasetBase::new(x.view(), Array1::from(y.clone())))
        .unwrap();
    assert!(
        !raw.labels().pos.class,
        "linfa modelled the majority (negative) class"
    );
    let raw_mean = raw.predict_probabilities(&x.view()).mean().unwrap();
    assert!(
        (raw_mean - (1.0 - rate)).abs() < 1e-3,
        "raw mean {raw_mean}"
    );
}

#[test]
fn rare_dash_outcome_is_oriented_too() {
    // Serious harm is rare in the synthetic population (about 6%).
    let (_, set) = synth_set(3000, 77, true);
    let rate = set.positives() as f64 / set.y.len() as f64;
    assert!(rate < 0.1, "{rate}");
    let m = params().fit(&set).unwrap();
    let p: Vec<f64> = (0..set.y.len())
        .map(|i| 1.0 / (1.0 + (-m_log_odds(&m, set.x.row(i).to_vec())).exp()))
        .collect();
    let mean = p.iter().sum::<f64>() / p.len() as f64;
    assert!((mean - rate).abs() < 1e-3, "{mean} vs {rate}");
    // Strangulation (q18 yes) raises the risk of serious harm in the generator.
    let names = dashrisk_learn::feature_names();
    let i = names.iter().position(|n| n == "q18=yes").unwrap();
    let j = names.iter().position(|n| n == "q18=no").unwrap();
    assert!(m.coefficients[i] > m.coefficients[j]);
}

fn m_log_odds(m: &LogisticModel, x: Vec<f64>) -> f64 {
    m.intercept
        + x.iter()
            .zip(&m.coefficients)
            .map(|(a, b)| a * b)
            .sum::<f64>()
}

#[test]
fn iteration_limit_is_reported_not_returned() {
    let (x, y) = gaussian(500, 5, 0.0, 2);
    let p = LogisticParams::new().max_iterations(1).check().unwrap();
    match p.fit_arrays(x.view(), &y) {
        Err(LearnError::NotConverged {
            reason: NonConvergence::GradientAboveTolerance,
            gradient_norm,
            max_iterations: 1,
            ..
        }) => assert!(gradient_norm > 1e-4),
        other => panic!("expected non-convergence, got {other:?}"),
    }
    // The same data converge with the default limit.
    assert!(params().fit_arrays(x.view(), &y).is_ok());
}

#[test]
fn separable_data_without_penalty_is_reported() {
    // Perfectly separable at x = 0, alpha = 0: no maximum-likelihood estimate.
    let x = Array2::from_shape_fn((40, 1), |(i, _)| i as f64 - 19.5);
    let y: Vec<bool> = (0..40).map(|i| i >= 20).collect();
    let p = LogisticParams::new().alpha(0.0).check().unwrap();
    match p.fit_arrays(x.view(), &y) {
        Err(LearnError::NotConverged { reason, .. }) => {
            assert_eq!(reason, NonConvergence::Separated)
        }
        other => panic!("expected non-convergence, got {other:?}"),
    }
    // A penalty makes the problem well posed.
    assert!(params().fit_arrays(x.view(), &y).is_ok());
}

#[test]
fn separation_is_named_when_the_gradient_looks_converged() {
    // Separable with a wide margin: the gradient vanishes quickly while the
    // coefficients run off, so only the separation check can catch it.
    let x = Array2::from_shape_fn((20, 1), |(i, _)| if i < 10 { -5.0 } else { 5.0 });
    let y: Vec<bool> = (0..20).map(|i| i >= 10).collect();
    let p = LogisticParams::new()
        .alpha(0.0)
        .tolerance(1e-3)
        .check()
        .unwrap();
    let e = p.fit_arrays(x.view(), &y).unwrap_err();
    assert!(e.to_string().contains("did not converge"), "{e}");
    match e {
        LearnError::NotConverged {
            reason: NonConvergence::Separated,
            gradient_norm,
            tolerance,
            ..
        } => assert!(
            gradient_norm < tolerance,
            "the gradient test alone would have passed this fit"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn non_convergence_in_a_fold_names_the_fold() {
    let (x, y) = gaussian(300, 4, 0.0, 3);
    let p = LogisticParams::new().max_iterations(1).check().unwrap();
    match p.cross_validate(x.view(), &y, 3, 0) {
        Err(e @ LearnError::NotConverged { fold: Some(0), .. }) => {
            assert!(e.to_string().contains("in fold 1"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_data_is_refused() {
    let x = Array2::from_shape_fn((10, 2), |(i, j)| (i + j) as f64);
    let one_class = vec![true; 10];
    assert!(matches!(
        params().fit_arrays(x.view(), &one_class),
        Err(LearnError::TooFewClasses {
            positives: 10,
            negatives: 0,
            ..
        })
    ));
    let mut nan = x.clone();
    nan[[3, 1]] = f64::NAN;
    let y: Vec<bool> = (0..10).map(|i| i % 2 == 0).collect();
    match params().fit_arrays(nan.view(), &y) {
        Err(LearnError::InvalidData(m)) => assert!(m.contains("row 4, column 2"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        params().fit_arrays(x.view(), &y[..9]),
        Err(LearnError::InvalidData(_))
    ));
    assert!(matches!(
        params().cross_validate(x.view(), &y, 6, 0),
        Err(LearnError::TooFewClasses { .. })
    ));
}

#[test]
fn class_weight_equals_replicated_rows() {
    let (x, y) = gaussian(400, 3, -1.5, 4);
    let w = LogisticParams::new()
        .class_weight(ClassWeight::Integer {
            negative: 1,
            positive: 3,
        })
        .tolerance(1e-8)
        .check()
        .unwrap();
    let weighted = w.fit_arrays(x.view(), &y).unwrap();
    let mut rows = Vec::new();
    for (i, &yi) in y.iter().enumerate() {
        rows.extend(std::iter::repeat_n(i, if yi { 3 } else { 1 }));
    }
    let xr = x.select(Axis(0), &rows);
    let yr: Vec<bool> = rows.iter().map(|&i| y[i]).collect();
    let plain = LogisticParams::new()
        .tolerance(1e-8)
        .check()
        .unwrap()
        .fit_arrays(xr.view(), &yr)
        .unwrap();
    for (a, b) in weighted.coefficients.iter().zip(&plain.coefficients) {
        assert!((a - b).abs() < 1e-6);
    }
    assert_eq!(weighted.diagnostics.class_weight.positive, 3.0);
    // Weighting positives up raises every probability.
    let unweighted = LogisticParams::new()
        .tolerance(1e-8)
        .check()
        .unwrap()
        .fit_arrays(x.view(), &y)
        .unwrap();
    assert!(weighted.intercept > unweighted.intercept);
}

/// The L2 norm of the gradient of the mean weighted objective at a fit, computed
/// here independently of the crate: `Σ w_i (σ(z_i) − y_i) (x_i, 1) + alpha (β, 0)`,
/// over `Σ w_i`.
fn mean_weighted_gradient(
    x: &Array2<f64>,
    y: &[bool],
    weights: &[f64],
    alpha: f64,
    m: &FittedLogistic,
) -> f64 {
    let mut g: Vec<f64> = m.coefficients.iter().map(|c| alpha * c).collect();
    let (mut gb, mut total) = (0.0, 0.0);
    for ((row, &yi), &w) in x.rows().into_iter().zip(y).zip(weights) {
        let p = 1.0 / (1.0 + (-m.log_odds(row)).exp());
        let r = w * (p - if yi { 1.0 } else { 0.0 });
        for (gj, xj) in g.iter_mut().zip(row) {
            *gj += r * xj;
        }
        gb += r;
        total += w;
    }
    (g.iter().map(|v| v * v).sum::<f64>() + gb * gb).sqrt() / total
}

#[test]
fn real_class_weights_reach_the_weighted_optimum() {
    // Balanced classes, and rare positives weighted up past the negatives (linfa
    // models the more numerous class, not the heavier one: the orientation must
    // still come out right). 6,000 rows: the fits take the warm start.
    for (intercept, negative, positive) in [(-0.3, 0.3, 2.5), (-2.5, 0.2, 5.0)] {
        let (x, y) = gaussian(6000, 4, intercept, 8);
        let weight = ClassWeight::Real { negative, positive };
        let m = LogisticParams::new()
            .alpha(0.5)
            .class_weight(weight)
            .tolerance(1e-8)
            .check()
            .unwrap()
            .fit_arrays(x.view(), &y)
            .unwrap();
        assert_eq!(m.diagnostics.class_weight.negative, negative);
        assert_eq!(m.diagnostics.class_weight.positive, positive);
        let w: Vec<f64> = y
            .iter()
            .map(|&yi| if yi { positive } else { negative })
            .collect();
        let g = mean_weighted_gradient(&x, &y, &w, 0.5, &m);
        assert!(g < 1.1e-8, "{weight:?}: gradient {g:e}");
        // And the weights made a difference: the unweighted optimum is far from it.
        let plain = LogisticParams::new()
            .alpha(0.5)
            .tolerance(1e-8)
            .check()
            .unwrap()
            .fit_arrays(x.view(), &y)
            .unwrap();
        let g = mean_weighted_gradient(&x, &y, &w, 0.5, &plain);
        assert!(g > 1e-3, "{weight:?}: the unweighted fit too? {g:e}");
        assert!(m.intercept > plain.intercept + 1.0);
    }
}

#[test]
fn sample_weights_of_one_are_the_unweighted_fit_exactly() {
    // With and without the warm start (6,000 and 300 rows).
    for n in [6000, 300] {
        let (x, y) = gaussian(n, 4, -0.5, 9);
        let p = params();
        let plain = p.fit_arrays(x.view(), &y).unwrap();
        let ones = p.fit_arrays_weighted(x.view(), &y, &vec![1.0; n]).unwrap();
        assert_eq!(ones, plain);
        let integer_ones = LogisticParams::new()
            .class_weight(ClassWeight::Integer {
                negative: 1,
                positive: 1,
            })
            .check()
            .unwrap()
            .fit_arrays(x.view(), &y)
            .unwrap();
        assert_eq!(integer_ones, plain);
    }
}

#[test]
fn sample_weights_multiply_class_weights() {
    let (x, y) = gaussian(3000, 3, -1.0, 10);
    let s: Vec<f64> = (0..y.len()).map(|i| 0.25 + (i % 7) as f64 * 0.5).collect();
    let both = LogisticParams::new()
        .class_weight(ClassWeight::Real {
            negative: 0.7,
            positive: 1.9,
        })
        .tolerance(1e-8)
        .check()
        .unwrap()
        .fit_arrays_weighted(x.view(), &y, &s)
        .unwrap();
    let product: Vec<f64> = y
        .iter()
        .zip(&s)
        .map(|(&yi, &si)| if yi { 1.9 * si } else { 0.7 * si })
        .collect();
    let g = mean_weighted_gradient(&x, &y, &product, 1.0, &both);
    assert!(g < 1.1e-8, "gradient {g:e}");
    let by_rows = LogisticParams::new()
        .tolerance(1e-8)
        .check()
        .unwrap()
        .fit_arrays_weighted(x.view(), &y, &product)
        .unwrap();
    assert_eq!(both.coefficients, by_rows.coefficients);
    assert_eq!(both.intercept, by_rows.intercept);
    assert_eq!(both.diagnostics.class_weight.positive, 1.9);
    assert_eq!(by_rows.diagnostics.class_weight.positive, 1.0);
}

#[test]
fn whole_real_weights_are_the_integer_weights() {
    let (x, y) = gaussian(2000, 3, -1.0, 11);
    let fit = |w| {
        LogisticParams::new()
            .class_weight(w)
            .check()
            .unwrap()
            .fit_arrays(x.view(), &y)
            .unwrap()
    };
    let integer = fit(ClassWeight::Integer {
        negative: 2,
        positive: 3,
    });
    let real = fit(ClassWeight::Real {
        negative: 2.0,
        positive: 3.0,
    });
    assert_eq!(integer, real);
}

#[test]
fn bad_sample_weights_are_refused() {
    let (x, y) = gaussian(50, 2, 0.0, 12);
    let p = params();
    let mut w = vec![1.0; 50];
    assert!(matches!(
        p.fit_arrays_weighted(x.view(), &y, &w[..49]),
        Err(LearnError::InvalidData(m)) if m.contains("49 sample weights for 50 rows")
    ));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        w[7] = bad;
        match p.fit_arrays_weighted(x.view(), &y, &w) {
            Err(LearnError::InvalidData(m)) => assert!(m.starts_with("row 8:"), "{m}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn out_of_fold_predictions_come_from_models_that_never_saw_the_row() {
    let (x, y) = gaussian(300, 3, 0.0, 5);
    let cv: CrossValidation = params().cross_validate(x.view(), &y, 4, 9).unwrap();
    assert_eq!(cv.folds, 4);
    assert_eq!(cv.seed, Some(9));
    for k in 0..4 {
        let test: Vec<usize> = (0..y.len()).filter(|&i| cv.fold_of[i] == k).collect();
        let train: Vec<usize> = (0..y.len()).filter(|&i| cv.fold_of[i] != k).collect();
        assert!(test.iter().any(|&i| y[i]) && test.iter().any(|&i| !y[i]));
        let yt: Vec<bool> = train.iter().map(|&i| y[i]).collect();
        let m = params()
            .fit_arrays(x.select(Axis(0), &train).view(), &yt)
            .unwrap();
        let p = m.predict_proba(x.select(Axis(0), &test).view());
        for (&i, &pi) in test.iter().zip(&p) {
            assert_eq!(cv.out_of_fold[i], pi);
        }
    }
    let in_sample = params().fit_arrays(x.view(), &y).unwrap();
    let auc_in = roc_auc(in_sample.predict_proba(x.view()).as_slice().unwrap(), &y).unwrap();
    assert!(
        cv.auc <= auc_in + 1e-9,
        "held-out AUC is not above in-sample"
    );
    // Same seed, same folds.
    assert_eq!(
        dashrisk_learn::stratified_folds(&y, 4, 9).unwrap(),
        cv.fold_of
    );
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<LogisticParams>();
    send_sync::<ValidLogisticParams>();
    send_sync::<FittedLogistic>();
    send_sync::<LogisticModel>();
    send_sync::<TrainingSet>();
    send_sync::<CrossValidation>();
    send_sync::<LearnError>();
    send_sync::<dashrisk_learn::Explanation>();
}

#[test]
fn fitted_types_round_trip_through_serde() {
    let (x, y) = gaussian(200, 3, 0.0, 6);
    let f = params().fit_arrays(x.view(), &y).unwrap();
    let back: FittedLogistic = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    assert_eq!(back, f);
    let p = params();
    let back: ValidLogisticParams =
        serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);

    let (_, set) = synth_set(500, 8, false);
    let (m, _) = params().fit_with_cv(&set, 3, 1).unwrap();
    let json = m.to_json();
    let back = LogisticModel::from_json(&json).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.to_json(), json, "byte-identical on re-save");
    assert!(m.provenance.synthetic);
    assert!(m.provenance.cross_validation.is_some());
}

#[test]
fn damaged_or_foreign_models_are_refused() {
    let (_, set) = synth_set(400, 10, false);
    let m = params().fit(&set).unwrap();
    let json = m.to_json();

    // Edited coefficient: the checksum no longer matches.
    let i = json.find("\"intercept\": ").unwrap() + "\"intercept\": ".len();
    let tampered = format!("{}1{}", &json[..i], &json[i..]);
    assert!(matches!(
        LogisticModel::from_json(&tampered),
        Err(ArtefactError::Mismatch { problem, .. }) if problem.contains("checksum")
    ));

    // Another format version.
    let v9 = json.replacen("\"format_version\": 1", "\"format_version\": 9", 1);
    assert!(matches!(
        LogisticModel::from_json(&v9),
        Err(ArtefactError::Version { found: 9, .. })
    ));

    // A model built for another feature set, with a valid checksum.
    let mut other = m.clone();
    other.feature_set_version = "dashrisk-features/0".into();
    let e = LogisticModel::from_json(&other.to_json()).unwrap_err();
    assert!(
        e.to_string()
            .contains("feature set \"dashrisk-features/0\"")
            && e.to_string().contains("retrain"),
        "{e}"
    );

    // Shuffled feature names.
    let mut other = m.clone();
    other.feature_names.swap(0, 1);
    assert!(matches!(
        LogisticModel::from_json(&other.to_json()),
        Err(ArtefactError::Mismatch { .. })
    ));

    // Not a model at all, and an unknown field.
    assert!(matches!(
        LogisticModel::from_json("{}"),
        Err(ArtefactError::Malformed { .. })
    ));
    let extra = json.replacen('{', "{\"extra\": 1,", 1);
    assert!(matches!(
        LogisticModel::from_json(&extra),
        Err(ArtefactError::Malformed { .. })
    ));
}

#[test]
fn explanations_add_up_and_come_largest_first() {
    let (a, set) = synth_set(600, 12, false);
    let m = params().fit(&set).unwrap();
    for rec in a.iter().take(20) {
        let all = m.explain(rec, usize::MAX).unwrap();
        let sum: f64 = all.contributions.iter().map(|c| c.contribution).sum();
        assert!((all.intercept + sum - all.log_odds).abs() < 1e-9);
        assert!((m.probability(rec).unwrap() - all.probability).abs() < 1e-15);
        let top = m.explain(rec, 3).unwrap();
        assert_eq!(top.contributions.len(), 3);
        assert_eq!(top.contributions[..], all.contributions[..3]);
        for w in all.contributions.windows(2) {
            assert!(w[0].contribution.abs() >= w[1].contribution.abs());
        }
        for c in &all.contributions {
            assert!((c.coefficient * c.value - c.contribution).abs() < 1e-15);
            assert_ne!(c.value, 0.0);
        }
    }
    let p = m.predict(&a[0]).unwrap();
    assert_eq!(p.predictor, "logistic-regression");
    assert_eq!(
        p.reasons.len(),
        dashrisk_learn::model::DEFAULT_TOP_CONTRIBUTIONS
    );
    assert!(p
        .reasons
        .iter()
        .all(|r| r.code == ReasonCode::ModelContribution
            && r.text.contains("log-odds of label_abuse")));
    assert_eq!(p.id, a[0].id);
}

#[test]
fn predictors_are_interchangeable_in_evaluation_code() {
    let (_, set) = synth_set(2000, 21, false);
    let model = params().fit(&set).unwrap();
    // An unseen population, scored by every tool through one interface.
    let test = synth::generate(1500, 22, &Default::default());
    let tools: Vec<Box<dyn Predictor>> = vec![
        Box::new(Scorer::default()),
        Box::new(DashGrading::default()),
        Box::new(model),
    ];
    let y: Vec<bool> = test.iter().map(|r| r.abuse).collect();
    for tool in &tools {
        let scores: Vec<f64> = test
            .iter()
            .map(|r| tool.predict(&r.assessment).unwrap().rank_score)
            .collect();
        let auc = roc_auc(&scores, &y).unwrap();
        assert!(auc > 0.7, "{}: AUC {auc}", tool.name());
    }
    let mut bad = Assessment::default();
    bad.answers.insert("q28".into(), dashrisk::Answer::Yes);
    for tool in &tools {
        assert_eq!(
            tool.predict(&bad).unwrap_err().code.code(),
            "unknown_question",
            "{}",
            tool.name()
        );
    }
}
