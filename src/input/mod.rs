//! Readers at the edge: the catalog from YAML and measurements from CSV, into the core model.

pub mod catalog;
mod lines;
pub mod measurements;
