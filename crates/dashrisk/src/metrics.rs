//! Metrics for benchmarking any tool on labelled records: discrimination (ROC AUC
//! with DeLong's standard error and Newcombe's score interval, a paired DeLong
//! comparison, average precision),
//! probability quality (Brier score, log loss, ECE, calibration slope and
//! calibration-in-the-large, reliability bins), a confusion table at a threshold,
//! and decision curves. Pure functions, no I/O: the one copy the scorer's fitting,
//! the comparison model and the command line use.
//!
//! Scores and probabilities are `f64`; labels are `bool` (`true` = the outcome, e.g.
//! abuse). Functions return `None` where the figure is undefined (one class absent,
//! no records, a NaN score) rather than a number that means nothing.
//!
//! Each is checked against scikit-learn, or a small reference implementation where
//! scikit-learn has none, in `tests/metrics.rs` (values written by
//! `tests/reference/metrics_reference.py`).

use crate::fit::sigmoid;

fn check(scores: &[f64], labels: &[bool], what: &str) {
    assert_eq!(scores.len(), labels.len(), "{what}: one label per score");
}

fn classes(labels: &[bool]) -> (usize, usize) {
    let pos = labels.iter().filter(|&&y| y).count();
    (pos, labels.len() - pos)
}

/// The indices of `values` in ascending [`f64::total_cmp`] order; tied values in
/// any order (every use here treats tied values alike: they share a mid-rank, or
/// are counted as one threshold). Sorting (key, index) pairs is several times
/// faster on a million values than sorting indices through the values.
///
/// ```
/// let order = dashrisk::metrics::ascending_order(&[0.5, -1.0, f64::NAN, 0.25]);
/// assert_eq!(order, vec![1, 3, 0, 2]);
/// ```
pub fn ascending_order(values: &[f64]) -> Vec<usize> {
    let mut keyed: Vec<(u64, usize)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (total_order_key(v), i))
        .collect();
    // By key alone: runs of tied values (a count, a grade) then cost little.
    keyed.sort_unstable_by_key(|&(k, _)| k);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// A key whose unsigned order is [`f64::total_cmp`]'s order (the same bit
/// transformation as the standard library's).
fn total_order_key(v: f64) -> u64 {
    let bits = v.to_bits() as i64;
    let key = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
    (key as u64) ^ (1 << 63)
}

/// Mid-ranks (1-based; tied values share the mean of their ranks) of `values`.
#[cfg(test)]
fn midranks(values: &[f64]) -> Vec<f64> {
    let mut ranks = vec![0.0; values.len()];
    midranks_among(values, &ascending_order(values), |_| true, &mut ranks);
    ranks
}

/// The mid-ranks of the records `keep` selects, among themselves, written at
/// their indices in `ranks`; `order` is every record in ascending order (so the
/// selected ones are in ascending order too, and need no sort of their own).
fn midranks_among(
    values: &[f64],
    order: &[usize],
    keep: impl Fn(usize) -> bool,
    ranks: &mut [f64],
) {
    let sub: Vec<usize> = order.iter().copied().filter(|&k| keep(k)).collect();
    let mut i = 0;
    while i < sub.len() {
        let mut j = i;
        while j + 1 < sub.len() && values[sub[j + 1]] == values[sub[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &sub[i..=j] {
            ranks[k] = mid;
        }
        i = j + 1;
    }
}

/// ROC AUC: the probability that a random positive scores above a random negative,
/// ties counting one half (scikit-learn's `roc_auc_score`). `None` when a class is
/// absent or a score is NaN.
///
/// ```
/// let auc = dashrisk::metrics::roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]);
/// assert_eq!(auc, Some(0.75));
/// ```
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    check(scores, labels, "roc_auc");
    let (p, n) = classes(labels);
    if p == 0 || n == 0 || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    Some(auc_in_order(scores, labels, &ascending_order(scores)))
}

/// The AUC from the records in ascending order (both classes present, no NaN).
fn auc_in_order(scores: &[f64], labels: &[bool], idx: &[usize]) -> f64 {
    let (p, n) = classes(labels);
    // The Mann-Whitney statistic from mid-ranks, summed in score order.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j share their mean.
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        for &t in &idx[i..j] {
            if labels[t] {
                rank_sum += mean_rank;
            }
        }
        i = j;
    }
    let (p, n) = (p as f64, n as f64);
    (rank_sum - p * (p + 1.0) / 2.0) / (p * n)
}

/// [`AucParts`] from one ascending order of the scores, or `None` as for
/// [`roc_auc`].
fn auc_and_components(scores: &[f64], labels: &[bool]) -> Option<AucParts> {
    check(scores, labels, "roc_auc");
    let (p, n) = classes(labels);
    if p == 0 || n == 0 || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let order = ascending_order(scores);
    let auc = auc_in_order(scores, labels, &order);
    let (v10, v01) = components(scores, labels, &order);
    let all_tied = scores[order[0]] == scores[order[order.len() - 1]];
    Some(AucParts {
        auc,
        v10,
        v01,
        all_tied,
    })
}

/// The name of the method of [`AucInterval::ci95`], as the evaluation JSON gives
/// it (`auc_ci95_method`): Newcombe's (2006) method 5, the score interval from the
/// Hanley–McNeil variance with both sample sizes replaced by their mean
/// ([`auc_score_interval`]).
pub const AUC_INTERVAL_METHOD: &str = "newcombe-2006-method-5";

/// The same in words, for captions.
pub const AUC_INTERVAL_METHOD_TEXT: &str = "Newcombe's (2006) score interval (method 5), which keeps close to 95% coverage in small groups and at AUCs near 1, and is never of zero width";

/// Why [`AucInterval::ci95`] is `None` when every record has the same score.
pub const AUC_ALL_TIED_NOTE: &str =
    "every record has the same score, so it ranks nothing and its AUC is 0.5 by construction";

/// An AUC with DeLong's standard error and a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AucInterval {
    /// The AUC.
    pub auc: f64,
    /// DeLong's standard error. It is 0 when every pair is ordered the same way or
    /// every score is the same, and leaves out one class's share when that class
    /// has one record: then it is no guide to the AUC's uncertainty, which is why
    /// the interval does not use it.
    pub se: f64,
    /// The 95% interval by [`auc_score_interval`] (Newcombe 2006, method 5), or
    /// `None` when there is none to give ([`Self::ci95_note`] says why). Its ends
    /// differ whenever it is given: an AUC of 1 gets `(lower, 1)` with `lower < 1`.
    pub ci95: Option<(f64, f64)>,
    /// The method of `ci95`: [`AUC_INTERVAL_METHOD`].
    pub ci95_method: &'static str,
    /// Why `ci95` is `None` ([`AUC_ALL_TIED_NOTE`]), or `None` when it is given.
    pub ci95_note: Option<&'static str>,
}

/// The structural components of DeLong et al. (1988), by the mid-rank method of Sun
/// and Xu (2014): for each positive, the share of negatives it outscores (V10), and
/// for each negative, the share of positives that outscore it (V01).
fn components(scores: &[f64], labels: &[bool], order: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let (m, n) = classes(labels);
    let (m, n) = (m as f64, n as f64);
    let mut all = vec![0.0; scores.len()];
    midranks_among(scores, order, |_| true, &mut all);
    // Each record's mid-rank within its own class.
    let mut own = vec![0.0; scores.len()];
    midranks_among(scores, order, |k| labels[k], &mut own);
    midranks_among(scores, order, |k| !labels[k], &mut own);
    let (mut v10, mut v01) = (
        Vec::with_capacity(m as usize),
        Vec::with_capacity(n as usize),
    );
    for ((&r, &y), &r_own) in all.iter().zip(labels).zip(&own) {
        if y {
            v10.push((r - r_own) / n);
        } else {
            v01.push(1.0 - (r - r_own) / m);
        }
    }
    (v10, v01)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample covariance (denominator `len - 1`); 0 for fewer than two values.
fn cov(a: &[f64], b: &[f64]) -> f64 {
    if a.len() < 2 {
        return 0.0;
    }
    let (ma, mb) = (mean(a), mean(b));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (a.len() - 1) as f64
}

const Z95: f64 = 1.959_963_984_540_054;

/// ROC AUC with DeLong's standard error and a 95% interval (Newcombe's score
/// interval, [`auc_score_interval`]; the name is kept from when the interval was
/// DeLong's Wald interval). `None` as for [`roc_auc`].
///
/// ```
/// let r = dashrisk::metrics::roc_auc_delong(&[0.1, 0.4, 0.35, 0.8, 0.2], &[false, false, true, true, true]).unwrap();
/// assert!((r.auc - 4.0 / 6.0).abs() < 1e-12);
/// let (low, high) = r.ci95.unwrap();
/// assert!(low < r.auc && r.auc < high);
/// assert_eq!(r.ci95_method, dashrisk::metrics::AUC_INTERVAL_METHOD);
/// ```
pub fn roc_auc_delong(scores: &[f64], labels: &[bool]) -> Option<AucInterval> {
    auc_parts(scores, labels).map(|p| p.interval())
}

/// The 95% interval of an AUC of `auc` on `positives` and `negatives` records,
/// by Newcombe's method 5 (Newcombe 2006, *Statistics in Medicine* 25:559–573): the
/// AUCs `θ` with `(auc − θ)² ≤ 1.96² V(θ)`, where `V` is the Hanley–McNeil (1982)
/// variance with both sample sizes replaced by their mean `N = (m + n) / 2`:
///
/// `V(θ) = θ(1 − θ) [1 + (N − 1)((1 − θ)/(2 − θ) + θ/(1 + θ))] / (m n)`.
///
/// Like Wilson's interval for a proportion, it uses the variance at each candidate
/// AUC rather than at the estimate, so it is defined at an AUC of 0 or 1 (where it
/// is `(0, upper)` or `(lower, 1)`) and is never of zero width. Its ends are the
/// roots of a quartic on each side of `auc`, found here by bisection: the
/// difference of the two sides is ≤ 0 at `auc` and ≥ 0 at 0 and 1, and changes
/// sign once on each side (checked over a grid of sizes and AUCs in the tests).
/// `None` when a class is empty or `auc` is not in [0, 1]. It assumes continuous
/// scores: with many ties it is wider than it need be (docs/guide-evaluate.md,
/// "How good are the AUC intervals").
///
/// ```
/// use dashrisk::metrics::auc_score_interval;
/// let (low, high) = auc_score_interval(1.0, 10, 10).unwrap();
/// assert!(low < 1.0 && high == 1.0);
/// // One record of each class: (1 − θ)² = 1.96² θ(1 − θ), so θ = 1 / (1 + 1.96²).
/// let (low, _) = auc_score_interval(1.0, 1, 1).unwrap();
/// assert!((low - 1.0 / (1.0 + 1.959_963_984_540_054f64.powi(2))).abs() < 1e-12);
/// ```
pub fn auc_score_interval(auc: f64, positives: usize, negatives: usize) -> Option<(f64, f64)> {
    if positives == 0 || negatives == 0 || !(0.0..=1.0).contains(&auc) {
        return None;
    }
    let (m, n) = (positives as f64, negatives as f64);
    let n_star = (m + n) / 2.0 - 1.0;
    let z2 = Z95 * Z95;
    // Negative inside the interval, positive outside.
    let f = |t: f64| {
        let v = t * (1.0 - t) * (1.0 + n_star * ((1.0 - t) / (2.0 - t) + t / (1.0 + t))) / (m * n);
        (auc - t) * (auc - t) - z2 * v
    };
    // Bisection between a point outside (`out`) and one inside (`inside`).
    let edge = |mut out: f64, mut inside: f64| {
        for _ in 0..200 {
            let mid = 0.5 * (out + inside);
            if mid == out || mid == inside {
                break;
            }
            if f(mid) > 0.0 {
                out = mid;
            } else {
                inside = mid;
            }
        }
        inside
    };
    let low = if f(0.0) > 0.0 { edge(0.0, auc) } else { 0.0 };
    let high = if f(1.0) > 0.0 { edge(1.0, auc) } else { 1.0 };
    Some((low, high))
}

/// A tool's AUC with DeLong's structural components on its records: what
/// [`roc_auc_delong`] and [`delong_paired`] are computed from. Kept, they let one
/// tool be compared with several others without ranking its scores again
/// ([`delong_paired_parts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AucParts {
    auc: f64,
    v10: Vec<f64>,
    v01: Vec<f64>,
    /// Every score the same.
    all_tied: bool,
}

/// [`AucParts`] of `scores`, or `None` as for [`roc_auc`].
///
/// ```
/// use dashrisk::metrics::{auc_parts, delong_paired, delong_paired_parts, roc_auc_delong};
/// let y = [false, false, true, true, false, true];
/// let a = [0.1, 0.3, 0.7, 0.8, 0.4, 0.6];
/// let b = [0.2, 0.5, 0.4, 0.9, 0.6, 0.3];
/// let (pa, pb) = (auc_parts(&a, &y).unwrap(), auc_parts(&b, &y).unwrap());
/// assert_eq!(pa.interval(), roc_auc_delong(&a, &y).unwrap());
/// assert_eq!(delong_paired_parts(&pa, &pb), delong_paired(&a, &b, &y));
/// ```
pub fn auc_parts(scores: &[f64], labels: &[bool]) -> Option<AucParts> {
    auc_and_components(scores, labels)
}

impl AucParts {
    /// The AUC.
    pub fn auc(&self) -> f64 {
        self.auc
    }

    /// The AUC with DeLong's standard error and the 95% interval of
    /// [`auc_score_interval`]; no interval when every score is the same
    /// ([`AUC_ALL_TIED_NOTE`]).
    pub fn interval(&self) -> AucInterval {
        let (v10, v01) = (&self.v10, &self.v01);
        let var = cov(v10, v10) / v10.len() as f64 + cov(v01, v01) / v01.len() as f64;
        let se = var.max(0.0).sqrt();
        let (ci95, ci95_note) = if self.all_tied {
            (None, Some(AUC_ALL_TIED_NOTE))
        } else {
            (auc_score_interval(self.auc, v10.len(), v01.len()), None)
        };
        AucInterval {
            auc: self.auc,
            se,
            ci95,
            ci95_method: AUC_INTERVAL_METHOD,
            ci95_note,
        }
    }
}

/// Two tools' AUCs on the same records, compared by DeLong's paired test.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairedAuc {
    /// The first tool's AUC.
    pub auc_a: f64,
    /// The second tool's AUC.
    pub auc_b: f64,
    /// `auc_a - auc_b`.
    pub difference: f64,
    /// Its standard error.
    pub se: f64,
    /// Its 95% interval.
    pub ci95: (f64, f64),
    /// The two-sided p-value of no difference (`None` when the standard error is 0,
    /// as for two tools that rank every record alike).
    pub p_value: Option<f64>,
}

/// DeLong's paired comparison of two score columns on the same records.
///
/// ```
/// let y = [false, false, true, true, false, true];
/// let a = [0.1, 0.3, 0.7, 0.8, 0.4, 0.6];
/// let b = [0.2, 0.5, 0.4, 0.9, 0.6, 0.3];
/// let c = dashrisk::metrics::delong_paired(&a, &b, &y).unwrap();
/// assert!(c.difference > 0.0);
/// ```
pub fn delong_paired(a: &[f64], b: &[f64], labels: &[bool]) -> Option<PairedAuc> {
    assert_eq!(a.len(), b.len(), "delong_paired: two scores per record");
    let pa = auc_parts(a, labels)?;
    let pb = auc_parts(b, labels)?;
    delong_paired_parts(&pa, &pb)
}

/// [`delong_paired`] from the two tools' [`AucParts`], which must come from the
/// same records and labels (`None` when the record counts differ, which shows
/// they do not).
pub fn delong_paired_parts(a: &AucParts, b: &AucParts) -> Option<PairedAuc> {
    if a.v10.len() != b.v10.len() || a.v01.len() != b.v01.len() {
        return None;
    }
    let (auc_a, a10, a01) = (a.auc, &a.v10, &a.v01);
    let (auc_b, b10, b01) = (b.auc, &b.v10, &b.v01);
    let (m, n) = (a10.len() as f64, a01.len() as f64);
    let var_a = cov(a10, a10) / m + cov(a01, a01) / n;
    let var_b = cov(b10, b10) / m + cov(b01, b01) / n;
    let cov_ab = cov(a10, b10) / m + cov(a01, b01) / n;
    let se = (var_a + var_b - 2.0 * cov_ab).max(0.0).sqrt();
    let difference = auc_a - auc_b;
    Some(PairedAuc {
        auc_a,
        auc_b,
        difference,
        se,
        ci95: (difference - Z95 * se, difference + Z95 * se),
        p_value: (se > 0.0).then(|| 2.0 * normal_upper(difference.abs() / se)),
    })
}

/// The upper tail of the standard normal, `P(Z > z)` (`erfc` by the Numerical
/// Recipes Chebyshev fit: relative error below 1.2e-7).
///
/// ```
/// let p = dashrisk::metrics::normal_upper(1.959_964);
/// assert!((p - 0.025).abs() < 1e-7);
/// ```
pub fn normal_upper(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    erfc / 2.0
}

/// Average precision, as scikit-learn's `average_precision_score`: the sum over
/// distinct score thresholds, highest first, of the precision at each times the
/// recall it adds. `None` with no positive, or a NaN score.
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    check(scores, labels, "average_precision");
    let (p, _) = classes(labels);
    if p == 0 || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    // Highest first: ties stay together, and are counted as one threshold.
    let mut order = ascending_order(scores);
    order.reverse();
    let (mut tp, mut fp, mut ap, mut prev_recall) = (0.0, 0.0, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let s = scores[order[i]];
        while i < order.len() && scores[order[i]] == s {
            if labels[order[i]] {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        let recall = tp / p as f64;
        ap += (recall - prev_recall) * tp / (tp + fp);
        prev_recall = recall;
    }
    Some(ap)
}

/// Brier score: the mean squared difference between the probability and the 0/1
/// outcome. `None` for no records.
///
/// ```
/// assert_eq!(dashrisk::metrics::brier(&[1.0, 0.0, 0.5], &[true, false, true]), Some(0.25 / 3.0));
/// ```
pub fn brier(probabilities: &[f64], labels: &[bool]) -> Option<f64> {
    check(probabilities, labels, "brier");
    if probabilities.is_empty() {
        return None;
    }
    let sum: f64 = probabilities
        .iter()
        .zip(labels)
        .map(|(&p, &y)| (p - f64::from(u8::from(y))).powi(2))
        .sum();
    Some(sum / probabilities.len() as f64)
}

/// Mean log loss, probabilities clipped to `[ε, 1 − ε]` with ε the `f64` machine
/// epsilon (scikit-learn's `log_loss` on float64). `None` for no records.
pub fn log_loss(probabilities: &[f64], labels: &[bool]) -> Option<f64> {
    check(probabilities, labels, "log_loss");
    if probabilities.is_empty() {
        return None;
    }
    let eps = f64::EPSILON;
    let sum: f64 = probabilities
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(eps, 1.0 - eps);
            if y {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum();
    Some(sum / probabilities.len() as f64)
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ReliabilityBin {
    /// The bin's lower edge (inclusive).
    pub lower: f64,
    /// Its upper edge (exclusive, but 1 is in the last bin).
    pub upper: f64,
    /// Records in the bin.
    pub count: u64,
    /// Their mean probability (`None` for an empty bin).
    pub mean_predicted: Option<f64>,
    /// The share of them with the outcome (`None` for an empty bin).
    pub observed: Option<f64>,
}

/// Reliability bins: `bins` equal-width bins on [0, 1] (a probability of exactly 1
/// in the last).
pub fn reliability(probabilities: &[f64], labels: &[bool], bins: usize) -> Vec<ReliabilityBin> {
    check(probabilities, labels, "reliability");
    let bins = bins.max(1);
    let mut acc = vec![(0.0f64, 0.0f64, 0u64); bins];
    for (&p, &y) in probabilities.iter().zip(labels) {
        let b = ((p * bins as f64) as usize).min(bins - 1);
        acc[b].0 += p;
        acc[b].1 += f64::from(u8::from(y));
        acc[b].2 += 1;
    }
    acc.iter()
        .enumerate()
        .map(|(i, &(sp, sy, n))| ReliabilityBin {
            lower: i as f64 / bins as f64,
            upper: (i + 1) as f64 / bins as f64,
            count: n,
            mean_predicted: (n > 0).then(|| sp / n as f64),
            observed: (n > 0).then(|| sy / n as f64),
        })
        .collect()
}

/// Expected calibration error: 10 equal-width bins on [0, 1], each bin's
/// |mean probability − observed rate| weighted by its share of the records.
/// 0 for no records.
pub fn ece(probabilities: &[f64], labels: &[bool]) -> f64 {
    check(probabilities, labels, "ece");
    let mut bins = [(0.0f64, 0.0f64, 0u64); 10];
    for (&p, &y) in probabilities.iter().zip(labels) {
        let b = ((p * 10.0) as usize).min(9);
        bins[b].0 += p;
        bins[b].1 += f64::from(u8::from(y));
        bins[b].2 += 1;
    }
    let n = probabilities.len().max(1) as f64;
    bins.iter()
        .filter(|b| b.2 > 0)
        .map(|b| (b.2 as f64 / n) * ((b.0 - b.1) / b.2 as f64).abs())
        .sum()
}

/// A logistic regression of the label on one covariate by Newton's method:
/// `(intercept, slope)`; with `fixed_slope`, only the intercept is fitted (the
/// covariate is an offset).
pub(crate) fn logistic_1d(
    data: impl Iterator<Item = (f64, bool)> + Clone,
    fixed_slope: Option<f64>,
) -> (f64, f64) {
    let (a, b, _) = logistic_1d_converged(data, fixed_slope);
    (a, b)
}

/// [`logistic_1d`] and whether Newton's method converged within its 100 steps (it
/// does not when the labels are separated by the covariate: the slope grows
/// without end).
fn logistic_1d_converged(
    data: impl Iterator<Item = (f64, bool)> + Clone,
    fixed_slope: Option<f64>,
) -> (f64, f64, bool) {
    // Covariates often take few values (a score map's steps): the fitted
    // probability is then computed once per value in each step, and read per
    // record, so that the sums are formed exactly as before, record by record.
    let lookup = distinct_values(data.clone());
    let mut p_of = vec![0.0; lookup.as_ref().map_or(0, |(d, _)| d.len())];
    let (mut a, mut b) = (0.0, fixed_slope.unwrap_or(0.0));
    for _ in 0..100 {
        if let Some((d, _)) = &lookup {
            for (p, &x) in p_of.iter_mut().zip(d) {
                *p = sigmoid(a + b * x);
            }
        }
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (k, (x, y)) in data.clone().enumerate() {
            let p = match &lookup {
                Some((_, g)) => p_of[g[k] as usize],
                None => sigmoid(a + b * x),
            };
            let r = p - f64::from(u8::from(y));
            let w = p * (1.0 - p);
            ga += r;
            gb += r * x;
            haa += w;
            hab += w * x;
            hbb += w * x * x;
        }
        let (da, db) = if fixed_slope.is_some() {
            (ga / haa.max(1e-12), 0.0)
        } else {
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-12 {
                (ga / haa.max(1e-12), 0.0)
            } else {
                ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det)
            }
        };
        let (da, db) = (da.clamp(-5.0, 5.0), db.clamp(-5.0, 5.0));
        a -= da;
        b -= db;
        if da.abs() < 1e-10 && db.abs() < 1e-10 {
            return (a, b, true);
        }
    }
    (a, b, false)
}

/// The distinct values of the covariate and each record's value among them, or
/// `None` when more than a quarter of the records have a value of their own (then
/// a look-up saves nothing).
fn distinct_values(data: impl Iterator<Item = (f64, bool)>) -> Option<(Vec<f64>, Vec<u32>)> {
    let (lower, _) = data.size_hint();
    let mut index: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    let mut distinct = Vec::new();
    let mut group = Vec::with_capacity(lower);
    for (x, _) in data {
        let next = distinct.len() as u32;
        let g = *index.entry(x.to_bits()).or_insert(next);
        if g == next {
            distinct.push(x);
            if distinct.len() > 64 && distinct.len() > group.len() / 4 + 64 {
                return None;
            }
        }
        group.push(g);
    }
    Some((distinct, group))
}

/// The probabilities on the logit scale, clipped to `[1e-6, 1 − 1e-6]` first (a
/// probability of 0 or 1 has no logit).
fn logits(probabilities: &[f64], labels: &[bool]) -> Vec<(f64, bool)> {
    probabilities
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let q = p.clamp(1e-6, 1.0 - 1e-6);
            ((q / (1.0 - q)).ln(), y)
        })
        .collect()
}

/// Calibration slope, as R's `rms::val.prob`: the slope of the logistic
/// regression of the outcome on logit(p) (1 is ideal; below 1, probabilities too
/// extreme). Probabilities are clipped to `[1e-6, 1 − 1e-6]`. `None` when a class is
/// absent, when every probability is the same (no slope can be fitted: reported as
/// 0 before, which reads as badly over-confident), and when the regression does not
/// converge (the labels separated by the probabilities: the slope has no finite
/// estimate; a number was reported before, wherever the steps stopped).
///
/// ```
/// use dashrisk::metrics::calibration_slope;
/// let y = [false, true, false, true, true, false, true, false];
/// assert_eq!(calibration_slope(&[0.5; 8], &y), None);
/// assert_eq!(calibration_slope(&[0.4, 0.6, 0.4, 0.6, 0.6, 0.4, 0.6, 0.4], &y), None);
/// assert!(calibration_slope(&[0.2, 0.7, 0.4, 0.6, 0.8, 0.5, 0.3, 0.3], &y).is_some());
/// ```
pub fn calibration_slope(probabilities: &[f64], labels: &[bool]) -> Option<f64> {
    check(probabilities, labels, "calibration_slope");
    let (p, n) = classes(labels);
    if p == 0 || n == 0 {
        return None;
    }
    let x = logits(probabilities, labels);
    if x.iter().all(|&(v, _)| v == x[0].0) {
        return None;
    }
    let (_, slope, converged) = logistic_1d_converged(x.iter().copied(), None);
    converged.then_some(slope)
}

/// Calibration-in-the-large: the intercept of that regression with the slope fixed
/// at 1 (logit(p) as an offset; 0 is ideal; above 0, probabilities too low on
/// average). `None` when a class is absent.
pub fn calibration_intercept(probabilities: &[f64], labels: &[bool]) -> Option<f64> {
    check(probabilities, labels, "calibration_intercept");
    let (p, n) = classes(labels);
    if p == 0 || n == 0 {
        return None;
    }
    Some(logistic_1d(logits(probabilities, labels).iter().copied(), Some(1.0)).0)
}

/// Counts and rates at a threshold: a score at or above it is a positive call.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Confusion {
    /// The threshold.
    pub threshold: f64,
    /// True positives, false positives, true negatives, false negatives.
    pub tp: u64,
    /// See `tp`.
    pub fp: u64,
    /// See `tp`.
    pub tn: u64,
    /// See `tp` (`fn` in JSON).
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// `tp / (tp + fn)`; `None` with no positive record.
    pub sensitivity: Option<f64>,
    /// `tn / (tn + fp)`; `None` with no negative record.
    pub specificity: Option<f64>,
    /// `tp / (tp + fp)`; `None` with no positive call.
    pub ppv: Option<f64>,
    /// `tn / (tn + fn)`; `None` with no negative call.
    pub npv: Option<f64>,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (a + b > 0).then(|| a as f64 / (a + b) as f64)
}

/// The confusion table at `threshold` (score ≥ threshold is a positive call).
pub fn confusion(scores: &[f64], labels: &[bool], threshold: f64) -> Confusion {
    check(scores, labels, "confusion");
    let (mut tp, mut fp, mut tn, mut fn_) = (0, 0, 0, 0);
    for (&s, &y) in scores.iter().zip(labels) {
        match (s >= threshold, y) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, false) => tn += 1,
            (false, true) => fn_ += 1,
        }
    }
    Confusion {
        threshold,
        tp,
        fp,
        tn,
        fn_,
        sensitivity: ratio(tp, fn_),
        specificity: ratio(tn, fp),
        ppv: ratio(tp, fp),
        npv: ratio(tn, fn_),
    }
}

/// One threshold of a decision curve (Vickers & Elkin 2006), in the columns of
/// Python's `dcurves`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DecisionPoint {
    /// The threshold probability `t`: acting on a case is worth it when its
    /// probability is at least `t`.
    pub threshold: f64,
    /// The model's net benefit: `TP/N − FP/N · t/(1−t)`.
    pub net_benefit: f64,
    /// Treat all: `prevalence − (1 − prevalence) · t/(1−t)`.
    pub net_benefit_all: f64,
    /// Treat none: 0.
    pub net_benefit_none: f64,
    /// Net interventions avoided per 100 records, against treating all:
    /// `(net_benefit − net_benefit_all) / (t/(1−t)) · 100`.
    pub net_interventions_avoided: f64,
}

/// The decision curve of `probabilities` at each threshold in `thresholds` (each in
/// (0, 1); others are skipped). Empty for no records.
pub fn decision_curve(
    probabilities: &[f64],
    labels: &[bool],
    thresholds: &[f64],
) -> Vec<DecisionPoint> {
    check(probabilities, labels, "decision_curve");
    if probabilities.is_empty() {
        return Vec::new();
    }
    let n = probabilities.len() as f64;
    let prevalence = classes(labels).0 as f64 / n;
    let kept: Vec<f64> = thresholds
        .iter()
        .copied()
        .filter(|&t| t > 0.0 && t < 1.0)
        .collect();
    // One pass over the records: each is counted at the number of thresholds it
    // reaches (`p >= t`), and the counts at each threshold are sums of those.
    let mut sorted: Vec<(f64, usize)> = kept.iter().copied().zip(0..).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut reached = vec![(0u64, 0u64); sorted.len() + 1];
    for (&p, &y) in probabilities.iter().zip(labels) {
        let k = sorted.partition_point(|&(t, _)| p >= t);
        if y {
            reached[k].0 += 1;
        } else {
            reached[k].1 += 1;
        }
    }
    // (tp, fp) at sorted threshold j: the records that reach more than j of them.
    let mut at = vec![(0u64, 0u64); sorted.len()];
    let (mut tp, mut fp) = (0u64, 0u64);
    for j in (0..sorted.len()).rev() {
        tp += reached[j + 1].0;
        fp += reached[j + 1].1;
        at[sorted[j].1] = (tp, fp);
    }
    kept.iter()
        .zip(at)
        .map(|(&t, (tp, fp))| {
            let odds = t / (1.0 - t);
            let nb = tp as f64 / n - fp as f64 / n * odds;
            let all = prevalence - (1.0 - prevalence) * odds;
            DecisionPoint {
                threshold: t,
                net_benefit: nb,
                net_benefit_all: all,
                net_benefit_none: 0.0,
                net_interventions_avoided: (nb - all) / odds * 100.0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pairwise definition, O(n²), to check the rank formula against.
    fn auc_pairs(s: &[f64], y: &[bool]) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..s.len() {
            for j in 0..s.len() {
                if y[i] && !y[j] {
                    den += 1.0;
                    num += if s[i] > s[j] {
                        1.0
                    } else if s[i] == s[j] {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
        }
        num / den
    }

    #[test]
    fn rank_formula_matches_pairwise_definition_with_ties() {
        let s: Vec<f64> = (0..300).map(|i| f64::from((i * 37) % 11)).collect();
        let y: Vec<bool> = (0..300).map(|i| (i * 53) % 7 < 3).collect();
        let a = roc_auc(&s, &y).unwrap();
        assert!((a - auc_pairs(&s, &y)).abs() < 1e-12);
    }

    #[test]
    fn undefined_figures_are_none() {
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(roc_auc(&[f64::NAN, 0.2], &[true, false]), None);
        assert_eq!(average_precision(&[0.1], &[false]), None);
        assert_eq!(brier(&[], &[]), None);
        assert_eq!(calibration_slope(&[0.3, 0.4], &[false, false]), None);
        assert_eq!(delong_paired(&[0.1, 0.2], &[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn identical_tools_differ_by_nothing_and_have_no_p_value() {
        let y = [false, true, false, true, true];
        let s = [0.1, 0.9, 0.4, 0.6, 0.3];
        let c = delong_paired(&s, &s, &y).unwrap();
        assert_eq!((c.difference, c.se, c.p_value), (0.0, 0.0, None));
    }

    /// Newcombe's method 5 against the roots of its quartic, found by numpy
    /// (independently of the bisection here). With z = scipy.stats.norm.ppf(0.975)
    /// and N = (m + n)/2 − 1, the ends are the real roots in [0, 1] nearest the AUC
    /// `a` on each side of
    /// `(a − t)²(2 − t)(1 + t) − z²/(mn) · t(1 − t)[(2 − t)(1 + t) + N((1 − t)(1 + t) + t(2 − t))]`
    /// (`numpy.polynomial.polynomial.polyroots`; numpy 2.4.6, scipy 1.17.1), and a
    /// itself when it is 0 or 1. Checked again by scipy.optimize.brentq on
    /// `(a − t)² − z² V(t)` for three of them (agreement to 1e-15).
    #[test]
    fn the_score_interval_matches_the_roots_of_its_quartic() {
        let cases = [
            (1.0, 10, 10, 0.800_213_612_881_100_5, 1.0),
            (0.0, 10, 10, 0.0, 0.199_786_387_118_894_1),
            (
                0.95,
                10,
                10,
                0.722_258_245_163_167_6,
                0.991_759_839_044_119_9,
            ),
            (
                0.5,
                10,
                10,
                0.273_515_588_189_893_74,
                0.726_484_411_810_106_5,
            ),
            (
                0.76,
                10,
                10,
                0.500_721_457_234_218_6,
                0.902_924_904_467_231_4,
            ),
            (1.0, 1, 1, 0.206_549_314_377_237_06, 1.0),
            (
                0.5,
                1,
                1,
                0.054_620_755_528_852_115,
                0.945_379_244_471_147_5,
            ),
            (1.0, 1, 10, 0.395_970_012_771_916_2, 1.0),
            (
                0.9,
                1,
                10,
                0.325_292_682_853_379_53,
                0.993_063_822_355_096_3,
            ),
            (
                0.9,
                10,
                1,
                0.325_292_682_853_379_53,
                0.993_063_822_355_096_3,
            ),
            (
                0.99,
                150,
                100,
                0.966_674_300_094_311_7,
                0.996_982_425_254_787_8,
            ),
            (0.6, 3, 7, 0.251_850_743_402_878, 0.865_913_001_762_525_5),
        ];
        for (a, m, n, low, high) in cases {
            let (l, h) = auc_score_interval(a, m, n).unwrap();
            assert!(
                (l - low).abs() < 1e-12,
                "{a} {m} {n}: low {l} against {low}"
            );
            assert!(
                (h - high).abs() < 1e-12,
                "{a} {m} {n}: high {h} against {high}"
            );
        }
        // One record of each class, all pairs right: (1 − t)² = z² t(1 − t).
        let (l, _) = auc_score_interval(1.0, 1, 1).unwrap();
        assert!((l - 1.0 / (1.0 + Z95 * Z95)).abs() < 1e-15);
    }

    /// The ends are where `(a − t)² = z² V(t)`; every AUC between them satisfies
    /// `(a − t)² ≤ z² V(t)` and none outside does (so bisection finds the set: it is
    /// one interval), it holds the AUC, has positive width, stays in [0, 1], and is
    /// the mirror image of the interval of `1 − a`.
    #[test]
    fn the_score_interval_is_the_set_it_claims_over_a_grid() {
        let sizes = [1usize, 2, 3, 5, 10, 17, 30, 100, 1_000, 100_000];
        for &m in &sizes {
            for &n in &sizes {
                let (mf, nf) = (m as f64, n as f64);
                let ns = (mf + nf) / 2.0 - 1.0;
                let v = |t: f64| {
                    t * (1.0 - t) * (1.0 + ns * ((1.0 - t) / (2.0 - t) + t / (1.0 + t))) / (mf * nf)
                };
                for k in 0..=40 {
                    let a = f64::from(k) / 40.0;
                    let (l, h) = auc_score_interval(a, m, n).unwrap();
                    assert!((0.0..=a).contains(&l) && (a..=1.0).contains(&h));
                    assert!(h - l > 1e-6, "{a} {m} {n}: [{l}, {h}] has no width");
                    let (ml, mh) = auc_score_interval(1.0 - a, m, n).unwrap();
                    assert!((ml - (1.0 - h)).abs() < 1e-12 && (mh - (1.0 - l)).abs() < 1e-12);
                    let f = |t: f64| (a - t).powi(2) - Z95 * Z95 * v(t);
                    for j in 0..=400 {
                        let t = f64::from(j) / 400.0;
                        let inside = t >= l && t <= h;
                        // Away from the ends, the sign says which side t is on.
                        if (t - l).abs() > 1e-9 && (t - h).abs() > 1e-9 {
                            assert_eq!(f(t) <= 0.0, inside, "{a} {m} {n} at {t}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_interval_at_the_edges() {
        // Every pair ordered rightly: AUC 1, DeLong's se 0, but an interval below 1.
        let y = [true, true, true, false, false, false, false];
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1, 0.0];
        let r = roc_auc_delong(&s, &y).unwrap();
        assert_eq!((r.auc, r.se), (1.0, 0.0));
        let (l, h) = r.ci95.unwrap();
        assert!(l < 0.9 && h == 1.0, "[{l}, {h}]");
        assert_eq!((r.ci95_method, r.ci95_note), (AUC_INTERVAL_METHOD, None));
        // Every pair ordered wrongly: AUC 0.
        let rev: Vec<f64> = s.iter().map(|v| -v).collect();
        let r = roc_auc_delong(&rev, &y).unwrap();
        let (l, h) = r.ci95.unwrap();
        assert!(r.auc == 0.0 && l == 0.0 && h > 0.1, "[{l}, {h}]");
        // A constant score: AUC 0.5, and no interval, with the reason.
        let r = roc_auc_delong(&[0.5; 7], &y).unwrap();
        assert_eq!((r.auc, r.se, r.ci95), (0.5, 0.0, None));
        assert_eq!(r.ci95_note, Some(AUC_ALL_TIED_NOTE));
        // Tied within a class only: an interval.
        let r = roc_auc_delong(&[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0], &y).unwrap();
        assert!(r.ci95.is_some() && r.ci95_note.is_none());
        // One positive, or one negative.
        for (s, y) in [
            (&[0.9, 0.1, 0.2, 0.3][..], &[true, false, false, false][..]),
            (&[0.9, 0.8, 0.7, 0.1][..], &[true, true, true, false][..]),
        ] {
            let r = roc_auc_delong(s, y).unwrap();
            let (l, h) = r.ci95.unwrap();
            let want = auc_score_interval(1.0, 1, 3).unwrap();
            assert_eq!((l, h), want);
            assert!(l < 0.75 && h == 1.0);
        }
        // No interval without both classes, or out of range.
        assert_eq!(auc_score_interval(0.5, 0, 3), None);
        assert_eq!(auc_score_interval(0.5, 3, 0), None);
        assert_eq!(auc_score_interval(1.5, 3, 3), None);
        assert_eq!(auc_score_interval(f64::NAN, 3, 3), None);
    }

    #[test]
    fn the_normal_tail_is_right_at_known_points() {
        assert!((normal_upper(0.0) - 0.5).abs() < 1e-7);
        assert!((2.0 * normal_upper(Z95) - 0.05).abs() < 1e-7);
        assert!((normal_upper(-1.0) - 0.841_344_746).abs() < 1e-7);
    }

    #[test]
    fn a_confusion_table_counts_every_record_once() {
        let c = confusion(&[0.2, 0.5, 0.7, 0.9], &[false, true, false, true], 0.5);
        assert_eq!((c.tp, c.fp, c.tn, c.fn_), (2, 1, 1, 0));
        assert_eq!(c.sensitivity, Some(1.0));
        assert_eq!(c.ppv, Some(2.0 / 3.0));
    }

    /// Scores with ties, thresholds hit exactly, NaN, 0 and 1, and thresholds out
    /// of order, repeated and out of range.
    fn awkward(n: usize) -> (Vec<f64>, Vec<bool>) {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..n)
            .map(|i| {
                let r = next();
                let s = match i % 7 {
                    0 => (r % 101) as f64 / 100.0,
                    1 => f64::NAN,
                    2 => 0.0,
                    3 => 1.0,
                    4 => -0.0,
                    _ => (r >> 11) as f64 / (1u64 << 53) as f64,
                };
                (s, next() % 3 == 0)
            })
            .unzip()
    }

    #[test]
    fn the_decision_curve_is_the_confusion_table_at_each_threshold() {
        let (s, y) = awkward(5_000);
        let ts = [0.5, 0.01, 0.99, 0.5, 0.0, 1.0, -0.2, 0.37, f64::NAN, 0.25];
        let curve = decision_curve(&s, &y, &ts);
        let kept: Vec<f64> = ts.iter().copied().filter(|&t| t > 0.0 && t < 1.0).collect();
        assert_eq!(curve.len(), kept.len());
        let n = s.len() as f64;
        let prevalence = y.iter().filter(|&&v| v).count() as f64 / n;
        for (point, &t) in curve.iter().zip(&kept) {
            let c = confusion(&s, &y, t);
            let odds = t / (1.0 - t);
            let nb = c.tp as f64 / n - c.fp as f64 / n * odds;
            let all = prevalence - (1.0 - prevalence) * odds;
            assert_eq!(point.threshold, t);
            assert_eq!(point.net_benefit, nb, "at {t}");
            assert_eq!(point.net_benefit_all, all);
            assert_eq!(point.net_interventions_avoided, (nb - all) / odds * 100.0);
        }
    }

    #[test]
    fn the_ascending_order_is_total_cmp_order() {
        let (s, _) = awkward(3_000);
        let mut extra = s.clone();
        extra.extend([
            f64::INFINITY,
            f64::NEG_INFINITY,
            -f64::NAN,
            f64::MIN_POSITIVE,
            -1e300,
        ]);
        let order = ascending_order(&extra);
        let mut seen = vec![false; extra.len()];
        for &i in &order {
            assert!(!seen[i], "each index once");
            seen[i] = true;
        }
        assert!(seen.iter().all(|&v| v));
        for w in order.windows(2) {
            assert_ne!(
                extra[w[0]].total_cmp(&extra[w[1]]),
                std::cmp::Ordering::Greater,
                "{} before {}",
                extra[w[0]],
                extra[w[1]]
            );
        }
    }

    #[test]
    fn midranks_match_the_rank_definition() {
        let (s, _) = awkward(400);
        let s: Vec<f64> = s.into_iter().filter(|v| !v.is_nan()).collect();
        let ranks = midranks(&s);
        for (i, &v) in s.iter().enumerate() {
            // 1 + the values below, + half the other values tied with it.
            let below = s.iter().filter(|&&w| w < v).count() as f64;
            let tied = s.iter().filter(|&&w| w == v).count() as f64;
            assert_eq!(ranks[i], below + (tied + 1.0) / 2.0, "value {v}");
        }
    }
}
