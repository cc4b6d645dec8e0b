//! From assessed records to the columns of an evaluation ([`crate::evaluate::Data`]):
//! the built-in tools' scores and the scorer's decisions per record, the tools'
//! descriptions, and the notes every output carries. Shared by the command line
//! (`dashrisk evaluate`) and Python (`dashrisk.evaluate`), so that both evaluate a
//! record the same way.

use crate::evaluate::{fact, Data, GroupColumn, ScreenCoverage, Tool, ToolKind, WorkloadBasis};
use crate::screen::{MissingItem, Screen};
use dashrisk::{
    AssessmentResult, Classification, CompactResult, Pathway, Policy, RiskLevel, Scorer,
};
use std::collections::{BTreeSet, HashMap};

/// A built-in tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// The DASH yes-count.
    DashCount,
    /// The DASH grade (standard 0, medium 1, high 2).
    DashGrade,
    /// The scorer's calibrated probability of abuse.
    PAbuse,
    /// The scorer's three-way classification (conflict 0, unclear 1, abuse 2).
    Classification,
    /// The Lethality Assessment Program screen on the DASH answers.
    LapScreen,
    /// The linfa comparison model, trained out of fold (its scores are filled in
    /// by the caller, which trains it).
    Model,
}

impl Builtin {
    /// Every built-in tool, in report order.
    pub const ALL: [Builtin; 6] = [
        Builtin::DashCount,
        Builtin::DashGrade,
        Builtin::PAbuse,
        Builtin::Classification,
        Builtin::LapScreen,
        Builtin::Model,
    ];

    /// Its name in reports (`dash_count`, `p_abuse`, …).
    pub fn name(self) -> &'static str {
        match self {
            Builtin::DashCount => "dash_count",
            Builtin::DashGrade => "dash_grade",
            Builtin::PAbuse => "p_abuse",
            Builtin::Classification => "classification",
            Builtin::LapScreen => "lap_screen",
            Builtin::Model => "model",
        }
    }

    /// The tool of a name, if it is a built-in one.
    ///
    /// ```
    /// use dashrisk_report::eval_records::Builtin;
    /// assert_eq!(Builtin::from_name("p_abuse"), Some(Builtin::PAbuse));
    /// assert_eq!(Builtin::from_name("P_abuse"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// This tool's score for one assessed record (`screened_in`: whether the
    /// screen screens the record in). NaN for the model, and for `p_abuse` when the
    /// form has no estimate.
    pub fn score(self, result: &impl Decision, screened_in: bool) -> f64 {
        let d = result.decision();
        match self {
            Builtin::DashCount => f64::from(d.yes_count),
            Builtin::DashGrade => match d.risk_level {
                RiskLevel::Standard => 0.0,
                RiskLevel::Medium => 1.0,
                RiskLevel::High => 2.0,
            },
            Builtin::PAbuse => d.p_abuse.unwrap_or(f64::NAN),
            Builtin::Classification => match d.classification {
                Classification::ParentalConflict => 0.0,
                Classification::Unclear => 1.0,
                Classification::DomesticAbuse => 2.0,
            },
            Builtin::LapScreen => f64::from(u8::from(screened_in)),
            Builtin::Model => f64::NAN,
        }
    }

    /// The tool with its scores: description, kind, positive call and workload.
    pub fn tool(self, scores: Vec<f64>, threshold: f64, policy: &Policy) -> Tool {
        let high = policy.grading.high_from;
        let (description, kind, note, from, rule, workload, conflict): (
            String,
            ToolKind,
            Option<&str>,
            Option<f64>,
            String,
            Option<WorkloadBasis>,
            bool,
        ) = match self {
            Builtin::DashCount => (
                "The DASH yes-count: how many questions were answered yes.".into(),
                ToolKind::Ranking,
                Some("a count of yes answers orders records but is not a probability"),
                Some(f64::from(high)),
                format!("{high} or more yes answers (the high band)"),
                None,
                false,
            ),
            Builtin::DashGrade => (
                "The DASH grade: standard 0, medium 1, high 2, the count's band raised by the officer's judgement.".into(),
                ToolKind::Ranking,
                Some("a grade of three levels orders records but is not a probability"),
                Some(2.0),
                "graded high".into(),
                Some(WorkloadBasis::TodaysPractice),
                false,
            ),
            Builtin::PAbuse => (
                "The scorer's calibrated probability that the incident is domestic abuse rather than parental conflict.".into(),
                ToolKind::Probability,
                None,
                Some(threshold),
                format!("p_abuse ≥ {threshold}"),
                None,
                false,
            ),
            Builtin::Classification => (
                "The scorer's classification under its safety rules: parental conflict 0, unclear 1, domestic abuse 2.".into(),
                ToolKind::Ranking,
                Some("three ordered labels, not a probability"),
                Some(1.0),
                "anything but parental conflict (abuse or unclear: kept on the abuse route)".into(),
                Some(WorkloadBasis::Scorer),
                true,
            ),
            Builtin::LapScreen => (
                "The Lethality Assessment Program screen, on the DASH answers that stand for its items (1 screened in, 0 not).".into(),
                ToolKind::Decision,
                Some("a yes/no screen, not a probability"),
                Some(1.0),
                "screened in".into(),
                None,
                false,
            ),
            Builtin::Model => (
                "The linfa logistic comparison model (dashrisk-learn), its probability out of fold.".into(),
                ToolKind::Probability,
                None,
                Some(threshold),
                format!("probability ≥ {threshold}"),
                None,
                false,
            ),
        };
        Tool {
            name: self.name().into(),
            description,
            kind,
            kind_note: note.map(str::to_string),
            scores,
            positive_from: from,
            positive_rule: rule,
            workload,
            conflict_label: conflict,
        }
    }
}

/// A score the user brings (a column of the input, or a Python array): a
/// probability when every finite value lies in [0, 1], else a ranking with no
/// positive call.
pub fn external_tool(name: &str, description: &str, scores: Vec<f64>, threshold: f64) -> Tool {
    let probability = scores
        .iter()
        .filter(|v| v.is_finite())
        .all(|v| (0.0..=1.0).contains(v));
    Tool {
        name: name.to_string(),
        description: description.to_string(),
        kind: if probability {
            ToolKind::Probability
        } else {
            ToolKind::Ranking
        },
        kind_note: (!probability).then(|| {
            "its values lie outside [0, 1], so it is a ranking score, not a probability".to_string()
        }),
        scores,
        positive_from: probability.then_some(threshold),
        positive_rule: if probability {
            format!("probability ≥ {threshold}")
        } else {
            "no positive call: a ranking score with no known threshold".into()
        },
        workload: None,
        conflict_label: false,
    }
}

/// The scorer's decisions for one record, as [`fact`] bits.
pub fn facts(result: &impl Decision) -> u16 {
    let d = result.decision();
    let mut f = 0u16;
    for (on, bit) in [
        (d.marac_referral, fact::MARAC),
        (d.csc_notification, fact::CSC),
        (d.school_notification, fact::SCHOOL),
        (d.rpc_support, fact::RPC),
        (d.early_help, fact::EARLY_HELP),
        (
            d.classification == Classification::ParentalConflict,
            fact::CONFLICT,
        ),
        (d.children_linked == Some(true), fact::CHILDREN),
        (d.children_linked.is_none(), fact::CHILDREN_NOT_KNOWN),
        (d.risk_level != RiskLevel::Standard, fact::MEDIUM_OR_HIGH),
    ] {
        if on {
            f |= bit;
        }
    }
    f
}

/// The parts of a result that the evaluation reads, the same from a whole
/// [`AssessmentResult`] and a [`CompactResult`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decided {
    /// `yes_count`.
    pub yes_count: u32,
    /// `risk_level`.
    pub risk_level: RiskLevel,
    /// `p_abuse`.
    pub p_abuse: Option<f64>,
    /// `classification`.
    pub classification: Classification,
    /// `marac_referral`.
    pub marac_referral: bool,
    /// `csc_notification`.
    pub csc_notification: bool,
    /// `school_notification`.
    pub school_notification: bool,
    /// The pathways include reducing-parental-conflict support.
    pub rpc_support: bool,
    /// The pathways include early help.
    pub early_help: bool,
    /// `children.linked`.
    pub children_linked: Option<bool>,
}

/// A result the evaluation can read: [`AssessmentResult`] or [`CompactResult`].
pub trait Decision {
    /// The parts the evaluation reads.
    fn decision(&self) -> Decided;
}

impl Decision for AssessmentResult {
    fn decision(&self) -> Decided {
        Decided {
            yes_count: self.yes_count,
            risk_level: self.risk_level,
            p_abuse: self.p_abuse,
            classification: self.classification,
            marac_referral: self.marac_referral,
            csc_notification: self.csc_notification,
            school_notification: self.school_notification,
            rpc_support: self.pathways.contains(Pathway::RpcSupport),
            early_help: self.pathways.contains(Pathway::EarlyHelp),
            children_linked: self.children.linked,
        }
    }
}

impl Decision for CompactResult {
    fn decision(&self) -> Decided {
        Decided {
            yes_count: self.yes_count,
            risk_level: self.risk_level,
            p_abuse: self.p_abuse,
            classification: self.classification,
            marac_referral: self.marac_referral,
            csc_notification: self.csc_notification,
            school_notification: self.school_notification,
            rpc_support: self.pathways.contains(Pathway::RpcSupport),
            early_help: self.pathways.contains(Pathway::EarlyHelp),
            children_linked: self.children_linked,
        }
    }
}

/// The group value of an empty cell.
pub const NOT_RECORDED: &str = "(not recorded)";

/// The columns of an evaluation, filled a record at a time.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    labels: Vec<bool>,
    facts: Vec<u16>,
    builtin: Vec<Vec<f64>>,
    external: Vec<Vec<f64>>,
    group_index: Vec<HashMap<String, u32>>,
    group_names: Vec<Vec<String>>,
    group_rows: Vec<Vec<u32>>,
    forms: BTreeSet<String>,
}

impl Columns {
    /// Empty columns for `builtin` and `external` tools and `groups` group-by
    /// columns.
    pub fn new(builtin: usize, external: usize, groups: usize) -> Columns {
        Columns {
            builtin: vec![Vec::new(); builtin],
            external: vec![Vec::new(); external],
            group_index: vec![HashMap::new(); groups],
            group_names: vec![Vec::new(); groups],
            group_rows: vec![Vec::new(); groups],
            ..Columns::default()
        }
    }

    /// Records added so far.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels added so far.
    pub fn labels(&self) -> &[bool] {
        &self.labels
    }

    /// Adds one record: its label, the scorer's [`facts`], one score per built-in
    /// and external tool (in the order given to [`Columns::new`]), its group values
    /// (an empty or `null` value is [`NOT_RECORDED`]) and its form's id.
    pub fn push<S: AsRef<str>>(
        &mut self,
        label: bool,
        facts: u16,
        builtin: impl IntoIterator<Item = f64>,
        external: impl IntoIterator<Item = f64>,
        groups: impl IntoIterator<Item = Option<S>>,
        instrument: &str,
    ) {
        self.labels.push(label);
        self.facts.push(facts);
        for (col, v) in self.builtin.iter_mut().zip(builtin) {
            col.push(v);
        }
        for (col, v) in self.external.iter_mut().zip(external) {
            col.push(v);
        }
        for (k, v) in groups.into_iter().enumerate().take(self.group_rows.len()) {
            let v = v
                .as_ref()
                .map(|s| s.as_ref().trim())
                .filter(|v| !v.is_empty() && *v != "null")
                .unwrap_or(NOT_RECORDED);
            let idx = match self.group_index[k].get(v) {
                Some(&i) => i,
                None => {
                    let i = self.group_names[k].len() as u32;
                    self.group_index[k].insert(v.to_string(), i);
                    self.group_names[k].push(v.to_string());
                    i
                }
            };
            self.group_rows[k].push(idx);
        }
        if !self.forms.contains(instrument) {
            self.forms.insert(instrument.to_string());
        }
    }

    /// Replaces the scores of built-in tool `k` (the model's, trained after the
    /// records were read).
    pub fn set_builtin(&mut self, k: usize, scores: Vec<f64>) {
        self.builtin[k] = scores;
    }

    /// The forms the records used.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        self.forms.iter().map(String::as_str)
    }

    /// The evaluation's data: the built-in tools `builtin` (in the order of
    /// [`Columns::new`]), then the external tools `(name, description)`, and the
    /// group-by columns by name.
    pub fn into_data(
        mut self,
        builtin: &[Builtin],
        external: &[(String, String)],
        group_by: &[String],
        threshold: f64,
        policy: &Policy,
    ) -> Data {
        let mut tools = Vec::new();
        for (k, t) in builtin.iter().enumerate() {
            let scores = std::mem::take(&mut self.builtin[k]);
            tools.push(t.tool(scores, threshold, policy));
        }
        for (k, (name, description)) in external.iter().enumerate() {
            let scores = std::mem::take(&mut self.external[k]);
            tools.push(external_tool(name, description, scores, threshold));
        }
        let groups = group_by
            .iter()
            .enumerate()
            .map(|(k, c)| GroupColumn {
                column: c.clone(),
                names: std::mem::take(&mut self.group_names[k]),
                of_row: std::mem::take(&mut self.group_rows[k]),
            })
            .collect();
        Data {
            labels: self.labels,
            facts: self.facts,
            tools,
            groups,
        }
    }
}

fn join(v: &[u32]) -> String {
    match v {
        [] => "none".into(),
        [a] => a.to_string(),
        _ if v.windows(2).all(|w| w[1] == w[0] + 1) => format!("{}–{}", v[0], v[v.len() - 1]),
        _ => v.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
    }
}

/// What part of `screen` the records' forms could apply (`tool` is the screen
/// tool's name in the report).
pub fn screen_coverage<'a>(
    screen: &Screen,
    scorer: &Scorer,
    forms: impl IntoIterator<Item = &'a str>,
    tool: &str,
) -> ScreenCoverage {
    let missing: Vec<MissingItem> = forms
        .into_iter()
        .filter_map(|id| scorer.instrument(id))
        .flat_map(|inst| screen.missing_items(inst))
        .collect();
    ScreenCoverage {
        tool: tool.into(),
        name: screen.name.clone(),
        rule: format!(
            "screened in on any of items {}, or on {} or more of items {}; an item counts when a DASH question mapped to it is answered yes. {}",
            join(&screen.rule.any_of),
            screen.rule.at_least,
            join(&screen.rule.of),
            screen.source
        ),
        missing_items: missing,
    }
}

/// The notes the built-in tools bring to every output (the calibration behind
/// `p_abuse`, what today's practice is).
pub fn builtin_notes(tools: &[Builtin], scorer: &Scorer) -> Vec<String> {
    let mut notes = Vec::new();
    if tools.contains(&Builtin::PAbuse) {
        notes.push(format!(
            "p_abuse: calibration {}{}. On a force's own records, recalibrate with dashrisk calibrate --data before reading its calibration figures.",
            scorer.calibration().version,
            if scorer.calibration().provenance.synthetic {
                ", fitted on SYNTHETIC data"
            } else {
                ""
            }
        ));
    }
    if tools.contains(&Builtin::DashGrade) {
        notes.push("dash_grade workload is today's practice: MARAC on the DASH criteria (high grade, professional judgement, potential escalation, repeat MARAC), every incident with children, or where that is not known, notified to children's social care (as the scorer does when it is not known), and the school told when a child is linked.".into());
    }
    notes
}

/// The reference tool: `p_abuse` when evaluated, else the first.
pub fn reference(data: &Data) -> Option<String> {
    data.tools
        .iter()
        .find(|t| t.name == "p_abuse")
        .or(data.tools.first())
        .map(|t| t.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact result reads as the whole result it equals: the same facts and
    /// the same score for every built-in tool.
    #[test]
    fn compact_and_whole_results_read_alike() {
        let scorer = Scorer::default();
        let records = dashrisk::synth::generate(3_000, 5, &dashrisk::synth::SynthParams::default());
        let mut kinds = BTreeSet::new();
        for r in &records {
            let whole = scorer.assess(&r.assessment).unwrap();
            let compact = scorer.assess_compact(&r.assessment).unwrap();
            assert_eq!(whole.decision(), compact.decision());
            assert_eq!(facts(&whole), facts(&compact));
            for b in [
                Builtin::DashCount,
                Builtin::DashGrade,
                Builtin::PAbuse,
                Builtin::Classification,
                Builtin::LapScreen,
            ] {
                let (w, c) = (b.score(&whole, true), b.score(&compact, true));
                assert!(w == c || (w.is_nan() && c.is_nan()), "{b:?}");
            }
            kinds.insert(facts(&whole));
        }
        assert!(
            kinds.len() > 10,
            "the records cover many decisions: {}",
            kinds.len()
        );
    }

    #[test]
    fn item_lists_read_as_ranges() {
        assert_eq!(join(&[1, 2, 3]), "1–3");
        assert_eq!(join(&[1, 3]), "1, 3");
        assert_eq!(join(&[4]), "4");
        assert_eq!(join(&[]), "none");
    }

    #[test]
    fn group_values_and_forms_are_collected_in_order() {
        let mut c = Columns::new(1, 1, 1);
        for (i, g) in [Some("b"), Some(" a "), None, Some("null"), Some("b")]
            .iter()
            .enumerate()
        {
            c.push(i % 2 == 0, 0, [i as f64], [0.5], [*g], "dash-2009");
        }
        assert_eq!(c.len(), 5);
        assert_eq!(c.forms().collect::<Vec<_>>(), ["dash-2009"]);
        let data = c.into_data(
            &[Builtin::DashCount],
            &[("x".into(), "x".into())],
            &["area".into()],
            0.5,
            &Policy::default(),
        );
        assert_eq!(data.groups[0].names, ["b", "a", NOT_RECORDED]);
        assert_eq!(data.groups[0].of_row, [0, 1, 2, 2, 0]);
        assert_eq!(data.tools[0].scores, [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(data.tools[1].kind, ToolKind::Probability);
        assert_eq!(data.labels, [true, false, true, false, true]);
    }
}
