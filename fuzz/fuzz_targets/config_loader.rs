//! Fuzzes the catalog and config readers: any text, read as a catalog file and as a `kpi.yaml`,
//! must load or end in validation problems, never a panic, a stack overflow or a hang on aliases.

#![no_main]

use std::path::Path;

use kpi::input::{catalog, config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = catalog::load(text, "c.yaml");
    // `extends:` paths resolve under a directory that does not exist, so nothing is read from disk.
    let _ = config::load(text, "kpi.yaml", Path::new("/nonexistent"), None);
});
