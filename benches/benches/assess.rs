//! A single assessment of an in-memory record: `Scorer::assess_with` with the
//! reason sentences and without them (codes only), and `Scorer::assess_compact`
//! (every decision, reasons as codes, no allocation), and
//! `Scorer::assess_compact_text` (the same with the sentences written into one
//! kept string). Records come from the seeded
//! generator, built outside the timed closure; each iteration assesses 1,000
//! different records, and criterion reports the time per record (throughput).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::synth::{generate, SynthParams};
use dashrisk::{AssessOptions, Scorer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let scorer = Scorer::default();
    let records: Vec<_> = generate(1_000, 42, &SynthParams::default())
        .into_iter()
        .map(|r| r.assessment)
        .collect();
    let mut group = c.benchmark_group("assess");
    group.throughput(Throughput::Elements(records.len() as u64));
    for (name, reason_text) in [("with_reasons", true), ("codes_only", false)] {
        let options = AssessOptions { reason_text };
        group.bench_function(BenchmarkId::new(name, records.len()), |b| {
            b.iter(|| {
                for a in &records {
                    black_box(scorer.assess_with(a, &options).unwrap());
                }
            })
        });
    }
    group.bench_function(BenchmarkId::new("compact", records.len()), |b| {
        b.iter(|| {
            for a in &records {
                black_box(scorer.assess_compact(a).unwrap());
            }
        })
    });
    // Every decision with the sentences too, written into one kept string (what
    // `dashrisk assess --reasons text` writes into the CSV `reasons` cell).
    group.bench_function(BenchmarkId::new("compact_text", records.len()), |b| {
        let mut text = String::new();
        b.iter(|| {
            for a in &records {
                black_box(scorer.assess_compact_text(a, &mut text).unwrap());
                black_box(text.len());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
