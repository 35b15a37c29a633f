//! The Trash tab: what was deleted, newest first, with who deleted it and when, and what went
//! with it; and the confirmation dialog every change goes through.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use crate::app::App;
use crate::app::commands::{Command, KeyMap};
use crate::app::overlay::Confirm;
use crate::ui::format::{date_time, printable};
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let trash = &app.trash;
    let mut title = " Trash · newest first".to_string();
    if !trash.filter.text.is_empty() {
        title.push_str(&format!(" · /{}", printable(&trash.filter.text)));
    }
    title.push_str(&format!(
        " · {} restore · {} purge (admins) ",
        app.keymap.hint(Command::Restore),
        app.keymap.hint(Command::Purge)
    ));
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    if let Some(error) = &trash.error {
        block = block.title_bottom(Span::styled(
            format!(" error: {} ", printable(error)),
            theme.error(),
        ));
    }
    if trash.entries.is_empty() {
        let text = if trash.loading {
            "loading…"
        } else {
            "the trash is empty"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim())).block(block),
            area,
        );
        return;
    }
    let header =
        Row::new(["Deleted", "Kind", "What", "With", "By"].map(Cell::from)).style(theme.header());
    let rows = trash.entries.iter().map(|entry| {
        let with = entry.contents().parts();
        Row::new(vec![
            Cell::from(date_time(entry.deleted_at, app.viewer_zone)),
            Cell::from(entry.kind.replace('_', " ")),
            Cell::from(printable(&entry.label)),
            Cell::from(with.join(", ")),
            Cell::from(printable(entry.deleted_by.as_deref().unwrap_or("?"))),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(7),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(theme.selected())
    .highlight_symbol("▶ ");
    let mut state = TableState::default().with_selected(Some(trash.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

pub fn draw_confirm(
    frame: &mut Frame,
    area: Rect,
    confirm: &Confirm,
    keymap: &KeyMap,
    theme: &Theme,
) {
    let keys = format!(
        "{}: yes · {}: no",
        keymap.labels(Command::Yes).unwrap_or_default(),
        keymap.labels(Command::No).unwrap_or_default()
    );
    let popup = centered(area, 64, 7);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(printable(&confirm.question)),
            Line::default(),
            Line::from(Span::styled(keys, theme.dim())),
        ])
        .wrap(Wrap { trim: true })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Are you sure? ", theme.title())),
        ),
        popup,
    );
}
