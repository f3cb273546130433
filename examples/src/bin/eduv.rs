//! The eduv example on its own: `cargo run -p edu-examples --bin eduv`
//! (real API when its environment variables are set, the simulator otherwise).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    edu_examples::run_example(|log| Box::pin(edu_examples::eduv::tour(log))).await
}
