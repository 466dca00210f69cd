//! Writes a synthetic long-format check-in history for benchmarks: `date,scope,metric,value`, one
//! row per scope, metric and weekly date, values written with units the way people write them.
//!
//! `cargo run --release --example gen_history -- OUT [SCOPES] [WEEKS]`; the defaults (1283 scopes,
//! 52 weeks, the catalog's 15 metrics) give one million rows, about 45 MB. The values come from a
//! fixed pseudo-random sequence, so every run writes the same file.

use std::fs::File;
use std::io::{BufWriter, Write};

/// How a value is written, e.g. `180ms`.
type Spell = fn(f64) -> String;

/// Each catalog metric with a typical value, how much it wanders, and how its value is written.
const METRICS: &[(&str, f64, f64, Spell)] = &[
    ("response_time", 180.0, 60.0, |v| format!("{v:.0}ms")),
    ("error_rate", 0.8, 0.6, |v| format!("{v:.2}%")),
    ("requests_per_second", 1500.0, 600.0, |v| format!("{:.1}k", v / 1000.0)),
    ("cpu_utilisation", 62.0, 15.0, |v| format!("{v:.1}%")),
    ("memory_usage", 75.0, 12.0, |v| format!("{v:.0}%")),
    ("code_review_rounds", 1.8, 0.8, |v| format!("{v:.1}")),
    ("code_coverage", 80.0, 8.0, |v| format!("{v:.1}%")),
    ("defect_density", 0.9, 0.6, |v| format!("{v:.2}")),
    ("code_commits", 14.0, 8.0, |v| format!("{v:.0}/week")),
    ("code_complexity", 9.0, 4.0, |v| format!("{v:.1}")),
    ("code_quality", 8.0, 5.0, |v| format!("{v:.1}")),
    ("deployment_frequency", 1.5, 1.0, |v| format!("{v:.1}/day")),
    ("mttr", 55.0, 40.0, |v| format!("{}h{}m", (v / 60.0).floor(), (v % 60.0).floor())),
    ("test_coverage", 76.0, 8.0, |v| format!("{v:.0}%")),
    ("api_response_time", 0.17, 0.06, |v| format!("{v:.2}s")),
];

/// A small deterministic generator (xorshift64*): reproducible data without a dependency.
struct Rng(u64);

impl Rng {
    /// A number in `[0, 1)`.
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        #[allow(clippy::cast_precision_loss)]
        let unit = (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
        unit
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| {
        eprintln!("usage: gen_history OUT [SCOPES] [WEEKS]");
        std::process::exit(2)
    });
    let scopes: u32 = args.next().map_or(1283, |s| s.parse().expect("SCOPES is a number"));
    let weeks: i64 = args.next().map_or(52, |s| s.parse().expect("WEEKS is a number"));
    let mut file = BufWriter::with_capacity(1 << 16, File::create(&out)?);
    writeln!(file, "date,scope,metric,value")?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let first = jiff::civil::date(2025, 12, 1);
    for week in 0..weeks {
        let date = first.checked_add(jiff::Span::new().weeks(week)).expect("a date within range");
        for scope in 0..scopes {
            for &(metric, typical, spread, write) in METRICS {
                // One value in a hundred is left blank: a check-in that missed a metric.
                let value = if rng.next() < 0.01 {
                    String::new()
                } else {
                    write((typical + spread * (rng.next() * 2.0 - 1.0)).max(0.0))
                };
                writeln!(file, "{date},service-{scope:04},{metric},{value}")?;
            }
        }
    }
    file.flush()
}
