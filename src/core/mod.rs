//! The pure core: units, thresholds, the catalog model, tailoring it with a config, evaluation and
//! waivers. Nothing here reads files, writes to a terminal, reads the clock, or knows YAML or CSV; it
//! takes values and returns values.

pub mod catalog;
pub mod config;
pub mod evaluate;
pub mod history;
pub mod scorecard;
pub mod threshold;
pub mod unit;
pub mod waiver;

pub use unit::format_number;
