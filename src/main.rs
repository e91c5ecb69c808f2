fn main() -> std::process::ExitCode {
    hybrid_setup::cli::run()
}
