//! Fitting with linfa-logistic, and k-fold cross-validation with out-of-fold
//! predictions.
//!
//! Two traps of linfa-logistic 0.8.1 are handled here (see the workspace notes):
//!
//! - **Orientation.** It models the probability of the *majority* label by count,
//!   so with rare positives its `predict_probabilities` is P(negative). The fitted
//!   labels say which class it modelled ([`linfa_logistic::FittedLogisticRegression::labels`]);
//!   when that is `false` the coefficients and intercept are negated, so that
//!   [`FittedLogistic`] always gives P(positive). A test with 5 % positives checks it.
//! - **Silent stops.** `fit` returns `Ok` when L-BFGS hit the iteration limit or its
//!   line search stalled, and does not say how many iterations it used. The gradient
//!   of the objective is recomputed at the answer and compared with the tolerance,
//!   and with `alpha = 0` perfect separation (where no optimum exists) is detected;
//!   either is [`LearnError::NotConverged`], never a model.

use crate::error::{LearnError, NonConvergence};
use crate::metrics;
use crate::params::{ClassWeight, ValidLogisticParams};
use linfa::traits::Fit;
use linfa::DatasetBase;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, ShapeBuilder, Zip};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Class weights as applied: every negative row entered the loss `negative` times and
/// every positive row `positive` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliedClassWeight {
    /// Weight of negative rows.
    pub negative: u32,
    /// Weight of positive rows.
    pub positive: u32,
}

/// How a fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitDiagnostics {
    /// Rows fitted on (before weighting).
    pub n: usize,
    /// Positive rows among them.
    pub positives: usize,
    /// The class weights applied.
    pub class_weight: AppliedClassWeight,
    /// L2 norm of the gradient of the mean objective at the solution; at most the
    /// tolerance, or the fit would have been an error.
    pub gradient_norm: f64,
}

/// A fitted logistic regression on raw arrays, oriented so that its probability is
/// always P(positive), whatever the class balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedLogistic {
    /// One coefficient per column.
    pub coefficients: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
    /// How the fit went.
    pub diagnostics: FitDiagnostics,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl FittedLogistic {
    /// The log-odds of the positive class for one row. Panics when the row's length
    /// is not the number of coefficients.
    pub fn log_odds(&self, x: ArrayView1<'_, f64>) -> f64 {
        assert_eq!(x.len(), self.coefficients.len(), "log_odds: row length");
        self.intercept
            + x.iter()
                .zip(&self.coefficients)
                .map(|(a, b)| a * b)
                .sum::<f64>()
    }

    /// P(positive) for every row. Panics when the column count is not the number of
    /// coefficients.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        assert_eq!(x.ncols(), self.coefficients.len(), "predict_proba: columns");
        let w = ArrayView1::from(&self.coefficients[..]);
        (x.dot(&w) + self.intercept).mapv_into(sigmoid)
    }
}

/// L2 norm of the gradient of the mean weighted objective at `(w, b)`.
fn gradient_norm(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    weights: (u32, u32),
    alpha: f64,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> f64 {
    // r_i = s_i (σ(z_i) − y_i): the derivative of the weighted loss in z_i.
    let z = x.dot(&w) + b;
    let mut r = Array1::zeros(y.len());
    let mut n_eff = 0.0;
    Zip::from(&mut r)
        .and(&z)
        .and(ArrayView1::from(y))
        .for_each(|r, &z, &yi| {
            let s = f64::from(if yi { weights.1 } else { weights.0 });
            n_eff += s;
            *r = s * (sigmoid(z) - f64::from(u8::from(yi)));
        });
    // xᵀ·r accumulated row by row: contiguous reads whatever the layout of `x`.
    let mut gw = &w * alpha;
    for (row, &ri) in x.rows().into_iter().zip(&r) {
        gw.scaled_add(ri, &row);
    }
    let gb = r.sum();
    (gw.mapv(|g| g * g).sum() + gb * gb).sqrt() / n_eff
}

fn check_data(x: ArrayView2<'_, f64>, y: &[bool]) -> Result<(usize, usize), LearnError> {
    if x.nrows() != y.len() {
        return Err(LearnError::InvalidData(format!(
            "{} rows of features but {} labels",
            x.nrows(),
            y.len()
        )));
    }
    if x.ncols() == 0 {
        return Err(LearnError::InvalidData("no feature columns".into()));
    }
    if let Some((i, _)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(LearnError::InvalidData(format!(
            "row {}, column {}: the value is not finite",
            i.0 + 1,
            i.1 + 1
        )));
    }
    let positives = y.iter().filter(|&&v| v).count();
    let negatives = y.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(LearnError::TooFewClasses {
            positives,
            negatives,
            hint: String::new(),
        });
    }
    Ok((positives, negatives))
}

impl ValidLogisticParams {
    /// Fits on a feature matrix and 0/1 labels (`true` = positive).
    ///
    /// ```
    /// use dashrisk_learn::LogisticParams;
    /// use linfa::ParamGuard;
    /// use ndarray::array;
    /// let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]];
    /// let y = [false, false, true, false, true, true];
    /// let m = LogisticParams::new().check().unwrap().fit_arrays(x.view(), &y).unwrap();
    /// let p = m.predict_proba(x.view());
    /// assert!(p[5] > p[0], "P(positive) rises with x");
    /// ```
    pub fn fit_arrays(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
    ) -> Result<FittedLogistic, LearnError> {
        let (positives, negatives) = check_data(x, y)?;
        let (wn, wp) = self.class_weight.resolve(negatives, positives);
        let (neg_w, pos_w) = (
            (negatives as f64) * f64::from(wn),
            (positives as f64) * f64::from(wp),
        );
        let n_eff = neg_w + pos_w;

        // No sample weights in linfa-logistic: a class weight k enters each row of
        // that class k times, which is the weighted loss exactly.
        let rows: Vec<usize> = if (wn, wp) == (1, 1) {
            (0..y.len()).collect()
        } else {
            let mut rows = Vec::with_capacity(n_eff as usize);
            for (i, &yi) in y.iter().enumerate() {
                let k = if yi { wp } else { wn };
                rows.extend(std::iter::repeat_n(i, k as usize));
            }
            rows
        };
        // linfa computes `x·w` for the loss and `xᵀ·r` for the gradient; without
        // BLAS, ndarray runs `xᵀ·r` on a row-major matrix column by column with a
        // stride, several times slower than on a column-major one. One column-major
        // copy (also where the weighted rows are laid out) pays for itself within a
        // few iterations.
        let mut xf = Array2::<f64>::zeros((rows.len(), x.ncols()).f());
        for (mut col, src) in xf.columns_mut().into_iter().zip(x.columns()) {
            for (dst, &i) in col.iter_mut().zip(&rows) {
                *dst = src[i];
            }
        }
        let targets: Array1<bool> = rows.iter().map(|&i| y[i]).collect();

        // Start from the intercept-only optimum (the log-odds of the weighted class
        // shares) rather than from 0: the intercept's gradient is then 0 and the
        // solver's first, unscaled step is spent on the coefficients alone. linfa
        // parametrises P(its "positive" class), the majority of the rows it sees;
        // on a tie the log-odds are 0 and the orientation does not matter.
        let log_odds_true = (pos_w / neg_w).ln();
        let mut init = Array1::zeros(x.ncols() + 1);
        init[x.ncols()] = if pos_w > neg_w {
            log_odds_true
        } else {
            -log_odds_true
        };

        // linfa minimises the *summed* loss: scale the mean-gradient tolerance to it.
        let fitted = linfa_logistic::LogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(self.tolerance * n_eff)
            .initial_params(init)
            .fit(&DatasetBase::new(xf, targets))
            .map_err(|e| LearnError::Solver(e.to_string()))?;

        // Orientation: linfa's "positive" is whichever label was more common.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let w: Array1<f64> = fitted.params().mapv(|v| sign * v);
        let b = sign * fitted.intercept();

        let not_converged = |reason, gradient_norm| LearnError::NotConverged {
            reason,
            gradient_norm,
            tolerance: self.tolerance,
            max_iterations: self.max_iterations,
            fold: None,
        };
        if !(b.is_finite() && w.iter().all(|v| v.is_finite())) {
            return Err(not_converged(NonConvergence::NonFinite, f64::NAN));
        }
        let norm = gradient_norm(x, y, (wn, wp), self.alpha, w.view(), b);
        // A relative slack of 1e-9 absorbs rounding between linfa's gradient and
        // this one (summed in another order); it is far below any tolerance.
        // NaN (a diverged solver) counts as not converged.
        if norm.is_nan() || norm > self.tolerance * (1.0 + 1e-9) {
            return Err(not_converged(NonConvergence::GradientAboveTolerance, norm));
        }
        if self.alpha == 0.0 {
            let z = x.dot(&w) + b;
            let separated = z
                .iter()
                .zip(y)
                .all(|(&z, &yi)| if yi { z > 0.0 } else { z < 0.0 });
            if separated {
                return Err(not_converged(NonConvergence::Separated, norm));
            }
        }
        Ok(FittedLogistic {
            coefficients: w.to_vec(),
            intercept: b,
            diagnostics: FitDiagnostics {
                n: y.len(),
                positives,
                class_weight: AppliedClassWeight {
                    negative: wn,
                    positive: wp,
                },
                gradient_norm: norm,
            },
        })
    }

    /// Stratified k-fold cross-validation: folds from [`stratified_folds`], one fit
    /// per fold on the other folds, and an out-of-fold probability for every row.
    pub fn cross_validate(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
        folds: usize,
        seed: u64,
    ) -> Result<CrossValidation, LearnError> {
        let fold_of = stratified_folds(y, folds, seed)?;
        let mut cv = self.cross_validate_with_folds(x, y, &fold_of)?;
        cv.seed = Some(seed);
        Ok(cv)
    }

    /// Cross-validation on given folds (`fold_of[i]` is row `i`'s fold, 0-based).
    pub fn cross_validate_with_folds(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
        fold_of: &[usize],
    ) -> Result<CrossValidation, LearnError> {
        check_data(x, y)?;
        if fold_of.len() != y.len() {
            return Err(LearnError::InvalidData(format!(
                "{} fold ids for {} rows",
                fold_of.len(),
                y.len()
            )));
        }
        let k = fold_of.iter().max().map_or(0, |m| m + 1);
        if k < 2 {
            return Err(LearnError::InvalidParam {
                param: "folds",
                value: k.to_string(),
                problem: "cross-validation needs at least 2 folds".into(),
            });
        }
        let mut oof = vec![f64::NAN; y.len()];
        let mut fold_auc = Vec::with_capacity(k);
        for fold in 0..k {
            let (test, train): (Vec<usize>, Vec<usize>) =
                (0..y.len()).partition(|&i| fold_of[i] == fold);
            if test.is_empty() {
                return Err(LearnError::InvalidData(format!(
                    "fold {} is empty",
                    fold + 1
                )));
            }
            let xt = x.select(Axis(0), &train);
            let yt: Vec<bool> = train.iter().map(|&i| y[i]).collect();
            let m = self.fit_arrays(xt.view(), &yt).map_err(|e| match e {
                LearnError::NotConverged {
                    reason,
                    gradient_norm,
                    tolerance,
                    max_iterations,
                    ..
                } => LearnError::NotConverged {
                    reason,
                    gradient_norm,
                    tolerance,
                    max_iterations,
                    fold: Some(fold),
                },
                LearnError::TooFewClasses {
                    positives,
                    negatives,
                    ..
                } => LearnError::TooFewClasses {
                    positives,
                    negatives,
                    hint: format!(" in the training part of fold {}", fold + 1),
                },
                other => other,
            })?;
            let p = m.predict_proba(x.select(Axis(0), &test).view());
            for (&i, &pi) in test.iter().zip(&p) {
                oof[i] = pi;
            }
            let yv: Vec<bool> = test.iter().map(|&i| y[i]).collect();
            fold_auc.push(metrics::roc_auc(p.as_slice().expect("contiguous"), &yv));
        }
        let auc = metrics::roc_auc(&oof, y).expect("both classes present");
        let brier = metrics::brier(&oof, y).expect("rows present");
        Ok(CrossValidation {
            folds: k,
            seed: None,
            fold_of: fold_of.to_vec(),
            out_of_fold: oof,
            auc,
            brier,
            fold_auc,
        })
    }
}

/// The result of cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossValidation {
    /// Number of folds.
    pub folds: usize,
    /// Seed of the fold assignment, when it was drawn here.
    pub seed: Option<u64>,
    /// Each row's fold (0-based).
    pub fold_of: Vec<usize>,
    /// Each row's out-of-fold probability: from the model fitted without its fold.
    pub out_of_fold: Vec<f64>,
    /// ROC AUC of the pooled out-of-fold probabilities.
    pub auc: f64,
    /// Brier score of the pooled out-of-fold probabilities.
    pub brier: f64,
    /// AUC within each fold (`None` when a fold holds one class only).
    pub fold_auc: Vec<Option<f64>>,
}

/// Stratified fold assignment: positives and negatives are each shuffled with a
/// seeded ChaCha8 generator (the same on every platform) and dealt to the folds in
/// turn, so every fold has its share of a rare class.
///
/// ```
/// let y = [true, false, false, false, true, false, false, false];
/// let f = dashrisk_learn::stratified_folds(&y, 2, 7).unwrap();
/// assert_eq!(f.iter().zip(&y).filter(|(f, y)| **f == 0 && **y).count(), 1);
/// ```
pub fn stratified_folds(y: &[bool], k: usize, seed: u64) -> Result<Vec<usize>, LearnError> {
    if k < 2 {
        return Err(LearnError::InvalidParam {
            param: "folds",
            value: k.to_string(),
            problem: "cross-validation needs at least 2 folds".into(),
        });
    }
    let mut pos: Vec<usize> = (0..y.len()).filter(|&i| y[i]).collect();
    let mut neg: Vec<usize> = (0..y.len()).filter(|&i| !y[i]).collect();
    if pos.len() < k || neg.len() < k {
        return Err(LearnError::TooFewClasses {
            positives: pos.len(),
            negatives: neg.len(),
            hint: format!("; {k}-fold cross-validation needs at least {k} of each"),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    pos.shuffle(&mut rng);
    neg.shuffle(&mut rng);
    let mut fold_of = vec![0; y.len()];
    // Negatives continue the deal where positives stopped, to even out fold sizes.
    for (j, &i) in pos.iter().chain(&neg).enumerate() {
        fold_of[i] = j % k;
    }
    Ok(fold_of)
}

/// The class weight of [`ClassWeight`] resolved for these labels, as the fit will
/// apply it.
pub fn applied_class_weight(w: ClassWeight, y: &[bool]) -> AppliedClassWeight {
    let positives = y.iter().filter(|&&v| v).count();
    let (negative, positive) = w.resolve(y.len() - positives, positives);
    AppliedClassWeight { negative, positive }
}
