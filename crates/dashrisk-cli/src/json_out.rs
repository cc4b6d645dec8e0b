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
//!
//! The long strings (the sentences, the children's summary) are escaped by
//! [`write_str`], which tests eight bytes at a time for a byte JSON escapes and
//! copies the runs between them: serde_json tests every byte, which was a fifth of
//! the JSON Lines path. It is hand-written: the one crate that does this faster
//! (json-escape-simd) writes through unchecked pointers into uninitialised room,
//! and is new; this is a dozen lines of safe code, held to serde_json's bytes by a
//! property test.

use dashrisk::{AssessmentResult, ChildrenImpact, Reason};
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
    w.field("calibration_version", &Str(calibration_version))?;
    w.field("children", &Children(children))?;
    w.field("classification", classification)?;
    w.field("conflict_blockers", conflict_blockers)?;
    w.field("csc_notification", csc_notification)?;
    w.field("decided_by", decided_by)?;
    w.field("declined_count", declined_count)?;
    w.field("flags", flags)?;
    w.field("id", &OptStr(id.as_deref()))?;
    w.field("instrument", &Str(instrument))?;
    w.field("marac_criteria", marac_criteria)?;
    w.field("marac_referral", marac_referral)?;
    w.field("meta", meta)?;
    w.field("not_known_count", not_known_count)?;
    w.field("officer_judgement", officer_judgement)?;
    w.field("p_abuse", p_abuse)?;
    w.field("pathways", pathways)?;
    w.field("points", points)?;
    w.field("reasons", &Reasons(reasons))?;
    w.field("recording_category", recording_category)?;
    w.field("risk_level", risk_level)?;
    w.field("school_notification", school_notification)?;
    w.field("scorer_version", &Str(scorer_version))?;
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
    fn field<T: Json + ?Sized>(&mut self, k: &str, v: &T) -> serde_json::Result<()> {
        while let Some((mk, mv)) = self.more.next_if(|(mk, _)| mk.as_str() < k) {
            self.key(mk)?;
            serde_json::to_writer(&mut *self.out, mv)?;
        }
        self.key(k)?;
        match self.more.next_if(|(mk, _)| mk.as_str() == k) {
            Some((_, mv)) => serde_json::to_writer(&mut *self.out, mv),
            None => v.write(self.out),
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

/// A value written as JSON into a buffer.
trait Json {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
}

/// Anything serde writes, written by serde_json.
impl<T: Serialize + ?Sized> Json for T {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

/// A string, escaped by [`write_str`].
struct Str<'a>(&'a str);

/// Written by hand with [`write_str`] for its strings (keys in byte order, as the
/// tree wrote them); every field named, as in [`write_result`].
struct Children<'a>(&'a ChildrenImpact);

/// The reasons, their sentences escaped by [`write_str`].
struct Reasons<'a>(&'a [Reason]);

impl Json for Str<'_> {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        write_str(out, self.0);
        Ok(())
    }
}

/// A string or `null`, escaped by [`write_str`].
struct OptStr<'a>(Option<&'a str>);

impl Json for OptStr<'_> {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self.0 {
            Some(s) => Str(s).write(out),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
}

impl Json for Children<'_> {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let ChildrenImpact {
            in_household,
            linked,
            linked_by,
            summary,
        } = self.0;
        out.extend_from_slice(b"{\"in_household\":");
        serde_json::to_writer(&mut *out, in_household)?;
        out.extend_from_slice(b",\"linked\":");
        serde_json::to_writer(&mut *out, linked)?;
        out.extend_from_slice(b",\"linked_by\":");
        serde_json::to_writer(&mut *out, linked_by)?;
        out.extend_from_slice(b",\"summary\":");
        write_str(out, summary);
        out.push(b'}');
        Ok(())
    }
}

impl Json for Reasons<'_> {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.push(b'[');
        for (i, Reason { code, text }) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"code\":");
            serde_json::to_writer(&mut *out, code)?;
            out.extend_from_slice(b",\"text\":");
            write_str(out, text);
            out.push(b'}');
        }
        out.push(b']');
        Ok(())
    }
}

/// Whether any of the eight bytes of `w` is one JSON escapes: a control character
/// (below 0x20), `"` or `\`. Exact for the word as a whole, which is all it is
/// asked (the classic tests for a byte below n, and for a zero byte after an xor).
const fn escapes_any(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let q = w ^ (ONES * b'"' as u64);
    let quote = q.wrapping_sub(ONES) & !q & HIGH;
    let b = w ^ (ONES * b'\\' as u64);
    let backslash = b.wrapping_sub(ONES) & !b & HIGH;
    (control | quote | backslash) != 0
}

/// `s` as a JSON string, quotes included, byte for byte as serde_json writes it:
/// `"` and `\` escaped with a backslash; backspace, form feed, line feed, carriage
/// return and tab as `\b`, `\f`, `\n`, `\r`, `\t`; any other byte below 0x20 as
/// `\u00XX` (lower-case hex); everything else as it is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `run` is where the bytes not yet copied start.
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(word) = bytes[i..].first_chunk::<8>() {
            if !escapes_any(u64::from_le_bytes(*word)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let short = match b {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            0x08 => Some(b'b'),
            0x0c => Some(b'f'),
            b'\n' => Some(b'n'),
            b'\r' => Some(b'r'),
            b'\t' => Some(b't'),
            _ => None,
        };
        if short.is_some() || b < 0x20 {
            out.extend_from_slice(&bytes[run..i]);
            match short {
                Some(c) => out.extend_from_slice(&[b'\\', c]),
                None => out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]),
            }
            run = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
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

    /// The escapes on their own, and at every place in a word of eight.
    #[test]
    fn every_byte_below_0x80_is_escaped_as_serde_json_escapes_it() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            for at in 0..17 {
                let s: String = "a".repeat(at) + &c.to_string() + "é…z";
                let mut out = Vec::new();
                write_str(&mut out, &s);
                assert_eq!(out, serde_json::to_vec(&s).unwrap(), "byte {b:#x} at {at}");
            }
        }
    }

    /// Whether a byte is one JSON escapes, one at a time.
    fn escapes(b: u8) -> bool {
        b < 0x20 || b == b'"' || b == b'\\'
    }

    proptest! {
        /// The word test is exact both ways: never a miss (which would leave a byte
        /// unescaped), and never a false alarm (which would only cost time, but the
        /// function says it is exact).
        #[test]
        fn the_word_test_is_exact(
            w in any::<u64>(),
            clean in proptest::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 8),
            at in 0usize..8,
            bad in prop_oneof![0u8..0x20, Just(b'"'), Just(b'\\')],
        ) {
            prop_assert_eq!(escapes_any(w), w.to_le_bytes().iter().any(|&b| escapes(b)));
            let mut bytes: [u8; 8] = clean.clone().try_into().unwrap();
            let clean_word = u64::from_le_bytes(bytes);
            prop_assert_eq!(escapes_any(clean_word), bytes.iter().any(|&b| escapes(b)));
            bytes[at] = bad;
            prop_assert!(escapes_any(u64::from_le_bytes(bytes)));
        }

        /// Any text, escaped as serde_json escapes it.
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(
            s in prop_oneof![
                any::<String>(),
                "[\\x00-\\x7f]{0,40}",
                "[a-z \"\\\\\n\t\u{1}\u{1f}é]{0,40}",
            ]
        ) {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            prop_assert_eq!(out, serde_json::to_vec(&s).unwrap());
        }

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
