//! The main loop: one event queue in, state updated, frames out, requests to the data task.
//! Background tasks are watched: if one dies the app stops instead of running blind.

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use crate::app::{App, AppOptions};
use crate::data_task::{self, Envelope};
use crate::db::{Connection, DatabaseTarget};
use crate::error::AppError;
use crate::event::{self, AppEvent};
use crate::tui::{self, Term};

pub async fn run(target: DatabaseTarget, options: AppOptions) -> Result<(), AppError> {
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let (requests_tx, requests_rx) = mpsc::unbounded_channel();
    let mut data = Some(tokio::spawn(data_task::run(
        target,
        requests_rx,
        events_tx.clone(),
    )));
    let mut terminal = tui::enter()?;
    let mut input = Some(event::spawn_input(events_tx.clone()));
    let ticks = event::spawn_ticks(events_tx.clone());
    let signals = event::spawn_signals(events_tx.clone())?;
    drop(events_tx);

    let mut app = App::new(options);
    let result = match terminal.size() {
        Ok(size) => {
            app.resize(size.width, size.height);
            main_loop(
                &mut terminal,
                &mut app,
                &mut events_rx,
                &requests_tx,
                &mut data,
                &mut input,
            )
            .await
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
    drop(requests_tx);
    if let Some(data) = data
        && let Ok(Some(connection)) = data.await
    {
        connection.close().await;
    }
    result
}

type DataHandle = JoinHandle<Option<Connection>>;

async fn main_loop(
    terminal: &mut Term,
    app: &mut App,
    events: &mut UnboundedReceiver<AppEvent>,
    requests: &UnboundedSender<Envelope>,
    data: &mut Option<DataHandle>,
    input: &mut Option<JoinHandle<()>>,
) -> Result<(), AppError> {
    tui::draw(terminal, app)?;
    if let Some(started) = crate::STARTED.get() {
        tracing::info!(
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "first frame drawn"
        );
    }
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            stopped = wait(data) => {
                *data = None;
                return Err(task_stopped("data", stopped.err()));
            }
            stopped = wait(input) => {
                *input = None;
                return Err(task_stopped("terminal input", stopped.err()));
            }
        };
        let Some(event) = event else {
            return Ok(());
        };
        let mut redraw = !matches!(event, AppEvent::Tick) || app.wants_ticks();
        app.handle_event(event);
        // Take whatever else is already queued (a barcode scanner types fast) before drawing.
        while let Ok(event) = events.try_recv() {
            redraw |= !matches!(event, AppEvent::Tick) || app.wants_ticks();
            app.handle_event(event);
        }
        for envelope in app.take_requests() {
            if requests.send(envelope).is_err() {
                return Err(AppError::TaskStopped("the data task stopped".into()));
            }
        }
        if app.should_quit {
            return Ok(());
        }
        if redraw {
            tui::draw(terminal, app)?;
        }
    }
}

/// Resolves when the task ends; never, if there is no task.
async fn wait<T>(handle: &mut Option<JoinHandle<T>>) -> Result<T, tokio::task::JoinError> {
    match handle {
        Some(handle) => handle.await,
        None => std::future::pending().await,
    }
}

fn task_stopped(name: &str, error: Option<tokio::task::JoinError>) -> AppError {
    let reason = match error {
        Some(error) if error.is_panic() => "it panicked (see the log)".to_string(),
        Some(error) => error.to_string(),
        None => "it ended".to_string(),
    };
    AppError::TaskStopped(format!("the {name} task stopped: {reason}"))
}
