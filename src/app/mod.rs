//! The app's state. `update.rs` changes it in answer to events; the `ui` module draws it.
//! Requests for the data task collect in an outbox the runner sends on, so the state logic
//! never touches a channel, a terminal or the database, reads the time from an injected
//! clock, and can be driven directly in tests.

mod answers;
pub mod check_in;
pub mod clock;
pub mod commands;
pub mod dashboard_view;
mod door;
mod editing;
mod export;
pub mod filter_prompt;
pub mod form;
pub mod in_flight;
pub mod keymap;
pub mod keys;
mod list_commands;
pub mod list_view;
mod live_updates;
pub mod overlay;
pub mod picker;
mod questions;
pub mod sign_in;
pub mod tab;
pub mod trash_view;
mod update;
mod wording;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::zone::Tz;
use crossterm::event::KeyEvent;

use crate::app::check_in::CheckInView;
use crate::app::clock::Clock;
use crate::app::commands::KeyMap;
use crate::app::dashboard_view::DashboardView;
use crate::app::in_flight::InFlight;
use crate::app::list_view::ListView;
use crate::app::overlay::Overlays;
use crate::app::sign_in::SignInForm;
use crate::app::tab::{Lists, Tab};
use crate::app::trash_view::TrashView;
use crate::data_task::{DataEvent, Envelope, Request, Slot};
use crate::db::auth::Actor;
use crate::db::model::EntityKind;
use crate::db::permissions;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    SignIn,
    Main,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseState {
    Connecting(String),
    Ready,
    Failed(String),
}

/// The database as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    pub state: DatabaseState,
    /// Which database ("postgres@host/boxoffice").
    pub label: String,
    /// The built-in local server.
    pub built_in: bool,
    /// With a read replica: whether lists come from it now (None: no replica).
    pub replica: Option<crate::db::replica::ReplicaHealth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Info,
    Error,
}

/// A short-lived message in the status bar.
#[derive(Debug, Clone)]
pub struct Flash {
    pub text: String,
    pub kind: FlashKind,
    pub until: Instant,
}

const FLASH_FOR: Duration = Duration::from_secs(5);

/// The terminal's size, and how many rows a page holds at that size (the runner works that
/// out from the screen layout and hands it in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u16,
    pub height: u16,
    pub page_rows: u16,
}

/// Everything the app answers, from one queue: the runner turns terminal input (local or over
/// SSH), ticks, data-task answers and signals into these.
#[derive(Debug, Clone)]
pub enum AppEvent {
    Key(KeyEvent),
    Resize(Size),
    /// Regular beat for time-based state (spinner, expiring messages, retries).
    Tick,
    Data(DataEvent),
    /// Draw again, all of it: the last frame did not reach the terminal (a slow SSH client).
    Redraw,
    /// SIGTERM, SIGHUP or SIGINT, or the server going down: leave cleanly.
    Terminate,
}

/// A place to return to with Esc after drilling down.
#[derive(Debug, Clone)]
struct BackEntry {
    tab: Tab,
    view: ListView,
}

/// Settings the app is started with.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub keymap: KeyMap,
    /// This terminal's name in the scan log (kiosk `--terminal`, config, or the host name).
    pub terminal: String,
    /// Kiosk mode: check-in only, and leaving needs the password.
    pub kiosk: Option<Kiosk>,
    /// The offset times are shown in (the terminal's local time).
    pub viewer_zone: Tz,
    pub no_color: bool,
    pub clock: Arc<dyn Clock>,
    /// Where `x` writes its CSV files.
    pub export_folder: std::path::PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kiosk {
    /// The event this door admits to; None admits to any.
    pub event_id: Option<i64>,
    /// Quitting asks for the signed-in user's password (a kiosk on a shared console). An SSH
    /// session, signed in by its own key, quits without.
    pub password_to_leave: bool,
}

#[derive(Debug)]
pub struct App {
    pub screen: Screen,
    pub sign_in: SignInForm,
    pub actor: Option<Actor>,
    pub database: Database,
    pub tab: Tab,
    pub lists: Lists,
    pub check_in: CheckInView,
    pub trash: TrashView,
    pub dashboard: DashboardView,
    /// The CSV export running, if one is.
    pub export: Option<export::ExportJob>,
    /// Where exports are written.
    pub export_folder: std::path::PathBuf,
    /// Text to put on the clipboard (OSC 52) with the next frame.
    clipboard: Option<String>,
    pub overlays: Overlays,
    pub kiosk: Option<Kiosk>,
    pub detail_zoomed: bool,
    /// Recent filters of each tab, newest last.
    pub filter_history: HashMap<Tab, Vec<String>>,
    pub flash: Option<Flash>,
    pub keymap: KeyMap,
    pub viewer_zone: Tz,
    pub no_color: bool,
    pub size: Size,
    pub spinner: usize,
    pub should_quit: bool,
    /// Since when the database has not answered (connection lost); None while it answers.
    pub unreachable_since: Option<Instant>,
    last_retry: Option<Instant>,
    back_stack: Vec<BackEntry>,
    in_flight: InFlight,
    outbox: Vec<Envelope>,
    clock: Arc<dyn Clock>,
}

impl App {
    pub fn new(options: AppOptions) -> Self {
        Self {
            screen: Screen::SignIn,
            sign_in: SignInForm::default(),
            actor: None,
            database: Database {
                state: DatabaseState::Connecting("connecting".into()),
                label: String::new(),
                built_in: false,
                replica: None,
            },
            tab: Tab::List(EntityKind::Event),
            lists: Lists::default(),
            check_in: CheckInView::new(
                options.terminal,
                options.kiosk.and_then(|kiosk| kiosk.event_id),
            ),
            trash: TrashView::default(),
            dashboard: DashboardView::default(),
            export: None,
            export_folder: options.export_folder,
            clipboard: None,
            overlays: Overlays::default(),
            kiosk: options.kiosk,
            detail_zoomed: false,
            filter_history: HashMap::new(),
            flash: None,
            keymap: options.keymap,
            viewer_zone: options.viewer_zone,
            no_color: options.no_color,
            size: Size {
                width: 80,
                height: 24,
                page_rows: 20,
            },
            spinner: 0,
            should_quit: false,
            unreachable_since: None,
            last_retry: None,
            back_stack: Vec::new(),
            in_flight: InFlight::default(),
            outbox: Vec::new(),
            clock: options.clock,
        }
    }

    /// Text the screen should put on the terminal's clipboard, once.
    pub fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }

    /// Requests waiting to go to the data task.
    pub fn take_requests(&mut self) -> Vec<Envelope> {
        std::mem::take(&mut self.outbox)
    }

    /// The list view shown, when a list tab is.
    pub fn current_list(&self) -> Option<&ListView> {
        match self.tab {
            Tab::List(kind) => Some(self.lists.get(kind)),
            Tab::CheckIn | Tab::Trash | Tab::Dashboard => None,
        }
    }

    /// Whether the signed-in user may use the Check-in tab.
    pub fn may_check_in(&self) -> bool {
        self.actor
            .as_ref()
            .is_some_and(|actor| permissions::check_in_scope(actor.role).is_some())
    }

    /// Whether the signed-in user has a trash.
    pub fn has_trash(&self) -> bool {
        self.actor
            .as_ref()
            .is_some_and(|actor| permissions::trash_scope(actor.role).is_some())
    }

    /// The tabs this user has, in order: a kiosk has Check-in only.
    pub fn tabs(&self) -> Vec<Tab> {
        if self.kiosk.is_some() {
            return vec![Tab::CheckIn];
        }
        Tab::ALL
            .into_iter()
            .filter(|tab| match tab {
                Tab::List(_) => true,
                Tab::CheckIn => self.may_check_in(),
                Tab::Trash => self.has_trash(),
                Tab::Dashboard => self.has_dashboard(),
            })
            .collect()
    }

    /// Whether a drill-down can be left with Esc.
    pub fn can_go_back(&self) -> bool {
        !self.back_stack.is_empty()
    }

    /// Whether an answer on `slot` is awaited.
    pub fn is_waiting(&self, slot: Slot) -> bool {
        self.in_flight.is_waiting(slot)
    }

    /// The newest request's generation: with `waits_after`, whether what the app asked for
    /// since then has been answered.
    pub fn last_generation(&self) -> u64 {
        self.in_flight.last_generation()
    }

    /// Whether an answer to a request made after `generation` is still awaited.
    pub fn waits_after(&self, generation: u64) -> bool {
        self.in_flight.waits_after(generation)
    }

    /// True while any answer the screen waits for is outstanding.
    pub fn is_loading(&self) -> bool {
        matches!(self.database.state, DatabaseState::Connecting(_))
            || self.is_waiting(Slot::SignIn)
            || self.lists.iter().any(|view| view.loading)
            || (self.tab == Tab::Dashboard && self.dashboard.loading)
    }

    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// The date and time now, from the app's clock.
    pub fn wall_clock(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.wall()
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash(text, FlashKind::Info);
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash(text, FlashKind::Error);
    }

    fn flash(&mut self, text: impl Into<String>, kind: FlashKind) {
        self.flash = Some(Flash {
            text: text.into(),
            kind,
            until: self.now() + FLASH_FOR,
        });
    }

    /// Queues a request; its slot in the in-flight table now waits for its answer.
    fn send(&mut self, request: Request) {
        let generation = self.in_flight.start(request.slot());
        self.outbox.push(Envelope {
            generation,
            request,
        });
    }

    fn send_all(&mut self, requests: impl IntoIterator<Item = Request>) {
        for request in requests {
            self.send(request);
        }
    }

    /// Whether the next tick changes what is drawn (a spinner turning, a message expiring).
    /// A message stands still until it expires: only the tick that takes it away redraws (an
    /// SSH session drew the same screen four times a second for the five seconds of each
    /// message, the sign-in's included).
    pub fn wants_ticks(&self) -> bool {
        self.is_loading()
            || self
                .flash
                .as_ref()
                .is_some_and(|flash| flash.until <= self.now())
            || self.export.is_some()
            || self.unreachable_since.is_some()
            || self
                .overlays
                .form()
                .is_some_and(|form| form.state == form::FormState::WaitingForDatabase)
    }
}
