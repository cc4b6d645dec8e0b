//! The comparison model's probability for one record
//! (`LogisticModel::probability`: featurise and a dot product), trained once on
//! 5,000 synthetic records outside the timed closure.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::synth::{generate, SynthParams};
use dashrisk_learn::{LogisticParams, ParamGuard, TrainingSet};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let data = generate(5_000, 7, &SynthParams::default());
    let records: Vec<_> = data.iter().map(|r| r.assessment.clone()).collect();
    let labels: Vec<bool> = data.iter().map(|r| r.abuse).collect();
    let set = TrainingSet::from_assessments(&records, &labels, "label_abuse", "synth", true)
        .expect("synthetic records featurise");
    let model = LogisticParams::new()
        .check()
        .expect("default parameters")
        .fit(&set)
        .expect("converges");
    let sample = &records[..1_000];
    let mut group = c.benchmark_group("learn_predict");
    group.throughput(Throughput::Elements(sample.len() as u64));
    group.bench_function(BenchmarkId::new("probability", sample.len()), |b| {
        b.iter(|| {
            for a in sample {
                black_box(model.probability(a).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
