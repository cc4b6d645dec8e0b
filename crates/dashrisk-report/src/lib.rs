//! Reports on assessed call-outs, on top of the `dashrisk` core: no I/O here (the
//! command line reads and writes), no network, and no threads but those of the
//! cargo feature `parallel` (off by default), which computes an evaluation's tools
//! on every core through `dashrisk::batch`.
//!
//! - [`suppress`]: small-cell suppression (primary and secondary), shared by every
//!   report that publishes counts of incidents.
//! - [`summary`]: the call-out summary of `dashrisk summarise`, streamed record by
//!   record into counts.
//! - [`render`]: the summary as JSON, as a plain-text table, and as one
//!   self-contained HTML page with inline SVG charts (nothing loaded from
//!   elsewhere).
//! - [`evaluate`]: `dashrisk evaluate`'s figures: tools side by side on labelled
//!   records, workload, routing safety, per-group figures and funnel limits.
//! - [`eval_render`]: the evaluation as JSON, text and a self-contained HTML report.
//! - [`screen`]: screening rules encoded as data (the Lethality Assessment Program
//!   screen).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod eval_records;
pub mod eval_render;
pub mod evaluate;
pub mod render;
pub mod screen;
pub mod summary;
pub mod suppress;

pub use summary::{Options, Period, RowId, RowKey, Summary, Tally};
