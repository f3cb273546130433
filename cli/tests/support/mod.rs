//! What the tests of the `edu` binary share: running it with only the given environment, its
//! output, the simulators' variables and a scratch directory.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `edu args` with only `vars` (and no profile file: `HOME` names no directory) in its
/// environment.
pub async fn edu(args: &[&str], vars: &[(&str, String)]) -> Output {
    let mut cmd = command(args, vars);
    tokio::task::spawn_blocking(move || cmd.output().expect("edu runs"))
        .await
        .unwrap()
}

/// Runs `edu args`, asserts it exited `code` with every one of `says` on standard error, and
/// returns that standard error.
pub async fn failing(args: &[&str], vars: &[(&str, String)], code: i32, says: &[&str]) -> String {
    let out = edu(args, vars).await;
    let text = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "edu {}: {text}",
        args.join(" ")
    );
    for s in says {
        assert!(
            text.contains(s),
            "edu {}: no `{s}` in: {text}",
            args.join(" ")
        );
    }
    text
}

/// The `edu` command with only `vars` (and no profile file) in its environment.
pub fn command(args: &[&str], vars: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edu"));
    cmd.args(args)
        .env_clear()
        .env("HOME", "/nonexistent")
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())));
    cmd
}

/// Standard output, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn eduframe_vars(sim: &eduframe_client::mock::Simulator) -> Vec<(&'static str, String)> {
    vec![
        ("EDUFRAME_BASE_URL", sim.base_url()),
        ("EDUFRAME_API_KEY", sim.api_key().to_owned()),
    ]
}

pub fn datahub_vars(sim: &datahub_client::mock::Simulator) -> Vec<(&'static str, String)> {
    vec![
        ("DATAHUB_BASE_URL", sim.base_url()),
        ("DATAHUB_CLIENT_ID", sim.client_id().to_owned()),
        ("DATAHUB_CLIENT_SECRET", sim.client_secret().to_owned()),
    ]
}

pub fn onderwijsregio_vars(
    sim: &onderwijsregio_client::mock::Simulator,
) -> Vec<(&'static str, String)> {
    vec![
        ("ONDERWIJSREGIO_BASE_URL", sim.base_url()),
        ("ONDERWIJSREGIO_API_KEY", sim.api_key().to_owned()),
    ]
}

pub fn edfi_vars(sim: &edfi_admin_client::mock::Simulator) -> Vec<(&'static str, String)> {
    vec![
        ("EDFI_ADMIN_BASE_URL", sim.base_url()),
        ("EDFI_ADMIN_CLIENT_ID", sim.client_id().to_owned()),
        ("EDFI_ADMIN_CLIENT_SECRET", sim.client_secret().to_owned()),
    ]
}

/// A fresh scratch directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edu-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A child process stopped when the test ends, pass or fail.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `edu-sim <args> --until-eof`, configured further by `setup` (its environment), and the first
/// `lines` `NAME=value` lines it prints. Its standard error is discarded.
pub fn edu_sim_with(
    args: &[&str],
    lines: usize,
    setup: impl FnOnce(&mut Command) -> &mut Command,
) -> (Running, Vec<(String, String)>) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edu-sim"));
    cmd.args(args)
        .arg("--until-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = setup(&mut cmd).spawn().expect("edu-sim starts");
    let stdout = child.stdout.take().expect("edu-sim's standard output");
    let running = Running(child);
    let vars = BufReader::new(stdout)
        .lines()
        .take(lines)
        .map(|l| {
            let l = l.expect("a line from edu-sim");
            let (k, v) = l.split_once('=').expect("NAME=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (running, vars)
}

/// `edu-sim <args> --until-eof` and the first `lines` variables it prints.
pub fn edu_sim(args: &[&str], lines: usize) -> (Running, Vec<(String, String)>) {
    edu_sim_with(args, lines, |c| c)
}

/// An Eduframe client for the simulator `edu-sim` printed the variables of.
pub fn eduframe_client(vars: &[(String, String)]) -> eduframe_client::Client {
    let var = |name: &str| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("edu-sim printed no {name}"))
    };
    eduframe_client::Client::builder()
        .base_url(var("EDUFRAME_BASE_URL"))
        .api_key(var("EDUFRAME_API_KEY"))
        .build()
        .expect("a client for the simulator")
}
