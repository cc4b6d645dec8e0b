//! The calibration map from points score to `p_abuse`.
//!
//! Isotonic regression (pool-adjacent-violators, written here: linfa-linear's
//! isotonic regression guesses its direction and depends on input order) fitted on
//! the synthetic reference population, then linear interpolation between the pooled
//! blocks' centres. The map is non-decreasing everywhere and strictly increasing
//! between the first and last knots, so a higher score never lowers `p_abuse`.
//! Probabilities are clamped to `[p_floor, p_ceiling]`: the tool never reports
//! certainty.
//!
//! The shipped calibration is an artefact (`assets/calibration.json`) with a format
//! version, the fingerprint of the score weights it was fitted for, its provenance
//! and a SHA-256 checksum; a test refits it from its recorded seed and checks it
//! matches byte for byte.

use crate::error::ArtefactError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The current format version of calibration files.
pub const CALIBRATION_FORMAT_VERSION: u32 = 1;

/// The shipped calibration artefact.
pub const SHIPPED_CALIBRATION_JSON: &str = include_str!("../assets/calibration.json");

/// Lowest probability reported.
pub const DEFAULT_P_FLOOR: f64 = 0.001;
/// Highest probability reported.
pub const DEFAULT_P_CEILING: f64 = 0.999;

/// Where a calibration came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The data: for the shipped file, the synthetic generator and its version.
    pub data: String,
    /// Generator seed, when synthetic.
    pub seed: Option<u64>,
    /// Number of records fitted on.
    pub n: u64,
    /// Number of positive (abuse) labels among them.
    pub positives: u64,
    /// True when the data are synthetic: reports must say so.
    pub synthetic: bool,
}

/// A fitted calibration map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// File format version ([`CALIBRATION_FORMAT_VERSION`]).
    pub format_version: u32,
    /// Version label reported in every result.
    pub version: String,
    /// [`crate::policy::ScoreWeights::fingerprint`] of the weights it was fitted for.
    pub weights_fingerprint: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// Lowest probability reported.
    pub p_floor: f64,
    /// Highest probability reported.
    pub p_ceiling: f64,
    /// `(score, p)` knots, strictly increasing in both.
    pub knots: Vec<(f64, f64)>,
    /// SHA-256 of the file's canonical JSON with this field empty.
    #[serde(default)]
    pub checksum: String,
}

impl Calibration {
    /// Fits an isotonic calibration on `(score, label)` pairs.
    ///
    /// Returns an error when the data hold no positives or no negatives, or a score
    /// is not finite.
    pub fn fit(
        pairs: &[(f64, bool)],
        version: &str,
        weights_fingerprint: &str,
        provenance: Provenance,
    ) -> Result<Calibration, ArtefactError> {
        let invalid = |problem: &str| ArtefactError::Invalid {
            artefact: "calibration".into(),
            field: "data".into(),
            problem: problem.into(),
        };
        if pairs.iter().any(|(s, _)| !s.is_finite()) {
            return Err(invalid("scores must be finite"));
        }
        let pos = pairs.iter().filter(|(_, y)| *y).count();
        if pos == 0 || pos == pairs.len() {
            return Err(invalid("needs both abuse and conflict labels"));
        }
        let knots = pool_adjacent_violators(pairs);
        let mut cal = Calibration {
            format_version: CALIBRATION_FORMAT_VERSION,
            version: version.to_string(),
            weights_fingerprint: weights_fingerprint.to_string(),
            provenance,
            p_floor: DEFAULT_P_FLOOR,
            p_ceiling: DEFAULT_P_CEILING,
            knots,
            checksum: String::new(),
        };
        cal.checksum = cal.compute_checksum();
        Ok(cal)
    }

    /// The shipped calibration (fitted on the synthetic reference population).
    pub fn shipped() -> Calibration {
        Calibration::from_json(SHIPPED_CALIBRATION_JSON).expect("the shipped calibration is valid")
    }

    /// Reads and validates a calibration file, checking its version and checksum.
    pub fn from_json(text: &str) -> Result<Calibration, ArtefactError> {
        crate::artefact::check_format_version(text, "calibration", CALIBRATION_FORMAT_VERSION)?;
        let cal: Calibration = crate::artefact::from_json_text(text, "calibration")?;
        cal.validate()?;
        Ok(cal)
    }

    /// Pretty JSON with a fresh checksum.
    pub fn to_json(&self) -> String {
        let mut c = self.clone();
        c.checksum = c.compute_checksum();
        let mut s = serde_json::to_string_pretty(&c).expect("calibration serialises");
        s.push('\n');
        s
    }

    fn compute_checksum(&self) -> String {
        let mut c = self.clone();
        c.checksum = String::new();
        let json = serde_json::to_string(&c).expect("calibration serialises");
        Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Checks version, checksum and the shape of the knots.
    pub fn validate(&self) -> Result<(), ArtefactError> {
        let art = format!("calibration {:?}", self.version);
        if self.format_version != CALIBRATION_FORMAT_VERSION {
            return Err(ArtefactError::Version {
                artefact: art,
                found: self.format_version,
                expected: CALIBRATION_FORMAT_VERSION,
            });
        }
        if self.checksum.is_empty() {
            return Err(ArtefactError::Invalid {
                artefact: art,
                field: "checksum".into(),
                problem:
                    "is missing: a calibration file must carry the checksum it was written with"
                        .into(),
            });
        }
        if self.checksum != self.compute_checksum() {
            return Err(ArtefactError::Mismatch {
                artefact: art,
                problem: "checksum does not match the contents (edited or damaged file)".into(),
            });
        }
        let invalid = |field: &str, problem: &str| ArtefactError::Invalid {
            artefact: art.clone(),
            field: field.into(),
            problem: problem.into(),
        };
        if !(0.0 < self.p_floor && self.p_floor < self.p_ceiling && self.p_ceiling < 1.0) {
            return Err(invalid("p_floor", "need 0 < p_floor < p_ceiling < 1"));
        }
        if self.knots.is_empty() {
            return Err(invalid("knots", "must not be empty"));
        }
        for w in self.knots.windows(2) {
            if !(w[0].0 < w[1].0 && w[0].1 < w[1].1) {
                return Err(invalid("knots", "must be strictly increasing"));
            }
        }
        if self
            .knots
            .iter()
            .any(|&(s, p)| !s.is_finite() || !(0.0..=1.0).contains(&p))
        {
            return Err(invalid(
                "knots",
                "scores must be finite and p within [0, 1]",
            ));
        }
        Ok(())
    }

    /// The calibrated probability for a score: non-decreasing in the score.
    pub fn p(&self, score: f64) -> f64 {
        let k = &self.knots;
        let raw = if score.is_nan() {
            // Not reachable from the scorer; the cautious answer is the top.
            k[k.len() - 1].1
        } else if score <= k[0].0 {
            k[0].1
        } else if score >= k[k.len() - 1].0 {
            k[k.len() - 1].1
        } else {
            let i = k.partition_point(|&(s, _)| s <= score);
            let (s0, p0) = k[i - 1];
            let (s1, p1) = k[i];
            let span = s1 - s0;
            if span.is_finite() {
                // score < s1, so score - s0 < span: no overflow.
                p0 + (p1 - p0) * (score - s0) / span
            } else {
                // Knots either side of zero near ±f64::MAX: the span overflows, and
                // infinity / infinity would be NaN. Halved, nothing overflows.
                p0 + (p1 - p0) * (score / 2.0 - s0 / 2.0) / (s1 / 2.0 - s0 / 2.0)
            }
        };
        raw.clamp(self.p_floor, self.p_ceiling)
    }
}

/// Pool-adjacent-violators on `(score, label)`: returns knots `(mean score of the
/// block, share of positives in the block)`, strictly increasing in both.
fn pool_adjacent_violators(pairs: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<(f64, bool)> = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Blocks: (sum of scores, sum of labels, count).
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        // Tied scores form one starting block, so the result does not depend on
        // input order.
        let s = sorted[i].0;
        let mut block = (0.0, 0.0, 0.0);
        while i < sorted.len() && sorted[i].0 == s {
            block.0 += s;
            block.1 += f64::from(u8::from(sorted[i].1));
            block.2 += 1.0;
            i += 1;
        }
        blocks.push(block);
        // Merge while the previous block's mean is not below this one's.
        while blocks.len() > 1 {
            let b = blocks[blocks.len() - 1];
            let a = blocks[blocks.len() - 2];
            if a.1 / a.2 >= b.1 / b.2 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
            } else {
                break;
            }
        }
    }
    blocks
        .into_iter()
        .map(|(ss, sy, n)| (ss / n, sy / n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prov() -> Provenance {
        Provenance {
            data: "test".into(),
            seed: None,
            n: 0,
            positives: 0,
            synthetic: true,
        }
    }

    #[test]
    fn pav_matches_hand_computed_blocks() {
        // Scores 1..4 with labels 0,1,0,1: blocks {1}=0, {2,3}=0.5, {4}=1.
        let pairs = [(1.0, false), (2.0, true), (3.0, false), (4.0, true)];
        let k = pool_adjacent_violators(&pairs);
        assert_eq!(k, vec![(1.0, 0.0), (2.5, 0.5), (4.0, 1.0)]);
    }

    #[test]
    fn pav_is_order_independent_and_monotone() {
        let mut pairs: Vec<(f64, bool)> = (0..200)
            .map(|i| (f64::from(i % 17), (i * 7919) % 13 < (i % 17) / 2))
            .collect();
        let a = pool_adjacent_violators(&pairs);
        pairs.reverse();
        let b = pool_adjacent_violators(&pairs);
        assert_eq!(a, b);
        for w in a.windows(2) {
            assert!(w[0].0 < w[1].0 && w[0].1 < w[1].1);
        }
    }

    #[test]
    fn p_interpolates_and_clamps() {
        let cal = Calibration::fit(
            &[(0.0, false), (0.0, false), (10.0, true), (10.0, true)],
            "t",
            "f",
            prov(),
        )
        .unwrap();
        assert_eq!(cal.p(-5.0), DEFAULT_P_FLOOR);
        assert_eq!(cal.p(50.0), DEFAULT_P_CEILING);
        assert!((cal.p(5.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn tampered_calibration_is_refused() {
        let cal = Calibration::fit(&[(0.0, false), (1.0, true)], "t", "f", prov()).unwrap();
        let json = cal.to_json();
        assert!(Calibration::from_json(&json).is_ok());
        let tampered = json.replacen("\"version\": \"t\"", "\"version\": \"u\"", 1);
        assert_ne!(tampered, json);
        assert!(matches!(
            Calibration::from_json(&tampered),
            Err(ArtefactError::Mismatch { .. })
        ));
        let v2 = json.replacen("\"format_version\": 1", "\"format_version\": 9", 1);
        assert!(matches!(
            Calibration::from_json(&v2),
            Err(ArtefactError::Version { found: 9, .. })
        ));
    }

    #[test]
    fn extreme_knots_still_give_a_monotone_probability() {
        let mut cal = Calibration::fit(&[(0.0, false), (1.0, true)], "t", "f", prov()).unwrap();
        cal.knots = vec![(-1.7e308, 0.1), (1.7e308, 0.9)];
        let mut last = 0.0;
        for x in [
            f64::NEG_INFINITY,
            -1.7e308,
            -1e308,
            -1.0,
            0.0,
            1.0,
            1e308,
            1.5e308,
            f64::MAX,
        ] {
            let p = cal.p(x);
            assert!(p.is_finite() && p >= last, "p({x}) = {p}");
            last = p;
        }
        assert!((cal.p(0.0) - 0.5).abs() < 1e-9);
        assert!((cal.p(0.85e308) - 0.7).abs() < 1e-9);
    }

    #[test]
    fn one_class_is_an_error() {
        assert!(Calibration::fit(&[(0.0, true), (1.0, true)], "t", "f", prov()).is_err());
    }
}
