//! The bodies of dashrisk's fuzz targets.
//!
//! Each function takes the fuzzer's bytes, drives one input path of dashrisk and
//! panics only when an invariant breaks (a panic inside dashrisk is a finding too).
//! The cargo-fuzz binaries in `fuzz/fuzz_targets/` are one-line wrappers around these
//! functions, and `tests/replay.rs` runs every committed corpus and regression input
//! through them on stable Rust, so CI catches a regression without nightly or
//! libFuzzer (docs/fuzzing.md).
//!
//! The targets, by the name of their corpus directory:
//!
//! | target | path |
//! | --- | --- |
//! | `json_record` | one JSON record: [`Scorer::assess_json_line`], `parse_json`, `parse_value`; the reader without a tree (`parse_json_line`, `assess_json_compact`) against the strict decoder (`parse_json_line_strict`) |
//! | `csv_input` | the CLI's size-limited CSV reader against `csv::Reader`, then `assess` on CSV |
//! | `instrument_file` | custom-instrument files: checks, sealing, scoring with the instrument |
//! | `policy_file` | policy files: checks, sealing, a scorer with the policy |
//! | `calibration_file` | calibration files: version, checksum, knots, the probability map |
//! | `model_file` | comparison-model files: version, checksum, predictions |
//! | `assess_e2e` | `dashrisk assess` end to end: format choice, reading, writing |
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use dashrisk::error::{InputError, MAX_ERROR_FIELD_CHARS, MAX_ERROR_VALUE_CHARS};
use dashrisk::{
    ArtefactError, Calibration, Classification, Instrument, Limits, Policy, Predictor, Scorer,
};
use dashrisk_cli::assess::{read_header, run_reader, settle_format};
use dashrisk_cli::csv_rows::{CsvRows, Row, RowBuf};
use dashrisk_cli::Format;
use dashrisk_learn::LogisticModel;
use serde_json::Value;
use std::io;
use std::sync::OnceLock;

// The safety rules checked on one result from its record alone: the oracle the
// property tests apply too (one statement of it, included by path).
#[path = "../../dashrisk/tests/support/safety_oracle.rs"]
mod safety_oracle;

/// Panics, naming the broken rules, when `r` (the result of `a` under `s`) breaks
/// a safety rule.
fn check_safety(s: &Scorer, a: &dashrisk::Assessment, r: &dashrisk::AssessmentResult) {
    let broken = safety_oracle::safety_violations(s, a, r);
    assert!(
        broken.is_empty(),
        "safety rules broken: {broken:?}\nrecord: {a:?}\nresult: {r:?}"
    );
}

/// A fuzz target: takes the fuzzer's bytes, panics when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target, by the name of its corpus directory (`fuzz/corpus/<name>`).
pub const TARGETS: [(&str, Target); 7] = [
    ("json_record", json_record),
    ("csv_input", csv_input),
    ("instrument_file", instrument_file),
    ("policy_file", policy_file),
    ("calibration_file", calibration_file),
    ("model_file", model_file),
    ("assess_e2e", assess_e2e),
];

/// Limits small enough that short fuzz inputs reach the size and depth checks.
pub fn small_limits() -> Limits {
    Limits::new(1024, 6).expect("valid limits")
}

fn default_scorer() -> &'static Scorer {
    static S: OnceLock<Scorer> = OnceLock::new();
    S.get_or_init(Scorer::default)
}

fn small_scorer() -> &'static Scorer {
    static S: OnceLock<Scorer> = OnceLock::new();
    S.get_or_init(|| Scorer::default().with_limits(small_limits()).unwrap())
}

/// An error names the field and at most a cut value, never the whole record.
fn check_error(e: &InputError, input: &[u8]) {
    let value_chars = e.value.as_deref().map_or(0, |v| v.chars().count());
    assert!(
        value_chars <= MAX_ERROR_VALUE_CHARS + 1,
        "value too long: {e:?}"
    );
    assert!(
        e.field.chars().count() <= MAX_ERROR_FIELD_CHARS + 1,
        "field too long"
    );
    // A whitespace-only line is not a record to repeat (every message "contains" "").
    let text = String::from_utf8_lossy(input);
    let record = text.trim();
    if record.len() > 3 * MAX_ERROR_FIELD_CHARS {
        assert!(
            !e.message.contains(record),
            "the message repeats the record"
        );
    }
}

fn check_result(r: &dashrisk::AssessmentResult) {
    if let Some(p) = r.p_abuse {
        assert!((0.0..=1.0).contains(&p), "p_abuse {p}");
    }
    serde_json::to_string(r).expect("results serialise");
}

/// One JSON record through the default scorer and one with [`small_limits`]: the
/// line and text paths agree, errors are bounded, results serialise, and a parsed
/// record's serde form parses back to the same assessment.
pub fn json_record(data: &[u8]) {
    for scorer in [default_scorer(), small_scorer()] {
        // The reader without a tree and the strict decoder read alike.
        let strict = scorer.parse_json_line_strict(7, data);
        assert_eq!(
            scorer.parse_json_line(7, data),
            strict,
            "the reader without a tree and the strict decoder differ"
        );
        let mut scratch = dashrisk::parse::FlatScratch::new();
        let compact = scorer.assess_json_compact(7, data, &mut scratch);
        match &strict {
            Ok(a) => assert_eq!(
                compact.map_err(|e| e.error),
                scorer.assess_compact(a),
                "the compact JSON path differs"
            ),
            Err(e) => assert_eq!(compact.as_ref().err(), Some(e), "errors differ"),
        }
        let line = scorer.assess_json_line(7, data);
        match &line {
            Ok(r) => check_result(r),
            Err(e) => {
                assert_eq!(e.line, 7);
                check_error(&e.error, data);
            }
        }
        let Ok(text) = std::str::from_utf8(data) else {
            continue;
        };
        let direct = scorer.parse_json(text).and_then(|a| {
            let r = scorer.assess(&a)?;
            check_safety(scorer, &a, &r);
            Ok(r)
        });
        assert_eq!(
            line.map_err(|e| e.error),
            direct,
            "line and text paths differ"
        );
        if let Ok(a) = scorer.parse_json(text) {
            let v = serde_json::to_value(&a).expect("assessments serialise");
            assert_eq!(
                scorer.parse_value(&v).as_ref(),
                Ok(&a),
                "serde form differs"
            );
        }
    }
}

/// Rows as `csv::Reader` (flexible, no headers) reads them: the reference for
/// [`CsvRows`].
fn reference_rows(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(data);
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).expect("in-memory reads") {
        out.push(record.iter().map(<[u8]>::to_vec).collect());
    }
    out
}

/// The records `dashrisk assess` must answer for CSV input `data`: one per data row,
/// or one error record when the header is unusable or there are no rows.
fn expected_csv_answers(rows: &[Vec<Vec<u8>>], limit: usize) -> usize {
    let Some(header) = rows.first() else {
        return 1;
    };
    let size: usize = header.iter().map(|c| c.len() + 1).sum();
    let mut record = RowBuf::new();
    for cell in header {
        record.push_cell(cell);
    }
    if size > limit || read_header(&record).1.is_some() {
        return 1;
    }
    (rows.len() - 1).max(1)
}

/// Whether the size-limited reader reports the first row (the header) as broken
/// quoting.
fn header_malformed(data: &[u8], limit: usize) -> bool {
    let mut rows = CsvRows::new(io::BufReader::with_capacity(64, data), limit);
    let mut record = RowBuf::new();
    matches!(rows.read(&mut record), Ok(Some(Row::Malformed(_))))
}

/// The size-limited CSV reader agrees with `csv::Reader` row by row (a row over the
/// limit is reported, never kept), and `assess` answers every row exactly once.
pub fn csv_input(data: &[u8]) {
    let limit = small_limits().max_record_bytes;
    let want = reference_rows(data);
    let mut rows = CsvRows::new(io::BufReader::with_capacity(64, data), limit);
    let mut record = RowBuf::new();
    let mut got = 0;
    let mut header_malformed = false;
    while let Some(row) = rows.read(&mut record).expect("in-memory reads") {
        let reference = &want[got];
        let size: usize = reference.iter().map(|c| c.len() + 1).sum();
        match row {
            Row::Read => {
                assert!(size <= limit, "row {got} over the limit was kept");
                let cells: Vec<Vec<u8>> = record.iter().map(<[u8]>::to_vec).collect();
                assert_eq!(&cells, reference, "row {got} differs from csv::Reader");
            }
            Row::TooLarge => assert!(size > limit, "row {got} within the limit was dropped"),
            // A stray quote: reported as an error record, never read as cells.
            Row::Malformed(_) => {
                assert!(record.is_empty());
                header_malformed |= got == 0;
            }
        }
        got += 1;
    }
    assert_eq!(got, want.len(), "row count differs from csv::Reader");
    let answers = run_assess(data, Format::Csv, Format::Jsonl);
    let expected = if header_malformed {
        1
    } else {
        expected_csv_answers(&want, limit)
    };
    assert_eq!(answers, expected);
}

/// Runs `assess` on `data` with the small scorer and returns the number of answers,
/// checking each answer and the failure count.
fn run_assess(data: &[u8], format: Format, output: Format) -> usize {
    let mut out = Vec::new();
    let failed = run_reader(
        small_scorer(),
        Box::new(io::Cursor::new(data.to_vec())),
        format,
        Some(output),
        &mut out,
        &mut io::sink(),
    )
    .unwrap_or_else(|e| panic!("assess failed on in-memory input: {}", e.0));
    let mut errors = 0u64;
    let answers = match output {
        Format::Jsonl => {
            let text = String::from_utf8(out).expect("JSON Lines output is UTF-8");
            let mut n = 0;
            for line in text.lines() {
                let v: Value = serde_json::from_str(line).expect("each output line is JSON");
                if v.get("error").is_some() {
                    errors += 1;
                } else {
                    assert!(
                        v.get("classification").is_some(),
                        "neither result nor error"
                    );
                }
                n += 1;
            }
            n
        }
        Format::Csv => {
            let rows = reference_rows(&out);
            let header = rows.first().expect("CSV output has a header");
            let mut names = header.clone();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), header.len(), "repeated output column names");
            let code = header
                .iter()
                .position(|c| c == b"error_code")
                .expect("an error_code column");
            for row in &rows[1..] {
                assert_eq!(row.len(), header.len(), "ragged output row");
                errors += u64::from(!row[code].is_empty());
            }
            rows.len() - 1
        }
    };
    assert_eq!(
        failed, errors,
        "failure count differs from the error records"
    );
    answers
}

/// `dashrisk assess` end to end. The first byte picks the input format (JSON Lines,
/// CSV, or sniffed) and the output format; the rest is the input. Every record gets
/// exactly one answer.
pub fn assess_e2e(data: &[u8]) {
    let Some((&choice, input)) = data.split_first() else {
        return;
    };
    let given = match choice & 3 {
        0 => Some(Format::Jsonl),
        1 => Some(Format::Csv),
        _ => None,
    };
    let mut reader: Box<dyn io::BufRead> = Box::new(io::Cursor::new(input.to_vec()));
    let format = settle_format(&mut *reader, "-", given).expect("in-memory reads");
    let output = match (choice >> 2) & 3 {
        1 => Format::Jsonl,
        2 => Format::Csv,
        _ => format,
    };
    let body = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let limit = small_limits().max_record_bytes;
    let expected = match format {
        Format::Jsonl => {
            let mut lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
            if body.ends_with(b"\n") || body.is_empty() {
                lines.pop();
            }
            let records = lines
                .iter()
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                .filter(|l| l.len() > limit || !l.iter().all(u8::is_ascii_whitespace))
                .count();
            records.max(1)
        }
        // A header with broken quoting is one error for the whole input, as
        // `csv_input` checks; otherwise one answer per row.
        Format::Csv if header_malformed(body, limit) => 1,
        Format::Csv => expected_csv_answers(&reference_rows(body), limit),
    };
    assert_eq!(
        run_assess(body, format, output),
        expected,
        "one answer per record"
    );
}

/// Reads an artefact as given and again with its `checksum` removed, so that the
/// rules behind a seal that the mutations broke are reached too.
fn with_and_without_checksum<T>(text: &str, read: impl Fn(&str) -> Result<T, ArtefactError>) {
    let _ = read(text).map_err(|e| assert!(!e.to_string().is_empty()));
    if let Ok(mut v) = serde_json::from_str::<Value>(text) {
        if let Some(o) = v.as_object_mut() {
            if o.remove("checksum").is_some() {
                let _ = read(&v.to_string());
            }
        }
    }
}

/// Checks that changing one value of a sealed artefact is refused.
fn tamper_is_refused<T>(
    sealed: &str,
    path: &[&str],
    read: impl Fn(&str) -> Result<T, ArtefactError>,
) {
    let mut v: Value = serde_json::from_str(sealed).expect("sealed JSON");
    let mut slot = &mut v;
    for key in path {
        slot = match key.parse::<usize>() {
            Ok(i) => &mut slot[i],
            Err(_) => &mut slot[*key],
        };
    }
    if let Value::String(s) = slot {
        s.push('!');
        assert!(
            matches!(read(&v.to_string()), Err(ArtefactError::Mismatch { .. })),
            "a tampered sealed file was accepted"
        );
    }
}

/// Custom-instrument files: an accepted instrument seals and reads back, a tampered
/// sealed copy is refused, and with the instrument a scorer still keeps the safety
/// gates (every question "yes" is domestic abuse).
pub fn instrument_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    with_and_without_checksum(text, |t| {
        let read = Instrument::from_json(t);
        if let Ok(inst) = &read {
            check_instrument(inst);
        }
        read
    });
}

fn check_instrument(inst: &Instrument) {
    let sealed = inst.to_sealed_json();
    assert_eq!(Instrument::from_json_sealed(&sealed).as_ref(), Ok(inst));
    tamper_is_refused(&sealed, &["questions", "0", "text"], Instrument::from_json);
    let Ok(scorer) = Scorer::default().with_instrument(inst.clone()) else {
        return;
    };
    let answers = |a: &str| -> serde_json::Map<String, Value> {
        inst.questions
            .iter()
            .map(|q| (q.id.clone(), Value::String(a.into())))
            .collect()
    };
    for (answer, abuse) in [("yes", true), ("no", false), ("declined", false)] {
        let record = serde_json::json!({"instrument": inst.id, "answers": answers(answer)});
        let a = scorer
            .parse_value(&record)
            .expect("a record of the instrument's own questions is read");
        let r = scorer.assess(&a).expect("and assessed");
        check_result(&r);
        check_safety(&scorer, &a, &r);
        if abuse {
            assert_eq!(r.classification, Classification::DomesticAbuse);
        }
    }
    // Mixed answers, the screen and the context, drawn from the form itself (its
    // text seeds them), each held to the safety rules.
    let mut seed = inst
        .to_sealed_json()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    const ANSWERS: [dashrisk::Answer; 4] = [
        dashrisk::Answer::No,
        dashrisk::Answer::Yes,
        dashrisk::Answer::NotKnown,
        dashrisk::Answer::Declined,
    ];
    for round in 0..16u64 {
        let mut a = dashrisk::Assessment {
            instrument: inst.id.clone(),
            ..Default::default()
        };
        // Mostly "no", so that records near parental conflict are met often.
        let yes_in = 2 + round % 6;
        for q in &inst.questions {
            let k = if next(yes_in) == 0 { 1 + next(3) } else { 0 };
            a.answers.insert(q.id.clone(), ANSWERS[k as usize]);
        }
        let screen = |k: u64| ANSWERS[if k < 6 { 0 } else { (k - 5) as usize }];
        a.conflict_screen.fear = screen(next(9));
        a.conflict_screen.power_imbalance = screen(next(9));
        a.context.prior_incidents_12m =
            [None, Some(0), Some(0), Some(1), Some(4)][next(5) as usize];
        a.context.children_in_household = [None, Some(false), Some(true)][next(3) as usize];
        let r = scorer
            .assess(&a)
            .expect("a record of the instrument's own questions is assessed");
        check_result(&r);
        check_safety(&scorer, &a, &r);
    }
}

/// Policy files: an accepted policy seals and reads back, a tampered copy is
/// refused, and a scorer with the policy (and a calibration fitted for it) assesses.
pub fn policy_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    with_and_without_checksum(text, |t| {
        let read = Policy::from_json(t);
        if let Ok(p) = &read {
            check_policy(p);
        }
        read
    });
}

fn check_policy(p: &Policy) {
    let sealed = p.to_sealed_json();
    assert_eq!(Policy::from_json_sealed(&sealed).as_ref(), Ok(p));
    // The points live in the calibration: any valid policy pairs with it.
    let scorer = match Scorer::new(p.clone(), Calibration::shipped()) {
        Ok(s) => s,
        // An abuse threshold so low that the shipped map reaches it with no "yes"
        // answer would call every record abuse: refused on purpose.
        Err(e) if e.to_string().contains("no \"yes\" answer") => {
            assert!(Calibration::shipped()
                .forms
                .iter()
                .any(|f| Calibration::shipped().p(f, 0.0) >= p.scorer.abuse_min_p_abuse));
            return;
        }
        Err(e) => panic!("a valid policy was refused by the scorer: {e}"),
    };
    assess_samples(&scorer);
}

/// Assesses a few synthetic records (and an empty one) with `scorer`.
fn assess_samples(scorer: &Scorer) {
    let mut gen = dashrisk::synth::Generator::new(3, dashrisk::synth::SynthParams::default());
    for i in 0..8 {
        let a = gen.record(i).assessment;
        let r = scorer.assess(&a).expect("synthetic records are valid");
        check_result(&r);
        check_safety(scorer, &a, &r);
    }
    check_result(
        &scorer
            .assess(&dashrisk::Assessment::default())
            .expect("empty record"),
    );
}

/// Calibration files: the version and checksum are checked; when the mutations broke
/// the checksum, the content is resealed so that the knots' rules and the
/// probability map are reached too. An accepted map is non-decreasing and clamped.
pub fn calibration_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Calibration::from_json(text).map(|c| check_calibration(&c));
    if let Ok(c) = serde_json::from_str::<Calibration>(text) {
        let resealed = c.to_json();
        let _ = Calibration::from_json(&resealed).map(|c| check_calibration(&c));
    }
}

fn check_calibration(c: &Calibration) {
    let grid = [
        f64::NEG_INFINITY,
        -f64::MAX,
        -1.5e308,
        -1e300,
        -1.0,
        0.0,
        0.5,
        1.0,
        2.5,
        7.0,
        20.0,
        1e300,
        1.5e308,
        f64::MAX,
        f64::INFINITY,
    ];
    for f in &c.forms {
        let mut last = 0.0;
        for x in grid {
            let p = c.p(f, x);
            assert!(
                p >= c.p_floor && p <= c.p_ceiling,
                "p({x}) = {p} outside the clamp"
            );
            assert!(p >= last, "the map decreases at {x}");
            last = p;
        }
        assert!(c.p(f, f64::NAN).is_finite());
    }
    if let Ok(scorer) = Scorer::new(Policy::default(), c.clone()) {
        assess_samples(&scorer);
    }
}

/// Comparison-model files: version, checksum and shapes are checked; resealed as
/// for calibrations; an accepted model gives finite probabilities in [0, 1].
pub fn model_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = LogisticModel::from_json(text).map(|m| check_model(&m));
    if let Ok(m) = serde_json::from_str::<LogisticModel>(text) {
        let resealed = m.to_json();
        let _ = LogisticModel::from_json(&resealed).map(|m| check_model(&m));
    }
}

fn check_model(m: &LogisticModel) {
    let mut gen = dashrisk::synth::Generator::new(5, dashrisk::synth::SynthParams::default());
    let mut records: Vec<_> = (0..6).map(|i| gen.record(i).assessment).collect();
    records.push(dashrisk::Assessment::default());
    for a in &records {
        let p = m.predict(a).expect("synthetic records featurise");
        assert!(
            (0.0..=1.0).contains(&p.rank_score),
            "probability {} outside [0, 1]",
            p.rank_score
        );
        let e = m.explain(a, 5).expect("synthetic records featurise");
        assert!(e.contributions.len() <= 5);
    }
}
