//! The list tabs (Events, Orders, Tickets): their commands (paging, sorting, drilling down
//! and back), and the `/` prompt of every tab, which applies its text with the tab's own
//! filter language.

use crossterm::event::KeyEvent;

use crate::app::commands::Command;
use crate::app::filter_prompt::{FilterPrompt, PromptAction, remember};
use crate::app::list_view::{ListView, Scope};
use crate::app::overlay::Overlay;
use crate::app::questions::order_action_of;
use crate::app::tab::Tab;
use crate::app::{App, BackEntry};
use crate::data_task::Request;
use crate::db::filter::{Filter, parse};
use crate::db::listing::Parent;
use crate::db::model::{EntityKind, Row};

impl App {
    pub(super) fn run_list_command(&mut self, kind: EntityKind, command: Command) {
        let page_rows = self.size.page_rows;
        let loading = self.lists.get(kind).loading;
        match command {
            Command::Delete => self.ask_delete(kind),
            Command::Edit => self.open_edit_form(kind),
            Command::New => self.open_new_form(kind),
            Command::TicketTypes => self.open_ticket_types(kind),
            Command::Users => self.open_users(),
            Command::MarkPaid | Command::CancelOrder | Command::Refund | Command::Reactivate => {
                if let Some(action) = order_action_of(command) {
                    self.ask_order_action(kind, action);
                }
            }
            Command::Down => self.move_selection(kind, true),
            Command::Up => self.move_selection(kind, false),
            // A page key pressed while a page is still coming counts from that page: it is
            // kept and applied when the page arrives (held-down PgDn walks on, page by page).
            Command::NextPage if loading => self.lists.get_mut(kind).queued_pages += 1,
            Command::PreviousPage if loading => self.lists.get_mut(kind).queued_pages -= 1,
            Command::NextPage => {
                let request = self.lists.get_mut(kind).next_page(page_rows);
                self.send_or_say(request, "this is the last page");
            }
            Command::PreviousPage => {
                let request = self.lists.get_mut(kind).previous_page(page_rows, false);
                self.send_or_say(request, "this is the first page");
            }
            Command::FirstPage => {
                let requests = self.lists.get_mut(kind).first_page(page_rows);
                self.send_all(requests);
            }
            Command::LastPage => {
                let request = self.lists.get_mut(kind).last_page(page_rows);
                self.send(request);
            }
            Command::SortNextColumn => {
                self.lists.get_mut(kind).sort_next_column();
                self.reload_from_top(kind);
            }
            Command::ReverseSort => {
                self.lists.get_mut(kind).reverse_sort();
                self.reload_from_top(kind);
            }
            Command::Refresh => self.reload_shown(),
            Command::Open => self.open_selected(kind),
            Command::Filter => {
                let text = self.lists.get(kind).filter.text.clone();
                self.overlays
                    .open(Overlay::Prompt(FilterPrompt::open(&text)));
            }
            Command::Back if self.export.is_some() => self.cancel_export(),
            Command::Back => self.back(kind),
            Command::EventDashboard => self.open_event_dashboard(kind),
            Command::Export => self.start_export(kind),
            Command::Copy => self.copy_selected(kind),
            _ => {}
        }
    }

    fn send_or_say(&mut self, request: Option<Request>, otherwise: &str) {
        match request {
            Some(request) => self.send(request),
            None => self.flash_info(otherwise),
        }
    }

    fn reload_from_top(&mut self, kind: EntityKind) {
        let page_rows = self.size.page_rows;
        let requests = self.lists.get_mut(kind).first_page(page_rows);
        self.send_all(requests);
        let label = self.lists.get(kind).sort_label();
        self.flash_info(format!("sorted by {label}"));
    }

    /// A key in the `/` prompt. Enter applies the text with the tab's filter language; a
    /// filter that does not parse stays in the prompt with its reason, and nothing is sent.
    pub(super) fn handle_prompt_key(&mut self, key: &KeyEvent) {
        let tab = self.tab;
        let history = self.filter_history.get(&tab).cloned().unwrap_or_default();
        let Some(prompt) = self.overlays.prompt_mut() else {
            return;
        };
        match prompt.handle_key(key, &self.keymap, &history) {
            PromptAction::None => {}
            PromptAction::Close => {
                self.overlays.close_prompt();
            }
            PromptAction::Apply(text) => match self.apply_filter(&text) {
                Ok(applied) => {
                    self.overlays.close_prompt();
                    remember(self.filter_history.entry(tab).or_default(), &applied);
                }
                Err(reason) => {
                    if let Some(prompt) = self.overlays.prompt_mut() {
                        prompt.error = Some(reason);
                    }
                }
            },
        }
    }

    /// Parses `text` with the tab's filter language and shows the tab through it; says the
    /// filter's text as applied, or why it does not parse.
    fn apply_filter(&mut self, text: &str) -> Result<String, String> {
        match self.tab {
            Tab::List(kind) => {
                let mut filter = parse(kind, text).map_err(|error| error.0)?;
                filter.offset = Some(self.viewer_zone);
                let applied = filter.text.clone();
                self.set_filter(kind, filter);
                Ok(applied)
            }
            Tab::Trash => self.apply_trash_filter(text),
            Tab::CheckIn | Tab::Dashboard => Err("this tab has no filter".into()),
        }
    }

    /// Shows a list through `filter` (empty: unfiltered), from its first page.
    fn set_filter(&mut self, kind: EntityKind, filter: Filter) {
        let page_rows = self.size.page_rows;
        let view = self.lists.get_mut(kind);
        view.filter = filter;
        let requests = view.first_page(page_rows);
        self.send_all(requests);
    }

    /// Moves the selection; past either end of the page it turns the page.
    fn move_selection(&mut self, kind: EntityKind, down: bool) {
        let page_rows = self.size.page_rows;
        let view = self.lists.get_mut(kind);
        let request = if view.move_selection(down) {
            view.detail_request()
        } else if down {
            if view.at_bottom() {
                view.next_page(page_rows)
            } else {
                None
            }
        } else {
            view.previous_page(page_rows, true)
        };
        if let Some(request) = request {
            self.send(request);
        }
    }

    /// Enter: an event opens its orders, an order its tickets, a ticket its full detail.
    fn open_selected(&mut self, kind: EntityKind) {
        let Some(row) = self.lists.get(kind).selected_row().cloned() else {
            return;
        };
        let (target, scope) = match row {
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
        let mut view = ListView::new(target);
        view.scope = Some(scope);
        let previous = std::mem::replace(self.lists.get_mut(target), view);
        self.back_stack.push(BackEntry {
            tab: self.tab,
            view: previous,
        });
        self.tab = Tab::List(target);
        self.detail_zoomed = false;
        let page_rows = self.size.page_rows;
        let requests = self.lists.get_mut(target).first_page(page_rows);
        self.send_all(requests);
    }

    /// Esc: leaves the zoomed detail, clears the filter, or goes back from a drill-down.
    fn back(&mut self, kind: EntityKind) {
        if self.detail_zoomed {
            self.detail_zoomed = false;
            return;
        }
        if !self.lists.get(kind).filter.is_empty() {
            self.set_filter(kind, Filter::default());
            self.flash_info("filter cleared");
            return;
        }
        let Some(entry) = self.back_stack.pop() else {
            return;
        };
        let mut restored = entry.view;
        let reload = restored.loaded_once();
        restored.loading = false;
        *self.lists.get_mut(kind) = restored;
        if reload {
            // Its earlier requests were superseded while we were away: fetch it afresh.
            let page_rows = self.size.page_rows;
            let requests = self.lists.get_mut(kind).reload(page_rows);
            self.send_all(requests);
        }
        self.tab = entry.tab;
    }
}
