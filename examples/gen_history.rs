//! Writes a synthetic long-format check-in history for benchmarks (see `benches/support/history.rs`).
//!
//! `cargo run --release --example gen_history -- OUT [SCOPES] [WEEKS] [--peer | --shuffled]`
//!
//! The defaults (1283 scopes, 52 weeks, the catalog's 15 metrics) give one million rows, about
//! 45 MB. `--peer` writes the shape `scripts/bench.sh` compares with `DuckDB` on (values in the units
//! its query converts); `--shuffled` writes those rows in a fixed random order.

use std::fs::File;
use std::io::{BufWriter, Write};

#[path = "../benches/support/history.rs"]
mod history;

fn main() -> std::io::Result<()> {
    let usage = || -> ! {
        eprintln!("usage: gen_history OUT [SCOPES] [WEEKS] [--peer | --shuffled]");
        std::process::exit(2)
    };
    let (flags, args): (Vec<String>, Vec<String>) =
        std::env::args().skip(1).partition(|a| a.starts_with("--"));
    let peer = flags.iter().any(|f| f == "--peer");
    let shuffled = flags.iter().any(|f| f == "--shuffled");
    if flags.iter().any(|f| f != "--peer" && f != "--shuffled") {
        usage();
    }
    let mut args = args.into_iter();
    let out = args.next().unwrap_or_else(|| usage());
    let scopes: u32 = args.next().map_or(1283, |s| s.parse().unwrap_or_else(|_| usage()));
    let weeks: i64 = args.next().map_or(52, |s| s.parse().unwrap_or_else(|_| usage()));
    let mut file = BufWriter::with_capacity(1 << 16, File::create(&out)?);
    if peer || shuffled {
        history::write_peer(&mut file, scopes, weeks, shuffled)?;
    } else {
        history::write(&mut file, scopes, weeks)?;
    }
    file.flush()
}
