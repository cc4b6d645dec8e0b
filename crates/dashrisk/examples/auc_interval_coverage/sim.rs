//! The Monte-Carlo check of the AUC's 95% interval, shared by the example
//! `auc_interval_coverage` (which prints the table in docs/guide-evaluate.md) and
//! the test `tests/auc_interval_coverage.rs` (which asserts on one row of it).
//!
//! Binormal scores: negatives N(0, 1), positives N(mu, sd²), so the true AUC is
//! Phi(mu / sqrt(1 + sd²)); mu is set from the AUC asked for. With `levels`, both
//! are cut into that many bins at fixed points (a grade, a count: ties), and the
//! true AUC is that of the binned scores, ties counting a half, from the normal
//! probabilities of the bins. Each setting has its own ChaCha8 stream from the seed
//! and its index, so a row can be run alone and gives the same figures.

use dashrisk::metrics;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// One simulated setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// Positives (abuse records).
    pub m: usize,
    /// Negatives.
    pub n: usize,
    /// The AUC of the continuous scores.
    pub auc: f64,
    /// The positives' standard deviation (the negatives' is 1).
    pub sd: f64,
    /// Bins the scores are cut into (`None`: continuous).
    pub levels: Option<u32>,
}

const fn s(m: usize, n: usize, auc: f64) -> Setting {
    Setting {
        m,
        n,
        auc,
        sd: 1.0,
        levels: None,
    }
}

/// The review's six settings first (docs/guide-evaluate.md), then more: AUC 0.99
/// in small groups, chance, unequal classes, one positive, unequal spreads (with
/// unequal classes too), ties.
pub const SETTINGS: [Setting; 23] = [
    s(10, 10, 0.95),
    s(15, 10, 0.95),
    s(30, 30, 0.95),
    s(150, 100, 0.95),
    s(10, 10, 0.76),
    s(100, 100, 0.99),
    s(10, 10, 0.99),
    s(20, 20, 0.99),
    s(40, 40, 0.99),
    s(300, 300, 0.99),
    s(10, 10, 0.5),
    s(10, 100, 0.95),
    s(30, 10, 0.85),
    s(1, 10, 0.9),
    s(2000, 2000, 0.99),
    Setting {
        sd: 2.0,
        ..s(30, 30, 0.95)
    },
    Setting {
        sd: 3.0,
        ..s(300, 300, 0.95)
    },
    Setting {
        sd: 3.0,
        ..s(2000, 2000, 0.95)
    },
    Setting {
        sd: 0.5,
        ..s(100, 100, 0.99)
    },
    Setting {
        levels: Some(3),
        ..s(30, 30, 0.8)
    },
    Setting {
        levels: Some(5),
        ..s(30, 30, 0.95)
    },
    // Unequal sizes and spreads together (a review found these the worst).
    Setting {
        sd: 3.0,
        ..s(20, 2000, 0.95)
    },
    Setting {
        sd: 1.0 / 3.0,
        ..s(2000, 20, 0.95)
    },
];

/// Coverage and width of the intervals on one setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    /// The true AUC (of the binned scores, when binned).
    pub true_auc: f64,
    /// Replicates.
    pub replicates: usize,
    /// The old interval, DeLong's Wald `auc ± 1.96 se` clipped to [0, 1]: share
    /// covering the true AUC.
    pub wald: f64,
    /// Its share of zero width.
    pub wald_zero_width: f64,
    /// Its mean width.
    pub wald_width: f64,
    /// DeLong's se on the logit scale: share covering (an undefined interval, at
    /// an AUC of 0 or 1 or a zero se, counts as not covering).
    pub logit: f64,
    /// Its share undefined.
    pub logit_undefined: f64,
    /// The interval given now ([`metrics::roc_auc_delong`]'s `ci95`): share
    /// covering (none given, as when every score of a replicate falls in one bin,
    /// counts as not covering).
    pub score: f64,
    /// Its share with no interval.
    pub score_none: f64,
    /// Its share of zero width.
    pub score_zero_width: f64,
    /// Its mean width (of those given).
    pub score_width: f64,
}

/// The standard normal distribution function, `P(Z <= x)` (relative error below
/// 1.2e-7: ample for a true AUC).
pub fn phi(x: f64) -> f64 {
    dashrisk::metrics::normal_upper(-x)
}

/// Phi's inverse, by bisection.
fn phi_inv(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0, 40.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if phi(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Runs `replicates` replicates of `setting` from stream `stream` of `seed`.
pub fn run(setting: Setting, replicates: usize, seed: u64, stream: u64) -> Coverage {
    let Setting {
        m,
        n,
        auc,
        sd,
        levels,
    } = setting;
    let scale = (1.0 + sd * sd).sqrt();
    let mu = scale * phi_inv(auc);
    // Bin edges, and the true AUC of the binned scores.
    let cuts: Vec<f64> = match levels {
        None => Vec::new(),
        Some(k) => (0..k - 1)
            .map(|i| -1.0 + (mu + 2.0) * f64::from(i) / f64::from(k - 2).max(1.0))
            .collect(),
    };
    let bin = |v: f64| cuts.iter().filter(|&&c| v >= c).count() as f64;
    let true_auc = if cuts.is_empty() {
        phi(mu / scale)
    } else {
        let edges: Vec<f64> = std::iter::once(f64::NEG_INFINITY)
            .chain(cuts.iter().copied())
            .chain(std::iter::once(f64::INFINITY))
            .collect();
        let p_bin = |lo: f64, hi: f64, mean: f64, sdev: f64| {
            let c = |x: f64| {
                if x == f64::NEG_INFINITY {
                    0.0
                } else if x == f64::INFINITY {
                    1.0
                } else {
                    phi((x - mean) / sdev)
                }
            };
            c(hi) - c(lo)
        };
        let (mut total, mut below_neg) = (0.0, 0.0);
        for w in edges.windows(2) {
            let px = p_bin(w[0], w[1], mu, sd);
            let py = p_bin(w[0], w[1], 0.0, 1.0);
            total += px * (below_neg + 0.5 * py);
            below_neg += py;
        }
        total
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let labels: Vec<bool> = (0..m + n).map(|i| i < m).collect();
    let mut scores = vec![0.0; m + n];
    let (mut wald, mut wald_zero, mut wald_width) = (0usize, 0usize, 0.0);
    let (mut logit, mut logit_undef) = (0usize, 0usize);
    let (mut score, mut score_none, mut score_zero, mut score_width) =
        (0usize, 0usize, 0usize, 0.0);
    for _ in 0..replicates {
        for (v, &y) in scores.iter_mut().zip(&labels) {
            let z: f64 = rng.sample(StandardNormal);
            let x = if y { mu + sd * z } else { z };
            *v = if cuts.is_empty() { x } else { bin(x) };
        }
        let r = metrics::roc_auc_delong(&scores, &labels).expect("both classes");
        let (a, se) = (r.auc, r.se);
        let (lo, hi) = ((a - Z95 * se).max(0.0), (a + Z95 * se).min(1.0));
        wald += usize::from(lo <= true_auc && true_auc <= hi);
        wald_zero += usize::from(hi - lo <= 0.0);
        wald_width += hi - lo;
        if a > 0.0 && a < 1.0 && se > 0.0 {
            let (l, s) = ((a / (1.0 - a)).ln(), se / (a * (1.0 - a)));
            let inv = |x: f64| 1.0 / (1.0 + (-x).exp());
            let (lo, hi) = (inv(l - Z95 * s), inv(l + Z95 * s));
            logit += usize::from(lo <= true_auc && true_auc <= hi);
        } else {
            logit_undef += 1;
        }
        match r.ci95 {
            Some((lo, hi)) => {
                score += usize::from(lo <= true_auc && true_auc <= hi);
                score_zero += usize::from(hi - lo <= 0.0);
                score_width += hi - lo;
            }
            None => score_none += 1,
        }
    }
    let k = replicates as f64;
    Coverage {
        true_auc,
        replicates,
        wald: wald as f64 / k,
        wald_zero_width: wald_zero as f64 / k,
        wald_width: wald_width / k,
        logit: logit as f64 / k,
        logit_undefined: logit_undef as f64 / k,
        score: score as f64 / k,
        score_none: score_none as f64 / k,
        score_zero_width: score_zero as f64 / k,
        score_width: score_width / (replicates - score_none).max(1) as f64,
    }
}
