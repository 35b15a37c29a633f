//! A short list to choose from before a form opens: an event's ticket types (`t` on an
//! event), or users found by a search (`u`, admins). The last row makes a new one.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

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
    /// Generation of the list under way.
    pub waiting: Option<u64>,
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
            waiting: None,
        }
    }

    pub fn users() -> Self {
        Self {
            items: PickerItems::Users(Vec::new()),
            search: Some(Input::default()),
            selected: 0,
            waiting: None,
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

    pub fn handle_key(&mut self, key: &KeyEvent) -> PickerAction {
        match key.code {
            KeyCode::Esc => PickerAction::Close,
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(self.len());
                PickerAction::None
            }
            KeyCode::Up | KeyCode::BackTab => {
                self.selected = self.selected.saturating_sub(1);
                PickerAction::None
            }
            // While a search is under way the rows shown are the old ones: wait for the new.
            KeyCode::Enter if self.waiting.is_some() => PickerAction::None,
            KeyCode::Enter => {
                PickerAction::Open((self.selected < self.len()).then_some(self.selected))
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
                // Without a search, j/k move like in the tables.
                None => {
                    match key.code {
                        KeyCode::Char('j') => self.selected = (self.selected + 1).min(self.len()),
                        KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
                        KeyCode::Char('n') => return PickerAction::Open(None),
                        KeyCode::Char('d') if self.selected < self.len() => {
                            return PickerAction::Delete(self.selected);
                        }
                        _ => {}
                    }
                    PickerAction::None
                }
            },
        }
    }
}
