//! The two numbers `dashrisk train` reports: ROC AUC and the Brier score.
//!
//! Written here rather than taken from `linfa::metrics`, whose `Pr` type panics
//! outside `[0, 1]` and which has no Brier score; the AUC handles ties like
//! scikit-learn's `roc_auc_score` (a tie counts one half), which a reference test
//! checks.

/// ROC AUC of `scores` against `labels` (`true` = positive): the probability that a
/// random positive scores above a random negative, ties counting one half. `None`
/// when either class is absent, or a score is NaN.
///
/// ```
/// let auc = dashrisk_learn::metrics::roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]);
/// assert_eq!(auc, Some(0.75));
/// ```
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    assert_eq!(scores.len(), labels.len(), "roc_auc: one label per score");
    if scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let positives = labels.iter().filter(|&&y| y).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Mann–Whitney U from mid-ranks: sort once, give tied scores their mean rank.
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let mid = (i + j) as f64 / 2.0 + 1.0;
        let pos_in_block = order[i..=j].iter().filter(|&&k| labels[k]).count();
        rank_sum_pos += mid * pos_in_block as f64;
        i = j + 1;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum_pos - p * (p + 1.0) / 2.0) / (p * n))
}

/// Brier score: the mean squared difference between the probability and the 0/1
/// outcome (lower is better; 0.25 for a constant 0.5). `None` for no data.
///
/// ```
/// assert_eq!(dashrisk_learn::metrics::brier(&[1.0, 0.0, 0.5], &[true, false, true]), Some(0.25 / 3.0));
/// ```
pub fn brier(probabilities: &[f64], labels: &[bool]) -> Option<f64> {
    assert_eq!(
        probabilities.len(),
        labels.len(),
        "brier: one label per probability"
    );
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
    fn degenerate_inputs() {
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(roc_auc(&[f64::NAN, 0.2], &[true, false]), None);
        assert_eq!(roc_auc(&[0.3, 0.3], &[true, false]), Some(0.5));
        assert_eq!(brier(&[], &[]), None);
    }
}
