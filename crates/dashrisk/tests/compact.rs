//! [`CompactResult`] against [`AssessmentResult`]: every field the same, on
//! arbitrary records on both built-in forms and on generated custom forms, so the
//! bulk path (`assess_compact`) can never decide differently from `assess`.

#[path = "support/arb.rs"]
mod arb;

use arb::*;
use dashrisk::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_compact_result_is_the_full_result_without_text((s, a) in any_case()) {
        let full = s.assess(&a).expect("valid record");
        let c = s.assess_compact(&a).expect("valid record");
        same_as_full(&c, &full, &s)?;
        // With the sentences: the same result, and the full result's sentences,
        // joined by spaces, written over whatever the text held.
        let mut text = String::from("left from the record before");
        let ct = s.assess_compact_text(&a, &mut text).expect("valid record");
        prop_assert_eq!(ct, c);
        prop_assert_eq!(text, joined(&full));
    }
}

/// The full result's sentences as the CSV `reasons` cell writes them.
fn joined(full: &AssessmentResult) -> String {
    full.reasons
        .iter()
        .map(|r| r.text.as_ref())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn refused_records_are_refused_the_same_way() {
    let s = Scorer::default();
    let mut a = Assessment::default();
    a.answers.insert("q99".into(), Answer::Yes);
    assert_eq!(s.assess_compact(&a).unwrap_err(), s.assess(&a).unwrap_err());
    let mut text = String::new();
    assert_eq!(
        s.assess_compact_text(&a, &mut text).unwrap_err(),
        s.assess(&a).unwrap_err()
    );
    a.answers.clear();
    a.instrument = "no-such-form".into();
    assert_eq!(s.assess_compact(&a).unwrap_err(), s.assess(&a).unwrap_err());
    assert_eq!(
        s.assess_compact_text(&a, &mut text).unwrap_err(),
        s.assess(&a).unwrap_err()
    );
}

#[test]
fn every_scenario_and_synthetic_record_agrees() {
    let s = Scorer::default();
    let records = synth::generate(3_000, 17, &Default::default());
    for r in &records {
        let full = s.assess(&r.assessment).unwrap();
        let c = s.assess_compact(&r.assessment).unwrap();
        same_as_full(&c, &full, &s).unwrap();
        let mut text = String::new();
        assert_eq!(s.assess_compact_text(&r.assessment, &mut text).unwrap(), c);
        assert_eq!(text, joined(&full));
        assert!(!text.is_empty());
    }
    // (With the `batch` feature, which the workspace's front ends turn on.)
    #[cfg(feature = "batch")]
    {
        let batch: Vec<_> = records.iter().map(|r| r.assessment.clone()).collect();
        let out = batch::assess_compact(&s, &batch, 3);
        for (r, c) in records.iter().zip(&out) {
            assert_eq!(
                c.as_ref().unwrap(),
                &s.assess_compact(&r.assessment).unwrap()
            );
        }
    }
}
