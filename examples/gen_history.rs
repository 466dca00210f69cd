//! Writes a synthetic long-format check-in history for benchmarks (see `benches/support/history.rs`).
//!
//! `cargo run --release --example gen_history -- OUT [SCOPES] [WEEKS]`; the defaults (1283 scopes,
//! 52 weeks, the catalog's 15 metrics) give one million rows, about 45 MB.

use std::fs::File;
use std::io::{BufWriter, Write};

#[path = "../benches/support/history.rs"]
mod history;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| {
        eprintln!("usage: gen_history OUT [SCOPES] [WEEKS]");
        std::process::exit(2)
    });
    let scopes: u32 = args.next().map_or(1283, |s| s.parse().expect("SCOPES is a number"));
    let weeks: i64 = args.next().map_or(52, |s| s.parse().expect("WEEKS is a number"));
    let mut file = BufWriter::with_capacity(1 << 16, File::create(&out)?);
    history::write(&mut file, scopes, weeks)?;
    file.flush()
}
