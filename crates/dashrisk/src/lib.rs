//! # dashrisk
//!
//! Decision support for a hard question at a domestic incident: *is this parental
//! conflict or domestic abuse, and how serious is the risk?*
//!
//! - [`instrument`]: DASH-style questions as data (built-in DASH 2009 police and
//!   partner-agency forms with paraphrased labels; custom instruments from JSON).
//! - [`answers`]: yes / no / not known / declined, the conflict screen and context.
//! - [`grading`]: yes-count bands, professional judgement (raise only), MARAC.
//! - [`scorer`]: hard safety gates, a points score, a calibrated `p_abuse`, the
//!   conflict-vs-abuse decision, pathways, children, recording category, reasons.
//! - [`ask`]: "ask next": the unanswered questions whose answer would change the
//!   outcome ([`Scorer::decisive_questions`]).
//! - [`calibration`]: isotonic calibration, shipped as a versioned artefact.
//! - [`artefact`]: format versions and checksums of artefact files.
//! - [`limits`]: the size and nesting limits on one input record.
//! - [`synth`]: a seeded synthetic reference population (not real data).
//!
//! This crate does no file, network or terminal I/O and knows nothing of Python or
//! the command line. Results are decision support: they never replace an officer's
//! professional judgement, which may raise a level but never lower it.
//!
//! ```
//! use dashrisk::{Assessment, Answer, Classification, Scorer};
//! let scorer = Scorer::default();
//! let a = scorer.parse_json(r#"{
//!     "answers": {"q2": "no", "q3": "no", "q4": "no", "q15": "no"},
//!     "conflict_screen": {"fear": "no", "power_imbalance": "no",
//!                          "argument_frequency": "weekly", "resolution": "poorly_resolved"},
//!     "context": {"children_in_household": true, "prior_incidents_12m": 0}
//! }"#).unwrap();
//! let r = scorer.assess(&a).unwrap();
//! // Fear and power cleared, but the harm items were not asked: not conflict.
//! assert_eq!(r.classification, Classification::Unclear);
//! assert!(r.conflict_blockers.contains(&dashrisk::ConflictBlocker::GateItemUnanswered));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[macro_use]
mod strings;
pub mod answers;
pub mod artefact;
pub mod ask;
#[cfg(feature = "batch")]
pub mod batch;
pub mod calibration;
pub mod compact;
pub mod error;
pub mod fit;
pub mod flat;
pub mod grading;
pub mod instrument;
pub mod limits;
pub mod metrics;
pub mod parse;
pub mod policy;
pub mod predictor;
pub mod result;
pub mod scorer;
pub mod services;
pub mod set;
mod stage;
mod strict_json;
pub mod synth;

pub use answers::{
    Answer, ArgumentFrequency, Assessment, ConflictScreen, Context, Resolution, Transition,
};
pub use calibration::{Calibration, MapMethod, Provenance};
/// Dates in [`Context`] are `chrono` dates; re-exported so that callers need not
/// depend on `chrono` themselves.
pub use chrono::NaiveDate;
pub use compact::{CompactResult, ReasonCodes};
pub use error::{ArtefactError, ErrorKind, InputError, RecordError};
pub use instrument::{Domain, Gate, Instrument, Marker, Question};
pub use limits::Limits;
pub use policy::{GradingPolicy, Policy, ScorerPolicy};
pub use predictor::{DashGrading, Prediction, Predictor};
pub use result::{
    AssessmentResult, ChildLink, ChildrenImpact, Classification, ConflictBlocker, DecisionBasis,
    Flag, MaracCriterion, ParseEnumError, Pathway, Reason, ReasonCode, RecordingCategory,
    RiskLevel,
};
pub use scorer::{AssessOptions, OpenQuestion, Scorer, UnansweredQuestion, SCORER_VERSION};
pub use set::{Member, Set, SetIter};

/// Seed of the synthetic reference population the shipped calibration is fitted on.
pub const REFERENCE_SEED: u64 = 2009;
/// Size of that population.
pub const REFERENCE_N: usize = 200_000;
/// Version label of the shipped calibration.
pub const REFERENCE_CALIBRATION_VERSION: &str = "cal-synth-2026.6";

/// The rate of true abuse labelled parental conflict that the shipped calibration's
/// conflict threshold guarantees (95% confidence) on the reference population.
pub const REFERENCE_MAX_ABUSE_AS_CONFLICT: f64 = 0.005;

/// Fits the scoring model on a synthetic reference population of `n` incidents
/// from `seed`: points for the police form on the records as generated, points for
/// the partner-agency form on the same records without its missing items, and the
/// conflict threshold with its guarantee on the police-form records. With the
/// defaults this reproduces the shipped artefact exactly (a test checks it).
pub fn fit_reference_calibration(
    method: calibration::MapMethod,
    n: usize,
    seed: u64,
) -> Result<Calibration, ArtefactError> {
    let mut gen = synth::Generator::new(seed, synth::SynthParams::default());
    let police: Vec<(Assessment, bool)> = (0..n)
        .map(|i| {
            let r = gen.record(i);
            (r.assessment, r.abuse)
        })
        .collect();
    let partner_form = Instrument::dash_2009_partner();
    let partner: Vec<(Assessment, bool)> = police
        .iter()
        .map(|(a, y)| {
            let mut a = a.clone();
            a.instrument = partner_form.id.clone();
            a.answers
                .retain(|id, _| partner_form.question(id).is_some());
            (a, *y)
        })
        .collect();
    let mut all = police.clone();
    all.extend(partner);
    let positives = police.iter().filter(|p| p.1).count() as u64;
    let provenance = Provenance {
        data: format!(
            "{} (synthetic, default parameters)",
            synth::GENERATOR_VERSION
        ),
        seed: Some(seed),
        n: n as u64,
        positives,
        synthetic: true,
        input_sha256: None,
        fitted_on: None,
        unlabelled: 0,
        bad_records: 0,
    };
    let opts = fit::FitOptions {
        method,
        ..fit::FitOptions::default()
    };
    let builtins: Vec<Instrument> = Instrument::builtin().into_iter().cloned().collect();
    let empty = Calibration {
        format_version: calibration::CALIBRATION_FORMAT_VERSION,
        version: String::new(),
        method,
        provenance: provenance.clone(),
        p_floor: calibration::DEFAULT_P_FLOOR,
        p_ceiling: calibration::DEFAULT_P_CEILING,
        forms: Vec::new(),
        conflict: None,
        checksum: String::new(),
    };
    let cal = fit::calibrate(
        &builtins,
        &all,
        &empty,
        fit::Refit::Points,
        &opts,
        REFERENCE_CALIBRATION_VERSION,
        provenance,
    )?;
    let scorer = Scorer::new(Policy::default(), cal.clone())?;
    fit::with_guarantee(cal, &scorer, &police, REFERENCE_MAX_ABUSE_AS_CONFLICT, 0.95)
}

/// The top-level README's Rust example, compiled and run as a doctest.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The Rust guide's examples, compiled and run as doctests.
#[doc = include_str!("../../../docs/guide-rust.md")]
#[cfg(doctest)]
pub struct GuideRustDoctests;
