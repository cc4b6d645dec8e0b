//! The safety rules (docs/grading.md, "The safety rules") as property tests over
//! arbitrary records on both built-in forms **and on generated custom forms**:
//!
//! - a fear, power or harm "yes" gives `domestic_abuse`;
//! - a blocker "yes", an unanswered gate item, an earlier abuse incident or a MARAC
//!   history never gives `parental_conflict`;
//! - unknown answers alone never give `domestic_abuse`;
//! - abuse or unclear with children linked gives the CSC notification and, when
//!   children are known to be linked, Operation Encompass;
//! - child harm gives CSC; a MARAC criterion gives the `marac` pathway;
//! - monotonicity: an added "yes", or a change from "no" to not known, never lowers
//!   the level, the probability, MARAC, CSC, the school notice or the
//!   classification's severity, for every item, the screen, the children, the
//!   counts, the dates, the last MARAC date and officer judgement;
//! - the result's own account agrees with it: `parental_conflict` exactly when no
//!   blocker is listed, and the first reason names what decided.

#[path = "support/arb.rs"]
mod arb;
#[path = "support/safety_oracle.rs"]
mod safety_oracle;

use arb::*;
use dashrisk::instrument::{Gate, Marker};
use dashrisk::*;
use proptest::prelude::*;
use safety_oracle::safety_violations;

fn run(s: &Scorer, a: &Assessment) -> AssessmentResult {
    s.assess(a).expect("valid record")
}

fn items(s: &Scorer, a: &Assessment, pred: impl Fn(&instrument::Question) -> bool) -> Vec<String> {
    s.instrument(&a.instrument)
        .unwrap()
        .questions
        .iter()
        .filter(|q| pred(q))
        .map(|q| q.id.clone())
        .collect()
}

/// One "more cautious" change to a record: an added "yes", or a "no" (or a known
/// fact) made not known, anywhere the rules read.
#[derive(Debug, Clone, Copy)]
enum Change {
    ItemYes,
    ItemUnknown,
    ItemDeclined,
    ScreenFearYes,
    ScreenPowerYes,
    ScreenFearUnknown,
    ScreenPowerUnknown,
    ExposedYes,
    ExposedUnknown,
    ChildrenYes,
    ChildrenUnknown,
    MoreIncidents,
    CountUnknown,
    AddDate,
    IncidentDateUnknown,
    MaracDate,
    Judgement,
}

const CHANGES: [Change; 17] = [
    Change::ItemYes,
    Change::ItemUnknown,
    Change::ItemDeclined,
    Change::ScreenFearYes,
    Change::ScreenPowerYes,
    Change::ScreenFearUnknown,
    Change::ScreenPowerUnknown,
    Change::ExposedYes,
    Change::ExposedUnknown,
    Change::ChildrenYes,
    Change::ChildrenUnknown,
    Change::MoreIncidents,
    Change::CountUnknown,
    Change::AddDate,
    Change::IncidentDateUnknown,
    Change::MaracDate,
    Change::Judgement,
];

/// Applies `c` to a copy of `a`; `None` when it does not apply (the value is not
/// the "before" state the change starts from).
fn apply(
    s: &Scorer,
    a: &Assessment,
    c: Change,
    pick: &prop::sample::Index,
    days: i64,
    j: RiskLevel,
) -> Option<Assessment> {
    let mut b = a.clone();
    let ids = items(s, a, |_| true);
    let id = pick.get(&ids).clone();
    let scr = &mut b.conflict_screen;
    let ctx = &mut b.context;
    match c {
        Change::ItemYes => {
            b.answers.insert(id, Answer::Yes);
        }
        Change::ItemUnknown | Change::ItemDeclined => {
            if a.answer(&id) != Answer::No {
                return None;
            }
            let to = if matches!(c, Change::ItemDeclined) {
                Answer::Declined
            } else {
                Answer::NotKnown
            };
            b.answers.insert(id, to);
        }
        Change::ScreenFearYes => scr.fear = Answer::Yes,
        Change::ScreenPowerYes => scr.power_imbalance = Answer::Yes,
        Change::ScreenFearUnknown => {
            if scr.fear != Answer::No {
                return None;
            }
            scr.fear = Answer::NotKnown;
        }
        Change::ScreenPowerUnknown => {
            if scr.power_imbalance != Answer::No {
                return None;
            }
            scr.power_imbalance = Answer::NotKnown;
        }
        Change::ExposedYes => scr.children_exposed = Answer::Yes,
        Change::ExposedUnknown => {
            if scr.children_exposed != Answer::No {
                return None;
            }
            scr.children_exposed = Answer::NotKnown;
        }
        Change::ChildrenYes => ctx.children_in_household = Some(true),
        Change::ChildrenUnknown => {
            if ctx.children_in_household != Some(false) {
                return None;
            }
            ctx.children_in_household = None;
        }
        Change::MoreIncidents => {
            ctx.prior_incidents_12m = Some(ctx.prior_incidents_12m? + 1 + (days % 3) as u32)
        }
        Change::CountUnknown => {
            if ctx.prior_incidents_12m != Some(0) {
                return None;
            }
            ctx.prior_incidents_12m = None;
        }
        Change::AddDate => {
            let anchor = ctx
                .incident_date
                .unwrap_or(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
            ctx.prior_incident_dates
                .get_or_insert_with(Vec::new)
                .push(anchor - chrono::Duration::days(days));
        }
        Change::IncidentDateUnknown => {
            ctx.incident_date?;
            ctx.incident_date = None;
        }
        Change::MaracDate => {
            if ctx.last_marac_date.is_some() {
                return None;
            }
            let anchor = ctx
                .incident_date
                .unwrap_or(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
            ctx.last_marac_date = Some(anchor - chrono::Duration::days(days));
        }
        Change::Judgement => {
            if a.officer_judgement.is_some_and(|old| old > j) {
                return None;
            }
            b.officer_judgement = Some(j);
        }
    }
    Some(b)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

    #[test]
    fn a_gate_yes_is_domestic_abuse((s, mut a) in any_case(), pick in any::<prop::sample::Index>(), gate in 0usize..3) {
        let g = [Gate::Fear, Gate::PowerImbalance, Gate::Harm][gate];
        let ids = items(&s, &a, |q| q.fires(g));
        prop_assume!(!ids.is_empty());
        a.answers.insert(pick.get(&ids).clone(), Answer::Yes);
        let r = run(&s, &a);
        prop_assert_eq!(r.classification, Classification::DomesticAbuse);
        prop_assert_eq!(r.decided_by, DecisionBasis::SafetyGate);
        prop_assert_eq!(r.reasons[0].code, ReasonCode::DecisionAbuseSafetyGate);
        prop_assert!(!r.pathways.contains(Pathway::RpcSupport));
    }

    #[test]
    fn blockers_never_yield_conflict((s, mut a) in any_case(), pick in any::<prop::sample::Index>(), which in 0usize..6, unknown in 0usize..2) {
        let expect = match which {
            0 => {
                let ids = items(&s, &a, |q| q.has(Marker::BlocksConflict));
                prop_assume!(!ids.is_empty());
                a.answers.insert(pick.get(&ids).clone(), Answer::Yes);
                ConflictBlocker::AbuseEvidence
            }
            1 => {
                let ids = items(&s, &a, |q| q.is_gate_item());
                let how = [Answer::NotKnown, Answer::Declined][unknown];
                a.answers.insert(pick.get(&ids).clone(), how);
                ConflictBlocker::GateItemUnanswered
            }
            2 => {
                a.context.prior_incidents_12m = Some(1 + pick.index(4) as u32);
                ConflictBlocker::EarlierAbuse
            }
            5 => {
                // A blocker item not known or declined: asked, not screened out.
                let ids = items(&s, &a, |q| q.has(Marker::BlocksConflict));
                prop_assume!(!ids.is_empty());
                let how = [Answer::NotKnown, Answer::Declined][unknown];
                a.answers.insert(pick.get(&ids).clone(), how);
                ConflictBlocker::GateItemUnanswered
            }
            3 => {
                let today = a.context.incident_date;
                let anchor = today.unwrap_or(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
                // Inside any window of at least one month: within 28 days.
                a.context.prior_incident_dates.get_or_insert_with(Vec::new).push(anchor - chrono::Duration::days(pick.index(28) as i64));
                ConflictBlocker::EarlierAbuse
            }
            _ => {
                a.context.last_marac_date = Some(NaiveDate::from_ymd_opt(2001, 1, 1).unwrap());
                ConflictBlocker::MaracHistory
            }
        };
        let r = run(&s, &a);
        prop_assert_ne!(r.classification, Classification::ParentalConflict);
        prop_assert!(r.conflict_blockers.contains(expect), "{:?} not in {:?}", expect, r.conflict_blockers);
        prop_assert_ne!(r.recording_category, RecordingCategory::ParentalConflict);
    }

    #[test]
    fn a_form_without_harm_questions_never_gives_conflict((s, mut a) in arb::based_on_case()) {
        prop_assume!(items(&s, &a, |q| q.fires(Gate::Harm)).is_empty());
        // Everything asked and answered no, nothing else recorded: all that is
        // missing is harm, which the form never asks about.
        for id in items(&s, &a, |_| true) {
            a.answers.insert(id, Answer::No);
        }
        a.conflict_screen.fear = Answer::No;
        a.conflict_screen.power_imbalance = Answer::No;
        a.context.prior_incidents_12m = Some(0);
        a.context.prior_incident_dates = None;
        a.context.last_marac_date = None;
        a.officer_judgement = None;
        let r = run(&s, &a);
        prop_assert_eq!(r.classification, Classification::Unclear);
        prop_assert!(r.conflict_blockers.contains(ConflictBlocker::GateItemUnanswered));
        prop_assert!(r.has_reason(ReasonCode::HarmNotCleared), "{:?}", r.reasons);
    }

    #[test]
    fn the_open_questions_are_exactly_the_unanswered_screening_items((s, a) in any_case()) {
        // Every gate and blocker item not known or declined, in the form's order,
        // then the screen's two questions: what keeps conflict open, to ask next.
        let open = s.unanswered_gate_questions(&a).unwrap();
        let got: Vec<&str> = open.iter().map(|q| q.id.as_str()).collect();
        let mut want: Vec<String> = items(&s, &a, |q| q.is_gate_item() || q.has(Marker::BlocksConflict))
            .into_iter()
            .filter(|id| a.answer(id).is_unknown())
            .collect();
        for (ans, id) in [(a.conflict_screen.fear, "fear"), (a.conflict_screen.power_imbalance, "power_imbalance")] {
            if ans.is_unknown() {
                want.push(id.to_string());
            }
        }
        prop_assert_eq!(got, want);
        for q in &open {
            prop_assert!(q.answer.is_unknown());
        }
        let r = run(&s, &a);
        if !open.is_empty() {
            prop_assert!(r.conflict_blockers.contains(ConflictBlocker::GateItemUnanswered));
        }
    }

    #[test]
    fn a_blocker_alone_never_establishes_abuse((s, mut a) in any_case(), pick in any::<prop::sample::Index>()) {
        // Everything "no" but one blocker "yes": unclear, never abuse.
        let ids = items(&s, &a, |q| q.has(Marker::BlocksConflict) && !q.is_gate_item());
        prop_assume!(!ids.is_empty());
        for id in items(&s, &a, |_| true) {
            a.answers.insert(id, Answer::No);
        }
        a.conflict_screen.fear = Answer::No;
        a.conflict_screen.power_imbalance = Answer::No;
        a.answers.insert(pick.get(&ids).clone(), Answer::Yes);
        let r = run(&s, &a);
        prop_assert_eq!(r.classification, Classification::Unclear);
        prop_assert_eq!(r.decided_by, DecisionBasis::SafetyRules);
        prop_assert_eq!(r.reasons[0].code, ReasonCode::DecisionUnclearSafetyRules);
    }

    #[test]
    fn unknown_answers_alone_never_give_abuse((s, mut a) in any_case()) {
        for v in a.answers.values_mut() {
            if *v == Answer::Yes { *v = Answer::NotKnown; }
        }
        for v in [&mut a.conflict_screen.fear, &mut a.conflict_screen.power_imbalance] {
            if *v == Answer::Yes { *v = Answer::NotKnown; }
        }
        // No "yes" left anywhere: neither unknowns nor earlier incidents make abuse.
        let r = run(&s, &a);
        prop_assert_ne!(r.classification, Classification::DomesticAbuse, "{:?}", r.reasons);
    }

    #[test]
    fn conflict_means_every_rule_was_passed((s, a) in any_case()) {
        // The shared oracle (support/safety_oracle.rs), which the fuzz targets
        // apply to fuzzed records, forms and policies too.
        let r = run(&s, &a);
        let broken = safety_violations(&s, &a, &r);
        prop_assert!(broken.is_empty(), "{:?}: {:?}", broken, r);
    }

    #[test]
    fn flags_follow_their_markers((s, a) in any_case()) {
        let r = run(&s, &a);
        let yes = |pred: &dyn Fn(&instrument::Question) -> bool| {
            items(&s, &a, |q| pred(q)).iter().any(|id| a.answer(id) == Answer::Yes)
        };
        let has = |m: Marker| yes(&|q| q.has(m));
        let control = has(Marker::PowerImbalance) || has(Marker::Stalking)
            || a.conflict_screen.power_imbalance == Answer::Yes;
        let separation = yes(&|q| q.domains.first() == Some(&instrument::Domain::Separation))
            || a.conflict_screen.recent_transitions.as_ref()
                .is_some_and(|t| t.contains(&Transition::Separation));
        let violence = has(Marker::Violence) || has(Marker::Weapon) || has(Marker::Strangulation);
        prop_assert_eq!(r.flags.contains(Flag::CoerciveControl), control);
        prop_assert_eq!(r.flags.contains(Flag::SeparationControlViolence), separation && control && violence);
        prop_assert_eq!(r.flags.contains(Flag::Strangulation), has(Marker::Strangulation));
        prop_assert_eq!(r.flags.contains(Flag::ChildHarm), has(Marker::ChildHarm));
        // A "yes" to a children-in-household item means children live there,
        // whatever the context says.
        if has(Marker::ChildrenInHousehold) {
            prop_assert_eq!(r.children.in_household, Some(true));
        } else {
            prop_assert_eq!(r.children.in_household, a.context.children_in_household);
        }
    }

    #[test]
    fn fear_and_power_cleared_means_all_asked_and_no((s, a) in any_case()) {
        let r = run(&s, &a);
        let all_no = items(&s, &a, |q| q.fires(Gate::Fear) || q.fires(Gate::PowerImbalance))
            .iter()
            .all(|id| a.answer(id) == Answer::No)
            && a.conflict_screen.fear == Answer::No
            && a.conflict_screen.power_imbalance == Answer::No;
        prop_assert_eq!(r.has_reason(ReasonCode::FearAndPowerCleared), all_no);
    }

    #[test]
    fn children_notifications_follow_the_rules((s, a) in any_case()) {
        let r = run(&s, &a);
        let linked = r.children.linked;
        if r.classification != Classification::ParentalConflict && linked != Some(false) {
            prop_assert!(r.csc_notification, "{:?} with children {:?} not notified", r.classification, linked);
            prop_assert!(r.pathways.contains(Pathway::ChildrensSocialCare));
        }
        if r.csc_notification && linked == Some(true) {
            prop_assert!(r.school_notification);
            prop_assert!(r.pathways.contains(Pathway::OperationEncompass));
        }
        prop_assert_eq!(r.school_notification, r.csc_notification && linked == Some(true));
        if r.flags.contains(Flag::ChildHarm) {
            prop_assert!(r.csc_notification);
        }
        if a.conflict_screen.children_exposed == Answer::Yes {
            prop_assert_eq!(linked, Some(true));
            prop_assert!(r.children.linked_by.contains(ChildLink::Exposed));
        }
        // The reasons and the notifications agree.
        if r.children.linked_by == [ChildLink::Exposed] {
            prop_assert!(r.has_reason(ReasonCode::ChildrenLinkedByExposure));
        }
        if r.marac_referral {
            prop_assert!(r.pathways.contains(Pathway::Marac));
        }
        // The summary never says no child was at the incident when that is not
        // known: not known is never read as no.
        if r.children.summary.contains("or at the incident") {
            prop_assert_eq!(a.conflict_screen.children_exposed, Answer::No, "{}", r.children.summary);
        }
    }

    #[test]
    fn more_caution_in_never_less_caution_out((s, a) in any_case(), c in 0usize..17, pick in any::<prop::sample::Index>(), days in 0i64..800, j in level()) {
        let Some(b) = apply(&s, &a, CHANGES[c], &pick, days, j) else { return Ok(()); };
        let (before, after) = (run(&s, &a), run(&s, &b));
        no_less_cautious(&before, &after).map_err(|e| TestCaseError::fail(format!("{:?}: {e}", CHANGES[c])))?;
    }
}

/// The oracle can fail: a conflict result read against a record with abuse
/// evidence, an unanswered blocker item or an unanswered screen question is
/// named for each rule it breaks.
#[test]
fn the_oracle_names_a_conflict_label_given_to_abuse_evidence() {
    let s = Scorer::default();
    let mut a = Assessment::default();
    for q in &s.instrument(&a.instrument).unwrap().questions {
        a.answers.insert(q.id.clone(), Answer::No);
    }
    a.conflict_screen.fear = Answer::No;
    a.conflict_screen.power_imbalance = Answer::No;
    a.context.prior_incidents_12m = Some(0);
    let r = run(&s, &a);
    assert_eq!(r.classification, Classification::ParentalConflict);
    assert_eq!(safety_violations(&s, &a, &r), Vec::<String>::new());
    type Change<'a> = &'a dyn Fn(&mut Assessment);
    let cases: [(Change, &str); 4] = [
        (
            &|b| {
                b.answers.insert("q18".into(), Answer::Yes);
            },
            "safety gate",
        ),
        (
            &|b| {
                b.answers.insert("q13".into(), Answer::Declined);
            },
            "blocker item not answered no",
        ),
        (
            &|b| b.conflict_screen.fear = Answer::NotKnown,
            "fear and power answered no",
        ),
        (
            &|b| b.context.prior_incidents_12m = Some(2),
            "earlier incidents",
        ),
    ];
    for (change, rule) in cases {
        let mut b = a.clone();
        change(&mut b);
        let broken = safety_violations(&s, &b, &r);
        assert!(
            broken.iter().any(|x| x.contains(rule)),
            "{rule}: {broken:?}"
        );
        // And the scorer itself does not give that record conflict.
        assert_ne!(
            run(&s, &b).classification,
            Classification::ParentalConflict,
            "{rule}"
        );
    }
}
