//! Decoding one record's JSON text strictly: a repeated key is an error, and so is
//! nesting deeper than [`Limits::max_depth`].
//!
//! serde_json's own `Value` keeps the *last* of two equal keys without a word, so
//! `{"answers": {"q2": "yes", "q2": "no"}}` would silently clear a fear item; other
//! decoders keep the first. A repeated key is ambiguous, so it is refused
//! (`duplicate_field`), as a repeated CSV column is. The depth is counted while
//! decoding, so a deeply nested line is refused (`too_large`) long before serde_json's
//! fixed recursion limit of 128 would call it a syntax error.

use crate::error::{truncate_value, ErrorKind, InputError};
use crate::limits::Limits;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// One step of the path to the value that broke a rule, innermost first.
enum Step {
    Key(String),
    Index(usize),
}

enum Problem {
    Duplicate(String),
    TooDeep,
}

/// What the visitor found, kept aside: serde's error type only carries text.
struct Found {
    problem: Problem,
    /// Innermost first; reversed when the error is built.
    path: Vec<Step>,
}

pub(crate) struct Ctx {
    max_depth: usize,
    found: RefCell<Option<Found>>,
}

impl Ctx {
    fn fail<E: de::Error>(&self, problem: Problem, path: Vec<Step>) -> E {
        *self.found.borrow_mut() = Some(Found { problem, path });
        E::custom("record refused")
    }

    /// Adds a step to the path of a problem found below this point.
    fn unwind(&self, step: Step) {
        if let Some(f) = self.found.borrow_mut().as_mut() {
            f.path.push(step);
        }
    }
}

/// Decodes `text` as one JSON value under `limits`' depth. The size limit is the
/// caller's: it is cheaper to check before decoding.
pub(crate) fn decode(text: &str, limits: &Limits) -> Result<Value, InputError> {
    let ctx = Ctx::new(limits.max_depth);
    let mut de = serde_json::Deserializer::from_str(text);
    let result = ValueSeed {
        ctx: &ctx,
        depth: 0,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    result.map_err(|e| match ctx.found.into_inner() {
        Some(found) => {
            let field = dotted(found.path);
            match found.problem {
                Problem::TooDeep => limits.nested_too_deep(&field),
                Problem::Duplicate(key) => InputError::new(
                    ErrorKind::DuplicateField,
                    &field,
                    Some(&key),
                    format!(
                        "{field}: the key {:?} appears more than once in one object; a repeated key is ambiguous, so give it once",
                        truncate_value(&key)
                    ),
                ),
            }
        }
        None => InputError::new(
            ErrorKind::InvalidJson,
            "",
            None,
            format!("not valid JSON: {e}"),
        ),
    })
}

/// `answers.q2`, `meta.notes[3].text`; each key cut so that a path never carries a
/// long value.
fn dotted(mut path: Vec<Step>) -> String {
    path.reverse();
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&truncate_value(&k));
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The first point in an already-decoded value that is nested deeper than
/// `max_depth` (the value itself is level 1 when it is an array or object).
pub(crate) fn too_deep(value: &Value, max_depth: usize) -> Option<String> {
    fn walk(v: &Value, level: usize, max: usize, path: &mut Vec<Step>) -> bool {
        match v {
            Value::Array(items) => {
                if level > max {
                    return true;
                }
                for (i, x) in items.iter().enumerate() {
                    if walk(x, level + 1, max, path) {
                        path.push(Step::Index(i));
                        return true;
                    }
                }
                false
            }
            Value::Object(map) => {
                if level > max {
                    return true;
                }
                for (k, x) in map {
                    if walk(x, level + 1, max, path) {
                        path.push(Step::Key(k.clone()));
                        return true;
                    }
                }
                false
            }
            _ => false,
        }
    }
    let mut path = Vec::new();
    walk(value, 1, max_depth, &mut path).then(|| dotted(path))
}

#[derive(Clone, Copy)]
pub(crate) struct ValueSeed<'c> {
    ctx: &'c Ctx,
    /// Containers around the value being decoded.
    depth: usize,
}

impl Ctx {
    /// A context for [`ValueSeed::new`] under `max_depth`.
    pub(crate) fn new(max_depth: usize) -> Ctx {
        Ctx {
            max_depth,
            found: RefCell::new(None),
        }
    }
}

impl<'c> ValueSeed<'c> {
    /// Decodes a value `depth` containers deep, strictly (the fast reader's
    /// `meta`; it gives up on any error, so the problem found is not read).
    pub(crate) fn new(ctx: &'c Ctx, depth: usize) -> ValueSeed<'c> {
        ValueSeed { ctx, depth }
    }
}

impl ValueSeed<'_> {
    /// The seed for this container's children, or the depth error.
    fn enter<E: de::Error>(self) -> Result<Self, E> {
        let level = self.depth + 1;
        if level > self.ctx.max_depth {
            return Err(self.ctx.fail(Problem::TooDeep, Vec::new()));
        }
        Ok(ValueSeed {
            ctx: self.ctx,
            depth: level,
        })
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // As serde_json's own `Value`: a float JSON cannot hold becomes null.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let child = self.enter()?;
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(child) {
                Ok(Some(v)) => items.push(v),
                Ok(None) => return Ok(Value::Array(items)),
                Err(e) => {
                    self.ctx.unwind(Step::Index(items.len()));
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let child = self.enter()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(self
                    .ctx
                    .fail(Problem::Duplicate(key.clone()), vec![Step::Key(key)]));
            }
            match map.next_value_seed(child) {
                Ok(v) => {
                    out.insert(key, v);
                }
                Err(e) => {
                    self.ctx.unwind(Step::Key(key));
                    return Err(e);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_SUPPORTED_DEPTH;

    fn limits(depth: usize) -> Limits {
        Limits::new(1 << 20, depth).unwrap()
    }

    fn nested(levels: usize) -> String {
        "[".repeat(levels) + &"]".repeat(levels)
    }

    #[test]
    fn repeated_keys_are_refused_with_their_path() {
        let e = decode(r#"{"answers": {"q2": "yes", "q2": "no"}}"#, &limits(8)).unwrap_err();
        assert_eq!(e.code, ErrorKind::DuplicateField);
        assert_eq!(e.field, "answers.q2");
        assert_eq!(e.value.as_deref(), Some("q2"));
        let e = decode(r#"{"meta": [{"a": 1}, {"b": 1, "b": 2}]}"#, &limits(8)).unwrap_err();
        assert_eq!(e.field, "meta[1].b");
        let e = decode(r#"{"id": "a", "id": "a"}"#, &limits(8)).unwrap_err();
        assert_eq!(e.field, "id");
        // Equal keys in different objects are fine.
        decode(r#"{"a": {"x": 1}, "b": {"x": 1}}"#, &limits(8)).unwrap();
    }

    #[test]
    fn depth_is_counted_while_decoding() {
        for max in [3, 8, MAX_SUPPORTED_DEPTH] {
            decode(&nested(max), &limits(max)).unwrap();
            let e = decode(&nested(max + 1), &limits(max)).unwrap_err();
            assert_eq!(e.code, ErrorKind::TooLarge, "{max}: {e:?}");
            assert!(e.message.contains("max_depth"), "{}", e.message);
        }
        let e = decode(r#"{"meta": {"a": [1, {"b": {}}]}}"#, &limits(4)).unwrap_err();
        assert_eq!(e.field, "meta.a[1].b");
        // Far deeper than serde_json's own limit: still too_large, not a syntax error.
        let e = decode(&nested(100_000), &limits(32)).unwrap_err();
        assert_eq!(e.code, ErrorKind::TooLarge);
    }

    #[test]
    fn values_decode_as_serde_json_would() {
        for text in [
            r#"{"a": [1, -2, 3.5, 1e300, true, null, "x\u0000y"], "b": {}}"#,
            "18446744073709551615",
            "-9223372036854775808",
            "-0",
            "1e-400",
        ] {
            let ours = decode(text, &limits(8)).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
        for bad in [r#""\ud800""#, "NaN", "1e400", "[1,]", "{} {}", "\u{feff}{}"] {
            let e = decode(bad, &limits(8)).unwrap_err();
            assert_eq!(e.code, ErrorKind::InvalidJson, "{bad}");
        }
    }

    #[test]
    fn decoded_values_are_checked_for_depth() {
        let v: Value = serde_json::from_str(r#"{"meta": {"a": [[{}]]}}"#).unwrap();
        assert_eq!(too_deep(&v, 5), None);
        assert_eq!(too_deep(&v, 4).as_deref(), Some("meta.a[0][0]"));
        assert_eq!(too_deep(&Value::Null, 3), None);
    }

    #[test]
    fn long_keys_are_cut_in_paths() {
        let key = "k".repeat(10_000);
        let text = format!(r#"{{"{key}": 1, "{key}": 2}}"#);
        let e = decode(&text, &limits(8)).unwrap_err();
        assert!(e.field.chars().count() <= crate::error::MAX_ERROR_VALUE_CHARS + 1);
        assert!(e.message.len() < 400);
    }
}
