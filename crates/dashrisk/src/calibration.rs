//! The scoring model: learned points per answer, per form, and the calibration map
//! from the points score to `p_abuse`, shipped as one versioned, checksummed
//! artefact.
//!
//! - **Points.** Each question, the screen's fear and power questions and the
//!   earlier-incident count carry whole-number points for a "yes" (0–10, never
//!   negative, so an added "yes" never lowers the score). An unknown or declined
//!   answer scores what the item can be expected to contribute (its points times
//!   its rate of "yes" in the fitting data, times one scale per form), never more
//!   than a "yes" and never less than a "no". How they are fitted:
//!   [`crate::fit`] and docs/model-card.md.
//! - **Map.** Isotonic (pool-adjacent-violators, written here) or Platt
//!   (a logistic in the score), both non-decreasing, so a higher score never
//!   lowers `p_abuse`. Probabilities are clamped to `[p_floor, p_ceiling]`.
//! - **Conflict threshold.** Optionally, the `p_abuse` below which parental
//!   conflict may be given, chosen on the fitting data so that, with 95%
//!   confidence, the share of true abuse labelled parental conflict stays below a
//!   rate ([`ConflictGuarantee`]).
//!
//! The shipped artefact (`assets/calibration.json`) is fitted on the synthetic
//! reference population; a test refits it from its recorded seed and checks it
//! matches byte for byte.

use crate::error::ArtefactError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The current format version of calibration files. Version 1 held one map for
/// hand-set policy weights; version 2 holds learned points per form.
pub const CALIBRATION_FORMAT_VERSION: u32 = 2;

/// The shipped calibration artefact.
pub const SHIPPED_CALIBRATION_JSON: &str = include_str!("../assets/calibration.json");

/// Lowest probability reported.
pub const DEFAULT_P_FLOOR: f64 = 0.001;
/// Highest probability reported.
pub const DEFAULT_P_CEILING: f64 = 0.999;

/// The id of the screen's fear question in a points table.
pub const SCREEN_FEAR: &str = "screen.fear";
/// The id of the screen's power-imbalance question in a points table.
pub const SCREEN_POWER: &str = "screen.power_imbalance";

/// Where a calibration came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The data: the synthetic generator and its version, or a force's file name.
    pub data: String,
    /// Generator seed, when synthetic.
    pub seed: Option<u64>,
    /// Number of labelled records fitted on.
    pub n: u64,
    /// Number of positive (abuse) labels among them.
    pub positives: u64,
    /// True when the data are synthetic: reports must say so.
    pub synthetic: bool,
    /// SHA-256 of the input file, for fits on a force's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_sha256: Option<String>,
    /// The date of a fit on a force's data (`YYYY-MM-DD`). The reference fit
    /// carries none, so that it stays reproducible byte for byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted_on: Option<String>,
    /// Records in the input that had no label and were left out.
    #[serde(default)]
    pub unlabelled: u64,
    /// Records in the input that were bad and were left out.
    #[serde(default)]
    pub bad_records: u64,
}

/// How the score is mapped to a probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapMethod {
    /// Isotonic regression (pool-adjacent-violators) with linear interpolation.
    Isotonic,
    /// Platt scaling: a logistic regression of the label on the score.
    Platt,
}

impl MapMethod {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            MapMethod::Isotonic => "isotonic",
            MapMethod::Platt => "platt",
        }
    }
}

/// The map from score to probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScoreMap {
    /// `(score, p)` knots, strictly increasing in both; linear in between, flat
    /// beyond.
    Isotonic {
        /// The knots.
        knots: Vec<(f64, f64)>,
    },
    /// `p = 1 / (1 + exp(-(intercept + slope * score)))`, `slope >= 0`.
    Platt {
        /// Intercept.
        intercept: f64,
        /// Slope (not negative).
        slope: f64,
    },
}

impl ScoreMap {
    /// The raw (unclamped) probability of a score.
    pub fn raw(&self, score: f64) -> f64 {
        match self {
            ScoreMap::Isotonic { knots } => interpolate(knots, score),
            ScoreMap::Platt { intercept, slope } => {
                if score.is_nan() {
                    return 1.0;
                }
                let z = intercept + slope * score;
                1.0 / (1.0 + (-z).exp())
            }
        }
    }

    fn validate(&self, field: &str) -> Result<(), String> {
        match self {
            ScoreMap::Isotonic { knots } => {
                if knots.is_empty() {
                    return Err(format!("{field}: must not be empty"));
                }
                if knots
                    .iter()
                    .any(|&(s, p)| !s.is_finite() || !(0.0..=1.0).contains(&p))
                {
                    return Err(format!(
                        "{field}: scores must be finite and p within [0, 1]"
                    ));
                }
                for w in knots.windows(2) {
                    if !(w[0].0 < w[1].0 && w[0].1 < w[1].1) {
                        return Err(format!("{field}: knots must be strictly increasing"));
                    }
                }
                Ok(())
            }
            ScoreMap::Platt { intercept, slope } => {
                if intercept.is_finite() && slope.is_finite() && *slope >= 0.0 {
                    Ok(())
                } else {
                    Err(format!(
                        "{field}: intercept and slope must be finite, slope not negative"
                    ))
                }
            }
        }
    }
}

fn interpolate(k: &[(f64, f64)], score: f64) -> f64 {
    if score.is_nan() {
        // Not reachable from the scorer; the cautious answer is the top.
        return k[k.len() - 1].1;
    }
    if score <= k[0].0 {
        return k[0].1;
    }
    if score >= k[k.len() - 1].0 {
        return k[k.len() - 1].1;
    }
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
}

/// Points for one item: whole points for a "yes", and what an unknown or
/// declined answer contributes (`0 <= unknown <= yes`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPoints {
    /// Points for a "yes" (0–10).
    pub yes: u32,
    /// Points for not known or declined.
    pub unknown: f64,
}

/// Points for earlier domestic-abuse incidents in the last 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorPoints {
    /// Points per incident (0–10).
    pub per_incident: u32,
    /// Incidents counted at most.
    pub cap: u32,
    /// Points when the count is not known (`0 <= unknown <= per_incident * cap`).
    pub unknown: f64,
}

/// One stratum's calibration on the fitting data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stratum {
    /// `gate_fired`, `no_gate`, `unanswered_0`, `unanswered_1_2`, `unanswered_3_plus`.
    pub stratum: String,
    /// Records in it.
    pub n: u64,
    /// Expected calibration error (10 equal-width bins, count-weighted), or `None`
    /// when the stratum is empty.
    pub ece: Option<f64>,
}

/// Fit statistics on the data a form was fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitStats {
    /// Labelled records.
    pub n: u64,
    /// Abuse labels among them.
    pub positives: u64,
    /// ROC AUC of `p_abuse`.
    pub auc: f64,
    /// Expected calibration error: 10 equal-width bins on [0, 1], weighted by count.
    pub ece: f64,
    /// Calibration slope: the logistic fit of the outcome on logit(p).
    pub calibration_slope: f64,
    /// Calibration-in-the-large: the intercept of that fit with the slope fixed at 1.
    pub calibration_intercept: f64,
    /// ECE by stratum: gate fired or not, and 0, 1–2 or 3+ unanswered items.
    pub strata: Vec<Stratum>,
}

/// The learned scoring of one form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormScore {
    /// The instrument id (`dash-2009`, `dash-2009-partner`, or a custom form's).
    pub instrument: String,
    /// Points per question id, and for [`SCREEN_FEAR`] and [`SCREEN_POWER`].
    pub items: BTreeMap<String, ItemPoints>,
    /// Points for earlier incidents.
    pub prior_incidents: PriorPoints,
    /// The scale on expected contributions that gives unknown answers their points
    /// (chosen so that a record with nothing answered gets about the fitting
    /// population's base rate).
    pub unknown_scale: f64,
    /// Score to probability.
    pub map: ScoreMap,
    /// Fit statistics on the fitting data.
    pub fit: FitStats,
    /// Set when this form was not fitted with the calibration it is in, but kept
    /// from the calibration it was refitted from (a form with no labelled records,
    /// or too few to refit): which one, so that a kept synthetic fit is never taken
    /// for a fit on the provenance's data. Absent for a form fitted here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_from: Option<KeptFrom>,
    /// Set when only this form's map was fitted here (`--refit map`, or too few
    /// records for its points): the calibration its points were kept from (the
    /// first that fitted them). Absent when the points were fitted here too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_from: Option<KeptFrom>,
}

impl FormScore {
    /// Whether this form's scoring, or its points, come from a fit on synthetic
    /// data kept from another calibration: results from it must say so even when
    /// the calibration's own provenance is not synthetic.
    pub fn synthetic_kept(&self) -> bool {
        self.kept_from.as_ref().is_some_and(|k| k.synthetic)
            || self.points_from.as_ref().is_some_and(|k| k.synthetic)
    }
}

/// The calibration a form was kept from ([`FormScore::kept_from`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeptFrom {
    /// Its version label.
    pub version: String,
    /// Its checksum (SHA-256).
    pub checksum: String,
    /// Whether it was fitted on synthetic data.
    pub synthetic: bool,
    /// The records it fitted this form on.
    pub n: u64,
}

impl FormScore {
    /// The points for an item, or zero points when the form does not score it.
    pub fn item(&self, id: &str) -> ItemPoints {
        self.items.get(id).copied().unwrap_or(ItemPoints {
            yes: 0,
            unknown: 0.0,
        })
    }
}

/// The conflict threshold chosen with a guarantee on the fitting data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictGuarantee {
    /// The rate of true abuse labelled parental conflict that must not be exceeded.
    pub max_abuse_as_conflict: f64,
    /// Confidence of the bound (0.95).
    pub confidence: f64,
    /// `clopper_pearson`: a one-sided exact binomial upper bound. Assumes future
    /// cases are exchangeable with the fitting data.
    pub method: String,
    /// True abuse records in the fitting data.
    pub abuse_records: u64,
    /// Of them, labelled parental conflict at the threshold.
    pub abuse_as_conflict: u64,
    /// The upper bound achieved on the share of abuse labelled conflict.
    pub upper_bound: f64,
    /// Parental conflict needs `p_abuse` strictly below this. 0 when the guarantee
    /// could not be given: then no case is labelled parental conflict.
    pub threshold: f64,
    /// The fewest abuse records that could give the guarantee (with none labelled
    /// conflict).
    pub min_abuse_records: u64,
    /// Whether the guarantee could be given on the data.
    pub guaranteed: bool,
    /// The rules and the grading the guarantee was measured under. Which abuse
    /// records could be labelled conflict depends on both (the level, earlier
    /// abuse, the MARAC criteria), so the threshold holds only under them: a
    /// scorer with other rules or another grading policy labels no case parental
    /// conflict ([`crate::Scorer::conflict_guarantee_problem`]). Calibrations made
    /// before the fourteenth session lack it, and give no conflict label until
    /// refitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_under: Option<MeasuredUnder>,
}

/// What a conflict guarantee was measured under ([`ConflictGuarantee::measured_under`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasuredUnder {
    /// The scorer's rules ([`crate::SCORER_VERSION`]).
    pub scorer_version: String,
    /// The grading policy (levels, escalation and MARAC windows).
    pub grading: crate::policy::GradingPolicy,
}

impl ConflictGuarantee {
    /// Why the guarantee does not hold under `policy` with this build's rules, or
    /// `None` when it does.
    pub fn problem_under(&self, policy: &crate::Policy) -> Option<String> {
        let Some(m) = &self.measured_under else {
            return Some(
                "the calibration does not record the rules and grading its conflict guarantee \
                 was measured under (it was made before they were recorded)"
                    .into(),
            );
        };
        if m.scorer_version != crate::SCORER_VERSION {
            return Some(format!(
                "the calibration's conflict guarantee was measured under the rules {}, \
                 not {}",
                m.scorer_version,
                crate::SCORER_VERSION
            ));
        }
        if m.grading != policy.grading {
            return Some(format!(
                "the calibration's conflict guarantee was measured under another grading \
                 policy (medium from {}, high from {}, escalation {} in {} months, repeat \
                 MARAC within {} months) than this one (medium from {}, high from {}, \
                 escalation {} in {} months, repeat MARAC within {} months)",
                m.grading.medium_from,
                m.grading.high_from,
                m.grading.escalation_incidents,
                m.grading.escalation_window_months,
                m.grading.repeat_marac_window_months,
                policy.grading.medium_from,
                policy.grading.high_from,
                policy.grading.escalation_incidents,
                policy.grading.escalation_window_months,
                policy.grading.repeat_marac_window_months,
            ));
        }
        None
    }
}

/// A fitted scoring model: points per form, their maps, and the conflict
/// threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// File format version ([`CALIBRATION_FORMAT_VERSION`]).
    pub format_version: u32,
    /// Version label reported in every result.
    pub version: String,
    /// How scores map to probabilities.
    pub method: MapMethod,
    /// Where it came from.
    pub provenance: Provenance,
    /// Lowest probability reported.
    pub p_floor: f64,
    /// Highest probability reported.
    pub p_ceiling: f64,
    /// The scoring of each form, by instrument id.
    pub forms: Vec<FormScore>,
    /// The conflict threshold and its guarantee, when one was fitted.
    pub conflict: Option<ConflictGuarantee>,
    /// SHA-256 of the file's canonical JSON with this field empty.
    #[serde(default)]
    pub checksum: String,
}

impl Calibration {
    /// The shipped calibration (fitted on the synthetic reference population).
    pub fn shipped() -> Calibration {
        Calibration::shipped_ref().clone()
    }

    /// The shipped calibration, read once (its version is borrowed by results).
    pub(crate) fn shipped_ref() -> &'static Calibration {
        static CELL: std::sync::OnceLock<Calibration> = std::sync::OnceLock::new();
        CELL.get_or_init(|| {
            Calibration::from_json(SHIPPED_CALIBRATION_JSON)
                .expect("the shipped calibration is valid")
        })
    }

    /// Reads and validates a calibration file, checking its version and checksum.
    pub fn from_json(text: &str) -> Result<Calibration, ArtefactError> {
        crate::artefact::check_format_version(text, "calibration", CALIBRATION_FORMAT_VERSION)?;
        let cal: Calibration = crate::artefact::from_json_text(text, "calibration")?;
        cal.validate()?;
        Ok(cal)
    }

    /// The calibration file, pretty-printed with a fresh checksum.
    pub fn to_json(&self) -> String {
        let mut c = self.clone();
        c.checksum = c.compute_checksum();
        let mut s = serde_json::to_string_pretty(&c).expect("calibration serialises");
        s.push('\n');
        s
    }

    /// Labels the calibration `{prefix}-{8 hex digits}` and seals it. The digits are
    /// the first 8 of the checksum the calibration has with its label set to
    /// `prefix` alone (so not those of the file's final checksum, which covers the
    /// label with the digits); the same contents give the same label. Every result names its
    /// calibration only by this label, so two different fits must not share one (a
    /// review's two fits on one day were both `cal-local-2026-12-01`, and gave 0.98
    /// and 0.41 for the same record).
    ///
    /// ```
    /// let mut c = dashrisk::Calibration::shipped();
    /// c.label_with_content("cal-local-2026-12-01");
    /// let (prefix, digits) = c.version.rsplit_once('-').unwrap();
    /// assert_eq!((prefix, digits.len()), ("cal-local-2026-12-01", 8));
    /// ```
    pub fn label_with_content(&mut self, prefix: &str) {
        self.version = prefix.to_string();
        let digits = self.compute_checksum()[..8].to_string();
        self.version = format!("{prefix}-{digits}");
        self.seal();
    }

    /// Sets the checksum for the current contents.
    pub fn seal(&mut self) {
        self.checksum = self.compute_checksum();
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

    /// The scoring of a form, if the artefact has one.
    pub fn form(&self, instrument: &str) -> Option<&FormScore> {
        self.forms.iter().find(|f| f.instrument == instrument)
    }

    /// The probability of a score on a form, clamped to `[p_floor, p_ceiling]`.
    pub fn p(&self, form: &FormScore, score: f64) -> f64 {
        form.map.raw(score).clamp(self.p_floor, self.p_ceiling)
    }

    /// Checks the format version, the checksum and every value's range.
    pub fn validate(&self) -> Result<(), ArtefactError> {
        let art = format!(
            "calibration {:?}",
            crate::error::truncate_value(&self.version)
        );
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
        let invalid = |field: String, problem: String| ArtefactError::Invalid {
            artefact: art.clone(),
            field,
            problem,
        };
        if !(0.0 < self.p_floor && self.p_floor < self.p_ceiling && self.p_ceiling < 1.0) {
            return Err(invalid(
                "p_floor".into(),
                "need 0 < p_floor < p_ceiling < 1".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, f) in self.forms.iter().enumerate() {
            let at = |x: &str| format!("forms[{i}].{x}");
            if !seen.insert(f.instrument.as_str()) {
                return Err(invalid(at("instrument"), "appears twice".into()));
            }
            f.map
                .validate(&at("map"))
                .map_err(|p| invalid(at("map"), p))?;
            for (id, pts) in &f.items {
                if pts.yes > 10 || !(pts.unknown >= 0.0 && pts.unknown <= f64::from(pts.yes)) {
                    return Err(invalid(
                        at(&format!("items.{id}")),
                        "need yes from 0 to 10 and 0 <= unknown <= yes".into(),
                    ));
                }
            }
            let pr = f.prior_incidents;
            let max = f64::from(pr.per_incident) * f64::from(pr.cap);
            if pr.per_incident > 10 || pr.cap > 100 || !(pr.unknown >= 0.0 && pr.unknown <= max) {
                return Err(invalid(
                    at("prior_incidents"),
                    "need per_incident from 0 to 10, cap at most 100 and 0 <= unknown <= per_incident * cap".into(),
                ));
            }
            if !(f.unknown_scale.is_finite() && f.unknown_scale >= 0.0) {
                return Err(invalid(
                    at("unknown_scale"),
                    "must be finite and not negative".into(),
                ));
            }
        }
        if let Some(c) = &self.conflict {
            if !((0.0..=1.0).contains(&c.threshold)
                && c.max_abuse_as_conflict > 0.0
                && c.max_abuse_as_conflict < 1.0
                && c.confidence > 0.0
                && c.confidence < 1.0)
            {
                return Err(invalid(
                    "conflict".into(),
                    "threshold must be in [0, 1], and max_abuse_as_conflict and confidence in (0, 1)"
                        .into(),
                ));
            }
            // A guarantee that says what it could not give must not allow conflict;
            // one that was given must be the one its own figures show.
            if !c.guaranteed && c.threshold != 0.0 {
                return Err(invalid(
                    "conflict.threshold".into(),
                    format!(
                        "is {} but guaranteed is false; without the guarantee the threshold is 0 \
                         (no case is labelled parental conflict)",
                        c.threshold
                    ),
                ));
            }
            if c.guaranteed
                && !(c.abuse_as_conflict <= c.abuse_records
                    && c.abuse_records >= c.min_abuse_records
                    && c.upper_bound <= c.max_abuse_as_conflict)
            {
                return Err(invalid(
                    "conflict".into(),
                    format!(
                        "guaranteed is true, but the figures do not give the guarantee: need \
                         abuse_as_conflict ({}) <= abuse_records ({}), abuse_records >= \
                         min_abuse_records ({}) and upper_bound ({}) <= max_abuse_as_conflict ({})",
                        c.abuse_as_conflict,
                        c.abuse_records,
                        c.min_abuse_records,
                        c.upper_bound,
                        c.max_abuse_as_conflict
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Pool-adjacent-violators on `(score, label)` pairs: the isotonic fit's blocks as
/// `(mean score, share of positives)` knots, strictly increasing in both. Tied
/// scores start as one block, so the fit does not depend on input order.
pub fn pool_adjacent_violators(pairs: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<(f64, bool)> = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Blocks: (sum of scores, sum of labels, count).
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
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

    #[test]
    fn pav_is_monotone_and_order_free() {
        let pairs = [
            (0.0, false),
            (0.0, false),
            (10.0, true),
            (10.0, true),
            (5.0, true),
            (5.0, false),
        ];
        let k = pool_adjacent_violators(&pairs);
        assert_eq!(k, vec![(0.0, 0.0), (5.0, 0.5), (10.0, 1.0)]);
        let mut rev = pairs;
        rev.reverse();
        assert_eq!(pool_adjacent_violators(&rev), k);
        let m = ScoreMap::Isotonic { knots: k };
        assert!((m.raw(2.5) - 0.25).abs() < 1e-12);
        assert_eq!(m.raw(-3.0), 0.0);
        assert_eq!(m.raw(99.0), 1.0);
    }

    #[test]
    fn extreme_knots_still_give_a_monotone_probability() {
        let m = ScoreMap::Isotonic {
            knots: vec![(-1.7e308, 0.1), (1.7e308, 0.9)],
        };
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
            let p = m.raw(x);
            assert!(p.is_finite() && p >= last, "p({x}) = {p}");
            last = p;
        }
        assert!((m.raw(0.0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn the_shipped_calibration_reads_and_a_tampered_one_is_refused() {
        let json = SHIPPED_CALIBRATION_JSON;
        let cal = Calibration::from_json(json).unwrap();
        assert!(cal.form(crate::instrument::DASH_2009).is_some());
        assert!(cal.form(crate::instrument::DASH_2009_PARTNER).is_some());
        let tampered = json.replacen("\"yes\": ", "\"yes\": 1", 1);
        assert_ne!(tampered, json);
        assert!(Calibration::from_json(&tampered).is_err());
        let v9 = json.replacen("\"format_version\": 2", "\"format_version\": 9", 1);
        assert!(matches!(
            Calibration::from_json(&v9),
            Err(ArtefactError::Version { found: 9, .. })
        ));
        let v1 = json.replacen("\"format_version\": 2", "\"format_version\": 1", 1);
        assert!(matches!(
            Calibration::from_json(&v1),
            Err(ArtefactError::Version { found: 1, .. })
        ));
    }
}
