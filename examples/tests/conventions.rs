//! The convention table of the root README, as code: every client is built with the same
//! names, takes the same transport options, re-exports the same types, answers errors through
//! the same accessors, and its simulator starts the same way. A client that drifts from the
//! table stops this test from compiling.

use std::time::Duration;

/// The transport options every builder takes, applied the same way to each (a macro, because the
/// builders are five types with the same methods).
macro_rules! every_transport_option {
    ($builder:expr) => {{
        edu_common::install_crypto_provider();
        $builder
            .retry(edu_common::RetryConfig::default())
            .retry_budget(edu_common::RetryBudget::default())
            .connect_timeout(Duration::from_secs(5))
            .attempt_timeout(Duration::from_secs(20))
            .operation_timeout(Duration::from_secs(60))
            .token_timeout(Duration::from_secs(5))
            .rate_limit(1000, Duration::from_secs(60))
            .http_client(edu_common::reqwest::Client::new())
            .user_agent("conventions-test/1.0")
            .shared_state_from_env()
            .unwrap()
    }};
}

/// What every crate re-exports, named through the crate alone.
macro_rules! same_reexports {
    ($krate:ident) => {{
        fn _names(
            _: Option<$krate::Error>,
            _: Option<$krate::Result<()>>,
            _: Option<$krate::ItemStream<()>>,
            _: Option<$krate::Page<(), ()>>,
            _: Option<$krate::secrecy::SecretString>,
            _: Option<$krate::RetryConfig>,
        ) {
        }
        fn _more_names(_: Option<$krate::RetryBudget>, _: Option<$krate::RedirectRefusal>) {}
        // What `err.report()` and `report::capture` hand back.
        fn _report_names(
            _: Option<$krate::CallReport>,
            _: Option<$krate::RetryReason>,
            _: Option<$krate::Waits>,
        ) {
        }
        let _capture = $krate::report::capture::<std::future::Ready<()>>;
    }};
}

/// The controls and read-backs every simulator has (a macro: five `Simulator` types).
macro_rules! same_simulator_controls {
    ($sim:expr) => {{
        let sim = &$sim;
        sim.throttle_next(0, 1);
        sim.fail_next(0, 503);
        sim.set_latency(Duration::ZERO);
        sim.drop_next(0);
        sim.set_rate_limit(None);
        sim.log_requests(false);
        let _: usize = sim.api_requests();
        let _: u64 = sim.bytes_sent();
        assert!(sim.panics().is_empty());
        let _: Vec<edu_common::mock::Logged> = sim.requests();
    }};
}

/// The error accessors every client's errors answer.
fn accessors(err: &edu_common::Error) -> [bool; 7] {
    [
        err.is_not_found(),
        err.is_unauthorized(),
        err.is_forbidden(),
        err.is_rate_limited(),
        err.is_timeout(),
        err.is_transient(),
        err.is_redirect(),
    ]
}

#[tokio::test]
async fn eduframe() {
    same_reexports!(eduframe_client);
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    same_simulator_controls!(sim);
    let c = every_transport_option!(
        eduframe_client::Client::builder()
            .base_url(sim.base_url())
            .api_key(sim.api_key())
    )
    .build()
    .unwrap();
    let err = c
        .transport()
        .get("no-such-resource")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        accessors(&err),
        [true, false, false, false, false, false, false]
    );
}

#[tokio::test]
async fn datahub() {
    same_reexports!(datahub_client);
    let sim = datahub_client::mock::Simulator::builder().start().await;
    same_simulator_controls!(sim);
    let c = every_transport_option!(
        datahub_client::Client::builder()
            .base_url(sim.base_url())
            .client_credentials(sim.client_id(), sim.client_secret())
    )
    .build()
    .unwrap();
    let err = c
        .districts()
        .get("0000000000000000000000ff")
        .await
        .unwrap_err();
    assert_eq!(
        accessors(&err),
        [true, false, false, false, false, false, false]
    );
}

#[tokio::test]
async fn edfi_admin() {
    same_reexports!(edfi_admin_client);
    let sim = edfi_admin_client::mock::Simulator::builder().start().await;
    same_simulator_controls!(sim);
    let c = every_transport_option!(
        edfi_admin_client::Client::builder()
            .base_url(sim.base_url())
            .client_credentials(sim.client_id(), sim.client_secret())
    )
    .build()
    .unwrap();
    let err = c.vendors().get(999_999).await.unwrap_err();
    assert_eq!(
        accessors(&err),
        [true, false, false, false, false, false, false]
    );
}

#[tokio::test]
async fn eduv() {
    same_reexports!(eduv_education_client);
    let sim = eduv_education_client::mock::Simulator::builder()
        .start()
        .await;
    same_simulator_controls!(sim);
    let c = every_transport_option!(
        eduv_education_client::Client::builder()
            .base_url(sim.base_url())
            .token_url(sim.token_url())
            .client_credentials(sim.client_id(), "wrong-secret")
    )
    .build()
    .unwrap();
    let err = c.transport().get("organisations").send().await.unwrap_err();
    assert_eq!(
        accessors(&err),
        [false, true, false, false, false, false, false]
    );
}

#[tokio::test]
async fn onderwijsregio() {
    same_reexports!(onderwijsregio_client);
    let sim = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    same_simulator_controls!(sim);
    let c = every_transport_option!(
        onderwijsregio_client::Client::builder()
            .base_url(sim.base_url())
            .api_key("not-the-key")
    )
    .build()
    .unwrap();
    let err = c
        .candidates()
        .list()
        .page_size(10)
        .stream()
        .next_item()
        .await
        .unwrap_err();
    assert_eq!(
        accessors(&err),
        [false, true, false, false, false, false, false]
    );
}

/// A small helper so the listing reads as prose.
trait NextItem<T> {
    async fn next_item(self) -> edu_common::Result<T>;
}

impl<T> NextItem<T> for edu_common::ItemStream<T> {
    async fn next_item(mut self) -> edu_common::Result<T> {
        use futures::StreamExt;
        self.next()
            .await
            .unwrap_or_else(|| Err(edu_common::Error::Config("empty".into())))
    }
}

/// The listing row of the table: `client.<resource>().list()` (or the API's grouping, such as
/// Ed-Fi's `security().actions()`) gives a listing with `.page_size(n)`, `.pages()` and
/// `.stream()` on every client that pages.
macro_rules! lists {
    ($listing:expr) => {{
        use futures::{StreamExt, TryStreamExt};
        let page = $listing
            .page_size(2)
            .pages()
            .try_next()
            .await
            .unwrap()
            .expect("a first page");
        assert!(!page.items.is_empty() && page.items.len() <= 2);
        assert!(page.next.is_some(), "more than one page");
        let items: Vec<_> = $listing
            .page_size(2)
            .stream()
            .take(3)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), 3, "the stream crosses pages");
    }};
}

#[tokio::test]
async fn the_same_listing_on_every_client_that_pages() {
    let eduframe = eduframe_client::mock::Simulator::builder().start().await;
    lists!(eduframe.client().planned_courses().list());
    lists!(eduframe.client().organization_contacts().list());

    let datahub = datahub_client::mock::Simulator::builder().start().await;
    lists!(datahub.client().students().list());

    let edfi = edfi_admin_client::mock::Simulator::builder().start().await;
    lists!(edfi.client().security().resource_claims());
    lists!(edfi.client().security().actions());

    let regio = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    regio.seed((0..3).map(|i| serde_json::json!({"firstName": format!("C{i}")})));
    lists!(regio.client().candidates().list());
    // Edu-V does not page: each of its lists is one response (`send()`).
}

/// The two verifiers of signed deliveries are built and used the same way, and share a guard.
#[tokio::test]
async fn both_delivery_verifiers_have_one_shape() {
    use std::sync::Arc;
    use std::time::Duration;
    let guard: Arc<dyn eduframe_client::webhooks::ReplayGuard> =
        Arc::new(onderwijsregio_client::callbacks::MemoryReplayGuard::default());
    let eduframe = eduframe_client::webhooks::Verifier::new("current")
        .secondary("retired")
        .tolerance(Duration::from_secs(60))
        .replay_guard(guard.clone())
        .with_clock(|| 1_700_000_000);
    let onderwijsregio = onderwijsregio_client::callbacks::Verifier::new("current")
        .secondary("retired")
        .tolerance(Duration::from_secs(60))
        .replay_guard(guard)
        .with_clock(|| 1_700_000_000);
    let e = eduframe_client::webhooks::Signer::new("retired").sign(b"{}", 1_700_000_000);
    let o = onderwijsregio_client::callbacks::Signer::new("retired").sign(
        "/h",
        b"{}",
        1_700_000_000,
        "n",
    );
    let e = eduframe.verify(&e, b"{}").await.unwrap();
    let o = onderwijsregio.verify("/h", &o, b"{}").await.unwrap();
    assert_eq!(format!("{:?}", e.secret()), format!("{:?}", o.secret()));
    assert_eq!((e.body(), e.timestamp()), (o.body(), o.timestamp()));
}
