//! Exports every student of a district to JSON Lines, with a progress bar, resuming where a
//! previous run stopped.
//!
//! `cargo run -p edu-examples --bin datahub_export -- students.jsonl`
//!
//! Resuming works because the API lists students in ascending id order: the last line of the file
//! holds the last id written. The listing asks to start `starting_after` it (Clever v1.1 servers
//! honour it and skip the records already written), and every record up to and including that id
//! is skipped as it arrives, so a server that ignores `starting_after` (the seed does not
//! document it) and starts from the top still yields each record exactly once.

use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::io::AsyncWriteExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "students.jsonl".into());
    let (client, target, _sim) = edu_examples::datahub::connect().await?;
    eprintln!("using the {target}");

    // Where did we stop? Only complete lines count: a torn last line is dropped and redone.
    let existing = tokio::fs::read_to_string(&path).await.unwrap_or_default();
    let complete: Vec<&str> = existing
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .collect();
    let last_id = complete
        .last()
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| v["id"].as_str().map(str::to_owned));
    tokio::fs::write(&path, complete.concat()).await?;

    let district = client
        .districts()
        .list()
        .stream()
        .try_next()
        .await?
        .ok_or_else(|| anyhow::anyhow!("no district visible"))?;
    let first = client
        .districts()
        .students(&district.id)
        .limit(1)
        .first_page()
        .await?;
    let total = first.info.total_items.unwrap_or(0);

    let mut listing = client.districts().students(&district.id).limit(1000);
    if let Some(id) = &last_id {
        listing = listing.starting_after(id);
    }
    let bar = ProgressBar::new(total);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} students {elapsed}",
    )?);
    bar.set_position(complete.len() as u64);

    let mut out = tokio::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .await?;
    let mut students = listing.stream();
    while let Some(student) = students.try_next().await? {
        if last_id
            .as_deref()
            .is_some_and(|last| student.id.as_str() <= last)
        {
            continue; // already written by the interrupted run
        }
        let mut line = serde_json::to_vec(&student)?;
        line.push(b'\n');
        out.write_all(&line).await?;
        bar.inc(1);
    }
    out.flush().await?;
    bar.finish();
    eprintln!("{} students in {path}", bar.position());
    Ok(())
}
