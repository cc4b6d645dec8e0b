//! Evidence: what the answers show, read through the instrument's markers. Which
//! gates fired and by which items, which items that block parental conflict were
//! answered yes, which gate items were left unanswered, and the flags.

use super::resolve::Resolved;
use crate::answers::{Answer, Assessment, Transition};
use crate::instrument::{Domain, Gate, Marker};
use crate::result::Flag;

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

/// What the answers show.
#[derive(Debug, Clone, Default)]
pub(crate) struct Evidence<'a> {
    /// Fear items (and the screen's fear question) answered yes.
    pub fear: Vec<Item<'a>>,
    /// Control and power-imbalance items (and the screen's question) answered yes.
    pub power: Vec<Item<'a>>,
    /// Harm items answered yes.
    pub harm: Vec<Item<'a>>,
    /// `blocks_conflict` items answered yes.
    pub blockers: Vec<Item<'a>>,
    /// Fear and power items (and screen questions) not known or declined.
    pub fear_power_unanswered: Vec<Item<'a>>,
    /// Harm items not known or declined (fear and power items are listed above).
    pub harm_unanswered: Vec<Item<'a>>,
    /// Flags raised by the answers.
    pub flags: Vec<Flag>,
    /// A "yes" to a `children_in_household` item.
    pub children_item_yes: bool,
    /// A "yes" to an item that prompts the honour-based abuse questions.
    pub honour_prompt: bool,
}

impl Evidence<'_> {
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
        self.flags.contains(&f)
    }
}

const SCREEN_FEAR: &str = "screen: fear";
const SCREEN_POWER: &str = "screen: power imbalance";

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
    let mut ev = Evidence::default();
    for (q, ans) in r.questions() {
        let item = Item {
            id: &q.id,
            label: &q.text,
            answer: ans,
        };
        match ans {
            Answer::Yes => {
                if q.fires(Gate::Fear) {
                    ev.fear.push(item);
                }
                if q.fires(Gate::PowerImbalance) {
                    ev.power.push(item);
                }
                if q.fires(Gate::Harm) {
                    ev.harm.push(item);
                }
                if q.has(Marker::BlocksConflict) {
                    ev.blockers.push(item);
                }
                ev.children_item_yes |= q.has(Marker::ChildrenInHousehold);
                ev.honour_prompt |= q.has(Marker::HonourBasedPrompt);
            }
            Answer::No => {}
            Answer::NotKnown | Answer::Declined => {
                if q.fires(Gate::Fear) || q.fires(Gate::PowerImbalance) {
                    ev.fear_power_unanswered.push(item);
                } else if q.fires(Gate::Harm) {
                    ev.harm_unanswered.push(item);
                }
            }
        }
    }
    let s = &a.conflict_screen;
    for (ans, id, list) in [
        (s.fear, SCREEN_FEAR, &mut ev.fear),
        (s.power_imbalance, SCREEN_POWER, &mut ev.power),
    ] {
        let item = Item {
            id,
            label: "",
            answer: ans,
        };
        match ans {
            Answer::Yes => list.push(item),
            Answer::No => {}
            Answer::NotKnown | Answer::Declined => ev.fear_power_unanswered.push(item),
        }
    }
    ev.flags = flags(r, a);
    ev
}

fn flags(r: &Resolved, a: &Assessment) -> Vec<Flag> {
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
    let mut f = Vec::new();
    let control = has(Marker::PowerImbalance)
        || has(Marker::Stalking)
        || a.conflict_screen.power_imbalance == Answer::Yes;
    if control {
        f.push(Flag::CoerciveControl);
    }
    for (m, flag) in [
        (Marker::Stalking, Flag::Stalking),
        (Marker::Strangulation, Flag::Strangulation),
        (Marker::ThreatToKill, Flag::ThreatsToKill),
        (Marker::Weapon, Flag::Weapons),
        (Marker::SexualAbuse, Flag::SexualAbuse),
        (Marker::ChildHarm, Flag::ChildHarm),
    ] {
        if has(m) {
            f.push(flag);
        }
    }
    let separation = separation_item
        || a.conflict_screen
            .recent_transitions
            .as_ref()
            .is_some_and(|t| t.contains(&Transition::Separation));
    let violence = has(Marker::Violence) || has(Marker::Weapon) || has(Marker::Strangulation);
    if separation && control && violence {
        f.push(Flag::SeparationControlViolence);
    }
    if third_party {
        f.push(Flag::ThirdPartyThreat);
    }
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
pub(crate) fn judgement_prompts(ev: &Evidence, level: crate::result::RiskLevel) -> Vec<Flag> {
    if level == crate::result::RiskLevel::High {
        return Vec::new();
    }
    JUDGEMENT_PROMPTS
        .iter()
        .copied()
        .filter(|f| ev.flagged(*f))
        .collect()
}
