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

/// Where reasons go: a list with sentences (or empty texts), or the codes alone.
pub(crate) trait Sink {
    /// Whether the sentences are wanted; when not, no sentence is formatted.
    fn text(&self) -> bool;
    /// Adds a reason (`text` empty when [`Sink::text`] is false).
    fn push(&mut self, code: ReasonCode, text: String);
}

/// Reasons as the result lists them.
pub(crate) struct Listed {
    pub reasons: Vec<Reason>,
    pub with_text: bool,
}

impl Sink for Listed {
    fn text(&self) -> bool {
        self.with_text
    }
    fn push(&mut self, code: ReasonCode, text: String) {
        self.reasons.push(Reason { code, text });
    }
}

impl Sink for ReasonCodes {
    fn text(&self) -> bool {
        false
    }
    fn push(&mut self, code: ReasonCode, _text: String) {
        ReasonCodes::push(self, code);
    }
}

fn list<'a>(items: impl Iterator<Item = Item<'a>>) -> String {
    let mut out = String::with_capacity(96);
    for (n, i) in items.enumerate() {
        if n > 0 {
            out.push_str("; ");
        }
        out.push_str(i.id);
        if !i.label.is_empty() {
            out.push_str(" (");
            out.push_str(i.label);
            out.push(')');
        }
    }
    out
}

fn with_answers<'a>(items: impl Iterator<Item = Item<'a>>) -> String {
    let mut out = String::with_capacity(64);
    for (n, i) in items.enumerate() {
        if n > 0 {
            out.push_str("; ");
        }
        out.push_str(i.id);
        out.push(' ');
        out.push_str(match i.answer {
            crate::answers::Answer::NotKnown => "not known",
            other => other.as_str(),
        });
    }
    out
}

fn pct(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

fn blocker_text(b: ConflictBlocker, f: &Facts) -> String {
    match b {
        ConflictBlocker::SafetyGate => "fear, control or harm was reported".into(),
        ConflictBlocker::GateItemUnanswered => {
            "fear, control or harm questions were not answered".into()
        }
        ConflictBlocker::AbuseEvidence => "abuse was reported beyond the safety gates".into(),
        ConflictBlocker::EarlierAbuse => "an earlier domestic-abuse incident is recorded".into(),
        ConflictBlocker::MaracHistory => "the victim has been discussed at MARAC".into(),
        ConflictBlocker::MaracCriterion => "a MARAC criterion is met".into(),
        ConflictBlocker::RaisedRiskLevel => format!("the risk level is {}", f.grade.level),
        ConflictBlocker::AbuseProbability => match f.estimate.p_abuse {
            Some(p) => format!(
                "the statistical estimate ({}) is not below the conflict threshold ({})",
                pct(p),
                pct(f.decision.conflict_threshold)
            ),
            None => "there is no statistical estimate for this form".into(),
        },
    }
}

/// Writes the reasons into `out`. Without text nothing here allocates: every
/// sentence, and everything only a sentence needs, is built inside `say!`.
pub(crate) fn reasons<S: Sink>(f: &Facts, out: &mut S) {
    let with_text = out.text();
    // A macro, not a closure, so that a sentence not asked for is never formatted.
    macro_rules! say {
        ($code:expr, $text:expr $(,)?) => {
            if with_text {
                out.push($code, $text)
            } else {
                out.push($code, String::new())
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
            "Domestic abuse, decided by a safety rule: fear, control or harm was reported, and any one of them makes this domestic abuse whatever the statistical estimate says.".into(),
        ),
        DecisionBasis::AnswersGiven => say!(
            ReasonCode::DecisionAbuseAnswersGiven,
            format!(
                "Domestic abuse, decided by the answers given: no safety gate fired, but the \"yes\" answers alone put the statistical estimate at {}, at or above the abuse threshold ({}).",
                pct(est.p_evidence.unwrap_or(1.0)),
                pct(sp.abuse_min_p_abuse)
            ),
        ),
        DecisionBasis::SafetyRules => say!(
            ReasonCode::DecisionUnclearSafetyRules,
            {
                let rules: Vec<String> = d
                    .blockers
                    .iter()
                    .filter(|&b| b != ConflictBlocker::AbuseProbability)
                    .map(|b| blocker_text(b, f))
                    .collect();
                format!(
                    "Not parental conflict, decided by the safety rules: {}. Abuse is not established on what was recorded either, so the case is unclear.",
                    rules.join("; ")
                )
            },
        ),
        DecisionBasis::Estimate => say!(
            ReasonCode::DecisionUnclearEstimate,
            format!(
                "Unclear, decided by the statistical estimate: no safety rule rules out parental conflict, but {}.",
                blocker_text(ConflictBlocker::AbuseProbability, f)
            ),
        ),
        DecisionBasis::ScreenedOut => say!(
            ReasonCode::DecisionConflictScreenedOut,
            "Parental conflict: abuse was asked about and screened out. Every fear, control and harm question was answered no, no other abuse, earlier abuse or MARAC involvement is recorded, the level is standard and the statistical estimate is low.".into(),
        ),
    }

    // 2. The evidence behind it.
    if !ev.fear.is_empty() {
        say!(
            ReasonCode::FearReported,
            format!(
                "Fear reported ({}): fear of the other person rules out parental conflict.",
                list(ev.items(ev.fear))
            ),
        );
    }
    if !ev.power.is_empty() {
        say!(
            ReasonCode::PowerImbalanceReported,
            format!(
                "Control or an imbalance of power reported ({}): this rules out parental conflict.",
                list(ev.items(ev.power))
            ),
        );
    }
    if !ev.harm.is_empty() {
        say!(
            ReasonCode::HarmMarkerReported,
            format!(
                "Violence or a high-harm marker reported ({}): this is domestic abuse, not parental conflict.",
                list(ev.items(ev.harm))
            ),
        );
    }
    if !ev.blockers.is_empty() {
        say!(
            ReasonCode::AbuseEvidenceReported,
            format!(
                "Abuse reported beyond the safety gates ({}): this rules out parental conflict, though on its own it does not establish abuse.",
                list(ev.items(ev.blockers))
            ),
        );
    }
    if !ev.gate_fired() && !ev.fear_power_unanswered.is_empty() {
        say!(
            ReasonCode::FearOrPowerNotCleared,
            format!(
                "Ask about fear and control before recording parental conflict: {} could not be ruled out (not known or declined), and parental conflict needs them asked and answered no.",
                with_answers(ev.items(ev.fear_power_unanswered))
            ),
        );
    }
    if !ev.gate_fired() && !ev.harm_unanswered.is_empty() {
        say!(ReasonCode::HarmNotCleared, {
            let ask: Vec<String> = ev
                .items(ev.harm_unanswered)
                .map(|i| {
                    format!(
                        "{} ({}, {})",
                        i.id,
                        i.label,
                        i.answer.as_str().replace('_', " ")
                    )
                })
                .collect();
            format!(
                "Ask about {} before recording parental conflict: parental conflict needs every harm question answered no.",
                ask.join("; ")
            )
        });
    }
    if g.earlier_abuse {
        say!(ReasonCode::EarlierAbuseIncident, {
            let ctx = &f.a.context;
            let detail = match (ctx.prior_incidents_12m.filter(|&n| n > 0), ctx.incident_date) {
                (Some(n), _) => format!("{n} in the 12 months before this one"),
                (None, Some(_)) => format!(
                    "dated within the {}-month window before this one",
                    gp.escalation_window_months
                ),
                (None, None) => "dated, but without this incident's date the dates may fall inside the window; record the incident date".to_string(),
            };
            format!(
                "An earlier domestic-abuse incident is recorded ({detail}): parental conflict support is only for families where abuse has been screened out."
            )
        });
    }

    // 3. The estimate, named as such.
    match (est.p_abuse, est.points, d.band) {
        (Some(p), Some(points), Some(band)) => {
            // Called only inside `say!`: formatted only when sentences are wanted.
            let estimate = || {
                format!(
                    "The statistical estimate of domestic abuse is {} ({points:.1} points; calibration {})",
                    pct(p),
                    f.calibration
                )
            };
            match (d.basis, band) {
                (DecisionBasis::SafetyGate | DecisionBasis::SafetyRules, _) => say!(
                    ReasonCode::StatisticalEstimate,
                    format!("{}. A safety rule decided the classification, not this estimate.", estimate()),
                ),
                (_, Band::High) if !d.unknowns_reach_abuse => say!(
                    ReasonCode::HighAbuseProbability,
                    format!("{}: at or above the abuse threshold ({}).", estimate(), pct(sp.abuse_min_p_abuse)),
                ),
                (_, Band::High) => {}
                (_, Band::Intermediate) => say!(
                    ReasonCode::IntermediateAbuseProbability,
                    format!(
                        "{}: too high to treat as parental conflict (the conflict threshold is {}).",
                        estimate(),
                        pct(d.conflict_threshold)
                    ),
                ),
                (_, Band::Low) => say!(
                    ReasonCode::LowAbuseProbability,
                    format!(
                        "{}: below the conflict threshold ({}).",
                        estimate(),
                        pct(d.conflict_threshold)
                    ),
                ),
            }
            if d.unknowns_reach_abuse && not_abuse {
                say!(
                    ReasonCode::UnknownsRaiseProbability,
                    format!(
                        "Unanswered questions raise the estimate to {}, but the answers given ({}) do not establish abuse: find out the unknowns.",
                        pct(p),
                        pct(est.p_evidence.unwrap_or(0.0))
                    ),
                );
            }
        }
        _ => say!(
            ReasonCode::NoEstimate,
            format!(
                "No statistical estimate: the calibration ({}) has no points for the form {}. Fit them on labelled records (dashrisk calibrate --data). Without an estimate a case cannot be recorded as parental conflict.",
                f.calibration, f.instrument
            ),
        ),
    }
    if ev.fear_and_power_cleared() {
        say!(
            ReasonCode::FearAndPowerCleared,
            "Fear and an imbalance of power were asked about and both answered no.".into(),
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
            format!(
                "The risk level ({}) or a MARAC criterion rules out handling this as parental conflict.",
                g.level
            ),
        );
    }
    if d.classification == Classification::Unclear {
        say!(
            ReasonCode::ProfessionalJudgementNeeded,
            "Unclear: parental conflict cannot be confirmed and abuse is not established on what was recorded. A supervisor reviews the case (management oversight); the officer's professional judgement decides, and until then it is handled as a domestic incident.".into(),
        );
    }
    if g.marac_history && not_abuse {
        say!(
            ReasonCode::MaracHistory,
            "The victim has been discussed at MARAC before: a supervisor reviews the case before it can be recorded as parental conflict.".into(),
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
        say!(ReasonCode::ConflictPattern, {
            let mut parts = Vec::new();
            if frequent {
                parts.push(format!("argue {}", s.argument_frequency.as_str()));
            }
            if poorly {
                parts.push("arguments are poorly resolved".to_string());
            }
            format!(
                "The parents {}: frequent, poorly resolved arguments harm children, and are the pattern of parental conflict when there is no fear or control; on their own they do not rule out abuse.",
                parts.join(" and ")
            )
        });
    }
    if let Some(ts) = s.recent_transitions.as_ref().filter(|t| !t.is_empty()) {
        say!(ReasonCode::TransitionReported, {
            let names: Vec<String> = ts.iter().map(|t| t.as_str().replace('_', " ")).collect();
            format!(
                "Recent transition(s): {}. Conflict risk rises at such times.",
                names.join(", ")
            )
        });
    }

    // 5. The grade and MARAC.
    let c = g.counts;
    say!(
        ReasonCode::YesCountBand,
        format!(
            "{} of {} questions answered yes: {} risk on the count ({} or more is high).",
            c.yes, f.questions, g.actuarial, gp.high_from
        ),
    );
    if c.unanswered() > 0 {
        say!(
            ReasonCode::UnansweredItems,
            format!(
                "{} question(s) not known and {} declined: the count may understate the risk; unknown is not no.",
                c.not_known, c.declined
            ),
        );
    }
    if g.high_possible_if_unknowns_yes {
        say!(
            ReasonCode::HighRiskPossibleIfUnknownsYes,
            format!(
                "If the unanswered questions were yes the count would reach {}: high risk. Use professional judgement.",
                c.yes + c.unanswered()
            ),
        );
    }
    match f.a.officer_judgement {
        Some(j) if j > g.actuarial => say!(
            ReasonCode::ProfessionalJudgementRaised,
            format!(
                "Professional judgement raised the level from {} to {j}.",
                g.actuarial
            ),
        ),
        Some(j) if j < g.actuarial => say!(
            ReasonCode::ProfessionalJudgementNotLowering,
            format!(
                "The officer graded {j}, but judgement may raise the level and never lower it: the level stays {}.",
                g.actuarial
            ),
        ),
        _ => {}
    }
    for c in g.criteria.iter() {
        say!(ReasonCode::MaracCriterionMet, match c {
            MaracCriterion::VisibleHighRisk => format!(
                "MARAC: visible high risk ({} yes answers, threshold {}).",
                g.counts.yes, gp.high_from
            ),
            MaracCriterion::ProfessionalJudgement => {
                "MARAC: professional judgement graded the risk high.".to_string()
            }
            MaracCriterion::PotentialEscalation => format!(
                "MARAC: potential escalation ({} or more incidents in {} months, this one included).",
                gp.escalation_incidents, gp.escalation_window_months
            ),
            MaracCriterion::RepeatMarac => format!(
                "MARAC: repeat case (new incident within {} months of the last MARAC).",
                gp.repeat_marac_window_months
            ),
        });
    }
    match g.escalation {
        Check::Unchecked => say!(
            ReasonCode::EscalationUnchecked,
            format!(
                "Potential escalation could not be checked: the earlier domestic-abuse incidents recorded do not cover the {}-month window (no count and no dates, or only a 12-month count for a longer window). Check police records.",
                gp.escalation_window_months
            ),
        ),
        Check::MetOnRecords => say!(
            ReasonCode::EscalationMetOnRecords,
            format!(
                "Potential escalation is counted as met: the earlier incidents recorded could make {} or more in {} months, this one included, but the record does not show that they do. Record the dates of the earlier incidents and of this one to settle it.",
                gp.escalation_incidents, gp.escalation_window_months
            ),
        ),
        Check::Met | Check::NotMet => {}
    }
    if g.repeat == Check::MetOnRecords {
        say!(
            ReasonCode::RepeatMaracMetOnRecords,
            "Repeat MARAC is counted as met: a last MARAC date was recorded without the incident date. Record the incident date to settle it.".into(),
        );
    }

    // 6. Flags and prompts.
    for fl in ev.flags.iter() {
        let text = match fl {
            Flag::Strangulation => {
                "High-harm marker: non-fatal strangulation, a strong predictor of homicide."
            }
            Flag::ThreatsToKill => {
                "High-harm marker: threats to kill or to hurt (the victim, the children or others)."
            }
            Flag::SeparationControlViolence => {
                "High-harm cluster: separation together with coercive control and violence."
            }
            _ => continue,
        };
        say!(ReasonCode::HighHarmCluster, text.to_string());
    }
    if ev.flagged(Flag::Stalking) {
        say!(
            ReasonCode::StalkingFollowUp,
            "Stalking or harassment reported: ask the stalking (S-DASH) follow-up questions."
                .into(),
        );
    }
    if ev.honour_prompt {
        say!(
            ReasonCode::HonourBasedAbuseFollowUp,
            "Isolation or threats from other people reported: ask the honour-based abuse prompts."
                .into(),
        );
    }
    if !f.judgement_prompts.is_empty() {
        say!(ReasonCode::ConsiderProfessionalJudgement, {
            // In the order of JUDGEMENT_PROMPTS, as the sentence has always named them.
            let prompts: Vec<&str> = JUDGEMENT_PROMPTS
                .iter()
                .filter(|&&p| f.judgement_prompts.contains(p))
                .map(|p| p.as_str())
                .collect();
            format!(
                "High-harm marker or cluster ({}) with a {} level on the count: consider whether professional judgement should raise the level.",
                prompts.join(", ").replace('_', " "),
                g.level
            )
        });
    }

    // 7. Children.
    match sg.in_household {
        Some(true) => say!(
            ReasonCode::ChildrenInHousehold,
            "Children live in the household.".into(),
        ),
        None => say!(
            ReasonCode::ChildrenNotKnown,
            "Whether children live in the household is not recorded.".into(),
        ),
        Some(false) => {}
    }
    if s.children_exposed == Answer::Yes {
        say!(
            ReasonCode::ChildrenExposed,
            "Children are exposed to the arguments.".into(),
        );
    }
    if sg.linked_by == Set::from_iter([ChildLink::Exposed]) {
        say!(
            ReasonCode::ChildrenLinkedByExposure,
            "Children were exposed to this incident although the household is not recorded as having children: they are linked to the incident, and the notifications follow that link.".into(),
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
