//! Reading the input contract: JSON records and flat (CSV / DataFrame) rows.
//!
//! Parsing is strict where a silent mistake could hurt: unknown keys, repeated keys,
//! misspelt questions, out-of-range values and negative counts are errors naming the
//! field, the value and what is allowed. Missing optional parts, JSON `null` and
//! empty CSV cells mean *not known*. Records over the scorer's [`Limits`] (size,
//! nesting) are `too_large` errors.

use crate::answers::*;
use crate::error::{truncate_value, ErrorKind, InputError, RecordError};
use crate::instrument::Instrument;
use crate::instrument::{is_question_id, looks_like_question};
use crate::limits::Limits;
use crate::result::RiskLevel;
use crate::scorer::Scorer;
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// Top-level keys of a JSON record.
pub const RECORD_KEYS: [&str; 7] = [
    "id",
    "instrument",
    "answers",
    "conflict_screen",
    "context",
    "officer_judgement",
    "meta",
];
/// Keys of `conflict_screen`.
pub const SCREEN_KEYS: [&str; 6] = [
    "fear",
    "power_imbalance",
    "argument_frequency",
    "resolution",
    "children_exposed",
    "recent_transitions",
];
/// Keys of `context`.
pub const CONTEXT_KEYS: [&str; 5] = [
    "children_in_household",
    "prior_incidents_12m",
    "prior_incident_dates",
    "incident_date",
    "last_marac_date",
];

/// Flat (CSV) column names of the contract besides the question ids. Any other
/// column that does not look like a question passes through to the output.
pub const FLAT_COLUMNS: [&str; 14] = [
    "id",
    "instrument",
    "fear",
    "power_imbalance",
    "argument_frequency",
    "resolution",
    "children_exposed",
    "recent_transitions",
    "children_in_household",
    "prior_incidents_12m",
    "prior_incident_dates",
    "incident_date",
    "last_marac_date",
    "officer_judgement",
];

/// A parsed flat row: the assessment and the pass-through `(column, cell)` pairs.
pub type FlatRecord<'a> = (Assessment, Vec<(&'a str, &'a str)>);

/// Whether a flat column passes through untouched (ids, labels, notes): it is not a
/// contract column and does not look like a question.
pub fn is_passthrough_column(name: &str) -> bool {
    !(FLAT_COLUMNS.contains(&name)
        || is_question_id(name)
        || looks_like_question(name)
        || nested_section(name).is_some())
}

/// Whether a flat column is ignored by the parser and only carried through: a
/// pass-through column ([`is_passthrough_column`]) that is not close to a contract
/// name either. Front ends that hand the parser only the cells it reads (Python's
/// rows) use this, so that a misspelt contract column (`power_imbalence`) still
/// reaches the parser and is refused rather than dropped.
///
/// ```
/// use dashrisk::parse::passes_through;
/// assert!(passes_through("label_abuse"));
/// assert!(!passes_through("power_imbalence")); // close to power_imbalance: refused
/// assert!(!passes_through("answers.q18"));     // a nested name: read as q18
/// assert!(!passes_through("fear"));
/// ```
pub fn passes_through(name: &str) -> bool {
    is_passthrough_column(name)
        && close_contract_name(name).is_none()
        && close_question_name(name).is_none()
}

/// The question id a column name probably meant, when it is not a question id
/// itself (nor `Q18`, `q 18`, `q02`, which are read as question ids and refused
/// when the form has no such question) but carries one: the name, lower-cased
/// with everything but letters and digits removed, starts with `q` and a digit
/// (`Q.18`, `Q18.`, `q18a`, `q18_strangulation`, `Q18 (strangulation)`); or a word
/// of it (split at anything but letters and digits) is `q` and digits, perhaps
/// with letters after (`dash_q18`, `Answers.q18`); or it is `question` and a
/// number (`question_18`, `Question 18`, `question18`). Such a column would
/// otherwise pass through and its answers be read as *not known*.
///
/// ```
/// use dashrisk::parse::close_question_name;
/// assert_eq!(close_question_name("q18_strangulation").as_deref(), Some("q18"));
/// assert_eq!(close_question_name("Q.18").as_deref(), Some("q18"));
/// assert_eq!(close_question_name("answers_q18").as_deref(), Some("q18"));
/// assert_eq!(close_question_name("question_18").as_deref(), Some("q18"));
/// assert_eq!(close_question_name("q18"), None);          // the id itself
/// assert_eq!(close_question_name("answers.q18"), None);  // the nested form
/// assert_eq!(close_question_name("quality"), None);
/// assert_eq!(close_question_name("label_abuse"), None);
/// ```
pub fn close_question_name(name: &str) -> Option<String> {
    if is_question_id(name) || looks_like_question(name) || nested_section(name).is_some() {
        return None;
    }
    // `q` then digits (leading zeros dropped): the id.
    let id = |digits: &str| -> Option<String> {
        let d: String = digits.chars().take_while(char::is_ascii_digit).collect();
        if d.is_empty() {
            return None;
        }
        let d = d.trim_start_matches('0');
        Some(format!("q{}", if d.is_empty() { "0" } else { d }))
    };
    let n = normalise(name);
    if let Some(rest) = n.strip_prefix('q') {
        if let Some(q) = id(rest) {
            return Some(q);
        }
    }
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    for (i, w) in words.iter().enumerate() {
        // `q18`, `q18a`: `q`, digits, then letters only.
        if let Some(rest) = w.strip_prefix('q') {
            let tail = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            if tail.len() < rest.len() && tail.chars().all(char::is_alphabetic) {
                return id(rest);
            }
        }
        // `question18`, `question 18`.
        if let Some(rest) = w.strip_prefix("question") {
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
                return id(rest);
            }
            if rest.is_empty() {
                if let Some(next) = words.get(i + 1) {
                    if next.chars().all(|c| c.is_ascii_digit()) {
                        return id(next);
                    }
                }
            }
        }
    }
    None
}

/// The sections of the JSON record that `pandas.json_normalize` turns into dotted
/// column names (`answers.q18`, `conflict_screen.fear`, `context.incident_date`).
pub const NESTED_SECTIONS: [&str; 3] = ["answers", "conflict_screen", "context"];

/// A dotted column name from a flattened JSON record: its section and key
/// (`("answers", "q18")` for `answers.q18`), or `None` for any other name.
/// `meta.*` columns are not a contract section: they pass through.
///
/// ```
/// use dashrisk::parse::nested_section;
/// assert_eq!(nested_section("conflict_screen.fear"), Some(("conflict_screen", "fear")));
/// assert_eq!(nested_section("meta.area"), None);
/// assert_eq!(nested_section("fear"), None);
/// ```
pub fn nested_section(name: &str) -> Option<(&'static str, &str)> {
    let (section, key) = name.split_once('.')?;
    NESTED_SECTIONS
        .iter()
        .find(|s| **s == section)
        .map(|s| (*s, key))
}

/// Lower-case letters and digits only: `Power Imbalance`, `power-imbalance` and
/// `power_imbalance` all read `powerimbalance`.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The contract column a column name probably meant, when it is not one itself
/// but is close to one: the same letters in another case or with other separators
/// (`Power Imbalance`), one or two letters off (`power_imbalence`,
/// `officer_judgment`), or most of a name (`prior_incidents`). Such a column would
/// otherwise pass through and its answers be read as *not known*.
///
/// ```
/// use dashrisk::parse::close_contract_name;
/// assert_eq!(close_contract_name("power_imbalence"), Some("power_imbalance"));
/// assert_eq!(close_contract_name("prior_incidents"), Some("prior_incidents_12m"));
/// assert_eq!(close_contract_name("Children In Household"), Some("children_in_household"));
/// assert_eq!(close_contract_name("Fear"), Some("fear"));
/// assert_eq!(close_contract_name("fear "), Some("fear"));
/// assert_eq!(close_contract_name("feer"), Some("fear"));
/// assert_eq!(close_contract_name("screen_fear"), Some("fear"));
/// assert_eq!(close_contract_name("screen.power_imbalance"), Some("power_imbalance"));
/// assert_eq!(close_contract_name("year"), None);
/// assert_eq!(close_contract_name("context_id"), None);
/// assert_eq!(close_contract_name("area"), None);
/// assert_eq!(close_contract_name("label_abuse"), None);
/// assert_eq!(close_contract_name("incident"), None);
/// assert_eq!(close_contract_name("power_imbalance"), None); // the name itself
/// ```
pub fn close_contract_name(name: &str) -> Option<&'static str> {
    if FLAT_COLUMNS.contains(&name) {
        return None;
    }
    // A pure function of the name, asked for every pass-through column of every
    // row: remembered per thread (a file has few column names; the memory is
    // bounded by starting afresh past 256 names).
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, Option<&'static str>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(hit) = SEEN.with(|m| m.borrow().get(name).copied()) {
        return hit;
    }
    let found = close_contract_name_uncached(name);
    SEEN.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 256 {
            m.clear();
        }
        m.insert(name.to_string(), found);
    });
    found
}

fn close_contract_name_uncached(name: &str) -> Option<&'static str> {
    let n = normalise(name);
    // The same letters in another case or with other separators (`Fear`, `fear `,
    // `ID`): whatever the length, the column was meant.
    if let Some(c) = FLAT_COLUMNS.iter().copied().find(|c| normalise(c) == n) {
        return Some(c);
    }
    // A contract name behind the name of its section (`screen_fear`,
    // `screen.power_imbalance` as the comparison model names its features,
    // `context_incident_date`): the section's own nested names are read as the
    // JSON record's; these are not, and would pass through unread.
    for section in ["conflictscreen", "screen", "context", "answers"] {
        if let Some(rest) = n.strip_prefix(section) {
            // Only the names that sit in a section (not `id`: `context_id` may
            // well be a system's own column).
            let meant = FLAT_COLUMNS.iter().copied().find(|c| {
                !matches!(*c, "id" | "instrument" | "officer_judgement") && normalise(c) == rest
            });
            if meant.is_some() {
                return meant;
            }
        }
    }
    if n.chars().count() < 5 {
        // A short contract name with one letter changed (`feer`): same length and
        // first letter, so that a common short column (`year`, `area`) passes.
        return FLAT_COLUMNS.iter().copied().find(|c| {
            let cn = normalise(c);
            cn.chars().count() == n.chars().count()
                && cn.chars().count() >= 4
                && cn.chars().next() == n.chars().next()
                && edit_distance(&n, &cn) == 1
        });
    }
    let close = FLAT_COLUMNS.iter().copied().find(|c| {
        let cn = normalise(c);
        let (ln, lc) = (n.chars().count(), cn.chars().count());
        let prefix = (cn.starts_with(&n) || n.starts_with(&cn))
            && ln.min(lc) as f64 >= 0.7 * ln.max(lc) as f64;
        n == cn || (lc >= 6 && edit_distance(&n, &cn) <= 2) || prefix
    });
    close.or_else(|| close_by_words(name, &n))
}

/// Two words match when they are the same, share their first five letters
/// (`child`, `children`), or one begins the other and is four letters or more
/// (`date`, `dates`).
fn words_match(a: &str, b: &str) -> bool {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    a == b || common >= 5 || (common >= 4 && (a.starts_with(b) || b.starts_with(a)))
}

/// A contract name made of the name's words, in any order, with some left out:
/// `last_marac`, `lastmarac` (the first two words run together), `child_exposed`,
/// `prior_dates`, `date_of_incident` (`of` ignored); or its last word alone, when
/// it is six letters or more and the last word of one contract name only
/// (`transitions`). A single word that begins a contract name or sits inside
/// several (`officer`, `incident`, `date`, `children`) is not enough: such
/// columns pass through.
fn close_by_words(name: &str, n: &str) -> Option<&'static str> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| w != "of")
        .collect();
    let contract = || {
        FLAT_COLUMNS.iter().copied().map(|c| {
            let cw: Vec<&str> = c.split('_').collect();
            (c, cw)
        })
    };
    // Two or more words, each matching a different word of one contract name;
    // of several such names, the one with fewest words left over and fewest
    // inexact matches (`date_of_incident` is incident_date, not
    // prior_incident_dates).
    if words.len() >= 2 {
        let best = contract()
            .filter_map(|(c, cw)| {
                let mut used = vec![false; cw.len()];
                let mut inexact = 0;
                let all = words.iter().all(|w| {
                    let hit = (0..cw.len())
                        .filter(|&j| !used[j] && words_match(w, cw[j]))
                        .min_by_key(|&j| w != cw[j]);
                    hit.map(|j| {
                        used[j] = true;
                        inexact += usize::from(w != cw[j]);
                    })
                    .is_some()
                });
                all.then(|| (cw.len() - words.len(), inexact, c))
            })
            .min_by_key(|&(left, inexact, _)| (left, inexact));
        if let Some((_, _, c)) = best {
            return Some(c);
        }
    }
    // The first two or more words of a contract name run together (`lastmarac`).
    for (c, cw) in contract() {
        let mut run = String::new();
        for (k, w) in cw.iter().enumerate() {
            run.push_str(w);
            if k >= 1 && run == n {
                return Some(c);
            }
        }
    }
    // One word: the last word of exactly one contract name.
    if let [w] = words.as_slice() {
        if w.chars().count() >= 6 {
            let mut hits = contract()
                .filter(|(_, cw)| cw.last().is_some_and(|l| words_match(w, l)))
                .map(|(c, _)| c);
            if let (Some(c), None) = (hits.next(), hits.next()) {
                return Some(c);
            }
        }
    }
    None
}

/// Describes a JSON value for an error message without repeating a whole object.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{:?}", truncate_value(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => describe(other),
    }
}

/// The `wrong_type` error for a JSON value: a string is shown as one, in quotes,
/// so that the string "true" in a boolean field does not read as `found true`.
fn wrong_type_of(field: &str, v: &Value, expected: &str) -> InputError {
    let mut e = InputError::wrong_type(field, &value_text(v), expected);
    if let Value::String(s) = v {
        e.message = format!(
            "{field}: expected {expected}, found the string {:?}",
            truncate_value(s)
        );
    }
    e
}

fn want_str<'a>(v: &'a Value, field: &str) -> Result<&'a str, InputError> {
    v.as_str()
        .ok_or_else(|| wrong_type_of(field, v, "a string"))
}

fn want_object<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>, InputError> {
    v.as_object()
        .ok_or_else(|| wrong_type_of(field, v, "an object"))
}

fn check_keys(obj: &Map<String, Value>, prefix: &str, allowed: &[&str]) -> Result<(), InputError> {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            // The key is cut in the field path too: a key can be as long as a record.
            let k = truncate_value(k);
            let field = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            return Err(InputError::new(
                ErrorKind::UnknownField,
                &field,
                Some(&k),
                format!(
                    "{field}: unknown key {k:?}; expected one of: {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn enum_value<T>(
    s: &str,
    field: &str,
    allowed: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, InputError> {
    parse(s).ok_or_else(|| InputError::invalid_value(field, s, allowed))
}

fn parse_date(s: &str, field: &str) -> Result<NaiveDate, InputError> {
    // Exactly YYYY-MM-DD in ASCII digits. chrono's `%Y` also takes a signed year, so
    // "-025-06-30" was accepted as the year −25 and written back as "-0025-06-30",
    // which is then refused: a record that did not read back (found by fuzzing).
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    let (lo, hi) = crate::stage::resolve::DATE_YEARS;
    // The digits are checked above, so the fields are read directly (chrono's
    // format parser was a noticeable share of reading a row); from_ymd_opt refuses
    // a day or month that does not exist, as the parser did.
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |n, c| n * 10 + u32::from(c.wrapping_sub(b'0')))
    };
    let parsed = if ok {
        NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10)).ok_or(())
    } else {
        Err(())
    };
    match parsed {
        Ok(d) if ok && !(lo..=hi).contains(&chrono::Datelike::year(&d)) => Err(InputError::new(
            ErrorKind::InvalidDate,
            field,
            Some(s),
            format!(
                "{field}: {s} is outside the years {lo} to {hi}; expected a real incident date"
            ),
        )),
        Ok(d) if ok => Ok(d),
        _ => Err(InputError::new(
            ErrorKind::InvalidDate,
            field,
            Some(s),
            format!(
                "{field}: {:?} is not a date; expected YYYY-MM-DD (for example 2025-03-31)",
                truncate_value(s)
            ),
        )),
    }
}

fn count_from_f64(x: f64, field: &str, shown: &str) -> Result<u32, InputError> {
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) {
        Ok(x as u32)
    } else {
        Err(InputError::new(
            ErrorKind::InvalidCount,
            field,
            Some(shown),
            format!(
                "{field}: {} is not a count; expected a whole number, 0 or more",
                truncate_value(shown)
            ),
        ))
    }
}

/// A count written as text: digits, optionally followed by `.` and zeros (`2`,
/// `2.0`, `2.00`), after trimming. Nothing else: not `1e1` (which f64 parsing
/// reads as 10), `+2`, `.5`, `2.`, `0x10`, `inf` or `NaN`.
fn parse_count_str(s: &str, field: &str) -> Result<u32, InputError> {
    let t = s.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, "0"));
    let plain = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0');
    if plain {
        // Too many digits for a u64: over any count, refused as such.
        let x = whole.parse::<u64>().map_or(f64::INFINITY, |x| x as f64);
        return count_from_f64(x, field, s);
    }
    Err(InputError::new(
        ErrorKind::InvalidCount,
        field,
        Some(s),
        format!(
            "{field}: {:?} is not a count; expected a whole number, 0 or more",
            truncate_value(s)
        ),
    ))
}

fn parse_bool_str(s: &str, field: &str) -> Result<bool, InputError> {
    // Case-insensitive without allocating a lower-case copy: this runs per row.
    if s.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if s.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(InputError::invalid_value(field, s, &["true", "false"]))
    }
}

/// The record's `id`, if the text is a JSON object with a string id. Used to label
/// error records for records that fail to parse.
pub fn peek_id(value: &Value) -> Option<String> {
    value.as_object()?.get("id")?.as_str().map(truncate_value)
}

mod json_fast;

impl Scorer {
    /// Parses one JSON record (a line of JSON Lines) into an [`Assessment`].
    ///
    /// ```
    /// let scorer = dashrisk::Scorer::default();
    /// let err = scorer.parse_json(r#"{"answers": {"q28": "yes"}}"#).unwrap_err();
    /// assert_eq!(err.code.code(), "unknown_question");
    /// assert_eq!(err.field, "answers.q28");
    /// ```
    ///
    /// The text must keep the scorer's [`Limits`]: a longer or deeper record is a
    /// `too_large` error, and a key repeated within one object is a
    /// `duplicate_field` error.
    pub fn parse_json(&self, text: &str) -> Result<Assessment, InputError> {
        self.parse_decoded(&self.decode_json(text)?)
    }

    /// Decodes one record's JSON text under the scorer's [`Limits`], refusing
    /// repeated keys; see [`parse_json_value_with`].
    pub fn decode_json(&self, text: &str) -> Result<Value, InputError> {
        parse_json_value_with(text, self.limits())
    }

    /// Parses an already-decoded JSON value into an [`Assessment`]. A value nested
    /// deeper than the scorer's [`Limits::max_depth`] is a `too_large` error (the
    /// size limit applies to text, which a decoded value no longer has).
    pub fn parse_value(&self, value: &Value) -> Result<Assessment, InputError> {
        if let Some(field) = crate::strict_json::too_deep(value, self.limits().max_depth) {
            return Err(self.limits().nested_too_deep(&field));
        }
        self.parse_decoded(value)
    }

    /// [`Scorer::parse_value`] for a value whose depth was checked while decoding.
    fn parse_decoded(&self, value: &Value) -> Result<Assessment, InputError> {
        let obj = value
            .as_object()
            .ok_or_else(|| wrong_type_of("", value, "a JSON object (one record)"))?;
        check_keys(obj, "", &RECORD_KEYS)?;
        let mut a = Assessment::default();
        let present = |k: &str| obj.get(k).filter(|v| !v.is_null());
        if let Some(v) = present("id") {
            a.id = Some(want_str(v, "id")?.to_string());
        }
        if let Some(v) = present("instrument") {
            a.instrument = want_str(v, "instrument")?.to_string();
        }
        let inst = self.instrument_for(&a.instrument)?;
        if let Some(v) = present("answers") {
            for (k, v) in want_object(v, "answers")? {
                let field = format!("answers.{}", truncate_value(k));
                if inst.question(k).is_none() {
                    return Err(unknown_question(inst, &field, k));
                }
                if v.is_null() {
                    continue;
                }
                let s = want_str(v, &field)?;
                let ans = enum_value(s, &field, &Answer::QUESTION_VALUES, Answer::parse)?;
                a.answers.insert(k.clone(), ans);
            }
        }
        if let Some(v) = present("conflict_screen") {
            let o = want_object(v, "conflict_screen")?;
            check_keys(o, "conflict_screen", &SCREEN_KEYS)?;
            let sc = &mut a.conflict_screen;
            for (k, v) in o.iter().filter(|(_, v)| !v.is_null()) {
                let field = format!("conflict_screen.{k}");
                if k == "recent_transitions" {
                    let arr = v
                        .as_array()
                        .ok_or_else(|| wrong_type_of(&field, v, "an array of strings"))?;
                    let mut ts = Vec::new();
                    for item in arr {
                        let s = want_str(item, &field)?;
                        let t = enum_value(s, &field, &Transition::VALUES, Transition::parse)?;
                        if !ts.contains(&t) {
                            ts.push(t);
                        }
                    }
                    sc.recent_transitions = Some(ts);
                    continue;
                }
                set_screen(sc, k, want_str(v, &field)?, &field)?;
            }
        }
        if let Some(v) = present("context") {
            let o = want_object(v, "context")?;
            check_keys(o, "context", &CONTEXT_KEYS)?;
            let ctx = &mut a.context;
            for (k, v) in o.iter().filter(|(_, v)| !v.is_null()) {
                let field = format!("context.{k}");
                match k.as_str() {
                    "children_in_household" => {
                        ctx.children_in_household = Some(
                            v.as_bool()
                                .ok_or_else(|| wrong_type_of(&field, v, "true or false"))?,
                        )
                    }
                    "prior_incidents_12m" => {
                        let n = match v {
                            Value::Number(n) => count_from_f64(
                                n.as_f64().unwrap_or(f64::NAN),
                                &field,
                                &n.to_string(),
                            )?,
                            _ => return Err(wrong_type_of(&field, v, "a whole number, 0 or more")),
                        };
                        ctx.prior_incidents_12m = Some(n);
                    }
                    "prior_incident_dates" => {
                        let arr = v.as_array().ok_or_else(|| {
                            wrong_type_of(&field, v, "an array of YYYY-MM-DD dates")
                        })?;
                        let mut dates = Vec::with_capacity(arr.len());
                        for item in arr {
                            dates.push(parse_date(want_str(item, &field)?, &field)?);
                        }
                        ctx.prior_incident_dates = Some(dates);
                    }
                    "incident_date" => {
                        ctx.incident_date = Some(parse_date(want_str(v, &field)?, &field)?)
                    }
                    "last_marac_date" => {
                        ctx.last_marac_date = Some(parse_date(want_str(v, &field)?, &field)?)
                    }
                    _ => unreachable!("keys checked above"),
                }
            }
        }
        if let Some(v) = present("officer_judgement") {
            let s = want_str(v, "officer_judgement")?;
            a.officer_judgement = Some(enum_value(
                s,
                "officer_judgement",
                &RiskLevel::VALUES,
                RiskLevel::parse,
            )?);
        }
        if let Some(v) = present("meta") {
            a.meta = Some(v.clone());
        }
        Ok(a)
    }

    /// Parses one JSON Lines line (raw bytes) and assesses it, returning the result
    /// or the contract's error record. Never panics. A line over the scorer's
    /// [`Limits`] is a `too_large` error record.
    pub fn assess_json_line(
        &self,
        line_no: u64,
        bytes: &[u8],
    ) -> Result<crate::AssessmentResult, RecordError> {
        self.assess_json_line_with(line_no, bytes, &crate::AssessOptions::default())
    }

    /// [`Scorer::assess_json_line`] with options, as [`Scorer::assess_with`] takes
    /// them (`reason_text: false` leaves the sentences empty).
    ///
    /// ```
    /// use dashrisk::{AssessOptions, Scorer};
    /// let scorer = Scorer::default();
    /// let line = br#"{"id": "j1", "answers": {"q18": "yes"}}"#;
    /// let full = scorer.assess_json_line(1, line).unwrap();
    /// let codes = scorer
    ///     .assess_json_line_with(1, line, &AssessOptions { reason_text: false })
    ///     .unwrap();
    /// assert!(codes.reasons.iter().all(|r| r.text.is_empty()));
    /// assert_eq!(codes.classification, full.classification);
    /// ```
    pub fn assess_json_line_with(
        &self,
        line_no: u64,
        bytes: &[u8],
        options: &crate::AssessOptions,
    ) -> Result<crate::AssessmentResult, RecordError> {
        // A plain line is read without a tree, its answers straight into question
        // order, and assessed from there: no answers map is built (as
        // `assess_json_compact` does; tests/json_fast.rs checks both against the
        // strict path). Anything else, every error included, takes the strict path.
        let mut s = FlatScratch::new();
        if let Some(idx) = self.read_plain(bytes, &mut s, true) {
            let n = s.questions;
            // The id and `meta` are moved into the result, not copied: no stage
            // reads them.
            let (id, meta) = (s.a.id.take(), s.a.meta.take());
            let mut r = self.assess_parts(&s.a, idx, &s.answers[..n], options);
            (r.id, r.meta) = (id, meta);
            return Ok(r);
        }
        let a = self.parse_json_line_strict(line_no, bytes)?;
        self.assess_with(&a, options).map_err(|error| RecordError {
            line: line_no,
            id: a.id.as_deref().map(truncate_value),
            error,
        })
    }

    /// Parses one JSON Lines line (raw bytes) into an assessment, or the contract's
    /// error record, as [`Scorer::assess_json_line`] does before it assesses.
    pub fn parse_json_line(&self, line_no: u64, bytes: &[u8]) -> Result<Assessment, RecordError> {
        // Read without a tree when the line is plain; the strict path below names
        // any error (and reads what the fast reader leaves to it).
        let mut s = FlatScratch::new();
        if let Some(idx) = self.read_plain(bytes, &mut s, true) {
            return Ok(self.scratch_assessment(s, idx));
        }
        self.parse_json_line_strict(line_no, bytes)
    }

    /// Reads a line with the reader without a tree into `s`, and returns its form,
    /// when the line is within the size limit, UTF-8, and plain enough for that
    /// reader; `None` sends it to the strict path, which names any error.
    fn read_plain(&self, bytes: &[u8], s: &mut FlatScratch, keep_meta: bool) -> Option<usize> {
        if bytes.len() > self.limits().max_record_bytes {
            return None;
        }
        let text = std::str::from_utf8(bytes).ok()?;
        json_fast::read(self, text, s, keep_meta)
    }

    /// The record read into `s` (form `idx`) as an [`Assessment`].
    fn scratch_assessment(&self, s: FlatScratch, idx: usize) -> Assessment {
        let (a, answers) = self.scratch_parts(s, idx);
        self.with_answers(a, answers)
    }

    /// Parses one JSON Lines line and assesses it on the compact path
    /// ([`Scorer::assess_compact`]): the line is read straight into `scratch`
    /// (answers in question order, as [`Scorer::assess_flat_compact`] reads a flat
    /// row), with no intermediate tree, and `meta` is checked but not kept. The
    /// result, and any error record, are those of [`Scorer::parse_json_line`] and
    /// `assess_compact`; a line the fast reader does not take (every line with an
    /// error, among others) is read on that strict path.
    /// [`Scorer::unanswered_gate_questions_flat`] reads the scratch afterwards.
    ///
    /// ```
    /// use dashrisk::{parse::FlatScratch, Classification, Scorer};
    /// let scorer = Scorer::default();
    /// let mut scratch = FlatScratch::new();
    /// let line = br#"{"id": "j1", "answers": {"q18": "yes"}, "meta": {"area": "north"}}"#;
    /// let r = scorer.assess_json_compact(1, line, &mut scratch).unwrap();
    /// assert_eq!(r.classification, Classification::DomesticAbuse);
    /// let bad = br#"{"answers": {"q1": "yes", "q1": "no"}}"#;
    /// let e = scorer.assess_json_compact(2, bad, &mut scratch).unwrap_err();
    /// assert_eq!((e.line, e.error.code.code()), (2, "duplicate_field"));
    /// ```
    pub fn assess_json_compact(
        &self,
        line_no: u64,
        bytes: &[u8],
        scratch: &mut FlatScratch,
    ) -> Result<crate::CompactResult, RecordError> {
        // Whatever happens below, the scratch no longer holds the last line.
        scratch.inst = None;
        if let Some(idx) = self.read_plain(bytes, scratch, false) {
            let n = scratch.questions;
            return Ok(self.assess_compact_parts(&scratch.a, idx, &scratch.answers[..n]));
        }
        let a = self.parse_json_line_strict(line_no, bytes)?;
        let r = self.assess_compact(&a).map_err(|error| RecordError {
            line: line_no,
            id: a.id.as_deref().map(truncate_value),
            error,
        })?;
        scratch.load(self, a);
        Ok(r)
    }

    /// [`Scorer::parse_json_line`] on the strict decoder alone (a tree, then the
    /// record read from it): the path that names every error.
    pub fn parse_json_line_strict(
        &self,
        line_no: u64,
        bytes: &[u8],
    ) -> Result<Assessment, RecordError> {
        if bytes.len() > self.limits().max_record_bytes {
            return Err(RecordError {
                line: line_no,
                id: None,
                error: self.limits().record_too_large(),
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| RecordError {
            line: line_no,
            id: None,
            error: InputError::new(
                ErrorKind::InvalidUtf8,
                "",
                None,
                format!(
                    "the line is not valid UTF-8 (bad byte at offset {})",
                    e.valid_up_to()
                ),
            ),
        })?;
        let value = self.decode_json(text).map_err(|error| RecordError {
            line: line_no,
            id: None,
            error,
        })?;
        let id = peek_id(&value);
        self.parse_decoded(&value).map_err(|error| RecordError {
            line: line_no,
            id,
            error,
        })
    }

    /// Parses a flat row: column names and cell text, as in a CSV file or a
    /// DataFrame row. Returns the assessment and the columns that are not part of
    /// the contract (ids, labels), which callers pass through to their output.
    ///
    /// Empty cells are not known. `recent_transitions` and `prior_incident_dates`
    /// are `;`-separated. A column that looks like a question but is not one of the
    /// instrument's (`q28`, `Q2 `) is an error. A row whose column names and cells
    /// add up to more than [`Limits::max_record_bytes`] is a `too_large` error.
    ///
    /// For many rows under one header, [`FlatHeader`] reads the names once
    /// ([`Scorer::parse_flat_row`], [`Scorer::assess_flat_row`]); this is the same
    /// code.
    pub fn parse_flat<'a>(&self, row: &[(&'a str, &'a str)]) -> Result<FlatRecord<'a>, InputError> {
        let names: Vec<&str> = row.iter().map(|(k, _)| *k).collect();
        let cells: Vec<&str> = row.iter().map(|(_, v)| *v).collect();
        let header = FlatHeader::new(&names);
        let (a, answers) = self.flat_parts(&header, &cells)?;
        let a = self.with_answers(a, answers);
        let passthrough = header
            .passthrough
            .iter()
            .map(|&i| (row[i].0, row[i].1))
            .collect();
        Ok((a, passthrough))
    }

    /// Parses one row of cells under `header` (in its column order), as
    /// [`Scorer::parse_flat`] does; the pass-through cells are those at
    /// [`FlatHeader::passthrough`].
    pub fn parse_flat_row(
        &self,
        header: &FlatHeader,
        cells: &[&str],
    ) -> Result<Assessment, InputError> {
        let (a, answers) = self.flat_parts(header, cells)?;
        Ok(self.with_answers(a, answers))
    }

    /// Parses and assesses one row of cells under `header`: the result of
    /// [`Scorer::parse_flat_row`] then [`Scorer::assess_with`], without building
    /// the answers map in between.
    pub fn assess_flat_row(
        &self,
        header: &FlatHeader,
        cells: &[&str],
        options: &crate::AssessOptions,
    ) -> Result<crate::AssessmentResult, InputError> {
        let mut scratch = FlatScratch::new();
        let idx = self.flat_into(header, cells, &mut scratch)?;
        scratch.set_id(cells);
        let n = self.instruments()[idx].questions.len();
        Ok(self.assess_parts(&scratch.a, idx, &scratch.answers[..n], options))
    }

    /// Parses and assesses one row of cells under `header` into a
    /// [`crate::CompactResult`], reusing `scratch` from row to row: no heap
    /// allocation per row (a list of dates or transitions reuses the scratch's
    /// room). Equal to [`Scorer::assess_flat_row`] without the text, id and echoed
    /// fields; a property test checks it.
    ///
    /// ```
    /// use dashrisk::parse::{FlatHeader, FlatScratch};
    /// use dashrisk::{Classification, Scorer};
    /// let scorer = Scorer::default();
    /// let header = FlatHeader::new(&["id", "q18", "fear"]);
    /// let mut scratch = FlatScratch::new();
    /// let c = scorer.assess_flat_compact(&header, &["a1", "yes", "no"], &mut scratch).unwrap();
    /// assert_eq!(c.classification, Classification::DomesticAbuse);
    /// ```
    pub fn assess_flat_compact(
        &self,
        header: &FlatHeader,
        cells: &[&str],
        scratch: &mut FlatScratch,
    ) -> Result<crate::CompactResult, InputError> {
        let idx = self.flat_into(header, cells, scratch)?;
        let n = self.instruments()[idx].questions.len();
        Ok(self.assess_compact_parts(&scratch.a, idx, &scratch.answers[..n]))
    }

    /// [`Scorer::assess_flat_compact`] with the reason sentences written into
    /// `text` (cleared first), as [`Scorer::assess_compact_text`] writes them:
    /// the CSV `reasons` cell, with nothing allocated once `text` and `scratch`
    /// have grown to fit.
    pub fn assess_flat_compact_text(
        &self,
        header: &FlatHeader,
        cells: &[&str],
        scratch: &mut FlatScratch,
        text: &mut String,
    ) -> Result<crate::CompactResult, InputError> {
        text.clear();
        let idx = self.flat_into(header, cells, scratch)?;
        let n = self.instruments()[idx].questions.len();
        Ok(self.assess_compact_parts_text(&scratch.a, idx, &scratch.answers[..n], text))
    }

    /// The row as an assessment with an empty answers map, and its answers in
    /// question order with the instrument's index.
    fn flat_parts(
        &self,
        header: &FlatHeader,
        cells: &[&str],
    ) -> Result<(Assessment, FlatAnswers), InputError> {
        let mut scratch = FlatScratch::new();
        let idx = self.flat_into(header, cells, &mut scratch)?;
        scratch.set_id(cells);
        Ok(self.scratch_parts(scratch, idx))
    }

    /// The record read into `s` (form `idx`): the assessment without its answers,
    /// with its instrument set, and the answers in question order.
    fn scratch_parts(&self, s: FlatScratch, idx: usize) -> (Assessment, FlatAnswers) {
        let n = self.instruments()[idx].questions.len();
        let FlatScratch {
            mut a,
            answers,
            given,
            ..
        } = s;
        a.instrument = self.instruments()[idx].id.clone();
        (a, (idx, answers[..n].to_vec(), given[..n].to_vec()))
    }

    /// Reads the row into `s` (answers in question order, the screen and context
    /// in `s.a`, whose id and instrument are left as they were) and returns the
    /// instrument's index. Allocates only for an error.
    fn flat_into(
        &self,
        header: &FlatHeader,
        cells: &[&str],
        s: &mut FlatScratch,
    ) -> Result<usize, InputError> {
        s.inst = None;
        let size = header.names.iter().zip(cells).fold(0usize, |n, (k, v)| {
            n.saturating_add(k.len()).saturating_add(v.len())
        });
        if size > self.limits().max_record_bytes {
            return Err(self.limits().record_too_large());
        }
        if let Some(e) = &header.duplicate {
            return Err(e.clone());
        }
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let mut instrument = crate::instrument::DASH_2009;
        if let Some(i) = header.instrument {
            let v = cell(i).trim();
            if !v.is_empty() {
                instrument = v;
            }
        }
        let idx = self
            .instruments()
            .iter()
            .position(|i| i.id == instrument)
            .ok_or_else(|| unknown_instrument(self.instruments(), instrument))?;
        let inst = &self.instruments()[idx];
        let masks = self.form_masks(idx);
        s.reset(inst.questions.len());
        let FlatScratch {
            a,
            answers,
            given,
            transitions,
            dates,
            id_cell,
            inst: _,
            questions: _,
        } = s;
        for (i, ((name, key), role)) in header
            .names
            .iter()
            .zip(&header.keys)
            .zip(&header.roles)
            .enumerate()
        {
            // `k` names the field in errors (the column as given); `key` is its
            // name in the flat layout, which decides what it sets.
            let (k, key) = (name.as_str(), key.as_str());
            let raw = cell(i);
            let v = trim(raw);
            let empty = v.is_empty();
            let role = match role {
                Role::QuestionLike {
                    qid,
                    looks,
                    otherwise,
                } => {
                    if *qid {
                        if let Some(q) = masks.position(key).or_else(|| inst.position(key)) {
                            if !empty {
                                answers[q] =
                                    enum_value(v, k, &Answer::QUESTION_VALUES, Answer::parse)?;
                                given[q] = true;
                            }
                            continue;
                        }
                        // A table of several forms has columns one form does not
                        // ask (q10 on the partner form): empty there, nothing is
                        // lost. An answer in it is still an error.
                        if empty {
                            continue;
                        }
                    }
                    if *looks {
                        return Err(unknown_question(inst, k, key));
                    }
                    otherwise.as_deref().unwrap_or(&Role::Passthrough)
                }
                other => other,
            };
            let sc = &mut a.conflict_screen;
            let ctx = &mut a.context;
            match role {
                Role::QuestionLike { .. } | Role::Instrument | Role::Passthrough => {}
                Role::Id => {
                    if !empty {
                        *id_cell = Some(i);
                    }
                }
                Role::Screen => {
                    if !empty {
                        set_screen(sc, key, v, k)?;
                    }
                }
                Role::Transitions => {
                    if !empty {
                        // The scratch's list, so that its room is reused.
                        let mut ts = std::mem::take(transitions);
                        ts.clear();
                        // "none" records that there were no transitions.
                        let list = if v == "none" { "" } else { v };
                        for part in list.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                            let t = enum_value(part, k, &Transition::VALUES, Transition::parse)?;
                            if !ts.contains(&t) {
                                ts.push(t);
                            }
                        }
                        sc.recent_transitions = Some(ts);
                    }
                }
                Role::Children => {
                    if !empty {
                        ctx.children_in_household = Some(parse_bool_str(v, k)?);
                    }
                }
                Role::Prior => {
                    if !empty {
                        ctx.prior_incidents_12m = Some(parse_count_str(v, k)?);
                    }
                }
                Role::PriorDates => {
                    if !empty {
                        let mut ds = std::mem::take(dates);
                        ds.clear();
                        for part in v.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                            ds.push(parse_date(part, k)?);
                        }
                        ctx.prior_incident_dates = Some(ds);
                    }
                }
                Role::IncidentDate => {
                    if !empty {
                        ctx.incident_date = Some(parse_date(v, k)?);
                    }
                }
                Role::LastMarac => {
                    if !empty {
                        ctx.last_marac_date = Some(parse_date(v, k)?);
                    }
                }
                Role::OfficerJudgement => {
                    if !empty {
                        a.officer_judgement =
                            Some(enum_value(v, k, &RiskLevel::VALUES, RiskLevel::parse)?);
                    }
                }
                Role::BadNested(..) | Role::CloseName(_) | Role::CloseQuestion(_) => {
                    if let Some(e) = column_error(k, key, role) {
                        return Err(e);
                    }
                }
            }
        }
        // Checked here too so that the error names the CSV column, not the JSON path.
        crate::stage::resolve::check_dates(a, "")?;
        s.inst = Some(idx);
        s.questions = inst.questions.len();
        Ok(idx)
    }

    /// [`Scorer::unanswered_gate_questions`] for the row last read into `scratch`
    /// (by [`Scorer::assess_flat_compact`]), appended to `out` and borrowed from
    /// the scorer: the questions to ask next in an unclear case, without copying
    /// a string. Nothing is appended when the last row could not be read.
    ///
    /// ```
    /// use dashrisk::{parse::{FlatHeader, FlatScratch}, Classification, Scorer};
    /// let scorer = Scorer::default();
    /// let header = FlatHeader::new(&["q1", "q3", "fear", "power_imbalance"]);
    /// let mut scratch = FlatScratch::new();
    /// let r = scorer
    ///     .assess_flat_compact(&header, &["no", "not_known", "no", "not_known"], &mut scratch)
    ///     .unwrap();
    /// assert_eq!(r.classification, Classification::Unclear);
    /// let mut open = Vec::new();
    /// scorer.unanswered_gate_questions_flat(&scratch, &mut open);
    /// let ids: Vec<&str> = open.iter().map(|q| q.id).collect();
    /// assert!(ids.contains(&"q3") && ids.contains(&"power_imbalance"));
    /// ```
    pub fn unanswered_gate_questions_flat<'s>(
        &'s self,
        scratch: &FlatScratch,
        out: &mut Vec<crate::OpenQuestion<'s>>,
    ) {
        if let Some(idx) = scratch.inst {
            let n = self.instruments()[idx].questions.len();
            self.open_questions(&scratch.a, idx, &scratch.answers[..n], out);
        }
    }
}

/// Room for one flat row, reused from row to row by
/// [`Scorer::assess_flat_compact`] so that reading a row allocates nothing: the
/// answers in question order, the screen and context, and the lists of dates and
/// transitions. One per thread.
#[derive(Debug, Clone)]
pub struct FlatScratch {
    a: Assessment,
    answers: crate::stage::resolve::AnswerBuf,
    given: [bool; crate::instrument::MAX_QUESTIONS],
    transitions: Vec<Transition>,
    dates: Vec<chrono::NaiveDate>,
    /// The cell that gave the id, if any.
    id_cell: Option<usize>,
    /// The form of the last row read without error, and its number of questions.
    inst: Option<usize>,
    questions: usize,
}

impl Default for FlatScratch {
    fn default() -> Self {
        FlatScratch::new()
    }
}

impl FlatScratch {
    /// Empty room.
    pub fn new() -> FlatScratch {
        FlatScratch {
            a: Assessment::default(),
            answers: crate::stage::resolve::answer_buf(),
            given: [false; crate::instrument::MAX_QUESTIONS],
            transitions: Vec::new(),
            dates: Vec::new(),
            id_cell: None,
            inst: None,
            questions: 0,
        }
    }

    /// Clears the last row, keeping the lists' room.
    fn reset(&mut self, questions: usize) {
        self.answers[..questions].fill(Answer::NotKnown);
        self.given[..questions].fill(false);
        if let Some(t) = self.a.conflict_screen.recent_transitions.take() {
            self.transitions = t;
        }
        if let Some(d) = self.a.context.prior_incident_dates.take() {
            self.dates = d;
        }
        self.a.conflict_screen = ConflictScreen::default();
        self.a.context = Context::default();
        self.a.officer_judgement = None;
        self.id_cell = None;
    }

    /// The last row read, as an assessment without its answers (they are in
    /// question order inside the scratch, [`FlatScratch::answers`]): its screen,
    /// context and officer judgement, and, after a JSON line, its id. Its other
    /// fields (`instrument`, `meta`, and the id after a flat row) are not kept
    /// up to date and say nothing about the row.
    pub fn assessment(&self) -> &Assessment {
        &self.a
    }

    /// The last row's answers in its form's question order (`Scorer::instruments()[i]`
    /// for the form `i` of its result, `CompactResult::instrument`); empty when the
    /// last row could not be read.
    pub fn answers(&self) -> &[Answer] {
        match self.inst {
            Some(_) => &self.answers[..self.questions],
            None => &[],
        }
    }

    /// Holds `a` (read and assessed on the strict path) as if it had been read
    /// into the scratch: its answers in question order, its screen, context and id.
    fn load(&mut self, scorer: &Scorer, mut a: Assessment) {
        let Some(idx) = scorer
            .instruments()
            .iter()
            .position(|i| i.id == a.instrument)
        else {
            self.inst = None;
            return;
        };
        let inst = &scorer.instruments()[idx];
        self.reset(inst.questions.len());
        for (k, &v) in &a.answers {
            if let Some(i) = inst.position(k) {
                self.answers[i] = v;
                self.given[i] = true;
            }
        }
        a.answers.clear();
        // As on the fast path: `meta` is checked, not kept.
        a.meta = None;
        self.a = a;
        self.inst = Some(idx);
        self.questions = inst.questions.len();
    }

    /// Puts the id cell into the assessment (allocates: the full path only).
    fn set_id(&mut self, cells: &[&str]) {
        self.a.id = self
            .id_cell
            .and_then(|i| cells.get(i))
            .map(|v| v.to_string());
    }
}

/// A flat row's answers: its instrument's index, the answers in question order,
/// and which cells gave one (an explicit `not_known` is kept in the map).
pub(crate) type FlatAnswers = (usize, Vec<Answer>, Vec<bool>);

impl Scorer {
    /// `a` with the row's answers put in its map, as the contract's parse gives
    /// them: every answer a cell gave, none for an empty cell.
    fn with_answers(&self, mut a: Assessment, (idx, answers, given): FlatAnswers) -> Assessment {
        let inst = &self.instruments()[idx];
        for ((q, ans), given) in inst.questions.iter().zip(answers).zip(given) {
            if given {
                a.answers.insert(q.id.clone(), ans);
            }
        }
        a
    }
}

/// `s.trim()`, with a fast way out for the usual cell that has no space at either
/// end (the general trim decodes characters from both ends).
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: Option<&u8>| c.is_none_or(|&c| c.is_ascii_graphic());
    if plain(b.first()) && plain(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// What a flat column is, decided once from its name.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    /// A question id of some instrument, or a name that looks like one: read
    /// against the row's instrument (`otherwise` when it is neither).
    QuestionLike {
        qid: bool,
        looks: bool,
        otherwise: Option<Box<Role>>,
    },
    Instrument,
    Id,
    Screen,
    Transitions,
    Children,
    Prior,
    PriorDates,
    IncidentDate,
    LastMarac,
    OfficerJudgement,
    /// Close to this contract name: an error for every row.
    CloseName(&'static str),
    /// Carries this question id but is not it (`q18_strangulation`): an error for
    /// every row.
    CloseQuestion(String),
    /// A dotted name under a contract section without that key: an error for
    /// every row (the section and its keys).
    BadNested(&'static str, &'static [&'static str]),
    Passthrough,
}

/// A flat header (CSV column names, DataFrame columns) read once: what each column
/// is, so that rows are read without looking at names again.
///
/// ```
/// use dashrisk::parse::FlatHeader;
/// use dashrisk::{AssessOptions, Scorer};
/// let scorer = Scorer::default();
/// let header = FlatHeader::new(&["id", "q18", "fear", "area"]);
/// assert_eq!(header.passthrough(), &[3]);
/// let r = scorer.assess_flat_row(&header, &["inc-1", "yes", "no", "north"], &AssessOptions::default()).unwrap();
/// assert_eq!(r.id.as_deref(), Some("inc-1"));
/// assert_eq!(r.classification, dashrisk::Classification::DomesticAbuse);
/// ```
#[derive(Debug, Clone)]
pub struct FlatHeader {
    names: Vec<String>,
    /// The names in the flat layout: `q18` for `answers.q18`; otherwise the name.
    keys: Vec<String>,
    roles: Vec<Role>,
    instrument: Option<usize>,
    passthrough: Vec<usize>,
    duplicate: Option<InputError>,
}

impl FlatHeader {
    /// Reads the column names. A repeated name makes every row a `duplicate_field`
    /// error, as [`Scorer::parse_flat`] reports it.
    pub fn new<S: AsRef<str>>(names: &[S]) -> FlatHeader {
        let names: Vec<String> = names.iter().map(|n| n.as_ref().to_string()).collect();
        let mut seen = std::collections::HashSet::with_capacity(names.len());
        let duplicate = names.iter().find(|k| !seen.insert(k.as_str())).map(|k| {
            InputError::new(
                ErrorKind::DuplicateField,
                truncate_value(k),
                Some(k),
                format!("column {:?} appears more than once", truncate_value(k)),
            )
        });
        let flat_role = |k: &str| -> Role {
            let named = |k: &str| -> Role {
                match k {
                    "instrument" => Role::Instrument,
                    "id" => Role::Id,
                    "fear" | "power_imbalance" | "argument_frequency" | "resolution"
                    | "children_exposed" => Role::Screen,
                    "recent_transitions" => Role::Transitions,
                    "children_in_household" => Role::Children,
                    "prior_incidents_12m" => Role::Prior,
                    "prior_incident_dates" => Role::PriorDates,
                    "incident_date" => Role::IncidentDate,
                    "last_marac_date" => Role::LastMarac,
                    "officer_judgement" => Role::OfficerJudgement,
                    _ => match (close_question_name(k), close_contract_name(k)) {
                        (Some(q), _) => Role::CloseQuestion(q),
                        (None, Some(meant)) => Role::CloseName(meant),
                        (None, None) => Role::Passthrough,
                    },
                }
            };
            let (qid, looks) = (is_question_id(k), looks_like_question(k));
            if qid || looks {
                Role::QuestionLike {
                    qid,
                    looks,
                    otherwise: (!looks).then(|| Box::new(named(k))),
                }
            } else {
                named(k)
            }
        };
        // A dotted name from `json_normalize` is read under its key in the flat
        // layout (`answers.q18` as `q18`), or refused when its section has no such
        // key: never passed through and read as not known.
        let mut keys: Vec<String> = Vec::with_capacity(names.len());
        let roles: Vec<Role> = names
            .iter()
            .map(|k| match nested_section(k) {
                None => {
                    keys.push(k.clone());
                    flat_role(k)
                }
                Some((section, key)) => {
                    keys.push(key.to_string());
                    let allowed: &'static [&'static str] = match section {
                        "conflict_screen" => &SCREEN_KEYS,
                        "context" => &CONTEXT_KEYS,
                        _ => &[],
                    };
                    if section == "answers" {
                        // Any key is a question id of the row's instrument, or an error.
                        Role::QuestionLike {
                            qid: true,
                            looks: true,
                            otherwise: None,
                        }
                    } else if allowed.contains(&key) {
                        flat_role(key)
                    } else {
                        Role::BadNested(section, allowed)
                    }
                }
            })
            .collect();
        // `q18` beside `answers.q18` is one field given twice.
        let duplicate = duplicate.or_else(|| {
            let mut seen = std::collections::HashSet::with_capacity(keys.len());
            keys.iter()
                .zip(&names)
                .find(|(k, _)| !seen.insert(k.as_str()))
                .map(|(k, n)| {
                    InputError::new(
                        ErrorKind::DuplicateField,
                        truncate_value(n),
                        Some(n),
                        format!(
                            "column {:?} gives {:?} a second time (nested and flat names of one field)",
                            truncate_value(n),
                            truncate_value(k)
                        ),
                    )
                })
        });
        let instrument = names.iter().position(|k| k == "instrument");
        let passthrough = roles
            .iter()
            .enumerate()
            .filter(|(_, r)| match r {
                Role::Passthrough => true,
                Role::QuestionLike { otherwise, .. } => {
                    otherwise.as_deref() == Some(&Role::Passthrough)
                }
                _ => false,
            })
            .map(|(i, _)| i)
            .collect();
        FlatHeader {
            names,
            keys,
            roles,
            instrument,
            passthrough,
            duplicate,
        }
    }

    /// The error every row under this header would give because of a column
    /// name, if there is one: a repeated column, a name close to a contract name
    /// (`power_imbalence`), or a nested name its section does not have
    /// (`conflict_screen.feer`). Front ends that read a whole table (a DataFrame)
    /// refuse it once with this, instead of an error per row.
    ///
    /// ```
    /// use dashrisk::parse::FlatHeader;
    /// let e = FlatHeader::new(&["q18", "power_imbalence"]).problem().unwrap();
    /// assert_eq!((e.code.code(), e.field.as_str()), ("unknown_field", "power_imbalence"));
    /// assert!(e.message.contains("\"power_imbalance\""));
    /// assert!(FlatHeader::new(&["q18", "answers.q2", "area"]).problem().is_none());
    /// ```
    pub fn problem(&self) -> Option<InputError> {
        if let Some(e) = &self.duplicate {
            return Some(e.clone());
        }
        self.names
            .iter()
            .zip(&self.keys)
            .zip(&self.roles)
            .find_map(|((name, key), role)| column_error(name, key, role))
    }

    /// The indexes of the pass-through columns (not part of the contract).
    pub fn passthrough(&self) -> &[usize] {
        &self.passthrough
    }

    /// The column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// The error a column's name gives on every row, for the roles that are errors.
fn column_error(name: &str, key: &str, role: &Role) -> Option<InputError> {
    let message = match role {
        Role::CloseName(meant) => format!(
            "column {:?} is not a column of the input contract but looks like {meant:?}; rename it (as it is, its values would be ignored and read as not known)",
            truncate_value(name)
        ),
        Role::CloseQuestion(q) => {
            return Some(InputError::new(
                ErrorKind::UnknownQuestion,
                truncate_value(name),
                Some(name),
                format!(
                    "column {:?} is not a question id but looks like question {q:?}; rename it {q} (question columns are named by their id alone, or answers.{q}; as it is, its answers would be ignored and read as not known)",
                    truncate_value(name)
                ),
            ))
        }
        Role::BadNested(section, allowed) => format!(
            "column {:?}: {:?} is not a key of {section}; expected one of: {} (as {section}.<key>, or the key alone)",
            truncate_value(name),
            truncate_value(key),
            allowed.join(", ")
        ),
        _ => return None,
    };
    Some(InputError::new(
        ErrorKind::UnknownField,
        truncate_value(name),
        Some(name),
        message,
    ))
}

fn set_screen(sc: &mut ConflictScreen, key: &str, s: &str, field: &str) -> Result<(), InputError> {
    match key {
        "fear" => sc.fear = enum_value(s, field, &Answer::SCREEN_VALUES, screen_answer)?,
        "power_imbalance" => {
            sc.power_imbalance = enum_value(s, field, &Answer::SCREEN_VALUES, screen_answer)?
        }
        "children_exposed" => {
            sc.children_exposed = enum_value(s, field, &Answer::SCREEN_VALUES, screen_answer)?
        }
        "argument_frequency" => {
            sc.argument_frequency = enum_value(
                s,
                field,
                &ArgumentFrequency::VALUES,
                ArgumentFrequency::parse,
            )?
        }
        "resolution" => {
            sc.resolution = enum_value(s, field, &Resolution::VALUES, Resolution::parse)?
        }
        _ => unreachable!("screen keys are checked by the caller"),
    }
    Ok(())
}

fn screen_answer(s: &str) -> Option<Answer> {
    Answer::parse(s).filter(|a| *a != Answer::Declined)
}

/// Decodes one record's JSON text under the default [`Limits`]; see
/// [`parse_json_value_with`].
pub fn parse_json_value(text: &str) -> Result<Value, InputError> {
    parse_json_value_with(text, &Limits::default())
}

/// Decodes one record's JSON text: `empty_input` for blank text, `too_large` over
/// `limits` (size or nesting), `duplicate_field` for a key repeated within one
/// object (decoders disagree on which value wins, so the record is ambiguous), and
/// `invalid_json` otherwise.
///
/// ```
/// use dashrisk::{parse::parse_json_value_with, Limits};
/// let err = parse_json_value_with(r#"{"answers": {"q2": "yes", "q2": "no"}}"#, &Limits::default())
///     .unwrap_err();
/// assert_eq!((err.code.code(), err.field.as_str()), ("duplicate_field", "answers.q2"));
/// ```
pub fn parse_json_value_with(text: &str, limits: &Limits) -> Result<Value, InputError> {
    if text.len() > limits.max_record_bytes {
        return Err(limits.record_too_large());
    }
    if text.trim().is_empty() {
        return Err(InputError::new(
            ErrorKind::EmptyInput,
            "",
            None,
            "the record is empty; expected one JSON object",
        ));
    }
    crate::strict_json::decode(text, limits)
}

/// The error for an instrument id the scorer does not know, listing the known ids.
pub(crate) fn unknown_instrument(instruments: &[Instrument], id: &str) -> InputError {
    let known: Vec<&str> = instruments.iter().map(|i| i.id.as_str()).collect();
    InputError::new(
        ErrorKind::UnknownInstrument,
        "instrument",
        Some(id),
        format!(
            "instrument: {:?} is not known; expected one of: {}",
            truncate_value(id),
            known.join(", ")
        ),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chrono_reads_them() {
        let mut cases: Vec<String> = Vec::new();
        for y in [1899, 1900, 2023, 2024, 2100, 2101] {
            for m in 0..=13 {
                for d in [0, 1, 28, 29, 30, 31, 32] {
                    cases.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        cases.extend(
            [
                "2025-1-01",
                "2025/01/01",
                "+025-01-01",
                "2025-01-0a",
                "",
                "２０２５-01-01",
            ]
            .map(String::from),
        );
        let mut valid = 0;
        for s in &cases {
            let ours = parse_date(s, "f").ok();
            let theirs = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| (1900..=2100).contains(&chrono::Datelike::year(d)))
                .filter(|_| s.len() == 10 && s.is_ascii());
            assert_eq!(ours, theirs, "{s}");
            valid += usize::from(ours.is_some());
        }
        assert!(valid > 100, "{valid}");
    }
}
