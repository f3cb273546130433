//! Every pagination style against a real (loopback) server.

mod support;

use std::sync::Arc;

use edu_common::paginate::{self, Page, PageInfo};
use edu_common::{Error, Transport};
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use support::fast;
use wiremock::matchers::{path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn items(range: std::ops::Range<u32>) -> serde_json::Value {
    serde_json::Value::Array(range.map(|i| serde_json::json!({"id": i})).collect())
}

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    id: u32,
}

#[tokio::test]
async fn link_header_cursors_first_middle_last() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/courses"))
        .and(query_param_is_missing("cursor"))
        .and(query_param("per_page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(0..2))
                // Relative link, with a second rel in the same header and a comma inside <...>.
                .insert_header(
                    "link",
                    r#"</api/v1/courses?cursor=c%2C1>; rel="next", </api/v1/courses?per_page=2>; rel="first""#,
                ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/courses"))
        .and(query_param("cursor", "c,1"))
        // The caller's per_page was not in the server's link: it must be carried over.
        .and(query_param("per_page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(2..4))
                .insert_header(
                    "link",
                    r#"</api/v1/courses?cursor=c2&per_page=2>; rel="next""#,
                ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/courses"))
        .and(query_param("cursor", "c2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(4..5))
                .insert_header("link", r#"</api/v1/courses?per_page=2>; rel="first""#),
        )
        .mount(&server)
        .await;
    let t = fast(&format!("{}/api/v1", server.uri())).build().unwrap();
    let first = t.url("courses?per_page=2").unwrap();
    let pages = paginate::link_header_pages(
        t.clone(),
        first,
        "listCourses",
        paginate::json_array::<Item>("courses"),
    );
    let all: Vec<Item> = paginate::items(pages).try_collect().await.unwrap();
    assert_eq!(
        all.iter().map(|i| i.id).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
}

#[tokio::test]
async fn a_repeated_link_cursor_stops_the_stream() {
    let server = MockServer::start().await;
    Mock::given(path("/items"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(0..1))
                .insert_header("link", r#"</items?cursor=same>; rel="next""#),
        )
        .expect(2)
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let pages = paginate::link_header_pages(
        t.clone(),
        t.url("items").unwrap(),
        "list",
        paginate::json_array::<Item>("items"),
    );
    let out: Vec<_> = paginate::items(pages).collect().await;
    assert_eq!(out.len(), 3);
    assert!(matches!(out[2], Err(Error::Pagination(_))));
}

#[tokio::test]
async fn a_cross_origin_next_link_is_refused() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(path("/items"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(0..1))
                .insert_header(
                    "link",
                    format!(r#"<{}/items?cursor=x>; rel="next""#, elsewhere.uri()).as_str(),
                ),
        )
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let pages = paginate::link_header_pages(
        t.clone(),
        t.url("items").unwrap(),
        "list",
        paginate::json_array::<Item>("items"),
    );
    let out: Vec<_> = pages.collect().await;
    // One rule for every paginator: the page's items, then the error.
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].as_ref().unwrap().items.len(), 1);
    assert!(
        matches!(out[1], Err(Error::CrossOrigin { .. })),
        "{:?}",
        out[1].as_ref().err()
    );
}

/// A page that arrived whole is never lost to an unreadable `Link` header: its items come
/// first, then the error (the same order as for a next link to another origin).
#[tokio::test]
async fn an_unreadable_link_header_yields_the_page_then_the_error() {
    let server = MockServer::start().await;
    Mock::given(path("/items"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(0..3))
                .insert_header("link", r#"<http://[::1/items?cursor=x>; rel="next""#),
        )
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let out: Vec<_> = paginate::items(paginate::link_header_pages(
        t.clone(),
        t.url("items").unwrap(),
        "list",
        paginate::json_array::<Item>("items"),
    ))
    .collect()
    .await;
    assert_eq!(out.len(), 4, "{out:?}");
    assert_eq!(out[2].as_ref().unwrap(), &Item { id: 2 });
    assert!(out[3].is_err(), "{:?}", out[3]);
}

#[derive(Deserialize)]
struct LinkEnvelope {
    data: Vec<Item>,
    links: Vec<BodyLink>,
}

#[derive(Deserialize)]
struct BodyLink {
    rel: String,
    uri: String,
}

#[tokio::test]
async fn next_link_in_the_body_with_search_tokens() {
    let server = MockServer::start().await;
    Mock::given(path("/datahub/services/v1/students"))
        .and(query_param_is_missing("search_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": items(0..2),
            "links": [{"rel": "SELF", "uri": "/v1/students"}, {"rel": "NEXT", "uri": "/v1/students?search_token=2.2.148.FORWARD.a"}]
        })))
        .mount(&server)
        .await;
    Mock::given(path("/datahub/services/v1/students"))
        .and(query_param("search_token", "2.2.148.FORWARD.a"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [], // an empty page that still has a next link
            "links": [{"rel": "next", "uri": "/v1/students?search_token=2.2.148.FORWARD.b"}]
        })))
        .mount(&server)
        .await;
    Mock::given(path("/datahub/services/v1/students"))
        .and(query_param("search_token", "2.2.148.FORWARD.b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": items(2..3), "links": [{"rel": "self", "uri": "/v1/students"}]
        })))
        .mount(&server)
        .await;
    let t = fast(&format!("{}/datahub/services", server.uri()))
        .build()
        .unwrap();
    let stream = paginate::pages(move |cursor: Option<String>| {
        let t = t.clone();
        async move {
            let env: LinkEnvelope = t
                .get(cursor.as_deref().unwrap_or("/v1/students"))
                .send_json()
                .await?;
            let next = env
                .links
                .into_iter()
                .find(|l| l.rel.eq_ignore_ascii_case("next"))
                .map(|l| l.uri);
            Ok(Page::new(env.data, next))
        }
    });
    let all: Vec<Item> = paginate::items(stream).try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
}

/// Serves `total` items by offset and limit, recording every (offset, limit, filter) asked.
#[derive(Clone)]
struct OffsetServer {
    total: u32,
    asked: Arc<std::sync::Mutex<Vec<(u32, u32, String)>>>,
}

impl Respond for OffsetServer {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let offset: u32 = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
        let limit: u32 = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(25);
        self.asked.lock().unwrap().push((
            offset,
            limit,
            q.get("name").cloned().unwrap_or_default(),
        ));
        let end = (offset + limit).min(self.total);
        ResponseTemplate::new(200).set_body_json(items(offset.min(end)..end))
    }
}

#[tokio::test]
async fn offset_and_limit_until_a_short_page_keeping_the_filters() {
    let server = MockServer::start().await;
    let srv = OffsetServer {
        total: 23,
        asked: Arc::default(),
    };
    Mock::given(path("/vendors"))
        .respond_with(srv.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let stream = paginate::offset_pages(0, 10, move |offset, limit| {
        let t = t.clone();
        async move {
            t.get("vendors")
                .query("offset", offset)
                .query("limit", limit)
                .query("name", "acme")
                .send_json::<Vec<Item>>()
                .await
        }
    });
    let all: Vec<Item> = paginate::items(stream).try_collect().await.unwrap();
    assert_eq!(all.len(), 23);
    let asked = srv.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        vec![
            (0, 10, "acme".into()),
            (10, 10, "acme".into()),
            (20, 10, "acme".into())
        ]
    );
}

#[derive(Clone)]
struct NumberedServer {
    pages: u32,
}

impl Respond for NumberedServer {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let page: u32 = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({
                "data": items(page * 10..page * 10 + 10),
                "paging": {"current": page, "total": self.pages, "count": self.pages * 10}
            }))
            .set_delay(std::time::Duration::from_millis(50))
    }
}

#[derive(Deserialize)]
struct Numbered {
    data: Vec<Item>,
    paging: Paging,
}

#[derive(Deserialize)]
struct Paging {
    current: u64,
    total: u64,
    count: u64,
}

#[tokio::test]
async fn page_numbers_fetched_concurrently_arrive_in_order() {
    let server = MockServer::start().await;
    let srv = NumberedServer { pages: 12 };
    Mock::given(path("/v1/students"))
        .respond_with(srv.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let fetch = move |n: u64| {
        let t = t.clone();
        async move {
            let body: Numbered = t
                .get("v1/students")
                .query("page", n)
                .query("limit", 10)
                .send_json()
                .await?;
            Ok(Page::new(body.data, None).with_info(
                PageInfo::numbered(body.paging.current, Some(body.paging.total))
                    .total_items(Some(body.paging.count)),
            ))
        }
    };
    let started = std::time::Instant::now();
    let pages: Vec<Page<Item, u64>> = paginate::numbered_pages(6, fetch)
        .try_collect()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(pages.len(), 12);
    assert_eq!(pages[0].info.total_items, Some(120));
    let ids: Vec<u32> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|i| i.id))
        .collect();
    assert_eq!(ids, (10..130).collect::<Vec<_>>());
    // Twelve 50 ms pages one by one would take 600 ms; six at a time, about 150 ms.
    // (Logged rather than asserted: speed is measured in the benchmarks.)
    eprintln!("12 pages at concurrency 6 took {elapsed:?}");
}

#[tokio::test]
async fn opaque_body_cursor_until_null_keeping_query_params() {
    let server = MockServer::start().await;
    Mock::given(path("/candidates"))
        .and(query_param("pageSize", "2"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": items(0..2), "meta": {"cursor": "opaque=="}
        })))
        .mount(&server)
        .await;
    Mock::given(path("/candidates"))
        .and(query_param("pageSize", "2"))
        .and(query_param("cursor", "opaque=="))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": items(2..3), "meta": {"cursor": null}
        })))
        .mount(&server)
        .await;
    #[derive(Deserialize)]
    struct Env {
        data: Vec<Item>,
        meta: Meta,
    }
    #[derive(Deserialize)]
    struct Meta {
        cursor: Option<String>,
    }
    let t: Transport = fast(&server.uri()).build().unwrap();
    let stream = paginate::pages(move |cursor: Option<String>| {
        let t = t.clone();
        async move {
            let env: Env = t
                .get("candidates")
                .query("pageSize", 2)
                .query_opt("cursor", cursor)
                .send_json()
                .await?;
            Ok(Page::new(env.data, env.meta.cursor))
        }
    });
    let all: Vec<Item> = paginate::items(stream).try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn an_error_mid_listing_is_yielded_then_the_stream_ends() {
    let server = MockServer::start().await;
    Mock::given(path("/items"))
        .and(query_param_is_missing("cursor"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(0..2))
                .insert_header("link", "</items?cursor=2>; rel=next"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/items"))
        .and(query_param("cursor", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[{\"id\": \"not a number\"}]"))
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let pages = paginate::link_header_pages(
        t.clone(),
        t.url("items").unwrap(),
        "list",
        paginate::json_array::<Item>("items"),
    );
    let out: Vec<_> = paginate::items(pages).collect().await;
    assert_eq!(out.len(), 3);
    match &out[2] {
        Err(Error::Decode(d)) => assert_eq!(d.path, "[0].id"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let server = MockServer::start().await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(10_000)))
        .mount(&server)
        .await;
    let t = fast(&server.uri()).max_body_bytes(1_000).build().unwrap();
    let err = t
        .get("big")
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1_000, .. }),
        "{err:?}"
    );
}
