//! The help overlay, generated from the key map the key handling uses.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, Row, Table};

use crate::app::App;
use crate::app::commands::Context;
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let context = if app.on_check_in() {
        Context::CheckIn
    } else if app.on_trash() {
        Context::Trash
    } else {
        Context::List
    };
    let mut lines = app.keymap.help_lines(context);
    if app.on_check_in() {
        lines.insert(
            0,
            (
                "A-Z 0-9 -".into(),
                "type the ticket code (a scanner types it, then Enter)",
            ),
        );
    }
    // Too many keys for the height: two columns, so every key stays in sight.
    let columns: usize = if lines.len() as u16 + 2 > area.height {
        2
    } else {
        1
    };
    let per_column = lines.len().div_ceil(columns);
    let width = if columns == 1 { 84 } else { area.width };
    let popup = centered(area, width, per_column as u16 + 2);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Keys · Esc or ? closes ", theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let areas =
        Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(inner);
    for (chunk, column_area) in lines.chunks(per_column.max(1)).zip(areas.iter()) {
        let rows = chunk.iter().map(|(keys, help)| {
            Row::new(vec![
                Span::styled(keys.clone(), theme.header()),
                Span::raw(*help),
            ])
        });
        let key_width = if columns == 1 { 18 } else { 14 };
        let table = Table::new(rows, [Constraint::Length(key_width), Constraint::Min(10)])
            .column_spacing(1);
        frame.render_widget(table, *column_area);
    }
}
