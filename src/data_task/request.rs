//! What the UI asks of the data task: the requests, and the slot each answer comes back in.

use crate::db::check_in::Scan;
use crate::db::edits::HolderName;
use crate::db::edits::events::{EventDraft, EventRecord};
use crate::db::edits::orders::OrderNote;
use crate::db::edits::ticket_types::{TicketTypeDraft, TicketTypeRecord};
use crate::db::edits::users::{UserDraft, UserRecord};
use crate::db::filter::Filter;
use crate::db::listing::{ListQuery, Parent};
use crate::db::model::EntityKind;
use crate::db::sales::{BoxOfficeSale, OrderAction};
use crate::db::trash::{Target, TrashFilter};

/// A request and the ticket that says which answer is current. For each slot only the newest
/// request matters: the task cancels an older one still running, and the UI drops any answer
/// whose generation is not the one it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Page(EntityKind),
    Count(EntityKind),
    Detail(EntityKind),
    SignIn,
    /// Every scan is answered, never superseded: a person is waiting for each.
    Scan,
    DoorStatus,
    /// Changes of state (undo a check-in, ...): answered, never superseded.
    Action,
    Unlock,
    Trash,
    /// Loading a form's row.
    Form,
    /// Saving a form: answered, never superseded (a save dropped mid-commit is a save nobody
    /// knows the fate of).
    Save,
    /// The list of a picker (users found by a search, an event's ticket types).
    Picker,
    Dashboard,
    /// A CSV export; a newer request (the cancel) stops the one running.
    Export,
}

impl Slot {
    /// Whether a newer request for this slot makes an older one pointless.
    pub fn supersedes(self) -> bool {
        !matches!(self, Slot::Scan | Slot::Action | Slot::Save)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    SignIn {
        email: String,
        password: String,
        /// Where the attempt was made (the log of failed sign-ins names it).
        terminal: String,
    },
    Page(ListQuery),
    Count {
        kind: EntityKind,
        parent: Option<Parent>,
        filter: Filter,
    },
    Detail {
        kind: EntityKind,
        id: i64,
    },
    Scan(Scan),
    DoorStatus {
        event_id: Option<i64>,
        terminal: String,
    },
    UndoCheckIn {
        ticket_id: i64,
    },
    /// Checks the signed-in user's password (leaving a kiosk).
    Unlock {
        password: String,
        terminal: String,
    },
    /// What deleting would take with it, for the confirmation.
    PreviewDelete(Target),
    Delete(Target),
    OrderAction {
        order_id: i64,
        action: OrderAction,
    },
    Trash(TrashFilter),
    /// Opens a ticket's holder name for editing.
    LoadHolder {
        ticket_id: i64,
    },
    SaveHolder {
        loaded: HolderName,
        name: String,
    },
    Restore {
        batch: i64,
    },
    Purge {
        batch: i64,
    },
    LoadEvent {
        id: i64,
    },
    LoadOrderNote {
        id: i64,
    },
    SaveOrderNote {
        loaded: OrderNote,
        note: String,
    },
    /// Creates an event (`loaded` None) or saves over the version loaded.
    SaveEvent {
        loaded: Option<EventRecord>,
        draft: EventDraft,
    },
    /// An event's ticket types: for the picker, or to open the sale form.
    LoadTicketTypes {
        event_id: i64,
        for_sale: bool,
    },
    LoadTicketType {
        id: i64,
    },
    SaveTicketType {
        event_id: i64,
        loaded: Option<TicketTypeRecord>,
        draft: TicketTypeDraft,
    },
    Sell(BoxOfficeSale),
    SearchUsers {
        text: String,
    },
    LoadUser {
        id: i64,
    },
    SaveUser {
        loaded: Option<UserRecord>,
        draft: UserDraft,
    },
    /// Exports a list as shown to a new file at `path`, times in `offset`.
    Export {
        spec: crate::db::export::ExportSpec,
        path: std::path::PathBuf,
        offset: crate::zone::Tz,
    },
    /// Stops the export running and removes its file.
    CancelExport,
    /// The dashboard of one event, or of everything the user may see; days in `offset`.
    Dashboard {
        event_id: Option<i64>,
        offset: crate::zone::Tz,
        /// "Now", from the app's clock.
        now: chrono::DateTime<chrono::Utc>,
    },
}

impl Request {
    /// Whether this changes the database (so it is checked against the user as they are now).
    pub fn is_write(&self) -> bool {
        self.is_form_save()
            || matches!(
                self,
                Request::Scan(_)
                    | Request::UndoCheckIn { .. }
                    | Request::Delete(_)
                    | Request::OrderAction { .. }
                    | Request::Restore { .. }
                    | Request::Purge { .. }
            )
    }

    /// Whether this saves a form (as opposed to loading one).
    pub fn is_form_save(&self) -> bool {
        matches!(
            self,
            Request::SaveHolder { .. }
                | Request::SaveOrderNote { .. }
                | Request::SaveEvent { .. }
                | Request::SaveTicketType { .. }
                | Request::Sell(_)
                | Request::SaveUser { .. }
        )
    }

    pub fn slot(&self) -> Slot {
        match self {
            Request::SignIn { .. } => Slot::SignIn,
            Request::Page(query) => Slot::Page(query.kind),
            Request::Count { kind, .. } => Slot::Count(*kind),
            Request::Detail { kind, .. } => Slot::Detail(*kind),
            Request::Scan(_) => Slot::Scan,
            Request::DoorStatus { .. } => Slot::DoorStatus,
            Request::UndoCheckIn { .. }
            | Request::PreviewDelete(_)
            | Request::Delete(_)
            | Request::OrderAction { .. }
            | Request::Restore { .. }
            | Request::Purge { .. } => Slot::Action,
            Request::Unlock { .. } => Slot::Unlock,
            Request::Trash(_) => Slot::Trash,
            Request::LoadHolder { .. }
            | Request::LoadOrderNote { .. }
            | Request::LoadEvent { .. }
            | Request::LoadTicketType { .. }
            | Request::LoadUser { .. } => Slot::Form,
            Request::SaveHolder { .. }
            | Request::SaveOrderNote { .. }
            | Request::SaveEvent { .. }
            | Request::SaveTicketType { .. }
            | Request::Sell(_)
            | Request::SaveUser { .. } => Slot::Save,
            Request::LoadTicketTypes { .. } | Request::SearchUsers { .. } => Slot::Picker,
            Request::Dashboard { .. } => Slot::Dashboard,
            Request::Export { .. } | Request::CancelExport => Slot::Export,
        }
    }
}

/// A request as sent: its generation, unique and increasing within one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub generation: u64,
    pub request: Request,
}
