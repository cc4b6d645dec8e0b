//! Errors: one type for bad input records, one for bad artefacts (instruments,
//! policies, calibrations).
//!
//! Every error says *where* (the field, and in batches the line), *what* (the
//! offending value, truncated so that an error never carries a whole record) and
//! *what is allowed*. Codes are stable snake_case strings: they are part of the JSON
//! contract.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest offending value an error repeats back. Errors may be logged; a value is
/// cut here so that a whole free-text record can never leak through an error.
pub const MAX_ERROR_VALUE_CHARS: usize = 64;

/// The longest field path an error carries. Paths are built from the record's keys,
/// and a key can be as long as a record; longer paths are cut like values.
pub const MAX_ERROR_FIELD_CHARS: usize = 2 * MAX_ERROR_VALUE_CHARS;

/// What went wrong with an input record. Stable codes via [`ErrorKind::code`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The line is not valid JSON.
    InvalidJson,
    /// The bytes are not valid UTF-8.
    InvalidUtf8,
    /// The line or file holds nothing.
    EmptyInput,
    /// A value has the wrong JSON type (a number where a string belongs, …).
    WrongType,
    /// A key that the input contract does not define.
    UnknownField,
    /// A question id that the chosen instrument does not have.
    UnknownQuestion,
    /// A value outside the allowed set (an answer that is not yes/no/…).
    InvalidValue,
    /// A count below zero or not a whole number.
    InvalidCount,
    /// A date that is not `YYYY-MM-DD` or does not exist.
    InvalidDate,
    /// An instrument id that is not built in or loaded.
    UnknownInstrument,
    /// The same field given twice (a repeated CSV column).
    DuplicateField,
    /// A CSV row with a different number of cells from the header, or with broken
    /// quoting (a quoted field never closed, or text after its closing quote).
    RowLength,
    /// A record over a size or nesting limit ([`crate::Limits`]); the message names
    /// the limit.
    TooLarge,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidJson,
        ErrorKind::InvalidUtf8,
        ErrorKind::EmptyInput,
        ErrorKind::WrongType,
        ErrorKind::UnknownField,
        ErrorKind::UnknownQuestion,
        ErrorKind::InvalidValue,
        ErrorKind::InvalidCount,
        ErrorKind::InvalidDate,
        ErrorKind::UnknownInstrument,
        ErrorKind::DuplicateField,
        ErrorKind::RowLength,
        ErrorKind::TooLarge,
    ];

    /// Every code, in declaration order: [`ErrorKind::code`] of [`ErrorKind::ALL`]
    /// (the Python stubs' `ErrorCode` lists them; a test checks that they agree).
    pub const CODES: [&'static str; 13] = {
        let mut codes = [""; 13];
        let mut i = 0;
        while i < codes.len() {
            codes[i] = ErrorKind::ALL[i].code();
            i += 1;
        }
        codes
    };

    /// The stable snake_case code used in error records.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::EmptyInput => "empty_input",
            ErrorKind::WrongType => "wrong_type",
            ErrorKind::UnknownField => "unknown_field",
            ErrorKind::UnknownQuestion => "unknown_question",
            ErrorKind::InvalidValue => "invalid_value",
            ErrorKind::InvalidCount => "invalid_count",
            ErrorKind::InvalidDate => "invalid_date",
            ErrorKind::UnknownInstrument => "unknown_instrument",
            ErrorKind::DuplicateField => "duplicate_field",
            ErrorKind::RowLength => "row_length",
            ErrorKind::TooLarge => "too_large",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A problem with one input record: which field, which value, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// What kind of problem.
    pub code: ErrorKind,
    /// Dotted path of the field (`answers.q28`, `context.prior_incidents_12m`), or
    /// empty when the problem is with the whole record.
    pub field: String,
    /// The offending value as given, truncated to [`MAX_ERROR_VALUE_CHARS`].
    pub value: Option<String>,
    /// A sentence a person can act on, naming the allowed values.
    pub message: String,
}

impl InputError {
    /// Builds an error; the value (and a very long field path) is truncated so errors
    /// never carry a whole record.
    pub fn new(
        code: ErrorKind,
        field: impl Into<String>,
        value: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        let field = field.into();
        let field = if field.chars().nth(MAX_ERROR_FIELD_CHARS).is_some() {
            truncate_chars(&field, MAX_ERROR_FIELD_CHARS)
        } else {
            field
        };
        InputError {
            code,
            field,
            value: value.map(truncate_value),
            message: message.into(),
        }
    }

    /// A value outside an enumerated set; the message lists the allowed values.
    pub fn invalid_value(field: &str, value: &str, allowed: &[&str]) -> Self {
        let shown = truncate_value(value);
        InputError::new(
            ErrorKind::InvalidValue,
            field,
            Some(value),
            format!(
                "{field}: {shown:?} is not allowed; expected one of: {}",
                allowed.join(", ")
            ),
        )
    }

    /// A value of the wrong JSON type.
    pub fn wrong_type(field: &str, value: &str, expected: &str) -> Self {
        InputError::new(
            ErrorKind::WrongType,
            field,
            Some(value),
            format!(
                "{field}: expected {expected}, found {}",
                truncate_value(value)
            ),
        )
    }
}

/// Cuts a value to [`MAX_ERROR_VALUE_CHARS`] characters, marking the cut.
pub fn truncate_value(value: &str) -> String {
    truncate_chars(value, MAX_ERROR_VALUE_CHARS)
}

fn truncate_chars(value: &str, max: usize) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// An [`InputError`] placed in a batch: the 1-based line (or CSV row) and the
/// record's id when it could be read. This is the error record of the JSON contract.
/// It is a [`std::error::Error`] whose source is the [`InputError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordError {
    /// 1-based line number (JSON Lines) or data-row number (CSV, header excluded).
    pub line: u64,
    /// The record's `id`, when one could be read.
    pub id: Option<String>,
    /// What was wrong.
    pub error: InputError,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0 is the header (a CSV header, or a file with no record at all).
        let msg = self.error.to_string();
        match &self.id {
            _ if self.line == 0 && msg.starts_with("header") => f.write_str(&msg),
            _ if self.line == 0 => write!(f, "header: {msg}"),
            Some(id) => write!(f, "line {} (id {:?}): {}", self.line, id, self.error),
            None => write!(f, "line {}: {}", self.line, self.error),
        }
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A problem with an artefact: a custom instrument, a policy or a calibration.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtefactError {
    /// The artefact is not valid JSON or does not match the schema.
    #[error("{artefact}: cannot be read: {}{detail}", if field.is_empty() { String::new() } else { format!("{field}: ") })]
    Malformed {
        /// Which artefact (its id or kind).
        artefact: String,
        /// The path of the field the schema refused (`grading.medium_from`,
        /// `questions[3].markers[0]`), or empty when the text is not JSON.
        field: String,
        /// What the parser said.
        detail: String,
    },
    /// A field holds a value that breaks a rule.
    #[error("{artefact}: {field}: {problem}")]
    Invalid {
        /// Which artefact.
        artefact: String,
        /// Which field.
        field: String,
        /// The rule that was broken.
        problem: String,
    },
    /// The artefact was written for another format version.
    #[error("{artefact}: format version {found} is not supported (this build reads {expected})")]
    Version {
        /// Which artefact.
        artefact: String,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// The artefact does not belong with the rest of the configuration (a calibration
    /// with points for another form, or a checksum that does not match).
    #[error("{artefact}: {problem}")]
    Mismatch {
        /// Which artefact.
        artefact: String,
        /// What does not match.
        problem: String,
    },
}

impl ArtefactError {
    /// Which artefact: its kind and id (`policy`, `instrument "x"`, `calibration
    /// "cal-synth-2026.3"`).
    pub fn artefact(&self) -> &str {
        match self {
            ArtefactError::Malformed { artefact, .. }
            | ArtefactError::Invalid { artefact, .. }
            | ArtefactError::Version { artefact, .. }
            | ArtefactError::Mismatch { artefact, .. } => artefact,
        }
    }

    /// The field at fault, when one is known: the schema path of a malformed file,
    /// the field that broke a rule, or `format_version`.
    pub fn field(&self) -> Option<&str> {
        match self {
            ArtefactError::Malformed { field, .. } if !field.is_empty() => Some(field),
            ArtefactError::Invalid { field, .. } => Some(field),
            ArtefactError::Version { .. } => Some("format_version"),
            ArtefactError::Malformed { .. } | ArtefactError::Mismatch { .. } => None,
        }
    }

    /// A stable snake_case name of the kind of problem: `malformed`, `invalid`,
    /// `version` or `mismatch`.
    pub fn kind(&self) -> &'static str {
        match self {
            ArtefactError::Malformed { .. } => "malformed",
            ArtefactError::Invalid { .. } => "invalid",
            ArtefactError::Version { .. } => "version",
            ArtefactError::Mismatch { .. } => "mismatch",
        }
    }

    /// What is wrong, without the artefact's name.
    pub fn problem(&self) -> String {
        match self {
            ArtefactError::Malformed { detail, .. } => detail.clone(),
            ArtefactError::Invalid { problem, .. } | ArtefactError::Mismatch { problem, .. } => {
                problem.clone()
            }
            ArtefactError::Version {
                found, expected, ..
            } => {
                format!("format version {found} is not supported (this build reads {expected})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_list_every_kind_as_serde_names_it() {
        for (k, code) in ErrorKind::ALL.iter().zip(ErrorKind::CODES) {
            assert_eq!(k.code(), code);
            assert_eq!(serde_json::to_value(k).unwrap(), code);
        }
        // Every kind is listed once: a kind missing from ALL would be missing from
        // the codes Python types.
        let distinct: std::collections::HashSet<_> = ErrorKind::CODES.iter().collect();
        assert_eq!(distinct.len(), ErrorKind::ALL.len());
        match ErrorKind::InvalidJson {
            // A new kind fails to compile here until it is added to ALL.
            ErrorKind::InvalidJson
            | ErrorKind::InvalidUtf8
            | ErrorKind::EmptyInput
            | ErrorKind::WrongType
            | ErrorKind::UnknownField
            | ErrorKind::UnknownQuestion
            | ErrorKind::InvalidValue
            | ErrorKind::InvalidCount
            | ErrorKind::InvalidDate
            | ErrorKind::UnknownInstrument
            | ErrorKind::DuplicateField
            | ErrorKind::RowLength
            | ErrorKind::TooLarge => {}
        }
    }

    #[test]
    fn record_errors_are_std_errors_with_their_input_error_as_source() {
        let e = RecordError {
            line: 2,
            id: None,
            error: InputError::new(ErrorKind::InvalidValue, "fear", Some("maybe"), "bad fear"),
        };
        let dynamic: &dyn std::error::Error = &e;
        assert_eq!(dynamic.source().unwrap().to_string(), "bad fear");
        assert_eq!(e.to_string(), "line 2: bad fear");
    }

    #[test]
    fn artefact_error_accessors() {
        let e = ArtefactError::Malformed {
            artefact: "policy".into(),
            field: "grading.medium_from".into(),
            detail: "invalid type".into(),
        };
        assert_eq!(
            (e.artefact(), e.field(), e.kind()),
            ("policy", Some("grading.medium_from"), "malformed")
        );
        assert_eq!(
            e.to_string(),
            "policy: cannot be read: grading.medium_from: invalid type"
        );
        let v = ArtefactError::Version {
            artefact: "model".into(),
            found: 2,
            expected: 1,
        };
        assert_eq!(v.field(), Some("format_version"));
        assert!(v.problem().contains("format version 2"));
    }
}
