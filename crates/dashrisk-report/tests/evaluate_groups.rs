//! Property test of the evaluation's per-group figures on arbitrary data: what is
//! shown never lets a reader work out a small count. The suppression itself is
//! tested in depth in `tests/suppression.rs`; this checks that the evaluation feeds
//! it every count it publishes, and every count a reader could derive:
//!
//! - a shown group has at least `min_cell` records; a shown count is 0 or at least
//!   `min_cell`, and so is its complement within the group (`n - count`);
//! - the overall totals are published (the record count, and each rate's centre
//!   line), so for each figure the withheld counts together are 0 or at least
//!   `min_cell`, and never exactly one group's count is withheld;
//! - every shown count equals the count made here from the same records.

use dashrisk_report::evaluate::{
    evaluate, fact, Data, GroupColumn, Options, Tool, ToolKind, WorkloadBasis,
};
use proptest::prelude::*;

fn options(min_cell: u64, n: u64) -> Options {
    Options {
        label: "y".into(),
        source: "generated".into(),
        synthetic: true,
        threshold: 0.5,
        min_cell,
        records_read: n,
        missing_label: 0,
        errors: 0,
        scorer_version: "test".into(),
        calibration_version: "test".into(),
        reference: Some("p".into()),
        screen: None,
        notes: vec![],
    }
}

const FIGURES: [(&str, u16); 4] = [
    ("conflict", fact::CONFLICT),
    ("marac", fact::MARAC),
    ("csc", fact::CSC),
    ("medium_or_high", fact::MEDIUM_OR_HIGH),
];

fn record() -> impl Strategy<Value = (bool, u16, u32, f64)> {
    (
        any::<bool>(),
        0u16..512,
        // Skewed group sizes: a few large groups and many small ones.
        prop_oneof![0u32..3, 0u32..12],
        0.0f64..1.0,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn shown_group_figures_never_reveal_a_small_count(
        records in prop::collection::vec(record(), 1..400),
        min_cell in 2u64..12,
    ) {
        let labels: Vec<bool> = records.iter().map(|r| r.0).collect();
        let facts: Vec<u16> = records.iter().map(|r| r.1).collect();
        let groups = 12;
        let data = Data {
            labels: labels.clone(),
            facts: facts.clone(),
            tools: vec![Tool {
                name: "p".into(),
                description: String::new(),
                kind: ToolKind::Probability,
                kind_note: None,
                scores: records.iter().map(|r| r.3).collect(),
                positive_from: Some(0.5),
                positive_rule: String::new(),
                workload: Some(WorkloadBasis::Scorer),
                conflict_label: true,
            }],
            groups: vec![GroupColumn {
                column: "officer".into(),
                names: (0..groups).map(|g| format!("o{g}")).collect(),
                of_row: records.iter().map(|r| r.2).collect(),
            }],
        };
        let e = evaluate(&data, &options(min_cell, records.len() as u64));
        let g = &e.groups[0];
        let small = |v: u64| v > 0 && v < min_cell;
        // Counts made here.
        let mut n = vec![0u64; groups];
        let mut abuse = vec![0u64; groups];
        let mut fig = vec![[0u64; 4]; groups];
        for r in &records {
            let k = r.2 as usize;
            n[k] += 1;
            abuse[k] += u64::from(r.0);
            for (j, (_, bit)) in FIGURES.iter().enumerate() {
                fig[k][j] += u64::from(r.1 & bit != 0);
            }
        }
        // Groups with no record are not rows.
        let present: Vec<usize> = (0..groups).filter(|&k| n[k] > 0).collect();
        let row_of = |k: usize| g.rows.iter().find(|r| r.group == format!("o{k}"));
        let mut hidden_n = Vec::new();
        for &k in &present {
            let row = row_of(k);
            match row.and_then(|r| r.n) {
                Some(v) => {
                    prop_assert_eq!(v, n[k]);
                    prop_assert!(v >= min_cell, "a group of {} is shown", v);
                }
                None => hidden_n.push(n[k]),
            }
        }
        // (With a single group, the group is the whole file: its figures are the
        // overall ones, published anyway.)
        let single = present.len() == 1;
        prop_assert!(single || hidden_n.len() != 1, "one withheld group size is the total minus the rest");
        // (When every group is withheld their sum is the published total itself.)
        let all_n = hidden_n.len() == present.len();
        prop_assert!(single || all_n || !small(hidden_n.iter().sum()), "withheld groups add up to a small count");
        for (j, (key, _)) in FIGURES.iter().enumerate() {
            let mut hidden = Vec::new();
            for &k in &present {
                let row = row_of(k).unwrap();
                let rate = match *key {
                    "conflict" => row.conflict,
                    "marac" => row.marac,
                    "csc" => row.csc,
                    _ => row.medium_or_high,
                };
                match (rate.count, row.n) {
                    (Some(c), Some(ng)) => {
                        prop_assert_eq!(c, fig[k][j]);
                        prop_assert!(!small(c), "{}: shown count {}", key, c);
                        prop_assert!(!small(ng - c), "{}: complement {} derivable", key, ng - c);
                    }
                    (Some(_), None) => prop_assert!(false, "a count shown for a withheld group"),
                    (None, _) => hidden.push(fig[k][j]),
                }
            }
            prop_assert!(single || hidden.len() != 1, "{}: one withheld count is the total minus the rest", key);
            let all = hidden.len() == present.len();
            prop_assert!(single || all || !small(hidden.iter().sum()), "{}: withheld counts add up to a small count", key);
        }
        for &k in &present {
            let row = row_of(k).unwrap();
            if let (Some(a), Some(ng)) = (row.abuse, row.n) {
                prop_assert_eq!(a, abuse[k]);
                prop_assert!(!small(a) && !small(ng - a));
            }
            if row.abuse.is_none() {
                prop_assert!(row.auc.is_none() && row.calibration_intercept.is_none());
            }
        }
    }
}

/// The figures of a group row a reader can subtract: n, abuse and each figure's
/// count (`None` when withheld or the row is).
fn row_counts(row: &dashrisk_report::evaluate::GroupRow) -> [Option<u64>; 6] {
    [
        row.n,
        row.abuse,
        row.conflict.count,
        row.marac.count,
        row.csc.count,
        row.medium_or_high.count,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
    ))]

    /// Two breakdowns of one evaluation, officers nested in areas (officer k works
    /// in area k mod 3, as the generator deals them): an area's figure minus its
    /// shown officers' is what its withheld officers have together. That must never
    /// be one withheld officer's figure, nor a small count (the review's finding 1:
    /// a withheld officer of 6 records came back whole). The same for the
    /// complements (n minus the figure), and for officers within an area whose
    /// own figure is withheld (nothing to subtract from).
    #[test]
    fn two_breakdowns_cannot_be_subtracted(
        records in prop::collection::vec(record(), 1..400),
        min_cell in 2u64..12,
    ) {
        let officers = 12usize;
        let areas = 3usize;
        let data = Data {
            labels: records.iter().map(|r| r.0).collect(),
            facts: records.iter().map(|r| r.1).collect(),
            tools: vec![Tool {
                name: "p".into(),
                description: String::new(),
                kind: ToolKind::Probability,
                kind_note: None,
                scores: records.iter().map(|r| r.3).collect(),
                positive_from: Some(0.5),
                positive_rule: String::new(),
                workload: Some(WorkloadBasis::Scorer),
                conflict_label: true,
            }],
            groups: vec![
                GroupColumn {
                    column: "officer".into(),
                    names: (0..officers).map(|g| format!("o{g}")).collect(),
                    of_row: records.iter().map(|r| r.2).collect(),
                },
                GroupColumn {
                    column: "area".into(),
                    names: (0..areas).map(|g| format!("a{g}")).collect(),
                    of_row: records.iter().map(|r| r.2 % areas as u32).collect(),
                },
            ],
        };
        let e = evaluate(&data, &options(min_cell, records.len() as u64));
        let small = |v: u64| v > 0 && v < min_cell;
        // True counts per officer: n, abuse, the four figures.
        let mut truth = vec![[0u64; 6]; officers];
        for r in &records {
            let t = &mut truth[r.2 as usize];
            t[0] += 1;
            t[1] += u64::from(r.0);
            for (j, (_, bit)) in FIGURES.iter().enumerate() {
                t[2 + j] += u64::from(r.1 & bit != 0);
            }
        }
        let officer_row = |k: usize| e.groups[0].rows.iter().find(|r| r.group == format!("o{k}"));
        for a in 0..areas {
            let Some(area) = e.groups[1].rows.iter().find(|r| r.group == format!("a{a}")) else {
                continue;
            };
            let area_counts = row_counts(area);
            let members: Vec<usize> = (0..officers).filter(|&k| k % areas == a && truth[k][0] > 0).collect();
            for f in 0..6 {
                let Some(total) = area_counts[f] else { continue };
                let mut hidden = Vec::new();
                let mut hidden_comp = Vec::new();
                let mut shown_sum = 0;
                for &k in &members {
                    match officer_row(k).map(row_counts).and_then(|c| c[f]) {
                        Some(v) => shown_sum += v,
                        None => {
                            hidden.push(truth[k][f]);
                            hidden_comp.push(truth[k][0] - truth[k][f]);
                        }
                    }
                }
                prop_assert_eq!(total - shown_sum, hidden.iter().sum::<u64>());
                // With one area the area's figures are the overall ones, which the
                // officer table is protected against anyway.
                let single = e.groups[1].rows.len() == 1;
                prop_assert!(
                    single || hidden.len() != 1,
                    "area a{} figure {}: one withheld officer's count ({}) is the area's minus the rest",
                    a, f, hidden.first().copied().unwrap_or(0)
                );
                prop_assert!(
                    single || !small(hidden.iter().sum()),
                    "area a{} figure {}: withheld officers add up to {}", a, f, hidden.iter().sum::<u64>()
                );
                // The area's complement (n minus the figure) less the shown
                // officers' complements.
                if f > 0 && area_counts[0].is_some() {
                    prop_assert!(
                        single || !small(hidden_comp.iter().sum()),
                        "area a{} figure {}: withheld officers' complements add up to {}", a, f, hidden_comp.iter().sum::<u64>()
                    );
                }
            }
        }
    }
}
