//! The progress line of a listing on standard error: records, pages, and a rate-limit wait
//! while it lasts.

use std::io::IsTerminal;
use std::time::Duration;

use edu_common::report::CallReport;

use crate::table::{Operation, Paging};

/// `12 records, 3 pages, 9 s waited for rate limits`: plurals right, waits in whole seconds
/// (and only when there were some).
fn progress_line(records: u64, pages: u64, waited: Duration) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "{}, {}",
        plural(records, "record", "records"),
        plural(pages, "page", "pages")
    );
    if !waited.is_zero() {
        line.push_str(&format!(
            ", {} s waited for rate limits",
            waited.as_secs_f64().round()
        ));
    }
    line
}

/// A progress line on standard error, when it is a terminal and the records go elsewhere.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    records: std::cell::Cell<u64>,
    pages: std::cell::Cell<u64>,
    waited: std::cell::Cell<Duration>,
}

impl Progress {
    pub fn new(op: &Operation, wanted: bool) -> Self {
        let bar =
            (wanted && op.paging != Paging::None && std::io::stderr().is_terminal()).then(|| {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            });
        Progress {
            bar,
            records: Default::default(),
            pages: Default::default(),
            waited: Default::default(),
        }
    }

    pub fn waited(&self, reports: &[CallReport]) {
        let w: Duration = reports
            .iter()
            .map(|r| r.waited.rate_limit + r.waited.retry_after)
            .sum();
        self.waited.set(self.waited.get() + w);
    }

    pub fn page(&self, records: u64) {
        self.records.set(records);
        self.pages.set(self.pages.get() + 1);
        if let Some(bar) = &self.bar {
            bar.set_message(progress_line(records, self.pages.get(), self.waited.get()));
        }
    }

    /// While the client waits out a pause the server asked for: how long is left.
    pub fn paused(&self, remaining: Option<Duration>) {
        let (Some(bar), Some(left)) = (&self.bar, remaining) else {
            return;
        };
        if left.is_zero() {
            return;
        }
        bar.set_message(format!(
            "{}; waiting {} s: the server answered 429 (Retry-After)",
            progress_line(self.records.get(), self.pages.get(), self.waited.get()),
            left.as_secs_f64().ceil()
        ));
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_reads_as_a_person_writes_it() {
        assert_eq!(progress_line(1, 1, Duration::ZERO), "1 record, 1 page");
        assert_eq!(progress_line(0, 2, Duration::ZERO), "0 records, 2 pages");
        assert_eq!(
            progress_line(12, 3, Duration::from_millis(9_400)),
            "12 records, 3 pages, 9 s waited for rate limits"
        );
    }
}
