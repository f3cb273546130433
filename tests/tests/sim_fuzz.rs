//! No request crashes a simulator (issue #26, item 1).
//!
//! Property test: thousands of requests to every route of all five simulators (the kept specs'
//! paths for Eduframe, Ed-Fi Admin and Edu-V; the routes the hand-written simulators serve for
//! datahub and Onderwijsregio), authenticated as a client would be, with malformed path
//! segments (empty, `null,null`, control characters, huge and negative numbers, long strings),
//! absurd query values under the documented names and random ones, and JSON bodies of every
//! shape (and some that are not JSON). Every answer must be the API's own: no 5xx, no dropped
//! connection, and no panic caught inside the simulator (`sim.panics()`).

use edu_common::{RetryConfig, Transport};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

/// Requests per simulator.
const CASES: u32 = 2000;

/// One route: a path template (`/courses/{id}`), the methods it takes, its query names.
#[derive(Debug, Clone)]
struct Route {
    template: String,
    methods: Vec<String>,
    query: Vec<String>,
}

/// The routes of a kept OpenAPI document (paths relative to the client's base URL).
fn spec_routes(file: &str) -> Vec<Route> {
    let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
    let spec: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        let mut methods = Vec::new();
        let mut query = Vec::new();
        for (m, op) in item.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&m.as_str()) {
                continue;
            }
            methods.push(m.to_uppercase());
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "query"
                    && let Some(name) = p["name"].as_str()
                {
                    query.push(name.to_owned());
                }
            }
        }
        if !methods.is_empty() {
            out.push(Route {
                template: template.clone(),
                methods,
                query,
            });
        }
    }
    out
}

fn route(template: &str, methods: &[&str], query: &[&str]) -> Route {
    Route {
        template: template.to_owned(),
        methods: methods.iter().map(|m| (*m).to_owned()).collect(),
        query: query.iter().map(|q| (*q).to_owned()).collect(),
    }
}

/// The datahub simulator's routes (Clever v1.1: collections, records, their sub-collections).
fn datahub_routes() -> Vec<Route> {
    let q = [
        "limit",
        "page",
        "starting_after",
        "ending_before",
        "where",
        "count",
        "created_since",
        "include",
    ];
    let mut out = Vec::new();
    for r in [
        "districts",
        "schools",
        "teachers",
        "students",
        "sections",
        "contacts",
        "district_admins",
        "school_admins",
        "events",
    ] {
        out.push(route(&format!("/v1/{r}"), &["GET"], &q));
        out.push(route(&format!("/v1/{r}/{{id}}"), &["GET"], &q));
        out.push(route(&format!("/v1/{r}/{{id}}/{{sub}}"), &["GET"], &q));
    }
    out
}

/// The Onderwijsregio simulator's routes.
fn onderwijsregio_routes() -> Vec<Route> {
    let q = [
        "page", "pageSize", "limit", "offset", "email", "search", "sort",
    ];
    vec![
        route("/schema", &["GET"], &["operation"]),
        route("/candidates", &["GET", "POST"], &q),
        route("/candidates/find", &["GET"], &q),
        route("/candidates/upsert", &["POST"], &[]),
        route("/candidates/{id}", &["GET", "PATCH", "DELETE"], &[]),
        route("/candidates/{id}/interactions", &["GET", "POST"], &q),
        route("/candidates/{id}/attachments", &["POST"], &[]),
    ]
}

/// Values no well-behaved client sends.
fn absurd() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("null,null".to_owned()),
        Just("%1B".to_owned()),
        Just("\u{1b}".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("1".to_owned()),
        Just("99999999999999999999999999".to_owned()),
        Just("-9223372036854775809".to_owned()),
        Just("1e400".to_owned()),
        Just("NaN".to_owned()),
        Just("true".to_owned()),
        Just("..".to_owned()),
        Just("2024-13-45".to_owned()),
        Just("{\"$in\":5}".to_owned()),
        Just("[]".to_owned()),
        Just("ä€𝄞".to_owned()),
        Just("x".repeat(3000)),
        "[a-z0-9_-]{1,12}",
        any::<i64>().prop_map(|n| n.to_string()),
        ".{0,20}",
    ]
}

/// JSON of any shape, and a few bodies that are not JSON at all.
fn body() -> impl Strategy<Value = Option<String>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        absurd().prop_map(Value::String),
    ];
    let json = leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        "[a-z_]{1,16}",
                        Just("name".to_owned()),
                        Just("id".to_owned()),
                        Just("email".to_owned()),
                        Just("address_attributes".to_owned()),
                        Just("invoice_items_attributes".to_owned()),
                        Just("resourceClaims".to_owned()),
                        Just("odsInstanceIds".to_owned()),
                        Just("applicationName".to_owned()),
                        Just("claimSetName".to_owned()),
                        Just("firstName".to_owned()),
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    });
    prop_oneof![
        3 => json.prop_map(|v| Some(v.to_string())),
        1 => Just(None),
        1 => Just(Some("[null, null]".to_owned())),
        1 => Just(Some("{".to_owned())),
        1 => Just(Some(format!("{}{}", "[".repeat(200), "]".repeat(200)))),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    route: usize,
    method: usize,
    segments: Vec<String>,
    query: Vec<(Option<usize>, String, String)>,
    body: Option<String>,
}

fn case(routes: usize) -> impl Strategy<Value = Case> {
    (
        0..routes,
        0..5usize,
        prop::collection::vec(absurd(), 3),
        prop::collection::vec(
            (prop::option::of(0..16usize), "[a-zA-Z_]{1,10}", absurd()),
            0..4,
        ),
        body(),
    )
        .prop_map(|(route, method, segments, query, body)| Case {
            route,
            method,
            segments,
            query,
            body,
        })
}

/// Percent-encodes what a URL path segment or query value cannot hold as it is (the URL parser
/// would otherwise read a `?`, `#` or `/` in a value as structure).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sends `cases` requests through `transport` (authenticated as the simulator's own client).
/// `panics` and `received` read the simulator: the panics it caught, and the requests in its
/// request log (what reached it, not what the transport sent or refused).
fn fuzz(
    name: &str,
    transport: &Transport,
    routes: &[Route],
    panics: impl Fn() -> Vec<String>,
    received: impl Fn() -> usize,
) {
    let received_before = received();
    let rt = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        // Each shrinking step is a request; a few dozen find a small case in seconds.
        max_shrink_iters: 64,
        ..Config::default()
    });
    let sent = std::cell::Cell::new(0u32);
    let panics_before = std::cell::Cell::new(panics().len());
    let started = std::time::Instant::now();
    let result = runner.run(&case(routes.len()), |c| {
        let r = &routes[c.route];
        let method = &r.methods[c.method % r.methods.len()];
        let mut segments = c.segments.iter().cycle();
        let path: String = r
            .template
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    encode(segments.next().map(String::as_str).unwrap_or(""))
                } else {
                    part.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let query: Vec<String> = c
            .query
            .iter()
            .map(|(known, random, value)| {
                let key = match known {
                    Some(i) if !r.query.is_empty() => r.query[i % r.query.len()].clone(),
                    _ => random.clone(),
                };
                format!("{}={}", encode(&key), encode(value))
            })
            .collect();
        let target = if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{}", query.join("&"))
        };
        let method_value = edu_common::reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = transport.request(method_value, &target);
        if let Some(b) = &c.body
            && method != "GET"
            && method != "DELETE"
        {
            req = req.raw_body(b.clone().into_bytes(), "application/json");
        }
        sent.set(sent.get() + 1);
        let outcome = rt.block_on(req.send_raw());
        let shown = format!(
            "{name}: {method} {}",
            target.chars().take(300).collect::<String>()
        );
        match outcome {
            Ok(resp) => {
                let status = resp.status();
                if status.is_server_error() {
                    let body = rt.block_on(resp.text()).unwrap_or_default();
                    return Err(TestCaseError::fail(format!(
                        "{shown} answered {status}: {}",
                        body.chars().take(500).collect::<String>()
                    )));
                }
            }
            // A request the transport refused before sending (an invalid URL) is not the
            // simulator's doing; anything else is a dropped connection or a timeout.
            Err(edu_common::Error::InvalidInput { .. }) => {}
            Err(e) => return Err(TestCaseError::fail(format!("{shown}: {e}"))),
        }
        let p = panics();
        if p.len() > panics_before.get() {
            panics_before.set(p.len());
            return Err(TestCaseError::fail(format!(
                "{shown}: panicked: {:?}",
                &p[p.len() - 1]
            )));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let sent = sent.get();
    let reached = received() - received_before;
    // Most cases must reach the simulator: a transport that refused them all (an invalid URL
    // from every case) would make this test pass without testing anything.
    assert!(
        reached as u32 >= CASES * 9 / 10,
        "{name}: only {reached} of {sent} requests reached the simulator"
    );
    eprintln!(
        "{name}: {sent} requests sent, {reached} reached the simulator, in {:.1} s: no 5xx, no dropped connection, no panic",
        started.elapsed().as_secs_f64()
    );
}

fn one_attempt() -> RetryConfig {
    RetryConfig::default().max_attempts(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_crashes_any_simulator() {
    let eduframe = eduframe_client::mock::Simulator::builder()
        .no_rate_limit()
        .start()
        .await;
    let c = eduframe_client::Client::builder()
        .base_url(eduframe.base_url())
        .api_key(eduframe.api_key())
        .retry(one_attempt())
        .no_rate_limit()
        .build()
        .unwrap();
    let routes = spec_routes("eduframe-client/spec/eduframe-v1.json");
    tokio::task::block_in_place(|| {
        fuzz(
            "eduframe",
            c.transport(),
            &routes,
            || eduframe.panics(),
            || eduframe.requests().len(),
        )
    });

    let edfi = edfi_admin_client::mock::Simulator::builder().start().await;
    let c = edfi_admin_client::Client::builder()
        .base_url(edfi.base_url())
        .client_credentials(edfi.client_id(), edfi.client_secret())
        .retry(one_attempt())
        .no_rate_limit()
        .build()
        .unwrap();
    let routes: Vec<Route> = spec_routes("edfi-admin-client/spec/admin-api-2.3.json")
        .into_iter()
        .filter(|r| !r.template.starts_with("/connect"))
        .collect();
    tokio::task::block_in_place(|| {
        fuzz(
            "edfi-admin",
            c.transport(),
            &routes,
            || edfi.panics(),
            || edfi.requests().len(),
        )
    });

    let eduv = eduv_education_client::mock::Simulator::builder()
        .start()
        .await;
    let c = eduv_education_client::Client::builder()
        .base_url(eduv.base_url())
        .token_url(eduv.token_url())
        .client_id(eduv.client_id())
        .client_secret(eduv.client_secret())
        .retry(one_attempt())
        .no_rate_limit()
        .build()
        .unwrap();
    let routes = spec_routes("eduv-education-client/spec/education-api-1.1.1.json");
    tokio::task::block_in_place(|| {
        fuzz(
            "eduv",
            c.transport(),
            &routes,
            || eduv.panics(),
            || eduv.requests().len(),
        )
    });

    let datahub = datahub_client::mock::Simulator::builder().start().await;
    let c = datahub_client::Client::builder()
        .base_url(datahub.base_url())
        .client_credentials(datahub.client_id(), datahub.client_secret())
        .retry(one_attempt())
        .no_rate_limit()
        .build()
        .unwrap();
    tokio::task::block_in_place(|| {
        fuzz(
            "datahub",
            c.transport(),
            &datahub_routes(),
            || datahub.panics(),
            || datahub.requests().len(),
        )
    });

    let or = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    let c = onderwijsregio_client::Client::builder()
        .base_url(or.base_url())
        .api_key(or.api_key())
        .retry(one_attempt())
        .no_rate_limit()
        .build()
        .unwrap();
    tokio::task::block_in_place(|| {
        fuzz(
            "onderwijsregio",
            c.transport(),
            &onderwijsregio_routes(),
            || or.panics(),
            || or.requests().len(),
        )
    });
}

/// The two crashes the fuzzer first found, as requests a client can send (issue #26).
#[tokio::test]
async fn the_reported_crashes_are_answered_by_the_api_s_rules() {
    // Ed-Fi Admin: a JSON array where the model is an object is a binding failure, 400.
    let edfi = edfi_admin_client::mock::Simulator::builder().start().await;
    let c = edfi_admin_client::Client::builder()
        .base_url(edfi.base_url())
        .client_credentials(edfi.client_id(), edfi.client_secret())
        .build()
        .unwrap();
    let resp = c
        .transport()
        .post("v2/apiclients")
        .raw_body(b"[null, null]".to_vec(), "application/json")
        .send_raw()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body.to_string().contains("malformed JSON"),
        "the server's binding message: {body}"
    );
    assert!(edfi.panics().is_empty());

    // datahub: an empty `ending_before` is a position before every record: an empty page.
    let datahub = datahub_client::mock::Simulator::builder().start().await;
    let c = datahub_client::Client::builder()
        .base_url(datahub.base_url())
        .client_credentials(datahub.client_id(), datahub.client_secret())
        .build()
        .unwrap();
    let page: Value = c
        .transport()
        .get("v1/district_admins?ending_before=")
        .send_json()
        .await
        .unwrap();
    assert_eq!(page["data"], serde_json::json!([]), "{page}");
    assert!(datahub.panics().is_empty());
}
