//! The pure core: units, thresholds, the catalog model and evaluation. Nothing here reads files,
//! writes to a terminal, or knows YAML or CSV; it takes values and returns values.

pub mod catalog;
pub mod evaluate;
pub mod history;
pub mod scorecard;
pub mod threshold;
pub mod unit;

pub use unit::format_number;
