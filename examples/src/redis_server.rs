//! A `redis-server` of a program's own, on a loopback port, for the replicas benchmark and the
//! shared-state tests: started from the binary in `EDU_TEST_REDIS_SERVER` (or `redis-server` on
//! `PATH`), without persistence, and stopped when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`.
#[derive(Debug)]
pub struct OwnRedis {
    /// Its port on 127.0.0.1.
    pub port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    /// Starts one on `port`, or on a free port; waits until it accepts connections (5 s at most).
    pub fn start(port: Option<u16>) -> std::io::Result<OwnRedis> {
        let binary =
            std::env::var("EDU_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let port = match port {
            Some(p) => p,
            None => std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port(),
        };
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut redis = OwnRedis {
            port,
            child: Some(child),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(5) {
                redis.stop();
                return Err(std::io::Error::other(
                    "redis-server did not start within 5 s",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(redis)
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops it (as a crash would: no shutdown handshake).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The test Redis in `EDU_TEST_REDIS_URL` (`.ci/run` starts one). The Redis tests are ignored
/// unless that variable (or `CI`) is set when they are built, so reaching here without it is a
/// failure that names the remedy, never a silent pass.
pub fn test_redis_url(test: &str) -> String {
    match std::env::var("EDU_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{test} needs a Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas'; .ci/run starts one)"
        ),
    }
}
