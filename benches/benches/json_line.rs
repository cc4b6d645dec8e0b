//! One JSON Lines line, with a `meta` object as exports carry, parsed (strict
//! checks: repeated keys refused, depth counted) and assessed:
//! - `parse_and_assess`: `Scorer::assess_json_line`, the whole result with the
//!   reason sentences;
//! - `compact`: `Scorer::assess_json_compact`, read without a tree into a reused
//!   scratch and assessed on the compact path (reasons as codes); and
//!   `compact_no_meta`, the same on lines without `meta`;
//! - `parse_only` (the reader without a tree, into an `Assessment`) and
//!   `parse_only_strict` (the strict decoder's tree, then the record).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::parse::FlatScratch;
use dashrisk::synth::{generate, SynthParams};
use dashrisk::Scorer;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let scorer = Scorer::default();
    let lines: Vec<String> = generate(1_000, 42, &SynthParams::default())
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = serde_json::to_value(&r.assessment).unwrap();
            v["meta"] = serde_json::json!({
                "label_abuse": i % 2,
                "area": format!("area-{}", i % 5),
                "officer": format!("officer-{:03}", i % 60),
            });
            v.to_string()
        })
        .collect();
    // The same records as the record type writes them, with no meta (`"meta":
    // null`): the lines this benchmark measured before meta was added.
    let plain: Vec<String> = generate(1_000, 42, &SynthParams::default())
        .iter()
        .map(|r| serde_json::to_string(&r.assessment).unwrap())
        .collect();
    let mut group = c.benchmark_group("json_line");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function(BenchmarkId::new("parse_and_assess", lines.len()), |b| {
        b.iter(|| {
            for (i, l) in lines.iter().enumerate() {
                black_box(scorer.assess_json_line(i as u64 + 1, l.as_bytes()).unwrap());
            }
        })
    });
    group.bench_function(BenchmarkId::new("compact", lines.len()), |b| {
        let mut scratch = FlatScratch::new();
        b.iter(|| {
            for (i, l) in lines.iter().enumerate() {
                black_box(
                    scorer
                        .assess_json_compact(i as u64 + 1, l.as_bytes(), &mut scratch)
                        .unwrap(),
                );
            }
        })
    });
    group.bench_function(BenchmarkId::new("compact_no_meta", plain.len()), |b| {
        let mut scratch = FlatScratch::new();
        b.iter(|| {
            for (i, l) in plain.iter().enumerate() {
                black_box(
                    scorer
                        .assess_json_compact(i as u64 + 1, l.as_bytes(), &mut scratch)
                        .unwrap(),
                );
            }
        })
    });
    group.bench_function(BenchmarkId::new("parse_only", lines.len()), |b| {
        b.iter(|| {
            for (i, l) in lines.iter().enumerate() {
                black_box(scorer.parse_json_line(i as u64 + 1, l.as_bytes()).unwrap());
            }
        })
    });
    group.bench_function(BenchmarkId::new("parse_only_strict", lines.len()), |b| {
        b.iter(|| {
            for (i, l) in lines.iter().enumerate() {
                black_box(
                    scorer
                        .parse_json_line_strict(i as u64 + 1, l.as_bytes())
                        .unwrap(),
                );
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
