//! boxoffice: the back office of an event-ticketing operation, in the terminal.
//!
//! - [`db`]: the data layer (PostgreSQL: connecting, schema, seeding, scoped reads);
//! - [`data_task`]: the async task that owns the pool and answers the UI's requests;
//! - [`app`]: the app state and its update logic (keys, commands, answers);
//! - [`ui`]: drawing each screen;
//! - [`runner`], [`event`], [`tui`], [`clipboard`]: the event loop and the terminal;
//! - [`serve`]: the SSH server, one app per session;
//! - [`zone`]: time zones (an event's own clock, the viewer's).

pub mod app;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod data_task;
pub mod db;
pub mod error;
pub mod event;
pub mod logging;
pub mod money;
pub mod runner;
pub mod serve;
pub mod tui;
pub mod ui;
pub mod zone;

/// When the process started, for the start-to-first-frame figure in the log.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
