//! The comparison model and the recalibration, for `dashrisk.LogisticComparison`,
//! `dashrisk.featurise` and `dashrisk.ConflictAbuseScorer` (python/dashrisk/_learn.py).
//!
//! Matrices cross the boundary as the bytes of a C-ordered float64 array (NumPy's
//! `tobytes()`, read back with `numpy.frombuffer`): one copy, no per-number Python
//! objects, and no NumPy dependency in the extension. The work runs with the GIL
//! released.

use crate::convert::to_py;
use crate::errors::artefact_error;
use crate::scorer::PyScorer;
use dashrisk::calibration::{MapMethod, Provenance};
use dashrisk::fit::{self, FitOptions, Refit};
use dashrisk_learn::{LearnError, LogisticParams, ParamGuard, N_FEATURES};
use ndarray::{ArrayView2, ArrayViewMut1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

/// The feature names of the comparison model's feature set, in column order.
#[pyfunction]
pub fn feature_names() -> Vec<String> {
    dashrisk_learn::feature_names().to_vec()
}

/// Featurises a batch (flat rows when `rows`, else JSON-contract records):
/// `(bytes of an n × N_FEATURES float64 C-ordered matrix, n, errors)`, where
/// `errors` lists the error records (`line`, `id`, `error`) of rows that could not
/// be featurised (their matrix rows are zeros).
#[pyfunction]
#[pyo3(signature = (scorer, items, rows = true))]
pub fn featurise_batch<'py>(
    py: Python<'py>,
    scorer: &PyScorer,
    items: &Bound<'py, PyAny>,
    rows: bool,
) -> PyResult<(Bound<'py, PyBytes>, usize, Bound<'py, PyList>)> {
    let parsed = scorer.parse_batch(py, items, rows)?;
    let n = parsed.len();
    let (matrix, failed) = py.detach(|| {
        let mut matrix = vec![0.0f64; n * N_FEATURES];
        let mut failed = Vec::new();
        for (i, p) in parsed.into_iter().enumerate() {
            let row = ArrayViewMut1::from(&mut matrix[i * N_FEATURES..(i + 1) * N_FEATURES]);
            let res = p.and_then(|a| {
                dashrisk_learn::featurise_into(&a, row).map_err(|error| dashrisk::RecordError {
                    line: i as u64 + 1,
                    id: a.id.clone(),
                    error,
                })
            });
            if let Err(e) = res {
                failed.push(e);
            }
        }
        let bytes: Vec<u8> = matrix.iter().flat_map(|v| v.to_ne_bytes()).collect();
        (bytes, failed)
    });
    let errors = PyList::empty(py);
    for e in &failed {
        errors.append(to_py(py, e)?)?;
    }
    Ok((PyBytes::new(py, &matrix), n, errors))
}

fn learn_error(e: &LearnError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Native-endian float64 values from their bytes.
fn floats(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(std::mem::size_of::<f64>())
        .map(|c| f64::from_ne_bytes(c.try_into().unwrap_or([0; 8])))
        .collect()
}

/// Fits the comparison model's logistic regression (dashrisk-learn, linfa-logistic
/// L-BFGS) on `x` (the bytes of an `n_rows × n_cols` C-ordered float64 matrix) and
/// 0/1 labels `y` (`True` = positive), with `sample_weight` the bytes of one
/// float64 weight per row (each finite and above 0), or `None` for every row once.
/// Class weights arrive as sample weights: `LogisticComparison` expands them.
///
/// Returns a dict: `coef` (list), `intercept`, `n_iter`, `gradient_norm` and
/// `warning`: `None`, or why the fit stopped short of the tolerance
/// (scikit-learn's `ConvergenceWarning`).
#[pyfunction]
#[pyo3(signature = (x, n_rows, n_cols, y, alpha, max_iter, tol, sample_weight = None))]
#[allow(clippy::too_many_arguments)]
pub fn logistic_fit<'py>(
    py: Python<'py>,
    x: &[u8],
    n_rows: usize,
    n_cols: usize,
    y: Vec<bool>,
    alpha: f64,
    max_iter: u64,
    tol: f64,
    sample_weight: Option<&[u8]>,
) -> PyResult<Bound<'py, PyDict>> {
    let width = std::mem::size_of::<f64>();
    if n_rows
        .checked_mul(n_cols)
        .and_then(|c| c.checked_mul(width))
        != Some(x.len())
    {
        return Err(PyValueError::new_err(format!(
            "logistic_fit: {} bytes are not a {n_rows} × {n_cols} float64 matrix",
            x.len()
        )));
    }
    if y.len() != n_rows {
        return Err(PyValueError::new_err(format!(
            "logistic_fit: {} labels for {n_rows} rows",
            y.len()
        )));
    }
    if let Some(w) = sample_weight {
        if n_rows.checked_mul(width) != Some(w.len()) {
            return Err(PyValueError::new_err(format!(
                "logistic_fit: {} bytes are not {n_rows} float64 sample weights",
                w.len()
            )));
        }
    }
    let params = LogisticParams::new()
        .alpha(alpha)
        .max_iterations(max_iter)
        .tolerance(tol)
        .check()
        .map_err(|e| learn_error(&e))?;
    let values = floats(x);
    let weights = sample_weight.map(floats);
    let (fit, warning) = py
        .detach(|| {
            let view = ArrayView2::from_shape((n_rows, n_cols), &values)
                .map_err(|e| LearnError::InvalidData(e.to_string()))?;
            match &weights {
                None => params.fit_arrays_lenient(view, &y),
                Some(w) => params.fit_arrays_weighted_lenient(view, &y, w),
            }
        })
        .map_err(|e| learn_error(&e))?;
    let d = PyDict::new(py);
    d.set_item("coef", fit.coefficients)?;
    d.set_item("intercept", fit.intercept)?;
    d.set_item("n_iter", fit.diagnostics.iterations)?;
    d.set_item("gradient_norm", fit.diagnostics.gradient_norm)?;
    d.set_item("warning", warning.map(|w| w.to_string()))?;
    Ok(d)
}

/// Recalibrates `scorer` on labelled records (flat rows when `rows`, else
/// JSON-contract records) through the recipe of `dashrisk calibrate --data`
/// (`dashrisk::fit::recalibrate`): returns `(scorer, note)`, a new scorer with the
/// new calibration and a note when the points could not be refitted for want of
/// records. A record that cannot be parsed or assessed raises `InputError` with
/// its `row` (0-based); `labels` must be one per record.
#[pyfunction]
#[pyo3(signature = (scorer, items, labels, rows = true, refit = None, method = "isotonic", max_abuse_as_conflict = 0.005, version = None, synthetic = false))]
#[allow(clippy::too_many_arguments)]
pub fn recalibrate<'py>(
    py: Python<'py>,
    scorer: &PyScorer,
    items: &Bound<'py, PyAny>,
    labels: Vec<bool>,
    rows: bool,
    refit: Option<&str>,
    method: &str,
    max_abuse_as_conflict: f64,
    version: Option<&str>,
    synthetic: bool,
) -> PyResult<(PyScorer, Option<String>)> {
    let refit = match refit {
        None => None,
        Some("points") => Some(Refit::Points),
        Some("map") => Some(Refit::Map),
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "refit: {other:?} is not allowed; expected None, \"points\" or \"map\""
            )))
        }
    };
    let method = match method {
        "isotonic" => MapMethod::Isotonic,
        "platt" => MapMethod::Platt,
        other => {
            return Err(PyValueError::new_err(format!(
                "method: {other:?} is not allowed; expected \"isotonic\" or \"platt\""
            )))
        }
    };
    let parsed = scorer.parse_batch(py, items, rows)?;
    if parsed.len() != labels.len() {
        return Err(PyValueError::new_err(format!(
            "{} labels for {} records; expected one label per record",
            labels.len(),
            parsed.len()
        )));
    }
    let base = scorer.inner();
    let mut records = Vec::with_capacity(parsed.len());
    for (i, (p, y)) in parsed.into_iter().zip(labels).enumerate() {
        // As `calibrate --data`: a record the scorer refuses is not fitted on.
        let checked = p.and_then(|a| match base.assess(&a) {
            Ok(_) => Ok(a),
            Err(error) => Err(dashrisk::RecordError {
                line: i as u64 + 1,
                id: a.id.clone(),
                error,
            }),
        });
        match checked {
            Ok(a) => records.push((a, y)),
            Err(e) => return Err(crate::errors::record_error(py, &e, i)),
        }
    }
    let positives = records.iter().filter(|r| r.1).count() as u64;
    let provenance = Provenance {
        data: "a Python fit (ConflictAbuseScorer.fit)".into(),
        seed: None,
        n: records.len() as u64,
        positives,
        synthetic,
        input_sha256: None,
        fitted_on: None,
        unlabelled: 0,
        bad_records: 0,
    };
    let opts = FitOptions {
        method,
        ..FitOptions::default()
    };
    let fitted = py
        .detach(|| {
            fit::recalibrate(
                &base,
                &records,
                refit,
                &opts,
                max_abuse_as_conflict,
                version.unwrap_or("cal-python"),
                provenance,
            )
        })
        .map_err(|e| artefact_error(py, &e, None))?;
    let mut fitted = fitted;
    if version.is_none() {
        fitted.calibration.label_with_content("cal-python");
    }
    let notes = fitted.notes();
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    let new = scorer
        .with_calibration(fitted.calibration)
        .map_err(|e| artefact_error(py, &e, None))?;
    Ok((new, note))
}

/// Evaluates tools side by side on labelled records, as `dashrisk evaluate` does
/// (`dashrisk_report::eval_records`, the same per-record code): the built-in
/// `tools` by name (`dash_count`, `dash_grade`, `p_abuse`, `classification`,
/// `lap_screen`), the `external` scores `(name, scores)` (one per record, NaN for
/// none) and the `groups` `(column, values)` (one per record, `None` when not
/// recorded). `labels` holds one label per record, `None` for a record without one
/// (left out and counted). `label_errors` holds `(row, value)` for each record
/// whose label is not a label (read by the caller): such a record is an error
/// record, like one that cannot be read, with the label column as its field.
///
/// A record that cannot be read raises `InputError` with its `row` when
/// `errors_raise`; otherwise it is left out and returned among the error records.
/// Returns `(json, html, text, errors)`: the evaluation as JSON text
/// (`dashrisk-evaluation/1`), the self-contained HTML report, the text table and
/// the error records (`line`, `id`, `error`).
#[pyfunction]
#[pyo3(signature = (scorer, items, rows, labels, tools, external, groups, label, threshold, min_cell, synthetic, source, errors_raise, notes, label_errors = Vec::new()))]
#[allow(clippy::too_many_arguments)]
pub fn evaluate_batch<'py>(
    py: Python<'py>,
    scorer: &PyScorer,
    items: &Bound<'py, PyAny>,
    rows: bool,
    labels: Vec<Option<bool>>,
    tools: Vec<String>,
    external: Vec<(String, Vec<f64>)>,
    groups: Vec<(String, Vec<Option<String>>)>,
    label: &str,
    threshold: f64,
    min_cell: u64,
    synthetic: bool,
    source: &str,
    errors_raise: bool,
    notes: Vec<String>,
    label_errors: Vec<(usize, String)>,
) -> PyResult<(String, String, String, Bound<'py, PyList>)> {
    use dashrisk_report::eval_records::{self, Builtin, Columns};
    use dashrisk_report::evaluate::Options;
    let mut builtins = Vec::new();
    for t in &tools {
        match Builtin::from_name(t) {
            Some(Builtin::Model) => {
                return Err(PyValueError::new_err(
                    "tools: \"model\" is trained out of fold by the command line; in Python pass its out-of-fold scores, e.g. scores={\"model\": cross_val_predict(make_pipeline(Featuriser(), LogisticComparison()), frame, y, method=\"predict_proba\")[:, 1]}",
                ))
            }
            Some(b) => builtins.push(b),
            None => {
                let known: Vec<&str> = Builtin::ALL[..5].iter().map(|b| b.name()).collect();
                return Err(PyValueError::new_err(format!(
                    "tools: {t:?} is not a built-in tool; expected some of: {}",
                    known.join(", ")
                )));
            }
        }
    }
    let parsed = scorer.parse_batch(py, items, rows)?;
    let n = parsed.len();
    if labels.len() != n
        || external.iter().any(|(_, v)| v.len() != n)
        || groups.iter().any(|(_, v)| v.len() != n)
    {
        return Err(PyValueError::new_err(format!(
            "evaluate: {n} records, but the labels, scores and groups must have one value per record"
        )));
    }
    let base = scorer.inner();
    let screen = dashrisk_report::screen::Screen::lap();
    let want_screen = builtins.contains(&Builtin::LapScreen);
    let bad_labels: std::collections::HashMap<usize, &str> = label_errors
        .iter()
        .map(|(row, value)| (*row, value.as_str()))
        .collect();
    let (outcome, failed) = py.detach(|| {
        let mut columns = Columns::new(builtins.len(), external.len(), groups.len());
        let mut failed = Vec::new();
        let mut missing_label = 0u64;
        let options = dashrisk::AssessOptions { reason_text: false };
        for (i, (p, y)) in parsed.into_iter().zip(&labels).enumerate() {
            let line = i as u64 + 1;
            let assessed = p.and_then(|a| match base.assess_with(&a, &options) {
                Ok(r) => Ok((a, r)),
                Err(error) => Err(dashrisk::RecordError {
                    line,
                    id: a.id.clone(),
                    error,
                }),
            });
            // A label that is not one makes the record an error record, as in the
            // CLI (after its own reading errors, which come first).
            let assessed = assessed.and_then(|(a, r)| match bad_labels.get(&i) {
                None => Ok((a, r)),
                Some(value) => Err(dashrisk::RecordError {
                    line,
                    id: a.id.clone(),
                    error: dashrisk::InputError::invalid_value(
                        label,
                        value,
                        &["1", "0", "true", "false", "yes", "no"],
                    ),
                }),
            });
            let (a, result) = match assessed {
                Ok(v) => v,
                Err(e) => {
                    failed.push(e);
                    continue;
                }
            };
            let Some(y) = *y else {
                missing_label += 1;
                continue;
            };
            let Some(inst) = base.instrument(&a.instrument) else {
                continue; // an assessed record's instrument is known
            };
            let screened_in = want_screen && screen.screened_in(inst, &a);
            columns.push(
                y,
                eval_records::facts(&result),
                builtins.iter().map(|t| t.score(&result, screened_in)),
                external.iter().map(|(_, v)| v[i]),
                groups.iter().map(|(_, v)| v[i].as_deref()),
                &inst.id,
            );
        }
        ((columns, missing_label), failed)
    });
    if errors_raise {
        if let Some(e) = failed.first() {
            let row = (e.line - 1) as usize;
            return Err(crate::errors::record_error(py, e, row));
        }
    }
    let (columns, missing_label) = outcome;
    if columns.is_empty() {
        return Err(PyValueError::new_err(
            "evaluate: no labelled record could be evaluated",
        ));
    }
    let evaluation = py.detach(|| {
        let coverage = want_screen
            .then(|| eval_records::screen_coverage(&screen, &base, columns.forms(), "lap_screen"));
        let mut all_notes = notes;
        all_notes.extend(eval_records::builtin_notes(&builtins, &base));
        let external: Vec<(String, String)> = external
            .iter()
            .map(|(name, _)| {
                (
                    name.clone(),
                    format!("The score {name:?} given to evaluate()."),
                )
            })
            .collect();
        let group_by: Vec<String> = groups.iter().map(|(c, _)| c.clone()).collect();
        let data = columns.into_data(&builtins, &external, &group_by, threshold, base.policy());
        let opts = Options {
            label: label.to_string(),
            source: source.to_string(),
            synthetic,
            threshold,
            min_cell,
            records_read: n as u64,
            missing_label,
            errors: failed.len() as u64,
            scorer_version: dashrisk::SCORER_VERSION.into(),
            calibration_version: base.calibration().version.clone(),
            reference: eval_records::reference(&data),
            screen: coverage,
            notes: all_notes,
        };
        dashrisk_report::evaluate::evaluate(&data, &opts)
    });
    let json = serde_json::to_string(&dashrisk_report::eval_render::json(&evaluation))
        .map_err(|e| crate::errors::internal("serialising the evaluation", e))?;
    let html = dashrisk_report::eval_render::html(&evaluation);
    let text = dashrisk_report::eval_render::text(&evaluation);
    let errors = PyList::empty(py);
    for e in &failed {
        errors.append(to_py(py, e)?)?;
    }
    Ok((json, html, text, errors))
}
