use clap::Parser;

fn main() -> color_eyre::Result<std::process::ExitCode> {
    let _ = boxoffice::STARTED.set(std::time::Instant::now());
    color_eyre::install()?;
    boxoffice::tui::install_panic_hook();
    let _log = boxoffice::logging::init();
    let cli = boxoffice::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Err(error) = runtime.block_on(boxoffice::cli::run(cli)) {
        // What a person can fix is said in plain words, the driver's text goes to the log;
        // the rest is reported whole.
        if let Some(words) = error.command_words() {
            tracing::error!("stopped: {error:?}");
            eprintln!("boxoffice: {words}");
            return Ok(std::process::ExitCode::FAILURE);
        }
        return Err(error.into());
    }
    Ok(std::process::ExitCode::SUCCESS)
}
