//! The region's JSON Schema: fetched once per operation, cached, and used to validate every
//! create and update payload before it is sent.

use std::sync::Arc;

use edu_common::{Error, Result, Transport};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::envelope::Envelope;

/// Which payload a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Creating (and upserting) candidates.
    Create,
    /// Updating a candidate.
    Update,
}

/// One way a payload breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a JSON pointer into the payload (`""` is the payload itself).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.message)
    }
}

/// A compiled region schema.
pub struct RegionSchema {
    /// The schema as the server sent it.
    pub raw: Value,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for RegionSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionSchema").finish_non_exhaustive()
    }
}

impl RegionSchema {
    /// Compiles a schema. If it describes an array of candidates, one candidate (its `items`) is
    /// what gets validated, so that each candidate gets its own report.
    pub fn compile(raw: Value) -> Result<RegionSchema> {
        let item = match (raw.get("type").and_then(Value::as_str), raw.get("items")) {
            (Some("array"), Some(items)) => {
                let mut item = items.clone();
                if let (Some(obj), Some(defs)) = (
                    item.as_object_mut(),
                    raw.get("$defs").or(raw.get("definitions")),
                ) {
                    obj.entry("$defs").or_insert_with(|| defs.clone());
                }
                item
            }
            _ => raw.clone(),
        };
        let validator = jsonschema::validator_for(&item).map_err(|e| {
            Error::Decode(Box::new(edu_common::DecodeError::new(
                "region schema",
                e.instance_path().to_string(),
                format!("the region's schema is not a valid JSON Schema: {e}"),
                b"",
            )))
        })?;
        Ok(RegionSchema { raw, validator })
    }

    /// Every violation in `payload`, with its JSON pointer; empty when it is valid.
    pub fn violations(&self, payload: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(payload)
            .map(|e| Violation {
                pointer: e.instance_path().to_string(),
                message: without_value(&e.to_string(), e.instance()),
            })
            .collect()
    }

    /// `Ok` when valid, else [`Error::InvalidInput`] listing every violation.
    pub fn check(&self, payload: &Value, what: &str) -> Result<()> {
        let v = self.violations(payload);
        if v.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = v.iter().map(ToString::to_string).collect();
        Err(Error::InvalidInput {
            field: Some(v[0].pointer.clone()),
            message: format!(
                "{what} does not match the region's schema ({} problem(s)): {}",
                v.len(),
                list.join("; ")
            ),
        })
    }
}

/// Schemas by operation, shared by every clone of a client. One fetch per operation (the first
/// takes seconds on the server); concurrent callers wait for it; a failed fetch is not cached.
#[derive(Debug, Default)]
pub(crate) struct SchemaCache {
    create: Mutex<Option<Arc<RegionSchema>>>,
    update: Mutex<Option<Arc<RegionSchema>>>,
}

impl SchemaCache {
    pub(crate) async fn get(
        &self,
        transport: &Transport,
        op: Operation,
    ) -> Result<Arc<RegionSchema>> {
        let slot = match op {
            Operation::Create => &self.create,
            Operation::Update => &self.update,
        };
        let mut guard = slot.lock().await;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let mut req = transport.get("schema").operation("getSchema");
        if op == Operation::Update {
            req = req.query("operation", "update");
        }
        let env: Envelope<Value> = req.send_json().await?;
        let compiled = Arc::new(RegionSchema::compile(env.data)?);
        *guard = Some(compiled.clone());
        Ok(compiled)
    }
}

/// A validation message with the offending value replaced by its kind (`"ann@" is not a
/// "email"` becomes `the string is not a "email"`): candidates are personal data, and a message
/// may end up in logs.
fn without_value(message: &str, value: &Value) -> String {
    let shown = value.to_string();
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "the boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "the string",
        Value::Array(_) => "the array",
        Value::Object(_) => "the object",
    };
    message.replace(&shown, kind)
}
