//! What the UI asks of the data task, and what comes back.

use crate::db::auth::Actor;
use crate::db::check_in::{EventCounters, RecentScan, Scan, ScanOutcome};
use crate::db::count::RowCount;
use crate::db::detail::Detail;
use crate::db::edits::HolderName;
use crate::db::edits::events::{EventDraft, EventRecord};
use crate::db::edits::orders::OrderNote;
use crate::db::edits::ticket_types::{EventTicketTypes, TicketTypeDraft, TicketTypeRecord};
use crate::db::edits::users::{UserDraft, UserRecord};
use crate::db::filter::Filter;
use crate::db::listing::{ListQuery, Page, Parent};
use crate::db::model::EntityKind;
use crate::db::sales::{BoxOfficeSale, OrderAction};
use crate::db::trash::{Preview, Target, TrashEntry, TrashFilter};
use crate::error::DataError;

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
        }
    }
}

/// A request as sent: its generation, unique and increasing within one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub generation: u64,
    pub request: Request,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    SignedIn(Actor),
    Page(Page),
    Count(RowCount),
    /// Boxed: a detail with its related rows is much larger than the other answers.
    Detail(Box<Detail>),
    Scanned(ScanOutcome),
    DoorStatus {
        counters: Option<EventCounters>,
        recent: Vec<RecentScan>,
    },
    /// A change of state went through; the words say what it did.
    Done(String),
    Unlocked,
    DeletePreview {
        target: Target,
        preview: Preview,
    },
    Trash(Vec<TrashEntry>),
    HolderLoaded(HolderName),
    HolderSaved(HolderName),
    EventLoaded(EventRecord),
    OrderNoteLoaded(OrderNote),
    TicketTypes {
        types: EventTicketTypes,
        for_sale: bool,
    },
    TicketTypeLoaded(TicketTypeRecord),
    Users(Vec<UserRecord>),
    UserLoaded(UserRecord),
    /// A form's save went through; the words say what was saved.
    Saved(String),
}

/// Everything the data task tells the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataEvent {
    /// Connecting: what is happening now (starting the built-in server, migrating, ...).
    Progress(String),
    Connected {
        label: String,
        built_in: bool,
    },
    ConnectFailed(String),
    /// Rows changed in these tables (by anyone). `reconnected`: the listener lost its
    /// connection, so changes may have been missed; reload what is shown.
    Changed {
        tables: Vec<String>,
        reconnected: bool,
    },
    Reply {
        slot: Slot,
        generation: u64,
        result: Result<Answer, DataErrorText>,
    },
}

/// A data error as the UI shows it (`DataError` is not `Clone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataErrorText {
    pub message: String,
    /// For a form: which field each reason belongs to.
    pub fields: Vec<(String, String)>,
    /// The save was based on a version someone else has changed since.
    pub conflict: bool,
    /// True when the database could not be reached (shown in the status bar, retried).
    pub unavailable: bool,
}

impl From<DataError> for DataErrorText {
    fn from(error: DataError) -> Self {
        DataErrorText {
            unavailable: matches!(error, DataError::Unavailable(_)),
            conflict: matches!(error, DataError::Conflict(_)),
            fields: match &error {
                DataError::Fields(errors) => errors
                    .0
                    .iter()
                    .map(|(field, message)| (field.clone(), message.clone()))
                    .collect(),
                _ => Vec::new(),
            },
            message: error.to_string(),
        }
    }
}
