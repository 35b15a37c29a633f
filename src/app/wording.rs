//! The words the status bar says after a change: the data task answers with data, and these
//! say what it means.

use crate::data_task::{ActionDone, Saved};
use crate::db::model::count_of;
use crate::money::format_money;

pub fn action_done(done: &ActionDone) -> String {
    match done {
        ActionDone::CheckInUndone => "check-in undone".into(),
        ActionDone::DeletePreview { preview, .. } => {
            format!("{} would go to the trash", preview.describe())
        }
        ActionDone::Deleted(gone) => format!("moved {} to the trash", gone.describe()),
        ActionDone::Order(outcome) => format!(
            "order {} is {} ({} changed)",
            outcome.code,
            outcome.status.label(),
            count_of(outcome.tickets_changed, "ticket", "tickets")
        ),
        ActionDone::Restored(words) | ActionDone::Purged(words) => words.clone(),
    }
}

pub fn saved(saved: &Saved) -> String {
    match saved {
        Saved::Holder(holder) => format!("saved: holder is now {}", holder.holder_name),
        Saved::OrderNote(note) => format!("saved the note of order {}", note.code),
        Saved::Event {
            created: true,
            event,
        } => format!("created event “{}” (#{})", event.title, event.id),
        Saved::Event { event, .. } => format!("saved event “{}”", event.title),
        Saved::TicketType {
            created: true,
            ticket_type,
        } => format!("created ticket type “{}”", ticket_type.name),
        Saved::TicketType { ticket_type, .. } => {
            format!("saved ticket type “{}”", ticket_type.name)
        }
        Saved::Sold { order, buyer } => format!(
            "sold {}: {}, {} to {buyer}",
            order.code,
            count_of(order.ticket_codes.len() as i64, "ticket", "tickets"),
            format_money(order.total_cents, &order.currency)
        ),
        Saved::User {
            created: true,
            user,
        } => format!("created user {}", user.email),
        Saved::User { user, .. } => format!("saved user {}", user.email),
    }
}
