//! Small-cell suppression, checked on what a reader gets: the JSON, the text table
//! and the HTML page of real summaries of random call-outs.
//!
//! 1. No output shows a count from 1 to `min_cell - 1`.
//! 2. No withheld count, and no small implied count (such as the call-outs *not*
//!    referred), can be worked back exactly from the published counts. The reader's
//!    knowledge is rebuilt here from the documented meaning of the figures (not from
//!    the suppression code's own relations): classifications, risk levels and
//!    children add up to the call-outs; transitions add up to the parental-conflict
//!    cases; every other figure is a part of its base; figures the scorer's rules
//!    make equal are equal; and the breakdown rows add up to the overall row. A
//!    withheld count is determined if its unit vector lies in the row space of those
//!    equations (Gaussian elimination, below).
//!    The reader also knows the scorer's rules (crates/dashrisk/src/stage/pathways.rs,
//!    safeguarding.rs, decision.rs and grading.rs), which tie the figures together
//!    through counts that are not published (the unclear call-outs at standard risk
//!    are the standard ones minus parental conflict minus victim support): these are
//!    [`RULES`], over the conjunctions of [`conjunctions`], counted here from the
//!    records.
//! 3. No set of withheld counts in one sum adds up to a small count.

use dashrisk::synth::{Generator, SynthParams};
use dashrisk::Transition;
use dashrisk::{Classification, CompactResult, MaracCriterion, Pathway, RiskLevel, Scorer};
use dashrisk_report::{render, Options, RowKey, Summary, Tally};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::HashMap;

/// Counts of the conjunctions of [`conjunctions`], per breakdown row (`None`: overall).
type Conj = HashMap<Option<RowKey>, HashMap<&'static str, u64>>;

/// The unpublished counts the rules tie the figures together through, from one
/// result: name and whether the call-out is in it.
fn conjunctions(
    r: &CompactResult,
    transitions: Option<&[Transition]>,
) -> Vec<(&'static str, bool)> {
    use Classification::*;
    use RiskLevel::*;
    let c = r.classification;
    let l = r.risk_level;
    let eh = r.pathways.contains(Pathway::EarlyHelp);
    let csc = r.csc_notification;
    let vhr = r.marac_criteria.contains(MaracCriterion::VisibleHighRisk);
    let pj = r
        .marac_criteria
        .contains(MaracCriterion::ProfessionalJudgement);
    let marac = r.marac_referral;
    let pc = c == ParentalConflict;
    let any = pc && transitions.is_some_and(|t| !t.is_empty());
    let has = |t: Transition| any && transitions.is_some_and(|ts| ts.contains(&t));
    vec![
        ("pc_standard", pc && l == Standard),
        ("pc_medium", pc && l == Medium),
        ("pc_high", pc && l == High),
        ("unclear_standard", c == Unclear && l == Standard),
        ("unclear_medium", c == Unclear && l == Medium),
        ("unclear_high", c == Unclear && l == High),
        ("abuse_standard", c == DomesticAbuse && l == Standard),
        ("abuse_medium", c == DomesticAbuse && l == Medium),
        ("abuse_high", c == DomesticAbuse && l == High),
        ("early_help_pc", eh && pc),
        ("early_help_unclear", eh && c == Unclear),
        ("early_help_abuse", eh && c == DomesticAbuse),
        ("pc_no_early_help", pc && !eh),
        ("unclear_no_early_help", c == Unclear && !eh),
        ("csc_pc", csc && pc),
        ("csc_unclear", csc && c == Unclear),
        ("csc_abuse", csc && c == DomesticAbuse),
        ("unclear_no_csc", c == Unclear && !csc),
        ("abuse_no_csc", c == DomesticAbuse && !csc),
        ("csc_no_school", csc && !r.school_notification),
        ("school_no_csc", r.school_notification && !csc),
        ("visible_and_judgement", vhr && pj),
        ("visible_not_judgement", vhr && !pj),
        ("judgement_not_visible", pj && !vhr),
        ("high_no_marac", l == High && !marac),
        ("marac_not_high", marac && l != High),
        ("marac_not_visible", marac && !vhr),
        ("marac_not_judgement", marac && !pj),
        (
            "marac_not_escalation",
            marac
                && !r
                    .marac_criteria
                    .contains(MaracCriterion::PotentialEscalation),
        ),
        (
            "marac_not_repeat",
            marac && !r.marac_criteria.contains(MaracCriterion::RepeatMarac),
        ),
        ("any_not_separation", any && !has(Transition::Separation)),
        ("any_not_new_baby", any && !has(Transition::NewBaby)),
        ("any_not_bereavement", any && !has(Transition::Bereavement)),
        (
            "any_not_child_starting_school",
            any && !has(Transition::ChildStartingSchool),
        ),
        (
            "any_not_economic_pressure",
            any && !has(Transition::EconomicPressure),
        ),
    ]
}

/// Conjunctions the rules make empty: parental conflict needs a standard grade and
/// no MARAC criterion (decision.rs), so no notification either (safeguarding.rs);
/// Early Help is for unclear and conflict cases (pathways.rs); a school notice
/// needs a CSC notification; a high grade is a MARAC criterion (grading.rs).
const EMPTY: [&str; 6] = [
    "pc_medium",
    "pc_high",
    "early_help_abuse",
    "csc_pc",
    "school_no_csc",
    "high_no_marac",
];

/// The rules as sums (total = parts), over figure keys and conjunctions (`&`).
const RULES: &[(&str, &[&str])] = &[
    (
        "classification.parental_conflict",
        &["&pc_standard", "&pc_medium", "&pc_high"],
    ),
    (
        "classification.unclear",
        &["&unclear_standard", "&unclear_medium", "&unclear_high"],
    ),
    (
        "classification.domestic_abuse",
        &["&abuse_standard", "&abuse_medium", "&abuse_high"],
    ),
    (
        "risk_level.standard",
        &["&pc_standard", "&unclear_standard", "&abuse_standard"],
    ),
    (
        "risk_level.medium",
        &["&pc_medium", "&unclear_medium", "&abuse_medium"],
    ),
    (
        "risk_level.high",
        &["&pc_high", "&unclear_high", "&abuse_high"],
    ),
    // pathways.rs: specialist support on a medium grade for abuse and unclear;
    // victim support on a standard grade for abuse.
    (
        "pathway.specialist_da_service",
        &["&unclear_medium", "&abuse_medium"],
    ),
    ("pathway.victim_support", &["&abuse_standard"]),
    (
        "pathway.early_help",
        &["&early_help_pc", "&early_help_unclear", "&early_help_abuse"],
    ),
    (
        "classification.parental_conflict",
        &["&early_help_pc", "&pc_no_early_help"],
    ),
    (
        "classification.unclear",
        &["&early_help_unclear", "&unclear_no_early_help"],
    ),
    (
        "csc_notification",
        &["&csc_pc", "&csc_unclear", "&csc_abuse"],
    ),
    (
        "classification.unclear",
        &["&csc_unclear", "&unclear_no_csc"],
    ),
    (
        "classification.domestic_abuse",
        &["&csc_abuse", "&abuse_no_csc"],
    ),
    (
        "csc_notification",
        &["school_notification", "&csc_no_school", "-&school_no_csc"],
    ),
    // grading.rs: high on the yes-count or the officer's judgement, each a criterion.
    (
        "risk_level.high",
        &[
            "&visible_and_judgement",
            "&visible_not_judgement",
            "&judgement_not_visible",
        ],
    ),
    (
        "marac_criterion.visible_high_risk",
        &["&visible_and_judgement", "&visible_not_judgement"],
    ),
    (
        "marac_criterion.professional_judgement",
        &["&visible_and_judgement", "&judgement_not_visible"],
    ),
    (
        "marac_referral",
        &["risk_level.high", "&marac_not_high", "-&high_no_marac"],
    ),
    (
        "marac_referral",
        &["marac_criterion.visible_high_risk", "&marac_not_visible"],
    ),
    (
        "marac_referral",
        &[
            "marac_criterion.professional_judgement",
            "&marac_not_judgement",
        ],
    ),
    (
        "marac_referral",
        &[
            "marac_criterion.potential_escalation",
            "&marac_not_escalation",
        ],
    ),
    (
        "marac_referral",
        &["marac_criterion.repeat_marac", "&marac_not_repeat"],
    ),
    ("pathway.marac", &["marac_referral", "&high_no_marac"]),
    ("pathway.idva", &["pathway.marac"]),
    ("pathway.management_oversight", &["classification.unclear"]),
    ("pathway.rpc_support", &["classification.parental_conflict"]),
    ("pathway.childrens_social_care", &["csc_notification"]),
    ("pathway.operation_encompass", &["school_notification"]),
    (
        "transitions.any",
        &["transition.separation", "&any_not_separation"],
    ),
    (
        "transitions.any",
        &["transition.new_baby", "&any_not_new_baby"],
    ),
    (
        "transitions.any",
        &["transition.bereavement", "&any_not_bereavement"],
    ),
    (
        "transitions.any",
        &[
            "transition.child_starting_school",
            "&any_not_child_starting_school",
        ],
    ),
    (
        "transitions.any",
        &["transition.economic_pressure", "&any_not_economic_pressure"],
    ),
];

fn tally(n: usize, seed: u64, p_abuse: f64, groups: &[u8], periods: u8) -> Tally {
    tally_conj(n, seed, p_abuse, groups, periods).0
}

fn tally_conj(n: usize, seed: u64, p_abuse: f64, groups: &[u8], periods: u8) -> (Tally, Conj) {
    let scorer = Scorer::default();
    let params = SynthParams {
        p_abuse,
        ..SynthParams::default()
    };
    let mut g = Generator::new(seed, params);
    let mut t = Tally::new();
    let mut conj: Conj = HashMap::new();
    for i in 0..n {
        let rec = g.record(i);
        let a = rec.assessment;
        let r = scorer.assess_compact(&a).expect("synthetic records assess");
        let open = if r.classification == Classification::Unclear {
            scorer.unanswered_gate_questions(&a).unwrap()
        } else {
            Vec::new()
        };
        let key = RowKey {
            group: vec![format!("g{}", groups[i % groups.len()])],
            period: (periods > 0).then(|| format!("p{}", (i * 7 + 3) % usize::from(periods))),
        };
        for (name, is) in conjunctions(&r, a.conflict_screen.recent_transitions.as_deref()) {
            for row in [None, Some(key.clone())] {
                *conj.entry(row).or_default().entry(name).or_default() += u64::from(is);
            }
        }
        t.add(key, &a, &r, &open);
    }
    (t, conj)
}

fn options(min_cell: u64, breakdown: bool, periods: bool) -> Options {
    Options {
        group_by: if breakdown {
            vec!["area".into()]
        } else {
            vec![]
        },
        period: periods.then(|| (dashrisk_report::Period::Month, "incident_date".into())),
        min_cell,
        synthetic: true,
        source: "test".into(),
        scorer_version: "test".into(),
        calibration_version: "test".into(),
    }
}

/// Every published count: (row, figure key) -> count or None.
fn counts(j: &Value) -> Vec<HashMap<String, Option<u64>>> {
    let row = |r: &Value| {
        r["figures"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v["count"].as_u64()))
            .collect::<HashMap<_, _>>()
    };
    let mut out = vec![row(&j["overall"])];
    out.extend(j["breakdown"].as_array().unwrap().iter().map(row));
    out
}

/// A linear system over unknowns: each equation is coefficients by unknown and a
/// constant (sum of coef * x = constant).
struct System {
    n: usize,
    rows: Vec<(Vec<(usize, f64)>, f64)>,
}

/// Which unknowns are determined by the equations (RREF; a pivot whose row has no
/// free-column entries is determined).
fn determined(sys: &System) -> Vec<bool> {
    let mut m: Vec<Vec<f64>> = sys
        .rows
        .iter()
        .map(|(coefs, _)| {
            let mut r = vec![0.0; sys.n];
            for &(i, c) in coefs {
                r[i] += c;
            }
            r
        })
        .collect();
    let mut pivots: Vec<(usize, usize)> = Vec::new(); // (row, col)
    let mut row = 0;
    for col in 0..sys.n {
        let Some(p) = (row..m.len()).find(|&r| m[r][col].abs() > 1e-9) else {
            continue;
        };
        m.swap(row, p);
        let pv = m[row][col];
        for x in m[row].iter_mut() {
            *x /= pv;
        }
        for r in 0..m.len() {
            if r != row && m[r][col].abs() > 1e-9 {
                let f = m[r][col];
                let (src, dst) = if r < row {
                    let (a, b) = m.split_at_mut(row);
                    (&b[0], &mut a[r])
                } else {
                    let (a, b) = m.split_at_mut(r);
                    (&a[row], &mut b[0])
                };
                for (d, s) in dst.iter_mut().zip(src.iter()) {
                    *d -= f * s;
                }
            }
        }
        pivots.push((row, col));
        row += 1;
        if row == m.len() {
            break;
        }
    }
    let pivot_cols: std::collections::HashSet<usize> = pivots.iter().map(|p| p.1).collect();
    let mut det = vec![false; sys.n];
    for (r, c) in pivots {
        det[c] = (0..sys.n).all(|j| j == c || pivot_cols.contains(&j) || m[r][j].abs() < 1e-9);
    }
    det
}

/// Checks the three properties on a summary (`truth` is the same summary with no
/// suppression).
fn check(s: &Summary, truth: &Summary, conj: &Conj) -> Result<(), TestCaseError> {
    let min = s.options.min_cell;
    let j = render::json(s);
    let jt = render::json(truth);
    let shown = counts(&j);
    let real = counts(&jt);
    let small = |v: u64| v >= 1 && v < min;
    // 1. JSON.
    for row in &shown {
        for (k, v) in row {
            if let Some(v) = v {
                prop_assert!(!small(*v), "JSON shows {k} = {v} with min_cell {min}");
            }
        }
    }
    if let Some(e) = j["records_with_errors"].as_u64() {
        prop_assert!(!small(e));
    }
    // 1. Text: the count column of every figure line, and every breakdown count.
    let text = render::text(s);
    let mut in_breakdown = false;
    for line in text.lines() {
        if line.starts_with("Breakdown") {
            in_breakdown = true;
            continue;
        }
        if !line.starts_with("  ") || line.trim_start().starts_with("group / period") {
            continue;
        }
        let toks: Vec<&str> = line.split_whitespace().collect();
        let count_toks: Vec<&str> = if in_breakdown {
            toks[toks.len().saturating_sub(8)..].to_vec()
        } else if toks.len() >= 2 {
            vec![toks[toks.len() - 2]]
        } else {
            vec![]
        };
        for t in count_toks {
            if let Ok(v) = t.parse::<u64>() {
                prop_assert!(!small(v), "text shows {v}: {line:?}");
            }
        }
    }
    // 1. HTML: every count cell.
    let html = render::html(s);
    for cell in html.split("<td class=\"n\">").skip(1) {
        let v = &cell[..cell.find('<').unwrap()];
        if let Ok(v) = v.parse::<u64>() {
            prop_assert!(!small(v), "HTML shows {v}");
        }
    }
    // 2. Work-back. Unknowns: withheld counts and every implied complement.
    let figures: Vec<(String, String)> = j["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_string(),
                f["denominator"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let base_key = |d: &str| match d {
        "call_outs" => "call_outs",
        "parental_conflict" => "classification.parental_conflict",
        "unclear" => "classification.unclear",
        other => panic!("denominator {other}"),
    };
    let in_partition = |k: &str| {
        k.starts_with("classification.")
            || k.starts_with("recording_category.")
            || k.starts_with("risk_level.")
            || k.starts_with("children_in_household.")
            || k.starts_with("transitions.")
            || k == "call_outs"
    };
    let mut unknown: HashMap<(usize, String), usize> = HashMap::new();
    let mut truth_of: Vec<u64> = Vec::new();
    let mut withheld: Vec<bool> = Vec::new();
    // A term: a known value or an unknown index.
    enum T {
        K(f64),
        U(usize),
    }
    let row_key = |r: usize| (r > 0).then(|| s.rows[r - 1].key.clone().unwrap());
    let mut term = |r: usize, k: &str, complement: bool| -> T {
        if let Some(c) = k.strip_prefix('&') {
            let value = conj[&row_key(r)][c];
            if EMPTY.contains(&c) {
                assert_eq!(value, 0, "the rules make {c} empty");
                return T::K(0.0);
            }
            let next = truth_of.len();
            let id = *unknown.entry((r, k.to_string())).or_insert(next);
            if id == next {
                truth_of.push(value);
                withheld.push(false);
            }
            return T::U(id);
        }
        let name = if complement {
            format!("not:{k}")
        } else {
            k.to_string()
        };
        if !complement {
            if let Some(v) = shown[r][k] {
                return T::K(v as f64);
            }
        }
        let next = truth_of.len();
        let id = *unknown.entry((r, name)).or_insert(next);
        if id == next {
            let t = real[r][k].unwrap();
            let value = if complement {
                let (_, d) = figures.iter().find(|(f, _)| f == k).unwrap();
                real[r][base_key(d)].unwrap() - t
            } else {
                t
            };
            truth_of.push(value);
            withheld.push(!complement);
        }
        T::U(id)
    };
    // Equations: total = sum(parts), as (terms with +1/-1).
    let mut eqs: Vec<Vec<(T, f64)>> = Vec::new();
    let rows = shown.len();
    let sum_eq = |total: T, parts: Vec<T>| {
        let mut e = vec![(total, 1.0)];
        e.extend(parts.into_iter().map(|p| (p, -1.0)));
        e
    };
    #[allow(clippy::needless_range_loop)] // r indexes shown and real, and names the row
    for r in 0..rows {
        for prefix in ["classification.", "risk_level.", "children_in_household."] {
            let parts: Vec<T> = figures
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(k, _)| term(r, k, false))
                .collect();
            eqs.push(sum_eq(term(r, "call_outs", false), parts));
        }
        let parts = [
            "transitions.any",
            "transitions.none",
            "transitions.not_known",
        ]
        .iter()
        .map(|k| term(r, k, false))
        .collect();
        eqs.push(sum_eq(
            term(r, "classification.parental_conflict", false),
            parts,
        ));
        for (a, b) in [
            (
                "recording_category.parental_conflict",
                "classification.parental_conflict",
            ),
            (
                "recording_category.domestic_incident_under_review",
                "classification.unclear",
            ),
            (
                "recording_category.domestic_abuse",
                "classification.domestic_abuse",
            ),
            ("pathway.childrens_social_care", "csc_notification"),
            ("pathway.operation_encompass", "school_notification"),
            ("pathway.management_oversight", "classification.unclear"),
            ("pathway.rpc_support", "classification.parental_conflict"),
            ("pathway.idva", "pathway.marac"),
        ] {
            if real[r][a] == real[r][b] {
                eqs.push(sum_eq(term(r, a, false), vec![term(r, b, false)]));
            }
        }
        for (total, parts) in RULES {
            let mut e = vec![(term(r, total, false), 1.0)];
            for p in parts.iter() {
                let (sign, p) = match p.strip_prefix('-') {
                    Some(p) => (1.0, p),
                    None => (-1.0, *p),
                };
                e.push((term(r, p, false), sign));
            }
            // The rules are stated right: they hold on the true counts.
            let value = |k: &str| match k.strip_prefix('&') {
                Some(c) => conj[&row_key(r)][c] as f64,
                None => real[r][k].unwrap() as f64,
            };
            let sum: f64 = value(total)
                + parts
                    .iter()
                    .map(|p| match p.strip_prefix('-') {
                        Some(p) => value(p),
                        None => -value(p),
                    })
                    .sum::<f64>();
            assert_eq!(
                sum, 0.0,
                "rule {total} = {parts:?} does not hold in row {r}"
            );
            eqs.push(e);
        }
        for (k, d) in &figures {
            if in_partition(k) {
                continue;
            }
            let parts = vec![term(r, k, false), term(r, k, true)];
            eqs.push(sum_eq(term(r, base_key(d), false), parts));
        }
    }
    if rows > 1 {
        for (k, _) in &figures {
            for complement in [false, true] {
                if complement && in_partition(k) {
                    continue;
                }
                let parts = (1..rows).map(|r| term(r, k, complement)).collect();
                eqs.push(sum_eq(term(0, k, complement), parts));
            }
        }
        let names: Vec<&str> = conj[&None].keys().copied().collect();
        for c in names {
            let k = format!("&{c}");
            let parts = (1..rows).map(|r| term(r, &k, false)).collect();
            eqs.push(sum_eq(term(0, &k, false), parts));
        }
    }
    let n = truth_of.len();
    let mut sys = System { n, rows: vec![] };
    for e in &eqs {
        let mut coefs = Vec::new();
        let mut constant = 0.0;
        for (t, c) in e {
            match t {
                T::K(v) => constant -= c * v,
                T::U(i) => coefs.push((*i, *c)),
            }
        }
        if coefs.is_empty() {
            prop_assert!(
                constant.abs() < 1e-9,
                "published counts contradict each other"
            );
            continue;
        }
        // 3. A sum of withheld parts under a shown total.
        if let Some((T::K(_), _)) = e.first() {
            if coefs.iter().all(|&(_, c)| c < 0.0) {
                let hidden: u64 = coefs.iter().map(|&(i, _)| truth_of[i]).sum();
                prop_assert!(
                    !small(hidden),
                    "withheld parts add up to {hidden}, which a reader can work out"
                );
            }
        }
        sys.rows.push((coefs, constant));
    }
    let det = determined(&sys);
    let mut names = vec![String::new(); n];
    for ((r, k), &i) in &unknown {
        names[i] = format!("row {r} {k}");
    }
    for i in 0..n {
        let protect = withheld[i] || small(truth_of[i]);
        prop_assert!(
            !(protect && det[i]),
            "{} (value {}, withheld {}) can be worked back",
            names[i],
            truth_of[i],
            withheld[i]
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn nothing_small_is_shown_or_can_be_worked_back(
        n in 1usize..260,
        seed in any::<u64>(),
        p_abuse in 0.05f64..0.95,
        groups in proptest::collection::vec(0u8..5, 1..12),
        periods in 0u8..4,
        min_cell in 2u64..13,
    ) {
        let (t, conj) = tally_conj(n, seed, p_abuse, &groups, periods);
        let breakdown = true;
        let opts = options(min_cell, breakdown, periods > 0);
        let s = t.clone().finish(&opts);
        let truth = t.finish(&Options { min_cell: 1, ..opts });
        check(&s, &truth, &conj)?;
    }

    #[test]
    fn the_overall_summary_alone_is_protected_too(
        n in 1usize..200,
        seed in any::<u64>(),
        min_cell in 2u64..13,
    ) {
        let (t, conj) = tally_conj(n, seed, 0.5, &[0], 0);
        let opts = options(min_cell, false, false);
        let s = t.clone().finish(&opts);
        let truth = t.finish(&Options { min_cell: 1, ..opts });
        check(&s, &truth, &conj)?;
    }
}

#[test]
fn no_suppression_with_min_cell_one_shows_the_true_counts() {
    let t = tally(300, 9, 0.5, &[0, 1, 2], 2);
    let s = t.finish(&options(1, true, true));
    assert_eq!(s.suppressed_small + s.suppressed_secondary, 0);
    let j = render::json(&s);
    assert_eq!(j["overall"]["figures"]["call_outs"]["count"], 300);
}
