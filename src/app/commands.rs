//! The one registry of commands: every key of every screen and dialog is a command here, with
//! its config name, its help text and where it applies. Key handling and the help overlay
//! both read it (through [`KeyMap`]), so the help can never disagree with the keys, and any
//! key can be rebound in the config file.

pub use crate::app::keymap::KeyMap;
pub use crate::app::keys::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    // Tabs and tables.
    NextTab,
    PreviousTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Tab5,
    Tab6,
    Down,
    Up,
    NextPage,
    PreviousPage,
    FirstPage,
    LastPage,
    SortNextColumn,
    ReverseSort,
    Filter,
    Open,
    Back,
    Refresh,
    Help,
    Quit,
    New,
    Edit,
    TicketTypes,
    Users,
    Delete,
    MarkPaid,
    CancelOrder,
    Refund,
    Reactivate,
    Restore,
    Purge,
    EventDashboard,
    Export,
    Copy,
    // The door.
    CheckIn,
    ClearCode,
    UndoLastAdmission,
    // The filter prompt.
    ApplyFilter,
    ClosePrompt,
    OlderFilter,
    NewerFilter,
    // Forms.
    NextField,
    PreviousField,
    NextFieldOrSave,
    Save,
    Reload,
    CancelForm,
    NextChoice,
    PreviousChoice,
    // Pickers.
    PickNext,
    PickPrevious,
    PickOpen,
    PickNew,
    PickDelete,
    PickClose,
    // Questions.
    Yes,
    No,
    // The kiosk's lock.
    Unlock,
    StayLocked,
}

/// Where a command applies: a screen, or a dialog over it. On the Check-in screen letters and
/// digits type the code, so its commands are on keys that cannot be part of a code; in the
/// prompt, forms and the user search, plain characters type (a command bound to one there
/// is reached only with Ctrl or Alt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    List,
    CheckIn,
    Trash,
    Dashboard,
    Help,
    Prompt,
    Form,
    Picker,
    Confirm,
    Unlock,
}

impl Context {
    /// The heading of its keys in the help.
    pub fn heading(self) -> &'static str {
        match self {
            Context::List => "Events, Orders, Tickets",
            Context::CheckIn => "Check-in",
            Context::Trash => "Trash",
            Context::Dashboard => "Dashboard",
            Context::Help => "Help",
            Context::Prompt => "Filter prompt (/)",
            Context::Form => "Forms (n, e, a picker's row)",
            Context::Picker => "Pickers (t ticket types, u users)",
            Context::Confirm => "Questions (delete, order actions, trash)",
            Context::Unlock => "Leaving the kiosk (Ctrl-c)",
        }
    }
}

const LIST: &[Context] = &[Context::List];
const TABLES: &[Context] = &[Context::List, Context::Trash];
const SCREENS: &[Context] = &[Context::List, Context::Trash, Context::Dashboard];
const ALL: &[Context] = &[
    Context::List,
    Context::CheckIn,
    Context::Trash,
    Context::Dashboard,
];
const SCREENS_AND_HELP: &[Context] = &[
    Context::List,
    Context::Trash,
    Context::Dashboard,
    Context::Help,
];
const LIST_AND_HELP: &[Context] = &[Context::List, Context::Help];
const LIST_AND_DASHBOARD: &[Context] = &[Context::List, Context::Dashboard];
const ALL_AND_HELP: &[Context] = &[
    Context::List,
    Context::CheckIn,
    Context::Trash,
    Context::Dashboard,
    Context::Help,
];
const DOOR: &[Context] = &[Context::CheckIn];
const TRASH: &[Context] = &[Context::Trash];
const PROMPT: &[Context] = &[Context::Prompt];
const FORM: &[Context] = &[Context::Form];
const PICKER: &[Context] = &[Context::Picker];
const CONFIRM: &[Context] = &[Context::Confirm];
const UNLOCK: &[Context] = &[Context::Unlock];

pub struct CommandInfo {
    pub command: Command,
    /// The name in the key map and the config file.
    pub name: &'static str,
    pub help: &'static str,
    pub contexts: &'static [Context],
}

const fn info(
    command: Command,
    name: &'static str,
    help: &'static str,
    contexts: &'static [Context],
) -> CommandInfo {
    CommandInfo {
        command,
        name,
        help,
        contexts,
    }
}

/// Every command with its config name, help text and contexts, in help order. Help texts
/// stay within 58 characters, so the help reads whole at 80 columns.
pub const COMMANDS: &[CommandInfo] = &[
    info(Command::NextTab, "next_tab", "next tab", ALL),
    info(Command::PreviousTab, "previous_tab", "previous tab", ALL),
    info(Command::Tab1, "tab_1", "Events tab", SCREENS),
    info(Command::Tab2, "tab_2", "Orders tab", SCREENS),
    info(Command::Tab3, "tab_3", "Tickets tab", SCREENS),
    info(Command::Tab4, "tab_4", "Check-in tab", SCREENS),
    info(Command::Tab5, "tab_5", "Trash tab", SCREENS),
    info(Command::Tab6, "tab_6", "Dashboard tab", SCREENS),
    info(
        Command::Down,
        "down",
        "select the next row",
        SCREENS_AND_HELP,
    ),
    info(
        Command::Up,
        "up",
        "select the previous row",
        SCREENS_AND_HELP,
    ),
    info(Command::NextPage, "next_page", "next page", LIST_AND_HELP),
    info(
        Command::PreviousPage,
        "previous_page",
        "previous page",
        LIST_AND_HELP,
    ),
    info(
        Command::FirstPage,
        "first_page",
        "first page",
        LIST_AND_HELP,
    ),
    info(Command::LastPage, "last_page", "last page", LIST_AND_HELP),
    info(
        Command::SortNextColumn,
        "sort_next_column",
        "sort by the next column",
        LIST,
    ),
    info(
        Command::ReverseSort,
        "reverse_sort",
        "reverse the sort",
        LIST,
    ),
    info(
        Command::Filter,
        "filter",
        "filter / search this tab (Esc clears)",
        TABLES,
    ),
    info(
        Command::Open,
        "open",
        "open: event → orders, order → tickets, ticket → detail",
        LIST_AND_DASHBOARD,
    ),
    info(
        Command::Back,
        "back",
        "back (close help, leave a drill-down, stop an export)",
        SCREENS_AND_HELP,
    ),
    info(Command::Refresh, "refresh", "refresh now", SCREENS),
    info(
        Command::EventDashboard,
        "event_dashboard",
        "the selected event's dashboard",
        LIST,
    ),
    info(
        Command::Export,
        "export",
        "export the list as shown to CSV (Esc stops)",
        LIST,
    ),
    info(
        Command::Copy,
        "copy",
        "copy the selected order's or ticket's code (OSC 52)",
        LIST,
    ),
    info(
        Command::New,
        "new",
        "new: event (Events), sale for the opened event (Orders)",
        LIST,
    ),
    info(
        Command::Edit,
        "edit",
        "edit: event, order note, ticket holder name",
        LIST,
    ),
    info(
        Command::TicketTypes,
        "ticket_types",
        "the event's ticket types: edit, add, delete",
        LIST,
    ),
    info(
        Command::Users,
        "users",
        "users: find, edit, add (admins)",
        LIST,
    ),
    info(
        Command::Delete,
        "delete",
        "move the selected row to the trash (asks first)",
        LIST,
    ),
    info(
        Command::MarkPaid,
        "mark_paid",
        "order: mark paid (asks first)",
        LIST,
    ),
    info(
        Command::CancelOrder,
        "cancel_order",
        "order: cancel (asks first)",
        LIST,
    ),
    info(
        Command::Refund,
        "refund",
        "order: refund (asks first)",
        LIST,
    ),
    info(
        Command::Reactivate,
        "reactivate",
        "order: reactivate (asks first)",
        LIST,
    ),
    info(
        Command::Restore,
        "restore",
        "restore the selected batch (asks first)",
        TRASH,
    ),
    info(
        Command::Purge,
        "purge",
        "purge the batch for good (admins; asks first)",
        TRASH,
    ),
    info(
        Command::CheckIn,
        "check_in",
        "check the typed or scanned code in",
        DOOR,
    ),
    info(Command::ClearCode, "clear_code", "clear the code", DOOR),
    info(
        Command::UndoLastAdmission,
        "undo_last_admission",
        "undo the last admission (admin, organizer)",
        DOOR,
    ),
    info(
        Command::Help,
        "help",
        "show or hide this help",
        ALL_AND_HELP,
    ),
    info(
        Command::Quit,
        "quit",
        "quit (Ctrl-c always quits)",
        SCREENS_AND_HELP,
    ),
    info(
        Command::ApplyFilter,
        "apply_filter",
        "apply the filter",
        PROMPT,
    ),
    info(
        Command::ClosePrompt,
        "close_prompt",
        "close the prompt, keeping the filter",
        PROMPT,
    ),
    info(
        Command::OlderFilter,
        "older_filter",
        "recall an older filter",
        PROMPT,
    ),
    info(
        Command::NewerFilter,
        "newer_filter",
        "recall a newer filter",
        PROMPT,
    ),
    info(Command::NextField, "next_field", "next field", FORM),
    info(
        Command::PreviousField,
        "previous_field",
        "previous field",
        FORM,
    ),
    info(
        Command::NextFieldOrSave,
        "next_field_or_save",
        "next field; on the last field, save",
        FORM,
    ),
    info(Command::Save, "save", "save", FORM),
    info(
        Command::Reload,
        "reload",
        "reload the row after a conflict, keeping your changes",
        FORM,
    ),
    info(
        Command::CancelForm,
        "cancel_form",
        "cancel (asks first when something changed)",
        FORM,
    ),
    info(
        Command::NextChoice,
        "next_choice",
        "choice fields: next value",
        FORM,
    ),
    info(
        Command::PreviousChoice,
        "previous_choice",
        "choice fields: previous value",
        FORM,
    ),
    info(Command::PickNext, "pick_next", "next row", PICKER),
    info(
        Command::PickPrevious,
        "pick_previous",
        "previous row",
        PICKER,
    ),
    info(
        Command::PickOpen,
        "pick_open",
        "edit the row (the last row adds one)",
        PICKER,
    ),
    info(
        Command::PickNew,
        "pick_new",
        "add one (ticket types; users: the last row)",
        PICKER,
    ),
    info(
        Command::PickDelete,
        "pick_delete",
        "ticket type to the trash (asks first)",
        PICKER,
    ),
    info(Command::PickClose, "pick_close", "close", PICKER),
    info(Command::Yes, "yes", "yes: make the change", CONFIRM),
    info(
        Command::No,
        "no",
        "no: change nothing (any other key too)",
        CONFIRM,
    ),
    info(
        Command::Unlock,
        "unlock",
        "leave the kiosk (checks the password)",
        UNLOCK,
    ),
    info(
        Command::StayLocked,
        "stay_locked",
        "stay at the kiosk",
        UNLOCK,
    ),
];

pub fn info_of(command: Command) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|info| info.command == command)
}

pub fn config_name(command: Command) -> &'static str {
    info_of(command).map_or("?", |info| info.name)
}
