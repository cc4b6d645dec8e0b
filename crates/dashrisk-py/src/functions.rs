//! Module functions: instruments, the default policy and the synthetic population.

use crate::convert::{json_loads, to_py};
use crate::default_scorer;
use crate::errors::{input_error, internal};
use dashrisk::synth::{Generator, SynthParams};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

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

/// The default policy (every threshold and weight) as a dict: edit it and pass it
/// back as `Scorer(policy=...)` (a dict or its JSON text). Changing the score
/// weights needs a calibration fitted for them.
#[pyfunction]
pub fn default_policy(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, default_scorer().policy())
}

/// A seeded SYNTHETIC population of `n` incidents: NOT real data, and results on it
/// say nothing about real people.
///
/// Each record is a dict in the JSON input contract (pass it to `Scorer.assess` or
/// `Scorer.assess_many`), with `meta` holding `synthetic` (True), `label_abuse` and
/// `label_serious_harm` (1 or 0). The same `seed` always gives the same records,
/// identical to `dashrisk synth --format jsonl --seed SEED` on the command line.
#[pyfunction]
#[pyo3(signature = (n, seed = 1))]
pub fn synth<'py>(py: Python<'py>, n: i64, seed: i64) -> PyResult<Bound<'py, PyList>> {
    let n = usize::try_from(n)
        .map_err(|_| PyValueError::new_err(format!("n must be 0 or more, not {n}")))?;
    let seed = u64::try_from(seed)
        .map_err(|_| PyValueError::new_err(format!("seed must be 0 or more, not {seed}")))?;
    let out = PyList::empty(py);
    let mut generator = Generator::new(seed, SynthParams::default());
    let mut done = 0usize;
    while done < n {
        let take = SYNTH_CHUNK.min(n - done);
        let start = done;
        let text = py
            .detach(|| -> Result<String, serde_json::Error> {
                let mut text = String::from("[");
                for i in start..start + take {
                    let r = generator.record(i);
                    let mut a = r.assessment;
                    a.meta = Some(serde_json::json!({
                        "synthetic": true,
                        "label_abuse": u8::from(r.abuse),
                        "label_serious_harm": u8::from(r.serious_harm),
                    }));
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
