//! A loop for profilers (`perf record`, `valgrind --tool=callgrind`): assesses the
//! same synthetic records again and again. Not a benchmark: benches/ times things.
//!
//! cargo run --release -p dashrisk --example profile_assess -- [RECORDS] [ROUNDS] [codes]
//!
//! `codes` assesses without the reason sentences (`AssessOptions`); `compact` with
//! `Scorer::assess_compact`; `text` with `Scorer::assess_compact_text`.

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let mode = args.next();
    let options = dashrisk::AssessOptions {
        reason_text: mode.is_none(),
    };
    let compact = mode.as_deref() == Some("compact");
    let text_mode = mode.as_deref() == Some("text");
    let mut text = String::new();
    let scorer = dashrisk::Scorer::default();
    let records: Vec<_> = dashrisk::synth::generate(n, 42, &Default::default())
        .into_iter()
        .map(|r| r.assessment)
        .collect();
    let mut unclear = 0usize;
    for _ in 0..rounds {
        for a in &records {
            let c = if text_mode {
                scorer
                    .assess_compact_text(a, &mut text)
                    .map(|r| r.classification)
            } else if compact {
                scorer.assess_compact(a).map(|r| r.classification)
            } else {
                scorer.assess_with(a, &options).map(|r| r.classification)
            };
            let c = c.expect("synthetic records assess");
            unclear += usize::from(c == dashrisk::Classification::Unclear);
        }
    }
    println!("{unclear} unclear results in {} assessments", n * rounds);
}
