//! Conversions at the Python boundary.
//!
//! - Python objects to the JSON input contract ([`to_value`]): what `json.dumps`
//!   would accept, plus the scalars a notebook hands over (numpy scalars, pandas
//!   `NA`/`NaT`, `datetime.date`). Anything else is an `InputError` naming the field,
//!   never a panic and never a silent `str()`.
//! - Python cells to the text the flat (CSV) parser reads ([`cell_text`]): `None`,
//!   NaN, `pd.NA` and `""` are not known; `True` is `"yes"` in a question or
//!   screen-answer column and `"true"` elsewhere; `2.0` is `"2"`.
//! - Results back to Python ([`json_loads`]): serde's JSON text parsed by the
//!   standard library's `json`, so that keys keep the order of the Rust struct and
//!   the values are exactly what the CLI writes.

use crate::errors::internal;
use dashrisk::error::{truncate_value, ErrorKind, InputError};
use dashrisk::instrument::looks_like_question;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple,
    PyType,
};
use serde_json::{Map, Number, Value};

/// Deepest nesting converted from Python: the deepest [`dashrisk::Limits`] allows.
/// The scorer's own limit is checked after conversion ([`dashrisk::Scorer::parse_value`]),
/// so a record passed as a dict and the same record passed as text behave alike; this
/// bound only keeps a self-containing list an error, not a stack overflow.
pub const MAX_DEPTH: usize = dashrisk::limits::MAX_SUPPORTED_DEPTH;

static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Parses JSON text produced by serde into plain Python objects.
pub fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let loads = JSON_LOADS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("json")?.getattr("loads")?.unbind())
    })?;
    loads.bind(py).call1((text,))
}

/// Serialises with serde and parses into Python objects.
pub fn to_py<'py, T: serde::Serialize + ?Sized>(
    py: Python<'py>,
    v: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| internal("serialising a result", e))?;
    json_loads(py, &text)
}

/// The Python type's name, for error messages: never the value, which may be a
/// victim's answer.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

fn join_field(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

fn wrong_type(field: &str, obj: &Bound<'_, PyAny>, expected: &str) -> InputError {
    let found = type_name(obj);
    let shown = if field.is_empty() { "record" } else { field };
    InputError::new(
        ErrorKind::WrongType,
        field,
        Some(&found),
        format!("{shown}: expected {expected}, found a Python {found}"),
    )
}

fn py_str(s: &Bound<'_, PyString>, field: &str) -> Result<String, InputError> {
    s.to_str().map(str::to_string).map_err(|_| {
        InputError::new(
            ErrorKind::InvalidUtf8,
            field,
            None,
            format!(
                "{}: the text is not valid Unicode (a lone surrogate)",
                if field.is_empty() { "record" } else { field }
            ),
        )
    })
}

/// A scalar that is not a builtin: numpy and pandas scalars, dates.
enum Exotic<'py> {
    /// Missing: `pd.NA`, `pd.NaT`.
    Missing,
    /// A boolean (`numpy.bool_`).
    Bool(bool),
    /// An integer (`numpy.int64`, …).
    Int(i64),
    /// A float (`numpy.float32`, …).
    Float(f64),
    /// A date as `YYYY-MM-DD` (`datetime.date`, `datetime.datetime`, `pd.Timestamp`).
    Date(String),
    /// A numpy array, as a list.
    List(Bound<'py, PyAny>),
}

/// Recognises numpy/pandas scalars by their type's module, so that neither is a
/// dependency of the package.
fn exotic<'py>(obj: &Bound<'py, PyAny>) -> Option<Result<Exotic<'py>, ()>> {
    let py = obj.py();
    let ty = obj.get_type();
    let module = ty.module().ok()?.to_string();
    let name = ty.name().ok()?.to_string();
    if module.starts_with("pandas") && (name == "NAType" || name == "NaTType") {
        return Some(Ok(Exotic::Missing));
    }
    if module == "numpy" || module.starts_with("numpy.") {
        if name == "bool_" || name == "bool" {
            return Some(obj.is_truthy().map(Exotic::Bool).map_err(|_| ()));
        }
        if name == "ndarray" {
            return Some(obj.call_method0("tolist").map(Exotic::List).map_err(|_| ()));
        }
        if let Ok(true) =
            obj.is_instance(py.import("numpy").ok()?.getattr("integer").ok()?.as_any())
        {
            return Some(obj.extract::<i64>().map(Exotic::Int).map_err(|_| ()));
        }
        if let Ok(true) =
            obj.is_instance(py.import("numpy").ok()?.getattr("floating").ok()?.as_any())
        {
            return Some(obj.extract::<f64>().map(Exotic::Float).map_err(|_| ()));
        }
        return None;
    }
    let datetime = DATETIME.import(py, "datetime", "datetime").ok()?;
    let date = DATE.import(py, "datetime", "date").ok()?;
    let as_date = if obj.is_instance(datetime.as_any()).unwrap_or(false) {
        obj.call_method0("date").ok()?
    } else if obj.is_instance(date.as_any()).unwrap_or(false) {
        obj.clone()
    } else {
        return None;
    };
    Some(
        as_date
            .call_method0("isoformat")
            .and_then(|s| s.extract::<String>())
            .map(Exotic::Date)
            .map_err(|_| ()),
    )
}

/// Converts a Python object to a JSON value for the record contract; `field` is the
/// dotted path used in errors (`""` for the record itself).
pub fn to_value(obj: &Bound<'_, PyAny>, field: &str, depth: usize) -> Result<Value, InputError> {
    if depth > MAX_DEPTH {
        return Err(InputError::new(
            ErrorKind::TooLarge,
            field,
            None,
            format!("the record is nested more than {MAX_DEPTH} levels deep (a list or dict that contains itself?)"),
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return py_str(s, field).map(Value::String);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        return int_value(obj, field);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return float_value(f.value(), obj, field);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = key_str(&k, field)?;
            let child = join_field(field, &key);
            map.insert(key, to_value(&v, &child, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return seq_value(l.iter(), field, depth);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return seq_value(t.iter(), field, depth);
    }
    match exotic(obj) {
        Some(Ok(Exotic::Missing)) => return Ok(Value::Null),
        Some(Ok(Exotic::Bool(b))) => return Ok(Value::Bool(b)),
        Some(Ok(Exotic::Int(i))) => return Ok(Value::Number(i.into())),
        Some(Ok(Exotic::Float(x))) => return float_value(x, obj, field),
        Some(Ok(Exotic::Date(s))) => return Ok(Value::String(s)),
        Some(Ok(Exotic::List(l))) => return to_value(&l, field, depth + 1),
        Some(Err(())) => {
            return Err(wrong_type(
                field,
                obj,
                "a JSON value (str, int, float, bool, None, dict or list)",
            ))
        }
        None => {}
    }
    if !is_text_like(obj) {
        if let Ok(m) = obj.cast::<PyMapping>() {
            let items = m
                .items()
                .map_err(|_| wrong_type(field, obj, "a mapping whose items can be read"))?;
            let mut map = Map::new();
            for item in items.iter() {
                let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item
                    .extract()
                    .map_err(|_| wrong_type(field, obj, "a mapping of (key, value) pairs"))?;
                let key = key_str(&k, field)?;
                let child = join_field(field, &key);
                map.insert(key, to_value(&v, &child, depth + 1)?);
            }
            return Ok(Value::Object(map));
        }
    }
    Err(wrong_type(
        field,
        obj,
        "a JSON value (str, int, float, bool, None, dict or list)",
    ))
}

fn is_text_like(obj: &Bound<'_, PyAny>) -> bool {
    obj.cast::<PyBytes>().is_ok() || obj.cast::<PyByteArray>().is_ok()
}

fn key_str(k: &Bound<'_, PyAny>, field: &str) -> Result<String, InputError> {
    match k.cast::<PyString>() {
        Ok(s) => py_str(s, field),
        Err(_) => {
            let found = type_name(k);
            let shown = if field.is_empty() { "record" } else { field };
            Err(InputError::new(
                ErrorKind::WrongType,
                field,
                Some(&found),
                format!("{shown}: keys must be strings, found a key of type {found}"),
            ))
        }
    }
}

fn seq_value<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    field: &str,
    depth: usize,
) -> Result<Value, InputError> {
    let mut out = Vec::new();
    for item in items {
        // Items share the array's field, as in the core's errors.
        out.push(to_value(&item, field, depth + 1)?);
    }
    Ok(Value::Array(out))
}

fn int_value(obj: &Bound<'_, PyAny>, field: &str) -> Result<Value, InputError> {
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Value::Number(i.into()));
    }
    if let Ok(u) = obj.extract::<u64>() {
        return Ok(Value::Number(u.into()));
    }
    Err(InputError::new(
        ErrorKind::WrongType,
        field,
        Some("int"),
        format!(
            "{}: the integer does not fit in 64 bits",
            if field.is_empty() { "record" } else { field }
        ),
    ))
}

fn float_value(x: f64, obj: &Bound<'_, PyAny>, field: &str) -> Result<Value, InputError> {
    if x.is_nan() {
        // NaN is how pandas spells "missing": not known, like JSON null.
        return Ok(Value::Null);
    }
    Number::from_f64(x).map(Value::Number).ok_or_else(|| {
        let shown = if field.is_empty() { "record" } else { field };
        InputError::new(
            ErrorKind::WrongType,
            field,
            Some(&x.to_string()),
            format!(
                "{shown}: {x} is not a JSON number (a {}); use None for not known",
                type_name(obj)
            ),
        )
    })
}

/// The text the flat parser reads for one cell of column `column`.
///
/// Lists and tuples (`recent_transitions`, `prior_incident_dates`) are joined with
/// `;`; an empty list of transitions is `"none"` (known to be none).
pub fn cell_text(obj: &Bound<'_, PyAny>, column: &str) -> Result<String, InputError> {
    if obj.is_none() {
        return Ok(String::new());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return py_str(s, column);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(bool_text(b.is_true(), column));
    }
    if obj.cast::<PyInt>().is_ok() {
        return obj
            .str()
            .map(|s| s.to_string())
            .map_err(|_| wrong_type(column, obj, "a cell value"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(float_text(f.value()));
    }
    let seq: Option<Vec<Bound<'_, PyAny>>> = if let Ok(l) = obj.cast::<PyList>() {
        Some(l.iter().collect())
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        Some(t.iter().collect())
    } else {
        None
    };
    if let Some(items) = seq {
        return list_text(&items, column);
    }
    match exotic(obj) {
        Some(Ok(Exotic::Missing)) => Ok(String::new()),
        Some(Ok(Exotic::Bool(b))) => Ok(bool_text(b, column)),
        Some(Ok(Exotic::Int(i))) => Ok(i.to_string()),
        Some(Ok(Exotic::Float(x))) => Ok(float_text(x)),
        Some(Ok(Exotic::Date(s))) => Ok(s),
        Some(Ok(Exotic::List(l))) => match l.cast::<PyList>() {
            Ok(l) => list_text(&l.iter().collect::<Vec<_>>(), column),
            Err(_) => cell_text(&l, column),
        },
        Some(Err(())) | None => Err(wrong_type(
            column,
            obj,
            "a cell: str, int, float, bool, date, None / NaN (not known), or a list for ';'-separated columns",
        )),
    }
}

/// A boolean cell as the flat parser reads it: `yes`/`no` in a question or screen
/// answer column (a column of ticks), `true`/`false` elsewhere
/// (`children_in_household`).
fn bool_text(b: bool, column: &str) -> String {
    match (answer_column(column), b) {
        (true, true) => "yes".into(),
        (true, false) => "no".into(),
        (false, b) => b.to_string(),
    }
}

/// Whether a boolean in `column` is an answer (`yes`/`no`: a question or a screen
/// answer) or a fact (`true`/`false`). A nested name (`answers.q18`,
/// `conflict_screen.fear`) is read by its key. Shared by the row and Arrow paths.
pub(crate) fn answer_column(column: &str) -> bool {
    let nested = dashrisk::parse::nested_section(column);
    let key = nested.map_or(column, |(_, k)| k);
    looks_like_question(key)
        || nested.is_some_and(|(s, _)| s == "answers")
        || matches!(key, "fear" | "power_imbalance" | "children_exposed")
}

/// The text of an empty list in `column`: `none` for the transitions (known to be
/// none), else empty (not known). Shared by the row and Arrow paths.
pub(crate) fn empty_list_text(column: &str) -> &'static str {
    let key = dashrisk::parse::nested_section(column).map_or(column, |(_, k)| k);
    if key == "recent_transitions" {
        "none"
    } else {
        ""
    }
}

/// A list cell: its items joined with `;`. An empty list is [`empty_list_text`]
/// (`none` for the transitions); missing items (None, NaN, `pd.NA`, `""`) are
/// left out, so a list of them only is empty text, not known, never `none`
/// (`[None, None]` was `";"`, which the parser read as no transitions). Items
/// that are lists themselves (or numpy arrays) are refused, never flattened.
/// The Arrow path (`frame::column_text`) reads list columns the same way.
fn list_text(items: &[Bound<'_, PyAny>], column: &str) -> Result<String, InputError> {
    if items.is_empty() {
        return Ok(empty_list_text(column).to_string());
    }
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        if item.cast::<PyList>().is_ok() || item.cast::<PyTuple>().is_ok() || is_ndarray(item) {
            return Err(wrong_type(column, item, "a flat list of values"));
        }
        let text = cell_text(item, column)?;
        if !text.trim().is_empty() {
            parts.push(text);
        }
    }
    Ok(parts.join(";"))
}

fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    ty.name().is_ok_and(|n| n == "ndarray")
        && ty.module().is_ok_and(|m| {
            m.to_str()
                .is_ok_and(|m| m == "numpy" || m.starts_with("numpy."))
        })
}

/// `2.0` is `"2"` (Rust's shortest round-trip form), NaN is empty (not known).
fn float_text(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// The record's `id` read straight from a Python mapping, for labelling a record
/// that could not be converted.
pub fn peek_py_id(obj: &Bound<'_, PyAny>) -> Option<String> {
    let d = obj.cast::<PyDict>().ok()?;
    let id = d.get_item("id").ok()??;
    let s = id.cast::<PyString>().ok()?;
    s.to_str().ok().map(truncate_value)
}
