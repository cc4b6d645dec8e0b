//! The seeded generator: 10,000 synthetic records.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::synth::{generate, SynthParams};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("synth");
    group.throughput(Throughput::Elements(10_000));
    group.bench_function(BenchmarkId::new("generate", 10_000), |b| {
        b.iter(|| black_box(generate(10_000, 7, &SynthParams::default())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
