//! The tour's report: one section per API, a few lines each, and a verdict.

use std::fmt::Write as _;
use std::time::Duration;

/// Where a section's requests went.
#[derive(Debug, Clone)]
pub enum Target {
    /// The in-process simulator on loopback.
    Simulator(String),
    /// A real endpoint configured through the environment.
    Live(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Simulator(url) => write!(f, "simulator at {url}"),
            Target::Live(url) => write!(f, "live API at {url}"),
        }
    }
}

/// What one walk-through step prints.
#[derive(Debug, Default)]
pub struct Log {
    lines: Vec<String>,
}

impl Log {
    /// Adds a line to the report.
    pub fn say(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }

    /// The lines so far.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// The outcome of one API's part of the tour.
#[derive(Debug)]
pub struct Section {
    /// The API's name.
    pub api: &'static str,
    /// The task it performed.
    pub task: &'static str,
    /// Where it ran.
    pub target: Option<Target>,
    /// What it printed.
    pub log: Log,
    /// The error that stopped it, if any.
    pub error: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
}

impl Section {
    /// Renders the section as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mark = if self.error.is_none() { "ok  " } else { "FAIL" };
        let _ = writeln!(
            out,
            "[{mark}] {}: {} ({:.1} s)",
            self.api,
            self.task,
            self.elapsed.as_secs_f64()
        );
        if let Some(t) = &self.target {
            let _ = writeln!(out, "       using the {t}");
        }
        for line in self.log.lines() {
            let _ = writeln!(out, "       {line}");
        }
        if let Some(e) = &self.error {
            let _ = writeln!(out, "       error: {e}");
        }
        out
    }
}
