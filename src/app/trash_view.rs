//! The Trash tab and the confirmations of changes: delete (naming what goes with it), order
//! actions, restore and purge. Nothing changes until the user says yes.

use crate::app::filter_prompt::remember;
use crate::app::list_view::Loadable;
use crate::app::{App, TRASH_TAB};
use crate::data_task::{Answer, DataErrorText, Request};
use crate::db::auth::Role;
use crate::db::detail::Detail;
use crate::db::model::{Row, TicketStatus, count_of};
use crate::db::permissions::Write;
use crate::db::sales::OrderAction;
use crate::db::trash::{Target, TrashEntry, TrashFilter, parse_filter};

#[derive(Debug, Clone, Default)]
pub struct TrashView {
    pub entries: Vec<TrashEntry>,
    pub selected: usize,
    pub filter: TrashFilter,
    pub loading: bool,
    pub error: Option<String>,
    pub waiting: Option<u64>,
    pub history: Vec<String>,
}

/// A change waiting for a yes.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub question: String,
    pub request: Request,
}

impl App {
    /// Whether the signed-in user has a trash (DESIGN.md "Roles").
    pub fn has_trash(&self) -> bool {
        self.actor.as_ref().is_some_and(|actor| {
            matches!(actor.role, Role::Admin | Role::Organizer | Role::Support)
        })
    }

    pub fn on_trash(&self) -> bool {
        self.active_tab == TRASH_TAB
    }

    pub(super) fn open_trash(&mut self) {
        self.active_tab = TRASH_TAB;
        self.detail_zoomed = false;
        self.reload_trash();
    }

    pub(super) fn reload_trash(&mut self) {
        self.trash.loading = true;
        let filter = self.trash.filter.clone();
        self.send(Request::Trash(filter));
    }

    pub(super) fn move_trash_selection(&mut self, down: bool) {
        let last = self.trash.entries.len().saturating_sub(1);
        self.trash.selected = if down {
            (self.trash.selected + 1).min(last)
        } else {
            self.trash.selected.saturating_sub(1)
        };
    }

    /// Applies the trash prompt's text, or explains what is wrong with it.
    pub(super) fn apply_trash_filter(&mut self, text: &str) -> Result<(), String> {
        let filter = parse_filter(text, self.time_offset).map_err(|error| error.0)?;
        remember(&mut self.trash.history, &filter.text);
        self.trash.filter = filter;
        self.trash.selected = 0;
        self.reload_trash();
        Ok(())
    }

    pub(super) fn ask_restore(&mut self, purge: bool) {
        let Some(entry) = self.trash.entries.get(self.trash.selected) else {
            self.flash_info("the trash is empty");
            return;
        };
        let (what, batch) = (entry.contents().describe(), entry.id);
        if purge && !self.may(Write::Purge) {
            return;
        }
        self.confirm = Some(if purge {
            Confirm {
                question: format!("Purge {what} for good? This cannot be undone."),
                request: Request::Purge { batch },
            }
        } else {
            Confirm {
                question: format!("Restore {what}?"),
                request: Request::Restore { batch },
            }
        });
    }

    /// `d` on a list: ask the data layer what would go, then ask the user.
    pub(super) fn ask_delete(&mut self) {
        let write = match self.view().selected_row() {
            Some(Row::Event(_)) => Write::ManageEvents,
            _ => Write::ManageOrders,
        };
        if !self.may(write) {
            return;
        }
        let target = match self.view().selected_row() {
            Some(Row::Event(event)) => Target::Event(event.id),
            Some(Row::Order(order)) => Target::Order(order.id),
            Some(Row::Ticket(ticket)) => Target::Ticket(ticket.id),
            None => return,
        };
        self.send(Request::PreviewDelete(target));
    }

    /// An order action on the selected order, with what it will do in the question.
    pub(super) fn ask_order_action(&mut self, action: OrderAction) {
        let Some(Row::Order(order)) = self.view().selected_row().cloned() else {
            self.flash_info("select an order first (Orders tab)");
            return;
        };
        // Refused at once what the data layer would refuse after the question: a role that
        // may not, or a step the lifecycle does not allow from this status.
        let write = if action == OrderAction::Cancel {
            Write::CancelOrder
        } else {
            Write::ManageOrders
        };
        if !self.may(write) {
            return;
        }
        if let Some(refusal) = action.refusal(&order.code, order.status) {
            self.flash_error(refusal);
            return;
        }
        // The counts come from the order's detail; before it has arrived the question says
        // what happens without numbers rather than a wrong 0.
        let tickets = match &self.view().detail {
            Loadable::Ready(Detail::Order(detail)) if detail.order.id == order.id => {
                let cancelled = detail
                    .tickets
                    .iter()
                    .filter(|t| t.status == TicketStatus::Cancelled)
                    .count() as i64;
                Some((detail.tickets.len() as i64 - cancelled, cancelled))
            }
            _ => None,
        };
        let void = |live: Option<i64>| match live {
            Some(n) => format!(
                "{} void, {} back on sale",
                count_of(n, "ticket", "tickets"),
                count_of(n, "seat", "seats")
            ),
            None => "its tickets void, their seats back on sale".to_string(),
        };
        let question = match action {
            OrderAction::MarkPaid => format!(
                "Mark order {} paid ({})?",
                order.code,
                crate::db::model::format_cents(order.total_cents)
            ),
            OrderAction::Cancel => format!(
                "Cancel order {}: {}?",
                order.code,
                void(tickets.map(|t| t.0))
            ),
            OrderAction::Refund => format!(
                "Refund order {}: {}?",
                order.code,
                void(tickets.map(|t| t.0))
            ),
            OrderAction::Reactivate => format!(
                "Reactivate order {}: {} valid again, if the seats are still free?",
                order.code,
                tickets.map_or("its tickets".to_string(), |t| count_of(
                    t.1, "ticket", "tickets"
                ))
            ),
        };
        self.confirm = Some(Confirm {
            question,
            request: Request::OrderAction {
                order_id: order.id,
                action,
            },
        });
    }

    /// y / Enter sends the change; anything else drops it.
    pub(super) fn answer_confirm(&mut self, yes: bool) {
        if let Some(confirm) = self.confirm.take() {
            if yes {
                self.send(confirm.request);
            } else {
                self.flash_info("nothing changed");
            }
        }
    }

    pub(super) fn handle_trash_reply(
        &mut self,
        generation: u64,
        result: Result<Answer, DataErrorText>,
    ) {
        if self.trash.waiting != Some(generation) {
            return;
        }
        self.trash.waiting = None;
        self.trash.loading = false;
        match result {
            Ok(Answer::Trash(entries)) => {
                self.trash.selected = self.trash.selected.min(entries.len().saturating_sub(1));
                self.trash.entries = entries;
                self.trash.error = None;
            }
            Err(error) => self.trash.error = Some(error.message),
            Ok(_) => {}
        }
    }

    /// A change went through (or not): say so, and refresh what shows it.
    pub(super) fn after_change(&mut self, result: Result<Answer, DataErrorText>) {
        match result {
            Ok(Answer::DeletePreview { target, preview }) => {
                self.confirm = Some(Confirm {
                    question: format!("Move {} to the trash?", preview.describe()),
                    request: Request::Delete(target),
                });
            }
            Ok(Answer::Done(message)) => {
                self.flash_info(message);
                if self.on_trash() {
                    self.reload_trash();
                } else if !self.on_check_in() {
                    let page_size = self.page_size;
                    let requests = self.view_mut().reload(page_size);
                    self.send_all(requests);
                    if let Some(detail) = self.view_mut().detail_request() {
                        self.send(detail);
                    }
                }
                for view in &mut self.tabs {
                    view.stale = true;
                }
            }
            Err(error) => self.flash_error(error.message),
            Ok(_) => {}
        }
    }

    pub(super) fn awaiting_trash(&mut self, generation: u64) {
        self.trash.waiting = Some(generation);
    }
}
