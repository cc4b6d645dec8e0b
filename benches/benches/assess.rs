//! Throughput of the scorer: parsing and assessing records, one scenario per group.
//! Data are built outside the timed closures from a fixed seed.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::synth::{generate, SynthParams};
use dashrisk::Scorer;
use std::hint::black_box;

fn bench_assess(c: &mut Criterion) {
    let scorer = Scorer::default();
    let mut group = c.benchmark_group("assess");
    for n in [1_000usize, 10_000] {
        let records: Vec<_> = generate(n, 42, &SynthParams::default())
            .into_iter()
            .map(|r| r.assessment)
            .collect();
        let lines: Vec<String> = records
            .iter()
            .map(|a| serde_json::to_string(a).unwrap())
            .collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("typed", n), &records, |b, recs| {
            b.iter(|| {
                for a in recs {
                    black_box(scorer.assess(a).unwrap());
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("json_line", n), &lines, |b, lines| {
            b.iter(|| {
                for (i, l) in lines.iter().enumerate() {
                    black_box(scorer.assess_json_line(i as u64 + 1, l.as_bytes()).unwrap());
                }
            })
        });
    }
    group.finish();
}

fn bench_synth(c: &mut Criterion) {
    let mut group = c.benchmark_group("synth");
    group.throughput(Throughput::Elements(10_000));
    group.bench_function(BenchmarkId::new("generate", 10_000), |b| {
        b.iter(|| black_box(generate(10_000, 7, &SynthParams::default())))
    });
    group.finish();
}

criterion_group!(benches, bench_assess, bench_synth);
criterion_main!(benches);
