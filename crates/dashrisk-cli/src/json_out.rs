//! A result as one JSON Lines object, written straight from the result.
//!
//! The output has always been `serde_json::to_value(result)` with the added keys
//! (`passthrough`, `ask_next`, `services`) inserted, then written: serde_json's map
//! sorts its keys, so every object comes out with its keys in byte order. Building
//! that tree cost a string copy of every sentence, a map insertion of every key and
//! their frees: about a third of `dashrisk assess`'s time on JSON Lines. This
//! writer gives the same bytes without the tree. The tests below hold it to the
//! tree's output, and the destructuring in [`write_result`] names every field of
//! the result, so a field added to it does not compile until it is written here.

use dashrisk::AssessmentResult;
use serde::Serialize;
use serde_json::{Map, Value};
use std::iter::Peekable;

/// Writes `r` as one JSON object, keys in byte order, with `more` (keys already in
/// order, as a `serde_json::Map` keeps them) merged in; a key of `more` that is
/// also a field of the result replaces the field, as inserting it into the tree did.
pub fn write_result(
    out: &mut Vec<u8>,
    r: &AssessmentResult,
    more: &Map<String, Value>,
) -> serde_json::Result<()> {
    // Every field, by name: a new field fails to compile until it is written below.
    let AssessmentResult {
        id,
        classification,
        decided_by,
        conflict_blockers,
        p_abuse,
        points,
        risk_level,
        actuarial_level,
        officer_judgement,
        yes_count,
        not_known_count,
        declined_count,
        marac_referral,
        marac_criteria,
        flags,
        csc_notification,
        school_notification,
        pathways,
        recording_category,
        children,
        reasons,
        instrument,
        scorer_version,
        calibration_version,
        meta,
    } = r;
    let mut w = Object {
        out,
        more: more.iter().peekable(),
        first: true,
    };
    w.out.push(b'{');
    // In byte order of the names (the tests check the order against the tree's).
    w.field("actuarial_level", actuarial_level)?;
    w.field("calibration_version", calibration_version)?;
    w.field("children", children)?;
    w.field("classification", classification)?;
    w.field("conflict_blockers", conflict_blockers)?;
    w.field("csc_notification", csc_notification)?;
    w.field("decided_by", decided_by)?;
    w.field("declined_count", declined_count)?;
    w.field("flags", flags)?;
    w.field("id", id)?;
    w.field("instrument", instrument)?;
    w.field("marac_criteria", marac_criteria)?;
    w.field("marac_referral", marac_referral)?;
    w.field("meta", meta)?;
    w.field("not_known_count", not_known_count)?;
    w.field("officer_judgement", officer_judgement)?;
    w.field("p_abuse", p_abuse)?;
    w.field("pathways", pathways)?;
    w.field("points", points)?;
    w.field("reasons", reasons)?;
    w.field("recording_category", recording_category)?;
    w.field("risk_level", risk_level)?;
    w.field("school_notification", school_notification)?;
    w.field("scorer_version", scorer_version)?;
    w.field("yes_count", yes_count)?;
    w.rest()?;
    w.out.push(b'}');
    Ok(())
}

/// An object being written: the added keys not yet written, and whether a key has
/// been written (for the commas).
struct Object<'a, 'm> {
    out: &'a mut Vec<u8>,
    more: Peekable<serde_json::map::Iter<'m>>,
    first: bool,
}

impl Object<'_, '_> {
    fn key(&mut self, k: &str) -> serde_json::Result<()> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        serde_json::to_writer(&mut *self.out, k)?;
        self.out.push(b':');
        Ok(())
    }

    /// The added keys that sort before `k`, then `k` (or the added key of that name).
    fn field<T: Serialize + ?Sized>(&mut self, k: &str, v: &T) -> serde_json::Result<()> {
        while let Some((mk, mv)) = self.more.next_if(|(mk, _)| mk.as_str() < k) {
            self.key(mk)?;
            serde_json::to_writer(&mut *self.out, mv)?;
        }
        self.key(k)?;
        match self.more.next_if(|(mk, _)| mk.as_str() == k) {
            Some((_, mv)) => serde_json::to_writer(&mut *self.out, mv),
            None => serde_json::to_writer(&mut *self.out, v),
        }
    }

    /// The added keys after the last field.
    fn rest(&mut self) -> serde_json::Result<()> {
        while let Some((mk, mv)) = self.more.next() {
            self.key(mk)?;
            serde_json::to_writer(&mut *self.out, mv)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashrisk::synth::{generate, SynthParams};
    use dashrisk::{Answer, Scorer};
    use proptest::prelude::*;

    /// What the output was: the tree, the keys inserted, written.
    fn by_tree(r: &AssessmentResult, more: &Map<String, Value>) -> Vec<u8> {
        let mut value = serde_json::to_value(r).unwrap();
        if let Value::Object(obj) = &mut value {
            obj.extend(more.clone());
        }
        serde_json::to_vec(&value).unwrap()
    }

    fn direct(r: &AssessmentResult, more: &Map<String, Value>) -> Vec<u8> {
        let mut out = Vec::new();
        write_result(&mut out, r, more).unwrap();
        out
    }

    /// Results of every kind: seeded synthetic records on both built-in forms,
    /// with officer judgements, dates, earlier incidents and `meta`, and each with
    /// its answers partly not known.
    fn results() -> &'static [AssessmentResult] {
        static RESULTS: std::sync::LazyLock<Vec<AssessmentResult>> =
            std::sync::LazyLock::new(make_results);
        &RESULTS
    }

    fn make_results() -> Vec<AssessmentResult> {
        let scorer = Scorer::default();
        let mut out = Vec::new();
        for (seed, p) in [(1u64, 0.5), (2, 0.1), (3, 0.9)] {
            let params = SynthParams {
                p_abuse: p,
                ..SynthParams::default()
            };
            for (i, rec) in generate(300, seed, &params).into_iter().enumerate() {
                let mut a = rec.assessment;
                if i % 3 == 0 {
                    for (_, v) in a.answers.iter_mut().take(i % 7) {
                        *v = Answer::NotKnown;
                    }
                }
                if i % 5 == 0 {
                    a.meta = Some(serde_json::json!({"z": [1, 2.5, null], "a": {"b": "é\"\n"}}));
                }
                if i % 11 == 0 {
                    a.id = Some(format!("tab\there {i} \u{1F600}"));
                }
                out.push(scorer.assess(&a).unwrap());
            }
        }
        out
    }

    #[test]
    fn results_are_written_as_the_tree_wrote_them() {
        let none = Map::new();
        let mut some = Map::new();
        some.insert("ask_next".into(), serde_json::json!([{"id": "q1"}]));
        some.insert("passthrough".into(), serde_json::json!({"force": "x"}));
        some.insert("services".into(), Value::Null);
        for r in results() {
            assert_eq!(direct(r, &none), by_tree(r, &none));
            assert_eq!(direct(r, &some), by_tree(r, &some));
        }
    }

    proptest! {
        /// Added keys of any name, before, between, equal to and after the fields.
        #[test]
        fn added_keys_merge_as_the_tree_merged_them(
            keys in proptest::collection::vec(
                prop_oneof![
                    "[a-z_]{0,20}",
                    Just("id".to_string()),
                    Just("reasons".to_string()),
                    Just("yes_count".to_string()),
                    Just("zzz".to_string()),
                    Just("".to_string()),
                    ".{0,4}",
                ],
                0..8,
            ),
            pick in 0usize..900,
        ) {
            let all = results();
            let r = &all[pick % all.len()];
            let more: Map<String, Value> = keys
                .into_iter()
                .enumerate()
                .map(|(i, k)| (k, Value::from(i)))
                .collect();
            prop_assert_eq!(direct(r, &more), by_tree(r, &more));
        }
    }
}
