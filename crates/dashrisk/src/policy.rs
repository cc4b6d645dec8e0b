//! Every threshold and weight, in one documented, serialisable policy.
//!
//! Defaults follow SafeLives / local practice as summarised in docs/grading.md:
//! 14+ ticks is visible high risk, 10–13 medium (a local banding; "suggested levels
//! only: other factors may increase the level but never reduce it"), potential
//! escalation at 3 incidents in 12 months, repeat MARAC within 12 months.

use crate::artefact::{content_checksum, open, seal, Seal};
use crate::error::ArtefactError;
use serde::{Deserialize, Serialize};

/// The current format version of policy files.
/// The longest escalation or repeat-MARAC window a policy may set, in months.
pub const MAX_WINDOW_MONTHS: u32 = 1200;

/// Version 2 dropped `scorer.weights`: the points are learned, in the calibration.
pub const POLICY_FORMAT_VERSION: u32 = 2;

/// Grading thresholds. In a policy file every field is optional: what is left out
/// takes its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GradingPolicy {
    /// Yes-count from which the level is medium. Default 10.
    pub medium_from: u32,
    /// Yes-count from which the level is high (visible high risk, MARAC). Default 14.
    pub high_from: u32,
    /// Incidents within the window (the current one included) that meet the
    /// potential-escalation MARAC criterion. Default 3.
    pub escalation_incidents: u32,
    /// The escalation window in months. Default 12. With a window other than 12,
    /// escalation needs `context.prior_incident_dates` and `context.incident_date`.
    pub escalation_window_months: u32,
    /// A new incident within this many months of the last MARAC meets the repeat
    /// MARAC criterion. Default 12.
    pub repeat_marac_window_months: u32,
}

impl Default for GradingPolicy {
    fn default() -> Self {
        GradingPolicy {
            medium_from: 10,
            high_from: 14,
            escalation_incidents: 3,
            escalation_window_months: 12,
            repeat_marac_window_months: 12,
        }
    }
}

/// The conflict-vs-abuse decision thresholds. The points behind the score are
/// learned and live in the calibration artefact ([`crate::Calibration`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScorerPolicy {
    /// "Parental conflict" needs p_abuse strictly below this, and below the
    /// calibration's guaranteed conflict threshold when it has one (the lower of
    /// the two applies). Default 0.2.
    pub conflict_max_p_abuse: f64,
    /// p_abuse at or above this is "domestic abuse" even when no gate fires.
    /// Default 0.6.
    pub abuse_min_p_abuse: f64,
}

impl Default for ScorerPolicy {
    fn default() -> Self {
        ScorerPolicy {
            conflict_max_p_abuse: 0.2,
            abuse_min_p_abuse: 0.6,
        }
    }
}

/// The whole policy: grading and scorer. A policy file may give only the parts it
/// changes (`{"grading": {"escalation_window_months": 6}}`): the rest take their
/// defaults, and `format_version` defaults to the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// The file format version ([`POLICY_FORMAT_VERSION`]).
    pub format_version: u32,
    /// Grading thresholds.
    pub grading: GradingPolicy,
    /// Scorer thresholds.
    pub scorer: ScorerPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            format_version: POLICY_FORMAT_VERSION,
            grading: GradingPolicy::default(),
            scorer: ScorerPolicy::default(),
        }
    }
}

impl Policy {
    /// Reads and validates a policy from JSON.
    ///
    /// As for instruments, a `checksum` is optional but verified when present (the
    /// output of [`Policy::to_sealed_json`] and `dashrisk policy` is sealed), and a
    /// `format_version` other than [`POLICY_FORMAT_VERSION`] is refused before the
    /// rest is read. [`Policy::from_json_sealed`] insists on a checksum.
    ///
    /// ```
    /// use dashrisk::Policy;
    /// let sealed = Policy::default().to_sealed_json();
    /// assert_eq!(Policy::from_json_sealed(&sealed).unwrap(), Policy::default());
    /// let edited = sealed.replace("\"medium_from\": 10", "\"medium_from\": 9");
    /// assert!(Policy::from_json(&edited).is_err()); // edited after sealing
    /// ```
    pub fn from_json(text: &str) -> Result<Policy, ArtefactError> {
        Policy::read(text, Seal::Optional)
    }

    /// Reads a policy like [`Policy::from_json`], but refuses a file without a
    /// `checksum`.
    pub fn from_json_sealed(text: &str) -> Result<Policy, ArtefactError> {
        Policy::read(text, Seal::Required)
    }

    fn read(text: &str, seal: Seal) -> Result<Policy, ArtefactError> {
        let p: Policy = open(text, "policy", POLICY_FORMAT_VERSION, seal, |_| {
            "policy".to_string()
        })?;
        p.validate()?;
        Ok(p)
    }

    /// The SHA-256 of the policy's canonical content: what a sealed file's
    /// `checksum` holds.
    pub fn checksum(&self) -> String {
        content_checksum(self)
    }

    /// The policy file, pretty-printed and sealed with its [`Policy::checksum`].
    pub fn to_sealed_json(&self) -> String {
        seal(self)
    }

    /// Checks every rule a policy must keep.
    pub fn validate(&self) -> Result<(), ArtefactError> {
        let bad = |field: &str, problem: &str| {
            Err(ArtefactError::Invalid {
                artefact: "policy".into(),
                field: field.into(),
                problem: problem.into(),
            })
        };
        if self.format_version != POLICY_FORMAT_VERSION {
            return Err(ArtefactError::Version {
                artefact: "policy".into(),
                found: self.format_version,
                expected: POLICY_FORMAT_VERSION,
            });
        }
        let g = &self.grading;
        if g.medium_from == 0 || g.medium_from >= g.high_from {
            return bad(
                "grading.medium_from",
                "must be at least 1 and below grading.high_from",
            );
        }
        if g.escalation_incidents == 0 {
            return bad("grading.escalation_incidents", "must be at least 1");
        }
        if g.escalation_window_months == 0 || g.repeat_marac_window_months == 0 {
            return bad("grading", "windows must be at least 1 month");
        }
        // A century is longer than any window in use; it also keeps date arithmetic
        // on dates of 1900-2100 far from overflow.
        if g.escalation_window_months > MAX_WINDOW_MONTHS
            || g.repeat_marac_window_months > MAX_WINDOW_MONTHS
        {
            return bad("grading", "windows must be at most 1200 months (100 years)");
        }
        let s = &self.scorer;
        if !(s.conflict_max_p_abuse > 0.0
            && s.conflict_max_p_abuse < s.abuse_min_p_abuse
            && s.abuse_min_p_abuse <= 1.0)
        {
            return bad(
                "scorer",
                "need 0 < conflict_max_p_abuse < abuse_min_p_abuse <= 1",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_and_validates() {
        let p = Policy::default();
        p.validate().unwrap();
        let json = serde_json::to_string_pretty(&p).unwrap();
        assert_eq!(Policy::from_json(&json).unwrap(), p);
    }

    #[test]
    fn bad_policies_are_refused() {
        let mut p = Policy::default();
        p.grading.medium_from = 14;
        assert!(p.validate().is_err());
        let mut p = Policy::default();
        p.scorer.abuse_min_p_abuse = 0.1;
        assert!(p.validate().is_err());
        let mut p = Policy::default();
        p.scorer.conflict_max_p_abuse = f64::NAN;
        assert!(p.validate().is_err());
        let mut p = Policy::default();
        p.grading.escalation_window_months = MAX_WINDOW_MONTHS + 1;
        assert!(p.validate().is_err());
        p.grading.escalation_window_months = MAX_WINDOW_MONTHS;
        assert!(p.validate().is_ok());
    }

    #[test]
    fn a_partial_policy_takes_the_defaults_for_the_rest() {
        let p = Policy::from_json(r#"{"grading": {"escalation_window_months": 6}}"#).unwrap();
        let mut want = Policy::default();
        want.grading.escalation_window_months = 6;
        assert_eq!(p, want);
        let p = Policy::from_json(r#"{"scorer": {"abuse_min_p_abuse": 0.7}}"#).unwrap();
        assert_eq!(p.scorer.abuse_min_p_abuse, 0.7);
        assert_eq!(p.scorer.conflict_max_p_abuse, 0.2, "the rest keep defaults");
        // Version 1 files held hand-set weights: refused as such.
        let err = Policy::from_json(r#"{"format_version": 1}"#).unwrap_err();
        assert!(
            matches!(err, ArtefactError::Version { found: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn a_malformed_policy_names_the_field_path() {
        let err = Policy::from_json(r#"{"grading": {"medium_from": "ten"}}"#).unwrap_err();
        assert_eq!(err.field(), Some("grading.medium_from"), "{err}");
        let err = Policy::from_json(r#"{"grading": {"medium_form": 9}}"#).unwrap_err();
        assert!(err.to_string().contains("medium_form"), "{err}");
        let err = Policy::from_json(r#"{"scorer": {"abuse_min_p_abuse": "high"}}"#).unwrap_err();
        assert_eq!(err.field(), Some("scorer.abuse_min_p_abuse"), "{err}");
    }
}
