//! `edu-sim` starts each simulator standalone and prints exactly the variables that API's
//! `Client::from_env()` reads: `edu <api> check`, given only those lines, runs against it as
//! against the live API.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::{Running, edu_sim};

/// Runs `edu <api> check` with only `vars` in its environment; returns its standard output.
fn example(api: &str, vars: &[(String, String)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_edu"))
        .args([api, "check"])
        .env_clear()
        .env("HOME", "/nonexistent")
        .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn check(api: &str, names: &[&str], extra: &[&str]) {
    let mut args = vec![api];
    args.extend_from_slice(extra);
    let (_sim, vars) = edu_sim(&args, names.len());
    let got: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(got, names, "{api} prints what from_env reads");
    let out = example(api, &vars);
    assert!(
        out.starts_with("settings: ok (from the environment; no profile applied)\ncall: ok"),
        "{out}"
    );
}

#[test]
fn eduframe() {
    check("eduframe", &["EDUFRAME_BASE_URL", "EDUFRAME_API_KEY"], &[]);
}

#[test]
fn datahub() {
    check(
        "datahub",
        &[
            "DATAHUB_BASE_URL",
            "DATAHUB_CLIENT_ID",
            "DATAHUB_CLIENT_SECRET",
        ],
        &[],
    );
}

#[test]
fn edfi_admin() {
    check(
        "edfi-admin",
        &[
            "EDFI_ADMIN_BASE_URL",
            "EDFI_ADMIN_CLIENT_ID",
            "EDFI_ADMIN_CLIENT_SECRET",
        ],
        &[],
    );
}

#[test]
fn edfi_admin_multi_tenant() {
    check(
        "edfi-admin",
        &[
            "EDFI_ADMIN_BASE_URL",
            "EDFI_ADMIN_CLIENT_ID",
            "EDFI_ADMIN_CLIENT_SECRET",
            "EDFI_ADMIN_TENANT",
        ],
        &["--tenants", "Tenant1,Tenant2"],
    );
}

#[test]
fn eduv() {
    check(
        "eduv",
        &[
            "EDUV_BASE_URL",
            "EDUV_TOKEN_URL",
            "EDUV_CLIENT_ID",
            "EDUV_CLIENT_SECRET",
        ],
        &[],
    );
}

#[test]
fn onderwijsregio() {
    check(
        "onderwijsregio",
        &["ONDERWIJSREGIO_BASE_URL", "ONDERWIJSREGIO_API_KEY"],
        &[],
    );
}

#[test]
fn a_fixed_port_is_used_and_a_taken_one_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_sim, vars) = edu_sim(&["eduframe", "--port", &port.to_string()], 2);
    assert!(
        vars[0].1.starts_with(&format!("http://127.0.0.1:{port}/")),
        "{vars:?}"
    );
    // The same port again: refused with a message, not a panic.
    let out = Command::new(env!("CARGO_BIN_EXE_edu-sim"))
        .args(["eduframe", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// Runs `edu-sim` with `args` to completion (for `--help`, `--version` and refusals).
fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_edu-sim"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn help_and_version_succeed_and_usage_errors_exit_2_in_one_line() {
    let help = run(&["--help"]);
    assert!(help.status.success(), "{help:?}");
    let text = String::from_utf8_lossy(&help.stdout);
    for option in [
        "--port",
        "--tenants",
        "--rate-limit",
        "--no-rate-limit",
        "--records",
        "--sparse",
        "--seed",
        "--webhook-secret",
        "--webhooks-to-any-host",
        "--latency",
        "--log",
        "--until-eof",
        "Exit codes",
    ] {
        assert!(
            text.contains(option),
            "{option} missing from --help: {text}"
        );
    }
    let version = run(&["--version"]);
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("edu-sim "));
    for bad in [
        &["nope"][..],
        &["eduframe", "--rate-limit", "500"],
        &["eduframe", "--rate-limit", "0/60"],
        &["eduframe", "--bogus"],
        &["eduv", "--records", "5"],
        &["datahub", "--tenants", "a"],
        &["datahub", "--sparse"],
        &["eduv", "--seed", "3"],
        &["datahub", "--webhook-secret", "s"],
        &["datahub", "--webhooks-to-any-host"],
        &["eduframe", "--seed", "x"],
        &["eduframe", "--rate-limit", "5/60", "--no-rate-limit"],
    ] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("stack backtrace"),
            "{bad:?}: {err}"
        );
    }
    // A port that cannot be had is a failure to start (1), one line, no backtrace.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(&["datahub", "--port", &port]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("backtrace"), "{err}");
}

/// Starts the datahub `edu-sim` (three lines of variables) with its standard error piped too
/// (for `--log`).
fn start_logged(args: &[&str]) -> (Running, String, std::process::ChildStderr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_edu-sim"))
        .args(args)
        .arg("--until-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    // Every line is read (a pipe closed early would make the simulator's next write fail).
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(3)
        .map(Result::unwrap)
        .collect();
    let base = lines[0].split_once('=').unwrap().1.to_owned();
    (Running(child), base, stderr)
}

#[tokio::test]
async fn rate_limit_latency_and_log_switches_shape_the_simulator() {
    edu_common::install_crypto_provider();
    let http = edu_common::reqwest::Client::new();
    // datahub with 2 requests per minute: the third is 429 with a Retry-After; each request is
    // logged as one JSON line; every answer is at least 100 ms late.
    let (_sim, base, stderr) = start_logged(&[
        "datahub",
        "--rate-limit",
        "2/60",
        "--latency",
        "100",
        "--log",
        "--records",
        "7",
    ]);
    let token: serde_json::Value = http
        .post(format!("{base}/datahub/oauth/token"))
        .basic_auth("sim-client", Some("sim-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let get = || {
        http.get(format!("{base}/datahub/services/v1/students?limit=100"))
            .bearer_auth(&bearer)
            .send()
    };
    let started = std::time::Instant::now();
    let first = get().await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(100));
    assert_eq!(first.status().as_u16(), 200, "token: {token}");
    let body: serde_json::Value = first.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 7, "--records 7");
    assert_eq!(get().await.unwrap().status().as_u16(), 200);
    let third = get().await.unwrap();
    assert_eq!(third.status().as_u16(), 429);
    assert!(third.headers().contains_key("retry-after"));
    let mut lines = BufReader::new(stderr).lines();
    let mut logged = Vec::new();
    while logged.len() < 4 {
        let line = lines.next().unwrap().unwrap();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
            logged.push(v);
        }
    }
    assert_eq!(logged[0]["path"], "/datahub/oauth/token");
    assert_eq!(logged[1]["method"], "GET");
    assert_eq!(logged[1]["path"], "/datahub/services/v1/students");
    assert_eq!(logged[1]["status"], 200);
    assert_eq!(logged[3]["status"], 429);
}

#[tokio::test]
async fn eduframe_runs_without_its_production_budget_when_asked() {
    edu_common::install_crypto_provider();
    let http = edu_common::reqwest::Client::new();
    let (_sim, vars) = edu_sim(&["eduframe", "--rate-limit", "1/60"], 2);
    let get = || {
        http.get(format!("{}/courses", vars[0].1))
            .bearer_auth(&vars[1].1)
            .send()
    };
    assert_eq!(get().await.unwrap().status().as_u16(), 200);
    assert_eq!(get().await.unwrap().status().as_u16(), 429);
    let (_sim, vars) = edu_sim(&["eduframe", "--no-rate-limit"], 2);
    for _ in 0..600 {
        let resp = http
            .get(format!("{}/courses?per_page=1", vars[0].1))
            .bearer_auth(&vars[1].1)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
}

/// The JSON body of `GET {EDUFRAME_BASE_URL}/{path}` from an Eduframe `edu-sim`.
async fn eduframe_json(vars: &[(String, String)], path: &str) -> serde_json::Value {
    edu_common::install_crypto_provider();
    edu_common::reqwest::Client::new()
        .get(format!("{}/{path}", vars[0].1))
        .bearer_auth(&vars[1].1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn sparse_answers_carry_only_identifiers() {
    let (_sim, vars) = edu_sim(&["eduframe", "--sparse", "--records", "2"], 2);
    let courses = eduframe_json(&vars, "courses").await;
    assert_eq!(courses, serde_json::json!([{"id": 1}, {"id": 2}]));
}

#[tokio::test]
async fn the_same_seed_serves_the_same_data_and_another_seed_other_data() {
    let mut bodies = Vec::new();
    for seed in ["7", "7", "8"] {
        let (_sim, vars) = edu_sim(&["eduframe", "--seed", seed, "--records", "3"], 2);
        bodies.push(eduframe_json(&vars, "enrollments").await);
    }
    assert_eq!(bodies[0], bodies[1], "the same seed, the same data");
    assert_ne!(bodies[0], bodies[2], "another seed, other data");
    let ids = |b: &serde_json::Value| -> Vec<serde_json::Value> {
        b.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(ids(&bodies[0]), ids(&bodies[2]), "under the same ids");
}

/// The example at the end of `edu sim --help`, run by bash as a reader would paste it (with
/// `edu` in place of `curl`): it does not hang, and the variables reach a child process.
#[test]
fn the_help_example_runs_in_a_shell_and_its_variables_reach_child_processes() {
    let help = run(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout).into_owned();
    let example: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Example"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        example.len() >= 3 && example.last().is_some_and(|l| l.starts_with("curl")),
        "{text}"
    );
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_edu-sim"))
        .parent()
        .unwrap()
        .to_owned();
    let dir = support::temp_dir("help-example");
    let mut script = String::from("set -e\n");
    for line in &example[..example.len() - 1] {
        script.push_str(line);
        script.push('\n');
    }
    // The reader's next command, in a child process: it sees the exported variables.
    script.push_str("edu eduframe courses list --limit 1 > listed.jsonl\n");
    script.push_str("kill %1\n");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env_remove("EDUFRAME_BASE_URL")
        .env_remove("EDUFRAME_API_KEY")
        .env("HOME", "/nonexistent")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = std::fs::read_to_string(dir.join("listed.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(listed.trim()).expect("one record");
    assert!(record.get("id").is_some(), "{listed}");
}
