//! Reading YAML with the position of every node, so that each problem in a catalog or config file
//! names its line and column. A small kit over `saphyr`'s marked nodes: mappings with known keys,
//! text, lists of text and booleans. Every mistake is recorded as a problem and reading goes on.

use std::collections::HashMap;

use saphyr::{MarkedYaml, Scalar, Yaml, YamlData, YamlLoader};
use saphyr_parser::{Event, Marker, Parser, ScanError, Span, SpannedEventReceiver};

use crate::core::text::printable_within;

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
    at(node.span.start)
}

/// How deep a catalog or config may nest. The formats need five levels; the limit keeps a hostile
/// document from exhausting the stack of the readers, which recurse once per level.
pub(crate) const MAX_DEPTH: usize = 32;

/// How many characters of a key a message quotes: keys are short, and a file that is not a catalog
/// or config at all should not have its lines shown back.
pub(crate) const KEY_SHOWN: usize = 40;

/// A document read into a tree, and what is wrong with it that does not stop the tree being read.
pub(crate) struct Parsed<'a> {
    pub(crate) root: Node<'a>,
    /// Keys given twice in a mapping and a second document in the file, in file order. Each is a
    /// problem, reported once the caller knows the file is meant to be one of kpi's.
    pub(crate) flaws: Problems,
}

impl<'a> Parsed<'a> {
    /// The tree when it has no flaws; otherwise its flaws go to `problems`.
    pub(crate) fn sound(self, problems: &mut Problems) -> Option<Node<'a>> {
        if self.flaws.is_empty() {
            Some(self.root)
        } else {
            problems.0.extend(self.flaws.0);
            None
        }
    }
}

/// Reads the first YAML document of `text` into a tree, in one flat pass over the parser's events;
/// an empty file is a null node. A syntax error or a document nested deeper than [`MAX_DEPTH`] is a
/// problem and gives `None`. Every key repeated in its mapping, and a second document, are flaws
/// of the result: the loader alone would stop at the first repeated key and ignore the rest of the
/// file after the first document.
pub(crate) fn read<'a>(text: &'a str, problems: &mut Problems) -> Option<Parsed<'a>> {
    let mut loader = YamlLoader::<Node<'a>>::default();
    loader.allow_duplicate_keys(true);
    let mut flaws = Problems::default();
    let mut keys = Keys::default();
    let mut depth = 0usize;
    let mut documents = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(err) => {
                syntax_error(&err, problems);
                return None;
            }
        };
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    flaws.add(
                        "second-document",
                        at(span.start),
                        "a second YAML document starts here; a catalog or config is one document, so delete this one or move it to a file of its own",
                    );
                    break;
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    problems.add(
                        "too-deep",
                        at(span.start),
                        format!(
                            "the document nests deeper than {MAX_DEPTH} levels; a catalog or config needs five"
                        ),
                    );
                    return None;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        keys.see(&event, span, &mut flaws);
        loader.on_event(event, span);
    }
    if let Some(err) = loader.error() {
        syntax_error(err, problems);
        return None;
    }
    let root = loader.into_documents().into_iter().next();
    Some(Parsed { root: root.unwrap_or_else(|| Node::value_from_str("~")), flaws })
}

fn at(marker: Marker) -> Position {
    Position { line: marker.line().max(1), column: marker.col() + 1 }
}

fn syntax_error(err: &ScanError, problems: &mut Problems) {
    // The parser's messages are its own words, never text from the file.
    problems.add(
        "invalid-yaml",
        at(*err.marker()),
        format!("this is not valid YAML: {}", err.info()),
    );
}

/// The keys seen so far in each mapping the parser is inside, to find every key given twice.
#[derive(Default)]
struct Keys<'a> {
    /// The sequences and mappings the parser is inside, innermost last.
    open: Vec<Open<'a>>,
    /// The value of each anchored scalar, so that an alias used as a key is compared too.
    anchors: HashMap<usize, Yaml<'a>>,
}

enum Open<'a> {
    Sequence,
    /// `key_next` says whether the next node is a key; `seen` holds each key with its line.
    Mapping {
        key_next: bool,
        seen: HashMap<Yaml<'a>, usize>,
    },
}

impl<'a> Keys<'a> {
    fn see(&mut self, event: &Event<'a>, span: Span, flaws: &mut Problems) {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = Yaml::value_from_cow_and_metadata(text.clone(), *style, tag.as_ref());
                if *anchor > 0 {
                    self.anchors.insert(*anchor, value.clone());
                }
                self.node(Some(value), span, flaws);
            }
            Event::Alias(anchor) => {
                let value = self.anchors.get(anchor).cloned();
                self.node(value, span, flaws);
            }
            Event::SequenceStart(..) => self.open.push(Open::Sequence),
            Event::MappingStart(..) => {
                self.open.push(Open::Mapping { key_next: true, seen: HashMap::new() });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.open.pop();
                // A sequence or mapping as a key is not compared: kpi's keys are text, and the
                // reader refuses any other.
                self.node(None, span, flaws);
            }
            _ => {}
        }
    }

    /// A whole node of the innermost sequence or mapping: a key when one is next.
    fn node(&mut self, key: Option<Yaml<'a>>, span: Span, flaws: &mut Problems) {
        let Some(Open::Mapping { key_next, seen }) = self.open.last_mut() else { return };
        let is_key = *key_next;
        *key_next = !is_key;
        let Some(key) = key.filter(|_| is_key) else { return };
        let place = at(span.start);
        if let Some(&first) = seen.get(&key) {
            flaws.add(
                "duplicate-key",
                place,
                format!("this key is already given on line {first} of the same mapping; keep one"),
            );
        } else {
            seen.insert(key, place.line);
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

/// The text of a scalar node (text, a number), if it is one.
pub(crate) fn scalar(node: &Node<'_>) -> Option<String> {
    scalar_text(node)
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
                    format!(
                        "unknown key `{}`{}",
                        printable_within(&name.value, KEY_SHOWN),
                        suggest(&name.value, known)
                    ),
                );
            }
            ok
        });
        Some(fields)
    }

    /// Whether `key` is given, with a value or without.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.value == key)
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
