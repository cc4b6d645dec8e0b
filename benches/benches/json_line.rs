//! One JSON Lines line parsed (strict decoding: duplicate keys refused, depth
//! counted) and assessed, reasons included: `Scorer::assess_json_line`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::synth::{generate, SynthParams};
use dashrisk::Scorer;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let scorer = Scorer::default();
    let lines: Vec<String> = generate(1_000, 42, &SynthParams::default())
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
    group.bench_function(BenchmarkId::new("parse_only", lines.len()), |b| {
        b.iter(|| {
            for (i, l) in lines.iter().enumerate() {
                black_box(scorer.parse_json_line(i as u64 + 1, l.as_bytes()).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
