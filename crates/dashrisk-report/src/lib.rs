//! Reports on assessed call-outs, on top of the `dashrisk` core: no I/O here (the
//! command line reads and writes), no network, no threads.
//!
//! - [`suppress`]: small-cell suppression (primary and secondary), shared by every
//!   report that publishes counts of incidents.
//! - [`summary`]: the call-out summary of `dashrisk summarise`, streamed record by
//!   record into counts.
//! - [`render`]: the summary as JSON, as a plain-text table, and as one
//!   self-contained HTML page with inline SVG charts (nothing loaded from
//!   elsewhere).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod render;
pub mod summary;
pub mod suppress;

pub use summary::{Options, Period, RowKey, Summary, Tally};
