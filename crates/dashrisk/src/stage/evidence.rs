//! Evidence: what the answers show, read through the instrument's markers. Which
//! gates fired and by which items, which items that block parental conflict were
//! answered yes, which gate items were left unanswered, and the flags.

use super::resolve::Resolved;
use crate::answers::{Answer, Assessment, Transition};
use crate::instrument::{Domain, Gate, Marker, Question};
use crate::result::Flag;
use crate::set::Set;

/// One item the evidence names: a question (`q18`) or a screen question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item<'a> {
    /// `q18`, or `screen: fear`.
    pub id: &'a str,
    /// The question's label, or `""` for a screen question.
    pub label: &'a str,
    /// The answer given.
    pub answer: Answer,
}

/// A list of items held as bits, so that the evidence allocates nothing: bit `i` of
/// `questions` is the form's question `i`; `screen` bit 0 is the screen's fear
/// question, bit 1 its power-imbalance question. Items are listed form questions
/// first, in the form's order, then the screen's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Items {
    pub questions: u128,
    pub screen: u8,
}

impl Items {
    pub fn is_empty(&self) -> bool {
        self.questions == 0 && self.screen == 0
    }
    fn add_question(&mut self, i: usize) {
        self.questions |= 1u128 << i;
    }
}

const SCREEN_FEAR_BIT: u8 = 1;
const SCREEN_POWER_BIT: u8 = 2;

/// What the answers show.
#[derive(Debug, Clone)]
pub(crate) struct Evidence<'a> {
    /// The form and its answers, in question order, to list items from.
    pub questions: &'a [Question],
    pub answers: &'a [Answer],
    /// The screen's fear and power-imbalance answers.
    pub screen: [Answer; 2],
    /// Fear items (and the screen's fear question) answered yes.
    pub fear: Items,
    /// Control and power-imbalance items (and the screen's question) answered yes.
    pub power: Items,
    /// Harm items answered yes.
    pub harm: Items,
    /// `blocks_conflict` items answered yes.
    pub blockers: Items,
    /// Fear and power items (and screen questions) not known or declined.
    pub fear_power_unanswered: Items,
    /// Harm items not known or declined (fear and power items are listed above).
    pub harm_unanswered: Items,
    /// Flags raised by the answers.
    pub flags: Set<Flag>,
    /// A "yes" to a `children_in_household` item.
    pub children_item_yes: bool,
    /// A "yes" to an item that prompts the honour-based abuse questions.
    pub honour_prompt: bool,
}

impl<'a> Evidence<'a> {
    /// Whether any gate fired.
    pub fn gate_fired(&self) -> bool {
        !(self.fear.is_empty() && self.power.is_empty() && self.harm.is_empty())
    }

    /// Whether any gate item (or screen fear/power question) was left unanswered.
    pub fn gate_unanswered(&self) -> bool {
        !(self.fear_power_unanswered.is_empty() && self.harm_unanswered.is_empty())
    }

    /// Whether fear and power imbalance were asked and all answered no.
    pub fn fear_and_power_cleared(&self) -> bool {
        self.fear.is_empty() && self.power.is_empty() && self.fear_power_unanswered.is_empty()
    }

    /// Whether a flag is raised.
    pub fn flagged(&self, f: Flag) -> bool {
        self.flags.contains(f)
    }

    /// The items of a list, form questions first in the form's order, then the
    /// screen's fear and power-imbalance questions.
    pub fn items(&self, items: Items) -> impl Iterator<Item = Item<'a>> + '_ {
        let questions = self.questions;
        let answers = self.answers;
        let form = (0..questions.len())
            .filter(move |&i| items.questions & (1u128 << i) != 0)
            .map(move |i| Item {
                id: &questions[i].id,
                label: &questions[i].text,
                answer: answers[i],
            });
        let screen = [
            (SCREEN_FEAR_BIT, SCREEN_FEAR, self.screen[0]),
            (SCREEN_POWER_BIT, SCREEN_POWER, self.screen[1]),
        ]
        .into_iter()
        .filter(move |(bit, _, _)| items.screen & bit != 0)
        .map(|(_, id, answer)| Item {
            id,
            label: "",
            answer,
        });
        form.chain(screen)
    }
}

const SCREEN_FEAR: &str = "screen: fear";
const SCREEN_POWER: &str = "screen: power imbalance";

/// The screen's open-question bits and item ids, in the order they are listed.
pub(crate) const SCREEN_ITEMS: [(u8, &str); 2] = [
    (SCREEN_FEAR_BIT, SCREEN_FEAR),
    (SCREEN_POWER_BIT, SCREEN_POWER),
];

impl Evidence<'_> {
    /// Every gate item not known or declined: the fear and power items (and the
    /// screen's two questions) and the harm items. The two sets never share a
    /// question.
    pub fn open_gate_items(&self) -> Items {
        Items {
            questions: self.fear_power_unanswered.questions | self.harm_unanswered.questions,
            screen: self.fear_power_unanswered.screen | self.harm_unanswered.screen,
        }
    }
}

/// A screen item's input column and wording, or `None` for a form question.
pub(crate) fn screen_column(item_id: &str) -> Option<(&'static str, &'static str)> {
    match item_id {
        SCREEN_FEAR => Some(("fear", "Is either parent afraid of the other?")),
        SCREEN_POWER => Some((
            "power_imbalance",
            "Is there an imbalance of power, or does one parent control the other?",
        )),
        _ => None,
    }
}

pub(crate) fn evidence<'a>(r: &Resolved<'a>, a: &Assessment) -> Evidence<'a> {
    let s = &a.conflict_screen;
    let mut ev = Evidence {
        questions: &r.inst.questions,
        answers: r.answers,
        screen: [s.fear, s.power_imbalance],
        fear: Items::default(),
        power: Items::default(),
        harm: Items::default(),
        blockers: Items::default(),
        fear_power_unanswered: Items::default(),
        harm_unanswered: Items::default(),
        flags: Set::new(),
        children_item_yes: false,
        honour_prompt: false,
    };
    for (i, (q, ans)) in r.questions().enumerate() {
        match ans {
            Answer::Yes => {
                if q.fires(Gate::Fear) {
                    ev.fear.add_question(i);
                }
                if q.fires(Gate::PowerImbalance) {
                    ev.power.add_question(i);
                }
                if q.fires(Gate::Harm) {
                    ev.harm.add_question(i);
                }
                if q.has(Marker::BlocksConflict) {
                    ev.blockers.add_question(i);
                }
                ev.children_item_yes |= q.has(Marker::ChildrenInHousehold);
                ev.honour_prompt |= q.has(Marker::HonourBasedPrompt);
            }
            Answer::No => {}
            Answer::NotKnown | Answer::Declined => {
                if q.fires(Gate::Fear) || q.fires(Gate::PowerImbalance) {
                    ev.fear_power_unanswered.add_question(i);
                } else if q.fires(Gate::Harm) {
                    ev.harm_unanswered.add_question(i);
                }
            }
        }
    }
    for (ans, bit, yes) in [
        (s.fear, SCREEN_FEAR_BIT, &mut ev.fear),
        (s.power_imbalance, SCREEN_POWER_BIT, &mut ev.power),
    ] {
        match ans {
            Answer::Yes => yes.screen |= bit,
            Answer::No => {}
            Answer::NotKnown | Answer::Declined => ev.fear_power_unanswered.screen |= bit,
        }
    }
    ev.flags = flags(r, a);
    ev
}

fn flags(r: &Resolved, a: &Assessment) -> Set<Flag> {
    // One pass over the "yes" answers: the markers they carry, as bits, and the two
    // domains that matter here.
    let (mut yes_markers, mut separation_item, mut third_party) = (0u32, false, false);
    for (q, ans) in r.questions() {
        if ans == Answer::Yes {
            for &m in &q.markers {
                yes_markers |= 1 << (m as u32);
            }
            separation_item |= q.domains.first() == Some(&Domain::Separation);
            third_party |= q.domains.contains(&Domain::ThirdPartyThreat);
        }
    }
    let has = |m: Marker| yes_markers & (1 << (m as u32)) != 0;
    let mut f = Set::new();
    let control = has(Marker::PowerImbalance)
        || has(Marker::Stalking)
        || a.conflict_screen.power_imbalance == Answer::Yes;
    f.insert_if(control, Flag::CoerciveControl);
    for (m, flag) in [
        (Marker::Stalking, Flag::Stalking),
        (Marker::Strangulation, Flag::Strangulation),
        (Marker::ThreatToKill, Flag::ThreatsToKill),
        (Marker::Weapon, Flag::Weapons),
        (Marker::SexualAbuse, Flag::SexualAbuse),
        (Marker::ChildHarm, Flag::ChildHarm),
    ] {
        f.insert_if(has(m), flag);
    }
    let separation = separation_item
        || a.conflict_screen
            .recent_transitions
            .as_ref()
            .is_some_and(|t| t.contains(&Transition::Separation));
    let violence = has(Marker::Violence) || has(Marker::Weapon) || has(Marker::Strangulation);
    f.insert_if(
        separation && control && violence,
        Flag::SeparationControlViolence,
    );
    f.insert_if(third_party, Flag::ThirdPartyThreat);
    f
}

/// The flags that prompt "consider whether professional judgement should raise the
/// level" below high: the high-harm markers and clusters named in local guidance
/// (non-fatal strangulation, threats to kill, weapons, sexual abuse, harm to
/// children, stalking, and separation with control and violence).
pub(crate) const JUDGEMENT_PROMPTS: [Flag; 7] = [
    Flag::Strangulation,
    Flag::ThreatsToKill,
    Flag::Weapons,
    Flag::SexualAbuse,
    Flag::ChildHarm,
    Flag::Stalking,
    Flag::SeparationControlViolence,
];

/// The flags that prompt "consider raising the level by judgement": none once the
/// level is already high.
pub(crate) fn judgement_prompts(ev: &Evidence, level: crate::result::RiskLevel) -> Set<Flag> {
    if level == crate::result::RiskLevel::High {
        return Set::new();
    }
    JUDGEMENT_PROMPTS
        .iter()
        .copied()
        .filter(|f| ev.flagged(*f))
        .collect()
}
