//! An edit form over the screen: one line per field (label, value, hint), a field's reason
//! under it, the sale's running total, and what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::commands::{Command, KeyMap};
use crate::app::form::{FieldKind, Form, FormState};
use crate::ui::format::{input_window, printable};
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

const LABEL_WIDTH: usize = 14;
const MARGIN: u16 = 2;

pub fn draw(frame: &mut Frame, area: Rect, form: &Form, keymap: &KeyMap, theme: &Theme) {
    let width = area.width.min(84);
    let inner_width = width.saturating_sub(2).max(1);
    let footer = footer_lines(form, keymap, theme);
    // Each footer line takes as many rows as it wraps to, so a long reason stays readable
    // and the keys line stays in sight.
    // Word wrapping can take a row more than the width alone says: one spare row per line
    // that wraps at all.
    let footer_height: u16 = footer
        .iter()
        .map(|line| {
            let rows = (line.width() as u16).div_ceil(inner_width).max(1);
            if rows > 1 { rows + 1 } else { rows }
        })
        .sum();
    let (lines, cursor, focus_line) = field_lines(form, inner_width, theme);
    let wanted = lines.len() as u16 + 1 + footer_height + 2;
    let popup = centered(area, width, wanted.min(area.height));
    frame.render_widget(Clear, popup);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", printable(&form.title)),
        theme.title(),
    ));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    // A form of one field needs three rows: the field, a blank, the keys.
    if inner.height < 3 || inner.width < 30 {
        return;
    }
    let footer_height = footer_height.min(inner.height.saturating_sub(2));
    let fields_height = inner.height - footer_height;
    // Scroll so that the focused field (and its reason) stays in view.
    let skip = (focus_line + 2).saturating_sub(fields_height as usize);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(skip)
        .take(fields_height as usize)
        .collect();
    frame.render_widget(
        Paragraph::new(shown),
        Rect::new(inner.x, inner.y, inner.width, fields_height),
    );
    if let Some((line, column)) = cursor
        && !form.is_busy()
        && line >= skip
        && line - skip < fields_height as usize
    {
        frame.set_cursor_position((inner.x + column, inner.y + (line - skip) as u16));
    }
    let footer_area = Rect::new(inner.x, inner.y + fields_height, inner.width, footer_height);
    frame.render_widget(
        Paragraph::new(footer).wrap(Wrap { trim: true }),
        footer_area,
    );
}

/// The field lines, where the cursor goes (line, column) in the focused field, and the line
/// of the focused field.
fn field_lines(
    form: &Form,
    width: u16,
    theme: &Theme,
) -> (Vec<Line<'static>>, Option<(usize, u16)>, usize) {
    let mut lines = Vec::new();
    let mut cursor = None;
    let mut focus_line = 0;
    let value_start = MARGIN as usize + LABEL_WIDTH;
    for (index, field) in form.fields.iter().enumerate() {
        let focused = index == form.focus;
        let room = (width as usize).saturating_sub(value_start + 1);
        let text = match field.kind {
            FieldKind::Secret => "•".repeat(field.value().chars().count()),
            FieldKind::Choice(_) => format!("‹ {} ›", field.value()),
            FieldKind::Text => field.value().to_string(),
        };
        // The hint takes what the value leaves (at least 16 columns for it), cut short
        // rather than dropped while a useful part of it fits.
        let hint_room = room.saturating_sub((text.chars().count() + 1).max(16) + 2);
        let hint = if hint_room >= 12 {
            truncate(&field.hint, hint_room)
        } else {
            String::new()
        };
        let value_width = if hint.is_empty() {
            room
        } else {
            room - hint.chars().count() - 2
        };
        let (shown, at) = match field.kind {
            FieldKind::Choice(_) => (text.clone(), 0),
            _ => input_window(
                &text,
                field.input.visual_cursor(),
                value_width.saturating_sub(1),
            ),
        };
        let label_style = if focused { theme.header() } else { theme.dim() };
        let mut value_style = theme.title().add_modifier(Modifier::UNDERLINED);
        if !focused {
            value_style = value_style.remove_modifier(Modifier::BOLD);
        }
        let padded = format!("{shown:<value_width$}");
        let mut spans = vec![
            Span::styled(if focused { "▸ " } else { "  " }, theme.header()),
            Span::styled(
                format!("{:<LABEL_WIDTH$}", truncate(&field.label, LABEL_WIDTH - 1)),
                label_style,
            ),
            Span::styled(padded, value_style),
        ];
        if value_width < room {
            spans.push(Span::styled(format!("  {hint}"), theme.dim()));
        }
        if focused {
            focus_line = lines.len();
            if !matches!(field.kind, FieldKind::Choice(_)) {
                cursor = Some((lines.len(), value_start as u16 + at));
            }
        }
        lines.push(Line::from(spans));
        if let Some(error) = &field.error {
            // Wrapped under the value: an explanation (a clock change, the zones a name
            // could be) is worth its lines.
            let mut mark = "✗ ";
            for piece in wrap_words(&printable(error), room.saturating_sub(2).max(20)) {
                lines.push(Line::from(Span::styled(
                    format!("{:value_start$}{mark}{piece}", ""),
                    theme.error(),
                )));
                mark = "  ";
            }
        }
    }
    (lines, cursor, focus_line)
}

/// `text` in lines of at most `width` characters, broken between words where it can be.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

fn footer_lines(form: &Form, keymap: &KeyMap, theme: &Theme) -> Vec<Line<'static>> {
    let save = keymap.hint(Command::Save);
    let cancel = keymap.hint(Command::CancelForm);
    let summary = form
        .summary()
        .map(|total| Line::from(Span::styled(total, theme.header())));
    let status = if form.is_busy() {
        Line::from(Span::styled(
            "working… (the form waits for the answer)",
            theme.dim(),
        ))
    } else if form.confirm_discard {
        Line::from(Span::styled(
            format!("discard your changes? {cancel} again discards; {save} saves"),
            theme.error(),
        ))
    } else if let Some(error) = &form.error {
        Line::from(Span::styled(
            format!("✗ {}", printable(error)),
            theme.error(),
        ))
    } else {
        Line::default()
    };
    let keys = if form.state == FormState::Conflict {
        format!(
            "{} reloads (keeps what you typed) · {save} saves · {cancel} cancels",
            keymap.hint(Command::Reload)
        )
    } else {
        format!(
            "{}/{} fields · {} next (last saves) · {save} saves · {cancel} cancels",
            keymap.hint(Command::NextField),
            keymap.hint(Command::PreviousField),
            keymap.hint(Command::NextFieldOrSave)
        )
    };
    let mut lines: Vec<Line> = summary.into_iter().collect();
    if status.width() > 0 {
        lines.push(status);
    }
    lines.push(Line::from(Span::styled(keys, theme.dim())));
    lines
}

fn truncate(text: &str, width: usize) -> String {
    let text = printable(text);
    if text.chars().count() <= width {
        text
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
