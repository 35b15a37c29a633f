//! The help overlay, generated from the key map the key handling uses.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
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
    let height = lines.len() as u16 + 2;
    let popup = centered(area, 76, height);
    let rows = lines
        .into_iter()
        .map(|(keys, help)| Row::new(vec![Span::styled(keys, theme.header()), Span::raw(help)]));
    let table = Table::new(rows, [Constraint::Length(18), Constraint::Min(10)])
        .column_spacing(2)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Keys · Esc or ? closes ", theme.title())),
        );
    frame.render_widget(Clear, popup);
    frame.render_widget(table, popup);
}
