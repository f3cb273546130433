//! A request body written field by field: what the generated write builders keep while a caller
//! sets fields (`client.accounts().create().name("Acme").email("billing@acme.nl")`), turned into
//! the API's typed body only when the request is sent.
//!
//! Three states per field, as PATCH needs them: absent (never set), `null` (set to null on
//! purpose with [`Fields::set_null`]) and a value. A missing required field is an
//! [`Error::InvalidInput`] naming it, before anything is sent.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The fields set so far, in the API's names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    values: Map<String, Value>,
    /// The first value that could not be written as JSON (name, reason).
    unwritable: Option<(String, String)>,
}

/// A typed body made from [`Fields`], with the names of the fields set to `null` on purpose.
#[derive(Debug, Clone)]
pub struct Finished<T> {
    /// The body.
    pub body: T,
    /// Fields set to `null` on purpose: the body's type reads them as absent, so the caller
    /// writes them back (into the body's `extra` fields) for the request to carry them.
    pub nulls: Vec<String>,
}

impl Fields {
    /// `value` as JSON; one that cannot be written is remembered (the first) and reported
    /// when the body is finished.
    fn json(&mut self, name: &str, value: impl Serialize) -> Option<Value> {
        match serde_json::to_value(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.unwritable
                    .get_or_insert_with(|| (name.to_owned(), e.to_string()));
                None
            }
        }
    }

    /// Sets `name` to `value`.
    pub fn set(&mut self, name: &str, value: impl Serialize) {
        if let Some(v) = self.json(name, value) {
            self.values.insert(name.to_owned(), v);
        }
    }

    /// Sets `name` to `null` on purpose (a PATCH that clears the field).
    pub fn set_null(&mut self, name: &str) {
        self.values.insert(name.to_owned(), Value::Null);
    }

    /// Appends `value` to the list `name` (started empty).
    pub fn push(&mut self, name: &str, value: impl Serialize) {
        let Some(item) = self.json(name, value) else {
            return;
        };
        match self.values.get_mut(name) {
            Some(Value::Array(items)) => items.push(item),
            _ => {
                self.values
                    .insert(name.to_owned(), Value::Array(vec![item]));
            }
        }
    }

    /// Sets `key` in the object `name` (started empty): `custom("colour", "blue")`.
    pub fn insert(&mut self, name: &str, key: String, value: impl Serialize) {
        let Some(value) = self.json(name, value) else {
            return;
        };
        match self.values.get_mut(name) {
            Some(Value::Object(entries)) => {
                entries.insert(key, value);
            }
            _ => {
                let mut entries = Map::new();
                entries.insert(key, value);
                self.values.insert(name.to_owned(), Value::Object(entries));
            }
        }
    }

    /// Replaces every field with those of `body` (a typed body, or a record read earlier).
    pub fn replace_with(&mut self, body: &impl Serialize) {
        match serde_json::to_value(body) {
            Ok(Value::Object(values)) => {
                self.values = values;
                self.unwritable = None;
            }
            Ok(other) => {
                self.unwritable = Some((
                    String::new(),
                    format!("a body is a JSON object, not {other}"),
                ));
            }
            Err(e) => self.unwritable = Some((String::new(), e.to_string())),
        }
    }

    /// The fields as one JSON object (a nested object's builder hands this to its parent).
    pub fn into_value(self) -> Value {
        Value::Object(self.values)
    }

    /// The typed body for `operation`: every name in `required` set (each `(field, setter)`),
    /// and the fields fitting `T`'s types. Otherwise an [`Error::InvalidInput`] that names the
    /// field and the setter that sets it.
    pub fn finish<T: DeserializeOwned>(
        self,
        operation: &str,
        required: &[(&str, &str)],
    ) -> Result<Finished<T>> {
        if let Some((name, why)) = self.unwritable {
            return Err(if name.is_empty() {
                Error::invalid_input(None, format!("{operation}: the body cannot be sent: {why}"))
            } else {
                Error::invalid_input(
                    Some(&name),
                    format!("{operation}: `{name}` cannot be written as JSON: {why}"),
                )
            });
        }
        if let Some((name, setter)) = required
            .iter()
            .find(|(name, _)| !self.values.contains_key(*name))
        {
            return Err(Error::invalid_input(
                Some(name),
                format!("{operation}: `{name}` is required; set it with `.{setter}(…)`"),
            ));
        }
        let mut values = self.values;
        let nulls: Vec<String> = values
            .iter()
            .filter(|(_, v)| v.is_null())
            .map(|(k, _)| k.clone())
            .collect();
        for name in &nulls {
            values.remove(name);
        }
        // serde quotes the offending value; it is the caller's record data, so only its shape
        // is told.
        // The field is named by its path (`address_attributes.city`).
        let body = serde_path_to_error::deserialize(Value::Object(values)).map_err(|e| {
            let path = e.path().to_string();
            let why = crate::error::redact_serde_message(&e.inner().to_string());
            if path.is_empty() || path == "." {
                Error::invalid_input(None, format!("{operation}: the body does not fit: {why}"))
            } else {
                Error::invalid_input(
                    Some(&path),
                    format!("{operation}: the body's `{path}` does not fit: {why}"),
                )
            }
        })?;
        Ok(Finished { body, nulls })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Body {
        name: String,
        phone: Option<String>,
        #[serde(default)]
        tags: Vec<u32>,
    }

    #[test]
    fn a_missing_required_field_is_named_with_its_setter() {
        let mut f = Fields::default();
        f.set("phone", "06");
        let err = f
            .finish::<Body>("create_account", &[("name", "name")])
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`name` is required") && text.contains(".name(…)"),
            "{text}"
        );
        assert!(matches!(err, Error::InvalidInput { field: Some(f), .. } if f == "name"));
    }

    #[test]
    fn absent_null_and_a_value_are_three_things() {
        let mut f = Fields::default();
        f.set("name", "Acme");
        f.set_null("phone");
        f.push("tags", 1);
        f.push("tags", 2);
        let done = f.finish::<Body>("x", &[("name", "name")]).unwrap();
        assert_eq!(done.body.name, "Acme");
        assert_eq!(done.body.phone, None);
        assert_eq!(done.body.tags, [1, 2]);
        assert_eq!(done.nulls, ["phone"]);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_invalid_input_without_the_value() {
        let mut f = Fields::default();
        f.set("name", "Acme");
        f.set("tags", "hunter2");
        let err = f.finish::<Body>("x", &[]).unwrap_err();
        assert!(err.to_string().contains("`tags` does not fit"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn entries_collect_into_one_object() {
        let mut f = Fields::default();
        f.insert("custom", "a".into(), 1);
        f.insert("custom", "b".into(), "two");
        assert_eq!(
            f.into_value(),
            serde_json::json!({"custom": {"a": 1, "b": "two"}})
        );
    }
}
