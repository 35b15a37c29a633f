//! The `/` filter prompt's state: one line of input, the error under it, recall of recent
//! filters. A filter that does not parse stays in the prompt with its error; nothing is sent.

use chrono::FixedOffset;
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::db::filter::{Filter, parse};
use crate::db::model::EntityKind;

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
    Apply(Filter),
}

impl FilterPrompt {
    /// Opens the prompt holding the filter in force, so it can be refined.
    pub fn open(current: &str) -> Self {
        Self {
            input: Input::new(current.to_string()),
            error: None,
            recalled: None,
        }
    }

    pub fn handle_key(
        &mut self,
        key: &KeyEvent,
        kind: EntityKind,
        history: &[String],
        offset: FixedOffset,
    ) -> PromptAction {
        match key.code {
            KeyCode::Esc => PromptAction::Close,
            KeyCode::Enter => match parse(kind, self.input.value()) {
                Ok(mut filter) => {
                    filter.offset = Some(offset);
                    PromptAction::Apply(filter)
                }
                Err(error) => {
                    self.error = Some(error.0);
                    PromptAction::None
                }
            },
            KeyCode::Up | KeyCode::Down => {
                self.recall(key.code == KeyCode::Up, history);
                PromptAction::None
            }
            _ => {
                self.input.handle_event(&Event::Key(*key));
                self.error = None;
                PromptAction::None
            }
        }
    }

    /// Steps through `history` (newest last) like a shell.
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
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).expect("UTC")
    }

    #[test]
    fn a_bad_filter_stays_with_its_error() {
        let mut prompt = FilterPrompt::open("status:lost");
        let action = prompt.handle_key(&key(KeyCode::Enter), EntityKind::Order, &[], utc());
        assert_eq!(action, PromptAction::None);
        assert_eq!(prompt.error.as_deref(), Some("unknown status `lost`"));
        prompt.handle_key(&key(KeyCode::Backspace), EntityKind::Order, &[], utc());
        assert_eq!(prompt.error, None, "typing clears the error");
    }

    #[test]
    fn up_and_down_recall_recent_filters() {
        let mut history = Vec::new();
        for text in ["status:paid", "jazz", "status:paid"] {
            remember(&mut history, text);
        }
        assert_eq!(history, vec!["jazz".to_string(), "status:paid".into()]);
        let mut prompt = FilterPrompt::open("");
        prompt.handle_key(&key(KeyCode::Up), EntityKind::Order, &history, utc());
        assert_eq!(prompt.input.value(), "status:paid");
        prompt.handle_key(&key(KeyCode::Up), EntityKind::Order, &history, utc());
        assert_eq!(prompt.input.value(), "jazz");
        prompt.handle_key(&key(KeyCode::Up), EntityKind::Order, &history, utc());
        assert_eq!(prompt.input.value(), "jazz", "stops at the oldest");
        prompt.handle_key(&key(KeyCode::Down), EntityKind::Order, &history, utc());
        prompt.handle_key(&key(KeyCode::Down), EntityKind::Order, &history, utc());
        assert_eq!(prompt.input.value(), "", "back to a blank line");
    }
}
