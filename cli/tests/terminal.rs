//! `edu` in a real terminal: run under a pseudo-terminal by util-linux's `script`, which writes
//! everything the terminal was sent to its standard output.

use std::process::Command;

mod support;
use support::*;

/// Runs `edu args` under a pseudo-terminal (standard output and error both the terminal) with
/// only `vars`, and returns what the terminal received.
async fn in_terminal(args: &[&str], vars: &[(&str, String)]) -> (Option<i32>, String) {
    let line = std::iter::once(env!("CARGO_BIN_EXE_edu").to_owned())
        .chain(args.iter().map(|a| format!("'{a}'")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-qfec", &line, "/dev/null"])
        .env_clear()
        .env("TERM", "xterm-256color")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())));
    let out = tokio::task::spawn_blocking(move || {
        cmd.output()
            .expect("util-linux's `script` runs (it gives the test a pseudo-terminal)")
    })
    .await
    .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const SPINNER: &[char] = &[
    '⠁', '⠂', '⠄', '⡀', '⢀', '⠠', '⠐', '⠈', '⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏', '⠒',
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_on_the_terminal_come_without_spinner_litter() {
    let sim = datahub_client::mock::Simulator::builder()
        .students(12)
        .start()
        .await;
    let vars = datahub_vars(&sim);
    let (code, screen) = in_terminal(
        &[
            "datahub",
            "students",
            "list",
            "--page-size",
            "5",
            "--format",
            "jsonl",
        ],
        &vars,
    )
    .await;
    assert_eq!(code, Some(0), "{screen}");
    let records = screen
        .lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .count();
    assert_eq!(records, 12, "{screen}");
    assert!(
        !screen.contains(SPINNER),
        "no spinner between the records:\n{screen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_the_server_asked_for_is_shown_while_it_lasts() {
    let sim = datahub_client::mock::Simulator::builder()
        .students(12)
        .start()
        .await;
    sim.throttle_next(1, 2);
    let vars = datahub_vars(&sim);
    let dir = temp_dir("terminal-wait");
    let out = dir.join("students.jsonl");
    let (code, screen) = in_terminal(
        &[
            "datahub",
            "students",
            "list",
            "--page-size",
            "5",
            "-o",
            &out.display().to_string(),
        ],
        &vars,
    )
    .await;
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("waiting") && screen.contains("429 (Retry-After)"),
        "the wait is shown while it lasts:\n{screen}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().lines().count(),
        12,
        "the records went to the file"
    );
}
