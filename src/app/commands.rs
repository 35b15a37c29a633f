//! The one registry of commands: key handling and the help screen both read it, so the help
//! can never disagree with the keys. Default bindings come from `assets/keymap.toml`; the
//! user's config file may rebind any command.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

pub use crate::app::keys::Key;

use crate::error::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    NextTab,
    PreviousTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
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
    CheckIn,
    ClearCode,
    UndoLastAdmission,
    Tab5,
    Delete,
    MarkPaid,
    CancelOrder,
    Refund,
    Reactivate,
    Restore,
    Purge,
    Edit,
    New,
    TicketTypes,
    Users,
}

/// Where a command applies. On the Check-in screen letters and digits type the code, so its
/// commands are on keys that cannot be part of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    List,
    CheckIn,
    Trash,
}

const LIST: &[Context] = &[Context::List];
const TABLES: &[Context] = &[Context::List, Context::Trash];
const ALL: &[Context] = &[Context::List, Context::CheckIn, Context::Trash];
const DOOR: &[Context] = &[Context::CheckIn];
const TRASH: &[Context] = &[Context::Trash];

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

/// Every command with its config name, help text and screens, in help order.
pub const COMMANDS: &[CommandInfo] = &[
    info(Command::NextTab, "next_tab", "next tab", ALL),
    info(Command::PreviousTab, "previous_tab", "previous tab", ALL),
    info(Command::Tab1, "tab_1", "Events tab", TABLES),
    info(Command::Tab2, "tab_2", "Orders tab", TABLES),
    info(Command::Tab3, "tab_3", "Tickets tab", TABLES),
    info(Command::Tab4, "tab_4", "Check-in tab", TABLES),
    info(Command::Tab5, "tab_5", "Trash tab", TABLES),
    info(Command::Down, "down", "select the next row", TABLES),
    info(Command::Up, "up", "select the previous row", TABLES),
    info(Command::NextPage, "next_page", "next page", LIST),
    info(
        Command::PreviousPage,
        "previous_page",
        "previous page",
        LIST,
    ),
    info(Command::FirstPage, "first_page", "first page", LIST),
    info(Command::LastPage, "last_page", "last page", LIST),
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
        LIST,
    ),
    info(
        Command::Back,
        "back",
        "back (close help, leave a drill-down)",
        TABLES,
    ),
    info(Command::Refresh, "refresh", "refresh now", TABLES),
    info(
        Command::New,
        "new",
        "new: event (Events) · sale for the opened event (Orders)",
        LIST,
    ),
    info(
        Command::Edit,
        "edit",
        "edit: event (Events), note (Orders), holder name (Tickets)",
        LIST,
    ),
    info(
        Command::TicketTypes,
        "ticket_types",
        "the selected event's ticket types: edit, add, delete",
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
        "purge the selected batch for good (admins; asks first)",
        TRASH,
    ),
    info(
        Command::CheckIn,
        "check_in",
        "check the typed or scanned code in",
        DOOR,
    ),
    info(
        Command::ClearCode,
        "clear_code",
        "clear the code (and close help)",
        DOOR,
    ),
    info(
        Command::UndoLastAdmission,
        "undo_last_admission",
        "undo the last admission (admin, organizer)",
        DOOR,
    ),
    info(Command::Help, "help", "show or hide this help", ALL),
    info(Command::Quit, "quit", "quit (Ctrl-c always quits)", TABLES),
];

fn info_of(command: Command) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|info| info.command == command)
}

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Keys to commands, and back for the help screen.
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

    /// A key may do one thing per screen.
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

    /// The command a key press means on a screen.
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

    /// The help lines of a screen: its commands in help order with their keys. The five
    /// tab-by-number commands share one line (when each has keys), to keep the help short.
    pub fn help_lines(&self, context: Context) -> Vec<(String, &'static str)> {
        const TAB_NUMBERS: [Command; 5] = [
            Command::Tab1,
            Command::Tab2,
            Command::Tab3,
            Command::Tab4,
            Command::Tab5,
        ];
        let labels = |command: &Command| -> Option<String> {
            let keys = self.bindings.get(command)?;
            if keys.is_empty() {
                return None;
            }
            Some(keys.iter().map(Key::label).collect::<Vec<_>>().join(" / "))
        };
        let tab_keys: Option<Vec<String>> = TAB_NUMBERS.iter().map(labels).collect();
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
                    if let Some(keys) = labels(&info.command) {
                        lines.push((keys, info.help));
                    }
                }
            }
        }
        lines
    }

    /// The first key of a command, for hints ("? help").
    pub fn first_key_label(&self, command: Command) -> Option<String> {
        self.bindings.get(&command)?.first().map(Key::label)
    }
}

fn config_name(command: Command) -> &'static str {
    info_of(command).map_or("?", |info| info.name)
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
