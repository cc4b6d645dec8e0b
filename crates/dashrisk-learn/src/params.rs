//! Hyperparameters, linfa style: an unchecked builder ([`LogisticParams`]) and the
//! validated set ([`ValidLogisticParams`]) that fits.

use crate::error::LearnError;
use serde::{Deserialize, Serialize};

/// How to weight the two classes. Each row's term of the summed loss is multiplied
/// by its class's weight (a sample weight of the patched linfa-logistic, see
/// vendor/linfa-logistic; no rows are repeated). That is exactly scikit-learn's
/// `class_weight={0: negative, 1: positive}` with the same `C` (the penalty is
/// unchanged), which reference tests check. A whole-number weight `k` is the same
/// objective as every row of the class `k` times.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every row once (scikit-learn `class_weight=None`). The default.
    Unweighted,
    /// Whole-number weights per class (scikit-learn `class_weight={0: negative,
    /// 1: positive}`). What `dashrisk train --class-weight NEG:POS` gives for whole
    /// numbers, so that its model files read as they always have.
    Integer {
        /// Weight of negative (0) rows, at least 1.
        negative: u32,
        /// Weight of positive (1) rows, at least 1.
        positive: u32,
    },
    /// Real-valued weights per class (scikit-learn `class_weight={0: negative,
    /// 1: positive}`), each finite and above 0.
    Real {
        /// Weight of negative (0) rows.
        negative: f64,
        /// Weight of positive (1) rows.
        positive: f64,
    },
    /// The rarer class weighted by the class ratio rounded to an integer:
    /// `round(n_common / n_rare)`, the other class 1. Resolved on each training set
    /// (each fold) and recorded in the model. Close to, but not the same as,
    /// scikit-learn's `"balanced"`, whose weights `n / (2 n_c)` also rescale the loss
    /// against the penalty (those can be given as [`ClassWeight::Real`]); the
    /// resolved integers match scikit-learn exactly.
    Balanced,
}

impl ClassWeight {
    /// The weights `(negative, positive)` for a training set with these class
    /// counts (whole numbers but for [`ClassWeight::Real`]).
    pub fn resolve(self, negatives: usize, positives: usize) -> (f64, f64) {
        match self {
            ClassWeight::Unweighted => (1.0, 1.0),
            ClassWeight::Integer { negative, positive } => {
                (f64::from(negative), f64::from(positive))
            }
            ClassWeight::Real { negative, positive } => (negative, positive),
            ClassWeight::Balanced => {
                let ratio = |common: usize, rare: usize| {
                    let r = (common as f64 / rare.max(1) as f64).round();
                    r.clamp(1.0, f64::from(u32::MAX))
                };
                if positives <= negatives {
                    (1.0, ratio(negatives, positives))
                } else {
                    (ratio(positives, negatives), 1.0)
                }
            }
        }
    }
}

/// Validated hyperparameters of the logistic model. Build with [`LogisticParams`].
///
/// The objective matches scikit-learn's `LogisticRegression(C = 1 / alpha)`:
/// `Σ_i w_i · log(1 + exp(−y_i (x_i·β + β_0))) + (alpha / 2) · ‖β‖²`, the intercept
/// not penalised, `w_i` the class weight of row `i` (times its sample weight, when
/// fitted by [`ValidLogisticParams::fit_arrays_weighted`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidLogisticParams {
    pub(crate) alpha: f64,
    pub(crate) max_iterations: u64,
    pub(crate) tolerance: f64,
    pub(crate) class_weight: ClassWeight,
}

impl ValidLogisticParams {
    /// L2 penalty strength (`1 / C` in scikit-learn).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// Iteration limit of the L-BFGS solver.
    pub fn max_iterations(&self) -> u64 {
        self.max_iterations
    }
    /// Convergence tolerance on the L2 norm of the gradient of the *mean* objective.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }
    /// Class weighting.
    pub fn class_weight(&self) -> ClassWeight {
        self.class_weight
    }
}

/// Unchecked hyperparameters: set what you need, then [`linfa::ParamGuard::check`]
/// (or fit directly, which checks).
///
/// ```
/// use dashrisk_learn::{ClassWeight, LogisticParams};
/// use linfa::ParamGuard;
/// let p = LogisticParams::new().alpha(0.5).class_weight(ClassWeight::Balanced).check().unwrap();
/// assert_eq!(p.alpha(), 0.5);
/// assert!(LogisticParams::new().tolerance(0.0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticParams(ValidLogisticParams);

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams::new()
    }
}

impl LogisticParams {
    /// The defaults: `alpha = 1` (scikit-learn's `C = 1`), 1000 iterations,
    /// tolerance `1e-4` (scikit-learn's default `tol`), unweighted.
    pub fn new() -> Self {
        LogisticParams(ValidLogisticParams {
            alpha: 1.0,
            max_iterations: 1000,
            tolerance: 1e-4,
            class_weight: ClassWeight::Unweighted,
        })
    }

    /// L2 penalty strength, `alpha = 1 / C`. Must be finite and ≥ 0; 0 means no
    /// penalty (only sensible when the classes are not separable). Default 1.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }

    /// Iteration limit of the L-BFGS solver, at least 1. Default 1000 (scikit-learn
    /// defaults to 100; one-hot DASH features need more at small `alpha`). Hitting
    /// the limit before the tolerance is an error, never a silent model. With a warm
    /// start (see [`ValidLogisticParams::fit_arrays`]) the limit applies to the
    /// subsample's fit and to the full fit each.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.0.max_iterations = n;
        self
    }

    /// Tolerance on the L2 norm of the gradient of the mean objective (the summed
    /// objective divided by the weighted number of rows). Finite and > 0. Default
    /// `1e-4`, like scikit-learn's `tol`, which bounds the largest absolute
    /// component of the same gradient: the L2 norm is at least as strict.
    pub fn tolerance(mut self, tol: f64) -> Self {
        self.0.tolerance = tol;
        self
    }

    /// Class weighting. Default [`ClassWeight::Unweighted`].
    pub fn class_weight(mut self, w: ClassWeight) -> Self {
        self.0.class_weight = w;
        self
    }
}

impl linfa::ParamGuard for LogisticParams {
    type Checked = ValidLogisticParams;
    type Error = LearnError;

    fn check_ref(&self) -> Result<&ValidLogisticParams, LearnError> {
        let p = &self.0;
        let bad = |param, value: String, problem: &str| LearnError::InvalidParam {
            param,
            value,
            problem: problem.into(),
        };
        if !(p.alpha.is_finite() && p.alpha >= 0.0) {
            return Err(bad(
                "alpha",
                p.alpha.to_string(),
                "must be finite and 0 or more",
            ));
        }
        if p.max_iterations == 0 {
            return Err(bad("max_iterations", "0".into(), "must be at least 1"));
        }
        if !(p.tolerance.is_finite() && p.tolerance > 0.0) {
            return Err(bad(
                "tolerance",
                p.tolerance.to_string(),
                "must be finite and above 0",
            ));
        }
        match p.class_weight {
            ClassWeight::Integer { negative, positive } if negative == 0 || positive == 0 => {
                return Err(bad(
                    "class_weight",
                    format!("{negative}:{positive}"),
                    "whole-number class weights must be at least 1",
                ));
            }
            ClassWeight::Real { negative, positive }
                if ![negative, positive]
                    .iter()
                    .all(|w| w.is_finite() && *w > 0.0) =>
            {
                return Err(bad(
                    "class_weight",
                    format!("{negative}:{positive}"),
                    "class weights must be finite and above 0",
                ));
            }
            _ => {}
        }
        Ok(p)
    }

    fn check(self) -> Result<ValidLogisticParams, LearnError> {
        self.check_ref()?;
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::ParamGuard;

    #[test]
    fn bad_values_are_refused_with_the_parameter_named() {
        let cases = [
            (LogisticParams::new().alpha(-1.0), "alpha"),
            (LogisticParams::new().alpha(f64::NAN), "alpha"),
            (LogisticParams::new().max_iterations(0), "max_iterations"),
            (LogisticParams::new().tolerance(f64::INFINITY), "tolerance"),
            (
                LogisticParams::new().class_weight(ClassWeight::Integer {
                    negative: 1,
                    positive: 0,
                }),
                "class_weight",
            ),
        ];
        let cases = cases.into_iter().chain(
            [
                (0.0, 1.0),
                (1.0, -2.0),
                (f64::NAN, 1.0),
                (1.0, f64::INFINITY),
            ]
            .map(|(negative, positive)| {
                (
                    LogisticParams::new().class_weight(ClassWeight::Real { negative, positive }),
                    "class_weight",
                )
            }),
        );
        for (p, name) in cases {
            match p.check() {
                Err(LearnError::InvalidParam { param, .. }) => assert_eq!(param, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(LogisticParams::new().alpha(0.0).check().is_ok());
        let real = ClassWeight::Real {
            negative: 0.3,
            positive: 2.5,
        };
        assert!(LogisticParams::new().class_weight(real).check().is_ok());
    }

    #[test]
    fn balanced_weights_round_the_ratio() {
        assert_eq!(ClassWeight::Balanced.resolve(95, 5), (1.0, 19.0));
        assert_eq!(ClassWeight::Balanced.resolve(5, 95), (19.0, 1.0));
        assert_eq!(ClassWeight::Balanced.resolve(60, 40), (1.0, 2.0));
        assert_eq!(ClassWeight::Balanced.resolve(50, 50), (1.0, 1.0));
        assert_eq!(ClassWeight::Unweighted.resolve(95, 5), (1.0, 1.0));
        let real = ClassWeight::Real {
            negative: 0.3,
            positive: 2.5,
        };
        assert_eq!(real.resolve(95, 5), (0.3, 2.5));
    }
}
