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
mod dry_run;
mod failure;
mod generated;
mod jq;
mod listen;
mod op_call;
mod options;
mod output;
mod private_file;
mod profile;
mod progress;
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
            if let Some(hint) = placement_hint(&e) {
                eprintln!("edu: {hint}");
            }
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
            listen::run(&args, &profile_loaded(matches, sub)?.vars).await?;
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
    let (resource, rsub) = sub
        .subcommand()
        .ok_or_else(|| Failure::Usage("a resource is required".into()))?;
    if resource == "check" {
        let loaded = profile_loaded(matches, rsub)?;
        let source = loaded.source.clone();
        let clients = clients::Clients::new(loaded.vars);
        check::check(&clients, api, source.as_deref()).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let (op_name, m) = rsub
        .subcommand()
        .ok_or_else(|| Failure::Usage("an operation is required".into()))?;
    let op = table::find(api.operations(), resource, op_name)
        .ok_or_else(|| Failure::Usage(format!("no operation `{resource} {op_name}`")))?;
    let mut clients = clients::Clients::new(profile_loaded(matches, m)?.vars);
    if m.contains_id("dry-run") && m.value_source("dry-run").is_some() {
        clients = clients.dry_run();
    }
    // `--limit` and `--resume` exist only on listings.
    let listing = |name: &str| m.try_get_one::<String>(name).ok().flatten().map(Into::into);
    let opts = run::Options {
        format: m.get_one::<output::Format>("format").copied(),
        fields: m.get_many::<String>("fields").map(|f| f.cloned().collect()),
        jq: m.get_one::<String>("jq").cloned(),
        limit: m.try_get_one::<u64>("limit").ok().flatten().copied(),
        resume: listing("resume"),
        output: m.get_one::<String>("output").map(Into::into),
        verbose: matches.get_flag("verbose") || m.get_flag("verbose"),
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

/// The profile as loaded (its variables and where they came from), its warnings printed on
/// standard error. `--profile` after the command wins over `--profile` before it (`edu
/// --profile x …`), which wins over `EDU_PROFILE`.
fn profile_loaded(
    root: &clap::ArgMatches,
    leaf: &clap::ArgMatches,
) -> Result<profile::Loaded, Failure> {
    let profile = given_profile(leaf)
        .or_else(|| given_profile(root))
        .or_else(|| root.get_one::<String>("profile"))
        .map(String::as_str);
    let loaded = profile::variables(profile)?;
    for warning in &loaded.warnings {
        eprintln!("edu: warning: {}", terminal::printable(warning));
    }
    Ok(loaded)
}

/// For an operation's option given where it does not apply (before the API's name, as earlier
/// versions took it, or `--resume` on a command that is no listing): where it goes.
fn placement_hint(e: &clap::Error) -> Option<String> {
    if e.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let arg = match e.get(clap::error::ContextKind::InvalidArg)? {
        clap::error::ContextValue::String(s) => s.clone(),
        _ => return None,
    };
    let name = arg.split('=').next().unwrap_or_default();
    let output = [
        "--format",
        "--fields",
        "--jq",
        "--output",
        "-o",
        "--dry-run",
    ];
    if output.contains(&name) {
        Some(format!(
            "{name} goes after the operation: edu <api> <resource> <operation> {name} …"
        ))
    } else if ["--limit", "--resume"].contains(&name) {
        Some(format!(
            "{name} goes after a listing's operation (edu <api> <resource> list {name} …); --resume only where the listing pages"
        ))
    } else {
        None
    }
}

/// `--profile` as typed on this command's own line (not from `EDU_PROFILE`).
fn given_profile(m: &clap::ArgMatches) -> Option<&String> {
    if m.value_source("profile") == Some(clap::parser::ValueSource::CommandLine) {
        m.get_one::<String>("profile")
    } else {
        None
    }
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
