//! One SSH session: its own app (the same tabs, keys, forms and door as at a local terminal),
//! its own data task on the shared pool, input parsed from its channel, frames written back
//! by a writer that never lets a slow client hold more than a frame or two.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh::server::{Handle, Msg};
use russh::{Channel, ChannelMsg};
use tokio::sync::mpsc;

use crate::app::{App, AppEvent, AppOptions, Kiosk};
use crate::data_task::{self, DataEvent};
use crate::db::auth::Role;
use crate::db::ssh_keys;
use crate::error::AppError;
use crate::runner::{self, Wiring};
use crate::serve::Shared;
use crate::serve::handler::Login;
use crate::serve::screen::{Outbox, RemoteScreen};
use crate::serve::session_tasks::{forward_changes, pump_input, watch_shutdown, write_frames};

/// After this long without a key, the session lets go of what it keeps only while in use
/// (the input parser, the screen's buffers): idle sessions stay small.
pub(super) const REST_AFTER: Duration = Duration::from_secs(3);

/// How long a client may take to ask for a shell after opening the session.
const SETUP_WITHIN: Duration = Duration::from_secs(30);

/// Counts a session as open while it lives.
struct OpenSession(Arc<std::sync::atomic::AtomicUsize>);

impl OpenSession {
    fn count(sessions: &Arc<std::sync::atomic::AtomicUsize>) -> Self {
        sessions.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        OpenSession(sessions.clone())
    }
}

impl Drop for OpenSession {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// What the client asked for before the app starts.
#[derive(Debug, Default)]
struct Request {
    term: Option<String>,
    size: Option<(u16, u16)>,
    no_color: bool,
    command: Option<String>,
}

/// Why a session ends, said to the client on its way out.
pub(super) type Farewell = Arc<Mutex<Option<String>>>;

pub(super) fn say_farewell(farewell: &Farewell, words: &str) {
    let mut slot = farewell.lock().unwrap_or_else(|p| p.into_inner());
    slot.get_or_insert_with(|| words.to_string());
}

pub async fn run(shared: Arc<Shared>, mut channel: Channel<Msg>, handle: Handle, login: Login) {
    let id = channel.id();
    let request = match tokio::time::timeout(SETUP_WITHIN, setup(&mut channel)).await {
        Ok(Some(request)) => request,
        _ => {
            let _ = handle.close(id).await;
            return;
        }
    };
    let started = Instant::now();
    let _open = OpenSession::count(&shared.sessions);
    let (read_half, write_half) = channel.split();
    let outcome = serve(&shared, read_half, &write_half, &login, request).await;
    let (status, words) = match &outcome {
        Ok(words) => (0, words.clone()),
        Err(words) => (1, Some(words.clone())),
    };
    let mut bytes = RemoteScreen::leave_bytes();
    if let Some(words) = &words {
        bytes.extend_from_slice(format!("boxoffice: {words}\r\n").as_bytes());
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), write_half.data_bytes(bytes)).await;
    let _ = write_half.exit_status(status).await;
    let _ = write_half.eof().await;
    let _ = write_half.close().await;
    tracing::info!(
        user = %login.actor.email,
        address = %login.address,
        seconds = started.elapsed().as_secs_f64(),
        why = words.as_deref().unwrap_or("quit"),
        "serve: session ended"
    );
}

/// Reads the channel's requests up to the shell or the command.
async fn setup(channel: &mut Channel<Msg>) -> Option<Request> {
    let mut request = Request::default();
    loop {
        match channel.wait().await? {
            ChannelMsg::RequestPty {
                term,
                col_width,
                row_height,
                ..
            } => {
                request.term = Some(term);
                request.size = Some((clamp(col_width), clamp(row_height)));
            }
            ChannelMsg::SetEnv {
                variable_name,
                variable_value,
                ..
            } if variable_name == "NO_COLOR" && !variable_value.is_empty() => {
                request.no_color = true;
            }
            ChannelMsg::RequestShell { .. } => return Some(request),
            ChannelMsg::Exec { command, .. } => {
                request.command = Some(String::from_utf8_lossy(&command).trim().to_string());
                return Some(request);
            }
            ChannelMsg::Eof | ChannelMsg::Close => return None,
            _ => {}
        }
    }
}

pub(super) fn clamp(cells: u32) -> u16 {
    cells.clamp(1, 1000) as u16
}

/// The door a kiosk session admits to, and its name in the scan log.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Door {
    event_id: Option<i64>,
    terminal: Option<String>,
}

/// What an exec request asks for: the app (None), or the door.
fn kiosk_of(command: Option<&str>, role: Role) -> Result<Option<Door>, String> {
    let Some(command) = command.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let mut words = command.split_whitespace();
    let first = words.next().unwrap_or_default();
    let first = first.rsplit('/').next().unwrap_or(first);
    let first = if first == "boxoffice" {
        words.next().unwrap_or_default()
    } else {
        first
    };
    if first != "kiosk" {
        return Err(format!(
            "unknown command `{command}`: connect without one for the app, or \
             `kiosk [--event ID] [--terminal NAME]` for the door"
        ));
    }
    if crate::db::permissions::check_in_scope(role).is_none() {
        return Err(format!(
            "a {} account cannot check tickets in, so it has no kiosk",
            role.label()
        ));
    }
    let (mut event, mut terminal) = (None, None);
    while let Some(word) = words.next() {
        let (key, inline) = match word.split_once('=') {
            Some((key, value)) => (key, Some(value.to_string())),
            None => (word, None),
        };
        let value = inline.or_else(|| words.next().map(str::to_string));
        match (key, value) {
            ("--event", Some(value)) => match value.parse::<i64>() {
                Ok(id) if id > 0 => event = Some(id),
                _ => return Err("--event takes an event id (a positive number)".into()),
            },
            ("--terminal", Some(value)) => terminal = Some(value),
            _ => {
                return Err(format!(
                    "kiosk takes --event ID and --terminal NAME, not `{word}`"
                ));
            }
        }
    }
    Ok(Some(Door {
        event_id: event,
        terminal,
    }))
}

/// Runs the app until it ends; says why, if not by the user's quitting.
async fn serve(
    shared: &Arc<Shared>,
    mut input: russh::ChannelReadHalf,
    output: &russh::ChannelWriteHalf<Msg>,
    login: &Login,
    request: Request,
) -> Result<Option<String>, String> {
    let Some((width, height)) = request.size else {
        return Err("boxoffice needs a terminal: connect with `ssh -t`".into());
    };
    if request.term.as_deref() == Some("dumb") {
        return Err("boxoffice needs a terminal that can draw (TERM is `dumb`)".into());
    }
    let Some(_seat) = shared.gate.seat(login.actor.id) else {
        return Err(format!(
            "you have {} sessions open already, as many as allowed: close one and connect again",
            shared.gate.sessions_per_user()
        ));
    };
    // The key and the user as they are now (a key revoked a moment ago is refused here).
    let actor = match ssh_keys::sign_in_with(&shared.databases.primary, &login.fingerprint).await {
        Ok(Some(actor)) => actor,
        Ok(None) => return Err("this key no longer signs anyone in".into()),
        Err(error) => {
            tracing::error!(?error, "serve: checking a key");
            return Err("the database is not reachable; try again in a moment".into());
        }
    };
    // A test's way to make this session's app panic.
    let panic_for_test = shared.options.panic_command_for_tests
        && request.command.as_deref() == Some("panic-for-test");
    let command = request.command.as_deref().filter(|_| !panic_for_test);
    let kiosk = match kiosk_of(command, actor.role) {
        Ok(Some(door)) => Some(door),
        Ok(None) if actor.role == Role::Staff => Some(Door {
            event_id: None,
            terminal: None,
        }),
        Ok(None) => None,
        Err(words) => return Err(words),
    };
    tracing::info!(
        user = %actor.email,
        address = %login.address,
        term = request.term.as_deref().unwrap_or("?"),
        width,
        height,
        kiosk = kiosk.is_some(),
        "serve: session started"
    );
    let terminal = kiosk
        .as_ref()
        .and_then(|door| door.terminal.clone())
        .unwrap_or_else(|| format!("ssh:{}", actor.email));
    let mut app = App::new(AppOptions {
        keymap: shared.options.keymap.clone(),
        terminal,
        kiosk: kiosk.map(|door| Kiosk {
            event_id: door.event_id,
            password_to_leave: false,
        }),
        viewer_zone: shared.options.viewer_zone,
        no_color: request.no_color,
        clock: Arc::new(crate::app::clock::SystemClock),
        export_folder: shared.options.export_folder.clone(),
    });
    app.resize(crate::ui::layout::size(width, height));
    app.handle_event(AppEvent::Data(DataEvent::Connected {
        label: shared.label.clone(),
        built_in: false,
    }));
    app.signed_in(actor.clone());

    let farewell: Farewell = Arc::default();
    let outbox = Arc::new(Outbox::default());
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let (data_tx, data_rx) = mpsc::unbounded_channel();
    let (requests_tx, requests_rx) = mpsc::unbounded_channel();
    let mut tasks = vec![
        tokio::spawn(data_task::serve(
            shared.databases.clone(),
            Some(actor),
            requests_rx,
            data_tx.clone(),
        )),
        tokio::spawn(forward_changes(shared.changes.subscribe(), data_tx)),
        crate::event::spawn_ticks(events_tx.clone()),
        tokio::spawn(watch_shutdown(
            shared.shutdown.clone(),
            events_tx.clone(),
            farewell.clone(),
        )),
    ];
    let pump = {
        let events = events_tx.clone();
        let farewell = farewell.clone();
        let idle = shared.options.idle_timeout;
        async move { pump_input(&mut input, events, farewell, idle).await }
    };
    let writer = write_frames(
        output,
        outbox.clone(),
        events_tx.clone(),
        farewell.clone(),
        shared.options.stall_timeout,
    );
    let mut screen = RemoteScreen::new(width, height, outbox.clone());
    screen
        .enter()
        .map_err(|error| format!("cannot draw: {error}"))?;
    // The app runs in a task of its own: a panic in it ends this session only.
    let app_task = tokio::spawn(async move {
        if panic_for_test {
            panic!("a test asked this session's app to panic");
        }
        let mut wiring = Wiring {
            events: events_rx,
            data: data_rx,
            requests: requests_tx,
        };
        let result = runner::drive(
            &mut screen,
            &mut app,
            &mut wiring,
            std::future::pending::<AppError>(),
        )
        .await;
        (result, screen)
    });
    drop(events_tx);
    tokio::pin!(writer);
    let result = tokio::select! {
        finished = app_task => Some(finished),
        () = pump => None,
        () = &mut writer => None,
    };
    outbox.close();
    if result.is_some() {
        // A frame may be on its way to the client: let the writer finish it (bounded)
        // rather than drop it half-sent, which can leave the channel unable to carry the
        // farewell bytes that give the client its terminal back.
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut writer).await;
    }
    for task in tasks.drain(..) {
        task.abort();
    }
    let said = farewell.lock().unwrap_or_else(|p| p.into_inner()).take();
    match result {
        Some(Ok((Ok(()), _))) => Ok(said),
        Some(Ok((Err(error), _))) => {
            tracing::warn!(%error, "serve: session stopped");
            Err(said.unwrap_or_else(|| "the session stopped: see the server log".into()))
        }
        Some(Err(error)) if error.is_panic() => {
            tracing::error!(%error, "serve: a session's app panicked");
            Err(PANICKED.into())
        }
        Some(Err(_)) => Err("the session stopped".into()),
        None => Err(said.unwrap_or_else(|| "the connection closed".into())),
    }
}

const PANICKED: &str =
    "boxoffice hit an internal error and closed this session (the server log has the details)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_requests_name_the_door_or_are_explained() {
        assert_eq!(kiosk_of(None, Role::Organizer), Ok(None));
        assert_eq!(
            kiosk_of(Some("kiosk --event 42"), Role::Staff),
            Ok(Some(Door {
                event_id: Some(42),
                terminal: None
            }))
        );
        assert_eq!(
            kiosk_of(Some("boxoffice kiosk --terminal=door-3"), Role::Admin),
            Ok(Some(Door {
                event_id: None,
                terminal: Some("door-3".into())
            }))
        );
        assert!(kiosk_of(Some("kiosk --event x"), Role::Staff).is_err());
        assert!(kiosk_of(Some("rm -rf /"), Role::Admin).is_err());
        assert!(
            kiosk_of(Some("kiosk"), Role::Support)
                .unwrap_err()
                .contains("cannot check tickets in")
        );
    }
}
