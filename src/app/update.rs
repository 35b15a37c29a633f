//! How the app answers events: keys become commands (through the key map), data-task answers
//! are matched to the requests that are still current, and everything else is dropped.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::commands::{Command, Context};
use crate::app::filter_prompt::{FilterPrompt, PromptAction, remember};
use crate::app::list_view::{ListView, Scope};
use crate::app::sign_in::SignInAction;
use crate::app::{App, BackEntry, CHECK_IN_TAB, Screen, TABS, TRASH_TAB};
use crate::data_task::Request;
use crate::db::filter::Filter;
use crate::db::listing::Parent;
use crate::db::model::{EntityKind, Row};
use crate::db::sales::OrderAction;
use crate::event::AppEvent;

const RETRY_EVERY: Duration = Duration::from_secs(3);

impl App {
    pub fn handle_event(&mut self, event: AppEvent) {
        match event {
            AppEvent::Input(Event::Key(key)) if key.kind != KeyEventKind::Release => {
                self.handle_key(&key)
            }
            AppEvent::Input(Event::Resize(width, height)) => self.resize(width, height),
            AppEvent::Input(_) => {}
            AppEvent::Tick => self.tick(),
            AppEvent::Data(event) => self.handle_data(event),
            AppEvent::Terminate => self.should_quit = true,
        }
    }

    /// The terminal's size changed (or is first known): pages hold as many rows as fit.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        let rows = crate::ui::layout::table_rows(width, height);
        if rows != self.page_size {
            self.page_size = rows;
            if self.screen == Screen::Main && self.view().loaded_once() {
                let requests = self.view_mut().reload(rows);
                self.send_all(requests);
            }
        }
    }

    fn tick(&mut self) {
        self.spinner = self.spinner.wrapping_add(1);
        let now = Instant::now();
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
            && !self.view().loading
        {
            self.last_retry = Some(now);
            let page_size = self.page_size;
            let requests = self.view_mut().reload(page_size);
            self.send_all(requests);
        }
        self.resend_form_save();
    }

    fn handle_key(&mut self, key: &KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            if self.kiosk.is_some() && self.screen == Screen::Main {
                self.ask_to_unlock();
            } else {
                self.should_quit = true;
            }
            return;
        }
        match self.screen {
            Screen::SignIn => {
                if let SignInAction::Submit { email, password } = self.sign_in.handle_key(key) {
                    self.send(Request::SignIn { email, password });
                }
            }
            Screen::Main if self.form.is_some() => self.handle_form_key(key),
            Screen::Main if self.picker.is_some() => self.handle_picker_key(key),
            Screen::Main if self.confirm.is_some() => {
                let yes = matches!(
                    key.code,
                    KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y')
                );
                self.answer_confirm(yes);
            }
            Screen::Main if self.unlock.is_some() => self.handle_unlock_key(key),
            Screen::Main if self.on_check_in() => self.handle_check_in_key(key),
            Screen::Main if self.prompt.is_some() => self.handle_prompt_key(key),
            Screen::Main => match self.keymap.command_for(self.context(), key) {
                Some(command) => self.run_command(command),
                None if key.code == KeyCode::Esc => {}
                None => {
                    if let Some(help) = self.keymap.first_key_label(Command::Help) {
                        self.flash_info(format!("no command on that key; {help} lists the keys"));
                    }
                }
            },
        }
    }

    /// Which screen's keys apply.
    fn context(&self) -> Context {
        if self.on_trash() {
            Context::Trash
        } else {
            Context::List
        }
    }

    fn handle_prompt_key(&mut self, key: &KeyEvent) {
        if self.on_trash() && key.code == KeyCode::Enter {
            let text = self
                .prompt
                .as_ref()
                .map(|p| p.input.value().to_string())
                .unwrap_or_default();
            match self.apply_trash_filter(&text) {
                Ok(()) => self.prompt = None,
                Err(error) => {
                    if let Some(prompt) = self.prompt.as_mut() {
                        prompt.error = Some(error);
                    }
                }
            }
            return;
        }
        if self.on_trash() {
            let history = self.trash.history.clone();
            if let Some(prompt) = self.prompt.as_mut()
                && prompt.handle_key(key, EntityKind::Event, &history, self.time_offset)
                    == PromptAction::Close
            {
                self.prompt = None;
            }
            return;
        }
        let kind = self.view().kind;
        let history = self.filter_history.get(&kind).cloned().unwrap_or_default();
        let offset = self.time_offset;
        let Some(prompt) = self.prompt.as_mut() else {
            return;
        };
        match prompt.handle_key(key, kind, &history, offset) {
            PromptAction::None => {}
            PromptAction::Close => self.prompt = None,
            PromptAction::Apply(filter) => {
                self.prompt = None;
                remember(self.filter_history.entry(kind).or_default(), &filter.text);
                self.set_filter(filter);
            }
        }
    }

    /// Shows the current tab through `filter` (empty: unfiltered), from its first page.
    fn set_filter(&mut self, filter: Filter) {
        let page_size = self.page_size;
        let view = self.view_mut();
        view.filter = filter;
        let requests = view.first_page(page_size);
        self.send_all(requests);
    }

    fn run_command(&mut self, command: Command) {
        if self.help_open {
            // The help is modal: it closes on Back or Help, and quitting still works.
            match command {
                Command::Back | Command::Help => self.help_open = false,
                Command::Quit => self.should_quit = true,
                _ => {}
            }
            return;
        }
        if self.on_trash() {
            match command {
                Command::Down => return self.move_trash_selection(true),
                Command::Up => return self.move_trash_selection(false),
                Command::Refresh => return self.reload_trash(),
                Command::Filter => {
                    self.prompt = Some(FilterPrompt::open(&self.trash.filter.text));
                    return;
                }
                Command::Back => {
                    if !self.trash.filter.text.is_empty() {
                        self.trash.filter = Default::default();
                        self.reload_trash();
                        self.flash_info("filter cleared");
                    }
                    return;
                }
                _ => {}
            }
        }
        let page_size = self.page_size;
        match command {
            Command::Quit => self.should_quit = true,
            Command::Help => self.help_open = true,
            Command::NextTab => self.next_tab(true),
            Command::PreviousTab => self.next_tab(false),
            Command::Tab4 => self.switch_tab(CHECK_IN_TAB),
            Command::Tab5 => self.switch_tab(TRASH_TAB),
            Command::Delete => self.ask_delete(),
            Command::Edit => self.open_edit_form(),
            Command::New => self.open_new_form(),
            Command::TicketTypes => self.open_ticket_types(),
            Command::Users => self.open_users(),
            Command::MarkPaid => self.ask_order_action(OrderAction::MarkPaid),
            Command::CancelOrder => self.ask_order_action(OrderAction::Cancel),
            Command::Refund => self.ask_order_action(OrderAction::Refund),
            Command::Reactivate => self.ask_order_action(OrderAction::Reactivate),
            Command::Restore => self.ask_restore(false),
            Command::Purge => self.ask_restore(true),
            // Keys of the Check-in screen; they do nothing on a list.
            Command::CheckIn | Command::ClearCode | Command::UndoLastAdmission => {}
            Command::Tab1 => self.switch_tab(0),
            Command::Tab2 => self.switch_tab(1),
            Command::Tab3 => self.switch_tab(2),
            Command::Down => self.move_selection(true),
            Command::Up => self.move_selection(false),
            // A page key pressed while a page is still coming counts from that page: it is
            // kept and applied when the page arrives (held-down PgDn walks on, page by page).
            Command::NextPage if self.view().loading => self.view_mut().queued_pages += 1,
            Command::PreviousPage if self.view().loading => self.view_mut().queued_pages -= 1,
            Command::NextPage => {
                let request = self.view_mut().next_page(page_size);
                self.send_or_say(request, "this is the last page");
            }
            Command::PreviousPage => {
                let request = self.view_mut().previous_page(page_size, false);
                self.send_or_say(request, "this is the first page");
            }
            Command::FirstPage => {
                let request = self.view_mut().first_page(page_size);
                self.send_all(request);
            }
            Command::LastPage => {
                let request = self.view_mut().last_page(page_size);
                self.send(request);
            }
            Command::SortNextColumn => {
                self.view_mut().sort_next_column();
                self.reload_from_top();
            }
            Command::ReverseSort => {
                self.view_mut().reverse_sort();
                self.reload_from_top();
            }
            Command::Refresh => {
                let requests = self.view_mut().reload(page_size);
                self.send_all(requests);
                if let Some(detail) = self.view_mut().detail_request() {
                    self.send(detail);
                }
            }
            Command::Open => self.open_selected(),
            Command::Filter => {
                self.prompt = Some(FilterPrompt::open(&self.view().filter.text));
            }
            Command::Back => self.back(),
        }
    }

    fn send_or_say(&mut self, request: Option<Request>, otherwise: &str) {
        match request {
            Some(request) => self.send(request),
            None => self.flash_info(otherwise),
        }
    }

    fn reload_from_top(&mut self) {
        let page_size = self.page_size;
        let requests = self.view_mut().first_page(page_size);
        self.send_all(requests);
        let label = self.view().sort_label();
        self.flash_info(format!("sorted by {label}"));
    }

    pub(super) fn switch_tab(&mut self, index: usize) {
        if index == TRASH_TAB {
            if self.has_trash() && self.kiosk.is_none() {
                self.open_trash();
            }
            return;
        }
        if index == CHECK_IN_TAB {
            if self.may_check_in() {
                self.open_check_in();
            }
            return;
        }
        if index >= self.tabs.len() || self.kiosk.is_some() {
            return;
        }
        self.active_tab = index;
        self.detail_zoomed = false;
        if !self.view().loaded_once() && !self.view().loading {
            self.load_active_tab();
        } else if self.view().stale && !self.view().loading {
            self.view_mut().stale = false;
            let page_size = self.page_size;
            let requests = self.view_mut().reload(page_size);
            self.send_all(requests);
        }
    }

    pub(super) fn load_active_tab(&mut self) {
        let page_size = self.page_size;
        let requests = self.view_mut().first_page(page_size);
        self.send_all(requests);
    }

    /// Moves the selection; past either end of the page it turns the page.
    fn move_selection(&mut self, down: bool) {
        let page_size = self.page_size;
        if self.view_mut().move_selection(down) {
            self.request_detail();
            return;
        }
        let request = if down {
            self.view()
                .at_bottom()
                .then(|| self.view_mut().next_page(page_size))
                .flatten()
        } else {
            self.view_mut().previous_page(page_size, true)
        };
        if let Some(request) = request {
            self.send(request);
        }
    }

    fn request_detail(&mut self) {
        if let Some(request) = self.view_mut().detail_request() {
            self.send(request);
        }
    }

    /// Enter: an event opens its orders, an order its tickets, a ticket its full detail.
    fn open_selected(&mut self) {
        let Some(row) = self.view().selected_row().cloned() else {
            return;
        };
        let (target_kind, scope) = match row {
            Row::Event(event) => (
                EntityKind::Order,
                Scope {
                    parent: Parent::Event(event.id),
                    label: format!("event “{}”", event.title),
                },
            ),
            Row::Order(order) => (
                EntityKind::Ticket,
                Scope {
                    parent: Parent::Order(order.id),
                    label: format!("order {}", order.code),
                },
            ),
            Row::Ticket(_) => {
                self.detail_zoomed = !self.detail_zoomed;
                return;
            }
        };
        let Some(target) = TABS.iter().position(|(kind, _)| *kind == target_kind) else {
            return;
        };
        let mut view = ListView::new(target_kind);
        view.scope = Some(scope);
        let previous = std::mem::replace(&mut self.tabs[target], view);
        self.back_stack.push(BackEntry {
            tab: self.active_tab,
            view: previous,
        });
        self.active_tab = target;
        self.detail_zoomed = false;
        self.load_active_tab();
    }

    fn back(&mut self) {
        if self.detail_zoomed {
            self.detail_zoomed = false;
            return;
        }
        if !self.view().filter.is_empty() {
            self.set_filter(Filter::default());
            self.flash_info("filter cleared");
            return;
        }
        let Some(entry) = self.back_stack.pop() else {
            return;
        };
        let drilled = self.active_tab;
        let mut restored = entry.view;
        let reload = restored.loaded_once();
        restored.loading = false;
        self.tabs[drilled] = restored;
        if reload {
            // Its earlier requests were superseded while we were away: fetch it afresh.
            let page_size = self.page_size;
            let requests = self.tabs[drilled].reload(page_size);
            self.send_all(requests);
        }
        self.active_tab = entry.tab;
    }
}
