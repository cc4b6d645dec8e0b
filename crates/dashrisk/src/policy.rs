//! Every threshold and weight, in one documented, serialisable policy.
//!
//! Defaults follow SafeLives / local practice as summarised in docs/grading.md:
//! 14+ ticks is visible high risk, 10–13 medium (a local banding; "suggested levels
//! only: other factors may increase the level but never reduce it"), potential
//! escalation at 3 incidents in 12 months, repeat MARAC within 12 months.

use crate::artefact::{content_checksum, open, seal, Seal};
use crate::error::ArtefactError;
use crate::instrument::Domain;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The current format version of policy files.
pub const POLICY_FORMAT_VERSION: u32 = 1;

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

/// The points behind the abuse score. The calibration is fitted for one set of
/// weights; its [`ScoreWeights::fingerprint`] must match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreWeights {
    /// Points for a "yes" by question domain; a question scores the largest of its
    /// domains' points. In a policy file, domains left out keep their defaults.
    #[serde(deserialize_with = "domain_points_over_defaults")]
    pub domain_points: BTreeMap<Domain, f64>,
    /// Points for "yes" to the screen's fear question. Default 3.
    pub screen_fear_points: f64,
    /// Points for "yes" to the screen's power-imbalance question. Default 3.
    pub screen_power_points: f64,
    /// Points per prior incident in the last 12 months. Default 0.5.
    pub prior_incident_points: f64,
    /// Prior incidents counted at most. Default 6.
    pub prior_incident_cap: u32,
    /// Share of a "yes"'s points given to "not known" or "declined" (and to an
    /// unknown prior-incident count, as a share of the capped maximum). Must be
    /// above 0, so that an unknown answer raises the score, and at most 1, so that
    /// "yes" never scores less than unknown. Default 0.5.
    pub unknown_fraction: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        // Expert-set weights: the coercive-control cluster (fear, control, threats,
        // sexual abuse, stalking) weighs most, after Myhill & Hohl (2019); injury
        // alone weighs less (it does not load on that factor); separation, pregnancy
        // and wellbeing items are common in parental conflict too and weigh little.
        let domain_points = BTreeMap::from([
            (Domain::PhysicalHarm, 2.0),
            (Domain::Fear, 3.0),
            (Domain::CoerciveControl, 2.5),
            (Domain::Stalking, 2.5),
            (Domain::Sexual, 3.0),
            (Domain::Threats, 3.0),
            (Domain::Children, 1.0),
            (Domain::Pregnancy, 0.5),
            (Domain::Escalation, 1.5),
            (Domain::Separation, 0.5),
            (Domain::VictimWellbeing, 0.5),
            (Domain::Economic, 1.5),
            (Domain::ThirdPartyThreat, 1.0),
            (Domain::PerpetratorHistory, 1.0),
            (Domain::PerpetratorWellbeing, 0.5),
        ]);
        ScoreWeights {
            domain_points,
            screen_fear_points: 3.0,
            screen_power_points: 3.0,
            prior_incident_points: 0.5,
            prior_incident_cap: 6,
            unknown_fraction: 0.5,
        }
    }
}

/// Reads `domain_points` as changes to the default table, so that a policy file
/// that sets one domain does not silently zero the others.
fn domain_points_over_defaults<'de, D>(d: D) -> Result<BTreeMap<Domain, f64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    // Keys are read as strings first, so that an error path names the domain.
    let given = BTreeMap::<String, f64>::deserialize(d)?;
    let mut points = ScoreWeights::default().domain_points;
    for (k, v) in given {
        let domain: Domain =
            serde_json::from_value(serde_json::Value::String(k.clone())).map_err(|_| {
                let known: Vec<String> = Domain::ALL
                    .iter()
                    .map(|d| {
                        serde_json::to_value(d)
                            .map(|v| v.to_string())
                            .unwrap_or_default()
                    })
                    .collect();
                serde::de::Error::custom(format!(
                    "unknown domain {k:?}; expected one of: {}",
                    known.join(", ")
                ))
            })?;
        points.insert(domain, v);
    }
    Ok(points)
}

impl ScoreWeights {
    /// A SHA-256 of the weights' canonical JSON: ties a calibration to the weights
    /// it was fitted for.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(self).expect("weights serialise");
        let digest = Sha256::digest(json.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Points for a "yes" on a question with these domains.
    pub fn question_points(&self, domains: &[Domain]) -> f64 {
        domains
            .iter()
            .map(|d| self.domain_points.get(d).copied().unwrap_or(0.0))
            .fold(0.0, f64::max)
    }
}

/// The conflict-vs-abuse decision thresholds and the score weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScorerPolicy {
    /// Score weights.
    pub weights: ScoreWeights,
    /// "Parental conflict" needs p_abuse strictly below this. Default 0.2.
    pub conflict_max_p_abuse: f64,
    /// p_abuse at or above this is "domestic abuse" even when no gate fires.
    /// Default 0.6.
    pub abuse_min_p_abuse: f64,
}

impl Default for ScorerPolicy {
    fn default() -> Self {
        ScorerPolicy {
            weights: ScoreWeights::default(),
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
    /// Scorer weights and thresholds.
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
        let s = &self.scorer;
        let w = &s.weights;
        let finite_nonneg = |x: f64| x.is_finite() && x >= 0.0;
        if !w.domain_points.values().all(|&x| finite_nonneg(x))
            || !finite_nonneg(w.screen_fear_points)
            || !finite_nonneg(w.screen_power_points)
            || !finite_nonneg(w.prior_incident_points)
        {
            return bad("scorer.weights", "points must be finite and not negative");
        }
        if !(w.unknown_fraction > 0.0 && w.unknown_fraction <= 1.0) {
            return bad(
                "scorer.weights.unknown_fraction",
                "must be above 0 and at most 1 (unknown raises the score, never above yes)",
            );
        }
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
        p.scorer.weights.unknown_fraction = 0.0;
        assert!(p.validate().is_err());
        let mut p = Policy::default();
        p.scorer.abuse_min_p_abuse = 0.1;
        assert!(p.validate().is_err());
        let mut p = Policy::default();
        p.scorer.weights.screen_fear_points = f64::NAN;
        assert!(p.validate().is_err());
    }

    #[test]
    fn a_partial_policy_takes_the_defaults_for_the_rest() {
        let p = Policy::from_json(r#"{"grading": {"escalation_window_months": 6}}"#).unwrap();
        let mut want = Policy::default();
        want.grading.escalation_window_months = 6;
        assert_eq!(p, want);
        let p = Policy::from_json(r#"{"scorer": {"weights": {"domain_points": {"fear": 4.0}}}}"#)
            .unwrap();
        assert_eq!(p.scorer.weights.domain_points[&Domain::Fear], 4.0);
        assert_eq!(
            p.scorer.weights.domain_points[&Domain::Sexual],
            3.0,
            "others keep defaults"
        );
    }

    #[test]
    fn a_malformed_policy_names_the_field_path() {
        let err = Policy::from_json(r#"{"grading": {"medium_from": "ten"}}"#).unwrap_err();
        assert_eq!(err.field(), Some("grading.medium_from"), "{err}");
        let err = Policy::from_json(r#"{"grading": {"medium_form": 9}}"#).unwrap_err();
        assert!(err.to_string().contains("medium_form"), "{err}");
        let err = Policy::from_json(r#"{"scorer": {"weights": {"domain_points": {"fear": "x"}}}}"#)
            .unwrap_err();
        assert_eq!(
            err.field(),
            Some("scorer.weights.domain_points.fear"),
            "{err}"
        );
    }

    #[test]
    fn fingerprint_tracks_weights() {
        let a = ScoreWeights::default();
        let mut b = a.clone();
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.screen_fear_points = 2.5;
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
