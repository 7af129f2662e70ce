//! The config file as a tree of YAML nodes that remember where they are in the file.
//!
//! Built from granit-parser's event stream rather than through serde, because a derived
//! `Deserialize` stops at the first unknown key or wrong type while we want every problem at once,
//! each with its line. Scalars keep their text: the config key being read decides whether `5` is
//! a number or a name (so `y`, `no` or `012` are never silently turned into booleans or octal).

use granit_parser::{Event, Parser, ScanError, Span};

use super::{Diagnostic, Location};

/// One YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub at: Location,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    /// A scalar's text after YAML unescaping; `plain` when written without quotes or block style.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry: the key's text and position, then the value.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub key: String,
    pub key_at: Location,
    pub value: Node,
}

impl Node {
    /// `~`, `null` or nothing at all, written without quotes: the key is there but unset.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// What this node is, for "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Scalar { text, .. } => format!("`{text}`"),
            Kind::Seq(_) => "a list".to_owned(),
            Kind::Map(_) => "a mapping".to_owned(),
        }
    }
}

/// Parses the file's text into its root node, `None` for a file with no document (empty, or only
/// comments). Problems that do not stop the parse (duplicate keys, aliases, a second document) are
/// pushed onto `problems`; a syntax error is pushed too and ends the parse with `None`.
pub(super) fn parse(text: &str, problems: &mut Vec<Diagnostic>) -> Option<Node> {
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        problems,
    };
    match builder.document() {
        Ok(root) => root,
        Err(e) => {
            builder.problems.push(syntax_error(&e));
            None
        }
    }
}

struct Builder<'input, 'p> {
    parser: Parser<'input, granit_parser::StrInput<'input>>,
    problems: &'p mut Vec<Diagnostic>,
}

impl<'input> Builder<'input, '_> {
    fn document(&mut self) -> Result<Option<Node>, ScanError> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamEnd => return Ok(root),
                Event::DocumentStart(..) if root.is_some() => {
                    self.problems.push(Diagnostic::new(
                        at(&span),
                        "",
                        "only one YAML document is allowed (remove this `---`)",
                    ));
                    return Ok(root);
                }
                Event::StreamStart | Event::DocumentStart(..) | Event::DocumentEnd => {}
                event => root = Some(self.node(event, &span, "")?),
            }
        }
    }

    /// The next event that carries data (comments and anchor names are skipped).
    fn next(&mut self) -> Result<(Event<'input>, Span), ScanError> {
        loop {
            match self.parser.next_event() {
                None => return Ok((Event::StreamEnd, Span::default())),
                Some(Err(e)) => return Err(e),
                Some(Ok((Event::Comment(..) | Event::Anchor(..), _))) => {}
                Some(Ok(item)) => return Ok(item),
            }
        }
    }

    fn node(&mut self, event: Event<'input>, span: &Span, path: &str) -> Result<Node, ScanError> {
        let kind = match event {
            Event::Scalar(text, style, ..) => Kind::Scalar {
                text: text.into_owned(),
                plain: style == granit_parser::ScalarStyle::Plain,
            },
            Event::SequenceStart(..) => Kind::Seq(self.sequence(path)?),
            Event::MappingStart(..) => Kind::Map(self.mapping(path)?),
            other => {
                // Aliases: a small config file does not need them, and refusing them rules out
                // alias bombs. Reported, then read as an unset value so the rest is still checked.
                let message = if matches!(other, Event::Alias(_)) {
                    "YAML aliases (`*name`) are not supported here: write the value out"
                } else {
                    "unexpected YAML here"
                };
                self.problems.push(Diagnostic::new(at(span), path, message));
                Kind::Scalar {
                    text: String::new(),
                    plain: true,
                }
            }
        };
        Ok(Node { at: at(span), kind })
    }

    fn sequence(&mut self, path: &str) -> Result<Vec<Node>, ScanError> {
        let mut items = Vec::new();
        loop {
            match self.next()? {
                (Event::SequenceEnd | Event::StreamEnd, _) => return Ok(items),
                (event, span) => {
                    let item = self.node(event, &span, &format!("{path}[{}]", items.len()))?;
                    items.push(item);
                }
            }
        }
    }

    fn mapping(&mut self, path: &str) -> Result<Vec<Entry>, ScanError> {
        let mut entries: Vec<Entry> = Vec::new();
        loop {
            let key = match self.next()? {
                (Event::MappingEnd | Event::StreamEnd, _) => return Ok(entries),
                (event, span) => self.node(event, &span, path)?,
            };
            let key_path = match &key.kind {
                Kind::Scalar { text, .. } => super::join(path, text),
                _ => path.to_owned(),
            };
            let (event, span) = self.next()?;
            let value = self.node(event, &span, &key_path)?;
            let Kind::Scalar { text, .. } = key.kind else {
                self.problems.push(Diagnostic::new(
                    key.at,
                    path,
                    "a key must be a plain name, not a list or mapping",
                ));
                continue;
            };
            if let Some(first) = entries.iter().find(|e| e.key == text) {
                let message = format!("duplicate key (first at line {})", first.key_at.line);
                self.problems
                    .push(Diagnostic::new(key.at, key_path, message));
                continue;
            }
            entries.push(Entry {
                key: text,
                key_at: key.at,
                value,
            });
        }
    }
}

fn at(span: &Span) -> Location {
    Location {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

fn syntax_error(e: &ScanError) -> Diagnostic {
    let mark = e.marker();
    let location = Location {
        line: mark.line(),
        column: mark.col() + 1,
    };
    Diagnostic::new(location, "", format!("invalid YAML: {}", e.info()))
}
