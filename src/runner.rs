//! The run loop: one App, driven by a queue of events and drawn to any ratatui backend that
//! writes escape sequences. The local terminal (crossterm's reader and stdout) is one such
//! pair; an SSH channel is another. Requests go to a data task; its answers come back on a
//! channel of their own.

use std::future::Future;
use std::io;

use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tokio::time::{Duration, Instant};

use crate::app::{App, AppEvent, AppOptions};
use crate::data_task::{self, DataEvent, Envelope};
use crate::db::DatabaseSettings;
use crate::error::AppError;
use crate::{event, tui};

/// The channels one app runs on.
#[derive(Debug)]
pub struct Wiring {
    /// Input, ticks, signals.
    pub events: UnboundedReceiver<AppEvent>,
    /// The data task's answers and change notifications.
    pub data: UnboundedReceiver<DataEvent>,
    pub requests: UnboundedSender<Envelope>,
}

/// The app at the local terminal, on its own data task.
pub async fn run(settings: DatabaseSettings, options: AppOptions) -> Result<(), AppError> {
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let (data_tx, data_rx) = mpsc::unbounded_channel();
    let (requests_tx, requests_rx) = mpsc::unbounded_channel();
    let mut data = Some(tokio::spawn(data_task::run(settings, requests_rx, data_tx)));
    let mut terminal = tui::enter()?;
    let mut input = Some(event::spawn_input(events_tx.clone()));
    let ticks = event::spawn_ticks(events_tx.clone());
    let signals = event::spawn_signals(events_tx.clone())?;
    drop(events_tx);

    let mut app = App::new(options);
    let mut wiring = Wiring {
        events: events_rx,
        data: data_rx,
        requests: requests_tx,
    };
    let result = match terminal.size() {
        Ok(size) => {
            app.resize(crate::ui::layout::size(size.width, size.height));
            let stopped = async {
                tokio::select! {
                    stopped = wait(&mut data) => task_stopped("data", stopped.err()),
                    stopped = wait(&mut input) => task_stopped("terminal input", stopped.err()),
                }
            };
            drive(&mut terminal, &mut app, &mut wiring, stopped).await
        }
        Err(error) => Err(error.into()),
    };
    for handle in [input.take(), Some(ticks), Some(signals)]
        .into_iter()
        .flatten()
    {
        handle.abort();
    }
    tui::restore();
    drop(wiring);
    if let Some(data) = data
        && let Ok(Some(connection)) = data.await
    {
        connection.close().await;
    }
    result
}

/// Where frames go: the local terminal, or an SSH session's channel.
pub trait Screen {
    /// Draws the app as it is now.
    fn draw(&mut self, app: &App) -> io::Result<()>;

    /// Nothing was drawn for a while: memory kept only to draw faster may go.
    fn rest(&mut self) {}

    /// Puts `text` on the clipboard of the terminal at the other end (OSC 52).
    fn copy(&mut self, text: &str) -> io::Result<()>;
}

/// How long without a frame before the screen may rest.
const REST_AFTER: Duration = Duration::from_secs(3);

impl<B> Screen for Terminal<B>
where
    B: Backend<Error = io::Error> + io::Write,
{
    fn draw(&mut self, app: &App) -> io::Result<()> {
        tui::draw(self, app)
    }

    fn copy(&mut self, text: &str) -> io::Result<()> {
        let backend = self.backend_mut();
        backend.write_all(crate::clipboard::osc52(text).as_bytes())?;
        io::Write::flush(backend)
    }
}

/// How long a frame may wait for the answers to what was just asked: a key that asks for a
/// page (and then its detail) is drawn once, with both, rather than once saying "loading" and
/// again a millisecond later for each answer. An answer slower than this is shown loading.
/// At 15 ms, a server of SSH sessions that fell behind (200 sessions on two cores) drew each
/// key two or three times (loading, the page, its detail), which kept it behind; at 50 ms,
/// still under what a person notices, it draws once a key and catches up.
pub const SETTLE: Duration = Duration::from_millis(50);

/// A frame held back for answers to the requests made after `after` (generations).
struct Hold {
    until: Instant,
    after: u64,
}

/// Runs `app` until it quits, its events end, or `stopped` resolves (a task it depends on
/// died: it stops rather than run blind). Draws after each batch of events, unless the batch
/// asked the database for something that may answer within `SETTLE`.
pub async fn drive(
    screen: &mut impl Screen,
    app: &mut App,
    wiring: &mut Wiring,
    stopped: impl Future<Output = AppError>,
) -> Result<(), AppError> {
    drive_settling(screen, app, wiring, stopped, SETTLE).await
}

/// `drive`, holding a frame for answers up to `settle` (tests choose it).
pub async fn drive_settling(
    screen: &mut impl Screen,
    app: &mut App,
    wiring: &mut Wiring,
    stopped: impl Future<Output = AppError>,
    settle: Duration,
) -> Result<(), AppError> {
    tokio::pin!(stopped);
    screen.draw(app)?;
    let mut last_drawn = Instant::now();
    let mut resting = false;
    let mut hold: Option<Hold> = None;
    let mut draw_held = false;
    if let Some(started) = crate::STARTED.get() {
        tracing::info!(
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "first frame drawn"
        );
    }
    loop {
        let hold_until = hold.as_ref().map(|hold| hold.until);
        let event = tokio::select! {
            event = wiring.events.recv() => match event {
                Some(event) => Some(event),
                None => return Ok(()),
            },
            data = wiring.data.recv() => match data {
                Some(data) => Some(AppEvent::Data(data)),
                None => return Err(AppError::TaskStopped("the data task stopped".into())),
            },
            error = &mut stopped => return Err(error),
            () = event::sleep_until(hold_until) => None,
        };
        let asked_before = app.last_generation();
        let mut redraw = std::mem::take(&mut draw_held);
        let mut take = |app: &mut App, event: AppEvent| {
            redraw |= !matches!(event, AppEvent::Tick) || app.wants_ticks();
            app.handle_event(event);
        };
        if let Some(event) = event {
            take(app, event);
        }
        // Take whatever else is already queued (a barcode scanner types fast) before drawing.
        while let Ok(event) = wiring.events.try_recv() {
            take(app, event);
        }
        while let Ok(data) = wiring.data.try_recv() {
            take(app, AppEvent::Data(data));
        }
        for envelope in app.take_requests() {
            if wiring.requests.send(envelope).is_err() {
                return Err(AppError::TaskStopped("the data task stopped".into()));
            }
        }
        if app.should_quit {
            return Ok(());
        }
        if let Some(text) = app.take_clipboard() {
            screen.copy(&text)?;
        }
        let now = Instant::now();
        if hold.is_none() && app.last_generation() > asked_before {
            hold = Some(Hold {
                until: now + settle,
                after: asked_before,
            });
        }
        let held = hold
            .as_ref()
            .is_some_and(|hold| now < hold.until && app.waits_after(hold.after));
        if !held {
            hold = None;
        }
        if redraw && held {
            draw_held = true;
        } else if redraw {
            screen.draw(app)?;
            last_drawn = now;
            resting = false;
        } else if !resting && last_drawn.elapsed() >= REST_AFTER {
            screen.rest();
            resting = true;
        }
    }
}

/// Resolves when the task ends (and lets go of its handle, which must not be awaited
/// again); never, if there is no task.
async fn wait<T>(slot: &mut Option<JoinHandle<T>>) -> Result<T, tokio::task::JoinError> {
    let Some(handle) = slot.as_mut() else {
        return std::future::pending().await;
    };
    let result = handle.await;
    *slot = None;
    result
}

fn task_stopped(name: &str, error: Option<tokio::task::JoinError>) -> AppError {
    let reason = match error {
        Some(error) if error.is_panic() => "it panicked (see the log)".to_string(),
        Some(error) => error.to_string(),
        None => "it ended".to_string(),
    };
    AppError::TaskStopped(format!("the {name} task stopped: {reason}"))
}
