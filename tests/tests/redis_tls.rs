//! Redis over TLS (`rediss://`): a `redis-server` of the test's own, listening with TLS only, on
//! a certificate signed by a CA the test makes. A store given that CA shares state through it;
//! a store that trusts only the system's roots refuses the server and falls back to its own
//! memory. Needs the `redis-server` binary (`EDU_TEST_REDIS_SERVER`, or the one on `PATH`). The
//! tests are listed as ignored unless `EDU_TEST_REDIS_URL` or `CI` is set at build time.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use edu_common::shared::RedisStore;
use eduframe_client::webhooks::{SharedReplayGuard, SignatureError, Signer, Verifier};

/// A CA, and a certificate for 127.0.0.1 and localhost it signed: (CA PEM, server cert PEM,
/// server key PEM).
fn certificates() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "edu-clients test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    (ca_cert.pem(), server.pem(), server_key.serialize_pem())
}

/// A `redis-server` listening with TLS only; killed when dropped.
struct TlsRedis {
    port: u16,
    child: Child,
    _dir: TempDir,
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory of the test's own, removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start_tls_redis(test: &str, ca: &str, cert: &str, key: &str) -> TlsRedis {
    let binary = std::env::var("EDU_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let dir = std::env::temp_dir().join(format!("edu-redis-tls-{}-{}", std::process::id(), test));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = TempDir(dir);
    let write = |name: &str, text: &str| {
        let path = dir.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let (ca, cert, key) = (
        write("ca.pem", ca),
        write("server.pem", cert),
        write("server.key", key),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let arg = |p: &Path| p.to_str().unwrap().to_owned();
    let spawned = Command::new(binary)
        .args([
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .args(["--tls-cert-file", &arg(&cert), "--tls-key-file", &arg(&key)])
        .args(["--tls-ca-cert-file", &arg(&ca), "--tls-auth-clients", "no"])
        .args(["--save", "", "--appendonly", "no", "--dir", &arg(&dir.0)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = spawned.unwrap_or_else(|e| {
        panic!("{test}: no redis-server could be started ({e}): set EDU_TEST_REDIS_SERVER")
    });
    let mut redis = TlsRedis {
        port,
        child,
        _dir: dir,
    };
    // Listening is the event waited for; a server that exits (no TLS support) is a failure.
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = redis.child.try_wait().unwrap() {
            panic!("{test}: redis-server exited ({status}): is it built with TLS?");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    redis
}

fn replica(store: &RedisStore) -> Verifier {
    Verifier::new("primary".to_owned()).replay_guard(Arc::new(SharedReplayGuard::new(
        store.clone(),
        "eduframe-webhooks",
    )))
}

fn delivery() -> (edu_common::reqwest::header::HeaderMap, &'static [u8]) {
    let body: &[u8] =
        br#"{"tenant_id":"t","educator":"e","event":"lead.created","event_data":{"id":1}}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    (Signer::new("primary".to_owned()).sign(body, now), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn over_rediss_with_the_servers_ca_replicas_share_state() {
    let test = "over_rediss_with_the_servers_ca_replicas_share_state";
    let (ca, cert, key) = certificates();
    let redis = start_tls_redis(test, &ca, &cert, &key);
    let url = format!("rediss://127.0.0.1:{}/", redis.port);
    let store = RedisStore::with_ca_certificate(&url, ca.as_bytes())
        .unwrap()
        .timeout(Duration::from_secs(5))
        .prefix(format!("edu-test:{test}"));
    let (a, b) = (replica(&store), replica(&store));
    let (headers, body) = delivery();
    a.verify(&headers, body).await.unwrap();
    assert_eq!(
        b.verify(&headers, body).await.unwrap_err(),
        SignatureError::Replayed,
        "the other replica learnt of it through Redis over TLS"
    );
    assert!(!store.is_degraded(), "TLS to Redis works");
    assert!(format!("{store:?}").contains("rediss://"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn over_rediss_a_certificate_the_system_does_not_trust_is_refused() {
    let test = "over_rediss_a_certificate_the_system_does_not_trust_is_refused";
    let (ca, cert, key) = certificates();
    let redis = start_tls_redis(test, &ca, &cert, &key);
    let url = format!("rediss://127.0.0.1:{}/", redis.port);
    // The system's roots only, or another CA: the server is not trusted.
    let (other_ca, _, _) = certificates();
    for store in [
        RedisStore::new(&url).unwrap(),
        RedisStore::with_ca_certificate(&url, other_ca.as_bytes()).unwrap(),
    ] {
        let store = store.timeout(Duration::from_secs(5));
        let (a, b) = (replica(&store), replica(&store));
        let (headers, body) = delivery();
        a.verify(&headers, body).await.unwrap();
        // Nothing reached Redis: the other replica cannot know (the documented fallback).
        assert!(b.verify(&headers, body).await.is_ok());
        assert!(store.is_degraded(), "an untrusted server is not used");
    }
}

#[test]
fn a_ca_certificate_for_a_url_without_tls_is_a_configuration_error() {
    let err = RedisStore::with_ca_certificate("redis://127.0.0.1:6379/", b"pem").unwrap_err();
    assert!(err.to_string().contains("rediss://"), "{err}");
}
