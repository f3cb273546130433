//! `edu-sim <api>`: the same as `edu sim <api>`, for scripts that name the simulator alone.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match edu_cli::sim::Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // --help and --version print and succeed; anything else is a usage error (2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    edu_cli::sim::run(&args).await
}
