//! Fuzzes the measurement reader: any bytes, read as one or two CSV files, must end in measurements
//! or a one-line error (with indented lines under it for every header problem), never a panic; whatever reads is evaluated and rendered in every format,
//! as of no date and as of a date taken from the input.

#![no_main]

use std::sync::OnceLock;

use kpi::core::catalog::Catalog;
use kpi::core::evaluate::evaluate;
use kpi::core::history::When;
use kpi::core::scorecard::{FailOn, GatePolicy};
use kpi::input::catalog::load_builtin;
use kpi::input::measurements::{Store, csv};
use kpi::render::{self, Format, Style};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| load_builtin().expect("the built-in catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    // A form feed splits the input into two files, so merging files is fuzzed too.
    let files: Vec<&[u8]> = data.splitn(2, |&b| b == b'\x0c').collect();
    let catalog = catalog();
    let as_of = When::parse("2026-11-16").ok();
    let mut collector = Store::new(catalog);
    let read = files
        .iter()
        .enumerate()
        .try_for_each(|(i, file)| csv::read(&mut collector, *file, &format!("f{i}.csv")))
        .and_then(|()| collector.finish());
    match read {
        Ok(data) => {
            let policy = GatePolicy { fail_on: FailOn::Warn, require_all: true };
            for as_of in [None, as_of] {
                let card = evaluate(catalog, &data, as_of, policy);
                for format in
                    Format::ALL
                {
                    render::render(format, &card, Style { color: true, width: Some(60) });
                }
                render::report::render(&card, &["mttr".to_string()]);
            }
        }
        Err(err) => {
            // One line, or a first line and indented lines under it (every header problem).
            let message = err.to_string();
            let mut lines = message.split('\n');
            assert!(lines.next().is_some_and(|l| !l.is_empty()), "an empty first line: {err}");
            assert!(lines.all(|l| l.starts_with("  ")), "a message on several lines: {err}");
        }
    }
});
