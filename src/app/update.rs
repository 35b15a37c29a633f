//! How the app answers events: a key goes to the overlay on top, or else to the tab shown,
//! through the key map; data-task answers go to `answers.rs`; ticks turn the spinner, expire
//! messages and retry what the database did not answer.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::commands::{Command, Context};
use crate::app::overlay::{HelpView, Overlay, UnlockPrompt};
use crate::app::sign_in::SignInAction;
use crate::app::tab::Tab;
use crate::app::{App, AppEvent, Screen, Size};
use crate::data_task::{Request, Slot};

const RETRY_EVERY: Duration = Duration::from_secs(3);

impl App {
    pub fn handle_event(&mut self, event: AppEvent) {
        match event {
            AppEvent::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(&key),
            AppEvent::Key(_) => {}
            AppEvent::Resize(size) => self.resize(size),
            AppEvent::Tick => self.tick(),
            AppEvent::Redraw => {}
            AppEvent::Data(event) => self.handle_data(event),
            AppEvent::Terminate => self.should_quit = true,
        }
    }

    /// The terminal's size changed (or is first known): pages hold as many rows as fit.
    pub fn resize(&mut self, size: Size) {
        let rows_changed = size.page_rows != self.size.page_rows;
        self.size = size;
        if rows_changed
            && self.screen == Screen::Main
            && let Tab::List(kind) = self.tab
            && self.lists.get(kind).loaded_once()
        {
            let requests = self.lists.get_mut(kind).reload(size.page_rows);
            self.send_all(requests);
        }
        self.clamp_help_scroll();
    }

    fn tick(&mut self) {
        self.spinner = self.spinner.wrapping_add(1);
        let now = self.now();
        self.retry_scans(now);
        if self.flash.as_ref().is_some_and(|flash| flash.until <= now) {
            self.flash = None;
        }
        // While the database is away, retry what is on screen every few seconds; the first
        // answer that comes back clears the state.
        let due = self
            .last_retry
            .is_none_or(|at| now.duration_since(at) >= RETRY_EVERY);
        if self.unreachable_since.is_some()
            && due
            && self.screen == Screen::Main
            && !self.shown_is_loading()
        {
            self.last_retry = Some(now);
            self.reload_shown();
        }
        self.resend_form_save();
    }

    /// Whether what the tab shows is on its way already.
    fn shown_is_loading(&self) -> bool {
        match self.tab {
            Tab::List(kind) => self.lists.get(kind).loading,
            Tab::Trash => self.trash.loading,
            Tab::CheckIn => self.is_waiting(Slot::DoorStatus),
            Tab::Dashboard => self.dashboard.loading,
        }
    }

    /// Fetches again what the tab shows, keeping the place.
    pub(super) fn reload_shown(&mut self) {
        match self.tab {
            Tab::List(kind) => {
                let page_rows = self.size.page_rows;
                let requests = self.lists.get_mut(kind).reload(page_rows);
                self.send_all(requests);
                if let Some(detail) = self.lists.get_mut(kind).detail_request() {
                    self.send(detail);
                }
            }
            Tab::Trash => self.reload_trash(),
            Tab::CheckIn => {
                let request = self.check_in.status_request();
                self.send(request);
            }
            Tab::Dashboard => self.reload_dashboard(),
        }
    }

    fn handle_key(&mut self, key: &KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit();
            return;
        }
        if self.screen == Screen::SignIn {
            let busy = self.is_waiting(Slot::SignIn);
            if let SignInAction::Submit { email, password } = self.sign_in.handle_key(key, busy) {
                let terminal = self.check_in.terminal.clone();
                self.send(Request::SignIn {
                    email,
                    password,
                    terminal,
                });
            }
            return;
        }
        match self.overlays.top().map(Overlay::context) {
            Some(Context::Help) => self.handle_help_key(key),
            Some(Context::Prompt) => self.handle_prompt_key(key),
            Some(Context::Picker) => self.handle_picker_key(key),
            Some(Context::Form) => self.handle_form_key(key),
            Some(Context::Confirm) => self.handle_confirm_key(key),
            Some(Context::Unlock) => self.handle_unlock_key(key),
            Some(Context::List | Context::CheckIn | Context::Trash | Context::Dashboard) | None => {
                self.handle_screen_key(key)
            }
        }
    }

    /// A key on the tab itself.
    fn handle_screen_key(&mut self, key: &KeyEvent) {
        let context = self.tab.context();
        match self.keymap.command_for(context, key) {
            Some(command) => self.run_command(command),
            None if self.tab == Tab::CheckIn => self.type_code(key),
            None if key.code == KeyCode::Esc => {}
            None => {
                if let Some(help) = self.keymap.first_key_label(Command::Help) {
                    self.flash_info(format!("no command on that key; {help} lists the keys"));
                }
            }
        }
    }

    /// Ctrl-c, or the quit key: a kiosk asks for the password first.
    fn quit(&mut self) {
        if self.kiosk.is_some_and(|kiosk| kiosk.password_to_leave) && self.screen == Screen::Main {
            if self.overlays.unlock().is_none() {
                self.overlays.open(Overlay::Unlock(UnlockPrompt::default()));
            }
        } else {
            self.should_quit = true;
        }
    }

    /// Commands every tab has; the rest go to the tab shown.
    fn run_command(&mut self, command: Command) {
        match command {
            Command::Quit => self.quit(),
            Command::Help => self.overlays.open(Overlay::Help(HelpView::default())),
            Command::NextTab => self.next_tab(true),
            Command::PreviousTab => self.next_tab(false),
            Command::Tab1
            | Command::Tab2
            | Command::Tab3
            | Command::Tab4
            | Command::Tab5
            | Command::Tab6 => {
                let number = match command {
                    Command::Tab1 => 0,
                    Command::Tab2 => 1,
                    Command::Tab3 => 2,
                    Command::Tab4 => 3,
                    Command::Tab5 => 4,
                    _ => 5,
                };
                self.switch_tab(Tab::ALL[number]);
            }
            _ => match self.tab {
                Tab::List(kind) => self.run_list_command(kind, command),
                Tab::Trash => self.run_trash_command(command),
                Tab::CheckIn => self.run_door_command(command),
                Tab::Dashboard => self.run_dashboard_command(command),
            },
        }
    }

    /// Help scrolls with the table keys; Esc or ? close it; quitting still works.
    fn handle_help_key(&mut self, key: &KeyEvent) {
        let lines = self.help_line_count();
        let page = usize::from(self.size.height.saturating_sub(4)).max(1);
        let Some(help) = self.overlays.help_mut() else {
            return;
        };
        match self.keymap.command_for(Context::Help, key) {
            Some(Command::Back | Command::Help) => {
                self.overlays.close_help();
            }
            Some(Command::Quit) => self.quit(),
            Some(Command::Down) => help.scroll += 1,
            Some(Command::Up) => help.scroll = help.scroll.saturating_sub(1),
            Some(Command::NextPage) => help.scroll += page,
            Some(Command::PreviousPage) => help.scroll = help.scroll.saturating_sub(page),
            Some(Command::FirstPage) => help.scroll = 0,
            Some(Command::LastPage) => help.scroll = lines,
            _ => {}
        }
        self.clamp_help_scroll();
    }

    /// How many lines the help of the tab shown has.
    pub fn help_line_count(&self) -> usize {
        self.keymap
            .help_text(self.tab.context(), self.kiosk.is_some())
            .len()
    }

    /// Keeps the help's last line at the bottom of its box, never beyond.
    fn clamp_help_scroll(&mut self) {
        if self.overlays.help().is_none() {
            return;
        }
        let lines = self.help_line_count();
        let shown = usize::from(self.size.height.saturating_sub(2));
        if let Some(help) = self.overlays.help_mut() {
            help.scroll = help.scroll.min(lines.saturating_sub(shown));
        }
    }

    /// Moves to the next (or previous) tab this user has.
    fn next_tab(&mut self, forward: bool) {
        let tabs = self.tabs();
        let Some(at) = tabs.iter().position(|tab| *tab == self.tab) else {
            return;
        };
        let next = if forward {
            (at + 1) % tabs.len()
        } else {
            (at + tabs.len() - 1) % tabs.len()
        };
        self.switch_tab(tabs[next]);
    }

    /// Shows `tab`, if this user has it, loading what it shows as needed.
    pub(super) fn switch_tab(&mut self, tab: Tab) {
        if !self.tabs().contains(&tab) {
            return;
        }
        self.tab = tab;
        self.detail_zoomed = false;
        match tab {
            Tab::Trash => self.reload_trash(),
            Tab::Dashboard => self.reload_dashboard(),
            Tab::CheckIn => {
                let request = self.check_in.status_request();
                self.send(request);
            }
            Tab::List(kind) => {
                let page_rows = self.size.page_rows;
                let view = self.lists.get_mut(kind);
                if view.loading {
                    return;
                }
                if !view.loaded_once() {
                    let requests = view.first_page(page_rows);
                    self.send_all(requests);
                } else if view.stale {
                    view.stale = false;
                    let requests = view.reload(page_rows);
                    self.send_all(requests);
                }
            }
        }
    }
}
