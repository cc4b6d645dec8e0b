//! One JSON record read straight into a [`FlatScratch`], without a tree.
//!
//! The strict decoder (`strict_json`) builds a `serde_json::Value` and reads the
//! record from it; that is most of the time a JSON line takes. This reader visits
//! the text once and writes the answers in question order, as the flat reader does.
//! It keeps every check of the strict path: a repeated key at any level, nesting
//! deeper than the limit, unknown keys, wrong types and bad values. It does not
//! name them: on anything it does not accept it gives up, and the caller reads the
//! line again on the strict path, which gives the contract's error. So the two
//! paths cannot differ in their errors, and a test checks that they never differ in
//! what they accept or in what they read.

use super::{
    count_from_f64, parse_date, screen_answer, FlatScratch, CONTEXT_KEYS, RECORD_KEYS, SCREEN_KEYS,
};
use crate::answers::{Answer, ArgumentFrequency, Resolution, Transition};
use crate::instrument::{Instrument, DASH_2009};
use crate::result::RiskLevel;
use crate::scorer::Scorer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Reads `text` into `s`; returns the form's index, or `None` when the strict
/// path must read the line (it names the error, or reads what this reader leaves
/// to it).
/// With `keep_meta`, `meta` is decoded into the scratch's assessment as the strict
/// path decodes it; without, it is checked and skipped. The id is kept either way.
pub(super) fn read(
    scorer: &Scorer,
    text: &str,
    s: &mut FlatScratch,
    keep_meta: bool,
) -> Option<usize> {
    let max_depth = scorer.limits().max_depth;
    // Only `meta` counts its depth here: the contract's own parts are at most
    // three levels deep (record, `context`, a list of dates), and a scorer's
    // limit is never below that.
    debug_assert!(max_depth >= crate::limits::MIN_DEPTH && crate::limits::MIN_DEPTH >= 3);
    let instruments = scorer.instruments();
    let default = instruments.iter().position(|i| i.id == DASH_2009)?;
    let mut st = State {
        scorer,
        instruments,
        idx: default,
        answers_read: false,
        max_depth,
        seen_answers: 0,
        keep_meta,
    };
    s.inst = None;
    s.a.meta = None;
    // The id's string is reused for its room.
    let mut id = s.a.id.take().unwrap_or_default();
    id.clear();
    s.reset(
        instruments
            .iter()
            .map(|i| i.questions.len())
            .max()
            .unwrap_or(0),
    );
    let mut has_id = false;
    let mut de = serde_json::Deserializer::from_str(text);
    de::Deserializer::deserialize_any(
        &mut de,
        Record {
            st: &mut st,
            s,
            id: (&mut id, &mut has_id),
        },
    )
    .ok()?;
    de.end().ok()?;
    s.a.id = has_id.then_some(id);
    let idx = st.idx;
    let n = instruments[idx].questions.len();
    // The strict path checks the dates when it resolves the record.
    crate::stage::resolve::check_dates(&s.a, "context.").ok()?;
    s.inst = Some(idx);
    s.questions = n;
    Some(idx)
}

struct State<'s> {
    scorer: &'s Scorer,
    instruments: &'s [Instrument],
    /// The form: the default until an `instrument` key says otherwise.
    idx: usize,
    /// Whether answers were placed on the form before its `instrument` key.
    answers_read: bool,
    max_depth: usize,
    /// The questions named so far (null included), to refuse a repeated one.
    seen_answers: u128,
    /// Whether `meta` is kept (as the strict path's value) or only checked.
    keep_meta: bool,
}

/// Any failure: the strict path reads the line again.
fn give_up<T, E: de::Error>() -> Result<T, E> {
    Err(E::custom("read on the strict path"))
}

/// A key, as its index in `keys`, or a failure for any other key.
struct KeyOf(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyOf {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyOf {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a known key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        match self.0.iter().position(|k| *k == v) {
            Some(i) => Ok(i),
            None => give_up(),
        }
    }
}

/// A key's text, borrowed when it has no escapes.
struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

/// A string value parsed by `parse`, or null (`None`); anything else fails.
struct Text<F>(F);

impl<'de, T, F: FnOnce(&str) -> Option<T>> DeserializeSeed<'de> for Text<F> {
    type Value = Option<T>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T, F: FnOnce(&str) -> Option<T>> Visitor<'de> for Text<F> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or null")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        match (self.0)(v) {
            Some(t) => Ok(Some(t)),
            None => give_up(),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
}

/// Marks key `i` of an object seen; a second time fails (a repeated key).
fn once<E: de::Error>(seen: &mut u32, i: usize) -> Result<(), E> {
    let bit = 1u32 << i;
    if *seen & bit != 0 {
        return give_up();
    }
    *seen |= bit;
    Ok(())
}

struct Record<'a, 's> {
    st: &'a mut State<'s>,
    s: &'a mut FlatScratch,
    /// The id's text, and whether the record had one (not null).
    id: (&'a mut String, &'a mut bool),
}

impl<'de> Visitor<'de> for Record<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Record { st, s, id } = self;
        let mut seen = 0u32;
        while let Some(k) = map.next_key_seed(KeyOf(&RECORD_KEYS))? {
            once(&mut seen, k)?;
            match RECORD_KEYS[k] {
                "id" => {
                    let text = &mut *id.0;
                    *id.1 = map
                        .next_value_seed(Text(|v: &str| {
                            text.push_str(v);
                            Some(())
                        }))?
                        .is_some();
                }
                "instrument" => {
                    let instruments = st.instruments;
                    let found = map.next_value_seed(Text(|v: &str| {
                        Some(instruments.iter().position(|i| i.id == v))
                    }))?;
                    match found {
                        // null: the default form.
                        None => {}
                        Some(None) => return give_up(),
                        Some(Some(i)) => {
                            if st.answers_read && i != st.idx {
                                return give_up();
                            }
                            st.idx = i;
                        }
                    }
                }
                "answers" => map.next_value_seed(Answers { st, s })?,
                "conflict_screen" => map.next_value_seed(Screen { s })?,
                "context" => map.next_value_seed(Context { s })?,
                "officer_judgement" => {
                    s.a.officer_judgement = map.next_value_seed(Text(RiskLevel::parse))?;
                }
                _ => {
                    if st.keep_meta {
                        let ctx = crate::strict_json::Ctx::new(st.max_depth);
                        let v = map.next_value_seed(crate::strict_json::ValueSeed::new(&ctx, 1))?;
                        // As the strict path: null is no meta.
                        s.a.meta = (!v.is_null()).then_some(v);
                    } else {
                        map.next_value_seed(Meta {
                            depth: 1,
                            max: st.max_depth,
                        })?
                    }
                }
            }
        }
        Ok(())
    }
}

struct Answers<'a, 's> {
    st: &'a mut State<'s>,
    s: &'a mut FlatScratch,
}

impl<'de> DeserializeSeed<'de> for Answers<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Answers<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of answers, or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Answers { st, s } = self;
        st.answers_read = true;
        let inst = &st.instruments[st.idx];
        while let Some(key) = map.next_key_seed(KeyText)? {
            let masks = st.scorer.form_masks(st.idx);
            let Some(i) = masks.position(&key).or_else(|| inst.position(&key)) else {
                return give_up();
            };
            let bit = 1u128 << i;
            if st.seen_answers & bit != 0 {
                return give_up();
            }
            st.seen_answers |= bit;
            if let Some(a) = map.next_value_seed(Text(Answer::parse))? {
                s.answers[i] = a;
                s.given[i] = true;
            }
        }
        Ok(())
    }
}

struct Screen<'a> {
    s: &'a mut FlatScratch,
}

impl<'de> DeserializeSeed<'de> for Screen<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Screen<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the conflict screen, or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let s = self.s;
        let mut seen = 0u32;
        while let Some(k) = map.next_key_seed(KeyOf(&SCREEN_KEYS))? {
            once(&mut seen, k)?;
            let sc = &mut s.a.conflict_screen;
            match SCREEN_KEYS[k] {
                "fear" => {
                    if let Some(a) = map.next_value_seed(Text(screen_answer))? {
                        sc.fear = a;
                    }
                }
                "power_imbalance" => {
                    if let Some(a) = map.next_value_seed(Text(screen_answer))? {
                        sc.power_imbalance = a;
                    }
                }
                "children_exposed" => {
                    if let Some(a) = map.next_value_seed(Text(screen_answer))? {
                        sc.children_exposed = a;
                    }
                }
                "argument_frequency" => {
                    if let Some(f) = map.next_value_seed(Text(ArgumentFrequency::parse))? {
                        sc.argument_frequency = f;
                    }
                }
                "resolution" => {
                    if let Some(r) = map.next_value_seed(Text(Resolution::parse))? {
                        sc.resolution = r;
                    }
                }
                _ => {
                    let mut ts = std::mem::take(&mut s.transitions);
                    ts.clear();
                    if map.next_value_seed(List {
                        items: &mut ts,
                        parse: |v: &str| Transition::parse(v),
                        dedup: true,
                    })? {
                        s.a.conflict_screen.recent_transitions = Some(ts);
                    } else {
                        s.transitions = ts;
                    }
                }
            }
        }
        Ok(())
    }
}

/// An array of strings parsed by `parse` into `items` (`true`), or null (`false`).
struct List<'a, T, F> {
    items: &'a mut Vec<T>,
    parse: F,
    dedup: bool,
}

impl<'de, T: PartialEq, F: Fn(&str) -> Option<T>> DeserializeSeed<'de> for List<'_, T, F> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: PartialEq, F: Fn(&str) -> Option<T>> Visitor<'de> for List<'_, T, F> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings, or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let parse = &self.parse;
        // A null item is not a string: the strict path refuses it.
        while let Some(item) = seq.next_element_seed(Text(parse))? {
            let Some(t) = item else {
                return give_up();
            };
            if !(self.dedup && self.items.contains(&t)) {
                self.items.push(t);
            }
        }
        Ok(true)
    }
}

struct Context<'a> {
    s: &'a mut FlatScratch,
}

impl<'de> DeserializeSeed<'de> for Context<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Context<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the context, or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let s = self.s;
        let mut seen = 0u32;
        let date = |v: &str| parse_date(v, "").ok();
        while let Some(k) = map.next_key_seed(KeyOf(&CONTEXT_KEYS))? {
            once(&mut seen, k)?;
            match CONTEXT_KEYS[k] {
                "children_in_household" => {
                    s.a.context.children_in_household = map.next_value_seed(Scalar::Bool)?.bool();
                }
                "prior_incidents_12m" => {
                    s.a.context.prior_incidents_12m = match map.next_value_seed(Scalar::Number)? {
                        Scalar::Null => None,
                        Scalar::Float(x) => match count_from_f64(x, "", "") {
                            Ok(n) => Some(n),
                            Err(_) => return give_up(),
                        },
                        _ => return give_up(),
                    };
                }
                "prior_incident_dates" => {
                    let mut ds = std::mem::take(&mut s.dates);
                    ds.clear();
                    if map.next_value_seed(List {
                        items: &mut ds,
                        parse: date,
                        dedup: false,
                    })? {
                        s.a.context.prior_incident_dates = Some(ds);
                    } else {
                        s.dates = ds;
                    }
                }
                "incident_date" => s.a.context.incident_date = map.next_value_seed(Text(date))?,
                _ => s.a.context.last_marac_date = map.next_value_seed(Text(date))?,
            }
        }
        Ok(())
    }
}

/// A boolean or a number, as asked for, or null.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scalar {
    Null,
    Bool,
    Number,
    True,
    False,
    Float(f64),
}

impl Scalar {
    fn bool(self) -> Option<bool> {
        match self {
            Scalar::True => Some(true),
            Scalar::False => Some(false),
            _ => None,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Scalar {
    type Value = Scalar;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scalar {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean or a number, or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        match self {
            Scalar::Bool if v => Ok(Scalar::True),
            Scalar::Bool => Ok(Scalar::False),
            _ => give_up(),
        }
    }
    // As the strict path reads a number: `as_f64`.
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        self.number(v as f64)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        self.number(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        self.number(v)
    }
}

impl Scalar {
    fn number<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        match self {
            Scalar::Number => Ok(Scalar::Float(v)),
            _ => give_up(),
        }
    }
}

/// Any value under `meta`, checked as the strict path checks it (no repeated key
/// in an object, no deeper than the limit) and not kept.
#[derive(Clone, Copy)]
struct Meta {
    /// Containers around this value.
    depth: usize,
    max: usize,
}

impl Meta {
    fn enter<E: de::Error>(self) -> Result<Meta, E> {
        let level = self.depth + 1;
        if level > self.max {
            return give_up();
        }
        Ok(Meta {
            depth: level,
            max: self.max,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Meta {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Meta {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let child = self.enter()?;
        while seq.next_element_seed(child)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let child = self.enter()?;
        // A repeated key is looked for in a short list, and in a set once the
        // object is large (a line of many keys must not cost their square).
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        let mut set: Option<std::collections::HashSet<Cow<'de, str>>> = None;
        while let Some(k) = map.next_key_seed(KeyText)? {
            let new = match &mut set {
                Some(set) => set.insert(k),
                None if keys.len() < 16 => {
                    let new = !keys.contains(&k);
                    keys.push(k);
                    new
                }
                None => {
                    let mut all: std::collections::HashSet<Cow<'de, str>> =
                        keys.drain(..).collect();
                    let new = all.insert(k);
                    set = Some(all);
                    new
                }
            };
            if !new {
                return give_up();
            }
            map.next_value_seed(child)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader takes the lines it is for (the strict path is the exception, not
    /// the rule): generated records with meta, keys in any order, escapes, nulls.
    #[test]
    fn plain_records_are_read_without_the_strict_path() {
        let scorer = Scorer::default();
        let params = crate::synth::SynthParams::default();
        let mut s = FlatScratch::new();
        for r in crate::synth::generate(500, 3, &params) {
            let mut v = serde_json::to_value(&r.assessment).unwrap();
            v["meta"] = serde_json::json!({"area": "north", "n": [1, {"k": null}]});
            for (text, meta) in [
                (serde_json::to_string(&r.assessment).unwrap(), false),
                (v.to_string(), true),
            ] {
                for keep in [false, true] {
                    let idx = read(&scorer, &text, &mut s, keep);
                    assert!(idx.is_some(), "{text}");
                    assert_eq!(s.a.id, r.assessment.id);
                    assert_eq!(s.a.meta.is_some(), keep && meta);
                }
            }
        }
        for text in [
            r#"{"id":"a\"b","answers":{"q\u0031":"y\u0065s","q2":null},"meta":{"k\u0031":1}}"#,
            r#"{"answers":{"q1":"yes"},"instrument":"dash-2009"}"#,
            r#"{}"#,
        ] {
            assert!(read(&scorer, text, &mut s, false).is_some(), "{text}");
        }
        assert_eq!(s.a.id, None);
        // Earlier-incident dates and transitions are read here too.
        let text = r#"{"conflict_screen":{"recent_transitions":["separation"]},"context":{"incident_date":"2025-01-02","prior_incident_dates":["2024-01-01","2024-06-30"]}}"#;
        assert!(read(&scorer, text, &mut s, false).is_some());
        assert_eq!(
            s.a.context.prior_incident_dates.as_ref().map(Vec::len),
            Some(2)
        );
        assert_eq!(
            s.a.conflict_screen.recent_transitions,
            Some(vec![Transition::Separation])
        );
        // A record exactly as deep as the limit is read here; one level deeper is
        // left to the strict path, which refuses it.
        let limited = Scorer::default()
            .with_limits(crate::limits::Limits::new(1 << 20, 5).unwrap())
            .unwrap();
        for keep in [false, true] {
            assert!(read(&limited, r#"{"meta":[[[[]]]]}"#, &mut s, keep).is_some());
            assert!(read(&limited, r#"{"meta":[[[[[]]]]]}"#, &mut s, keep).is_none());
            assert!(read(&limited, r#"{"meta":{"a":{"b":{"c":{}}}}}"#, &mut s, keep).is_some());
            assert!(read(
                &limited,
                r#"{"meta":{"a":{"b":{"c":{"d":{}}}}}}"#,
                &mut s,
                keep
            )
            .is_none());
        }
        for text in [
            r#"{"answers":{"q1":"yes","q1":"no"}}"#,
            r#"{"meta":{"a":1,"a":1}}"#,
            r#"{"answers":{"q1":"yes"},"instrument":"dash-2009-partner"}"#,
        ] {
            assert!(read(&scorer, text, &mut s, false).is_none(), "{text}");
            assert_eq!(s.inst, None);
        }
    }
}
