//! What the safety rules cost on the synthetic reference population: the share of
//! cases labelled parental conflict, the share of true conflict cases still routed
//! there (and still eligible under the rules), CSC notifications per 1,000
//! incidents, true abuse labelled conflict, and which rule of safety rules v2 took
//! how many conflict labels away (rules 2.1: a blocker item not known or declined
//! also blocks).
//!
//! `cargo run --release -p dashrisk --example rule_cost [N] [SEED]`
//! (defaults: the reference population, 200,000 records from seed 2009).
//! **Synthetic data**: the figures say nothing about real people. docs/grading.md,
//! "What the rules cost", reports a run.

use dashrisk::grading::{self, Check};
use dashrisk::instrument::{Gate, Marker};
use dashrisk::synth::{Generator, SynthParams};
use dashrisk::{Answer, Classification, ConflictBlocker, RiskLevel, Scorer};

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
    let gp = &scorer.policy().grading;
    let conflict_max = scorer.conflict_threshold();
    let mut gen = Generator::new(seed, SynthParams::default());
    let mut c = Counts::default();
    for i in 0..n {
        let rec = gen.record(i);
        let a = &rec.assessment;
        let r = scorer.assess(a).expect("synthetic records are valid");
        let inst = scorer.instrument(&a.instrument).expect("built-in form");
        let is_pc = r.classification == Classification::ParentalConflict;
        c.pc += u64::from(is_pc);
        c.csc += u64::from(r.csc_notification);
        if rec.abuse {
            c.abuse += 1;
            c.abuse_pc += u64::from(is_pc);
        } else {
            c.conflict += 1;
            c.conflict_pc += u64::from(is_pc);
            c.conflict_prior += u64::from(a.context.prior_incidents_12m.unwrap_or(0) > 0);
            // Eligible: the recorded answers leave conflict open under the rules
            // (every gate and blocker item "no", no earlier abuse).
            let eligible = !r.conflict_blockers.iter().any(|b| {
                matches!(
                    b,
                    ConflictBlocker::SafetyGate
                        | ConflictBlocker::GateItemUnanswered
                        | ConflictBlocker::AbuseEvidence
                        | ConflictBlocker::EarlierAbuse
                )
            });
            c.conflict_eligible += u64::from(eligible);
        }
        // Would the rules before v2 have given parental conflict? No gate fired,
        // fear and power items and the screen answered no, a low estimate, a
        // standard level, no MARAC criterion met outright and no MARAC history.
        let yes = |g: Gate| {
            inst.questions
                .iter()
                .any(|q| q.fires(g) && a.answer(&q.id) == Answer::Yes)
        };
        let fear_power_no = inst
            .questions
            .iter()
            .filter(|q| q.fires(Gate::Fear) || q.fires(Gate::PowerImbalance))
            .all(|q| a.answer(&q.id) == Answer::No)
            && a.conflict_screen.fear == Answer::No
            && a.conflict_screen.power_imbalance == Answer::No;
        let escalation = grading::escalation(gp, &a.context);
        let repeat = grading::repeat_marac(gp, &a.context);
        let old_marac = r.yes_count >= gp.high_from
            || a.officer_judgement == Some(RiskLevel::High)
            || escalation == Check::Met
            || repeat == Check::Met;
        let old_pc = !(yes(Gate::Fear) || yes(Gate::PowerImbalance) || yes(Gate::Harm))
            && fear_power_no
            && r.p_abuse.is_some_and(|p| p < conflict_max)
            && r.risk_level == RiskLevel::Standard
            && !old_marac
            && a.context.last_marac_date.is_none();
        if old_pc && !is_pc {
            c.removed += 1;
            let harm_unanswered = inst
                .questions
                .iter()
                .any(|q| q.fires(Gate::Harm) && a.answer(&q.id).is_unknown());
            let blocker_yes = inst
                .questions
                .iter()
                .any(|q| q.has(Marker::BlocksConflict) && a.answer(&q.id) == Answer::Yes);
            let blocker_unanswered = inst.questions.iter().any(|q| {
                q.has(Marker::BlocksConflict) && !q.is_gate_item() && a.answer(&q.id).is_unknown()
            });
            let earlier = grading::earlier_abuse(gp, &a.context);
            let on_records = escalation == Check::MetOnRecords || repeat == Check::MetOnRecords;
            let rules = [
                harm_unanswered,
                blocker_yes,
                blocker_unanswered,
                earlier,
                on_records,
            ];
            for (k, &applies) in rules.iter().enumerate() {
                if applies {
                    c.by_rule[k] += 1;
                    if rules.iter().filter(|&&x| x).count() == 1 {
                        c.sole[k] += 1;
                    }
                }
            }
        }
    }
    let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "SYNTHETIC reference population: n={n} seed={seed} generator={} scorer={} calibration={}",
        dashrisk::synth::GENERATOR_VERSION,
        dashrisk::SCORER_VERSION,
        scorer.calibration().version
    );
    println!(
        "labelled parental_conflict: {} ({:.2}% of all)",
        c.pc,
        pct(c.pc, n as u64)
    );
    println!(
        "true conflict cases labelled parental_conflict: {} of {} ({:.2}%)",
        c.conflict_pc,
        c.conflict,
        pct(c.conflict_pc, c.conflict)
    );
    println!(
        "true conflict cases still eligible (every gate and blocker item no, no earlier abuse): {} ({:.2}%)",
        c.conflict_eligible,
        pct(c.conflict_eligible, c.conflict)
    );
    println!(
        "true abuse cases labelled parental_conflict: {} of {} ({:.3}%)",
        c.abuse_pc,
        c.abuse,
        pct(c.abuse_pc, c.abuse)
    );
    println!(
        "CSC notifications per 1,000 incidents: {:.1}",
        1000.0 * c.csc as f64 / n as f64
    );
    println!(
        "true conflict cases carrying an earlier abuse incident (generator): {} ({:.2}%)",
        c.conflict_prior,
        pct(c.conflict_prior, c.conflict)
    );
    println!(
        "conflict labels the rules before v2 would give and v2 does not: {}",
        c.removed
    );
    for (k, name) in [
        "rule 2, harm item not known or declined",
        "rule 1, blocker item answered yes",
        "rule 1 (2.1), blocker item not known or declined",
        "rule 3, earlier abuse incident",
        "rule 10, MARAC criterion met on records",
    ]
    .iter()
    .enumerate()
    {
        println!(
            "  {name}: {} (the only reason in {})",
            c.by_rule[k], c.sole[k]
        );
    }
}

#[derive(Default)]
struct Counts {
    pc: u64,
    csc: u64,
    abuse: u64,
    abuse_pc: u64,
    conflict: u64,
    conflict_pc: u64,
    conflict_eligible: u64,
    conflict_prior: u64,
    removed: u64,
    by_rule: [u64; 5],
    sole: [u64; 5],
}
