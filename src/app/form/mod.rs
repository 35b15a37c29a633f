//! Edit forms: labelled fields (tui-input), Tab/Shift-Tab (or Up/Down) between them, Enter on
//! the last field or Ctrl-s saves, Esc cancels (asking first when something changed), Ctrl-r
//! reloads an edited row after a conflict, keeping what was typed. A value that fails
//! validation says why next to its field and nothing is sent.
//!
//! `build.rs` makes the form of each kind of row; `submit.rs` turns the fields back into the
//! request that saves them.

mod build;
mod submit;

use crossterm::event::{Event, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::app::commands::{Command, Context, KeyMap};
use crate::data_task::{DataErrorText, Request};
use crate::db::edits::HolderName;
use crate::db::edits::events::EventRecord;
use crate::db::edits::orders::OrderNote;
use crate::db::edits::ticket_types::{EventTicketTypes, TicketTypeRecord};
use crate::db::edits::users::UserRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Typed, shown as dots (passwords).
    Secret,
    /// One of a few values, changed with Left/Right or Space.
    Choice(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The name the data layer uses for this field in its reasons.
    pub key: String,
    pub label: String,
    pub input: Input,
    /// The value as loaded: a field is changed when it differs.
    pub initial: String,
    pub kind: FieldKind,
    /// A hint shown beside the value (the format expected, what is sold, ...).
    pub hint: String,
    pub error: Option<String>,
}

impl Field {
    pub fn text(key: &str, label: &str, value: &str, hint: &str) -> Self {
        Self {
            key: key.to_string(),
            label: label.to_string(),
            input: Input::new(value.to_string()),
            initial: value.to_string(),
            kind: FieldKind::Text,
            hint: hint.to_string(),
            error: None,
        }
    }

    pub fn secret(key: &str, label: &str, hint: &str) -> Self {
        Self {
            kind: FieldKind::Secret,
            ..Self::text(key, label, "", hint)
        }
    }

    pub fn choice(key: &str, label: &str, value: &str, choices: &[&str]) -> Self {
        Self {
            kind: FieldKind::Choice(choices.iter().map(|c| c.to_string()).collect()),
            ..Self::text(key, label, value, "←/→ to change")
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    pub fn changed(&self) -> bool {
        self.input.value() != self.initial
    }

    fn cycle(&mut self, step: isize) {
        if let FieldKind::Choice(choices) = &self.kind {
            let at = choices
                .iter()
                .position(|c| c == self.input.value())
                .unwrap_or(0) as isize;
            let next = (at + step).rem_euclid(choices.len().max(1) as isize) as usize;
            if let Some(value) = choices.get(next) {
                self.input = Input::new(value.clone());
            }
        }
    }
}

/// What the form edits, with the version loaded (None: a new row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Holder(HolderName),
    OrderNote(OrderNote),
    Event(Option<EventRecord>),
    TicketType {
        event_id: i64,
        event_title: String,
        /// The event's clock, for the sales window.
        event_zone: crate::zone::Tz,
        /// The event's currency, which the price is in.
        event_currency: String,
        loaded: Option<TicketTypeRecord>,
    },
    Sale(EventTicketTypes),
    User(Option<UserRecord>),
}

/// Where a form stands with the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormState {
    /// Being typed in.
    Editing,
    /// A save is under way: the fields stay as sent.
    Saving,
    /// A fresh version of the row is being loaded (Ctrl-r): the fields stay as they are.
    Reloading,
    /// The last save could not reach the database: it is sent again, from the fields as they
    /// are then, once the database answers. The fields can still be changed.
    WaitingForDatabase,
    /// The last save was refused because the row changed: Ctrl-r reloads it.
    Conflict,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub purpose: Purpose,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Why the last save was refused, when it is not about one field.
    pub error: Option<String>,
    /// Esc was pressed with changes typed: a second Esc discards them.
    pub confirm_discard: bool,
    pub state: FormState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormAction {
    None,
    Close,
    Send(Box<Request>),
}

impl Form {
    fn new(title: String, purpose: Purpose, fields: Vec<Field>) -> Self {
        Self {
            title,
            purpose,
            fields,
            focus: 0,
            error: None,
            confirm_discard: false,
            state: FormState::Editing,
        }
    }

    /// Whether an answer is awaited (the fields stay as they are).
    pub fn is_busy(&self) -> bool {
        matches!(self.state, FormState::Saving | FormState::Reloading)
    }

    pub fn changed(&self) -> bool {
        self.fields.iter().any(Field::changed)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.key == key)
    }

    pub fn value(&self, key: &str) -> &str {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// A key typed into the form: a command of the form's key map, or typing into the field.
    /// Plain characters type, except that a choice field takes its own keys (Space).
    pub fn handle_key(
        &mut self,
        key: &KeyEvent,
        keymap: &KeyMap,
        offset: crate::zone::Tz,
    ) -> FormAction {
        let last = self.fields.len().saturating_sub(1);
        // While a save or reload is under way the fields stay as sent, and the form stays
        // open to show how it went (the statement timeout bounds the wait).
        if self.is_busy() {
            return FormAction::None;
        }
        let on_choice = self
            .fields
            .get(self.focus)
            .is_some_and(|field| matches!(field.kind, FieldKind::Choice(_)));
        let typing = is_typing(key) && !on_choice;
        let command = if typing {
            None
        } else {
            keymap.command_for(Context::Form, key)
        };
        if command == Some(Command::CancelForm) {
            if !self.changed() || self.confirm_discard {
                return FormAction::Close;
            }
            self.confirm_discard = true;
            return FormAction::None;
        }
        self.confirm_discard = false;
        match command {
            Some(Command::Save) => return self.save(offset),
            Some(Command::Reload) => return self.reload(),
            Some(Command::NextFieldOrSave) if self.focus >= last => return self.save(offset),
            Some(Command::NextFieldOrSave | Command::NextField) => {
                self.focus = (self.focus + 1).min(last)
            }
            Some(Command::PreviousField) => self.focus = self.focus.saturating_sub(1),
            Some(Command::NextChoice) if on_choice => self.cycle_focused(1),
            Some(Command::PreviousChoice) if on_choice => self.cycle_focused(-1),
            _ => {
                if let Some(field) = self.fields.get_mut(self.focus)
                    && !matches!(field.kind, FieldKind::Choice(_))
                {
                    field.input.handle_event(&Event::Key(*key));
                }
            }
        }
        FormAction::None
    }

    fn cycle_focused(&mut self, step: isize) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.cycle(step);
        }
    }

    fn save(&mut self, offset: crate::zone::Tz) -> FormAction {
        for field in &mut self.fields {
            field.error = None;
        }
        self.error = None;
        match self.request(offset) {
            Ok(request) => FormAction::Send(Box::new(request)),
            Err(errors) => {
                self.show_errors(&errors);
                FormAction::None
            }
        }
    }

    fn reload(&mut self) -> FormAction {
        let request = match &self.purpose {
            Purpose::Holder(loaded) => Request::LoadHolder {
                ticket_id: loaded.ticket_id,
            },
            Purpose::OrderNote(loaded) => Request::LoadOrderNote { id: loaded.id },
            Purpose::Event(Some(loaded)) => Request::LoadEvent { id: loaded.id },
            Purpose::TicketType {
                loaded: Some(loaded),
                ..
            } => Request::LoadTicketType { id: loaded.id },
            Purpose::User(Some(loaded)) => Request::LoadUser { id: loaded.id },
            Purpose::Sale(types) => Request::LoadTicketTypes {
                event_id: types.event_id,
                for_sale: true,
            },
            _ => return FormAction::None,
        };
        FormAction::Send(Box::new(request))
    }

    /// Puts each reason next to its field; the rest (and a summary) under the form.
    pub fn show_errors(&mut self, errors: &DataErrorText) {
        let mut general = Vec::new();
        for (key, message) in &errors.fields {
            match self.fields.iter_mut().find(|field| &field.key == key) {
                Some(field) => field.error = Some(message.clone()),
                None => general.push(message.clone()),
            }
        }
        if let Some(first) = self.fields.iter().position(|field| field.error.is_some()) {
            self.focus = first;
        }
        self.error = if errors.fields.is_empty() {
            Some(errors.message.clone())
        } else if general.is_empty() {
            None
        } else {
            Some(general.join("; "))
        };
        self.state = if errors.conflict {
            FormState::Conflict
        } else {
            FormState::Editing
        };
    }

    /// Takes a freshly loaded version of the row: fields the user did not change show the new
    /// values, fields they changed keep what they typed, and the next save is based on the
    /// new version.
    pub fn rebase(&mut self, fresh: Form) {
        let typed: Vec<(String, String)> = self
            .fields
            .iter()
            .filter(|field| field.changed())
            .map(|field| (field.key.clone(), field.value().to_string()))
            .collect();
        let focus = self.focus;
        *self = fresh;
        self.focus = focus.min(self.fields.len().saturating_sub(1));
        for (key, value) in typed {
            if let Some(field) = self.fields.iter_mut().find(|field| field.key == key) {
                field.input = Input::new(value);
            }
        }
    }
}

/// A plain character (no Ctrl or Alt): in a field it types.
pub fn is_typing(key: &KeyEvent) -> bool {
    matches!(key.code, crossterm::event::KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

#[cfg(test)]
mod tests;
