//! The built `edu` binary against the simulators: listings of every API as JSON Lines and CSV, a
//! get, a create with `--data`, an Ed-Fi vendor and application with its credentials shown once,
//! an export killed after a few pages and resumed, and each exit code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::*;

/// The output's JSON Lines, after checking the run succeeded.
fn lines(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "{}{}", stdout(out), stderr(out));
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_of_every_api_as_json_lines_and_as_csv() {
    let eduframe = eduframe_client::mock::Simulator::builder()
        .records(30)
        .no_rate_limit()
        .start()
        .await;
    let datahub = datahub_client::mock::Simulator::builder()
        .students(45)
        .start()
        .await;
    let edfi = edfi_admin_client::mock::Simulator::builder().start().await;
    let eduv = eduv_education_client::mock::Simulator::builder()
        .start()
        .await;
    let regio = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    regio.seed((0..25).map(candidate));
    let eduv_vars = vec![
        ("EDUV_BASE_URL", eduv.base_url()),
        ("EDUV_TOKEN_URL", eduv.token_url()),
        ("EDUV_CLIENT_ID", eduv.client_id().to_owned()),
        ("EDUV_CLIENT_SECRET", eduv.client_secret().to_owned()),
    ];
    let regio_vars = vec![
        ("ONDERWIJSREGIO_BASE_URL", regio.base_url()),
        ("ONDERWIJSREGIO_API_KEY", regio.api_key().to_owned()),
    ];

    // Eduframe: 30 courses over pages of 7 (cursor after cursor), each once.
    let args = [
        "eduframe",
        "courses",
        "list",
        "--page-size",
        "7",
        "--format",
        "jsonl",
    ];
    let courses = lines(&edu(&args, &eduframe_vars(&eduframe)).await);
    let ids: BTreeSet<i64> = courses.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!((courses.len(), ids.len()), (30, 30));
    let csv = edu(
        &[
            "eduframe", "courses", "list", "--format", "csv", "--fields", "id,name",
        ],
        &eduframe_vars(&eduframe),
    )
    .await;
    let text = stdout(&csv);
    let mut rows = text.lines();
    assert_eq!(rows.next(), Some("id,name"));
    assert_eq!(rows.count(), 30);

    // datahub: 45 students over pages of 10, in id order.
    let args = ["datahub", "students", "list", "--page-size", "10"];
    let students = lines(&edu(&args, &datahub_vars(&datahub)).await);
    let ids: Vec<&str> = students.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((ids.len(), &ids), (45, &sorted));
    let csv = edu(
        &["datahub", "students", "list", "--format", "csv"],
        &datahub_vars(&datahub),
    )
    .await;
    let text = stdout(&csv);
    let header = text.lines().next().unwrap();
    assert!(header.split(',').any(|c| c == "id"), "{header}");
    // A nested value is one JSON cell.
    assert!(text.contains("\"{\"\"first\"\":"), "{text}");
    assert_eq!(text.lines().count(), 46);

    // Ed-Fi Admin: the seeded claim sets, paged by offset.
    let args = ["edfi-admin", "claim-sets", "list", "--page-size", "2"];
    let sets = lines(&edu(&args, &edfi_vars(&edfi)).await);
    assert!(sets.len() >= 3, "{sets:?}");
    let csv = edu(
        &[
            "edfi-admin",
            "claim-sets",
            "list",
            "--format",
            "csv",
            "--fields",
            "name",
        ],
        &edfi_vars(&edfi),
    )
    .await;
    assert_eq!(stdout(&csv).lines().count(), sets.len() + 1);

    // Edu-V: organisations (one answer, written as records).
    let orgs = lines(&edu(&["eduv", "organisations", "list"], &eduv_vars).await);
    assert!(orgs.len() > 1 && orgs.iter().all(|o| o["name"].is_string()));
    let one = lines(
        &edu(
            &["eduv", "organisations", "list", "--limit", "1"],
            &eduv_vars,
        )
        .await,
    );
    assert_eq!(one, orgs[..1], "--limit cuts a list the API answers whole");
    let by_org_id = lines(
        &edu(
            &[
                "eduv",
                "study-offerings",
                "list",
                "--org-id",
                "12AB",
                "--org-id-type",
                "OIE_CODE",
            ],
            &eduv_vars,
        )
        .await,
    );
    assert!(!by_org_id.is_empty(), "a school named by a secondary id");
    let csv = edu(
        &[
            "eduv",
            "organisations",
            "list",
            "--format",
            "csv",
            "--fields",
            "name,status",
        ],
        &eduv_vars,
    )
    .await;
    assert_eq!(stdout(&csv).lines().next(), Some("name,status"));
    assert_eq!(stdout(&csv).lines().count(), orgs.len() + 1);

    // Onderwijsregio: the candidates listing pages through the typed client.
    let candidates = lines(
        &edu(
            &["onderwijsregio", "candidates", "list", "--page-size", "10"],
            &regio_vars,
        )
        .await,
    );
    assert_eq!(candidates.len(), 25);
    let csv = edu(
        &[
            "onderwijsregio",
            "candidates",
            "list",
            "--format",
            "csv",
            "--fields",
            "id",
        ],
        &regio_vars,
    )
    .await;
    assert!(csv.status.success(), "{}", stderr(&csv));
    assert_eq!(stdout(&csv).lines().count(), 26, "a header and 25 rows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_and_a_create_with_data_from_a_file() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let vars = eduframe_vars(&sim);
    let dir = temp_dir("create");
    let body = dir.join("lead.json");
    std::fs::write(
        &body,
        r#"{"first_name": "Annemarie", "last_name": "Visser"}"#,
    )
    .unwrap();
    let data = format!("@{}", body.display());
    let created = lines(&edu(&["eduframe", "leads", "create", "--data", &data], &vars).await);
    let id = created[0]["id"]
        .as_i64()
        .expect("the created lead's id")
        .to_string();
    let got = lines(&edu(&["eduframe", "leads", "get", &id], &vars).await);
    assert_eq!(got[0]["first_name"], "Annemarie");
    assert_eq!(got[0]["last_name"], "Visser");

    // Inline JSON and standard input work too; text that is not JSON is a usage error.
    let inline = edu(
        &[
            "eduframe",
            "leads",
            "create",
            "--data",
            r#"{"first_name":"Bo"}"#,
        ],
        &vars,
    )
    .await;
    assert_eq!(lines(&inline)[0]["first_name"], "Bo");
    let mut cmd = command(&["eduframe", "leads", "create", "--data", "-"], &vars);
    let piped = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(br#"{"first_name":"Cas"}"#)
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(lines(&piped)[0]["first_name"], "Cas");
    let bad = edu(&["eduframe", "leads", "create", "--data", "{oops"], &vars).await;
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("--data is not JSON"),
        "{}",
        stderr(&bad)
    );
}

/// `--set name=value` builds the body from flags, typed by the operation's schema: a number
/// stays a number, a list a list, a nested field goes into its object; an unknown field exits 2
/// naming the known ones, an enum value outside the set exits 2 naming the allowed ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_with_fields_from_set_flags() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let vars = eduframe_vars(&sim);
    let created = edu(
        &[
            "eduframe",
            "accounts",
            "create",
            "--set",
            "name=Acme",
            "--set",
            "email=billing@acme.nl",
            "--set",
            "label_ids=[1,2]",
        ],
        &vars,
    )
    .await;
    assert!(created.status.success(), "{}", stderr(&created));
    let id = lines(&created)[0]["id"]
        .as_i64()
        .expect("the new account's id");
    let got = lines(&edu(&["eduframe", "accounts", "get", &id.to_string()], &vars).await);
    assert_eq!(got[0]["name"], "Acme");
    assert_eq!(got[0]["email"], "billing@acme.nl");
    assert_eq!(got[0]["label_ids"], serde_json::json!([1, 2]));

    let unknown = edu(
        &["eduframe", "accounts", "create", "--set", "nmae=Acme"],
        &vars,
    )
    .await;
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    let text = stderr(&unknown);
    assert!(
        text.contains("no field `nmae`") && text.contains("email") && text.contains("name"),
        "{text}"
    );
    let typo = edu(
        &[
            "eduframe",
            "orders",
            "create",
            "--set",
            "cost_scheme=gratis",
        ],
        &vars,
    )
    .await;
    assert_eq!(typo.status.code(), Some(2), "{}", stderr(&typo));
    assert!(stderr(&typo).contains("order"), "{}", stderr(&typo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_are_typed_and_bodies_checked_before_anything_is_sent() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let vars = eduframe_vars(&sim);
    let created = edu(
        &[
            "eduframe",
            "accounts",
            "create",
            "--set",
            "name=Acme",
            "--set",
            "phone=0301234567",
        ],
        &vars,
    )
    .await;
    assert!(created.status.success(), "{}", stderr(&created));
    let id = lines(&created)[0]["id"]
        .as_i64()
        .expect("the new account's id")
        .to_string();
    sim.log_requests(true);
    let before = sim.requests().len();

    // A date filter takes a date: the typed layer's parser refuses anything else.
    let vague = edu(
        &[
            "eduframe",
            "planned-courses",
            "list",
            "--start-date-from",
            "next week",
        ],
        &vars,
    )
    .await;
    assert_eq!(vague.status.code(), Some(2), "{}", stderr(&vague));
    let text = stderr(&vague);
    assert!(
        text.contains("--start-date-from") && text.contains("date"),
        "{text}"
    );
    // A body without a field the API requires says which flag adds it.
    let nameless = edu(
        &["eduframe", "accounts", "create", "--set", "email=a@b.nl"],
        &vars,
    )
    .await;
    assert_eq!(nameless.status.code(), Some(2), "{}", stderr(&nameless));
    assert!(
        stderr(&nameless).contains("--set name="),
        "{}",
        stderr(&nameless)
    );
    assert_eq!(sim.requests().len(), before, "{:?}", sim.requests());

    // A date that is one is sent as the API writes it, and an explicit null clears a field.
    let dated = edu(
        &[
            "eduframe",
            "planned-courses",
            "list",
            "--start-date-from",
            "2020-01-01",
            "--limit",
            "1",
        ],
        &vars,
    )
    .await;
    assert!(dated.status.success(), "{}", stderr(&dated));
    let sent = sim.requests();
    assert!(
        sent.iter().any(|r| r
            .request
            .url
            .query()
            .is_some_and(|q| q.contains("start_date_from=2020-01-01"))),
        "{sent:?}"
    );
    let cleared = edu(
        &[
            "eduframe",
            "accounts",
            "update",
            &id,
            "--set",
            "name=Acme",
            "--set",
            "phone=null",
        ],
        &vars,
    )
    .await;
    assert!(cleared.status.success(), "{}", stderr(&cleared));
    let got = lines(&edu(&["eduframe", "accounts", "get", &id], &vars).await);
    assert_eq!(got[0]["phone"], Value::Null, "{got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edfi_vendor_and_application_are_created_and_the_credentials_shown_once() {
    let sim = edfi_admin_client::mock::Simulator::builder().start().await;
    let vars = edfi_vars(&sim);
    let vendor = lines(
        &edu(
            &[
                "edfi-admin",
                "vendors",
                "create",
                "--data",
                r#"{"company":"Acme","namespacePrefixes":"uri://acme.org","contactName":"Ann","contactEmailAddress":"ann@acme.example"}"#,
            ],
            &vars,
        )
        .await,
    );
    let vendor_id = vendor[0]["id"]
        .as_i64()
        .expect("the vendor's id from Location");
    let body = format!(
        r#"{{"applicationName":"Acme SIS","vendorId":{vendor_id},"claimSetName":"SIS Vendor","educationOrganizationIds":[255901],"odsInstanceIds":[1]}}"#
    );
    let out = edu(
        &[
            "--verbose",
            "edfi-admin",
            "applications",
            "create",
            "--data",
            &body,
        ],
        &vars,
    )
    .await;
    let app = lines(&out);
    let key = app[0]["key"].as_str().expect("the key");
    let secret = app[0]["secret"].as_str().expect("the secret");
    assert!(!key.is_empty() && !secret.is_empty());
    assert_eq!(stdout(&out).matches(secret).count(), 1, "shown once");
    assert_eq!(
        stdout(&out).matches(key).count(),
        1,
        "the key with it, once"
    );
    let log = stderr(&out);
    assert!(log.contains("POST ") && log.contains("-> 201"), "{log}");
    assert!(
        !log.contains(secret),
        "the secret in the verbose log: {log}"
    );
    assert!(
        !log.contains(sim.client_secret()),
        "the client's own secret in the verbose log: {log}"
    );
}

/// Starts `args` in the background and kills it once its resume file says `records` are out.
async fn kill_after(
    args: Vec<String>,
    vars: Vec<(&'static str, String)>,
    resume: PathBuf,
    records: u64,
) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = command(&args, &vars)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            let saved = std::fs::read_to_string(&resume)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v["records"].as_u64())
                .unwrap_or(0);
            if saved >= records {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the export ended before it could be killed"
            );
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the export is stuck"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL: no chance to save anything more
        child.wait().unwrap();
    })
    .await
    .unwrap();
}

/// Runs the listing `args` with `--resume` and `-o` into `dir/name.*`, kills it once `kill_at`
/// records are saved, checks it was killed midway, and runs the same command again to the end.
/// Returns the output file and the command (for a third run).
async fn killed_and_resumed(
    args: &[&str],
    vars: &[(&'static str, String)],
    dir: &Path,
    name: &str,
    kill_at: u64,
) -> (PathBuf, Vec<String>) {
    let resume = dir.join(format!("{name}.pos"));
    let output = dir.join(format!("{name}.out"));
    let argv: Vec<String> = args
        .iter()
        .map(|s| s.to_string())
        .chain([
            "--resume".into(),
            resume.display().to_string(),
            "-o".into(),
            output.display().to_string(),
        ])
        .collect();
    kill_after(argv.clone(), vars.to_vec(), resume.clone(), kill_at).await;
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&resume).unwrap()).unwrap();
    assert!(
        !saved["done"].as_bool().unwrap(),
        "{name}: killed midway: {saved}"
    );
    let rest = edu(&argv.iter().map(String::as_str).collect::<Vec<_>>(), vars).await;
    assert!(rest.status.success(), "{name}: {}", stderr(&rest));
    (output, argv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_export_resumes_with_every_record_exactly_once() {
    let dir = temp_dir("resume");
    // datahub: id order; the saved position is the last id written.
    let sim = datahub_client::mock::Simulator::builder()
        .students(400)
        .start()
        .await;
    sim.set_latency(Duration::from_millis(40));
    let listing = [
        "datahub",
        "students",
        "list",
        "--page-size",
        "20",
        "--format",
        "jsonl",
    ];
    let (output, argv) =
        killed_and_resumed(&listing, &datahub_vars(&sim), &dir, "datahub", 60).await;
    let ids = ids_in(&output, "id");
    assert_eq!(ids.len(), 400, "every record once, none missing");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        400,
        "no record twice"
    );
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "in id order");
    // Run again: the export is complete, and nothing is written twice.
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let again = edu(&argv, &datahub_vars(&sim)).await;
    assert!(again.status.success());
    assert!(stderr(&again).contains("complete"), "{}", stderr(&again));
    assert_eq!(ids_in(&output, "id").len(), 400);

    // datahub as its seed documents it: next links carry only a `search_token`, which is the
    // saved position.
    let seed = datahub_client::mock::Simulator::builder()
        .students(300)
        .starting_after(false)
        .start()
        .await;
    seed.set_latency(Duration::from_millis(40));
    let (output, _) =
        killed_and_resumed(&listing, &datahub_vars(&seed), &dir, "datahub-seed", 50).await;
    let ids = ids_in(&output, "id");
    assert_eq!(ids.len(), 300, "every record once, none missing");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        300,
        "no record twice"
    );

    // Eduframe: the saved position is the next page's cursor.
    let sim = eduframe_client::mock::Simulator::builder()
        .records(150)
        .no_rate_limit()
        .start()
        .await;
    sim.set_latency(Duration::from_millis(40));
    let listing = [
        "eduframe",
        "courses",
        "list",
        "--page-size",
        "10",
        "--format",
        "csv",
    ];
    let (output, _) =
        killed_and_resumed(&listing, &eduframe_vars(&sim), &dir, "eduframe", 30).await;
    let text = std::fs::read_to_string(&output).unwrap();
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let at = header
        .iter()
        .position(|c| *c == "id")
        .expect("an id column");
    let ids: Vec<&str> = rows.map(|r| r.split(',').nth(at).unwrap()).collect();
    assert_eq!(ids.len(), 150, "one header, every record once");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        150,
        "no record twice"
    );
    let header_line = text.lines().next().unwrap();
    assert_eq!(
        text.lines().filter(|l| *l == header_line).count(),
        1,
        "one header line"
    );

    // Onderwijsregio: the saved position is the API's own `meta.cursor`.
    let sim = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    sim.seed((0..120).map(candidate));
    sim.set_latency(Duration::from_millis(40));
    let vars = vec![
        ("ONDERWIJSREGIO_BASE_URL", sim.base_url()),
        ("ONDERWIJSREGIO_API_KEY", sim.api_key().to_owned()),
    ];
    let listing = ["onderwijsregio", "candidates", "list", "--page-size", "10"];
    let (output, _) = killed_and_resumed(&listing, &vars, &dir, "onderwijsregio", 30).await;
    let ids = ids_in(&output, "id");
    assert_eq!(ids.len(), 120, "every candidate once, none missing");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        120,
        "no candidate twice"
    );
}

/// A candidate as the Onderwijsregio simulator keeps one.
fn candidate(i: usize) -> Value {
    serde_json::json!({
        "firstName": "Kandidaat",
        "lastName": format!("Nummer {i}"),
        "email": format!("kandidaat{i}@example.nl"),
        "privacyConsent": true,
    })
}

fn ids_in(path: &Path, field: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            v[field].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_failure_has_its_exit_code_and_a_one_line_message() {
    let sim = eduframe_client::mock::Simulator::builder()
        .no_rate_limit()
        .start()
        .await;
    let vars = eduframe_vars(&sim);
    let code = |out: &Output| out.status.code();
    let one_line = |out: &Output| {
        let e = stderr(out);
        assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
        assert!(e.starts_with("edu: ") || e.starts_with("error: "), "{e}");
        assert!(!e.contains("panicked") && !e.contains("backtrace"), "{e}");
        e
    };

    let ok = edu(&["eduframe", "courses", "get", "1"], &vars).await;
    assert_eq!(code(&ok), Some(0));

    let usage = edu(&["eduframe", "courses", "list", "--no-such-flag"], &vars).await;
    assert_eq!(code(&usage), Some(2));
    let missing = edu(&["eduframe", "courses", "get", "1"], &[]).await;
    assert_eq!(code(&missing), Some(2), "{}", stderr(&missing));
    assert!(one_line(&missing).contains("EDUFRAME_API_KEY"));

    let wrong_key = vec![
        ("EDUFRAME_BASE_URL", sim.base_url()),
        ("EDUFRAME_API_KEY", "not-the-key".to_owned()),
    ];
    let refused = edu(&["eduframe", "courses", "get", "1"], &wrong_key).await;
    assert_eq!(code(&refused), Some(3), "{}", stderr(&refused));
    assert!(!one_line(&refused).contains("not-the-key"));

    let not_found = edu(&["eduframe", "courses", "get", "987654"], &vars).await;
    assert_eq!(code(&not_found), Some(4));
    assert!(one_line(&not_found).contains("404"));

    // The client makes 4 attempts by default.
    sim.throttle_next(4, 0);
    let throttled = edu(&["eduframe", "courses", "get", "1"], &vars).await;
    assert_eq!(code(&throttled), Some(5), "{}", stderr(&throttled));
    assert!(one_line(&throttled).contains("rate limited"));

    sim.fail_next(4, 500);
    let failed = edu(&["eduframe", "courses", "get", "1"], &vars).await;
    assert_eq!(code(&failed), Some(1), "{}", stderr(&failed));
    one_line(&failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_supplies_the_settings_and_check_says_what_failed() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let dir = temp_dir("profile");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.sim]\nDATAHUB_BASE_URL = \"{}\"\nDATAHUB_CLIENT_ID = \"{}\"\nDATAHUB_CLIENT_SECRET = \"{}\"\n\n[profiles.wrong]\nDATAHUB_BASE_URL = \"{}\"\nDATAHUB_CLIENT_ID = \"{}\"\nDATAHUB_CLIENT_SECRET = \"s3cr3t-wrong\"\n",
            sim.base_url(),
            sim.client_id(),
            sim.client_secret(),
            sim.base_url(),
            sim.client_id(),
        ),
    )
    .unwrap();
    let with_config = |profile: &str| {
        let mut cmd = command(&["--profile", profile, "datahub", "check"], &[]);
        cmd.env("EDU_CONFIG", &config);
        cmd
    };
    let mut ok = with_config("sim");
    let ok = tokio::task::spawn_blocking(move || ok.output().unwrap())
        .await
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("call: ok"), "{}", stdout(&ok));
    // `check` says where the settings came from.
    assert!(
        stdout(&ok).contains(&format!("profile `sim` of {}", config.display())),
        "{}",
        stdout(&ok)
    );

    let mut wrong = with_config("wrong");
    let wrong = tokio::task::spawn_blocking(move || wrong.output().unwrap())
        .await
        .unwrap();
    assert_eq!(wrong.status.code(), Some(3), "{}", stderr(&wrong));
    let e = stderr(&wrong);
    assert!(e.contains("the token request failed"), "{e}");
    assert!(!e.contains("s3cr3t-wrong"), "{e}");

    let mut unknown = with_config("nope");
    let unknown = tokio::task::spawn_blocking(move || unknown.output().unwrap())
        .await
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("it has: sim, wrong"),
        "{}",
        stderr(&unknown)
    );

    // A file that does not parse: its line is named, the line itself (a secret) is not shown.
    std::fs::write(
        &config,
        "[profiles.sim]\nDATAHUB_CLIENT_ID = \"id\"\nDATAHUB_CLIENT_SECRET = \"s3cr3t-cut\n",
    )
    .unwrap();
    let mut broken = with_config("sim");
    let broken = tokio::task::spawn_blocking(move || broken.output().unwrap())
        .await
        .unwrap();
    assert_eq!(broken.status.code(), Some(2), "{}", stderr(&broken));
    let e = stderr(&broken);
    assert!(
        e.contains("not a valid profile file") && e.contains("(line 3)"),
        "{e}"
    );
    assert!(!e.contains("s3cr3t-cut"), "{e}");
}

#[tokio::test]
async fn completions_and_help_name_every_level() {
    // One (api, resource, operation, what its help says) per API: every level of each.
    let levels = [
        ("eduframe", "courses", "list", "GET /courses"),
        ("edfi-admin", "claim-sets", "list", "GET /v2/claimSets"),
        ("eduv", "study-offerings", "list", "studyofferings"),
        ("onderwijsregio", "candidates", "get", "candidates"),
        ("datahub", "students", "list", "students"),
    ];
    let bash = edu(&["completions", "bash"], &[]).await;
    assert!(bash.status.success());
    let script = stdout(&bash);
    for (api, resource, operation, said) in levels {
        let in_script = |s: &str| s.replace('-', "__subcmd__");
        let completion = format!(
            "edu__subcmd__{}__subcmd__{},{})",
            in_script(api),
            in_script(resource),
            operation
        );
        assert!(script.contains(&completion), "no completion {completion}");
        let top = stdout(&edu(&["--help"], &[]).await);
        assert!(top.contains(api), "edu --help names {api}");
        let api_help = stdout(&edu(&[api, "--help"], &[]).await);
        assert!(api_help.contains(resource), "{api} --help: {api_help}");
        let resource_help = stdout(&edu(&[api, resource, "--help"], &[]).await);
        assert!(
            resource_help.contains(operation),
            "{api} {resource} --help: {resource_help}"
        );
        let op_help = stdout(&edu(&[api, resource, operation, "--help"], &[]).await);
        assert!(
            op_help.contains(said),
            "{api} {resource} {operation} --help: {op_help}"
        );
    }
    // An operation's own parameters, with their values.
    let text = stdout(&edu(&["eduframe", "courses", "list", "--help"], &[]).await);
    assert!(text.contains("--published"), "{text}");
    assert!(text.contains("[possible values: published]"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_records_and_asynchronous_writes_through_the_typed_handlers() {
    let datahub = datahub_client::mock::Simulator::builder().start().await;
    let vars = datahub_vars(&datahub);
    let section = lines(&edu(&["datahub", "sections", "list", "--limit", "1"], &vars).await);
    let id = section[0]["id"].as_str().unwrap().to_owned();
    let students = lines(&edu(&["datahub", "sections", "students", &id], &vars).await);
    let expected: BTreeSet<&str> = section[0]["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let got: BTreeSet<&str> = students.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(got, expected, "the section's students, each once");
    let teacher = lines(&edu(&["datahub", "sections", "teacher", &id], &vars).await);
    assert_eq!(teacher[0]["id"], section[0]["teacher"]);

    let regio = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    let vars = vec![
        ("ONDERWIJSREGIO_BASE_URL", regio.base_url()),
        ("ONDERWIJSREGIO_API_KEY", regio.api_key().to_owned()),
    ];
    let update = lines(
        &edu(
            &[
                "onderwijsregio",
                "candidates",
                "update",
                "c-1",
                "--data",
                r#"{"firstName":"Ann","phone":null}"#,
            ],
            &vars,
        )
        .await,
    );
    assert_eq!(update[0]["status"], 202);
    assert!(
        update[0]["idempotency_key"]
            .as_str()
            .is_some_and(|k| !k.is_empty())
    );
    let sent = regio
        .requests()
        .into_iter()
        .rfind(|r| r.request.method == "PATCH")
        .expect("the update reached the simulator");
    let body: Value = serde_json::from_slice(&sent.request.body).unwrap();
    assert_eq!(body, serde_json::json!({"firstName": "Ann", "phone": null}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_formats_and_fields_as_a_shell_user_meets_them() {
    let sim = datahub_client::mock::Simulator::builder()
        .students(12)
        .start()
        .await;
    let vars = datahub_vars(&sim);
    let list = ["datahub", "students", "list", "--page-size", "5"];

    // `--format json` on a listing is one JSON array, whatever the number of pages.
    let json = edu(&[&list[..], &["--format", "json"]].concat(), &vars).await;
    assert!(json.status.success(), "{}", stderr(&json));
    let parsed: Value = serde_json::from_str(&stdout(&json)).expect("one JSON document");
    assert_eq!(parsed.as_array().map(Vec::len), Some(12), "{parsed}");

    // Dotted fields reach nested values, in CSV too.
    let csv = edu(
        &[&list[..], &["--format", "csv", "--fields", "id,name.first"]].concat(),
        &vars,
    )
    .await;
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = stdout(&csv);
    let mut rows = text.lines();
    assert_eq!(rows.next(), Some("id,name.first"));
    let first_names: Vec<&str> = rows.filter_map(|r| r.split(',').nth(1)).collect();
    assert_eq!(first_names.len(), 12, "{text}");
    assert!(first_names.iter().all(|n| !n.is_empty()), "{text}");

    // A field no record has is a usage error naming the fields there are.
    let typo = edu(&[&list[..], &["--fields", "id,nmae"]].concat(), &vars).await;
    assert_eq!(typo.status.code(), Some(2), "{}", stderr(&typo));
    let text = stderr(&typo);
    assert!(text.contains("`nmae`") && text.contains("name"), "{text}");

    // A table for a terminal: a header and aligned rows.
    let table = edu(
        &[
            &list[..],
            &["--format", "table", "--fields", "id,name.last"],
        ]
        .concat(),
        &vars,
    )
    .await;
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13, "{text}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("NAME.LAST"),
        "{text}"
    );
    let column = lines[0].find("NAME.LAST").expect("the second column");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.len() > column && !l[..column].ends_with(|c: char| !c.is_whitespace())),
        "{text}"
    );

    // `-o table` writes a file of that name, and says how to choose a format.
    let dir = temp_dir("o-table");
    let mut cmd = command(&[&list[..], &["-o", "table"]].concat(), &vars);
    cmd.current_dir(&dir);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("edu runs"))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("--format table"), "{}", stderr(&out));
    assert!(dir.join("table").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jq_filter_shapes_each_record_before_it_is_written() {
    let sim = datahub_client::mock::Simulator::builder()
        .students(7)
        .start()
        .await;
    let vars = datahub_vars(&sim);
    let list = ["datahub", "students", "list", "--page-size", "3"];
    let all = lines(&edu(&list, &vars).await);
    assert_eq!(all.len(), 7);

    // Each record of every page goes through the filter; its outputs are the records written.
    let firsts = edu(&[&list[..], &["--jq", ".name.first"]].concat(), &vars).await;
    assert!(firsts.status.success(), "{}", stderr(&firsts));
    let want: Vec<Value> = all.iter().map(|r| r["name"]["first"].clone()).collect();
    assert_eq!(lines(&firsts), want);

    // Its objects go on to --format and --fields; `select` drops records.
    let shaped = edu(
        &[
            &list[..],
            &[
                "--jq",
                &format!(
                    "select(.id != \"{}\") | {{id, last: .name.last}}",
                    all[0]["id"].as_str().unwrap()
                ),
                "--format",
                "csv",
                "--fields",
                "last",
            ],
        ]
        .concat(),
        &vars,
    )
    .await;
    assert!(shaped.status.success(), "{}", stderr(&shaped));
    let rows: Vec<String> = stdout(&shaped).lines().map(str::to_owned).collect();
    let mut want = vec!["last".to_owned()];
    want.extend(
        all[1..]
            .iter()
            .map(|r| r["name"]["last"].as_str().unwrap().to_owned()),
    );
    assert_eq!(rows, want);

    // A get's answer is one record.
    let id = all[2]["id"].as_str().unwrap();
    let one = edu(&["datahub", "students", "get", id, "--jq", ".id"], &vars).await;
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(lines(&one), vec![Value::from(id)]);

    // An expression that does not parse is a usage error, and nothing is sent.
    sim.log_requests(true);
    let before = sim.requests().len();
    failing(
        &[&list[..], &["--jq", ".name |"]].concat(),
        &vars,
        2,
        &["--jq"],
    )
    .await;
    assert_eq!(sim.requests().len(), before, "a bad filter sent a request");
    // An error the filter raises on a record fails the run (exit 1) with its message.
    let raise = [&list[..], &["--jq", "error(\"no \\(.id)\")"]].concat();
    failing(&raise, &vars, 1, &["--jq", "no "]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writes_help_lists_its_body_and_skeleton_prints_one_to_fill_in() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let vars = eduframe_vars(&sim);
    let help = edu(&["eduframe", "accounts", "create", "--help"], &vars).await;
    assert!(help.status.success(), "{}", stderr(&help));
    let text = stdout(&help);
    let line = |field: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.split_whitespace().next() == Some(field))
            .unwrap_or_else(|| panic!("no line for {field} in\n{text}"))
            .to_owned()
    };
    assert!(line("name").ends_with("string, required"), "{text}");
    assert!(line("label_ids").ends_with("list of integer"), "{text}");
    // The operation's own options come first; output options and settings stand apart, and
    // a write has no listing options.
    let own = text.find("--set <NAME=VALUE>").expect("--set in the help");
    let output = text.find("\nOutput:").expect("the output options' heading");
    let settings = text.find("\nSettings:").expect("the settings' heading");
    assert!(own < output && output < settings, "{text}");
    assert!(text[output..].contains("--jq <EXPR>"), "{text}");
    assert!(
        !text.contains("--resume <FILE>") && !text.contains("--limit <N>"),
        "a write offers listing options:\n{text}"
    );
    assert!(
        line("address_attributes.country").contains("one of AD"),
        "{text}"
    );

    sim.log_requests(true);
    let before = sim.requests().len();
    let skeleton = edu(&["eduframe", "accounts", "create", "--skeleton"], &vars).await;
    assert!(skeleton.status.success(), "{}", stderr(&skeleton));
    let body: Value = serde_json::from_str(&stdout(&skeleton)).expect("a JSON body");
    assert_eq!(body["name"], "");
    assert_eq!(body["label_ids"], serde_json::json!([]));
    assert_eq!(body["address_attributes"]["country"], "AD");
    assert_eq!(sim.requests().len(), before, "the skeleton sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_command_offers_only_the_options_that_apply_to_it() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let vars = eduframe_vars(&sim);
    let list = stdout(&edu(&["eduframe", "accounts", "list", "--help"], &vars).await);
    let listing = list
        .find("\nListing:")
        .expect("the listing options' heading");
    assert!(
        list[listing..].contains("--resume <FILE>") && list[listing..].contains("--limit <N>"),
        "{list}"
    );
    // A simulator takes none of the options of an API call.
    let sim_help = stdout(&edu(&["sim", "--help"], &[]).await);
    for option in [
        "--format",
        "--fields",
        "--resume",
        "--limit",
        "--profile",
        "--jq",
    ] {
        assert!(
            !sim_help.contains(option),
            "edu sim --help offers {option}:\n{sim_help}"
        );
    }
    // Misplaced, they are refused as clap refuses any unknown option (exit 2), saying where
    // they go; an output option before the API's name (as earlier versions took it) too.
    let resume = ["eduframe", "accounts", "create", "--resume", "x.json"];
    failing(&resume, &vars, 2, &["--resume goes after a listing"]).await;
    let early = ["--format", "csv", "eduframe", "accounts", "list"];
    failing(&early, &vars, 2, &["--format goes after the operation"]).await;
    // Settings work before the API's name too, as `edu --verbose …` in the README.
    let early = edu(
        &["--verbose", "eduframe", "accounts", "list", "--limit", "1"],
        &vars,
    )
    .await;
    assert!(early.status.success(), "{}", stderr(&early));
    assert!(stderr(&early).contains("GET "), "{}", stderr(&early));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_without_a_match_prints_null_and_exits_4() {
    let regio = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    regio.seed((0..3).map(candidate));
    let vars = vec![
        ("ONDERWIJSREGIO_BASE_URL", regio.base_url()),
        ("ONDERWIJSREGIO_API_KEY", regio.api_key().to_owned()),
    ];
    for (op, flag, value) in [
        ("find-by-email", "--email", "nobody@example.invalid"),
        ("find-by-phone", "--phone", "+31000000000"),
    ] {
        let out = edu(&["onderwijsregio", "candidates", op, flag, value], &vars).await;
        assert_eq!(out.status.code(), Some(4), "{op}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), "null", "{op}");
        assert!(
            stderr(&out).contains("no candidate has"),
            "{op}: {}",
            stderr(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_asks_for_no_more_than_it_needs() {
    let sim = eduframe_client::mock::Simulator::builder()
        .records(20)
        .no_rate_limit()
        .start()
        .await;
    let vars = eduframe_vars(&sim);
    sim.log_requests(true);
    let three = edu(&["eduframe", "courses", "list", "--limit", "3"], &vars).await;
    assert!(three.status.success(), "{}", stderr(&three));
    assert_eq!(lines(&three).len(), 3);
    let sent = sim.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let query = sent[0].request.url.query().unwrap_or_default().to_owned();
    assert!(query.contains("per_page=3"), "{query}");

    let none = edu(&["eduframe", "courses", "list", "--limit", "0"], &vars).await;
    assert!(none.status.success(), "{}", stderr(&none));
    assert!(lines(&none).is_empty(), "{}", stdout(&none));
    assert_eq!(sim.requests().len(), 1, "--limit 0 sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_output_and_an_unwritable_resume_file_are_the_same_usage_error() {
    let sim = eduframe_client::mock::Simulator::builder()
        .records(5)
        .start()
        .await;
    sim.log_requests(true);
    let vars = eduframe_vars(&sim);
    let nowhere = temp_dir("unwritable").join("no-such-dir").join("x");
    let nowhere = nowhere.to_str().unwrap();
    for (flag, args) in [
        ("-o/--output", ["-o", nowhere]),
        ("--resume", ["--resume", nowhere]),
    ] {
        let out = edu(
            &[&["eduframe", "courses", "list"][..], &args].concat(),
            &vars,
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr(&out));
        let text = stderr(&out);
        assert!(
            text.contains(flag) && text.contains("no-such-dir"),
            "{text}"
        );
        assert!(stdout(&out).is_empty(), "{flag}: {}", stdout(&out));
        assert!(
            sim.requests().is_empty(),
            "{flag} sent {:?}",
            sim.requests()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_size_beyond_the_apis_maximum_is_clamped_or_refused_naming_it() {
    // datahub serves pages of up to 10,000: a larger one is asked as 10,000, with a note.
    let sim = datahub_client::mock::Simulator::builder()
        .students(3)
        .start()
        .await;
    sim.log_requests(true);
    let vars = datahub_vars(&sim);
    let out = edu(
        &["datahub", "students", "list", "--page-size", "20000"],
        &vars,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 3);
    assert!(
        stderr(&out).contains("maximum of 10000"),
        "{}",
        stderr(&out)
    );
    let asked: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r.request.url.path().ends_with("/students"))
        .map(|r| r.request.url.query().unwrap_or_default().to_owned())
        .collect();
    assert!(
        !asked.is_empty() && asked.iter().all(|q| q.contains("limit=10000")),
        "{asked:?}"
    );

    // Eduframe's 100 is refused before anything is sent, naming it.
    let eduframe = eduframe_client::mock::Simulator::builder().start().await;
    eduframe.log_requests(true);
    let vars = eduframe_vars(&eduframe);
    let out = edu(
        &["eduframe", "courses", "list", "--page-size", "500"],
        &vars,
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("100"), "{}", stderr(&out));
    assert!(eduframe.requests().is_empty(), "{:?}", eduframe.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_where_that_is_not_json_is_a_usage_error_before_anything_is_sent() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let vars = datahub_vars(&sim);
    let out = edu(
        &["datahub", "students", "list", "--where", "{grade: 9"],
        &vars,
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--where is not JSON"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sim.api_requests(), 0, "nothing reached the API");
    let fine = edu(
        &[
            "datahub", "students", "list", "--where", "{}", "--limit", "1",
        ],
        &vars,
    )
    .await;
    assert!(fine.status.success(), "{}", stderr(&fine));
    assert!(sim.api_requests() > 0, "a valid --where is sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_an_export_exits_130_and_says_how_to_continue() {
    let dir = temp_dir("ctrl-c");
    let sim = datahub_client::mock::Simulator::builder()
        .students(300)
        .start()
        .await;
    sim.set_latency(Duration::from_millis(40));
    let vars = datahub_vars(&sim);
    let resume = dir.join("students.pos");
    let output = dir.join("students.jsonl");
    let argv: Vec<String> = [
        "datahub",
        "students",
        "list",
        "--page-size",
        "20",
        "--format",
        "jsonl",
        "--resume",
        &resume.display().to_string(),
        "-o",
        &output.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut child = command(&args, &vars)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let resume_file = resume.clone();
    let out = tokio::task::spawn_blocking(move || {
        // Once two pages are saved, the user presses Ctrl-C.
        loop {
            let saved = std::fs::read_to_string(&resume_file)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v["records"].as_u64())
                .unwrap_or(0);
            if saved >= 40 {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the export ended ({status}) before Ctrl-C");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let pid = child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("interrupted after") && text.contains("run the same command again"),
        "{text}"
    );
    let rest = edu(&args, &vars).await;
    assert!(rest.status.success(), "{}", stderr(&rest));
    let ids = ids_in(&output, "id");
    assert_eq!(ids.len(), 300, "every record once, none missing");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        300,
        "no record twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_request_and_sends_nothing() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let vars = eduframe_vars(&sim);
    sim.log_requests(true);
    let out = edu(
        &[
            "eduframe",
            "accounts",
            "create",
            "--set",
            "name=Acme",
            "--set",
            "label_ids=[1,2]",
            "--dry-run",
        ],
        &vars,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("POST http://127.0.0.1:") && first.ends_with("/api/v1/accounts"),
        "{text}"
    );
    let body: Value = serde_json::from_str(text.split("\n\n").nth(1).unwrap_or_default())
        .unwrap_or_else(|e| panic!("a JSON body after the headers: {e}\n{text}"));
    assert_eq!(body["name"], "Acme");
    assert_eq!(body["label_ids"], serde_json::json!([1, 2]));
    assert!(
        !text.contains("eduframe-sim-key") && !text.to_lowercase().contains("authorization"),
        "{text}"
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());

    // As a curl line to paste into a shell.
    let curl = edu(
        &[
            "eduframe",
            "accounts",
            "create",
            "--set",
            "name=O'Brien",
            "--dry-run=curl",
        ],
        &vars,
    )
    .await;
    assert!(curl.status.success(), "{}", stderr(&curl));
    let text = stdout(&curl);
    let line = text
        .lines()
        .find(|l| l.starts_with("curl "))
        .unwrap_or_default();
    assert!(
        line.starts_with("curl -X POST 'http://127.0.0.1:")
            && line.contains(r#"--data-binary '{"name":"O'\''Brien"}'"#),
        "{text}"
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_shows_a_listings_first_page_and_a_hand_written_call_without_a_token() {
    // datahub: OAuth2, paged, hand-written; not even the token is asked for.
    let sim = datahub_client::mock::Simulator::builder()
        .students(3)
        .start()
        .await;
    sim.log_requests(true);
    let vars = datahub_vars(&sim);
    let out = edu(
        &[
            "datahub",
            "students",
            "list",
            "--page-size",
            "2",
            "--dry-run",
        ],
        &vars,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("GET http://127.0.0.1:")
            && text.contains("/students?")
            && text.contains("limit=2"),
        "{text}"
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());

    // Onderwijsregio: a hand-written write shows its body.
    let regio = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    regio.log_requests(true);
    let vars = onderwijsregio_vars(&regio);
    let out = edu(
        &[
            "onderwijsregio",
            "candidates",
            "get",
            "00000000-0000-4000-8000-000000000001",
            "--dry-run",
        ],
        &vars,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("GET http://127.0.0.1:"),
        "{}",
        stdout(&out)
    );
    assert!(regio.requests().is_empty(), "{:?}", regio.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_that_is_wrong_is_named_as_the_shell_user_set_it() {
    let bad_url = [
        ("DATAHUB_BASE_URL", "not-a-url".to_owned()),
        ("DATAHUB_CLIENT_ID", "a".to_owned()),
        ("DATAHUB_CLIENT_SECRET", "b".to_owned()),
    ];
    let out = edu(&["datahub", "students", "list"], &bad_url).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("DATAHUB_BASE_URL") && !text.contains("token URL"),
        "{text}"
    );

    let unset = [("DATAHUB_CLIENT_ID", "a".to_owned())];
    let out = edu(&["datahub", "students", "list"], &unset).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("DATAHUB_BASE_URL") && text.contains("--profile"),
        "{text}"
    );
    assert!(
        !text.contains("builder") && !text.contains("from_env"),
        "{text}"
    );

    // Eduframe answers a key it does not know with 403: the message suggests the key too.
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let wrong = [
        ("EDUFRAME_BASE_URL", sim.base_url()),
        ("EDUFRAME_API_KEY", "not-the-key".to_owned()),
    ];
    let out = edu(&["eduframe", "courses", "list"], &wrong).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("check the key"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelt_profile_variable_is_warned_about_with_the_name_meant() {
    use std::os::unix::fs::PermissionsExt;
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let dir = temp_dir("profile-typo");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.sim]\nEDUFRAME_BASE_URL = \"{}\"\nEDUFRAM_API_KEY = \"{}\"\n",
            sim.base_url(),
            sim.api_key()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut cmd = command(&["--profile", "sim", "eduframe", "courses", "list"], &[]);
    cmd.env("EDU_CONFIG", &config);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("edu runs"))
        .await
        .unwrap();
    let text = stderr(&out);
    assert!(text.contains("did you mean `EDUFRAME_API_KEY`"), "{text}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "the key is still missing: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edu_reads_edu_redis_url_as_its_readme_says() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let mut vars = datahub_vars(&sim);
    vars.push(("EDU_REDIS_URL", "notredis://x".to_owned()));
    // A URL that is not Redis's is refused, naming the variable: the variable is read, not
    // ignored (the shared state itself is tested in tests/tests/replicas.rs).
    let out = edu(&["datahub", "students", "list", "--limit", "1"], &vars).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("EDU_REDIS_URL"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_the_token_request_that_refused_the_secret() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let mut vars = datahub_vars(&sim);
    vars.retain(|(k, _)| *k != "DATAHUB_CLIENT_SECRET");
    vars.push(("DATAHUB_CLIENT_SECRET", "not-the-secret".to_owned()));
    let out = edu(
        &["-v", "datahub", "students", "list", "--limit", "1"],
        &vars,
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("POST ") && l.contains("/oauth/token -> 401")),
        "{text}"
    );
    assert!(!text.contains("not-the-secret"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edu_config_that_names_no_file_is_an_error() {
    let mut cmd = command(&["datahub", "check"], &[]);
    cmd.env("EDU_CONFIG", "/nonexistent/edu-config.toml");
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("edu runs"))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("/nonexistent/edu-config.toml") && text.contains("EDU_CONFIG"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_value_of_the_wrong_type_names_its_field() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let vars = eduframe_vars(&sim);
    let out = edu(
        &[
            "eduframe",
            "accounts",
            "create",
            "--data",
            r#"{"name": "Acme", "address_attributes": {"city": 7}}"#,
        ],
        &vars,
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`address_attributes.city`"),
        "{}",
        stderr(&out)
    );
}
