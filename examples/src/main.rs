//! The offline tour (filled in by the examples issue).
fn main() {}
