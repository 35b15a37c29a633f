//! Logs go to a file in the user's data directory, never to the screen.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BOXOFFICE_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "boxoffice").map(|dirs| dirs.data_dir().to_path_buf())
}

/// Starts logging to `boxoffice.log`; the level comes from BOXOFFICE_LOG (default `info`).
/// Returns the guard that flushes the log when dropped, or None if no log can be written
/// (the app then runs without one rather than not at all).
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "boxoffice.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("BOXOFFICE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
