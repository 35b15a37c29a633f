//! The app's state. `update.rs` changes it in answer to events; the `ui` module draws it.
//! Requests for the data task collect in an outbox the runner sends on, so the state logic
//! never touches a channel or the database and can be driven directly in tests.

mod answers;
pub mod check_in;
pub mod commands;
mod door;
mod editing;
pub mod filter_prompt;
pub mod form;
pub mod keys;
pub mod list_view;
pub mod picker;
pub mod sign_in;
pub mod trash_view;
mod update;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::FixedOffset;

use crate::app::check_in::{CheckInView, PendingScan};
use crate::app::commands::KeyMap;
use crate::app::filter_prompt::FilterPrompt;
use crate::app::form::Form;
use crate::app::list_view::ListView;
use crate::app::picker::Picker;
use crate::app::sign_in::SignInForm;
use crate::app::trash_view::{Confirm, TrashView};
use crate::data_task::{Envelope, Request, Slot};
use crate::db::auth::{Actor, Role};
use crate::db::model::EntityKind;

/// The index of the Check-in tab, after the list tabs.
pub const CHECK_IN_TAB: usize = 3;
/// The index of the Trash tab.
pub const TRASH_TAB: usize = 4;

/// The list tabs, in order.
pub const TABS: [(EntityKind, &str); 3] = [
    (EntityKind::Event, "Events"),
    (EntityKind::Order, "Orders"),
    (EntityKind::Ticket, "Tickets"),
];

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

/// A place to return to with Esc after drilling down.
#[derive(Debug, Clone)]
struct BackEntry {
    tab: usize,
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
    pub time_offset: FixedOffset,
    pub no_color: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kiosk {
    /// The event this door admits to; None admits to any.
    pub event_id: Option<i64>,
}

/// The password prompt that stands between a kiosk and quitting.
#[derive(Debug, Clone, Default)]
pub struct UnlockPrompt {
    pub input: tui_input::Input,
    pub error: Option<String>,
    pub waiting: Option<u64>,
}

#[derive(Debug)]
pub struct App {
    pub screen: Screen,
    pub sign_in: SignInForm,
    pub actor: Option<Actor>,
    pub database: DatabaseState,
    pub database_label: String,
    pub built_in_database: bool,
    pub tabs: Vec<ListView>,
    pub check_in: CheckInView,
    pub trash: TrashView,
    /// A change waiting for the user's yes.
    pub confirm: Option<Confirm>,
    /// The edit form, while it is open.
    pub form: Option<Form>,
    /// Generation of the form's load or save under way.
    pub waiting_form: Option<u64>,
    /// A list to choose from before a form opens (ticket types, users).
    pub picker: Option<Picker>,
    pub waiting_picker: Option<u64>,
    pub kiosk: Option<Kiosk>,
    pub unlock: Option<UnlockPrompt>,
    /// Generation of the change of state under way (undo a check-in, ...).
    pub waiting_action: Option<u64>,
    pub active_tab: usize,
    pub help_open: bool,
    pub detail_zoomed: bool,
    /// The `/` prompt, while it is open.
    pub prompt: Option<FilterPrompt>,
    /// Recent filters of each tab, newest last.
    pub filter_history: HashMap<EntityKind, Vec<String>>,
    pub flash: Option<Flash>,
    pub keymap: KeyMap,
    pub time_offset: FixedOffset,
    pub no_color: bool,
    pub page_size: u16,
    pub size: (u16, u16),
    pub spinner: usize,
    pub should_quit: bool,
    /// Since when the database has not answered (connection lost); None while it answers.
    pub unreachable_since: Option<Instant>,
    last_retry: Option<Instant>,
    back_stack: Vec<BackEntry>,
    next_generation: u64,
    outbox: Vec<Envelope>,
}

impl App {
    pub fn new(options: AppOptions) -> Self {
        Self {
            screen: Screen::SignIn,
            sign_in: SignInForm::default(),
            actor: None,
            database: DatabaseState::Connecting("connecting".into()),
            database_label: String::new(),
            built_in_database: false,
            tabs: TABS.iter().map(|(kind, _)| ListView::new(*kind)).collect(),
            check_in: CheckInView::new(
                options.terminal,
                options.kiosk.and_then(|kiosk| kiosk.event_id),
            ),
            trash: TrashView::default(),
            confirm: None,
            form: None,
            waiting_form: None,
            picker: None,
            waiting_picker: None,
            kiosk: options.kiosk,
            unlock: None,
            waiting_action: None,
            active_tab: 0,
            help_open: false,
            detail_zoomed: false,
            prompt: None,
            filter_history: HashMap::new(),
            flash: None,
            keymap: options.keymap,
            time_offset: options.time_offset,
            no_color: options.no_color,
            page_size: 20,
            size: (80, 24),
            spinner: 0,
            should_quit: false,
            unreachable_since: None,
            last_retry: None,
            back_stack: Vec::new(),
            next_generation: 1,
            outbox: Vec::new(),
        }
    }

    /// Requests waiting to go to the data task.
    pub fn take_requests(&mut self) -> Vec<Envelope> {
        std::mem::take(&mut self.outbox)
    }

    /// The list view shown, or (on the Check-in tab) the last one shown.
    pub fn view(&self) -> &ListView {
        &self.tabs[self.active_tab.min(TABS.len() - 1)]
    }

    pub fn view_mut(&mut self) -> &mut ListView {
        let index = self.active_tab.min(TABS.len() - 1);
        &mut self.tabs[index]
    }

    pub fn on_check_in(&self) -> bool {
        self.active_tab == CHECK_IN_TAB
    }

    /// Whether the signed-in user may use the Check-in tab (DESIGN.md "Roles").
    pub fn may_check_in(&self) -> bool {
        self.actor
            .as_ref()
            .is_some_and(|actor| matches!(actor.role, Role::Admin | Role::Organizer | Role::Staff))
    }

    /// The tabs this user has, by index: a kiosk has Check-in only.
    pub fn tab_titles(&self) -> Vec<(usize, &'static str)> {
        if self.kiosk.is_some() {
            return vec![(CHECK_IN_TAB, "Check-in")];
        }
        let mut titles: Vec<(usize, &'static str)> = TABS
            .iter()
            .enumerate()
            .map(|(i, (_, name))| (i, *name))
            .collect();
        if self.may_check_in() {
            titles.push((CHECK_IN_TAB, "Check-in"));
        }
        if self.has_trash() {
            titles.push((TRASH_TAB, "Trash"));
        }
        titles
    }

    /// Whether a drill-down can be left with Esc, and what it came from.
    pub fn can_go_back(&self) -> bool {
        !self.back_stack.is_empty()
    }

    /// True while any answer the screen waits for is outstanding.
    pub fn is_loading(&self) -> bool {
        matches!(self.database, DatabaseState::Connecting(_))
            || self.sign_in.waiting.is_some()
            || self.tabs.iter().any(|view| view.loading)
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            kind: FlashKind::Info,
            until: Instant::now() + FLASH_FOR,
        });
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            kind: FlashKind::Error,
            until: Instant::now() + FLASH_FOR,
        });
    }

    /// Queues a request, noting its generation where the answer will be awaited.
    fn send(&mut self, request: Request) {
        let generation = self.next_generation;
        self.next_generation += 1;
        match request.slot() {
            Slot::SignIn => self.sign_in.waiting = Some(generation),
            Slot::Page(kind) => self.view_of_mut(kind).waiting_page = Some(generation),
            Slot::Count(kind) => self.view_of_mut(kind).waiting_count = Some(generation),
            Slot::Detail(kind) => self.view_of_mut(kind).waiting_detail = Some(generation),
            Slot::Scan => {
                if let Request::Scan(scan) = &request {
                    self.check_in.pending = Some(PendingScan {
                        scan: scan.clone(),
                        generation,
                        retry_at: None,
                    });
                }
            }
            Slot::DoorStatus => self.check_in.waiting_status = Some(generation),
            Slot::Action => self.waiting_action = Some(generation),
            Slot::Unlock => {
                if let Some(unlock) = self.unlock.as_mut() {
                    unlock.waiting = Some(generation);
                }
            }
            Slot::Trash => self.awaiting_trash(generation),
            Slot::Form | Slot::Save => self.waiting_form = Some(generation),
            Slot::Picker => {
                self.waiting_picker = Some(generation);
                if let Some(picker) = self.picker.as_mut() {
                    picker.waiting = Some(generation);
                }
            }
        }
        self.outbox.push(Envelope {
            generation,
            request,
        });
    }

    /// Sends a request and says its generation.
    fn send_tracked(&mut self, request: Request) -> u64 {
        self.send(request);
        self.next_generation - 1
    }

    fn send_all(&mut self, requests: impl IntoIterator<Item = Request>) {
        for request in requests {
            self.send(request);
        }
    }

    fn view_of_mut(&mut self, kind: EntityKind) -> &mut ListView {
        let index = TABS.iter().position(|(k, _)| *k == kind).unwrap_or(0);
        &mut self.tabs[index]
    }
}

impl App {
    /// Whether a tick changes what is drawn (a spinner turning, a message expiring).
    pub fn wants_ticks(&self) -> bool {
        self.is_loading()
            || self.flash.is_some()
            || self.unreachable_since.is_some()
            || self.form.as_ref().is_some_and(|form| form.retry)
    }
}
