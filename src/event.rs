//! The local terminal's event sources: keys and resizes from crossterm's reader, the tick,
//! and signals, all turned into [`AppEvent`]s on one queue. (An SSH session has sources of its
//! own; the app cannot tell them apart.)

use std::time::Duration;

use crossterm::event::{Event as TerminalEvent, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

pub use crate::app::AppEvent;

pub const TICK: Duration = Duration::from_millis(250);

/// What a terminal event means to the app; None for those it does not use (mouse, focus).
pub fn from_terminal(event: TerminalEvent) -> Option<AppEvent> {
    match event {
        TerminalEvent::Key(key) => Some(AppEvent::Key(key)),
        TerminalEvent::Resize(width, height) => {
            Some(AppEvent::Resize(crate::ui::layout::size(width, height)))
        }
        _ => None,
    }
}

/// Reads the local terminal's input into the queue until the terminal closes.
pub fn spawn_input(events: UnboundedSender<AppEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(event) => {
                    if let Some(event) = from_terminal(event)
                        && events.send(event).is_err()
                    {
                        break;
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "reading the terminal");
                    let _ = events.send(AppEvent::Terminate);
                    break;
                }
            }
        }
    })
}

pub fn spawn_ticks(events: UnboundedSender<AppEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if events.send(AppEvent::Tick).is_err() {
                break;
            }
        }
    })
}

/// Turns SIGTERM and SIGHUP (a closed SSH session) into a clean quit.
pub fn spawn_signals(events: UnboundedSender<AppEvent>) -> std::io::Result<JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = hangup.recv() => {}
        }
        let _ = events.send(AppEvent::Terminate);
    }))
}

/// Resolves at `at`; never, without one (a deadline that may not be set, in a `select!`).
pub async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
