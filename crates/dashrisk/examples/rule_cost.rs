//! What the safety rules cost on the synthetic reference population: the share of
//! cases labelled parental conflict, the share of true conflict cases still routed
//! there, CSC notifications per 1,000 incidents, and true abuse labelled conflict.
//!
//! `cargo run --release -p dashrisk --example rule_cost [N] [SEED]`
//! (defaults: the reference population, 200,000 records from seed 2009).
//! Synthetic data: the figures say nothing about real people.

use dashrisk::synth::{Generator, SynthParams};
use dashrisk::{Classification, Scorer};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|s| s.parse().expect("N is a whole number"))
        .unwrap_or(dashrisk::REFERENCE_N);
    let seed: u64 = args
        .next()
        .map(|s| s.parse().expect("SEED is a whole number"))
        .unwrap_or(dashrisk::REFERENCE_SEED);
    let scorer = Scorer::default();
    let mut gen = Generator::new(seed, SynthParams::default());
    let (mut pc, mut csc, mut conflict_true, mut conflict_pc, mut abuse_true, mut abuse_pc) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    for i in 0..n {
        let rec = gen.record(i);
        let r = scorer
            .assess(&rec.assessment)
            .expect("synthetic records are valid");
        let is_pc = r.classification == Classification::ParentalConflict;
        pc += u64::from(is_pc);
        csc += u64::from(r.csc_notification);
        if rec.abuse {
            abuse_true += 1;
            abuse_pc += u64::from(is_pc);
        } else {
            conflict_true += 1;
            conflict_pc += u64::from(is_pc);
        }
    }
    let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "synthetic reference population: n={n} seed={seed} scorer={}",
        dashrisk::SCORER_VERSION
    );
    println!(
        "labelled parental_conflict: {pc} ({:.2}% of all)",
        pct(pc, n as u64)
    );
    println!(
        "true conflict cases labelled parental_conflict: {conflict_pc} of {conflict_true} ({:.2}%)",
        pct(conflict_pc, conflict_true)
    );
    println!(
        "true abuse cases labelled parental_conflict: {abuse_pc} of {abuse_true} ({:.3}%)",
        pct(abuse_pc, abuse_true)
    );
    println!(
        "CSC notifications per 1,000 incidents: {:.1}",
        1000.0 * csc as f64 / n as f64
    );
}
