//! The simulator's routes, and its sparse records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use edu_common::mock::bearer;
use edu_common::mock::{Request, Respond, Response};
use serde_json::{Value, json};

use super::state::{BOARD_BGE_CODE, BOARD_MASTER_ID, State, select, status};
use super::token::token;

pub(super) struct Handler(pub(super) Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, req: &Request) -> Response {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let path = req.url.path().to_owned();
        if path == "/oauth2/token" {
            return token(&mut state, req);
        }
        let Some(rest) = path.strip_prefix("/education/v1") else {
            return Response::new(404);
        };
        if !state.tokens.check(bearer(&req.headers)).is_valid() {
            return Response::new(401).insert_header(
                "www-authenticate",
                r#"Bearer realm="eduv", error="invalid_token", scope="eduv.education""#,
            );
        }
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let sparse = state.sparse;
        let ok = |body: Value| {
            Response::new(200)
                .set_body_json(if sparse { sparse_record(body) } else { body })
                .insert_header("api-version", "1.1.1")
        };
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            ["organisations"] => {
                if q.contains_key("orgMasterId")
                    || q.contains_key("orgId")
                    || q.contains_key("orgIdType")
                {
                    match select(&state, &q, false) {
                        Ok((i, _)) => ok(json!([state.organisation(i)])),
                        Err(e) => *e,
                    }
                } else {
                    // A board by its master id, or by a secondary id with its type (both or
                    // neither, as the spec documents them).
                    let board = match (
                        q.get("boardMasterId"),
                        q.get("boardId"),
                        q.get("boardIdType"),
                    ) {
                        (Some(m), None, None) => Some(m.as_str() == BOARD_MASTER_ID),
                        (None, Some(id), Some(t)) => {
                            Some(t == "BGE_CODE" && id.as_str() == BOARD_BGE_CODE)
                        }
                        (None, None, None) => None,
                        _ => {
                            return status(
                                400,
                                11,
                                "Schema incorrect. name a board by boardMasterId, or boardId together with boardIdType",
                            );
                        }
                    };
                    let all: Vec<Value> = (0..state.schools.len())
                        .filter(|_| board.unwrap_or(true))
                        .map(|i| state.organisation(i))
                        .filter(|o| q.get("name").is_none_or(|n| o["name"] == n.as_str()))
                        .collect();
                    ok(Value::Array(all))
                }
            }
            [kind @ ("studyofferings" | "subjectofferings"), "school"] => {
                if let Some(code) = q.get("studyCode")
                    && crate::StudyCode::new(code).is_err()
                {
                    return status(
                        400,
                        11,
                        "Schema incorrect. studyCode does not match the pattern",
                    );
                }
                let (i, loc) = match select(&state, &q, true) {
                    Ok(s) => s,
                    Err(e) => return *e,
                };
                let source = if *kind == "studyofferings" {
                    &state.study
                } else {
                    &state.subject
                };
                let items: Vec<Value> = source
                    .iter()
                    .filter(|(si, l, v)| {
                        *si == i
                            && loc.is_none_or(|loc| loc == *l)
                            && q.get("studyCode")
                                .is_none_or(|c| v["studyCode"] == c.as_str())
                            && q.get("subjectCode")
                                .is_none_or(|c| v["subjectCode"] == c.as_str())
                            && q.get("studyOfferingId").is_none_or(|id| {
                                v["studyOfferings"]
                                    .as_array()
                                    .is_some_and(|a| a.iter().any(|x| x == id.as_str()))
                            })
                    })
                    .map(|(_, _, v)| v.clone())
                    .collect();
                ok(Value::Array(items))
            }
            [kind @ ("studyofferings" | "subjectofferings"), "school", id] => {
                let (i, _) = match select(&state, &q, false) {
                    Ok(s) => s,
                    Err(e) => return *e,
                };
                let (source, key) = if *kind == "studyofferings" {
                    (&state.study, "studyOfferingId")
                } else {
                    (&state.subject, "subjectOfferingId")
                };
                match source.iter().find(|(si, _, v)| *si == i && v[key] == *id) {
                    Some((_, _, v)) => ok(v.clone()),
                    None => status(404, 99, "object not found"),
                }
            }
            _ => Response::new(404),
        }
    }
}
/// `body` with every property of its records left out but their own identifiers
/// (`studyOfferingId`, `subjectOfferingId`): the sparsest answer the API could send.
fn sparse_record(body: Value) -> Value {
    match body {
        Value::Array(items) => items.into_iter().map(sparse_record).collect(),
        Value::Object(map) => map
            .into_iter()
            .filter(|(k, _)| k == "studyOfferingId" || k == "subjectOfferingId")
            .collect(),
        other => other,
    }
}
