use clap::Parser;

fn main() -> color_eyre::Result<()> {
    let _ = boxoffice::STARTED.set(std::time::Instant::now());
    color_eyre::install()?;
    boxoffice::tui::install_panic_hook();
    let _log = boxoffice::logging::init();
    let cli = boxoffice::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(boxoffice::cli::run(cli))?;
    Ok(())
}
