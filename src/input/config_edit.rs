//! Changing a `kpi.yaml` in place, line by line, so that its comments and layout stay as the team
//! wrote them: setting a metric's `pass` (for `kpi catalog suggest --write`). Only block-style
//! mappings are edited; anything else is refused, and the caller checks the result by loading it.

use crate::core::text::printable;

/// Why a config could not be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error(
        "`{}` is written in flow style (`{{ ... }}`) on line {line}; write it as a block mapping, one key a line, or add the suggestion by hand",
        printable(.key)
    )]
    FlowStyle { key: String, line: usize },
}

/// How deep a new level is indented under its parent.
const INDENT: usize = 2;

/// `text` with `pass: "<threshold>"` set for the mapping at `path` (e.g. `metrics`,
/// `response_time`), creating the mappings that are missing, and `comment` on the line above it.
/// An existing `pass` there is replaced.
pub fn set_pass(
    text: &str,
    path: &[&str],
    threshold: &str,
    comment: &str,
) -> Result<String, EditError> {
    let mut lines: Vec<String> = text.lines().map(ToString::to_string).collect();
    // The range of lines the current mapping's entries are in, and their indent.
    let (mut start, mut end, mut indent) = (0, lines.len(), 0);
    for (depth, key) in path.iter().enumerate() {
        let Some(at) = find_key(&lines[start..end], key, indent) else {
            // The rest of the path goes in at the end of this mapping, before blank lines.
            let mut insert = end;
            while insert > start && lines[insert - 1].trim().is_empty() {
                insert -= 1;
            }
            let mut new_lines = Vec::new();
            for (i, missing) in path[depth..].iter().enumerate() {
                new_lines.push(format!("{}{missing}:", " ".repeat(indent + i * INDENT)));
            }
            let inner = indent + (path.len() - depth) * INDENT;
            new_lines.push(format!("{}# {comment}", " ".repeat(inner)));
            new_lines.push(format!("{}pass: \"{threshold}\"", " ".repeat(inner)));
            lines.splice(insert..insert, new_lines);
            return Ok(joined(&lines));
        };
        let at = start + at;
        let rest = after_colon(&lines[at]);
        if !rest.is_empty() && !rest.starts_with('#') {
            return Err(EditError::FlowStyle { key: (*key).to_string(), line: at + 1 });
        }
        let body_end = block_end(&lines, at, indent);
        let child = child_indent(&lines[at + 1..body_end]).unwrap_or(indent + INDENT);
        (start, end, indent) = (at + 1, body_end, child);
    }
    let pad = " ".repeat(indent);
    let new = [format!("{pad}# {comment}"), format!("{pad}pass: \"{threshold}\"")];
    match find_key(&lines[start..end], "pass", indent) {
        Some(at) => {
            lines.splice(start + at..=start + at, new);
        }
        None => {
            lines.splice(start..start, new);
        }
    }
    Ok(joined(&lines))
}

fn joined(lines: &[String]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#') && t != "---"
}

/// The index of the line `key:` at exactly `indent` among `lines` (keys quoted or not).
fn find_key(lines: &[String], key: &str, indent: usize) -> Option<usize> {
    lines.iter().position(|line| {
        is_content(line) && indent_of(line) == indent && {
            let t = line.trim_start();
            let name = t.split(':').next().unwrap_or_default().trim().trim_matches(['"', '\'']);
            name == key && t.contains(':')
        }
    })
}

/// What follows the `key:` on its line, trimmed.
fn after_colon(line: &str) -> &str {
    line.split_once(':').map_or("", |(_, rest)| rest.trim())
}

/// The index after the last line of the block that starts at `at` with indent `indent`.
fn block_end(lines: &[String], at: usize, indent: usize) -> usize {
    let mut end = at + 1;
    while end < lines.len() && (!is_content(&lines[end]) || indent_of(&lines[end]) > indent) {
        end += 1;
    }
    // Trailing comments and blank lines belong to what follows.
    while end > at + 1 && !is_content(&lines[end - 1]) {
        end -= 1;
    }
    end
}

fn child_indent(lines: &[String]) -> Option<usize> {
    lines.iter().find(|l| is_content(l)).map(|l| indent_of(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_pass_is_replaced_and_comments_and_other_keys_stay() {
        let text = "# ours\nextends: backend-team\nmetrics:\n  # card networks\n  response_time:\n    target: Under 300 ms\n    pass: \"<= 300ms\"\n    warn: \"<= 500ms\"\n  mttr:\n    enabled: true\n";
        let edited = set_pass(text, &["metrics", "response_time"], "<= 190ms", "held").unwrap();
        insta::assert_snapshot!(edited, @r#"
        # ours
        extends: backend-team
        metrics:
          # card networks
          response_time:
            target: Under 300 ms
            # held
            pass: "<= 190ms"
            warn: "<= 500ms"
          mttr:
            enabled: true
        "#);
    }

    #[test]
    fn missing_mappings_are_added_where_they_belong() {
        let text = "extends: backend-team\nmetrics:\n  mttr:\n    enabled: false\n\nwaivers: []\n";
        let edited = set_pass(text, &["metrics", "error_rate"], "< 0.5%", "held").unwrap();
        insta::assert_snapshot!(edited, @r#"
        extends: backend-team
        metrics:
          mttr:
            enabled: false
          error_rate:
            # held
            pass: "< 0.5%"

        waivers: []
        "#);
        let scoped =
            set_pass("", &["scopes", "api", "metrics", "mttr"], "< 30min", "held").unwrap();
        insta::assert_snapshot!(scoped, @r#"
        scopes:
          api:
            metrics:
              mttr:
                # held
                pass: "< 30min"
        "#);
    }

    #[test]
    fn a_flow_style_entry_is_refused() {
        let text = "metrics:\n  response_time: { pass: \"<= 1s\" }\n";
        let err = set_pass(text, &["metrics", "response_time"], "<= 190ms", "held").unwrap_err();
        assert_eq!(err, EditError::FlowStyle { key: "response_time".into(), line: 2 });
    }
}
