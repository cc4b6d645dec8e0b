//! The stages of [`Scorer::assess`](crate::Scorer::assess), in pipeline order
//! (docs/ARCHITECTURE.md, "The assessment pipeline"):
//!
//! resolve → grading ([`crate::grading`]) → evidence → estimate → decision →
//! safeguarding → pathways → reasons.
//!
//! Each stage takes plain data and returns plain data. Rules read instrument
//! markers, never question ids. Only `reasons` writes text, and it writes it from
//! the other stages' facts without testing a threshold again.

pub(crate) mod decision;
pub(crate) mod estimate;
pub(crate) mod evidence;
pub(crate) mod pathways;
pub(crate) mod reasons;
pub(crate) mod resolve;
pub(crate) mod safeguarding;
