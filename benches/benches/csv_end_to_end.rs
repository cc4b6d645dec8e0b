//! `dashrisk assess` on a CSV file in memory, end to end: decoding, CSV reading,
//! parsing, assessing on every core and CSV writing (default columns: reason codes),
//! through the command line's own reader (`dashrisk_cli::assess::run_reader_with`).
//! 100,000 `dashrisk synth` rows.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dashrisk::Scorer;
use dashrisk_cli::assess::{run_reader_with, OutputOptions};
use dashrisk_cli::Format;
use std::hint::black_box;
use std::io;

fn bench(c: &mut Criterion) {
    let n = 100_000;
    // The readers take a 'static reader: the text lives for the whole run.
    let csv: &'static str = Box::leak(dashrisk_benches::synth_csv(n, 42).into_boxed_str());
    let scorer = Scorer::default();
    let mut group = c.benchmark_group("csv_end_to_end");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    for (name, reason_text) in [("codes", false), ("reason_text", true)] {
        group.bench_function(BenchmarkId::new(name, n), |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(csv.len() * 2);
                let failed = run_reader_with(
                    &scorer,
                    Box::new(io::Cursor::new(csv.as_bytes())),
                    Format::Csv,
                    b',',
                    OutputOptions {
                        format: None,
                        reason_text,
                        extras: None,
                    },
                    &mut out,
                    &mut io::sink(),
                )
                .expect("in-memory run");
                assert_eq!(failed, 0);
                black_box(out.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
