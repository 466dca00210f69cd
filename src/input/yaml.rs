//! Reading YAML with the position of every node, so that each problem in a catalog or config file
//! names its line and column. A small kit over `saphyr`'s marked nodes: mappings with known keys,
//! text, lists of text and booleans. Every mistake is recorded as a problem and reading goes on.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use saphyr_parser::Event;

use super::problem::{Position, Problems, suggest};

/// A YAML node with its position.
pub(crate) type Node<'a> = MarkedYaml<'a>;

/// A value read from a file, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub at: Position,
}

pub(crate) fn position(node: &Node<'_>) -> Position {
    // An empty document's node has no place; it counts as the start of the file.
    Position { line: node.span.start.line().max(1), column: node.span.start.col() + 1 }
}

/// How deep a catalog or config may nest. The formats need five levels; the limit keeps a hostile
/// document from exhausting the stack of the loader, which recurses once per level.
pub(crate) const MAX_DEPTH: usize = 32;

/// Refuses a document nested deeper than [`MAX_DEPTH`], reading parser events in one flat loop
/// before anything recursive sees the text. Syntax errors are left to the loader to report.
fn check_depth(text: &str, problems: &mut Problems) -> bool {
    // Nesting needs indentation or brackets: a document this short cannot nest past a few hundred
    // levels, which the loader's recursion takes in its stride, so it skips the extra pass (the
    // built-in catalog is read on every run).
    const SHALLOW_BELOW: usize = 16 * 1024;
    if text.len() < SHALLOW_BELOW {
        return true;
    }
    let mut depth = 0usize;
    for event in saphyr_parser::Parser::new_from_str(text) {
        let Ok((event, span)) = event else { return true };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let at = Position { line: span.start.line(), column: span.start.col() + 1 };
                    problems.add(
                        "too-deep",
                        at,
                        format!(
                            "the document nests deeper than {MAX_DEPTH} levels; a catalog or config needs five"
                        ),
                    );
                    return false;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// Parses the first YAML document of `text`; an empty file is a null node. A syntax error or a
/// document nested too deep is a problem and gives `None`.
pub(crate) fn parse<'a>(text: &'a str, problems: &mut Problems) -> Option<Node<'a>> {
    if !check_depth(text, problems) {
        return None;
    }
    match Node::load_from_str(text) {
        Ok(mut docs) if !docs.is_empty() => Some(docs.swap_remove(0)),
        Ok(_) => Some(Node::value_from_str("~")),
        Err(err) => {
            let at = Position { line: err.marker().line(), column: err.marker().col() + 1 };
            let (code, message) = if err.info().contains("duplicated key") {
                (
                    "duplicate-key",
                    "this key appears twice in the same mapping; keep one".to_string(),
                )
            } else {
                ("invalid-yaml", format!("this is not valid YAML: {}", err.info()))
            };
            problems.add(code, at, message);
            None
        }
    }
}

/// What a node holds, in words, for messages.
fn describe(node: &Node<'_>) -> &'static str {
    match &node.data {
        YamlData::Value(Scalar::Null) => "nothing",
        YamlData::Value(Scalar::Boolean(_)) => "`true` or `false`",
        YamlData::Value(Scalar::Integer(_) | Scalar::FloatingPoint(_)) => "a number",
        YamlData::Value(Scalar::String(_)) | YamlData::Representation(..) => "text",
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        YamlData::Tagged(..) => "a tagged value",
        YamlData::Alias(_) | YamlData::BadValue => "an unreadable value",
    }
}

/// Reports that `what` (e.g. `` `pass` ``) holds the wrong kind of value.
fn wrong_type(node: &Node<'_>, what: &str, expected: &str, problems: &mut Problems) {
    let found = describe(node);
    problems.add("wrong-type", position(node), format!("{what} should be {expected}, not {found}"));
}

pub(crate) fn is_sequence(node: &Node<'_>) -> bool {
    matches!(node.data, YamlData::Sequence(_))
}

pub(crate) fn is_null(node: &Node<'_>) -> bool {
    matches!(node.data, YamlData::Value(Scalar::Null))
}

/// The text of a scalar: strings as written, numbers as their digits (`title: 2025` is `2025`).
fn scalar_text(node: &Node<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) | YamlData::Representation(s, ..) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Tagged(_, inner) => scalar_text(inner),
        _ => None,
    }
}

/// A node read as text; `key` names it in messages.
pub(crate) fn text(node: &Node<'_>, key: &str, problems: &mut Problems) -> Option<Located<String>> {
    text_as(node, &format!("`{key}`"), problems)
}

fn text_as(node: &Node<'_>, what: &str, problems: &mut Problems) -> Option<Located<String>> {
    let Some(value) = scalar_text(node) else {
        wrong_type(node, what, "text", problems);
        return None;
    };
    Some(Located { value, at: position(node) })
}

/// A node read as a list of text; a single text is a list of one.
pub(crate) fn texts(
    node: &Node<'_>,
    key: &str,
    problems: &mut Problems,
) -> Option<Located<Vec<String>>> {
    let at = position(node);
    match &node.data {
        YamlData::Sequence(items) => {
            let mut ok = true;
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                match text_as(item, &format!("each entry of `{key}`"), problems) {
                    Some(t) => values.push(t.value),
                    None => ok = false,
                }
            }
            ok.then_some(Located { value: values, at })
        }
        _ => text(node, key, problems).map(|t| Located { value: vec![t.value], at }),
    }
}

/// A node read as `true` or `false`.
pub(crate) fn boolean(
    node: &Node<'_>,
    key: &str,
    problems: &mut Problems,
) -> Option<Located<bool>> {
    if let YamlData::Value(Scalar::Boolean(b)) = node.data {
        Some(Located { value: b, at: position(node) })
    } else {
        wrong_type(node, &format!("`{key}`"), "`true` or `false`", problems);
        None
    }
}

/// A node read as a list; `key` names it in messages.
pub(crate) fn list<'n, 'a>(
    node: &'n Node<'a>,
    key: &str,
    problems: &mut Problems,
) -> Option<&'n [Node<'a>]> {
    if let YamlData::Sequence(items) = &node.data {
        Some(items)
    } else {
        wrong_type(node, &format!("`{key}`"), "a list", problems);
        None
    }
}

/// The entries of a mapping, in file order, with their keys as text.
pub(crate) struct Fields<'n, 'a> {
    pub at: Position,
    entries: Vec<(Located<String>, &'n Node<'a>)>,
}

impl<'n, 'a> Fields<'n, 'a> {
    /// Reads a mapping whose keys are free (metric ids, scope names); `what` names it in messages,
    /// e.g. `` `metrics` ``.
    pub(crate) fn any(node: &'n Node<'a>, what: &str, problems: &mut Problems) -> Option<Self> {
        let YamlData::Mapping(map) = &node.data else {
            wrong_type(node, what, "a mapping", problems);
            return None;
        };
        let mut entries = Vec::with_capacity(map.len());
        for (k, v) in map {
            if let Some(name) = text_as(k, &format!("a key of {what}"), problems) {
                entries.push((name, v));
            }
        }
        Some(Fields { at: position(node), entries })
    }

    /// Reads a mapping whose keys must be among `known`; every other key is an `unknown-key` problem.
    pub(crate) fn known(
        node: &'n Node<'a>,
        what: &str,
        known: &[&str],
        problems: &mut Problems,
    ) -> Option<Self> {
        let mut fields = Self::any(node, what, problems)?;
        fields.entries.retain(|(name, _)| {
            let ok = known.contains(&name.value.as_str());
            if !ok {
                problems.add(
                    "unknown-key",
                    name.at,
                    format!("unknown key `{}`{}", name.value, suggest(&name.value, known)),
                );
            }
            ok
        });
        Some(fields)
    }

    /// Every entry, in file order.
    pub(crate) fn entries(&self) -> &[(Located<String>, &'n Node<'a>)] {
        &self.entries
    }

    /// The value of `key`; a key with no value (`pass:`) counts as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&'n Node<'a>> {
        self.entries.iter().find(|(k, v)| k.value == key && !is_null(v)).map(|(_, v)| *v)
    }

    pub(crate) fn text(&self, key: &str, problems: &mut Problems) -> Option<Located<String>> {
        text(self.get(key)?, key, problems)
    }

    pub(crate) fn texts(&self, key: &str, problems: &mut Problems) -> Option<Located<Vec<String>>> {
        texts(self.get(key)?, key, problems)
    }

    pub(crate) fn boolean(&self, key: &str, problems: &mut Problems) -> Option<Located<bool>> {
        boolean(self.get(key)?, key, problems)
    }

    /// Reports `key` as missing from this mapping, which is `what` (e.g. ``metric `a` ``).
    pub(crate) fn missing(&self, key: &str, what: &str, problems: &mut Problems) {
        problems.add("missing-field", self.at, format!("{what} has no `{key}`; add it"));
    }

    /// The value of a required text `key`; its absence is a `missing-field` problem.
    pub(crate) fn required_text(
        &self,
        key: &str,
        what: &str,
        problems: &mut Problems,
    ) -> Option<Located<String>> {
        if self.get(key).is_none() {
            self.missing(key, what, problems);
        }
        self.text(key, problems)
    }
}
