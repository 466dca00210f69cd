//! Benchmarks of the measurement reader on a generated history: long rows in date order (the usual
//! export), the same rows shuffled (the duplicate check then sorts), the same data wide, and many
//! services with two check-ins each (a series per row pair).
//!
//! `cargo bench --bench reader`; `scripts/bench.sh` measures the whole binary on a million rows.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kpi::input::catalog::load_builtin;
use kpi::input::measurements::{Store, csv};

#[path = "support/history.rs"]
mod history;

/// 100 scopes, a year of weekly check-ins, 15 metrics: 78,000 rows, about 3.4 MB.
fn long() -> String {
    let mut bytes = Vec::new();
    history::write(&mut bytes, 100, 52).expect("writing to memory");
    String::from_utf8(bytes).expect("the generator writes UTF-8")
}

/// The rows of `text` after its header in a fixed pseudo-random order.
fn shuffled(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let mut keyed: Vec<(u64, &str)> = lines
        .into_iter()
        .zip(0u64..)
        .map(|(line, i)| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29), line))
        .collect();
    keyed.sort_unstable();
    let mut out = format!("{header}\n");
    for (_, line) in keyed {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The long history as a wide file: one row per date and scope, one column per metric.
fn wide(text: &str) -> String {
    let mut columns: Vec<&str> = Vec::new();
    let mut row: Option<(&str, &str)> = None;
    let mut values: Vec<&str> = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (date, scope, metric, value) = (fields[0], fields[1], fields[2], fields[3]);
        if row != Some((date, scope)) {
            if let Some((d, s)) = row {
                rows.push(format!("{d},{s},{}", values.join(",")));
            }
            row = Some((date, scope));
            values.clear();
        }
        if !columns.contains(&metric) {
            columns.push(metric);
        }
        values.push(value);
    }
    if let Some((d, s)) = row {
        rows.push(format!("{d},{s},{}", values.join(",")));
    }
    let mut out = format!("date,scope,{}\n", columns.join(","));
    for row in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

fn reader(c: &mut Criterion) {
    let catalog = load_builtin().expect("the built-in catalog loads");
    let long = long();
    let mut many = Vec::new();
    history::write_peer(&mut many, 5_000, 2, false).expect("writing to memory");
    let many = String::from_utf8(many).expect("the generator writes UTF-8");
    let inputs = [
        ("long", long.clone()),
        ("long shuffled", shuffled(&long)),
        ("wide", wide(&long)),
        ("many services", many),
    ];
    let mut group = c.benchmark_group("reader");
    group.sample_size(20);
    for (name, text) in &inputs {
        group.throughput(Throughput::Bytes(u64::try_from(text.len()).expect("a few megabytes")));
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut collector = Store::new(&catalog);
                csv::read(&mut collector, text.as_bytes(), "bench.csv").expect("the history reads");
                collector.finish().expect("the history has values")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, reader);
criterion_main!(benches);
