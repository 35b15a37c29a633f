//! Keys from an SSH channel's bytes: termwiz's terminal input parser, which keeps an escape
//! sequence split across packets until the rest arrives, turned into the key events the app
//! takes (crossterm's, as the local terminal gives them).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use termwiz::input::{InputEvent, InputParser, KeyCode as TermKey, Modifiers};

/// How long a lone Esc waits for the rest of a sequence before it counts as the Esc key.
pub const ESCAPE_WAIT: std::time::Duration = std::time::Duration::from_millis(30);

/// The parser is made when keys come and let go when they stop (see [`KeyDecoder::rest`]):
/// its table of escape sequences takes about 0.75 MB, too much to keep for every idle session.
#[derive(Default)]
pub struct KeyDecoder {
    parser: Option<InputParser>,
}

impl KeyDecoder {
    /// The keys in `bytes`; a sequence cut short is kept for the next call.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<KeyEvent> {
        let mut keys = Vec::new();
        self.parser.get_or_insert_with(InputParser::new).parse(
            bytes,
            |event| keys.extend(to_keys(event)),
            true,
        );
        keys
    }

    /// What was held back waiting for more (a lone Esc), now that no more came.
    pub fn flush(&mut self) -> Vec<KeyEvent> {
        let mut keys = Vec::new();
        if let Some(parser) = self.parser.as_mut() {
            parser.parse(&[], |event| keys.extend(to_keys(event)), false);
        }
        keys
    }

    /// Lets the parser go until the next key (call after [`KeyDecoder::flush`], when nothing
    /// is held back).
    pub fn rest(&mut self) {
        self.parser = None;
    }
}

fn to_keys(event: InputEvent) -> Vec<KeyEvent> {
    match event {
        InputEvent::Key(key) => to_key(key.key, key.modifiers).into_iter().collect(),
        // Pasted text types, character by character, as it would at a local terminal.
        InputEvent::Paste(text) => text
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
            .collect(),
        _ => Vec::new(),
    }
}

fn to_key(key: TermKey, modifiers: Modifiers) -> Option<KeyEvent> {
    let mut mods = KeyModifiers::NONE;
    if modifiers.contains(Modifiers::SHIFT) {
        mods |= KeyModifiers::SHIFT;
    }
    if modifiers.contains(Modifiers::ALT) {
        mods |= KeyModifiers::ALT;
    }
    if modifiers.contains(Modifiers::CTRL) {
        mods |= KeyModifiers::CONTROL;
    }
    let code = match key {
        TermKey::Char('\r' | '\n') => KeyCode::Enter,
        TermKey::Char('\t') if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        TermKey::Char('\t') => KeyCode::Tab,
        TermKey::Char('\u{7f}' | '\u{8}') => KeyCode::Backspace,
        TermKey::Char('\u{1b}') => KeyCode::Esc,
        TermKey::Char(c) if c.is_control() => {
            // Ctrl-a … Ctrl-z arrive as 0x01 … 0x1a.
            let letter = (c as u8).checked_add(b'a' - 1).map(char::from)?;
            mods |= KeyModifiers::CONTROL;
            KeyCode::Char(letter)
        }
        TermKey::Char(c) => KeyCode::Char(c),
        TermKey::Enter => KeyCode::Enter,
        TermKey::Escape => KeyCode::Esc,
        TermKey::Tab if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        TermKey::Tab => KeyCode::Tab,
        TermKey::Backspace => KeyCode::Backspace,
        TermKey::Delete => KeyCode::Delete,
        TermKey::Insert => KeyCode::Insert,
        TermKey::UpArrow | TermKey::ApplicationUpArrow => KeyCode::Up,
        TermKey::DownArrow | TermKey::ApplicationDownArrow => KeyCode::Down,
        TermKey::LeftArrow | TermKey::ApplicationLeftArrow => KeyCode::Left,
        TermKey::RightArrow | TermKey::ApplicationRightArrow => KeyCode::Right,
        TermKey::PageUp => KeyCode::PageUp,
        TermKey::PageDown => KeyCode::PageDown,
        TermKey::Home => KeyCode::Home,
        TermKey::End => KeyCode::End,
        TermKey::Function(n) => KeyCode::F(n),
        _ => return None,
    };
    if code == KeyCode::BackTab {
        mods |= KeyModifiers::SHIFT;
    }
    Some(KeyEvent::new(code, mods))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(keys: &[KeyEvent]) -> Vec<(KeyCode, KeyModifiers)> {
        keys.iter().map(|key| (key.code, key.modifiers)).collect()
    }

    #[test]
    fn a_sequence_split_across_packets_is_one_key() {
        let mut decoder = KeyDecoder::default();
        assert!(decoder.feed(b"\x1b[").is_empty(), "waits for the rest");
        assert_eq!(
            codes(&decoder.feed(b"6~")),
            vec![(KeyCode::PageDown, KeyModifiers::NONE)]
        );
        assert_eq!(
            codes(&decoder.feed(b"\x1b[A")),
            vec![(KeyCode::Up, KeyModifiers::NONE)]
        );
    }

    #[test]
    fn a_rested_decoder_reads_keys_again() {
        let mut decoder = KeyDecoder::default();
        decoder.feed(b"a");
        decoder.flush();
        decoder.rest();
        assert_eq!(
            codes(&decoder.feed(b"\x1b[B")),
            vec![(KeyCode::Down, KeyModifiers::NONE)]
        );
    }

    #[test]
    fn a_lone_escape_is_esc_once_no_more_comes() {
        let mut decoder = KeyDecoder::default();
        assert!(decoder.feed(b"\x1b").is_empty());
        assert_eq!(
            codes(&decoder.flush()),
            vec![(KeyCode::Esc, KeyModifiers::NONE)]
        );
    }

    #[test]
    fn control_keys_enter_and_text() {
        let mut decoder = KeyDecoder::default();
        let keys = decoder.feed(b"q\x03\r\x7f\t");
        assert_eq!(
            codes(&keys),
            vec![
                (KeyCode::Char('q'), KeyModifiers::NONE),
                (KeyCode::Char('c'), KeyModifiers::CONTROL),
                (KeyCode::Enter, KeyModifiers::NONE),
                (KeyCode::Backspace, KeyModifiers::NONE),
                (KeyCode::Tab, KeyModifiers::NONE),
            ]
        );
        let back_tab = decoder.feed(b"\x1b[Z");
        assert_eq!(
            codes(&back_tab),
            vec![(KeyCode::BackTab, KeyModifiers::SHIFT)]
        );
    }
}
