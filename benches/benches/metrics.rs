//! The metrics over 1,000,000 scores (`dashrisk::metrics`): ROC AUC with DeLong's
//! interval, average precision, Brier score, log loss, ECE, calibration slope and
//! intercept. Scores and labels from a fixed seed, made outside the timed closures.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::metrics;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(2006);
    let y: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.3).collect();
    let p: Vec<f64> = y
        .iter()
        .map(|&yi| {
            let z = if yi { 0.5 } else { -1.0 } + 2.0 * (rng.random::<f64>() - 0.5);
            1.0 / (1.0 + (-z).exp())
        })
        .collect();
    let mut group = c.benchmark_group("metrics");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("roc_auc_delong", n), |b| {
        b.iter(|| black_box(metrics::roc_auc_delong(&p, &y)))
    });
    group.bench_function(BenchmarkId::new("average_precision", n), |b| {
        b.iter(|| black_box(metrics::average_precision(&p, &y)))
    });
    group.bench_function(BenchmarkId::new("brier_log_loss_ece", n), |b| {
        b.iter(|| {
            black_box((
                metrics::brier(&p, &y),
                metrics::log_loss(&p, &y),
                metrics::ece(&p, &y),
            ))
        })
    });
    group.bench_function(BenchmarkId::new("calibration_slope_intercept", n), |b| {
        b.iter(|| {
            black_box((
                metrics::calibration_slope(&p, &y),
                metrics::calibration_intercept(&p, &y),
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
