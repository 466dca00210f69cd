//! kpi: grade measured KPIs against a catalog of agreed targets and report pass / warn / fail.
//!
//! Data flows one way: `cli` -> `app` -> `input` (catalog YAML, measurements CSV into one store)
//! and `collect` (reports, git and live systems into the same store) -> `core` (evaluation,
//! scorecard) -> `render` (one module per output format) -> `output` (standard output and files).
//! `progress` shows, on a terminal, how far reading a large input has got.

pub mod app;
pub mod cli;
pub mod collect;
pub mod core;
pub mod input;
pub mod output;
pub(crate) mod progress;
pub mod render;

pub use app::run;
