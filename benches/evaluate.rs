//! Benchmarks of the evaluator on a generated history (100 scopes, a year of weekly check-ins), and
//! of the JSON rendering of its scorecard, the largest output.
//!
//! `cargo bench --bench evaluate`.

use criterion::{Criterion, criterion_group, criterion_main};
use kpi::core::evaluate::evaluate;
use kpi::core::history::When;
use kpi::core::scorecard::{FailOn, GatePolicy};
use kpi::input::catalog::load_builtin;
use kpi::input::measurements::{Store, csv};
use kpi::render::json;

#[path = "support/history.rs"]
mod history;

fn evaluator(c: &mut Criterion) {
    let catalog = load_builtin().expect("the built-in catalog loads");
    let mut text = Vec::new();
    history::write(&mut text, 100, 52).expect("writing to memory");
    // As the application does, the reader keeps what an evaluation at the same date can show.
    let read = |as_of| {
        let mut collector = Store::new(&catalog).as_of(as_of);
        csv::read(&mut collector, text.as_slice(), "bench.csv").expect("the history reads");
        collector.finish().expect("the history has values")
    };
    let mid_year = When::parse("2026-06-01").expect("a date");
    let (data, mid_year_data) = (read(None), read(Some(mid_year)));
    let policy = GatePolicy { fail_on: FailOn::Fail, require_all: false };

    let mut group = c.benchmark_group("evaluate");
    group.sample_size(30);
    group.bench_function("latest", |b| b.iter(|| evaluate(&catalog, &data, None, policy)));
    group.bench_function("as of mid-year", |b| {
        b.iter(|| evaluate(&catalog, &mid_year_data, Some(mid_year), policy));
    });
    let card = evaluate(&catalog, &data, None, policy);
    group.bench_function("json", |b| {
        b.iter(|| json::write(&card, false, &mut std::io::sink()).expect("a sink takes anything"));
    });
    group.finish();
}

criterion_group!(benches, evaluator);
criterion_main!(benches);
