//! The scorer: hard safety gates, the points score, calibration, the
//! conflict-vs-abuse decision, grading, MARAC, children, pathways and reasons.
//!
//! The safety rules, in the order they are applied:
//! 1. A "yes" on any fear, power-imbalance or harm item (or the screen's fear or
//!    power imbalance) fires a gate, and a fired gate means **domestic abuse**.
//! 2. "Parental conflict" needs all of: p_abuse below the conflict threshold, no
//!    gate fired, every fear and power item answered **no** (not known or declined
//!    never clears them), a standard final risk level, no MARAC criterion met and
//!    no MARAC history.
//! 3. Otherwise the answers given decide: if the probability from the "yes"
//!    answers alone (unknowns scoring nothing) reaches the abuse threshold, it is
//!    domestic abuse; anything else is **unclear**: professional judgement and
//!    management oversight. Unknown answers raise `p_abuse` and can stop a case
//!    being called parental conflict, but they never by themselves establish abuse:
//!    an empty record is unclear, not abuse.

use crate::answers::{Answer, ArgumentFrequency, Assessment, Resolution, Transition};
use crate::calibration::Calibration;
use crate::error::{ArtefactError, ErrorKind, InputError};
use crate::grading::{self, Check};
use crate::instrument::{Domain, Gate, Instrument, Marker, Question};
use crate::limits::Limits;
use crate::policy::Policy;
use crate::result::*;
use std::collections::BTreeSet;

/// Version of the scorer rules, reported in every result.
pub const SCORER_VERSION: &str = "dashrisk-scorer/1.1";

/// A configured scorer: policy, calibration and the instruments it knows.
/// Cheap to share across threads (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct Scorer {
    policy: Policy,
    calibration: Calibration,
    instruments: Vec<Instrument>,
    /// Points for a "yes" per question, parallel to `instruments`.
    question_points: Vec<Vec<f64>>,
    /// Size and nesting limits on input records.
    limits: Limits,
}

/// An assessment's answers resolved against its instrument once, in question order,
/// so that every rule reads a slice instead of looking ids up again.
struct Resolved<'a> {
    inst: &'a Instrument,
    points: &'a [f64],
    answers: Vec<Answer>,
}

impl Resolved<'_> {
    fn questions(&self) -> impl Iterator<Item = (&Question, Answer)> {
        self.inst.questions.iter().zip(self.answers.iter().copied())
    }

    fn any_yes(&self, pred: impl Fn(&Question) -> bool) -> bool {
        self.questions().any(|(q, a)| a == Answer::Yes && pred(q))
    }
}

impl Default for Scorer {
    /// The default policy, the shipped calibration and the built-in instruments.
    fn default() -> Self {
        Scorer::new(Policy::default(), Calibration::shipped())
            .expect("default policy matches the shipped calibration")
    }
}

/// Which gates fired and which questions fired them.
#[derive(Debug, Default)]
struct GateState {
    fear: Vec<String>,
    power: Vec<String>,
    harm: Vec<String>,
    /// Fear or power items answered not known or declined.
    uncleared: Vec<String>,
}

impl GateState {
    fn any_fired(&self) -> bool {
        !(self.fear.is_empty() && self.power.is_empty() && self.harm.is_empty())
    }
}

impl Scorer {
    /// A scorer with this policy and calibration and the built-in instruments.
    ///
    /// Fails when the policy is invalid, or the calibration was fitted for other
    /// score weights (its probabilities would be meaningless).
    pub fn new(policy: Policy, calibration: Calibration) -> Result<Scorer, ArtefactError> {
        policy.validate()?;
        calibration.validate()?;
        let fp = policy.scorer.weights.fingerprint();
        if calibration.weights_fingerprint != fp {
            return Err(ArtefactError::Mismatch {
                artefact: format!("calibration {:?}", calibration.version),
                problem: format!(
                    "fitted for score weights {}, but the policy's weights are {}; refit the calibration for this policy",
                    short(&calibration.weights_fingerprint),
                    short(&fp)
                ),
            });
        }
        let mut scorer = Scorer {
            policy,
            calibration,
            instruments: Vec::new(),
            question_points: Vec::new(),
            limits: Limits::default(),
        };
        for inst in Instrument::builtin() {
            scorer.push_instrument(inst.clone());
        }
        Ok(scorer)
    }

    fn push_instrument(&mut self, inst: Instrument) {
        let w = &self.policy.scorer.weights;
        let points = inst
            .questions
            .iter()
            .map(|q| w.question_points(&q.domains))
            .collect();
        if let Some(i) = self.instruments.iter().position(|x| x.id == inst.id) {
            self.instruments[i] = inst;
            self.question_points[i] = points;
        } else {
            self.instruments.push(inst);
            self.question_points.push(points);
        }
    }

    /// Adds (or replaces) a custom instrument, after validating it. A built-in id
    /// cannot be replaced: load a licensed form's official wording under its own id
    /// (e.g. `dash-2009-official`) with the same question ids.
    pub fn with_instrument(mut self, instrument: Instrument) -> Result<Scorer, ArtefactError> {
        instrument.validate()?;
        if Instrument::builtin_by_id(&instrument.id).is_some() {
            return Err(ArtefactError::Invalid {
                artefact: format!("instrument {:?}", instrument.id),
                field: "id".into(),
                problem: "is a built-in instrument's id; give the custom instrument its own id"
                    .into(),
            });
        }
        self.push_instrument(instrument);
        Ok(self)
    }

    /// The same scorer with other record [`Limits`] (the default is
    /// [`Limits::default`]). Fails when the limits are invalid
    /// ([`Limits::validate`]).
    pub fn with_limits(mut self, limits: Limits) -> Result<Scorer, ArtefactError> {
        limits.validate()?;
        self.limits = limits;
        Ok(self)
    }

    /// The record limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The calibration in force.
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// The instruments this scorer knows.
    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    /// An instrument by id.
    pub fn instrument(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    /// The instrument an assessment names, with an error listing the known ids.
    pub fn instrument_for(&self, id: &str) -> Result<&Instrument, InputError> {
        self.instrument(id)
            .ok_or_else(|| self.unknown_instrument(id))
    }

    fn unknown_instrument(&self, id: &str) -> InputError {
        let known: Vec<&str> = self.instruments.iter().map(|i| i.id.as_str()).collect();
        InputError::new(
            ErrorKind::UnknownInstrument,
            "instrument",
            Some(id),
            format!(
                "instrument: {:?} is not known; expected one of: {}",
                crate::error::truncate_value(id),
                known.join(", ")
            ),
        )
    }

    /// Checks that every answered question belongs to the instrument.
    pub fn check_questions<'a>(
        &'a self,
        assessment: &Assessment,
    ) -> Result<&'a Instrument, InputError> {
        Ok(self.resolve(assessment)?.inst)
    }

    /// Finds the instrument, checks every answered id belongs to it, and lines the
    /// answers up in question order (left-out questions are not known).
    fn resolve<'a>(&'a self, a: &Assessment) -> Result<Resolved<'a>, InputError> {
        let idx = self
            .instruments
            .iter()
            .position(|i| i.id == a.instrument)
            .ok_or_else(|| self.unknown_instrument(&a.instrument))?;
        let inst = &self.instruments[idx];
        let mut answers = vec![Answer::NotKnown; inst.questions.len()];
        for (key, &ans) in &a.answers {
            match inst.questions.iter().position(|q| &q.id == key) {
                Some(i) => answers[i] = ans,
                None => return Err(unknown_question(inst, &format!("answers.{key}"), key)),
            }
        }
        Ok(Resolved {
            inst,
            points: &self.question_points[idx],
            answers,
        })
    }

    /// The points score alone (what the calibration maps to p_abuse).
    pub fn score(&self, assessment: &Assessment) -> Result<f64, InputError> {
        let r = self.resolve(assessment)?;
        Ok(self.points(&r, assessment))
    }

    fn points(&self, r: &Resolved, a: &Assessment) -> f64 {
        self.points_with(r, a, self.policy.scorer.weights.unknown_fraction)
    }

    /// Points with unknown answers scoring `unknown_share` of a "yes": the policy's
    /// share for the reported score, 0 for the evidence of the answers given.
    fn points_with(&self, r: &Resolved, a: &Assessment, unknown_share: f64) -> f64 {
        let w = &self.policy.scorer.weights;
        let share = |ans: Answer| match ans {
            Answer::Yes => 1.0,
            Answer::No => 0.0,
            Answer::NotKnown | Answer::Declined => unknown_share,
        };
        let mut total = 0.0;
        for (&pts, &ans) in r.points.iter().zip(&r.answers) {
            total += pts * share(ans);
        }
        let s = &a.conflict_screen;
        total += w.screen_fear_points * share(s.fear);
        total += w.screen_power_points * share(s.power_imbalance);
        let cap = f64::from(w.prior_incident_cap);
        total += match a.context.prior_incidents_12m {
            Some(n) => w.prior_incident_points * f64::from(n).min(cap),
            None => w.prior_incident_points * cap * unknown_share,
        };
        total
    }

    fn gates(&self, r: &Resolved, a: &Assessment) -> GateState {
        let mut g = GateState::default();
        for (q, ans) in r.questions() {
            let tag = || format!("{} ({})", q.id, q.text);
            if ans == Answer::Yes {
                if q.fires(Gate::Fear) {
                    g.fear.push(tag());
                }
                if q.fires(Gate::PowerImbalance) {
                    g.power.push(tag());
                }
                if q.fires(Gate::Harm) {
                    g.harm.push(tag());
                }
            } else if ans.is_unknown() && (q.fires(Gate::Fear) || q.fires(Gate::PowerImbalance)) {
                g.uncleared.push(format!("{} {}", q.id, ans.as_str()));
            }
        }
        let s = &a.conflict_screen;
        for (ans, label, list) in [
            (s.fear, "screen: fear", &mut g.fear),
            (s.power_imbalance, "screen: power imbalance", &mut g.power),
        ] {
            match ans {
                Answer::Yes => list.push(label.to_string()),
                Answer::No => {}
                _ => g.uncleared.push(format!("{label} {}", ans.as_str())),
            }
        }
        g
    }

    /// Assesses one incident.
    ///
    /// ```
    /// use dashrisk::{Assessment, Answer, Classification, Scorer};
    /// let scorer = Scorer::default();
    /// let mut a = Assessment::default();
    /// a.answers.insert("q18".into(), Answer::Yes); // attempted strangulation
    /// let r = scorer.assess(&a).unwrap();
    /// assert_eq!(r.classification, Classification::DomesticAbuse);
    /// ```
    pub fn assess(&self, a: &Assessment) -> Result<AssessmentResult, InputError> {
        let res = self.resolve(a)?;
        let inst = res.inst;
        let gp = &self.policy.grading;
        let sp = &self.policy.scorer;
        let mut reasons = Vec::new();
        let mut say = |code: ReasonCode, text: String| reasons.push(Reason { code, text });

        // Classification inputs.
        let gates = self.gates(&res, a);
        let score = self.points(&res, a);
        let p_abuse = self.calibration.p(score);
        // What the answers given show, unknowns scoring nothing: only used to
        // withhold an abuse label that unknowns alone would produce.
        let p_evidence = self.calibration.p(self.points_with(&res, a, 0.0));

        // Grading.
        let counts = grading::count_answers(&res.answers);
        let actuarial = grading::band(gp, counts.yes);
        let level = grading::final_level(actuarial, a.officer_judgement);
        let mut criteria = Vec::new();
        if counts.yes >= gp.high_from {
            criteria.push(MaracCriterion::VisibleHighRisk);
        }
        if a.officer_judgement == Some(RiskLevel::High) {
            criteria.push(MaracCriterion::ProfessionalJudgement);
        }
        let escalation = grading::escalation(gp, &a.context);
        if escalation == Check::Met {
            criteria.push(MaracCriterion::PotentialEscalation);
        }
        let repeat = grading::repeat_marac(gp, &a.context);
        if repeat == Check::Met {
            criteria.push(MaracCriterion::RepeatMarac);
        }
        let marac = !criteria.is_empty();

        // The decision.
        let cleared = gates.uncleared.is_empty() && !gates.any_fired();
        let marac_history = a.context.last_marac_date.is_some();
        let classification = if gates.any_fired() || p_evidence >= sp.abuse_min_p_abuse {
            Classification::DomesticAbuse
        } else if p_abuse < sp.conflict_max_p_abuse
            && cleared
            && level == RiskLevel::Standard
            && !marac
            && !marac_history
        {
            Classification::ParentalConflict
        } else {
            Classification::Unclear
        };

        // Reasons for the classification.
        if !gates.fear.is_empty() {
            say(
                ReasonCode::FearReported,
                format!(
                    "Fear reported ({}): fear of the other person rules out parental conflict.",
                    gates.fear.join("; ")
                ),
            );
        }
        if !gates.power.is_empty() {
            say(
                ReasonCode::PowerImbalanceReported,
                format!(
                    "Control or an imbalance of power reported ({}): this rules out parental conflict.",
                    gates.power.join("; ")
                ),
            );
        }
        if !gates.harm.is_empty() {
            say(
                ReasonCode::HarmMarkerReported,
                format!(
                    "Violence or a high-harm marker reported ({}): this is domestic abuse, not parental conflict.",
                    gates.harm.join("; ")
                ),
            );
        }
        if !gates.uncleared.is_empty() && !gates.any_fired() {
            say(
                ReasonCode::FearOrPowerNotCleared,
                format!(
                    "Fear and power imbalance could not be ruled out ({}): parental conflict needs both asked and answered no.",
                    gates.uncleared.join("; ")
                ),
            );
        }
        let pct = p_abuse * 100.0;
        if p_abuse >= sp.abuse_min_p_abuse
            && p_evidence < sp.abuse_min_p_abuse
            && classification != Classification::DomesticAbuse
        {
            say(
                ReasonCode::UnknownsRaiseProbability,
                format!(
                    "Unanswered questions raise the probability of domestic abuse to {pct:.0}% (score {score:.1}), but the answers given ({:.0}%) do not establish it: find out the unknowns.",
                    p_evidence * 100.0
                ),
            );
        } else if p_abuse >= sp.abuse_min_p_abuse {
            say(
                ReasonCode::HighAbuseProbability,
                format!(
                    "Calibrated probability of domestic abuse is {pct:.0}% (score {score:.1})."
                ),
            );
        } else if p_abuse >= sp.conflict_max_p_abuse {
            say(
                ReasonCode::IntermediateAbuseProbability,
                format!(
                    "Calibrated probability of domestic abuse is {pct:.0}% (score {score:.1}): too high to treat as parental conflict."
                ),
            );
        } else {
            say(
                ReasonCode::LowAbuseProbability,
                format!(
                    "Calibrated probability of domestic abuse is {pct:.0}% (score {score:.1})."
                ),
            );
        }
        if cleared {
            say(
                ReasonCode::FearAndPowerCleared,
                "Fear and an imbalance of power were asked about and both answered no.".into(),
            );
        }
        if classification != Classification::DomesticAbuse
            && cleared
            && p_abuse < sp.conflict_max_p_abuse
            && (level > RiskLevel::Standard || marac)
        {
            say(
                ReasonCode::RiskRulesOutConflict,
                format!(
                    "The risk level ({}) or a MARAC criterion rules out handling this as parental conflict.",
                    level.as_str()
                ),
            );
        }
        if classification == Classification::Unclear {
            say(
                ReasonCode::ProfessionalJudgementNeeded,
                "Unclear: parental conflict cannot be confirmed and abuse is not established on what was recorded. A supervisor reviews the case (management oversight); the officer's professional judgement decides, and until then it is handled as possible abuse.".into(),
            );
        }
        if marac_history && classification != Classification::DomesticAbuse {
            say(
                ReasonCode::MaracHistory,
                "The victim has been discussed at MARAC before: a supervisor reviews the case before it can be recorded as parental conflict.".into(),
            );
        }
        let s = &a.conflict_screen;
        let frequent = matches!(
            s.argument_frequency,
            ArgumentFrequency::Weekly | ArgumentFrequency::Daily
        );
        let poorly = s.resolution == Resolution::PoorlyResolved;
        if frequent || poorly {
            let mut parts = Vec::new();
            if frequent {
                parts.push(format!("argue {}", s.argument_frequency.as_str()));
            }
            if poorly {
                parts.push("arguments are poorly resolved".to_string());
            }
            say(
                ReasonCode::ConflictPattern,
                format!(
                    "The parents {}: frequent, poorly resolved arguments harm children, and are the pattern of parental conflict when there is no fear or control; on their own they do not rule out abuse.",
                    parts.join(" and ")
                ),
            );
        }
        if let Some(ts) = &s.recent_transitions {
            if !ts.is_empty() {
                let names: Vec<String> = ts.iter().map(|t| t.as_str().replace('_', " ")).collect();
                say(
                    ReasonCode::TransitionReported,
                    format!(
                        "Recent transition(s): {}. Conflict risk rises at such times.",
                        names.join(", ")
                    ),
                );
            }
        }

        // Reasons for the grade.
        say(
            ReasonCode::YesCountBand,
            format!(
                "{} of {} questions answered yes: {} risk on the count ({} or more is high).",
                counts.yes,
                inst.questions.len(),
                actuarial.as_str(),
                gp.high_from
            ),
        );
        let unanswered = counts.not_known + counts.declined;
        if unanswered > 0 {
            say(
                ReasonCode::UnansweredItems,
                format!(
                    "{} question(s) not known and {} declined: the count may understate the risk; unknown is not no.",
                    counts.not_known, counts.declined
                ),
            );
            if actuarial < RiskLevel::High && counts.yes + unanswered >= gp.high_from {
                say(
                    ReasonCode::HighRiskPossibleIfUnknownsYes,
                    format!(
                        "If the unanswered questions were yes the count would reach {}: high risk. Use professional judgement.",
                        counts.yes + unanswered
                    ),
                );
            }
        }
        match a.officer_judgement {
            Some(j) if j > actuarial => say(
                ReasonCode::ProfessionalJudgementRaised,
                format!(
                    "Professional judgement raised the level from {} to {}.",
                    actuarial.as_str(),
                    j.as_str()
                ),
            ),
            Some(j) if j < actuarial => say(
                ReasonCode::ProfessionalJudgementNotLowering,
                format!(
                    "The officer graded {}, but judgement may raise the level and never lower it: the level stays {}.",
                    j.as_str(),
                    actuarial.as_str()
                ),
            ),
            _ => {}
        }
        for c in &criteria {
            let text = match c {
                MaracCriterion::VisibleHighRisk => format!(
                    "MARAC: visible high risk ({} yes answers, threshold {}).",
                    counts.yes, gp.high_from
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
            };
            say(ReasonCode::MaracCriterionMet, text);
        }
        if escalation == Check::Unchecked {
            say(
                ReasonCode::MaracCriterionUnchecked,
                "Potential escalation could not be checked: the number (or dates) of earlier incidents is not known. Check police records.".into(),
            );
        }
        if repeat == Check::Unchecked {
            say(
                ReasonCode::MaracCriterionUnchecked,
                "Repeat MARAC could not be checked: a last MARAC date was given without the incident date.".into(),
            );
        }

        // Flags.
        let flags = flags(&res, a);
        for f in &flags {
            if let Some(text) = cluster_text(*f) {
                say(ReasonCode::HighHarmCluster, text.to_string());
            }
        }
        if res.any_yes(|q| q.markers.contains(&Marker::Stalking)) {
            say(
                ReasonCode::FollowUpQuestions,
                "Stalking or harassment reported: ask the stalking (S-DASH) follow-up questions."
                    .into(),
            );
        }
        if res.any_yes(|q| {
            q.domains.contains(&Domain::ThirdPartyThreat)
                || (q.id == "q4" && q.domains.contains(&Domain::CoerciveControl))
        }) {
            say(
                ReasonCode::FollowUpQuestions,
                "Isolation or threats from other people reported: ask the honour-based abuse prompts.".into(),
            );
        }
        let high_harm = flags.iter().any(|f| {
            matches!(
                f,
                Flag::Strangulation
                    | Flag::ThreatsToKill
                    | Flag::Weapons
                    | Flag::SexualAbuse
                    | Flag::ChildHarm
            )
        });
        if high_harm && level < RiskLevel::High {
            say(
                ReasonCode::ConsiderProfessionalJudgement,
                format!(
                    "A high-harm marker is present but the count gives {} risk: consider whether professional judgement should raise the level.",
                    level.as_str()
                ),
            );
        }

        // Children.
        let children = children_in_household(&res, a);
        let child_harm = flags.contains(&Flag::ChildHarm);
        let csc = match classification {
            Classification::DomesticAbuse => children != Some(false) || child_harm,
            // MARAC never replaces child safeguarding.
            Classification::Unclear => {
                children != Some(false) && (marac || level > RiskLevel::Standard)
            }
            Classification::ParentalConflict => false,
        };
        let school = csc && children == Some(true);
        let summary = match (classification, children) {
            (Classification::DomesticAbuse, Some(true)) => "Children in the household are victims of domestic abuse in their own right (Domestic Abuse Act 2021 s.3): notify children's social care, and the school through Operation Encompass before the next school day.".to_string(),
            (Classification::DomesticAbuse, None) => "It is not recorded whether children live in the household: children's social care is notified so that this is checked; if there are children, notify their school through Operation Encompass.".to_string(),
            (Classification::DomesticAbuse, Some(false)) if child_harm => "No children recorded in the household, but children were harmed or threatened: children's social care is notified.".to_string(),
            (Classification::Unclear, Some(true)) if csc => "Children live in the household and the risk is raised while it is unclear whether this is abuse: notify children's social care and the school, and offer Early Help; MARAC never replaces child safeguarding.".to_string(),
            (Classification::Unclear, None) if csc => "The risk is raised and it is not recorded whether children live in the household: children's social care is notified so that this is checked.".to_string(),
            (Classification::Unclear, Some(true)) => "Children live in the household: offer Early Help for the family while a supervisor reviews whether this is abuse.".to_string(),
            (Classification::ParentalConflict, Some(true)) => "Children are affected by parental conflict: offer Reducing Parental Conflict support and Early Help for the whole family. No children's social care notification is indicated.".to_string(),
            (_, None) => "It is not recorded whether children live in the household: find out, because it changes the referrals.".to_string(),
            (_, Some(_)) => "No children recorded in the household.".to_string(),
        };
        match children {
            Some(true) => say(
                ReasonCode::ChildrenInHousehold,
                "Children live in the household.".into(),
            ),
            None => say(
                ReasonCode::ChildrenNotKnown,
                "Whether children live in the household is not recorded.".into(),
            ),
            Some(false) => {}
        }
        if s.children_exposed == Answer::Yes {
            say(
                ReasonCode::ChildrenExposed,
                "Children are exposed to the arguments.".into(),
            );
        }

        // Pathways.
        let mut pathways = BTreeSet::new();
        if marac || level == RiskLevel::High {
            pathways.extend([Pathway::Marac, Pathway::Idva]);
        }
        match classification {
            Classification::DomesticAbuse | Classification::Unclear => {
                match level {
                    RiskLevel::High => {}
                    RiskLevel::Medium => {
                        pathways.insert(Pathway::SpecialistDaService);
                    }
                    RiskLevel::Standard if classification == Classification::DomesticAbuse => {
                        pathways.insert(Pathway::VictimSupport);
                    }
                    RiskLevel::Standard => {}
                }
                if classification == Classification::Unclear {
                    pathways.insert(Pathway::ManagementOversight);
                    if children == Some(true) {
                        pathways.insert(Pathway::EarlyHelp);
                    }
                }
            }
            Classification::ParentalConflict => {
                pathways.insert(Pathway::RpcSupport);
                if children == Some(true) {
                    pathways.insert(Pathway::EarlyHelp);
                }
            }
        }
        if csc {
            pathways.insert(Pathway::ChildrensSocialCare);
        }
        if school {
            pathways.insert(Pathway::OperationEncompass);
        }
        let recording_category = match classification {
            Classification::DomesticAbuse => RecordingCategory::DomesticAbuse,
            Classification::ParentalConflict => RecordingCategory::ParentalConflict,
            Classification::Unclear => RecordingCategory::DomesticIncidentUnderReview,
        };

        Ok(AssessmentResult {
            id: a.id.clone(),
            classification,
            p_abuse,
            score,
            risk_level: level,
            actuarial_level: actuarial,
            officer_judgement: a.officer_judgement,
            yes_count: counts.yes,
            not_known_count: counts.not_known,
            declined_count: counts.declined,
            marac_referral: marac,
            marac_criteria: criteria,
            flags,
            csc_notification: csc,
            school_notification: school,
            pathways: pathways.into_iter().collect(),
            recording_category,
            children: ChildrenImpact {
                in_household: children,
                summary,
            },
            reasons,
            instrument: inst.id.clone(),
            scorer_version: SCORER_VERSION.to_string(),
            calibration_version: self.calibration.version.clone(),
            meta: a.meta.clone(),
        })
    }
}

fn short(fp: &str) -> &str {
    fp.get(..12).unwrap_or(fp)
}

/// The error for a question id the instrument does not have.
pub(crate) fn unknown_question(inst: &Instrument, field: &str, key: &str) -> InputError {
    // A column name or key can be as long as a record: cut it before it is repeated.
    let field = &crate::error::truncate_value(field);
    let first = inst.questions.first().map(|q| q.id.as_str()).unwrap_or("");
    let last = inst.questions.last().map(|q| q.id.as_str()).unwrap_or("");
    let gaps = if inst.questions.len() as u32
        != inst.questions.last().map(|q| q.number).unwrap_or(0)
        || inst.id == crate::instrument::DASH_2009_PARTNER
    {
        let ids: Vec<&str> = inst.questions.iter().map(|q| q.id.as_str()).collect();
        ids.join(", ")
    } else {
        format!("{first}…{last}")
    };
    InputError::new(
        ErrorKind::UnknownQuestion,
        field,
        Some(key),
        format!(
            "{field}: {:?} is not a question of instrument {}; expected one of: {gaps}",
            crate::error::truncate_value(key),
            inst.id
        ),
    )
}

fn flags(r: &Resolved, a: &Assessment) -> Vec<Flag> {
    let has = |m: Marker| r.any_yes(|q| q.markers.contains(&m));
    let mut f = Vec::new();
    let control = has(Marker::PowerImbalance)
        || has(Marker::Stalking)
        || a.conflict_screen.power_imbalance == Answer::Yes;
    if control {
        f.push(Flag::CoerciveControl);
    }
    for (m, flag) in [
        (Marker::Stalking, Flag::Stalking),
        (Marker::Strangulation, Flag::Strangulation),
        (Marker::ThreatToKill, Flag::ThreatsToKill),
        (Marker::Weapon, Flag::Weapons),
        (Marker::SexualAbuse, Flag::SexualAbuse),
        (Marker::ChildHarm, Flag::ChildHarm),
    ] {
        if has(m) {
            f.push(flag);
        }
    }
    let separation = r.any_yes(|q| q.domains.first() == Some(&Domain::Separation))
        || a.conflict_screen
            .recent_transitions
            .as_ref()
            .is_some_and(|t| t.contains(&Transition::Separation));
    let violence = has(Marker::Violence) || has(Marker::Weapon) || has(Marker::Strangulation);
    if separation && control && violence {
        f.push(Flag::SeparationControlViolence);
    }
    if r.any_yes(|q| q.domains.contains(&Domain::ThirdPartyThreat)) {
        f.push(Flag::ThirdPartyThreat);
    }
    f
}

fn cluster_text(f: Flag) -> Option<&'static str> {
    Some(match f {
        Flag::Strangulation => {
            "High-harm marker: non-fatal strangulation, a strong predictor of homicide."
        }
        Flag::ThreatsToKill => {
            "High-harm marker: threats to kill or to hurt (the victim, the children or others)."
        }
        Flag::SeparationControlViolence => {
            "High-harm cluster: separation together with coercive control and violence."
        }
        _ => return None,
    })
}

/// Whether children live in the household: the context's answer, or "yes" when the
/// police form's item 10 (children or dependants in the household) is answered yes,
/// even against a "no" in the context (the cautious reading of a contradiction).
/// Items 11–12 show that children exist, not where they live. Never guessed "no".
fn children_in_household(r: &Resolved, a: &Assessment) -> Option<bool> {
    let q10 = r.any_yes(|q| q.id == "q10" && q.domains.contains(&Domain::Children));
    if q10 {
        Some(true)
    } else {
        a.context.children_in_household
    }
}
