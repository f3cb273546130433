//! The simulator's state: the records of every resource, and the one method that serves an
//! operation of the spec from them.

use std::collections::HashMap;

use edu_common::WindowLog;
use edu_common::mock::Response;
use serde_json::{Value, json};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::listing::{self, matches_filters};
use super::records::{apply_action, apply_create_flags, overlay};
use super::reply::{not_found, text};
use super::{schema, spec, webhooks};

/// The API key the simulator accepts.
pub(super) const API_KEY: &str = "eduframe-sim-key";

/// What a [`SimulatorBuilder`](super::SimulatorBuilder) set.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    /// `None`: no server-side rate limit.
    pub(super) limit: Option<u32>,
    pub(super) window: Duration,
    pub(super) records: usize,
    pub(super) sparse: bool,
    pub(super) seed: u64,
    pub(super) webhook_attempts: u32,
    pub(super) webhook_delay: Duration,
    pub(super) webhooks_to_any_host: bool,
    pub(super) webhook_queue: usize,
    pub(super) webhook_secret: Option<secrecy::SecretString>,
}

pub(super) struct State {
    /// Scheme, host and port the simulator serves on (for absolute `Link` targets).
    pub(super) origin: String,
    /// Records per resource (the spec's schema name without `WithIncludes`), in id order.
    pub(super) data: HashMap<String, Vec<Value>>,
    /// Records each resource starts with, made when it is first used.
    pub(super) seed: usize,
    /// The next id per resource.
    pub(super) next_id: HashMap<String, u64>,
    pub(super) contacts: Vec<Value>,
    /// Operation ids answered with a success, in the order first served.
    pub(super) served: Vec<&'static str>,
    pub(super) log: Option<WindowLog>,
    pub(super) throttled: usize,
    /// Answers leave out optional properties (`SimulatorBuilder::sparse`).
    pub(super) sparse: bool,
    /// The data seed (`SimulatorBuilder::seed`).
    pub(super) variant: u64,
    /// Webhook secrets, deliveries and their notifications.
    pub(super) hooks: Arc<Mutex<webhooks::Hooks>>,
    /// What each order created through the API enrolls once active: (students, planned course).
    pub(super) order_students: HashMap<String, (Vec<Value>, Option<Value>)>,
}

impl State {
    pub(super) fn new(cfg: &Settings, origin: String) -> State {
        let ts = spec::now();
        let contacts = (1..=cfg.records)
            .map(|i| json!({"id": i, "first_name": "Contact", "last_name": format!("{i}"), "email": format!("contact{i}@example.nl"), "organization_id": 1 + i % 4, "key_contact": if i % 5 == 0 { json!(1) } else { json!(false) }, "job_title": "Coordinator", "created_at": ts, "updated_at": ts}))
            .collect();
        State {
            origin,
            data: HashMap::new(),
            seed: cfg.records,
            next_id: HashMap::new(),
            contacts,
            served: Vec::new(),
            log: cfg.limit.map(|n| WindowLog::new(n, cfg.window)),
            throttled: 0,
            sparse: cfg.sparse,
            variant: cfg.seed,
            order_students: HashMap::new(),
            hooks: Arc::new(Mutex::new(webhooks::Hooks::new(
                cfg.webhook_attempts,
                cfg.webhook_delay,
                cfg.webhooks_to_any_host,
                cfg.webhook_queue,
                cfg.webhook_secret.clone(),
            ))),
        }
    }

    /// Records a request that arrived at `at`; `Some(seconds)` (rounded up, at least 1) when it
    /// is over the limit.
    pub(super) fn admit(&mut self, at: tokio::time::Instant) -> Option<u64> {
        let wait = self.log.as_mut()?.record(at).err()?;
        Some(wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// The records of resource `key`, seeded from its schema on first use.
    pub(super) fn records(&mut self, key: &str) -> &mut Vec<Value> {
        let seed = self.seed;
        if !self.data.contains_key(key) {
            let variant = self.variant;
            let records: Vec<Value> = (1..=seed)
                .map(|i| spec::synthesize(key, i, variant))
                .collect();
            self.next_id.insert(key.to_owned(), seed as u64 + 1);
            self.data.insert(key.to_owned(), records);
        }
        self.data.get_mut(key).expect("inserted above")
    }

    /// A stored record of resource `key` as an answer shows it: whole, or sparse.
    pub(super) fn shown(&self, key: &str, record: &Value) -> Value {
        match spec::RECORD_SCHEMAS.get(key) {
            Some(schema) if self.sparse => spec::sparse(schema, record),
            _ => record.clone(),
        }
    }

    /// The webhooks' state (its own lock: deliveries update it without the simulator's).
    pub(super) fn hooks(&self) -> std::sync::MutexGuard<'_, webhooks::Hooks> {
        self.hooks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A record changed through the API: the webhooks subscribed to its event hear of it.
    pub(super) fn changed(&mut self, key: &str, change: &str, record: &Value) {
        let Some(event) = webhooks::event_name(key, change) else {
            return;
        };
        let shown = self.shown(key, record);
        let subscribed: Vec<(String, String)> = self
            .records("Webhook")
            .iter()
            .filter(|w| w["active"] != json!(false))
            .filter(|w| {
                w["events"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|x| x == event.as_str()))
            })
            .filter_map(|w| Some((text(&w["id"]), w["url"].as_str()?.to_owned())))
            .collect();
        self.hooks().emit(&event, &shown, subscribed);
    }

    /// An order became active (created with `approve: true`, or approved): its students are
    /// enrolled in its planned course (the one the body named, or its catalog variant's), once.
    pub(super) fn enroll(&mut self, order: &Value) {
        let Some((students, planned)) = self.order_students.remove(&text(&order["id"])) else {
            return;
        };
        let planned = planned.or_else(|| {
            let variant = order["catalog_variant_id"].clone();
            self.records("Variant")
                .iter()
                .find(|v| v["id"] == variant && v["variantable_type"] == "PlannedCourse")
                .map(|v| v["variantable_id"].clone())
        });
        let Some(planned) = planned else {
            return;
        };
        for student in students {
            let id = self.new_id("Enrollment");
            let mut record = spec::synthesize("Enrollment", id as usize, self.variant);
            if let Some(o) = record.as_object_mut() {
                o.insert("id".into(), json!(id));
                o.insert("student_id".into(), student);
                o.insert("planned_course_id".into(), planned.clone());
                o.insert("order_id".into(), order["id"].clone());
                o.insert("status".into(), json!("confirmed"));
                for f in ["created_at", "updated_at"] {
                    o.insert(f.into(), json!(spec::now()));
                }
            }
            self.records("Enrollment").push(record.clone());
            self.changed("Enrollment", "create", &record);
        }
    }

    pub(super) fn new_id(&mut self, key: &str) -> u64 {
        self.records(key);
        let next = self.next_id.entry(key.to_owned()).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }
}

/// The record field a path parameter names: `course_id` itself, or `meeting_id` for the `{id}`
/// of `/meetings/{id}/materials`.
pub(super) fn parent_field(route: &spec::Route, param: &str) -> String {
    if param != "id" {
        return param.to_owned();
    }
    let mut prev = "";
    for seg in &route.segs {
        match seg {
            spec::Seg::Static(s) => prev = s,
            spec::Seg::Param(p) if p == param => break,
            spec::Seg::Param(_) => {}
        }
    }
    format!("{}_id", prev.strip_suffix('s').unwrap_or(prev))
}

impl State {
    pub(super) fn serve(
        &mut self,
        route: &spec::Route,
        params: &[(String, String)],
        q: &HashMap<String, Vec<String>>,
        body: &Value,
        path: &str,
    ) -> Response {
        use spec::{Answer, Seg};
        let ends_in_param = matches!(route.segs.last(), Some(Seg::Param(_)));
        // The record's own id: the last path parameter when the path ends in it, or before an
        // action (`/orders/{id}/approve`).
        let own = |route: &spec::Route| -> Option<String> {
            let n = route.segs.len();
            match (
                route.segs.get(n.wrapping_sub(1)),
                route.segs.get(n.wrapping_sub(2)),
            ) {
                (Some(Seg::Param(p)), _) => Some(p.clone()),
                (Some(Seg::Static(_)), Some(Seg::Param(p))) if route.method != "get" => {
                    Some(p.clone())
                }
                _ => None,
            }
        };
        let own_param = if route.creates { None } else { own(route) };
        // Parent filters: every other path parameter names a field of the record.
        let parents: Vec<(String, String)> = params
            .iter()
            .filter(|(n, _)| Some(n) != own_param.as_ref())
            .map(|(n, v)| (parent_field(route, n), v.clone()))
            .collect();
        let in_parent = |r: &Value| {
            parents
                .iter()
                .all(|(f, v)| r.get(f).is_none_or(|x| x.is_null() || text(x) == *v))
        };
        let own_value = own_param
            .as_ref()
            .and_then(|p| params.iter().find(|(n, _)| n == p).map(|(_, v)| v.clone()));
        if let Answer::Other(schema) = &route.answer {
            return Response::new(route.status).set_body_json(spec::value_for(
                "",
                "",
                schema,
                (1, 1),
                0,
            ));
        }
        let key = route.store.clone();
        let status = route.status;
        let method = route.method.as_str();
        match (method, &route.answer) {
            ("get", Answer::List(_)) => {
                // `parents_published`: only planned courses whose course is published.
                let parents_published = q.contains_key("parents_published");
                let published_courses: Vec<String> = if parents_published {
                    self.records("Course")
                        .iter()
                        .filter(|c| c.get("is_published") == Some(&json!(true)))
                        .map(|c| text(&c["id"]))
                        .collect()
                } else {
                    Vec::new()
                };
                let records: Vec<Value> = self
                    .records(&key)
                    .iter()
                    .filter(|r| in_parent(r))
                    .filter(|r| {
                        !parents_published
                            || r.get("course_id")
                                .is_none_or(|c| published_courses.contains(&text(c)))
                    })
                    .cloned()
                    .collect();
                if route.paged {
                    listing::page(&self.origin, path, q, records.iter().collect(), |r| {
                        self.shown(&key, r)
                    })
                } else {
                    let items: Vec<Value> = records
                        .iter()
                        .filter(|r| matches_filters(r, q))
                        .map(|r| self.shown(&key, r))
                        .collect();
                    Response::new(status).set_body_json(json!(items))
                }
            }
            ("get", _) => {
                let found = match &own_value {
                    Some(id) => self
                        .records(&key)
                        .iter()
                        .find(|r| text(&r["id"]) == *id && in_parent(r))
                        .cloned(),
                    // A singleton such as `/educators/current`.
                    None => self.records(&key).first().cloned(),
                };
                match found {
                    Some(r) => Response::new(status).set_body_json(self.shown(&key, &r)),
                    None => not_found(),
                }
            }
            ("post", _) if route.creates => {
                // A create (also under a parent: `/planned_courses/{id}/teacher_enrollments`).
                // A parent named by an id that cannot be one (`/invoices/ú/payments`) does not
                // exist: Rails finds no record.
                let props = spec::RECORD_SCHEMAS
                    .get(&key)
                    .map(schema::properties)
                    .unwrap_or_default();
                let integer = |f: &str| {
                    props
                        .get(f)
                        .is_some_and(|s| schema::resolve(s)["type"] == "integer")
                };
                if parents
                    .iter()
                    .any(|(f, v)| integer(f) && v.parse::<i64>().is_err())
                {
                    return not_found();
                }
                let id = self.new_id(&key);
                let mut record = spec::synthesize(&key, id as usize, self.variant);
                overlay(&key, &mut record, body);
                apply_create_flags(&key, &mut record, body);
                if let Some(o) = record.as_object_mut() {
                    if o.get("id").is_some_and(Value::is_string) {
                        o.insert("id".into(), json!(id.to_string()));
                    } else {
                        o.insert("id".into(), json!(id));
                    }
                    for (f, v) in &parents {
                        if o.contains_key(f) {
                            o.insert(
                                f.clone(),
                                v.parse::<i64>().map(Value::from).unwrap_or(json!(v)),
                            );
                        }
                    }
                    for f in ["created_at", "updated_at"] {
                        if o.contains_key(f) {
                            o.insert(f.into(), json!(spec::now()));
                        }
                    }
                }
                let location = format!(
                    "{}{}/{}",
                    self.origin,
                    path.trim_end_matches('/'),
                    text(&record["id"])
                );
                self.records(&key).push(record.clone());
                if key == "Webhook" {
                    self.hooks().register(&text(&record["id"]));
                }
                self.changed(&key, "create", &record);
                if key == "Order" {
                    let students = body["student_ids"].as_array().cloned().unwrap_or_default();
                    let planned = body
                        .get("planned_course_id")
                        .filter(|v| v.is_i64())
                        .cloned();
                    self.order_students
                        .insert(text(&record["id"]), (students, planned));
                    if record["status"] == "active" {
                        self.enroll(&record);
                    }
                }
                match &route.answer {
                    Answer::Created(_) => Response::new(status)
                        .set_body_json(json!({"result": "Success", "location": location}))
                        .insert_header("location", location.as_str()),
                    Answer::Empty => Response::new(status),
                    _ => Response::new(status).set_body_json(self.shown(&key, &record)),
                }
            }
            ("delete", _) if route.last_static().is_none() => {
                let Some(id) = own_value else {
                    return not_found();
                };
                let records = self.records(&key);
                let Some(pos) = records
                    .iter()
                    .position(|r| text(&r["id"]) == id && in_parent(r))
                else {
                    return not_found();
                };
                let removed = records.remove(pos);
                if key == "Webhook" {
                    self.hooks().forget(&id);
                }
                self.changed(&key, "delete", &removed);
                match &route.answer {
                    Answer::One(_) => {
                        Response::new(status).set_body_json(self.shown(&key, &removed))
                    }
                    _ => Response::new(status),
                }
            }
            _ => {
                // An update, or an action on one record (`cancel`, `approve`, `activate`...).
                let Some(id) = own_value else {
                    return not_found();
                };
                let action = if ends_in_param {
                    None
                } else {
                    route.last_static().map(str::to_owned)
                };
                let records = self.records(&key);
                let Some(record) = records
                    .iter_mut()
                    .find(|r| text(&r["id"]) == id && in_parent(r))
                else {
                    return not_found();
                };
                overlay(&key, record, body);
                match &action {
                    Some(a) => apply_action(record, a, body),
                    None => {
                        if let Some(o) = record.as_object_mut()
                            && o.contains_key("updated_at")
                        {
                            o.insert("updated_at".into(), json!(spec::now()));
                        }
                    }
                }
                let record = record.clone();
                self.changed(&key, action.as_deref().unwrap_or("update"), &record);
                if key == "Order" && action.as_deref() == Some("approve") {
                    self.enroll(&record);
                }
                match &route.answer {
                    Answer::One(_) => {
                        Response::new(status).set_body_json(self.shown(&key, &record))
                    }
                    _ => Response::new(status),
                }
            }
        }
    }
}
