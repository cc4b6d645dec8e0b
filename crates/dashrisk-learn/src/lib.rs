//! # dashrisk-learn
//!
//! A **comparison predictor** for dashrisk: logistic regression trained with
//! linfa-logistic on featurised assessments, to set beside the calibrated scorer and
//! plain DASH grading in evaluation. It is decision support for comparison only: it
//! has none of the scorer's safety gates and never replaces an officer's
//! professional judgement (see docs/model-card-learn.md).
//!
//! - [`features`]: an assessment becomes a row of [`N_FEATURES`] numbers with
//!   documented names, a stable order and a version ([`FEATURE_SET_VERSION`]).
//! - [`params`]: hyperparameters (L2 `alpha = 1/C`, iteration limit, tolerance,
//!   class weighting) as an unchecked builder and a validated struct.
//! - [`train`]: fitting, with the probability orientation fixed and non-convergence
//!   reported as an error; stratified k-fold cross-validation with out-of-fold
//!   predictions.
//! - [`model`]: the versioned, checksummed JSON artefact, explanations
//!   (coefficient × feature) and the [`dashrisk::Predictor`] implementation.
//! - [`metrics`]: ROC AUC and the Brier score.
//!
//! ```
//! use dashrisk::{Predictor, synth};
//! use dashrisk_learn::{LogisticParams, TrainingSet};
//! use linfa::ParamGuard;
//!
//! let records = synth::generate(400, 11, &Default::default());
//! let assessments: Vec<_> = records.iter().map(|r| r.assessment.clone()).collect();
//! let labels: Vec<bool> = records.iter().map(|r| r.abuse).collect();
//! let data = TrainingSet::from_assessments(&assessments, &labels, "label_abuse", "synth seed 11", true).unwrap();
//! let params = LogisticParams::new().alpha(1.0).check().unwrap();
//! let (model, cv) = params.fit_with_cv(&data, 5, 0).unwrap();
//! assert!(cv.auc > 0.8);
//! let p = model.predict(&assessments[0]).unwrap();
//! assert!((0.0..=1.0).contains(&p.rank_score));
//! let again = dashrisk_learn::LogisticModel::from_json(&model.to_json()).unwrap();
//! assert_eq!(again, model);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod features;
pub mod metrics;
pub mod model;
pub mod params;
pub mod train;

pub use error::{LearnError, NonConvergence};
pub use features::{
    describe_feature, feature_names, featurise, featurise_all, featurise_into, fields,
    AnsweredFields, FEATURE_SET_VERSION, N_FEATURES,
};
/// Re-exported so that callers can `check()` hyperparameters without naming linfa.
pub use linfa::ParamGuard;
pub use model::{
    Contribution, CvSummary, Explanation, LogisticModel, ModelProvenance, TrainingSet,
    MODEL_FORMAT_VERSION,
};
pub use params::{ClassWeight, LogisticParams, ValidLogisticParams};
pub use train::{
    stratified_folds, AppliedClassWeight, CrossValidation, FitDiagnostics, FittedLogistic,
};
