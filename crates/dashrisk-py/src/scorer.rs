//! The `Scorer` class: one record, batches of JSON records, flat rows.
//!
//! Batches are converted from Python objects while attached to the interpreter,
//! then parsed, assessed and serialised with the GIL released (`py.detach`), a chunk
//! at a time so that memory stays flat for long iterables. A bad record in a batch
//! becomes the CLI's error record (`line`, `id`, `error`), never an exception.

use crate::convert::{cell_text, json_loads, peek_py_id, to_py, to_value, type_name};
use crate::default_scorer;
use crate::errors::{artefact_error, artefact_error_from, input_error, internal, ArtefactParts};
use dashrisk::error::{truncate_value, ErrorKind, InputError, RecordError};
use dashrisk::parse::{passes_through, peek_id};
use dashrisk::{AssessmentResult, Calibration, Instrument, Policy, Scorer};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMapping, PyString, PyTuple, PyType};
use serde_json::Value;
use std::sync::{Arc, PoisonError, RwLock};

/// Records handed to Rust per release of the GIL in the batch methods.
const CHUNK: usize = 2048;

/// A configured scorer: policy, calibration and the instruments it knows.
///
/// `Scorer()` uses the default policy, the shipped calibration (fitted on
/// SYNTHETIC data) and the built-in DASH instruments. `policy` and `calibration`
/// replace them, and `instruments` adds custom instruments (for example a licensed
/// force's official wording); each is the JSON text of the artefact (or the same as
/// a dict), not a file name. A bad artefact raises `ArtefactError`.
///
/// A scorer is immutable, thread-safe, picklable and deep-copyable (through its JSON
/// artefacts), so it can be sent to worker processes.
#[pyclass(frozen, module = "dashrisk._native", name = "Scorer")]
pub struct PyScorer {
    /// Behind a lock only so that `__setstate__` can swap it; every method takes a
    /// cheap clone of the `Arc` and works without holding the lock.
    inner: RwLock<Arc<Scorer>>,
}

/// The JSON artefacts that rebuild a scorer: its pickled state.
struct State {
    policy: String,
    calibration: String,
    instruments: Vec<String>,
}

fn state_of(scorer: &Scorer) -> PyResult<State> {
    let policy = serde_json::to_string(scorer.policy())
        .map_err(|e| internal("serialising the policy", e))?;
    let calibration = scorer.calibration().to_json();
    let mut instruments = Vec::new();
    for inst in scorer.instruments() {
        // Built-in instruments come with every scorer: only custom ones are part
        // of the state. Comparing whole instruments, not ids, keeps this right if
        // a custom form may ever take a built-in id.
        if Instrument::builtin_by_id(&inst.id) != Some(inst) {
            instruments.push(
                serde_json::to_string(inst)
                    .map_err(|e| internal("serialising an instrument", e))?,
            );
        }
    }
    Ok(State {
        policy,
        calibration,
        instruments,
    })
}

/// An artefact argument as JSON text: a str as given, a dict serialised.
fn artefact_text(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str()?.to_string());
    }
    if obj.cast::<PyDict>().is_ok() || obj.cast::<PyMapping>().is_ok() {
        let value = to_value(obj, "", 0).map_err(|e| {
            artefact_error_from(
                py,
                &format!("{what}: cannot be read: {}", e.message),
                &ArtefactParts {
                    code: "malformed_artefact",
                    field: e.field.clone(),
                    value: e.value.clone(),
                    artefact: what.to_string(),
                },
            )
        })?;
        return serde_json::to_string(&value).map_err(|e| internal("serialising an artefact", e));
    }
    Err(PyTypeError::new_err(format!(
        "{what}: expected the artefact's JSON text (str) or a dict, found {}",
        type_name(obj)
    )))
}

/// A hint for the commonest mistake: a file name where the JSON text belongs.
fn path_hint(text: &str) -> Option<&'static str> {
    (!text.trim_start().starts_with('{'))
        .then_some(" (expected the artefact's JSON text, not a file name: pass open(path).read())")
}

fn build_scorer(
    py: Python<'_>,
    policy: Option<&str>,
    calibration: Option<&str>,
    instruments: &[String],
) -> PyResult<Arc<Scorer>> {
    if policy.is_none() && calibration.is_none() && instruments.is_empty() {
        return Ok(default_scorer());
    }
    let policy = match policy {
        Some(t) => Policy::from_json(t).map_err(|e| artefact_error(py, &e, path_hint(t)))?,
        None => Policy::default(),
    };
    let calibration = match calibration {
        Some(t) => Calibration::from_json(t).map_err(|e| artefact_error(py, &e, path_hint(t)))?,
        None => Calibration::shipped(),
    };
    let mut scorer = Scorer::new(policy, calibration).map_err(|e| artefact_error(py, &e, None))?;
    for t in instruments {
        let inst = Instrument::from_json(t).map_err(|e| artefact_error(py, &e, path_hint(t)))?;
        scorer = scorer
            .with_instrument(inst)
            .map_err(|e| artefact_error(py, &e, None))?;
    }
    Ok(Arc::new(scorer))
}

/// Refuses the inputs that iterate "successfully" into nonsense: a str (its
/// characters), bytes, or a single record / row (its keys), and a DataFrame (its
/// column names).
fn check_batch(obj: &Bound<'_, PyAny>, method: &str, one: &str) -> PyResult<()> {
    let single = obj.cast::<PyString>().is_ok()
        || obj.cast::<PyBytes>().is_ok()
        || obj.cast::<PyByteArray>().is_ok()
        || obj.cast::<PyDict>().is_ok()
        || obj.cast::<PyMapping>().is_ok();
    if single {
        return Err(PyTypeError::new_err(format!(
            "{method}: expected an iterable of records, found a single {}; use {one}",
            type_name(obj)
        )));
    }
    let has = |name: &str| obj.hasattr(name).unwrap_or(false);
    if has("to_dict") && has("columns") {
        // A DataFrame holds flat rows (the CSV columns), not JSON records: both
        // hints take flat rows.
        return Err(PyTypeError::new_err(format!(
            "{method}: expected an iterable of records, found a DataFrame; use dashrisk.assess_dataframe(df, scorer), or scorer.assess_rows(df.to_dict(\"records\")) for a list of dicts"
        )));
    }
    if has("to_dict") && has("index") && has("items") {
        return Err(PyTypeError::new_err(format!(
            "{method}: expected an iterable of records, found a single pandas Series; use {one}"
        )));
    }
    Ok(())
}

/// One JSON record of a batch, ready for the GIL-free step.
enum Job {
    /// JSON text, read exactly as the CLI reads a line.
    Text(Vec<u8>),
    /// A record given as a dict, converted.
    Value(Value),
    /// A record that could not be converted from Python.
    Failed(Option<String>, InputError),
}

fn job_of(obj: &Bound<'_, PyAny>) -> Job {
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_str() {
            Ok(t) => Job::Text(t.as_bytes().to_vec()),
            Err(_) => Job::Failed(
                None,
                InputError::new(
                    ErrorKind::InvalidUtf8,
                    "",
                    None,
                    "the record text is not valid Unicode (a lone surrogate)",
                ),
            ),
        };
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Job::Text(b.as_bytes().to_vec());
    }
    match to_value(obj, "", 0) {
        Ok(v) => Job::Value(v),
        Err(e) => Job::Failed(peek_py_id(obj), e),
    }
}

fn run_job(scorer: &Scorer, line: u64, job: &Job) -> Result<AssessmentResult, RecordError> {
    if let Job::Text(bytes) = job {
        return scorer.assess_json_line(line, bytes);
    }
    let a = parse_job(scorer, line, job)?;
    scorer.assess(&a).map_err(|error| RecordError {
        line,
        id: match job {
            Job::Value(value) => peek_id(value),
            _ => None,
        },
        error,
    })
}

/// The record of a JSON job, parsed (not assessed).
fn parse_job(scorer: &Scorer, line: u64, job: &Job) -> Result<dashrisk::Assessment, RecordError> {
    match job {
        Job::Text(bytes) => scorer.parse_json_line(line, bytes),
        Job::Value(value) => scorer.parse_value(value).map_err(|error| RecordError {
            line,
            id: peek_id(value),
            error,
        }),
        Job::Failed(id, error) => Err(RecordError {
            line,
            id: id.clone(),
            error: error.clone(),
        }),
    }
}

/// One flat row of a batch: the contract cells as text, or why they could not be
/// read. Pass-through cells stay Python objects, outside the GIL-free step.
struct RowJob {
    id: Option<String>,
    cells: Result<Vec<(String, String)>, InputError>,
}

type Passthrough = Vec<(String, Py<PyAny>)>;

fn row_items<'py>(row: &Bound<'py, PyAny>) -> Option<Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
    if let Ok(d) = row.cast::<PyDict>() {
        return Some(d.iter().collect());
    }
    if row.cast::<PyString>().is_ok() || row.cast::<PyBytes>().is_ok() {
        return None;
    }
    // Any mapping, and anything with dict-like `items()` (a pandas Series).
    let items = row.call_method0("items").ok()?;
    let mut out = Vec::new();
    for item in items.try_iter().ok()? {
        out.push(
            item.ok()?
                .extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>()
                .ok()?,
        );
    }
    Some(out)
}

fn row_job(row: &Bound<'_, PyAny>) -> (RowJob, Passthrough) {
    let mut pass = Vec::new();
    let Some(items) = row_items(row) else {
        let found = type_name(row);
        let error = InputError::new(
            ErrorKind::WrongType,
            "",
            Some(&found),
            format!("row: expected a mapping of column name to cell (a dict or a pandas Series), found a Python {found}"),
        );
        return (
            RowJob {
                id: None,
                cells: Err(error),
            },
            pass,
        );
    };
    let mut cells = Vec::with_capacity(items.len());
    let mut problem = None;
    let mut id = None;
    for (k, v) in items {
        let name = match k.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) {
            Some(n) => n.to_string(),
            None => {
                let found = type_name(&k);
                problem.get_or_insert(InputError::new(
                    ErrorKind::WrongType,
                    "",
                    Some(&found),
                    format!("row: column names must be strings, found a column named by a Python {found}"),
                ));
                continue;
            }
        };
        if passes_through(&name) {
            pass.push((name, v.unbind()));
            continue;
        }
        match cell_text(&v, &name) {
            Ok(text) => {
                if name == "id" && !text.is_empty() {
                    id = Some(truncate_value(&text));
                }
                cells.push((name, text));
            }
            Err(e) => {
                problem.get_or_insert(e);
            }
        }
    }
    let cells = match problem {
        Some(e) => Err(e),
        None => Ok(cells),
    };
    (RowJob { id, cells }, pass)
}

/// The record of a flat row, parsed (not assessed).
fn parse_row(
    scorer: &Scorer,
    line: u64,
    job: &RowJob,
) -> Result<dashrisk::Assessment, RecordError> {
    let fail = |error: InputError| RecordError {
        line,
        id: job.id.clone(),
        error,
    };
    let cells = job.cells.as_ref().map_err(|e| fail(e.clone()))?;
    let row: Vec<(&str, &str)> = cells
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    scorer.parse_flat(&row).map(|(a, _)| a).map_err(fail)
}

fn run_row(scorer: &Scorer, line: u64, job: &RowJob) -> Result<AssessmentResult, RecordError> {
    let a = parse_row(scorer, line, job)?;
    scorer.assess(&a).map_err(|error| RecordError {
        line,
        id: a.id.clone().or_else(|| job.id.clone()),
        error,
    })
}

/// Serialises a batch's outcomes as one JSON array: results and error records, as
/// the CLI writes them.
fn batch_json<T>(
    items: &[T],
    first_line: u64,
    run: impl Fn(u64, &T) -> Result<AssessmentResult, RecordError>,
) -> Result<String, serde_json::Error> {
    let mut text = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let line = first_line + i as u64;
        match run(line, item) {
            Ok(r) => text.push_str(&serde_json::to_string(&r)?),
            Err(e) => text.push_str(&serde_json::to_string(&e)?),
        }
    }
    text.push(']');
    Ok(text)
}

impl PyScorer {
    fn scorer(&self) -> Arc<Scorer> {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn flush_records<'py>(
        py: Python<'py>,
        scorer: &Scorer,
        jobs: &mut Vec<Job>,
        first_line: u64,
        out: &Bound<'py, PyList>,
    ) -> PyResult<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        let batch: &[Job] = jobs;
        let text = py
            .detach(|| batch_json(batch, first_line, |line, job| run_job(scorer, line, job)))
            .map_err(|e| internal("serialising results", e))?;
        out.call_method1("extend", (json_loads(py, &text)?,))?;
        jobs.clear();
        Ok(())
    }

    fn flush_rows<'py>(
        py: Python<'py>,
        scorer: &Scorer,
        jobs: &mut Vec<(RowJob, Passthrough)>,
        first_line: u64,
        out: &Bound<'py, PyList>,
    ) -> PyResult<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        let work: Vec<&RowJob> = jobs.iter().map(|(j, _)| j).collect();
        let text = py
            .detach(|| batch_json(&work, first_line, |line, job| run_row(scorer, line, job)))
            .map_err(|e| internal("serialising results", e))?;
        let results = json_loads(py, &text)?;
        let results = results.cast::<PyList>()?;
        for (res, (_, pass)) in results.iter().zip(jobs.iter()) {
            if !pass.is_empty() {
                let d = PyDict::new(py);
                for (k, v) in pass {
                    d.set_item(k, v.bind(py))?;
                }
                res.set_item("passthrough", d)?;
            }
            out.append(res)?;
        }
        jobs.clear();
        Ok(())
    }
}

/// A parsed record of a batch, or its error record.
pub(crate) type Parsed = Result<dashrisk::Assessment, RecordError>;

impl PyScorer {
    /// The scorer in force (a cheap clone of the `Arc`).
    pub(crate) fn inner(&self) -> Arc<Scorer> {
        self.scorer()
    }

    /// Parses a batch, flat rows (`rows`) or JSON-contract records, without
    /// assessing: converted while attached, parsed with the GIL released. Lines
    /// count from 1.
    pub(crate) fn parse_batch(
        &self,
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        rows: bool,
    ) -> PyResult<Vec<Parsed>> {
        let scorer = self.scorer();
        let mut out = Vec::new();
        if rows {
            let jobs: Vec<RowJob> = items
                .try_iter()?
                .map(|item| item.map(|item| row_job(&item).0))
                .collect::<PyResult<_>>()?;
            py.detach(|| {
                for (i, job) in jobs.iter().enumerate() {
                    out.push(parse_row(&scorer, i as u64 + 1, job));
                }
            });
        } else {
            let jobs: Vec<Job> = items
                .try_iter()?
                .map(|item| item.map(|item| job_of(&item)))
                .collect::<PyResult<_>>()?;
            py.detach(|| {
                for (i, job) in jobs.iter().enumerate() {
                    out.push(parse_job(&scorer, i as u64 + 1, job));
                }
            });
        }
        Ok(out)
    }

    /// A scorer with another calibration and this one's policy, instruments and
    /// limits.
    pub(crate) fn with_calibration(
        &self,
        calibration: Calibration,
    ) -> Result<Self, dashrisk::ArtefactError> {
        let s = self.scorer();
        let mut scorer = Scorer::new(s.policy().clone(), calibration)?;
        for inst in s.instruments() {
            if Instrument::builtin_by_id(&inst.id).is_none() {
                scorer = scorer.with_instrument(inst.clone())?;
            }
        }
        scorer = scorer.with_limits(*s.limits())?;
        Ok(PyScorer {
            inner: RwLock::new(Arc::new(scorer)),
        })
    }
}

#[pymethods]
impl PyScorer {
    #[new]
    #[pyo3(
        signature = (policy = None, calibration = None, instruments = None),
        text_signature = "(policy=None, calibration=None, instruments=())"
    )]
    fn new(
        py: Python<'_>,
        policy: Option<&Bound<'_, PyAny>>,
        calibration: Option<&Bound<'_, PyAny>>,
        instruments: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let policy = policy
            .filter(|p| !p.is_none())
            .map(|p| artefact_text(py, p, "policy"))
            .transpose()?;
        let calibration = calibration
            .filter(|c| !c.is_none())
            .map(|c| artefact_text(py, c, "calibration"))
            .transpose()?;
        let mut texts = Vec::new();
        if let Some(list) = instruments.filter(|i| !i.is_none()) {
            if list.cast::<PyString>().is_ok()
                || list.cast::<PyDict>().is_ok()
                || list.cast::<PyMapping>().is_ok()
            {
                return Err(PyTypeError::new_err(
                    "instruments: expected a list of instruments (JSON texts or dicts), found a single one; wrap it in a list",
                ));
            }
            for (i, item) in list.try_iter()?.enumerate() {
                texts.push(artefact_text(py, &item?, &format!("instruments[{i}]"))?);
            }
        }
        let scorer = build_scorer(py, policy.as_deref(), calibration.as_deref(), &texts)?;
        // No case will be labelled parental conflict: say so once, as the CLI does.
        if let Some(why) = scorer.conflict_guarantee_problem() {
            let message = std::ffi::CString::new(why).unwrap_or_default();
            PyErr::warn(
                py,
                &py.get_type::<pyo3::exceptions::PyUserWarning>(),
                &message,
                1,
            )?;
        }
        Ok(PyScorer {
            inner: RwLock::new(scorer),
        })
    }

    /// Assesses one incident and returns the result as a plain dict: the same keys
    /// and values as the CLI's JSON output (`classification`, `p_abuse`,
    /// `risk_level`, `marac_referral`, `pathways`, `reasons`, …).
    ///
    /// `record` is one record of the JSON input contract, as a dict or as JSON text.
    /// A bad record raises `InputError` with a stable `code`, the `field` and the
    /// offending `value`.
    fn assess<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let scorer = self.scorer();
        let result = match job_of(record) {
            // The scorer's limits (size, depth) apply as for the CLI's lines.
            Job::Text(bytes) => match std::str::from_utf8(&bytes) {
                Ok(text) => scorer.parse_json(text).and_then(|a| scorer.assess(&a)),
                Err(_) => scorer.assess_json_line(1, &bytes).map_err(|e| e.error),
            },
            Job::Value(v) => scorer.parse_value(&v).and_then(|a| scorer.assess(&a)),
            Job::Failed(_, e) => Err(e),
        };
        match result {
            Ok(r) => to_py(py, &r),
            Err(e) => Err(input_error(py, &e)),
        }
    }

    /// "Ask next": the unanswered questions whose answer alone would change the
    /// classification, the risk level, the MARAC referral or a notification, most
    /// decisive first, as a list of dicts (`field`, `text`, `decides`, `yes_value`,
    /// `if_yes`, `no_value`, `if_no`), as `dashrisk assess --ask-next` writes them.
    /// Empty when no single answer would change anything. A bad record raises
    /// `InputError`, as `assess` does.
    fn ask_next<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let scorer = self.scorer();
        let parsed = match job_of(record) {
            Job::Text(bytes) => match std::str::from_utf8(&bytes) {
                Ok(text) => scorer.parse_json(text),
                Err(_) => scorer.parse_json_line(1, &bytes).map_err(|e| e.error),
            },
            Job::Value(v) => scorer.parse_value(&v),
            Job::Failed(_, e) => Err(e),
        };
        match parsed.and_then(|a| scorer.decisive_questions(&a)) {
            Ok(q) => to_py(py, &q),
            Err(e) => Err(input_error(py, &e)),
        }
    }

    /// Assesses many records (dicts or JSON texts) and returns one dict per record,
    /// in order.
    ///
    /// Never raises for a bad record: it becomes an error record exactly as the CLI
    /// writes it, `{"line": i, "id": ..., "error": {"code", "field", "value",
    /// "message"}}` with `i` counted from 1, and every other record is still
    /// assessed. Every item is a record: an empty or blank text is an
    /// `empty_input` error record (the CLI skips blank lines in a file). The GIL is
    /// released while records are assessed.
    fn assess_many<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        check_batch(records, "assess_many", "assess(record)")?;
        let scorer = self.scorer();
        let out = PyList::empty(py);
        let mut jobs = Vec::with_capacity(CHUNK);
        let mut line = 0u64;
        let mut first = 1u64;
        for item in records.try_iter()? {
            let item = item?;
            line += 1;
            jobs.push(job_of(&item));
            if jobs.len() == CHUNK {
                Self::flush_records(py, &scorer, &mut jobs, first, &out)?;
                first = line + 1;
            }
        }
        Self::flush_records(py, &scorer, &mut jobs, first, &out)?;
        Ok(out)
    }

    /// Assesses flat rows, as read from a CSV file or a DataFrame
    /// (`df.to_dict("records")`): columns `q1`…`q27`, `fear`, `power_imbalance`,
    /// `argument_frequency`, `resolution`, `children_exposed`, `recent_transitions`,
    /// `children_in_household`, `prior_incidents_12m`, `prior_incident_dates`,
    /// `incident_date`, `last_marac_date`, `officer_judgement`, `id`, `instrument`.
    ///
    /// Cells are read as the CSV text they stand for: `None`, NaN, `pd.NA`, `pd.NaT`
    /// and `""` mean not known (never no); `True`/`False` are `yes`/`no` in a
    /// question or screen-answer column and `true`/`false` in
    /// `children_in_household`; whole numbers may be ints, numpy ints or floats
    /// such as `2.0`; dates may be `datetime.date` or `pd.Timestamp`; lists fill
    /// the `;`-separated columns (`recent_transitions`, `prior_incident_dates`).
    /// Any other column passes through, untouched, under `"passthrough"`.
    ///
    /// Returns one dict per row, in order; a bad row becomes an error record
    /// (`line` counts rows from 1), as in `assess_many`, with its pass-through
    /// columns.
    fn assess_rows<'py>(
        &self,
        py: Python<'py>,
        rows: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        check_batch(rows, "assess_rows", "assess_rows([row])")?;
        let scorer = self.scorer();
        let out = PyList::empty(py);
        let mut jobs = Vec::with_capacity(CHUNK);
        let mut line = 0u64;
        let mut first = 1u64;
        for item in rows.try_iter()? {
            let item = item?;
            line += 1;
            jobs.push(row_job(&item));
            if jobs.len() == CHUNK {
                Self::flush_rows(py, &scorer, &mut jobs, first, &out)?;
                first = line + 1;
            }
        }
        Self::flush_rows(py, &scorer, &mut jobs, first, &out)?;
        Ok(out)
    }

    /// The instruments this scorer knows (built-in and custom), as dicts.
    fn instruments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, self.scorer().instruments())
    }

    /// One instrument by id, as a dict; raises `InputError` (code
    /// `unknown_instrument`) listing the known ids.
    fn instrument<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let scorer = self.scorer();
        let inst = scorer.instrument_for(id).map_err(|e| input_error(py, &e))?;
        to_py(py, inst)
    }

    /// The policy in force (thresholds), as a dict.
    fn policy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, self.scorer().policy())
    }

    /// The calibration in force (version, provenance, knots), as a dict.
    fn calibration<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.scorer().calibration().to_json())
    }

    /// The scorer's JSON artefacts: `{"policy": str, "calibration": str,
    /// "instruments": [str, ...]}` (custom instruments only).
    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = state_of(&self.scorer())?;
        let d = PyDict::new(py);
        d.set_item("policy", s.policy)?;
        d.set_item("calibration", s.calibration)?;
        d.set_item("instruments", s.instruments)?;
        Ok(d)
    }

    /// Rebuilds the scorer from the state `__getstate__` returned.
    fn __setstate__(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
            state.get_item(k).map_err(|_| {
                PyTypeError::new_err(format!("Scorer state: expected a dict with key {k:?}"))
            })
        };
        let policy = artefact_text(py, &get("policy")?, "policy")?;
        let calibration = artefact_text(py, &get("calibration")?, "calibration")?;
        let mut texts = Vec::new();
        for (i, item) in get("instruments")?.try_iter()?.enumerate() {
            texts.push(artefact_text(py, &item?, &format!("instruments[{i}]"))?);
        }
        let scorer = build_scorer(py, Some(&policy), Some(&calibration), &texts)?;
        *self.inner.write().unwrap_or_else(PoisonError::into_inner) = scorer;
        Ok(())
    }

    /// Pickles as `Scorer(policy_json, calibration_json, instruments_json)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let s = state_of(&slf.get().scorer())?;
        let cls: Bound<'py, PyType> = slf.get_type();
        let args = (s.policy, s.calibration, PyList::new(py, s.instruments)?);
        PyTuple::new(py, [cls.into_any(), args.into_pyobject(py)?.into_any()])
    }

    fn __repr__(&self) -> String {
        let s = self.scorer();
        let ids: Vec<String> = s
            .instruments()
            .iter()
            .map(|i| format!("{:?}", i.id))
            .collect();
        let policy = if *s.policy() == Policy::default() {
            "default"
        } else {
            "custom"
        };
        format!(
            "Scorer(policy={policy}, calibration={:?}, instruments=[{}])",
            s.calibration().version,
            ids.join(", ")
        )
    }
}
