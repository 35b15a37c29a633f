//! Keys to commands and back. Default bindings come from `assets/keymap.toml`; the user's
//! config file may rebind any command. The help overlay is generated from the same map.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use crate::app::commands::{COMMANDS, Command, Context, config_name, info_of};
use crate::app::keys::Key;
use crate::error::ConfigError;

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// A line of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Heading(&'static str),
    Keys(String, &'static str),
    Blank,
}

#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: BTreeMap<Command, Vec<Key>>,
}

impl KeyMap {
    /// The defaults, with `overrides` (command name -> key specs) from the user's config.
    pub fn load(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, ConfigError> {
        let defaults: BTreeMap<String, Vec<String>> = toml::from_str(DEFAULT_KEYMAP)
            .map_err(|e| ConfigError::KeyMap(format!("built-in key map: {e}")))?;
        let mut bindings = BTreeMap::new();
        for (name, specs) in defaults.iter().chain(overrides.iter()) {
            let command = COMMANDS
                .iter()
                .find(|info| info.name == name)
                .map(|info| info.command)
                .ok_or_else(|| ConfigError::KeyMap(format!("unknown command `{name}`")))?;
            let keys = specs
                .iter()
                .map(|spec| Key::parse(spec))
                .collect::<Result<Vec<_>, _>>()?;
            bindings.insert(command, keys);
        }
        let map = KeyMap { bindings };
        map.check_conflicts()?;
        Ok(map)
    }

    pub fn defaults() -> Self {
        // The embedded key map is tested; failing here would be a build defect.
        Self::load(&BTreeMap::new()).unwrap_or(KeyMap {
            bindings: BTreeMap::new(),
        })
    }

    /// A key may do one thing per screen or dialog.
    fn check_conflicts(&self) -> Result<(), ConfigError> {
        let mut seen: BTreeMap<(Context, String), Command> = BTreeMap::new();
        for (command, keys) in &self.bindings {
            let contexts = info_of(*command).map_or(&[][..], |info| info.contexts);
            for key in keys {
                for context in contexts {
                    if let Some(other) = seen.insert((*context, key.label()), *command)
                        && other != *command
                    {
                        return Err(ConfigError::KeyMap(format!(
                            "key {} is bound to both {} and {}",
                            key.label(),
                            config_name(other),
                            config_name(*command)
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The command a key press means in a context.
    pub fn command_for(&self, context: Context, event: &KeyEvent) -> Option<Command> {
        let key = Key::from_event(event);
        self.bindings
            .iter()
            .filter(|(command, _)| {
                info_of(**command).is_some_and(|info| info.contexts.contains(&context))
            })
            .find(|(_, keys)| keys.contains(&key))
            .map(|(command, _)| *command)
    }

    /// Every key of a command, as the help writes them ("Down / j"); None when it has none.
    pub fn labels(&self, command: Command) -> Option<String> {
        let keys = self.bindings.get(&command)?;
        if keys.is_empty() {
            return None;
        }
        Some(keys.iter().map(Key::label).collect::<Vec<_>>().join(" / "))
    }

    /// The help lines of one context: its commands in help order with their keys. The five
    /// tab-by-number commands share one line (when each has keys), to keep the help short.
    pub fn help_lines(&self, context: Context) -> Vec<(String, &'static str)> {
        const TAB_NUMBERS: [Command; 5] = [
            Command::Tab1,
            Command::Tab2,
            Command::Tab3,
            Command::Tab4,
            Command::Tab5,
        ];
        let tab_keys: Option<Vec<String>> = TAB_NUMBERS
            .iter()
            .map(|command| self.labels(*command))
            .collect();
        let mut lines = Vec::new();
        for info in COMMANDS
            .iter()
            .filter(|info| info.contexts.contains(&context))
        {
            match (&tab_keys, TAB_NUMBERS.contains(&info.command)) {
                (Some(keys), true) => {
                    if info.command == Command::Tab1 {
                        lines.push((
                            keys.join(" "),
                            "tab: Events, Orders, Tickets, Check-in, Trash",
                        ));
                    }
                }
                _ => {
                    if let Some(keys) = self.labels(info.command) {
                        lines.push((keys, info.help));
                    }
                }
            }
        }
        lines
    }

    /// The whole help of a screen: its own keys first, then those of the dialogs it opens.
    pub fn help_text(&self, screen: Context, kiosk: bool) -> Vec<HelpLine> {
        let dialogs: &[Context] = match screen {
            Context::CheckIn if kiosk => &[Context::Unlock],
            Context::CheckIn => &[],
            Context::Trash => &[Context::Prompt, Context::Confirm],
            _ => &[
                Context::Prompt,
                Context::Form,
                Context::Picker,
                Context::Confirm,
            ],
        };
        let mut text = vec![HelpLine::Heading(screen.heading())];
        if screen == Context::CheckIn {
            text.push(HelpLine::Keys(
                "A-Z 0-9 -".into(),
                "type the code (a scanner types it, then Enter)",
            ));
        }
        for context in std::iter::once(screen).chain(dialogs.iter().copied()) {
            if context != screen {
                text.push(HelpLine::Blank);
                text.push(HelpLine::Heading(context.heading()));
            }
            text.extend(
                self.help_lines(context)
                    .into_iter()
                    .map(|(keys, help)| HelpLine::Keys(keys, help)),
            );
        }
        text
    }

    /// The first key of a command, for hints ("? help").
    pub fn first_key_label(&self, command: Command) -> Option<String> {
        self.bindings.get(&command)?.first().map(Key::label)
    }

    /// The first key of a command for a hint line; "(unbound)" when it has none.
    pub fn hint(&self, command: Command) -> String {
        self.first_key_label(command)
            .unwrap_or_else(|| "(unbound)".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn every_command_has_a_default_key() {
        let map = KeyMap::load(&BTreeMap::new()).expect("the built-in key map parses");
        for info in COMMANDS {
            assert!(
                map.bindings
                    .get(&info.command)
                    .is_some_and(|keys| !keys.is_empty()),
                "{} has no key",
                info.name
            );
        }
    }

    #[test]
    fn keys_match_presses_as_terminals_send_them() {
        let map = KeyMap::defaults();
        assert_eq!(
            map.command_for(
                Context::List,
                &press(KeyCode::Char('G'), KeyModifiers::SHIFT)
            ),
            Some(Command::LastPage)
        );
        assert_eq!(
            map.command_for(
                Context::List,
                &press(KeyCode::Char('g'), KeyModifiers::NONE)
            ),
            Some(Command::FirstPage)
        );
        assert_eq!(
            map.command_for(Context::List, &press(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Command::PreviousTab)
        );
        assert_eq!(
            map.command_for(
                Context::List,
                &press(KeyCode::Char('f'), KeyModifiers::CONTROL)
            ),
            Some(Command::NextPage)
        );
        assert_eq!(
            map.command_for(
                Context::List,
                &press(KeyCode::Char('f'), KeyModifiers::NONE)
            ),
            Some(Command::Refund),
            "plain f is not Ctrl-f"
        );
        assert_eq!(
            map.command_for(
                Context::CheckIn,
                &press(KeyCode::Char('q'), KeyModifiers::NONE)
            ),
            None,
            "letters type codes at the door"
        );
    }

    #[test]
    fn the_config_can_rebind_a_command() {
        let overrides = BTreeMap::from([("quit".to_string(), vec!["ctrl-q".to_string()])]);
        let map = KeyMap::load(&overrides).expect("valid override");
        assert_eq!(
            map.command_for(
                Context::List,
                &press(KeyCode::Char('q'), KeyModifiers::CONTROL)
            ),
            Some(Command::Quit)
        );
        assert_eq!(
            map.command_for(
                Context::List,
                &press(KeyCode::Char('q'), KeyModifiers::NONE)
            ),
            None
        );
    }

    #[test]
    fn bad_key_maps_are_refused_with_a_reason() {
        let unknown = BTreeMap::from([("fly".to_string(), vec!["x".to_string()])]);
        assert!(
            KeyMap::load(&unknown)
                .unwrap_err()
                .to_string()
                .contains("unknown command `fly`")
        );
        let bad_key = BTreeMap::from([("quit".to_string(), vec!["hyper-q".to_string()])]);
        assert!(
            KeyMap::load(&bad_key)
                .unwrap_err()
                .to_string()
                .contains("unknown key")
        );
        let clash = BTreeMap::from([("quit".to_string(), vec!["j".to_string()])]);
        assert!(
            KeyMap::load(&clash)
                .unwrap_err()
                .to_string()
                .contains("bound to both")
        );
    }
}
