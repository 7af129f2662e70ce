//! What every object carries: names, times, labels, owners. Deserialized straight from the
//! API's JSON (the same field names), keeping only what kube-patrol reads; serde skips the rest
//! without allocating it (managed fields, most annotations).

use std::fmt;

use jiff::Timestamp;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::Str;

/// An API time (`metav1.Time`, `metav1.MicroTime`): RFC 3339 in the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub Timestamp);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse::<Timestamp>()
            .map(Time)
            .map_err(|e| de::Error::custom(format_args!("invalid time {text:?}: {e}")))
    }
}

/// The annotations kube-patrol reads; every other one is skipped as it is parsed.
pub const KEPT_ANNOTATIONS: [&str; 2] = [REVISION_ANNOTATION, SILENCE_ANNOTATION];

/// A Deployment's ReplicaSets carry their revision: the highest is the newest.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";

/// A known problem silenced by its team, on a pod or on any owner in its chain:
/// `until=2026-01-15; owner=team@example.com; reason=...; problems=restarts_high` (parsed by
/// [`crate::analyze::silence`]; README's "Silences").
pub const SILENCE_ANNOTATION: &str = "kube-patrol.io/silence";

/// `metadata`, reduced to what kube-patrol reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// Only [`KEPT_ANNOTATIONS`]; `None` when the object has none of them.
    #[serde(
        default,
        deserialize_with = "kept_annotations",
        skip_serializing_if = "Option::is_none"
    )]
    pub annotations: Option<StrMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_references: Option<Box<[OwnerReference]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalizers: Option<Box<[Str]>>,
}

/// A small map of strings (labels, a selector's `matchLabels`, the kept annotations), sorted by
/// key in a boxed slice: a tree map would cost a node of eleven entries for each. Read and
/// written as the API's JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrMap(Box<[(Str, Str)]>);

/// An object's labels.
pub type Labels = StrMap;

impl StrMap {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The labels in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Str, &Str)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(Str, Str)> for StrMap {
    fn from_iter<I: IntoIterator<Item = (Str, Str)>>(items: I) -> Self {
        let mut pairs: Vec<(Str, Str)> = items.into_iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        StrMap(pairs.into_boxed_slice())
    }
}

impl Serialize for StrMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for StrMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = StrMap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrMap, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(key) = map.next_key::<Str>()? {
                    let key = if key.is_heap_allocated() {
                        super::intern(&key)
                    } else {
                        key
                    };
                    pairs.push((key, map.next_value::<Str>()?));
                }
                Ok(pairs.into_iter().collect())
            }
        }
        d.deserialize_map(Pairs)
    }
}

/// An owner reference: which object controls this one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference {
    #[serde(default)]
    pub kind: Str,
    #[serde(default)]
    pub name: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
}

/// A label selector (`matchLabels` and `matchExpressions`), as workloads select their pods.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<StrMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_expressions: Option<Vec<LabelSelectorRequirement>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSelectorRequirement {
    pub key: Str,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Str>>,
}

/// The annotations of [`KEPT_ANNOTATIONS`], the others skipped without being allocated (a
/// `last-applied-configuration` can be as big as the object).
fn kept_annotations<'de, D: Deserializer<'de>>(d: D) -> Result<Option<StrMap>, D::Error> {
    struct Kept;
    impl<'de> Visitor<'de> for Kept {
        type Value = Option<StrMap>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of annotations")
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut kept = Vec::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if KEPT_ANNOTATIONS.contains(&key.as_ref()) {
                    kept.push((Str::from(key.as_ref()), map.next_value::<Str>()?));
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok((!kept.is_empty()).then(|| kept.into_iter().collect()))
        }
    }
    d.deserialize_option(Kept)
}

/// Objects with metadata, for lookups by namespace and name.
pub trait HasMeta {
    fn meta(&self) -> &ObjectMeta;

    fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or_default()
    }

    fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or_default()
    }
}

/// The object of `items` in `namespace` named `name`. Items in namespace then name order (as
/// the API server lists them, and collect keeps them) are found by binary search; otherwise
/// by a scan.
pub fn find<'a, T: HasMeta>(items: &'a [T], namespace: &str, name: &str) -> Option<&'a T> {
    let key = (namespace, name);
    let at = items.partition_point(|i| (i.namespace(), i.name()) < key);
    match items.get(at) {
        Some(i) if (i.namespace(), i.name()) == key => Some(i),
        _ => items
            .iter()
            .find(|i| i.namespace() == namespace && i.name() == name),
    }
}
