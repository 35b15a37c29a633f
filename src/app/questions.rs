//! The questions before a change: delete (naming what goes with it), the order actions,
//! restore and purge. Nothing changes until the user says yes; a step the role or the
//! lifecycle does not allow is refused at the key press, before the question.

use crossterm::event::KeyEvent;

use crate::app::App;
use crate::app::commands::{Command, Context};
use crate::app::list_view::Loadable;
use crate::app::overlay::{Confirm, Overlay};
use crate::app::tab::Tab;
use crate::data_task::{ActionDone, Outcome, Request};
use crate::db::detail::Detail;
use crate::db::model::{EntityKind, Row, TicketStatus, count_of};
use crate::db::permissions::Write;
use crate::db::sales::OrderAction;
use crate::db::trash::Target;

/// The order action a command stands for.
pub(super) fn order_action_of(command: Command) -> Option<OrderAction> {
    match command {
        Command::MarkPaid => Some(OrderAction::MarkPaid),
        Command::CancelOrder => Some(OrderAction::Cancel),
        Command::Refund => Some(OrderAction::Refund),
        Command::Reactivate => Some(OrderAction::Reactivate),
        _ => None,
    }
}

impl App {
    fn ask(&mut self, question: String, request: Request) {
        self.overlays
            .open(Overlay::Confirm(Confirm { question, request }));
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
        if purge {
            self.ask(
                format!("Purge {what} for good? This cannot be undone."),
                Request::Purge { batch },
            );
        } else {
            self.ask(format!("Restore {what}?"), Request::Restore { batch });
        }
    }

    /// `d` on a list: ask the data layer what would go, then ask the user.
    pub(super) fn ask_delete(&mut self, kind: EntityKind) {
        let write = match kind {
            EntityKind::Event => Write::ManageEvents,
            EntityKind::Order | EntityKind::Ticket => Write::ManageOrders,
        };
        let target = match self.lists.get(kind).selected_row() {
            Some(Row::Event(event)) => Target::Event(event.id),
            Some(Row::Order(order)) => Target::Order(order.id),
            Some(Row::Ticket(ticket)) => Target::Ticket(ticket.id),
            None => return,
        };
        if self.may(write) {
            self.send(Request::PreviewDelete(target));
        }
    }

    /// An order action on the selected order, with what it will do in the question.
    pub(super) fn ask_order_action(&mut self, kind: EntityKind, action: OrderAction) {
        let view = self.lists.get(kind);
        let Some(Row::Order(order)) = view.selected_row().cloned() else {
            self.flash_info("select an order first (Orders tab)");
            return;
        };
        // The counts come from the order's detail; before it has arrived the question says
        // what happens without numbers rather than a wrong 0.
        let tickets = match &view.detail {
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
                crate::money::format_money(order.total_cents, &order.currency)
            ),
            OrderAction::Cancel => format!(
                "Cancel order {}: {}?",
                order.code,
                void(tickets.map(|t| t.0))
            ),
            OrderAction::Refund => format!(
                "Refund order {} ({}): {}?",
                order.code,
                crate::money::format_money(order.total_cents, &order.currency),
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
        self.ask(
            question,
            Request::OrderAction {
                order_id: order.id,
                action,
            },
        );
    }

    /// Yes sends the change; any other key drops it.
    pub(super) fn handle_confirm_key(&mut self, key: &KeyEvent) {
        let yes = self.keymap.command_for(Context::Confirm, key) == Some(Command::Yes);
        if let Some(confirm) = self.overlays.close_confirm() {
            if yes {
                self.send(confirm.request);
            } else {
                self.flash_info("nothing changed");
            }
        }
    }

    /// A change went through (or not): say so, and refresh what shows it. A delete's preview
    /// becomes the question.
    pub(super) fn after_change(&mut self, result: Outcome<ActionDone>) {
        match result {
            Ok(ActionDone::DeletePreview { target, preview }) => {
                self.ask(
                    format!("Move {} to the trash?", preview.describe()),
                    Request::Delete(target),
                );
            }
            Ok(done) => {
                self.flash_info(crate::app::wording::action_done(&done));
                if self.tab != Tab::CheckIn {
                    self.reload_shown();
                }
                for view in self.lists.iter_mut() {
                    view.stale = true;
                }
            }
            Err(error) => self.flash_error(error.message),
        }
    }
}
