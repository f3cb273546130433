//! `edu`: every operation of the five education-data APIs from the command line, on the
//! workspace's clients (their credentials, retries, rate limits, tokens and paging), and
//! `edu sim`, their simulators standalone.
#![doc = include_str!("../README.md")]

mod answer;
mod body_help;
mod check;
mod clients;
mod command;
mod dispatch;
mod failure;
mod generated;
mod listen;
mod op_call;
mod output;
mod private_file;
mod profile;
mod resume;
mod run;
mod set_fields;
pub mod sim;
mod table;
mod terminal;
mod typed;

use std::process::ExitCode;

use clap::FromArgMatches;

use crate::command::Api;
use crate::failure::Failure;

/// `edu`'s `main`: parses the command line, runs it, and returns the exit code.
pub fn main() -> ExitCode {
    let matches = match command::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // --help and --version print and succeed; anything else is a usage error (2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("edu: could not start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(&matches)) {
        Ok(code) => code,
        // The reader went away (`edu … | head`): nothing more to say.
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("edu: {}", terminal::printable(&failure.line()));
            ExitCode::from(failure.exit_code())
        }
    }
}

async fn run(matches: &clap::ArgMatches) -> Result<ExitCode, Failure> {
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| Failure::Usage("a subcommand is required".into()))?;
    match name {
        "sim" => {
            let args =
                sim::Args::from_arg_matches(sub).map_err(|e| Failure::Usage(e.to_string()))?;
            return Ok(sim::run(&args).await);
        }
        "listen" => {
            let args =
                listen::Args::from_arg_matches(sub).map_err(|e| Failure::Usage(e.to_string()))?;
            // Options for records and listings mean nothing to a listener: refused, not ignored.
            for name in ["format", "fields", "limit", "resume", "output"] {
                if matches.value_source(name) == Some(clap::parser::ValueSource::CommandLine) {
                    return Err(Failure::Usage(format!(
                        "listen does not take --{name}: it prints each delivery as a line on a terminal and as JSON Lines when piped"
                    )));
                }
            }
            listen::run(&args, &profile_variables(matches)?).await?;
            return Ok(ExitCode::SUCCESS);
        }
        "completions" => {
            if let Some(shell) = sub.get_one::<clap_complete::Shell>("shell") {
                // Into memory first: the generator panics on a write error (a closed pipe).
                let mut script = Vec::new();
                clap_complete::generate(*shell, &mut command::command(), "edu", &mut script);
                std::io::Write::write_all(&mut std::io::stdout().lock(), &script)?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let api = Api::named(name).ok_or_else(|| Failure::Usage(format!("no API `{name}`")))?;
    let loaded = profile_loaded(matches)?;
    let source = loaded.source.clone();
    let clients = clients::Clients::new(loaded.vars);
    let (resource, rsub) = sub
        .subcommand()
        .ok_or_else(|| Failure::Usage("a resource is required".into()))?;
    if resource == "check" {
        check::check(&clients, api, source.as_deref()).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let (op_name, m) = rsub
        .subcommand()
        .ok_or_else(|| Failure::Usage("an operation is required".into()))?;
    let op = table::find(api.operations(), resource, op_name)
        .ok_or_else(|| Failure::Usage(format!("no operation `{resource} {op_name}`")))?;
    let opts = run::Options {
        format: matches.get_one::<output::Format>("format").copied(),
        fields: matches
            .get_many::<String>("fields")
            .map(|f| f.cloned().collect()),
        limit: matches.get_one::<u64>("limit").copied(),
        resume: matches.get_one::<String>("resume").map(Into::into),
        output: matches.get_one::<String>("output").map(Into::into),
        verbose: matches.get_flag("verbose"),
        command: command_line(),
    };
    if opts.format == Some(output::Format::Table) && opts.resume.is_some() {
        return Err(Failure::Usage(
            "--format table is written when the listing ends, so it cannot resume; use --format csv or jsonl with --resume".into(),
        ));
    }
    run::operation(&clients, api, op, m, &opts).await?;
    Ok(ExitCode::SUCCESS)
}

/// The profile's variables (`--profile`, `EDU_PROFILE`, or the default profile), its warnings
/// printed on standard error.
fn profile_variables(matches: &clap::ArgMatches) -> Result<Vec<(String, String)>, Failure> {
    Ok(profile_loaded(matches)?.vars)
}

/// The profile as loaded (its variables and where they came from), its warnings printed on
/// standard error.
fn profile_loaded(matches: &clap::ArgMatches) -> Result<profile::Loaded, Failure> {
    let profile = matches.get_one::<String>("profile").map(String::as_str);
    let loaded = profile::variables(profile)?;
    for warning in &loaded.warnings {
        eprintln!("edu: warning: {}", terminal::printable(warning));
    }
    Ok(loaded)
}

/// The arguments, the resume file's left out: what a saved position belongs to.
fn command_line() -> String {
    let mut out = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--resume" {
            args.next();
        } else if !a.starts_with("--resume=") {
            out.push(a);
        }
    }
    out.join(" ")
}
