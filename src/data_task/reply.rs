//! What comes back from the data task: one reply type per slot, each carrying the data its
//! screen needs (the app words the messages), or the error as the UI shows it.

use crate::data_task::Slot;
use crate::db::auth::Actor;
use crate::db::check_in::{EventCounters, RecentScan, ScanOutcome};
use crate::db::count::RowCount;
use crate::db::dashboard::Dashboard;
use crate::db::detail::Detail;
use crate::db::edits::HolderName;
use crate::db::edits::events::EventRecord;
use crate::db::edits::orders::OrderNote;
use crate::db::edits::ticket_types::{EventTicketTypes, TicketTypeRecord};
use crate::db::edits::users::UserRecord;
use crate::db::listing::Page;
use crate::db::model::EntityKind;
use crate::db::sales::{ActionOutcome, SoldOrder};
use crate::db::trash::{Preview, Target, TrashEntry};
use crate::error::DataError;

/// The answer to one request, or why there is none.
pub type Outcome<T> = Result<T, DataErrorText>;

/// The answer of each slot, typed: a screen matches only the answers its slot can bring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    SignIn(Outcome<Actor>),
    Page(EntityKind, Outcome<Page>),
    Count(EntityKind, Outcome<RowCount>),
    /// Boxed: a detail with its related rows is much larger than the other answers.
    Detail(EntityKind, Outcome<Box<Detail>>),
    Scan(Outcome<ScanOutcome>),
    DoorStatus(Outcome<DoorStatus>),
    Action(Outcome<ActionDone>),
    Unlock(Outcome<()>),
    Trash(Outcome<Vec<TrashEntry>>),
    Form(Outcome<Loaded>),
    Save(Outcome<Saved>),
    Picker(Outcome<PickList>),
    /// Boxed: thirty days, the ticket types, the doors and the event list.
    Dashboard(Outcome<Box<Dashboard>>),
    Export(Outcome<ExportDone>),
}

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportDone {
    Finished {
        path: std::path::PathBuf,
        rows: u64,
    },
    /// Stopped at the user's word; the partial file is gone.
    Cancelled,
}

/// The Check-in screen's counters and the last scans at this terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorStatus {
    pub counters: Option<EventCounters>,
    pub recent: Vec<RecentScan>,
}

/// What a change of state did (or, for a delete, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionDone {
    CheckInUndone,
    /// What deleting would take with it, for the question.
    DeletePreview {
        target: Target,
        preview: Preview,
    },
    /// Moved to the trash, with what went with it.
    Deleted(Preview),
    Order(ActionOutcome),
    /// A batch is back; the words name it.
    Restored(String),
    /// A batch is gone for good; the words name it.
    Purged(String),
}

/// A row loaded to be edited, with the version a save is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Holder(HolderName),
    OrderNote(OrderNote),
    Event(EventRecord),
    TicketType(TicketTypeRecord),
    User(UserRecord),
}

/// A form's save that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Holder(HolderName),
    OrderNote(OrderNote),
    Event {
        created: bool,
        event: EventRecord,
    },
    TicketType {
        created: bool,
        ticket_type: TicketTypeRecord,
    },
    Sold {
        order: SoldOrder,
        buyer: String,
    },
    User {
        created: bool,
        user: UserRecord,
    },
}

/// A list to choose from before a form opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickList {
    Users(Vec<UserRecord>),
    /// An event's ticket types: for the picker, or (`for_sale`) to open the sale form.
    TicketTypes {
        types: EventTicketTypes,
        for_sale: bool,
    },
}

impl Reply {
    pub fn slot(&self) -> Slot {
        match self {
            Reply::SignIn(_) => Slot::SignIn,
            Reply::Page(kind, _) => Slot::Page(*kind),
            Reply::Count(kind, _) => Slot::Count(*kind),
            Reply::Detail(kind, _) => Slot::Detail(*kind),
            Reply::Scan(_) => Slot::Scan,
            Reply::DoorStatus(_) => Slot::DoorStatus,
            Reply::Action(_) => Slot::Action,
            Reply::Unlock(_) => Slot::Unlock,
            Reply::Trash(_) => Slot::Trash,
            Reply::Form(_) => Slot::Form,
            Reply::Save(_) => Slot::Save,
            Reply::Picker(_) => Slot::Picker,
            Reply::Dashboard(_) => Slot::Dashboard,
            Reply::Export(_) => Slot::Export,
        }
    }

    /// The reply of a request on `slot` that failed before it got an answer.
    pub fn failed(slot: Slot, error: DataErrorText) -> Self {
        match slot {
            Slot::SignIn => Reply::SignIn(Err(error)),
            Slot::Page(kind) => Reply::Page(kind, Err(error)),
            Slot::Count(kind) => Reply::Count(kind, Err(error)),
            Slot::Detail(kind) => Reply::Detail(kind, Err(error)),
            Slot::Scan => Reply::Scan(Err(error)),
            Slot::DoorStatus => Reply::DoorStatus(Err(error)),
            Slot::Action => Reply::Action(Err(error)),
            Slot::Unlock => Reply::Unlock(Err(error)),
            Slot::Trash => Reply::Trash(Err(error)),
            Slot::Form => Reply::Form(Err(error)),
            Slot::Save => Reply::Save(Err(error)),
            Slot::Picker => Reply::Picker(Err(error)),
            Slot::Dashboard => Reply::Dashboard(Err(error)),
            Slot::Export => Reply::Export(Err(error)),
        }
    }

    /// The error, when the request failed.
    pub fn error(&self) -> Option<&DataErrorText> {
        fn of<T>(outcome: &Outcome<T>) -> Option<&DataErrorText> {
            outcome.as_ref().err()
        }
        match self {
            Reply::SignIn(outcome) => of(outcome),
            Reply::Page(_, outcome) => of(outcome),
            Reply::Count(_, outcome) => of(outcome),
            Reply::Detail(_, outcome) => of(outcome),
            Reply::Scan(outcome) => of(outcome),
            Reply::DoorStatus(outcome) => of(outcome),
            Reply::Action(outcome) => of(outcome),
            Reply::Unlock(outcome) => of(outcome),
            Reply::Trash(outcome) => of(outcome),
            Reply::Form(outcome) => of(outcome),
            Reply::Save(outcome) => of(outcome),
            Reply::Picker(outcome) => of(outcome),
            Reply::Dashboard(outcome) => of(outcome),
            Reply::Export(outcome) => of(outcome),
        }
    }

    /// The user a sign-in admitted.
    pub fn signed_in(&self) -> Option<&Actor> {
        match self {
            Reply::SignIn(Ok(actor)) => Some(actor),
            _ => None,
        }
    }
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
    /// Whether lists are read from the replica now, and if not, why.
    Replica(crate::db::replica::ReplicaHealth),
    /// An export (the request of this generation) has written this many rows so far.
    ExportProgress {
        generation: u64,
        rows: u64,
    },
    /// The answer to the request of this generation.
    Reply {
        generation: u64,
        reply: Reply,
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

impl DataErrorText {
    /// The database could not be reached: `message` says so in words.
    pub fn unavailable(message: impl Into<String>) -> Self {
        DataErrorText {
            message: message.into(),
            fields: Vec::new(),
            conflict: false,
            unavailable: true,
        }
    }
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
