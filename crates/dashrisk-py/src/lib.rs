//! Python bindings for dashrisk: the private extension module `dashrisk._native`.
//!
//! The Python package in `python/dashrisk` re-exports what researchers use from here
//! behind a curated `__init__.py`; this crate is built by maturin (see
//! `python/pyproject.toml`) and is not published on crates.io.
//!
//! - [`scorer`]: the `Scorer` class (one record, batches of JSON records, flat rows),
//!   picklable through its JSON artefacts.
//! - [`frame`]: frames read and written as Arrow columns (`assess_frame`).
//! - [`functions`]: module functions (`instruments`, `instrument`, `default_policy`,
//!   `synth`).
//! - [`learn`]: the comparison model (featurising, fitting) and the
//!   recalibration, for `LogisticComparison`, `featurise` and `ConflictAbuseScorer`.
//! - [`metrics`]: the evaluation metrics of `dashrisk::metrics`, for
//!   `dashrisk.metrics`.
//! - [`convert`]: Python objects to the JSON input contract and flat cells, and
//!   results back to plain Python objects.
//! - [`errors`]: every core error mapped to `dashrisk.InputError` /
//!   `dashrisk.ArtefactError` (defined in `python/dashrisk/_errors.py`).
//!
//! Invariants: nothing panics across the boundary (every fallible core call is
//! mapped, no `unwrap` on data from Python); batches release the GIL while Rust
//! works; results are the serde form of `AssessmentResult`, exactly as the CLI
//! writes them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod convert;
pub mod errors;
pub mod frame;
pub mod functions;
pub mod learn;
pub mod metrics;
pub mod scorer;

use pyo3::prelude::*;

/// The compiled core of the `dashrisk` package. Import `dashrisk`, not this module.
#[pymodule(name = "_native")]
mod native {
    use pyo3::prelude::*;

    #[pymodule_export]
    use super::scorer::PyScorer;

    #[pymodule_export]
    use super::functions::{
        check_columns, default_policy, flatten_result, instrument, instruments, read_columns,
        synth, synth_table,
    };

    #[pymodule_export]
    use super::frame::{arrow_cells, assess_arrow};

    #[pymodule_export]
    use super::learn::{evaluate_batch, feature_names, featurise_batch, logistic_fit, recalibrate};

    #[pymodule_export]
    use super::metrics::{
        average_precision, brier, calibration_intercept, calibration_slope, confusion,
        decision_curve, delong_paired, ece, log_loss, reliability, roc_auc, roc_auc_delong,
    };

    /// Version of the scorer rules, reported in every result.
    #[pymodule_export]
    const SCORER_VERSION: &str = dashrisk::SCORER_VERSION;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        let cols = super::functions::result_columns();
        let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
        m.add("RESULT_COLUMNS", pyo3::types::PyTuple::new(m.py(), names)?)?;
        let kinds = pyo3::types::PyDict::new(m.py());
        for (name, kind) in cols {
            kinds.set_item(name, kind)?;
        }
        m.add("RESULT_COLUMN_KINDS", kinds)?;
        m.add("VOCABULARY", super::functions::vocabulary(m.py())?)?;
        Ok(())
    }
}

/// The scorer shared by module functions and `Scorer()` with no arguments: the
/// default policy, the shipped calibration and the built-in instruments. Built once,
/// because reading the shipped calibration checks its checksum.
pub(crate) fn default_scorer() -> std::sync::Arc<dashrisk::Scorer> {
    static DEFAULT: std::sync::OnceLock<std::sync::Arc<dashrisk::Scorer>> =
        std::sync::OnceLock::new();
    DEFAULT
        .get_or_init(|| std::sync::Arc::new(dashrisk::Scorer::default()))
        .clone()
}
