//! Training time of dashrisk-learn's logistic regression (linfa-logistic, L-BFGS).
//!
//! Two modes:
//! - `cargo bench -p dashrisk-benches --bench learn_fit`: a criterion benchmark on
//!   seeded Gaussian data (10,000 × 100), data built outside the timed closure.
//! - With `DASHRISK_LEARN_BENCH_DATA=DIR` (set by `benches/learn_vs_sklearn.py`):
//!   reads `DIR/x.f64` (row-major little-endian f64), `DIR/y.u8` and `DIR/meta.json`
//!   (`n`, `p`, `C`, `tol`, `max_iter`, `repeats`, `layout`: `"c"` keeps the matrix
//!   row-major, `"f"` makes a column-major copy before timing), times that many
//!   single fits (wall clock, and the thread's CPU time where Linux reports it) and
//!   writes `DIR/rust.json` with the times and the coefficients, so the script can
//!   check both tools reached the same optimum before comparing times.

use criterion::{BenchmarkId, Criterion, Throughput};
use dashrisk_learn::{LogisticParams, ParamGuard};
use ndarray::{Array2, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

fn gaussian(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<bool>) {
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
            let z: f64 = r
                .iter()
                .enumerate()
                .map(|(j, v)| v * if j % 3 == 0 { 0.3 } else { -0.1 })
                .sum::<f64>()
                - 1.0;
            rng.random::<f64>() < 1.0 / (1.0 + (-z).exp())
        })
        .collect();
    (x, y)
}

fn criterion_mode() {
    let mut c = Criterion::default().configure_from_args().sample_size(10);
    let mut group = c.benchmark_group("learn_fit");
    let params = LogisticParams::new().check().expect("default parameters");
    let (n, p) = (10_000usize, 100usize);
    let (x, y) = gaussian(n, p, 2009);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(
        BenchmarkId::new("logistic_lbfgs", format!("{n}x{p}")),
        |b| b.iter(|| params.fit_arrays(x.view(), &y).expect("converges")),
    );
    group.finish();
    c.final_summary();
}

/// CPU time of this thread in seconds (Linux: `/proc/thread-self/schedstat`, in
/// nanoseconds), so that a busy machine does not count against the fit.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? * 1e-9)
}

fn compare_mode(dir: &str) {
    let dir = std::path::Path::new(dir);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).expect("meta.json"))
            .expect("meta.json is JSON");
    let get = |k: &str| meta[k].as_f64().unwrap_or_else(|| panic!("meta.json: {k}"));
    let (n, p) = (get("n") as usize, get("p") as usize);
    let bytes = std::fs::read(dir.join("x.f64")).expect("x.f64");
    assert_eq!(bytes.len(), n * p * 8, "x.f64 holds n × p f64");
    let flat: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    let x = Array2::from_shape_vec((n, p), flat).expect("shape");
    let x = match meta["layout"].as_str().unwrap_or("c") {
        "c" => x,
        "f" => {
            let mut f = Array2::zeros((n, p).f());
            f.assign(&x);
            f
        }
        other => panic!("meta.json: layout {other:?} is not \"c\" or \"f\""),
    };
    let y: Vec<bool> = std::fs::read(dir.join("y.u8"))
        .expect("y.u8")
        .into_iter()
        .map(|b| b == 1)
        .collect();
    let params = LogisticParams::new()
        .alpha(1.0 / get("C"))
        .tolerance(get("tol"))
        .max_iterations(get("max_iter") as u64)
        .check()
        .expect("parameters");
    let mut seconds = Vec::new();
    let mut cpu_seconds = Vec::new();
    let mut fit = None;
    for _ in 0..get("repeats") as usize {
        let c = thread_cpu_seconds();
        let t = Instant::now();
        let f = params.fit_arrays(x.view(), &y).expect("converges");
        seconds.push(t.elapsed().as_secs_f64());
        if let (Some(c0), Some(c1)) = (c, thread_cpu_seconds()) {
            cpu_seconds.push(c1 - c0);
        }
        fit = Some(f);
    }
    let fit = fit.expect("at least one repeat");
    let out = serde_json::json!({
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "coef": fit.coefficients,
        "intercept": fit.intercept,
        "gradient_norm": fit.diagnostics.gradient_norm,
    });
    std::fs::write(dir.join("rust.json"), out.to_string()).expect("write rust.json");
}

fn main() {
    match std::env::var("DASHRISK_LEARN_BENCH_DATA") {
        Ok(dir) => compare_mode(&dir),
        Err(_) => criterion_mode(),
    }
}
