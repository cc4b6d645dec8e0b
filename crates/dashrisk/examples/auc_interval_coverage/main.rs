//! How often the AUC's 95% interval covers the true AUC, before (DeLong's Wald
//! interval, `auc ± 1.96 se` clipped to [0, 1]) and now (Newcombe's 2006 score
//! interval, method 5), with DeLong's se on the logit scale for comparison, on
//! seeded binormal scores: the review's six settings and fifteen more.
//!
//! `cargo run --release -p dashrisk --example auc_interval_coverage [REPLICATES] [SEED]`
//! (defaults 4,000 and 2006). docs/guide-evaluate.md, "How good are the AUC
//! intervals", shows a run. A replicate count of 4,000 puts the Monte-Carlo
//! standard error of a coverage near 0.95 at 0.0034 (0.007 near 0.75).

mod sim;

fn main() {
    let mut args = std::env::args().skip(1);
    let replicates: usize = args
        .next()
        .map(|s| s.parse().expect("REPLICATES is a whole number"))
        .unwrap_or(4_000);
    let seed: u64 = args
        .next()
        .map(|s| s.parse().expect("SEED is a whole number"))
        .unwrap_or(2006);
    println!("{replicates} replicates per row, seed {seed}. Coverage of the true AUC by the nominal 95% interval.");
    println!();
    println!("| m | n | true AUC | positives' sd | ties | Wald (before) | zero width | logit DeLong | undefined | Newcombe (now) | no interval | mean width: Wald | mean width: Newcombe |");
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (i, &s) in sim::SETTINGS.iter().enumerate() {
        let c = sim::run(s, replicates, seed, i as u64);
        assert_eq!(c.score_zero_width, 0.0, "never of zero width");
        println!(
            "| {} | {} | {:.3} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | **{:.3}** | {:.4} | {:.3} | {:.3} |",
            s.m,
            s.n,
            c.true_auc,
            if s.sd.fract() == 0.0 {
                format!("{}", s.sd)
            } else {
                format!("{:.3}", s.sd)
            },
            s.levels.map_or_else(|| "none".to_string(), |k| format!("{k} levels")),
            c.wald,
            c.wald_zero_width,
            c.logit,
            c.logit_undefined,
            c.score,
            c.score_none,
            c.wald_width,
            c.score_width
        );
    }
}
