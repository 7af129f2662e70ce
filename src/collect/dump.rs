//! Reads a dump file: the output of
//! `kubectl get pods,replicasets,...,nodes -A -o json` (a `List`), or a single object.
//!
//! The list is streamed item by item, so a dump of a large cluster is never held whole in
//! memory: each item is parsed, slimmed and kept only if its namespace is selected.

use std::fmt;
use std::io::Read;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// One object of a dump that kube-patrol uses; other kinds are skipped.
#[derive(Debug)]
pub enum Item {
    Pod(Box<Pod>),
    Namespace(String),
    ReplicaSet(Box<ReplicaSet>),
    Deployment(Box<Deployment>),
    StatefulSet(Box<StatefulSet>),
    DaemonSet(Box<DaemonSet>),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
    Event(Box<Event>),
    Node(Box<Node>),
}

impl Item {
    /// The object's namespace; the name of a Namespace; empty for a Node.
    pub fn namespace(&self) -> &str {
        let meta = match self {
            Item::Namespace(name) => return name,
            Item::Node(_) => return "",
            Item::Pod(o) => &o.metadata,
            Item::ReplicaSet(o) => &o.metadata,
            Item::Deployment(o) => &o.metadata,
            Item::StatefulSet(o) => &o.metadata,
            Item::DaemonSet(o) => &o.metadata,
            Item::Job(o) => &o.metadata,
            Item::CronJob(o) => &o.metadata,
            Item::Event(o) => &o.metadata,
        };
        meta.namespace.as_deref().unwrap_or("")
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
            if let Err(e) = dispatch(0, Value::Object(fields), self.sink) {
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

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            let index = *self.next_index;
            *self.next_index += 1;
            if self.failure.is_some() {
                continue;
            }
            if let Err(e) = dispatch(index, value, self.sink) {
                *self.failure = Some(e);
            }
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(()) // `"items": null` is an empty list.
    }
}

/// Turns one object into an [`Item`] by its `kind`; unused kinds (and the same kinds of other
/// API groups, such as `events.k8s.io` events) are skipped.
fn dispatch(index: usize, value: Value, sink: &mut dyn FnMut(Item)) -> Result<(), DumpError> {
    let text = |key| {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let (kind, api_version) = (text("kind"), text("apiVersion"));
    let name = object_name(&value);
    let parse = |value| Parse {
        index,
        kind: &kind,
        name: &name,
        value,
    };
    let item = match (kind.as_str(), api_version.as_str()) {
        ("Pod", _) => Item::Pod(parse(value).boxed()?),
        ("Namespace", _) => Item::Namespace(name.clone()),
        ("ReplicaSet", "apps/v1" | "") => Item::ReplicaSet(parse(value).boxed()?),
        ("Deployment", "apps/v1" | "") => Item::Deployment(parse(value).boxed()?),
        ("StatefulSet", "apps/v1" | "") => Item::StatefulSet(parse(value).boxed()?),
        ("DaemonSet", "apps/v1" | "") => Item::DaemonSet(parse(value).boxed()?),
        ("Job", "batch/v1" | "") => Item::Job(parse(value).boxed()?),
        ("CronJob", "batch/v1" | "") => Item::CronJob(parse(value).boxed()?),
        ("Event", "v1" | "") => Item::Event(parse(value).boxed()?),
        ("Node", "v1" | "") => Item::Node(parse(value).boxed()?),
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
    value: Value,
}

impl Parse<'_> {
    fn boxed<T: DeserializeOwned>(self) -> Result<Box<T>, DumpError> {
        serde_json::from_value(self.value)
            .map(Box::new)
            .map_err(|source| DumpError::Item {
                index: self.index,
                kind: self.kind.to_owned(),
                name: self.name.to_owned(),
                source,
            })
    }
}

fn object_name(value: &Value) -> String {
    let meta = value.get("metadata");
    let field = |k| meta.and_then(|m| m.get(k)).and_then(Value::as_str);
    match (field("namespace"), field("name")) {
        (Some(ns), Some(name)) => format!("{ns}/{name}"),
        (None, Some(name)) => name.to_owned(),
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
        assert!(matches!(&items[0], Item::Pod(p) if p.metadata.name.as_deref() == Some("a")));
        assert!(matches!(&items[1], Item::ReplicaSet(_)));
        assert!(matches!(&items[2], Item::Event(e) if e.metadata.name.as_deref() == Some("e")));
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
