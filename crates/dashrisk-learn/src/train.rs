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
//!
//! Speed (docs/model-card-learn.md has the measurements): linfa-logistic is the
//! workspace's patched copy (vendor/linfa-logistic: it reuses an evaluation that
//! argmin asks for twice, and reads the matrix once per product in its memory
//! order), so a contiguous input, row- or column-major, is used without a copy; a
//! subset of rows (folds, the subsample) is copied in the input's layout; and larger
//! fits start from a subsample's optimum ([`ValidLogisticParams::fit_arrays`]).
//!
//! Weights: class weights (and sample weights, [`ValidLogisticParams::fit_arrays_weighted`])
//! become one weight per row, which the patched linfa-logistic multiplies into that
//! row's term of the loss. No row is repeated. Without weights (every row weighted
//! 1) the fit is linfa-logistic's unweighted one, bit for bit.

use crate::error::{LearnError, NonConvergence};
use crate::metrics;
use crate::params::{ClassWeight, ValidLogisticParams};
use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, CowArray, Ix2, ShapeBuilder, Zip};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Class weights as applied: every negative row's term of the loss was multiplied by
/// `negative` and every positive row's by `positive`.
///
/// Whole numbers are written to JSON as integers (`1`, not `1.0`), as when these
/// were `u32`: model files trained without real-valued weights read and write as
/// they always have (their checksums included).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliedClassWeight {
    /// Weight of negative rows.
    #[serde(serialize_with = "whole_as_integer")]
    pub negative: f64,
    /// Weight of positive rows.
    #[serde(serialize_with = "whole_as_integer")]
    pub positive: f64,
}

/// A whole number in `u64` range as a JSON integer, anything else as a float.
fn whole_as_integer<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    // 2^64 is exactly representable; every whole f64 below it converts exactly.
    const TWO_TO_64: f64 = 18_446_744_073_709_551_616.0;
    if v.fract() == 0.0 && (0.0..TWO_TO_64).contains(v) {
        s.serialize_u64(*v as u64)
    } else {
        s.serialize_f64(*v)
    }
}

/// How a fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitDiagnostics {
    /// Rows fitted on (before weighting).
    pub n: usize,
    /// Positive rows among them.
    pub positives: usize,
    /// The class weights applied (sample weights, when there were any, come on top).
    pub class_weight: AppliedClassWeight,
    /// L2 norm of the gradient of the mean objective at the solution; at most the
    /// tolerance, or the fit would have been an error.
    pub gradient_norm: f64,
    /// L-BFGS iterations of the fit on all rows (scikit-learn's `n_iter_`); the
    /// warm start's fit on a subsample, when there is one, is not counted.
    #[serde(default)]
    pub iterations: u64,
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

/// L2 norm of the gradient of the mean weighted objective at `(w, b)`, each row
/// weighted by `row_weights` (every row 1 when `None`).
fn gradient_norm(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    row_weights: Option<&[f64]>,
    alpha: f64,
    w: ArrayView1<'_, f64>,
    b: f64,
) -> f64 {
    // r_i = s_i (σ(z_i) − y_i): the derivative of the weighted loss in z_i.
    let z = x.dot(&w) + b;
    let mut r = Array1::zeros(y.len());
    let mut n_eff = 0.0;
    Zip::indexed(&mut r)
        .and(&z)
        .and(ArrayView1::from(y))
        .for_each(|i, r, &z, &yi| {
            let s = row_weights.map_or(1.0, |weights| weights[i]);
            n_eff += s;
            *r = s * (sigmoid(z) - f64::from(u8::from(yi)));
        });
    // xᵀ·r in `x`'s memory order: a dot product per column of a column-major `x`,
    // else row by row.
    let mut gw = &w * alpha;
    if x.t().is_standard_layout() {
        gw += &x.t().dot(&r);
    } else {
        for (row, &ri) in x.rows().into_iter().zip(&r) {
            gw.scaled_add(ri, &row);
        }
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
    // The common case in one quick pass; the position only when there is one.
    // `fold` with `&`, not `all`: without the early exit the loop is vectorised.
    let all_finite = match x.as_slice_memory_order() {
        Some(s) => s.iter().fold(true, |ok, v| ok & v.is_finite()),
        None => x.iter().all(|v| v.is_finite()),
    };
    if !all_finite {
        let (i, _) = x
            .indexed_iter()
            .find(|(_, v)| !v.is_finite())
            .expect("a value that is not finite");
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

/// Refuses sample weights that are not one positive, finite number per row.
fn check_sample_weight(sample_weight: &[f64], n: usize) -> Result<(), LearnError> {
    if sample_weight.len() != n {
        return Err(LearnError::InvalidData(format!(
            "{} sample weights for {n} rows",
            sample_weight.len()
        )));
    }
    if let Some(i) = sample_weight
        .iter()
        .position(|w| !(w.is_finite() && *w > 0.0))
    {
        return Err(LearnError::InvalidData(format!(
            "row {}: the sample weight {} is not a finite number above 0",
            i + 1,
            sample_weight[i]
        )));
    }
    Ok(())
}

/// Each row's weight: its class weight times its sample weight. `None` when every
/// row's weight is 1 (no class weights, no sample weights), so that the fit is the
/// unweighted one.
fn row_weights(
    y: &[bool],
    (wn, wp): (f64, f64),
    sample_weight: Option<&[f64]>,
) -> Option<Vec<f64>> {
    if sample_weight.is_none() && (wn, wp) == (1.0, 1.0) {
        return None;
    }
    Some(
        y.iter()
            .enumerate()
            .map(|(i, &yi)| {
                let class = if yi { wp } else { wn };
                sample_weight.map_or(class, |s| class * s[i])
            })
            .collect(),
    )
}

/// The weighted number of the rows `rows`: their weights' sum, or their count when
/// every row weighs 1.
fn weighted_count(rows: &[usize], row_weights: Option<&[f64]>) -> f64 {
    match row_weights {
        Some(w) => rows.iter().map(|&i| w[i]).sum(),
        None => rows.len() as f64,
    }
}

/// The rows of `x` listed in `rows` (repeats allowed), copied into a new matrix in
/// `x`'s memory order: column-major when `x` is, else row-major.
///
/// The patched linfa-logistic (vendor/linfa-logistic) reads either layout once per
/// product in memory order, so the copy need not change the layout; a row-major
/// copy is a row at a time (ndarray's `select`), a column-major one goes through
/// [`column_major_rows`].
fn gather_rows(x: ArrayView2<'_, f64>, rows: &[usize]) -> Array2<f64> {
    if !x.is_standard_layout() && x.t().is_standard_layout() {
        column_major_rows(x, rows)
    } else {
        x.select(Axis(0), rows)
    }
}

/// The rows of `x` listed in `rows` (repeats allowed), copied into a new
/// column-major matrix: a transpose, made a block of rows at a time so that the
/// rows read and the column pieces written stay in cache (a column at a time took
/// about three times as long).
fn column_major_rows(x: ArrayView2<'_, f64>, rows: &[usize]) -> Array2<f64> {
    const BLOCK: usize = 512;
    let (n, p) = (rows.len(), x.ncols());
    let mut out = Array2::<f64>::zeros((n, p).f());
    let flat = out
        .as_slice_memory_order_mut()
        .expect("a new array is contiguous");
    let mut src = Vec::with_capacity(BLOCK);
    for (k, block) in rows.chunks(BLOCK).enumerate() {
        let i0 = k * BLOCK;
        src.clear();
        src.extend(block.iter().map(|&i| x.row(i)));
        for j in 0..p {
            let col = &mut flat[j * n + i0..j * n + i0 + block.len()];
            for (dst, row) in col.iter_mut().zip(&src) {
                *dst = row[j];
            }
        }
    }
    out
}

/// Which label linfa-logistic 0.8.1 will model as its "positive" class: the more
/// common one among the rows it sees, and on a tie the label of its first row.
fn linfa_models_true(negative_rows: usize, positive_rows: usize, first: bool) -> bool {
    if positive_rows == negative_rows {
        first
    } else {
        positive_rows > negative_rows
    }
}

/// Share of each class's rows drawn for the warm start.
const WARM_START_FRACTION: f64 = 0.1;

/// A warm start is drawn only when the subsample holds at least this many rows of
/// the rarer class per parameter (coefficients and intercept): the usual "ten events
/// per variable" for a stable logistic fit. Below that the subsample's optimum is
/// off in the weakly determined directions, and walking it back costs the full fit
/// more than the start saves (measured: a 2 %-positive DASH outcome, 100,000 rows,
/// fitted 15–20 % slower from such a start); and small data fit quickly anyway.
const WARM_START_EVENTS_PER_PARAMETER: usize = 10;

/// Seed of the warm-start subsample: fixed, so that a fit is reproducible.
const WARM_START_SEED: u64 = 0;

impl ValidLogisticParams {
    /// A starting point for the full fit, as `(w, b)` of P(positive): the optimum
    /// on a seeded stratified subsample of [`WARM_START_FRACTION`] of each class,
    /// found by linfa-logistic with the penalty scaled by the subsample's share of
    /// the weighted rows (linfa's loss is summed, so `alpha · n_sub / n` makes the
    /// two objectives the same per row; `n_sub` and `n` are sums of row weights).
    ///
    /// Why: linfa-logistic's first L-BFGS step is the raw gradient of the *summed*
    /// loss at step length 1, about `n` times too long, and its line search spends
    /// several function and gradient evaluations over all the data cutting it back.
    /// From the subsample's optimum the full fit needs fewer of those, and fewer
    /// iterations after them; the subsample's own fit costs a tenth as much per
    /// evaluation. The problem is convex, so the start changes where the full fit
    /// begins, never where it ends: the full fit's answer is checked against the
    /// same gradient tolerance as ever.
    ///
    /// `None` (start from the intercept-only optimum) when the subsample would be
    /// small (see [`WARM_START_EVENTS_PER_PARAMETER`]), without a penalty (a subsample
    /// can be separable when the whole is not), or when the subsample fit fails.
    fn warm_start(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
        row_weights: Option<&[f64]>,
        (negatives, positives): (usize, usize),
        n_eff: f64,
    ) -> Option<(Array1<f64>, f64)> {
        if self.alpha == 0.0 {
            return None;
        }
        let take = |count: usize| ((count as f64 * WARM_START_FRACTION).ceil() as usize).min(count);
        let (m_neg, m_pos) = (take(negatives), take(positives));
        if m_neg.min(m_pos) < WARM_START_EVENTS_PER_PARAMETER * (x.ncols() + 1)
            || m_neg + m_pos >= y.len()
        {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(WARM_START_SEED);
        let mut pos: Vec<usize> = (0..y.len()).filter(|&i| y[i]).collect();
        let mut neg: Vec<usize> = (0..y.len()).filter(|&i| !y[i]).collect();
        let (pos, _) = pos.partial_shuffle(&mut rng, m_pos);
        let (neg, _) = neg.partial_shuffle(&mut rng, m_neg);
        let mut rows: Vec<usize> = pos.iter().chain(neg.iter()).copied().collect();
        // In data order, so that the copy reads memory forwards.
        rows.sort_unstable();
        let n_sub = weighted_count(&rows, row_weights);
        self.solve(
            x,
            y,
            Some(&rows),
            row_weights,
            self.alpha * n_sub / n_eff,
            self.tolerance * n_sub,
            None,
        )
        .ok()
        .map(|(w, b, _)| (w, b))
        .filter(|(w, b)| b.is_finite() && w.iter().all(|v| v.is_finite()))
    }

    /// One linfa-logistic fit on the rows `rows` of `x` (all rows when `None`),
    /// each row's term of the summed loss multiplied by its weight in `row_weights`
    /// (indexed by row of `x`; every row 1 when `None`), with penalty `alpha` and
    /// gradient tolerance `tolerance` on the *summed* objective, from `start`
    /// (`(w, b)` of P(positive)) or else from the intercept-only optimum. Returns
    /// `(w, b)` of P(positive).
    #[allow(clippy::too_many_arguments)]
    fn solve(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
        rows: Option<&[usize]>,
        row_weights: Option<&[f64]>,
        alpha: f64,
        tolerance: f64,
        start: Option<(Array1<f64>, f64)>,
    ) -> Result<(Array1<f64>, f64, u64), LearnError> {
        let all: Vec<usize>;
        let rows: &[usize] = match rows {
            Some(r) => r,
            None => {
                all = (0..y.len()).collect();
                &all
            }
        };
        // An input used whole needs no copy when it is contiguous, row- or
        // column-major (the patched linfa-logistic reads either in memory order).
        let whole = rows.len() == y.len() && rows.iter().enumerate().all(|(k, &i)| k == i);
        let design: CowArray<'_, f64, Ix2> =
            if whole && (x.is_standard_layout() || x.t().is_standard_layout()) {
                CowArray::from(x)
            } else {
                CowArray::from(gather_rows(x, rows))
            };
        let targets: Array1<bool> = rows.iter().map(|&i| y[i]).collect();
        let weights: Option<Array1<f64>> =
            row_weights.map(|w| rows.iter().map(|&i| w[i]).collect());
        let positive_rows = targets.iter().filter(|&&v| v).count();
        // By count, not weight: linfa labels classes by their numbers of rows.
        let models_true = linfa_models_true(rows.len() - positive_rows, positive_rows, targets[0]);
        let sign = if models_true { 1.0 } else { -1.0 };

        // Without a warm start, start from the intercept-only optimum (the log-odds
        // of the weighted class shares) rather than from 0: the intercept's gradient
        // is then 0 and the solver's first, unscaled step is spent on the
        // coefficients alone. linfa parametrises P(its "positive" class).
        let (w0, b0) = start.unwrap_or_else(|| {
            let log_odds = match &weights {
                None => (positive_rows as f64 / (rows.len() - positive_rows) as f64).ln(),
                Some(w) => {
                    let (mut pos, mut neg) = (0.0, 0.0);
                    for (&wi, &yi) in w.iter().zip(&targets) {
                        if yi {
                            pos += wi;
                        } else {
                            neg += wi;
                        }
                    }
                    (pos / neg).ln()
                }
            };
            (Array1::zeros(x.ncols()), log_odds)
        });
        let init: Array1<f64> = w0.iter().chain([&b0]).map(|v| sign * v).collect();

        let params = linfa_logistic::LogisticRegression::default()
            .alpha(alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(tolerance)
            .initial_params(init)
            .check()
            .map_err(|e| LearnError::Solver(e.to_string()))?;
        let dataset = DatasetBase::new(design, targets);
        let fitted = match &weights {
            None => params.fit(&dataset),
            Some(w) => params.fit_weighted(&dataset, w.view()),
        }
        .map_err(|e| LearnError::Solver(e.to_string()))?;

        // Orientation: linfa's "positive" is whichever label was more common.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        Ok((
            fitted.params().mapv(|v| sign * v),
            sign * fitted.intercept(),
            fitted.iterations(),
        ))
    }
}

impl ValidLogisticParams {
    /// Fits on a feature matrix and 0/1 labels (`true` = positive).
    ///
    /// When the data are large enough (a 10 % subsample with at least ten rows of
    /// the rarer class per parameter) and `alpha > 0`, linfa-logistic first fits a
    /// seeded stratified 10 % subsample and the full fit starts from that optimum
    /// (a *warm start*): on 100,000 × 100 Gaussian features it takes about a third
    /// off the time. The answer is the full fit's, held to the same tolerance.
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
        match self.fit_arrays_lenient(x, y)? {
            (fit, None) => Ok(fit),
            (_, Some(not_converged)) => Err(not_converged),
        }
    }

    /// [`ValidLogisticParams::fit_arrays`], but a fit that stopped short of the
    /// tolerance (the iteration limit, or separated classes with `alpha = 0`) is
    /// returned with the [`LearnError::NotConverged`] it would have been, as
    /// scikit-learn returns its last iterate with a `ConvergenceWarning`. A fit
    /// whose coefficients are not finite is still an error.
    pub fn fit_arrays_lenient(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
    ) -> Result<(FittedLogistic, Option<LearnError>), LearnError> {
        self.fit_lenient(x, y, None)
    }

    /// [`ValidLogisticParams::fit_arrays`] with a weight per row: row `i`'s term of
    /// the loss is multiplied by `sample_weight[i]` and by its class weight
    /// (scikit-learn's `fit(X, y, sample_weight)`, which also multiplies the two).
    /// Weights must be finite and above 0, one per row; all 1 is exactly the
    /// unweighted fit. The tolerance applies to the gradient of the objective
    /// divided by the sum of the row weights.
    ///
    /// ```
    /// use dashrisk_learn::LogisticParams;
    /// use linfa::ParamGuard;
    /// use ndarray::array;
    /// let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]];
    /// let y = [false, false, true, false, true, true];
    /// let p = LogisticParams::new().check().unwrap();
    /// let plain = p.fit_arrays(x.view(), &y).unwrap();
    /// let ones = p.fit_arrays_weighted(x.view(), &y, &[1.0; 6]).unwrap();
    /// assert_eq!(ones, plain);
    /// // Weighting the positives up raises every probability.
    /// let w = [0.5, 0.5, 2.0, 0.5, 2.0, 2.0];
    /// let up = p.fit_arrays_weighted(x.view(), &y, &w).unwrap();
    /// assert!(up.intercept > plain.intercept);
    /// ```
    pub fn fit_arrays_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
        sample_weight: &[f64],
    ) -> Result<FittedLogistic, LearnError> {
        match self.fit_arrays_weighted_lenient(x, y, sample_weight)? {
            (fit, None) => Ok(fit),
            (_, Some(not_converged)) => Err(not_converged),
        }
    }

    /// [`ValidLogisticParams::fit_arrays_weighted`], lenient as
    /// [`ValidLogisticParams::fit_arrays_lenient`] is.
    pub fn fit_arrays_weighted_lenient(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
        sample_weight: &[f64],
    ) -> Result<(FittedLogistic, Option<LearnError>), LearnError> {
        self.fit_lenient(x, y, Some(sample_weight))
    }

    fn fit_lenient(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[bool],
        sample_weight: Option<&[f64]>,
    ) -> Result<(FittedLogistic, Option<LearnError>), LearnError> {
        let (positives, negatives) = check_data(x, y)?;
        if let Some(s) = sample_weight {
            check_sample_weight(s, y.len())?;
        }
        let (wn, wp) = self.class_weight.resolve(negatives, positives);
        let row_weights = row_weights(y, (wn, wp), sample_weight);
        let row_weights = row_weights.as_deref();
        let n_eff = row_weights.map_or(y.len() as f64, |w| w.iter().sum());

        let start = self.warm_start(x, y, row_weights, (negatives, positives), n_eff);
        let (w, b, iterations) = self.solve(
            x,
            y,
            None,
            row_weights,
            self.alpha,
            self.tolerance * n_eff,
            start,
        )?;

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
        let norm = gradient_norm(x, y, row_weights, self.alpha, w.view(), b);
        // A relative slack of 1e-9 absorbs rounding between linfa's gradient and
        // this one (summed in another order); it is far below any tolerance.
        // NaN (a diverged solver) counts as not converged.
        let mut warning = None;
        if norm.is_nan() || norm > self.tolerance * (1.0 + 1e-9) {
            warning = Some(not_converged(NonConvergence::GradientAboveTolerance, norm));
        } else if self.alpha == 0.0 {
            let z = x.dot(&w) + b;
            let separated = z
                .iter()
                .zip(y)
                .all(|(&z, &yi)| if yi { z > 0.0 } else { z < 0.0 });
            if separated {
                warning = Some(not_converged(NonConvergence::Separated, norm));
            }
        }
        let fit = FittedLogistic {
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
                iterations,
            },
        };
        Ok((fit, warning))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::LogisticParams;
    use linfa::ParamGuard;
    use rand::Rng;

    /// `n` rows of `p` Gaussian features, labels from a logistic with `intercept`.
    fn gaussian(n: usize, p: usize, intercept: f64, seed: u64) -> (Array2<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut normal = move || {
            let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        };
        let x = Array2::from_shape_simple_fn((n, p), &mut normal);
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
        let y = x
            .rows()
            .into_iter()
            .map(|r| {
                let z = intercept
                    + r.iter()
                        .enumerate()
                        .map(|(j, v)| v / (j + 1) as f64)
                        .sum::<f64>();
                rng.random::<f64>() < 1.0 / (1.0 + (-z).exp())
            })
            .collect();
        (x, y)
    }

    /// The patched linfa-logistic (vendor/linfa-logistic) has products for row-major
    /// and column-major matrices. Row- and column-major inputs are used as they are
    /// (whole) or copied in their own layout (rows repeated for class weights, the
    /// warm-start subsample); a strided view is copied row-major. Every route
    /// reaches the same optimum.
    #[test]
    fn every_memory_layout_reaches_the_same_optimum() {
        // 6,000 rows with over 1,300 of each class: fits take the warm start.
        let (x, y) = gaussian(6000, 12, -0.3, 23);
        let positives = y.iter().filter(|&&v| v).count();
        assert!(positives.min(y.len() - positives) >= 1300, "{positives}");
        let mut column_major = Array2::<f64>::zeros(x.dim().f());
        column_major.assign(&x);
        let mut wide = Array2::<f64>::zeros((x.nrows(), 2 * x.ncols()));
        // (Not `s![.., ..;2]`: the macro allows unsafe code, which this crate forbids.)
        let every_other = ndarray::Slice::new(0, None, 2);
        wide.slice_axis_mut(Axis(1), every_other).assign(&x);
        let strided = wide.slice_axis(Axis(1), every_other);
        assert!(x.is_standard_layout());
        assert!(column_major.t().is_standard_layout() && !column_major.is_standard_layout());
        assert!(!strided.is_standard_layout() && !strided.t().is_standard_layout());
        for weight in [
            ClassWeight::Unweighted,
            ClassWeight::Integer {
                negative: 1,
                positive: 3,
            },
        ] {
            let params = LogisticParams::new()
                .alpha(0.5)
                .tolerance(1e-8)
                .class_weight(weight)
                .check()
                .unwrap();
            let row = params.fit_arrays(x.view(), &y).unwrap();
            for (name, view) in [("column-major", column_major.view()), ("strided", strided)] {
                let other = params.fit_arrays(view, &y).unwrap();
                let gap = row
                    .coefficients
                    .iter()
                    .zip(&other.coefficients)
                    .map(|(a, b)| (a - b).abs())
                    .fold((row.intercept - other.intercept).abs(), f64::max);
                assert!(gap < 1e-6, "{name}, {weight:?}: {gap:e}");
            }
        }
    }

    /// The warm-started fit (as `fit_arrays` runs it) against a cold one from the
    /// intercept-only optimum, both at a tight tolerance: the same optimum.
    fn same_optimum_as_cold(x: ArrayView2<'_, f64>, y: &[bool], weight: ClassWeight) {
        let p = LogisticParams::new()
            .tolerance(1e-8)
            .class_weight(weight)
            .check()
            .unwrap();
        let positives = y.iter().filter(|&&v| v).count();
        let negatives = y.len() - positives;
        let weights = row_weights(y, weight.resolve(negatives, positives), None);
        let weights = weights.as_deref();
        let n_eff = weights.map_or(y.len() as f64, |w| w.iter().sum());
        assert!(
            p.warm_start(x, y, weights, (negatives, positives), n_eff)
                .is_some(),
            "these data are large enough for a warm start"
        );
        let warm = p.fit_arrays(x, y).unwrap();
        let (w, b, _) = p
            .solve(x, y, None, weights, p.alpha, p.tolerance * n_eff, None)
            .unwrap();
        let worst = warm
            .coefficients
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold((warm.intercept - b).abs(), f64::max);
        assert!(worst < 1e-6, "warm and cold optima differ by {worst:e}");
        assert!(warm.diagnostics.gradient_norm <= 1e-8 * (1.0 + 1e-9));
    }

    #[test]
    fn a_warm_start_changes_where_the_fit_begins_not_where_it_ends() {
        let (x, y) = gaussian(20_000, 8, -0.5, 1);
        same_optimum_as_cold(x.view(), &y, ClassWeight::Unweighted);
        // Rare positives: linfa models the negatives, in the subsample and in the
        // full fit alike, and the start must be turned round for it.
        let (x, y) = gaussian(20_000, 4, -2.5, 2);
        let share = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
        assert!(share < 0.2, "positives are rare: {share}");
        same_optimum_as_cold(x.view(), &y, ClassWeight::Unweighted);
        // Class weights (replicated rows) go through the subsample too.
        same_optimum_as_cold(
            x.view(),
            &y,
            ClassWeight::Integer {
                negative: 1,
                positive: 3,
            },
        );
        // Column-major input is used without a copy: the same answer.
        let mut xf = Array2::zeros(x.dim().f());
        xf.assign(&x);
        same_optimum_as_cold(xf.view(), &y, ClassWeight::Unweighted);
    }

    #[test]
    fn no_warm_start_for_small_or_rare_or_unpenalised_data() {
        let p = LogisticParams::new().check().unwrap();
        let counts = |y: &[bool]| {
            let pos = y.iter().filter(|&&v| v).count();
            (y.len() - pos, pos)
        };
        // 10 % of 2,000 rows is under 10 rows per parameter.
        let (x, y) = gaussian(2_000, 20, 0.0, 3);
        let (neg, pos) = counts(&y);
        assert!(p
            .warm_start(x.view(), &y, None, (neg, pos), y.len() as f64)
            .is_none());
        // Plenty of rows, but too few positives among them.
        let (x, y) = gaussian(20_000, 20, -5.0, 4);
        let (neg, pos) = counts(&y);
        assert!(pos < 10 * 21 * 10, "{pos} positives");
        assert!(p
            .warm_start(x.view(), &y, None, (neg, pos), y.len() as f64)
            .is_none());
        // Without a penalty a subsample can be separable when the whole is not.
        let (x, y) = gaussian(20_000, 4, 0.0, 5);
        let (neg, pos) = counts(&y);
        let unpenalised = LogisticParams::new().alpha(0.0).check().unwrap();
        assert!(unpenalised
            .warm_start(x.view(), &y, None, (neg, pos), y.len() as f64)
            .is_none());
        assert!(p
            .warm_start(x.view(), &y, None, (neg, pos), y.len() as f64)
            .is_some());
    }

    #[test]
    fn linfa_orientation_is_the_majority_and_on_a_tie_the_first_label() {
        assert!(linfa_models_true(3, 5, false));
        assert!(!linfa_models_true(5, 3, true));
        assert!(linfa_models_true(4, 4, true));
        assert!(!linfa_models_true(4, 4, false));
    }

    #[test]
    fn the_column_major_copy_keeps_every_value_and_repeats_rows() {
        let x = Array2::from_shape_fn((1_100, 3), |(i, j)| (i * 10 + j) as f64);
        let rows: Vec<usize> = (0..x.nrows()).rev().chain([7, 7]).collect();
        let c = column_major_rows(x.view(), &rows);
        assert!(c.t().is_standard_layout());
        assert_eq!(c, x.select(Axis(0), &rows));
    }
}
