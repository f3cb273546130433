//! Hostile-server cases of issue #12 that belong to the datahub listing: stale totals with
//! `concurrent(n)`, loops in body links, links to another origin, and redaction in `Debug`.

use std::sync::{Arc, Mutex};

use datahub_client::Client;
use edu_common::Error;
use futures::StreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .access_token(SecretString::from("tok"))
        .build()
        .unwrap()
}

fn student(id: usize) -> Value {
    json!({"data": {"id": format!("{id:024x}")}, "uri": format!("/v1/students/{id:024x}")})
}

/// Students in pages of one; `paging.total` is what the listing had when it started (stale:
/// records were added since), while every page links to the next as long as there is one.
#[derive(Clone)]
struct Growing {
    records: Arc<Mutex<usize>>,
    stale_total: u64,
}

impl Respond for Growing {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let page: usize = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let n = *self.records.lock().unwrap();
        let data: Vec<Value> = (page..=n).take(1).map(student).collect();
        let mut links = vec![json!({"rel": "self", "uri": format!("/v1/students?page={page}")})];
        if page < n {
            links.push(json!({"rel": "next", "uri": format!("/v1/students?page={}", page + 1)}));
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "data": data,
            "paging": {"current": page, "total": self.stale_total, "count": self.stale_total},
            "links": links,
        }))
    }
}

#[tokio::test]
async fn item05_concurrent_listing_follows_next_past_a_stale_total() {
    let server = MockServer::start().await;
    let growing = Growing {
        records: Arc::new(Mutex::new(5)),
        stale_total: 2,
    };
    Mock::given(path("/datahub/services/v1/students"))
        .respond_with(growing)
        .mount(&server)
        .await;
    let c = client(&server);
    let ids: Vec<String> = c
        .students()
        .list()
        .limit(1)
        .concurrent(4)
        .stream()
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    let expected: Vec<String> = (1..=5).map(|i| format!("{i:024x}")).collect();
    assert_eq!(ids, expected, "no record lost to a stale total");
}

async fn serve_links(server: &MockServer, pages: &[(&str, usize, Option<&str>)]) {
    for (p, id, next) in pages {
        let mut links = vec![];
        if let Some(n) = next {
            links.push(json!({"rel": "next", "uri": n}));
        }
        Mock::given(path(format!("/datahub/services{p}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": [student(*id)], "links": links})),
            )
            .mount(server)
            .await;
    }
}

async fn outcome(c: &Client) -> Vec<String> {
    c.students()
        .list()
        .stream()
        .map(|r| match r {
            Ok(s) => s.id[20..].to_owned(),
            Err(Error::Pagination(_)) => "LOOP".to_owned(),
            Err(Error::CrossOrigin { .. }) => "CROSS".to_owned(),
            Err(e) => panic!("{e}"),
        })
        .collect()
        .await
}

#[tokio::test]
async fn item06_body_link_loops_yield_nothing_twice() {
    let server = MockServer::start().await;
    // First page -> /v1/students/b -> back to the first page.
    serve_links(
        &server,
        &[
            ("/v1/students", 1, Some("/v1/students/b")),
            ("/v1/students/b", 2, Some("/v1/students")),
        ],
    )
    .await;
    assert_eq!(outcome(&client(&server)).await, ["0001", "0002", "LOOP"]);

    let server = MockServer::start().await;
    serve_links(&server, &[("/v1/students", 1, Some("/v1/students"))]).await;
    assert_eq!(outcome(&client(&server)).await, ["0001", "LOOP"]);
}

/// A next link whose `starting_after` lies before the page's last record would list records
/// again (A -> B -> A): the listing stops with the page's records and an error, and the link is
/// never requested.
#[tokio::test]
async fn a_next_link_that_goes_backwards_is_refused_before_it_is_requested() {
    let server = MockServer::start().await;
    let back = format!("{:024x}", 1);
    Mock::given(path("/datahub/services/v1/students"))
        .and(wiremock::matchers::query_param_is_missing("starting_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [student(1), student(2)],
            "links": [{"rel": "next", "uri": format!("/v1/students?starting_after={back}")}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/datahub/services/v1/students"))
        .and(wiremock::matchers::query_param(
            "starting_after",
            back.as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [student(2)]})))
        .expect(0)
        .mount(&server)
        .await;
    assert_eq!(outcome(&client(&server)).await, ["0001", "0002", "LOOP"]);
    // A link that moves forward is followed as before.
    let server = MockServer::start().await;
    serve_links(
        &server,
        &[
            ("/v1/students", 1, Some("/v1/students/next")),
            ("/v1/students/next", 2, None),
        ],
    )
    .await;
    assert_eq!(outcome(&client(&server)).await, ["0001", "0002"]);
}

#[tokio::test]
async fn item09_a_link_to_another_origin_yields_the_page_then_the_error() {
    let server = MockServer::start().await;
    serve_links(
        &server,
        &[(
            "/v1/students",
            1,
            Some("//evil.example.com/v1/students?page=2"),
        )],
    )
    .await;
    assert_eq!(outcome(&client(&server)).await, ["0001", "CROSS"]);

    let server = MockServer::start().await;
    serve_links(
        &server,
        &[(
            "/v1/students",
            1,
            Some("https://evil.example.com/v1/students"),
        )],
    )
    .await;
    assert_eq!(outcome(&client(&server)).await, ["0001", "CROSS"]);
}

#[tokio::test]
async fn item11_list_request_debug_redacts_credential_parameters() {
    let server = MockServer::start().await;
    let c = client(&server);
    let listing = c
        .students()
        .list()
        .param("access_token", "s3cret-token")
        .limit(5);
    let dbg = format!("{listing:?}");
    assert!(!dbg.contains("s3cret-token"), "{dbg}");
    assert!(dbg.contains("limit"), "{dbg}");
}
