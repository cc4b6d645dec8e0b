//! Fitting the scoring model on labelled records: learned whole-number points per
//! answer, principled points for unknown answers, a calibration map, fit
//! statistics, and a conflict threshold with a guarantee.
//!
//! The method (docs/model-card.md, "How the points are learned"):
//!
//! 1. **A logistic regression with non-negative "yes" weights.** Features per
//!    item: a "yes" indicator (weight ≥ 0, so that an added "yes" never lowers the
//!    score) and an "unknown" indicator (free, so that missing answers do not bias
//!    the "yes" weights); the same for the screen's fear and power questions; the
//!    earlier-incident count capped at [`FitOptions::prior_cap`] (weight ≥ 0) and an
//!    unknown-count indicator. L2 penalty, fitted by cyclic coordinate descent with
//!    one-dimensional Newton steps, projected onto the bounds.
//! 2. **Whole points.** The "yes" weights are scaled so that the largest is
//!    `top` points and rounded to whole points in 0–10; `top` is chosen from a
//!    small grid by the calibrated log loss on the fitting data. This is the
//!    scaled-rounding step of FasterRisk (Liu et al., NeurIPS 2022), without its
//!    beam search over sparse supports.
//! 3. **Unknowns.** An unknown answer scores `min(points, s · points · r)`, where `r`
//!    is the item's rate of "yes" among answered records and `s` one scale per
//!    form, set by bisection so that a record with nothing answered maps to the
//!    fitting population's base rate (the right answer when nothing is known).
//!    So unknown is never more than "yes" and never less than "no".
//! 4. **The map.** Isotonic (pool-adjacent-violators) or Platt, on the scores.
//!
//! Everything here is deterministic: the same records give the same artefact.

use crate::answers::{Answer, Assessment};
use crate::calibration::{
    pool_adjacent_violators, ConflictGuarantee, FitStats, FormScore, ItemPoints, MapMethod,
    PriorPoints, ScoreMap, Stratum, SCREEN_FEAR, SCREEN_POWER,
};
use crate::error::ArtefactError;
use crate::instrument::Instrument;
use std::collections::BTreeMap;

/// Options of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// The map from score to probability. Default isotonic.
    pub method: MapMethod,
    /// Earlier incidents counted at most. Default 3.
    pub prior_cap: u32,
    /// L2 penalty of the logistic regression (on the summed loss). Default 1.
    pub l2: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            method: MapMethod::Isotonic,
            prior_cap: 3,
            l2: 1.0,
        }
    }
}

const NO: u8 = 0;
const YES: u8 = 1;
const UNKNOWN: u8 = 2;

/// One labelled record encoded for one form.
#[derive(Debug, Clone)]
struct Row {
    /// Per item (the form's questions, then the screen's fear and power): no,
    /// yes or unknown.
    codes: Vec<u8>,
    prior: Option<u32>,
    gate_fired: bool,
    unanswered: u32,
    abuse: bool,
}

/// Labelled records encoded for one form.
#[derive(Debug, Clone)]
pub struct FormData {
    instrument: String,
    /// The form's question ids, then [`SCREEN_FEAR`] and [`SCREEN_POWER`].
    ids: Vec<String>,
    rows: Vec<Row>,
}

fn code(a: Answer) -> u8 {
    match a {
        Answer::Yes => YES,
        Answer::No => NO,
        Answer::NotKnown | Answer::Declined => UNKNOWN,
    }
}

impl FormData {
    /// Encodes labelled records of `inst` (records of other instruments are left
    /// out; questions a record leaves out are not known).
    pub fn new<'a>(
        inst: &Instrument,
        records: impl IntoIterator<Item = (&'a Assessment, bool)>,
    ) -> FormData {
        let mut ids: Vec<String> = inst.questions.iter().map(|q| q.id.clone()).collect();
        ids.push(SCREEN_FEAR.into());
        ids.push(SCREEN_POWER.into());
        let rows = records
            .into_iter()
            .filter(|(a, _)| a.instrument == inst.id)
            .map(|(a, abuse)| {
                let mut codes: Vec<u8> = inst
                    .questions
                    .iter()
                    .map(|q| code(a.answer(&q.id)))
                    .collect();
                let unanswered = codes.iter().filter(|&&c| c == UNKNOWN).count() as u32;
                let gate_fired = inst
                    .questions
                    .iter()
                    .zip(&codes)
                    .any(|(q, &c)| c == YES && q.is_gate_item())
                    || a.conflict_screen.fear == Answer::Yes
                    || a.conflict_screen.power_imbalance == Answer::Yes;
                codes.push(code(a.conflict_screen.fear));
                codes.push(code(a.conflict_screen.power_imbalance));
                Row {
                    codes,
                    prior: a.context.prior_incidents_12m,
                    gate_fired,
                    unanswered,
                    abuse,
                }
            })
            .collect();
        FormData {
            instrument: inst.id.clone(),
            ids,
            rows,
        }
    }

    /// Records encoded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no record was encoded.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Abuse labels among the records.
    pub fn positives(&self) -> usize {
        self.rows.iter().filter(|r| r.abuse).count()
    }
}

pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The logistic regression of step 1: returns (intercept, yes weights, unknown
/// weights, prior weight, prior-unknown weight).
fn bounded_logistic(d: &FormData, opts: &FitOptions) -> (f64, Vec<f64>, Vec<f64>, f64, f64) {
    let k = d.ids.len();
    let n = d.rows.len();
    // Feature j < k: yes of item j; k <= j < 2k: unknown of item j; 2k: capped
    // prior count; 2k + 1: prior unknown. Sparse columns: (row, value).
    let mut cols: Vec<Vec<(u32, f64)>> = vec![Vec::new(); 2 * k + 2];
    for (i, r) in d.rows.iter().enumerate() {
        for (j, &c) in r.codes.iter().enumerate() {
            if c == YES {
                cols[j].push((i as u32, 1.0));
            } else if c == UNKNOWN {
                cols[k + j].push((i as u32, 1.0));
            }
        }
        match r.prior {
            Some(c) if c > 0 => cols[2 * k].push((i as u32, f64::from(c.min(opts.prior_cap)))),
            Some(_) => {}
            None => cols[2 * k + 1].push((i as u32, 1.0)),
        }
    }
    let y: Vec<f64> = d
        .rows
        .iter()
        .map(|r| f64::from(u8::from(r.abuse)))
        .collect();
    let base = (y.iter().sum::<f64>() / n as f64).clamp(1e-6, 1.0 - 1e-6);
    let mut b = (base / (1.0 - base)).ln();
    let mut beta = vec![0.0; 2 * k + 2];
    let mut eta = vec![b; n];
    let mut p: Vec<f64> = eta.iter().map(|&z| sigmoid(z)).collect();
    let bounded = |j: usize| j < k || j == 2 * k;
    for _sweep in 0..300 {
        let mut biggest: f64 = 0.0;
        // Intercept (not penalised).
        let (g, h) = (0..n).fold((0.0, 0.0), |(g, h), i| {
            (g + p[i] - y[i], h + p[i] * (1.0 - p[i]))
        });
        let step = (-g / h.max(1e-12)).clamp(-2.0, 2.0);
        if step != 0.0 {
            b += step;
            for i in 0..n {
                eta[i] += step;
                p[i] = sigmoid(eta[i]);
            }
        }
        biggest = biggest.max(step.abs());
        for j in 0..2 * k + 2 {
            let (mut g, mut h) = (opts.l2 * beta[j], opts.l2);
            for &(i, x) in &cols[j] {
                let i = i as usize;
                g += (p[i] - y[i]) * x;
                h += p[i] * (1.0 - p[i]) * x * x;
            }
            let mut new = beta[j] - (g / h).clamp(-2.0, 2.0);
            if bounded(j) {
                new = new.max(0.0);
            }
            let delta = new - beta[j];
            if delta != 0.0 {
                beta[j] = new;
                for &(i, x) in &cols[j] {
                    let i = i as usize;
                    eta[i] += delta * x;
                    p[i] = sigmoid(eta[i]);
                }
            }
            biggest = biggest.max(delta.abs());
        }
        if biggest < 1e-7 {
            break;
        }
    }
    let yes = beta[..k].to_vec();
    let unk = beta[k..2 * k].to_vec();
    (b, yes, unk, beta[2 * k], beta[2 * k + 1])
}

/// Points for a form, before the map: yes points, per-incident points, and the
/// expected contributions an unknown answer scales.
struct Points {
    yes: Vec<u32>,
    /// Rate of "yes" among answered records, per item.
    rate: Vec<f64>,
    per_incident: u32,
    /// Mean capped count among known counts.
    mean_prior: f64,
    cap: u32,
}

impl Points {
    fn unknown(&self, scale: f64) -> (Vec<f64>, f64) {
        let unk = self
            .yes
            .iter()
            .zip(&self.rate)
            .map(|(&y, &r)| (scale * f64::from(y) * r).min(f64::from(y)))
            .collect();
        let max_prior = f64::from(self.per_incident) * f64::from(self.cap);
        let prior = (scale * f64::from(self.per_incident) * self.mean_prior).min(max_prior);
        (unk, prior)
    }
}

fn row_score(
    r: &Row,
    yes: &[u32],
    unk: &[f64],
    per_incident: u32,
    prior_unknown: f64,
    cap: u32,
) -> f64 {
    let mut s = 0.0;
    for (j, &c) in r.codes.iter().enumerate() {
        s += match c {
            YES => f64::from(yes[j]),
            UNKNOWN => unk[j],
            _ => 0.0,
        };
    }
    s + match r.prior {
        Some(c) => f64::from(per_incident) * f64::from(c.min(cap)),
        None => prior_unknown,
    }
}

/// Fits the map of `method` on `(score, label)` pairs.
fn fit_map(pairs: &[(f64, bool)], method: MapMethod) -> ScoreMap {
    match method {
        MapMethod::Isotonic => ScoreMap::Isotonic {
            knots: pool_adjacent_violators(pairs),
        },
        MapMethod::Platt => {
            let (a, b) = crate::metrics::logistic_1d(pairs.iter().map(|&(s, y)| (s, y)), None);
            if b >= 0.0 {
                ScoreMap::Platt {
                    intercept: a,
                    slope: b,
                }
            } else {
                // The map must not fall as the score rises. With the slope held at
                // 0 the best intercept is the log-odds of the base rate (keeping
                // the unconstrained fit's intercept gave a constant far from it).
                // `check_data` has made sure both labels occur.
                let n = pairs.len() as f64;
                let rate = pairs.iter().filter(|p| p.1).count() as f64 / n;
                ScoreMap::Platt {
                    intercept: (rate / (1.0 - rate)).ln(),
                    slope: 0.0,
                }
            }
        }
    }
}

/// Mean log loss of probabilities (clamped to `[1e-6, 1 - 1e-6]`).
fn log_loss(pairs: &[(f64, bool)], map: &ScoreMap) -> f64 {
    let n = pairs.len().max(1) as f64;
    pairs
        .iter()
        .map(|&(s, y)| {
            let p = map.raw(s).clamp(1e-6, 1.0 - 1e-6);
            if y {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum::<f64>()
        / n
}

/// Expected calibration error ([`crate::metrics::ece`]).
pub fn ece(p: &[f64], y: &[bool]) -> f64 {
    crate::metrics::ece(p, y)
}

/// ROC AUC ([`crate::metrics::roc_auc`]); NaN when a class is absent.
pub fn auc(p: &[f64], y: &[bool]) -> f64 {
    crate::metrics::roc_auc(p, y).unwrap_or(f64::NAN)
}

/// Calibration slope and calibration-in-the-large
/// ([`crate::metrics::calibration_slope`], [`crate::metrics::calibration_intercept`]);
/// NaN when a class is absent.
pub fn calibration_slope_intercept(p: &[f64], y: &[bool]) -> (f64, f64) {
    (
        crate::metrics::calibration_slope(p, y).unwrap_or(f64::NAN),
        crate::metrics::calibration_intercept(p, y).unwrap_or(f64::NAN),
    )
}

fn stats(probs: &[f64], rows: &[Row]) -> FitStats {
    let y: Vec<bool> = rows.iter().map(|r| r.abuse).collect();
    let (slope, intercept) = calibration_slope_intercept(probs, &y);
    let stratum = |name: &str, keep: &dyn Fn(&Row) -> bool| {
        let (ps, ys): (Vec<f64>, Vec<bool>) = probs
            .iter()
            .zip(rows)
            .filter(|(_, r)| keep(r))
            .map(|(&p, r)| (p, r.abuse))
            .unzip();
        Stratum {
            stratum: name.to_string(),
            n: ps.len() as u64,
            ece: (!ps.is_empty()).then(|| ece(&ps, &ys)),
        }
    };
    FitStats {
        n: rows.len() as u64,
        positives: y.iter().filter(|&&b| b).count() as u64,
        auc: auc(probs, &y),
        ece: ece(probs, &y),
        calibration_slope: slope,
        calibration_intercept: intercept,
        strata: vec![
            stratum("gate_fired", &|r| r.gate_fired),
            stratum("no_gate", &|r| !r.gate_fired),
            stratum("unanswered_0", &|r| r.unanswered == 0),
            stratum("unanswered_1_2", &|r| (1..=2).contains(&r.unanswered)),
            stratum("unanswered_3_plus", &|r| r.unanswered >= 3),
        ],
    }
}

fn invalid(problem: String) -> ArtefactError {
    ArtefactError::Invalid {
        artefact: "calibration".into(),
        field: "data".into(),
        problem,
    }
}

/// Points and map for a form with these yes points: the unknown scale by
/// bisection, then the map. Returns the form (without stats) and its log loss.
fn with_points(d: &FormData, pts: &Points, opts: &FitOptions) -> (FormScore, f64) {
    let base = d.positives() as f64 / d.len() as f64;
    let fit_at = |scale: f64| {
        let (unk, prior_unk) = pts.unknown(scale);
        let pairs: Vec<(f64, bool)> = d
            .rows
            .iter()
            .map(|r| {
                (
                    row_score(r, &pts.yes, &unk, pts.per_incident, prior_unk, pts.cap),
                    r.abuse,
                )
            })
            .collect();
        let map = fit_map(&pairs, opts.method);
        let empty = unk.iter().sum::<f64>() + prior_unk;
        (map.raw(empty), map, pairs, unk, prior_unk)
    };
    // The largest useful scale puts every unknown at its "yes" points.
    let max_rate = pts
        .rate
        .iter()
        .zip(&pts.yes)
        .filter(|(_, &y)| y > 0)
        .map(|(&r, _)| r)
        .fold(pts.mean_prior / f64::from(pts.cap.max(1)), f64::max);
    let (mut lo, mut hi) = (0.0, if max_rate > 0.0 { 1.0 / max_rate } else { 1.0 });
    let (p_lo, ..) = fit_at(lo);
    let (p_hi, ..) = fit_at(hi);
    let scale = if p_lo >= base {
        lo
    } else if p_hi <= base {
        hi
    } else {
        for _ in 0..24 {
            let mid = (lo + hi) / 2.0;
            if fit_at(mid).0 > base {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        (lo + hi) / 2.0
    };
    let (_, map, pairs, unk, prior_unk) = fit_at(scale);
    let loss = log_loss(&pairs, &map);
    let mut items = BTreeMap::new();
    for (j, id) in d.ids.iter().enumerate() {
        items.insert(
            id.clone(),
            ItemPoints {
                yes: pts.yes[j],
                unknown: unk[j],
            },
        );
    }
    let form = FormScore {
        kept_from: None,
        points_from: None,
        instrument: d.instrument.clone(),
        items,
        prior_incidents: PriorPoints {
            per_incident: pts.per_incident,
            cap: pts.cap,
            unknown: prior_unk,
        },
        unknown_scale: scale,
        map,
        fit: stats(&[], &[]),
    };
    (form, loss)
}

fn finish(mut form: FormScore, d: &FormData, floor: f64, ceiling: f64) -> FormScore {
    let probs: Vec<f64> = scores(&form, d)
        .into_iter()
        .map(|s| form.map.raw(s).clamp(floor, ceiling))
        .collect();
    form.fit = stats(&probs, &d.rows);
    form
}

/// The score of every record under `form`'s points (the points table is read
/// once, not per record).
fn scores(form: &FormScore, d: &FormData) -> Vec<f64> {
    let yes: Vec<u32> = d.ids.iter().map(|id| form.item(id).yes).collect();
    let unk: Vec<f64> = d.ids.iter().map(|id| form.item(id).unknown).collect();
    let pr = form.prior_incidents;
    d.rows
        .iter()
        .map(|r| row_score(r, &yes, &unk, pr.per_incident, pr.unknown, pr.cap))
        .collect()
}

fn check_data(d: &FormData) -> Result<(), ArtefactError> {
    let pos = d.positives();
    if d.is_empty() || pos == 0 || pos == d.len() {
        return Err(invalid(format!(
            "form {}: needs both abuse and conflict labels ({} records, {pos} abuse)",
            d.instrument,
            d.len()
        )));
    }
    Ok(())
}

/// Refuses a fit whose scores do not rank the abuse labels above the conflict
/// labels better than chance: the lower end of the AUC's 95% interval
/// ([`crate::metrics::auc_score_interval`]) at or below 0.5, or every record with
/// the same score (no interval). Points are never negative, so labels coded the
/// other way round (1 for conflict) cannot be fitted the right way up: the fit
/// would map every score to the same probability, or the higher scores to
/// conflict, and call every record abuse or none.
fn check_direction(d: &FormData, scores: &[f64], whose: &str) -> Result<(), ArtefactError> {
    let labels: Vec<bool> = d.rows.iter().map(|r| r.abuse).collect();
    let Some(iv) = crate::metrics::roc_auc_delong(scores, &labels) else {
        return Ok(()); // both labels occur: check_data
    };
    if iv.ci95.is_none_or(|(low, _)| low <= 0.5) {
        let interval = match (iv.ci95, iv.ci95_note) {
            (Some((low, high)), _) => format!("95% interval {low:.3} to {high:.3}"),
            (None, note) => format!("no interval: {}", note.unwrap_or("none")),
        };
        return Err(invalid(format!(
            "form {}: {whose} do not rank the abuse labels above the conflict labels \
             (AUC {:.3}, {interval}, on {} records, {} abuse): are the labels \
             coded the other way round (1 for conflict), or not about abuse? A calibration \
             fitted on them would not tell abuse from conflict",
            d.instrument,
            iv.auc,
            d.len(),
            d.positives()
        )));
    }
    Ok(())
}

/// Fits points, unknown points and map for one form (steps 1–4 of the module
/// docs). `floor` and `ceiling` clamp the probabilities the fit statistics use.
pub fn fit_form(
    d: &FormData,
    opts: &FitOptions,
    floor: f64,
    ceiling: f64,
) -> Result<FormScore, ArtefactError> {
    check_data(d)?;
    let (_b, w, _v, wp, _vp) = bounded_logistic(d, opts);
    let k = d.ids.len();
    let mut rate = vec![0.0; k];
    for (j, r) in rate.iter_mut().enumerate() {
        let (yes, answered) = d
            .rows
            .iter()
            .fold((0u64, 0u64), |(y, a), row| match row.codes[j] {
                YES => (y + 1, a + 1),
                NO => (y, a + 1),
                _ => (y, a),
            });
        *r = if answered > 0 {
            yes as f64 / answered as f64
        } else {
            0.0
        };
    }
    let known: Vec<f64> = d
        .rows
        .iter()
        .filter_map(|r| r.prior.map(|c| f64::from(c.min(opts.prior_cap))))
        .collect();
    let mean_prior = if known.is_empty() {
        0.0
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    let largest = w.iter().copied().fold(wp, f64::max);
    let mut best: Option<(FormScore, f64)> = None;
    for top in [6u32, 8, 10] {
        let m = if largest > 0.0 {
            f64::from(top) / largest
        } else {
            0.0
        };
        let round = |x: f64| (x * m).round().clamp(0.0, 10.0) as u32;
        let pts = Points {
            yes: w.iter().map(|&x| round(x)).collect(),
            rate: rate.clone(),
            per_incident: round(wp),
            mean_prior,
            cap: opts.prior_cap,
        };
        let (form, loss) = with_points(d, &pts, opts);
        // Ties keep the larger top: finer points.
        if best.as_ref().is_none_or(|(_, l)| loss <= *l) {
            best = Some((form, loss));
        }
    }
    let (form, _) = best.expect("the grid is not empty");
    check_direction(d, &scores(&form, d), "the fitted points")?;
    Ok(finish(form, d, floor, ceiling))
}

/// Refits only the map of `form` on `d`, keeping its points (`--refit map`).
pub fn refit_map(
    form: &FormScore,
    d: &FormData,
    opts: &FitOptions,
    floor: f64,
    ceiling: f64,
) -> Result<FormScore, ArtefactError> {
    check_data(d)?;
    let kept = scores(form, d);
    check_direction(d, &kept, "the kept points")?;
    let pairs: Vec<(f64, bool)> = kept
        .into_iter()
        .zip(&d.rows)
        .map(|(s, r)| (s, r.abuse))
        .collect();
    let mut out = form.clone();
    out.map = fit_map(&pairs, opts.method);
    Ok(finish(out, d, floor, ceiling))
}

/// The one-sided upper `confidence` bound on a binomial proportion after `k`
/// events in `n` trials (Clopper–Pearson): the `p` at which seeing `k` or fewer
/// has probability `1 - confidence`. 1 when `k >= n`.
pub fn clopper_pearson_upper(k: u64, n: u64, confidence: f64) -> f64 {
    if n == 0 || k >= n {
        return 1.0;
    }
    let alpha = 1.0 - confidence;
    // P(X <= k | n, p) falls as p rises: bisect for the p where it equals alpha.
    let cdf = |p: f64| -> f64 {
        if p <= 0.0 {
            return 1.0;
        }
        if p >= 1.0 {
            return 0.0;
        }
        let (lp, lq) = (p.ln(), (1.0 - p).ln());
        let nf = n as f64;
        // log C(n, i) p^i q^(n-i), summed in log space.
        let mut log_c = 0.0f64; // log C(n, 0)
        let mut terms = Vec::with_capacity(k as usize + 1);
        for i in 0..=k {
            if i > 0 {
                log_c += ((nf - i as f64 + 1.0) / i as f64).ln();
            }
            terms.push(log_c + i as f64 * lp + (nf - i as f64) * lq);
        }
        let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln()).exp()
    };
    let (mut lo, mut hi) = (k as f64 / n as f64, 1.0);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if cdf(mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The fewest abuse records that give the guarantee with none labelled conflict.
pub fn min_abuse_records(rate: f64, confidence: f64) -> u64 {
    // (1 - rate)^n <= 1 - confidence.
    ((1.0 - confidence).ln() / (1.0 - rate).ln()).ceil() as u64
}

/// Chooses the conflict threshold on fitting data: `cases` holds, per record,
/// `(p_abuse, the safety rules allow parental conflict, true abuse)`. The
/// threshold is the largest `t` such that labelling conflict where the rules allow
/// it and `p_abuse < t` keeps the Clopper–Pearson upper bound on the share of true
/// abuse so labelled at or below `rate`. With too few abuse records for any such
/// `t`, the threshold is 0: no case is labelled parental conflict.
pub fn conflict_guarantee(
    cases: &[(f64, bool, bool)],
    rate: f64,
    confidence: f64,
) -> ConflictGuarantee {
    let n_abuse = cases.iter().filter(|c| c.2).count() as u64;
    let mut open: Vec<f64> = cases.iter().filter(|c| c.1 && c.2).map(|c| c.0).collect();
    open.sort_by(f64::total_cmp);
    // The most abuse records that may be labelled conflict.
    let mut kmax: Option<u64> = None;
    let mut k = 0u64;
    while k <= n_abuse && clopper_pearson_upper(k, n_abuse, confidence) <= rate {
        kmax = Some(k);
        k += 1;
    }
    let min_records = min_abuse_records(rate, confidence);
    match kmax {
        None => ConflictGuarantee {
            max_abuse_as_conflict: rate,
            confidence,
            method: "clopper_pearson".into(),
            abuse_records: n_abuse,
            abuse_as_conflict: 0,
            upper_bound: clopper_pearson_upper(0, n_abuse, confidence),
            threshold: 0.0,
            min_abuse_records: min_records,
            guaranteed: false,
            measured_under: None,
        },
        Some(kmax) => {
            // Labelling below the (kmax+1)-th smallest p of the open abuse records
            // takes at most kmax of them (ties at the threshold are left out).
            let threshold = open.get(kmax as usize).copied().unwrap_or(1.0);
            let taken = open.iter().filter(|&&p| p < threshold).count() as u64;
            ConflictGuarantee {
                max_abuse_as_conflict: rate,
                confidence,
                method: "clopper_pearson".into(),
                abuse_records: n_abuse,
                abuse_as_conflict: taken,
                upper_bound: clopper_pearson_upper(taken, n_abuse, confidence),
                threshold,
                min_abuse_records: min_records,
                guaranteed: true,
                measured_under: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clopper_pearson_matches_known_values() {
        // scipy 1.17.1: scipy.stats.beta.ppf(0.95, k + 1, n - k), the one-sided 95%
        // upper Clopper-Pearson bound.
        assert!((clopper_pearson_upper(0, 600, 0.95) - 0.004980443380361347).abs() < 1e-9);
        assert!((clopper_pearson_upper(0, 100, 0.95) - 0.029513049607039925).abs() < 1e-9);
        assert!((clopper_pearson_upper(5, 1000, 0.95) - 0.010484076911415651).abs() < 1e-9);
        assert_eq!(clopper_pearson_upper(3, 3, 0.95), 1.0);
        assert_eq!(min_abuse_records(0.005, 0.95), 598);
    }

    #[test]
    fn the_guarantee_rate_must_lie_strictly_between_0_and_1() {
        let scorer = crate::Scorer::default();
        let cal = crate::Calibration::shipped();
        for bad in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            let e = with_guarantee(cal.clone(), &scorer, &[], bad, 0.95).unwrap_err();
            assert!(e.to_string().contains("is not a rate"), "{bad}: {e}");
        }
        for good in [0.005, 0.5, 0.999] {
            let c = with_guarantee(cal.clone(), &scorer, &[], good, 0.95).unwrap();
            assert!(c.conflict.is_some(), "{good}");
        }
    }

    #[test]
    fn the_guarantee_takes_the_largest_safe_threshold() {
        // 1,000 abuse records, all allowed by the rules, p = i/1000; 1,000
        // conflict records.
        let mut cases: Vec<(f64, bool, bool)> = (0..1000)
            .map(|i| (f64::from(i) / 1000.0, true, true))
            .collect();
        cases.extend((0..1000).map(|_| (0.0, true, false)));
        let g = conflict_guarantee(&cases, 0.005, 0.95);
        assert!(g.guaranteed);
        assert!(g.upper_bound <= 0.005);
        // One more abuse record below the threshold would break the bound.
        assert!(clopper_pearson_upper(g.abuse_as_conflict + 1, 1000, 0.95) > 0.005);
        assert_eq!(g.threshold, f64::from(g.abuse_as_conflict as u32) / 1000.0);
        // Too few abuse records: no conflict label at all.
        let g = conflict_guarantee(&cases[..100], 0.005, 0.95);
        assert!(!g.guaranteed && g.threshold == 0.0);
        // Abuse the rules already block does not count against the threshold.
        let blocked: Vec<(f64, bool, bool)> = (0..1000)
            .map(|i| (f64::from(i) / 1000.0, false, true))
            .collect();
        let g = conflict_guarantee(&blocked, 0.005, 0.95);
        assert_eq!((g.threshold, g.abuse_as_conflict), (1.0, 0));
    }

    /// A Platt fit whose slope would be negative is held at slope 0 with the base
    /// rate's log-odds (before, the unconstrained fit's intercept was kept: a
    /// constant map far from the base rate, 0.996 on the review's data).
    #[test]
    fn a_flat_platt_map_gives_the_base_rate() {
        // Higher scores, fewer positives: 30 of 40 at score 1, 10 of 40 at score 9.
        let pairs: Vec<(f64, bool)> = (0..80)
            .map(|i| if i < 40 { (1.0, i < 30) } else { (9.0, i < 50) })
            .collect();
        let ScoreMap::Platt { intercept, slope } = fit_map(&pairs, MapMethod::Platt) else {
            panic!("a Platt map");
        };
        assert_eq!(slope, 0.0);
        assert!((sigmoid(intercept) - 0.5).abs() < 1e-12, "{intercept}");
        // Rising with the score, the fit is kept as it is.
        let rising: Vec<(f64, bool)> = pairs.iter().map(|&(s, y)| (10.0 - s, y)).collect();
        let ScoreMap::Platt { slope, .. } = fit_map(&rising, MapMethod::Platt) else {
            panic!("a Platt map");
        };
        assert!(slope > 0.0);
    }

    #[test]
    fn auc_and_ece_on_small_cases() {
        let p = [0.1, 0.4, 0.35, 0.8];
        let y = [false, false, true, true];
        assert!((auc(&p, &y) - 0.75).abs() < 1e-12);
        assert!((auc(&[0.5, 0.5], &[true, false]) - 0.5).abs() < 1e-12);
        // Bins: 0.1 (y 0), 0.4 and 0.35 (0.3 bin: 0.35 y1; 0.4 bin: 0.4 y0), 0.8 (y 1).
        let e = ece(&p, &y);
        let want = (0.1 + 0.65 + 0.4 + 0.2) / 4.0;
        assert!((e - want).abs() < 1e-12, "{e}");
    }
}

/// What `calibrate --data` refits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refit {
    /// Points, unknown points and map, per form.
    Points,
    /// Only the map, keeping the base calibration's points.
    Map,
}

/// The fewest labelled records of a form, and of each class, to refit its points
/// by default (below this, `calibrate` refits only its map, or nothing, and says
/// so; an explicit `--refit points` below it is fitted, with a note).
pub const MIN_RECORDS_FOR_POINTS: usize = 2_000;
/// The fewest records of each class for `--refit points`.
pub const MIN_PER_CLASS_FOR_POINTS: usize = 200;

/// The fewest labelled records of a form, and of each class, to refit anything of
/// it (its map, or with `--refit points` its points): below this a form keeps its
/// points and map from the base calibration, and an explicit `--refit` is refused.
/// A map fitted on fewer (a review fitted one on 2 records, giving every record
/// 0.5) says nothing about the records it will score.
pub const MIN_RECORDS_FOR_MAP: usize = 200;
/// The fewest records of each class to refit a form's map.
pub const MIN_PER_CLASS_FOR_MAP: usize = 50;

/// Whether a form's records are enough to refit its map.
pub fn enough_for_map(d: &FormData) -> bool {
    let pos = d.positives();
    d.len() >= MIN_RECORDS_FOR_MAP
        && pos >= MIN_PER_CLASS_FOR_MAP
        && d.len() - pos >= MIN_PER_CLASS_FOR_MAP
}

/// An in-sample AUC above this, on a refitted form, is noted as labels the answers
/// predict almost perfectly ([`Recalibration::notes`]). The synthetic reference
/// population, whose labels are drawn with noise, gives about 0.99.
pub const SEPARATION_AUC: f64 = 0.999;

/// What a recalibration did to one form that had labelled records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refitted {
    /// Points, unknown points and map refitted.
    Points,
    /// The map refitted, the points kept.
    Map,
    /// Too few records to refit anything: points and map kept from the base
    /// ([`crate::calibration::FormScore::kept_from`]).
    Kept,
}

impl From<Refit> for Refitted {
    fn from(r: Refit) -> Refitted {
        match r {
            Refit::Points => Refitted::Points,
            Refit::Map => Refitted::Map,
        }
    }
}

/// One form with labelled records, and what [`recalibrate`] did to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRefit {
    /// The instrument id.
    pub instrument: String,
    /// Its labelled records.
    pub records: usize,
    /// Of them, labelled abuse.
    pub abuse: usize,
    /// What was refitted.
    pub refitted: Refitted,
}

/// Whether a form's records are enough to refit its points.
pub fn enough_for_points(d: &FormData) -> bool {
    let pos = d.positives();
    d.len() >= MIN_RECORDS_FOR_POINTS
        && pos >= MIN_PER_CLASS_FOR_POINTS
        && d.len() - pos >= MIN_PER_CLASS_FOR_POINTS
}

/// Fits a calibration on labelled records: every instrument of `instruments` that
/// has records gets its form refitted (`refit`); the other forms are kept from
/// `base`. No conflict threshold yet: see [`with_guarantee`].
#[allow(clippy::too_many_arguments)]
pub fn calibrate(
    instruments: &[Instrument],
    records: &[(Assessment, bool)],
    base: &crate::Calibration,
    refit: Refit,
    opts: &FitOptions,
    version: &str,
    provenance: crate::calibration::Provenance,
) -> Result<crate::Calibration, ArtefactError> {
    calibrate_planned(
        instruments,
        records,
        base,
        |_| refit.into(),
        opts,
        version,
        provenance,
    )
}

/// [`calibrate`] with what to refit decided per form by `plan`.
fn calibrate_planned(
    instruments: &[Instrument],
    records: &[(Assessment, bool)],
    base: &crate::Calibration,
    plan: impl Fn(&str) -> Refitted,
    opts: &FitOptions,
    version: &str,
    provenance: crate::calibration::Provenance,
) -> Result<crate::Calibration, ArtefactError> {
    use crate::calibration::{DEFAULT_P_CEILING, DEFAULT_P_FLOOR};
    let kept_from = |f: &FormScore| {
        f.kept_from
            .clone()
            .unwrap_or_else(|| crate::calibration::KeptFrom {
                version: base.version.clone(),
                checksum: base.checksum.clone(),
                synthetic: base.provenance.synthetic,
                n: f.fit.n,
            })
    };
    let mut forms: Vec<FormScore> = Vec::new();
    for inst in instruments {
        let d = FormData::new(inst, records.iter().map(|(a, y)| (a, *y)));
        if d.is_empty() {
            continue;
        }
        // The base's points for this form, on the ids it has (a form based on a
        // built-in keeps the built-in's points only on the ids it shares, as the
        // scorer does).
        let known = base
            .form(&inst.id)
            .or_else(|| inst.based_on.as_deref().and_then(|b| base.form(b)))
            .map(|f| {
                let mut kept = f.clone();
                kept.instrument = inst.id.clone();
                kept.items.retain(|id, _| {
                    inst.question(id).is_some() || id == SCREEN_FEAR || id == SCREEN_POWER
                });
                kept
            });
        // The base's points carry what is known of these questions (every "yes" a
        // risk factor): labels they rank the wrong way round, or no better than
        // chance, are refused before anything is fitted to them.
        let check = |known: &Option<FormScore>| match known {
            Some(k) => check_direction(&d, &scores(k, &d), "the base calibration's points"),
            None => Ok(()),
        };
        let form = match plan(&inst.id) {
            Refitted::Kept => {
                let mut kept = known.ok_or_else(|| {
                    invalid(format!(
                        "form {}: {} labelled records ({} abuse) are too few to fit it (at least \
                         {MIN_RECORDS_FOR_MAP} with {MIN_PER_CLASS_FOR_MAP} of each label), and \
                         the base calibration has no points for it to keep",
                        inst.id,
                        d.len(),
                        d.positives()
                    ))
                })?;
                kept.kept_from = Some(kept_from(&kept));
                kept
            }
            Refitted::Points => {
                check(&known)?;
                fit_form(&d, opts, DEFAULT_P_FLOOR, DEFAULT_P_CEILING)?
            }
            Refitted::Map => {
                check(&known)?;
                let kept = known.ok_or_else(|| {
                    invalid(format!(
                        "form {}: the base calibration has no points to keep; refit the points (--refit points)",
                        inst.id
                    ))
                })?;
                // The map is fitted here; the points come from the base (or from
                // where the base had them), and the form says so.
                let points_from = kept
                    .points_from
                    .clone()
                    .or_else(|| kept.kept_from.clone())
                    .unwrap_or_else(|| kept_from(&kept));
                let mut form = refit_map(&kept, &d, opts, DEFAULT_P_FLOOR, DEFAULT_P_CEILING)?;
                form.kept_from = None;
                form.points_from = Some(points_from);
                form
            }
        };
        forms.push(form);
    }
    if forms.is_empty() {
        return Err(invalid("no labelled records of a known form".into()));
    }
    // (Only forms with records are in `forms` yet: a kept one is marked.)
    if forms.iter().all(|f| f.kept_from.is_some()) {
        return Err(invalid(format!(
            "too few labelled records to refit any form: each needs at least \
             {MIN_RECORDS_FOR_MAP} with {MIN_PER_CLASS_FOR_MAP} of each label"
        )));
    }
    for f in &base.forms {
        if !forms.iter().any(|g| g.instrument == f.instrument) {
            let mut kept = f.clone();
            kept.kept_from = Some(kept_from(f));
            forms.push(kept);
        }
    }
    let mut cal = crate::Calibration {
        format_version: crate::calibration::CALIBRATION_FORMAT_VERSION,
        version: version.to_string(),
        method: opts.method,
        provenance,
        p_floor: DEFAULT_P_FLOOR,
        p_ceiling: DEFAULT_P_CEILING,
        forms,
        conflict: None,
        checksum: String::new(),
    };
    cal.seal();
    Ok(cal)
}

/// Adds the conflict threshold with its guarantee ([`conflict_guarantee`]),
/// computed by assessing `records` with `scorer` (built on the new calibration).
pub fn with_guarantee(
    mut cal: crate::Calibration,
    scorer: &crate::Scorer,
    records: &[(Assessment, bool)],
    rate: f64,
    confidence: f64,
) -> Result<crate::Calibration, ArtefactError> {
    if !(rate > 0.0 && rate < 1.0) {
        return Err(invalid(format!(
            "max_abuse_as_conflict: {rate} is not a rate; expected a number above 0 and below 1"
        )));
    }
    let mut cases = Vec::with_capacity(records.len());
    for (a, abuse) in records {
        let r = scorer.assess(a).map_err(|e| invalid(e.message))?;
        let allowed = r
            .conflict_blockers
            .iter()
            .all(|b| b == crate::ConflictBlocker::AbuseProbability);
        if let Some(p) = r.p_abuse {
            cases.push((p, allowed, *abuse));
        }
    }
    let mut guarantee = conflict_guarantee(&cases, rate, confidence);
    // Which records were open to a conflict label depended on these.
    guarantee.measured_under = Some(crate::calibration::MeasuredUnder {
        scorer_version: crate::SCORER_VERSION.to_string(),
        grading: scorer.policy().grading.clone(),
    });
    cal.conflict = Some(guarantee);
    cal.seal();
    Ok(cal)
}

/// What [`recalibrate`] refits, decided as `dashrisk calibrate --data` decides it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recalibration {
    /// The new calibration, with its conflict threshold and guarantee.
    pub calibration: crate::Calibration,
    /// Each form with labelled records, in the scorer's order, and what was
    /// refitted of it.
    pub forms: Vec<FormRefit>,
}

impl Recalibration {
    /// A note for each form not refitted in full for want of records, for the
    /// user: which, with its counts, and what it keeps; and one for each refitted
    /// form whose labels its answers predict almost perfectly (in-sample AUC above
    /// [`SEPARATION_AUC`]), which is what labels derived from the answers
    /// themselves look like.
    pub fn notes(&self) -> Vec<String> {
        let separated = self.calibration.forms.iter().filter(|f| {
            f.kept_from.is_none()
                && self.forms.iter().any(|r| r.instrument == f.instrument)
                && f.fit.auc > SEPARATION_AUC
        });
        let separated = separated.map(|f| {
            format!(
                "the labels of {} are almost perfectly predicted by its answers (AUC {:.5} on \
                 the records fitted): were they derived from the same answers (for example \
                 \"any gate item yes\")? A calibration fitted on such labels overstates its \
                 certainty; the label should be decided independently of the tool",
                f.instrument, f.fit.auc
            )
        });
        self.forms
            .iter()
            .filter_map(|f| {
                let counts = format!(
                    "{} ({} records, {} abuse)",
                    f.instrument, f.records, f.abuse
                );
                match f.refitted {
                    Refitted::Points
                        if f.records < MIN_RECORDS_FOR_POINTS
                            || f.abuse < MIN_PER_CLASS_FOR_POINTS
                            || f.records - f.abuse < MIN_PER_CLASS_FOR_POINTS =>
                    {
                        Some(format!(
                            "the points of {counts} were refitted as asked (--refit points), \
                             on fewer records than the {MIN_RECORDS_FOR_POINTS} with \
                             {MIN_PER_CLASS_FOR_POINTS} of each label the default needs: points \
                             fitted on few records are unstable, and their in-sample figures \
                             flatter them"
                        ))
                    }
                    Refitted::Points => None,
                    Refitted::Map => Some(format!(
                        "too few labelled records to refit the points of {counts} (need \
                         {MIN_RECORDS_FOR_POINTS} with {MIN_PER_CLASS_FOR_POINTS} of each label): \
                         its map was refitted, keeping its points"
                    )),
                    Refitted::Kept => Some(format!(
                        "too few labelled records to refit anything of {counts} (a map needs \
                         {MIN_RECORDS_FOR_MAP} with {MIN_PER_CLASS_FOR_MAP} of each label): it \
                         keeps its points and map from the base calibration"
                    )),
                }
            })
            .chain(separated)
            .collect()
    }
}

/// Recalibrates `base` on labelled records: the whole recipe of
/// `dashrisk calibrate --data`, shared by the CLI and Python's
/// `ConflictAbuseScorer.fit`.
///
/// 1. Per form with records: `refit` as given (refused for a form below
///    [`enough_for_map`]), or by default its points where it has enough records
///    for them ([`enough_for_points`]), else its map where it has enough for that
///    ([`enough_for_map`]), else nothing: it keeps its points and map
///    ([`Refitted::Kept`]). If no form can be refitted the fit is refused.
/// 2. [`calibrate`] on `base`'s instruments, keeping `base`'s forms without
///    records, each marked with what it was kept from.
/// 3. The conflict threshold with its guarantee ([`with_guarantee`], 95%
///    confidence), computed under a scorer with `base`'s policy and custom forms.
///
/// Records the scorer refuses must be left out by the caller (the CLI reports
/// them per line).
pub fn recalibrate(
    base: &crate::Scorer,
    records: &[(Assessment, bool)],
    refit: Option<Refit>,
    opts: &FitOptions,
    max_abuse_as_conflict: f64,
    version: &str,
    provenance: crate::calibration::Provenance,
) -> Result<Recalibration, ArtefactError> {
    if !(max_abuse_as_conflict > 0.0 && max_abuse_as_conflict < 1.0) {
        return Err(invalid(format!(
            "max_abuse_as_conflict: {max_abuse_as_conflict} is not a rate; expected a number above 0 and below 1"
        )));
    }
    let instruments = base.instruments().to_vec();
    let mut forms = Vec::new();
    for inst in &instruments {
        let d = FormData::new(inst, records.iter().map(|(a, y)| (a, *y)));
        if d.is_empty() {
            continue;
        }
        let refitted = match refit {
            Some(r) if enough_for_map(&d) => r.into(),
            Some(r) => {
                return Err(invalid(format!(
                    "form {}: {} labelled records ({} abuse) are too few to refit {} (at least \
                     {MIN_RECORDS_FOR_MAP} with {MIN_PER_CLASS_FOR_MAP} of each label); leave \
                     the refit to the default, which keeps such a form's points and map",
                    inst.id,
                    d.len(),
                    d.positives(),
                    match r {
                        Refit::Points => "its points",
                        Refit::Map => "its map",
                    }
                )))
            }
            None if enough_for_points(&d) => Refitted::Points,
            None if enough_for_map(&d) => Refitted::Map,
            None => Refitted::Kept,
        };
        forms.push(FormRefit {
            instrument: inst.id.clone(),
            records: d.len(),
            abuse: d.positives(),
            refitted,
        });
    }
    let plan = |id: &str| {
        forms
            .iter()
            .find(|f| f.instrument == id)
            .map_or(Refitted::Kept, |f| f.refitted)
    };
    let cal = calibrate_planned(
        &instruments,
        records,
        base.calibration(),
        plan,
        opts,
        version,
        provenance,
    )?;
    let mut scorer = crate::Scorer::new(base.policy().clone(), cal.clone())?;
    for inst in base.instruments() {
        if crate::Instrument::builtin_by_id(&inst.id).is_none() {
            scorer = scorer.with_instrument(inst.clone())?;
        }
    }
    scorer = scorer.with_limits(*base.limits())?;
    let calibration = with_guarantee(cal, &scorer, records, max_abuse_as_conflict, 0.95)?;
    Ok(Recalibration { calibration, forms })
}
