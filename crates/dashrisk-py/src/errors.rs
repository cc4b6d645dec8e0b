//! Core errors as Python exceptions.
//!
//! The exception classes live in Python (`dashrisk/_errors.py`), where they get a
//! proper `__init__`, `__repr__` and pickling; this module looks them up once and
//! raises them with the structured fields of the core error (`code`, `field`,
//! `value`), so that callers can branch on a stable code instead of parsing text.

use dashrisk::error::{ArtefactError, InputError};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

const ERRORS_MODULE: &str = "dashrisk._errors";

static INPUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ARTEFACT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Builds `cls(message, **kwargs)` as a `PyErr`; if that itself fails (the Python
/// half of the package is missing), the failure is what gets raised.
fn raise(
    py: Python<'_>,
    cell: &PyOnceLock<Py<PyType>>,
    name: &str,
    message: &str,
    kwargs: &[(&str, Option<&str>)],
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = cell.import(py, ERRORS_MODULE, name)?;
        let kw = PyDict::new(py);
        for (k, v) in kwargs {
            kw.set_item(k, v)?;
        }
        Ok(PyErr::from_value(cls.call((message,), Some(&kw))?))
    };
    build().unwrap_or_else(|e| e)
}

/// `dashrisk.InputError` with the core error's code, field, value and message.
pub fn input_error(py: Python<'_>, e: &InputError) -> PyErr {
    raise(
        py,
        &INPUT_ERROR,
        "InputError",
        &e.message,
        &[
            ("code", Some(e.code.code())),
            ("field", Some(&e.field)),
            ("value", e.value.as_deref()),
        ],
    )
}

/// `dashrisk.InputError` for a record of a batch, with its 0-based `row` and the
/// record's `id` when it has one.
pub fn record_error(py: Python<'_>, e: &dashrisk::RecordError, row: usize) -> PyErr {
    let message = match &e.id {
        Some(id) => format!("row {row} (id {id:?}): {}", e.error.message),
        None => format!("row {row}: {}", e.error.message),
    };
    let err = raise(
        py,
        &INPUT_ERROR,
        "InputError",
        &message,
        &[
            ("code", Some(e.error.code.code())),
            ("field", Some(&e.error.field)),
            ("value", e.error.value.as_deref()),
        ],
    );
    let value = err.value(py);
    // Best effort: the error is raised whether or not the attributes can be set.
    let _ = value.setattr("row", row);
    let _ = value.setattr("record_id", e.id.as_deref());
    err
}

/// The stable code, field, offending value and artefact name of an artefact error.
pub struct ArtefactParts {
    /// Stable snake_case code.
    pub code: &'static str,
    /// The field at fault, or empty.
    pub field: String,
    /// The offending value (a format version), if any.
    pub value: Option<String>,
    /// Which artefact (`policy`, `calibration "…"`, `instrument "…"`).
    pub artefact: String,
}

/// Splits an [`ArtefactError`] into stable parts. Codes: `malformed_artefact`,
/// `invalid_artefact`, `unsupported_version`, `artefact_mismatch`, and
/// `artefact_error` for kinds added to the core later.
pub fn artefact_parts(e: &ArtefactError) -> ArtefactParts {
    match e {
        ArtefactError::Malformed {
            artefact, field, ..
        } => ArtefactParts {
            code: "malformed_artefact",
            field: field.clone(),
            value: None,
            artefact: artefact.clone(),
        },
        ArtefactError::Invalid {
            artefact, field, ..
        } => ArtefactParts {
            code: "invalid_artefact",
            field: field.clone(),
            value: None,
            artefact: artefact.clone(),
        },
        ArtefactError::Version {
            artefact, found, ..
        } => ArtefactParts {
            code: "unsupported_version",
            field: "format_version".into(),
            value: Some(found.to_string()),
            artefact: artefact.clone(),
        },
        ArtefactError::Mismatch { artefact, .. } => ArtefactParts {
            code: "artefact_mismatch",
            field: String::new(),
            value: None,
            artefact: artefact.clone(),
        },
        // ArtefactError is #[non_exhaustive]: a kind added later still maps.
        _ => ArtefactParts {
            code: "artefact_error",
            field: String::new(),
            value: None,
            artefact: String::new(),
        },
    }
}

/// `dashrisk.ArtefactError` for a bad policy, calibration or instrument. `hint` is
/// appended to the message (for example, that a file name was passed instead of
/// the JSON text).
pub fn artefact_error(py: Python<'_>, e: &ArtefactError, hint: Option<&str>) -> PyErr {
    let parts = artefact_parts(e);
    let mut message = e.to_string();
    if let Some(h) = hint {
        message.push_str(h);
    }
    artefact_error_from(py, &message, &parts)
}

/// `dashrisk.ArtefactError` from parts already split out.
pub fn artefact_error_from(py: Python<'_>, message: &str, parts: &ArtefactParts) -> PyErr {
    raise(
        py,
        &ARTEFACT_ERROR,
        "ArtefactError",
        message,
        &[
            ("code", Some(parts.code)),
            ("field", Some(&parts.field)),
            ("value", parts.value.as_deref()),
            ("artefact", Some(&parts.artefact)),
        ],
    )
}

/// A failure that is a bug in this binding rather than bad input (a result that
/// does not serialise). Raised as `RuntimeError`, never as a panic.
pub fn internal(what: &str, e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(format!("dashrisk internal error ({what}): {e}"))
}
