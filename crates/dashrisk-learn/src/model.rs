//! The model artefact: a fitted logistic regression over the DASH feature set, with
//! its feature names, hyperparameters and provenance, a format version and a SHA-256
//! checksum; per-prediction explanations; and the [`Predictor`] implementation.

use crate::features::{self, describe_feature, feature_names, FEATURE_SET_VERSION, N_FEATURES};
use crate::params::{LogisticParams, ValidLogisticParams};
use crate::train::{AppliedClassWeight, CrossValidation};
use crate::LearnError;
use dashrisk::answers::Assessment;
use dashrisk::error::InputError;
use dashrisk::predictor::{Prediction, Predictor};
use dashrisk::result::{Reason, ReasonCode};
use dashrisk::ArtefactError;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayView1};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The current format version of model files.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// The largest coefficient (and intercept) a model file may hold, in absolute value.
/// A fitted model's are far smaller (tens at most); the bound keeps the log-odds
/// finite, since features are bounded (0/1, counts capped at
/// [`crate::features::PRIOR_INCIDENT_CAP`]): two finite but huge coefficients of
/// opposite sign would otherwise sum to infinity minus infinity, a NaN probability.
pub const MAX_ABS_COEFFICIENT: f64 = 1e6;

/// Contributions named in a [`Predictor::predict`] prediction's reasons.
pub const DEFAULT_TOP_CONTRIBUTIONS: usize = 5;

/// What the solver and version trained the model.
pub const TRAINED_WITH: &str = concat!(
    "dashrisk-learn ",
    env!("CARGO_PKG_VERSION"),
    " (linfa-logistic 0.8.1, L-BFGS)"
);

/// Labelled training data, featurised.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    /// One row of [`features::feature_names`] per record.
    pub x: Array2<f64>,
    /// The 0/1 outcome per record (`true` = 1).
    pub y: Vec<bool>,
    /// Name of the outcome (the label column, e.g. `label_abuse`).
    pub label: String,
    /// Where the records came from (a file name, a generator and seed).
    pub data: String,
    /// Whether the records are synthetic: models and reports must say so.
    pub synthetic: bool,
}

impl TrainingSet {
    /// Featurises assessments with their labels. On failure returns the 0-based index
    /// of the first record that cannot be featurised, with its error. Panics when
    /// there is not one label per assessment.
    pub fn from_assessments(
        assessments: &[Assessment],
        labels: &[bool],
        label: &str,
        data: &str,
        synthetic: bool,
    ) -> Result<TrainingSet, (usize, InputError)> {
        assert_eq!(assessments.len(), labels.len(), "one label per assessment");
        Ok(TrainingSet {
            x: features::featurise_all(assessments)?,
            y: labels.to_vec(),
            label: label.to_string(),
            data: data.to_string(),
            synthetic,
        })
    }

    /// Positive labels.
    pub fn positives(&self) -> usize {
        self.y.iter().filter(|&&v| v).count()
    }
}

/// Cross-validated performance, as recorded in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CvSummary {
    /// Number of folds.
    pub folds: usize,
    /// Fold-assignment seed.
    pub seed: Option<u64>,
    /// ROC AUC of the out-of-fold probabilities.
    pub auc: f64,
    /// Brier score of the out-of-fold probabilities.
    pub brier: f64,
}

/// Where a model came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelProvenance {
    /// The training data (a file name, a generator and seed).
    pub data: String,
    /// True when trained on synthetic data: every prediction says so.
    pub synthetic: bool,
    /// Records trained on.
    pub n: u64,
    /// Positive labels among them.
    pub positives: u64,
    /// Cross-validated performance, when measured.
    pub cross_validation: Option<CvSummary>,
    /// Software that trained it ([`TRAINED_WITH`]).
    pub trained_with: String,
}

/// How unlikely no answer to a field must be, at the share of training records
/// that answered it, before `dashrisk predict` names the field as missing
/// ([`LogisticModel::unanswered_here`]).
pub const MISSING_FIELD_P: f64 = 0.001;

/// A trained comparison model: logistic regression over [`FEATURE_SET_VERSION`].
///
/// Decision support for **comparison only**: it has none of the scorer's safety
/// gates and never replaces professional judgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticModel {
    /// File format version ([`MODEL_FORMAT_VERSION`]).
    pub format_version: u32,
    /// Feature set the coefficients belong to ([`FEATURE_SET_VERSION`]).
    pub feature_set_version: String,
    /// The outcome modelled (the label column).
    pub label: String,
    /// Feature names, in column order.
    pub feature_names: Vec<String>,
    /// One coefficient per feature, for the log-odds of the positive outcome.
    pub coefficients: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
    /// The hyperparameters it was trained with.
    pub hyperparameters: ValidLogisticParams,
    /// The class weights applied (resolved from the hyperparameters).
    pub class_weight: AppliedClassWeight,
    /// Gradient norm of the mean objective at the solution (≤ the tolerance).
    pub gradient_norm: f64,
    /// Where it came from.
    pub provenance: ModelProvenance,
    /// The contract fields ([`features::fields`]) that training records answered,
    /// each with the share of the training records asked it that answered it.
    /// `dashrisk predict` warns (or, with `--strict-columns`, refuses) when none of
    /// its records answers a field that training answered so often that no answer
    /// in that many records would happen by chance less than once in a thousand
    /// ([`MISSING_FIELD_P`]): usually a column left out, read as *not known* on
    /// every record. `None` in files written before it was recorded; such a model
    /// cannot be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_in_training: Option<std::collections::BTreeMap<String, f64>>,
    /// SHA-256 of the compact JSON with this field empty.
    #[serde(default)]
    pub checksum: String,
}

/// One feature's share of a prediction: `contribution = coefficient × value`, in
/// log-odds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Feature name.
    pub feature: String,
    /// Plain-English description of the feature.
    pub description: String,
    /// The feature's value in this record.
    pub value: f64,
    /// The model's coefficient.
    pub coefficient: f64,
    /// `coefficient × value`: what the feature adds to the log-odds.
    pub contribution: f64,
}

/// A probability with the features that moved it most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The record's id, echoed.
    pub id: Option<String>,
    /// The outcome modelled.
    pub label: String,
    /// P(outcome).
    pub probability: f64,
    /// The log-odds: the intercept plus every contribution.
    pub log_odds: f64,
    /// The intercept.
    pub intercept: f64,
    /// The largest contributions by absolute size, largest first.
    pub contributions: Vec<Contribution>,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl ValidLogisticParams {
    /// Fits the comparison model on a training set. Non-convergence is an error.
    pub fn fit(&self, data: &TrainingSet) -> Result<LogisticModel, LearnError> {
        if data.x.ncols() != N_FEATURES {
            return Err(LearnError::InvalidData(format!(
                "{} feature columns, but feature set {FEATURE_SET_VERSION} has {N_FEATURES}",
                data.x.ncols()
            )));
        }
        let fit = self.fit_arrays(data.x.view(), &data.y)?;
        let mut m = LogisticModel {
            format_version: MODEL_FORMAT_VERSION,
            feature_set_version: FEATURE_SET_VERSION.to_string(),
            label: data.label.clone(),
            feature_names: feature_names().to_vec(),
            coefficients: fit.coefficients,
            intercept: fit.intercept,
            hyperparameters: self.clone(),
            class_weight: fit.diagnostics.class_weight,
            gradient_norm: fit.diagnostics.gradient_norm,
            provenance: ModelProvenance {
                data: data.data.clone(),
                synthetic: data.synthetic,
                n: data.y.len() as u64,
                positives: data.positives() as u64,
                cross_validation: None,
                trained_with: TRAINED_WITH.to_string(),
            },
            answered_in_training: Some(
                features::AnsweredFields::of_matrix(&data.x)
                    .shares()
                    .into_iter()
                    .collect(),
            ),
            checksum: String::new(),
        };
        m.checksum = m.compute_checksum();
        Ok(m)
    }

    /// Cross-validates (stratified `folds`-fold, seeded), then fits on all the data;
    /// the model records the cross-validated AUC and Brier score.
    pub fn fit_with_cv(
        &self,
        data: &TrainingSet,
        folds: usize,
        seed: u64,
    ) -> Result<(LogisticModel, CrossValidation), LearnError> {
        let cv = self.cross_validate(data.x.view(), &data.y, folds, seed)?;
        let mut m = self.fit(data)?;
        m.provenance.cross_validation = Some(CvSummary {
            folds: cv.folds,
            seed: cv.seed,
            auc: cv.auc,
            brier: cv.brier,
        });
        m.checksum = m.compute_checksum();
        Ok((m, cv))
    }
}

impl LogisticModel {
    /// Reads and validates a model file: format version, checksum, feature set.
    pub fn from_json(text: &str) -> Result<LogisticModel, ArtefactError> {
        // The version first: a file for another version is refused as such, not as
        // an unknown field.
        dashrisk::artefact::check_format_version(text, "model", MODEL_FORMAT_VERSION)?;
        let m: LogisticModel = dashrisk::artefact::from_json_text(text, "model")?;
        m.validate()?;
        Ok(m)
    }

    /// Pretty JSON with a fresh checksum.
    pub fn to_json(&self) -> String {
        let mut m = self.clone();
        m.checksum = m.compute_checksum();
        let mut s = serde_json::to_string_pretty(&m).expect("model serialises");
        s.push('\n');
        s
    }

    fn compute_checksum(&self) -> String {
        let mut m = self.clone();
        m.checksum = String::new();
        let json = serde_json::to_string(&m).expect("model serialises");
        Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Checks format version, checksum, feature set and shapes.
    pub fn validate(&self) -> Result<(), ArtefactError> {
        let art = format!("model for {:?}", self.label);
        if self.format_version != MODEL_FORMAT_VERSION {
            return Err(ArtefactError::Version {
                artefact: art,
                found: self.format_version,
                expected: MODEL_FORMAT_VERSION,
            });
        }
        if self.checksum.is_empty() {
            return Err(ArtefactError::Invalid {
                artefact: art,
                field: "checksum".into(),
                problem: "is missing: a model file must carry the checksum it was written with"
                    .into(),
            });
        }
        if self.checksum != self.compute_checksum() {
            return Err(ArtefactError::Mismatch {
                artefact: art,
                problem: "checksum does not match the contents (edited or damaged file)".into(),
            });
        }
        if self.feature_set_version != FEATURE_SET_VERSION {
            return Err(ArtefactError::Mismatch {
                artefact: art,
                problem: format!(
                    "built for feature set {:?}, but this build featurises with {FEATURE_SET_VERSION:?}; retrain the model (dashrisk train)",
                    self.feature_set_version
                ),
            });
        }
        if self.feature_names != feature_names() {
            return Err(ArtefactError::Mismatch {
                artefact: art,
                problem: format!(
                    "its feature names differ from feature set {FEATURE_SET_VERSION}; retrain the model"
                ),
            });
        }
        let invalid = |field: &str, problem: String| ArtefactError::Invalid {
            artefact: art.clone(),
            field: field.into(),
            problem,
        };
        if self.coefficients.len() != self.feature_names.len() {
            return Err(invalid(
                "coefficients",
                format!(
                    "{} coefficients for {} features",
                    self.coefficients.len(),
                    self.feature_names.len()
                ),
            ));
        }
        let bounded = |c: f64| c.is_finite() && c.abs() <= MAX_ABS_COEFFICIENT;
        if !bounded(self.intercept) || !self.coefficients.iter().all(|&c| bounded(c)) {
            return Err(invalid(
                "coefficients",
                format!(
                    "must be finite and at most {MAX_ABS_COEFFICIENT:e} in size (the intercept too)"
                ),
            ));
        }
        if self.label.trim().is_empty() {
            return Err(invalid("label", "must name the outcome".into()));
        }
        if let Some(shares) = &self.answered_in_training {
            let known = features::fields();
            if let Some(bad) = shares.keys().find(|n| !known.contains(n)) {
                return Err(invalid(
                    "answered_in_training",
                    format!(
                        "{bad:?} is not a field of feature set {FEATURE_SET_VERSION}; expected some of {}",
                        known.join(", ")
                    ),
                ));
            }
            if let Some((f, v)) = shares.iter().find(|(_, v)| !(**v > 0.0 && **v <= 1.0)) {
                return Err(invalid(
                    "answered_in_training",
                    format!("{f}: {v} is not a share of records; expected above 0 and at most 1"),
                ));
            }
        }
        // Finite in any file JSON can hold; whole or not (real-valued class weights).
        let cw = self.class_weight;
        if !(cw.negative >= 0.0 && cw.positive >= 0.0) {
            return Err(invalid("class_weight", "weights must be 0 or more".into()));
        }
        LogisticParams::from(self.hyperparameters.clone())
            .check()
            .map_err(|e| invalid("hyperparameters", e.to_string()))?;
        // Training writes a model only when the gradient, recomputed at the
        // solver's answer, is within the tolerance: a file that says otherwise is
        // not a converged fit (non-convergence is never a model).
        let tolerance = self.hyperparameters.tolerance;
        if !(self.gradient_norm.is_finite() && self.gradient_norm <= tolerance) {
            return Err(invalid(
                "gradient_norm",
                format!(
                    "is {}, above the tolerance {tolerance}: the fit did not converge, so this \
                     is not a model; retrain it (dashrisk train)",
                    self.gradient_norm
                ),
            ));
        }
        Ok(())
    }

    fn log_odds(&self, x: ArrayView1<'_, f64>) -> f64 {
        self.intercept
            + x.iter()
                .zip(&self.coefficients)
                .map(|(a, b)| a * b)
                .sum::<f64>()
    }

    /// P(outcome) for one assessment.
    pub fn probability(&self, a: &Assessment) -> Result<f64, InputError> {
        let x = features::featurise(a)?;
        Ok(sigmoid(self.log_odds(x.view())))
    }

    /// The fields that training records answered and that no record in `seen`
    /// answers, though records' forms ask them, where that many unanswered records
    /// would happen by chance less often than [`MISSING_FIELD_P`] at the share
    /// training answered them: `(field, share in training)`, in
    /// [`features::fields`] order. Empty for a model that does not record the
    /// shares ([`LogisticModel::answered_in_training`] is `None`). A field the
    /// records' forms do not ask (q10–q12 on the partner-agency form) is never
    /// named, and neither is one that a few records could leave unanswered by
    /// chance.
    pub fn unanswered_here(&self, seen: &features::AnsweredFields) -> Vec<(&str, f64)> {
        self.answered_in_training
            .iter()
            .flatten()
            .filter(|(f, share)| {
                let asked = seen.asked_count(f);
                asked > 0
                    && seen.answered_count(f) == 0
                    && (1.0 - **share).powf(asked as f64) < MISSING_FIELD_P
            })
            .map(|(f, share)| (f.as_str(), *share))
            .collect()
    }

    /// [`LogisticModel::explain`], noting in `seen` the fields the record answers.
    pub fn explain_noting(
        &self,
        a: &Assessment,
        top: usize,
        seen: &mut features::AnsweredFields,
    ) -> Result<Explanation, InputError> {
        let x = features::featurise(a)?;
        seen.add(x.view());
        Ok(self.explain_features(a, &x, top))
    }

    /// P(outcome) with the `top` largest contributions (coefficient × feature) by
    /// absolute size. Features at 0 contribute nothing and are never listed.
    pub fn explain(&self, a: &Assessment, top: usize) -> Result<Explanation, InputError> {
        let x = features::featurise(a)?;
        Ok(self.explain_features(a, &x, top))
    }

    fn explain_features(&self, a: &Assessment, x: &Array1<f64>, top: usize) -> Explanation {
        let z = self.log_odds(x.view());
        let mut parts: Vec<(usize, f64)> = x
            .iter()
            .zip(&self.coefficients)
            .enumerate()
            .map(|(i, (v, c))| (i, v * c))
            .filter(|(_, c)| *c != 0.0)
            .collect();
        // Largest first; ties in feature order, so explanations are stable.
        parts.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        parts.truncate(top);
        Explanation {
            id: a.id.clone(),
            label: self.label.clone(),
            probability: sigmoid(z),
            log_odds: z,
            intercept: self.intercept,
            contributions: parts
                .into_iter()
                .map(|(i, c)| Contribution {
                    feature: self.feature_names[i].clone(),
                    description: describe_feature(i),
                    value: x[i],
                    coefficient: self.coefficients[i],
                    contribution: c,
                })
                .collect(),
        }
    }

    /// The reasons of a prediction: one per listed contribution, in the scorer's
    /// `{code, text}` style, largest first. Whether the model was trained on
    /// synthetic data is in its provenance (and on every `dashrisk predict` line).
    pub fn reasons(&self, e: &Explanation) -> Vec<Reason> {
        e.contributions
            .iter()
            .map(|c| {
                let times = if c.value == 1.0 {
                    String::new()
                } else {
                    format!(" × {}", c.value)
                };
                Reason {
                    code: ReasonCode::ModelContribution,
                    text: format!(
                        "{}: {:+.2} to the log-odds of {} (coefficient {:+.3}{times}).",
                        c.description, c.contribution, self.label, c.coefficient
                    )
                    .into(),
                }
            })
            .collect()
    }
}

impl From<ValidLogisticParams> for LogisticParams {
    fn from(v: ValidLogisticParams) -> Self {
        LogisticParams::new()
            .alpha(v.alpha)
            .max_iterations(v.max_iterations)
            .tolerance(v.tolerance)
            .class_weight(v.class_weight)
    }
}

/// The comparison model as a predictor: `score` and `probability` are P(outcome);
/// reasons name the [`DEFAULT_TOP_CONTRIBUTIONS`] largest contributions. No
/// classification and no level: the model does neither.
impl Predictor for LogisticModel {
    fn name(&self) -> &str {
        "logistic-regression"
    }

    fn predict(&self, a: &Assessment) -> Result<Prediction, InputError> {
        let e = self.explain(a, DEFAULT_TOP_CONTRIBUTIONS)?;
        Ok(Prediction {
            id: a.id.clone(),
            predictor: self.name().to_string(),
            rank_score: e.probability,
            probability: Some(e.probability),
            classification: None,
            level: None,
            reasons: self.reasons(&e),
        })
    }
}
