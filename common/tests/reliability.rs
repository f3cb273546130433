//! The hostile-server cases of issue #12, one test each (the item number leads the name).
//! Faults wiremock cannot produce (non-ASCII header bytes, a close mid-body, an endless body)
//! come from `support::RawServer`, which writes exactly the bytes it is given.

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use edu_common::auth::{ClientAuth, OAuth2Config, parse_token_response};
use edu_common::paginate::{self, Page};
use edu_common::report::capture;
use edu_common::{Credentials, Error, HttpError, RateLimitReason, RetryConfig, TimeoutKind};
use futures::StreamExt;
use secrecy::SecretString;
use support::{Raw, RawServer, Sequence, fast, raw_json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn oauth_at(token_url: &str) -> Credentials {
    Credentials::oauth2(OAuth2Config::new(
        token_url.parse().unwrap(),
        "client-1",
        ClientAuth::Basic(SecretString::from("pw-never-shown")),
    ))
}

async fn api_ok(server: &MockServer) {
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(server)
        .await;
}

// 1. expires_in: one rule, never a panic.

#[test]
fn item01_expires_in_any_form_is_one_rule_and_never_panics() {
    let lifetime = |raw: &str| {
        parse_token_response(format!(r#"{{"access_token":"t","expires_in":{raw}}}"#).as_bytes())
            .unwrap()
            .expires_in
    };
    let max = Some(edu_common::auth::MAX_TOKEN_LIFETIME);
    assert_eq!(lifetime(r#""18446744073709551615""#), max);
    assert_eq!(lifetime("18446744073709551615"), max);
    assert_eq!(lifetime("1e300"), max);
    assert_eq!(lifetime(r#""3600""#), Some(Duration::from_secs(3600)));
    assert_eq!(lifetime("3600"), Some(Duration::from_secs(3600)));
    assert_eq!(lifetime("0.25"), Some(Duration::from_secs(1)));
    for unknown in ["0", r#""0""#, "-5", r#""-5""#, r#""soon""#, "null", r#""""#] {
        assert_eq!(lifetime(unknown), None, "{unknown}");
    }
}

#[tokio::test]
async fn item01_a_string_overflowing_expires_in_is_cached_not_a_panic() {
    let server = MockServer::start().await;
    for (p, expires_in) in [
        ("/big", serde_json::json!("18446744073709551615")),
        ("/zero-number", serde_json::json!(0)),
        ("/zero-text", serde_json::json!("0")),
    ] {
        let seq = Sequence::new(vec![ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"access_token": "tok", "expires_in": expires_in}),
        )]);
        Mock::given(path(p))
            .respond_with(seq.clone())
            .mount(&server)
            .await;
        api_ok(&server).await;
        let t = fast(&server.uri())
            .credentials(oauth_at(&format!("{}{p}", server.uri())))
            .build()
            .unwrap();
        t.get("x").send().await.unwrap();
        t.get("x").send().await.unwrap();
        // 0 as a number and "0" as a string both mean "not said": the token is cached.
        assert_eq!(seq.count(), 1, "{p}");
    }
}

// 2. The shared pause and the rate limit wait only within the request's own deadline.

#[tokio::test]
async fn item02_a_pause_is_set_only_by_a_retry_that_will_happen() {
    let server = MockServer::start().await;
    Mock::given(path("/a"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "60"))
        .expect(1)
        .mount(&server)
        .await;
    api_ok(&server).await;
    let t = fast(&server.uri())
        .operation_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = t.get("a").send().await.unwrap_err();
    assert_eq!(
        err.rate_limit_reason(),
        Some(RateLimitReason::Deadline),
        "{err:?}"
    );
    assert!(err.to_string().contains("operation_timeout"), "{err}");
    // No retry was going to happen, so nothing holds back the next request.
    assert_eq!(t.pause_remaining(), None, "no pause was set");
    let (next, reports) = capture(t.get("x").send()).await;
    next.unwrap();
    assert_eq!(
        reports[0].waited.total(),
        Duration::ZERO,
        "the next call waited"
    );
}

#[tokio::test]
async fn item02_waiting_for_the_budget_ends_at_the_deadline() {
    let server = MockServer::start().await;
    api_ok(&server).await;
    let t = fast(&server.uri())
        .rate_limit(1, Duration::from_secs(60))
        .operation_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    t.get("x").send().await.unwrap();
    let started = Instant::now();
    let err = t.get("x").send().await.unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Operation,
                ..
            }
        ),
        "{err:?}"
    );
    // It waited until the deadline (had it waited for the budget, 60 s on, the call would have
    // been sent and succeeded rather than end as an operation timeout).
    assert!(waited >= Duration::from_millis(450), "{waited:?}");
}

// 3. The token response body is capped.

#[tokio::test]
async fn item03_an_endless_token_response_is_cut_off_at_the_cap() {
    let raw = RawServer::start(vec![Raw::Endless(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 536870912\r\nconnection: close\r\n\r\n{\"access_token\":\"".to_vec(),
    )])
    .await;
    let server = MockServer::start().await;
    api_ok(&server).await;
    let t = fast(&server.uri())
        .credentials(oauth_at(&format!("{}/token", raw.url)))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than"), "{err}");
    // The client stopped reading: what the server managed to write is socket buffers, not 512 MiB.
    let written = raw.bytes_written.load(Ordering::SeqCst);
    assert!(written < 32 * 1024 * 1024, "{written} bytes written");
}

// 4. A Link header with a non-ASCII byte is read, not dropped.

#[tokio::test]
async fn item04_a_link_header_with_non_ascii_bytes_still_pages() {
    let page1 = raw_json(b"link: </items?cursor=caf\xe9>; rel=\"next\"\r\n", "[1,2]");
    let page2 = raw_json(b"", "[3]");
    let raw = RawServer::start(vec![Raw::Bytes(page1), Raw::Bytes(page2)]).await;
    let t = fast(&raw.url).build().unwrap();
    let items: Vec<edu_common::Result<u32>> = paginate::items(paginate::link_header_pages(
        t.clone(),
        t.url("items").unwrap(),
        "list",
        paginate::json_array::<u32>("items"),
    ))
    .collect()
    .await;
    let items: Vec<u32> = items.into_iter().map(Result::unwrap).collect();
    assert_eq!(items, [1, 2, 3]);
}

#[test]
fn item04_an_unreadable_next_link_is_an_error_not_the_end() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::LINK,
        http::HeaderValue::from_static(r#"/items?page=2; rel="next""#),
    );
    let base: url::Url = "https://h.example/items".parse().unwrap();
    let err = edu_common::link::find_rel(&headers, "next", &base).unwrap_err();
    assert!(matches!(err, Error::Pagination(_)), "{err:?}");
}

// 6. Loops in next links: nothing is yielded twice.

async fn link_loop(links: &'static [(&'static str, &'static str, &'static str)]) -> Vec<String> {
    let server = MockServer::start().await;
    for (p, body, next) in links {
        Mock::given(path(*p))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(*body, "application/json")
                    .insert_header("link", format!("<{next}>; rel=\"next\"").as_str()),
            )
            .mount(&server)
            .await;
    }
    let t = fast(&server.uri()).build().unwrap();
    paginate::items(paginate::link_header_pages(
        t.clone(),
        t.url(links[0].0).unwrap(),
        "list",
        paginate::json_array::<String>("items"),
    ))
    .map(|r| match r {
        Ok(s) => s,
        Err(Error::Pagination(_)) => "LOOP".to_owned(),
        Err(e) => panic!("{e}"),
    })
    .collect()
    .await
}

#[tokio::test]
async fn item06_next_link_loops_yield_nothing_twice() {
    // A -> B -> A
    let out = link_loop(&[("/a", r#"["a"]"#, "/b"), ("/b", r#"["b"]"#, "/a")]).await;
    assert_eq!(out, ["a", "b", "LOOP"]);
    // A -> A (a self-loop)
    let out = link_loop(&[("/a", r#"["a"]"#, "/a")]).await;
    assert_eq!(out, ["a", "LOOP"]);
}

#[tokio::test]
async fn item06_a_repeated_cursor_is_caught_before_its_items() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = calls.clone();
    let stream = paginate::pages_from(Some("a"), move |cursor: Option<&'static str>| {
        c.fetch_add(1, Ordering::SeqCst);
        async move {
            Ok(match cursor {
                Some("a") => Page::new(vec![1], Some("b")),
                _ => Page::new(vec![2], Some("a")),
            })
        }
    });
    let out: Vec<_> = paginate::items(stream).collect().await;
    assert_eq!(out.len(), 3);
    assert!(matches!(out[2], Err(Error::Pagination(_))));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

// 8. A connection dropped mid-body: retried for GET, named as such otherwise.

fn torn_response() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{\"partial\":".to_vec()
}

#[tokio::test]
async fn item08_a_close_mid_body_is_retried_for_get() {
    let raw = RawServer::start(vec![
        Raw::Bytes(torn_response()),
        Raw::Bytes(raw_json(b"", r#"{"ok":true}"#)),
    ])
    .await;
    let t = fast(&raw.url).build().unwrap();
    let v: serde_json::Value = t.get("x").send_json().await.unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(raw.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn item08_a_close_mid_body_of_a_post_says_the_connection_dropped() {
    let raw = RawServer::start(vec![Raw::Bytes(torn_response())]).await;
    let t = fast(&raw.url).build().unwrap();
    let err = t
        .post("x")
        .json(&serde_json::json!({}))
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Interrupted { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("dropped before the whole response arrived"),
        "{err}"
    );
    assert!(!err.to_string().contains("could not reach"), "{err}");
    assert_eq!(
        raw.connections.load(Ordering::SeqCst),
        1,
        "a POST is not re-sent"
    );
}

// 9. `//host/...` is another origin.

#[test]
fn item09_a_scheme_relative_link_is_another_origin() {
    let t = edu_common::Transport::builder("https://api.example.org/datahub/")
        .build()
        .unwrap();
    let err = t.url("//evil.example.com/v1/students?page=2").unwrap_err();
    assert!(matches!(err, Error::CrossOrigin { .. }), "{err:?}");
    assert!(t.url("/v1/students").is_ok());
}

// 10. Decode errors carry the shape of a value, not the value.

#[test]
fn item10_decode_errors_never_echo_record_values() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Credentials {
        district_username: String,
        district_password: u32,
    }
    let body = br#"{"district_username":"jdoe","district_password":"hunter2-Sup3rSecret"}"#;
    let err = Error::decode_json::<Credentials>("credentials", body).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("district_password"), "{shown}");
    assert!(shown.contains("a string of 19 characters"), "{shown}");
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert!(
        d.body_excerpt().contains("hunter2"),
        "kept behind the accessor"
    );
    let numbers = Error::decode_json::<Vec<bool>>("x", b"[12345678]").unwrap_err();
    assert!(!numbers.to_string().contains("12345678"), "{numbers}");
    let variant = edu_common::error::redact_serde_message(
        "unknown variant `s3cret`, expected one of `a`, `b`",
    );
    assert_eq!(variant, "an unknown variant, expected one of `a`, `b`");
}

// 11. Query values of credential-like parameters are redacted wherever a URL is shown.

#[test]
fn item11_credential_query_values_are_redacted() {
    let url: url::Url = "https://h.example/v1/students?limit=2&access_token=tok-123&SIGNATURE=abc"
        .parse()
        .unwrap();
    let shown = edu_common::redact::url(&url);
    assert!(
        !shown.contains("tok-123") && !shown.contains("abc"),
        "{shown}"
    );
    assert!(shown.contains("limit=2"));
    let info = edu_common::PageInfo::default().url(url);
    assert!(!format!("{info:?}").contains("tok-123"));
    let pairs = vec![
        ("access_token".to_owned(), "tok-123".to_owned()),
        ("limit".to_owned(), "5".to_owned()),
    ];
    let dbg = format!("{:?}", edu_common::redact::Query(&pairs));
    assert!(!dbg.contains("tok-123") && dbg.contains('5'), "{dbg}");
}

// 12. Out of attempts is not "Retry-After too long".

#[tokio::test]
async fn item12_attempts_exhausted_is_not_reported_as_a_long_wait() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .expect(2)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .retry(RetryConfig::default().max_attempts(2))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert_eq!(
        err.rate_limit_reason(),
        Some(RateLimitReason::AttemptsExhausted { attempts: 2 }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(!text.contains("max_retry_after"), "{text}");
    assert!(text.contains("max_attempts"), "{text}");
    assert!(err.is_rate_limited());
}

// 13. An unreachable token endpoint: the real cause, retried.

#[tokio::test]
async fn item13_an_unreachable_token_endpoint_names_the_real_cause() {
    // A port that was just free: connection refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let server = MockServer::start().await;
    api_ok(&server).await;
    let t = fast(&server.uri())
        .credentials(oauth_at(&format!("http://127.0.0.1:{port}/token")))
        .token_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert!(!text.contains("client id"), "{text}");
    assert!(!err.is_unauthorized());
    assert!(err.is_transient());
}

#[tokio::test]
async fn item13_a_token_request_is_retried_like_an_idempotent_request() {
    let raw = RawServer::start(vec![
        Raw::Bytes(Vec::new()), // closed before any response
        Raw::Bytes(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                .to_vec(),
        ),
        Raw::Bytes(raw_json(b"", r#"{"access_token":"tok","expires_in":3600}"#)),
    ])
    .await;
    let server = MockServer::start().await;
    api_ok(&server).await;
    let t = fast(&server.uri())
        .credentials(oauth_at(&format!("{}/token", raw.url)))
        .build()
        .unwrap();
    t.get("x").send().await.unwrap();
    assert_eq!(raw.connections.load(Ordering::SeqCst), 3);
}

// 14 and 15. Token endpoint refusals: status, OAuth2 error, one message.

#[tokio::test]
async fn item14_15_token_refusals_keep_status_and_oauth_error_and_say_it_once() {
    let server = MockServer::start().await;
    Mock::given(path("/t401"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"error": "invalid_client", "error_description": "bad secret"}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/t400"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_scope"})),
        )
        .mount(&server)
        .await;
    api_ok(&server).await;
    let call = |p: &'static str| {
        let t = fast(&server.uri())
            .credentials(oauth_at(&format!("{}{p}", server.uri())))
            .build()
            .unwrap();
        async move { t.get("x").send().await.unwrap_err() }
    };
    let refused = call("/t401").await;
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(refused.oauth_error(), Some("invalid_client"));
    assert!(refused.is_unauthorized());
    let text = refused.to_string();
    assert_eq!(text.matches("authentication failed").count(), 1, "{text}");
    assert_eq!(text.matches("check the client id").count(), 1, "{text}");
    assert!(!text.contains("pw-never-shown"));

    let scope = call("/t400").await;
    assert_eq!(scope.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(scope.oauth_error(), Some("invalid_scope"));
    assert!(!scope.is_unauthorized(), "a refused scope is not a 401");
    assert!(scope.to_string().contains("scope"), "{scope}");
}

// 16. The server's own reason is in the message.

#[test]
fn item16_http_errors_show_the_apis_reason() {
    let show = |status: u16, body: &str| {
        Error::Http(Box::new(HttpError::new(
            http::StatusCode::from_u16(status).unwrap(),
            Some(http::Method::GET),
            "/x",
            &http::HeaderMap::new(),
            body.as_bytes(),
        )))
        .to_string()
    };
    let eduv = show(
        400,
        r#"{"status":"0023","statusMessage":"edu_org_id unknown"}"#,
    );
    assert!(
        eduv.contains("edu_org_id unknown") && eduv.contains("0023"),
        "{eduv}"
    );
    let edfi = show(
        400,
        r#"{"title":"Validation failed","errors":{"Name":["A profile with this name already exists."],"Definition":["Invalid XML"]}}"#,
    );
    assert!(
        edfi.contains("Validation failed")
            && edfi.contains("Name: A profile")
            && edfi.contains("Definition: Invalid XML"),
        "{edfi}"
    );
    let eduframe = show(
        422,
        r#"{"errors":{"email":["is invalid"]},"code":422,"message":"Validation failed"}"#,
    );
    assert!(
        eduframe.contains("Validation failed: email: is invalid"),
        "{eduframe}"
    );
    let datahub = show(404, r#"{"error":"Resource not found"}"#);
    assert!(datahub.contains("Resource not found"), "{datahub}");
    let long = show(
        500,
        &format!(r#"{{"message":"line one\nline two {}"}}"#, "x".repeat(1000)),
    );
    assert!(!long.contains('\n') && long.len() < 600, "{long}");
}

// 17. An enormous Retry-After is over the cap, not absent.

#[tokio::test]
async fn item17_an_enormous_retry_after_is_over_the_cap() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("retry-after", "100000000000000000000000"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let (result, reports) = capture(t.get("x").send()).await;
    let err = result.unwrap_err();
    // At once: the cap refuses it without any wait (a pause would be the 1 s default or more).
    assert_eq!(t.pause_remaining(), None);
    assert_eq!(reports[0].waited.total(), Duration::ZERO);
    assert!(
        matches!(
            err,
            Error::RateLimited {
                reason: RateLimitReason::WaitTooLong,
                retry_after: Some(Duration::MAX),
                ..
            }
        ),
        "{err:?}"
    );
}

// Decided: a 503 does not say the request was not processed.

#[tokio::test]
async fn a_post_answered_503_is_re_sent_only_with_an_idempotency_key() {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![
        ResponseTemplate::new(503).insert_header("retry-after", "0"),
        ResponseTemplate::new(503).insert_header("retry-after", "0"),
        ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": 1})),
    ]);
    Mock::given(method("POST"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let err = t.post("x").json(&1).send().await.unwrap_err();
    assert_eq!(
        err.rate_limit_reason(),
        Some(RateLimitReason::NotRetrySafe),
        "{err:?}"
    );
    assert_eq!(seq.count(), 1);
    // With an idempotency key the request is retry-safe and is re-sent.
    let t = fast(&server.uri()).build().unwrap();
    t.post("x")
        .header("idempotency-key", "k-1")
        .retry_safe(true)
        .json(&1)
        .send()
        .await
        .unwrap();
    assert_eq!(seq.count(), 3);
}

#[tokio::test]
async fn a_post_answered_429_is_re_sent() {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "0"),
        ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": 1})),
    ]);
    Mock::given(method("POST"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    t.post("x").json(&1).send().await.unwrap();
    assert_eq!(seq.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_token_timeout_is_set_on_the_builder() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t"}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(oauth_at(&format!("{}/token", server.uri())))
        .token_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = t.get("x").send().await.unwrap_err();
    // The paused clock moves only to the next timer: the token timeout, not the server's 5 s.
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Token,
                after,
                ..
            } if after == Duration::from_millis(300)
        ),
        "{err:?}"
    );
}

// Settings at their extremes: a timeout or window of `Duration::MAX` means "no limit", not a panic.

#[tokio::test]
async fn huge_timeouts_and_windows_never_overflow() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t", "expires_in": 60})),
        )
        .mount(&server)
        .await;
    api_ok(&server).await;
    let t = fast(&server.uri())
        .credentials(oauth_at(&format!("{}/token", server.uri())))
        .operation_timeout(Duration::MAX)
        .token_timeout(Duration::MAX)
        .rate_limit(2, Duration::MAX)
        .build()
        .unwrap();
    t.get("x").send().await.unwrap();
    t.get("x").send().await.unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Responses are asked for compressed and decoded transparently (issue #15), and the body cap
/// applies to the decoded size: a small compressed body that inflates past the cap (a zip bomb)
/// is cut off with `BodyTooLarge`, not read into memory.
#[tokio::test]
async fn compressed_responses_are_decoded_and_the_cap_counts_decoded_bytes() {
    let server = MockServer::start().await;
    let json = serde_json::to_vec(&serde_json::json!({"items": vec!["record"; 1000]})).unwrap();
    let small = gzip(&json);
    assert!(small.len() * 10 < json.len(), "it compresses");
    Mock::given(path("/small"))
        .and(wiremock::matchers::header_regex(
            "accept-encoding",
            r"\bgzip\b",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(small, "application/json"),
        )
        .mount(&server)
        .await;
    // 64 MiB of zeros, about 64 KiB compressed.
    let bomb = gzip(&vec![b'0'; 64 * 1024 * 1024]);
    assert!(bomb.len() < 256 * 1024);
    Mock::given(path("/bomb"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(bomb, "application/json"),
        )
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .max_body_bytes(1024 * 1024)
        .build()
        .unwrap();
    let v: serde_json::Value = t.get("small").send_json().await.unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 1000);
    let err = t
        .get("bomb")
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

/// The `User-Agent` product is sent even when the caller brings their own `reqwest::Client`
/// (whose own User-Agent would otherwise silently replace it).
#[tokio::test]
async fn the_user_agent_is_sent_with_a_callers_own_http_client() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::header_regex(
        "user-agent",
        "^my-app/1.2 .*edu-common/",
    ))
    .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
    .mount(&server)
    .await;
    edu_common::install_crypto_provider();
    let mut options = edu_common::TransportOptions::default();
    options.http_client = Some(reqwest::Client::new());
    options.user_agent = Some("my-app/1.2".into());
    let t = fast(&server.uri()).options(options).build().unwrap();
    t.get("x").send().await.unwrap();
}
