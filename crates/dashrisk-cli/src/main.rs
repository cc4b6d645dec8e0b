//! `dashrisk`: assess domestic incidents, list instruments, generate synthetic data.
//!
//! Exit status: 0 when every record was assessed; 1 when any record failed (the
//! others are still assessed and written); 2 for usage errors and bad artefacts.
//! Nothing here logs answers: errors name the line, the field and at most the
//! offending value.
#![forbid(unsafe_code)]

mod assess;
mod flat;
mod learn;

use clap::{Parser, Subcommand, ValueEnum};
use dashrisk::{Calibration, Instrument, Policy, Scorer};
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

/// Input and output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(clap::Args)]
struct ScorerArgs {
    /// Policy file (JSON) replacing the default thresholds and weights.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Calibration file (JSON) replacing the shipped one.
    #[arg(long, value_name = "FILE")]
    calibration: Option<PathBuf>,
    /// Extra instrument file(s) (JSON), e.g. a licensed form's official wording.
    #[arg(long = "instrument-file", value_name = "FILE")]
    instrument_files: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Assess incidents: JSON Lines or CSV in, JSON Lines or CSV out, streaming.
    Assess {
        /// Input file, or - (the default) for standard input.
        #[arg(default_value = "-")]
        input: String,
        /// Input format (default: from the file extension, else sniffed).
        #[arg(long)]
        format: Option<Format>,
        /// Output format (default: the input format).
        #[arg(long = "output-format")]
        output_format: Option<Format>,
        /// Write results here instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        scorer: ScorerArgs,
    },
    /// List or show risk instruments.
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
    },
    /// Print the default policy (thresholds and weights) as JSON, to edit and pass
    /// back with --policy.
    Policy,
    /// Train the logistic comparison model (dashrisk-learn) on labelled records and
    /// print its cross-validated AUC and Brier score. For comparison only.
    Train(learn::TrainArgs),
    /// Predict with a trained comparison model: one JSON line per record with the
    /// probability and the largest contributions.
    Predict(learn::PredictArgs),
    /// Fit a calibration for a policy on the synthetic reference population.
    /// With no options this reproduces the shipped calibration.
    Calibrate {
        /// Policy whose score weights to calibrate (default: the default policy).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Population size.
        #[arg(long, default_value_t = dashrisk::REFERENCE_N)]
        n: usize,
        /// Seed.
        #[arg(long, default_value_t = dashrisk::REFERENCE_SEED)]
        seed: u64,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
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
        /// Print the instrument as JSON (the custom-instrument file format).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        scorer: ScorerArgs,
    },
}

/// A usage or artefact problem: message for stderr, exit 2.
pub struct Fatal(pub String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

fn read_file(path: &Path) -> Result<String, Fatal> {
    fs::read_to_string(path).map_err(|e| Fatal(format!("{}: {e}", path.display())))
}

fn build_scorer(args: &ScorerArgs) -> Result<Scorer, Fatal> {
    let policy = match &args.policy {
        Some(p) => {
            Policy::from_json(&read_file(p)?).map_err(|e| Fatal(format!("{}: {e}", p.display())))?
        }
        None => Policy::default(),
    };
    let calibration = match &args.calibration {
        Some(p) => Calibration::from_json(&read_file(p)?)
            .map_err(|e| Fatal(format!("{}: {e}", p.display())))?,
        None => Calibration::shipped(),
    };
    let mut scorer = Scorer::new(policy, calibration)?;
    for p in &args.instrument_files {
        let inst = Instrument::from_json(&read_file(p)?)
            .map_err(|e| Fatal(format!("{}: {e}", p.display())))?;
        scorer = scorer
            .with_instrument(inst)
            .map_err(|e| Fatal(format!("{}: {e}", p.display())))?;
    }
    Ok(scorer)
}

fn open_out(out: &Option<PathBuf>) -> Result<Box<dyn Write>, Fatal> {
    Ok(match out {
        Some(p) => Box::new(io::BufWriter::new(
            fs::File::create(p).map_err(|e| Fatal(format!("{}: {e}", p.display())))?,
        )),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    })
}

fn run(cli: Cli) -> Result<ExitCode, Fatal> {
    match cli.command {
        Command::Assess {
            input,
            format,
            output_format,
            out,
            scorer,
        } => {
            let scorer = build_scorer(&scorer)?;
            let mut w = open_out(&out)?;
            let failed = assess::run(&scorer, &input, format, output_format, &mut w)?;
            w.flush()?;
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
                        serde_json::to_writer_pretty(&mut w, inst)?;
                        writeln!(w)?;
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
            }
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Synth {
            n,
            seed,
            out,
            format,
        } => {
            let mut w = open_out(&out)?;
            flat::write_synth(&mut w, n, seed, format)?;
            w.flush()?;
            eprintln!(
                "dashrisk: wrote {n} SYNTHETIC records (seed {seed}, {}): not real data",
                dashrisk::synth::GENERATOR_VERSION
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy => {
            let mut w = io::BufWriter::new(io::stdout().lock());
            serde_json::to_writer_pretty(&mut w, &Policy::default())?;
            writeln!(w)?;
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Train(args) => learn::train(args),
        Command::Predict(args) => learn::predict(args),
        Command::Calibrate {
            policy,
            n,
            seed,
            out,
        } => {
            let policy = match &policy {
                Some(p) => Policy::from_json(&read_file(p)?)
                    .map_err(|e| Fatal(format!("{}: {e}", p.display())))?,
                None => Policy::default(),
            };
            let cal = dashrisk::fit_reference_calibration(&policy, n, seed)?;
            let mut w = open_out(&out)?;
            w.write_all(cal.to_json().as_bytes())?;
            w.flush()?;
            eprintln!(
                "dashrisk: calibration fitted on {n} SYNTHETIC records (seed {seed}); {} knots",
                cal.knots.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
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
