//! kpi's outputs checked by the tools that consume them: JUnit XML against the schema of Jenkins'
//! xunit plugin (`xmllint`), markdown through a real GFM renderer (`cmark-gfm`), the manual pages
//! through `mandoc -T lint`, the JSON Schema against the config reader on one corpus, and the
//! completion scripts' `--chart` candidates.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

mod common;
use common::{kpi, require_tool};

/// The schema Jenkins' xunit plugin validates JUnit reports against; see the `.source` file.
const XSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/xunit/junit-10.xsd");

fn run_with_stdin(program: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = kpi(args).output().unwrap();
    assert!(out.status.code().unwrap() < 2, "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `xmllint`'s verdict on an XML text: `Ok` when it is valid against the xunit schema.
fn validate(xmllint: &Path, xml: &str) -> Result<(), String> {
    let out = run_with_stdin(xmllint, &["--noout", "--schema", XSD, "-"], xml);
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
}

#[test]
fn junit_is_valid_against_the_jenkins_xunit_schema() {
    let Some(xmllint) = require_tool("xmllint") else { return };
    let runs: [&[&str]; 6] = [
        &["examples/struggling-team.csv"],
        &["examples/services.csv", "--config", "examples/levels.kpi.yaml"],
        &["examples/weekly-history.csv", "--fail-on", "warn"],
        &["examples/services.csv", "--require-all"],
        &[
            "examples/services.csv",
            "--config",
            "examples/services.kpi.yaml",
            "--today",
            "2026-11-30",
        ],
        &["examples/backend-team.csv"],
    ];
    for args in runs {
        let mut all = vec!["check", "--format", "junit"];
        all.extend(args);
        let xml = stdout(&all);
        if let Err(problems) = validate(&xmllint, &xml) {
            panic!("`kpi {}` is not valid JUnit for Jenkins:\n{problems}\n{xml}", all.join(" "));
        }
    }
    // The schema is strict where kpi used to trip: a `skipped` count on the root is refused.
    let old = "<testsuites name=\"x\" tests=\"0\" skipped=\"0\" failures=\"0\" errors=\"0\"/>";
    assert!(validate(&xmllint, old).is_err(), "the schema check accepts what Jenkins refuses");
}

/// A config adding a metric whose every text is written in markdown's special characters.
const MARKED: &str = r#"metrics:
  p99_latency:
    name: "*p99* _latency_ `ms` ~~slow~~ back\\|slash"
    category: "R&D *core*"
    description: d
    target: "under 200 ms, ~roughly~ `p99`"
    unit: ms
    pass: "< 200"
    warn: "< 300"
    ideas: ["Use a `cache` for *hot* keys", "Avoid __dunder__ and \\ backslashes"]
"#;

#[test]
fn markdown_shows_special_characters_as_written_in_a_gfm_renderer() {
    let Some(cmark) = require_tool("cmark-gfm") else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kpi.yaml");
    std::fs::write(&config, MARKED).unwrap();
    let csv = dir.path().join("m.csv");
    std::fs::write(
        &csv,
        "date,metric,value\n2026-11-16,p99_latency,250ms\n2026-11-23,p99_latency,260ms\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let csv = csv.to_str().unwrap();
    for args in [
        vec!["check", "--config", config, "--format", "markdown", csv],
        vec!["report", "--config", config, csv, "--chart", "p99_latency"],
    ] {
        let markdown = stdout(&args);
        let out = run_with_stdin(
            &cmark,
            &["--extension", "table", "--extension", "strikethrough"],
            &markdown,
        );
        assert!(out.status.success());
        let html = String::from_utf8(out.stdout).unwrap();
        for tag in ["<em>", "<code>", "<del>"] {
            assert!(!html.contains(tag), "`{tag}` from a catalog text in:\n{html}\n\n{markdown}");
        }
        for text in [
            "*p99* _latency_ `ms` ~~slow~~ back\\|slash",
            "R&amp;D *core*",
            "under 200 ms, ~roughly~ `p99`",
            "Use a `cache` for *hot* keys",
            "Avoid __dunder__ and \\ backslashes",
        ] {
            assert!(html.contains(text), "`{text}` is not shown as written in:\n{html}");
        }
        // The metric's row keeps its cells: the escaped pipe did not split it.
        let count = |text: &str, tag: &str| {
            text.matches(&format!("<{tag}>")).count() + text.matches(&format!("<{tag} ")).count()
        };
        let at = html.find("<td>*p99*").expect("the metric's row");
        let cells = count(html[at..].split("</tr>").next().unwrap(), "td");
        let table = &html[..at];
        let header =
            count(table[table.rfind("<thead>").unwrap()..].split("</tr>").next().unwrap(), "th");
        assert_eq!(cells, header, "{html}");
    }
}

#[test]
fn every_manual_page_passes_mandoc_lint() {
    let Some(mandoc) = require_tool("mandoc") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = kpi(&["man", "--dir", dir.path().to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "kpi-catalog-list.1",
            "kpi-catalog-schema.1",
            "kpi-catalog-show.1",
            "kpi-catalog-suggest.1",
            "kpi-catalog-validate.1",
            "kpi-catalog.1",
            "kpi-check.1",
            "kpi-collect.1",
            "kpi-completions.1",
            "kpi-init.1",
            "kpi-man.1",
            "kpi-report.1",
            "kpi.1",
        ]
    );
    let main = std::fs::read_to_string(dir.path().join("kpi.1")).unwrap();
    for page in &pages {
        let out =
            Command::new(&mandoc).args(["-T", "lint"]).arg(dir.path().join(page)).output().unwrap();
        let problems = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && problems.is_empty(), "{page}:\n{problems}");
        // The main page names every page that exists.
        let name = page.trim_end_matches(".1");
        if page != "kpi.1" && !name.starts_with("kpi-catalog-") {
            assert!(
                main.contains(&format!("{}(1)", name.replace('-', "\\-"))),
                "kpi.1 does not name {name}"
            );
        }
    }
    let check = std::fs::read_to_string(dir.path().join("kpi-check.1")).unwrap();
    assert!(check.contains("\\-\\-export") && check.contains(".SH \"EXIT STATUS\""), "{check}");
}

/// Config snippets, each read by `kpi catalog validate` and checked by the JSON Schema.
const CORPUS: &[&str] = &[
    "extends: backend-team\n",
    "metrics:\n  error_rate:\n    aliases: errs\n",
    "metrics:\n  error_rate:\n    aliases: [errs, failures]\n",
    "metrics:\n  mttr:\n    ideas: Page the owner first\n",
    "metrics:\n  mttr:\n    ideas: []\n",
    "metrics:\n  mttr:\n    enabled: \"no\"\n",
    "metrics:\n  mttr:\n    enabled: false\n",
    "metrics:\n  mttr:\n    pass: fast\n",
    "metrics:\n  mttr:\n    colour: red\n",
    "scopes:\n  api:\n    metrics:\n      mttr:\n        ideas: Restart the pods\n",
    "waivers:\n  - metric: mttr\n    reason: migration\n    until: 2026-12-31\n",
    "waivers:\n  - metric: mttr\n    until: 2026-12-31\n",
];

#[test]
fn the_json_schema_and_the_config_reader_agree_on_a_shared_corpus() {
    let schema = kpi::input::schema::schema(kpi::input::schema::SchemaKind::Config);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    for (i, text) in CORPUS.iter().enumerate() {
        let path = dir.path().join(format!("kpi-{i}.yaml"));
        std::fs::write(&path, text).unwrap();
        let read = kpi(&["catalog", "validate", path.to_str().unwrap()]).output().unwrap();
        let reader = read.status.code() == Some(0);
        let instance: serde_json::Value = serde_yaml::from_str(text).unwrap();
        let schema_ok = validator.is_valid(&instance);
        if reader != schema_ok {
            disagreements.push(format!(
                "{text:?}: the reader says {reader} ({}), the schema {schema_ok}",
                String::from_utf8_lossy(&read.stderr).trim()
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn chart_completes_metric_ids_in_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&["completions", shell]);
        // Each script lists the candidates right after the option (bash in its `--chart)` case,
        // zsh in the option's spec, fish in its `-a` list).
        let offers = |at: usize| {
            let after: String = script[at..].chars().take(1500).collect();
            after.contains("mttr") && after.contains("response_time")
        };
        assert!(
            script.match_indices("chart").any(|(at, _)| offers(at)),
            "{shell}: `--chart` does not complete metric ids:\n{script}"
        );
    }
    // Bash, for real: complete `kpi report --chart m`.
    let Some(bash) = require_tool("bash") else { return };
    let script = stdout(&["completions", "bash"]);
    let probe = format!(
        "{script}\nCOMP_WORDS=(kpi report --chart m); COMP_CWORD=3; _kpi kpi m --chart; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = Command::new(bash).args(["--norc", "-c", &probe]).output().unwrap();
    let offered = String::from_utf8(out.stdout).unwrap();
    let offered: Vec<&str> = offered.lines().collect();
    assert!(offered.contains(&"mttr") && offered.contains(&"memory_usage"), "{offered:?}");
    assert!(!offered.contains(&"response_time"), "{offered:?}");
}

#[test]
fn counted_things_read_in_the_singular_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("one.csv");
    std::fs::write(
        &csv,
        "date,metric,value\n2026-11-16,deployment_frequency,1/day\n2026-11-23,deployment_frequency,2/day\n\
         2026-11-23,code_review_rounds,1\n2026-11-23,defect_density,1\n",
    )
    .unwrap();
    let table = stdout(&["check", "--color", "never", csv.to_str().unwrap()]);
    for words in ["1 round ", "1 defect/KLOC", "↑ 1 deploy/day"] {
        assert!(table.contains(words), "`{words}` missing from:\n{table}");
    }
}
