//! Featurisation: an [`Assessment`] becomes one row of numbers, in a stable,
//! documented order, under a versioned feature set.
//!
//! Feature set [`FEATURE_SET_VERSION`] (136 features), in this order:
//!
//! 1. For each DASH question `q1`…`q27` (the police form's ids, which every built-in
//!    form shares), four indicators: `qN=yes`, `qN=no`, `qN=not_known`,
//!    `qN=declined`. A question left out of the record is *not known*, as
//!    everywhere in dashrisk. A question the record's instrument does not ask (items
//!    10–12 on the partner-agency form) has all four indicators 0: "not asked" is
//!    neither "no" nor "not known".
//! 2. The conflict screen: `screen.fear=…`, `screen.power_imbalance=…` and
//!    `screen.children_exposed=…` (yes / no / not_known each; a "declined" given
//!    through the Rust API counts as not known, since the screen has no "declined"),
//!    `screen.argument_frequency=…` (rare / monthly / weekly / daily / not_known),
//!    `screen.resolution=…` (resolved / poorly_resolved / not_known), and one
//!    indicator per transition `screen.recent_transitions.<name>` plus
//!    `screen.recent_transitions=not_known`.
//! 3. Context: `context.children_in_household=…` (true / false / not_known), the
//!    count `context.prior_incidents_12m` capped at [`PRIOR_INCIDENT_CAP`] (0 when not
//!    known) and `context.prior_incidents_12m=not_known`.
//!
//! Left out on purpose: the officer's own grade (the model is compared *with*
//! professional judgement, so it must not learn from it), dates (rarely recorded),
//! the instrument id and `meta`.
//!
//! Every indicator is full one-hot, with no dropped reference level: the L2 penalty
//! makes the fit unique, and each answer, including *not known* and *declined*, gets
//! its own coefficient that an explanation can name. A change to the list, the order
//! or the meaning of any feature must change [`FEATURE_SET_VERSION`]; models record
//! it and refuse to load under another.

use dashrisk::answers::{Answer, ArgumentFrequency, Assessment, Resolution, Transition};
use dashrisk::error::{truncate_value, ErrorKind, InputError};
use dashrisk::Instrument;
use ndarray::{Array1, Array2, ArrayView1, ArrayViewMut1};
use std::sync::OnceLock;

/// Version of the feature set. Models record it; loading a model built for another
/// version is an error.
pub const FEATURE_SET_VERSION: &str = "dashrisk-features/1";

/// Number of DASH questions featurised (`q1`…`q27`).
pub const N_QUESTIONS: usize = 27;

/// `context.prior_incidents_12m` is capped here: beyond ten incidents in a year the
/// count says little more, and a cap keeps one extreme record from dominating.
pub const PRIOR_INCIDENT_CAP: u32 = 10;

/// Number of features in [`FEATURE_SET_VERSION`].
pub const N_FEATURES: usize = N_QUESTIONS * 4 + 3 * 3 + 5 + 3 + 6 + 3 + 2;

/// The question ids featurised, `q1`…`q27`, in column order.
const QUESTION_IDS: [&str; N_QUESTIONS] = [
    "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12", "q13", "q14", "q15",
    "q16", "q17", "q18", "q19", "q20", "q21", "q22", "q23", "q24", "q25", "q26", "q27",
];

const ANSWERS: [Answer; 4] = [Answer::Yes, Answer::No, Answer::NotKnown, Answer::Declined];
const SCREEN_ANSWERS: [&str; 3] = ["yes", "no", "not_known"];
const FREQUENCIES: [ArgumentFrequency; 5] = [
    ArgumentFrequency::Rare,
    ArgumentFrequency::Monthly,
    ArgumentFrequency::Weekly,
    ArgumentFrequency::Daily,
    ArgumentFrequency::NotKnown,
];
const RESOLUTIONS: [Resolution; 3] = [
    Resolution::Resolved,
    Resolution::PoorlyResolved,
    Resolution::NotKnown,
];
const TRANSITIONS: [Transition; 5] = [
    Transition::Separation,
    Transition::NewBaby,
    Transition::Bereavement,
    Transition::ChildStartingSchool,
    Transition::EconomicPressure,
];

/// The feature names of [`FEATURE_SET_VERSION`], in column order.
///
/// ```
/// let names = dashrisk_learn::feature_names();
/// assert_eq!(names.len(), dashrisk_learn::N_FEATURES);
/// assert_eq!(names[0], "q1=yes");
/// assert_eq!(names[3], "q1=declined");
/// assert_eq!(names.last().unwrap(), "context.prior_incidents_12m=not_known");
/// ```
pub fn feature_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut n = Vec::with_capacity(N_FEATURES);
        for q in 1..=N_QUESTIONS {
            for a in ANSWERS {
                n.push(format!("q{q}={}", a.as_str()));
            }
        }
        for field in ["fear", "power_imbalance", "children_exposed"] {
            for v in SCREEN_ANSWERS {
                n.push(format!("screen.{field}={v}"));
            }
        }
        for f in FREQUENCIES {
            n.push(format!("screen.argument_frequency={}", f.as_str()));
        }
        for r in RESOLUTIONS {
            n.push(format!("screen.resolution={}", r.as_str()));
        }
        for t in TRANSITIONS {
            n.push(format!("screen.recent_transitions.{}", t.as_str()));
        }
        n.push("screen.recent_transitions=not_known".into());
        for v in ["true", "false", "not_known"] {
            n.push(format!("context.children_in_household={v}"));
        }
        n.push("context.prior_incidents_12m".into());
        n.push("context.prior_incidents_12m=not_known".into());
        assert_eq!(n.len(), N_FEATURES, "N_FEATURES matches the names");
        n
    })
}

/// The contract fields the feature set reads, in column order: `q1`…`q27`,
/// `screen.fear`, `screen.power_imbalance`, `screen.children_exposed`,
/// `screen.argument_frequency`, `screen.resolution`, `screen.recent_transitions`,
/// `context.children_in_household` and `context.prior_incidents_12m` (35 in all).
/// A feature belongs to the field its name starts with (up to `=`, or the
/// transition's own name).
///
/// ```
/// let f = dashrisk_learn::features::fields();
/// assert_eq!((f.len(), f[0].as_str()), (35, "q1"));
/// assert_eq!(f.last().unwrap(), "context.prior_incidents_12m");
/// ```
pub fn fields() -> &'static [String] {
    &layout().names
}

/// Where each field's features are: its columns, its `=not_known` column, and
/// whether every column is a one-hot answer (`field=value`), so that a record with
/// all of them 0 was not asked the question (a question its form leaves out).
struct FieldLayout {
    names: Vec<String>,
    columns: Vec<Vec<usize>>,
    not_known: Vec<usize>,
    one_hot: Vec<bool>,
}

fn layout() -> &'static FieldLayout {
    static LAYOUT: OnceLock<FieldLayout> = OnceLock::new();
    LAYOUT.get_or_init(|| {
        let mut l = FieldLayout {
            names: Vec::new(),
            columns: Vec::new(),
            not_known: Vec::new(),
            one_hot: Vec::new(),
        };
        for (i, name) in feature_names().iter().enumerate() {
            let field = match name.split_once('=') {
                Some((f, _)) => f,
                None if name.starts_with("screen.recent_transitions.") => {
                    "screen.recent_transitions"
                }
                None => name.as_str(),
            };
            let at = match l.names.iter().position(|n| n == field) {
                Some(at) => at,
                None => {
                    l.names.push(field.to_string());
                    l.columns.push(Vec::new());
                    l.not_known.push(usize::MAX);
                    l.one_hot.push(true);
                    l.names.len() - 1
                }
            };
            l.columns[at].push(i);
            if name.ends_with("=not_known") {
                l.not_known[at] = i;
            }
            if !name.contains('=') {
                l.one_hot[at] = false;
            }
        }
        assert!(
            l.not_known.iter().all(|&i| i != usize::MAX),
            "every field has a not_known column"
        );
        assert!(l.names.len() <= 64, "fields fit a u64 mask");
        l
    })
}

/// Which [`fields`] a set of featurised records answers: a field is answered by a
/// record whose value for it is known (yes, no, declined, a level, a count, a list
/// of transitions, possibly empty), not *not known* and not left out by its form.
///
/// `dashrisk train` records the fields its training records answer
/// ([`crate::LogisticModel::answered_in_training`]), and `dashrisk predict` compares
/// them with the fields its input answers: a field that training saw answered and
/// no record to predict answers is usually a missing or misspelt column, read as
/// *not known* everywhere, which moves every prediction.
///
/// ```
/// use dashrisk::Assessment;
/// use dashrisk_learn::features::{featurise, AnsweredFields};
/// let a: Assessment = serde_json::from_str(r#"{"answers": {"q1": "no"}, "conflict_screen": {"fear": "not_known"}}"#).unwrap();
/// let mut seen = AnsweredFields::default();
/// seen.add(featurise(&a).unwrap().view());
/// assert_eq!(seen.names(), ["q1"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnsweredFields {
    /// Per field (in [`fields`] order): records that answer it.
    answered: Vec<u64>,
    /// Per field: records whose form asks it.
    asked: Vec<u64>,
    records: u64,
}

impl AnsweredFields {
    /// Notes the fields one featurised record (a row of [`feature_names`]) answers.
    pub fn add(&mut self, row: ArrayView1<'_, f64>) {
        let l = layout();
        let n = l.names.len();
        self.answered.resize(n, 0);
        self.asked.resize(n, 0);
        self.records += 1;
        for (f, cols) in l.columns.iter().enumerate() {
            // A one-hot field with every column 0 was not asked by the record's form.
            let asked = !l.one_hot[f] || cols.iter().any(|&c| row[c] != 0.0);
            if asked {
                self.asked[f] += 1;
                if row[l.not_known[f]] == 0.0 {
                    self.answered[f] += 1;
                }
            }
        }
    }

    /// The fields of every row of a feature matrix.
    pub fn of_matrix(x: &Array2<f64>) -> AnsweredFields {
        let mut seen = AnsweredFields::default();
        for row in x.rows() {
            seen.add(row);
        }
        seen
    }

    /// How many records were added.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The fields answered by at least one record, in [`fields`] order.
    pub fn names(&self) -> Vec<String> {
        fields()
            .iter()
            .enumerate()
            .filter(|(f, _)| self.answered.get(*f).is_some_and(|&n| n > 0))
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// Each field answered by at least one record, with the share of the records
    /// asked it that answer it (above 0, at most 1), in [`fields`] order.
    pub fn shares(&self) -> Vec<(String, f64)> {
        fields()
            .iter()
            .enumerate()
            .filter_map(|(f, name)| {
                let (answered, asked) = (*self.answered.get(f)?, *self.asked.get(f)?);
                (answered > 0).then(|| (name.clone(), answered as f64 / asked as f64))
            })
            .collect()
    }

    /// Whether a field (named as in [`fields`]) was answered by a record.
    pub fn contains(&self, field: &str) -> bool {
        self.answered_count(field) > 0
    }

    /// How many records answer a field (named as in [`fields`]).
    pub fn answered_count(&self, field: &str) -> u64 {
        Self::count(&self.answered, field)
    }

    /// How many records' forms ask a field (named as in [`fields`]): every form
    /// asks the screen and the context; the partner-agency form leaves out q10–q12.
    pub fn asked_count(&self, field: &str) -> u64 {
        Self::count(&self.asked, field)
    }

    /// Whether a record's form asks a field.
    pub fn asked(&self, field: &str) -> bool {
        self.asked_count(field) > 0
    }

    fn count(counts: &[u64], field: &str) -> u64 {
        fields()
            .iter()
            .position(|n| n == field)
            .and_then(|f| counts.get(f).copied())
            .unwrap_or(0)
    }
}

/// A plain-English description of a feature, for explanations: the question's
/// label for answer indicators, the field otherwise.
pub fn describe_feature(index: usize) -> String {
    let name = &feature_names()[index];
    if index < N_QUESTIONS * 4 {
        let q = index / 4 + 1;
        let id = format!("q{q}");
        let label = Instrument::dash_2009()
            .question(&id)
            .map(|q| q.text.as_str())
            .unwrap_or("");
        let ans = ANSWERS[index % 4].as_str().replace('_', " ");
        return format!("{id} ({label}) answered {ans}");
    }
    let (field, value) = name.split_once('=').unwrap_or((name.as_str(), ""));
    let field = field
        .trim_start_matches("screen.")
        .trim_start_matches("context.")
        .replace(['_', '.'], " ");
    match value {
        "" if field.starts_with("recent transitions") => format!("{field} reported"),
        "" => format!("{field} (count, capped at {PRIOR_INCIDENT_CAP})"),
        v => format!("{field}: {}", v.replace('_', " ")),
    }
}

fn unknown_question(field: &str, key: &str, instrument: &Instrument) -> InputError {
    InputError::new(
        ErrorKind::UnknownQuestion,
        field,
        Some(key),
        format!(
            "{field}: {:?} is not a question of instrument {} that the model's feature set ({FEATURE_SET_VERSION}) covers; expected one of: {}",
            truncate_value(key),
            instrument.id,
            instrument
                .questions
                .iter()
                .map(|q| q.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// The built-in instrument an assessment names, or an error: the feature set covers
/// the built-in DASH forms' question ids only.
fn instrument_for(a: &Assessment) -> Result<&'static Instrument, InputError> {
    Instrument::builtin_by_id(&a.instrument).ok_or_else(|| {
        let known: Vec<&str> = Instrument::builtin().iter().map(|i| i.id.as_str()).collect();
        InputError::new(
            ErrorKind::UnknownInstrument,
            "instrument",
            Some(&a.instrument),
            format!(
                "instrument: {:?} is not one the model's feature set ({FEATURE_SET_VERSION}) covers; expected one of: {}",
                truncate_value(&a.instrument),
                known.join(", ")
            ),
        )
    })
}

/// The position among [`QUESTION_IDS`] of a key that is one of them.
fn question_number(key: &str) -> Option<usize> {
    let digits = key.strip_prefix('q')?;
    if !(1..=2).contains(&digits.len()) || digits.starts_with('0') {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    (1..=N_QUESTIONS)
        .contains(&n)
        .then_some(n - 1)
        .filter(|&q| QUESTION_IDS[q] == key)
}

/// Which of `q1`…`q27` a built-in form asks, as bits (bit `q - 1`), worked out
/// once per form.
fn asked(inst: &Instrument) -> u32 {
    static ASKED: OnceLock<Vec<(String, u32)>> = OnceLock::new();
    let of = |inst: &Instrument| {
        QUESTION_IDS
            .iter()
            .enumerate()
            .filter(|(_, id)| inst.question(id).is_some())
            .fold(0u32, |bits, (q, _)| bits | 1 << q)
    };
    ASKED
        .get_or_init(|| {
            Instrument::builtin()
                .iter()
                .map(|i| (i.id.clone(), of(i)))
                .collect()
        })
        .iter()
        .find(|(id, _)| *id == inst.id)
        .map_or_else(|| of(inst), |&(_, bits)| bits)
}

/// Writes an assessment's features into `out` (length [`N_FEATURES`]; overwritten).
///
/// Fails, naming the field, when the record answers a question its instrument does
/// not have or names an instrument the feature set does not cover. Panics when
/// `out` does not have [`N_FEATURES`] elements.
pub fn featurise_into(a: &Assessment, mut out: ArrayViewMut1<'_, f64>) -> Result<(), InputError> {
    assert_eq!(out.len(), N_FEATURES, "featurise_into: output length");
    let inst = instrument_for(a)?;
    // The answers to q1…q27 in order, from one pass over the record's answers.
    let mut given = [Answer::NotKnown; N_QUESTIONS];
    for (key, &ans) in &a.answers {
        if inst.question(key).is_none() {
            return Err(unknown_question(&format!("answers.{key}"), key, inst));
        }
        if let Some(q) = question_number(key) {
            given[q] = ans;
        }
    }
    out.fill(0.0);
    let mut i = 0;
    let hot = |out: &mut ArrayViewMut1<'_, f64>, i: &mut usize, width: usize, which: usize| {
        out[*i + which] = 1.0;
        *i += width;
    };
    let asked = asked(inst);
    for (q, &ans) in given.iter().enumerate() {
        if asked & (1 << q) != 0 {
            let which = ANSWERS
                .iter()
                .position(|&x| x == ans)
                .expect("every answer has a column");
            hot(&mut out, &mut i, 4, which);
        } else {
            i += 4;
        }
    }
    let s = &a.conflict_screen;
    for ans in [s.fear, s.power_imbalance, s.children_exposed] {
        let which = match ans {
            Answer::Yes => 0,
            Answer::No => 1,
            Answer::NotKnown | Answer::Declined => 2,
        };
        hot(&mut out, &mut i, 3, which);
    }
    let which = FREQUENCIES
        .iter()
        .position(|&f| f == s.argument_frequency)
        .expect("every frequency has a column");
    hot(&mut out, &mut i, 5, which);
    let which = RESOLUTIONS
        .iter()
        .position(|&r| r == s.resolution)
        .expect("every resolution has a column");
    hot(&mut out, &mut i, 3, which);
    match &s.recent_transitions {
        Some(ts) => {
            for (k, t) in TRANSITIONS.iter().enumerate() {
                if ts.contains(t) {
                    out[i + k] = 1.0;
                }
            }
        }
        None => out[i + TRANSITIONS.len()] = 1.0,
    }
    i += TRANSITIONS.len() + 1;
    let which = match a.context.children_in_household {
        Some(true) => 0,
        Some(false) => 1,
        None => 2,
    };
    hot(&mut out, &mut i, 3, which);
    match a.context.prior_incidents_12m {
        Some(n) => out[i] = f64::from(n.min(PRIOR_INCIDENT_CAP)),
        None => out[i + 1] = 1.0,
    }
    i += 2;
    debug_assert_eq!(i, N_FEATURES);
    Ok(())
}

/// An assessment's features as a new row.
///
/// ```
/// use dashrisk::{Answer, Assessment};
/// let mut a = Assessment::default();
/// a.answers.insert("q18".into(), Answer::Yes);
/// let x = dashrisk_learn::featurise(&a).unwrap();
/// let names = dashrisk_learn::feature_names();
/// let i = names.iter().position(|n| n == "q18=yes").unwrap();
/// assert_eq!(x[i], 1.0);
/// ```
pub fn featurise(a: &Assessment) -> Result<Array1<f64>, InputError> {
    let mut row = Array1::zeros(N_FEATURES);
    featurise_into(a, row.view_mut())?;
    Ok(row)
}

/// Featurises many assessments into a matrix, one row each. On failure returns the
/// 0-based index of the first bad record with its error.
pub fn featurise_all(assessments: &[Assessment]) -> Result<Array2<f64>, (usize, InputError)> {
    let mut x = Array2::zeros((assessments.len(), N_FEATURES));
    for (i, (a, row)) in assessments.iter().zip(x.rows_mut()).enumerate() {
        featurise_into(a, row).map_err(|e| (i, e))?;
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashrisk::answers::Context;

    fn on(x: &Array1<f64>) -> Vec<(String, f64)> {
        x.iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(i, v)| (feature_names()[i].clone(), *v))
            .collect()
    }

    /// The question part as it was written first: each id formatted and looked up
    /// in the record. The one-pass version must give the same columns.
    fn questions_by_lookup(a: &Assessment) -> Vec<f64> {
        let inst = instrument_for(a).unwrap();
        let mut out = vec![0.0; N_QUESTIONS * 4];
        for q in 1..=N_QUESTIONS {
            let id = format!("q{q}");
            if inst.question(&id).is_some() {
                let which = ANSWERS.iter().position(|&x| x == a.answer(&id)).unwrap();
                out[(q - 1) * 4 + which] = 1.0;
            }
        }
        out
    }

    #[test]
    fn one_pass_gives_the_lookups_columns() {
        let records = dashrisk::synth::generate(4_000, 9, &Default::default());
        for (k, r) in records.into_iter().enumerate() {
            let mut a = r.assessment;
            if k % 3 == 0 {
                a.instrument = dashrisk::instrument::DASH_2009_PARTNER.into();
                a.answers
                    .retain(|id, _| Instrument::dash_2009_partner().question(id).is_some());
            }
            // Some answers left out (not known), some changed.
            if k % 5 == 1 {
                a.answers.retain(|id, _| id.len() == 2);
            }
            if k % 7 == 2 {
                for (j, v) in a.answers.values_mut().enumerate() {
                    *v = ANSWERS[(j + k) % 4];
                }
            }
            let x = featurise(&a).unwrap();
            assert_eq!(
                x.as_slice().unwrap()[..N_QUESTIONS * 4],
                questions_by_lookup(&a)[..],
                "record {k}"
            );
        }
        for key in ["q0", "q01", "q28", "q1 ", "Q1", "q100", ""] {
            assert_eq!(question_number(key), None, "{key}");
        }
        assert_eq!(question_number("q27"), Some(26));
        assert_eq!(asked(Instrument::dash_2009()), (1 << N_QUESTIONS) - 1);
        assert_eq!(
            asked(Instrument::dash_2009_partner()).count_ones() as usize,
            Instrument::dash_2009_partner().questions.len()
        );
    }

    #[test]
    fn names_are_unique_and_counted() {
        let names = feature_names();
        assert_eq!(names.len(), 136);
        let set: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(set.len(), names.len());
    }

    #[test]
    fn empty_record_is_all_not_known() {
        let x = featurise(&Assessment::default()).unwrap();
        let on = on(&x);
        // 27 questions + 3 screen answers + frequency + resolution + transitions +
        // children + prior count: every one "not known".
        assert_eq!(on.len(), 27 + 3 + 1 + 1 + 1 + 1 + 1);
        assert!(on
            .iter()
            .all(|(n, v)| n.ends_with("not_known") && *v == 1.0));
    }

    #[test]
    fn each_value_lights_its_named_column() {
        let mut a = Assessment::default();
        a.answers.insert("q1".into(), Answer::Yes);
        a.answers.insert("q2".into(), Answer::No);
        a.answers.insert("q4".into(), Answer::Declined);
        a.conflict_screen.fear = Answer::No;
        a.conflict_screen.power_imbalance = Answer::Yes;
        a.conflict_screen.argument_frequency = ArgumentFrequency::Daily;
        a.conflict_screen.resolution = Resolution::PoorlyResolved;
        a.conflict_screen.recent_transitions =
            Some(vec![Transition::NewBaby, Transition::EconomicPressure]);
        a.context = Context {
            children_in_household: Some(false),
            prior_incidents_12m: Some(25),
            ..Context::default()
        };
        let x = featurise(&a).unwrap();
        let on = on(&x);
        let get = |n: &str| on.iter().find(|(k, _)| k == n).map(|p| p.1);
        for n in [
            "q1=yes",
            "q2=no",
            "q3=not_known",
            "q4=declined",
            "screen.fear=no",
            "screen.power_imbalance=yes",
            "screen.children_exposed=not_known",
            "screen.argument_frequency=daily",
            "screen.resolution=poorly_resolved",
            "screen.recent_transitions.new_baby",
            "screen.recent_transitions.economic_pressure",
            "context.children_in_household=false",
        ] {
            assert_eq!(get(n), Some(1.0), "{n}");
        }
        assert_eq!(get("context.prior_incidents_12m"), Some(10.0), "capped");
        assert_eq!(get("screen.recent_transitions=not_known"), None);
        assert_eq!(get("context.prior_incidents_12m=not_known"), None);
    }

    #[test]
    fn partner_form_leaves_unasked_items_blank_and_refuses_them() {
        let mut a = Assessment {
            instrument: dashrisk::instrument::DASH_2009_PARTNER.into(),
            ..Assessment::default()
        };
        let x = featurise(&a).unwrap();
        let names = feature_names();
        for (i, n) in names.iter().enumerate() {
            if n.starts_with("q10=") || n.starts_with("q11=") || n.starts_with("q12=") {
                assert_eq!(x[i], 0.0, "{n}");
            }
        }
        a.answers.insert("q11".into(), Answer::Yes);
        let e = featurise(&a).unwrap_err();
        assert_eq!(e.code, ErrorKind::UnknownQuestion);
        assert_eq!(e.field, "answers.q11");
    }

    #[test]
    fn answered_fields_tell_known_from_not_known_and_not_asked() {
        let mut a = Assessment {
            instrument: dashrisk::instrument::DASH_2009_PARTNER.into(),
            ..Assessment::default()
        };
        a.answers.insert("q1".into(), Answer::Declined);
        a.context.prior_incidents_12m = Some(0);
        a.conflict_screen.recent_transitions = Some(vec![]);
        let mut seen = AnsweredFields::default();
        seen.add(featurise(&a).unwrap().view());
        // Declined, a count of 0 and "no transitions" are all known answers.
        assert_eq!(
            seen.names(),
            [
                "q1",
                "screen.recent_transitions",
                "context.prior_incidents_12m"
            ]
        );
        // The partner form does not ask q10-q12; it asks q2, left not known.
        assert!(!seen.asked("q10") && !seen.asked("q12"));
        assert!(seen.asked("q2") && !seen.contains("q2"));
        assert!(seen.asked("screen.fear") && !seen.contains("screen.fear"));
        assert_eq!(seen.records(), 1);
        assert_eq!(fields().len(), 35);
    }

    #[test]
    fn unknown_instrument_is_an_error() {
        let a = Assessment {
            instrument: "custom-form".into(),
            ..Assessment::default()
        };
        let e = featurise(&a).unwrap_err();
        assert_eq!(e.code, ErrorKind::UnknownInstrument);
    }

    #[test]
    fn descriptions_read_well() {
        let names = feature_names();
        let at = |n: &str| names.iter().position(|k| k == n).unwrap();
        assert_eq!(
            describe_feature(at("q18=yes")),
            "q18 (Attempted strangulation, choking, suffocation or drowning) answered yes"
        );
        assert_eq!(
            describe_feature(at("screen.fear=not_known")),
            "fear: not known"
        );
        assert_eq!(
            describe_feature(at("context.prior_incidents_12m")),
            "prior incidents 12m (count, capped at 10)"
        );
        assert_eq!(
            describe_feature(at("screen.recent_transitions.new_baby")),
            "recent transitions new baby reported"
        );
    }
}
