//! A batch of 20,000 in-memory records assessed by `dashrisk::batch::assess` (codes
//! only) and `dashrisk::batch::assess_compact`, on one thread and on every core.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::synth::{generate, SynthParams};
use dashrisk::{batch, AssessOptions, Scorer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let scorer = Scorer::default();
    let records: Vec<_> = generate(20_000, 42, &SynthParams::default())
        .into_iter()
        .map(|r| r.assessment)
        .collect();
    let options = AssessOptions { reason_text: false };
    let mut group = c.benchmark_group("batch");
    group.sample_size(20);
    group.throughput(Throughput::Elements(records.len() as u64));
    for threads in [1, batch::threads()] {
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| black_box(batch::assess(&scorer, &records, &options, threads)))
        });
        group.bench_function(BenchmarkId::new("compact_threads", threads), |b| {
            b.iter(|| black_box(batch::assess_compact(&scorer, &records, threads)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
