//! Generators of arbitrary valid records for the property tests, shared by
//! `invariants.rs` and `safety_rules.rs`.
#![allow(dead_code)]

use chrono::NaiveDate;
use dashrisk::instrument::{Gate, DASH_2009, DASH_2009_PARTNER};
use dashrisk::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub fn scorer() -> &'static Scorer {
    static S: OnceLock<Scorer> = OnceLock::new();
    S.get_or_init(Scorer::default)
}

/// Any answer; with `low`, mostly "no", so that near-conflict records (where the
/// gates and thresholds decide) are common rather than vanishingly rare.
pub fn answer(low: bool) -> impl Strategy<Value = Answer> {
    let no = if low { 24 } else { 1 };
    prop_oneof![
        1 => Just(Answer::Yes),
        no => Just(Answer::No),
        1 => Just(Answer::NotKnown),
        1 => Just(Answer::Declined)
    ]
}

pub fn screen_answer(low: bool) -> impl Strategy<Value = Answer> {
    let no = if low { 16 } else { 1 };
    prop_oneof![1 => Just(Answer::Yes), no => Just(Answer::No), 1 => Just(Answer::NotKnown)]
}

pub fn level() -> impl Strategy<Value = RiskLevel> {
    prop_oneof![
        Just(RiskLevel::Standard),
        Just(RiskLevel::Medium),
        Just(RiskLevel::High)
    ]
}

pub fn date() -> impl Strategy<Value = NaiveDate> {
    (2015i32..2027, 1u32..13, 1u32..29)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("valid date"))
}

pub fn transitions() -> impl Strategy<Value = Option<Vec<Transition>>> {
    let all = [
        Transition::Separation,
        Transition::NewBaby,
        Transition::Bereavement,
        Transition::ChildStartingSchool,
        Transition::EconomicPressure,
    ];
    proptest::option::of(
        proptest::collection::vec(any::<bool>(), 5).prop_map(move |mask| {
            all.iter()
                .zip(mask)
                .filter(|(_, m)| *m)
                .map(|(t, _)| *t)
                .collect()
        }),
    )
}

prop_compose! {
    pub fn screen(low: bool)(
        fear in screen_answer(low),
        power_imbalance in screen_answer(low),
        freq in 0usize..5,
        res in 0usize..3,
        children_exposed in screen_answer(false),
        recent_transitions in transitions(),
    ) -> ConflictScreen {
        ConflictScreen {
            fear,
            power_imbalance,
            argument_frequency: ArgumentFrequency::parse(ArgumentFrequency::VALUES[freq]).unwrap(),
            resolution: Resolution::parse(Resolution::VALUES[res]).unwrap(),
            children_exposed,
            recent_transitions,
        }
    }
}

prop_compose! {
    /// A valid context: earlier incidents are dated on or before the incident date
    /// when there is one (a later one is an error record).
    pub fn context(low: bool)(
        children_in_household in proptest::option::of(any::<bool>()),
        prior_incidents_12m in proptest::option::weighted(if low { 0.95 } else { 0.5 }, 0u32..if low { 2 } else { 12 }),
        prior_incident_dates in proptest::option::weighted(if low { 0.2 } else { 0.5 }, proptest::collection::vec(0i64..900, 0..5)),
        incident_date in proptest::option::of(date()),
        last_marac_date in proptest::option::weighted(if low { 0.1 } else { 0.5 }, date()),
    ) -> Context {
        let anchor = incident_date.unwrap_or(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let prior_incident_dates = prior_incident_dates
            .map(|days| days.into_iter().map(|d| anchor - chrono::Duration::days(d)).collect());
        Context { children_in_household, prior_incidents_12m, prior_incident_dates, incident_date, last_marac_date }
    }
}

prop_compose! {
    /// An arbitrary valid assessment on one of the built-in forms; `None` answers
    /// are left out of the record (not known). `low` makes most answers "no".
    pub fn assessment_with(low: bool)(
        partner in any::<bool>(),
        answers in proptest::collection::vec(
            proptest::option::weighted(if low { 0.97 } else { 0.8 }, answer(low)), 27),
        conflict_screen in screen(low),
        context in context(low),
        officer_judgement in proptest::option::of(level()),
        id in proptest::option::of("[a-z0-9-]{1,12}"),
    ) -> Assessment {
        let inst = if partner { DASH_2009_PARTNER } else { DASH_2009 };
        let questions = &scorer().instrument(inst).unwrap().questions;
        let mut map = BTreeMap::new();
        for (q, a) in questions.iter().zip(answers) {
            if let Some(a) = a {
                map.insert(q.id.clone(), a);
            }
        }
        Assessment {
            id,
            instrument: inst.to_string(),
            answers: map,
            conflict_screen,
            context,
            officer_judgement,
            meta: None,
        }
    }
}

/// Half the cases mostly "no" (near the conflict/abuse boundary), half anything.
pub fn assessment() -> impl Strategy<Value = Assessment> {
    any::<bool>().prop_flat_map(assessment_with)
}

pub fn assess(a: &Assessment) -> AssessmentResult {
    scorer().assess(a).expect("valid assessment")
}

pub fn question_ids(a: &Assessment) -> Vec<String> {
    scorer()
        .instrument(&a.instrument)
        .unwrap()
        .questions
        .iter()
        .map(|q| q.id.clone())
        .collect()
}

pub fn gate_items(a: &Assessment, gates: &[Gate]) -> Vec<String> {
    scorer()
        .instrument(&a.instrument)
        .unwrap()
        .questions
        .iter()
        .filter(|q| gates.iter().any(|g| q.fires(*g)))
        .map(|q| q.id.clone())
        .collect()
}

/// The built-in markers a generated custom form may carry.
pub fn marker_set() -> impl Strategy<Value = Vec<instrument::Marker>> {
    proptest::collection::vec(any::<prop::sample::Index>(), 0..3).prop_map(|picks| {
        let mut ms: Vec<instrument::Marker> = picks
            .iter()
            .map(|i| *i.get(&instrument::Marker::ALL))
            .collect();
        ms.sort();
        ms.dedup();
        ms
    })
}

prop_compose! {
    /// An arbitrary valid custom instrument (not based on a built-in): 2 to 14
    /// questions with arbitrary domains and markers, one of them a fear item and
    /// one a power item (the floor every form keeps).
    pub fn custom_instrument()(
        markers in proptest::collection::vec(marker_set(), 2..15),
        domains in proptest::collection::vec(any::<prop::sample::Index>(), 15),
        fear_at in any::<prop::sample::Index>(),
        power_at in any::<prop::sample::Index>(),
    ) -> instrument::Instrument {
        use instrument::{Domain, Marker, Question};
        let n = markers.len();
        let questions = markers
            .into_iter()
            .enumerate()
            .map(|(i, mut m)| {
                if i == fear_at.index(n) {
                    m.push(Marker::Fear);
                }
                if i == power_at.index(n) {
                    m.push(Marker::PowerImbalance);
                }
                m.sort();
                m.dedup();
                Question {
                    id: format!("q{}", i + 1),
                    number: i as u32 + 1,
                    text: format!("Custom item {}", i + 1),
                    domains: vec![*domains[i].get(&Domain::ALL)],
                    markers: m,
                }
            })
            .collect();
        instrument::Instrument {
            format_version: instrument::INSTRUMENT_FORMAT_VERSION,
            id: "custom-form".into(),
            name: "A generated custom form".into(),
            source: "property test".into(),
            based_on: None,
            questions,
        }
    }
}

prop_compose! {
    /// A scorer that knows a generated custom form, and a record on that form.
    pub fn custom_case()(inst in custom_instrument())(
        answers in proptest::collection::vec(proptest::option::weighted(0.9, answer(true)), inst.questions.len()),
        conflict_screen in screen(true),
        context in context(true),
        officer_judgement in proptest::option::weighted(0.2, level()),
        inst in Just(inst),
    ) -> (Scorer, Assessment) {
        case_on(inst, answers, conflict_screen, context, officer_judgement)
    }
}

prop_compose! {
    /// A custom form `based_on` the police form: a subset of its questions (ids and
    /// markers kept, so the marker floor holds), always with at least one fear and
    /// one power item. It has the built-in's points, so an estimate, and can give
    /// parental conflict. A third of them keep no harm item at all.
    pub fn based_on_instrument()(
        keep in proptest::collection::vec(any::<bool>(), 27),
        fear_at in any::<prop::sample::Index>(),
        power_at in any::<prop::sample::Index>(),
        no_harm in proptest::bool::weighted(1.0 / 3.0),
    ) -> instrument::Instrument {
        let base = Instrument::dash_2009();
        let at = |g: Gate| -> Vec<usize> {
            base.questions.iter().enumerate().filter(|(_, q)| q.fires(g)).map(|(i, _)| i).collect()
        };
        let (fear, power) = (at(Gate::Fear), at(Gate::PowerImbalance));
        let (f, p) = (*fear_at.get(&fear), *power_at.get(&power));
        let questions = base
            .questions
            .iter()
            .enumerate()
            .filter(|(i, q)| {
                let floor = *i == f || *i == p;
                let dropped_harm = no_harm && q.fires(Gate::Harm);
                floor || (keep[*i % keep.len()] && !dropped_harm)
            })
            .map(|(_, q)| q.clone())
            .collect();
        instrument::Instrument {
            format_version: instrument::INSTRUMENT_FORMAT_VERSION,
            id: "custom-based-on-dash".into(),
            name: "A generated form based on the police form".into(),
            source: "property test".into(),
            based_on: Some(base.id.clone()),
            questions,
        }
    }
}

prop_compose! {
    /// A scorer that knows a generated form based on the police form, and a
    /// record on it, mostly answered "no" so that parental conflict is within reach.
    pub fn based_on_case()(inst in based_on_instrument())(
        answers in proptest::collection::vec(proptest::option::weighted(0.9, answer(true)), inst.questions.len()),
        conflict_screen in screen(true),
        context in context(true),
        officer_judgement in proptest::option::weighted(0.2, level()),
        inst in Just(inst),
    ) -> (Scorer, Assessment) {
        case_on(inst, answers, conflict_screen, context, officer_judgement)
    }
}

/// A scorer that knows `inst`, and a record on it with these answers (in question
/// order; `None` left out), screen, context and judgement.
fn case_on(
    inst: instrument::Instrument,
    answers: Vec<Option<Answer>>,
    conflict_screen: ConflictScreen,
    context: Context,
    officer_judgement: Option<RiskLevel>,
) -> (Scorer, Assessment) {
    let scorer = Scorer::default()
        .with_instrument(inst.clone())
        .expect("a valid generated form");
    let mut map = BTreeMap::new();
    for (q, a) in inst.questions.iter().zip(answers) {
        if let Some(a) = a {
            map.insert(q.id.clone(), a);
        }
    }
    let a = Assessment {
        id: None,
        instrument: inst.id.clone(),
        answers: map,
        conflict_screen,
        context,
        officer_judgement,
        meta: None,
    };
    (scorer, a)
}

/// A scorer on another artefact than the shipped one: a Platt map fitted on a
/// small synthetic population. The safety rules must hold whatever the artefact
/// says.
pub fn other_scorer() -> &'static Scorer {
    static S: OnceLock<Scorer> = OnceLock::new();
    S.get_or_init(|| {
        let cal = fit_reference_calibration(calibration::MapMethod::Platt, 4_000, 99)
            .expect("a small reference fit");
        Scorer::new(Policy::default(), cal).expect("a valid artefact")
    })
}

/// A scorer and a record: on a built-in form (with the default scorer, or one on
/// another artefact), on a generated custom form, or on a generated form based on
/// the police form (which has an estimate, so can give parental conflict).
pub fn any_case() -> impl Strategy<Value = (Scorer, Assessment)> {
    prop_oneof![
        2 => assessment().prop_map(|a| (scorer().clone(), a)),
        1 => assessment().prop_map(|a| (other_scorer().clone(), a)),
        1 => custom_case(),
        1 => based_on_case(),
    ]
}

/// `after` is at least as cautious as `before`, in every respect the rules order.
pub fn no_less_cautious(
    before: &AssessmentResult,
    after: &AssessmentResult,
) -> Result<(), TestCaseError> {
    prop_assert!(
        after.p_abuse >= before.p_abuse,
        "p_abuse fell: {:?} -> {:?}",
        before.p_abuse,
        after.p_abuse
    );
    prop_assert!(after.risk_level >= before.risk_level);
    prop_assert!(
        after.classification >= before.classification,
        "classification fell: {:?} -> {:?}",
        before.classification,
        after.classification
    );
    prop_assert!(after.marac_referral || !before.marac_referral);
    prop_assert!(after.csc_notification || !before.csc_notification);
    prop_assert!(after.school_notification || !before.school_notification);
    Ok(())
}

/// Every field of `c` equals the matching field of `full`.
pub fn same_as_full(
    c: &CompactResult,
    full: &AssessmentResult,
    s: &Scorer,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(c.classification, full.classification);
    prop_assert_eq!(c.decided_by, full.decided_by);
    prop_assert_eq!(c.conflict_blockers, full.conflict_blockers);
    prop_assert_eq!(c.p_abuse.map(f64::to_bits), full.p_abuse.map(f64::to_bits));
    prop_assert_eq!(c.points.map(f64::to_bits), full.points.map(f64::to_bits));
    prop_assert_eq!(c.risk_level, full.risk_level);
    prop_assert_eq!(c.actuarial_level, full.actuarial_level);
    prop_assert_eq!(c.officer_judgement, full.officer_judgement);
    prop_assert_eq!(c.yes_count, full.yes_count);
    prop_assert_eq!(c.not_known_count, full.not_known_count);
    prop_assert_eq!(c.declined_count, full.declined_count);
    prop_assert_eq!(c.marac_referral, full.marac_referral);
    prop_assert_eq!(c.marac_criteria, full.marac_criteria);
    prop_assert_eq!(c.flags, full.flags);
    prop_assert_eq!(c.csc_notification, full.csc_notification);
    prop_assert_eq!(c.school_notification, full.school_notification);
    prop_assert_eq!(c.pathways, full.pathways);
    prop_assert_eq!(c.recording_category, full.recording_category);
    prop_assert_eq!(c.children_in_household, full.children.in_household);
    prop_assert_eq!(c.children_linked, full.children.linked);
    prop_assert_eq!(c.children_linked_by, full.children.linked_by);
    let codes: Vec<ReasonCode> = full.reasons.iter().map(|r| r.code).collect();
    prop_assert_eq!(c.reasons.as_slice(), &codes[..]);
    prop_assert_eq!(&s.instruments()[c.instrument].id, &full.instrument);
    Ok(())
}
