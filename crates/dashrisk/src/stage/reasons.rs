//! Reasons: stable codes with sentences an officer can read back, written from the
//! other stages' facts. Nothing here tests a threshold: every "whether" was decided
//! by an earlier stage, and the text only says it.
//!
//! The first reason always says what decided the classification (a safety rule, the
//! answers given, or the estimate); the estimate is then described as the
//! statistical estimate it is.

use super::decision::{Band, Decision};
use super::estimate::Estimate;
use super::evidence::{Evidence, Item, JUDGEMENT_PROMPTS};
use super::safeguarding::Safeguarding;
use crate::answers::{Answer, ArgumentFrequency, Assessment, Resolution};
use crate::compact::ReasonCodes;
use crate::flat::{write_fixed, Digits, Fixed};
use crate::grading::{Check, Grade};
use crate::policy::Policy;
use crate::result::{
    ChildLink, Classification, ConflictBlocker, DecisionBasis, Flag, MaracCriterion, Reason,
    ReasonCode, RiskLevel,
};
use crate::set::Set;
use std::borrow::Cow;

/// Everything the reasons are written from.
pub(crate) struct Facts<'a> {
    pub a: &'a Assessment,
    pub questions: usize,
    /// The instrument id and the calibration version, for the text.
    pub instrument: &'a str,
    pub calibration: &'a str,
    pub policy: &'a Policy,
    pub grade: &'a Grade,
    pub evidence: &'a Evidence<'a>,
    pub estimate: &'a Estimate,
    pub decision: &'a Decision,
    pub safeguarding: &'a Safeguarding,
    /// Flags that prompt "consider raising the level" (none at high level).
    pub judgement_prompts: Set<Flag>,
}

/// Where reasons go: a list with sentences (or empty texts), the codes alone, or
/// the codes with every sentence written into one text.
pub(crate) trait Sink {
    /// Adds a reason. `text` writes its sentence into a string; a sink that keeps
    /// no sentences never calls it, so no sentence is written for nothing.
    fn push(&mut self, code: ReasonCode, text: impl FnOnce(&mut String));
    /// Adds a reason whose sentence has nothing to fill in.
    fn push_fixed(&mut self, code: ReasonCode, text: &'static str);
}

/// Reasons as the result lists them.
pub(crate) struct Listed {
    pub reasons: Vec<Reason>,
    pub with_text: bool,
    /// Each sentence is written here first, then copied into a string of its
    /// exact length: one allocation a sentence, where a string grown as it is
    /// written is made several times over.
    pub scratch: String,
}

impl Sink for Listed {
    fn push(&mut self, code: ReasonCode, text: impl FnOnce(&mut String)) {
        let text = if self.with_text {
            self.scratch.clear();
            text(&mut self.scratch);
            Cow::Owned(self.scratch.as_str().to_owned())
        } else {
            Cow::Borrowed("")
        };
        self.reasons.push(Reason { code, text });
    }
    fn push_fixed(&mut self, code: ReasonCode, text: &'static str) {
        let text = if self.with_text {
            Cow::Borrowed(text)
        } else {
            Cow::Borrowed("")
        };
        self.reasons.push(Reason { code, text });
    }
}

impl Sink for ReasonCodes {
    fn push(&mut self, code: ReasonCode, _text: impl FnOnce(&mut String)) {
        ReasonCodes::push(self, code);
    }
    fn push_fixed(&mut self, code: ReasonCode, _text: &'static str) {
        ReasonCodes::push(self, code);
    }
}

/// The codes, and the sentences written into one text, each after a space but the
/// first: the CSV `reasons` cell, with no allocation per sentence.
pub(crate) struct Joined<'t> {
    pub codes: ReasonCodes,
    pub text: &'t mut String,
    pub first: bool,
}

impl Joined<'_> {
    fn space(&mut self) {
        if !self.first {
            self.text.push(' ');
        }
        self.first = false;
    }
}

impl Sink for Joined<'_> {
    fn push(&mut self, code: ReasonCode, text: impl FnOnce(&mut String)) {
        self.codes.push(code);
        self.space();
        text(self.text);
    }
    fn push_fixed(&mut self, code: ReasonCode, text: &'static str) {
        self.codes.push(code);
        self.space();
        self.text.push_str(text);
    }
}

/// A part of a sentence, written straight into the sentence's string (no
/// formatter between: the sentences are most of the time a result with them
/// takes).
pub(crate) trait Put {
    fn put(&self, s: &mut String);
}

impl Put for &str {
    fn put(&self, s: &mut String) {
        s.push_str(self);
    }
}

impl Put for u32 {
    fn put(&self, s: &mut String) {
        s.push_str(Digits::new(u64::from(*self)).as_str());
    }
}

impl Put for usize {
    fn put(&self, s: &mut String) {
        s.push_str(Digits::new(*self as u64).as_str());
    }
}

impl Put for RiskLevel {
    fn put(&self, s: &mut String) {
        s.push_str(self.as_str());
    }
}

impl Put for Fixed {
    fn put(&self, s: &mut String) {
        // Writing to a String cannot fail.
        let _ = write_fixed(s, self.0, self.1);
    }
}

/// Text written by a function when it is put: the parts of a sentence are
/// written where the sentence goes, never into strings of their own.
struct Show<F>(F);

fn show<F: Fn(&mut String)>(f: F) -> Show<F> {
    Show(f)
}

impl<F: Fn(&mut String)> Put for Show<F> {
    fn put(&self, s: &mut String) {
        (self.0)(s)
    }
}

/// A probability as a whole percentage (`{:.0}%` of 100 p, as
/// [`crate::flat::Fixed`] writes it).
struct Pct(f64);

impl Put for Pct {
    fn put(&self, s: &mut String) {
        Fixed(self.0 * 100.0, 0).put(s);
        s.push('%');
    }
}

/// A contract string with its underscores written as spaces.
struct Spaced<'a>(&'a str);

impl Put for Spaced<'_> {
    fn put(&self, s: &mut String) {
        let mut rest = self.0;
        while let Some(at) = rest.bytes().position(|b| b == b'_') {
            s.push_str(rest.get(..at).unwrap_or_default());
            s.push(' ');
            rest = rest.get(at + 1..).unwrap_or_default();
        }
        s.push_str(rest);
    }
}

/// Writes each item with `each`, `sep` between two (a join, with no string made).
fn join<T>(
    s: &mut String,
    sep: &str,
    items: impl Iterator<Item = T>,
    mut each: impl FnMut(&mut String, T),
) {
    for (n, item) in items.enumerate() {
        if n > 0 {
            s.push_str(sep);
        }
        each(s, item);
    }
}

fn list<'a>(s: &mut String, items: impl Iterator<Item = Item<'a>>) {
    join(s, "; ", items, |s, i| {
        s.push_str(i.id);
        if !i.label.is_empty() {
            s.push_str(" (");
            s.push_str(i.label);
            s.push(')');
        }
    })
}

fn with_answers<'a>(s: &mut String, items: impl Iterator<Item = Item<'a>>) {
    join(s, "; ", items, |s, i| {
        s.push_str(i.id);
        s.push(' ');
        s.push_str(match i.answer {
            crate::answers::Answer::NotKnown => "not known",
            other => other.as_str(),
        })
    })
}

/// Items with their labels and answers: `q18 (Attempted strangulation …, declined);
/// q17 (…, not known)`.
fn labelled<'a>(s: &mut String, items: impl Iterator<Item = Item<'a>>) {
    join(s, "; ", items, |s, i| {
        s.push_str(i.id);
        s.push_str(" (");
        s.push_str(i.label);
        s.push_str(", ");
        Spaced(i.answer.as_str()).put(s);
        s.push(')');
    })
}

fn blocker_text(s: &mut String, b: ConflictBlocker, f: &Facts) {
    match b {
        ConflictBlocker::SafetyGate => s.push_str("fear, control or harm was reported"),
        ConflictBlocker::GateItemUnanswered => s.push_str(
            "not every question about fear, control, harm or other abuse was asked and answered",
        ),
        ConflictBlocker::AbuseEvidence => s.push_str("abuse was reported beyond the safety gates"),
        ConflictBlocker::EarlierAbuse => {
            s.push_str("an earlier domestic-abuse incident is recorded")
        }
        ConflictBlocker::MaracHistory => s.push_str("the victim has been discussed at MARAC"),
        ConflictBlocker::MaracCriterion => s.push_str("a MARAC criterion is met"),
        ConflictBlocker::RaisedRiskLevel => {
            s.push_str("the risk level is ");
            f.grade.level.put(s);
        }
        ConflictBlocker::AbuseProbability => match f.estimate.p_abuse {
            Some(p) => {
                s.push_str("the statistical estimate (");
                Pct(p).put(s);
                s.push_str(") is not below the conflict threshold (");
                Pct(f.decision.conflict_threshold).put(s);
                s.push(')');
            }
            None => s.push_str("there is no statistical estimate for this form"),
        },
    }
}

/// Writes the reasons into `out`. Without text nothing here allocates, and with
/// it nothing but what the sink keeps: every sentence, and everything only a
/// sentence needs, is written inside `say!`, straight into the sink.
pub(crate) fn reasons<S: Sink>(f: &Facts, out: &mut S) {
    // A macro, not a function, so that a sentence is a closure the sink calls only
    // when it keeps sentences. A sentence is its parts in order: text, numbers,
    // and the helpers above.
    macro_rules! say {
        ($code:expr, $fixed:literal $(,)?) => {
            out.push_fixed($code, $fixed)
        };
        ($code:expr $(, $part:expr)+ $(,)?) => {
            out.push($code, |s: &mut String| {
                $( Put::put(&$part, s); )+
            })
        };
    }
    let (ev, est, d, g, sg) = (f.evidence, f.estimate, f.decision, f.grade, f.safeguarding);
    let sp = &f.policy.scorer;
    let gp = &f.policy.grading;
    let not_abuse = d.classification != Classification::DomesticAbuse;

    // 1. What decided the classification.
    match d.basis {
        DecisionBasis::SafetyGate => say!(
            ReasonCode::DecisionAbuseSafetyGate,
            "Domestic abuse, decided by a safety rule: fear, control or harm was reported, and any one of them makes this domestic abuse whatever the statistical estimate says.",
        ),
        DecisionBasis::AnswersGiven => say!(
            ReasonCode::DecisionAbuseAnswersGiven,
            "Domestic abuse, decided by the answers given: no safety gate fired, but the \"yes\" answers alone put the statistical estimate at ",
            Pct(est.p_evidence.unwrap_or(1.0)),
            ", at or above the abuse threshold (",
            Pct(sp.abuse_min_p_abuse),
            ").",
        ),
        DecisionBasis::SafetyRules => say!(
            ReasonCode::DecisionUnclearSafetyRules,
            "Not parental conflict, decided by the safety rules: ",
            show(|s| {
                // The estimate's blocker is a rule only when there is no estimate.
                let rules = d.blockers.iter().filter(|&b| {
                    b != ConflictBlocker::AbuseProbability || est.p_abuse.is_none()
                });
                join(s, "; ", rules, |s, b| blocker_text(s, b, f))
            }),
            ". Abuse is not established on what was recorded either, so the case is unclear.",
        ),
        DecisionBasis::Estimate => say!(
            ReasonCode::DecisionUnclearEstimate,
            "Unclear, decided by the statistical estimate: no safety rule rules out parental conflict, but ",
            show(|s| blocker_text(s, ConflictBlocker::AbuseProbability, f)),
            ".",
        ),
        DecisionBasis::ScreenedOut => say!(
            ReasonCode::DecisionConflictScreenedOut,
            "Parental conflict: abuse was asked about and screened out. Every fear, control and harm question was answered no, no other abuse, earlier abuse or MARAC involvement is recorded, the level is standard and the statistical estimate is low.",
        ),
    }

    // 2. The evidence behind it.
    if !ev.fear.is_empty() {
        say!(
            ReasonCode::FearReported,
            "Fear reported (",
            show(|s| list(s, ev.items(ev.fear))),
            "): fear of the other person rules out parental conflict.",
        );
    }
    if !ev.power.is_empty() {
        say!(
            ReasonCode::PowerImbalanceReported,
            "Control or an imbalance of power reported (",
            show(|s| list(s, ev.items(ev.power))),
            "): this rules out parental conflict.",
        );
    }
    if !ev.harm.is_empty() {
        say!(
            ReasonCode::HarmMarkerReported,
            "Violence or a high-harm marker reported (",
            show(|s| list(s, ev.items(ev.harm))),
            "): this is domestic abuse, not parental conflict.",
        );
    }
    if !ev.blockers.is_empty() {
        say!(
            ReasonCode::AbuseEvidenceReported,
            "Abuse reported beyond the safety gates (",
            show(|s| list(s, ev.items(ev.blockers))),
            "): this rules out parental conflict, though on its own it does not establish abuse.",
        );
    }
    if !ev.gate_fired() && !ev.fear_power_unanswered.is_empty() {
        say!(
            ReasonCode::FearOrPowerNotCleared,
            "Ask about fear and control before recording parental conflict: ",
            show(|s| with_answers(s, ev.items(ev.fear_power_unanswered))),
            " could not be ruled out (not known or declined), and parental conflict needs them asked and answered no.",
        );
    }
    if !ev.gate_fired() && !ev.harm_unanswered.is_empty() {
        say!(
            ReasonCode::HarmNotCleared,
            "Ask about ",
            show(|s| labelled(s, ev.items(ev.harm_unanswered))),
            " before recording parental conflict: parental conflict needs every harm question answered no.",
        );
    }
    if !ev.gate_fired() && ev.harm_not_asked {
        say!(
            ReasonCode::HarmNotCleared,
            "This form asks no harm question (violence, strangulation, weapons, threats, sexual abuse): ask about harm before recording parental conflict, which needs harm asked about and answered no.",
        );
    }
    if !ev.gate_fired() && !ev.abuse_unanswered.is_empty() {
        say!(
            ReasonCode::AbuseEvidenceNotCleared,
            "Ask about ",
            show(|s| labelled(s, ev.items(ev.abuse_unanswered))),
            " before recording parental conflict: parental conflict needs every question about other abuse answered no.",
        );
    }
    if g.earlier_abuse {
        let ctx = &f.a.context;
        let detail = show(|s| {
            match (ctx.prior_incidents_12m.filter(|&n| n > 0), ctx.incident_date) {
                (Some(n), _) => {
                    n.put(s);
                    s.push_str(" in the 12 months before this one");
                }
                (None, Some(_)) => {
                    s.push_str("dated within the ");
                    gp.escalation_window_months.put(s);
                    s.push_str("-month window before this one");
                }
                (None, None) => s.push_str("dated, but without this incident's date the dates may fall inside the window; record the incident date"),
            }
        });
        say!(
            ReasonCode::EarlierAbuseIncident,
            "An earlier domestic-abuse incident is recorded (",
            detail,
            "): parental conflict support is only for families where abuse has been screened out.",
        );
    }

    // 3. The estimate, named as such.
    match (est.p_abuse, est.points, d.band) {
        (Some(p), Some(points), Some(band)) => {
            // Put only inside `say!`: written only when sentences are wanted.
            let estimate = show(|s| {
                s.push_str("The statistical estimate of domestic abuse is ");
                Pct(p).put(s);
                s.push_str(" (");
                Fixed(points, 1).put(s);
                s.push_str(" points; calibration ");
                s.push_str(f.calibration);
                s.push(')');
            });
            match (d.basis, band) {
                (DecisionBasis::SafetyGate | DecisionBasis::SafetyRules, _) => say!(
                    ReasonCode::StatisticalEstimate,
                    estimate,
                    ". A safety rule decided the classification, not this estimate.",
                ),
                (_, Band::High) if !d.unknowns_reach_abuse => say!(
                    ReasonCode::HighAbuseProbability,
                    estimate,
                    ": at or above the abuse threshold (",
                    Pct(sp.abuse_min_p_abuse),
                    ").",
                ),
                (_, Band::High) => {}
                (_, Band::Intermediate) => say!(
                    ReasonCode::IntermediateAbuseProbability,
                    estimate,
                    ": too high to treat as parental conflict (the conflict threshold is ",
                    Pct(d.conflict_threshold),
                    ").",
                ),
                (_, Band::Low) => say!(
                    ReasonCode::LowAbuseProbability,
                    estimate,
                    ": below the conflict threshold (",
                    Pct(d.conflict_threshold),
                    ").",
                ),
            }
            if d.unknowns_reach_abuse && not_abuse {
                say!(
                    ReasonCode::UnknownsRaiseProbability,
                    "Unanswered questions raise the estimate to ",
                    Pct(p),
                    ", but the answers given (",
                    Pct(est.p_evidence.unwrap_or(0.0)),
                    ") do not establish abuse: find out the unknowns.",
                );
            }
        }
        _ => say!(
            ReasonCode::NoEstimate,
            "No statistical estimate: the calibration (",
            f.calibration,
            ") has no points for the form ",
            f.instrument,
            ". Fit them on labelled records (dashrisk calibrate --data). Without an estimate a case cannot be recorded as parental conflict.",
        ),
    }
    if ev.fear_and_power_cleared() {
        say!(
            ReasonCode::FearAndPowerCleared,
            "Fear and an imbalance of power were asked about and both answered no.",
        );
    }
    if not_abuse
        && d.blockers.iter().any(|b| {
            matches!(
                b,
                ConflictBlocker::RaisedRiskLevel | ConflictBlocker::MaracCriterion
            )
        })
    {
        say!(
            ReasonCode::RiskRulesOutConflict,
            "The risk level (",
            g.level,
            ") or a MARAC criterion rules out handling this as parental conflict.",
        );
    }
    if d.classification == Classification::Unclear {
        say!(
            ReasonCode::ProfessionalJudgementNeeded,
            "Unclear: parental conflict cannot be confirmed and abuse is not established on what was recorded. A supervisor reviews the case (management oversight); the officer's professional judgement decides, and until then it is handled as a domestic incident.",
        );
    }
    if g.marac_history && not_abuse {
        say!(
            ReasonCode::MaracHistory,
            "The victim has been discussed at MARAC before: a supervisor reviews the case before it can be recorded as parental conflict.",
        );
    }

    // 4. The conflict pattern.
    let sc = &f.a.conflict_screen;
    let frequent = matches!(
        sc.argument_frequency,
        ArgumentFrequency::Weekly | ArgumentFrequency::Daily
    );
    let poorly = sc.resolution == Resolution::PoorlyResolved;
    if frequent || poorly {
        say!(
            ReasonCode::ConflictPattern,
            "The parents ",
            show(|s| {
                if frequent {
                    s.push_str("argue ");
                    s.push_str(sc.argument_frequency.as_str());
                }
                if frequent && poorly {
                    s.push_str(" and ");
                }
                if poorly {
                    s.push_str("arguments are poorly resolved");
                }
            }),
            ": frequent, poorly resolved arguments harm children, and are the pattern of parental conflict when there is no fear or control; on their own they do not rule out abuse.",
        );
    }
    if let Some(ts) = sc.recent_transitions.as_ref().filter(|t| !t.is_empty()) {
        say!(
            ReasonCode::TransitionReported,
            "Recent transition(s): ",
            show(|s| join(s, ", ", ts.iter(), |s, t| Spaced(t.as_str()).put(s))),
            ". Conflict risk rises at such times.",
        );
    }

    // 5. The grade and MARAC.
    let c = g.counts;
    say!(
        ReasonCode::YesCountBand,
        c.yes,
        " of ",
        f.questions,
        " questions answered yes: ",
        g.actuarial,
        " risk on the count (",
        gp.high_from,
        " or more is high).",
    );
    if c.unanswered() > 0 {
        say!(
            ReasonCode::UnansweredItems,
            c.not_known,
            " question(s) not known and ",
            c.declined,
            " declined: the count may understate the risk; unknown is not no.",
        );
    }
    if g.high_possible_if_unknowns_yes {
        say!(
            ReasonCode::HighRiskPossibleIfUnknownsYes,
            "If the unanswered questions were yes the count would reach ",
            c.yes + c.unanswered(),
            ": high risk. Use professional judgement.",
        );
    }
    match f.a.officer_judgement {
        Some(j) if j > g.actuarial => say!(
            ReasonCode::ProfessionalJudgementRaised,
            "Professional judgement raised the level from ",
            g.actuarial,
            " to ",
            j,
            ".",
        ),
        Some(j) if j < g.actuarial => say!(
            ReasonCode::ProfessionalJudgementNotLowering,
            "The officer graded ",
            j,
            ", but judgement may raise the level and never lower it: the level stays ",
            g.actuarial,
            ".",
        ),
        _ => {}
    }
    for c in g.criteria.iter() {
        match c {
            MaracCriterion::VisibleHighRisk => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: visible high risk (",
                g.counts.yes,
                " yes answers, threshold ",
                gp.high_from,
                ").",
            ),
            MaracCriterion::ProfessionalJudgement => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: professional judgement graded the risk high.",
            ),
            MaracCriterion::PotentialEscalation => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: potential escalation (",
                gp.escalation_incidents,
                " or more incidents in ",
                gp.escalation_window_months,
                " months, this one included).",
            ),
            MaracCriterion::RepeatMarac => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: repeat case (new incident within ",
                gp.repeat_marac_window_months,
                " months of the last MARAC).",
            ),
        }
    }
    match g.escalation {
        Check::Unchecked => say!(
            ReasonCode::EscalationUnchecked,
            "Potential escalation could not be checked: the earlier domestic-abuse incidents recorded do not cover the ",
            gp.escalation_window_months,
            "-month window (no count and no dates, or only a 12-month count for a longer window). Check police records.",
        ),
        Check::MetOnRecords => say!(
            ReasonCode::EscalationMetOnRecords,
            "Potential escalation is counted as met: the earlier incidents recorded could make ",
            gp.escalation_incidents,
            " or more in ",
            gp.escalation_window_months,
            " months, this one included, but the record does not show that they do. Record the dates of the earlier incidents and of this one to settle it.",
        ),
        Check::Met | Check::NotMet => {}
    }
    if g.repeat == Check::MetOnRecords {
        say!(
            ReasonCode::RepeatMaracMetOnRecords,
            "Repeat MARAC is counted as met: a last MARAC date was recorded without the incident date. Record the incident date to settle it.",
        );
    }

    // 6. Flags and prompts.
    for fl in ev.flags.iter() {
        match fl {
            Flag::Strangulation => say!(
                ReasonCode::HighHarmCluster,
                "High-harm marker: non-fatal strangulation, a strong predictor of homicide.",
            ),
            Flag::ThreatsToKill => say!(
                ReasonCode::HighHarmCluster,
                "High-harm marker: threats to kill or to hurt (the victim, the children or others).",
            ),
            Flag::SeparationControlViolence => say!(
                ReasonCode::HighHarmCluster,
                "High-harm cluster: separation together with coercive control and violence.",
            ),
            _ => {}
        }
    }
    if ev.flagged(Flag::Stalking) {
        say!(
            ReasonCode::StalkingFollowUp,
            "Stalking or harassment reported: ask the stalking (S-DASH) follow-up questions.",
        );
    }
    if ev.honour_prompt {
        say!(
            ReasonCode::HonourBasedAbuseFollowUp,
            "Isolation or threats from other people reported: ask the honour-based abuse prompts.",
        );
    }
    if !f.judgement_prompts.is_empty() {
        say!(
            ReasonCode::ConsiderProfessionalJudgement,
            "High-harm marker or cluster (",
            show(|s| {
                // In the order of JUDGEMENT_PROMPTS, as the sentence has always named them.
                let prompts = JUDGEMENT_PROMPTS
                    .iter()
                    .filter(|&&p| f.judgement_prompts.contains(p));
                join(s, ", ", prompts, |s, p| Spaced(p.as_str()).put(s))
            }),
            ") with the level at ",
            g.level,
            ": consider whether professional judgement should raise the level.",
        );
    }

    // 7. Children.
    match sg.in_household {
        Some(true) => say!(
            ReasonCode::ChildrenInHousehold,
            "Children live in the household.",
        ),
        None => say!(
            ReasonCode::ChildrenNotKnown,
            "Whether children live in the household is not recorded.",
        ),
        Some(false) => {}
    }
    if sc.children_exposed == Answer::Yes {
        say!(
            ReasonCode::ChildrenExposed,
            "Children are exposed to the arguments.",
        );
    }
    if sg.linked_by == Set::from_iter([ChildLink::Exposed]) {
        say!(
            ReasonCode::ChildrenLinkedByExposure,
            "Children were exposed to this incident although the household is not recorded as having children: they are linked to the incident, and the notifications follow that link.",
        );
    }
}

/// The plain-English summary of what the result means for the children.
pub(crate) fn children_summary(c: Classification, sg: &Safeguarding) -> Cow<'static, str> {
    match (c, sg.linked) {
        (Classification::DomesticAbuse, Some(true)) => Cow::Borrowed("Children linked to this incident are victims of domestic abuse in their own right (Domestic Abuse Act 2021 s.3): notify children's social care, and the school through Operation Encompass before the next school day."),
        (Classification::DomesticAbuse, None) => Cow::Borrowed("It is not recorded whether children live in the household: children's social care is notified so that this is checked; if there are children, notify their school through Operation Encompass."),
        (Classification::DomesticAbuse, Some(false)) if sg.child_harm => Cow::Borrowed("No children recorded in the household, but children were harmed or threatened: children's social care is notified."),
        (Classification::Unclear, Some(true)) => Cow::Borrowed("Children are linked to this incident and it is not yet clear whether this is abuse: until a supervisor decides, it is handled as a domestic incident, so children's social care and the school (Operation Encompass) are notified, and Early Help is offered to the family."),
        (Classification::Unclear, None) => Cow::Borrowed("It is not recorded whether children live in the household: children's social care is notified so that this is checked while a supervisor reviews whether this is abuse."),
        (Classification::ParentalConflict, Some(true)) => Cow::Borrowed("Children are affected by parental conflict: offer Reducing Parental Conflict support and Early Help for the whole family. No children's social care notification is indicated."),
        (_, None) => Cow::Borrowed("It is not recorded whether children live in the household: find out, because it changes the referrals."),
        // Not known is never read as no: with exposure not known, the summary says
        // only what was recorded.
        (_, Some(false)) if sg.exposure_unknown => Cow::Borrowed("No children recorded in the household; whether any child was at the incident is not recorded: find out, because it changes the referrals."),
        (_, Some(_)) => Cow::Borrowed("No children recorded in the household or at the incident."),
    }
}
