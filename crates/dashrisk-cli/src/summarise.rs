//! `dashrisk summarise`: assess raw records (the input contract, CSV or JSON Lines)
//! and count call-outs by classification, recording category, risk level, pathway,
//! MARAC criterion and notification, with the questions most often left unanswered
//! in unclear cases; overall and by group columns and period; small cells
//! suppressed. Streams: memory holds one row of counts per group and period.

use crate::assess::{
    empty_input, fill_csv, fill_lines, malformed, parse_row, pipeline, read_header, too_large,
    CsvJob, LineJob,
};
use crate::csv_rows::{CsvRows, Row, RowBuf};
use crate::out::Output;
use crate::{Fatal, Format, LimitArgs, ScorerArgs};
use clap::ValueEnum;
use dashrisk::error::{ErrorKind, InputError, RecordError};
use dashrisk::{Assessment, NaiveDate, Scorer};
use dashrisk_report::summary::NO_DATE;
use dashrisk_report::{render, Options, Period, RowKey, Tally};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The breakdown period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// Calendar month (`2025-03`).
    Month,
    /// Calendar quarter (`2025-Q1`).
    Quarter,
    /// Calendar year.
    Year,
}

/// `dashrisk summarise`.
#[derive(clap::Args)]
pub struct SummariseArgs {
    /// Input file in the input contract (CSV or JSON Lines), or - (the default) for
    /// standard input.
    #[arg(default_value = "-")]
    input: String,
    #[command(flatten)]
    input_args: crate::input::InputArgs,
    /// Break every figure down by this column (repeatable: the breakdown is by
    /// their combination). In JSON Lines input, a key of `meta`.
    #[arg(long = "group-by", value_name = "COLUMN")]
    group_by: Vec<String>,
    /// Break every figure down by period too.
    #[arg(long)]
    period: Option<PeriodArg>,
    /// The column of dates (YYYY-MM-DD) for --period; default `incident_date`.
    #[arg(long = "date-column", value_name = "COLUMN", requires = "period")]
    date_column: Option<String>,
    /// Counts from 1 to N-1 are withheld, and those they could be worked back
    /// from. 1 withholds nothing (not for publication).
    #[arg(long = "min-cell", value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    min_cell: u64,
    /// Write the HTML page here (self-contained: nothing loads from elsewhere).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Write every figure as JSON here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Mark the summary as on synthetic data (`dashrisk synth` ids are recognised
    /// without it).
    #[arg(long)]
    synthetic: bool,
    #[command(flatten)]
    scorer: ScorerArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Where a row's group values and date come from.
struct Keys {
    group_by: Vec<String>,
    period: Option<(Period, String)>,
}

impl Keys {
    fn date_from_context(&self) -> bool {
        self.period
            .as_ref()
            .is_some_and(|(_, c)| c == "incident_date")
    }

    /// Writes the row's period label into `buf` (cleared first) when a period was
    /// asked for, from the date cell or, for `incident_date`, the assessment's own
    /// date; returns whether one was.
    fn period_into(
        &self,
        a: &Assessment,
        date_cell: Option<&str>,
        buf: &mut String,
    ) -> Result<bool, InputError> {
        buf.clear();
        let Some((p, column)) = &self.period else {
            return Ok(false);
        };
        let date = if self.date_from_context() {
            a.context.incident_date
        } else {
            parse_date(column, date_cell.unwrap_or(""))?
        };
        match date {
            Some(d) => p.write_label(d, buf),
            None => buf.push_str(NO_DATE),
        }
        Ok(true)
    }
}

fn parse_date(column: &str, cell: &str) -> Result<Option<NaiveDate>, InputError> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(cell, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            InputError::new(
                ErrorKind::InvalidValue,
                column,
                Some(cell),
                format!(
                    "{column}: {:?} is not a date; expected YYYY-MM-DD, or empty when not known",
                    dashrisk::error::truncate_value(cell)
                ),
            )
        })
}

/// `dashrisk summarise`: prints the table, writes the page and the JSON.
pub fn run(args: SummariseArgs) -> Result<ExitCode, Fatal> {
    let scorer = crate::build_labelling_scorer(&args.scorer)?.with_limits(args.limits.limits()?)?;
    let input_path = PathBuf::from(&args.input);
    let mut inputs = args.scorer.files();
    inputs.push(input_path.as_path());
    // Refuse an output that is the input, or the two outputs the same file, before
    // anything is read or written.
    if let (Some(r), Some(j)) = (&args.report, &args.json) {
        if crate::out::same_target(r, j) {
            return Err(Fatal("--report and --json name the same file".into()));
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
    let keys = Keys {
        group_by: args.group_by.clone(),
        period: args.period.map(|p| {
            (
                match p {
                    PeriodArg::Month => Period::Month,
                    PeriodArg::Quarter => Period::Quarter,
                    PeriodArg::Year => Period::Year,
                },
                args.date_column
                    .clone()
                    .unwrap_or_else(|| "incident_date".into()),
            )
        }),
    };
    let mut log = io::stderr();
    let crate::input::Opened {
        reader,
        format,
        delimiter,
    } = crate::input::open(&args.input, &args.input_args)?;
    let mut tally = Tally::new();
    let failed = match format {
        Format::Csv => tally_csv(&scorer, reader, delimiter, &keys, &mut tally, &mut log)?,
        Format::Jsonl => tally_jsonl(&scorer, reader, &keys, &mut tally, &mut log)?,
    };
    let options = Options {
        group_by: keys.group_by,
        period: keys.period,
        min_cell: args.min_cell,
        synthetic: args.synthetic,
        source: if args.input == "-" {
            "standard input".into()
        } else {
            Path::new(&args.input)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| args.input.clone())
        },
        scorer_version: dashrisk::SCORER_VERSION.into(),
        calibration_version: scorer.calibration().version.clone(),
    };
    let summary = tally.finish(&options);
    if let Some(mut w) = json_out {
        serde_json::to_writer_pretty(&mut w, &render::json(&summary))?;
        w.write_all(b"\n")?;
        w.commit()?;
    }
    if let Some(mut w) = report {
        w.write_all(render::html(&summary).as_bytes())?;
        w.commit()?;
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    out.write_all(render::text(&summary).as_bytes())?;
    out.flush()?;
    if failed > 0 {
        let _ = writeln!(
            log,
            "dashrisk: {failed} record(s) failed and are in no figure; the others were summarised"
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One record ready to count: its row key (an index into its part's keys),
/// whether its id is synthetic, its recent transitions (kept for parental conflict
/// only), its compact result and the gate questions it left open when unclear (a
/// range of its part's list).
struct Counted {
    key: u32,
    synthetic_id: bool,
    transitions: Option<Vec<dashrisk::Transition>>,
    result: dashrisk::CompactResult,
    open: std::ops::Range<usize>,
}

/// A part's records in input order, with the row keys they use held once each and
/// their open questions in one list: a part allocates per distinct key, not per
/// record.
#[derive(Default)]
struct Part<'s> {
    keys: Vec<RowKey>,
    open: Vec<dashrisk::OpenQuestion<'s>>,
    records: Vec<Result<Counted, RecordError>>,
}

impl<'s> Part<'s> {
    /// The index of the key made of `group` and `period`, added if new.
    fn key(&mut self, group: &[&str], period: Option<&str>) -> u32 {
        let found = self.keys.iter().position(|k| {
            k.period.as_deref() == period
                && k.group.len() == group.len()
                && k.group.iter().zip(group).all(|(a, b)| a == b)
        });
        let i = found.unwrap_or_else(|| {
            self.keys.push(RowKey {
                group: group.iter().map(|g| g.to_string()).collect(),
                period: period.map(str::to_string),
            });
            self.keys.len() - 1
        });
        u32::try_from(i).expect("a part has fewer than 2^32 keys")
    }

    /// Adds a record assessed on either path: `a` holds its screen (for the
    /// transitions), `id` its id.
    fn push(
        &mut self,
        key: u32,
        id: Option<&str>,
        a: &Assessment,
        result: dashrisk::CompactResult,
        open_from: usize,
    ) {
        let synthetic_id = id.is_some_and(dashrisk_report::summary::is_synthetic_id);
        let transitions = (result.classification == dashrisk::Classification::ParentalConflict)
            .then(|| a.conflict_screen.recent_transitions.clone())
            .flatten();
        self.records.push(Ok(Counted {
            key,
            synthetic_id,
            transitions,
            result,
            open: open_from..self.open.len(),
        }));
    }

    /// Assesses `a` on the usual path (a JSON Lines record, or a CSV row the fast
    /// path refused, read again for its error) and adds it.
    fn assess(
        &mut self,
        scorer: &'s Scorer,
        a: &Assessment,
        group: &[&str],
        period: Option<&str>,
        line: u64,
    ) -> Result<(), RecordError> {
        let fail = |error: InputError| RecordError {
            line,
            id: a.id.as_deref().map(dashrisk::error::truncate_value),
            error,
        };
        let r = scorer.assess_compact(a).map_err(fail)?;
        let from = self.open.len();
        if r.classification == dashrisk::Classification::Unclear {
            scorer
                .unanswered_gate_questions_into(a, &mut self.open)
                .map_err(fail)?;
        }
        let key = self.key(group, period);
        self.push(key, a.id.as_deref(), a, r, from);
        Ok(())
    }
}

/// Reads chunks with `fill`, assesses their parts with `work` on every core, and
/// counts their records in input order; returns the records that failed (each
/// reported).
fn tally_chunks<'s, J: Sync>(
    fill: impl FnMut(&mut Vec<J>) -> Result<bool, Fatal>,
    work: impl Fn(&[J]) -> Part<'s> + Sync,
    tally: &mut Tally,
    log: &mut dyn Write,
) -> Result<u64, Fatal> {
    let mut failed = 0;
    let mut rows = Vec::new();
    pipeline(dashrisk::batch::threads(), fill, work, |part| {
        rows.clear();
        rows.extend(part.keys.into_iter().map(|k| tally.row(k)));
        for res in part.records {
            match res {
                Ok(c) => tally.add_call_out_to(
                    rows[c.key as usize],
                    c.synthetic_id,
                    c.transitions.as_deref(),
                    &c.result,
                    &part.open[c.open],
                ),
                Err(e) => report_error(tally, log, &e, &mut failed),
            }
        }
        Ok(())
    })?;
    Ok(failed)
}

fn report_error(tally: &mut Tally, log: &mut dyn Write, e: &RecordError, failed: &mut u64) {
    tally.add_error();
    *failed += 1;
    let _ = writeln!(log, "dashrisk: {e}");
}

fn tally_csv(
    scorer: &Scorer,
    reader: Box<dyn BufRead>,
    delimiter: u8,
    keys: &Keys,
    tally: &mut Tally,
    log: &mut dyn Write,
) -> Result<u64, Fatal> {
    let limits = scorer.limits();
    let mut rdr = CsvRows::with_delimiter(reader, limits.max_record_bytes, delimiter);
    let mut record = RowBuf::new();
    let mut failed = 0u64;
    let names = match rdr.read(&mut record)? {
        None => {
            report_error(tally, log, &empty_input(), &mut failed);
            return Ok(failed);
        }
        Some(Row::TooLarge) => {
            return Err(Fatal(format!(
                "header: {}",
                limits.record_too_large().message
            )))
        }
        Some(Row::Malformed(bad)) => return Err(Fatal(format!("header: {}", bad.error().message))),
        Some(Row::Read) => {
            let (names, problem) = read_header(&record);
            if let Some(e) = problem {
                return Err(Fatal(e.message));
            }
            names
        }
    };
    let column = |c: &str, flag: &str| -> Result<usize, Fatal> {
        names.iter().position(|n| n == c).ok_or_else(|| {
            Fatal(format!(
                "{flag} {c:?}: no such column in the header; the columns are: {}",
                names.join(", ")
            ))
        })
    };
    let group_idx: Vec<usize> = keys
        .group_by
        .iter()
        .map(|c| column(c, "--group-by"))
        .collect::<Result<_, _>>()?;
    let date_idx = match &keys.period {
        Some((_, c)) if !keys.date_from_context() => Some(column(c, "--date-column")?),
        Some((_, c)) => {
            column(c, "--date-column")?;
            None
        }
        None => None,
    };
    let id_idx = names.iter().position(|n| n == "id");
    let flat_header = dashrisk::parse::FlatHeader::new(&names);
    let mut line = 0u64;
    let fill = |jobs: &mut Vec<CsvJob>| fill_csv(&mut rdr, jobs, &mut line);
    let work = |jobs: &[CsvJob]| -> Part<'_> {
        // The allocation-free reader and scorer for every row; a row it refuses is
        // read again the usual way, which names its error.
        let mut part = Part::default();
        let mut scratch = dashrisk::parse::FlatScratch::new();
        let mut cells: Vec<&str> = Vec::with_capacity(names.len());
        let mut group: Vec<&str> = Vec::with_capacity(group_idx.len());
        let mut period = String::new();
        for (line, row, record) in jobs {
            let res = match row {
                Row::TooLarge => Err(too_large(limits, *line)),
                Row::Malformed(bad) => Err(malformed(bad, *line)),
                Row::Read => (|| {
                    let fast = crate::assess::row_cells_into(&flat_header, record, &mut cells)
                        .and_then(|()| {
                            scorer.assess_flat_compact(&flat_header, &cells, &mut scratch)
                        });
                    let Ok(r) = fast else {
                        // The usual reader names the error; should it read the row
                        // after all, the row is counted from what it read.
                        let a = parse_row(scorer, &flat_header, record, *line, id_idx)?;
                        let g: Vec<String> = group_idx.iter().map(|&i| cell(record, i)).collect();
                        let g: Vec<&str> = g.iter().map(String::as_str).collect();
                        let date = date_idx.map(|i| cell(record, i));
                        let has = keys.period_into(&a, date.as_deref(), &mut period).map_err(
                            |error| RecordError {
                                line: *line,
                                id: a.id.as_deref().map(dashrisk::error::truncate_value),
                                error,
                            },
                        )?;
                        return part.assess(scorer, &a, &g, has.then_some(period.as_str()), *line);
                    };
                    // As the usual reader sets the id: the cell, when not blank.
                    let id = id_idx
                        .and_then(|i| cells.get(i))
                        .copied()
                        .filter(|id| !id.trim().is_empty());
                    let a = scratch.assessment();
                    group.clear();
                    group.extend(
                        group_idx
                            .iter()
                            .map(|&i| cells.get(i).map_or("", |c| c.trim())),
                    );
                    let date = date_idx.map(|i| cells.get(i).copied().unwrap_or(""));
                    let has =
                        keys.period_into(a, date, &mut period)
                            .map_err(|error| RecordError {
                                line: *line,
                                id: id.map(dashrisk::error::truncate_value),
                                error,
                            })?;
                    let from = part.open.len();
                    if r.classification == dashrisk::Classification::Unclear {
                        scorer.unanswered_gate_questions_flat(&scratch, &mut part.open);
                    }
                    let key = part.key(&group, has.then_some(period.as_str()));
                    part.push(key, id, a, r, from);
                    Ok(())
                })(),
            };
            if let Err(e) = res {
                part.records.push(Err(e));
            }
        }
        part
    };
    failed += tally_chunks(fill, work, tally, log)?;
    if line == 0 {
        report_error(tally, log, &empty_input(), &mut failed);
    }
    Ok(failed)
}

/// A cell's text, trimmed (invalid UTF-8 replaced).
fn cell(record: &RowBuf, i: usize) -> String {
    String::from_utf8_lossy(record.get(i).unwrap_or(b""))
        .trim()
        .to_string()
}

/// A `meta` value as a group value: strings as they are, numbers and booleans as
/// written, anything else (absent, null) blank.
fn meta_text(a: &Assessment, key: &str) -> String {
    match a.meta.as_ref().and_then(|m| m.get(key)) {
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => v.to_string(),
        _ => String::new(),
    }
}

fn tally_jsonl(
    scorer: &Scorer,
    mut reader: Box<dyn BufRead>,
    keys: &Keys,
    tally: &mut Tally,
    log: &mut dyn Write,
) -> Result<u64, Fatal> {
    let limits = scorer.limits();
    let mut line = 0u64;
    let mut records = 0u64;
    let mut failed = 0u64;
    // The `meta` keys asked for (`--group-by`, and `--date-column` unless it is the
    // context's incident date), and whether any record has each: a misspelt key
    // would otherwise put every call-out in one blank group or period.
    let mut asked: Vec<(&str, &str)> = keys
        .group_by
        .iter()
        .map(|k| ("--group-by", k.as_str()))
        .collect();
    if let Some((_, c)) = keys.period.as_ref().filter(|_| !keys.date_from_context()) {
        asked.push(("--date-column", c.as_str()));
    }
    let seen: Vec<std::sync::atomic::AtomicBool> = asked
        .iter()
        .map(|_| std::sync::atomic::AtomicBool::new(false))
        .collect();
    let fill = |jobs: &mut Vec<LineJob>| {
        fill_lines(
            &mut *reader,
            limits.max_record_bytes,
            jobs,
            &mut line,
            &mut records,
        )
    };
    let work = |jobs: &[LineJob]| -> Part<'_> {
        let mut part = Part::default();
        let mut period = String::new();
        for (line, too_long, buf) in jobs {
            let res = if *too_long {
                Err(too_large(limits, *line))
            } else {
                scorer.parse_json_line(*line, buf).and_then(|a| {
                    if let Some(m) = a.meta.as_ref() {
                        for ((_, key), seen) in asked.iter().zip(&seen) {
                            if m.get(*key).is_some() {
                                seen.store(true, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    }
                    let g: Vec<String> = keys.group_by.iter().map(|k| meta_text(&a, k)).collect();
                    let g: Vec<&str> = g.iter().map(String::as_str).collect();
                    let date = keys
                        .period
                        .as_ref()
                        .filter(|_| !keys.date_from_context())
                        .map(|(_, c)| meta_text(&a, c));
                    let has =
                        keys.period_into(&a, date.as_deref(), &mut period)
                            .map_err(|error| RecordError {
                                line: *line,
                                id: a.id.as_deref().map(dashrisk::error::truncate_value),
                                error,
                            })?;
                    part.assess(scorer, &a, &g, has.then_some(period.as_str()), *line)
                })
            };
            if let Err(e) = res {
                part.records.push(Err(e));
            }
        }
        part
    };
    failed += tally_chunks(fill, work, tally, log)?;
    if records == 0 {
        report_error(tally, log, &empty_input(), &mut failed);
    }
    let missing: Vec<String> = asked
        .iter()
        .zip(&seen)
        .filter(|(_, s)| !s.load(std::sync::atomic::Ordering::Relaxed))
        .map(|((option, key), _)| format!("{option} {key}"))
        .collect();
    if records > 0 && !missing.is_empty() {
        return Err(Fatal(format!(
            "no record's meta has the key of {}: in JSON Lines these name keys of each \
             record's `meta` object; check the spelling",
            missing.join(", ")
        )));
    }
    Ok(failed)
}
