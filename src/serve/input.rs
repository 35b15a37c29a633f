//! Keys from an SSH channel's bytes, turned into the key events the app takes (crossterm's, as
//! the local terminal gives them): text, control keys and the common navigation sequences
//! read directly; anything else by termwiz's terminal input parser, which keeps an escape
//! sequence split across packets until the rest arrives.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use termwiz::input::{InputEvent, InputParser, KeyCode as TermKey, Modifiers};

/// How long a lone Esc waits for the rest of a sequence before it counts as the Esc key.
pub const ESCAPE_WAIT: std::time::Duration = std::time::Duration::from_millis(30);

/// termwiz's parser is made when a packet needs it and let go when keys stop (see
/// [`KeyDecoder::rest`]): its table of escape sequences takes about 0.75 MB, too much to keep
/// for every idle session, and 0.7 ms of CPU to build, too much to spend on every session's
/// first key after a rest (200 sessions waking at once queued their keys behind 140 ms of
/// building). Packets of whole keys it is not needed for (text, Enter, Ctrl-letters, arrows,
/// paging, Home, End: nearly every key) are read without it.
#[derive(Default)]
pub struct KeyDecoder {
    parser: Option<InputParser>,
}

impl KeyDecoder {
    /// The keys in `bytes`; a sequence cut short is kept for the next call.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<KeyEvent> {
        // Once made, the parser reads every packet until the rest: it may hold the start of
        // a sequence this packet ends.
        if self.parser.is_none()
            && let Some(keys) = whole_keys(bytes)
        {
            return keys;
        }
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

/// Escape sequences read without termwiz's parser, each as its key: what xterm, tmux, screen,
/// PuTTY and the Linux console send for the keys used most, in normal and application
/// cursor mode.
const SEQUENCES: &[(&[u8], TermKey)] = &[
    (b"\x1b[A", TermKey::UpArrow),
    (b"\x1b[B", TermKey::DownArrow),
    (b"\x1b[C", TermKey::RightArrow),
    (b"\x1b[D", TermKey::LeftArrow),
    (b"\x1bOA", TermKey::ApplicationUpArrow),
    (b"\x1bOB", TermKey::ApplicationDownArrow),
    (b"\x1bOC", TermKey::ApplicationRightArrow),
    (b"\x1bOD", TermKey::ApplicationLeftArrow),
    (b"\x1b[5~", TermKey::PageUp),
    (b"\x1b[6~", TermKey::PageDown),
    (b"\x1b[H", TermKey::Home),
    (b"\x1b[F", TermKey::End),
    (b"\x1b[1~", TermKey::Home),
    (b"\x1b[4~", TermKey::End),
    (b"\x1b[2~", TermKey::Insert),
    (b"\x1b[3~", TermKey::Delete),
];

/// The keys of a packet made only of whole keys read without termwiz's parser (`None`
/// otherwise: an Esc, which may start a sequence the next packet ends; a sequence not in
/// `SEQUENCES`; a character cut between packets).
fn whole_keys(bytes: &[u8]) -> Option<Vec<KeyEvent>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' {
            let (sequence, key) = SEQUENCES
                .iter()
                .find(|(sequence, _)| rest.as_bytes().starts_with(sequence))?;
            keys.push(to_key(*key, Modifiers::NONE)?);
            rest = rest.get(sequence.len()..)?;
            continue;
        }
        // NUL (Ctrl-space) and 0x1c-0x1f have meanings of their own in termwiz's table; a C1
        // control (U+0080-U+009F) would pass `to_key`'s Ctrl-letter arithmetic as a letter.
        let termwiz_decides = c == '\0' || ('\u{1c}'..='\u{1f}').contains(&c);
        if termwiz_decides || ('\u{80}'..='\u{9f}').contains(&c) {
            return None;
        }
        keys.push(to_key(TermKey::Char(c), Modifiers::NONE)?);
        rest = &rest[c.len_utf8()..];
    }
    Some(keys)
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

    /// The keys termwiz's parser reads from `bytes` as the first packet of a session.
    fn through_termwiz(bytes: &[u8]) -> Vec<KeyEvent> {
        let mut keys = Vec::new();
        InputParser::new().parse(bytes, |event| keys.extend(to_keys(event)), true);
        keys
    }

    #[test]
    fn keys_read_without_termwiz_are_the_keys_termwiz_reads() {
        let mut packets: Vec<Vec<u8>> = SEQUENCES
            .iter()
            .map(|(sequence, _)| sequence.to_vec())
            .collect();
        packets.extend((0x01u8..=0x1a).chain(0x20..=0x7f).map(|byte| vec![byte]));
        packets.push("héllo wörld ✓ 日本 🎫".as_bytes().to_vec());
        packets.push(b"ab\x1b[6~c\r\x1bOA\x03".to_vec());
        for packet in packets {
            let read = whole_keys(&packet).unwrap_or_else(|| panic!("{packet:?} read directly"));
            assert!(!read.is_empty(), "{packet:?} gives keys");
            assert_eq!(read, through_termwiz(&packet), "{packet:?}");
        }
    }

    #[test]
    fn packets_that_may_not_be_whole_keys_go_to_termwiz() {
        for packet in [
            &b"\x1b"[..],
            b"\x1b[",
            b"\x1b[6",
            b"\x1bx",
            b"\x1b[1;5A",
            b"\x1b[200~pasted\x1b[201~",
            b"\xe2\x9c",
            b"\x00",
            b"a\x1b",
            "\u{85}".as_bytes(),
        ] {
            assert_eq!(whole_keys(packet), None, "{packet:?}");
        }
    }

    #[test]
    fn paging_keys_do_not_make_the_parser_and_what_follows_a_made_one_goes_through_it() {
        let mut decoder = KeyDecoder::default();
        assert_eq!(
            codes(&decoder.feed(b"\x1b[6~")),
            vec![(KeyCode::PageDown, KeyModifiers::NONE)]
        );
        assert!(decoder.parser.is_none(), "no parser for a paging key");
        assert!(decoder.feed(b"\x1b[1;5").is_empty(), "waits for the rest");
        assert!(decoder.parser.is_some());
        assert_eq!(
            codes(&decoder.feed(b"A")),
            vec![(KeyCode::Up, KeyModifiers::CONTROL)]
        );
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
