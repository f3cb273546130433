//! The simulated district: its records, generated from a seed, and the tokens issued.

use std::collections::HashMap;
use std::time::Duration;

use edu_common::mock::TokenDesk;
use serde_json::{Value, json};

#[derive(Debug)]
pub(super) struct State {
    pub(super) district: Value,
    pub(super) collections: HashMap<&'static str, Vec<Value>>,
    pub(super) range_paging: bool,
    pub(super) tokens: TokenDesk,
    /// Rendered successful responses by path and query: the data never changes, so each page is
    /// serialised once and large listings are served at loopback speed.
    pub(super) rendered: HashMap<String, (u16, Vec<u8>)>,
}

pub(super) fn oid(n: usize) -> String {
    format!("{n:024x}")
}

pub(super) const FIRST: &[&str] = &[
    "Ada", "Bram", "Chloe", "Daan", "Emma", "Finn", "Guus", "Hanna", "Isa", "Jens",
];
pub(super) const LAST: &[&str] = &[
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos",
];

/// What a district is generated from.
pub(super) struct Shape {
    pub(super) schools: usize,
    pub(super) teachers: usize,
    pub(super) students: usize,
    pub(super) sections: usize,
    pub(super) seed: usize,
    pub(super) token_lifetime: Duration,
    pub(super) range_paging: bool,
}

impl State {
    pub(super) fn generate(cfg: &Shape) -> State {
        let district_id = oid(1);
        let ts = "2026-08-01T08:00:00.000Z";
        let district = json!({"id": district_id, "name": "Demo District", "mdr_number": "9990001"});
        let schools: Vec<Value> = (0..cfg.schools)
            .map(|i| {
                json!({
                    "id": oid(0x100 + i), "district": district_id, "name": format!("School {}", i + 1),
                    "sis_id": format!("S{i}"), "school_number": format!("{}", 100 + i),
                    "low_grade": "Kindergarten", "high_grade": "8", "created": ts, "last_modified": ts,
                    "location": {"address": format!("{} Main St", i + 1), "city": "Springfield", "state": "IL", "zip": "62701"},
                    "principal": {"name": "P. Rincipal", "email": format!("principal{i}@example.org")}
                })
            })
            .collect();
        let seed = cfg.seed;
        let name = |i: usize| {
            let i = i.wrapping_add(seed);
            json!({"first": FIRST[i % FIRST.len()], "last": LAST[(i / FIRST.len()) % LAST.len()]})
        };
        let grade = |i: usize| format!("{}", 1 + i.wrapping_add(seed) % 8);
        let teachers: Vec<Value> = (0..cfg.teachers)
            .map(|i| {
                json!({
                    "id": oid(0x10_000 + i), "district": district_id, "school": schools[i % schools.len()]["id"],
                    "name": name(i + 3), "email": format!("teacher{i}@example.org"), "sis_id": format!("T{i}"),
                    "title": "Teacher", "credentials": {"district_username": format!("teacher{i}")},
                    "created": ts, "last_modified": ts
                })
            })
            .collect();
        let sections_n = cfg.sections;
        let students: Vec<Value> = (0..cfg.students)
            .map(|i| {
                json!({
                    "id": oid(0x1_000_000 + i), "district": district_id, "school": schools[i % schools.len()]["id"],
                    "name": name(i), "sis_id": format!("{}", 50_000 + i), "student_number": format!("{}", 50_000 + i),
                    "grade": grade(i), "gender": if i.wrapping_add(seed) % 2 == 0 { "F" } else { "M" },
                    "dob": format!("{}/{}/2015", 1 + i % 12, 1 + i % 28), "email": format!("student{i}@example.org"),
                    "credentials": {"district_username": format!("s{i}")}, "created": ts, "last_modified": ts
                })
            })
            .collect();
        let sections: Vec<Value> = (0..sections_n)
            .map(|i| {
                let teacher = &teachers[i % teachers.len()];
                let members: Vec<Value> = students
                    .iter()
                    .enumerate()
                    .filter(|(s, _)| s % sections_n == i)
                    .map(|(_, s)| s["id"].clone())
                    .collect();
                json!({
                    "id": oid(0x200_000 + i), "district": district_id, "school": teacher["school"],
                    "name": format!("Grade {} Math, Class {}", 1 + i % 8, 300 + i), "sis_id": format!("C{i}"),
                    "subject": "math", "grade": format!("{}", 1 + i % 8), "teacher": teacher["id"],
                    "teachers": [teacher["id"]], "students": members, "period": format!("{}", 1 + i % 6),
                    "term": {"name": "Y1", "start_date": "2026-08-01", "end_date": "2027-06-30"},
                    "created": ts, "last_modified": ts
                })
            })
            .collect();
        let contacts: Vec<Value> = students
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "id": oid(0x3_000_000 + i), "district": district_id, "student": s["id"],
                    "name": format!("Parent of {}", s["name"]["first"].as_str().unwrap_or("")),
                    "type": "parent/guardian", "relationship": "Parent", "phone": format!("555-{:04}", i % 10_000),
                    "phone_type": "Cell", "email": format!("parent{i}@example.org")
                })
            })
            .collect();
        let district_admins = vec![json!({
            "id": oid(0x400_000), "district": district_id, "email": "admin@example.org",
            "name": {"first": "Dana", "last": "Admin"}, "title": "Superintendent"
        })];
        let school_admins: Vec<Value> = schools
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "id": oid(0x500_000 + i), "district": district_id, "email": format!("office{i}@example.org"),
                    "name": name(i + 5), "schools": [s["id"]], "staff_id": format!("A{i}"),
                    "credentials": {"district_username": format!("office{i}")}
                })
            })
            .collect();
        let mut events: Vec<Value> = students
            .iter()
            .take(50)
            .enumerate()
            .map(|(i, s)| {
                json!({"id": oid(0x6_000_000 + i), "type": "students.created", "created": ts, "data": {"object": s}})
            })
            .collect();
        for (i, s) in students.iter().take(5).enumerate() {
            events.push(json!({
                "id": oid(0x6_100_000 + i), "type": "students.updated", "created": "2026-09-01T08:00:00.000Z",
                "data": {"object": s, "previous_attributes": {"grade": "K"}}
            }));
        }
        let mut collections = HashMap::from([
            ("schools", schools),
            ("teachers", teachers),
            ("students", students),
            ("sections", sections),
            ("contacts", contacts),
            ("district_admins", district_admins),
            ("school_admins", school_admins),
            ("events", events),
            ("districts", vec![district.clone()]),
        ]);
        for records in collections.values_mut() {
            records.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        }
        State {
            district,
            collections,
            tokens: TokenDesk::new("sim-token", cfg.token_lifetime),
            rendered: HashMap::new(),
            range_paging: cfg.range_paging,
        }
    }

    pub(super) fn find(&self, resource: &str, id: &str) -> Option<&Value> {
        self.collections
            .get(resource)?
            .iter()
            .find(|v| v["id"] == id)
    }

    /// The records related to `record` (of type `resource`) of type `sub`.
    pub(super) fn related(&self, resource: &str, record: &Value, sub: &str) -> Option<Vec<Value>> {
        let id = record["id"].as_str().unwrap_or_default();
        let all = |name: &str| self.collections.get(name).cloned().unwrap_or_default();
        let with = |name: &str, field: &str| -> Vec<Value> {
            all(name)
                .into_iter()
                .filter(|v| {
                    v[field] == id
                        || v[field]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x == id))
                })
                .collect()
        };
        let ids_in = |name: &str, ids: &Value| -> Vec<Value> {
            let ids: Vec<&Value> = ids
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            all(name)
                .into_iter()
                .filter(|v| ids.contains(&&v["id"]))
                .collect()
        };
        Some(match (resource, sub) {
            ("districts", "admins") => all("district_admins"),
            ("districts", "status") => vec![json!({
                "id": id, "state": "running", "sis_type": "simulated", "instant_login": false,
                "last_sync": "2026-11-01T02:00:00.000Z", "error": ""
            })],
            ("districts", "events") => all("events"),
            ("districts", s) if self.collections.contains_key(s) => all(s),
            ("schools", "events")
            | ("teachers", "events")
            | ("sections", "events")
            | ("students", "events") => all("events")
                .into_iter()
                .filter(|e| e["data"]["object"]["id"] == id || e["data"]["object"]["school"] == id)
                .collect(),
            ("schools", s @ ("sections" | "students" | "teachers")) => with(s, "school"),
            ("teachers", "sections") => with("sections", "teachers"),
            ("teachers", "students") => {
                let mut ids = Vec::new();
                for s in with("sections", "teachers") {
                    ids.extend(s["students"].as_array().cloned().unwrap_or_default());
                }
                ids_in("students", &Value::Array(ids))
            }
            ("students", "sections") => with("sections", "students"),
            ("students", "teachers") => {
                let mut ids = Vec::new();
                for s in with("sections", "students") {
                    ids.extend(s["teachers"].as_array().cloned().unwrap_or_default());
                }
                ids_in("teachers", &Value::Array(ids))
            }
            ("students", "contacts") => with("contacts", "student"),
            ("sections", "students") => ids_in("students", &record["students"]),
            ("sections", "teachers") => ids_in("teachers", &record["teachers"]),
            ("school_admins", "schools") => ids_in("schools", &record["schools"]),
            _ => return None,
        })
    }

    pub(super) fn single(&self, resource: &str, record: &Value, sub: &str) -> Option<Value> {
        let field = match (resource, sub) {
            (_, "district") => return Some(self.district.clone()),
            (_, "school") => "school",
            ("sections", "teacher") => "teacher",
            ("contacts", "student") => "student",
            _ => return None,
        };
        let target = match sub {
            "school" => "schools",
            "teacher" => "teachers",
            _ => "students",
        };
        self.find(target, record[field].as_str()?).cloned()
    }
}
