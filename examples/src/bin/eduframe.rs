//! The Eduframe example on its own: `cargo run -p edu-examples --bin eduframe`
//! (real API when its environment variables are set, the simulator otherwise).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut log = edu_examples::report::Log::default();
    let target = edu_examples::eduframe::tour(&mut log).await?;
    println!("using the {target}");
    for line in log.lines() {
        println!("{line}");
    }
    Ok(())
}
