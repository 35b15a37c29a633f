//! A short list to choose from before a form opens: an event's ticket types (`t` on an
//! event), or users found by a search (`u`, admins). The last row makes a new one.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::app::commands::{Command, Context, KeyMap};
use crate::app::form::is_typing;
use crate::db::edits::ticket_types::EventTicketTypes;
use crate::db::edits::users::UserRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerItems {
    TicketTypes(EventTicketTypes),
    Users(Vec<UserRecord>),
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub items: PickerItems,
    /// What to search for (users only).
    pub search: Option<Input>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerAction {
    None,
    Close,
    /// The search text changed: find again.
    Search(String),
    /// Open the form of the row chosen; None makes a new one.
    Open(Option<usize>),
    /// Move the row chosen to the trash (after a confirmation).
    Delete(usize),
}

impl Picker {
    pub fn ticket_types(types: EventTicketTypes) -> Self {
        Self {
            items: PickerItems::TicketTypes(types),
            search: None,
            selected: 0,
        }
    }

    pub fn users() -> Self {
        Self {
            items: PickerItems::Users(Vec::new()),
            search: Some(Input::default()),
            selected: 0,
        }
    }

    pub fn title(&self) -> String {
        match &self.items {
            PickerItems::TicketTypes(types) => {
                format!("Ticket types of “{}”", types.event_title)
            }
            PickerItems::Users(_) => "Users".to_string(),
        }
    }

    /// How many rows there are before the "new" row.
    pub fn len(&self) -> usize {
        match &self.items {
            PickerItems::TicketTypes(types) => types.types.len(),
            PickerItems::Users(users) => users.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn new_label(&self) -> &'static str {
        match &self.items {
            PickerItems::TicketTypes(_) => "+ new ticket type",
            PickerItems::Users(_) => "+ new user",
        }
    }

    pub fn search_text(&self) -> &str {
        self.search.as_ref().map(Input::value).unwrap_or_default()
    }

    pub fn set_users(&mut self, users: Vec<UserRecord>) {
        self.items = PickerItems::Users(users);
        self.selected = self.selected.min(self.len());
    }

    /// A key in the picker: a command of its key map, or (in the user search) typing; while
    /// a search is `busy` the rows shown are the old ones, so none can be chosen.
    pub fn handle_key(&mut self, key: &KeyEvent, keymap: &KeyMap, busy: bool) -> PickerAction {
        let command = match &self.search {
            Some(_) if is_typing(key) => None,
            _ => keymap.command_for(Context::Picker, key),
        };
        match command {
            Some(Command::PickClose) => PickerAction::Close,
            Some(Command::PickNext) => {
                self.selected = (self.selected + 1).min(self.len());
                PickerAction::None
            }
            Some(Command::PickPrevious) => {
                self.selected = self.selected.saturating_sub(1);
                PickerAction::None
            }
            Some(Command::PickOpen) if busy => PickerAction::None,
            Some(Command::PickOpen) => {
                PickerAction::Open((self.selected < self.len()).then_some(self.selected))
            }
            Some(Command::PickNew) => PickerAction::Open(None),
            Some(Command::PickDelete)
                if self.selected < self.len()
                    && matches!(self.items, PickerItems::TicketTypes(_)) =>
            {
                PickerAction::Delete(self.selected)
            }
            _ => match self.search.as_mut() {
                Some(search) => {
                    let before = search.value().to_string();
                    search.handle_event(&Event::Key(*key));
                    if search.value() == before {
                        PickerAction::None
                    } else {
                        self.selected = 0;
                        PickerAction::Search(search.value().to_string())
                    }
                }
                None => PickerAction::None,
            },
        }
    }
}
