//! The simulator's state: candidates (production and sandbox), the mutation queue and
//! idempotency keys.

use std::collections::HashMap;

use serde_json::{Value, json};

#[derive(Debug)]
pub(super) enum Change {
    Create(Vec<Value>),
    Upsert(Vec<Value>),
    Update(String, Value),
    Delete(String),
    Interactions(String, Vec<Value>),
    Attachments(String, Value),
}

#[derive(Debug)]
pub(super) struct Mutation {
    pub(super) id: String,
    pub(super) key: String,
    pub(super) sandbox: bool,
    pub(super) callback: Option<String>,
    pub(super) change: Change,
}

#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) candidates: Vec<Value>,
    pub(super) interactions: HashMap<String, Vec<Value>>,
}

#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) prod: Store,
    pub(super) sandbox: Store,
    /// Accepted writes by idempotency key: what was sent (method, path, body) and the answer.
    pub(super) accepted: HashMap<String, (Vec<u8>, Value)>,
    pub(super) applied: usize,
    pub(super) next_id: usize,
    pub(super) callbacks_sent: usize,
    pub(super) callback_failures: usize,
    /// Why the last failed callbacks failed (the newest last, at most [`FAILURES_KEPT`]).
    pub(super) failure_reasons: std::collections::VecDeque<String>,
}

/// How many failure reasons a simulator keeps.
pub(super) const FAILURES_KEPT: usize = 100;

impl State {
    /// Counts a failed callback and keeps why.
    pub(super) fn callback_failed(&mut self, why: String) {
        self.callback_failures += 1;
        if self.failure_reasons.len() == FAILURES_KEPT {
            self.failure_reasons.pop_front();
        }
        self.failure_reasons.push_back(why);
    }
}

impl State {
    pub(super) fn store(&mut self, sandbox: bool) -> &mut Store {
        if sandbox {
            &mut self.sandbox
        } else {
            &mut self.prod
        }
    }

    pub(super) fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:08}", self.next_id)
    }

    /// Applies a mutation; returns the ids it touched, or why it failed.
    pub(super) fn apply(&mut self, m: &Mutation) -> Result<Vec<String>, String> {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        match &m.change {
            Change::Create(list) | Change::Upsert(list) => {
                let upsert = matches!(m.change, Change::Upsert(_));
                let mut ids = Vec::new();
                for c in list {
                    let existing = upsert
                        .then(|| {
                            self.store(m.sandbox).candidates.iter().position(|x| {
                                let same_email = x["email"].as_str().map(str::to_lowercase)
                                    == c["email"].as_str().map(str::to_lowercase)
                                    && c["email"].is_string();
                                let same_phone = c["phone"].is_string()
                                    && x["phone"].as_str().map(digits)
                                        == c["phone"].as_str().map(digits);
                                same_email || same_phone
                            })
                        })
                        .flatten();
                    match existing {
                        Some(i) => {
                            let store = self.store(m.sandbox);
                            merge(&mut store.candidates[i], c);
                            ids.push(
                                store.candidates[i]["id"]
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_owned(),
                            );
                        }
                        None => {
                            let id = self.new_id("cand");
                            let mut c = c.clone();
                            c["id"] = json!(id);
                            if let Some(its) =
                                c.as_object_mut().and_then(|o| o.remove("interactions"))
                            {
                                self.store(m.sandbox).interactions.insert(
                                    id.clone(),
                                    its.as_array().cloned().unwrap_or_default(),
                                );
                            }
                            self.store(m.sandbox).candidates.push(c);
                            ids.push(id);
                        }
                    }
                }
                Ok(ids)
            }
            Change::Update(id, patch) => {
                let store = self.store(m.sandbox);
                let c = store
                    .candidates
                    .iter_mut()
                    .find(|c| c["id"] == *id)
                    .ok_or("candidate not found")?;
                merge(c, patch);
                Ok(vec![id.clone()])
            }
            Change::Delete(id) => {
                let store = self.store(m.sandbox);
                let before = store.candidates.len();
                store.candidates.retain(|c| c["id"] != *id);
                if store.candidates.len() == before {
                    return Err("candidate not found".into());
                }
                Ok(vec![id.clone()])
            }
            Change::Interactions(id, list) => {
                let store = self.store(m.sandbox);
                if !store.candidates.iter().any(|c| c["id"] == *id) {
                    return Err("candidate not found".into());
                }
                let entry = store.interactions.entry(id.clone()).or_default();
                entry.extend(list.iter().cloned());
                Ok(vec![id.clone()])
            }
            Change::Attachments(id, files) => {
                let store = self.store(m.sandbox);
                let c = store
                    .candidates
                    .iter_mut()
                    .find(|c| c["id"] == *id)
                    .ok_or("candidate not found")?;
                for field in ["curriculumVitae", "otherAttachments"] {
                    let new = files[field].as_array().cloned().unwrap_or_default();
                    let list = c[field].as_array().cloned().unwrap_or_default();
                    if list.len() + new.len() > 5 {
                        return Err(format!("{field} would hold more than 5 files"));
                    }
                    c[field] = Value::Array(list.into_iter().chain(new).collect());
                }
                Ok(vec![id.clone()])
            }
        }
    }
}

/// Shallow merge: arrays and scalars replace, `null` clears.
pub(super) fn merge(target: &mut Value, patch: &Value) {
    if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}
