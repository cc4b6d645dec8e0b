//! # Logistic Regression
//!
//! ## The Big Picture
//!
//! `linfa-logistic` is a crate in the [`linfa`](https://crates.io/crates/linfa) ecosystem, an effort to create a toolkit for classical Machine Learning implemented in pure Rust, akin to Python's `scikit-learn`.
//!
//! ## Current state
//! `linfa-logistic` provides a pure Rust implementation of a [binomial logistic regression model](LogisticRegression) and a [multinomial logistic regression model](MultiLogisticRegression).
//!
//! ## Examples
//!
//! There is an usage example in the `examples/` directory. To run, use:
//!
//! ```bash
//! $ cargo run --example winequality
//! ```
//!

pub mod error;

use crate::error::{Error, Result};
// dashrisk patch: `State`, for the iteration count.
use argmin::core::{
    CostFunction, Executor, Gradient, IterState, OptimizationResult, Solver, State,
};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use linfa::dataset::AsSingleTargets;
use linfa::prelude::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use ndarray::{
    s, Array, Array1, Array2, ArrayBase, ArrayView, ArrayView1, ArrayView2, Axis, CowArray, Data,
    DataMut, Dimension, IntoDimension, Ix1, Ix2, RemoveAxis, Slice, Zip,
};
use ndarray_stats::QuantileExt;
use std::cell::RefCell;
use std::default::Default;

#[cfg(feature = "serde")]
use serde_crate::de::DeserializeOwned;
#[cfg(feature = "serde")]
use serde_crate::{Deserialize, Serialize};

mod argmin_param;
mod float;
mod hyperparams;

use argmin_param::*;
use float::Float;
use hyperparams::{LogisticRegressionParams, LogisticRegressionValidParams};

/// A two-class logistic regression model.
///
/// Logistic regression combines linear models with
/// the sigmoid function `sigm(x) = 1/(1+exp(-x))`
/// to learn a family of functions that map the feature space to `[0,1]`.
///
/// Logistic regression is used in binary classification
/// by interpreting the predicted value as the probability that the sample
/// has label `1`. A threshold can be set in the [fitted model](FittedLogisticRegression) to decide the minimum
/// probability needed to classify a sample as `1`, which defaults to `0.5`.
///
/// In this implementation any binary set of labels can be used, not necessarily `0` and `1`.
///
/// dashrisk patch: samples can be weighted. The objective is then
/// `sum_i s_i * logloss_i + alpha / 2 * |params|^2` (scikit-learn's `sample_weight`, and
/// its `class_weight` when `s_i` is the weight of sample `i`'s class). `fit` reads the
/// weights of the dataset ([`DatasetBase::with_weights`], `f32` as linfa stores them);
/// `ValidLogisticRegression::fit_weighted` takes them in the model's own float
/// type. Without weights the arithmetic is upstream's.
///
/// l2 regularization is used by this algorithm and is weighted by parameter `alpha`. Setting `alpha`
/// close to zero removes regularization and the problem solved minimizes only the
/// empirical risk. On the other hand, setting `alpha` to a high value increases
/// the weight of the l2 norm of the linear model coefficients in the cost function.
///
/// ## Examples
///
/// Here's an example on how to train a logistic regression model on the `winequality` dataset
// dashrisk patch: `ignore`, since upstream's dev-dependency linfa-datasets is left out.
/// ```rust,ignore
/// use linfa::traits::{Fit, Predict};
/// use linfa_logistic::LogisticRegression;
///
/// // Example on using binary labels different from 0 and 1
/// let dataset = linfa_datasets::winequality().map_targets(|x| if *x > 6 { "good" } else { "bad" });
/// let model = LogisticRegression::default().fit(&dataset).unwrap();
/// let prediction = model.predict(&dataset);
/// ```
pub type LogisticRegression<F> = LogisticRegressionParams<F, Ix1>;

/// Validated version of `LogisticRegression`
pub type ValidLogisticRegression<F> = LogisticRegressionValidParams<F, Ix1>;

/// A multinomial class logistic regression model.
///
/// The output labels can map to any discrete feature space, since the algorithm calculates the
/// likelihood of a feature vector corresponding to any given outcome using the softmax function
/// `softmax(x) = exp(x) / sum(exp(xi))`
///
/// l2 regularization is used by this algorithm and is weighted by parameter `alpha`. Setting `alpha`
/// close to zero removes regularization and the problem solved minimizes only the
/// empirical risk. On the other hand, setting `alpha` to a high value increases
/// the weight of the l2 norm of the linear model coefficients in the cost function.
pub type MultiLogisticRegression<F> = LogisticRegressionParams<F, Ix2>;

/// Validated version of `MultiLogisticRegression`
pub type ValidMultiLogisticRegression<F> = LogisticRegressionValidParams<F, Ix2>;

impl<F: Float, D: Dimension> Default for LogisticRegressionParams<F, D> {
    fn default() -> Self {
        LogisticRegressionParams::new()
    }
}

type LBFGSType<F, D> = LBFGS<
    MoreThuenteLineSearch<ArgminParam<F, D>, ArgminParam<F, D>, F>,
    ArgminParam<F, D>,
    ArgminParam<F, D>,
    F,
>;
type LBFGSType1<F> = LBFGSType<F, Ix1>;
type LBFGSType2<F> = LBFGSType<F, Ix2>;

type IterStateType<F, D> = IterState<ArgminParam<F, D>, ArgminParam<F, D>, (), (), (), F>;

impl<F: Float, D: Dimension> LogisticRegressionValidParams<F, D> {
    /// Create the initial parameters, either from a user supplied array
    /// or an array of 0s
    fn setup_init_params(&self, dims: D::Pattern) -> ArgminParam<F, D> {
        if let Some(params) = self.initial_params.as_ref() {
            ArgminParam(params.clone())
        } else {
            let mut dims = dims.into_dimension();
            dims.as_array_view_mut()[0] += self.fit_intercept as usize;
            ArgminParam(Array::zeros(dims))
        }
    }

    /// Ensure that `x` and `y` have the right shape and that all data and
    /// configuration parameters are finite.
    fn validate_data<A: Data<Elem = F>, B: Data<Elem = F>>(
        &self,
        x: &ArrayBase<A, Ix2>,
        y: &ArrayBase<B, D>,
    ) -> Result<()> {
        if x.shape()[0] != y.shape()[0] {
            return Err(Error::MismatchedShapes(x.shape()[0], y.shape()[0]));
        }
        // dashrisk patch: in memory order when `x` is contiguous (upstream's `x.iter()`
        // walks a column-major `x` across its columns, with a stride), and without an
        // early exit, so that the loop is vectorised; same answer.
        let x_finite = match x.as_slice_memory_order() {
            Some(values) => values.iter().fold(true, |ok, x| ok & x.is_finite()),
            None => x.iter().all(|x| x.is_finite()),
        };
        if !x_finite || y.iter().any(|y| !y.is_finite()) {
            return Err(Error::InvalidValues);
        }
        self.validate_init_dims(x.shape()[1], y.shape().get(1).copied())?;
        Ok(())
    }

    fn validate_init_dims(&self, mut n_features: usize, n_classes: Option<usize>) -> Result<()> {
        if let Some(params) = self.initial_params.as_ref() {
            let shape = params.shape();
            n_features += self.fit_intercept as usize;
            if n_features != shape[0] {
                return Err(Error::InitialParameterFeaturesMismatch {
                    n_features,
                    rows: shape[0],
                });
            }
            if let Some(n_classes) = n_classes {
                if n_classes != shape[1] {
                    return Err(Error::InitialParameterClassesMismatch {
                        n_classes,
                        cols: shape[1],
                    });
                }
            }
        }
        Ok(())
    }

    /// Create a `LogisticRegressionProblem`.
    fn setup_problem<'a, A: Data<Elem = F>>(
        &self,
        x: &'a ArrayBase<A, Ix2>,
        target: Array<F, D>,
        sample_weight: Option<Array1<F>>,
    ) -> LogisticRegressionProblem<'a, F, A, D> {
        LogisticRegressionProblem {
            x,
            target,
            alpha: self.alpha,
            sample_weight,
            last: RefCell::new(None),
        }
    }

    /// Create the LBFGS solver using MoreThuenteLineSearch and set gradient
    /// tolerance.
    fn setup_solver(&self) -> LBFGSType<F, D> {
        let linesearch = MoreThuenteLineSearch::new();
        LBFGS::new(linesearch, 10)
            .with_tolerance_grad(self.gradient_tolerance)
            .unwrap()
    }
}

impl<
        F: Float,
        #[cfg(feature = "serde")] D: Dimension + Serialize + DeserializeOwned,
        #[cfg(not(feature = "serde"))] D: Dimension,
    > LogisticRegressionValidParams<F, D>
{
    /// Run the LBFGS solver until it converges or runs out of iterations.
    fn run_solver<P: SolvableProblem<F, D>>(
        &self,
        problem: P,
        solver: P::Solver,
        init_params: ArgminParam<F, D>,
    ) -> Result<OptimizationResult<P, P::Solver, IterStateType<F, D>>> {
        Executor::new(problem, solver)
            .configure(|state| state.param(init_params).max_iters(self.max_iterations))
            .run()
            .map_err(move |err| err.into())
    }
}

impl<C: Ord + Clone, F: Float, D: Data<Elem = F>, T: AsSingleTargets<Elem = C>>
    Fit<ArrayBase<D, Ix2>, T, Error> for ValidLogisticRegression<F>
{
    type Object = FittedLogisticRegression<F, C>;

    /// Given a 2-dimensional feature matrix array `x` with shape
    /// (n_samples, n_features) and an array of target classes to predict,
    /// create a `FittedLinearRegression` object which allows making
    /// predictions.
    ///
    /// The array of target classes `y` must have exactly two discrete values, (e.g. 0 and 1, "cat"
    /// and "dog", ...), which represent the two different classes the model is supposed to
    /// predict.
    ///
    /// The array `y` must also have exactly `n_samples` items, i.e.
    /// exactly as many items as there are rows in the feature matrix `x`.
    ///
    /// This method returns an error if any of the preconditions are violated,
    /// i.e. any values are `Inf` or `NaN`, `y` doesn't have as many items as
    /// `x` has rows, or if other parameters (gradient_tolerance, alpha) have
    /// been set to inalid values.
    ///
    /// dashrisk patch: the dataset's weights, when it has them
    /// ([`DatasetBase::with_weights`]), weight the samples' terms of the loss (see
    /// `ValidLogisticRegression::fit_weighted`).
    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Self::Object> {
        let sample_weight = dataset
            .weights()
            .map(|w| w.iter().map(|&v| F::cast(v)).collect::<Array1<F>>());
        self.fit_binary(dataset, sample_weight)
    }
}

impl<F: Float> ValidLogisticRegression<F> {
    /// dashrisk patch: fits with a weight per sample, in the model's float type `F`.
    ///
    /// The objective is `sum_i s_i * logloss_i + alpha / 2 * |params|^2`, `s_i` being
    /// `sample_weight[i]` (the intercept not penalised): scikit-learn's
    /// `LogisticRegression(C = 1 / alpha)` fitted with `sample_weight`, or with
    /// `class_weight` when each `s_i` is the weight of sample `i`'s class. A weight
    /// `k` on a sample is the same objective as the sample repeated `k` times.
    /// Weights must be finite and 0 or more, one per row of the records; all 1 gives
    /// exactly (bit for bit) the unweighted fit. The dataset's own weights
    /// ([`DatasetBase::weights`], `f32`) are not read here: these replace them.
    ///
    /// Which class is modelled as the positive one does not change: as in `fit`, it
    /// is the one with more samples, by count, not by weight.
    ///
    /// ```
    /// use linfa::prelude::*;
    /// use linfa_logistic::LogisticRegression;
    /// use ndarray::array;
    ///
    /// let params = LogisticRegression::<f64>::default().gradient_tolerance(1e-10).check().unwrap();
    /// // The third sample weighted 2 ...
    /// let data = Dataset::new(array![[-1.0], [-0.2], [0.3], [1.0]], array![0, 1, 0, 1]);
    /// let weighted = params.fit_weighted(&data, array![1.0, 1.0, 2.0, 1.0].view()).unwrap();
    /// // ... is the third sample twice.
    /// let twice = Dataset::new(array![[-1.0], [-0.2], [0.3], [0.3], [1.0]], array![0, 1, 0, 0, 1]);
    /// let repeated = params.fit(&twice).unwrap();
    /// assert!((weighted.params()[0] - repeated.params()[0]).abs() < 1e-6);
    /// assert!((weighted.intercept() - repeated.intercept()).abs() < 1e-6);
    /// ```
    pub fn fit_weighted<C, D, T>(
        &self,
        dataset: &DatasetBase<ArrayBase<D, Ix2>, T>,
        sample_weight: ArrayView1<'_, F>,
    ) -> Result<FittedLogisticRegression<F, C>>
    where
        C: Ord + Clone,
        D: Data<Elem = F>,
        T: AsSingleTargets<Elem = C>,
    {
        self.fit_binary(dataset, Some(sample_weight.to_owned()))
    }

    /// dashrisk patch: upstream's `fit`, with optional sample weights.
    fn fit_binary<C, D, T>(
        &self,
        dataset: &DatasetBase<ArrayBase<D, Ix2>, T>,
        sample_weight: Option<Array1<F>>,
    ) -> Result<FittedLogisticRegression<F, C>>
    where
        C: Ord + Clone,
        D: Data<Elem = F>,
        T: AsSingleTargets<Elem = C>,
    {
        let (x, y) = (dataset.records(), dataset.targets());
        let (labels, target) = label_classes(y)?;
        self.validate_data(x, &target)?;
        if let Some(weights) = sample_weight.as_ref() {
            validate_sample_weight(x.nrows(), weights)?;
        }
        let problem = self.setup_problem(x, target, sample_weight);
        let solver = self.setup_solver();
        let init_params = self.setup_init_params(x.ncols());
        let result = self.run_solver(problem, solver, init_params)?;

        // dashrisk patch: the solver's iteration count, kept for `iterations()`.
        let iterations = result.state.get_iter();
        let params = result
            .state
            .best_param
            .unwrap_or(self.setup_init_params(x.ncols()));
        let (w, intercept) = convert_params(x.ncols(), params.as_array());
        let mut fitted =
            FittedLogisticRegression::new(*intercept.view().into_scalar(), w.to_owned(), labels);
        fitted.iterations = iterations;
        Ok(fitted)
    }
}

impl<C: Ord + Clone, F: Float, D: Data<Elem = F>, T: AsSingleTargets<Elem = C>>
    Fit<ArrayBase<D, Ix2>, T, Error> for ValidMultiLogisticRegression<F>
{
    type Object = MultiFittedLogisticRegression<F, C>;

    /// Given a 2-dimensional feature matrix array `x` with shape
    /// (n_samples, n_features) and an array of target classes to predict,
    /// create a `MultiFittedLogisticRegression` object which allows making
    /// predictions. The target classes can have any number of discrete values.
    ///
    /// This method returns an error if any of the preconditions are violated,
    /// i.e. any values are `Inf` or `NaN`, `y` doesn't have as many items as
    /// `x` has rows, or if other parameters (gradient_tolerance, alpha) have
    /// been set to inalid values. The input features are also strongly recommended to be
    /// normalized to ensure numerical stability.
    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Self::Object> {
        let (x, y) = (dataset.records(), dataset.targets());
        let (classes, target) = label_classes_multi(y)?;
        self.validate_data(x, &target)?;
        // dashrisk patch: sample weights are for the two-class model only.
        let problem = self.setup_problem(x, target, None);
        let solver = self.setup_solver();
        let init_params = self.setup_init_params((x.ncols(), classes.len()));
        let result = self.run_solver(problem, solver, init_params)?;

        let params = result
            .state
            .best_param
            .unwrap_or(self.setup_init_params((x.ncols(), classes.len())));
        let (w, intercept) = convert_params(x.ncols(), params.as_array());
        Ok(MultiFittedLogisticRegression::new(
            intercept.to_owned(),
            w.to_owned(),
            classes,
        ))
    }
}

/// dashrisk patch: one weight per sample, each finite and 0 or more.
fn validate_sample_weight<F: Float>(n_samples: usize, weights: &Array1<F>) -> Result<()> {
    if weights.len() != n_samples {
        return Err(Error::MismatchedSampleWeights {
            n_samples,
            n_weights: weights.len(),
        });
    }
    if weights.iter().any(|w| !(w.is_finite() && *w >= F::zero())) {
        return Err(Error::InvalidSampleWeights);
    }
    Ok(())
}

/// Identify the distinct values of the classes `y` and associate
/// the target labels `-1.0` and `1.0` to it. -1.0 always labels the
/// smaller class (by PartialOrd) and 1.0 always labels the larger
/// class.
///
/// It is an error to have more than two classes.
fn label_classes<F, T, C>(y: T) -> Result<(BinaryClassLabels<F, C>, Array1<F>)>
where
    F: Float,
    T: AsSingleTargets<Elem = C>,
    C: Ord + Clone,
{
    let y = y.as_single_targets();

    // counts the instances of two distinct class labels
    let mut binary_classes = [None, None];
    // find binary classes of our target dataset
    for class in y {
        binary_classes = match binary_classes {
            // count the first class label
            [None, None] => [Some((class, 1)), None],
            // if the class has already been counted, increment the count
            [Some((c, count)), c2] if c == class => [Some((class, count + 1)), c2],
            [c1, Some((c, count))] if c == class => [c1, Some((class, count + 1))],
            // count the second class label
            [Some(c1), None] => [Some(c1), Some((class, 1))],

            // should not be possible
            [None, Some(_)] => unreachable!("impossible binary class array"),
            // found 3rd distinct class
            [Some(_), Some(_)] => return Err(Error::TooManyClasses),
        };
    }

    let (pos_class, neg_class) = match binary_classes {
        [Some(a), Some(b)] => (a, b),
        _ => return Err(Error::TooFewClasses),
    };

    let mut target_array = y
        .into_iter()
        .map(|x| {
            if x == pos_class.0 {
                F::POSITIVE_LABEL
            } else {
                F::NEGATIVE_LABEL
            }
        })
        .collect::<Array1<_>>();

    let (pos_cl, neg_cl) = if pos_class.1 < neg_class.1 {
        // If we found the larger class first, flip the sign in the target
        // vector, so that -1.0 is always the label for the smaller class
        // and 1.0 the label for the larger class
        target_array *= -F::one();
        (neg_class.0.clone(), pos_class.0.clone())
    } else {
        (pos_class.0.clone(), neg_class.0.clone())
    };

    Ok((
        BinaryClassLabels {
            pos: ClassLabel {
                class: pos_cl,
                label: F::POSITIVE_LABEL,
            },
            neg: ClassLabel {
                class: neg_cl,
                label: F::NEGATIVE_LABEL,
            },
        },
        target_array,
    ))
}

/// Identify the distinct values of the classes in `y` and map each value to an integer. Smaller
/// classes (by `PartialOrd`) map to smaller integers. Returns the mapping along with a one-hot
/// encoding of the numerical labels corresponding to `y`.
fn label_classes_multi<F, T, C>(y: T) -> Result<(Vec<C>, Array2<F>)>
where
    F: Float,
    T: AsSingleTargets<Elem = C>,
    C: Ord + Clone,
{
    let y_single_target = y.as_single_targets();
    let mut classes = y_single_target.to_vec();
    // Dedup the list of classes
    classes.sort();
    classes.dedup();

    let mut onehot = Array2::zeros((y_single_target.len(), classes.len()));
    Zip::from(onehot.rows_mut())
        .and(&y_single_target)
        .for_each(|mut oh_row, cls| {
            let idx = classes.binary_search(cls).unwrap();
            oh_row[idx] = F::one();
        });
    Ok((classes, onehot))
}

/// Conditionally split the feature vector `w` into parameter vector and
/// intercept parameter.
/// Dimensions of `w` are either (f) or (f, n_classes)
fn convert_params<F: Float, D: Dimension + RemoveAxis>(
    n_features: usize,
    w: &Array<F, D>,
) -> (ArrayView<'_, F, D>, CowArray<'_, F, D::Smaller>) {
    let nrows = w.shape()[0];
    if n_features == nrows {
        (
            w.view(),
            Array::zeros(w.raw_dim().remove_axis(Axis(0))).into(),
        )
    } else if n_features + 1 == nrows {
        (
            w.slice_axis(Axis(0), Slice::from(..n_features)),
            w.index_axis(Axis(0), n_features).into(),
        )
    } else {
        panic!(
            "Unexpected length of parameter vector `w`, exected {} or {}, found {}",
            n_features,
            n_features + 1,
            nrows
        );
    }
}

/// The logistic function
fn logistic<F: linfa::Float>(x: F) -> F {
    F::one() / (F::one() + (-x).exp())
}

/// A numerically stable version of the log of the logistic function.
///
/// Taken from scikit-learn
/// https://github.com/scikit-learn/scikit-learn/blob/0.23.1/sklearn/utils/_logistic_sigmoid.pyx
///
/// See the blog post describing this implementation:
/// http://fa.bianp.net/blog/2013/numerical-optimizers-for-logistic-regression/
fn log_logistic<F: linfa::Float>(x: F) -> F {
    if x > F::zero() {
        -(F::one() + (-x).exp()).ln()
    } else {
        x - (F::one() + x.exp()).ln()
    }
}

/// Finds the log of the sum of exponents across a specific axis in a numerically stable way. More
/// specifically, computes `ln(exp(x1) + exp(x2) + exp(e3) + ...)` across an axis.
///
/// Based off this implementation: https://docs.scipy.org/doc/scipy/reference/generated/scipy.special.logsumexp.html
fn log_sum_exp<F: linfa::Float, A: Data<Elem = F>>(
    m: &ArrayBase<A, Ix2>,
    axis: Axis,
) -> Array<F, Ix1> {
    // Find max value of the array
    let max = m.iter().copied().reduce(F::max).unwrap();
    // Computes `max + ln(exp(x1-max) + exp(x2-max) + exp(x3-max) + ...)`, which is equal to the
    // log_sum_exp formula
    let reduced = m.fold_axis(axis, F::zero(), |acc, elem| *acc + (*elem - max).exp());
    reduced.mapv_into(|e| e.max(F::cast(1e-15)).ln() + max)
}

/// Computes `exp(n - max) / sum(exp(n- max))`, which is a numerically stable version of softmax
fn softmax_inplace<F: linfa::Float, A: DataMut<Elem = F>>(v: &mut ArrayBase<A, Ix1>) {
    let max = v.iter().copied().reduce(F::max).unwrap();
    v.mapv_inplace(|n| (n - max).exp());
    let sum = v.sum();
    v.mapv_inplace(|n| n / sum);
}

/// Computes the logistic loss assuming the training labels $y \in {-1, 1}$
///
/// Because the logistic function fullfills $\sigma(-z) = 1 - \sigma(z)$
/// we can write $P(y=1|z) = \sigma(z) = \sigma(yz)$ and
/// $P(y=-1|z) = 1 - P(y=1|z) = 1 - \sigma(z) = \sigma(-z) = \sigma(yz)$, so
/// $P(y|z) = \sigma(yz)$ for both $y=1$ and $y=-1$.
///
/// Thus, the log loss can be written as
/// $$-\sum_{i=1}^{N} \log(\sigma(y_i z_i)) + \frac{\alpha}{2}\text{params}^T\text{params}$$
// dashrisk patch: kept for upstream's unit tests; the problem now calls the parts.
#[cfg(test)]
fn logistic_loss<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array1<F>,
    alpha: F,
    w: &Array1<F>,
) -> F {
    let n_features = x.shape()[1];
    let (params, _) = convert_params(n_features, w);
    loss_from_margins(logistic_margins(x, y, w), alpha, &params, None)
}

/// dashrisk patch: `logistic_loss` with sample weights, for the tests.
#[cfg(test)]
fn weighted_logistic_loss<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array1<F>,
    alpha: F,
    w: &Array1<F>,
    sample_weight: &Array1<F>,
) -> F {
    let n_features = x.shape()[1];
    let (params, _) = convert_params(n_features, w);
    loss_from_margins(
        logistic_margins(x, y, w),
        alpha,
        &params,
        Some(sample_weight),
    )
}

/// dashrisk patch: the margins `y·(x·w + b)`, the first step of upstream's
/// `logistic_loss` and `logistic_grad`, split out unchanged so both can share it.
fn logistic_margins<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array1<F>,
    w: &Array1<F>,
) -> Array1<F> {
    let n_features = x.shape()[1];
    let (params, intercept) = convert_params(n_features, w);
    let b = *intercept.view().into_scalar();
    let mut yz = mat_vec(x, &params);
    Zip::from(&mut yz)
        .and(y)
        .for_each(|z, &y| *z = (*z + b) * y);
    yz
}

/// dashrisk patch: rows of `x` at a time, to keep a block of `x·v` in the L1 cache.
const ROW_BLOCK: usize = 2048;

/// dashrisk patch: `x·v` by a loop that reads `x` once, in its memory order.
///
/// Upstream wrote `x.dot(v as a one-column matrix)`: a general matrix product, which
/// without BLAS (ndarray's `matrixmultiply`) packs a copy of the whole of `x` on each
/// call. A row-major `x` takes a dot product per row (ndarray's matrix-vector
/// product; BLAS `gemv` when ndarray is built with BLAS); a column-major `x` adds
/// `v_j ×` column `j` into a block of the result at a time.
fn mat_vec<F: Float, A: Data<Elem = F>>(x: &ArrayBase<A, Ix2>, v: &ArrayView1<'_, F>) -> Array1<F> {
    let column_major = if x.is_standard_layout() {
        None
    } else {
        x.t().to_slice()
    };
    let Some(data) = column_major else {
        return x.dot(v);
    };
    let n = x.nrows();
    let mut out = vec![F::zero(); n];
    let column = |j: usize, start: usize, end: usize| &data[j * n + start..j * n + end];
    let mut start = 0;
    while start < n {
        let end = (start + ROW_BLOCK).min(n);
        let block = &mut out[start..end];
        // Four columns at a time: the block is read and written a quarter as often.
        let mut quads = v.len() / 4;
        let mut j = 0;
        while quads > 0 {
            let (w0, w1, w2, w3) = (v[j], v[j + 1], v[j + 2], v[j + 3]);
            let (c0, c1) = (column(j, start, end), column(j + 1, start, end));
            let (c2, c3) = (column(j + 2, start, end), column(j + 3, start, end));
            for ((((o, &a), &b), &c), &d) in block.iter_mut().zip(c0).zip(c1).zip(c2).zip(c3) {
                *o = *o + w0 * a + w1 * b + w2 * c + w3 * d;
            }
            j += 4;
            quads -= 1;
        }
        for (j, &w) in v.iter().enumerate().skip(j) {
            for (o, &a) in block.iter_mut().zip(column(j, start, end)) {
                *o += w * a;
            }
        }
        start = end;
    }
    Array1::from(out)
}

/// dashrisk patch: `xᵀ·r` by a loop that reads `x` once, in its memory order.
///
/// Upstream wrote `x.t().dot(r)`, which without BLAS takes a dot product per column
/// of `x`: strided, and slow, when `x` is row-major. A row-major `x` here adds
/// `r_i ×` row `i` into the result instead; any other layout keeps upstream's product.
fn mat_t_vec<F: Float, A: Data<Elem = F>>(x: &ArrayBase<A, Ix2>, r: &Array1<F>) -> Array1<F> {
    let p = x.ncols();
    match x.as_slice() {
        Some(data) if p > 0 => {
            let mut out = vec![F::zero(); p];
            for (row, &ri) in data.chunks_exact(p).zip(r) {
                for (o, &xv) in out.iter_mut().zip(row) {
                    *o += ri * xv;
                }
            }
            Array1::from(out)
        }
        _ => x.t().dot(r),
    }
}

/// dashrisk patch: the rest of upstream's `logistic_loss`, unchanged but for the
/// sample weights: each sample's term times its weight. Without weights, upstream's
/// arithmetic.
fn loss_from_margins<F: Float>(
    mut yz: Array1<F>,
    alpha: F,
    params: &ArrayBase<impl Data<Elem = F>, Ix1>,
    sample_weight: Option<&Array1<F>>,
) -> F {
    yz.mapv_inplace(log_logistic);
    if let Some(weights) = sample_weight {
        yz *= weights;
    }
    -yz.sum() + F::cast(0.5) * alpha * params.dot(params)
}

/// Computes the gradient of the logistic loss function
// dashrisk patch: kept for upstream's unit tests; the problem now calls the parts.
#[cfg(test)]
fn logistic_grad<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array1<F>,
    alpha: F,
    w: &Array1<F>,
) -> Array1<F> {
    grad_from_margins(x, y, alpha, w, logistic_margins(x, y, w), None)
}

/// dashrisk patch: `logistic_grad` with sample weights, for the tests.
#[cfg(test)]
fn weighted_logistic_grad<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array1<F>,
    alpha: F,
    w: &Array1<F>,
    sample_weight: &Array1<F>,
) -> Array1<F> {
    grad_from_margins(
        x,
        y,
        alpha,
        w,
        logistic_margins(x, y, w),
        Some(sample_weight),
    )
}

/// dashrisk patch: the rest of upstream's `logistic_grad`, unchanged but for the
/// sample weights: each sample's derivative times its weight. Without weights,
/// upstream's arithmetic.
fn grad_from_margins<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array1<F>,
    alpha: F,
    w: &Array1<F>,
    mut yz: Array1<F>,
    sample_weight: Option<&Array1<F>>,
) -> Array1<F> {
    let n_features = x.shape()[1];
    let (params, _) = convert_params(n_features, w);
    yz.mapv_inplace(logistic);
    yz -= F::one();
    yz *= y;
    if let Some(weights) = sample_weight {
        yz *= weights;
    }
    if w.len() == n_features + 1 {
        let mut grad = Array::zeros(w.len());
        grad.slice_mut(s![..n_features])
            .assign(&(mat_t_vec(x, &yz) + (&params * alpha)));
        grad[n_features] = yz.sum();
        grad
    } else {
        mat_t_vec(x, &yz) + (&params * alpha)
    }
}

/// Compute the log of probabilities, which is `log(softmax(H))`, where H is `X . W + b`. Also
/// returns `W` without the intercept.
/// `Y` is the output (n_samples * n_classes), `X` is the input (n_samples * n_features), `W` is the
/// params (n_features * n_classes), `b` is the intercept vector (n_classes).
fn multi_logistic_prob_params<'a, F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    w: &'a Array2<F>, // This parameter includes `W` and `b`
) -> (Array2<F>, ArrayView2<'a, F>) {
    let n_features = x.shape()[1];
    let (params, intercept) = convert_params(n_features, w);
    // Compute H
    let h = x.dot(&params) + intercept;
    // This computes `H - log(sum(exp(H)))`, which is equal to
    // `log(softmax(H)) = log(exp(H) / sum(exp(H)))`
    let log_prob = &h
        - log_sum_exp(&h, Axis(1))
            .into_shape_with_order((h.nrows(), 1))
            .unwrap();
    (log_prob, params)
}

/// Computes loss function of `-sum(Y * log(softmax(H))) + alpha/2 * norm(W)`
fn multi_logistic_loss<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array2<F>,
    alpha: F,
    w: &Array2<F>,
) -> F {
    let (log_prob, params) = multi_logistic_prob_params(x, w);
    // Calculate loss
    -elem_dot(&log_prob, y) + F::cast(0.5) * alpha * elem_dot(&params, &params)
}

/// Computes multinomial gradients for `W` and `b` and combine them.
/// Gradient for `W` is `Xt . (softmax(H) - Y) + alpha * W`.
/// Gradient for `b` is `sum(softmax(H) - Y)`.
fn multi_logistic_grad<F: Float, A: Data<Elem = F>>(
    x: &ArrayBase<A, Ix2>,
    y: &Array2<F>,
    alpha: F,
    w: &Array2<F>,
) -> Array2<F> {
    let (log_prob, params) = multi_logistic_prob_params(x, w);
    let (n_features, n_classes) = params.dim();
    let intercept = w.nrows() > n_features;
    let mut grad = Array::zeros((n_features + intercept as usize, n_classes));

    // This value is `softmax(H)`
    let prob = log_prob.mapv_into(num_traits::Float::exp);
    let diff = prob - y;
    // Compute gradient for `W` and place it at start of the grad matrix
    let dw = x.t().dot(&diff) + (&params * alpha);
    grad.slice_mut(s![..n_features, ..]).assign(&dw);
    // Compute gradient for `b` and place it at end of grad matrix
    if intercept {
        grad.row_mut(n_features).assign(&diff.sum_axis(Axis(0)));
    }
    grad
}

/// A fitted logistic regression which can make predictions
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(crate = "serde_crate")
)]
pub struct FittedLogisticRegression<F: Float, C: PartialOrd + Clone> {
    threshold: F,
    intercept: F,
    params: Array1<F>,
    labels: BinaryClassLabels<F, C>,
    /// dashrisk patch: iterations the L-BFGS solver ran (0 when not fitted here).
    #[cfg_attr(feature = "serde", serde(default))]
    iterations: u64,
}

impl<F: Float, C: PartialOrd + Clone> FittedLogisticRegression<F, C> {
    fn new(
        intercept: F,
        params: Array1<F>,
        labels: BinaryClassLabels<F, C>,
    ) -> FittedLogisticRegression<F, C> {
        FittedLogisticRegression {
            threshold: F::cast(0.5),
            intercept,
            params,
            labels,
            iterations: 0,
        }
    }

    /// dashrisk patch: the number of L-BFGS iterations the fit ran (argmin's
    /// iteration count), as scikit-learn reports `n_iter_`.
    pub fn iterations(&self) -> u64 {
        self.iterations
    }

    /// Set the probability threshold for which the 'positive' class will be
    /// predicted. Defaults to 0.5.
    pub fn set_threshold(mut self, threshold: F) -> FittedLogisticRegression<F, C> {
        if threshold < F::zero() || threshold > F::one() {
            panic!("FittedLogisticRegression::set_threshold: threshold needs to be between 0.0 and 1.0");
        }
        self.threshold = threshold;
        self
    }

    pub fn intercept(&self) -> F {
        self.intercept
    }

    pub fn params(&self) -> &Array1<F> {
        &self.params
    }

    /// Get the model positive and negative classes mapped to their
    /// corresponding problem input labels.
    pub fn labels(&self) -> &BinaryClassLabels<F, C> {
        &self.labels
    }

    /// Given a feature matrix, predict the probabilities that a sample
    /// should be classified as the larger of the two classes learned when the
    /// model was fitted.
    pub fn predict_probabilities<A: Data<Elem = F>>(&self, x: &ArrayBase<A, Ix2>) -> Array1<F> {
        let mut probs = x.dot(&self.params) + self.intercept;
        probs.mapv_inplace(logistic);
        probs
    }
}

impl<C: PartialOrd + Clone + Default, F: Float, D: Data<Elem = F>>
    PredictInplace<ArrayBase<D, Ix2>, Array1<C>> for FittedLogisticRegression<F, C>
{
    /// Given a feature matrix, predict the classes learned when the model was
    /// fitted.
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<C>) {
        assert_eq!(
            x.nrows(),
            y.len(),
            "The number of data points must match the number of output targets."
        );
        assert_eq!(
            x.ncols(),
            self.params.len(),
            "Number of data features must match the number of features the model was trained with."
        );

        let pos_class = &self.labels.pos.class;
        let neg_class = &self.labels.neg.class;
        Zip::from(&self.predict_probabilities(x))
            .and(y)
            .for_each(|prob, out| {
                *out = if *prob >= self.threshold {
                    pos_class.clone()
                } else {
                    neg_class.clone()
                }
            });
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<C> {
        Array1::default(x.nrows())
    }
}

/// A fitted multinomial logistic regression which can make predictions
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(crate = "serde_crate")
)]
pub struct MultiFittedLogisticRegression<F, C: PartialOrd + Clone> {
    intercept: Array1<F>,
    params: Array2<F>,
    classes: Vec<C>,
}

impl<F: Float, C: PartialOrd + Clone> MultiFittedLogisticRegression<F, C> {
    fn new(intercept: Array1<F>, params: Array2<F>, classes: Vec<C>) -> Self {
        Self {
            intercept,
            params,
            classes,
        }
    }

    pub fn intercept(&self) -> &Array1<F> {
        &self.intercept
    }

    pub fn params(&self) -> &Array2<F> {
        &self.params
    }

    /// Return non-normalized probabilities (n_samples * n_classes)
    fn predict_nonorm_probabilities<A: Data<Elem = F>>(&self, x: &ArrayBase<A, Ix2>) -> Array2<F> {
        x.dot(&self.params) + &self.intercept
    }

    /// Return normalized probabilities for each output class. The output dimensions are (n_samples
    /// * n_classes).
    pub fn predict_probabilities<A: Data<Elem = F>>(&self, x: &ArrayBase<A, Ix2>) -> Array2<F> {
        let mut probs = self.predict_nonorm_probabilities(x);
        probs
            .rows_mut()
            .into_iter()
            .for_each(|mut row| softmax_inplace(&mut row));
        probs
    }

    /// Get the list of class labels, which maps the numerical class indices to the labels
    pub fn classes(&self) -> &[C] {
        &self.classes
    }
}

impl<C: PartialOrd + Clone + Default, F: Float, D: Data<Elem = F>>
    PredictInplace<ArrayBase<D, Ix2>, Array1<C>> for MultiFittedLogisticRegression<F, C>
{
    /// Given a feature matrix, predict the classes learned when the model was
    /// fitted.
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<C>) {
        assert_eq!(
            x.nrows(),
            y.len(),
            "The number of data points must match the number of output targets."
        );
        assert_eq!(
            x.ncols(),
            self.params.nrows(),
            "Number of data features must match the number of features the model was trained with."
        );

        let probs = self.predict_nonorm_probabilities(x);
        Zip::from(probs.rows()).and(y).for_each(|prob_row, out| {
            let idx = prob_row.argmax().unwrap();
            *out = self.classes[idx].clone();
        });
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<C> {
        Array1::default(x.nrows())
    }
}

#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(crate = "serde_crate")
)]
pub struct ClassLabel<F, C: PartialOrd> {
    pub class: C,
    pub label: F,
}

#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(crate = "serde_crate")
)]
pub struct BinaryClassLabels<F, C: PartialOrd> {
    pub pos: ClassLabel<F, C>,
    pub neg: ClassLabel<F, C>,
}

/// Internal representation of a logistic regression problem.
/// This data structure exists to be handed to Argmin.
struct LogisticRegressionProblem<'a, F: Float, A: Data<Elem = F>, D: Dimension> {
    x: &'a ArrayBase<A, Ix2>,
    target: Array<F, D>,
    alpha: F,
    /// dashrisk patch: a weight per sample (two-class problem only; `None` for the
    /// multinomial one).
    sample_weight: Option<Array1<F>>,
    /// dashrisk patch: the last binary evaluation, reused when argmin asks again at
    /// the same parameters (see `Evaluation`).
    last: RefCell<Option<Evaluation<F>>>,
}

/// dashrisk patch (not in upstream linfa-logistic 0.8.1): the binary problem's last
/// evaluation point, with its margins `y·(x·w + b)` and, once computed, its gradient.
///
/// argmin's More-Thuente line search asks for the cost and then the gradient at each
/// trial point, and L-BFGS asks for the gradient again at the accepted point. Upstream
/// computes `x·w` for each of these calls, so an iteration with one trial point made
/// five passes over the data (cost: one; gradient: two, twice). With this cache it
/// makes two. The cache changes no value: it returns what was computed for the same
/// parameters (with upstream's products, models came out bit for bit the same). The
/// products themselves (`mat_vec`, `mat_t_vec`) sum in another order than upstream's.
struct Evaluation<F> {
    w: Array1<F>,
    margins: Array1<F>,
    gradient: Option<Array1<F>>,
}

type LogisticRegressionProblem1<'a, F, A> = LogisticRegressionProblem<'a, F, A, Ix1>;
type LogisticRegressionProblem2<'a, F, A> = LogisticRegressionProblem<'a, F, A, Ix2>;

impl<F: Float, A: Data<Elem = F>> LogisticRegressionProblem1<'_, F, A> {
    /// dashrisk patch: the margins `y·(x·w + b)` at `w`, from the cache when `w` is
    /// the last point evaluated, else computed (as upstream does) and remembered.
    fn margins_at(&self, w: &Array1<F>) -> Array1<F> {
        if let Some(last) = self.last.borrow().as_ref() {
            if last.w == w {
                return last.margins.clone();
            }
        }
        let margins = logistic_margins(self.x, &self.target, w);
        *self.last.borrow_mut() = Some(Evaluation {
            w: w.clone(),
            margins: margins.clone(),
            gradient: None,
        });
        margins
    }
}

impl<F: Float, A: Data<Elem = F>> CostFunction for LogisticRegressionProblem1<'_, F, A> {
    type Param = ArgminParam<F, Ix1>;
    type Output = F;

    /// Apply the cost function to a parameter `p`
    fn cost(&self, p: &Self::Param) -> std::result::Result<Self::Output, argmin::core::Error> {
        let w = p.as_array();
        let margins = self.margins_at(w);
        let n_features = self.x.shape()[1];
        let (params, _) = convert_params(n_features, w);
        Ok(loss_from_margins(
            margins,
            self.alpha,
            &params,
            self.sample_weight.as_ref(),
        ))
    }
}

impl<F: Float, A: Data<Elem = F>> Gradient for LogisticRegressionProblem1<'_, F, A> {
    type Param = ArgminParam<F, Ix1>;
    type Gradient = ArgminParam<F, Ix1>;

    /// Compute the gradient at parameter `p`.
    fn gradient(&self, p: &Self::Param) -> std::result::Result<Self::Param, argmin::core::Error> {
        let w = p.as_array();
        if let Some(last) = self.last.borrow().as_ref() {
            if let (true, Some(g)) = (last.w == w, last.gradient.as_ref()) {
                return Ok(ArgminParam(g.clone()));
            }
        }
        let margins = self.margins_at(w);
        let grad = grad_from_margins(
            self.x,
            &self.target,
            self.alpha,
            w,
            margins,
            self.sample_weight.as_ref(),
        );
        if let Some(last) = self.last.borrow_mut().as_mut() {
            if last.w == w {
                last.gradient = Some(grad.clone());
            }
        }
        Ok(ArgminParam(grad))
    }
}

impl<F: Float, A: Data<Elem = F>> CostFunction for LogisticRegressionProblem2<'_, F, A> {
    type Param = ArgminParam<F, Ix2>;
    type Output = F;

    /// Apply the cost function to a parameter `p`
    fn cost(&self, p: &Self::Param) -> std::result::Result<Self::Output, argmin::core::Error> {
        let w = p.as_array();
        let cost = multi_logistic_loss(self.x, &self.target, self.alpha, w);
        Ok(cost)
    }
}

impl<F: Float, A: Data<Elem = F>> Gradient for LogisticRegressionProblem2<'_, F, A> {
    type Param = ArgminParam<F, Ix2>;
    type Gradient = ArgminParam<F, Ix2>;

    /// Compute the gradient at parameter `p`.
    fn gradient(&self, p: &Self::Param) -> std::result::Result<Self::Param, argmin::core::Error> {
        let w = p.as_array();
        let grad = ArgminParam(multi_logistic_grad(self.x, &self.target, self.alpha, w));
        Ok(grad)
    }
}

trait SolvableProblem<F: Float, D: Dimension>: Gradient + Sized {
    type Solver: Solver<Self, IterStateType<F, D>>;
}

impl<F: Float, A: Data<Elem = F>> SolvableProblem<F, Ix1> for LogisticRegressionProblem1<'_, F, A> {
    type Solver = LBFGSType1<F>;
}

impl<F: Float, A: Data<Elem = F>> SolvableProblem<F, Ix2> for LogisticRegressionProblem2<'_, F, A> {
    type Solver = LBFGSType2<F>;
}

#[cfg(test)]
mod test {
    extern crate linfa;

    use super::Error;
    use super::*;
    use approx::{assert_abs_diff_eq, assert_relative_eq, AbsDiffEq};
    use linfa::prelude::*;
    use ndarray::{array, Array2, Dim, Ix};

    #[test]
    fn autotraits() {
        fn has_autotraits<T: Send + Sync + Sized + Unpin>() {}
        has_autotraits::<LogisticRegressionParams<f64, Dim<[Ix; 0]>>>();
        has_autotraits::<LogisticRegressionValidParams<f64, Dim<[Ix; 0]>>>();
        has_autotraits::<ArgminParam<f64, Dim<[Ix; 0]>>>();
    }

    /// Test that the logistic loss function works as expected.
    /// The expected values were obtained from running sklearn's
    /// _logistic_loss_and_grad function.
    #[test]
    fn test_logistic_loss() {
        let x = array![
            [0.0],
            [1.0],
            [2.0],
            [3.0],
            [4.0],
            [5.0],
            [6.0],
            [7.0],
            [8.0],
            [9.0]
        ];
        let y = array![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let ws = [
            array![0.0, 0.0],
            array![0.0, 1.0],
            array![1.0, 0.0],
            array![1.0, 1.0],
            array![0.0, -1.0],
            array![-1.0, 0.0],
            array![-1.0, -1.0],
        ];
        let alphas = &[0.0, 1.0, 10.0];
        let expecteds = vec![
            6.931471805599453,
            6.931471805599453,
            6.931471805599453,
            4.652158847349118,
            4.652158847349118,
            4.652158847349118,
            2.8012999588008323,
            3.3012999588008323,
            7.801299958800833,
            2.783195429782239,
            3.283195429782239,
            7.783195429782239,
            10.652158847349117,
            10.652158847349117,
            10.652158847349117,
            41.80129995880083,
            42.30129995880083,
            46.80129995880083,
            47.78319542978224,
            48.28319542978224,
            52.78319542978224,
        ];

        for ((w, alpha), exp) in ws
            .iter()
            .flat_map(|w| alphas.iter().map(move |&alpha| (w, alpha)))
            .zip(&expecteds)
        {
            assert_abs_diff_eq!(logistic_loss(&x, &y, alpha, w), *exp);
        }
    }

    /// Test that the logistic grad function works as expected.
    /// The expected values were obtained from running sklearn's
    /// _logistic_loss_and_grad function.
    #[test]
    fn test_logistic_grad() {
        let x = array![
            [0.0],
            [1.0],
            [2.0],
            [3.0],
            [4.0],
            [5.0],
            [6.0],
            [7.0],
            [8.0],
            [9.0]
        ];
        let y = array![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let ws = [
            array![0.0, 0.0],
            array![0.0, 1.0],
            array![1.0, 0.0],
            array![1.0, 1.0],
            array![0.0, -1.0],
            array![-1.0, 0.0],
            array![-1.0, -1.0],
        ];
        let alphas = &[0.0, 1.0, 10.0];
        let expecteds = vec![
            array![-19.5, -3.],
            array![-19.5, -3.],
            array![-19.5, -3.],
            array![-10.48871543, -1.61364853],
            array![-10.48871543, -1.61364853],
            array![-10.48871543, -1.61364853],
            array![-0.13041554, -0.02852148],
            array![0.86958446, -0.02852148],
            array![9.86958446, -0.02852148],
            array![-0.04834401, -0.01058067],
            array![0.95165599, -0.01058067],
            array![9.95165599, -0.01058067],
            array![-28.51128457, -4.38635147],
            array![-28.51128457, -4.38635147],
            array![-28.51128457, -4.38635147],
            array![-38.86958446, -5.97147852],
            array![-39.86958446, -5.97147852],
            array![-48.86958446, -5.97147852],
            array![-38.95165599, -5.98941933],
            array![-39.95165599, -5.98941933],
            array![-48.95165599, -5.98941933],
        ];

        for ((w, alpha), exp) in ws
            .iter()
            .flat_map(|w| alphas.iter().map(move |&alpha| (w, alpha)))
            .zip(&expecteds)
        {
            let actual = logistic_grad(&x, &y, alpha, w);
            assert!(actual.abs_diff_eq(exp, 1e-8));
        }
    }

    #[test]
    fn simple_example_1() {
        let log_reg = LogisticRegression::default();
        let x = array![[-1.0], [-0.01], [0.01], [1.0]];
        let y = array![0, 0, 1, 1];
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert_abs_diff_eq!(res.intercept(), 0.0);
        assert!(res.params().abs_diff_eq(&array![-0.681], 1e-3));
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );
    }

    #[test]
    fn simple_example_1_cats_dogs() {
        let log_reg = LogisticRegression::default();
        let x = array![[0.01], [1.0], [-1.0], [-0.01]];
        let y = array!["dog", "dog", "cat", "cat"];
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert_abs_diff_eq!(res.intercept(), 0.0);
        assert!(res.params().abs_diff_eq(&array![0.681], 1e-3));
        assert!(res
            .predict_probabilities(dataset.records())
            .abs_diff_eq(&array![0.501, 0.664, 0.335, 0.498], 1e-3));
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );
        assert_eq!(res.labels().pos.class, "dog");
        assert_eq!(res.labels().neg.class, "cat");
    }

    #[test]
    fn simple_example_2() {
        let log_reg = LogisticRegression::default().alpha(1.0);
        let x = array![
            [0.0],
            [1.0],
            [2.0],
            [3.0],
            [4.0],
            [5.0],
            [6.0],
            [7.0],
            [8.0],
            [9.0]
        ];
        let y = array![0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );
    }

    #[test]
    fn simple_example_3() {
        let x = array![[1.0], [0.0], [1.0], [0.0]];
        let y = array![1, 0, 1, 0];
        let dataset = DatasetBase::new(x, y);
        let model = LogisticRegression::default().fit(&dataset).unwrap();

        let pred = model.predict(&dataset.records);
        assert_eq!(dataset.targets(), pred);
    }

    #[test]
    fn rejects_mismatching_x_y() {
        let log_reg = LogisticRegression::default();
        let x = array![[-1.0], [-0.01], [0.01]];
        let y = array![0, 0, 1, 1];
        let res = log_reg.fit(&Dataset::new(x, y));
        assert!(matches!(res.unwrap_err(), Error::MismatchedShapes(3, 4)));
    }

    #[test]
    fn rejects_inf_values() {
        let infs = &[f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
        let inf_xs: Vec<_> = infs.iter().map(|&inf| array![[1.0], [inf]]).collect();
        let log_reg = LogisticRegression::default();
        let normal_x = array![[-1.0], [1.0]];
        let y = array![0, 1];
        for inf_x in &inf_xs {
            let res = log_reg.fit(&DatasetBase::new(inf_x.view(), &y));
            assert!(matches!(res.unwrap_err(), Error::InvalidValues));
        }
        for inf in infs {
            let log_reg = LogisticRegression::default().alpha(*inf);
            let res = log_reg.fit(&DatasetBase::new(normal_x.view(), &y));
            assert!(matches!(res.unwrap_err(), Error::InvalidAlpha));
        }
        let mut non_positives = infs.to_vec();
        non_positives.push(-1.0);
        non_positives.push(0.0);
        for inf in &non_positives {
            let log_reg = LogisticRegression::default().gradient_tolerance(*inf);
            let res = log_reg.fit(&Dataset::new(normal_x.to_owned(), y.to_owned()));
            assert!(matches!(res.unwrap_err(), Error::InvalidGradientTolerance));
        }
    }

    #[test]
    fn validates_initial_params() {
        let infs = &[f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
        let normal_x = array![[-1.0], [1.0]];
        let normal_y = array![0, 1];
        let dataset = Dataset::new(normal_x, normal_y);
        for inf in infs {
            let log_reg = LogisticRegression::default().initial_params(array![*inf, 0.0]);
            let res = log_reg.fit(&dataset);
            assert!(matches!(res.unwrap_err(), Error::InvalidInitialParameters));
        }
        {
            let log_reg = LogisticRegression::default().initial_params(array![0.0, 0.0, 0.0]);
            let res = log_reg.fit(&dataset);
            assert!(matches!(
                res.unwrap_err(),
                Error::InitialParameterFeaturesMismatch {
                    rows: 3,
                    n_features: 2
                }
            ));
        }
        {
            let log_reg = LogisticRegression::default()
                .with_intercept(false)
                .initial_params(array![0.0, 0.0]);
            let res = log_reg.fit(&dataset);
            assert!(matches!(
                res.unwrap_err(),
                Error::InitialParameterFeaturesMismatch {
                    rows: 2,
                    n_features: 1
                }
            ));
        }
    }

    #[test]
    fn uses_initial_params() {
        let params = array![1.2, -4.12];
        let log_reg = LogisticRegression::default()
            .initial_params(params)
            .max_iterations(5);
        let x = array![
            [0.0],
            [1.0],
            [2.0],
            [3.0],
            [4.0],
            [5.0],
            [6.0],
            [7.0],
            [8.0],
            [9.0]
        ];
        let y = array![0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert!(res.intercept().abs_diff_eq(&-4.124, 1e-3));
        assert!(res.params().abs_diff_eq(&array![1.181], 1e-3));
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );

        // Test serialization
        #[cfg(feature = "serde")]
        {
            let ser = rmp_serde::to_vec(&res).unwrap();
            let unser: FittedLogisticRegression<f32, f32> = rmp_serde::from_slice(&ser).unwrap();

            let x = array![[1.0]];
            let y_hat = unser.predict(&x);

            assert!(y_hat[0] == 0.0);
        }
    }

    #[test]
    fn works_with_f32() {
        let log_reg = LogisticRegression::default();
        let x: Array2<f32> = array![[-1.0], [-0.01], [0.01], [1.0]];
        let y = array![0, 0, 1, 1];
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert_abs_diff_eq!(res.intercept(), 0.0_f32);
        assert!(res.params().abs_diff_eq(&array![-0.682_f32], 1e-3));
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );
    }

    #[test]
    fn test_log_sum_exp() {
        let data = array![[3.3, 0.4, -2.1], [0.4, 2.2, -0.1], [1., 0., -1.]];
        let out = log_sum_exp(&data, Axis(1));
        assert_abs_diff_eq!(out, array![3.35783, 2.43551, 1.40761], epsilon = 1e-5);
    }

    #[test]
    fn test_softmax() {
        let mut data = array![3.3, 5.5, 0.1, -4.4, 8.0];
        softmax_inplace(&mut data);
        assert_relative_eq!(
            data,
            array![0.0083324, 0.075200047, 0.000339647, 0.000003773, 0.91612413],
            epsilon = 1e-8
        );
        assert_abs_diff_eq!(data.sum(), 1.0);
    }

    #[test]
    fn test_multi_logistic_loss_grad() {
        let x = array![
            [0.0, 0.5],
            [1.0, -1.0],
            [2.0, -2.0],
            [3.0, -3.0],
            [4.0, -4.0],
            [5.0, -5.0],
            [6.0, -6.0],
            [7.0, -7.0],
        ];
        let y = array![
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, 1.0],
        ];
        let params1 = array![[4.4, -1.2, 3.3], [3.4, 0.1, 0.0]];
        let params2 = array![[0.001, -3.2, 2.9], [0.1, 4.5, 5.7], [4.5, 2.2, 1.7]];
        let alpha = 0.6;

        {
            let (log_prob, w) = multi_logistic_prob_params(&x, &params1);
            assert_abs_diff_eq!(
                log_prob,
                array![
                    [-3.18259845e-01, -1.96825985e+00, -2.01825985e+00],
                    [-2.40463987e+00, -4.70463987e+00, -1.04639868e-01],
                    [-4.61010168e+00, -9.21010168e+00, -1.01016809e-02],
                    [-6.90100829e+00, -1.38010083e+01, -1.00829256e-03],
                    [-9.20010104e+00, -1.84001010e+01, -1.01044506e-04],
                    [-1.15000101e+01, -2.30000101e+01, -1.01301449e-05],
                    [-1.38000010e+01, -2.76000010e+01, -1.01563199e-06],
                    [-1.61000001e+01, -3.22000001e+01, -1.01826043e-07],
                ],
                epsilon = 1e-6
            );
            assert_abs_diff_eq!(w, params1);
            let loss = multi_logistic_loss(&x, &y, alpha, &params1);
            assert_abs_diff_eq!(loss, 57.11212197835295, epsilon = 1e-6);
            let grad = multi_logistic_grad(&x, &y, alpha, &params1);
            assert_abs_diff_eq!(
                grad,
                array![
                    [1.7536815, -9.71074369, 11.85706219],
                    [2.79002537, 9.12059357, -9.81061893]
                ],
                epsilon = 1e-6
            );
        }

        {
            let (log_prob, w) = multi_logistic_prob_params(&x, &params2);
            assert_abs_diff_eq!(
                log_prob,
                array![
                    [-1.06637742e+00, -1.16637742e+00, -1.06637742e+00],
                    [-4.12429463e-03, -9.90512429e+00, -5.50512429e+00],
                    [-2.74092305e-04, -1.75022741e+01, -8.20227409e+00],
                    [-1.84027855e-05, -2.51030184e+01, -1.09030184e+01],
                    [-1.23554225e-06, -3.27040012e+01, -1.36040012e+01],
                    [-8.29523046e-08, -4.03050001e+01, -1.63050001e+01],
                    [-5.56928016e-09, -4.79060000e+01, -1.90060000e+01],
                    [-3.73912013e-10, -5.55070000e+01, -2.17070000e+01]
                ],
                epsilon = 1e-6
            );
            assert_abs_diff_eq!(w, params2.slice(s![..params2.nrows() - 1, ..]));
            let loss = multi_logistic_loss(&x, &y, alpha, &params2);
            assert_abs_diff_eq!(loss, 154.8177958366479, epsilon = 1e-6);
            let grad = multi_logistic_grad(&x, &y, alpha, &params2);
            assert_abs_diff_eq!(
                grad,
                array![
                    [26.99587549, -10.91995003, -16.25532546],
                    [-27.26314882, 11.85569669, 21.58745213],
                    [5.33984376, -2.68845675, -2.65138701]
                ],
                epsilon = 1e-6
            );
        }
    }

    #[test]
    fn simple_multi_example() {
        let x = array![[-1., 0.], [0., 1.], [1., 1.]];
        let y = array![2, 1, 0];
        let log_reg = MultiLogisticRegression::default()
            .alpha(0.1)
            .initial_params(Array::zeros((3, 3)));
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert_eq!(res.params().dim(), (2, 3));
        assert_eq!(res.intercept().dim(), 3);
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );
    }

    #[test]
    fn simple_multi_example_2() {
        let x = array![[1.0], [0.0], [1.0], [0.0]];
        let y = array![1, 0, 1, 0];
        let dataset = DatasetBase::new(x, y);
        let model = MultiLogisticRegression::default().fit(&dataset).unwrap();

        let pred = model.predict(&dataset.records);
        assert_eq!(dataset.targets(), pred);
    }

    #[test]
    fn simple_multi_example_text() {
        let log_reg = MultiLogisticRegression::default().alpha(0.1);
        let x = array![[0.1], [1.0], [-1.0], [-0.1]];
        let y = array!["dog", "ape", "rocket", "cat"];
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert_eq!(res.params().dim(), (1, 4));
        assert_eq!(res.intercept().dim(), 4);
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );
    }

    #[test]
    fn multi_on_binary_problem() {
        let log_reg = MultiLogisticRegression::default().alpha(1.0);
        let x = array![
            [0.0],
            [1.0],
            [2.0],
            [3.0],
            [4.0],
            [5.0],
            [6.0],
            [7.0],
            [8.0],
            [9.0]
        ];
        let y = array![0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let dataset = Dataset::new(x, y);
        let res = log_reg.fit(&dataset).unwrap();
        assert_eq!(res.params().dim(), (1, 2));
        assert_eq!(res.intercept().dim(), 2);
        assert_eq!(
            &res.predict(dataset.records()),
            dataset.targets().as_single_targets()
        );
    }

    #[test]
    fn reject_num_class_mismatch() {
        let n_samples = 4;
        let n_classes = 3;
        let n_features = 1;
        let x = Array2::<f64>::zeros((n_samples, n_features));
        let y = array![0, 1, 2, 0];
        let dataset = Dataset::new(x, y);

        let log_reg = MultiLogisticRegression::default()
            .with_intercept(false)
            .initial_params(Array::zeros((n_features, n_classes - 1)));
        assert!(matches!(
            log_reg.fit(&dataset).unwrap_err(),
            Error::InitialParameterClassesMismatch {
                cols: 2,
                n_classes: 3,
            }
        ));
    }

    // dashrisk patch: tests of the sample weights.

    /// 30 samples, 2 features, labels 0 (17) and 1 (13), and real sample weights
    /// (two of them 1e-4): drawn once with NumPy (`default_rng(20260)`) and kept as
    /// numbers, with the scikit-learn reference fits below.
    fn weighted_data() -> (Array2<f64>, Array1<usize>, Array1<f64>) {
        let x = array![
            [-0.07, -0.58],
            [-1.64, -1.13],
            [-0.15, -0.79],
            [-2.75, 0.83],
            [1.41, -3.34],
            [-1.82, -0.31],
            [0.41, -1.1],
            [-0.22, 1.03],
            [-0.55, 0.94],
            [1.97, -0.76],
            [1.03, 0.32],
            [0.25, 0.19],
            [-0.71, 0.78],
            [0.57, -0.03],
            [-0.93, 1.7],
            [-0.89, -1.7],
            [-0.11, 1.25],
            [3.4, -0.51],
            [1.31, 0.16],
            [-2.46, -0.59],
            [0.18, 0.72],
            [-0.95, 0.84],
            [2.52, 0.27],
            [-0.9, 2.82],
            [-0.35, 0.93],
            [-1.04, -2.74],
            [0.18, 0.85],
            [1.87, 0.11],
            [1.87, 0.55],
            [-1.46, 1.79],
        ];
        let y = array![
            0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1,
            0
        ];
        let sample_weight = array![
            2.45, 2.57, 0.95, 0.0001, 2.93, 2.65, 1.54, 0.23, 2.64, 0.54, 0.48, 0.0001, 0.04, 0.42,
            1.1, 0.76, 0.33, 1.01, 1.34, 0.64, 1.6, 0.27, 1.03, 1.26, 1.26, 0.78, 1.07, 0.04, 2.31,
            0.88
        ];
        (x, y, sample_weight)
    }

    /// Coefficients and intercept of P(label 1), whichever class the model took as
    /// its positive one.
    fn p_one(model: &FittedLogisticRegression<f64, usize>) -> (Array1<f64>, f64) {
        let sign = if model.labels().pos.class == 1 {
            1.0
        } else {
            -1.0
        };
        (model.params() * sign, model.intercept() * sign)
    }

    fn largest_gap(a: &(Array1<f64>, f64), b: &(Array1<f64>, f64)) -> f64 {
        (&a.0 - &b.0)
            .iter()
            .fold((a.1 - b.1).abs(), |m, d| m.max(d.abs()))
    }

    #[test]
    fn sample_weights_of_one_are_the_unweighted_fit_bit_for_bit() {
        let (x, y, _) = weighted_data();
        let ones = Array1::<f64>::ones(y.len());
        for alpha in [0.1, 1.0] {
            let params = LogisticRegression::default().alpha(alpha).check().unwrap();
            let dataset = Dataset::new(x.clone(), y.clone());
            let plain = params.fit(&dataset).unwrap();
            let weighted = params.fit_weighted(&dataset, ones.view()).unwrap();
            let with_dataset_weights = params
                .fit(&dataset.clone().with_weights(Array1::ones(y.len())))
                .unwrap();
            for other in [&weighted, &with_dataset_weights] {
                assert_eq!(other.params(), plain.params());
                assert_eq!(other.intercept().to_bits(), plain.intercept().to_bits());
                assert_eq!(other.iterations(), plain.iterations());
                assert_eq!(other.labels(), plain.labels());
            }
        }
        // And the objective itself, at a few points.
        let y_pm: Array1<f64> = y.mapv(|c| if c == 1 { 1.0 } else { -1.0 });
        for w in [array![0.0, 0.0, 0.0], array![0.7, -1.3, 0.2]] {
            let loss = weighted_logistic_loss(&x, &y_pm, 0.5, &w, &ones);
            assert_eq!(loss.to_bits(), logistic_loss(&x, &y_pm, 0.5, &w).to_bits());
            let grad = weighted_logistic_grad(&x, &y_pm, 0.5, &w, &ones);
            assert_eq!(grad, logistic_grad(&x, &y_pm, 0.5, &w));
        }
    }

    #[test]
    fn whole_number_weights_are_repeated_samples() {
        let (x, y, _) = weighted_data();
        let counts: Vec<usize> = (0..y.len()).map(|i| (i * 7) % 3 + 1).collect();
        let weights: Array1<f64> = counts.iter().map(|&k| k as f64).collect();
        let rows: Vec<usize> = (0..y.len())
            .flat_map(|i| std::iter::repeat_n(i, counts[i]))
            .collect();
        let (xr, yr) = (x.select(Axis(0), &rows), y.select(Axis(0), &rows));

        // The objective and its gradient: the same sums, up to rounding.
        let y_pm: Array1<f64> = y.mapv(|c| if c == 1 { 1.0 } else { -1.0 });
        let yr_pm: Array1<f64> = yr.mapv(|c| if c == 1 { 1.0 } else { -1.0 });
        for w in [
            array![0.0, 0.0, 0.0],
            array![0.7, -1.3, 0.2],
            array![-2.0, 3.0, -1.0],
        ] {
            let weighted = weighted_logistic_loss(&x, &y_pm, 0.5, &w, &weights);
            let repeated = logistic_loss(&xr, &yr_pm, 0.5, &w);
            assert_abs_diff_eq!(weighted, repeated, epsilon = 1e-12 * repeated.abs());
            let weighted = weighted_logistic_grad(&x, &y_pm, 0.5, &w, &weights);
            let repeated = logistic_grad(&xr, &yr_pm, 0.5, &w);
            assert_abs_diff_eq!(weighted, repeated, epsilon = 1e-12);
        }

        // The fits. Their precision is bounded by argmin's L-BFGS, which also stops
        // when the cost changes by less than machine epsilon: about 1e-9 here.
        for alpha in [0.2, 1.0, 5.0] {
            let params = LogisticRegression::default()
                .alpha(alpha)
                .gradient_tolerance(1e-12)
                .check()
                .unwrap();
            let weighted = params
                .fit_weighted(&Dataset::new(x.clone(), y.clone()), weights.view())
                .unwrap();
            let repeated = params.fit(&Dataset::new(xr.clone(), yr.clone())).unwrap();
            let gap = largest_gap(&p_one(&weighted), &p_one(&repeated));
            assert!(
                gap < 1e-8,
                "alpha {}: weighted and repeated differ by {:e}",
                alpha,
                gap
            );
        }
    }

    /// The gradient is the derivative of the loss, with weights: central
    /// differences.
    #[test]
    fn weighted_gradient_is_the_derivative_of_the_weighted_loss() {
        let (x, y, sample_weight) = weighted_data();
        let y_pm: Array1<f64> = y.mapv(|c| if c == 1 { 1.0 } else { -1.0 });
        let w = array![0.4, -0.9, 0.3];
        let grad = weighted_logistic_grad(&x, &y_pm, 0.7, &w, &sample_weight);
        let h = 1e-6;
        for j in 0..w.len() {
            let (mut up, mut down) = (w.clone(), w.clone());
            up[j] += h;
            down[j] -= h;
            let numeric = (weighted_logistic_loss(&x, &y_pm, 0.7, &up, &sample_weight)
                - weighted_logistic_loss(&x, &y_pm, 0.7, &down, &sample_weight))
                / (2.0 * h);
            assert_abs_diff_eq!(grad[j], numeric, epsilon = 1e-6);
        }
    }

    /// Real-valued weights against scikit-learn 1.9.1 (NumPy 2.4.6), computed once
    /// on `weighted_data()` with
    ///
    /// ```text
    /// LogisticRegression(C=2.0, class_weight={0: 0.3, 1: 2.5}, tol=1e-12, max_iter=100000).fit(X, y)
    /// LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(X, y, sample_weight=sw)
    /// ```
    ///
    /// (`C = 1 / alpha`; the gradient of the summed objective at scikit-learn's
    /// answers is below 4e-9 in every component).
    #[test]
    fn real_weights_match_scikit_learn() {
        let (x, y, sample_weight) = weighted_data();
        let class_weight: Array1<f64> = y.mapv(|c| if c == 1 { 2.5 } else { 0.3 });
        let cases = [
            (
                "class_weight {0: 0.3, 1: 2.5}, C = 2",
                0.5,
                class_weight,
                (
                    array![1.616682680114935, -0.8611254072220801],
                    1.5849761343051418,
                ),
            ),
            (
                "sample_weight, C = 1",
                1.0,
                sample_weight,
                (
                    array![1.6812820610704202, -1.0522489650668319],
                    -0.9395661784940793,
                ),
            ),
        ];
        for (name, alpha, weights, sklearn) in cases {
            let params = LogisticRegression::default()
                .alpha(alpha)
                .gradient_tolerance(1e-10)
                .check()
                .unwrap();
            let dataset = Dataset::new(x.clone(), y.clone());
            let model = params.fit_weighted(&dataset, weights.view()).unwrap();
            let gap = largest_gap(&p_one(&model), &sklearn);
            println!("{name}: largest difference from scikit-learn {gap:.1e}");
            assert!(
                gap < 1e-7,
                "{}: differs from scikit-learn by {:e}",
                name,
                gap
            );
            // The dataset's own weights (f32, as linfa keeps them): the same fit, but
            // for the weights' rounding to f32.
            let as_f32 = dataset.with_weights(weights.mapv(|w| w as f32));
            let model = params.fit(&as_f32).unwrap();
            let gap = largest_gap(&p_one(&model), &sklearn);
            println!("{name}, f32 weights: {gap:.1e}");
            assert!(gap < 1e-7, "{}, f32 weights: {:e}", name, gap);
        }
    }

    #[test]
    fn rejects_bad_sample_weights() {
        let params = LogisticRegression::default().check().unwrap();
        let dataset = Dataset::new(array![[-1.0], [-0.5], [0.5], [1.0]], array![0, 1, 0, 1]);
        assert!(matches!(
            params.fit_weighted(&dataset, array![1.0, 1.0, 1.0].view()),
            Err(Error::MismatchedSampleWeights {
                n_samples: 4,
                n_weights: 3
            })
        ));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let res = params.fit_weighted(&dataset, array![1.0, bad, 1.0, 1.0].view());
            assert!(matches!(res, Err(Error::InvalidSampleWeights)), "{}", bad);
        }
        let res = params.fit(
            &dataset
                .clone()
                .with_weights(array![1.0, 1.0, f32::NAN, 1.0]),
        );
        assert!(matches!(res, Err(Error::InvalidSampleWeights)));
        let res = params.fit(&dataset.with_weights(array![1.0, 1.0]));
        assert!(matches!(
            res,
            Err(Error::MismatchedSampleWeights {
                n_samples: 4,
                n_weights: 2
            })
        ));
    }

    /// A weight of 0 leaves the sample out of the objective.
    #[test]
    fn a_zero_weight_drops_the_sample() {
        let (x, y, _) = weighted_data();
        let mut weights = Array1::<f64>::ones(y.len());
        // Sample 1 is of the majority class (0), which stays the majority without it.
        weights[1] = 0.0;
        let kept: Vec<usize> = (0..y.len()).filter(|&i| i != 1).collect();
        let params = LogisticRegression::default()
            .gradient_tolerance(1e-12)
            .check()
            .unwrap();
        let weighted = params
            .fit_weighted(&Dataset::new(x.clone(), y.clone()), weights.view())
            .unwrap();
        let dropped = params
            .fit(&Dataset::new(
                x.select(Axis(0), &kept),
                y.select(Axis(0), &kept),
            ))
            .unwrap();
        let gap = largest_gap(&p_one(&weighted), &p_one(&dropped));
        assert!(gap < 1e-8, "{:e}", gap);
    }
}
