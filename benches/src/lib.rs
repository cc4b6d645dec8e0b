//! Shared set-up for the benchmarks in `benches/benches/` (one file per scenario;
//! docs/performance.md lists them and the figures).

use dashrisk::synth::SynthParams;
use dashrisk_cli::Format;

/// `n` synthetic records as `dashrisk synth` writes them (CSV in the input contract,
/// with its label columns).
pub fn synth_csv(n: usize, seed: u64) -> String {
    let mut out = Vec::new();
    dashrisk_cli::flat::write_synth(&mut out, n, seed, &SynthParams::default(), Format::Csv)
        .expect("writing to memory");
    String::from_utf8(out).expect("synth writes UTF-8")
}

/// The same records as a header and rows of cells.
pub fn synth_csv_rows(n: usize, seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let text = synth_csv(n, seed);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    let rows = rdr
        .records()
        .map(|r| r.expect("a row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}
