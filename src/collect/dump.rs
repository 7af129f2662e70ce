//! Reads a dump file: the output of
//! `kubectl get pods,replicasets,...,nodes -A -o json` (a `List`), or a single object.
//!
//! The list is streamed item by item, so a dump of a large cluster is never held whole in
//! memory: each item's text is read on its own, deserialized straight into the compact model
//! (which skips the fields kube-patrol does not read), and kept only if its namespace is
//! selected.

use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::model::{Event, HasMeta, Node, Pod, Workload};

/// One object of a dump that kube-patrol uses; other kinds are skipped.
#[derive(Debug)]
pub enum Item {
    Pod(Box<Pod>),
    Namespace(String),
    ReplicaSet(Box<Workload>),
    Deployment(Box<Workload>),
    StatefulSet(Box<Workload>),
    DaemonSet(Box<Workload>),
    Job(Box<Workload>),
    CronJob(Box<Workload>),
    Event(Box<Event>),
    Node(Box<Node>),
}

impl Item {
    /// The object's namespace; the name of a Namespace; empty for a Node.
    pub fn namespace(&self) -> &str {
        match self {
            Item::Namespace(name) => name,
            Item::Node(_) => "",
            Item::Pod(o) => o.namespace(),
            Item::ReplicaSet(o)
            | Item::Deployment(o)
            | Item::StatefulSet(o)
            | Item::DaemonSet(o)
            | Item::Job(o)
            | Item::CronJob(o) => o.namespace(),
            Item::Event(o) => o.namespace(),
        }
    }
}

/// Why a dump could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error("item {index} ({kind} {name}): {source}")]
    Item {
        index: usize,
        kind: String,
        name: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("expected a Kubernetes object or List (kubectl get ... -o json), found no `kind`")]
    NotAnObject,
}

/// Streams the objects of a dump into `sink`, in file order.
///
/// # Errors
/// Malformed JSON (with its line and column), an object of a known kind that does not parse,
/// or a document that is not a Kubernetes object or List.
pub fn read_items<R: Read>(reader: R, sink: &mut dyn FnMut(Item)) -> Result<(), DumpError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut failure = None;
    let seed = Document {
        sink,
        failure: &mut failure,
    };
    let outcome = seed.deserialize(&mut de);
    if let Some(err) = failure {
        return Err(err);
    }
    outcome?;
    de.end()?;
    Ok(())
}

/// The top-level document: a `List` whose `items` are streamed, or a single object.
struct Document<'a> {
    sink: &'a mut dyn FnMut(Item),
    failure: &'a mut Option<DumpError>,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes object or List")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        let mut saw_items = false;
        let mut next_index = 0;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                saw_items = true;
                map.next_value_seed(Items {
                    sink: &mut *self.sink,
                    failure: &mut *self.failure,
                    next_index: &mut next_index,
                })?;
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        if !saw_items {
            // A single object, such as `kubectl get pod x -o json`.
            if fields.get("kind").and_then(Value::as_str).is_none() {
                *self.failure = Some(DumpError::NotAnObject);
                return Ok(());
            }
            let text = Value::Object(fields).to_string();
            if let Err(e) = dispatch(0, &text, self.sink) {
                *self.failure = Some(e);
            }
        }
        Ok(())
    }
}

struct Items<'a> {
    sink: &'a mut dyn FnMut(Item),
    failure: &'a mut Option<DumpError>,
    next_index: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Kubernetes objects")
    }

    /// Each item's text is read whole (one object, not the dump), then deserialized into the
    /// model; after a failure the rest is only checked for well-formed JSON.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            let index = *self.next_index;
            *self.next_index += 1;
            if self.failure.is_some() {
                continue;
            }
            if let Err(e) = dispatch(index, raw.get(), self.sink) {
                *self.failure = Some(e);
            }
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(()) // `"items": null` is an empty list.
    }
}

/// What an item is, read before the item itself.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    metadata: HeaderMeta,
}

#[derive(Default, Deserialize)]
struct HeaderMeta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
}

/// Turns one object's JSON text into an [`Item`] by its `kind`; unused kinds (and the same
/// kinds of other API groups, such as `events.k8s.io` events) are skipped.
fn dispatch(index: usize, text: &str, sink: &mut dyn FnMut(Item)) -> Result<(), DumpError> {
    let header: Header = serde_json::from_str(text).map_err(|source| DumpError::Item {
        index,
        kind: "object".to_owned(),
        name: "<unreadable>".to_owned(),
        source,
    })?;
    let name = object_name(&header.metadata);
    let parse = Parse {
        index,
        kind: &header.kind,
        name: &name,
        text,
    };
    let item = match (header.kind.as_str(), header.api_version.as_str()) {
        ("Pod", _) => Item::Pod(parse.boxed()?),
        ("Namespace", _) => Item::Namespace(header.metadata.name.clone().unwrap_or_default()),
        ("ReplicaSet", "apps/v1" | "") => Item::ReplicaSet(parse.boxed()?),
        ("Deployment", "apps/v1" | "") => Item::Deployment(parse.boxed()?),
        ("StatefulSet", "apps/v1" | "") => Item::StatefulSet(parse.boxed()?),
        ("DaemonSet", "apps/v1" | "") => Item::DaemonSet(parse.boxed()?),
        ("Job", "batch/v1" | "") => Item::Job(parse.boxed()?),
        ("CronJob", "batch/v1" | "") => Item::CronJob(parse.boxed()?),
        ("Event", "v1" | "") => Item::Event(parse.boxed()?),
        ("Node", "v1" | "") => Item::Node(parse.boxed()?),
        _ => return Ok(()),
    };
    sink(item);
    Ok(())
}

/// One object to parse, and how to name it in an error.
struct Parse<'a> {
    index: usize,
    kind: &'a str,
    name: &'a str,
    text: &'a str,
}

impl Parse<'_> {
    fn boxed<T: DeserializeOwned>(self) -> Result<Box<T>, DumpError> {
        serde_json::from_str(self.text)
            .map(Box::new)
            .map_err(|source| DumpError::Item {
                index: self.index,
                kind: self.kind.to_owned(),
                name: self.name.to_owned(),
                source,
            })
    }
}

fn object_name(meta: &HeaderMeta) -> String {
    match (&meta.namespace, &meta.name) {
        (Some(ns), Some(name)) => format!("{ns}/{name}"),
        (None, Some(name)) => name.clone(),
        _ => "<unnamed>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Item>, DumpError> {
        let mut items = Vec::new();
        read_items(text.as_bytes(), &mut |i| items.push(i))?;
        Ok(items)
    }

    #[test]
    fn a_list_streams_the_kinds_it_uses_and_skips_the_others() {
        let items = read(
            r#"{"apiVersion":"v1","kind":"List","items":[
                {"kind":"Pod","metadata":{"name":"a","namespace":"x"}},
                {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"r","namespace":"x"}},
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"x"}},
                {"apiVersion":"v1","kind":"Event","metadata":{"name":"e","namespace":"x"},
                 "involvedObject":{"kind":"Pod","name":"a","namespace":"x"}},
                {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e2","namespace":"x"}},
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}},
                {"kind":"Namespace","metadata":{"name":"x"}}],"metadata":{}}"#,
        )
        .unwrap();
        assert_eq!(items.len(), 5);
        assert!(matches!(&items[0], Item::Pod(p) if p.name() == "a"));
        assert!(matches!(&items[1], Item::ReplicaSet(_)));
        assert!(matches!(&items[2], Item::Event(e) if e.name() == "e"));
        assert!(matches!(&items[3], Item::Node(_)));
        assert!(matches!(&items[4], Item::Namespace(n) if n == "x"));
    }

    #[test]
    fn a_workload_that_does_not_parse_is_named_in_the_error() {
        let err = read(r#"{"kind":"List","items":[{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"x"},"spec":{"replicas":"many"}}]}"#)
            .unwrap_err();
        assert!(err.to_string().contains("Deployment x/d"), "{err}");
    }

    #[test]
    fn a_single_object_is_read_as_one_item() {
        let items = read(r#"{"kind":"Pod","metadata":{"name":"a","namespace":"x"}}"#).unwrap();
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let err = read("{\"kind\":\"List\",\n\"items\": [ {,] }").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn a_pod_that_does_not_parse_is_named_in_the_error() {
        let err = read(r#"{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"a","namespace":"x"},"spec":{"containers":7}}]}"#)
            .unwrap_err();
        assert!(err.to_string().contains("Pod x/a"), "{err}");
    }

    #[test]
    fn a_document_without_kind_is_rejected() {
        assert!(matches!(
            read(r#"{"hello":1}"#),
            Err(DumpError::NotAnObject)
        ));
    }
}
