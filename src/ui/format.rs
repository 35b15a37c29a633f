//! How values read on screen.

use crate::zone::Tz;
use chrono::{DateTime, Utc};

/// A time that is no event's, on the viewer's clock.
pub fn date_time(at: DateTime<Utc>, offset: Tz) -> String {
    at.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// An event's time on the event's own clock, with the zone's abbreviation for that date.
pub fn event_time(at: DateTime<Utc>, zone_name: &str) -> String {
    crate::zone::show(at, crate::zone::stored_zone(zone_name))
}

pub fn time(at: DateTime<Utc>, offset: Tz) -> String {
    at.with_timezone(&offset).format("%H:%M").to_string()
}

/// Replaces control characters so that text from the database cannot move the cursor or
/// change the terminal's state.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '�' } else { c })
        .collect()
}

/// The part of an input's text that fits `width` columns with the cursor in view, and the
/// cursor's column within that part.
pub fn input_window(text: &str, cursor: usize, width: usize) -> (String, u16) {
    let scroll = cursor.saturating_sub(width);
    let shown = printable(text).chars().skip(scroll).take(width).collect();
    (shown, (cursor - scroll).min(width) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a�[2Jb�c");
        assert_eq!(printable("Zoë 🎷 שלום"), "Zoë 🎷 שלום");
    }
}
