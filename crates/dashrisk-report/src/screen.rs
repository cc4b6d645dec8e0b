//! A screening rule encoded as data: items mapped to a form's questions, and a rule
//! of the kind "any of these items, or at least k of those". The shipped rule is
//! the Lethality Assessment Program screen ([`Screen::lap`], the file
//! `assets/lap-screen.json`): screened in on any of items 1–3, or on 4 or more of
//! items 4–11.
//!
//! An item counts as present when any question mapped to it is on the record's form
//! and was answered "yes". An item with no counterpart on the form is *missing*: it
//! can never screen a record in, and every output lists it, so that a reader knows
//! the screen was run on part of its items. *Not known* and *declined* are not
//! "yes": the screen, like the LAP, screens in on what was said, and the missing
//! answers are reported by the scorer, not here.

use dashrisk::{Answer, Assessment, Instrument};
use serde::{Deserialize, Serialize};

/// One item of a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenItem {
    /// The item's number on the screen (1-based).
    pub item: u32,
    /// What the item asks, paraphrased.
    pub text: String,
    /// The form's question ids that stand for it (any "yes" counts); empty when the
    /// form has no counterpart.
    pub questions: Vec<String>,
    /// How close the mapping is.
    #[serde(default)]
    pub note: String,
}

/// "Any of `any_of`, or at least `at_least` of `of`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenRule {
    /// Items any one of which screens in.
    pub any_of: Vec<u32>,
    /// How many of `of` screen in together.
    pub at_least: u32,
    /// The items counted for `at_least`.
    pub of: Vec<u32>,
}

/// A [`Screen`]'s rule on one form ([`Screen::on_form`]): each item as the places
/// of its questions in the form's question order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormScreen {
    any_of: Vec<Vec<usize>>,
    of: Vec<Vec<usize>>,
    at_least: usize,
}

impl FormScreen {
    /// Whether answers in the form's question order screen in (as
    /// [`Screen::screened_in`] on the same record).
    pub fn screened_in(&self, answers: &[Answer]) -> bool {
        let present =
            |places: &Vec<usize>| places.iter().any(|&i| answers.get(i) == Some(&Answer::Yes));
        if self.any_of.iter().any(present) {
            return true;
        }
        !self.of.is_empty() && self.of.iter().filter(|p| present(p)).count() >= self.at_least
    }
}

/// A screening rule on a form's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    /// Identifier.
    pub id: String,
    /// Name, for reports.
    pub name: String,
    /// Where the rule comes from, and how the mapping was made.
    pub source: String,
    /// The rule.
    pub rule: ScreenRule,
    /// The items.
    pub items: Vec<ScreenItem>,
}

/// An item the form cannot ask, with the form's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingItem {
    /// The form.
    pub instrument: String,
    /// The item's number.
    pub item: u32,
    /// What it asks.
    pub text: String,
    /// Why it is missing.
    pub note: String,
}

impl Screen {
    /// The Lethality Assessment Program screen, as shipped.
    pub fn lap() -> Screen {
        Screen::from_json(include_str!("../assets/lap-screen.json"))
            .expect("the shipped LAP screen is valid (a unit test checks it)")
    }

    /// A screen from its JSON file, checked: item numbers unique, every item in the
    /// rule defined, `at_least` between 1 and the number of items it counts.
    pub fn from_json(text: &str) -> Result<Screen, String> {
        let s: Screen = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::BTreeSet::new();
        for i in &s.items {
            if !seen.insert(i.item) {
                return Err(format!("item {} is defined twice", i.item));
            }
        }
        for i in s.rule.any_of.iter().chain(&s.rule.of) {
            if !seen.contains(i) {
                return Err(format!("the rule names item {i}, which is not defined"));
            }
        }
        if !s.rule.of.is_empty()
            && (s.rule.at_least == 0 || s.rule.at_least as usize > s.rule.of.len())
        {
            return Err(format!(
                "rule.at_least is {}; expected 1 to {} (the number of items in rule.of)",
                s.rule.at_least,
                s.rule.of.len()
            ));
        }
        Ok(s)
    }

    fn item(&self, n: u32) -> Option<&ScreenItem> {
        self.items.iter().find(|i| i.item == n)
    }

    /// Whether item `n` is present on the record: a mapped question on its form,
    /// answered "yes".
    fn present(&self, n: u32, inst: &Instrument, answer: &impl Fn(&str) -> Answer) -> bool {
        self.item(n).is_some_and(|i| {
            i.questions
                .iter()
                .any(|q| inst.question(q).is_some() && answer(q) == Answer::Yes)
        })
    }

    /// Whether the record screens in. `inst` is the record's form.
    pub fn screened_in(&self, inst: &Instrument, a: &Assessment) -> bool {
        self.screened_in_by(inst, |q| a.answer(q))
    }

    /// [`Screen::screened_in`] on answers in the form's question order (a flat
    /// row read into a `FlatScratch`: [`dashrisk::parse::FlatScratch::answers`]).
    /// For many records, [`Screen::on_form`] once per form is quicker.
    pub fn screened_in_ordered(&self, inst: &Instrument, answers: &[Answer]) -> bool {
        self.on_form(inst).screened_in(answers)
    }

    /// The rule with each item's questions found on `inst` once: their places in
    /// the form's question order.
    pub fn on_form(&self, inst: &Instrument) -> FormScreen {
        let places = |items: &[u32]| -> Vec<Vec<usize>> {
            items
                .iter()
                .map(|&n| {
                    self.item(n).map_or_else(Vec::new, |i| {
                        i.questions
                            .iter()
                            .filter_map(|q| inst.position(q))
                            .collect()
                    })
                })
                .collect()
        };
        FormScreen {
            any_of: places(&self.rule.any_of),
            of: places(&self.rule.of),
            at_least: self.rule.at_least as usize,
        }
    }

    fn screened_in_by(&self, inst: &Instrument, answer: impl Fn(&str) -> Answer) -> bool {
        if self
            .rule
            .any_of
            .iter()
            .any(|&n| self.present(n, inst, &answer))
        {
            return true;
        }
        !self.rule.of.is_empty()
            && self
                .rule
                .of
                .iter()
                .filter(|&&n| self.present(n, inst, &answer))
                .count()
                >= self.rule.at_least as usize
    }

    /// The items the form cannot ask (no mapped question is on it).
    pub fn missing_items(&self, inst: &Instrument) -> Vec<MissingItem> {
        self.items
            .iter()
            .filter(|i| i.questions.iter().all(|q| inst.question(q).is_none()))
            .map(|i| MissingItem {
                instrument: inst.id.clone(),
                item: i.item,
                text: i.text.clone(),
                note: i.note.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashrisk::Scorer;

    fn record(yes: &[&str]) -> Assessment {
        let mut a = Assessment::default();
        for q in yes {
            a.answers.insert((*q).into(), Answer::Yes);
        }
        a
    }

    /// The rule found on a form once reads ordered answers as the rule reads the
    /// record, on every built-in form, for every subset of yes answers drawn at
    /// random (and for a rule whose items have no question on the form).
    #[test]
    fn the_rule_on_a_form_reads_ordered_answers_alike() {
        let scorer = Scorer::default();
        let lap = Screen::lap();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut ins, mut outs) = (0, 0);
        for inst in scorer.instruments() {
            let form = lap.on_form(inst);
            for _ in 0..2_000 {
                let mut a = Assessment::default();
                for q in &inst.questions {
                    let answer = match next() % 10 {
                        0 => Answer::Yes,
                        1 => Answer::NotKnown,
                        2 => Answer::Declined,
                        _ => Answer::No,
                    };
                    a.answers.insert(q.id.clone(), answer);
                }
                let ordered: Vec<Answer> = inst.questions.iter().map(|q| a.answer(&q.id)).collect();
                let expected = lap.screened_in(inst, &a);
                assert_eq!(form.screened_in(&ordered), expected, "{}: {a:?}", inst.id);
                assert_eq!(lap.screened_in_ordered(inst, &ordered), expected);
                if expected {
                    ins += 1;
                } else {
                    outs += 1;
                }
            }
        }
        assert!(ins > 100 && outs > 100, "{ins} in, {outs} out");
        let mut none = lap.clone();
        for item in &mut none.items {
            item.questions = vec!["no-such-question".into()];
        }
        let inst = scorer.instrument("dash-2009").unwrap();
        let all_yes = vec![Answer::Yes; inst.questions.len()];
        assert!(!none.on_form(inst).screened_in(&all_yes));
    }

    #[test]
    fn the_lap_rule_any_of_one_to_three_or_four_of_the_rest() {
        let scorer = Scorer::default();
        let police = scorer.instrument("dash-2009").unwrap();
        let lap = Screen::lap();
        assert!(!lap.screened_in(police, &record(&[])));
        // Item 1 (q16) alone, item 2 by either of its questions.
        assert!(lap.screened_in(police, &record(&["q16"])));
        assert!(lap.screened_in(police, &record(&["q12"])));
        assert!(lap.screened_in(police, &record(&["q17"])));
        // Three of items 4–11 do not; four do.
        assert!(!lap.screened_in(police, &record(&["q18", "q15", "q6"])));
        assert!(lap.screened_in(police, &record(&["q18", "q15", "q6", "q25"])));
        // Two questions of one item are one item.
        assert!(!lap.screened_in(police, &record(&["q18", "q15", "q6", "q1"])));
        // Not known is not yes.
        let mut a = record(&["q18", "q15", "q6"]);
        a.answers.insert("q25".into(), Answer::NotKnown);
        assert!(!lap.screened_in(police, &a));
    }

    #[test]
    fn items_without_a_counterpart_are_missing_per_form() {
        let scorer = Scorer::default();
        let lap = Screen::lap();
        let police: Vec<u32> = lap
            .missing_items(scorer.instrument("dash-2009").unwrap())
            .iter()
            .map(|m| m.item)
            .collect();
        assert_eq!(police, vec![3, 4, 8]);
        let partner = scorer.instrument("dash-2009-partner").unwrap();
        let missing: Vec<u32> = lap.missing_items(partner).iter().map(|m| m.item).collect();
        assert_eq!(missing, vec![3, 4, 8, 10], "q10 is not on the partner form");
        // On the partner form q10 cannot count even if a record carried it.
        let mut a = record(&["q18", "q15", "q6", "q10"]);
        a.instrument = "dash-2009-partner".into();
        assert!(!lap.screened_in(partner, &a));
    }

    #[test]
    fn bad_screens_are_refused_with_the_reason() {
        let ok = include_str!("../assets/lap-screen.json");
        let twice = ok.replace("\"item\": 2,", "\"item\": 1,");
        assert!(Screen::from_json(&twice)
            .unwrap_err()
            .contains("item 1 is defined twice"));
        let k = ok.replace("\"at_least\": 4", "\"at_least\": 9");
        assert!(Screen::from_json(&k)
            .unwrap_err()
            .contains("rule.at_least is 9"));
        let undefined = ok.replace("\"any_of\": [1, 2, 3]", "\"any_of\": [1, 2, 12]");
        assert!(Screen::from_json(&undefined)
            .unwrap_err()
            .contains("item 12"));
    }
}
