//! The run loop's frames: a key whose answers come quickly is drawn once, with the answers,
//! not once "loading" and again per answer (over SSH every frame costs the server a render
//! and the client its bytes); an answer that is slow does not hold the screen back.

use std::sync::Arc;
use std::time::Duration;

use boxoffice::app::clock::ManualClock;
use boxoffice::app::commands::KeyMap;
use boxoffice::app::{App, AppEvent, AppOptions};
use boxoffice::data_task::{DataErrorText, DataEvent, Envelope, Reply, Slot};
use boxoffice::db::auth::{Actor, Role};
use boxoffice::db::count::RowCount;
use boxoffice::db::listing::{Page, Position};
use boxoffice::db::model::EntityKind;
use boxoffice::error::AppError;
use boxoffice::runner::{Screen, Wiring, drive_settling};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

/// Sends the text of every frame drawn.
struct Recorder(UnboundedSender<String>);

impl Screen for Recorder {
    fn draw(&mut self, app: &App) -> std::io::Result<()> {
        let _ = self.0.send(crate::common::screen_text(app));
        Ok(())
    }

    fn copy(&mut self, _text: &str) -> std::io::Result<()> {
        Ok(())
    }
}

struct Running {
    events: UnboundedSender<AppEvent>,
    data: UnboundedSender<DataEvent>,
    requests: UnboundedReceiver<Envelope>,
    frames: UnboundedReceiver<String>,
}

/// The app on the sign-in screen, driven with frames held up to `settle`.
fn start(settle: Duration) -> Running {
    let mut app = App::new(AppOptions {
        keymap: KeyMap::defaults(),
        terminal: "test".into(),
        kiosk: None,
        viewer_zone: boxoffice::zone::Tz::UTC,
        no_color: true,
        clock: Arc::new(ManualClock::default()),
        export_folder: std::env::temp_dir(),
    });
    app.resize(boxoffice::ui::layout::size(100, 30));
    app.handle_event(AppEvent::Data(DataEvent::Connected {
        label: "canned".into(),
        built_in: false,
    }));
    let (events, events_rx) = mpsc::unbounded_channel();
    let (data, data_rx) = mpsc::unbounded_channel();
    let (requests_tx, requests) = mpsc::unbounded_channel();
    let (frames_tx, frames) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut wiring = Wiring {
            events: events_rx,
            data: data_rx,
            requests: requests_tx,
        };
        let mut screen = Recorder(frames_tx);
        let never = std::future::pending::<AppError>();
        drive_settling(&mut screen, &mut app, &mut wiring, never, settle).await
    });
    Running {
        events,
        data,
        requests,
        frames,
    }
}

impl Running {
    async fn next_request(&mut self) -> Envelope {
        tokio::time::timeout(Duration::from_secs(10), self.requests.recv())
            .await
            .expect("a request within 10 s")
            .expect("the app runs")
    }

    async fn next_frame(&mut self) -> String {
        tokio::time::timeout(Duration::from_secs(10), self.frames.recv())
            .await
            .expect("a frame within 10 s")
            .expect("the app runs")
    }

    /// Types the admin's sign-in and Enter; returns the sign-in request.
    async fn sign_in(&mut self) -> Envelope {
        let keys = "admin@boxoffice.test\rdemo\r".chars().map(|c| match c {
            '\r' => KeyCode::Enter,
            c => KeyCode::Char(c),
        });
        for code in keys {
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            self.events.send(AppEvent::Key(key)).expect("the app runs");
        }
        let request = self.next_request().await;
        assert_eq!(request.request.slot(), Slot::SignIn);
        request
    }

    fn answer(&self, envelope: &Envelope, reply: Reply) {
        let generation = envelope.generation;
        let answer = DataEvent::Reply { generation, reply };
        self.data.send(answer).expect("the app runs");
    }
}

fn admin() -> Actor {
    Actor {
        id: 1,
        email: "admin@boxoffice.test".into(),
        name: "Ada Admin".into(),
        role: Role::Admin,
        time_zone: None,
    }
}

fn events_page(rows: i64) -> Page {
    Page {
        rows: (1..=rows).map(crate::common::event_row).collect(),
        has_before: false,
        has_after: false,
        position: Position::First,
    }
}

#[tokio::test]
async fn a_key_whose_answers_come_in_time_is_drawn_once_with_them() {
    let mut running = start(Duration::from_secs(3600));
    let first = running.next_frame().await;
    assert!(first.contains("sign in"), "{first}");
    let sign_in = running.sign_in().await;
    running.answer(&sign_in, Reply::SignIn(Ok(admin())));
    // Signed in, the Events tab asks for its first page and its count.
    let (mut page, mut count) = (None, None);
    while page.is_none() || count.is_none() {
        let request = running.next_request().await;
        match request.request.slot() {
            Slot::Page(EntityKind::Event) => page = Some(request),
            Slot::Count(EntityKind::Event) => count = Some(request),
            _ => {}
        }
    }
    let (page, count) = (page.expect("a page"), count.expect("a count"));
    assert!(
        running.frames.try_recv().is_err(),
        "nothing drawn while the answers to the sign-in are awaited"
    );
    running.answer(&page, Reply::Page(EntityKind::Event, Ok(events_page(3))));
    let detail = running.next_request().await;
    assert_eq!(detail.request.slot(), Slot::Detail(EntityKind::Event));
    assert!(running.frames.try_recv().is_err(), "the count is awaited");
    let rows = RowCount {
        rows: 3,
        exact: true,
    };
    running.answer(&count, Reply::Count(EntityKind::Event, Ok(rows)));
    let gone = DataErrorText {
        message: "that event is gone".into(),
        fields: Vec::new(),
        conflict: false,
        unavailable: false,
    };
    running.answer(&detail, Reply::Detail(EntityKind::Event, Err(gone)));
    let drawn = running.next_frame().await;
    assert!(
        drawn.contains("Night 1") && drawn.contains("rows 1-3 of 3"),
        "the one frame shows the answers: {drawn}"
    );
    assert!(
        running.frames.try_recv().is_err(),
        "one frame, not one per answer"
    );
}

#[tokio::test]
async fn a_slow_answer_is_shown_loading_after_the_settle_time() {
    let mut running = start(Duration::from_millis(20));
    running.next_frame().await;
    let _sign_in = running.sign_in().await;
    // Never answered: the frame that shows the sign-in waiting comes anyway.
    let drawn = running.next_frame().await;
    assert!(
        drawn.contains("signing in") || drawn.contains("loading"),
        "{drawn}"
    );
}
