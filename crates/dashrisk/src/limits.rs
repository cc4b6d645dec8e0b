//! Limits on the size and nesting of one input record.
//!
//! A giant or deeply nested record must become an error record (`too_large`), never
//! an out-of-memory or a stack overflow, and never take the rest of a batch down with
//! it. The limits are enforced where records are parsed, so every front end (the
//! command line, the Python package, a service embedding [`crate::Scorer`]) gets
//! them: [`crate::Scorer::parse_json`] and [`crate::Scorer::assess_json_line`] check
//! the size of the text and the nesting depth while decoding,
//! [`crate::Scorer::parse_value`] checks the depth of an already-decoded value, and
//! [`crate::Scorer::parse_flat`] checks the total size of a row's cells. Readers of
//! streams (the CLI's JSON Lines and CSV readers) stop buffering a record once it is
//! over [`Limits::max_record_bytes`], so that memory stays flat on hostile input.
//!
//! ```
//! use dashrisk::{Limits, Scorer};
//! let mut limits = Limits::default();
//! limits.max_depth = 4;
//! let scorer = Scorer::default().with_limits(limits).unwrap();
//! let err = scorer.parse_json(r#"{"meta": {"a": {"b": {"c": {}}}}}"#).unwrap_err();
//! assert_eq!(err.code.code(), "too_large");
//! assert_eq!(err.field, "meta.a.b.c");
//! ```

use crate::error::{ArtefactError, ErrorKind, InputError};
use serde::{Deserialize, Serialize};

/// Default [`Limits::max_record_bytes`]: 1 MiB. A complete DASH record is about 1 KiB
/// of JSON; a megabyte leaves room for generous `meta` and free-text pass-through
/// columns while keeping a batch's memory small.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;

/// Default [`Limits::max_depth`]: 32. The deepest part of the input contract is three
/// levels (record → `context` → `prior_incident_dates`); the rest is room for `meta`.
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// The largest [`Limits::max_depth`] accepted. serde_json refuses input nested more
/// than 128 levels (its fixed recursion limit) as a syntax error; keeping the limit
/// below it means a deep record is always reported as `too_large`.
pub const MAX_SUPPORTED_DEPTH: usize = 120;

/// The smallest [`Limits::max_depth`] accepted: the contract itself needs three levels.
pub const MIN_DEPTH: usize = 3;

/// Size and nesting limits for one input record. Part of a [`crate::Scorer`]'s
/// configuration ([`crate::Scorer::with_limits`]); the defaults suit every normal use.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The longest record accepted, in bytes: a JSON text (one JSON Lines line), or a
    /// flat row (the sum of its column names and cells). Longer records are
    /// `too_large` errors. At least 1. Default [`DEFAULT_MAX_RECORD_BYTES`] (1 MiB).
    pub max_record_bytes: usize,
    /// The deepest nesting accepted: the record object is level 1, `context` level 2,
    /// `context.prior_incident_dates` level 3. Deeper records are `too_large` errors.
    /// Between [`MIN_DEPTH`] and [`MAX_SUPPORTED_DEPTH`]. Default [`DEFAULT_MAX_DEPTH`]
    /// (32).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl Limits {
    /// Limits with these values, validated.
    ///
    /// ```
    /// let limits = dashrisk::Limits::new(4096, 8).unwrap();
    /// assert_eq!(limits.max_record_bytes, 4096);
    /// assert!(dashrisk::Limits::new(0, 8).is_err());
    /// ```
    pub fn new(max_record_bytes: usize, max_depth: usize) -> Result<Limits, ArtefactError> {
        let limits = Limits {
            max_record_bytes,
            max_depth,
        };
        limits.validate()?;
        Ok(limits)
    }

    /// Checks that the limits can be enforced and still let a contract record
    /// through.
    pub fn validate(&self) -> Result<(), ArtefactError> {
        let invalid = |field: &str, problem: String| ArtefactError::Invalid {
            artefact: "limits".into(),
            field: field.into(),
            problem,
        };
        if self.max_record_bytes == 0 {
            return Err(invalid("max_record_bytes", "must be at least 1".into()));
        }
        if !(MIN_DEPTH..=MAX_SUPPORTED_DEPTH).contains(&self.max_depth) {
            return Err(invalid(
                "max_depth",
                format!(
                    "{} is outside {MIN_DEPTH}..={MAX_SUPPORTED_DEPTH} (the contract needs {MIN_DEPTH} levels; the JSON decoder stops at 128)",
                    self.max_depth
                ),
            ));
        }
        Ok(())
    }

    /// The `too_large` error for a record over [`Limits::max_record_bytes`]. It
    /// names the limit and never repeats the record.
    pub fn record_too_large(&self) -> InputError {
        InputError::new(
            ErrorKind::TooLarge,
            "",
            None,
            format!(
                "the record is longer than the max_record_bytes limit ({} bytes)",
                self.max_record_bytes
            ),
        )
    }

    /// The `too_large` error for a record nested deeper than [`Limits::max_depth`];
    /// `field` is the dotted path of the value that went too deep.
    pub fn nested_too_deep(&self, field: &str) -> InputError {
        InputError::new(
            ErrorKind::TooLarge,
            field,
            None,
            format!(
                "the record is nested more than the max_depth limit ({} levels){}",
                self.max_depth,
                if field.is_empty() {
                    String::new()
                } else {
                    format!(" at {field}")
                }
            ),
        )
    }
}
