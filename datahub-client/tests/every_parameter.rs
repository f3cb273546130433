//! Every query parameter the API documents for its listings is reachable through the typed
//! listing: `limit`, `page` and `search_token` (the datahub documentation), and `starting_after`,
//! `ending_before` and `where` (Clever v1.1, whose conventions the datahub follows), plus
//! `created_since` on events. Each setter is called against the simulator, whose request log
//! must show the parameter in the query.
#![cfg(feature = "mock")]

use datahub_client::mock::Simulator;

#[tokio::test]
async fn every_documented_listing_parameter_has_a_setter_that_sends_it() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let students = || c.students().list();
    let some_id = "000000000000000001000000";
    let cases = [
        ("limit", students().limit(3)),
        ("page", students().page(2)),
        ("search_token", students().search_token("2.2.148.FORWARD.x")),
        ("starting_after", students().starting_after(some_id)),
        ("ending_before", students().ending_before(some_id)),
        (
            "where",
            students().filter(&serde_json::json!({"grade": "5"})),
        ),
    ];
    for (name, listing) in cases {
        let before = sim.requests().len();
        let _ = listing.first_page().await;
        let log = sim.requests();
        let sent = log[before..]
            .iter()
            .find(|r| r.request.url.path().ends_with("/students"));
        assert!(
            sent.is_some_and(|r| r.request.url.query_pairs().any(|(k, _)| k == name)),
            "`{name}` not sent: {:?}",
            sent.map(|r| r.request.url.to_string())
        );
    }
    let before = sim.requests().len();
    let _ = c.events().list().created_since(some_id).first_page().await;
    let log = sim.requests();
    assert!(log[before..].iter().any(|r| {
        r.request.url.path().ends_with("/events")
            && r.request
                .url
                .query_pairs()
                .any(|(k, _)| k == "created_since")
    }));
}
