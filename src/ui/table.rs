//! The paged table of the active tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table, TableState, Wrap};

use crate::app::App;
use crate::app::commands::Command;
use crate::app::list_view::ListView;
use crate::db::listing::sort_keys;
use crate::db::model::{EntityKind, Row};
use crate::money::format_money;
use crate::ui::format::{date_time, event_time, printable};
use crate::ui::theme::Theme;

struct Column {
    title: &'static str,
    width: Constraint,
}

const fn column(title: &'static str, width: Constraint) -> Column {
    Column { title, width }
}

const EVENT_COLUMNS: &[Column] = &[
    column("ID", Constraint::Length(5)),
    column("Starts", Constraint::Length(22)),
    column("Title", Constraint::Fill(3)),
    column("Venue", Constraint::Fill(2)),
    column("Organizer", Constraint::Fill(2)),
];

const ORDER_COLUMNS: &[Column] = &[
    column("Code", Constraint::Length(9)),
    column("Created", Constraint::Length(16)),
    column("Status", Constraint::Length(9)),
    column("Total", Constraint::Length(13)),
    column("Buyer", Constraint::Fill(2)),
    column("Event", Constraint::Fill(2)),
];

const TICKET_COLUMNS: &[Column] = &[
    column("Code", Constraint::Length(11)),
    column("Status", Constraint::Length(10)),
    column("Holder", Constraint::Fill(2)),
    column("Type", Constraint::Fill(1)),
    column("Order", Constraint::Length(9)),
    column("Checked in", Constraint::Length(16)),
];

fn columns(kind: EntityKind) -> &'static [Column] {
    match kind {
        EntityKind::Event => EVENT_COLUMNS,
        EntityKind::Order => ORDER_COLUMNS,
        EntityKind::Ticket => TICKET_COLUMNS,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &ListView, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title(app, view), theme.title()));
    let block = match &view.error {
        Some(error) => block.title_bottom(Span::styled(
            format!(" error: {} ", printable(error)),
            theme.error(),
        )),
        None => block,
    };
    if view.rows.is_empty() {
        let text = if view.error.is_some() {
            "nothing to show"
        } else if view.loading || !view.loaded_once() {
            "loading…"
        } else {
            "no rows"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim()))
                .block(block)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let cols = columns(view.kind);
    let sort_key = sort_keys(view.kind)
        .get(view.sort.key)
        .map(|key| key.column);
    let arrow = if view.sort.descending { " ↓" } else { " ↑" };
    let header = TableRow::new(cols.iter().map(|c| {
        let mark = if Some(c.title) == sort_key { arrow } else { "" };
        Cell::from(format!("{}{mark}", c.title))
    }))
    .style(theme.header());
    let rows = view.rows.iter().map(|row| table_row(row, app, theme));
    let table = Table::new(rows, cols.iter().map(|c| c.width))
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::default().with_selected(Some(view.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

fn title(app: &App, view: &ListView) -> String {
    let name = app.tab.title();
    let mut title = format!(" {name}");
    if let Some(scope) = &view.scope {
        title.push_str(&format!(" of {}", printable(&scope.label)));
    }
    if !view.filter.is_empty() {
        title.push_str(&format!(" · /{}", printable(&view.filter.text)));
    }
    title.push_str(&format!(" · sorted by {} ", view.sort_label()));
    if app.can_go_back() {
        title.push_str(&format!("· {} back ", app.keymap.hint(Command::Back)));
    }
    title
}

fn table_row<'a>(row: &'a Row, app: &App, theme: &Theme) -> TableRow<'a> {
    let offset = app.viewer_zone;
    match row {
        Row::Event(event) => TableRow::new(vec![
            Cell::from(event.id.to_string()),
            Cell::from(event_time(event.starts_at, &event.time_zone)),
            Cell::from(printable(&event.title)),
            Cell::from(printable(&event.venue)),
            Cell::from(printable(&event.organizer)),
        ]),
        Row::Order(order) => TableRow::new(vec![
            Cell::from(order.code.clone()),
            Cell::from(date_time(order.created_at, offset)),
            Cell::from(Span::styled(
                order.status.label(),
                theme.order_status(order.status),
            )),
            Cell::from(
                Line::from(format_money(order.total_cents, &order.currency)).right_aligned(),
            ),
            Cell::from(printable(&order.buyer_email)),
            Cell::from(printable(&order.event_title)),
        ]),
        Row::Ticket(ticket) => TableRow::new(vec![
            Cell::from(ticket.code.clone()),
            Cell::from(Span::styled(
                ticket.status.label(),
                theme.ticket_status(ticket.status),
            )),
            Cell::from(printable(&ticket.holder_name)),
            Cell::from(printable(&ticket.type_name)),
            Cell::from(ticket.order_code.clone()),
            Cell::from(
                ticket
                    .checked_in_at
                    .map(|at| date_time(at, offset))
                    .unwrap_or_else(|| "-".into()),
            ),
        ])
        .style(Style::default()),
    }
}
