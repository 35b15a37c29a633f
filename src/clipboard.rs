//! Copying to the clipboard of whoever is at the terminal, wherever that is: OSC 52 asks the
//! terminal emulator itself to set its clipboard, so it works over SSH and through tmux (with
//! `set -g set-clipboard on`), where a local clipboard tool would reach the wrong machine.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The escape sequence that puts `text` on the clipboard ("c").
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", STANDARD.encode(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_goes_base64_encoded_to_the_clipboard_selection() {
        assert_eq!(osc52("K7QF-ABCDE"), "\x1b]52;c;SzdRRi1BQkNERQ==\x07");
    }
}
