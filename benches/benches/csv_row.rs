//! One CSV row (its cells as text) read under a prepared header and assessed:
//! `Scorer::assess_flat_row` (codes only), `Scorer::assess_flat_compact` (the
//! allocation-free path the CLI's CSV output and Python frames use) and
//! `Scorer::parse_flat_row` (parsing alone). The rows are `dashrisk synth` CSV.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::parse::FlatHeader;
use dashrisk::{AssessOptions, Scorer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let scorer = Scorer::default();
    let (header, rows) = dashrisk_benches::synth_csv_rows(1_000, 42);
    let header = FlatHeader::new(&header);
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let options = AssessOptions { reason_text: false };
    let mut group = c.benchmark_group("csv_row");
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function(BenchmarkId::new("parse_and_assess", rows.len()), |b| {
        b.iter(|| {
            for r in &rows {
                black_box(scorer.assess_flat_row(&header, r, &options).unwrap());
            }
        })
    });
    group.bench_function(BenchmarkId::new("compact", rows.len()), |b| {
        let mut scratch = dashrisk::parse::FlatScratch::new();
        b.iter(|| {
            for r in &rows {
                black_box(
                    scorer
                        .assess_flat_compact(&header, r, &mut scratch)
                        .unwrap(),
                );
            }
        })
    });
    group.bench_function(BenchmarkId::new("parse_only", rows.len()), |b| {
        b.iter(|| {
            for r in &rows {
                black_box(scorer.parse_flat_row(&header, r).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
