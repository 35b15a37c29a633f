//! The `/` filter prompt's state: one line of input, the error under it, recall of recent
//! filters. A filter that does not parse stays in the prompt with its error; nothing is sent.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::app::commands::{Command, Context, KeyMap};
use crate::app::form::is_typing;

/// How many filters each tab remembers.
pub const HISTORY_LEN: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct FilterPrompt {
    pub input: Input,
    pub error: Option<String>,
    /// Which remembered filter Up/Down has brought back (0 = the newest).
    recalled: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptAction {
    None,
    Close,
    /// Apply this text with the tab's filter language.
    Apply(String),
}

impl FilterPrompt {
    pub fn open(current: &str) -> Self {
        Self {
            input: Input::new(current.to_string()),
            error: None,
            recalled: None,
        }
    }

    /// A key in the prompt: a command of its key map, or typing. `history` is the tab's
    /// recent filters, newest last.
    pub fn handle_key(
        &mut self,
        key: &KeyEvent,
        keymap: &KeyMap,
        history: &[String],
    ) -> PromptAction {
        let command = if is_typing(key) {
            None
        } else {
            keymap.command_for(Context::Prompt, key)
        };
        match command {
            Some(Command::ClosePrompt) => PromptAction::Close,
            Some(Command::ApplyFilter) => PromptAction::Apply(self.input.value().to_string()),
            Some(Command::OlderFilter) => {
                self.recall(true, history);
                PromptAction::None
            }
            Some(Command::NewerFilter) => {
                self.recall(false, history);
                PromptAction::None
            }
            _ => {
                self.input.handle_event(&Event::Key(*key));
                self.error = None;
                PromptAction::None
            }
        }
    }

    fn recall(&mut self, older: bool, history: &[String]) {
        if history.is_empty() {
            return;
        }
        let next = match (self.recalled, older) {
            (None, true) => Some(0),
            (None, false) => None,
            (Some(n), true) => Some((n + 1).min(history.len() - 1)),
            (Some(0), false) => None,
            (Some(n), false) => Some(n - 1),
        };
        self.recalled = next;
        let text = next
            .and_then(|n| history.get(history.len() - 1 - n))
            .cloned()
            .unwrap_or_default();
        self.input = Input::new(text);
        self.error = None;
    }
}

/// Remembers `text` as the newest filter, once.
pub fn remember(history: &mut Vec<String>, text: &str) {
    if text.is_empty() {
        return;
    }
    history.retain(|old| old != text);
    history.push(text.to_string());
    if history.len() > HISTORY_LEN {
        history.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn enter_applies_what_was_typed_and_typing_clears_the_error() {
        let keymap = KeyMap::defaults();
        let mut prompt = FilterPrompt::open("status:lost");
        prompt.error = Some("unknown status `lost`".into());
        prompt.handle_key(&key(KeyCode::Backspace), &keymap, &[]);
        assert_eq!(prompt.error, None, "typing clears the error");
        let action = prompt.handle_key(&key(KeyCode::Enter), &keymap, &[]);
        assert_eq!(action, PromptAction::Apply("status:los".into()));
        assert_eq!(
            prompt.handle_key(&key(KeyCode::Esc), &keymap, &[]),
            PromptAction::Close
        );
    }

    #[test]
    fn up_and_down_recall_recent_filters() {
        let keymap = KeyMap::defaults();
        let mut history = Vec::new();
        for text in ["status:paid", "jazz", "status:paid"] {
            remember(&mut history, text);
        }
        assert_eq!(history, vec!["jazz".to_string(), "status:paid".into()]);
        let mut prompt = FilterPrompt::open("");
        prompt.handle_key(&key(KeyCode::Up), &keymap, &history);
        assert_eq!(prompt.input.value(), "status:paid");
        prompt.handle_key(&key(KeyCode::Up), &keymap, &history);
        assert_eq!(prompt.input.value(), "jazz");
        prompt.handle_key(&key(KeyCode::Up), &keymap, &history);
        assert_eq!(prompt.input.value(), "jazz", "stops at the oldest");
        prompt.handle_key(&key(KeyCode::Down), &keymap, &history);
        prompt.handle_key(&key(KeyCode::Down), &keymap, &history);
        assert_eq!(prompt.input.value(), "", "back to a blank line");
    }
}
