//! The two numbers `dashrisk train` reports, ROC AUC and the Brier score: the core's
//! metrics module ([`dashrisk::metrics`]), which has every other figure too. Kept
//! here under its old path; there is one copy.

pub use dashrisk::metrics::{brier, roc_auc};
