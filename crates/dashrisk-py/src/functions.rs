//! Module functions: instruments, the default policy, the synthetic population and
//! the flat view of results.

use crate::convert::{json_loads, to_py};
use crate::default_scorer;
use crate::errors::{input_error, internal};
use dashrisk::flat::{self, Cell, ColumnKind};
use dashrisk::synth::{Generator, SynthParams};
use dashrisk::{AssessmentResult, RecordError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Records generated per step of `synth` while the GIL is released.
const SYNTH_CHUNK: usize = 4096;

/// The built-in instruments (DASH 2009 police form, partner-agency form), each as a
/// dict in the custom-instrument file format: `id`, `name`, `source` and
/// `questions` (each with `id`, `number`, a paraphrased `text`, `domains` and
/// `markers`).
#[pyfunction]
pub fn instruments(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, default_scorer().instruments())
}

/// One built-in instrument by id (`"dash-2009"`, `"dash-2009-partner"`), as a dict.
///
/// Raises `InputError` (code `unknown_instrument`) listing the known ids.
#[pyfunction]
pub fn instrument<'py>(py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
    let scorer = default_scorer();
    let inst = scorer.instrument_for(id).map_err(|e| input_error(py, &e))?;
    to_py(py, inst)
}

/// The default policy (every threshold) as a dict: edit it and pass it back as
/// `Scorer(policy=...)` (a dict or its JSON text). The points behind `p_abuse` are
/// in the calibration, not the policy.
#[pyfunction]
pub fn default_policy(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, default_scorer().policy())
}

/// A seeded SYNTHETIC population of `n` incidents: NOT real data, and results on it
/// say nothing about real people.
///
/// Each record is a dict in the JSON input contract (pass it to `Scorer.assess` or
/// `Scorer.assess_many`), with `meta` holding `synthetic` (True), `label_abuse` and
/// `label_serious_harm` (1 or 0), and `officer` and `area` when `settings` sets
/// officers. `settings` are the generator's `key=value` settings
/// (docs/synthetic-data.md). The same `seed` and settings always give the same
/// records, identical to `dashrisk synth --format jsonl --seed SEED --set ...`.
#[pyfunction]
#[pyo3(signature = (n, seed = 1, settings = None))]
pub fn synth<'py>(
    py: Python<'py>,
    n: i64,
    seed: i64,
    settings: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyList>> {
    let (n, seed, params) = synth_args(n, seed, settings)?;
    let out = PyList::empty(py);
    let mut generator = Generator::new(seed, params);
    let mut done = 0usize;
    while done < n {
        let take = SYNTH_CHUNK.min(n - done);
        let start = done;
        let text = py
            .detach(|| -> Result<String, serde_json::Error> {
                let mut text = String::from("[");
                for i in start..start + take {
                    let a = generator.record(i).with_meta();
                    if i > start {
                        text.push(',');
                    }
                    text.push_str(&serde_json::to_string(&a)?);
                }
                text.push(']');
                Ok(text)
            })
            .map_err(|e| internal("serialising a synthetic record", e))?;
        let chunk = json_loads(py, &text)?;
        out.call_method1("extend", (chunk,))?;
        done += take;
    }
    Ok(out)
}

fn synth_args(
    n: i64,
    seed: i64,
    settings: Option<Vec<String>>,
) -> PyResult<(usize, u64, SynthParams)> {
    let n = usize::try_from(n)
        .map_err(|_| PyValueError::new_err(format!("n must be 0 or more, not {n}")))?;
    let seed = u64::try_from(seed)
        .map_err(|_| PyValueError::new_err(format!("seed must be 0 or more, not {seed}")))?;
    let params =
        SynthParams::with_settings(&settings.unwrap_or_default()).map_err(PyValueError::new_err)?;
    Ok((n, seed, params))
}

/// The synthetic population as a table: the column names and one row of text
/// cells per record, exactly as `dashrisk synth --format csv` writes them (the
/// package builds its DataFrame from this).
#[pyfunction]
#[pyo3(signature = (n, seed = 1, settings = None))]
pub fn synth_table(
    py: Python<'_>,
    n: i64,
    seed: i64,
    settings: Option<Vec<String>>,
) -> PyResult<(Vec<String>, Vec<Vec<String>>)> {
    let (n, seed, params) = synth_args(n, seed, settings)?;
    let header = dashrisk::synth::flat_header(&params);
    let rows = py.detach(|| {
        let mut generator = Generator::new(seed, params);
        (0..n).map(|i| generator.record(i).flat_row()).collect()
    });
    Ok((header, rows))
}

/// One result or error record (a dict as `Scorer.assess`, `assess_many` and
/// `assess_rows` return them) as a flat dict keyed by `RESULT_COLUMNS`: the core's
/// one list of flat columns, the same as the CLI's CSV result columns.
///
/// Lists become `;`-joined text; a fact not recorded (children in the household)
/// and a column that does not apply (a result's error columns) are `None`.
/// Raises `ValueError` for anything that is not a result or an error record.
#[pyfunction]
pub fn flatten_result<'py>(
    py: Python<'py>,
    result: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let not_a_result = || {
        PyValueError::new_err(
            "flatten_result takes one result or error record (a dict from Scorer.assess, assess_many or assess_rows)",
        )
    };
    // The pass-through cells are the caller's own objects (dates, bytes, …): they
    // are no part of the flat result, and need not be JSON.
    let result = match result.cast::<PyDict>() {
        Ok(d) if d.contains("passthrough")? => {
            let copy = d.copy()?;
            copy.del_item("passthrough")?;
            copy.into_any()
        }
        _ => result.clone(),
    };
    let text: String = py
        .import("json")?
        .getattr("dumps")?
        .call1((result,))
        .map_err(|_| not_a_result())?
        .extract()?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|_| not_a_result())?;
    // Say why a dict that looks like a result is not one (a value listed twice in
    // a list, an unknown pathway): the field and the value are in serde's words.
    let why = |e: serde_json::Error| {
        PyValueError::new_err(format!(
            "flatten_result takes one result or error record (a dict from Scorer.assess, assess_many or assess_rows): {e}"
        ))
    };
    let parsed: Result<AssessmentResult, RecordError> = if value.get("error").is_some() {
        Err(serde_json::from_value(value).map_err(why)?)
    } else {
        Ok(serde_json::from_value(value).map_err(why)?)
    };
    let row = match &parsed {
        Ok(r) => flat::result_row(r),
        Err(e) => flat::error_row(e),
    };
    let out = PyDict::new(py);
    for (cell, col) in row.into_iter().zip(flat::RESULT_COLUMNS.iter()) {
        let v: Bound<'py, PyAny> = match cell {
            Cell::Text(s) => s.as_ref().into_pyobject(py)?.into_any(),
            Cell::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
            Cell::Count(n) => n.into_pyobject(py)?.into_any(),
            Cell::Float(x) => x.into_pyobject(py)?.into_any(),
            Cell::List(items) => items.join(";").into_pyobject(py)?.into_any(),
            Cell::NotKnown | Cell::Missing => py.None().into_bound(py),
        };
        out.set_item(col.name, v)?;
    }
    Ok(out)
}

/// The flat result columns and what each holds (`text`, `bool`, `count`, `float`,
/// `list`), in order: the core's one list.
pub fn result_columns() -> Vec<(&'static str, &'static str)> {
    flat::RESULT_COLUMNS
        .iter()
        .map(|c| {
            let kind = match c.kind {
                ColumnKind::Text => "text",
                ColumnKind::Bool => "bool",
                ColumnKind::Count => "count",
                ColumnKind::Float => "float",
                ColumnKind::List => "list",
            };
            (c.name, kind)
        })
        .collect()
}

/// Checks a table's column names once, as the flat (CSV) reader does: raises
/// `InputError` for a repeated column, a name close to a contract name
/// (`power_imbalence`, `prior_incidents`) naming the column it probably meant, or a
/// nested `json_normalize` name its section does not have (`conflict_screen.feer`).
/// Nested names the contract has (`answers.q18`, `context.incident_date`) are read
/// as their flat names and pass.
#[pyfunction]
pub fn check_columns(py: Python<'_>, names: Vec<String>) -> PyResult<()> {
    match dashrisk::parse::FlatHeader::new(&names).problem() {
        Some(e) => Err(input_error(py, &e)),
        None => Ok(()),
    }
}

/// The contract's vocabularies: every string each enum of a result can take, and
/// every error code, in the core's order (`dashrisk.types` types them as
/// `Literal`s; a test checks that both agree).
pub fn vocabulary(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    use dashrisk::result::{
        ChildLink, Classification, ConflictBlocker, DecisionBasis, Flag, MaracCriterion, Pathway,
        ReasonCode, RecordingCategory, RiskLevel,
    };
    let d = PyDict::new(py);
    let lists: [(&str, &[&str]); 11] = [
        ("classification", &Classification::VALUES),
        ("risk_level", &RiskLevel::VALUES),
        ("decision_basis", &DecisionBasis::VALUES),
        ("conflict_blocker", &ConflictBlocker::VALUES),
        ("marac_criterion", &MaracCriterion::VALUES),
        ("pathway", &Pathway::VALUES),
        ("recording_category", &RecordingCategory::VALUES),
        ("flag", &Flag::VALUES),
        ("child_link", &ChildLink::VALUES),
        ("reason_code", &ReasonCode::VALUES),
        ("error_code", &dashrisk::ErrorKind::CODES),
    ];
    for (name, values) in lists {
        d.set_item(name, pyo3::types::PyTuple::new(py, values)?)?;
    }
    Ok(d)
}

/// The columns of a table the flat reader reads (every column that is not only
/// passed through), in order: a front end hands the scorer these and keeps the
/// rest. Close-to-contract names are included, so that they are refused.
#[pyfunction]
pub fn read_columns(names: Vec<String>) -> Vec<String> {
    names
        .into_iter()
        .filter(|n| !dashrisk::parse::passes_through(n))
        .collect()
}
