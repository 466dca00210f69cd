//! A synthetic long-format check-in history for benchmarks: `date,scope,metric,value`, one row per
//! weekly date, scope and catalog metric, values written with units the way people write them. The
//! values come from a fixed pseudo-random sequence, so the same arguments give the same bytes.
//! Shared by the benches and `examples/gen_history.rs`.

use std::io::{self, Write};

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

/// Writes the history: `weeks` weekly dates from 2025-12-01, each with every scope, each scope with
/// every metric. One value in a hundred is blank: a check-in that missed a metric.
pub fn write(out: &mut impl Write, scopes: u32, weeks: i64) -> io::Result<()> {
    writeln!(out, "date,scope,metric,value")?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let first = jiff::civil::date(2025, 12, 1);
    for week in 0..weeks {
        let date = first.checked_add(jiff::Span::new().weeks(week)).map_err(io::Error::other)?;
        for scope in 0..scopes {
            for &(metric, typical, spread, spell) in METRICS {
                let value = if rng.next() < 0.01 {
                    String::new()
                } else {
                    spell((typical + spread * (rng.next() * 2.0 - 1.0)).max(0.0))
                };
                writeln!(out, "{date},service-{scope:04},{metric},{value}")?;
            }
        }
    }
    Ok(())
}

/// Each catalog metric with the range its values are drawn from and how a value is written, in
/// the units the `DuckDB` query in `scripts/duckdb_peer.sql` converts: the shape the comparison with
/// `DuckDB` is measured on.
#[allow(dead_code)] // not every bench that includes this file writes this shape
const PEER_METRICS: &[(&str, f64, f64, Spell)] = &[
    ("response_time", 60.0, 400.0, |v| format!("{v:.1}ms")),
    ("error_rate", 0.0, 3.0, |v| format!("{v:.2}%")),
    ("requests_per_second", 300.0, 9000.0, |v| format!("{v:.0}")),
    ("cpu_utilisation", 10.0, 99.0, |v| format!("{v:.1}%")),
    ("memory_usage", 20.0, 99.0, |v| format!("{v:.1}%")),
    ("code_review_rounds", 0.5, 4.0, |v| format!("{v:.2}")),
    ("code_coverage", 40.0, 99.0, |v| format!("{v:.1}%")),
    ("defect_density", 0.0, 3.0, |v| format!("{v:.2}")),
    ("code_commits", 0.0, 6.0, |v| format!("{v:.1}/day")),
    ("code_complexity", 2.0, 25.0, |v| format!("{v:.1}")),
    ("code_quality", 0.0, 30.0, |v| format!("{v:.1}")),
    ("deployment_frequency", 0.0, 20.0, |v| format!("{:.0}/week", v.floor())),
    ("mttr", 5.0, 300.0, |v| format!("{:.0}m", v.floor())),
    ("test_coverage", 40.0, 99.0, |v| format!("{v:.1}%")),
    ("api_response_time", 50.0, 500.0, |v| format!("{v:.0}ms")),
];

/// Writes the history the `DuckDB` comparison reads: `weeks` weekly dates from 2025-01-06, each with
/// every scope (`service-000000` on), each scope with every metric, every value present. With
/// `shuffled`, the same rows in an order fixed by the generator's seed: a reader's worst case.
#[allow(dead_code)]
pub fn write_peer(out: &mut impl Write, scopes: u32, weeks: i64, shuffled: bool) -> io::Result<()> {
    writeln!(out, "date,scope,metric,value")?;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let first = jiff::civil::date(2025, 1, 6);
    let mut rows = Vec::new();
    for week in 0..weeks {
        let date = first.checked_add(jiff::Span::new().weeks(week)).map_err(io::Error::other)?;
        for scope in 0..scopes {
            for &(metric, lo, hi, spell) in PEER_METRICS {
                let row = format!(
                    "{date},service-{scope:06},{metric},{}\n",
                    spell(lo + (hi - lo) * rng.next())
                );
                if shuffled {
                    rows.push(row);
                } else {
                    out.write_all(row.as_bytes())?;
                }
            }
        }
    }
    // Fisher-Yates with the same generator: the same order on every run.
    for i in (1..rows.len()).rev() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let j = (rng.next() * (i + 1) as f64) as usize;
        rows.swap(i, j);
    }
    rows.iter().try_for_each(|row| out.write_all(row.as_bytes()))
}
