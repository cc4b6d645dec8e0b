//! The comparison model's features for one record (`dashrisk_learn::featurise`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::synth::{generate, SynthParams};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let records: Vec<_> = generate(1_000, 42, &SynthParams::default())
        .into_iter()
        .map(|r| r.assessment)
        .collect();
    let mut group = c.benchmark_group("featurise");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function(BenchmarkId::new("one_record", records.len()), |b| {
        b.iter(|| {
            for a in &records {
                black_box(dashrisk_learn::featurise(a).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
