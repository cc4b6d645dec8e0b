//! `dashrisk evaluate`: tools side by side on a force's labelled records (CSV or
//! JSON Lines in the input contract, with a label column): the DASH yes-count and
//! grade, the scorer's `p_abuse` and classification, the Lethality Assessment
//! Program screen, the comparison model trained out of fold, and any score column
//! the force brings. The figures are computed in `dashrisk_report::evaluate`.
//!
//! Memory: per record, one label, one byte of scorer decisions, one float per
//! tool and one index per group-by column; with the model, its 136 features as
//! bytes (136 B a record), and per fold a training matrix of at most
//! `--model-max-train-rows` rows of 136 floats (about 109 MB at the default
//! 100,000).

use crate::learn::{
    for_each_record_par, is_synth_id, parse_label, report_unlabelled, synthetic_label_warning,
    ReadRecord,
};
use crate::out::Output;
use crate::{Fatal, LimitArgs, ScorerArgs};
use clap::ValueEnum;
use dashrisk::error::{ErrorKind, InputError, RecordError};
use dashrisk::AssessOptions;
use dashrisk_learn::{LogisticParams, N_FEATURES};
use dashrisk_report::eval_records::{self, Builtin, Columns};
use dashrisk_report::eval_render;
use dashrisk_report::evaluate::Options;
use dashrisk_report::screen::Screen;
use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// A built-in tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum ToolArg {
    /// The DASH yes-count.
    DashCount,
    /// The DASH grade (standard, medium, high), with the officer's judgement.
    DashGrade,
    /// The scorer's calibrated p_abuse.
    PAbuse,
    /// The scorer's classification (conflict, unclear, abuse).
    Classification,
    /// The Lethality Assessment Program screen on the DASH answers.
    LapScreen,
    /// The linfa comparison model, trained out of fold on the same file.
    Model,
}

impl ToolArg {
    /// The shared tool (`dashrisk_report::eval_records`).
    fn builtin(self) -> Builtin {
        match self {
            ToolArg::DashCount => Builtin::DashCount,
            ToolArg::DashGrade => Builtin::DashGrade,
            ToolArg::PAbuse => Builtin::PAbuse,
            ToolArg::Classification => Builtin::Classification,
            ToolArg::LapScreen => Builtin::LapScreen,
            ToolArg::Model => Builtin::Model,
        }
    }

    fn name(self) -> &'static str {
        self.builtin().name()
    }
}

const ALL_TOOLS: [ToolArg; 6] = [
    ToolArg::DashCount,
    ToolArg::DashGrade,
    ToolArg::PAbuse,
    ToolArg::Classification,
    ToolArg::LapScreen,
    ToolArg::Model,
];

/// `dashrisk evaluate`.
#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// Labelled records in the input contract (CSV or JSON Lines), or - for
    /// standard input.
    #[arg(long, value_name = "FILE")]
    data: String,
    #[command(flatten)]
    input_args: crate::input::InputArgs,
    /// The label column (JSON Lines: a key of `meta`): 1/0, true/false or yes/no
    /// for domestic abuse or not; empty cells are counted and left out.
    #[arg(long, value_name = "COLUMN")]
    label: String,
    /// A built-in tool to evaluate (repeatable; default: all of them).
    #[arg(long = "tool", value_name = "NAME")]
    tools: Vec<ToolArg>,
    /// A column of the force's own scores to evaluate as a tool (repeatable). A
    /// column whose values all lie in [0, 1] is treated as a probability; any
    /// other is a ranking score and gets no probability figures. Empty cells are
    /// no score; anything else that is not a number is an error for that record.
    #[arg(long = "score-column", value_name = "COLUMN")]
    score_columns: Vec<String>,
    /// Figures by this column (repeatable: one breakdown each), e.g. officer or
    /// area. JSON Lines: a key of `meta`.
    #[arg(long = "group-by", value_name = "COLUMN")]
    group_by: Vec<String>,
    /// Probability tools call a record abuse at or above this.
    #[arg(long, default_value_t = 0.5, value_parser = unit_interval)]
    threshold: f64,
    /// Per-group counts from 1 to N-1 are withheld, and those they could be worked
    /// back from; groups with fewer than N records are withheld.
    #[arg(long = "min-cell", value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    min_cell: u64,
    /// Cross-validation folds for the model.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(2..=20))]
    folds: u64,
    /// Seed of the folds (and of the training sample when there is one).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Each fold's model is fitted on at most this many records of the other folds
    /// (a seeded sample when there are more); every record is still predicted.
    #[arg(long = "model-max-train-rows", value_name = "N", default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(100..))]
    model_max_train_rows: u64,
    /// Write the HTML report here (self-contained: nothing loads from elsewhere).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Write every figure as JSON here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Mark the evaluation as on synthetic data (`dashrisk synth` output is
    /// recognised by its ids without it).
    #[arg(long, conflicts_with = "not_synthetic")]
    synthetic: bool,
    /// Mark the evaluation as on real records even if every id looks like a
    /// `dashrisk synth` id.
    #[arg(long = "not-synthetic")]
    not_synthetic: bool,
    /// Evaluate even when records share an id. Without it such a file is refused:
    /// a record counted twice makes the intervals too narrow, and the comparison
    /// model can meet its own copy across folds.
    #[arg(long = "allow-duplicate-ids")]
    allow_duplicate_ids: bool,
    #[command(flatten)]
    scorer: ScorerArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

fn unit_interval(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 1 (exclusive)"))
    }
}

/// A score cell: empty (or `null`) is no score; a finite number is a score;
/// anything else is an error naming the column and the value.
pub(crate) fn parse_score(text: Option<&str>, column: &str) -> Result<f64, InputError> {
    let Some(v) = text
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "null")
    else {
        return Ok(f64::NAN);
    };
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(InputError::new(
            ErrorKind::InvalidValue,
            column,
            Some(v),
            format!(
                "{column}: {:?} is not a score; expected a finite number, or empty for no score",
                dashrisk::error::truncate_value(v)
            ),
        )),
    }
}

/// One record, ready to be added to the columns.
struct EvalRow {
    label: bool,
    facts: u16,
    builtin: Vec<f64>,
    external: Vec<f64>,
    groups: Vec<Option<String>>,
    features: Vec<u8>,
    /// The form's index in the scorer's instruments.
    instrument: usize,
    synthetic_id: bool,
    /// The record's id, when it has one (to find ids given twice).
    id: Option<String>,
}

/// What became of one record.
enum Outcome {
    Row(EvalRow),
    Unlabelled,
    Failed(RecordError),
}

/// The per-record work, run on every core.
struct Job<'a> {
    scorer: &'a dashrisk::Scorer,
    screen: &'a Screen,
    tools: &'a [ToolArg],
    label: &'a str,
    score_columns: &'a [String],
    groups: usize,
    /// The screen on each of the scorer's forms, in their order.
    screen_on: Vec<dashrisk_report::screen::FormScreen>,
}

impl Job<'_> {
    fn row(&self, line: u64, res: ReadRecord) -> Outcome {
        let (a, values) = match res {
            Ok(v) => v,
            Err(e) => return Outcome::Failed(e),
        };
        let err = |error: InputError| {
            Outcome::Failed(RecordError {
                line,
                id: a.id.as_deref().map(dashrisk::error::truncate_value),
                error,
            })
        };
        let label = match parse_label(values[0].as_deref(), self.label) {
            Ok(Some(y)) => y,
            Ok(None) => return Outcome::Unlabelled,
            Err(e) => return err(e),
        };
        let n_scores = self.score_columns.len();
        let mut external = Vec::with_capacity(n_scores);
        for (k, c) in self.score_columns.iter().enumerate() {
            match parse_score(values[1 + k].as_deref(), c) {
                Ok(v) => external.push(v),
                Err(e) => return err(e),
            }
        }
        let result = match self
            .scorer
            .assess_with(&a, &AssessOptions { reason_text: false })
        {
            Ok(r) => r,
            Err(e) => return err(e),
        };
        let mut features = Vec::new();
        if self.tools.contains(&ToolArg::Model) {
            let mut row = Array1::<f64>::zeros(N_FEATURES);
            if let Err(e) = dashrisk_learn::featurise_into(&a, row.view_mut()) {
                return err(e);
            }
            // Every feature is a 0/1 indicator or a count capped at 10.
            features.extend(row.iter().map(|&v| v as u8));
        }
        let instrument = self
            .scorer
            .instruments()
            .iter()
            .position(|i| i.id == a.instrument)
            .expect("an assessed record's instrument is known");
        let inst = &self.scorer.instruments()[instrument];
        let screened_in =
            self.tools.contains(&ToolArg::LapScreen) && self.screen.screened_in(inst, &a);
        let builtin = self.scores(&result, screened_in);
        let groups = (0..self.groups)
            .map(|k| values[1 + n_scores + k].clone())
            .collect();
        let f = eval_records::facts(&result);
        Outcome::Row(EvalRow {
            label,
            facts: f,
            builtin,
            external,
            groups,
            features,
            instrument,
            synthetic_id: a.id.as_deref().is_some_and(is_synth_id),
            id: a.id.as_deref().map(|id| id.trim().to_string()),
        })
    }

    /// The built-in tools' scores of a result.
    fn scores(&self, result: &impl eval_records::Decision, screened_in: bool) -> Vec<f64> {
        self.tools
            .iter()
            .map(|t| t.builtin().score(result, screened_in))
            .collect()
    }

    /// A CSV row on the allocation-free reader and scorer, or `None` for the
    /// usual path: a row it refuses (the usual path names the error), a label or
    /// score it cannot read (likewise), or any row when the comparison model is
    /// evaluated (its features are read from the usual record).
    fn fast_row(
        &self,
        id_column: Option<usize>,
        header: &dashrisk::parse::FlatHeader,
        cells: &[&str],
        columns: &[usize],
        scratch: &mut dashrisk::parse::FlatScratch,
    ) -> Option<Outcome> {
        if self.tools.contains(&ToolArg::Model) {
            return None;
        }
        let result = self
            .scorer
            .assess_flat_compact(header, cells, scratch)
            .ok()?;
        let value = |k: usize| cells.get(columns[k]).copied();
        let label = match parse_label(value(0), self.label).ok()? {
            Some(y) => y,
            None => return Some(Outcome::Unlabelled),
        };
        let n_scores = self.score_columns.len();
        let mut external = Vec::with_capacity(n_scores);
        for (k, c) in self.score_columns.iter().enumerate() {
            external.push(parse_score(value(1 + k), c).ok()?);
        }
        let screened_in = self.tools.contains(&ToolArg::LapScreen)
            && self.screen_on[result.instrument].screened_in(scratch.answers());
        let builtin = self.scores(&result, screened_in);
        let groups = (0..self.groups)
            .map(|k| value(1 + n_scores + k).map(str::to_string))
            .collect();
        // As the usual reader sets the id: the cell, when not blank.
        let id = id_column
            .and_then(|i| cells.get(i))
            .filter(|id| !id.trim().is_empty());
        Some(Outcome::Row(EvalRow {
            label,
            facts: eval_records::facts(&result),
            builtin,
            external,
            groups,
            features: Vec::new(),
            instrument: result.instrument,
            synthetic_id: id.is_some_and(|id| is_synth_id(id)),
            id: id.map(|id| id.trim().to_string()),
        }))
    }
}

/// `dashrisk evaluate`.
pub fn run(args: EvaluateArgs) -> Result<ExitCode, Fatal> {
    let scorer = crate::build_labelling_scorer(&args.scorer)?.with_limits(args.limits.limits()?)?;
    let input_path = PathBuf::from(&args.data);
    let mut inputs = args.scorer.files();
    inputs.push(input_path.as_path());
    if let (Some(r), Some(j)) = (&args.report, &args.json) {
        if crate::out::same_target(r, j) {
            return Err(Fatal("--report and --json name the same file".into()));
        }
    }
    let mut tools: Vec<ToolArg> = if args.tools.is_empty() {
        ALL_TOOLS.to_vec()
    } else {
        args.tools.clone()
    };
    // Each tool once, in the order first named.
    let mut named = Vec::with_capacity(tools.len());
    tools.retain(|t| {
        let first = !named.contains(t);
        named.push(*t);
        first
    });
    {
        let mut seen: Vec<&str> = tools.iter().map(|t| t.name()).collect();
        for c in &args.score_columns {
            if seen.contains(&c.as_str()) {
                return Err(Fatal(format!(
                    "--score-column {c:?}: a tool of that name is already evaluated; rename the column"
                )));
            }
            if c == &args.label {
                return Err(Fatal(format!("--score-column {c:?} is the label column")));
            }
            seen.push(c);
        }
    }
    let report = args
        .report
        .as_ref()
        .map(|p| Output::create(&Some(p.clone()), &inputs))
        .transpose()?;
    let json_out = args
        .json
        .as_ref()
        .map(|p| Output::create(&Some(p.clone()), &inputs))
        .transpose()?;

    let want = |t: ToolArg| tools.contains(&t);
    let screen = Screen::lap();
    let mut columns: Vec<&str> = vec![args.label.as_str()];
    columns.extend(args.score_columns.iter().map(String::as_str));
    columns.extend(args.group_by.iter().map(String::as_str));
    let n_scores = args.score_columns.len();

    let mut columns_out = Columns::new(tools.len(), n_scores, args.group_by.len());
    let mut features: Vec<u8> = Vec::new();
    let (mut read, mut failed, mut unlabelled) = (0u64, 0u64, 0u64);
    let mut all_synthetic_ids = true;
    // Whether any record gave each score and group column a value: one that none
    // did is misspelt (a JSON Lines `meta` key is not checked against a header) or
    // empty, and would give a tool scored on no record, or one blank group.
    let mut given = vec![false; n_scores + args.group_by.len()];
    // Ids seen, and how many records repeat one (with the first repeated).
    let mut ids: std::collections::HashSet<String> = std::collections::HashSet::new();
    let (mut repeated, mut first_repeated) = (0u64, None::<String>);
    let mut stderr = io::stderr();
    let job = Job {
        scorer: &scorer,
        screen: &screen,
        tools: &tools,
        label: &args.label,
        score_columns: &args.score_columns,
        groups: args.group_by.len(),
        screen_on: scorer
            .instruments()
            .iter()
            .map(|i| screen.on_form(i))
            .collect(),
    };

    let fast = |id_column: Option<usize>,
                header: &dashrisk::parse::FlatHeader,
                cells: &[&str],
                columns: &[usize],
                scratch: &mut dashrisk::parse::FlatScratch| {
        job.fast_row(id_column, header, cells, columns, scratch)
    };
    for_each_record_par(
        &scorer,
        &args.data,
        &args.input_args,
        &columns,
        Some(&fast),
        |line, res| job.row(line, res),
        |line, out| {
            if line > 0 {
                read += 1;
            }
            let r = match out {
                Outcome::Failed(e) => {
                    failed += 1;
                    let _ = writeln!(stderr, "dashrisk: {e}");
                    return Ok(());
                }
                Outcome::Unlabelled => {
                    unlabelled += 1;
                    return Ok(());
                }
                Outcome::Row(r) => r,
            };
            all_synthetic_ids &= r.synthetic_id;
            if let Some(id) = r.id.filter(|id| !id.is_empty()) {
                if ids.contains(&id) {
                    repeated += 1;
                    first_repeated.get_or_insert(id);
                } else {
                    ids.insert(id);
                }
            }
            for (k, v) in r.external.iter().enumerate() {
                given[k] |= v.is_finite();
            }
            for (k, g) in r.groups.iter().enumerate() {
                given[n_scores + k] |= g.as_deref().is_some_and(|g| !g.trim().is_empty());
            }
            columns_out.push(
                r.label,
                r.facts,
                r.builtin,
                r.external,
                r.groups,
                &scorer.instruments()[r.instrument].id,
            );
            features.extend_from_slice(&r.features);
            Ok(())
        },
    )?;
    report_unlabelled(&mut stderr, unlabelled, &args.label);
    if failed > 0 {
        let _ = writeln!(
            stderr,
            "dashrisk: {failed} record(s) could not be evaluated (above); the others were"
        );
    }
    if columns_out.is_empty() {
        return Err(Fatal(format!(
            "{}: no labelled record could be evaluated",
            args.data
        )));
    }
    if repeated > 0 && !args.allow_duplicate_ids {
        return Err(Fatal(format!(
            "{}: {repeated} record(s) repeat the id of an earlier record (the first: {:?}): \
             a record counted twice makes the intervals too narrow, and the comparison model \
             can meet its own copy across folds. Remove the copies, or give \
             --allow-duplicate-ids if the records are distinct",
            args.data,
            first_repeated
                .as_deref()
                .map(dashrisk::error::truncate_value)
                .unwrap_or_default()
        )));
    }
    let options = args
        .score_columns
        .iter()
        .map(|c| format!("--score-column {c}"))
        .chain(args.group_by.iter().map(|c| format!("--group-by {c}")));
    let empty: Vec<String> = options
        .zip(&given)
        .filter(|(_, g)| !**g)
        .map(|(o, _)| o)
        .collect();
    if !empty.is_empty() {
        return Err(Fatal(format!(
            "{}: no record gives a value for {} (a score must be a number; in JSON Lines \
             these name keys of each record's `meta` object): check the spelling",
            args.data,
            empty.join(", ")
        )));
    }

    let mut notes = Vec::new();
    if repeated > 0 {
        notes.push(format!(
            "{repeated} record(s) repeat the id of an earlier record (evaluated with \
             --allow-duplicate-ids): if they are copies, the intervals are too narrow."
        ));
    }
    if let Some(k) = tools.iter().position(|&t| t == ToolArg::Model) {
        let start = Instant::now();
        match out_of_fold(&features, columns_out.labels(), &args) {
            Ok(p) => {
                columns_out.set_builtin(k, p);
                let _ = writeln!(
                    stderr,
                    "dashrisk: the comparison model was trained out of fold in {:.1} s",
                    start.elapsed().as_secs_f64()
                );
            }
            Err(e) => {
                let _ = writeln!(
                    stderr,
                    "dashrisk: the comparison model could not be trained: {e}"
                );
                notes.push(format!(
                    "model: could not be trained on these records ({e}); it has no scores."
                ));
            }
        }
        let max = args.model_max_train_rows;
        notes.push(format!(
            "model: the linfa comparison model (dashrisk-learn, default parameters), trained out of fold: {} stratified folds (seed {}); each record's probability comes from a model fitted without its fold, on at most {max} records of the other folds (a seeded sample when there are more).",
            args.folds, args.seed
        ));
    }
    drop(features);

    let threshold = args.threshold;
    let screen_coverage = want(ToolArg::LapScreen).then(|| {
        eval_records::screen_coverage(&screen, &scorer, columns_out.forms(), "lap_screen")
    });
    let builtins: Vec<Builtin> = tools.iter().map(|t| t.builtin()).collect();
    notes.extend(eval_records::builtin_notes(&builtins, &scorer));
    let external: Vec<(String, String)> = args
        .score_columns
        .iter()
        .map(|c| (c.clone(), format!("The score column {c:?} from the input.")))
        .collect();
    let data = columns_out.into_data(
        &builtins,
        &external,
        &args.group_by,
        threshold,
        scorer.policy(),
    );
    let synthetic = !args.not_synthetic && (args.synthetic || all_synthetic_ids);
    if let Some(w) = synthetic_label_warning(&args.label, synthetic || args.not_synthetic) {
        let _ = writeln!(io::stderr(), "{w}");
    }
    let opts = Options {
        label: args.label.clone(),
        source: if args.data == "-" {
            "standard input".into()
        } else {
            Path::new(&args.data)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| args.data.clone())
        },
        synthetic,
        threshold,
        min_cell: args.min_cell,
        records_read: read,
        missing_label: unlabelled,
        errors: failed,
        scorer_version: dashrisk::SCORER_VERSION.into(),
        calibration_version: scorer.calibration().version.clone(),
        reference: eval_records::reference(&data),
        screen: screen_coverage,
        notes,
    };
    let e = dashrisk_report::evaluate::evaluate(&data, &opts);
    if let Some(mut w) = json_out {
        serde_json::to_writer_pretty(&mut w, &eval_render::json(&e))?;
        w.write_all(b"\n")?;
        w.commit()?;
    }
    if let Some(mut w) = report {
        w.write_all(eval_render::html(&e).as_bytes())?;
        w.commit()?;
    }
    let mut out = io::stdout().lock();
    out.write_all(eval_render::text(&e).as_bytes())?;
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Out-of-fold probabilities of the comparison model from the byte features.
fn out_of_fold(features: &[u8], labels: &[bool], args: &EvaluateArgs) -> Result<Vec<f64>, String> {
    let n = labels.len();
    let k = args.folds as usize;
    let fold_of =
        dashrisk_learn::stratified_folds(labels, k, args.seed).map_err(|e| e.to_string())?;
    let params = LogisticParams::new().check().map_err(|e| e.to_string())?;
    let max = args.model_max_train_rows as usize;
    let mut oof = vec![f64::NAN; n];
    let to_matrix = |rows: &[usize]| -> Array2<f64> {
        let mut x = Array2::<f64>::zeros((rows.len(), N_FEATURES));
        for (r, &i) in rows.iter().enumerate() {
            let src = &features[i * N_FEATURES..(i + 1) * N_FEATURES];
            for (dst, &v) in x.row_mut(r).iter_mut().zip(src) {
                *dst = f64::from(v);
            }
        }
        x
    };
    for fold in 0..k {
        let mut train: Vec<usize> = (0..n).filter(|&i| fold_of[i] != fold).collect();
        if train.len() > max {
            let seed = args.seed ^ (fold as u64).wrapping_mul(0xA24B_AED4_963E_E407);
            train.sort_by_key(|&i| mix(seed ^ i as u64));
            train.truncate(max);
            train.sort_unstable();
        }
        let y: Vec<bool> = train.iter().map(|&i| labels[i]).collect();
        let model = params
            .fit_arrays(to_matrix(&train).view(), &y)
            .map_err(|e| format!("fold {}: {e}", fold + 1))?;
        let test: Vec<usize> = (0..n).filter(|&i| fold_of[i] == fold).collect();
        for chunk in test.chunks(65_536) {
            let p = model.predict_proba(to_matrix(chunk).view());
            for (&i, &pi) in chunk.iter().zip(p.iter()) {
                oof[i] = pi;
            }
        }
    }
    Ok(oof)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_numbers_or_empty() {
        assert!(parse_score(Some(""), "s").unwrap().is_nan());
        assert!(parse_score(None, "s").unwrap().is_nan());
        assert!(parse_score(Some("null"), "s").unwrap().is_nan());
        assert_eq!(parse_score(Some(" 0.25 "), "s").unwrap(), 0.25);
        assert_eq!(parse_score(Some("12"), "s").unwrap(), 12.0);
        for bad in ["high", "NaN", "inf", "0,5"] {
            let e = parse_score(Some(bad), "risk").unwrap_err();
            assert!(e.to_string().contains("risk"), "{e}");
            assert!(e.to_string().contains(bad), "{e}");
        }
    }
}
