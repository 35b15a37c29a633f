//! The detail pane: the selected row and its related rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::App;
use crate::app::commands::Command;
use crate::app::list_view::{ListView, Loadable};
use crate::db::detail::{Detail, EventDetail, HistoryLine, OrderDetail, TicketDetail};
use crate::money::format_money;
use crate::ui::format::{date_time, event_time, printable, time};
use crate::zone::Tz;

/// A time that is no event's, on the viewer's clock; named when the event's clock differs,
/// so that two times of one pane are never read on different clocks unawares.
fn viewer_time(at: chrono::DateTime<chrono::Utc>, viewer: Tz, event_zone: &str) -> String {
    if viewer.name() == event_zone {
        date_time(at, viewer)
    } else {
        format!("{} ({})", date_time(at, viewer), viewer.name())
    }
}
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &ListView, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Detail ", theme.title()));
    let lines = match &view.detail {
        Loadable::Idle if view.rows.is_empty() => {
            vec![Line::from(Span::styled("nothing selected", theme.dim()))]
        }
        Loadable::Idle | Loadable::Loading => {
            vec![Line::from(Span::styled("loading…", theme.dim()))]
        }
        Loadable::Failed(error) => vec![Line::from(Span::styled(printable(error), theme.error()))],
        Loadable::Ready(Detail::Event(detail)) => event_lines(detail, app, theme),
        Loadable::Ready(Detail::Order(detail)) => order_lines(detail, app, theme),
        Loadable::Ready(Detail::Ticket(detail)) => ticket_lines(detail, app, theme),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn heading<'a>(text: String, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(text, theme.header()))
}

fn field<'a>(name: &'a str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{name:<10}"),
            ratatui::style::Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(value),
    ])
}

/// A field whose value carries its own style (a status in its colour).
fn styled_field<'a>(name: &'a str, value: &'a str, style: ratatui::style::Style) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{name:<10}"),
            ratatui::style::Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::styled(value, style),
    ])
}

fn event_lines<'a>(detail: &'a EventDetail, app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let event = &detail.event;
    let mut lines = vec![
        heading(printable(&event.title), theme),
        field("Venue", printable(&event.venue)),
        field("Starts", {
            // The zone's name beside its abbreviation (CEST: Europe/Berlin), once.
            let starts = event_time(event.starts_at, &event.time_zone);
            if starts.ends_with(&format!(" {}", event.time_zone)) {
                starts
            } else {
                format!("{starts} ({})", printable(&event.time_zone))
            }
        }),
        field("Ends", event_time(event.ends_at, &event.time_zone)),
        field(
            "Organizer",
            format!(
                "{} <{}>",
                printable(&event.organizer),
                printable(&event.organizer_email)
            ),
        ),
    ];
    if !event.description.is_empty() {
        lines.push(Line::from(printable(&event.description)));
    }
    lines.push(Line::default());
    lines.push(heading(
        "Ticket types          price  sold/cap  in".into(),
        theme,
    ));
    for tt in &detail.ticket_types {
        let sold_out = if tt.sold >= tt.quantity {
            " SOLD OUT"
        } else {
            ""
        };
        lines.push(Line::from(format!(
            "{:<14} {:>12} {:>5}/{:<4} {:>4}{sold_out}",
            truncate(&printable(&tt.name), 14),
            format_money(tt.price_cents, &event.currency),
            tt.sold,
            tt.quantity,
            tt.checked_in
        )));
    }
    if detail.ticket_types.is_empty() {
        lines.push(Line::from(Span::styled("no ticket types", theme.dim())));
    }
    if !detail.orders_by_status.is_empty() {
        lines.push(Line::default());
        let counts: Vec<String> = detail
            .orders_by_status
            .iter()
            .map(|(status, n)| format!("{} {n}", status.label()))
            .collect();
        lines.push(field("Orders", counts.join(" · ")));
        lines.push(Line::from(Span::styled(
            format!("{}: this event's orders", app.keymap.hint(Command::Open)),
            theme.dim(),
        )));
    }
    lines.extend(history_lines(&detail.history, app, theme));
    lines
}

fn order_lines<'a>(detail: &'a OrderDetail, app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let order = &detail.order;
    let offset = app.viewer_zone;
    let mut lines = vec![
        heading(format!("Order {}", order.code), theme),
        styled_field(
            "Status",
            order.status.label(),
            theme.order_status(order.status),
        ),
        field(
            "Total",
            format_money(order.total_cents, &order.event_currency),
        ),
        field(
            "Created",
            viewer_time(order.created_at, offset, &order.event_time_zone),
        ),
        field(
            "Buyer",
            format!(
                "{} <{}>",
                printable(&order.buyer_name),
                printable(&order.buyer_email)
            ),
        ),
        field("Event", printable(&order.event_title)),
        field(
            "Starts",
            event_time(order.event_starts_at, &order.event_time_zone),
        ),
    ];
    if !order.note.is_empty() {
        lines.push(field("Note", printable(&order.note)));
    }
    lines.push(Line::default());
    lines.push(heading(
        format!("Tickets ({})", detail.tickets.len()),
        theme,
    ));
    for ticket in &detail.tickets {
        lines.push(Line::from(vec![
            Span::raw(format!("{} ", ticket.code)),
            Span::styled(
                format!("{:<10}", ticket.status.label()),
                theme.ticket_status(ticket.status),
            ),
            Span::raw(format!(
                " {} · {}",
                truncate(&printable(&ticket.type_name), 12),
                printable(&ticket.holder_name)
            )),
        ]));
    }
    lines.push(Line::from(Span::styled(
        format!("{}: this order's tickets", app.keymap.hint(Command::Open)),
        theme.dim(),
    )));
    lines.extend(history_lines(&detail.history, app, theme));
    lines
}

fn ticket_lines<'a>(detail: &'a TicketDetail, app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let ticket = &detail.ticket;
    let offset = app.viewer_zone;
    let mut lines = vec![
        heading(format!("Ticket {}", ticket.code), theme),
        styled_field(
            "Status",
            ticket.status.label(),
            theme.ticket_status(ticket.status),
        ),
        field("Holder", printable(&ticket.holder_name)),
        field(
            "Type",
            format!(
                "{} ({})",
                printable(&ticket.type_name),
                format_money(ticket.price_cents, &ticket.event_currency)
            ),
        ),
        field(
            "Order",
            format!("{} ({})", ticket.order_code, ticket.order_status.label()),
        ),
        field("Event", printable(&ticket.event_title)),
        field(
            "Starts",
            event_time(ticket.event_starts_at, &ticket.event_time_zone),
        ),
    ];
    if let Some(at) = ticket.checked_in_at {
        lines.push(field(
            "In at",
            viewer_time(at, offset, &ticket.event_time_zone),
        ));
    }
    lines.push(Line::default());
    lines.push(heading(format!("Scans ({})", detail.scans.len()), theme));
    for scan in &detail.scans {
        lines.push(Line::from(format!(
            "{} {} {:<12} {}",
            date_time(scan.at, offset).get(..10).unwrap_or_default(),
            time(scan.at, offset),
            scan.result.label(),
            printable(&scan.terminal)
        )));
    }
    if detail.scans.is_empty() {
        lines.push(Line::from(Span::styled("never scanned", theme.dim())));
    }
    lines.extend(history_lines(&detail.history, app, theme));
    lines
}

/// The history lines of a detail, when it has any.
fn history_lines<'a>(history: &[HistoryLine], app: &App, theme: &Theme) -> Vec<Line<'a>> {
    if history.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![Line::default(), heading("History".into(), theme)];
    for change in history {
        let changed = match &change.changed {
            Some(fields) if change.action.ends_with("update") => {
                format!(" ({})", printable(fields))
            }
            _ => String::new(),
        };
        lines.push(Line::from(format!(
            "{} {}{changed} · {}",
            date_time(change.at, app.viewer_zone),
            printable(&change.action.replace('_', " ")),
            printable(change.actor.as_deref().unwrap_or("?"))
        )));
    }
    lines
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
