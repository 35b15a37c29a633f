//! The sign-in form's state.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// Longest input the fields take; anything longer is refused with a message, unsent.
const MAX_FIELD_CHARS: usize = 254;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Email,
    Password,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInAction {
    None,
    Submit { email: String, password: String },
}

#[derive(Debug, Default, Clone)]
pub struct SignInForm {
    pub email: Input,
    pub password: Input,
    pub focus: Option<Field>,
    pub error: Option<String>,
}

impl SignInForm {
    pub fn focus(&self) -> Field {
        self.focus.unwrap_or(Field::Email)
    }

    /// A key on the sign-in screen; while a sign-in is `busy` Enter sends nothing more.
    pub fn handle_key(&mut self, key: &KeyEvent, busy: bool) -> SignInAction {
        match key.code {
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                self.focus = Some(match self.focus() {
                    Field::Email => Field::Password,
                    Field::Password => Field::Email,
                });
            }
            KeyCode::Enter if self.focus() == Field::Email => self.focus = Some(Field::Password),
            KeyCode::Enter if busy => {}
            KeyCode::Enter => return self.submit(),
            _ => {
                let input = match self.focus() {
                    Field::Email => &mut self.email,
                    Field::Password => &mut self.password,
                };
                input.handle_event(&Event::Key(*key));
            }
        }
        SignInAction::None
    }

    fn submit(&mut self) -> SignInAction {
        let email = self.email.value().trim().to_string();
        let password = self.password.value().to_string();
        if email.is_empty() || password.is_empty() {
            self.error = Some("enter an email and a password".into());
            return SignInAction::None;
        }
        if email.chars().count() > MAX_FIELD_CHARS || password.chars().count() > MAX_FIELD_CHARS {
            self.error = Some(format!("at most {MAX_FIELD_CHARS} characters per field"));
            return SignInAction::None;
        }
        self.error = None;
        SignInAction::Submit { email, password }
    }

    pub fn refused(&mut self, message: String) {
        self.error = Some(message);
        self.password.reset();
        self.focus = Some(Field::Password);
    }
}
