//! Writes the feature matrix of a CSV in the input contract, for comparisons with
//! other tools (scikit-learn) on exactly the features the model sees.
//!
//! ```text
//! cargo run --release -p dashrisk-learn --example featurise -- IN.csv OUT.csv [LABEL…]
//! ```
//!
//! OUT.csv has the feature names of the current feature set as its header, then the
//! named label columns copied from IN.csv. A bad record stops the run with its line.

use dashrisk::Scorer;
use dashrisk_learn::{feature_names, featurise};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: featurise IN.csv OUT.csv [LABEL_COLUMN…]");
        return ExitCode::from(2);
    }
    match run(&args[0], &args[1], &args[2..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("featurise: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(input: &str, output: &str, labels: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let scorer = Scorer::default();
    let mut rdr = csv::Reader::from_path(input)?;
    let header: Vec<String> = rdr.headers()?.iter().map(String::from).collect();
    let label_idx: Vec<usize> = labels
        .iter()
        .map(|l| {
            header
                .iter()
                .position(|h| h == l)
                .ok_or_else(|| format!("no column {l:?} in {input}"))
        })
        .collect::<Result<_, _>>()?;
    let mut w = csv::Writer::from_path(output)?;
    let mut out_header: Vec<String> = feature_names().to_vec();
    out_header.extend(labels.iter().cloned());
    w.write_record(&out_header)?;
    for (line, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let row: Vec<(&str, &str)> = header.iter().map(String::as_str).zip(rec.iter()).collect();
        let fail = |e: dashrisk::InputError| format!("line {}: {e}", line + 1);
        let (a, _) = scorer.parse_flat(&row).map_err(fail)?;
        let x = featurise(&a).map_err(fail)?;
        let mut cells: Vec<String> = x.iter().map(|v| v.to_string()).collect();
        cells.extend(label_idx.iter().map(|&i| rec[i].to_string()));
        w.write_record(&cells)?;
    }
    w.flush()?;
    Ok(())
}
