//! The offline tour: `cargo run -p edu-examples --bin tour [-- --only <api>]`.
//!
//! With no configuration it starts each API's simulator on loopback and walks through one
//! realistic task per API. Set an API's environment variables (see the crate README) to run
//! that part against the real service instead.

use std::process::ExitCode;
use std::time::Instant;

#[tokio::main]
async fn main() -> ExitCode {
    let mut only = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--only" => match args.next() {
                Some(api) => only.push(api),
                None => {
                    eprintln!(
                        "--only needs an API name: {}",
                        edu_examples::tour::APIS.join(", ")
                    );
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!(
                    "usage: tour [--only <api>]...\napis: {}",
                    edu_examples::tour::APIS.join(", ")
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument `{other}`; try --help");
                return ExitCode::from(2);
            }
        }
    }
    let started = Instant::now();
    println!("edu-clients tour\n");
    let sections = match edu_examples::tour::run(&only).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e:#}");
            return ExitCode::from(2);
        }
    };
    for s in &sections {
        println!("{}", s.render());
    }
    let failed = sections.iter().filter(|s| s.error.is_some()).count();
    println!(
        "{} of {} parts succeeded in {:.1} s",
        sections.len() - failed,
        sections.len(),
        started.elapsed().as_secs_f64()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
