//! Shared set-up for the benchmarks in `benches/benches/` (one file per scenario;
//! docs/performance.md lists them and the figures).

use dashrisk::synth::{Generator, SynthParams};

/// `n` synthetic records as CSV in the input contract: the header and the rows,
/// as `dashrisk synth` writes them (the same columns; labels left out).
pub fn synth_csv_rows(n: usize, seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["id".to_string(), "instrument".to_string()];
    header.extend((1..=27).map(|i| format!("q{i}")));
    header.extend(
        [
            "fear",
            "power_imbalance",
            "argument_frequency",
            "resolution",
            "children_exposed",
            "recent_transitions",
            "children_in_household",
            "prior_incidents_12m",
        ]
        .map(String::from),
    );
    let mut g = Generator::new(seed, SynthParams::default());
    let rows = (0..n)
        .map(|i| {
            let a = g.record(i).assessment;
            let s = &a.conflict_screen;
            let mut row = vec![a.id.clone().unwrap_or_default(), a.instrument.clone()];
            for q in 1..=27 {
                row.push(
                    a.answers
                        .get(&format!("q{q}"))
                        .map(|x| x.as_str().to_string())
                        .unwrap_or_default(),
                );
            }
            row.push(s.fear.as_str().into());
            row.push(s.power_imbalance.as_str().into());
            row.push(s.argument_frequency.as_str().into());
            row.push(s.resolution.as_str().into());
            row.push(s.children_exposed.as_str().into());
            row.push(match &s.recent_transitions {
                None => String::new(),
                Some(t) if t.is_empty() => "none".into(),
                Some(t) => t.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(";"),
            });
            row.push(
                a.context
                    .children_in_household
                    .map(|b| b.to_string())
                    .unwrap_or_default(),
            );
            row.push(
                a.context
                    .prior_incidents_12m
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            );
            row
        })
        .collect();
    (header, rows)
}

/// The same records as one CSV text (no cell needs quoting).
pub fn synth_csv(n: usize, seed: u64) -> String {
    let (header, rows) = synth_csv_rows(n, seed);
    let mut out = header.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out
}
