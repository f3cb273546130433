//! What `edu` writes and prints, tried as an attacker and a careful operator would: files that
//! hold records are its owner's only, a profile others can read is warned about, a profile that
//! does not parse shows none of its values, text a server sent reaches the terminal escaped,
//! and a path parameter cannot reach another endpoint.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod support;
use support::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

async fn run(mut cmd: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_and_resume_files_are_readable_by_their_owner_only() {
    let sim = datahub_client::mock::Simulator::builder()
        .students(5)
        .start()
        .await;
    let dir = temp_dir("owner-only");
    let (out, pos) = (dir.join("students.csv"), dir.join("students.pos"));
    let done = edu(
        &[
            "datahub",
            "students",
            "list",
            "--format",
            "csv",
            "--resume",
            pos.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &datahub_vars(&sim),
    )
    .await;
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(mode(&out), 0o600, "the export");
    assert_eq!(mode(&pos), 0o600, "the resume file");
    // Nothing else was left in the directory (no temporary file).
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

/// A profile file with `text`, of mode `mode`, and `edu --profile sim datahub check` run with it.
async fn check_with_profile(
    test: &str,
    text: &str,
    file_mode: u32,
) -> (std::process::Output, std::path::PathBuf) {
    let dir = temp_dir(test);
    let config = dir.join("config.toml");
    std::fs::write(&config, text).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(file_mode)).unwrap();
    let mut cmd = command(&["--profile", "sim", "datahub", "check"], &[]);
    cmd.env("EDU_CONFIG", &config);
    (run(cmd).await, config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_file_others_can_read_is_warned_about() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let text = format!(
        "[profiles.sim]\nDATAHUB_BASE_URL = \"{}\"\nDATAHUB_CLIENT_ID = \"{}\"\nDATAHUB_CLIENT_SECRET = \"{}\"\n",
        sim.base_url(),
        sim.client_id(),
        sim.client_secret()
    );
    let (open, config) = check_with_profile("profile-0644", &text, 0o644).await;
    assert!(open.status.success(), "{}", stderr(&open));
    let e = stderr(&open);
    assert!(
        e.contains("warning") && e.contains(&format!("chmod 600 {}", config.display())),
        "{e}"
    );
    assert!(e.contains("mode 644"), "{e}");
    let (closed, _) = check_with_profile("profile-0600", &text, 0o600).await;
    assert!(closed.status.success(), "{}", stderr(&closed));
    assert!(!stderr(&closed).contains("warning"), "{}", stderr(&closed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_that_does_not_parse_never_shows_a_value_an_unquoted_number_included() {
    for (test, text, secret) in [
        (
            "profile-number",
            "[profiles.sim]\nDATAHUB_CLIENT_ID = \"id\"\nDATAHUB_CLIENT_SECRET = 98765432\n",
            "98765432",
        ),
        (
            "profile-bool",
            "[profiles.sim]\nDATAHUB_CLIENT_SECRET = true\n",
            "true",
        ),
        (
            "profile-cut",
            "[profiles.sim]\nDATAHUB_CLIENT_SECRET = \"s3cr3t-cut\n",
            "s3cr3t-cut",
        ),
    ] {
        let (out, _) = check_with_profile(test, text, 0o600).await;
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains("not a valid profile file"), "{e}");
        assert!(e.contains("(line "), "{e}");
        assert!(!e.contains(secret), "{test}: {e}");
    }
}

/// A server that answers every request 404 with an error message holding terminal escapes.
async fn hostile_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                let body =
                    "{\"errors\":[{\"message\":\"\\u001b]0;pwned\\u0007\\u001b[2Jnot here\"}]}";
                let answer = format!(
                    "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/api/v1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_a_server_sent_reaches_the_terminal_escaped() {
    let base = hostile_server().await;
    let out = edu(
        &["--verbose", "eduframe", "courses", "get", "7"],
        &[
            ("EDUFRAME_BASE_URL", base),
            ("EDUFRAME_API_KEY", "key".to_owned()),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("pwned"), "the server's message is shown: {e}");
    assert!(!e.contains('\u{1b}') && !e.contains('\u{7}'), "{e:?}");
    assert!(e.contains("\\u{1b}"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dot_segment_path_parameter_is_a_usage_error_and_nothing_is_sent() {
    let sim = eduframe_client::mock::Simulator::builder()
        .no_rate_limit()
        .start()
        .await;
    for bad in ["..", ".", ""] {
        let out = edu(
            &["eduframe", "meetings", "list-for-planned-course", bad],
            &eduframe_vars(&sim),
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("planned_course_id"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(sim.api_requests(), 0);
}
