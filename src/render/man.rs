//! `kpi man`: manual pages in roff, `kpi.1` and one page per subcommand (`kpi-check.1`, ...), each
//! with its options (from the command line's definition, through `clap_mangen`), its exit status
//! and examples. The pages pass `mandoc -T lint`: an upper-case title, a date, no trailing
//! whitespace and no input line over 80 bytes. Text only: writing the files is the caller's.

use std::fmt::Write;

/// The pages' date: the day this manual was last revised.
const DATE: &str = "2026-12-01";

/// What each page says about exit status and gives as examples, by command path.
struct Extra {
    path: &'static str,
    exit: &'static [(&'static str, &'static str)],
    examples: &'static [(&'static str, &'static str)],
}

const ERROR: (&str, &str) = (
    "2",
    "An error: bad arguments, unreadable or invalid input, or an output that could not be written.",
);
const DONE: (&str, &str) = ("0", "Done.");

const EXTRAS: &[Extra] = &[
    Extra {
        path: "kpi",
        exit: &[
            ("0", "The command succeeded; for kpi check, the gate passed."),
            ("1", "kpi check: the gate failed."),
            ERROR,
        ],
        examples: &[
            ("Grade a file of measurements:", "kpi check metrics.csv"),
            (
                "Write the weekly check-in as a page to project:",
                "kpi report history.csv --format html -o check-in.html",
            ),
        ],
    },
    Extra {
        path: "kpi check",
        exit: &[
            ("0", "The gate passed."),
            (
                "1",
                "The gate failed: a metric has the status --fail-on names, or no data under --require-all.",
            ),
            ERROR,
            (
                "N",
                "With --warn-exit-code N: the gate passed, but a metric warns (or fails, under --fail-on never).",
            ),
        ],
        examples: &[
            (
                "Print the table and write a JUnit report for CI:",
                "kpi check kpis.csv --export junit=kpi.xml",
            ),
            (
                "Fail on warnings too, and on metrics without data:",
                "kpi check --fail-on warn --require-all kpis.csv",
            ),
            ("Re-run last week's check-in:", "kpi check --as-of 2026-11-16 history.csv"),
        ],
    },
    Extra {
        path: "kpi report",
        exit: &[("0", "The report was written; its verdict is in the report."), ERROR],
        examples: &[
            (
                "The report in markdown with a chart of one metric:",
                "kpi report history.csv --chart mttr",
            ),
            (
                "The report as one self-contained HTML page:",
                "kpi report history.csv --format html -o check-in.html",
            ),
        ],
    },
    Extra {
        path: "kpi catalog",
        exit: &[DONE, ERROR],
        examples: &[("List the metrics in effect:", "kpi catalog list")],
    },
    Extra {
        path: "kpi catalog list",
        exit: &[DONE, ERROR],
        examples: &[("List the metrics of a config:", "kpi --config kpi.yaml catalog list")],
    },
    Extra {
        path: "kpi catalog show",
        exit: &[DONE, ("2", "The metric is unknown, or the catalog or config is invalid.")],
        examples: &[("Describe a metric by its id, name or alias:", "kpi catalog show mttr")],
    },
    Extra {
        path: "kpi catalog validate",
        exit: &[("0", "The file is valid."), ("2", "The file has problems; each is listed.")],
        examples: &[("Check a config before committing it:", "kpi catalog validate kpi.yaml")],
    },
    Extra {
        path: "kpi catalog suggest",
        exit: &[
            ("0", "The suggestions were printed, or written into the config with --write."),
            ("2", "The measurements or the config could not be read, or the config not edited."),
        ],
        examples: &[
            ("Suggest tighter targets from the history:", "kpi catalog suggest history.csv"),
            (
                "Require eight check-ins and write the thresholds into kpi.yaml:",
                "kpi catalog suggest --checkins 8 --write history.csv",
            ),
        ],
    },
    Extra {
        path: "kpi catalog schema",
        exit: &[DONE],
        examples: &[("Save the schema for editors:", "kpi catalog schema > kpi.schema.json")],
    },
    Extra {
        path: "kpi init",
        exit: &[
            DONE,
            ("2", "A file exists and --force was not given, or it could not be written."),
        ],
        examples: &[("Start a new team's files:", "kpi init")],
    },
    Extra {
        path: "kpi completions",
        exit: &[DONE],
        examples: &[(
            "Install completions for bash:",
            "kpi completions bash > ~/.local/share/bash-completion/completions/kpi",
        )],
    },
    Extra {
        path: "kpi man",
        exit: &[DONE, ERROR],
        examples: &[("Write every page into a directory:", "kpi man --dir man/man1")],
    },
    Extra {
        path: "kpi collect",
        exit: &[
            ("0", "The rows were written; metrics a source could not give are named on stderr."),
            ("2", "A source could not be read, a row is already in the history, or a usage error."),
        ],
        examples: &[
            ("Print this week's rows from the git history:", "kpi collect git=."),
            ("Add them to the history file:", "kpi collect git --append history.csv"),
        ],
    },
];

/// Every page: `kpi.1` first, then one per subcommand at any depth, as file name and roff.
///
/// # Panics
/// Never: pages are rendered into memory.
pub fn pages(cmd: clap::Command) -> Vec<(String, String)> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, "kpi", &mut out);
    out
}

fn collect(cmd: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
    let man = clap_mangen::Man::new(cmd.clone())
        .title(path.replace(' ', "-").to_uppercase())
        .date(DATE)
        .source(concat!("kpi ", env!("CARGO_PKG_VERSION")));
    let mut roff = Vec::new();
    man.render(&mut roff).expect("a page rendered into memory always writes");
    let mut text = String::from_utf8_lossy(&roff).into_owned();
    if let Some(extra) = EXTRAS.iter().find(|e| e.path == path) {
        text.push_str(&extra_sections(extra));
    }
    out.push((man.get_filename(), lint_clean(&text)));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, &format!("{path} {}", sub.get_name()), out);
    }
}

/// The EXIT STATUS and EXAMPLES sections.
fn extra_sections(extra: &Extra) -> String {
    let mut roff = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in extra.exit {
        writeln!(roff, ".TP\n{}\n{}", escape(code), escape(meaning)).ok();
    }
    roff.push_str(".SH EXAMPLES\n");
    for (i, (what, command)) in extra.examples.iter().enumerate() {
        if i > 0 {
            roff.push_str(".PP\n");
        }
        writeln!(roff, "{}\n.RS 4\n.EX\n{}\n.EE\n.RE", escape(what), escape(command)).ok();
    }
    roff
}

/// Text for a roff line: backslashes and hyphens escaped, and a leading `.` or `'` guarded, so
/// that it is never read as a request.
fn escape(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) { format!("\\&{text}") } else { text }
}

/// Trailing whitespace removed, blank lines and repeated line breaks (`.br` twice, which mandoc
/// flags) dropped, and text lines over 80 bytes broken at spaces: roff fills text lines into
/// paragraphs, so the page reads the same. Request lines are left alone.
fn lint_clean(roff: &str) -> String {
    let mut out = String::with_capacity(roff.len() + roff.len() / 40);
    let mut example = false;
    for line in roff.lines() {
        let line = line.trim_end();
        if line.is_empty() || (line == ".br" && out.ends_with(".br\n")) {
            continue;
        }
        if line.starts_with(".EX") {
            example = true;
        } else if line.starts_with(".EE") {
            example = false;
        }
        if example || line.len() <= 80 || line.starts_with(['.', '\'']) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut current = String::new();
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            if !current.is_empty() && current.len() + 1 + word.len() > 80 {
                out.push_str(&current);
                out.push('\n');
                current.clear();
            }
            if current.is_empty() && word.starts_with(['.', '\'']) {
                current.push_str("\\&");
            } else if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_lines_are_broken_at_spaces_and_never_start_a_request() {
        let long = format!("{} .not a request", "word ".repeat(17));
        let clean = lint_clean(&format!(".TH X 1\n{long}  \n"));
        assert!(clean.lines().all(|l| l.len() <= 80 && l == l.trim_end()), "{clean}");
        assert!(clean.lines().skip(1).all(|l| !l.starts_with('.')), "{clean}");
        assert_eq!(clean.split_whitespace().count(), long.split_whitespace().count() + 3);
    }

    #[test]
    fn every_page_has_an_exit_status_and_examples() {
        use clap::CommandFactory;
        let pages = pages(crate::cli::Cli::command());
        let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names[0], "kpi.1");
        for name in ["kpi-check.1", "kpi-report.1", "kpi-catalog-validate.1", "kpi-man.1"] {
            assert!(names.contains(&name), "{names:?}");
        }
        for (name, page) in &pages {
            assert!(page.contains(".SH \"EXIT STATUS\"\n"), "{name} has no exit status");
            assert!(page.contains(".SH EXAMPLES\n"), "{name} has no examples");
        }
    }
}
