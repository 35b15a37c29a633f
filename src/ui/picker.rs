//! The picker over the screen: a search line (users), the rows to choose from, and the row
//! that makes a new one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::commands::{Command, KeyMap};
use crate::app::picker::{Picker, PickerItems};
use crate::money::format_money;
use crate::ui::format::{input_window, printable};
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    picker: &Picker,
    searching: bool,
    keymap: &KeyMap,
    theme: &Theme,
) {
    let rows = picker.len() as u16 + 1;
    let search_lines = if picker.search.is_some() { 2 } else { 0 };
    let popup = centered(area, 76, (rows + search_lines + 4).min(area.height));
    frame.render_widget(Clear, popup);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", printable(&picker.title())),
        theme.title(),
    ));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if inner.height < 3 {
        return;
    }
    let mut lines: Vec<Line> = Vec::new();
    if let Some(search) = &picker.search {
        let width = inner.width.saturating_sub(10) as usize;
        let (shown, cursor) = input_window(search.value(), search.visual_cursor(), width);
        lines.push(Line::from(vec![
            Span::styled("Find: ", theme.header()),
            Span::raw(shown),
        ]));
        frame.set_cursor_position((inner.x + 6 + cursor, inner.y));
        let note = if searching {
            "searching…"
        } else {
            "email starts with, or name contains (from 3 letters)"
        };
        lines.push(Line::from(Span::styled(note, theme.dim())));
    }
    let labels = row_labels(picker);
    let room = inner.height.saturating_sub(search_lines + 1) as usize;
    let skip = (picker.selected + 1).saturating_sub(room);
    for (index, label) in labels.into_iter().enumerate().skip(skip).take(room) {
        let style = if index == picker.selected {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(Span::styled(
            format!(
                " {:<width$}",
                label,
                width = inner.width.saturating_sub(1) as usize
            ),
            style,
        )));
    }
    let footer = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
    frame.render_widget(Paragraph::new(lines), inner);
    let choose = format!(
        "{}/{} choose",
        keymap.hint(Command::PickPrevious),
        keymap.hint(Command::PickNext)
    );
    let open = keymap.hint(Command::PickOpen);
    let close = keymap.hint(Command::PickClose);
    let keys = match picker.items {
        PickerItems::TicketTypes(_) => format!(
            "{choose} · {open} edits · {} new · {} to the trash · {close} closes",
            keymap.hint(Command::PickNew),
            keymap.hint(Command::PickDelete)
        ),
        PickerItems::Users(_) => {
            format!("{choose} · {open} opens (the last row adds one) · {close} closes")
        }
    };
    frame.render_widget(Paragraph::new(Span::styled(keys, theme.dim())), footer);
}

fn row_labels(picker: &Picker) -> Vec<String> {
    let mut labels: Vec<String> = match &picker.items {
        PickerItems::TicketTypes(types) => types
            .types
            .iter()
            .map(|t| {
                format!(
                    "{:<24} {:>14}   {} of {} sold",
                    printable(&t.name),
                    format_money(t.price_cents, &types.event_currency),
                    t.sold,
                    t.quantity
                )
            })
            .collect(),
        PickerItems::Users(users) => users
            .iter()
            .map(|u| {
                let sign_in = if u.can_sign_in { "" } else { " · no sign-in" };
                format!(
                    "{:<30} {:<20} {}{sign_in}",
                    printable(&u.email),
                    printable(&u.name),
                    u.role.label()
                )
            })
            .collect(),
    };
    labels.push(picker.new_label().to_string());
    labels
}
