//! Running one operation: its client, its body, its answer written out, a listing's pages with
//! progress, `--limit` and `--resume`.

use std::io::{IsTerminal, Seek, Write};
use std::time::Duration;

use bytes::Bytes;
use clap::ArgMatches;
use edu_common::report::{CallReport, capture_with_tokens};
use futures::StreamExt;

use crate::answer::Answer;
use crate::clients::Clients;
use crate::command::Api;
use crate::failure::Failure;
use crate::jq::Jq;
use crate::output::{Format, Sink};
use crate::progress::Progress;
use crate::resume::{Position, ResumeFile};
use crate::table::{Operation, Paging};

/// What the global options asked for.
pub struct Options {
    pub format: Option<Format>,
    pub fields: Option<Vec<String>>,
    /// `--jq`: the filter each record goes through before it is written.
    pub jq: Option<String>,
    pub limit: Option<u64>,
    pub resume: Option<std::path::PathBuf>,
    pub output: Option<std::path::PathBuf>,
    pub verbose: bool,
    /// The command line, the resume file left out: what a resume file belongs to.
    pub command: String,
}

/// Runs `op` of `api` with its arguments `m`.
pub async fn operation(
    clients: &Clients,
    api: Api,
    op: &'static Operation,
    m: &ArgMatches,
    opts: &Options,
) -> Result<(), Failure> {
    if m.try_get_one::<bool>("skeleton").ok().flatten() == Some(&true) {
        let schema: serde_json::Value = op
            .body_schema
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let text = serde_json::to_string_pretty(&crate::body_help::skeleton(&schema))
            .map_err(|e| Failure::Io(e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    // A filter that does not compile is a usage error before anything is sent.
    let jq = opts.jq.as_deref().map(Jq::compile).transpose()?;
    let mut body = match m.try_get_one::<String>("data").ok().flatten() {
        Some(data) => Some(read_data(data)?),
        None => None,
    };
    let sets: Vec<String> = m
        .try_get_many::<String>("set")
        .ok()
        .flatten()
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    if !sets.is_empty() {
        let data = body
            .as_deref()
            .map(serde_json::from_slice::<serde_json::Value>)
            .transpose()
            .map_err(|e| Failure::Usage(format!("--data: {e}")))?;
        let built = crate::set_fields::apply(data, &sets, op.body_schema)?;
        body = Some(Bytes::from(serde_json::to_vec(&built).unwrap_or_default()));
    }
    let resume_file = opts.resume.as_deref().map(ResumeFile::new);
    let mut position = match &resume_file {
        Some(f) => f.load(&opts.command)?.unwrap_or_else(|| Position {
            command: opts.command.clone(),
            ..Position::default()
        }),
        None => Position::default(),
    };
    if position.done {
        eprintln!(
            "edu: this export is complete ({} records); delete {} to start over",
            position.records,
            opts.resume
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
        return Ok(());
    }
    // A fresh position is saved before anything is sent: a resume file that cannot be written
    // is found now (exit 2, as an unwritable -o is), not after the first page.
    if let Some(f) = &resume_file
        && position.records == 0
        && position.next.is_none()
    {
        f.save(&position)?;
    }
    let (out, written): (Box<dyn Write>, u64) = match &opts.output {
        Some(path) => {
            warn_format_as_file(path);
            open_output(path, position.output_bytes)?
        }
        None => (Box::new(std::io::stdout().lock()), 0),
    };
    let format = opts.format.unwrap_or(
        if opts.output.is_none() && std::io::stdout().is_terminal() {
            Format::Json
        } else {
            Format::Jsonl
        },
    );
    let mut sink = Sink::new(
        out,
        written,
        format,
        opts.fields.clone(),
        position.columns.clone(),
    );

    // `--limit 0` asks for nothing: nothing is sent.
    if opts.limit == Some(0) && op.paging != Paging::None {
        sink.listing();
        sink.finish()?;
        return Ok(());
    }
    if let Some(style) = m
        .try_get_one::<crate::dry_run::Style>("dry-run")
        .ok()
        .flatten()
    {
        let answer = crate::dispatch::call(clients, api, op, m, body, None).await;
        let preview = crate::dry_run::request(answer).await?;
        print!("{}", crate::dry_run::show(&preview, *style));
        return Ok(());
    }
    let started = position.next.clone();
    let (answer, reports) =
        capture_with_tokens(crate::dispatch::call(clients, api, op, m, body, started)).await;
    show(opts, &reports);
    match answer? {
        Answer::One(mut value) => {
            // A list the API does not page is cut like a listing.
            if let (Some(n), serde_json::Value::Array(items)) = (opts.limit, &mut value) {
                items.truncate(usize::try_from(n).unwrap_or(usize::MAX));
            }
            if let Some(jq) = &jq {
                value = filter_answer(jq, value)?;
            }
            let records = match &value {
                serde_json::Value::Array(items) => items.as_slice(),
                other => std::slice::from_ref(other),
            };
            check_fields(&sink, records)?;
            sink.answer(&value)?;
            sink.finish()?;
        }
        Answer::NoMatch(why) => {
            sink.record(&serde_json::Value::Null)?;
            sink.finish()?;
            return Err(Failure::NoMatch(why));
        }
        Answer::Pages(mut pages) => {
            sink.listing();
            let mut checked = false;
            // On the terminal the records are the progress: a spinner line would be drawn
            // between them. It shows when the records go to a file or a pipe.
            let records_on_screen = opts.output.is_none() && std::io::stdout().is_terminal();
            let progress = Progress::new(op, !records_on_screen && !opts.verbose);
            // A wait the server asked for is shown while it lasts, not only after.
            let transport = clients.transport(api).ok();
            let mut ticker = tokio::time::interval(Duration::from_millis(250));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            // One listener for the whole listing: a Ctrl-C that comes while a page is being
            // written (no fetch pending) is kept and acted on at the next await, never lost.
            let interrupt = tokio::signal::ctrl_c();
            tokio::pin!(interrupt);
            loop {
                let fetch = capture_with_tokens(pages.next());
                tokio::pin!(fetch);
                let next = loop {
                    tokio::select! {
                        next = &mut fetch => break next,
                        _ = ticker.tick() => {
                            progress.paused(transport.and_then(edu_common::Transport::pause_remaining));
                        }
                        _ = &mut interrupt => {
                            progress.finish();
                            sink.flush()?;
                            return Err(Failure::Interrupted(interrupted(opts, position.records)));
                        }
                    }
                };
                let (page, reports) = next;
                show(opts, &reports);
                progress.waited(&reports);
                let Some(page) = page else {
                    // The listing ended after a page whose position was saved as not done.
                    position.done = true;
                    if let Some(f) = &resume_file {
                        f.save(&position)?;
                    }
                    break;
                };
                let (items, next) = page?;
                // What each record becomes: itself, or the filter's outputs for it.
                let items: Vec<Vec<serde_json::Value>> = match &jq {
                    Some(jq) => items.iter().map(|i| jq.run(i)).collect::<Result<_, _>>()?,
                    None => items.into_iter().map(|i| vec![i]).collect(),
                };
                if !checked && items.iter().any(|i| !i.is_empty()) {
                    check_fields(&sink, &items.concat())?;
                    checked = true;
                }
                for outputs in &items {
                    if opts.limit.is_some_and(|n| position.records >= n) {
                        break;
                    }
                    for record in outputs {
                        sink.record(record)?;
                    }
                    position.records += 1;
                }
                progress.page(position.records);
                // `--limit` reached: the export of that many records is complete.
                let limited = opts.limit.is_some_and(|n| position.records >= n);
                // The page is written before its position is saved: a kill in between repeats
                // at most this page on stdout, and nothing with --output (cut back on resume).
                position.done = limited || next.is_none();
                position.next = next;
                position.output_bytes = opts.output.as_ref().map(|_| sink.written());
                sink.flush()?;
                position.columns = sink.columns().map(<[String]>::to_vec);
                if let Some(f) = &resume_file {
                    f.save(&position)?;
                }
                if position.done {
                    break;
                }
            }
            progress.finish();
            sink.finish()?;
        }
    }
    Ok(())
}

/// `--jq` on an answer that is not paged: a list's records each go through the filter (as a
/// listing's do); one record's outputs are the answer, several a list of them.
fn filter_answer(jq: &Jq, value: serde_json::Value) -> Result<serde_json::Value, Failure> {
    match value {
        serde_json::Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                out.extend(jq.run(item)?);
            }
            Ok(serde_json::Value::Array(out))
        }
        one => {
            let mut outputs = jq.run(&one)?;
            Ok(if outputs.len() == 1 {
                outputs.remove(0)
            } else {
                serde_json::Value::Array(outputs)
            })
        }
    }
}

/// `--fields` naming a field no record of the first page has is a usage error that lists the
/// fields the records do have (not a column of nulls).
fn check_fields(sink: &Sink, records: &[serde_json::Value]) -> Result<(), Failure> {
    match sink.unknown_fields(records) {
        None => Ok(()),
        Some((missing, known)) => Err(Failure::Usage(format!(
            "--fields: no record has {}; the records have: {} (a dotted path such as `name.first` reaches a nested field)",
            missing
                .iter()
                .map(|m| format!("`{}`", crate::terminal::printable(m)))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        ))),
    }
}

/// `--data`: inline JSON, `@file`, or `-` for standard input; checked to be JSON.
fn read_data(data: &str) -> Result<Bytes, Failure> {
    let bytes = if data == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| Failure::Usage(format!("--data -: {e}")))?;
        buf
    } else if let Some(path) = data.strip_prefix('@') {
        std::fs::read(path).map_err(|e| Failure::Usage(format!("--data @{path}: {e}")))?
    } else {
        data.as_bytes().to_vec()
    };
    serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|e| {
        Failure::Usage(format!(
            "--data is not JSON (line {}, column {}); give inline JSON, @file.json or -",
            e.line(),
            e.column()
        ))
    })?;
    Ok(Bytes::from(bytes))
}

/// The output file: created, or (resuming) cut back to the length saved with the position.
fn open_output(
    path: &std::path::Path,
    saved: Option<u64>,
) -> Result<(Box<dyn Write>, u64), Failure> {
    // A file that cannot be opened is a path to correct (exit 2, as an unwritable --resume);
    // one that fails later (a full disk) is an I/O failure.
    let mut file = crate::private_file::open_for_writing(path, saved.is_none()).map_err(|e| {
        Failure::Usage(format!(
            "-o/--output {}: {e}; give a file in a directory you can write to",
            path.display()
        ))
    })?;
    let io = |e: std::io::Error| Failure::Io(format!("{}: {e}", path.display()));
    let at = saved.unwrap_or(0);
    file.set_len(at).map_err(io)?;
    file.seek(std::io::SeekFrom::Start(at)).map_err(io)?;
    Ok((Box::new(std::io::BufWriter::new(file)), at))
}

/// What Ctrl-C during a listing leaves: how many records were written, and how to go on.
fn interrupted(opts: &Options, records: u64) -> String {
    let done = format!(
        "interrupted after {records} record{}",
        if records == 1 { "" } else { "s" }
    );
    match &opts.resume {
        Some(file) => format!(
            "{done}; run the same command again to continue from the position in {}",
            file.display()
        ),
        None => format!("{done}; add --resume FILE to an export to be able to continue one"),
    }
}

/// `-o table` (or `json`, `csv`, `jsonl`) writes a file of that name, which is rarely meant:
/// said on standard error, with the flag that chooses a format.
fn warn_format_as_file(path: &std::path::Path) {
    let name = path.to_string_lossy();
    if ["json", "jsonl", "csv", "table"].contains(&name.as_ref()) && !path.exists() {
        eprintln!(
            "edu: writing to a file named `{name}`: -o/--output takes a file; for the format, use --format {name}"
        );
    }
}

/// `--verbose`: one line per call on standard error.
fn show(opts: &Options, reports: &[CallReport]) {
    if !opts.verbose {
        return;
    }
    for r in reports {
        // The report's own line; its URL and request id came from the server's side: shown
        // with control characters escaped, never obeyed.
        eprintln!("{}", crate::terminal::printable(&r.to_string()));
    }
}
