//! Every query parameter the client's operations take is sent by its typed call: `pageSize` and
//! `cursor` on `GET /candidates` (the listing follows `meta.cursor` itself), `email` and `phone`
//! on `GET /candidates/find`. Checked through the simulator's request log.
#![cfg(feature = "mock")]

use futures::TryStreamExt;
use onderwijsregio_client::mock::Simulator;

fn sent(sim: &Simulator, before: usize, path: &str, name: &str) -> bool {
    sim.requests()[before..].iter().any(|r| {
        r.request.url.path().ends_with(path) && r.request.url.query_pairs().any(|(k, _)| k == name)
    })
}

#[tokio::test]
async fn every_query_parameter_has_a_call_that_sends_it() {
    let sim = Simulator::start().await;
    sim.seed((0..5).map(|i| {
        serde_json::json!({"id": format!("c{i}"), "firstName": "A", "lastName": format!("{i}"),
            "email": format!("a{i}@example.nl"), "phone": format!("+3161234567{i}")})
    }));
    let c = sim.client();
    let before = sim.requests().len();
    let all: Vec<_> = c
        .candidates()
        .list()
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    assert!(sent(&sim, before, "/candidates", "pageSize"));
    assert!(
        sent(&sim, before, "/candidates", "cursor"),
        "the second page asks by cursor"
    );
    let before = sim.requests().len();
    let _ = c.candidates().find_by_email("a1@example.nl").await.unwrap();
    assert!(sent(&sim, before, "/candidates/find", "email"));
    let before = sim.requests().len();
    let _ = c.candidates().find_by_phone("+31612345671").await.unwrap();
    assert!(sent(&sim, before, "/candidates/find", "phone"));
}
