//! The `sync_metrics` example itself (feature `metrics`): three rounds of a datahub sync, the
//! last two through an expired token, a 429 and a 503 each, and the Prometheus lines that count
//! them, with no secret in its logs.
#![cfg(feature = "metrics")]

use std::process::Command;

#[test]
fn the_sync_counts_each_retry_by_reason_and_logs_no_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_sync_metrics"))
        .env("RUST_LOG", "edu_common=debug")
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let value = |series: &str| -> f64 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no `{series}` in:\n{stdout}"))
    };
    for reason in ["throttled", "token", "server_error"] {
        let series = format!(
            "edu_client_retries_total{{api=\"datahub\",operation=\"listStudents\",reason=\"{reason}\"}}"
        );
        assert_eq!(value(&series), 2.0, "{reason}");
    }
    // The first token and one after each expiry.
    assert_eq!(
        value("edu_client_token_fetches_total{api=\"datahub\",outcome=\"ok\"}"),
        3.0
    );
    assert_eq!(
        value(
            "edu_client_requests_total{api=\"datahub\",operation=\"listStudents\",method=\"GET\",status_class=\"2xx\"}"
        ),
        15.0
    );
    let asked =
        value("edu_client_wait_duration_seconds_sum{api=\"datahub\",cause=\"retry_after\"}");
    assert!(asked >= 1.9, "two waits of the second asked for: {asked}");
    assert!(stderr.contains("http.request.resend_count=3"), "{stderr}");
    // The simulator's credentials are the same in every instance: ask one.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(datahub_client::mock::Simulator::start());
    let secret = sim.client_secret();
    assert!(
        !stderr.contains(secret) && !stdout.contains(secret),
        "{stderr}"
    );
    assert!(!stderr.contains("access_token"), "{stderr}");
}
