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
    /// `blocks_conflict` items not known or declined (gate items are listed above):
    /// abuse asked about and not screened out.
    pub abuse_unanswered: Items,
    /// The form asks no harm question at all, so harm was never asked about.
    pub harm_not_asked: bool,
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

    /// Whether abuse was not fully asked about and screened out: a gate item (or the
    /// screen's fear or power question) or a `blocks_conflict` item was left
    /// unanswered, or the form asks no harm question. Not known is never read as
    /// no, and what was never asked was not screened out.
    pub fn gate_unanswered(&self) -> bool {
        !(self.fear_power_unanswered.is_empty()
            && self.harm_unanswered.is_empty()
            && self.abuse_unanswered.is_empty())
            || self.harm_not_asked
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
        // The set bits, lowest first (the form's order), without testing the others.
        let bits = std::iter::successors(Some(items.questions), |&m| Some(m & m.wrapping_sub(1)))
            .take_while(|&m| m != 0)
            .map(|m| m.trailing_zeros() as usize);
        // (A mask only has bits of the form's questions; `get` keeps a stray one
        // from panicking.)
        let form = bits.filter_map(move |i| {
            let q = questions.get(i)?;
            Some(Item {
                id: &q.id,
                label: &q.text,
                answer: *answers.get(i)?,
            })
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
    /// Every item that screens for abuse and was not known or declined: the fear
    /// and power items (and the screen's two questions), the harm items and the
    /// `blocks_conflict` items. The three sets never share a question.
    pub fn open_gate_items(&self) -> Items {
        Items {
            questions: self.fear_power_unanswered.questions
                | self.harm_unanswered.questions
                | self.abuse_unanswered.questions,
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

/// One form's markers as question bit masks, made once when the scorer is built,
/// so that the evidence of a record is a few ANDs over its answers' bits instead
/// of a scan of every answered question's markers. Bit `i` is the form's question
/// `i`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FormMasks {
    /// Questions whose "yes" fires the fear gate.
    fear: u128,
    /// … the power-imbalance gate.
    power: u128,
    /// … the harm gate.
    harm: u128,
    /// Questions carrying each marker, by `Marker as usize`.
    markers: [u128; MARKERS],
    /// Questions whose primary domain is separation.
    separation: u128,
    /// Questions with the third-party-threat domain.
    third_party: u128,
    /// By `n`, one more than the position of the question whose id is `q{n}`
    /// (0: none), when every id is written `q{n}` with `n` from 1 to 999 and no
    /// leading zero, and no id is repeated; empty otherwise. An answer's key then gives its position
    /// without comparing strings ([`FormMasks::position`]).
    by_number: Vec<u8>,
}

/// The number of [`Marker`]s.
const MARKERS: usize = Marker::HonourBasedPrompt as usize + 1;

impl FormMasks {
    pub fn new(inst: &crate::instrument::Instrument) -> FormMasks {
        let mut m = FormMasks::default();
        for (i, q) in inst.questions.iter().enumerate().take(128) {
            let bit = 1u128 << i;
            for &k in &q.markers {
                m.markers[k as usize] |= bit;
                match k.gate() {
                    Some(Gate::Fear) => m.fear |= bit,
                    Some(Gate::PowerImbalance) => m.power |= bit,
                    Some(Gate::Harm) => m.harm |= bit,
                    None => {}
                }
            }
            if q.domains.first() == Some(&Domain::Separation) {
                m.separation |= bit;
            }
            if q.domains.contains(&Domain::ThirdPartyThreat) {
                m.third_party |= bit;
            }
        }
        let numbers: Option<Vec<usize>> = inst.questions.iter().map(|q| number(&q.id)).collect();
        if let Some(numbers) = numbers.filter(|_| inst.questions.len() <= 128) {
            let mut by_number = vec![0u8; numbers.iter().max().map_or(0, |n| n + 1)];
            let mut repeated = false;
            for (i, n) in numbers.into_iter().enumerate() {
                repeated |= by_number[n] != 0;
                by_number[n] = u8::try_from(i + 1).unwrap_or(0);
            }
            // A form with a repeated id (which `Instrument::validate` refuses) is
            // left to `Instrument::position`, so that it is read as it always was.
            if !repeated {
                m.by_number = by_number;
            }
        }
        m
    }

    fn marker(&self, k: Marker) -> u128 {
        self.markers[k as usize]
    }

    /// The position of the question with id `key`, when every id of the form is
    /// written `q{n}`: then `Some` exactly when `key` is one of the form's ids.
    /// `None` also when the ids are not all of that shape; then ask
    /// [`crate::instrument::Instrument::position`].
    pub fn position(&self, key: &str) -> Option<usize> {
        let at = *self.by_number.get(number(key)?)?;
        usize::from(at).checked_sub(1)
    }
}

/// `n` of an id written `q{n}`: `q` and one to three digits without a leading
/// zero, the only way `q{n}` is written.
fn number(id: &str) -> Option<usize> {
    let digits = id.as_bytes().strip_prefix(b"q")?;
    if !(1..=3).contains(&digits.len()) || digits[0] == b'0' {
        return None;
    }
    digits.iter().try_fold(0usize, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + usize::from(b - b'0'))
    })
}

/// The answers' bits: which questions were answered yes, and which not known or
/// declined.
fn answer_bits(answers: &[Answer]) -> (u128, u128) {
    // Two 64-bit halves: a shift of a `u128` by a variable costs branches.
    let (mut yes, mut unknown) = ([0u64; 2], [0u64; 2]);
    for (half, part) in answers.chunks(64).take(2).enumerate() {
        let (mut y, mut u) = (0u64, 0u64);
        for (i, &ans) in part.iter().enumerate() {
            y |= u64::from(ans == Answer::Yes) << i;
            u |= u64::from(ans.is_unknown()) << i;
        }
        yes[half] = y;
        unknown[half] = u;
    }
    let join = |h: [u64; 2]| u128::from(h[0]) | u128::from(h[1]) << 64;
    (join(yes), join(unknown))
}

pub(crate) fn evidence<'a>(r: &Resolved<'a>, a: &Assessment) -> Evidence<'a> {
    let s = &a.conflict_screen;
    let m = r.masks;
    let (yes, unknown) = answer_bits(r.answers);
    let q = |questions: u128| Items {
        questions,
        screen: 0,
    };
    let fear_or_power = m.fear | m.power;
    let mut ev = Evidence {
        questions: &r.inst.questions,
        answers: r.answers,
        screen: [s.fear, s.power_imbalance],
        fear: q(yes & m.fear),
        power: q(yes & m.power),
        harm: q(yes & m.harm),
        blockers: q(yes & m.marker(Marker::BlocksConflict)),
        fear_power_unanswered: q(unknown & fear_or_power),
        harm_unanswered: q(unknown & m.harm & !fear_or_power),
        abuse_unanswered: q(unknown & m.marker(Marker::BlocksConflict) & !(fear_or_power | m.harm)),
        harm_not_asked: m.harm == 0,
        flags: Set::new(),
        children_item_yes: yes & m.marker(Marker::ChildrenInHousehold) != 0,
        honour_prompt: yes & m.marker(Marker::HonourBasedPrompt) != 0,
    };
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
    ev.flags = flags(m, yes, a);
    ev
}

fn flags(m: &FormMasks, yes: u128, a: &Assessment) -> Set<Flag> {
    let yes_to = YesTo {
        markers: std::array::from_fn(|k| yes & m.markers[k] != 0),
        separation_item: yes & m.separation != 0,
        third_party: yes & m.third_party != 0,
    };
    flag_rules(&yes_to, a)
}

/// What the "yes" answers carry, as the flags read it: each marker (by
/// `Marker as usize`), a question whose primary domain is separation, and one about
/// third-party threats.
struct YesTo {
    markers: [bool; MARKERS],
    separation_item: bool,
    third_party: bool,
}

/// The flags raised by what the "yes" answers carry and by the screen.
fn flag_rules(yes_to: &YesTo, a: &Assessment) -> Set<Flag> {
    let has = |k: Marker| yes_to.markers[k as usize];
    let (separation_item, third_party) = (yes_to.separation_item, yes_to.third_party);
    let mut f = Set::new();
    let control = has(Marker::PowerImbalance)
        || has(Marker::Stalking)
        || a.conflict_screen.power_imbalance == Answer::Yes;
    f.insert_if(control, Flag::CoerciveControl);
    for (k, flag) in [
        (Marker::Stalking, Flag::Stalking),
        (Marker::Strangulation, Flag::Strangulation),
        (Marker::ThreatToKill, Flag::ThreatsToKill),
        (Marker::Weapon, Flag::Weapons),
        (Marker::SexualAbuse, Flag::SexualAbuse),
        (Marker::ChildHarm, Flag::ChildHarm),
    ] {
        f.insert_if(has(k), flag);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{Instrument, Question};
    use proptest::prelude::*;

    /// The evidence as it was computed before the masks: a scan of every answered
    /// question's markers. The masks must give the same evidence on any form.
    fn by_markers(questions: &[Question], answers: &[Answer], a: &Assessment) -> [u128; 10] {
        let fires = |q: &Question, g: Gate| q.fires(g);
        let (mut fear, mut power, mut harm, mut blockers, mut fpu, mut hu, mut bu) =
            (0u128, 0u128, 0u128, 0u128, 0u128, 0u128, 0u128);
        let (mut children, mut honour) = (false, false);
        let (mut yes_markers, mut separation_item, mut third_party) = (0u32, false, false);
        for (i, (q, &ans)) in questions.iter().zip(answers).enumerate() {
            let bit = 1u128 << i;
            match ans {
                Answer::Yes => {
                    if fires(q, Gate::Fear) {
                        fear |= bit;
                    }
                    if fires(q, Gate::PowerImbalance) {
                        power |= bit;
                    }
                    if fires(q, Gate::Harm) {
                        harm |= bit;
                    }
                    if q.has(Marker::BlocksConflict) {
                        blockers |= bit;
                    }
                    children |= q.has(Marker::ChildrenInHousehold);
                    honour |= q.has(Marker::HonourBasedPrompt);
                    for &m in &q.markers {
                        yes_markers |= 1 << (m as u32);
                    }
                    separation_item |= q.domains.first() == Some(&Domain::Separation);
                    third_party |= q.domains.contains(&Domain::ThirdPartyThreat);
                }
                Answer::No => {}
                Answer::NotKnown | Answer::Declined => {
                    if fires(q, Gate::Fear) || fires(q, Gate::PowerImbalance) {
                        fpu |= bit;
                    } else if fires(q, Gate::Harm) {
                        hu |= bit;
                    } else if q.has(Marker::BlocksConflict) {
                        bu |= bit;
                    }
                }
            }
        }
        // The flag rules are shared: what is checked here is what the "yes"
        // answers carry, read by the masks against read by the scan.
        let yes_to = YesTo {
            markers: std::array::from_fn(|k| yes_markers & (1 << k) != 0),
            separation_item,
            third_party,
        };
        let f = flag_rules(&yes_to, a);
        let flags = u128::from(f.bits());
        [
            fear,
            power,
            harm,
            blockers,
            fpu,
            hu,
            bu,
            u128::from(!questions.iter().any(|q| fires(q, Gate::Harm))),
            u128::from(children) | u128::from(honour) << 1,
            flags,
        ]
    }

    fn by_masks(ev: &Evidence) -> [u128; 10] {
        let flags = u128::from(ev.flags.bits());
        [
            ev.fear.questions,
            ev.power.questions,
            ev.harm.questions,
            ev.blockers.questions,
            ev.fear_power_unanswered.questions,
            ev.harm_unanswered.questions,
            ev.abuse_unanswered.questions,
            u128::from(ev.harm_not_asked),
            u128::from(ev.children_item_yes) | u128::from(ev.honour_prompt) << 1,
            flags,
        ]
    }

    const ALL_MARKERS: [Marker; MARKERS] = [
        Marker::Fear,
        Marker::PowerImbalance,
        Marker::Violence,
        Marker::Stalking,
        Marker::ChildHarm,
        Marker::Weapon,
        Marker::ThreatToKill,
        Marker::Strangulation,
        Marker::SexualAbuse,
        Marker::BlocksConflict,
        Marker::ChildrenInHousehold,
        Marker::HonourBasedPrompt,
    ];
    const DOMAINS: [Domain; 4] = [
        Domain::Separation,
        Domain::ThirdPartyThreat,
        Domain::Fear,
        Domain::Children,
    ];
    const ANSWERS: [Answer; 4] = [Answer::Yes, Answer::No, Answer::NotKnown, Answer::Declined];

    #[test]
    fn every_marker_is_counted() {
        assert_eq!(ALL_MARKERS.len(), MARKERS);
        for (i, m) in ALL_MARKERS.iter().enumerate() {
            assert_eq!(*m as usize, i);
        }
    }

    /// A question: its markers and domains as bit sets over the lists above.
    fn question() -> impl Strategy<Value = (u16, u8)> {
        (0u16..(1 << MARKERS), 0u8..16)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The masks give the evidence the marker scan gives, on forms of 1 to 128
        /// questions with any markers and domains, and any answers.
        #[test]
        fn the_masks_give_the_marker_scans_evidence(
            qs in proptest::collection::vec((question(), 0usize..4), 1..=128),
            screen in (0usize..3, 0usize..3),
            separated in any::<bool>(),
        ) {
            let mut inst = Instrument::dash_2009().clone();
            inst.questions = qs
                .iter()
                .enumerate()
                .map(|(i, ((markers, domains), _))| Question {
                    id: format!("q{}", i + 1),
                    number: i as u32 + 1,
                    text: String::new(),
                    markers: ALL_MARKERS
                        .iter()
                        .enumerate()
                        .filter(|(b, _)| markers & (1 << b) != 0)
                        .map(|(_, m)| *m)
                        .collect(),
                    domains: DOMAINS
                        .iter()
                        .enumerate()
                        .filter(|(b, _)| domains & (1 << b) != 0)
                        .map(|(_, d)| *d)
                        .collect(),
                })
                .collect();
            let answers: Vec<Answer> = qs.iter().map(|(_, a)| ANSWERS[*a]).collect();
            let mut a = Assessment::default();
            a.conflict_screen.fear = ANSWERS[screen.0];
            a.conflict_screen.power_imbalance = ANSWERS[screen.1];
            a.conflict_screen.recent_transitions =
                separated.then(|| vec![Transition::Separation]);
            let masks = FormMasks::new(&inst);
            let r = Resolved {
                idx: 0,
                inst: &inst,
                form: None,
                masks: &masks,
                answers: &answers,
            };
            let ev = evidence(&r, &a);
            prop_assert_eq!(by_masks(&ev), by_markers(&inst.questions, &answers, &a));
        }

        /// A key's position from the masks is the instrument's, for any key, on
        /// forms whose ids are `q1…qN`, or have a gap and a large number.
        #[test]
        fn positions_from_the_masks_are_the_instruments(
            len in 1usize..=128,
            key in "q?[0-9]{0,4}|q0[0-9]{1,2}|q1[0-9]{3}|[a-zA-Z0-9 ]{0,5}",
            renumber in any::<bool>(),
        ) {
            let mut inst = Instrument::dash_2009().clone();
            let template = inst.questions[0].clone();
            inst.questions = (0..len)
                .map(|i| Question {
                    id: if renumber && i == len / 2 {
                        format!("q{}", i + 500)
                    } else {
                        format!("q{}", i + 1)
                    },
                    ..template.clone()
                })
                .collect();
            let masks = FormMasks::new(&inst);
            match masks.position(&key) {
                Some(i) => prop_assert_eq!(Some(i), inst.position(&key)),
                None => prop_assert!(inst.position(&key).is_none()),
            }
        }
    }

    #[test]
    fn built_in_forms_are_looked_up_by_number() {
        for inst in Instrument::builtin() {
            let m = FormMasks::new(inst);
            for (i, q) in inst.questions.iter().enumerate() {
                assert_eq!(m.position(&q.id), Some(i), "{} {}", inst.id, q.id);
            }
            for key in ["q0", "q01", "q28", "q", "Q1", "q1 ", "q1000", ""] {
                assert_eq!(m.position(key), None, "{key}");
            }
        }
        for (id, n) in [("q1", 1), ("q12", 12), ("q27", 27), ("q999", 999)] {
            assert_eq!(number(id), Some(n), "{id}");
        }
        // A form with a repeated id is not looked up by number.
        let mut inst = Instrument::dash_2009().clone();
        inst.questions[0].id = "q2".into();
        assert_eq!(FormMasks::new(&inst).position("q3"), None);
        // A form with an id of another shape is not looked up by number.
        let mut inst = Instrument::dash_2009().clone();
        inst.questions[3].id = "q04".into();
        assert_eq!(FormMasks::new(&inst).position("q1"), None);
    }
}
