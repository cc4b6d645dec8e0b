//! [`CompactResult`] against [`AssessmentResult`]: every field the same, on
//! arbitrary records on both built-in forms and on generated custom forms, so the
//! bulk path (`assess_compact`) can never decide differently from `assess`.

#[path = "support/arb.rs"]
mod arb;

use arb::*;
use dashrisk::*;
use proptest::prelude::*;

/// Every field of `c` equals the matching field of `full`.
fn same(c: &CompactResult, full: &AssessmentResult, s: &Scorer) -> Result<(), TestCaseError> {
    prop_assert_eq!(c.classification, full.classification);
    prop_assert_eq!(c.decided_by, full.decided_by);
    prop_assert_eq!(c.conflict_blockers.to_vec(), full.conflict_blockers.clone());
    prop_assert_eq!(c.p_abuse.map(f64::to_bits), full.p_abuse.map(f64::to_bits));
    prop_assert_eq!(c.points.map(f64::to_bits), full.points.map(f64::to_bits));
    prop_assert_eq!(c.risk_level, full.risk_level);
    prop_assert_eq!(c.actuarial_level, full.actuarial_level);
    prop_assert_eq!(c.officer_judgement, full.officer_judgement);
    prop_assert_eq!(c.yes_count, full.yes_count);
    prop_assert_eq!(c.not_known_count, full.not_known_count);
    prop_assert_eq!(c.declined_count, full.declined_count);
    prop_assert_eq!(c.marac_referral, full.marac_referral);
    prop_assert_eq!(c.marac_criteria.to_vec(), full.marac_criteria.clone());
    prop_assert_eq!(c.flags.to_vec(), full.flags.clone());
    prop_assert_eq!(c.csc_notification, full.csc_notification);
    prop_assert_eq!(c.school_notification, full.school_notification);
    prop_assert_eq!(c.pathways.to_vec(), full.pathways.clone());
    prop_assert_eq!(c.recording_category, full.recording_category);
    prop_assert_eq!(c.children_in_household, full.children.in_household);
    prop_assert_eq!(c.children_linked, full.children.linked);
    prop_assert_eq!(
        c.children_linked_by.to_vec(),
        full.children.linked_by.clone()
    );
    let codes: Vec<ReasonCode> = full.reasons.iter().map(|r| r.code).collect();
    prop_assert_eq!(c.reasons.as_slice(), &codes[..]);
    prop_assert_eq!(&s.instruments()[c.instrument].id, &full.instrument);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_compact_result_is_the_full_result_without_text((s, a) in any_case()) {
        let full = s.assess(&a).expect("valid record");
        let c = s.assess_compact(&a).expect("valid record");
        same(&c, &full, &s)?;
    }
}

#[test]
fn refused_records_are_refused_the_same_way() {
    let s = Scorer::default();
    let mut a = Assessment::default();
    a.answers.insert("q99".into(), Answer::Yes);
    assert_eq!(s.assess_compact(&a).unwrap_err(), s.assess(&a).unwrap_err());
    a.answers.clear();
    a.instrument = "no-such-form".into();
    assert_eq!(s.assess_compact(&a).unwrap_err(), s.assess(&a).unwrap_err());
}

#[test]
fn every_scenario_and_synthetic_record_agrees() {
    let s = Scorer::default();
    let records = synth::generate(3_000, 17, &Default::default());
    for r in &records {
        let full = s.assess(&r.assessment).unwrap();
        let c = s.assess_compact(&r.assessment).unwrap();
        same(&c, &full, &s).unwrap();
    }
    let batch: Vec<_> = records.iter().map(|r| r.assessment.clone()).collect();
    let out = batch::assess_compact(&s, &batch, 3);
    for (r, c) in records.iter().zip(&out) {
        assert_eq!(
            c.as_ref().unwrap(),
            &s.assess_compact(&r.assessment).unwrap()
        );
    }
}
