//! `edu-sim` starts each simulator standalone and prints exactly the variables that API's
//! `Client::from_env()` reads: the focused example, given only those lines, runs against it as
//! against the live API.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Stops the simulator when the test ends, pass or fail.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `edu-sim <args>` and reads its first `lines` `NAME=value` lines.
fn start(args: &[&str], lines: usize) -> (Sim, Vec<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_edu-sim"))
        .args(args)
        .arg("--until-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let sim = Sim(child);
    let vars = BufReader::new(stdout)
        .lines()
        .take(lines)
        .map(|l| {
            let l = l.unwrap();
            let (k, v) = l.split_once('=').expect("NAME=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (sim, vars)
}

/// Runs the focused example `bin` with only `vars` set for its API; returns its output.
fn example(bin: &str, vars: &[(String, String)]) -> String {
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_edu-sim")).with_file_name(bin);
    let out = Command::new(exe)
        .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{bin}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn check(api: &str, bin: &str, names: &[&str], extra: &[&str]) {
    let mut args = vec![api];
    args.extend_from_slice(extra);
    let (_sim, vars) = start(&args, names.len());
    let got: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(got, names, "{api} prints what from_env reads");
    let out = example(bin, &vars);
    assert!(
        out.starts_with("using the live API at http://127.0.0.1:"),
        "{out}"
    );
}

#[test]
fn eduframe() {
    check(
        "eduframe",
        "eduframe",
        &["EDUFRAME_BASE_URL", "EDUFRAME_API_KEY"],
        &[],
    );
}

#[test]
fn datahub() {
    check(
        "datahub",
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
        "edfi",
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
        "edfi",
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
    let (_sim, vars) = start(&["eduframe", "--port", &port.to_string()], 2);
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
