//! The scorer: a configured [`Scorer`] (policy, calibration, instruments) and
//! [`Scorer::assess`], which composes the stages in [`crate::stage`].
//!
//! The safety rules, in the order they are applied (docs/grading.md):
//! 1. A "yes" on any fear, power-imbalance or harm item (or the screen's fear or
//!    power imbalance) fires a gate, and a fired gate means **domestic abuse**.
//! 2. "Parental conflict" needs abuse asked about and screened out: every fear,
//!    power and harm item answered **no**, no "yes" on an item that blocks conflict,
//!    no earlier abuse, no MARAC history or criterion, a standard level and a low
//!    estimate.
//! 3. Otherwise the answers given decide: if the estimate from the "yes" answers
//!    alone (unknowns scoring nothing) reaches the abuse threshold, it is domestic
//!    abuse; anything else is **unclear**. Unknown answers never by themselves
//!    establish abuse: an empty record is unclear, not abuse.

use crate::answers::{Answer, Assessment};
use crate::calibration::{Calibration, FormScore, SCREEN_FEAR, SCREEN_POWER};
use crate::compact::{CompactResult, ReasonCodes};
use crate::error::{ArtefactError, InputError};
use crate::grading;
use crate::instrument::Instrument;
use crate::limits::Limits;
use crate::parse::unknown_instrument;
use crate::policy::Policy;
use crate::result::{AssessmentResult, ChildrenImpact, Flag, Pathway};
use crate::set::Set;
use crate::stage::resolve::{self, AnswerBuf, Resolved};
use crate::stage::{decision, estimate, evidence, pathways, reasons, safeguarding};
use std::borrow::Cow;

/// Version of the scorer rules, reported in every result.
pub const SCORER_VERSION: &str = "dashrisk-scorer/2.1";

/// Options of [`Scorer::assess_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessOptions {
    /// Write the reason sentences and the children's summary (default true).
    pub reason_text: bool,
}

impl Default for AssessOptions {
    fn default() -> Self {
        AssessOptions { reason_text: true }
    }
}

/// A gate question left unanswered ([`Scorer::unanswered_gate_questions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnansweredQuestion {
    /// The question id (`q3`), or the screen's input column (`fear`, `power_imbalance`).
    pub id: String,
    /// The question's wording.
    pub text: String,
    /// `not_known` or `declined`.
    pub answer: crate::answers::Answer,
}

/// A gate question left open, as [`UnansweredQuestion`] but borrowed from the
/// scorer's forms, so that listing it allocates nothing:
/// [`Scorer::unanswered_gate_questions_flat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenQuestion<'s> {
    /// The question id (`q3`), or the screen's input column (`fear`, `power_imbalance`).
    pub id: &'s str,
    /// The question's wording.
    pub text: &'s str,
    /// `not_known` or `declined`.
    pub answer: Answer,
}

/// A configured scorer: policy, calibration and the instruments it knows.
/// Cheap to share across threads (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct Scorer {
    policy: Policy,
    calibration: Calibration,
    instruments: Vec<Instrument>,
    /// The learned scoring of each instrument, parallel to `instruments`; `None`
    /// for a form the calibration has no points for (no probability then).
    forms: Vec<Option<estimate::FormTable>>,
    /// Each instrument's markers as bit masks, parallel to `instruments`.
    masks: Vec<evidence::FormMasks>,
    /// Size and nesting limits on input records.
    limits: Limits,
    /// Each instrument's id as results carry it, parallel to `instruments`:
    /// borrowed from the built-in form of that id, so a result of a built-in form
    /// copies no string.
    result_ids: Vec<Cow<'static, str>>,
    /// The calibration's version as results carry it (borrowed for the shipped
    /// calibration's version).
    result_calibration: Cow<'static, str>,
    /// The conflict threshold in force ([`Scorer::conflict_threshold`]), decided
    /// once: the policy and the calibration do not change after `new`.
    conflict_threshold: f64,
}

/// `s` borrowed from a `'static` string equal to it among `statics`, or copied.
fn shared(s: &str, mut statics: impl Iterator<Item = &'static str>) -> Cow<'static, str> {
    match statics.find(|x| *x == s) {
        Some(x) => Cow::Borrowed(x),
        None => Cow::Owned(s.to_owned()),
    }
}

impl Default for Scorer {
    /// The default policy, the shipped calibration and the built-in instruments.
    fn default() -> Self {
        Scorer::new(Policy::default(), Calibration::shipped())
            .expect("default policy matches the shipped calibration")
    }
}

impl Scorer {
    /// A scorer with this policy and calibration and the built-in instruments.
    ///
    /// Fails when the policy or the calibration is invalid.
    pub fn new(policy: Policy, calibration: Calibration) -> Result<Scorer, ArtefactError> {
        policy.validate()?;
        calibration.validate()?;
        // A record with no "yes" scores 0 on the answers given: if that alone
        // reached the abuse threshold, every record would be "domestic abuse,
        // decided by the answers given" with no answer to show for it (a map
        // fitted on labels coded the other way round does this).
        for form in &calibration.forms {
            let p = calibration.p(form, 0.0);
            if p >= policy.scorer.abuse_min_p_abuse {
                return Err(ArtefactError::Invalid {
                    artefact: format!(
                        "calibration {:?}",
                        crate::error::truncate_value(&calibration.version)
                    ),
                    field: format!("forms.{}.map", form.instrument),
                    problem: format!(
                        "gives p_abuse {p:.3} to a record with no \"yes\" answer, at or above the \
                         policy's abuse threshold {}: every such record would be called abuse. \
                         Were the labels coded the other way round (1 for conflict)?",
                        policy.scorer.abuse_min_p_abuse
                    ),
                });
            }
        }
        let result_calibration = shared(
            &calibration.version,
            std::iter::once(Calibration::shipped_ref().version.as_str()),
        );
        let mut scorer = Scorer {
            policy,
            calibration,
            instruments: Vec::new(),
            forms: Vec::new(),
            masks: Vec::new(),
            limits: Limits::default(),
            result_ids: Vec::new(),
            result_calibration,
            conflict_threshold: 0.0,
        };
        scorer.conflict_threshold = scorer.threshold_in_force();
        for inst in Instrument::builtin() {
            scorer.push_instrument(inst.clone())?;
        }
        Ok(scorer)
    }

    /// The scoring of a form: the calibration's own, or for a form based on a
    /// built-in one, the built-in's points on the question ids they share (the
    /// screen and the earlier incidents too) and its map.
    fn form_score(&self, inst: &Instrument) -> Option<FormScore> {
        if let Some(f) = self.calibration.form(&inst.id) {
            return Some(f.clone());
        }
        let base = self.calibration.form(inst.based_on.as_deref()?)?;
        let mut f = base.clone();
        f.instrument = inst.id.clone();
        f.items
            .retain(|id, _| inst.question(id).is_some() || id == SCREEN_FEAR || id == SCREEN_POWER);
        Some(f)
    }

    fn push_instrument(&mut self, inst: Instrument) -> Result<(), ArtefactError> {
        let form = self.form_score(&inst);
        // Points for an id the form does not have mean the calibration was fitted
        // for another form: refuse it rather than score with the wrong table.
        if let Some(f) = &form {
            if let Some(id) = f
                .items
                .keys()
                .find(|id| inst.question(id).is_none() && *id != SCREEN_FEAR && *id != SCREEN_POWER)
            {
                return Err(ArtefactError::Mismatch {
                    artefact: format!("calibration {:?}", self.calibration.version),
                    problem: format!(
                        "has points for {id}, which form {} does not have; it was fitted for another form",
                        inst.id
                    ),
                });
            }
        }
        let form = form.map(|f| estimate::FormTable::new(&inst, f));
        let masks = evidence::FormMasks::new(&inst);
        let id = shared(
            &inst.id,
            Instrument::builtin().into_iter().map(|b| b.id.as_str()),
        );
        if let Some(i) = self.instruments.iter().position(|x| x.id == inst.id) {
            self.instruments[i] = inst;
            self.forms[i] = form;
            self.masks[i] = masks;
            self.result_ids[i] = id;
        } else {
            self.instruments.push(inst);
            self.forms.push(form);
            self.masks.push(masks);
            self.result_ids.push(id);
        }
        Ok(())
    }

    /// The conflict threshold in force: the policy's, or the calibration's
    /// guaranteed one when that is lower; 0 (no case is labelled parental
    /// conflict) when the calibration has no conflict guarantee, or one measured
    /// under other rules or another grading policy
    /// ([`Scorer::conflict_guarantee_problem`]).
    pub fn conflict_threshold(&self) -> f64 {
        self.conflict_threshold
    }

    fn threshold_in_force(&self) -> f64 {
        let policy = self.policy.scorer.conflict_max_p_abuse;
        match &self.calibration.conflict {
            Some(g) if g.problem_under(&self.policy).is_none() => policy.min(g.threshold),
            _ => 0.0,
        }
    }

    /// Why this scorer labels no case parental conflict although its policy
    /// would: the calibration has no conflict guarantee, or its guarantee was
    /// measured under other rules or another grading policy, so it does not hold
    /// here. `None` when the guarantee holds (or was measured and could not be
    /// given, which the calibration's own report says). Front ends print it, so
    /// that the missing conflict labels are never a surprise.
    ///
    /// ```
    /// use dashrisk::{Policy, Scorer};
    /// assert_eq!(Scorer::default().conflict_guarantee_problem(), None);
    /// let mut policy = Policy::default();
    /// policy.grading.escalation_window_months = 6;
    /// let s = Scorer::new(policy, dashrisk::Calibration::shipped()).unwrap();
    /// assert!(s.conflict_guarantee_problem().unwrap().contains("another grading policy"));
    /// assert_eq!(s.conflict_threshold(), 0.0);
    /// ```
    pub fn conflict_guarantee_problem(&self) -> Option<String> {
        match &self.calibration.conflict {
            None => Some(
                "the calibration has no conflict guarantee (it was not fitted with one)".into(),
            ),
            Some(g) => g.problem_under(&self.policy),
        }
        .map(|why| {
            format!(
                "{why}: no case is labelled parental conflict. Refit the calibration under \
                 this policy (dashrisk calibrate --data FILE --policy FILE)"
            )
        })
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
        self.push_instrument(instrument)?;
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

    /// Instrument `idx`'s markers as bit masks, and its question ids by number.
    pub(crate) fn form_masks(&self, idx: usize) -> &evidence::FormMasks {
        &self.masks[idx]
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
            .ok_or_else(|| unknown_instrument(&self.instruments, id))
    }

    /// Checks that every answered question belongs to the instrument (and that the
    /// dates are plausible), and returns the instrument.
    pub fn check_questions<'a>(
        &'a self,
        assessment: &Assessment,
    ) -> Result<&'a Instrument, InputError> {
        self.resolve(assessment, &mut resolve::answer_buf())?;
        self.instrument_for(&assessment.instrument)
    }

    fn resolve<'a>(
        &'a self,
        a: &Assessment,
        buf: &'a mut AnswerBuf,
    ) -> Result<Resolved<'a>, InputError> {
        resolve::resolve(&self.instruments, &self.forms, &self.masks, a, buf)
    }

    /// The points score alone: what the calibration maps to `p_abuse`. `None` for a
    /// form the calibration has no points for.
    pub fn points(&self, assessment: &Assessment) -> Result<Option<f64>, InputError> {
        let mut buf = resolve::answer_buf();
        let r = self.resolve(assessment, &mut buf)?;
        Ok(r.form.map(|f| estimate::points(&r, assessment, f, true)))
    }

    /// The fear, power-imbalance, harm and `blocks_conflict` questions of `a`'s
    /// form, and the conflict screen's fear and power-imbalance questions, that were
    /// not known or declined, in the form's order. While any is open, parental
    /// conflict is ruled out
    /// (`gate_item_unanswered`): these are the questions to ask next. Screen
    /// questions are named by their input columns, `fear` and `power_imbalance`.
    ///
    /// ```
    /// use dashrisk::{Answer, Assessment, Scorer};
    /// let mut a = Assessment::default();
    /// a.conflict_screen.fear = Answer::No;
    /// let open = Scorer::default().unanswered_gate_questions(&a).unwrap();
    /// assert!(open.iter().any(|q| q.id == "q3"));
    /// assert!(open.iter().any(|q| q.id == "power_imbalance"));
    /// assert!(!open.iter().any(|q| q.id == "fear"));
    /// ```
    pub fn unanswered_gate_questions(
        &self,
        a: &Assessment,
    ) -> Result<Vec<UnansweredQuestion>, InputError> {
        let mut open = Vec::new();
        self.unanswered_gate_questions_into(a, &mut open)?;
        Ok(open
            .into_iter()
            .map(|q| UnansweredQuestion {
                id: q.id.to_string(),
                text: q.text.to_string(),
                answer: q.answer,
            })
            .collect())
    }

    /// [`Scorer::unanswered_gate_questions`] appended to `out`, borrowed from the
    /// scorer's forms (no string is copied).
    pub fn unanswered_gate_questions_into<'s>(
        &'s self,
        a: &Assessment,
        out: &mut Vec<OpenQuestion<'s>>,
    ) -> Result<(), InputError> {
        let mut buf = resolve::answer_buf();
        let res = self.resolve(a, &mut buf)?;
        self.open_questions(a, res.idx, res.answers, out);
        Ok(())
    }

    /// The open gate questions of `a` with answers `answers` on form `idx`,
    /// appended to `out` (see [`Scorer::unanswered_gate_questions`]): form
    /// questions in the form's order, then the screen's fear and power-imbalance
    /// questions. Allocates only as `out` grows.
    pub(crate) fn open_questions<'s>(
        &'s self,
        a: &Assessment,
        idx: usize,
        answers: &[Answer],
        out: &mut Vec<OpenQuestion<'s>>,
    ) {
        let open = evidence::evidence(&self.resolved(idx, answers), a).open_gate_items();
        let questions = &self.instruments[idx].questions;
        for (i, q) in questions.iter().enumerate() {
            if open.questions & (1u128 << i) != 0 {
                out.push(OpenQuestion {
                    id: &q.id,
                    text: &q.text,
                    answer: answers[i],
                });
            }
        }
        let screen = [a.conflict_screen.fear, a.conflict_screen.power_imbalance];
        for ((bit, item), answer) in evidence::SCREEN_ITEMS.into_iter().zip(screen) {
            if open.screen & bit != 0 {
                let (id, text) =
                    evidence::screen_column(item).expect("every screen item has a column");
                out.push(OpenQuestion { id, text, answer });
            }
        }
    }

    /// Assesses one incident. The stages, in order (docs/ARCHITECTURE.md):
    /// resolve, grading, evidence, estimate, decision, safeguarding, pathways,
    /// reasons.
    ///
    /// ```
    /// use dashrisk::{Assessment, Answer, Classification, DecisionBasis, Scorer};
    /// let scorer = Scorer::default();
    /// let mut a = Assessment::default();
    /// a.answers.insert("q18".into(), Answer::Yes); // attempted strangulation
    /// let r = scorer.assess(&a).unwrap();
    /// assert_eq!(r.classification, Classification::DomesticAbuse);
    /// assert_eq!(r.decided_by, DecisionBasis::SafetyGate);
    /// ```
    pub fn assess(&self, a: &Assessment) -> Result<AssessmentResult, InputError> {
        self.assess_with(a, &AssessOptions::default())
    }

    /// [`Scorer::assess`] with options: `reason_text: false` leaves every reason's
    /// `text` and the children's `summary` empty (the codes, and everything else,
    /// are as always), for bulk output that carries codes only; it saves most of
    /// the time an assessment takes.
    ///
    /// ```
    /// use dashrisk::{AssessOptions, Assessment, Scorer};
    /// let scorer = Scorer::default();
    /// let a = Assessment::default();
    /// let full = scorer.assess(&a).unwrap();
    /// let codes = scorer.assess_with(&a, &AssessOptions { reason_text: false }).unwrap();
    /// assert!(codes.reasons.iter().all(|r| r.text.is_empty()));
    /// let code = |r: &dashrisk::AssessmentResult| r.reasons.iter().map(|x| x.code).collect::<Vec<_>>();
    /// assert_eq!(code(&codes), code(&full));
    /// ```
    pub fn assess_with(
        &self,
        a: &Assessment,
        options: &AssessOptions,
    ) -> Result<AssessmentResult, InputError> {
        let mut buf = resolve::answer_buf();
        let res = self.resolve(a, &mut buf)?;
        Ok(self.full_result(a, &self.stages(a, res), options))
    }

    /// Assesses one incident into a [`CompactResult`]: every decision of
    /// [`Scorer::assess`], with the reasons as codes, and no heap allocation (the
    /// record's answers are laid out on the stack). The path for bulk work.
    ///
    /// ```
    /// use dashrisk::{Answer, Assessment, Classification, ReasonCode, Scorer};
    /// let scorer = Scorer::default();
    /// let mut a = Assessment::default();
    /// a.answers.insert("q18".into(), Answer::Yes);
    /// let c = scorer.assess_compact(&a).unwrap();
    /// let full = scorer.assess(&a).unwrap();
    /// assert_eq!(c.classification, Classification::DomesticAbuse);
    /// assert_eq!(c.pathways.to_vec(), full.pathways);
    /// assert!(c.reasons.contains(ReasonCode::DecisionAbuseSafetyGate));
    /// ```
    pub fn assess_compact(&self, a: &Assessment) -> Result<CompactResult, InputError> {
        let mut buf = resolve::answer_buf();
        let res = self.resolve(a, &mut buf)?;
        Ok(self.compact_result(a, &self.stages(a, res)))
    }

    /// [`Scorer::assess_compact`] with the reason sentences as well, written into
    /// `text` (cleared first) one after another, a space between two: the text of
    /// the CSV `reasons` column, which is the result's sentences joined by spaces.
    /// The sentences are those of [`Scorer::assess`], byte for byte (a property
    /// test compares them); `text` is the only thing written to, so a caller that
    /// keeps it from record to record allocates nothing once it is large enough.
    ///
    /// ```
    /// use dashrisk::{Answer, Assessment, Scorer};
    /// let scorer = Scorer::default();
    /// let mut a = Assessment::default();
    /// a.answers.insert("q18".into(), Answer::Yes);
    /// let mut text = String::new();
    /// let c = scorer.assess_compact_text(&a, &mut text).unwrap();
    /// let full = scorer.assess(&a).unwrap();
    /// let sentences: Vec<&str> = full.reasons.iter().map(|r| r.text.as_ref()).collect();
    /// assert_eq!(text, sentences.join(" "));
    /// assert_eq!(c.reasons.as_slice().len(), full.reasons.len());
    /// ```
    pub fn assess_compact_text(
        &self,
        a: &Assessment,
        text: &mut String,
    ) -> Result<CompactResult, InputError> {
        let mut buf = resolve::answer_buf();
        let res = self.resolve(a, &mut buf)?;
        Ok(self.compact_result_text(a, &self.stages(a, res), text))
    }

    /// The resolved record for instrument `idx` with `answers` in question order
    /// (the flat rows' path, whose dates were checked when parsed).
    fn resolved<'a>(&'a self, idx: usize, answers: &'a [Answer]) -> Resolved<'a> {
        Resolved {
            idx,
            inst: &self.instruments[idx],
            form: self.forms[idx].as_ref(),
            masks: &self.masks[idx],
            answers,
        }
    }

    /// [`Scorer::assess_with`] on a record whose answers are already in question
    /// order for instrument `idx` (and whose dates were checked): the flat rows'
    /// path, which builds no answers map.
    pub(crate) fn assess_parts(
        &self,
        a: &Assessment,
        idx: usize,
        answers: &[Answer],
        options: &AssessOptions,
    ) -> AssessmentResult {
        let st = self.stages(a, self.resolved(idx, answers));
        self.full_result(a, &st, options)
    }

    /// [`Scorer::assess_compact`] on the flat rows' path, as
    /// [`Scorer::assess_parts`].
    pub(crate) fn assess_compact_parts(
        &self,
        a: &Assessment,
        idx: usize,
        answers: &[Answer],
    ) -> CompactResult {
        let st = self.stages(a, self.resolved(idx, answers));
        self.compact_result(a, &st)
    }

    /// [`Scorer::assess_compact_parts`] with the sentences written into `text`.
    pub(crate) fn assess_compact_parts_text(
        &self,
        a: &Assessment,
        idx: usize,
        answers: &[Answer],
        text: &mut String,
    ) -> CompactResult {
        let st = self.stages(a, self.resolved(idx, answers));
        self.compact_result_text(a, &st, text)
    }

    /// Runs every stage but the reasons; allocates nothing.
    fn stages<'a>(&'a self, a: &Assessment, res: Resolved<'a>) -> Stages<'a> {
        let grade = grading::grade(&self.policy.grading, res.answers, a);
        let ev = evidence::evidence(&res, a);
        let est = estimate::estimate(&res, a, &self.calibration);
        let d = decision::decide(
            &ev,
            &est,
            &grade,
            &self.policy.scorer,
            self.conflict_threshold(),
        );
        let sg = safeguarding::safeguard(a, &ev, d.classification);
        let pathways = pathways::pathways(d.classification, &grade, &sg);
        let prompts = evidence::judgement_prompts(&ev, grade.level);
        Stages {
            res,
            grade,
            ev,
            est,
            d,
            sg,
            pathways,
            prompts,
        }
    }

    fn facts<'a>(&'a self, a: &'a Assessment, st: &'a Stages<'a>) -> reasons::Facts<'a> {
        reasons::Facts {
            a,
            questions: st.res.inst.questions.len(),
            instrument: &st.res.inst.id,
            calibration: &self.calibration.version,
            policy: &self.policy,
            grade: &st.grade,
            evidence: &st.ev,
            estimate: &st.est,
            decision: &st.d,
            safeguarding: &st.sg,
            judgement_prompts: st.prompts,
        }
    }

    fn compact_result(&self, a: &Assessment, st: &Stages<'_>) -> CompactResult {
        let mut codes = ReasonCodes::new();
        reasons::reasons(&self.facts(a, st), &mut codes);
        self.compact_from(a, st, codes)
    }

    /// [`Scorer::compact_result`] with the sentences written into `text`.
    fn compact_result_text(
        &self,
        a: &Assessment,
        st: &Stages<'_>,
        text: &mut String,
    ) -> CompactResult {
        text.clear();
        let mut joined = reasons::Joined {
            codes: ReasonCodes::new(),
            text,
            first: true,
        };
        reasons::reasons(&self.facts(a, st), &mut joined);
        self.compact_from(a, st, joined.codes)
    }

    fn compact_from(&self, a: &Assessment, st: &Stages<'_>, codes: ReasonCodes) -> CompactResult {
        CompactResult {
            classification: st.d.classification,
            decided_by: st.d.basis,
            conflict_blockers: st.d.blockers,
            p_abuse: st.est.p_abuse,
            points: st.est.points,
            risk_level: st.grade.level,
            actuarial_level: st.grade.actuarial,
            officer_judgement: a.officer_judgement,
            yes_count: st.grade.counts.yes,
            not_known_count: st.grade.counts.not_known,
            declined_count: st.grade.counts.declined,
            marac_referral: st.grade.marac(),
            marac_criteria: st.grade.criteria,
            flags: st.ev.flags,
            csc_notification: st.sg.csc,
            school_notification: st.sg.school,
            pathways: st.pathways,
            recording_category: pathways::recording_category(st.d.classification),
            children_in_household: st.sg.in_household,
            children_linked: st.sg.linked,
            children_linked_by: st.sg.linked_by,
            reasons: codes,
            instrument: st.res.idx,
        }
    }

    fn full_result(
        &self,
        a: &Assessment,
        st: &Stages<'_>,
        options: &AssessOptions,
    ) -> AssessmentResult {
        let mut listed = reasons::Listed {
            reasons: Vec::with_capacity(16),
            with_text: options.reason_text,
            scratch: if options.reason_text {
                String::with_capacity(512)
            } else {
                String::new()
            },
        };
        reasons::reasons(&self.facts(a, st), &mut listed);
        let (d, grade, sg) = (&st.d, &st.grade, &st.sg);
        AssessmentResult {
            id: a.id.clone(),
            classification: d.classification,
            decided_by: d.basis,
            conflict_blockers: d.blockers,
            p_abuse: st.est.p_abuse,
            points: st.est.points,
            risk_level: grade.level,
            actuarial_level: grade.actuarial,
            officer_judgement: a.officer_judgement,
            yes_count: grade.counts.yes,
            not_known_count: grade.counts.not_known,
            declined_count: grade.counts.declined,
            marac_referral: grade.marac(),
            marac_criteria: grade.criteria,
            flags: st.ev.flags,
            csc_notification: sg.csc,
            school_notification: sg.school,
            pathways: st.pathways,
            recording_category: pathways::recording_category(d.classification),
            children: ChildrenImpact {
                in_household: sg.in_household,
                linked: sg.linked,
                linked_by: sg.linked_by,
                summary: if options.reason_text {
                    reasons::children_summary(d.classification, sg)
                } else {
                    Cow::Borrowed("")
                },
            },
            reasons: listed.reasons,
            instrument: self.result_ids[st.res.idx].clone(),
            scorer_version: Cow::Borrowed(SCORER_VERSION),
            calibration_version: self.result_calibration.clone(),
            meta: a.meta.clone(),
        }
    }
}

/// The stages' outputs for one record, before the reasons are written.
struct Stages<'a> {
    res: Resolved<'a>,
    grade: grading::Grade,
    ev: evidence::Evidence<'a>,
    est: estimate::Estimate,
    d: decision::Decision,
    sg: safeguarding::Safeguarding,
    pathways: Set<Pathway>,
    prompts: Set<Flag>,
}
