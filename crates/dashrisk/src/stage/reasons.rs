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
use crate::grading::{Check, Grade};
use crate::policy::Policy;
use crate::result::{
    ChildLink, Classification, ConflictBlocker, DecisionBasis, Flag, MaracCriterion, Reason,
    ReasonCode,
};
use crate::set::Set;
use std::fmt::{self, Write as _};

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
    /// Whether the sentences are wanted; when not, no sentence is formatted.
    fn text(&self) -> bool;
    /// Adds a reason (`text` empty when [`Sink::text`] is false). The sentence is
    /// handed over unformatted: a sink writes it where it keeps it.
    fn push(&mut self, code: ReasonCode, text: fmt::Arguments<'_>);
}

/// Reasons as the result lists them.
pub(crate) struct Listed {
    pub reasons: Vec<Reason>,
    pub with_text: bool,
    /// Each sentence is written here first, then copied into a string of its
    /// exact length: one allocation a sentence, where `format!` grows its string
    /// several times over.
    pub scratch: String,
}

impl Sink for Listed {
    fn text(&self) -> bool {
        self.with_text
    }
    fn push(&mut self, code: ReasonCode, text: fmt::Arguments<'_>) {
        let text = if !self.with_text {
            String::new()
        } else if let Some(fixed) = text.as_str() {
            // A sentence with nothing to fill in is copied as it is.
            fixed.to_owned()
        } else {
            self.scratch.clear();
            // Writing to a String cannot fail.
            let _ = self.scratch.write_fmt(text);
            self.scratch.as_str().to_owned()
        };
        self.reasons.push(Reason { code, text });
    }
}

impl Sink for ReasonCodes {
    fn text(&self) -> bool {
        false
    }
    fn push(&mut self, code: ReasonCode, _text: fmt::Arguments<'_>) {
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

impl Sink for Joined<'_> {
    fn text(&self) -> bool {
        true
    }
    fn push(&mut self, code: ReasonCode, text: fmt::Arguments<'_>) {
        self.codes.push(code);
        if !self.first {
            self.text.push(' ');
        }
        self.first = false;
        match text.as_str() {
            Some(fixed) => self.text.push_str(fixed),
            // Writing to a String cannot fail.
            None => {
                let _ = self.text.write_fmt(text);
            }
        }
    }
}

/// Text written by a function when it is displayed: the parts of a sentence are
/// written where the sentence goes, never into strings of their own.
struct Show<F>(F);

fn show<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result>(f: F) -> Show<F> {
    Show(f)
}

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Show<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

/// A probability as a whole percentage (`{:.0}%` of 100 p, as
/// [`crate::flat::Fixed`] writes it).
struct Pct(f64);

impl fmt::Display for Pct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", crate::flat::Fixed(self.0 * 100.0, 0))
    }
}

/// A contract string with its underscores written as spaces.
struct Spaced<'a>(&'a str);

impl fmt::Display for Spaced<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        join(f, " ", self.0.split('_'), |f, part| f.write_str(part))
    }
}

/// Writes each item with `each`, `sep` between two (a join, with no string made).
fn join<T>(
    w: &mut fmt::Formatter<'_>,
    sep: &str,
    items: impl Iterator<Item = T>,
    mut each: impl FnMut(&mut fmt::Formatter<'_>, T) -> fmt::Result,
) -> fmt::Result {
    for (n, item) in items.enumerate() {
        if n > 0 {
            w.write_str(sep)?;
        }
        each(w, item)?;
    }
    Ok(())
}

fn list<'a>(w: &mut fmt::Formatter<'_>, items: impl Iterator<Item = Item<'a>>) -> fmt::Result {
    join(w, "; ", items, |w, i| {
        w.write_str(i.id)?;
        if !i.label.is_empty() {
            w.write_str(" (")?;
            w.write_str(i.label)?;
            w.write_char(')')?;
        }
        Ok(())
    })
}

fn with_answers<'a>(
    w: &mut fmt::Formatter<'_>,
    items: impl Iterator<Item = Item<'a>>,
) -> fmt::Result {
    join(w, "; ", items, |w, i| {
        w.write_str(i.id)?;
        w.write_char(' ')?;
        w.write_str(match i.answer {
            crate::answers::Answer::NotKnown => "not known",
            other => other.as_str(),
        })
    })
}

fn blocker_text(w: &mut fmt::Formatter<'_>, b: ConflictBlocker, f: &Facts) -> fmt::Result {
    match b {
        ConflictBlocker::SafetyGate => w.write_str("fear, control or harm was reported"),
        ConflictBlocker::GateItemUnanswered => {
            w.write_str("fear, control or harm questions were not answered")
        }
        ConflictBlocker::AbuseEvidence => w.write_str("abuse was reported beyond the safety gates"),
        ConflictBlocker::EarlierAbuse => {
            w.write_str("an earlier domestic-abuse incident is recorded")
        }
        ConflictBlocker::MaracHistory => w.write_str("the victim has been discussed at MARAC"),
        ConflictBlocker::MaracCriterion => w.write_str("a MARAC criterion is met"),
        ConflictBlocker::RaisedRiskLevel => write!(w, "the risk level is {}", f.grade.level),
        ConflictBlocker::AbuseProbability => match f.estimate.p_abuse {
            Some(p) => write!(
                w,
                "the statistical estimate ({}) is not below the conflict threshold ({})",
                Pct(p),
                Pct(f.decision.conflict_threshold)
            ),
            None => w.write_str("there is no statistical estimate for this form"),
        },
    }
}

/// Writes the reasons into `out`. Without text nothing here allocates, and with
/// it nothing but what the sink keeps: every sentence, and everything only a
/// sentence needs, is written inside `say!`, straight into the sink.
pub(crate) fn reasons<S: Sink>(f: &Facts, out: &mut S) {
    let with_text = out.text();
    // A macro, not a closure, so that a sentence not asked for is never formatted.
    macro_rules! say {
        ($code:expr, $($text:tt)+) => {
            if with_text {
                out.push($code, format_args!($($text)+))
            } else {
                out.push($code, format_args!(""))
            }
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
            "Domestic abuse, decided by the answers given: no safety gate fired, but the \"yes\" answers alone put the statistical estimate at {}, at or above the abuse threshold ({}).",
            Pct(est.p_evidence.unwrap_or(1.0)),
            Pct(sp.abuse_min_p_abuse)
        ),
        DecisionBasis::SafetyRules => say!(
            ReasonCode::DecisionUnclearSafetyRules,
            "Not parental conflict, decided by the safety rules: {}. Abuse is not established on what was recorded either, so the case is unclear.",
            show(|w| {
                let rules = d
                    .blockers
                    .iter()
                    .filter(|&b| b != ConflictBlocker::AbuseProbability);
                join(w, "; ", rules, |w, b| blocker_text(w, b, f))
            })
        ),
        DecisionBasis::Estimate => say!(
            ReasonCode::DecisionUnclearEstimate,
            "Unclear, decided by the statistical estimate: no safety rule rules out parental conflict, but {}.",
            show(|w| blocker_text(w, ConflictBlocker::AbuseProbability, f))
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
            "Fear reported ({}): fear of the other person rules out parental conflict.",
            show(|w| list(w, ev.items(ev.fear)))
        );
    }
    if !ev.power.is_empty() {
        say!(
            ReasonCode::PowerImbalanceReported,
            "Control or an imbalance of power reported ({}): this rules out parental conflict.",
            show(|w| list(w, ev.items(ev.power)))
        );
    }
    if !ev.harm.is_empty() {
        say!(
            ReasonCode::HarmMarkerReported,
            "Violence or a high-harm marker reported ({}): this is domestic abuse, not parental conflict.",
            show(|w| list(w, ev.items(ev.harm)))
        );
    }
    if !ev.blockers.is_empty() {
        say!(
            ReasonCode::AbuseEvidenceReported,
            "Abuse reported beyond the safety gates ({}): this rules out parental conflict, though on its own it does not establish abuse.",
            show(|w| list(w, ev.items(ev.blockers)))
        );
    }
    if !ev.gate_fired() && !ev.fear_power_unanswered.is_empty() {
        say!(
            ReasonCode::FearOrPowerNotCleared,
            "Ask about fear and control before recording parental conflict: {} could not be ruled out (not known or declined), and parental conflict needs them asked and answered no.",
            show(|w| with_answers(w, ev.items(ev.fear_power_unanswered)))
        );
    }
    if !ev.gate_fired() && !ev.harm_unanswered.is_empty() {
        say!(
            ReasonCode::HarmNotCleared,
            "Ask about {} before recording parental conflict: parental conflict needs every harm question answered no.",
            show(|w| {
                join(w, "; ", ev.items(ev.harm_unanswered), |w, i| {
                    write!(w, "{} ({}, {})", i.id, i.label, Spaced(i.answer.as_str()))
                })
            })
        );
    }
    if g.earlier_abuse {
        let ctx = &f.a.context;
        let detail = show(|w| {
            match (ctx.prior_incidents_12m.filter(|&n| n > 0), ctx.incident_date) {
                (Some(n), _) => write!(w, "{n} in the 12 months before this one"),
                (None, Some(_)) => write!(
                    w,
                    "dated within the {}-month window before this one",
                    gp.escalation_window_months
                ),
                (None, None) => w.write_str("dated, but without this incident's date the dates may fall inside the window; record the incident date"),
            }
        });
        say!(
            ReasonCode::EarlierAbuseIncident,
            "An earlier domestic-abuse incident is recorded ({}): parental conflict support is only for families where abuse has been screened out.",
            detail
        );
    }

    // 3. The estimate, named as such.
    match (est.p_abuse, est.points, d.band) {
        (Some(p), Some(points), Some(band)) => {
            // Displayed only inside `say!`: written only when sentences are wanted.
            let estimate = show(|w| {
                write!(
                    w,
                    "The statistical estimate of domestic abuse is {} ({} points; calibration {})",
                    Pct(p),
                    crate::flat::Fixed(points, 1),
                    f.calibration
                )
            });
            match (d.basis, band) {
                (DecisionBasis::SafetyGate | DecisionBasis::SafetyRules, _) => say!(
                    ReasonCode::StatisticalEstimate,
                    "{}. A safety rule decided the classification, not this estimate.",
                    estimate
                ),
                (_, Band::High) if !d.unknowns_reach_abuse => say!(
                    ReasonCode::HighAbuseProbability,
                    "{}: at or above the abuse threshold ({}).",
                    estimate,
                    Pct(sp.abuse_min_p_abuse)
                ),
                (_, Band::High) => {}
                (_, Band::Intermediate) => say!(
                    ReasonCode::IntermediateAbuseProbability,
                    "{}: too high to treat as parental conflict (the conflict threshold is {}).",
                    estimate,
                    Pct(d.conflict_threshold)
                ),
                (_, Band::Low) => say!(
                    ReasonCode::LowAbuseProbability,
                    "{}: below the conflict threshold ({}).",
                    estimate,
                    Pct(d.conflict_threshold)
                ),
            }
            if d.unknowns_reach_abuse && not_abuse {
                say!(
                    ReasonCode::UnknownsRaiseProbability,
                    "Unanswered questions raise the estimate to {}, but the answers given ({}) do not establish abuse: find out the unknowns.",
                    Pct(p),
                    Pct(est.p_evidence.unwrap_or(0.0))
                );
            }
        }
        _ => say!(
            ReasonCode::NoEstimate,
            "No statistical estimate: the calibration ({}) has no points for the form {}. Fit them on labelled records (dashrisk calibrate --data). Without an estimate a case cannot be recorded as parental conflict.",
            f.calibration,
            f.instrument
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
            "The risk level ({}) or a MARAC criterion rules out handling this as parental conflict.",
            g.level
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
    let s = &f.a.conflict_screen;
    let frequent = matches!(
        s.argument_frequency,
        ArgumentFrequency::Weekly | ArgumentFrequency::Daily
    );
    let poorly = s.resolution == Resolution::PoorlyResolved;
    if frequent || poorly {
        say!(
            ReasonCode::ConflictPattern,
            "The parents {}: frequent, poorly resolved arguments harm children, and are the pattern of parental conflict when there is no fear or control; on their own they do not rule out abuse.",
            show(|w| {
                if frequent {
                    write!(w, "argue {}", s.argument_frequency.as_str())?;
                }
                if frequent && poorly {
                    w.write_str(" and ")?;
                }
                if poorly {
                    w.write_str("arguments are poorly resolved")?;
                }
                Ok(())
            })
        );
    }
    if let Some(ts) = s.recent_transitions.as_ref().filter(|t| !t.is_empty()) {
        say!(
            ReasonCode::TransitionReported,
            "Recent transition(s): {}. Conflict risk rises at such times.",
            show(|w| {
                join(w, ", ", ts.iter(), |w, t| {
                    write!(w, "{}", Spaced(t.as_str()))
                })
            })
        );
    }

    // 5. The grade and MARAC.
    let c = g.counts;
    say!(
        ReasonCode::YesCountBand,
        "{} of {} questions answered yes: {} risk on the count ({} or more is high).",
        c.yes,
        f.questions,
        g.actuarial,
        gp.high_from
    );
    if c.unanswered() > 0 {
        say!(
            ReasonCode::UnansweredItems,
            "{} question(s) not known and {} declined: the count may understate the risk; unknown is not no.",
            c.not_known,
            c.declined
        );
    }
    if g.high_possible_if_unknowns_yes {
        say!(
            ReasonCode::HighRiskPossibleIfUnknownsYes,
            "If the unanswered questions were yes the count would reach {}: high risk. Use professional judgement.",
            c.yes + c.unanswered()
        );
    }
    match f.a.officer_judgement {
        Some(j) if j > g.actuarial => say!(
            ReasonCode::ProfessionalJudgementRaised,
            "Professional judgement raised the level from {} to {j}.",
            g.actuarial
        ),
        Some(j) if j < g.actuarial => say!(
            ReasonCode::ProfessionalJudgementNotLowering,
            "The officer graded {j}, but judgement may raise the level and never lower it: the level stays {}.",
            g.actuarial
        ),
        _ => {}
    }
    for c in g.criteria.iter() {
        match c {
            MaracCriterion::VisibleHighRisk => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: visible high risk ({} yes answers, threshold {}).",
                g.counts.yes,
                gp.high_from
            ),
            MaracCriterion::ProfessionalJudgement => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: professional judgement graded the risk high.",
            ),
            MaracCriterion::PotentialEscalation => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: potential escalation ({} or more incidents in {} months, this one included).",
                gp.escalation_incidents,
                gp.escalation_window_months
            ),
            MaracCriterion::RepeatMarac => say!(
                ReasonCode::MaracCriterionMet,
                "MARAC: repeat case (new incident within {} months of the last MARAC).",
                gp.repeat_marac_window_months
            ),
        }
    }
    match g.escalation {
        Check::Unchecked => say!(
            ReasonCode::EscalationUnchecked,
            "Potential escalation could not be checked: the earlier domestic-abuse incidents recorded do not cover the {}-month window (no count and no dates, or only a 12-month count for a longer window). Check police records.",
            gp.escalation_window_months
        ),
        Check::MetOnRecords => say!(
            ReasonCode::EscalationMetOnRecords,
            "Potential escalation is counted as met: the earlier incidents recorded could make {} or more in {} months, this one included, but the record does not show that they do. Record the dates of the earlier incidents and of this one to settle it.",
            gp.escalation_incidents,
            gp.escalation_window_months
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
            "High-harm marker or cluster ({}) with a {} level on the count: consider whether professional judgement should raise the level.",
            show(|w| {
                // In the order of JUDGEMENT_PROMPTS, as the sentence has always named them.
                let prompts = JUDGEMENT_PROMPTS
                    .iter()
                    .filter(|&&p| f.judgement_prompts.contains(p));
                join(w, ", ", prompts, |w, p| write!(w, "{}", Spaced(p.as_str())))
            }),
            g.level
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
    if s.children_exposed == Answer::Yes {
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
pub(crate) fn children_summary(c: Classification, sg: &Safeguarding) -> String {
    match (c, sg.linked) {
        (Classification::DomesticAbuse, Some(true)) => "Children linked to this incident are victims of domestic abuse in their own right (Domestic Abuse Act 2021 s.3): notify children's social care, and the school through Operation Encompass before the next school day.".into(),
        (Classification::DomesticAbuse, None) => "It is not recorded whether children live in the household: children's social care is notified so that this is checked; if there are children, notify their school through Operation Encompass.".into(),
        (Classification::DomesticAbuse, Some(false)) if sg.child_harm => "No children recorded in the household, but children were harmed or threatened: children's social care is notified.".into(),
        (Classification::Unclear, Some(true)) => "Children are linked to this incident and it is not yet clear whether this is abuse: until a supervisor decides, it is handled as a domestic incident, so children's social care and the school (Operation Encompass) are notified, and Early Help is offered to the family.".into(),
        (Classification::Unclear, None) => "It is not recorded whether children live in the household: children's social care is notified so that this is checked while a supervisor reviews whether this is abuse.".into(),
        (Classification::ParentalConflict, Some(true)) => "Children are affected by parental conflict: offer Reducing Parental Conflict support and Early Help for the whole family. No children's social care notification is indicated.".into(),
        (_, None) => "It is not recorded whether children live in the household: find out, because it changes the referrals.".into(),
        (_, Some(_)) => "No children recorded in the household or at the incident.".into(),
    }
}
