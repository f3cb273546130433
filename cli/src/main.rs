//! `edu`: see the crate's README (`edu --help` for the commands).

fn main() -> std::process::ExitCode {
    edu_cli::main()
}
