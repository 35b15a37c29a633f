//! The tasks beside a session's app: keys and window changes in from the channel, frames out
//! to it, change notifications from the process's listener, and the server going down.

use std::sync::Arc;
use std::time::Duration;

use russh::ChannelMsg;
use russh::server::Msg;
use tokio::sync::{broadcast, mpsc};

use crate::app::AppEvent;
use crate::data_task::DataEvent;
use crate::event::sleep_until;
use crate::serve::input::{ESCAPE_WAIT, KeyDecoder};
use crate::serve::screen::Outbox;
use crate::serve::session::{Farewell, REST_AFTER, clamp, say_farewell};

/// Change notifications from the process's one listener, to this session's app.
pub(super) async fn forward_changes(
    mut changes: broadcast::Receiver<DataEvent>,
    data: mpsc::UnboundedSender<DataEvent>,
) {
    loop {
        let event = match changes.recv().await {
            Ok(event) => event,
            // This session fell behind: it reloads what it shows, as after a lost listener.
            Err(broadcast::error::RecvError::Lagged(_)) => DataEvent::Changed {
                tables: Vec::new(),
                reconnected: true,
            },
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if data.send(event).is_err() {
            return;
        }
    }
}

pub(super) async fn watch_shutdown(
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    events: mpsc::UnboundedSender<AppEvent>,
    farewell: Farewell,
) {
    if shutdown.wait_for(|down| *down).await.is_ok() {
        say_farewell(
            &farewell,
            "the server is going down; connect again in a moment",
        );
        let _ = events.send(AppEvent::Terminate);
    }
}

/// Keys and window changes from the client; ends when the client goes, or after `idle`
/// without a key.
pub(super) async fn pump_input(
    input: &mut russh::ChannelReadHalf,
    events: mpsc::UnboundedSender<AppEvent>,
    farewell: Farewell,
    idle: Duration,
) {
    let mut decoder = KeyDecoder::default();
    let mut idle_until = tokio::time::Instant::now() + idle;
    let mut flush_at: Option<tokio::time::Instant> = None;
    let mut rest_at: Option<tokio::time::Instant> = None;
    loop {
        let flush = sleep_until(flush_at);
        let rest = sleep_until(rest_at);
        let message = tokio::select! {
            message = input.wait() => message,
            () = flush => {
                flush_at = None;
                for key in decoder.flush() {
                    let _ = events.send(AppEvent::Key(key));
                }
                rest_at = Some(tokio::time::Instant::now() + REST_AFTER);
                continue;
            }
            () = rest => {
                rest_at = None;
                decoder.rest();
                continue;
            }
            () = tokio::time::sleep_until(idle_until) => {
                let minutes = idle.as_secs() / 60;
                say_farewell(
                    &farewell,
                    &format!("closed after {minutes} minutes without a key press"),
                );
                let _ = events.send(AppEvent::Terminate);
                return;
            }
        };
        match message {
            Some(ChannelMsg::Data { data }) => {
                idle_until = tokio::time::Instant::now() + idle;
                rest_at = None;
                for key in decoder.feed(&data) {
                    if events.send(AppEvent::Key(key)).is_err() {
                        return;
                    }
                }
                flush_at = Some(tokio::time::Instant::now() + ESCAPE_WAIT);
            }
            Some(ChannelMsg::WindowChange {
                col_width,
                row_height,
                ..
            }) => {
                let size = crate::ui::layout::size(clamp(col_width), clamp(row_height));
                if events.send(AppEvent::Resize(size)).is_err() {
                    return;
                }
            }
            Some(ChannelMsg::Eof | ChannelMsg::Close) | None => return,
            Some(_) => {}
        }
    }
}

/// Sends frames as the client takes them. A client that has taken nothing for `stall`
/// while a frame waits is let go.
pub(super) async fn write_frames(
    output: &russh::ChannelWriteHalf<Msg>,
    outbox: Arc<Outbox>,
    events: mpsc::UnboundedSender<AppEvent>,
    farewell: Farewell,
    stall: Duration,
) {
    loop {
        outbox.ready.notified().await;
        if outbox.is_closed() {
            return;
        }
        while let Some(frame) = outbox.next_frame() {
            match tokio::time::timeout(stall, output.data_bytes(frame)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return,
                Err(_) => {
                    say_farewell(
                        &farewell,
                        "closed: the terminal stopped taking the screen's output",
                    );
                    let _ = events.send(AppEvent::Terminate);
                    return;
                }
            }
        }
        if outbox.take_redraw_wanted() {
            let _ = events.send(AppEvent::Redraw);
        }
    }
}
