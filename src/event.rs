//! The one event queue the UI loop reads: terminal input, ticks, data-task results and
//! signals all arrive here, in order.

use std::time::Duration;

use crossterm::event::{Event as TerminalEvent, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::data_task::DataEvent;

#[derive(Debug, Clone)]
pub enum AppEvent {
    Input(TerminalEvent),
    /// Regular beat for time-based state (spinner, expiring messages).
    Tick,
    Data(DataEvent),
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    Terminate,
}

pub const TICK: Duration = Duration::from_millis(250);

/// Reads terminal input into the queue until the terminal closes.
pub fn spawn_input(events: UnboundedSender<AppEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(event) => {
                    if events.send(AppEvent::Input(event)).is_err() {
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
