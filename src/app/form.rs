//! The edit form: one field so far (a ticket's holder name). Enter or Ctrl-s saves, Esc
//! cancels (asking first when something was typed); a value that fails validation says why
//! under the field and nothing is sent; a save refused because the row changed meanwhile
//! says what changed.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::db::edits::{HolderName, validate_holder_name};

#[derive(Debug, Clone)]
pub struct EditForm {
    pub title: String,
    pub label: &'static str,
    pub input: Input,
    pub loaded: HolderName,
    pub error: Option<String>,
    /// Esc was pressed with changes typed: a second Esc discards them.
    pub confirm_discard: bool,
    pub waiting: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormAction {
    None,
    Close,
    Save(String),
}

impl EditForm {
    pub fn holder_name(code: &str, loaded: HolderName) -> Self {
        Self {
            title: format!("Holder of ticket {code}"),
            label: "Holder name",
            input: Input::new(loaded.holder_name.clone()),
            loaded,
            error: None,
            confirm_discard: false,
            waiting: None,
        }
    }

    pub fn changed(&self) -> bool {
        self.input.value() != self.loaded.holder_name
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> FormAction {
        let save = key.code == KeyCode::Enter
            || (key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL));
        if save {
            if self.waiting.is_some() {
                return FormAction::None;
            }
            return match validate_holder_name(self.input.value()) {
                Ok(name) => {
                    self.error = None;
                    FormAction::Save(name)
                }
                Err(error) => {
                    self.error = Some(error.to_string());
                    FormAction::None
                }
            };
        }
        if key.code == KeyCode::Esc {
            if !self.changed() || self.confirm_discard {
                return FormAction::Close;
            }
            self.confirm_discard = true;
            return FormAction::None;
        }
        self.confirm_discard = false;
        self.input.handle_event(&Event::Key(*key));
        FormAction::None
    }
}
