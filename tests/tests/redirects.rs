//! Credentials reach only the configured origin, whatever HTTP client carries them (issue #25).
//!
//! For each of the five clients, with the SDK's own HTTP client and with a caller's default
//! `edu_common::reqwest::Client::new()` (which follows up to ten redirects by itself): the API (or its token
//! endpoint) answers `301`, `302`, `307` or `308` with a `Location` on another host, another port
//! or another scheme. A recorder listens there and keeps every byte it receives. Nothing may
//! reach it, and the caller gets `Error::Redirect` naming where the redirect pointed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use edu_common::{Error, RedirectRefusal, RetryConfig};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "sekret-api-key-5d1f";
const CLIENT_SECRET: &str = "sekret-client-secret-77ab";
const TOKEN: &str = "sekret-access-token-c0de";
const STATUSES: [u16; 4] = [301, 302, 307, 308];

/// A TCP listener that records every connection and every byte sent to it (TLS handshakes
/// included: a redirect to `https://` that was followed shows up as a connection).
struct Recorder {
    port: u16,
    ip: &'static str,
    connections: Arc<Mutex<u32>>,
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Recorder {
    async fn start(ip: &'static str) -> Recorder {
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(Mutex::new(0));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let (c, b) = (connections.clone(), bytes.clone());
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                *c.lock().unwrap() += 1;
                let b = b.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    // Read what arrives for a moment, then answer like an API would.
                    while let Ok(Ok(n)) =
                        tokio::time::timeout(Duration::from_millis(200), sock.read(&mut buf)).await
                    {
                        if n == 0 {
                            break;
                        }
                        b.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    let _ = sock
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                        )
                        .await;
                });
            }
        });
        Recorder {
            port,
            ip,
            connections,
            bytes,
        }
    }

    /// Forgets what arrived so far.
    fn reset(&self) {
        *self.connections.lock().unwrap() = 0;
        self.bytes.lock().unwrap().clear();
    }

    /// What arrived, as text (lossy), and how many connections were made.
    fn received(&self) -> (u32, String) {
        (
            *self.connections.lock().unwrap(),
            String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned(),
        )
    }
}

/// The three elsewheres: another host (127.0.0.2 is loopback too, but another host to a URL),
/// another port, another scheme (`https` to a port that records the handshake).
struct Elsewhere {
    other_host: Recorder,
    other_port: Recorder,
    other_scheme: Recorder,
}

impl Elsewhere {
    async fn start() -> Elsewhere {
        Elsewhere {
            other_host: Recorder::start("127.0.0.2").await,
            other_port: Recorder::start("127.0.0.1").await,
            other_scheme: Recorder::start("127.0.0.1").await,
        }
    }

    fn targets(&self) -> [(String, &Recorder); 3] {
        [
            (
                format!("http://{}:{}", self.other_host.ip, self.other_host.port),
                &self.other_host,
            ),
            (
                format!("http://{}:{}", self.other_port.ip, self.other_port.port),
                &self.other_port,
            ),
            (
                format!(
                    "https://{}:{}",
                    self.other_scheme.ip, self.other_scheme.port
                ),
                &self.other_scheme,
            ),
        ]
    }

    /// Forgets what arrived so far, before the next case.
    fn reset(&self) {
        for (_, r) in self.targets() {
            r.reset();
        }
    }

    /// Asserts that nothing (not even a connection) arrived anywhere.
    fn assert_untouched(&self, case: &str) {
        for (target, r) in self.targets() {
            let (connections, text) = r.received();
            assert_eq!(connections, 0, "{case}: {target} was contacted: {text:?}");
        }
    }
}

fn fast() -> RetryConfig {
    RetryConfig::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// Asserts the error is a refused redirect that names where it pointed.
fn assert_named_redirect(case: &str, err: &Error, target: &str) {
    assert!(
        matches!(
            err,
            Error::Redirect {
                refusal: RedirectRefusal::OtherOrigin,
                ..
            }
        ),
        "{case}: expected a refused redirect, got {err:?}"
    );
    assert!(err.is_redirect());
    let text = err.to_string();
    assert!(text.contains(target), "{case}: {text}");
    assert!(text.contains("redirect"), "{case}: {text}");
    for secret in [API_KEY, CLIENT_SECRET, TOKEN] {
        assert!(!text.contains(secret), "{case}: {text}");
    }
}

/// An API whose token endpoint (if `token_path`) works and whose every other answer is
/// `status` to `target` + the request's path.
async fn redirecting_api(token_path: Option<&str>, status: u16, target: &str) -> MockServer {
    let server = MockServer::start().await;
    if let Some(p) = token_path {
        Mock::given(method("POST"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": TOKEN, "token_type": "bearer", "expires_in": 3600
            })))
            .mount(&server)
            .await;
    }
    let target = target.to_owned();
    Mock::given(wiremock::matchers::any())
        .respond_with(move |req: &wiremock::Request| {
            ResponseTemplate::new(status)
                .insert_header("location", format!("{target}{}", req.url.path()).as_str())
        })
        .mount(&server)
        .await;
    server
}

/// The five clients, each with its own credential kind, built against `api`.
#[derive(Clone, Copy, Debug)]
enum Api {
    Eduframe,
    EdfiAdmin,
    Eduv,
    Onderwijsregio,
    Datahub,
}

impl Api {
    const ALL: [Api; 5] = [
        Api::Eduframe,
        Api::EdfiAdmin,
        Api::Eduv,
        Api::Onderwijsregio,
        Api::Datahub,
    ];

    fn token_path(self) -> Option<&'static str> {
        match self {
            Api::EdfiAdmin => Some("/connect/token"),
            Api::Eduv => Some("/oauth2/token"),
            Api::Datahub => Some("/datahub/oauth/token"),
            Api::Eduframe | Api::Onderwijsregio => None,
        }
    }

    /// One typed read through the client (`http` is a caller's client, or none for the SDK's).
    async fn call(self, api: &str, http: Option<edu_common::reqwest::Client>) -> Result<(), Error> {
        match self {
            Api::Eduframe => {
                let mut b = eduframe_client::Client::builder()
                    .base_url(format!("{api}/api/v1"))
                    .api_key(API_KEY)
                    .retry(fast());
                if let Some(h) = http {
                    b = b.http_client(h);
                }
                b.build()?.leads().get(42).await.map(drop)
            }
            Api::EdfiAdmin => {
                let mut b = edfi_admin_client::Client::builder()
                    .base_url(api)
                    .client_credentials("client", CLIENT_SECRET)
                    .retry(fast());
                if let Some(h) = http {
                    b = b.http_client(h);
                }
                b.build()?.tenants().list().await.map(drop)
            }
            Api::Eduv => {
                let mut b = eduv_education_client::Client::builder()
                    .base_url(format!("{api}/education/v1"))
                    .token_url(format!("{api}/oauth2/token"))
                    .client_id("client")
                    .client_secret(SecretString::from(CLIENT_SECRET))
                    .retry(fast());
                if let Some(h) = http {
                    b = b.http_client(h);
                }
                b.build()?.organisations().send().await.map(drop)
            }
            Api::Onderwijsregio => {
                let mut b = onderwijsregio_client::Client::builder()
                    .base_url(format!("{api}/api/v2"))
                    .api_key(API_KEY)
                    .retry(fast());
                if let Some(h) = http {
                    b = b.http_client(h);
                }
                b.build()?.candidates().get("c-1").await.map(drop)
            }
            Api::Datahub => {
                let mut b = datahub_client::Client::builder()
                    .base_url(api)
                    .client_credentials("client", CLIENT_SECRET)
                    .retry(fast());
                if let Some(h) = http {
                    b = b.http_client(h);
                }
                b.build()?
                    .districts()
                    .get("4fd43cc56d11340000000005")
                    .await
                    .map(drop)
            }
        }
    }
}

fn callers_default_client() -> edu_common::reqwest::Client {
    edu_common::install_crypto_provider();
    edu_common::reqwest::Client::new()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_client_sends_its_credentials_where_an_api_redirects() {
    let elsewhere = Elsewhere::start().await;
    for api in Api::ALL {
        for status in STATUSES {
            for (target, _) in elsewhere.targets() {
                for callers in [false, true] {
                    elsewhere.reset();
                    let server = redirecting_api(api.token_path(), status, &target).await;
                    let http = callers.then(callers_default_client);
                    let case = format!(
                        "{api:?}, {status} to {target}, {} client",
                        if callers { "a caller's" } else { "the SDK's" }
                    );
                    let err = api.call(&server.uri(), http).await.expect_err(&case);
                    assert_named_redirect(&case, &err, &target);
                    elsewhere.assert_untouched(&case);
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_request_sends_its_secret_where_a_token_endpoint_redirects() {
    let elsewhere = Elsewhere::start().await;
    for api in [Api::EdfiAdmin, Api::Eduv, Api::Datahub] {
        for status in STATUSES {
            for (target, recorder) in elsewhere.targets() {
                for callers in [false, true] {
                    elsewhere.reset();
                    let server = MockServer::start().await;
                    let target_owned = target.clone();
                    Mock::given(wiremock::matchers::any())
                        .respond_with(move |req: &wiremock::Request| {
                            ResponseTemplate::new(status).insert_header(
                                "location",
                                format!("{target_owned}{}", req.url.path()).as_str(),
                            )
                        })
                        .mount(&server)
                        .await;
                    let http = callers.then(callers_default_client);
                    let case = format!(
                        "{api:?} token endpoint, {status} to {target}, {} client",
                        if callers { "a caller's" } else { "the SDK's" }
                    );
                    let err = api.call(&server.uri(), http).await.expect_err(&case);
                    if callers && matches!(status, 301 | 302) {
                        // A caller's client turns a redirected POST into a bodiless GET and
                        // follows it before the SDK sees anything (reqwest strips the Basic
                        // secret and drops the form body). Its answer is refused by name; a
                        // failure at the other end (no TLS there) is reqwest's own error.
                        assert!(
                            err.is_redirect() || matches!(err, Error::Transport { .. }),
                            "{case}: {err:?}"
                        );
                    } else {
                        assert!(err.is_redirect(), "{case}: {err:?}");
                        assert!(err.to_string().contains(&target), "{case}: {err}");
                    }
                    let (_, text) = recorder.received();
                    for secret in [CLIENT_SECRET, TOKEN, "client_secret", "Authorization"] {
                        assert!(
                            !text.contains(secret),
                            "{case}: {secret} reached {target}: {text:?}"
                        );
                    }
                    if !callers || matches!(status, 307 | 308) {
                        // Nothing at all: the redirect was never followed.
                        elsewhere.assert_untouched(&case);
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn a_write_through_a_callers_client_is_not_replayed_elsewhere() {
    // A 307/308 keeps the method and the body: reqwest would re-send both, and the API key
    // header with them, if it could replay the body.
    let elsewhere = Elsewhere::start().await;
    for status in [307, 308] {
        for (target, _) in elsewhere.targets() {
            elsewhere.reset();
            let server = redirecting_api(None, status, &target).await;
            let client = onderwijsregio_client::Client::builder()
                .base_url(format!("{}/api/v2", server.uri()))
                .api_key(API_KEY)
                .http_client(callers_default_client())
                .build()
                .unwrap();
            let case = format!("POST, {status} to {target}");
            let err = client
                .transport()
                .post("candidates")
                .json(&serde_json::json!({"firstName": "Ann"}))
                .send()
                .await
                .expect_err(&case);
            assert_named_redirect(&case, &err, &target);
            elsewhere.assert_untouched(&case);
        }
    }
}

#[tokio::test]
async fn same_origin_redirects_are_followed_with_credentials_and_loops_stop() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/old"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/api/v1/new"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/new"))
        .and(wiremock::matchers::header(
            "authorization",
            format!("Bearer {API_KEY}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/api/v1/loop"))
        .mount(&server)
        .await;
    for callers in [false, true] {
        let mut b = eduframe_client::Client::builder()
            .base_url(format!("{}/api/v1", server.uri()))
            .api_key(API_KEY);
        if callers {
            b = b.http_client(callers_default_client());
        }
        let client = b.build().unwrap();
        let v: serde_json::Value = client.transport().get("old").send_json().await.unwrap();
        assert_eq!(v["ok"], true);
        let err = client.transport().get("loop").send().await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Redirect {
                    refusal: RedirectRefusal::TooMany,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
