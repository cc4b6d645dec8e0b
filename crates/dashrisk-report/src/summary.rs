//! The call-out summary: counts and rates per 1,000 call-outs of every
//! classification, recording category, risk level, pathway, MARAC criterion and
//! notification, children in the household, recent transitions among
//! parental-conflict cases, and the questions left unanswered in unclear cases;
//! overall and broken down by group columns and period; small cells suppressed
//! ([`crate::suppress`]).
//!
//! Streaming: [`Tally::add`] takes one assessed record at a time and keeps only
//! counts, one row of them per group and period seen.

use crate::suppress::{Grid, Status, Suppressed};
use dashrisk::result::{Classification, MaracCriterion, Pathway, RiskLevel};
use dashrisk::{
    Assessment, CompactResult, NaiveDate, OpenQuestion, Transition, UnansweredQuestion,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The breakdown period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// `2025-03`.
    Month,
    /// `2025-Q1`.
    Quarter,
    /// `2025`.
    Year,
}

/// The period label of a record with no date.
pub const NO_DATE: &str = "date not known";

impl Period {
    /// The period `d` falls in.
    pub fn label(self, d: NaiveDate) -> String {
        let mut s = String::with_capacity(7);
        self.write_label(d, &mut s);
        s
    }

    /// [`Period::label`] appended to `out` (which keeps its room from row to row).
    pub fn write_label(self, d: NaiveDate, out: &mut String) {
        use chrono::Datelike;
        use std::fmt::Write;
        let _ = match self {
            Period::Month => write!(out, "{:04}-{:02}", d.year(), d.month()),
            Period::Quarter => write!(out, "{:04}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
            Period::Year => write!(out, "{:04}", d.year()),
        };
    }
}

/// A breakdown row: the values of the group columns, and the period.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RowKey {
    /// One value per group column, in the order given (`""` when blank).
    pub group: Vec<String>,
    /// The period, when a period was asked for.
    pub period: Option<String>,
}

/// A breakdown row of one [`Tally`], from [`Tally::row`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowId(usize);

/// What a figure counts among.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// All call-outs assessed.
    CallOuts,
    /// Call-outs classified parental conflict.
    ParentalConflict,
    /// Call-outs classified unclear.
    Unclear,
}

impl Denominator {
    /// Plain words for the rate's base.
    pub fn per_1000(self) -> &'static str {
        match self {
            Denominator::CallOuts => "per 1,000 call-outs",
            Denominator::ParentalConflict => "per 1,000 parental-conflict cases",
            Denominator::Unclear => "per 1,000 unclear cases",
        }
    }
}

/// A section of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The call-outs themselves.
    CallOuts,
    /// Classification.
    Classification,
    /// Recording category.
    RecordingCategory,
    /// Risk level.
    RiskLevel,
    /// Pathways.
    Pathways,
    /// MARAC referrals and their criteria.
    Marac,
    /// Notifications to children's social care and schools.
    Notifications,
    /// Children in the household.
    Children,
    /// Recent transitions among parental-conflict cases.
    Transitions,
    /// Questions left unanswered in unclear cases.
    Unanswered,
}

/// One figure: what it counts and among what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureDef {
    /// Stable key, e.g. `classification.parental_conflict`, `pathway.marac`,
    /// `unanswered.q3`.
    pub key: String,
    /// Plain words.
    pub label: String,
    /// The section it belongs to.
    pub section: Section,
    /// What it counts among.
    pub denominator: Denominator,
}

const CLASSES: [Classification; 3] = [
    Classification::ParentalConflict,
    Classification::Unclear,
    Classification::DomesticAbuse,
];
const LEVELS: [RiskLevel; 3] = [RiskLevel::Standard, RiskLevel::Medium, RiskLevel::High];
const PATHWAYS: [Pathway; 9] = [
    Pathway::Marac,
    Pathway::Idva,
    Pathway::SpecialistDaService,
    Pathway::VictimSupport,
    Pathway::RpcSupport,
    Pathway::EarlyHelp,
    Pathway::ChildrensSocialCare,
    Pathway::OperationEncompass,
    Pathway::ManagementOversight,
];
const CRITERIA: [MaracCriterion; 4] = [
    MaracCriterion::VisibleHighRisk,
    MaracCriterion::ProfessionalJudgement,
    MaracCriterion::PotentialEscalation,
    MaracCriterion::RepeatMarac,
];
const TRANSITIONS: [Transition; 5] = [
    Transition::Separation,
    Transition::NewBaby,
    Transition::Bereavement,
    Transition::ChildStartingSchool,
    Transition::EconomicPressure,
];

// Fixed figure indices.
const N: usize = 0;
const CLASS: usize = 1; // 3
const REC: usize = CLASS + 3; // 3, the same counts as the classification
const LEVEL: usize = REC + 3; // 3
const CHILD: usize = LEVEL + 3; // yes, no, not known
const PATH: usize = CHILD + 3; // 9
const MARAC: usize = PATH + 9;
const CRIT: usize = MARAC + 1; // 4
const CSC: usize = CRIT + 4;
const SCHOOL: usize = CSC + 1;
const TRANS_STATE: usize = SCHOOL + 1; // any, none, not known (among PC)
const TRANS: usize = TRANS_STATE + 3; // 5
const FIXED: usize = TRANS + 5;

fn fixed_defs() -> Vec<FigureDef> {
    use Denominator::*;
    let d = |key: String, label: &str, section, denominator| FigureDef {
        key,
        label: label.to_string(),
        section,
        denominator,
    };
    let mut v = vec![d(
        "call_outs".into(),
        "Call-outs assessed",
        Section::CallOuts,
        CallOuts,
    )];
    for (c, label) in CLASSES.iter().zip([
        "Parental conflict",
        "Unclear (judgement and oversight needed)",
        "Domestic abuse",
    ]) {
        v.push(d(
            format!("classification.{}", snake(c)),
            label,
            Section::Classification,
            CallOuts,
        ));
    }
    for (k, label) in [
        ("parental_conflict", "Recorded as parental conflict"),
        (
            "domestic_incident_under_review",
            "Recorded as a domestic incident under review",
        ),
        ("domestic_abuse", "Recorded as domestic abuse"),
    ] {
        v.push(d(
            format!("recording_category.{k}"),
            label,
            Section::RecordingCategory,
            CallOuts,
        ));
    }
    for (l, label) in LEVELS
        .iter()
        .zip(["Standard risk", "Medium risk", "High risk"])
    {
        v.push(d(
            format!("risk_level.{}", snake(l)),
            label,
            Section::RiskLevel,
            CallOuts,
        ));
    }
    for (k, label) in [
        ("yes", "Children in the household"),
        ("no", "No children in the household"),
        ("not_known", "Children in the household not known"),
    ] {
        v.push(d(
            format!("children_in_household.{k}"),
            label,
            Section::Children,
            CallOuts,
        ));
    }
    for (p, label) in PATHWAYS.iter().zip([
        "MARAC",
        "IDVA",
        "Specialist domestic abuse service",
        "Victim support",
        "Reducing Parental Conflict support",
        "Early Help",
        "Children's social care",
        "Operation Encompass (school)",
        "Management oversight",
    ]) {
        v.push(d(
            format!("pathway.{}", snake(p)),
            label,
            Section::Pathways,
            CallOuts,
        ));
    }
    v.push(d(
        "marac_referral".into(),
        "MARAC referrals",
        Section::Marac,
        CallOuts,
    ));
    for (c, label) in CRITERIA.iter().zip([
        "MARAC: visible high risk",
        "MARAC: professional judgement",
        "MARAC: potential escalation",
        "MARAC: repeat MARAC",
    ]) {
        v.push(d(
            format!("marac_criterion.{}", snake(c)),
            label,
            Section::Marac,
            CallOuts,
        ));
    }
    v.push(d(
        "csc_notification".into(),
        "Children's social care notifications",
        Section::Notifications,
        CallOuts,
    ));
    v.push(d(
        "school_notification".into(),
        "School notifications (Operation Encompass)",
        Section::Notifications,
        CallOuts,
    ));
    for (k, label) in [
        ("any", "With a recent transition"),
        ("none", "No recent transition"),
        ("not_known", "Recent transitions not known"),
    ] {
        v.push(d(
            format!("transitions.{k}"),
            label,
            Section::Transitions,
            ParentalConflict,
        ));
    }
    for (t, label) in TRANSITIONS.iter().zip([
        "Separation",
        "New baby",
        "Bereavement",
        "Child starting school",
        "Economic pressure",
    ]) {
        v.push(d(
            format!("transition.{}", t.as_str()),
            label,
            Section::Transitions,
            ParentalConflict,
        ));
    }
    debug_assert_eq!(v.len(), FIXED);
    v
}

fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The running counts: one row per group and period seen, and the overall row.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Each breakdown row's place in `counts`.
    rows: BTreeMap<RowKey, usize>,
    counts: Vec<Vec<u64>>,
    overall: Vec<u64>,
    /// Unanswered questions seen in unclear cases, in order of first sight.
    questions: Vec<(String, String)>,
    question_index: HashMap<String, usize>,
    errors: u64,
    synthetic_ids: bool,
    /// Per row (by `counts`' index), and overall: the unpublished counts of [`Link`].
    links: Vec<[u64; LINKS]>,
    overall_links: [u64; LINKS],
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            rows: BTreeMap::new(),
            counts: Vec::new(),
            overall: vec![0; FIXED],
            questions: Vec::new(),
            question_index: HashMap::new(),
            errors: 0,
            synthetic_ids: true,
            links: Vec::new(),
            overall_links: [0; LINKS],
        }
    }
}

/// Whether an id is one `dashrisk synth` writes (`syn-0000001`).
pub fn is_synthetic_id(id: &str) -> bool {
    id.strip_prefix("syn-")
        .is_some_and(|d| d.len() == 7 && d.bytes().all(|b| b.is_ascii_digit()))
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Counts one assessed call-out in row `key`. `unanswered` is what
    /// [`dashrisk::Scorer::unanswered_gate_questions`] gave for `a`; it is counted
    /// only when the result is unclear.
    pub fn add(
        &mut self,
        key: RowKey,
        a: &Assessment,
        r: &CompactResult,
        unanswered: &[UnansweredQuestion],
    ) {
        let open: Vec<OpenQuestion<'_>> = unanswered
            .iter()
            .map(|q| OpenQuestion {
                id: &q.id,
                text: &q.text,
                answer: q.answer,
            })
            .collect();
        self.add_call_out(
            key,
            a.id.as_deref().is_some_and(is_synthetic_id),
            a.conflict_screen.recent_transitions.as_deref(),
            r,
            &open,
        );
    }

    /// [`Tally::add`] from the parts it reads: whether the record's id is a
    /// synthetic one ([`is_synthetic_id`]) and its recent transitions (counted for
    /// parental conflict); the unanswered questions borrowed, as
    /// [`dashrisk::Scorer::unanswered_gate_questions_flat`] gives them.
    pub fn add_call_out(
        &mut self,
        key: RowKey,
        synthetic_id: bool,
        transitions: Option<&[Transition]>,
        r: &CompactResult,
        unanswered: &[OpenQuestion<'_>],
    ) {
        let row = self.row(key);
        self.add_call_out_to(row, synthetic_id, transitions, r, unanswered);
    }

    /// The breakdown row `key`, added if new: call-outs can then be counted in it
    /// by [`Tally::add_call_out_to`] without building the key again. A row made
    /// here is in the summary even if nothing is counted in it (all zeros), so
    /// make one only for a call-out about to be counted.
    pub fn row(&mut self, key: RowKey) -> RowId {
        let next = self.counts.len();
        let i = *self.rows.entry(key).or_insert(next);
        if i == next {
            self.counts.push(Vec::new());
            self.links.push([0; LINKS]);
        }
        RowId(i)
    }

    /// [`Tally::add_call_out`] into a row from [`Tally::row`] of this tally.
    ///
    /// # Panics
    /// If `row` came from another tally with more rows.
    pub fn add_call_out_to(
        &mut self,
        row: RowId,
        synthetic_id: bool,
        transitions: Option<&[Transition]>,
        r: &CompactResult,
        unanswered: &[OpenQuestion<'_>],
    ) {
        self.synthetic_ids &= synthetic_id;
        // The fixed figures this call-out counts in, each at most once (the
        // unanswered questions are counted below).
        let mut hits = [0usize; FIXED];
        let mut n_hits = 0;
        let mut hit = |h: usize| {
            hits[n_hits] = h;
            n_hits += 1;
        };
        hit(N);
        let class = CLASSES
            .iter()
            .position(|c| *c == r.classification)
            .unwrap_or(1);
        hit(CLASS + class);
        // The recording category follows the classification one to one (core
        // `recording_category`), in the same order.
        hit(REC
            + match r.recording_category {
                dashrisk::RecordingCategory::ParentalConflict => 0,
                dashrisk::RecordingCategory::DomesticIncidentUnderReview => 1,
                dashrisk::RecordingCategory::DomesticAbuse => 2,
            });
        hit(LEVEL + LEVELS.iter().position(|l| *l == r.risk_level).unwrap_or(0));
        hit(CHILD
            + match r.children_in_household {
                Some(true) => 0,
                Some(false) => 1,
                None => 2,
            });
        for p in r.pathways.iter() {
            if let Some(i) = PATHWAYS.iter().position(|&x| x == p) {
                hit(PATH + i);
            }
        }
        if r.marac_referral {
            hit(MARAC);
        }
        for c in r.marac_criteria.iter() {
            if let Some(i) = CRITERIA.iter().position(|&x| x == c) {
                hit(CRIT + i);
            }
        }
        if r.csc_notification {
            hit(CSC);
        }
        if r.school_notification {
            hit(SCHOOL);
        }
        if r.classification == Classification::ParentalConflict {
            match transitions {
                None => hit(TRANS_STATE + 2),
                Some([]) => hit(TRANS_STATE + 1),
                Some(ts) => {
                    hit(TRANS_STATE);
                    for (i, t) in TRANSITIONS.iter().enumerate() {
                        if ts.contains(t) {
                            hit(TRANS + i);
                        }
                    }
                }
            }
        }
        let unclear = r.classification == Classification::Unclear;
        for q in unanswered.iter().filter(|_| unclear) {
            let i = match self.question_index.get(q.id) {
                Some(&i) => i,
                None => {
                    let next = self.questions.len();
                    self.question_index.insert(q.id.to_string(), next);
                    self.questions.push((q.id.to_string(), q.text.to_string()));
                    self.overall.push(0);
                    next
                }
            };
            self.overall[FIXED + i] += 1;
            let row = &mut self.counts[row.0];
            if row.len() <= FIXED + i {
                row.resize(FIXED + i + 1, 0);
            }
            row[FIXED + i] += 1;
        }
        for (l, is) in links(r, transitions).into_iter().enumerate() {
            self.links[row.0][l] += u64::from(is);
            self.overall_links[l] += u64::from(is);
        }
        let row = &mut self.counts[row.0];
        if row.len() < FIXED {
            row.resize(FIXED, 0);
        }
        for &h in &hits[..n_hits] {
            row[h] += 1;
            self.overall[h] += 1;
        }
    }

    /// Counts a record that could not be assessed (reported elsewhere with its line
    /// and field); it is in no figure.
    pub fn add_error(&mut self) {
        self.errors += 1;
    }

    /// Call-outs assessed so far.
    pub fn assessed(&self) -> u64 {
        self.overall[N]
    }

    /// Suppresses small cells and returns the summary.
    pub fn finish(self, options: &Options) -> Summary {
        build(self, options)
    }
}

/// How the summary was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Options {
    /// The group columns.
    pub group_by: Vec<String>,
    /// The breakdown period and the column its dates come from.
    pub period: Option<(Period, String)>,
    /// Counts from 1 to `min_cell - 1` are suppressed.
    pub min_cell: u64,
    /// The input is known to be synthetic (besides ids that say so).
    pub synthetic: bool,
    /// Where the records came from (a file name, or `standard input`).
    pub source: String,
    /// The scorer and calibration versions that assessed them.
    pub scorer_version: String,
    /// See `scorer_version`.
    pub calibration_version: String,
}

/// A figure's value in one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// The count, or `None` when suppressed.
    pub count: Option<u64>,
    /// The rate per 1,000 of the figure's denominator, or `None` when the count or
    /// the denominator is suppressed, or the denominator is 0.
    pub rate_per_1000: Option<f64>,
    /// Whether the count is withheld (small, or one from which a small count could
    /// be worked back: the two are not told apart, which would say which are small).
    pub suppressed: bool,
}

/// One row of the summary: overall, or a group and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// `None` for the overall row.
    pub key: Option<RowKey>,
    /// One value per figure, in the order of [`Summary::figures`].
    pub values: Vec<Value>,
}

/// The finished, suppressed summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// How it was asked for.
    pub options: Options,
    /// The figures, in order.
    pub figures: Vec<FigureDef>,
    /// All call-outs.
    pub overall: Row,
    /// The breakdown, by group values then period; empty with no breakdown.
    pub rows: Vec<Row>,
    /// Records that could not be assessed (each reported with its line and field),
    /// or `None` when that count is small.
    pub records_with_errors: Option<u64>,
    /// Whether the input is synthetic (told, or every id is a `dashrisk synth` id).
    pub synthetic: bool,
    /// Cells withheld as small, and withheld so that a small cell cannot be worked
    /// back (over every row and figure, published or implied).
    pub suppressed_small: usize,
    /// See `suppressed_small`.
    pub suppressed_secondary: usize,
}

impl Summary {
    /// The index of figure `key`.
    pub fn figure(&self, key: &str) -> Option<usize> {
        self.figures.iter().position(|f| f.key == key)
    }
}

/// Figures that are the same count by the scorer's rules: shown as one cell, so
/// that suppression treats them alike (one withheld and the other shown would give
/// it away). Applied only when the counts agree in every row.
const SAME_AS: [(&str, &str); 10] = [
    (
        "recording_category.parental_conflict",
        "classification.parental_conflict",
    ),
    (
        "recording_category.domestic_incident_under_review",
        "classification.unclear",
    ),
    (
        "recording_category.domestic_abuse",
        "classification.domestic_abuse",
    ),
    ("pathway.childrens_social_care", "csc_notification"),
    ("pathway.operation_encompass", "school_notification"),
    ("pathway.management_oversight", "classification.unclear"),
    ("pathway.rpc_support", "classification.parental_conflict"),
    ("pathway.idva", "pathway.marac"),
    // Specialist support is given on exactly a medium grade for abuse and unclear
    // cases, and parental conflict is never graded above standard (pathways.rs,
    // decision.rs).
    ("pathway.specialist_da_service", "risk_level.medium"),
    // A high grade is itself a MARAC criterion (the yes-count or the officer's
    // judgement, grading.rs), so the pathway and the referral are the same.
    ("marac_referral", "pathway.marac"),
];

/// Counts that no output shows but that a reader can work out from the scorer's
/// rules and the published figures: conjunctions of a classification and a grade,
/// the cases a pathway is given among, the criteria a referral has not met. Each is
/// an implied cell of every row (zero in every row: left out, as a reader who knows
/// the rules knows it is zero), tied to the figures by [`LINK_RULES`], so that the
/// solver sees through the rules: the unclear call-outs at standard risk are the
/// standard ones minus parental conflict minus victim support, and high risk is the
/// call-outs minus standard minus specialist support.
#[derive(Debug, Clone, Copy)]
#[repr(usize)]
enum Link {
    UnclearStandard,
    UnclearMedium,
    UnclearHigh,
    AbuseStandard,
    AbuseMedium,
    AbuseHigh,
    ConflictStandard,
    ConflictMedium,
    ConflictHigh,
    EarlyHelpConflict,
    EarlyHelpUnclear,
    EarlyHelpAbuse,
    ConflictNoEarlyHelp,
    UnclearNoEarlyHelp,
    CscConflict,
    CscUnclear,
    CscAbuse,
    UnclearNoCsc,
    AbuseNoCsc,
    CscNoSchool,
    VisibleAndJudgement,
    VisibleNotJudgement,
    JudgementNotVisible,
    MaracNotHigh,
    HighNoMarac,
    /// Four: a referral without each criterion, in the order of `CRITERIA`.
    MaracWithout,
    /// Five: a transition but not each one, in the order of `TRANSITIONS`.
    AnyWithout = Link::MaracWithout as usize + 4,
}
const LINKS: usize = Link::AnyWithout as usize + 5;

/// Which of [`Link`]'s counts a call-out is in.
fn links(r: &CompactResult, transitions: Option<&[Transition]>) -> [bool; LINKS] {
    use Classification::{DomesticAbuse, ParentalConflict, Unclear};
    let mut l = [false; LINKS];
    let class = r.classification;
    let level = LEVELS.iter().position(|x| *x == r.risk_level).unwrap_or(0);
    let base = match class {
        Unclear => Link::UnclearStandard,
        DomesticAbuse => Link::AbuseStandard,
        ParentalConflict => Link::ConflictStandard,
    };
    l[base as usize + level] = true;
    let eh = r.pathways.contains(Pathway::EarlyHelp);
    let csc = r.csc_notification;
    l[Link::EarlyHelpConflict as usize] = eh && class == ParentalConflict;
    l[Link::EarlyHelpUnclear as usize] = eh && class == Unclear;
    l[Link::EarlyHelpAbuse as usize] = eh && class == DomesticAbuse;
    l[Link::ConflictNoEarlyHelp as usize] = !eh && class == ParentalConflict;
    l[Link::UnclearNoEarlyHelp as usize] = !eh && class == Unclear;
    l[Link::CscConflict as usize] = csc && class == ParentalConflict;
    l[Link::CscUnclear as usize] = csc && class == Unclear;
    l[Link::CscAbuse as usize] = csc && class == DomesticAbuse;
    l[Link::UnclearNoCsc as usize] = !csc && class == Unclear;
    l[Link::AbuseNoCsc as usize] = !csc && class == DomesticAbuse;
    l[Link::CscNoSchool as usize] = csc && !r.school_notification;
    let criterion = |c| r.marac_criteria.contains(c);
    let vhr = criterion(MaracCriterion::VisibleHighRisk);
    let pj = criterion(MaracCriterion::ProfessionalJudgement);
    l[Link::VisibleAndJudgement as usize] = vhr && pj;
    l[Link::VisibleNotJudgement as usize] = vhr && !pj;
    l[Link::JudgementNotVisible as usize] = pj && !vhr;
    let high = r.risk_level == RiskLevel::High;
    l[Link::MaracNotHigh as usize] = r.marac_referral && !high;
    l[Link::HighNoMarac as usize] = high && !r.marac_referral;
    for (i, c) in CRITERIA.iter().enumerate() {
        l[Link::MaracWithout as usize + i] = r.marac_referral && !criterion(*c);
    }
    if class == ParentalConflict {
        if let Some(ts) = transitions.filter(|ts| !ts.is_empty()) {
            for (i, t) in TRANSITIONS.iter().enumerate() {
                l[Link::AnyWithout as usize + i] = !ts.contains(t);
            }
        }
    }
    l
}

/// A term of a [`LINK_RULES`] sum: a figure (by its fixed index) or a [`Link`].
#[derive(Debug, Clone, Copy)]
enum Term {
    F(usize),
    L(usize),
}

/// The scorer's rules as sums, total first (crates/dashrisk/src/stage/pathways.rs,
/// safeguarding.rs, decision.rs; grading.rs for the MARAC criteria). A sum is used
/// only when it holds in every row, so a policy that changes a rule costs
/// protection nowhere: the sum is then simply not one a reader can use.
fn link_rules() -> Vec<(Term, Vec<Term>)> {
    use Link as K;
    use Term::{F, L};
    let l = |k: K| L(k as usize);
    let (pc, unclear, abuse) = (F(CLASS), F(CLASS + 1), F(CLASS + 2));
    let (standard, medium, high) = (F(LEVEL), F(LEVEL + 1), F(LEVEL + 2));
    let path = |p: Pathway| F(PATH + PATHWAYS.iter().position(|x| *x == p).unwrap_or(0));
    let mut v = vec![
        (
            pc,
            vec![
                l(K::ConflictStandard),
                l(K::ConflictMedium),
                l(K::ConflictHigh),
            ],
        ),
        (
            unclear,
            vec![
                l(K::UnclearStandard),
                l(K::UnclearMedium),
                l(K::UnclearHigh),
            ],
        ),
        (
            abuse,
            vec![l(K::AbuseStandard), l(K::AbuseMedium), l(K::AbuseHigh)],
        ),
        (
            standard,
            vec![
                l(K::ConflictStandard),
                l(K::UnclearStandard),
                l(K::AbuseStandard),
            ],
        ),
        (
            medium,
            vec![l(K::ConflictMedium), l(K::UnclearMedium), l(K::AbuseMedium)],
        ),
        (
            high,
            vec![l(K::ConflictHigh), l(K::UnclearHigh), l(K::AbuseHigh)],
        ),
        (
            path(Pathway::SpecialistDaService),
            vec![l(K::UnclearMedium), l(K::AbuseMedium)],
        ),
        (path(Pathway::VictimSupport), vec![l(K::AbuseStandard)]),
        (
            path(Pathway::EarlyHelp),
            vec![
                l(K::EarlyHelpConflict),
                l(K::EarlyHelpUnclear),
                l(K::EarlyHelpAbuse),
            ],
        ),
        (pc, vec![l(K::EarlyHelpConflict), l(K::ConflictNoEarlyHelp)]),
        (
            unclear,
            vec![l(K::EarlyHelpUnclear), l(K::UnclearNoEarlyHelp)],
        ),
        (
            F(CSC),
            vec![l(K::CscConflict), l(K::CscUnclear), l(K::CscAbuse)],
        ),
        (unclear, vec![l(K::CscUnclear), l(K::UnclearNoCsc)]),
        (abuse, vec![l(K::CscAbuse), l(K::AbuseNoCsc)]),
        (F(CSC), vec![F(SCHOOL), l(K::CscNoSchool)]),
        (
            high,
            vec![
                l(K::VisibleAndJudgement),
                l(K::VisibleNotJudgement),
                l(K::JudgementNotVisible),
            ],
        ),
        (
            F(CRIT),
            vec![l(K::VisibleAndJudgement), l(K::VisibleNotJudgement)],
        ),
        (
            F(CRIT + 1),
            vec![l(K::VisibleAndJudgement), l(K::JudgementNotVisible)],
        ),
        (F(MARAC), vec![high, l(K::MaracNotHigh)]),
        (path(Pathway::Marac), vec![F(MARAC), l(K::HighNoMarac)]),
    ];
    for i in 0..CRITERIA.len() {
        v.push((F(MARAC), vec![F(CRIT + i), L(K::MaracWithout as usize + i)]));
    }
    for i in 0..TRANSITIONS.len() {
        v.push((
            F(TRANS_STATE),
            vec![F(TRANS + i), L(K::AnyWithout as usize + i)],
        ));
    }
    v
}

fn build(t: Tally, options: &Options) -> Summary {
    let mut figures = fixed_defs();
    for (id, text) in &t.questions {
        figures.push(FigureDef {
            key: format!("unanswered.{id}"),
            label: format!("{id}: {text}"),
            section: Section::Unanswered,
            denominator: Denominator::Unclear,
        });
    }
    let width = figures.len();
    let mut counts = t.counts;
    let mut all_links: Vec<&[u64; LINKS]> = vec![&t.overall_links];
    let rows: Vec<(RowKey, Vec<u64>)> = t
        .rows
        .into_iter()
        .map(|(k, i)| {
            let mut v = std::mem::take(&mut counts[i]);
            v.resize(width, 0);
            all_links.push(&t.links[i]);
            (k, v)
        })
        .collect();
    let mut all: Vec<&Vec<u64>> = vec![&t.overall];
    all.extend(rows.iter().map(|(_, v)| v));
    let index = |k: &str| figures.iter().position(|f| f.key == k);
    // Aliases: figure -> the figure whose cell it shares.
    let mut alias: Vec<usize> = (0..width).collect();
    for (a, b) in SAME_AS {
        if let (Some(a), Some(b)) = (index(a), index(b)) {
            if all.iter().all(|v| v[a] == v[b]) {
                alias[a] = alias[b];
            }
        }
    }
    for f in 0..width {
        while alias[alias[f]] != alias[f] {
            alias[f] = alias[alias[f]];
        }
    }
    // A link that is zero in every row is left out: known to be zero.
    let link_used: Vec<bool> = (0..LINKS)
        .map(|l| all_links.iter().any(|v| v[l] > 0))
        .collect();
    let value_of = |r: usize, term: Term| match term {
        Term::F(f) => all[r][f],
        Term::L(l) => all_links[r][l],
    };
    let rules: Vec<(Term, Vec<Term>)> = link_rules()
        .into_iter()
        .map(|(total, parts)| {
            let parts = parts
                .into_iter()
                .filter(|p| !matches!(p, Term::L(l) if !link_used[*l]))
                .collect::<Vec<_>>();
            (total, parts)
        })
        .filter(|(total, parts)| {
            !parts.is_empty()
                && (0..all.len()).all(|r| {
                    value_of(r, *total) == parts.iter().map(|&p| value_of(r, p)).sum::<u64>()
                })
        })
        .collect();

    // One grid: every row's figures (published), the implied complements, the
    // relations within a row, and the overall row as the sum of the breakdown.
    let mut g = Grid::new();
    let breakdown = !rows.is_empty() && (!options.group_by.is_empty() || options.period.is_some());
    let n_rows = if breakdown { all.len() } else { 1 };
    let mut cells: Vec<Vec<usize>> = Vec::with_capacity(n_rows);
    let mut complements: Vec<Vec<Option<usize>>> = Vec::with_capacity(n_rows);
    let mut link_cells: Vec<[usize; LINKS]> = Vec::with_capacity(n_rows);
    let denominator_of = |f: &FigureDef| match f.denominator {
        Denominator::CallOuts => N,
        Denominator::ParentalConflict => CLASS,
        Denominator::Unclear => CLASS + 1,
    };
    // Figures in a complete partition of their denominator need no complement.
    let partitions: [(usize, std::ops::Range<usize>); 4] = [
        (N, CLASS..CLASS + 3),
        (N, LEVEL..LEVEL + 3),
        (N, CHILD..CHILD + 3),
        (CLASS, TRANS_STATE..TRANS_STATE + 3),
    ];
    let in_partition = |f: usize| partitions.iter().any(|(_, r)| r.contains(&f));
    for (r, v) in all.iter().enumerate().take(n_rows) {
        let mut c = vec![usize::MAX; width];
        for f in 0..width {
            if alias[f] == f {
                c[f] = g.cell(v[f], true);
            }
        }
        for f in 0..width {
            c[f] = c[alias[f]];
        }
        let mut comp = vec![None; width];
        for (total, parts) in &partitions {
            g.relate(c[*total], parts.clone().map(|p| c[p]).collect());
        }
        for f in 1..width {
            if alias[f] != f || in_partition(f) {
                continue;
            }
            let d = denominator_of(&figures[f]);
            let rest = g.cell(v[d] - v[f], false);
            comp[f] = Some(rest);
            g.relate(c[d], vec![c[f], rest]);
        }
        let mut lc = [usize::MAX; LINKS];
        for l in (0..LINKS).filter(|&l| link_used[l]) {
            lc[l] = g.cell(all_links[r][l], false);
        }
        let cell_of = |term: Term| match term {
            Term::F(f) => c[f],
            Term::L(l) => lc[l],
        };
        for (total, parts) in &rules {
            let (total, parts) = (cell_of(*total), parts.iter().map(|&p| cell_of(p)));
            let parts: Vec<usize> = parts.collect();
            // A figure shown as its own part (pathway.marac = marac_referral, one
            // cell) says nothing.
            if parts != [total] {
                g.relate(total, parts);
            }
        }
        cells.push(c);
        complements.push(comp);
        link_cells.push(lc);
    }
    if breakdown {
        for f in 0..width {
            if alias[f] != f {
                continue;
            }
            g.relate(cells[0][f], (1..n_rows).map(|r| cells[r][f]).collect());
            if let Some(total) = complements[0][f] {
                let parts = (1..n_rows).filter_map(|r| complements[r][f]).collect();
                g.relate(total, parts);
            }
        }
        for l in (0..LINKS).filter(|&l| link_used[l]) {
            g.relate(
                link_cells[0][l],
                (1..n_rows).map(|r| link_cells[r][l]).collect(),
            );
        }
    }
    debug_assert!(g.check().is_ok());
    let s: Suppressed = g.suppress(options.min_cell);
    let suppressed_small = s.status.iter().filter(|x| **x == Status::Small).count();
    let suppressed_secondary = s.status.iter().filter(|x| **x == Status::Secondary).count();
    let row_of = |r: usize, key: Option<RowKey>| Row {
        key,
        values: (0..width)
            .map(|f| {
                let cell = cells[r][f];
                let count = s.shown(&g, cell);
                let d = cells[r][denominator_of(&figures[f])];
                let denominator = s.shown(&g, d).filter(|&d| d > 0);
                let rate_per_1000 = match (count, denominator) {
                    (Some(c), Some(d)) => Some(c as f64 * 1000.0 / d as f64),
                    _ => None,
                };
                Value {
                    count,
                    rate_per_1000,
                    suppressed: s.is_suppressed(cell),
                }
            })
            .collect(),
    };
    let overall = row_of(0, None);
    let out_rows = if breakdown {
        rows.iter()
            .enumerate()
            .map(|(i, (k, _))| row_of(i + 1, Some(k.clone())))
            .collect()
    } else {
        Vec::new()
    };
    let records_with_errors = (t.errors == 0 || t.errors >= options.min_cell).then_some(t.errors);
    Summary {
        options: options.clone(),
        figures,
        overall,
        rows: out_rows,
        records_with_errors,
        synthetic: options.synthetic || (t.overall[N] > 0 && t.synthetic_ids),
        suppressed_small,
        suppressed_secondary,
    }
}
