//! Times the comparison model's predictions, for `benches/compare_python.py`:
//! trains on IN.csv (the input contract with a 0/1 LABEL column; not timed), then
//! times one record's probability (featurise and dot product; the median of
//! REPEATS calls) and the whole file's probabilities, and prints JSON. It also
//! times the probabilities of a feature matrix already made (`matrix_s`:
//! `FittedLogistic::predict_proba`, the same model fitted on the matrix), which is
//! what scikit-learn's `predict_proba` is timed on.
//!
//! ```text
//! cargo run --release -p dashrisk-learn --example predict_timing -- IN.csv LABEL [REPEATS]
//! ```

use dashrisk::parse::FlatHeader;
use dashrisk::Scorer;
use dashrisk_learn::{LogisticParams, ParamGuard, TrainingSet};
use std::hint::black_box;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, label) = match args.as_slice() {
        [i, l, ..] => (i.clone(), l.clone()),
        _ => return Err("usage: predict_timing IN.csv LABEL [REPEATS]".into()),
    };
    let repeats: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let scorer = Scorer::default();
    let mut rdr = csv::Reader::from_path(&input)?;
    let names: Vec<String> = rdr.headers()?.iter().map(String::from).collect();
    let header = FlatHeader::new(&names);
    let li = names
        .iter()
        .position(|n| *n == label)
        .ok_or("no label column")?;
    let (mut records, mut labels) = (Vec::new(), Vec::new());
    for row in rdr.records() {
        let row = row?;
        let cells: Vec<&str> = row.iter().collect();
        records.push(scorer.parse_flat_row(&header, &cells)?);
        labels.push(cells[li] == "1");
    }
    let set = TrainingSet::from_assessments(&records, &labels, &label, &input, true)
        .map_err(|(i, e)| format!("record {i}: {e}"))?;
    let model = LogisticParams::new().check()?.fit(&set)?;
    let mut one = Vec::with_capacity(repeats);
    for i in 0..repeats {
        let a = &records[i % records.len()];
        let t = Instant::now();
        black_box(model.probability(black_box(a))?);
        one.push(t.elapsed().as_secs_f64());
    }
    one.sort_by(f64::total_cmp);
    let t = Instant::now();
    let mut sum = 0.0;
    for a in &records {
        sum += model.probability(a)?;
    }
    let batch = t.elapsed().as_secs_f64();
    // Like for like with scikit-learn: the matrix made first (not timed).
    let x = dashrisk_learn::featurise_all(&records).map_err(|(i, e)| format!("record {i}: {e}"))?;
    let fitted = LogisticParams::new()
        .check()?
        .fit_arrays(x.view(), &labels)?;
    let t = Instant::now();
    let p = black_box(fitted.predict_proba(black_box(x.view())));
    let matrix = t.elapsed().as_secs_f64();
    println!(
        "{{\"n\": {}, \"one_row_s\": {:e}, \"batch_s\": {:e}, \"matrix_s\": {:e}, \"mean_p\": {}, \"mean_p_matrix\": {}}}",
        records.len(),
        one[one.len() / 2],
        batch,
        matrix,
        sum / records.len() as f64,
        p.mean().unwrap_or(f64::NAN)
    );
    Ok(())
}
