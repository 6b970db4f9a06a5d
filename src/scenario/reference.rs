//! The scenario schema as serde sees it: every table of a scenario file and
//! the field names it accepts, read from the serde types themselves.
//!
//! `docs/scenario-reference.md` documents every field; `tests/reference.rs`
//! compares it with [`FIELDS`] and [`distribution_families`] in both
//! directions, so a field added to (or removed from) [`super::raw`] or
//! [`crate::dist`] without its documentation fails the test suite.
//!
//! How: serde's derived `Deserialize` of a struct calls
//! `Deserializer::deserialize_struct(name, FIELDS, visitor)` with the static
//! list of the field names it accepts. [`Probe`] is a deserializer that
//! records that list, then feeds the visitor every field with a dummy value
//! (a number, a string, an empty list, a one-entry map keyed `NAME`), which
//! walks into every nested table. Nothing is hand-maintained here.

use super::raw::RawScenario;
use crate::dist::DistSpec;
use serde::Deserialize;
use serde::de::value::{SeqDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::sync::LazyLock;

/// One table of a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Dotted path of the table, with `NAME` for user-chosen keys:
    /// `""` (the file itself), `scenario`, `crossings.NAME`,
    /// `policy.green_lane`, …
    pub path: String,
    /// The Rust type that parses it (`RawMeta`, `RawCrossing`, …).
    pub type_name: &'static str,
    /// Every field name it accepts, in declaration order.
    pub fields: &'static [&'static str],
}

/// Every table of a scenario file, in the order serde visits them (the file
/// itself first, with path `""`).
pub static FIELDS: LazyLock<Vec<Section>> = LazyLock::new(sections);

/// Walks [`RawScenario`] and returns every table it contains.
pub fn sections() -> Vec<Section> {
    let log = RefCell::new(Vec::new());
    RawScenario::deserialize(Probe::new(String::new(), &log, None))
        .expect("the probe deserializer accepts every scenario type");
    log.into_inner()
}

/// Every distribution family with the parameter names its table accepts
/// (empty for `constant`, written as a bare number, and `empirical`, written
/// as a list).
pub fn distribution_families() -> Vec<(String, Vec<&'static str>)> {
    family_names()
        .into_iter()
        .map(|family| {
            let log = RefCell::new(Vec::new());
            DistSpec::deserialize(Probe::new(family.clone(), &log, Some(&family)))
                .expect("the probe deserializer accepts every distribution family");
            let params = log
                .into_inner()
                .into_iter()
                .flat_map(|s| s.fields.iter().copied())
                .collect();
            (family, params)
        })
        .collect()
}

/// The family names [`DistSpec`] accepts, read from its own error message
/// for an unknown family (`… expected one of constant, uniform, …`).
fn family_names() -> Vec<String> {
    let log = RefCell::new(Vec::new());
    let unknown = "\u{1}not-a-family";
    let err = DistSpec::deserialize(Probe::new(String::new(), &log, Some(unknown)))
        .expect_err("an unknown family is rejected");
    let list = err
        .0
        .split("expected one of ")
        .nth(1)
        .expect("DistSpec's error for an unknown family lists the families");
    list.split(',')
        .map(|s| s.trim().trim_end_matches('.').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Error of the probe: a message.
#[derive(Debug)]
pub struct ProbeError(pub String);

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProbeError {}

impl de::Error for ProbeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ProbeError(msg.to_string())
    }
}

/// The recording deserializer (see the module documentation).
pub struct Probe<'a> {
    path: String,
    log: &'a RefCell<Vec<Section>>,
    /// `Some(family)`: answer `deserialize_any` with a one-entry map
    /// `{ family = … }`, as a distribution table would be written.
    family: Option<&'a str>,
}

impl<'a> Probe<'a> {
    fn new(path: String, log: &'a RefCell<Vec<Section>>, family: Option<&'a str>) -> Self {
        Probe { path, log, family }
    }

    fn child(&self, key: &str) -> Probe<'a> {
        let path = if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        Probe::new(path, self.log, None)
    }
}

/// A map with one entry: `key` → a probe one level down.
struct OneEntry<'a> {
    key: Option<&'a str>,
    value: Option<Probe<'a>>,
}

impl<'de, 'a> MapAccess<'de> for OneEntry<'a> {
    type Error = ProbeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        match self.key.take() {
            Some(k) => {
                let d: StrDeserializer<'_, ProbeError> = k.into_deserializer();
                seed.deserialize(d).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ProbeError> {
        let probe = self
            .value
            .take()
            .ok_or_else(|| ProbeError("value requested twice".into()))?;
        seed.deserialize(probe)
    }
}

/// A struct's fields, each with a probe one level down.
struct Fields<'a> {
    parent: Probe<'a>,
    fields: std::slice::Iter<'static, &'static str>,
    current: Option<&'static str>,
}

impl<'de, 'a> MapAccess<'de> for Fields<'a> {
    type Error = ProbeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        match self.fields.next() {
            Some(&f) => {
                self.current = Some(f);
                let d: StrDeserializer<'_, ProbeError> = f.into_deserializer();
                seed.deserialize(d).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ProbeError> {
        let f = self.current.take().unwrap_or("?");
        seed.deserialize(self.parent.child(f))
    }
}

fn empty_seq() -> SeqDeserializer<std::iter::Empty<f64>, ProbeError> {
    SeqDeserializer::new(std::iter::empty())
}

impl<'de, 'a> de::Deserializer<'de> for Probe<'a> {
    type Error = ProbeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        match self.family {
            Some(family) => {
                let value = self.child(family);
                visitor.visit_map(OneEntry {
                    key: Some(family),
                    value: Some(value),
                })
            }
            // A number: how a `DistSpec` is most simply written.
            None => visitor.visit_f64(1.0),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_bool(true)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_i64(1)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_i64(1)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_i64(1)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_i64(1)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_u64(1)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_u64(1)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_u64(1)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_u64(1)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_f64(1.0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_f64(1.0)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_char('x')
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("NAME")
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("NAME")
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_bytes(b"")
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_bytes(b"")
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_some(self)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_seq(empty_seq())
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_seq(empty_seq())
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_seq(empty_seq())
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        let value = self.child("NAME");
        visitor.visit_map(OneEntry {
            key: Some("NAME"),
            value: Some(value),
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        self.log.borrow_mut().push(Section {
            path: self.path.clone(),
            type_name: name,
            fields,
        });
        visitor.visit_map(Fields {
            parent: self,
            fields: fields.iter(),
            current: None,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, ProbeError> {
        Err(ProbeError(format!(
            "enum {name} at {:?}: the probe does not walk enums; extend src/scenario/reference.rs",
            self.path
        )))
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("NAME")
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_every_table() {
        let s = sections();
        let paths: Vec<&str> = s.iter().map(|s| s.path.as_str()).collect();
        for p in [
            "",
            "scenario",
            "exchange_rates",
            "traders",
            "policy",
            "crossings.NAME",
            "commodities.NAME",
            "flows.NAME",
            "events.NAME",
        ] {
            assert!(paths.contains(&p), "{p:?} not in {paths:?}");
        }
        let meta = s.iter().find(|s| s.path == "scenario").unwrap();
        assert!(meta.fields.contains(&"horizon_days"));
    }

    #[test]
    fn lists_every_family() {
        let f = distribution_families();
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"lognormal") && names.contains(&"empirical"));
        let pert = &f.iter().find(|(n, _)| n == "pert").unwrap().1;
        assert_eq!(pert, &vec!["min", "mode", "max", "lambda"]);
        let constant = &f.iter().find(|(n, _)| n == "constant").unwrap().1;
        assert!(constant.is_empty());
    }
}
