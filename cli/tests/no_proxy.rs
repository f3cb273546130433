//! The simulators' own deliveries never go through a system proxy: `edu-sim`, started with
//! `HTTP_PROXY` and `http_proxy` pointing at a listener of the test's own, delivers an Eduframe
//! webhook and an Onderwijsregio callback straight to their loopback receivers, and the "proxy"
//! sees no connection at all (a proxy would otherwise be a way out of the loopback rule).

mod support;

use support::{Running, edu_sim_with, eduframe_client};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// `edu-sim <args>` with a proxy in its environment, and the first `lines` variables it prints.
fn sim(args: &[&str], proxy: &str, lines: usize) -> (Running, Vec<(String, String)>) {
    edu_sim_with(args, lines, |c| {
        c.env("HTTP_PROXY", proxy)
            .env("http_proxy", proxy)
            .env("HTTPS_PROXY", proxy)
            .env("ALL_PROXY", proxy)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
    })
}

/// A listener that answers every request 204 and says so on the channel.
async fn listener(tx: mpsc::UnboundedSender<&'static str>, name: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = tx.send(name);
            let mut buf = [0u8; 65536];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_from_edu_sim_ignore_the_system_proxy() {
    let (tx, mut seen) = mpsc::unbounded_channel();
    let proxy = listener(tx.clone(), "proxy").await;
    let receiver = listener(tx, "receiver").await;

    // Onderwijsregio: a write with a callback URL on the receiver.
    let (_or, vars) = sim(&["onderwijsregio"], &proxy, 2);
    let var = |name: &str| vars.iter().find(|(k, _)| k == name).unwrap().1.clone();
    let client = onderwijsregio_client::Client::builder()
        .base_url(var("ONDERWIJSREGIO_BASE_URL"))
        .api_key(var("ONDERWIJSREGIO_API_KEY"))
        .build()
        .unwrap();
    let mut candidate = onderwijsregio_client::Candidate::new("Ada", "Lovelace", "ada@example.nl");
    candidate.privacy_consent = Some(true);
    client
        .candidates()
        .create(
            &[candidate],
            &onderwijsregio_client::WriteOptions::callback(
                format!("{receiver}/hook").parse().unwrap(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        seen.recv().await,
        Some("receiver"),
        "the callback went through the proxy"
    );

    // Eduframe: a webhook on the receiver, and a change that fires it.
    let (_ef, vars) = sim(
        &["eduframe", "--no-rate-limit", "--webhook-secret", "s"],
        &proxy,
        2,
    );
    let client = eduframe_client(&vars);
    client
        .webhooks()
        .create()
        .url(format!("{receiver}/hook"))
        .events([eduframe_client::types::WebhookEvent::AccountCreated])
        .await
        .unwrap();
    client.accounts().create().name("Proxyvrij").await.unwrap();
    assert_eq!(
        seen.recv().await,
        Some("receiver"),
        "the webhook went through the proxy"
    );
    assert!(seen.try_recv().is_err(), "nothing reached the proxy");
}
