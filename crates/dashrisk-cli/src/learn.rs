//! `dashrisk train` and `dashrisk predict`: the logistic comparison model of
//! dashrisk-learn. Records are read with `assess`'s readers (CSV in the input
//! contract, or JSON Lines); bad records become the same error records.

use crate::assess::{
    empty_input, fill_csv, fill_lines, malformed, parse_row, pipeline, read_header, too_large,
    CsvJob, LineJob,
};
use crate::csv_rows::{CsvRows, Row, RowBuf};
use crate::{Fatal, Format, LimitArgs};
use dashrisk::error::{InputError, RecordError};
use dashrisk::{Assessment, Scorer};
use dashrisk_learn::{
    ClassWeight, Contribution, LogisticModel, LogisticParams, ParamGuard, TrainingSet,
    FEATURE_SET_VERSION,
};
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `dashrisk train`.
#[derive(clap::Args)]
pub struct TrainArgs {
    /// Training records: CSV in the input contract plus a 0/1 label column (or JSON
    /// Lines with the label in `meta`).
    #[arg(long, value_name = "FILE")]
    data: String,
    /// The label column: 1 = the outcome happened, 0 = it did not.
    #[arg(long, value_name = "COLUMN")]
    label: String,
    /// Where to write the model (JSON).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    input_args: crate::input::InputArgs,
    /// L2 penalty strength, alpha = 1/C of scikit-learn. Above 0: each answer's
    /// indicators sum to 1, so without the penalty the fit is not unique and its
    /// explanations arbitrary.
    #[arg(long, default_value_t = 1.0)]
    alpha: f64,
    /// Iteration limit of the solver; reaching it is an error, never a silent model.
    #[arg(long = "max-iterations", default_value_t = 1000)]
    max_iterations: u64,
    /// Tolerance on the gradient norm of the mean objective.
    #[arg(long, default_value_t = 1e-4)]
    tolerance: f64,
    /// Class weighting: none, balanced (the rarer class weighted by the rounded class
    /// ratio) or NEG:POS weights above 0, whole or not (e.g. 1:5 or 0.6:2.5).
    #[arg(long = "class-weight", default_value = "none", value_parser = parse_class_weight)]
    class_weight: ClassWeight,
    /// Number of cross-validation folds (stratified).
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Mark the model as trained on synthetic data even if the data do not look it.
    #[arg(long)]
    synthetic: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Arguments of `dashrisk predict`.
#[derive(clap::Args)]
pub struct PredictArgs {
    /// The model file written by `dashrisk train`.
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// Input file, or - (the default) for standard input.
    #[arg(default_value = "-")]
    input: String,
    #[command(flatten)]
    input_args: crate::input::InputArgs,
    /// How many contributions to list per record.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Write predictions here instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Refuse the input (exit 2, and with --out write nothing) when no record
    /// answers a field that the model's training records answered: usually a
    /// column left out or misspelt, read as not known on every record. Without it,
    /// such fields are named in a warning.
    #[arg(long)]
    strict_columns: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

fn parse_class_weight(s: &str) -> Result<ClassWeight, String> {
    match s {
        "none" => Ok(ClassWeight::Unweighted),
        "balanced" => Ok(ClassWeight::Balanced),
        _ => {
            let bad = || {
                format!(
                    "{s:?}: expected none, balanced, or NEG:POS weights above 0 (e.g. 1:5 or 0.6:2.5)"
                )
            };
            let (n, p) = s.split_once(':').ok_or_else(bad)?;
            // Weights written as whole numbers stay whole numbers, so that the model
            // file records them as it always has (`"integer"`).
            if let (Ok(negative), Ok(positive)) = (n.parse::<u32>(), p.parse::<u32>()) {
                return if negative > 0 && positive > 0 {
                    Ok(ClassWeight::Integer { negative, positive })
                } else {
                    Err(bad())
                };
            }
            let positive_finite =
                |v: &str| v.parse::<f64>().ok().filter(|w| w.is_finite() && *w > 0.0);
            match (positive_finite(n), positive_finite(p)) {
                (Some(negative), Some(positive)) => Ok(ClassWeight::Real { negative, positive }),
                _ => Err(bad()),
            }
        }
    }
}

/// Calls `each(line, record)` for every record of `input` (`line` 1-based, 0 for the
/// empty-input error), where `record` is the
/// assessment and the text of the `label` field (CSV column, or `meta.<label>` in
/// JSON Lines), or the contract's error record. Returns the number of records.
pub(crate) fn for_each_record(
    scorer: &Scorer,
    input: &str,
    input_args: &crate::input::InputArgs,
    label: Option<&str>,
    mut each: impl FnMut(u64, Result<(Assessment, Option<String>), RecordError>) -> Result<(), Fatal>,
) -> Result<u64, Fatal> {
    let columns: Vec<&str> = label.into_iter().collect();
    for_each_record_with(scorer, input, input_args, &columns, |line, res| {
        each(line, res.map(|(a, mut v)| (a, v.pop().flatten())))
    })
}

/// As [`for_each_record`], with the text of each of `columns` (CSV columns, or keys
/// of `meta` in JSON Lines; `None` when a JSON record lacks one). A CSV header
/// without one of them is an error that lists the columns there are.
pub(crate) fn for_each_record_with(
    scorer: &Scorer,
    input: &str,
    input_args: &crate::input::InputArgs,
    columns: &[&str],
    each: impl FnMut(u64, Result<(Assessment, Vec<Option<String>>), RecordError>) -> Result<(), Fatal>,
) -> Result<u64, Fatal> {
    for_each_record_par(scorer, input, input_args, columns, None, |_, res| res, each)
}

/// A record as read: the assessment and the texts of the columns asked for, or
/// the contract's error record.
pub(crate) type ReadRecord = Result<(Assessment, Vec<Option<String>>), RecordError>;

/// A CSV row's fast path: given the header's `id` column, the header, the row's
/// cells, the indices of the columns asked for and a scratch to read it into, the
/// output, or `None` to read and work on the row the usual way (which names any
/// error).
pub(crate) type FastRow<'f, T> = dyn Fn(
        Option<usize>,
        &dashrisk::parse::FlatHeader,
        &[&str],
        &[usize],
        &mut dashrisk::parse::FlatScratch,
    ) -> Option<T>
    + Sync
    + 'f;

/// Reads `input` in chunks, parses each record and runs `work(line, record)` on
/// every core, then calls `each(line, output)` in input order (`line` 1-based; 0
/// for the empty-input error). Blank JSON Lines lines are skipped (their line
/// numbers still count). With `fast`, each CSV row is offered to it first.
/// Returns the number of records.
pub(crate) fn for_each_record_par<T: Send>(
    scorer: &Scorer,
    input: &str,
    input_args: &crate::input::InputArgs,
    columns: &[&str],
    fast: Option<&FastRow<'_, T>>,
    work: impl Fn(u64, ReadRecord) -> T + Sync,
    mut each: impl FnMut(u64, T) -> Result<(), Fatal>,
) -> Result<u64, Fatal> {
    let crate::input::Opened {
        mut reader,
        format,
        delimiter,
    } = crate::input::open(input, input_args)?;
    let limits = scorer.limits();
    let threads = dashrisk::batch::threads();
    let mut emit = |chunk: Vec<(u64, T)>| -> Result<(), Fatal> {
        for (line, t) in chunk {
            each(line, t)?;
        }
        Ok(())
    };
    let n = match format {
        Format::Jsonl => {
            let (mut line, mut records) = (0u64, 0u64);
            let fill = |jobs: &mut Vec<LineJob>| {
                fill_lines(
                    &mut *reader,
                    limits.max_record_bytes,
                    jobs,
                    &mut line,
                    &mut records,
                )
            };
            let part = |part: &[LineJob]| -> Vec<(u64, T)> {
                part.iter()
                    .map(|(line, too_long, buf)| {
                        let res = if *too_long {
                            Err(too_large(limits, *line))
                        } else {
                            parse_json_line(scorer, *line, buf, columns)
                        };
                        (*line, work(*line, res))
                    })
                    .collect()
            };
            pipeline(threads, fill, part, &mut emit)?;
            records
        }
        Format::Csv => {
            let mut rdr = CsvRows::with_delimiter(reader, limits.max_record_bytes, delimiter);
            let mut record = RowBuf::new();
            let mut row_no = 0u64;
            if let Some(header) = rdr.read(&mut record)? {
                let (names, problem) = match header {
                    Row::Read => read_header(&record),
                    Row::TooLarge => (Vec::new(), Some(limits.record_too_large())),
                    Row::Malformed(bad) => (Vec::new(), Some(bad.error())),
                };
                if let Some(error) = problem {
                    return Err(Fatal(
                        RecordError {
                            line: 0,
                            id: None,
                            error,
                        }
                        .to_string(),
                    ));
                }
                let column_idx = columns
                    .iter()
                    .map(|l| {
                        names.iter().position(|n| n == l).ok_or_else(|| {
                            Fatal(format!(
                                "{input}: no column {l:?}; the columns are: {}",
                                names.join(", ")
                            ))
                        })
                    })
                    .collect::<Result<Vec<usize>, Fatal>>()?;
                let id_idx = names.iter().position(|n| n == "id");
                let flat_header = dashrisk::parse::FlatHeader::new(&names);
                let fill = |jobs: &mut Vec<CsvJob>| fill_csv(&mut rdr, jobs, &mut row_no);
                let part = |part: &[CsvJob]| -> Vec<(u64, T)> {
                    let mut scratch = dashrisk::parse::FlatScratch::new();
                    let mut cells: Vec<&str> = Vec::with_capacity(names.len());
                    part.iter()
                        .map(|(line, row, record)| {
                            if let (Some(fast), Row::Read) = (fast, row) {
                                let done =
                                    crate::assess::row_cells_into(&flat_header, record, &mut cells)
                                        .ok()
                                        .and_then(|()| {
                                            fast(
                                                id_idx,
                                                &flat_header,
                                                &cells,
                                                &column_idx,
                                                &mut scratch,
                                            )
                                        });
                                if let Some(t) = done {
                                    return (*line, t);
                                }
                            }
                            let res = match row {
                                Row::TooLarge => Err(too_large(limits, *line)),
                                Row::Malformed(bad) => Err(malformed(bad, *line)),
                                Row::Read => parse_row(scorer, &flat_header, record, *line, id_idx)
                                    .map(|a| {
                                        let values = column_idx
                                            .iter()
                                            .map(|&i| {
                                                record.get(i).map(|b| {
                                                    String::from_utf8_lossy(b).into_owned()
                                                })
                                            })
                                            .collect();
                                        (a, values)
                                    }),
                            };
                            (*line, work(*line, res))
                        })
                        .collect()
                };
                pipeline(threads, fill, part, &mut emit)?;
            }
            row_no
        }
    };
    if n == 0 {
        each(0, work(0, Err(empty_input())))?;
    }
    Ok(n)
}

/// One JSON Lines record, with `meta.<column>` as each column's text.
fn parse_json_line(
    scorer: &Scorer,
    line: u64,
    bytes: &[u8],
    columns: &[&str],
) -> Result<(Assessment, Vec<Option<String>>), RecordError> {
    let a = scorer.parse_json_line(line, bytes)?;
    let values = columns
        .iter()
        .map(|l| {
            let v = a.meta.as_ref()?.get(*l)?;
            Some(match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        })
        .collect();
    Ok((a, values))
}

/// The label cell as a class: `1`/`true`/`yes` or `0`/`false`/`no` (any case);
/// `None` when it is missing or empty (such records are counted and left out, by
/// `train` and `calibrate` alike).
pub(crate) fn parse_label(text: Option<&str>, column: &str) -> Result<Option<bool>, InputError> {
    let Some(v) = text
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "null")
    else {
        return Ok(None);
    };
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(Some(true)),
        "0" | "false" | "no" => Ok(Some(false)),
        _ => Err(InputError::invalid_value(
            column,
            v,
            &["1", "0", "true", "false", "yes", "no"],
        )),
    }
}

/// A read record with its label parsed: `Ok((assessment, None))` when it has no
/// label, or the error record of a bad record or a bad label.
pub(crate) fn with_label(
    line: u64,
    res: Result<(Assessment, Option<String>), RecordError>,
    label: &str,
) -> Result<(Assessment, Option<bool>), RecordError> {
    res.and_then(|(a, text)| match parse_label(text.as_deref(), label) {
        Ok(y) => Ok((a, y)),
        Err(error) => Err(RecordError {
            line,
            id: a.id,
            error,
        }),
    })
}

/// Whether the records are `dashrisk synth` output: its ids (`syn-0000001`) on
/// every record. Not the label column's name: a force may name its own column
/// `label_abuse` (the README's commands do), and real figures must not be sealed
/// as synthetic ([`synthetic_label_warning`] says when the name alone matches).
pub(crate) fn looks_synthetic(ids: &[Option<String>]) -> bool {
    !ids.is_empty() && ids.iter().all(|id| id.as_deref().is_some_and(is_synth_id))
}

/// A warning when the label column is named like `dashrisk synth`'s but the
/// records were not taken as synthetic.
pub(crate) fn synthetic_label_warning(label: &str, synthetic: bool) -> Option<String> {
    (!synthetic && matches!(label, "label_abuse" | "label_serious_harm")).then(|| {
        format!(
            "dashrisk: the label column {label:?} is named like dashrisk synth's, but not every \
             id is a synth id (syn-0000001): the records are taken as real (--synthetic to \
             mark them synthetic)"
        )
    })
}

/// Says on `log` how many records had no label and were left out (nothing when
/// none), as `train`, `calibrate` and `evaluate` all do.
pub(crate) fn report_unlabelled(log: &mut dyn Write, unlabelled: u64, label: &str) {
    if unlabelled > 0 {
        let _ = writeln!(
            log,
            "dashrisk: {unlabelled} record(s) have no {label:?} label and were left out"
        );
    }
}

/// Whether an id is one `dashrisk synth` writes (`syn-0000001`).
pub(crate) fn is_synth_id(id: &str) -> bool {
    id.strip_prefix("syn-")
        .is_some_and(|d| d.len() == 7 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `dashrisk train`.
pub fn train(args: TrainArgs) -> Result<ExitCode, Fatal> {
    // The features are one-hot blocks (yes, no, not known, declined of each
    // question) that each sum to 1, as the intercept's column does: without the
    // penalty many coefficient vectors fit equally well, and the contributions
    // `predict` explains with would be whichever the solver stopped at.
    if args.alpha == 0.0 {
        return Err(Fatal(
            "--alpha 0: the features are one-hot blocks that each sum to 1, so without the \
             penalty the fit is not unique and its explanations are arbitrary; give an alpha \
             above 0 (1 is the default; a small one such as 0.01 is nearly unpenalised)"
                .into(),
        ));
    }
    let params = LogisticParams::new()
        .alpha(args.alpha)
        .max_iterations(args.max_iterations)
        .tolerance(args.tolerance)
        .class_weight(args.class_weight)
        .check()?;
    let scorer = Scorer::default().with_limits(args.limits.limits()?)?;
    let mut stderr = io::stderr();
    let (mut assessments, mut labels, mut failed, mut unlabelled) =
        (Vec::new(), Vec::new(), 0u64, 0u64);
    for_each_record(
        &scorer,
        &args.data,
        &args.input_args,
        Some(&args.label),
        |line, res| {
            match with_label(line, res, &args.label) {
                Ok((_, None)) => unlabelled += 1,
                Ok((a, Some(y))) => {
                    assessments.push(a);
                    labels.push(y);
                }
                Err(e) => {
                    failed += 1;
                    let _ = writeln!(stderr, "dashrisk: {e}");
                }
            }
            Ok(())
        },
    )?;
    report_unlabelled(&mut stderr, unlabelled, &args.label);
    if failed > 0 {
        let _ = writeln!(
            stderr,
            "dashrisk: {failed} record(s) failed; no model was trained (fix or remove them)"
        );
        return Ok(ExitCode::from(1));
    }
    let ids: Vec<Option<String>> = assessments.iter().map(|a| a.id.clone()).collect();
    let synthetic = args.synthetic || looks_synthetic(&ids);
    if let Some(w) = synthetic_label_warning(&args.label, synthetic) {
        let _ = writeln!(stderr, "{w}");
    }
    if synthetic {
        let _ = writeln!(
            stderr,
            "dashrisk: these training data look SYNTHETIC (dashrisk synth ids, or --synthetic): the model is marked synthetic and every prediction says so; its numbers say nothing about real incidents"
        );
    }
    let set =
        TrainingSet::from_assessments(&assessments, &labels, &args.label, &args.data, synthetic)
            .map_err(|(i, error)| {
                Fatal(
                    RecordError {
                        line: i as u64 + 1,
                        id: assessments[i].id.clone(),
                        error,
                    }
                    .to_string(),
                )
            })?;
    let (model, cv) = params.fit_with_cv(&set, args.folds, args.seed)?;
    let mut w = crate::open_out(&Some(args.out.clone()), &[std::path::Path::new(&args.data)])?;
    w.write_all(model.to_json().as_bytes())?;
    w.commit()?;
    let mut w = io::BufWriter::new(io::stdout().lock());
    writeln!(w, "label\t{}", args.label)?;
    writeln!(w, "records\t{}", set.y.len())?;
    writeln!(w, "positives\t{}", set.positives())?;
    writeln!(w, "feature_set\t{FEATURE_SET_VERSION}")?;
    writeln!(
        w,
        "class_weight\t{}:{}",
        model.class_weight.negative, model.class_weight.positive
    )?;
    writeln!(w, "cv_folds\t{}", cv.folds)?;
    writeln!(w, "cv_auc\t{:.6}", cv.auc)?;
    writeln!(w, "cv_brier\t{:.6}", cv.brier)?;
    writeln!(w, "synthetic\t{synthetic}")?;
    writeln!(w, "model\t{}", args.out.display())?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One line of `dashrisk predict` output.
#[derive(Serialize)]
struct PredictLine<'a> {
    id: Option<String>,
    predictor: &'a str,
    label: &'a str,
    probability: f64,
    log_odds: f64,
    synthetic_training_data: bool,
    contributions: Vec<Contribution>,
    reasons: Vec<dashrisk::Reason>,
}

/// `dashrisk predict`.
pub fn predict(args: PredictArgs) -> Result<ExitCode, Fatal> {
    let text = std::fs::read_to_string(&args.model)
        .map_err(|e| Fatal(format!("{}: {e}", args.model.display())))?;
    let model = LogisticModel::from_json(&text)
        .map_err(|e| Fatal(format!("{}: {e}", args.model.display())))?;
    let scorer = Scorer::default().with_limits(args.limits.limits()?)?;
    let mut w = crate::open_out(
        &args.out,
        &[std::path::Path::new(&args.input), args.model.as_path()],
    )?;
    let mut stderr = io::stderr();
    let mut failed = 0u64;
    let mut seen = dashrisk_learn::AnsweredFields::default();
    for_each_record(&scorer, &args.input, &args.input_args, None, |line, res| {
        let res = res.and_then(|(a, _)| {
            model
                .explain_noting(&a, args.top, &mut seen)
                .map_err(|error| RecordError {
                    line,
                    id: a.id.clone(),
                    error,
                })
        });
        match res {
            Ok(e) => {
                let line = PredictLine {
                    id: e.id.clone(),
                    predictor: "logistic-regression",
                    label: &model.label,
                    probability: e.probability,
                    log_odds: e.log_odds,
                    synthetic_training_data: model.provenance.synthetic,
                    reasons: model.reasons(&e),
                    contributions: e.contributions,
                };
                serde_json::to_writer(&mut w, &line)?;
            }
            Err(e) => {
                failed += 1;
                let _ = writeln!(stderr, "dashrisk: {e}");
                serde_json::to_writer(&mut w, &e)?;
            }
        }
        w.write_all(b"\n")?;
        Ok(())
    })?;
    let unanswered = model.unanswered_here(&seen);
    if !unanswered.is_empty() {
        let named: Vec<String> = unanswered
            .iter()
            .map(|(f, share)| format!("{f} ({:.0}%)", share * 100.0))
            .collect();
        let names: Vec<&str> = named.iter().map(String::as_str).collect();
        let message = format!(
            "the model's training records answered {} (the share of records), but none of \
             the {} record(s) here does, which would happen by chance less than once in \
             {:.0}: each is read as not known on every record, which moves the predictions. \
             Is a column missing?",
            name_list(&names),
            seen.records(),
            1.0 / dashrisk_learn::model::MISSING_FIELD_P
        );
        if args.strict_columns {
            return Err(Fatal(format!(
                "{message} (--strict-columns: {})",
                if args.out.is_some() {
                    "nothing was written"
                } else {
                    "the predictions above were made with those fields not known"
                }
            )));
        }
        let _ = writeln!(
            stderr,
            "dashrisk: warning: {message} (--strict-columns refuses such input)"
        );
    }
    w.commit()?;
    if failed > 0 {
        let _ = writeln!(
            stderr,
            "dashrisk: {failed} record(s) failed; the others were predicted"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Up to ten names, then how many more.
fn name_list(names: &[&str]) -> String {
    let shown = names
        .iter()
        .take(10)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len() {
        n if n > 10 => format!("{shown} and {} more", n - 10),
        _ => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashrisk::error::ErrorKind;

    #[test]
    fn class_weight_strings() {
        assert_eq!(parse_class_weight("none"), Ok(ClassWeight::Unweighted));
        assert_eq!(parse_class_weight("balanced"), Ok(ClassWeight::Balanced));
        assert_eq!(
            parse_class_weight("1:5"),
            Ok(ClassWeight::Integer {
                negative: 1,
                positive: 5
            })
        );
        assert_eq!(
            parse_class_weight("0.6:2.5"),
            Ok(ClassWeight::Real {
                negative: 0.6,
                positive: 2.5
            })
        );
        assert_eq!(
            parse_class_weight("1:1e-4"),
            Ok(ClassWeight::Real {
                negative: 1.0,
                positive: 1e-4
            })
        );
        for bad in [
            "0:5", "heavy", "1:0.0", "-1:2", "1:inf", "NaN:1", "1:", "1;2",
        ] {
            assert!(parse_class_weight(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_are_exactly_zero_or_one() {
        assert_eq!(parse_label(Some("1"), "y"), Ok(Some(true)));
        assert_eq!(parse_label(Some(" 0 "), "y"), Ok(Some(false)));
        assert_eq!(parse_label(Some("Yes"), "y"), Ok(Some(true)));
        assert_eq!(parse_label(Some("false"), "y"), Ok(Some(false)));
        assert_eq!(parse_label(Some(""), "y"), Ok(None));
        assert_eq!(parse_label(None, "y"), Ok(None));
        assert_eq!(
            parse_label(Some("maybe"), "y").unwrap_err().code,
            ErrorKind::InvalidValue
        );
    }

    #[test]
    fn synthetic_data_is_recognised() {
        let syn = vec![Some("syn-0000001".to_string()), Some("syn-0000002".into())];
        assert!(looks_synthetic(&syn));
        let real = vec![Some("INC-1".to_string()), Some("syn-0000002".into())];
        assert!(!looks_synthetic(&real));
        // The label's name decides nothing; it only brings a warning.
        assert!(synthetic_label_warning("label_abuse", false).is_some());
        assert!(synthetic_label_warning("label_abuse", true).is_none());
        assert!(synthetic_label_warning("outcome", false).is_none());
    }
}
