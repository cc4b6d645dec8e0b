//! `dashrisk calibrate`: fit the scoring model (points, unknown points, map and
//! the guaranteed conflict threshold) on the synthetic reference population, or
//! with `--data` on a force's own labelled records.

use crate::learn::{
    for_each_record, looks_synthetic, report_unlabelled, synthetic_label_warning, with_label,
};
use crate::{build_scorer, open_out, Fatal, LimitArgs, ScorerArgs};
use dashrisk::calibration::{FormScore, MapMethod};
use dashrisk::error::RecordError;
use dashrisk::fit::{self, FitOptions, Refit};
use dashrisk::{Assessment, Calibration, Provenance};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// What to refit (`--refit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RefitArg {
    /// Points, unknown points and map, when the data allow it (the default).
    Points,
    /// Only the map from score to probability, keeping the points.
    Map,
}

/// The map (`--method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Isotonic regression (pool-adjacent-violators).
    Isotonic,
    /// Platt scaling (a logistic in the score).
    Platt,
}

/// Arguments of `dashrisk calibrate`.
#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// A force's labelled records (CSV in the input contract with a label column,
    /// or JSON Lines with the label in `meta`). Without it, the synthetic reference
    /// population is used and the shipped artefact is reproduced byte for byte.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// The label: a CSV column, or a key of `meta` in JSON Lines. Values
    /// 1/0/true/false/yes/no; records with no label are counted and left out.
    #[arg(long, value_name = "COLUMN", requires = "data")]
    label: Option<String>,
    #[command(flatten)]
    input_args: crate::input::InputArgs,
    /// What to refit, for every form with records. Default, per form: `points` when
    /// it has at least 2,000 labelled records with 200 of each class, else `map`
    /// when it has 200 with 50 of each, else nothing (the form is kept); it says
    /// which. An explicit refit of a form below 200 records (50 of a class) is
    /// refused; an explicit `points` below 2,000 is fitted, with a note.
    #[arg(long, value_enum)]
    refit: Option<RefitArg>,
    /// The map from score to probability.
    #[arg(long, value_enum, default_value = "isotonic")]
    method: MethodArg,
    /// Choose the conflict threshold so that, with 95% confidence, at most this
    /// share of true abuse is labelled parental conflict (Clopper–Pearson bound on
    /// the data; it assumes future cases are like these).
    #[arg(long, value_name = "RATE", default_value_t = dashrisk::REFERENCE_MAX_ABUSE_AS_CONFLICT)]
    max_abuse_as_conflict: f64,
    /// The version label of the new artefact (default with --data:
    /// `cal-local-<date>-<8 hex digits of its contents>`, so that two fits never
    /// share a label).
    #[arg(long = "label-version", value_name = "LABEL")]
    version: Option<String>,
    /// Size of the synthetic reference population (without --data).
    #[arg(long, default_value_t = dashrisk::REFERENCE_N)]
    n: usize,
    /// Seed of the synthetic reference population (without --data).
    #[arg(long, default_value_t = dashrisk::REFERENCE_SEED)]
    seed: u64,
    /// Output file (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    scorer: ScorerArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

fn method(m: MethodArg) -> MapMethod {
    match m {
        MethodArg::Isotonic => MapMethod::Isotonic,
        MethodArg::Platt => MapMethod::Platt,
    }
}

/// The date today (UTC), `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let epoch = dashrisk::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    (epoch + chrono::Duration::days((secs / 86_400) as i64)).to_string()
}

fn sha256_file(path: &PathBuf) -> Result<String, Fatal> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path).map_err(|e| Fatal(format!("{}: {e}", path.display())))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Fatal(format!("{}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// `dashrisk calibrate`.
pub fn calibrate(args: CalibrateArgs) -> Result<ExitCode, Fatal> {
    let mut stderr = io::stderr();
    if !(args.max_abuse_as_conflict > 0.0 && args.max_abuse_as_conflict < 1.0) {
        return Err(Fatal(format!(
            "--max-abuse-as-conflict: {} is not a rate; expected a number above 0 and below 1",
            args.max_abuse_as_conflict
        )));
    }
    let Some(data) = &args.data else {
        let mut cal = dashrisk::fit_reference_calibration(method(args.method), args.n, args.seed)?;
        if let Some(v) = &args.version {
            cal.version = v.clone();
            cal.seal();
        } else if args.method != MethodArg::Isotonic
            || args.n != dashrisk::REFERENCE_N
            || args.seed != dashrisk::REFERENCE_SEED
        {
            // Not the shipped fit: it must not carry the shipped version label.
            cal.version = format!(
                "cal-synth-{}-n{}-seed{}",
                method(args.method).as_str(),
                args.n,
                args.seed
            );
            cal.seal();
        }
        if args.max_abuse_as_conflict != dashrisk::REFERENCE_MAX_ABUSE_AS_CONFLICT {
            return Err(Fatal(
                "--max-abuse-as-conflict applies to fits on --data; the reference fit uses 0.005"
                    .into(),
            ));
        }
        write_artefact(&cal, &args.out, &args.scorer.files())?;
        let _ = writeln!(
            stderr,
            "dashrisk: calibration fitted on {} SYNTHETIC records (seed {})",
            args.n, args.seed
        );
        report(&cal, &mut stderr);
        return Ok(ExitCode::SUCCESS);
    };
    let label = args
        .label
        .as_deref()
        .ok_or_else(|| Fatal("--data needs --label COLUMN".into()))?;
    let base = build_scorer(&args.scorer)?.with_limits(args.limits.limits()?)?;
    let input = data.to_string_lossy().into_owned();
    if input == "-" {
        return Err(Fatal(
            "--data must name a file: its SHA-256 is recorded in the artefact".into(),
        ));
    }
    let mut inputs = args.scorer.files();
    inputs.push(data.as_path());
    // Opened before the fit, so that an output that is an input is refused at once
    // (and the fit's own refusals never meet a half-written file).
    let mut w = open_out(&args.out, &inputs)?;
    let (mut records, mut failed, mut unlabelled) = (Vec::<(Assessment, bool)>::new(), 0u64, 0u64);
    for_each_record(&base, &input, &args.input_args, Some(label), |line, res| {
        match with_label(line, res, label) {
            Ok((_, None)) => unlabelled += 1,
            // Parsed records are assessed too, so that a record the scorer refuses
            // (a date after the incident, …) is reported and left out.
            Ok((a, Some(y))) => match base.assess(&a) {
                Ok(_) => records.push((a, y)),
                Err(error) => {
                    failed += 1;
                    let e = RecordError {
                        line,
                        id: a.id.clone(),
                        error,
                    };
                    let _ = writeln!(io::stderr(), "dashrisk: {e}");
                }
            },
            Err(e) => {
                failed += 1;
                let _ = writeln!(io::stderr(), "dashrisk: {e}");
            }
        }
        Ok(())
    })?;
    report_unlabelled(&mut stderr, unlabelled, label);
    let ids: Vec<Option<String>> = records.iter().map(|(a, _)| a.id.clone()).collect();
    let synthetic = looks_synthetic(&ids);
    if let Some(w) = synthetic_label_warning(label, synthetic) {
        let _ = writeln!(io::stderr(), "{w}");
    }
    let positives = records.iter().filter(|r| r.1).count() as u64;
    let provenance = Provenance {
        data: data
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| input.clone()),
        seed: None,
        n: records.len() as u64,
        positives,
        synthetic,
        input_sha256: Some(sha256_file(data)?),
        fitted_on: Some(today()),
        unlabelled,
        bad_records: failed,
    };
    let opts = FitOptions {
        method: method(args.method),
        ..FitOptions::default()
    };
    let refit = match args.refit {
        Some(RefitArg::Points) => Some(Refit::Points),
        Some(RefitArg::Map) => Some(Refit::Map),
        None => None,
    };
    let prefix = format!("cal-local-{}", today());
    let version = args.version.clone().unwrap_or_else(|| prefix.clone());
    let fitted = fit::recalibrate(
        &base,
        &records,
        refit,
        &opts,
        args.max_abuse_as_conflict,
        &version,
        provenance,
    )?;
    for note in fitted.notes() {
        let _ = writeln!(stderr, "dashrisk: {note}");
    }
    let kept_records: usize = fitted
        .forms
        .iter()
        .filter(|f| f.refitted == fit::Refitted::Kept)
        .map(|f| f.records)
        .sum();
    let mut cal = fitted.calibration;
    if args.version.is_none() {
        cal.label_with_content(&prefix);
    }
    let version = cal.version.clone();
    w.write_all(cal.to_json().as_bytes())?;
    w.commit()?;
    let _ = writeln!(
        stderr,
        "dashrisk: calibration {version:?} fitted on {} labelled records ({positives} abuse){}{}",
        records.len(),
        if kept_records > 0 {
            format!(
                " ({kept_records} of them on forms too small to refit, which were kept; they \
                 count towards the conflict threshold's guarantee)"
            )
        } else {
            String::new()
        },
        if synthetic {
            "; these data look SYNTHETIC"
        } else {
            ""
        }
    );
    report(&cal, &mut stderr);
    if failed > 0 {
        let _ = writeln!(
            stderr,
            "dashrisk: {failed} record(s) failed and were left out (error lines above)"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_artefact(
    cal: &Calibration,
    out: &Option<PathBuf>,
    inputs: &[&std::path::Path],
) -> Result<(), Fatal> {
    let mut w = open_out(out, inputs)?;
    w.write_all(cal.to_json().as_bytes())?;
    w.commit()
}

fn opt(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.3}"))
}

/// The diagnostics and the guarantee, for people.
fn report(cal: &Calibration, w: &mut dyn Write) {
    let _ = writeln!(
        w,
        "calibration {} ({} map){}",
        cal.version,
        cal.method.as_str(),
        if cal.provenance.synthetic {
            ", fitted on SYNTHETIC data"
        } else {
            ""
        }
    );
    for f in &cal.forms {
        report_form(f, w);
    }
    match &cal.conflict {
        Some(g) if g.guaranteed => {
            let _ = writeln!(
                w,
                "conflict threshold: p_abuse < {:.4} (the policy's threshold applies if lower); at most {} of {} abuse records could be labelled parental conflict (the safety rules leave them open), upper {:.0}% bound {:.4} <= {} (Clopper-Pearson; assumes future cases are like these; needs at least {} abuse records)",
                g.threshold,
                g.abuse_as_conflict,
                g.abuse_records,
                g.confidence * 100.0,
                g.upper_bound,
                g.max_abuse_as_conflict,
                g.min_abuse_records
            );
        }
        Some(g) => {
            let _ = writeln!(
                w,
                "conflict threshold: NO CASE WILL BE LABELLED PARENTAL CONFLICT: {} abuse records cannot show a rate below {} with {:.0}% confidence (at least {} are needed)",
                g.abuse_records,
                g.max_abuse_as_conflict,
                g.confidence * 100.0,
                g.min_abuse_records
            );
        }
        None => {}
    }
}

fn report_form(f: &FormScore, w: &mut dyn Write) {
    let s = &f.fit;
    if let Some(k) = &f.kept_from {
        let _ = writeln!(
            w,
            "form {}: KEPT from calibration {} (sha256 {}{}), not fitted on these data; the figures below are that fit's",
            f.instrument,
            k.version,
            k.checksum.get(..12).unwrap_or(&k.checksum),
            if k.synthetic { ", fitted on SYNTHETIC data" } else { "" }
        );
    }
    if let Some(k) = &f.points_from {
        let _ = writeln!(
            w,
            "form {}: map fitted here; POINTS KEPT from calibration {} (sha256 {}{})",
            f.instrument,
            k.version,
            k.checksum.get(..12).unwrap_or(&k.checksum),
            if k.synthetic {
                ", fitted on SYNTHETIC data"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        w,
        "form {}: {} records, {} abuse; AUC {:.4}, ECE {:.4}, calibration slope {:.3}, calibration intercept {:.3}",
        f.instrument, s.n, s.positives, s.auc, s.ece, s.calibration_slope, s.calibration_intercept
    );
    let strata: Vec<String> = s
        .strata
        .iter()
        .map(|x| format!("{} {} (n {})", x.stratum, opt(x.ece), x.n))
        .collect();
    let _ = writeln!(w, "  ECE by stratum: {}", strata.join(", "));
    let items: Vec<String> = f
        .items
        .iter()
        .filter(|(_, p)| p.yes > 0)
        .map(|(id, p)| format!("{id} {} ({:.2})", p.yes, p.unknown))
        .collect();
    let _ = writeln!(
        w,
        "  points for yes (unknown): {}; earlier incidents {} each up to {} ({:.2})",
        items.join(", "),
        f.prior_incidents.per_incident,
        f.prior_incidents.cap,
        f.prior_incidents.unknown
    );
}
