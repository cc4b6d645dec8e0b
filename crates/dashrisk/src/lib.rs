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
pub mod calibration;
pub mod error;
pub mod flat;
pub mod grading;
pub mod instrument;
pub mod limits;
pub mod parse;
pub mod policy;
pub mod predictor;
pub mod result;
pub mod scorer;
mod stage;
mod strict_json;
pub mod synth;

pub use answers::{
    Answer, ArgumentFrequency, Assessment, ConflictScreen, Context, Resolution, Transition,
};
pub use calibration::{Calibration, Provenance};
/// Dates in [`Context`] are `chrono` dates; re-exported so that callers need not
/// depend on `chrono` themselves.
pub use chrono::NaiveDate;
pub use error::{ArtefactError, ErrorKind, InputError, RecordError};
pub use instrument::{Domain, Gate, Instrument, Marker, Question};
pub use limits::Limits;
pub use policy::{GradingPolicy, Policy, ScoreWeights, ScorerPolicy};
pub use predictor::{DashGrading, Prediction, Predictor};
pub use result::{
    AssessmentResult, ChildLink, ChildrenImpact, Classification, ConflictBlocker, DecisionBasis,
    Flag, MaracCriterion, ParseEnumError, Pathway, Reason, ReasonCode, RecordingCategory,
    RiskLevel,
};
pub use scorer::{Scorer, SCORER_VERSION};

/// Seed of the synthetic reference population the shipped calibration is fitted on.
pub const REFERENCE_SEED: u64 = 2009;
/// Size of that population.
pub const REFERENCE_N: usize = 200_000;
/// Version label of the shipped calibration.
pub const REFERENCE_CALIBRATION_VERSION: &str = "cal-synth-2026.3";

/// Fits the calibration for `policy`'s score weights on a synthetic reference
/// population of `n` incidents from `seed`. With the defaults this reproduces the
/// shipped artefact exactly (a test checks it).
pub fn fit_reference_calibration(
    policy: &Policy,
    n: usize,
    seed: u64,
) -> Result<Calibration, ArtefactError> {
    policy.validate()?;
    // A scorer whose calibration is a placeholder: only its points are used here.
    let placeholder = Calibration::fit(
        &[(0.0, false), (1.0, true)],
        "placeholder",
        &policy.scorer.weights.fingerprint(),
        Provenance {
            data: "placeholder".into(),
            seed: None,
            n: 2,
            positives: 1,
            synthetic: true,
        },
    )?;
    let scorer = Scorer::new(policy.clone(), placeholder)?;
    let mut gen = synth::Generator::new(seed, synth::SynthParams::default());
    let mut pairs = Vec::with_capacity(n);
    for i in 0..n {
        let r = gen.record(i);
        let s = scorer
            .points(&r.assessment)
            .map_err(|e| ArtefactError::Invalid {
                artefact: "synthetic population".into(),
                field: e.field.clone(),
                problem: e.message,
            })?;
        pairs.push((s, r.abuse));
    }
    let positives = pairs.iter().filter(|p| p.1).count() as u64;
    Calibration::fit(
        &pairs,
        REFERENCE_CALIBRATION_VERSION,
        &policy.scorer.weights.fingerprint(),
        Provenance {
            data: format!(
                "{} (synthetic, default parameters)",
                synth::GENERATOR_VERSION
            ),
            seed: Some(seed),
            n: n as u64,
            positives,
            synthetic: true,
        },
    )
}

/// The top-level README's Rust example, compiled and run as a doctest.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The Rust guide's examples, compiled and run as doctests.
#[doc = include_str!("../../../docs/guide-rust.md")]
#[cfg(doctest)]
pub struct GuideRustDoctests;
