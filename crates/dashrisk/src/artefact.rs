//! Artefact files (instruments, policies, calibrations, models): format versions and
//! checksums.
//!
//! Every artefact file carries a `format_version`, checked *before* its schema, so a
//! file written for another version is refused as such (not as a confusing "unknown
//! field"). Every artefact can carry a `checksum`: the SHA-256 of the artefact's
//! canonical content (its compact JSON as this crate writes it, without the checksum),
//! so re-indenting a file or reordering its keys keeps the seal, while changing any
//! value, dropping a question or truncating the file breaks it.
//!
//! Calibrations and models are machine-written and must carry a checksum. Instruments
//! and policies are written by hand by the forces that use them, so for them the
//! checksum is **optional but verified when present**: the files this crate writes
//! ([`crate::Instrument::to_sealed_json`], [`crate::Policy::to_sealed_json`]) are
//! sealed, and a deployment can insist on sealed files
//! ([`crate::Instrument::from_json_sealed`], [`crate::Policy::from_json_sealed`]).
//! A checksum is tamper *evidence*, not a signature: whoever can edit a file can
//! reseal it (docs/security.md).

use crate::error::ArtefactError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The checksum of an artefact's content: SHA-256 of its compact JSON. `body` must
/// not hold the checksum itself.
pub fn content_checksum<T: Serialize>(body: &T) -> String {
    let json = serde_json::to_string(body).expect("artefacts serialise to JSON");
    sha256_hex(json.as_bytes())
}

/// Decodes an artefact's text far enough to check its `format_version` against
/// `expected`, before the schema is read: a file for another version fails with
/// [`ArtefactError::Version`], and text that is not a JSON object with
/// [`ArtefactError::Malformed`]. A missing or non-numeric version is left for the
/// schema to report.
///
/// ```
/// use dashrisk::artefact::check_format_version;
/// assert!(check_format_version(r#"{"format_version": 1}"#, "model", 1).is_ok());
/// let err = check_format_version(r#"{"format_version": 2, "new": 0}"#, "model", 1).unwrap_err();
/// assert_eq!(err.to_string(), "model: format version 2 is not supported (this build reads 1)");
/// ```
pub fn check_format_version(
    text: &str,
    artefact: &str,
    expected: u32,
) -> Result<(), ArtefactError> {
    check_version(&decode(text, artefact)?, artefact, expected)
}

fn decode(text: &str, artefact: &str) -> Result<Value, ArtefactError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ArtefactError::Malformed {
        artefact: artefact.into(),
        field: String::new(),
        detail: e.to_string(),
    })?;
    if !value.is_object() {
        return Err(ArtefactError::Malformed {
            artefact: artefact.into(),
            field: String::new(),
            detail: "expected a JSON object".into(),
        });
    }
    Ok(value)
}

fn check_version(value: &Value, artefact: &str, expected: u32) -> Result<(), ArtefactError> {
    match value.get("format_version").and_then(Value::as_u64) {
        Some(found) if found != u64::from(expected) => Err(ArtefactError::Version {
            artefact: artefact.into(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
            expected,
        }),
        _ => Ok(()),
    }
}

fn malformed(kind: &str, e: serde_path_to_error::Error<serde_json::Error>) -> ArtefactError {
    let path = e.path().to_string();
    ArtefactError::Malformed {
        artefact: kind.into(),
        field: if path == "." { String::new() } else { path },
        detail: e.into_inner().to_string(),
    }
}

/// Reads an artefact's schema from its text; a schema error names the field path
/// (`grading.medium_from`), the line and the column.
pub fn from_json_text<T: DeserializeOwned>(text: &str, kind: &str) -> Result<T, ArtefactError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| malformed(kind, e))?;
    de.end().map_err(|e| ArtefactError::Malformed {
        artefact: kind.into(),
        field: String::new(),
        detail: e.to_string(),
    })?;
    Ok(value)
}

/// Whether an artefact must carry a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seal {
    /// Verified when present (hand-written instruments and policies).
    Optional,
    /// Refused without one.
    Required,
}

/// Reads an artefact whose type has no checksum field: checks the version, takes the
/// `checksum` key out, reads the schema and verifies the checksum if there is one.
/// `name` names the artefact in errors once it is read (`instrument "x"`).
pub(crate) fn open<T: DeserializeOwned + Serialize>(
    text: &str,
    kind: &str,
    expected_version: u32,
    seal: Seal,
    name: impl Fn(&T) -> String,
) -> Result<T, ArtefactError> {
    let mut value = decode(text, kind)?;
    check_version(&value, kind, expected_version)?;
    let checksum = match value.as_object_mut().and_then(|o| o.remove("checksum")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(ArtefactError::Invalid {
                artefact: kind.into(),
                field: "checksum".into(),
                problem: "must be a string of 64 hex digits (a SHA-256)".into(),
            })
        }
    };
    let body: T = match &checksum {
        // Read the text itself, so that schema errors give a line and column.
        None => from_json_text(text, kind)?,
        Some(_) => serde_path_to_error::deserialize(value).map_err(|e| malformed(kind, e))?,
    };
    match checksum {
        Some(sum) => verify(&body, &sum, &name(&body))?,
        None if seal == Seal::Required => {
            return Err(ArtefactError::Invalid {
                artefact: name(&body),
                field: "checksum".into(),
                problem: "is missing, and only sealed files are accepted here".into(),
            })
        }
        None => {}
    }
    Ok(body)
}

fn verify<T: Serialize>(body: &T, checksum: &str, artefact: &str) -> Result<(), ArtefactError> {
    let well_formed = checksum.len() == 64
        && checksum
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !well_formed {
        return Err(ArtefactError::Invalid {
            artefact: artefact.into(),
            field: "checksum".into(),
            problem: "must be a string of 64 lower-case hex digits (a SHA-256)".into(),
        });
    }
    if content_checksum(body) != checksum {
        return Err(ArtefactError::Mismatch {
            artefact: artefact.into(),
            problem: "checksum does not match the contents: the file was changed or damaged after it was sealed".into(),
        });
    }
    Ok(())
}

/// Pretty JSON of `body` with its checksum as the last key, ending in a newline.
pub(crate) fn seal<T: Serialize>(body: &T) -> String {
    #[derive(Serialize)]
    struct Sealed<'a, T> {
        #[serde(flatten)]
        body: &'a T,
        checksum: String,
    }
    let mut s = serde_json::to_string_pretty(&Sealed {
        body,
        checksum: content_checksum(body),
    })
    .expect("artefacts serialise to JSON");
    s.push('\n');
    s
}
