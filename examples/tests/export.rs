//! `datahub_export` against the simulator: a full export, then a resume after a torn write, on a
//! Clever-like server (it honours `starting_after`) and on one faithful to the seed (it does not).

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

fn ids(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Runs the export binary into `file`, with extra environment variables (`DATAHUB_*` to point
/// it at a running simulator as if it were the live API).
fn export(file: &Path, env: &[(&str, &str)]) {
    let out = Command::new(env!("CARGO_BIN_EXE_datahub_export"))
        .arg(file)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Keeps the first `lines` lines plus half of the next one, as a crash mid-write would.
fn tear(file: &Path, lines: usize) {
    let text = std::fs::read_to_string(file).unwrap();
    let all: Vec<&str> = text.split_inclusive('\n').collect();
    let torn = format!("{}{}", all[..lines].concat(), &all[lines][..10]);
    std::fs::write(file, torn).unwrap();
}

/// A full export, a torn write, a resumed export: the same 2,500 records, in order, once each.
fn export_tear_resume(test: &str, env: &[(&str, &str)]) {
    let dir = std::env::temp_dir().join(format!("edu-export-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("students.jsonl");
    export(&file, env);
    let all = ids(&file);
    assert_eq!(all.len(), 2_500);
    tear(&file, 1000);
    export(&file, env);
    let resumed = ids(&file);
    assert_eq!(resumed, all, "same records, same order, none twice");
    assert_eq!(resumed.iter().collect::<HashSet<_>>().len(), 2_500);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exports_every_student_and_resumes_where_it_stopped() {
    if std::env::var("DATAHUB_BASE_URL").is_ok() {
        return; // this test is about the simulator the binary starts itself
    }
    export_tear_resume("clever", &[]);
}

/// A server faithful to the seed ignores `starting_after` and starts from the top: the resumed
/// export must still hold each record exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_is_exact_on_a_server_that_ignores_starting_after() {
    let sim = datahub_client::mock::Simulator::builder()
        .students(2_500)
        .starting_after(false)
        .start()
        .await;
    let (url, id, secret) = (sim.base_url(), sim.client_id(), sim.client_secret());
    tokio::task::spawn_blocking(move || {
        export_tear_resume(
            "seed",
            &[
                ("DATAHUB_BASE_URL", url.as_str()),
                ("DATAHUB_CLIENT_ID", id),
                ("DATAHUB_CLIENT_SECRET", secret),
            ],
        )
    })
    .await
    .unwrap();
}
