//! The evaluation metrics of `dashrisk::metrics` (the code behind `dashrisk
//! evaluate`), for `dashrisk.metrics`. Inputs are checked here as well as in the
//! Python wrapper: a length mismatch, an empty input, a score that is not finite or
//! a probability outside [0, 1] raises `ValueError` naming the position, and never
//! reaches the core (whose checks would panic). The GIL is released while Rust works.

use crate::convert::to_py;
use dashrisk::metrics;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn check(y: &[bool], s: &[f64], what: &str, probability: bool) -> PyResult<()> {
    if y.len() != s.len() {
        return Err(PyValueError::new_err(format!(
            "y_true has {} values and {what} has {}: they must be the same length",
            y.len(),
            s.len()
        )));
    }
    if y.is_empty() {
        return Err(PyValueError::new_err("no values: y_true is empty"));
    }
    for (i, &v) in s.iter().enumerate() {
        if !v.is_finite() {
            return Err(PyValueError::new_err(format!(
                "{what}[{i}] is {v}: every value must be a finite number"
            )));
        }
        if probability && !(0.0..=1.0).contains(&v) {
            return Err(PyValueError::new_err(format!(
                "{what}[{i}] is {v}: a probability must lie in [0, 1]"
            )));
        }
    }
    Ok(())
}

/// ROC AUC (ties count a half); None when a class is absent.
#[pyfunction]
pub fn roc_auc(py: Python<'_>, y_true: Vec<bool>, y_score: Vec<f64>) -> PyResult<Option<f64>> {
    check(&y_true, &y_score, "y_score", false)?;
    Ok(py.detach(|| metrics::roc_auc(&y_score, &y_true)))
}

/// ROC AUC with DeLong's standard error and a 95% interval (Newcombe's 2006 score
/// interval, method 5), as a dict (`auc`, `se`, `ci95`, `ci95_method`,
/// `ci95_note`; `ci95` None, with the reason in `ci95_note`, when every score is
/// the same); None when a class is absent.
#[pyfunction]
pub fn roc_auc_delong<'py>(
    py: Python<'py>,
    y_true: Vec<bool>,
    y_score: Vec<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    check(&y_true, &y_score, "y_score", false)?;
    let r = py.detach(|| metrics::roc_auc_delong(&y_score, &y_true));
    to_py(py, &r)
}

/// Two scores on the same records compared by DeLong's paired test, as a dict.
#[pyfunction]
pub fn delong_paired<'py>(
    py: Python<'py>,
    y_true: Vec<bool>,
    score_a: Vec<f64>,
    score_b: Vec<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    check(&y_true, &score_a, "score_a", false)?;
    check(&y_true, &score_b, "score_b", false)?;
    let r = py.detach(|| metrics::delong_paired(&score_a, &score_b, &y_true));
    to_py(py, &r)
}

/// Average precision, as scikit-learn's `average_precision_score`.
#[pyfunction]
pub fn average_precision(
    py: Python<'_>,
    y_true: Vec<bool>,
    y_score: Vec<f64>,
) -> PyResult<Option<f64>> {
    check(&y_true, &y_score, "y_score", false)?;
    Ok(py.detach(|| metrics::average_precision(&y_score, &y_true)))
}

/// Brier score.
#[pyfunction]
pub fn brier(py: Python<'_>, y_true: Vec<bool>, y_prob: Vec<f64>) -> PyResult<Option<f64>> {
    check(&y_true, &y_prob, "y_prob", true)?;
    Ok(py.detach(|| metrics::brier(&y_prob, &y_true)))
}

/// Log loss (probabilities clipped to [eps, 1 - eps]).
#[pyfunction]
pub fn log_loss(py: Python<'_>, y_true: Vec<bool>, y_prob: Vec<f64>) -> PyResult<Option<f64>> {
    check(&y_true, &y_prob, "y_prob", true)?;
    Ok(py.detach(|| metrics::log_loss(&y_prob, &y_true)))
}

/// Expected calibration error: 10 equal-width bins weighted by their counts.
#[pyfunction]
pub fn ece(py: Python<'_>, y_true: Vec<bool>, y_prob: Vec<f64>) -> PyResult<f64> {
    check(&y_true, &y_prob, "y_prob", true)?;
    Ok(py.detach(|| metrics::ece(&y_prob, &y_true)))
}

/// Calibration slope, as R's `rms::val.prob`; None when a class is absent.
#[pyfunction]
pub fn calibration_slope(
    py: Python<'_>,
    y_true: Vec<bool>,
    y_prob: Vec<f64>,
) -> PyResult<Option<f64>> {
    check(&y_true, &y_prob, "y_prob", true)?;
    Ok(py.detach(|| metrics::calibration_slope(&y_prob, &y_true)))
}

/// Calibration-in-the-large: the intercept with the slope fixed at 1.
#[pyfunction]
pub fn calibration_intercept(
    py: Python<'_>,
    y_true: Vec<bool>,
    y_prob: Vec<f64>,
) -> PyResult<Option<f64>> {
    check(&y_true, &y_prob, "y_prob", true)?;
    Ok(py.detach(|| metrics::calibration_intercept(&y_prob, &y_true)))
}

/// Reliability bins (equal width), as a list of dicts.
#[pyfunction]
#[pyo3(signature = (y_true, y_prob, bins = 10))]
pub fn reliability<'py>(
    py: Python<'py>,
    y_true: Vec<bool>,
    y_prob: Vec<f64>,
    bins: usize,
) -> PyResult<Bound<'py, PyAny>> {
    check(&y_true, &y_prob, "y_prob", true)?;
    if bins == 0 || bins > 1000 {
        return Err(PyValueError::new_err(format!(
            "bins is {bins}: expected 1 to 1000"
        )));
    }
    let r = py.detach(|| metrics::reliability(&y_prob, &y_true, bins));
    to_py(py, &r)
}

/// The confusion table at `threshold` (a score at or above it is a positive call),
/// with sensitivity, specificity, PPV and NPV, as a dict.
#[pyfunction]
pub fn confusion<'py>(
    py: Python<'py>,
    y_true: Vec<bool>,
    y_score: Vec<f64>,
    threshold: f64,
) -> PyResult<Bound<'py, PyAny>> {
    check(&y_true, &y_score, "y_score", false)?;
    if !threshold.is_finite() {
        return Err(PyValueError::new_err(format!(
            "threshold is {threshold}: expected a finite number"
        )));
    }
    let r = py.detach(|| metrics::confusion(&y_score, &y_true, threshold));
    to_py(py, &r)
}

/// Decision-curve net benefit at each threshold in (0, 1), as a list of dicts.
#[pyfunction]
pub fn decision_curve<'py>(
    py: Python<'py>,
    y_true: Vec<bool>,
    y_prob: Vec<f64>,
    thresholds: Vec<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    check(&y_true, &y_prob, "y_prob", true)?;
    if let Some((i, t)) = thresholds
        .iter()
        .enumerate()
        .find(|(_, t)| !(**t > 0.0 && **t < 1.0))
    {
        return Err(PyValueError::new_err(format!(
            "thresholds[{i}] is {t}: every threshold must lie strictly between 0 and 1"
        )));
    }
    let r = py.detach(|| metrics::decision_curve(&y_prob, &y_true, &thresholds));
    to_py(py, &r)
}
