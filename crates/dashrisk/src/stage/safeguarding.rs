//! Safeguarding: the children, and the notifications to children's social care and
//! (through Operation Encompass) to their school.
//!
//! Children are *linked* to the incident when they live in the household or were
//! exposed to it. Until a supervisor decides, an `unclear` case is handled as a
//! domestic incident (current practice), so it notifies like abuse.

use super::evidence::Evidence;
use crate::answers::{Answer, Assessment};
use crate::result::{ChildLink, Classification, Flag};
use crate::set::Set;

/// The children and the notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Safeguarding {
    /// Children in the household, as recorded.
    pub in_household: Option<bool>,
    /// Children linked to the incident.
    pub linked: Option<bool>,
    /// Why they are linked.
    pub linked_by: Set<ChildLink>,
    /// Harm or threats to children reported.
    pub child_harm: bool,
    /// Whether children were exposed to the incident is not known or declined: a
    /// household recorded without children does not say that no child was there.
    pub exposure_unknown: bool,
    /// Notify children's social care.
    pub csc: bool,
    /// Notify the school (Operation Encompass).
    pub school: bool,
}

pub(crate) fn safeguard(
    a: &Assessment,
    ev: &Evidence,
    classification: Classification,
) -> Safeguarding {
    // A "yes" to a children-in-household item wins over a "no" in the context: the
    // cautious reading of a contradiction. Never guessed "no".
    let in_household = if ev.children_item_yes {
        Some(true)
    } else {
        a.context.children_in_household
    };
    let mut linked_by = Set::new();
    linked_by.insert_if(in_household == Some(true), ChildLink::InHousehold);
    linked_by.insert_if(
        a.conflict_screen.children_exposed == Answer::Yes,
        ChildLink::Exposed,
    );
    let linked = if linked_by.is_empty() {
        in_household
    } else {
        Some(true)
    };
    let child_harm = ev.flagged(Flag::ChildHarm);
    let csc = match classification {
        // An unknown household is notified, so that it is checked; harm to children
        // is notified wherever they live.
        Classification::DomesticAbuse => linked != Some(false) || child_harm,
        Classification::Unclear => linked != Some(false),
        Classification::ParentalConflict => false,
    };
    Safeguarding {
        in_household,
        linked,
        linked_by,
        child_harm,
        exposure_unknown: a.conflict_screen.children_exposed.is_unknown(),
        csc,
        // A notice needs a child whose school can be found.
        school: csc && linked == Some(true),
    }
}
