//! Training errors. Artefact problems (a damaged or mismatched model file) are
//! [`dashrisk::ArtefactError`]s and bad records [`dashrisk::InputError`]s, as in the
//! core crate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a fit is not a finished model.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonConvergence {
    /// The solver stopped (iteration limit, or a stalled line search) with the
    /// gradient of the objective still above the tolerance.
    GradientAboveTolerance,
    /// With `alpha = 0` the fitted model separates the training classes perfectly:
    /// the maximum-likelihood estimate does not exist and the coefficients only grow
    /// with more iterations.
    Separated,
    /// The coefficients are not finite.
    NonFinite,
}

impl fmt::Display for NonConvergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NonConvergence::GradientAboveTolerance => "the gradient is still above the tolerance",
            NonConvergence::Separated => {
                "the training classes are perfectly separated with alpha = 0, so the coefficients diverge"
            }
            NonConvergence::NonFinite => "the coefficients are not finite",
        })
    }
}

/// A problem training a model.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LearnError {
    /// A hyperparameter outside its allowed range.
    #[error("invalid hyperparameter {param} = {value}: {problem}")]
    InvalidParam {
        /// Which hyperparameter.
        param: &'static str,
        /// Its value, as text.
        value: String,
        /// What is allowed.
        problem: String,
    },
    /// The training data cannot be used as given.
    #[error("training data: {0}")]
    InvalidData(String),
    /// The labels hold only one class (or too few of one for the folds asked for).
    #[error("training data: need both classes, found {positives} positive and {negatives} negative label(s){hint}")]
    TooFewClasses {
        /// Positive labels.
        positives: usize,
        /// Negative labels.
        negatives: usize,
        /// Extra advice (the fold count), may be empty.
        hint: String,
    },
    /// The solver did not reach a usable optimum: no model is returned.
    #[error("training did not converge{}: {reason} (gradient norm {gradient_norm:.3e}, tolerance {tolerance:.1e}, at most {max_iterations} iterations); raise max_iterations, loosen the tolerance or raise alpha", fold.map(|k| format!(" in fold {}", k + 1)).unwrap_or_default())]
    NotConverged {
        /// Why.
        reason: NonConvergence,
        /// L2 norm of the gradient of the mean objective at the solver's answer.
        gradient_norm: f64,
        /// The tolerance asked for.
        tolerance: f64,
        /// The iteration limit.
        max_iterations: u64,
        /// The cross-validation fold (0-based), when it happened in one.
        fold: Option<usize>,
    },
    /// linfa-logistic or its solver refused the problem.
    #[error("linfa-logistic: {0}")]
    Solver(String),
}
