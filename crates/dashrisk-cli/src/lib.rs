//! The `dashrisk` command line: assess domestic incidents, list and seal instruments,
//! generate synthetic data, train and run the comparison model.
//!
//! This library is the whole command line; `src/main.rs` only calls [`main`]. It is
//! a library so that the record readers ([`assess`], [`csv_rows`]) can be fuzzed and
//! tested in process. It is not a stable API: the command line and its JSON and CSV
//! output are (docs/guide-cli.md).
//!
//! Exit status: 0 when every record was assessed; 1 when any record failed (the
//! others are still assessed and written); 2 for usage errors and bad artefacts.
//! Nothing here logs answers: errors name the line, the field and at most the
//! offending value.
#![forbid(unsafe_code)]

pub mod assess;
mod calibrate;
pub mod csv_rows;
pub mod evaluate;
pub mod flat;
pub mod input;
pub mod json_out;
mod learn;
mod out;
pub mod summarise;

use clap::{Parser, Subcommand, ValueEnum};
use dashrisk::{ArtefactError, Calibration, Instrument, Limits, Policy, Scorer};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dashrisk",
    version,
    about = "Decision support at domestic incidents: parental conflict or domestic abuse, and how serious is the risk.",
    long_about = "Decision support at domestic incidents: parental conflict or domestic abuse, and how serious is the risk.\n\nResults support, and never replace, an officer's professional judgement. The shipped calibration is fitted on SYNTHETIC data."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What the CSV output says of the reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReasonsArg {
    /// Reason codes only (`reason_codes`).
    Codes,
    /// Reason codes and the sentences (`reasons`).
    Text,
}

/// Input and output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(clap::Args)]
pub(crate) struct ScorerArgs {
    /// Policy file (JSON) replacing the default thresholds.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Calibration file (JSON) replacing the shipped one.
    #[arg(long, value_name = "FILE")]
    pub(crate) calibration: Option<PathBuf>,
    /// Extra instrument file(s) (JSON), e.g. a licensed form's official wording.
    #[arg(long = "instrument-file", value_name = "FILE")]
    instrument_files: Vec<PathBuf>,
    /// Refuse instrument and policy files without a checksum (see `dashrisk
    /// instrument seal`). Sealed files are always verified.
    #[arg(long = "require-sealed")]
    require_sealed: bool,
}

/// Limits on one input record; a record over them is a `too_large` error record.
#[derive(clap::Args)]
pub(crate) struct LimitArgs {
    /// The longest record, in bytes (a JSON Lines line, or a CSV row's cells).
    #[arg(long = "max-record-bytes", value_name = "BYTES", default_value_t = dashrisk::limits::DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// The deepest JSON nesting (the record object is level 1).
    #[arg(long = "max-depth", value_name = "LEVELS", default_value_t = dashrisk::limits::DEFAULT_MAX_DEPTH)]
    max_depth: usize,
}

impl ScorerArgs {
    /// Every file these options read (policy, calibration, instrument files): an
    /// output must never be one of them.
    pub(crate) fn files(&self) -> Vec<&Path> {
        let mut files: Vec<&Path> = Vec::new();
        files.extend(self.policy.as_deref());
        files.extend(self.calibration.as_deref());
        files.extend(self.instrument_files.iter().map(PathBuf::as_path));
        files
    }
}

impl LimitArgs {
    /// The validated limits.
    pub(crate) fn limits(&self) -> Result<Limits, Fatal> {
        Limits::new(self.max_record_bytes, self.max_depth).map_err(|e| match e {
            ArtefactError::Invalid { field, problem, .. } => {
                Fatal(format!("--{}: {problem}", field.replace('_', "-")))
            }
            other => Fatal(other.to_string()),
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Assess incidents: JSON Lines or CSV in, JSON Lines or CSV out, streaming.
    Assess {
        /// Input file, or - (the default) for standard input.
        #[arg(default_value = "-")]
        input: String,
        #[command(flatten)]
        input_args: input::InputArgs,
        /// Output format (default: the input format).
        #[arg(long = "output-format")]
        output_format: Option<Format>,
        /// CSV output: `codes` (the default) writes the reason codes; `text` adds
        /// the `reasons` column of sentences. JSON Lines always has both.
        #[arg(long, value_enum, default_value = "codes")]
        reasons: ReasonsArg,
        /// Write results here instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Add `ask_next` to each result: the unanswered questions whose answer
        /// would change the classification, the level, MARAC or a notification
        /// (JSON Lines output).
        #[arg(long = "ask-next")]
        ask_next: bool,
        /// Add `services` to each result: the local services for each of its
        /// pathways, from this directory (JSON, dashrisk-services/1; JSON Lines
        /// output).
        #[arg(long, value_name = "FILE")]
        services: Option<PathBuf>,
        #[command(flatten)]
        scorer: ScorerArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// List, show or seal risk instruments.
    Instrument {
        #[command(subcommand)]
        action: InstrumentCmd,
    },
    /// Generate a seeded synthetic population (NOT real data) in the input contract,
    /// with label columns `label_abuse` and `label_serious_harm`.
    Synth {
        /// Number of records.
        #[arg(long)]
        n: usize,
        /// Seed: the same seed always gives the same records.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Output format.
        #[arg(long, default_value = "csv")]
        format: Format,
        /// Change a generator setting from its default, as KEY=VALUE (repeatable;
        /// docs/synthetic-data.md lists the settings), e.g. `--set p_abuse=0.3`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Print the default policy (thresholds) as sealed JSON, to edit,
    /// seal again (`dashrisk policy seal FILE`) and pass back with --policy.
    Policy {
        #[command(subcommand)]
        action: Option<PolicyCmd>,
    },
    /// Train the logistic comparison model (dashrisk-learn) on labelled records and
    /// print its cross-validated AUC and Brier score. For comparison only.
    Train(learn::TrainArgs),
    /// Predict with a trained comparison model: one JSON line per record with the
    /// probability and the largest contributions.
    Predict(learn::PredictArgs),
    /// Fit the scoring model (learned points, unknown points, the map to p_abuse
    /// and the guaranteed conflict threshold): on the synthetic reference
    /// population (reproducing the shipped artefact), or with --data on a force's
    /// own labelled records.
    Calibrate(calibrate::CalibrateArgs),
    /// Call-out analysis for partnerships: assess raw records and count each
    /// classification, recording category, risk level, pathway, MARAC criterion and
    /// notification per 1,000 call-outs, with the questions most often left
    /// unanswered in unclear cases; by group and period; small cells withheld.
    Summarise(summarise::SummariseArgs),
    /// Benchmark tools on a force's labelled records: the DASH count and grade,
    /// p_abuse, the classification, the LAP screen, the comparison model (out of
    /// fold) and any score column, side by side: discrimination, calibration,
    /// workload, routing safety, and figures by officer or area with funnel plots.
    Evaluate(evaluate::EvaluateArgs),
}

#[derive(Subcommand)]
enum InstrumentCmd {
    /// List the built-in instruments (and any loaded with --instrument-file).
    List {
        #[command(flatten)]
        scorer: ScorerArgs,
    },
    /// Show one instrument's questions.
    Show {
        /// Instrument id (e.g. dash-2009).
        name: String,
        /// Print the instrument as sealed JSON (the custom-instrument file format).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        scorer: ScorerArgs,
    },
    /// Check an instrument file and write its checksum into it, so that any later
    /// change is detected. Run it again after a deliberate edit.
    Seal(SealArgs),
}

#[derive(Subcommand)]
enum PolicyCmd {
    /// Check a policy file and write its checksum into it, so that any later change
    /// is detected. Run it again after a deliberate edit.
    Seal(SealArgs),
}

#[derive(clap::Args)]
struct SealArgs {
    /// The file to check and seal (JSON). Any checksum already in it is replaced.
    file: PathBuf,
    /// Write the sealed file here instead of replacing FILE.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// A usage or artefact problem: message for stderr, exit 2.
#[derive(Debug)]
pub struct Fatal(
    /// The message, without the `dashrisk: ` prefix.
    pub String,
);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

fn read_file(path: &Path) -> Result<String, Fatal> {
    fs::read_to_string(path).map_err(|e| Fatal(format!("{}: {e}", path.display())))
}

/// An artefact error naming the file, with the command that reseals it when the
/// checksum is the problem.
fn artefact_fatal(path: &Path, e: ArtefactError, kind: &str) -> Fatal {
    let checksum = matches!(&e, ArtefactError::Mismatch { problem, .. } if problem.contains("checksum"))
        || matches!(&e, ArtefactError::Invalid { field, .. } if field == "checksum");
    let hint = if checksum && kind != "calibration" {
        format!(
            "; if the change was deliberate, check the file and seal it: dashrisk {kind} seal {}",
            path.display()
        )
    } else {
        String::new()
    };
    Fatal(format!("{}: {e}{hint}", path.display()))
}

/// [`build_scorer`] for a command that labels cases (`assess`, `evaluate`,
/// `summarise`): when the calibration's conflict guarantee does not hold under
/// the policy, so that no case is labelled parental conflict, says so on stderr
/// first, so that the missing conflict labels are never a surprise.
pub(crate) fn build_labelling_scorer(args: &ScorerArgs) -> Result<Scorer, Fatal> {
    let scorer = build_scorer(args)?;
    if let Some(why) = scorer.conflict_guarantee_problem() {
        eprintln!("dashrisk: note: {why}");
    }
    Ok(scorer)
}

pub(crate) fn build_scorer(args: &ScorerArgs) -> Result<Scorer, Fatal> {
    let policy = match &args.policy {
        Some(p) => {
            let text = read_file(p)?;
            let read = if args.require_sealed {
                Policy::from_json_sealed(&text)
            } else {
                Policy::from_json(&text)
            };
            read.map_err(|e| artefact_fatal(p, e, "policy"))?
        }
        None => Policy::default(),
    };
    let calibration = match &args.calibration {
        Some(p) => Calibration::from_json(&read_file(p)?)
            .map_err(|e| artefact_fatal(p, e, "calibration"))?,
        None => Calibration::shipped(),
    };
    let mut scorer = Scorer::new(policy, calibration)?;
    for p in &args.instrument_files {
        let text = read_file(p)?;
        let read = if args.require_sealed {
            Instrument::from_json_sealed(&text)
        } else {
            Instrument::from_json(&text)
        };
        let inst = read.map_err(|e| artefact_fatal(p, e, "instrument"))?;
        scorer = scorer
            .with_instrument(inst)
            .map_err(|e| Fatal(format!("{}: {e}", p.display())))?;
    }
    Ok(scorer)
}

/// `dashrisk instrument seal` and `dashrisk policy seal`: reads the file with any
/// old checksum taken out, checks every rule, and writes it back sealed.
fn seal_file(args: &SealArgs, kind: &str) -> Result<ExitCode, Fatal> {
    let path = &args.file;
    let text = read_file(path)?;
    let mut value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Fatal(format!("{}: {kind}: cannot be read: {e}", path.display())))?;
    if let Some(o) = value.as_object_mut() {
        o.remove("checksum");
    }
    let unsealed = value.to_string();
    let (sealed, what) = if kind == "policy" {
        let p = Policy::from_json(&unsealed).map_err(|e| artefact_fatal(path, e, kind))?;
        (p.to_sealed_json(), "policy".to_string())
    } else {
        let i = Instrument::from_json(&unsealed).map_err(|e| artefact_fatal(path, e, kind))?;
        (i.to_sealed_json(), format!("instrument {:?}", i.id))
    };
    let target = args.out.as_ref().unwrap_or(path);
    // Write beside the target and rename, so that a failure never leaves half a file.
    let tmp = target.with_extension("sealing.tmp");
    fs::write(&tmp, &sealed).map_err(|e| Fatal(format!("{}: {e}", tmp.display())))?;
    fs::rename(&tmp, target).map_err(|e| Fatal(format!("{}: {e}", target.display())))?;
    eprintln!("dashrisk: sealed {what} in {}", target.display());
    Ok(ExitCode::SUCCESS)
}

/// Opens an output (standard output or a file written atomically), refusing a
/// file that is one of `inputs`.
pub(crate) fn open_out(out: &Option<PathBuf>, inputs: &[&Path]) -> Result<out::Output, Fatal> {
    out::Output::create(out, inputs)
}

fn run(cli: Cli) -> Result<ExitCode, Fatal> {
    match cli.command {
        Command::Assess {
            input,
            input_args,
            output_format,
            reasons,
            out,
            ask_next,
            services,
            scorer: scorer_args,
            limits,
        } => {
            let scorer = build_labelling_scorer(&scorer_args)?.with_limits(limits.limits()?)?;
            let services_path = services;
            let services = services_path
                .as_ref()
                .map(|p| {
                    dashrisk::services::Services::from_json(&read_file(p)?)
                        .map_err(|e| Fatal(format!("{}: {e}", p.display())))
                })
                .transpose()?;
            let extras =
                (ask_next || services.is_some()).then_some(assess::Extras { ask_next, services });
            let input_path = PathBuf::from(&input);
            let mut inputs = scorer_args.files();
            inputs.push(input_path.as_path());
            inputs.extend(services_path.as_deref());
            let mut w = open_out(&out, &inputs)?;
            let failed = assess::run(
                &scorer,
                &input,
                &input_args,
                output_format,
                reasons == ReasonsArg::Text,
                extras,
                &mut w,
                &mut io::stderr(),
            )?;
            w.commit()?;
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Instrument { action } => {
            let mut w = io::BufWriter::new(io::stdout().lock());
            match action {
                InstrumentCmd::List { scorer } => {
                    let scorer = build_scorer(&scorer)?;
                    for i in scorer.instruments() {
                        writeln!(w, "{}\t{} questions\t{}", i.id, i.questions.len(), i.name)?;
                    }
                }
                InstrumentCmd::Show { name, json, scorer } => {
                    let scorer = build_scorer(&scorer)?;
                    let inst = scorer.instrument_for(&name).map_err(|e| Fatal(e.message))?;
                    if json {
                        w.write_all(inst.to_sealed_json().as_bytes())?;
                    } else {
                        writeln!(w, "{} — {}", inst.id, inst.name)?;
                        writeln!(w, "{}", inst.source)?;
                        for q in &inst.questions {
                            let domains: Vec<String> = q.domains.iter().map(flat::snake).collect();
                            let markers: Vec<String> = q.markers.iter().map(flat::snake).collect();
                            writeln!(
                                w,
                                "{:>3}  {:<4} {}  [{}]{}",
                                q.number,
                                q.id,
                                q.text,
                                domains.join(", "),
                                if markers.is_empty() {
                                    String::new()
                                } else {
                                    format!("  markers: {}", markers.join(", "))
                                }
                            )?;
                        }
                    }
                }
                InstrumentCmd::Seal(args) => return seal_file(&args, "instrument"),
            }
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Synth {
            n,
            seed,
            out,
            format,
            set,
        } => {
            let params = dashrisk::synth::SynthParams::with_settings(&set)
                .map_err(|e| Fatal(format!("--set: {e}")))?;
            let mut w = open_out(&out, &[])?;
            flat::write_synth(&mut w, n, seed, &params, format)?;
            w.commit()?;
            let changed = if set.is_empty() {
                String::new()
            } else {
                format!(", settings {}", set.join(" "))
            };
            eprintln!(
                "dashrisk: wrote {n} SYNTHETIC records (seed {seed}, {}{changed}): not real data",
                dashrisk::synth::GENERATOR_VERSION
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy { action: None } => {
            let mut w = io::BufWriter::new(io::stdout().lock());
            w.write_all(Policy::default().to_sealed_json().as_bytes())?;
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy {
            action: Some(PolicyCmd::Seal(args)),
        } => seal_file(&args, "policy"),
        Command::Train(args) => learn::train(args),
        Command::Predict(args) => learn::predict(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Summarise(args) => summarise::run(args),
        Command::Evaluate(args) => evaluate::run(args),
    }
}

/// Runs the command line on the process's arguments and returns its exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            if msg.contains("Broken pipe") {
                return ExitCode::SUCCESS;
            }
            eprintln!("dashrisk: {msg}");
            ExitCode::from(2)
        }
    }
}
