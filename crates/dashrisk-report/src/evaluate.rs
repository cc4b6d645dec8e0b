//! The evaluation of `dashrisk evaluate`: tools side by side on the same labelled
//! records. The command line reads the records and fills a [`Data`] (one label, one
//! byte of scorer facts and one float per tool per record); [`evaluate`] computes
//! every figure; [`crate::eval_render`] writes them as JSON, text and HTML.
//!
//! - **Per tool:** ROC AUC with its 95% interval (Newcombe's score interval,
//!   [`metrics::auc_score_interval`]) and DeLong's standard error, average precision, and, for
//!   tools whose output is a probability, Brier score, log loss, ECE, calibration
//!   slope and calibration-in-the-large, with the reliability bins and the decision
//!   curve. A ranking score (the DASH yes-count, the grade, the three-way
//!   classification, a column with values outside [0, 1]) gets `null` for every
//!   probability figure, with the reason: it is never scored as a probability.
//! - **Workload per 1,000 incidents** (MARAC, CSC, school, RPC or Early Help) for the
//!   tools that make those decisions: the scorer, and today's practice behind the
//!   DASH grade (every incident with children notified).
//! - **Routing safety** for a tool that gives a conflict label.
//! - **Per group** (officer, area): AUC and calibration-in-the-large of the
//!   reference tool with 95% intervals, and the rates of conflict labels, MARAC,
//!   CSC and medium-or-high grades with exact intervals and funnel-plot limits
//!   (Spiegelhalter 2005).
//!   Counts go through the shared small-cell suppression ([`crate::suppress`]).

use crate::screen::MissingItem;
use crate::suppress::{Grid, Suppressed};
use dashrisk::metrics::{self, DecisionPoint, ReliabilityBin};
use serde::Serialize;
use statrs::distribution::{Beta, Binomial, ContinuousCDF, DiscreteCDF};

/// The schema of the evaluation JSON (docs/guide-evaluate.md).
pub const SCHEMA: &str = "dashrisk-evaluation/1";

/// What a tool's output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    /// A probability of abuse in [0, 1]: every figure applies.
    Probability,
    /// A score that orders records but is not a probability.
    Ranking,
    /// A yes/no decision (1 or 0).
    Decision,
}

/// Which decisions a tool's workload counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadBasis {
    /// The scorer's own MARAC, notification and pathway decisions.
    Scorer,
    /// Today's practice: MARAC on the DASH criteria; every incident with children
    /// (or where that is not known) notified to CSC, and the school told when a
    /// child is linked; no parental-conflict route.
    TodaysPractice,
}

/// One tool's scores.
#[derive(Debug, Clone)]
pub struct Tool {
    /// Its name (`p_abuse`, or the score column's name).
    pub name: String,
    /// What it is, in a sentence.
    pub description: String,
    /// What its output is.
    pub kind: ToolKind,
    /// Why it is not a probability (for ranking and decision tools).
    pub kind_note: Option<String>,
    /// One score per record; NaN where the tool gave none.
    pub scores: Vec<f64>,
    /// A score at or above this is the tool's positive call (abuse, or referral);
    /// `None` for a ranking score with no known threshold.
    pub positive_from: Option<f64>,
    /// That rule in words.
    pub positive_rule: String,
    /// The decisions its workload counts, if it makes them.
    pub workload: Option<WorkloadBasis>,
    /// Whether its lowest score is the parental-conflict label (routing safety).
    pub conflict_label: bool,
}

/// Bit flags of the scorer's result for one record ([`Data::facts`]).
pub mod fact {
    /// MARAC referral.
    pub const MARAC: u16 = 1;
    /// CSC notification.
    pub const CSC: u16 = 2;
    /// Operation Encompass notice.
    pub const SCHOOL: u16 = 4;
    /// Reducing Parental Conflict support.
    pub const RPC: u16 = 8;
    /// Early Help.
    pub const EARLY_HELP: u16 = 16;
    /// Classified parental conflict.
    pub const CONFLICT: u16 = 32;
    /// Children linked to the incident (present, or in the household).
    pub const CHILDREN: u16 = 64;
    /// Not known whether children are linked (never read as "no children").
    pub const CHILDREN_NOT_KNOWN: u16 = 128;
    /// Graded medium or high risk (the final DASH level).
    pub const MEDIUM_OR_HIGH: u16 = 256;
}

/// Whether today's practice notifies children's social care: every domestic
/// incident with children, and, like the scorer, every one where it is not known
/// whether there are children (so that the comparison is like with like).
pub fn notified_today(f: u16) -> bool {
    f & (fact::CHILDREN | fact::CHILDREN_NOT_KNOWN) != 0
}

/// A group-by column: each record's group.
#[derive(Debug, Clone)]
pub struct GroupColumn {
    /// The column's name.
    pub column: String,
    /// The group names, by index.
    pub names: Vec<String>,
    /// Each record's group index.
    pub of_row: Vec<u32>,
}

/// The evaluated records, column by column.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// The labels: `true` for domestic abuse.
    pub labels: Vec<bool>,
    /// The scorer's decisions per record ([`fact`] bits).
    pub facts: Vec<u16>,
    /// The tools.
    pub tools: Vec<Tool>,
    /// The group-by columns.
    pub groups: Vec<GroupColumn>,
}

/// Everything about the run that the figures do not say.
#[derive(Debug, Clone)]
pub struct Options {
    /// The label column.
    pub label: String,
    /// The input's name.
    pub source: String,
    /// Whether the input is synthetic.
    pub synthetic: bool,
    /// The threshold for probability tools' positive calls.
    pub threshold: f64,
    /// Counts from 1 to `min_cell - 1` are withheld; groups smaller are suppressed.
    pub min_cell: u64,
    /// Records read, with or without a label.
    pub records_read: u64,
    /// Records left out for a missing label.
    pub missing_label: u64,
    /// Records that could not be read (error records).
    pub errors: u64,
    /// The scorer's rules version.
    pub scorer_version: String,
    /// The calibration's version.
    pub calibration_version: String,
    /// The tool the others are compared with, and whose AUC and calibration the
    /// group figures show (`p_abuse` when it is evaluated).
    pub reference: Option<String>,
    /// The screen's name and the items the forms could not ask.
    pub screen: Option<ScreenCoverage>,
    /// Further notes for every output (e.g. how the model was trained).
    pub notes: Vec<String>,
}

/// What part of a screening rule the data could apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenCoverage {
    /// The tool's name in `tools`.
    pub tool: String,
    /// The screen's name.
    pub name: String,
    /// The rule in words.
    pub rule: String,
    /// Items the forms in the data cannot ask: they never screen a record in.
    pub missing_items: Vec<MissingItem>,
}

/// A share with its exact (Clopper–Pearson) 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// Records with the property.
    pub count: u64,
    /// Records it is a share of.
    pub of: u64,
    /// `count / of`; `None` when `of` is 0.
    pub share: Option<f64>,
    /// Exact 95% interval.
    pub ci95: Option<[f64; 2]>,
}

impl Proportion {
    /// `count` of `of`, with the interval.
    pub fn new(count: u64, of: u64) -> Proportion {
        Proportion {
            count,
            of,
            share: (of > 0).then(|| count as f64 / of as f64),
            ci95: clopper_pearson(count, of),
        }
    }
}

/// The exact two-sided 95% interval of a binomial proportion (Clopper–Pearson).
/// `None` for no trials.
pub fn clopper_pearson(k: u64, n: u64) -> Option<[f64; 2]> {
    if n == 0 || k > n {
        return None;
    }
    let lo = if k == 0 {
        0.0
    } else {
        Beta::new(k as f64, (n - k + 1) as f64)
            .ok()?
            .inverse_cdf(0.025)
    };
    let hi = if k == n {
        1.0
    } else {
        Beta::new((k + 1) as f64, (n - k) as f64)
            .ok()?
            .inverse_cdf(0.975)
    };
    Some([lo, hi])
}

/// Figures at the tool's positive-call rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtRule {
    /// Confusion counts and sensitivity, specificity, PPV, NPV.
    #[serde(flatten)]
    pub confusion: metrics::Confusion,
    /// Positive calls per 1,000 incidents.
    pub positive_per_1000: f64,
}

/// Workload per 1,000 incidents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Workload {
    /// Whose decisions these are.
    pub basis: WorkloadBasis,
    /// MARAC referrals.
    pub marac: f64,
    /// Children's social care notifications.
    pub csc: f64,
    /// Operation Encompass notices.
    pub school: f64,
    /// Referrals to RPC support or Early Help (a record with both counts once).
    pub rpc_or_early_help: f64,
}

/// How often a tool that gives a conflict label would route abuse away.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoutingSafety {
    /// True abuse labelled parental conflict, as a share of true abuse.
    pub abuse_labelled_conflict: Proportion,
    /// True non-abuse routed to RPC support, as a share of true non-abuse.
    pub non_abuse_to_rpc: Proportion,
    /// CSC notifications under today's practice ([`notified_today`]).
    pub csc_today: u64,
    /// CSC notifications under the tool.
    pub csc_tool: u64,
    /// `csc_today - csc_tool` (negative if the tool notifies more).
    pub csc_avoided: i64,
    /// The same per 1,000 incidents.
    pub csc_avoided_per_1000: f64,
    /// True abuse that today's practice notifies (children linked, or not known)
    /// and the tool would not.
    pub abuse_with_children_losing_notification: u64,
}

/// One tool's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolReport {
    /// Its name.
    pub tool: String,
    /// What it is.
    pub description: String,
    /// What its output is.
    pub kind: ToolKind,
    /// Why the probability figures are `null` (for a tool that is not a
    /// probability).
    pub probability_note: Option<String>,
    /// Records it scored.
    pub n: u64,
    /// Labelled records it gave no score.
    pub missing_scores: u64,
    /// ROC AUC.
    pub auc: Option<f64>,
    /// Its 95% interval, by [`Evaluation::auc_ci95_method`]; `None` with no AUC,
    /// or with the reason in `auc_ci95_note`.
    pub auc_ci95: Option<[f64; 2]>,
    /// Why `auc_ci95` is `None` though `auc` is given (every score the same).
    pub auc_ci95_note: Option<String>,
    /// Its DeLong standard error.
    pub auc_se: Option<f64>,
    /// Average precision (as scikit-learn's `average_precision_score`).
    pub average_precision: Option<f64>,
    /// Brier score (probabilities only).
    pub brier: Option<f64>,
    /// Log loss (probabilities only).
    pub log_loss: Option<f64>,
    /// Expected calibration error, 10 equal-width bins (probabilities only).
    pub ece: Option<f64>,
    /// Calibration slope (probabilities only; 1 is ideal).
    pub calibration_slope: Option<f64>,
    /// Calibration-in-the-large (probabilities only; 0 is ideal).
    pub calibration_intercept: Option<f64>,
    /// Reliability bins (probabilities only).
    pub reliability: Option<Vec<ReliabilityBin>>,
    /// The positive-call rule.
    pub positive_rule: String,
    /// Figures at that rule (`None` when the tool has none).
    pub at_rule: Option<AtRule>,
    /// Decision curve: of the probability, or, for other tools, of the tool's
    /// positive call as a yes/no test.
    pub decision_curve: Vec<DecisionPoint>,
    /// What the decision curve is of: `probability`, `positive_call`, or `none`
    /// (a ranking score without a threshold).
    pub decision_curve_of: &'static str,
    /// Workload per 1,000 incidents, for a tool that makes those decisions.
    pub workload_per_1000: Option<Workload>,
    /// Routing safety, for a tool that gives a conflict label.
    pub routing_safety: Option<RoutingSafety>,
    /// ROC curve points `[false positive rate, true positive rate]`, thinned.
    pub roc: Vec<[f64; 2]>,
}

/// A paired DeLong comparison with the reference tool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The tool.
    pub tool: String,
    /// The reference tool.
    pub reference: String,
    /// Records both scored.
    pub n: u64,
    /// AUC of the tool.
    pub auc: f64,
    /// AUC of the reference.
    pub auc_reference: f64,
    /// `auc - auc_reference`.
    pub difference: f64,
    /// Its 95% interval.
    pub ci95: [f64; 2],
    /// Two-sided p-value (`None` when both AUCs are identical on every record).
    pub p_value: Option<f64>,
}

/// Where a group's rate sits in the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelPosition {
    /// Inside the 95% limits.
    Within,
    /// Above the upper 95% limit, inside 99.8%.
    Above95,
    /// Below the lower 95% limit, inside 99.8%.
    Below95,
    /// Above the upper 99.8% limit.
    Above998,
    /// Below the lower 99.8% limit.
    Below998,
}

/// A rate of one group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupRate {
    /// The count (`None` when withheld).
    pub count: Option<u64>,
    /// The rate (a share, not per 1,000), with its exact 95% interval.
    pub rate: Option<f64>,
    /// Exact 95% interval.
    pub ci95: Option<[f64; 2]>,
    /// Where it sits in the funnel plot.
    pub funnel: Option<FunnelPosition>,
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// The group's value.
    pub group: String,
    /// Whether its figures are withheld (too few records, or to protect another
    /// group).
    pub suppressed: bool,
    /// Records.
    pub n: Option<u64>,
    /// True abuse among them.
    pub abuse: Option<u64>,
    /// The reference tool's AUC.
    pub auc: Option<f64>,
    /// Its 95% interval, by [`Evaluation::auc_ci95_method`].
    pub auc_ci95: Option<[f64; 2]>,
    /// Why `auc_ci95` is `None` though `auc` is given (every score in the group
    /// the same).
    pub auc_ci95_note: Option<String>,
    /// The reference tool's calibration-in-the-large.
    pub calibration_intercept: Option<f64>,
    /// Its 95% (Wald) interval.
    pub calibration_intercept_ci95: Option<[f64; 2]>,
    /// MARAC referrals (the scorer's).
    pub marac: GroupRate,
    /// CSC notifications (the scorer's).
    pub csc: GroupRate,
    /// Parental-conflict labels (the scorer's).
    pub conflict: GroupRate,
    /// Graded medium or high risk (the DASH grade, with judgement): the rate most
    /// sensitive to how answers are recorded.
    pub medium_or_high: GroupRate,
}

/// One point of a funnel's limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FunnelLimit {
    /// Group size.
    pub n: u64,
    /// Lower and upper 95% limits.
    pub lower95: f64,
    /// See `lower95`.
    pub upper95: f64,
    /// Lower and upper 99.8% limits.
    pub lower998: f64,
    /// See `lower998`.
    pub upper998: f64,
}

/// A funnel plot of one rate across groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    /// `conflict`, `marac`, `csc` or `medium_or_high`.
    pub figure: &'static str,
    /// What the rate is.
    pub label: &'static str,
    /// The overall rate (the funnel's centre line).
    pub target: f64,
    /// Exact binomial limits (Spiegelhalter 2005) over the shown group sizes.
    pub limits: Vec<FunnelLimit>,
    /// Groups outside the 95% limits.
    pub outside95: Vec<String>,
    /// Groups outside the 99.8% limits.
    pub outside998: Vec<String>,
}

/// The figures by one group-by column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    /// The column.
    pub column: String,
    /// The tool whose AUC and calibration the rows show.
    pub reference: Option<String>,
    /// Groups in the data.
    pub groups: u64,
    /// Groups withheld.
    pub suppressed_groups: u64,
    /// The rows, largest group first.
    pub rows: Vec<GroupRow>,
    /// Funnel plots of the conflict-label, MARAC, CSC and medium-or-high rates.
    pub funnels: Vec<Funnel>,
    /// Groups whose calibration-in-the-large interval excludes 0, largest
    /// departure first: the reference tool's probabilities run too low (above 0)
    /// or too high (below 0) on their records, as when answers are recorded
    /// differently.
    pub miscalibrated: Vec<String>,
}

/// The records behind the figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Records {
    /// Records read.
    pub read: u64,
    /// Records evaluated (read, with a label and no error).
    pub evaluated: u64,
    /// Left out: no label.
    pub missing_label: u64,
    /// Left out: could not be read (reported on standard error).
    pub errors: u64,
    /// Evaluated records labelled abuse.
    pub abuse: u64,
    /// Evaluated records labelled not abuse.
    pub not_abuse: u64,
    /// `abuse / evaluated`.
    pub prevalence: Option<f64>,
}

/// Every figure of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// Whether the input is synthetic.
    pub synthetic: bool,
    /// What that means, when it is.
    pub synthetic_notice: Option<&'static str>,
    /// The input's name.
    pub source: String,
    /// The label column.
    pub label: String,
    /// The scorer's rules version.
    pub scorer_version: String,
    /// The calibration's version.
    pub calibration_version: String,
    /// The records.
    pub records: Records,
    /// The threshold of probability tools' positive calls.
    pub threshold: f64,
    /// The method of every `auc_ci95` (of the tools and of the groups' rows):
    /// [`metrics::AUC_INTERVAL_METHOD`], Newcombe's (2006) score interval. The
    /// comparisons' `ci95` are DeLong's paired intervals.
    pub auc_ci95_method: &'static str,
    /// The tools, in the order asked for.
    pub tools: Vec<ToolReport>,
    /// Each tool against the reference, by DeLong's paired test.
    pub comparisons: Vec<Comparison>,
    /// What part of the screening rule could be applied.
    pub screen: Option<ScreenCoverage>,
    /// The small-cell rule applied to group figures.
    pub min_cell: u64,
    /// That rule in words.
    pub suppression: String,
    /// By group-by column.
    pub groups: Vec<GroupReport>,
    /// Caveats and how the figures were made.
    pub notes: Vec<String>,
}

/// What a synthetic input means for the figures.
pub const SYNTHETIC_NOTICE: &str = "SYNTHETIC DATA: these figures come from generated records (dashrisk synth), not from real incidents. They show how the evaluation works and say nothing about how any tool performs on real cases.";

/// Decision-curve thresholds: 0.01 to 0.99 by 0.01.
fn thresholds() -> Vec<f64> {
    (1..100).map(|i| f64::from(i) / 100.0).collect()
}

/// The finite scores of a tool, with their labels and row indices.
fn scored(tool: &Tool, labels: &[bool]) -> (Vec<f64>, Vec<bool>) {
    tool.scores
        .iter()
        .zip(labels)
        .filter(|(s, _)| s.is_finite())
        .map(|(&s, &y)| (s, y))
        .unzip()
}

/// ROC points, thinned so that consecutive points differ by at least 0.004 in
/// either rate (the curve keeps its shape; the JSON stays small).
pub fn roc_points(scores: &[f64], labels: &[bool]) -> Vec<[f64; 2]> {
    let p = labels.iter().filter(|&&y| y).count() as f64;
    let n = labels.len() as f64 - p;
    if p == 0.0 || n == 0.0 {
        return Vec::new();
    }
    // Highest first; tied scores make one point.
    let mut order = metrics::ascending_order(scores);
    order.reverse();
    let mut out = vec![[0.0, 0.0]];
    let (mut tp, mut fp) = (0.0, 0.0);
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
        let pt = [fp / n, tp / p];
        let last = out[out.len() - 1];
        if i == order.len() || (pt[0] - last[0]).abs() >= 0.004 || (pt[1] - last[1]).abs() >= 0.004
        {
            out.push(pt);
        }
    }
    out
}

fn per_1000(count: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        count as f64 * 1000.0 / n as f64
    }
}

fn has(f: u16, bit: u16) -> bool {
    f & bit != 0
}

fn workload(basis: WorkloadBasis, facts: &[u16]) -> Workload {
    let n = facts.len() as u64;
    let count = |test: &dyn Fn(u16) -> bool| facts.iter().filter(|&&f| test(f)).count() as u64;
    match basis {
        WorkloadBasis::Scorer => Workload {
            basis,
            marac: per_1000(count(&|f| has(f, fact::MARAC)), n),
            csc: per_1000(count(&|f| has(f, fact::CSC)), n),
            school: per_1000(count(&|f| has(f, fact::SCHOOL)), n),
            rpc_or_early_help: per_1000(
                count(&|f| has(f, fact::RPC) || has(f, fact::EARLY_HELP)),
                n,
            ),
        },
        WorkloadBasis::TodaysPractice => Workload {
            basis,
            marac: per_1000(count(&|f| has(f, fact::MARAC)), n),
            csc: per_1000(count(&|f| notified_today(f)), n),
            school: per_1000(count(&|f| has(f, fact::CHILDREN)), n),
            rpc_or_early_help: 0.0,
        },
    }
}

fn routing_safety(labels: &[bool], facts: &[u16]) -> RoutingSafety {
    let n = labels.len() as u64;
    let (mut abuse, mut abuse_conflict, mut other, mut other_rpc) = (0, 0, 0, 0);
    let (mut today, mut tool, mut losing) = (0u64, 0u64, 0u64);
    for (&y, &f) in labels.iter().zip(facts) {
        if y {
            abuse += 1;
            abuse_conflict += u64::from(has(f, fact::CONFLICT));
        } else {
            other += 1;
            other_rpc += u64::from(has(f, fact::RPC));
        }
        today += u64::from(notified_today(f));
        tool += u64::from(has(f, fact::CSC));
        losing += u64::from(y && notified_today(f) && !has(f, fact::CSC));
    }
    let avoided = today as i64 - tool as i64;
    RoutingSafety {
        abuse_labelled_conflict: Proportion::new(abuse_conflict, abuse),
        non_abuse_to_rpc: Proportion::new(other_rpc, other),
        csc_today: today,
        csc_tool: tool,
        csc_avoided: avoided,
        csc_avoided_per_1000: if n == 0 {
            0.0
        } else {
            avoided as f64 * 1000.0 / n as f64
        },
        abuse_with_children_losing_notification: losing,
    }
}

/// The tool's report, and its AUC parts when it scored every record (for the
/// comparisons, which then need not rank its scores again).
fn tool_report(
    tool: &Tool,
    labels: &[bool],
    facts: &[u16],
) -> (ToolReport, Option<metrics::AucParts>) {
    let (s, y) = scored(tool, labels);
    let prob = tool.kind == ToolKind::Probability;
    let parts = metrics::auc_parts(&s, &y);
    let delong = parts.as_ref().map(metrics::AucParts::interval);
    let when = |v: Option<f64>| if prob { v } else { None };
    let at_rule = tool.positive_from.map(|from| {
        let confusion = metrics::confusion(&s, &y, from);
        AtRule {
            confusion,
            positive_per_1000: per_1000(confusion.tp + confusion.fp, s.len() as u64),
        }
    });
    let calls: Option<Vec<f64>> = tool.positive_from.map(|from| {
        s.iter()
            .map(|&v| if v >= from { 1.0 } else { 0.0 })
            .collect()
    });
    let report = ToolReport {
        tool: tool.name.clone(),
        description: tool.description.clone(),
        kind: tool.kind,
        probability_note: tool.kind_note.clone(),
        n: s.len() as u64,
        missing_scores: (labels.len() - s.len()) as u64,
        auc: delong.map(|d| d.auc),
        auc_ci95: delong.and_then(|d| d.ci95).map(|(l, h)| [l, h]),
        auc_ci95_note: delong.and_then(|d| d.ci95_note).map(String::from),
        auc_se: delong.map(|d| d.se),
        average_precision: metrics::average_precision(&s, &y),
        brier: when(metrics::brier(&s, &y)),
        log_loss: when(metrics::log_loss(&s, &y)),
        ece: when((!s.is_empty()).then(|| metrics::ece(&s, &y))),
        calibration_slope: when(metrics::calibration_slope(&s, &y)),
        calibration_intercept: when(metrics::calibration_intercept(&s, &y)),
        reliability: prob.then(|| metrics::reliability(&s, &y, 10)),
        positive_rule: tool.positive_rule.clone(),
        at_rule,
        decision_curve: match (&calls, prob) {
            (_, true) => metrics::decision_curve(&s, &y, &thresholds()),
            (Some(c), false) => metrics::decision_curve(c, &y, &thresholds()),
            (None, false) => Vec::new(),
        },
        decision_curve_of: match (&calls, prob) {
            (_, true) => "probability",
            (Some(_), false) => "positive_call",
            (None, false) => "none",
        },
        workload_per_1000: tool.workload.map(|b| workload(b, facts)),
        routing_safety: tool.conflict_label.then(|| routing_safety(labels, facts)),
        roc: roc_points(&s, &y),
    };
    (report, parts.filter(|_| s.len() == labels.len()))
}

/// `tool` against `reference` on the records both scored. `parts` are the two
/// tools' AUC parts when each scored every record: then they are the parts of the
/// same records, and nothing is ranked again.
fn comparison(
    tool: &Tool,
    reference: &Tool,
    labels: &[bool],
    parts: (Option<&metrics::AucParts>, Option<&metrics::AucParts>),
) -> Option<Comparison> {
    let (p, n) = match parts {
        (Some(a), Some(b)) => (metrics::delong_paired_parts(a, b)?, labels.len()),
        _ => {
            let (mut a, mut b, mut y) = (Vec::new(), Vec::new(), Vec::new());
            for ((&sa, &sb), &l) in tool.scores.iter().zip(&reference.scores).zip(labels) {
                if sa.is_finite() && sb.is_finite() {
                    a.push(sa);
                    b.push(sb);
                    y.push(l);
                }
            }
            (metrics::delong_paired(&a, &b, &y)?, y.len())
        }
    };
    Some(Comparison {
        tool: tool.name.clone(),
        reference: reference.name.clone(),
        n: n as u64,
        auc: p.auc_a,
        auc_reference: p.auc_b,
        difference: p.difference,
        ci95: [p.ci95.0, p.ci95.1],
        p_value: p.p_value,
    })
}

/// Calibration-in-the-large with its Wald 95% interval: the intercept `a` of
/// `logit P(y) = a + logit(p)`, and `a ± 1.96 / sqrt(Σ q(1−q))` at the fit.
pub fn calibration_intercept_ci(p: &[f64], y: &[bool]) -> Option<(f64, [f64; 2])> {
    let a = metrics::calibration_intercept(p, y)?;
    let info: f64 = p
        .iter()
        .map(|&pi| {
            let q = pi.clamp(1e-6, 1.0 - 1e-6);
            let z = (q / (1.0 - q)).ln() + a;
            let r = 1.0 / (1.0 + (-z).exp());
            r * (1.0 - r)
        })
        .sum();
    if info <= 0.0 || !info.is_finite() {
        return None;
    }
    let half = 1.959_963_984_540_054 / info.sqrt();
    Some((a, [a - half, a + half]))
}

/// The `q`-quantile of a binomial proportion with `n` trials and rate `p0`,
/// interpolated as in Spiegelhalter (2005, appendix A.1.1) so that the limits are
/// smooth in `n`: with `r` the smallest count whose CDF reaches `q`, the limit is
/// `(r − α) / n`, `α = (F(r) − q) / (F(r) − F(r − 1))`.
pub fn funnel_limit(n: u64, p0: f64, q: f64) -> f64 {
    if n == 0 {
        return p0;
    }
    let Ok(b) = Binomial::new(p0.clamp(0.0, 1.0), n) else {
        return p0;
    };
    let r = b.inverse_cdf(q).min(n);
    let fr = b.cdf(r);
    let frm1 = if r == 0 { 0.0 } else { b.cdf(r - 1) };
    let alpha = if fr > frm1 {
        (fr - q) / (fr - frm1)
    } else {
        0.0
    };
    ((r as f64 - alpha) / n as f64).clamp(0.0, 1.0)
}

fn limits_at(n: u64, p0: f64) -> FunnelLimit {
    FunnelLimit {
        n,
        lower95: funnel_limit(n, p0, 0.025),
        upper95: funnel_limit(n, p0, 0.975),
        lower998: funnel_limit(n, p0, 0.001),
        upper998: funnel_limit(n, p0, 0.999),
    }
}

/// Where `k` of `n` sits against the rate `p0`, by exact binomial tail
/// probabilities: above the 99.8% limit when P(X ≥ k) < 0.001, above the 95%
/// limit when P(X ≥ k) < 0.025, and below likewise with P(X ≤ k). (The drawn
/// limits are Spiegelhalter's interpolated ones, which at small `n` can lie inside
/// the most extreme count; the tails never flag a count that is not unusual.)
pub fn funnel_position(k: u64, n: u64, p0: f64) -> FunnelPosition {
    let Ok(b) = Binomial::new(p0.clamp(0.0, 1.0), n) else {
        return FunnelPosition::Within;
    };
    let k = k.min(n);
    let at_least = if k == 0 { 1.0 } else { b.sf(k - 1) };
    let at_most = b.cdf(k);
    if at_least < 0.001 {
        FunnelPosition::Above998
    } else if at_most < 0.001 {
        FunnelPosition::Below998
    } else if at_least < 0.025 {
        FunnelPosition::Above95
    } else if at_most < 0.025 {
        FunnelPosition::Below95
    } else {
        FunnelPosition::Within
    }
}

const GROUP_FIGURES: [(&str, &str, u16); 4] = [
    (
        "conflict",
        "Share labelled parental conflict",
        fact::CONFLICT,
    ),
    ("marac", "Share referred to MARAC", fact::MARAC),
    ("csc", "Share notified to children's social care", fact::CSC),
    (
        "medium_or_high",
        "Share graded medium or high risk",
        fact::MEDIUM_OR_HIGH,
    ),
];

/// One group column's counts: `n`, then abuse and each of [`GROUP_FIGURES`], per
/// group.
struct GroupCounts {
    n: Vec<u64>,
    /// `[abuse, conflict, marac, csc, medium_or_high][group]`.
    values: Vec<Vec<u64>>,
}

fn group_counts(g: &GroupColumn, data: &Data) -> GroupCounts {
    let k = g.names.len();
    let mut n = vec![0u64; k];
    let mut values = vec![vec![0u64; k]; 1 + GROUP_FIGURES.len()];
    for (i, &gi) in g.of_row.iter().enumerate() {
        let gi = gi as usize;
        n[gi] += 1;
        values[0][gi] += u64::from(data.labels[i]);
        for (j, (_, _, bit)) in GROUP_FIGURES.iter().enumerate() {
            values[j + 1][gi] += u64::from(has(data.facts[i], *bit));
        }
    }
    GroupCounts { n, values }
}

/// A group column's cells in the shared grid: each group's `n`, and each value's
/// count per group (`[value][group]`).
struct GroupCells {
    n: Vec<usize>,
    counts: Vec<Vec<usize>>,
}

/// The counts of every group column in one suppression problem, so that no two
/// breakdowns can be subtracted from each other (an area's figure minus its shown
/// officers' is what its withheld officers have).
///
/// Per column: the total and each group's n; for abuse and each figure, the
/// overall count, each group's count and its (implied) complement. The overall
/// counts are public: the report states them in full (the record count, the
/// overall rates), so they are never withheld and the group counts are protected
/// against them. Between every two columns: the cross-table of the groups that
/// occur together, as implied cells (n, and each value and its complement), with
/// each group's count the sum of its row or column. Pairs that never occur are
/// left out, as zeros a reader may know (an officer works in one area).
fn group_grid(
    columns: &[GroupColumn],
    data: &Data,
    min_cell: u64,
) -> (Grid, Vec<GroupCells>, Vec<GroupCounts>, Suppressed) {
    let counts: Vec<GroupCounts> = columns.iter().map(|g| group_counts(g, data)).collect();
    let mut grid = Grid::new();
    let records = data.labels.len() as u64;
    let total = grid.public_cell(records);
    let value_totals: Vec<u64> = (0..1 + GROUP_FIGURES.len())
        .map(|j| {
            let mut t = 0;
            for (i, l) in data.labels.iter().enumerate() {
                t += match j {
                    0 => u64::from(*l),
                    _ => u64::from(has(data.facts[i], GROUP_FIGURES[j - 1].2)),
                };
            }
            t
        })
        .collect();
    let overall: Vec<(usize, usize)> = value_totals
        .iter()
        .map(|&v| {
            let o = grid.public_cell(v);
            let c = grid.public_cell(records - v);
            grid.relate(total, vec![o, c]);
            (o, c)
        })
        .collect();
    let mut cells = Vec::with_capacity(columns.len());
    // Each column's complement cells, `[value][group]`, for the cross-tables.
    let mut comp_cells: Vec<Vec<Vec<usize>>> = Vec::with_capacity(columns.len());
    for c in &counts {
        let k = c.n.len();
        let n_cells: Vec<usize> = c.n.iter().map(|&v| grid.cell(v, true)).collect();
        grid.relate(total, n_cells.clone());
        let mut count_cells = Vec::new();
        let mut comps_by_value = Vec::new();
        for (j, v) in c.values.iter().enumerate() {
            let value_cells: Vec<usize> = v.iter().map(|&x| grid.cell(x, true)).collect();
            grid.relate(overall[j].0, value_cells.clone());
            let mut comps = Vec::with_capacity(k);
            for gi in 0..k {
                let comp = grid.cell(c.n[gi] - v[gi], false);
                grid.relate(n_cells[gi], vec![value_cells[gi], comp]);
                comps.push(comp);
            }
            grid.relate(overall[j].1, comps.clone());
            count_cells.push(value_cells);
            comps_by_value.push(comps);
        }
        cells.push(GroupCells {
            n: n_cells,
            counts: count_cells,
        });
        comp_cells.push(comps_by_value);
    }
    for a in 0..columns.len() {
        for b in a + 1..columns.len() {
            // n, then each value, per pair of groups that occur together.
            let mut pairs: std::collections::BTreeMap<(u32, u32), Vec<u64>> = Default::default();
            let (ga, gb) = (&columns[a].of_row, &columns[b].of_row);
            for i in 0..data.labels.len() {
                let e = pairs
                    .entry((ga[i], gb[i]))
                    .or_insert_with(|| vec![0; 2 + GROUP_FIGURES.len()]);
                e[0] += 1;
                e[1] += u64::from(data.labels[i]);
                for (j, (_, _, bit)) in GROUP_FIGURES.iter().enumerate() {
                    e[j + 2] += u64::from(has(data.facts[i], *bit));
                }
            }
            let v = 1 + GROUP_FIGURES.len();
            // Sums of the cross cells by group of a and of b: n, values, complements.
            let mut by_a: Vec<Vec<Vec<usize>>> =
                vec![vec![Vec::new(); columns[a].names.len()]; 1 + 2 * v];
            let mut by_b: Vec<Vec<Vec<usize>>> =
                vec![vec![Vec::new(); columns[b].names.len()]; 1 + 2 * v];
            for (&(x, y), e) in &pairs {
                let n_ab = grid.cell(e[0], false);
                by_a[0][x as usize].push(n_ab);
                by_b[0][y as usize].push(n_ab);
                for j in 0..v {
                    let c = grid.cell(e[j + 1], false);
                    let comp = grid.cell(e[0] - e[j + 1], false);
                    grid.relate(n_ab, vec![c, comp]);
                    for (slot, cell) in [(1 + j, c), (1 + v + j, comp)] {
                        by_a[slot][x as usize].push(cell);
                        by_b[slot][y as usize].push(cell);
                    }
                }
            }
            for (col, sums) in [(a, by_a), (b, by_b)] {
                for (slot, per_group) in sums.into_iter().enumerate() {
                    for (gi, parts) in per_group.into_iter().enumerate() {
                        if parts.is_empty() {
                            continue;
                        }
                        let total = match slot {
                            0 => cells[col].n[gi],
                            s if s <= v => cells[col].counts[s - 1][gi],
                            s => comp_cells[col][s - 1 - v][gi],
                        };
                        grid.relate(total, parts);
                    }
                }
            }
        }
    }
    debug_assert!(grid.check().is_ok());
    let sup = grid.suppress(min_cell);
    (grid, cells, counts, sup)
}

fn group_report(
    g: &GroupColumn,
    data: &Data,
    reference: Option<&Tool>,
    (grid, cells, counts, sup): (&Grid, &GroupCells, &GroupCounts, &Suppressed),
) -> GroupReport {
    let k = g.names.len();
    let n = &counts.n;
    let fig: Vec<[u64; 4]> = (0..k)
        .map(|gi| std::array::from_fn(|j| counts.values[j + 1][gi]))
        .collect();
    let n_cells = &cells.n;
    let count_cells = &cells.counts;
    // Group rows: shown only when n is shown.
    let shown = |cell: usize| sup.shown(grid, cell);
    let mut rows = Vec::with_capacity(k);
    let mut by_group: Vec<(Vec<f64>, Vec<bool>)> = vec![(Vec::new(), Vec::new()); k];
    if let Some(t) = reference {
        for (i, &gi) in g.of_row.iter().enumerate() {
            let s = t.scores[i];
            if s.is_finite() {
                by_group[gi as usize].0.push(s);
                by_group[gi as usize].1.push(data.labels[i]);
            }
        }
    }
    let overall_n: u64 = n.iter().sum();
    let targets: Vec<f64> = (0..4)
        .map(|j| {
            let c: u64 = fig.iter().map(|f| f[j]).sum();
            if overall_n == 0 {
                0.0
            } else {
                c as f64 / overall_n as f64
            }
        })
        .collect();
    for gi in 0..k {
        let Some(ng) = shown(n_cells[gi]) else {
            rows.push(GroupRow {
                group: g.names[gi].clone(),
                suppressed: true,
                n: None,
                abuse: None,
                auc: None,
                auc_ci95: None,
                auc_ci95_note: None,
                calibration_intercept: None,
                calibration_intercept_ci95: None,
                marac: withheld_rate(),
                csc: withheld_rate(),
                conflict: withheld_rate(),
                medium_or_high: withheld_rate(),
            });
            continue;
        };
        let abuse_shown = shown(count_cells[0][gi]);
        let (s, y) = &by_group[gi];
        let (auc, auc_ci, auc_ci_note, cal, cal_ci) = match (abuse_shown, reference) {
            (Some(_), Some(t)) => {
                let d = metrics::roc_auc_delong(s, y);
                let c = (t.kind == ToolKind::Probability)
                    .then(|| calibration_intercept_ci(s, y))
                    .flatten();
                (
                    d.map(|d| d.auc),
                    d.and_then(|d| d.ci95).map(|(l, h)| [l, h]),
                    d.and_then(|d| d.ci95_note).map(String::from),
                    c.map(|c| c.0),
                    c.map(|c| c.1),
                )
            }
            _ => (None, None, None, None, None),
        };
        let rate = |j: usize| -> GroupRate {
            match shown(count_cells[j + 1][gi]) {
                None => withheld_rate(),
                Some(c) => GroupRate {
                    count: Some(c),
                    rate: Some(c as f64 / ng as f64),
                    ci95: clopper_pearson(c, ng),
                    funnel: Some(funnel_position(c, ng, targets[j])),
                },
            }
        };
        rows.push(GroupRow {
            group: g.names[gi].clone(),
            suppressed: false,
            n: Some(ng),
            abuse: abuse_shown,
            auc,
            auc_ci95: auc_ci,
            auc_ci95_note: auc_ci_note,
            calibration_intercept: cal,
            calibration_intercept_ci95: cal_ci,
            conflict: rate(0),
            marac: rate(1),
            csc: rate(2),
            medium_or_high: rate(3),
        });
    }
    rows.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.group.cmp(&b.group)));
    // Funnels over the shown groups' sizes.
    let sizes: Vec<u64> = rows.iter().filter_map(|r| r.n).collect();
    let funnels = GROUP_FIGURES
        .iter()
        .enumerate()
        .map(|(j, (key, label, _))| {
            let target = targets[j];
            let pick = |r: &GroupRow| match j {
                0 => r.conflict,
                1 => r.marac,
                2 => r.csc,
                _ => r.medium_or_high,
            };
            let outside = |strict: bool| -> Vec<String> {
                rows.iter()
                    .filter(|r| {
                        pick(r).funnel.is_some_and(|p| match p {
                            FunnelPosition::Above998 | FunnelPosition::Below998 => true,
                            FunnelPosition::Above95 | FunnelPosition::Below95 => !strict,
                            FunnelPosition::Within => false,
                        })
                    })
                    .map(|r| r.group.clone())
                    .collect()
            };
            Funnel {
                figure: key,
                label,
                target,
                limits: funnel_sizes(&sizes)
                    .into_iter()
                    .map(|m| limits_at(m, target))
                    .collect(),
                outside95: outside(false),
                outside998: outside(true),
            }
        })
        .collect();
    let mut off: Vec<(f64, String)> = rows
        .iter()
        .filter_map(|r| {
            let [lo, hi] = r.calibration_intercept_ci95?;
            let a = r.calibration_intercept?;
            (lo > 0.0 || hi < 0.0).then(|| (a.abs(), r.group.clone()))
        })
        .collect();
    off.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    GroupReport {
        miscalibrated: off.into_iter().map(|o| o.1).collect(),
        column: g.column.clone(),
        reference: reference.map(|t| t.name.clone()),
        groups: k as u64,
        suppressed_groups: rows.iter().filter(|r| r.suppressed).count() as u64,
        rows,
        funnels,
    }
}

fn withheld_rate() -> GroupRate {
    GroupRate {
        count: None,
        rate: None,
        ci95: None,
        funnel: None,
    }
}

/// Group sizes at which to draw the limits: 60 points spaced evenly on a log
/// scale from 10 (or the smallest shown group) to the largest, and each shown
/// group's exact size.
fn funnel_sizes(sizes: &[u64]) -> Vec<u64> {
    let (Some(&lo), Some(&hi)) = (sizes.iter().min(), sizes.iter().max()) else {
        return Vec::new();
    };
    // From 10 records (or the smallest group, if smaller), so that the funnel's
    // shape shows even when every group is large.
    let lo = lo.clamp(1, 10);
    let mut out: Vec<u64> = (0..=60)
        .map(|i| {
            let t = f64::from(i) / 60.0;
            ((lo as f64).ln() * (1.0 - t) + (hi as f64 * 1.05).ln() * t)
                .exp()
                .round() as u64
        })
        .collect();
    out.extend_from_slice(sizes);
    out.sort_unstable();
    out.dedup();
    out
}

/// `f` of each item, in order: on every core with the feature `parallel`
/// (`dashrisk::batch::map_each`; the tools, comparisons and breakdowns are
/// independent), else one after another. The figures are the same either way.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        dashrisk::batch::map_each(items, dashrisk::batch::threads(), f)
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().map(f).collect()
    }
}

/// Computes every figure.
pub fn evaluate(data: &Data, opts: &Options) -> Evaluation {
    let labels = &data.labels;
    let abuse = labels.iter().filter(|&&y| y).count() as u64;
    let n = labels.len() as u64;
    let (tools, parts): (Vec<ToolReport>, Vec<Option<metrics::AucParts>>) =
        par_map(&data.tools, |t| tool_report(t, labels, &data.facts))
            .into_iter()
            .unzip();
    let reference = opts
        .reference
        .as_ref()
        .and_then(|r| data.tools.iter().position(|t| &t.name == r));
    // The comparisons and the breakdowns, together on every core.
    enum Job {
        Compare(usize, usize),
        Group(usize),
    }
    enum Done {
        Compared(Option<Comparison>),
        Grouped(GroupReport),
    }
    let mut jobs: Vec<Job> = Vec::new();
    if let Some(r) = reference {
        // Every other tool, by name (a tool named like the reference is the
        // reference).
        let name = &data.tools[r].name;
        jobs.extend(
            (0..data.tools.len())
                .filter(|&t| &data.tools[t].name != name)
                .map(|t| Job::Compare(t, r)),
        );
    }
    jobs.extend((0..data.groups.len()).map(Job::Group));
    // Every breakdown in one suppression problem: they can be differenced.
    let (grid, group_cells, group_counts, sup) = group_grid(&data.groups, data, opts.min_cell);
    let reference_tool = reference.map(|r| &data.tools[r]);
    let done = par_map(&jobs, |job| match *job {
        Job::Compare(t, r) => Done::Compared(comparison(
            &data.tools[t],
            &data.tools[r],
            labels,
            (parts[t].as_ref(), parts[r].as_ref()),
        )),
        Job::Group(g) => Done::Grouped(group_report(
            &data.groups[g],
            data,
            reference_tool,
            (&grid, &group_cells[g], &group_counts[g], &sup),
        )),
    });
    let (mut comparisons, mut groups) = (Vec::new(), Vec::new());
    for d in done {
        match d {
            Done::Compared(c) => comparisons.extend(c),
            Done::Grouped(g) => groups.push(g),
        }
    }
    Evaluation {
        schema: SCHEMA,
        synthetic: opts.synthetic,
        synthetic_notice: opts.synthetic.then_some(SYNTHETIC_NOTICE),
        source: opts.source.clone(),
        label: opts.label.clone(),
        scorer_version: opts.scorer_version.clone(),
        calibration_version: opts.calibration_version.clone(),
        records: Records {
            read: opts.records_read,
            evaluated: n,
            missing_label: opts.missing_label,
            errors: opts.errors,
            abuse,
            not_abuse: n - abuse,
            prevalence: (n > 0).then(|| abuse as f64 / n as f64),
        },
        threshold: opts.threshold,
        auc_ci95_method: metrics::AUC_INTERVAL_METHOD,
        tools,
        comparisons,
        screen: opts.screen.clone(),
        min_cell: opts.min_cell,
        suppression: evaluation_suppression_rule(opts.min_cell),
        groups,
        notes: opts.notes.clone(),
    }
}

/// The suppression rule of an evaluation: the summaries' rule, which here covers
/// the figures by group, and what it does not cover. The overall figures (the
/// records read and left out, each tool's confusion counts, the routing-safety
/// counts) are about the whole file and are what an evaluation is for, so they
/// are shown in full; the report says so rather than claiming every small count
/// is withheld.
pub fn evaluation_suppression_rule(min_cell: u64) -> String {
    let rule = crate::render::suppression_rule(min_cell);
    if min_cell <= 1 {
        return rule;
    }
    format!(
        "{rule} This applies to the figures by group. The overall figures (records read, \
         unlabelled and unreadable; each tool's counts at its threshold; the routing-safety \
         counts) describe the whole file and are shown in full, small ones included: \
         check them before the report leaves your organisation."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options for a test evaluation on synthetic labels `y`, with `p` as the
    /// reference tool.
    fn test_options(min_cell: u64, records_read: u64) -> Options {
        Options {
            label: "y".into(),
            source: "t".into(),
            synthetic: true,
            threshold: 0.5,
            min_cell,
            records_read,
            missing_label: 0,
            errors: 0,
            scorer_version: "s".into(),
            calibration_version: "c".into(),
            reference: Some("p".into()),
            screen: None,
            notes: vec![],
        }
    }

    /// The report does not claim that every small count is withheld: the rule names
    /// what it covers (the figures by group) and says the overall figures are shown.
    #[test]
    fn the_evaluation_rule_says_the_overall_figures_are_shown() {
        let rule = evaluation_suppression_rule(10);
        assert!(rule.starts_with(&crate::render::suppression_rule(10)));
        assert!(
            rule.contains("figures by group") && rule.contains("shown in full"),
            "{rule}"
        );
        assert_eq!(
            evaluation_suppression_rule(1),
            crate::render::suppression_rule(1)
        );
    }

    #[test]
    fn clopper_pearson_matches_known_values() {
        // R: binom.test(3, 10)$conf.int = 0.06673951 0.65245285
        let [lo, hi] = clopper_pearson(3, 10).unwrap();
        assert!((lo - 0.066_739_51).abs() < 1e-7, "{lo}");
        assert!((hi - 0.652_452_85).abs() < 1e-7, "{hi}");
        // binom.test(0, 20)$conf.int = 0 0.1684335
        let [lo, hi] = clopper_pearson(0, 20).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.168_433_5).abs() < 1e-6);
        let [lo, hi] = clopper_pearson(20, 20).unwrap();
        assert!((lo - (1.0 - 0.168_433_5)).abs() < 1e-6);
        assert_eq!(hi, 1.0);
        assert!(clopper_pearson(1, 0).is_none());
    }

    #[test]
    fn funnel_limits_bracket_the_target_and_narrow_with_n() {
        let p0 = 0.2;
        let mut last = 1.0;
        for n in [10u64, 50, 200, 1000, 10_000] {
            let l = limits_at(n, p0);
            assert!(l.lower998 <= l.lower95 && l.lower95 <= p0 && p0 <= l.upper95);
            assert!(l.upper95 <= l.upper998);
            let width = l.upper95 - l.lower95;
            assert!(width < last, "n={n}: {width} not below {last}");
            last = width;
        }
        // Normal approximation at large n: p0 ± 1.96 sqrt(p0 q0 / n).
        let l = limits_at(10_000, p0);
        let half = 1.96 * (p0 * (1.0 - p0) / 10_000.0f64).sqrt();
        assert!((l.upper95 - (p0 + half)).abs() < 5e-4, "{}", l.upper95);
        assert!((l.lower95 - (p0 - half)).abs() < 5e-4, "{}", l.lower95);
        // Positions, by the exact tails (scipy.stats.binom, scipy 1.17.1): P(X >= 28 | 100,
        // 0.2) = 0.0342, P(X >= 29) = 0.0200, P(X >= 33) = 0.00155, P(X >= 34) =
        // 0.000737; P(X <= 12) = 0.0253, P(X <= 11) = 0.0126, P(X <= 9) = 0.00233,
        // P(X <= 8) = 0.000855.
        assert_eq!(funnel_position(20, 100, 0.2), FunnelPosition::Within);
        assert_eq!(funnel_position(28, 100, 0.2), FunnelPosition::Within);
        assert_eq!(funnel_position(29, 100, 0.2), FunnelPosition::Above95);
        assert_eq!(funnel_position(33, 100, 0.2), FunnelPosition::Above95);
        assert_eq!(funnel_position(34, 100, 0.2), FunnelPosition::Above998);
        assert_eq!(funnel_position(12, 100, 0.2), FunnelPosition::Within);
        assert_eq!(funnel_position(11, 100, 0.2), FunnelPosition::Below95);
        assert_eq!(funnel_position(9, 100, 0.2), FunnelPosition::Below95);
        assert_eq!(funnel_position(8, 100, 0.2), FunnelPosition::Below998);
        // A single record is never unusual, whatever it shows.
        assert_eq!(funnel_position(1, 1, 0.5), FunnelPosition::Within);
        assert_eq!(funnel_position(0, 1, 0.5), FunnelPosition::Within);
    }

    #[test]
    fn the_interpolated_limit_is_the_binomial_quantile_at_whole_counts() {
        // Where F(r) == q exactly the limit is r/n; otherwise it lies in (r-1, r]/n.
        for n in [7u64, 30, 101] {
            for &q in &[0.025, 0.975, 0.001, 0.999] {
                let l = funnel_limit(n, 0.3, q) * n as f64;
                let b = Binomial::new(0.3, n).unwrap();
                let r = b.inverse_cdf(q) as f64;
                assert!(
                    l <= r + 1e-9 && l > r - 1.0 - 1e-9,
                    "n={n} q={q}: {l} vs r={r}"
                );
            }
        }
    }

    #[test]
    fn roc_points_run_from_origin_to_one() {
        let s = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
        let y = [true, false, true, true, false, false];
        let r = roc_points(&s, &y);
        assert_eq!(r[0], [0.0, 0.0]);
        assert_eq!(*r.last().unwrap(), [1.0, 1.0]);
        assert!(r
            .windows(2)
            .all(|w| w[1][0] >= w[0][0] && w[1][1] >= w[0][1]));
        assert_eq!(r[1], [0.0, 1.0 / 3.0]);
    }

    #[test]
    fn routing_safety_counts_each_part_from_the_right_records() {
        use fact::*;
        // Today notifies records 0, 1, 2, 4 (children, or not known); the tool
        // notifies 1, 3, 5. Abuse: 0, 1, 2, 3.
        let labels = [true, true, true, true, false, false, false];
        let facts = [
            CHILDREN | CONFLICT,
            CHILDREN | CSC,
            CHILDREN_NOT_KNOWN,
            CSC,
            CHILDREN | RPC | CONFLICT,
            CSC | RPC,
            0,
        ];
        let r = routing_safety(&labels, &facts);
        assert_eq!((r.csc_today, r.csc_tool), (4, 3));
        assert_eq!(r.csc_avoided, 1);
        assert!((r.csc_avoided_per_1000 - 1000.0 / 7.0).abs() < 1e-9);
        // Abuse records notified today and not by the tool: 0 and 2.
        assert_eq!(r.abuse_with_children_losing_notification, 2);
        assert_eq!(
            (
                r.abuse_labelled_conflict.count,
                r.abuse_labelled_conflict.of
            ),
            (1, 4)
        );
        assert_eq!((r.non_abuse_to_rpc.count, r.non_abuse_to_rpc.of), (2, 3));
        // The tool notifying more is a negative saving, per 1,000 too.
        let r = routing_safety(&[true, false], &[CSC, CSC | CHILDREN]);
        assert_eq!((r.csc_today, r.csc_tool, r.csc_avoided), (1, 2, -1));
        assert!((r.csc_avoided_per_1000 + 500.0).abs() < 1e-9);
        let empty = routing_safety(&[], &[]);
        assert_eq!(empty.csc_avoided_per_1000, 0.0);
    }

    #[test]
    fn calibration_intercept_interval_holds_the_estimate_and_narrows() {
        let p: Vec<f64> = (0..400)
            .map(|i| 0.1 + 0.8 * f64::from(i % 10) / 9.0)
            .collect();
        let y: Vec<bool> = (0..400).map(|i| i % 3 == 0).collect();
        let (a, [lo, hi]) = calibration_intercept_ci(&p, &y).unwrap();
        assert!(lo < a && a < hi);
        let (_, [lo2, hi2]) = calibration_intercept_ci(&p[..100], &y[..100]).unwrap();
        assert!(hi2 - lo2 > hi - lo);
    }

    fn tool(name: &str, kind: ToolKind, scores: Vec<f64>) -> Tool {
        Tool {
            name: name.into(),
            description: String::new(),
            kind,
            kind_note: None,
            scores,
            positive_from: Some(0.5),
            positive_rule: String::new(),
            workload: Some(WorkloadBasis::Scorer),
            conflict_label: true,
        }
    }

    #[test]
    fn ranking_tools_get_no_probability_figures_and_routing_counts_add_up() {
        use fact::*;
        let labels = vec![true, true, false, false, true, false];
        let facts = vec![
            CONFLICT | CHILDREN,
            MARAC | CSC | CHILDREN,
            RPC | CHILDREN,
            CONFLICT,
            CSC,
            EARLY_HELP,
        ];
        let data = Data {
            labels: labels.clone(),
            facts,
            tools: vec![
                tool(
                    "p",
                    ToolKind::Probability,
                    vec![0.2, 0.9, 0.1, 0.3, 0.7, f64::NAN],
                ),
                tool(
                    "count",
                    ToolKind::Ranking,
                    vec![3.0, 9.0, 1.0, 2.0, 8.0, 0.0],
                ),
            ],
            groups: vec![],
        };
        let opts = test_options(1, 6);
        let e = evaluate(&data, &opts);
        let p = &e.tools[0];
        assert_eq!((p.n, p.missing_scores), (5, 1));
        assert!(p.brier.is_some() && p.ece.is_some() && p.reliability.is_some());
        let c = &e.tools[1];
        assert!(c.auc.is_some());
        assert!(c.brier.is_none() && c.log_loss.is_none() && c.ece.is_none());
        assert!(c.calibration_slope.is_none() && c.reliability.is_none());
        assert_eq!(c.decision_curve_of, "positive_call");
        let r = p.routing_safety.unwrap();
        assert_eq!(
            (
                r.abuse_labelled_conflict.count,
                r.abuse_labelled_conflict.of
            ),
            (1, 3)
        );
        assert_eq!((r.non_abuse_to_rpc.count, r.non_abuse_to_rpc.of), (1, 3));
        assert_eq!((r.csc_today, r.csc_tool, r.csc_avoided), (3, 2, 1));
        assert_eq!(r.abuse_with_children_losing_notification, 1);
        let w = p.workload_per_1000.unwrap();
        assert!((w.rpc_or_early_help - 2000.0 / 6.0).abs() < 1e-9);
        assert!((w.marac - 1000.0 / 6.0).abs() < 1e-9);
        assert_eq!(e.comparisons.len(), 1);
        assert_eq!(e.comparisons[0].n, 5);
        assert!(e.synthetic_notice.is_some());
    }

    /// One group column from per-group counts `[n, abuse, conflict, marac, csc,
    /// medium_or_high]`: in each group, the first `abuse` records are labelled
    /// abuse and the first `count` records have each figure.
    fn grouped(rows: &[[u64; 6]]) -> Data {
        use fact::*;
        let mut data = Data {
            labels: vec![],
            facts: vec![],
            tools: vec![],
            groups: vec![GroupColumn {
                column: "officer".into(),
                names: (0..rows.len()).map(|g| format!("o{g}")).collect(),
                of_row: vec![],
            }],
        };
        for (g, c) in rows.iter().enumerate() {
            for i in 0..c[0] {
                data.labels.push(i < c[1]);
                let bits = [CONFLICT, MARAC, CSC, MEDIUM_OR_HIGH];
                let f = bits
                    .iter()
                    .zip(&c[2..])
                    .filter(|(_, &k)| i < k)
                    .fold(0, |f, (b, _)| f | b);
                data.facts.push(f);
                data.groups[0].of_row.push(g as u32);
            }
        }
        let scores = (0..data.labels.len())
            .map(|i| (i % 10) as f64 / 10.0)
            .collect();
        data.tools.push(tool("p", ToolKind::Probability, scores));
        data
    }

    /// The review's finding 7: a group of 150 records all labelled abuse (its
    /// implied "not abuse" count is 0) among twelve ordinary officers, whose
    /// parental-conflict counts are small (the counts of its reproduction,
    /// `synth --n 3000 --seed 7 --set officers=12`, at `--min-cell 1`). The group
    /// has no count from 1 to 9, and showing it determines no small count; it was
    /// withheld whole, with officer-003.
    #[test]
    fn a_group_whose_figure_equals_its_size_keeps_its_row() {
        let rows: [[u64; 6]; 13] = [
            [237, 139, 5, 39, 158, 42],
            [231, 140, 6, 38, 163, 19],
            [214, 128, 4, 47, 144, 41],
            [237, 137, 9, 35, 148, 33],
            [227, 133, 3, 36, 148, 29],
            [254, 144, 0, 38, 170, 36],
            [227, 123, 9, 45, 148, 29],
            [232, 136, 4, 44, 155, 35],
            [227, 136, 4, 41, 151, 42],
            [268, 154, 0, 42, 185, 41],
            [263, 158, 7, 42, 192, 30],
            [233, 131, 3, 37, 163, 26],
            [150, 150, 0, 41, 98, 23],
        ];
        let data = grouped(&rows);
        let (grid, cells, _, sup) = group_grid(&data.groups, &data, 10);
        // Every group keeps its row: none has fewer than 10 records.
        for (gi, &n) in cells[0].n.iter().enumerate() {
            assert!(!sup.is_suppressed(n), "group {gi} withheld");
        }
        // Withheld: the ten parental-conflict counts from 1 to 9, and nothing else
        // (they add up to 54, and each has its hidden complement beside it). It
        // was 25 counts and two whole rows.
        let withheld: Vec<(usize, usize)> = (0..cells[0].counts.len())
            .flat_map(|j| (0..rows.len()).map(move |gi| (j, gi)))
            .filter(|&(j, gi)| sup.is_suppressed(cells[0].counts[j][gi]))
            .collect();
        let small: Vec<(usize, usize)> = (0..rows.len())
            .filter(|&gi| (1..10).contains(&rows[gi][2]))
            .map(|gi| (1, gi))
            .collect();
        assert_eq!(withheld, small);
        assert_eq!(small.len(), 10);
        assert_eq!(sup.shown(&grid, cells[0].counts[0][12]), Some(150));
        // And in the report: the group's row, with its rates.
        let opts = test_options(10, data.labels.len() as u64);
        let e = evaluate(&data, &opts);
        assert_eq!(e.groups[0].suppressed_groups, 0);
        let x = e.groups[0].rows.iter().find(|r| r.group == "o12").unwrap();
        assert_eq!((x.n, x.abuse), (Some(150), Some(150)));
        assert_eq!(x.csc.count, Some(98));
    }

    /// The AUC intervals, of the tools and of the groups, are
    /// `metrics::roc_auc_delong`'s (Newcombe's score interval), named by
    /// `auc_ci95_method`; a group whose records all have the same score, and a tool
    /// with one score for every record, get no interval and the reason (not a
    /// zero-width [0.5, 0.5]); a group whose pairs are all ordered rightly gets an
    /// interval below 1 (not [1, 1]). The renderers show the same.
    #[test]
    fn auc_intervals_are_newcombe_s_and_say_why_when_there_is_none() {
        let mut data = grouped(&[[20, 10, 0, 0, 0, 0]; 3]);
        let scores: Vec<f64> = (0..60)
            .map(|i| match (i / 20, i % 20 < 10) {
                (0, _) => 0.5,
                (1, abuse) => {
                    if abuse {
                        0.9
                    } else {
                        0.1
                    }
                }
                _ => f64::from(i % 7) / 7.0,
            })
            .collect();
        data.tools[0].scores = scores.clone();
        data.tools
            .push(tool("flat", ToolKind::Ranking, vec![2.0; 60]));
        let e = evaluate(&data, &test_options(1, 60));
        assert_eq!(e.auc_ci95_method, metrics::AUC_INTERVAL_METHOD);
        // The tools.
        let p = &e.tools[0];
        let want = metrics::roc_auc_delong(&scores, &data.labels).unwrap();
        assert_eq!(p.auc_ci95, want.ci95.map(|(l, h)| [l, h]));
        assert!(p.auc_ci95.is_some() && p.auc_ci95_note.is_none());
        assert_eq!(p.auc_se, Some(want.se));
        let flat = &e.tools[1];
        assert_eq!((flat.auc, flat.auc_ci95), (Some(0.5), None));
        assert_eq!(
            flat.auc_ci95_note.as_deref(),
            Some(metrics::AUC_ALL_TIED_NOTE)
        );
        // The groups.
        let row = |g: &str| e.groups[0].rows.iter().find(|r| r.group == g).unwrap();
        let (tied, separated, mixed) = (row("o0"), row("o1"), row("o2"));
        assert_eq!((tied.auc, tied.auc_ci95), (Some(0.5), None));
        assert_eq!(
            tied.auc_ci95_note.as_deref(),
            Some(metrics::AUC_ALL_TIED_NOTE)
        );
        assert_eq!(separated.auc, Some(1.0));
        let [low, high] = separated.auc_ci95.unwrap();
        assert!(low < 0.9 && high == 1.0, "[{low}, {high}]");
        assert_eq!(
            Some((low, high)),
            metrics::auc_score_interval(1.0, 10, 10),
            "10 and 10 records"
        );
        let [low, high] = mixed.auc_ci95.unwrap();
        assert!(low < mixed.auc.unwrap() && mixed.auc.unwrap() < high);
        assert!(separated.auc_ci95_note.is_none() && mixed.auc_ci95_note.is_none());
        // Rendered: the method named, "no interval" and its reason, never [0.500, 0.500].
        let json = crate::eval_render::json(&e);
        assert_eq!(json["auc_ci95_method"], metrics::AUC_INTERVAL_METHOD);
        assert!(json["tools"][1]["auc_ci95"].is_null());
        assert_eq!(
            json["tools"][1]["auc_ci95_note"],
            metrics::AUC_ALL_TIED_NOTE
        );
        assert!(json["groups"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["auc_ci95"].is_null() && r["auc_ci95_note"].is_string()));
        let html = crate::eval_render::html(&e);
        let text = crate::eval_render::text(&e);
        for out in [&html, &text] {
            assert!(out.contains("Newcombe"), "the method is named");
            assert!(out.contains("0.500 [no interval]"));
            assert!(!out.contains("0.500 [0.500"), "no zero-width interval");
        }
        assert!(html.contains("No AUC interval for o0: every record has the same score"));
        assert!(text.contains("No AUC interval for flat: every record has the same score"));
    }
}
