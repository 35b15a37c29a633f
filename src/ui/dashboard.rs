//! The Dashboard tab: tickets per day (BarChart), today against the same day last week,
//! sold/capacity per ticket type (LineGauge), the door (Gauge, a Sparkline per door, the last
//! scans) and, for the whole scope, the events to open. Every bar carries its number, so it
//! reads the same without colour.

use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Gauge, LineGauge, Paragraph, Row, Sparkline, Table,
    TableState,
};

use crate::app::App;
use crate::app::commands::Command;
use crate::db::dashboard::{Dashboard, DayFigures};
use crate::money::{Sums, format_money};
use crate::ui::format::{date_time, printable, time};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let view = &app.dashboard;
    let Some(data) = view.data.as_deref() else {
        let text = match (&view.error, view.loading) {
            (Some(error), _) => Span::styled(format!("error: {}", printable(error)), theme.error()),
            (None, _) => Span::styled("loading the dashboard…", theme.dim()),
        };
        frame.render_widget(
            Paragraph::new(text).block(Block::default().borders(Borders::ALL).title(" Dashboard ")),
            area,
        );
        return;
    };
    let scope_view = data.event.is_none();
    let events_rows = if scope_view {
        (data.events.len() as u16 + 3).clamp(4, (area.height / 4).max(4))
    } else {
        0
    };
    let [title, chart, middle, events] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if scope_view { 7 } else { 8 }),
        Constraint::Min(6),
        Constraint::Length(events_rows),
    ])
    .areas(area);
    draw_title(frame, title, app, data, theme);
    draw_days(frame, chart, data, theme);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(middle);
    let today_lines = today_lines(data, theme);
    let today_height = u16::try_from(today_lines.len()).unwrap_or(u16::MAX);
    let [today, types] =
        Layout::vertical([Constraint::Length(today_height), Constraint::Min(3)]).areas(left);
    frame.render_widget(Paragraph::new(today_lines), today);
    draw_types(frame, types, data, theme);
    draw_door(frame, right, app, data, theme);
    if scope_view {
        draw_events(frame, events, app, data, theme);
    }
}

fn draw_title(frame: &mut Frame, area: Rect, app: &App, data: &Dashboard, theme: &Theme) {
    let mut spans = vec![Span::styled(" Dashboard · ", theme.title())];
    match &data.event {
        Some(event) => {
            spans.push(Span::styled(printable(&event.title), theme.title()));
            spans.push(Span::raw(format!(
                " · starts {} · {} all events",
                date_time(event.starts_at, app.viewer_zone),
                app.keymap.hint(Command::Back)
            )));
        }
        None => {
            let whose = match app.actor.as_ref().map(|actor| actor.role) {
                Some(crate::db::auth::Role::Organizer) => "your events",
                _ => "all events",
            };
            spans.push(Span::styled(
                format!("{whose} ({})", data.event_count),
                theme.title(),
            ));
            spans.push(Span::raw(format!(
                " · {} opens one",
                app.keymap.hint(Command::Open)
            )));
        }
    }
    if app.dashboard.loading {
        spans.push(Span::styled(" · updating…", theme.dim()));
    } else if let Some(error) = &app.dashboard.error {
        spans.push(Span::styled(
            format!(" · not updated: {}", printable(error)),
            theme.error(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_days(frame: &mut Frame, area: Rect, data: &Dashboard, theme: &Theme) {
    let total: i64 = data.days.iter().map(|day| day.tickets).sum();
    let mut revenue = Sums::default();
    for day in &data.days {
        revenue.add_all(&day.revenue);
    }
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(
            " Tickets per day, last 30 days: {total} sold, {} paid ",
            revenue.text(&data.currencies)
        ),
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let days = data.days.len().max(1) as u16;
    let widest = data
        .days
        .iter()
        .map(|day| day.tickets.to_string().len() as u16)
        .max()
        .unwrap_or(1)
        .max(2);
    // Each bar wide enough for its number when the terminal allows (numbers inside the bars);
    // otherwise as wide as fits, and the figures beside the chart say the numbers.
    let numbered = inner.width >= days * (widest + 1);
    let (bar_width, gap) = if numbered {
        (widest, 1)
    } else {
        ((inner.width.saturating_sub(18) / days).max(1), 0)
    };
    let chart_width = (days * (bar_width + gap)).min(inner.width);
    let [chart_area, figures] =
        Layout::horizontal([Constraint::Length(chart_width), Constraint::Min(0)]).areas(inner);
    let bars: Vec<Bar> = data
        .days
        .iter()
        .map(|day| {
            let label = if gap > 0 || day.day.day() % 5 == 0 {
                format!("{:02}", day.day.day())
            } else {
                String::new()
            };
            Bar::default()
                .value(u64::try_from(day.tickets).unwrap_or(0))
                .text_value(if numbered {
                    day.tickets.to_string()
                } else {
                    String::new()
                })
                .label(Line::from(label))
        })
        .collect();
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_width)
        .bar_gap(gap)
        .bar_style(theme.info())
        .value_style(theme.status_bar());
    frame.render_widget(chart, chart_area);
    if figures.width >= 10 {
        let best = data.days.iter().max_by_key(|day| day.tickets);
        let today = data.days.last().map_or(0, |day| day.tickets);
        let mut lines = vec![Line::from(format!(" today {today}"))];
        if let Some(best) = best {
            lines.push(Line::from(format!(
                " best {} ({:02}-{:02})",
                best.tickets,
                best.day.month(),
                best.day.day()
            )));
        }
        lines.push(Line::from(format!(" a day {}", total / i64::from(days))));
        frame.render_widget(Paragraph::new(lines).style(theme.dim()), figures);
    }
}

/// "Today vs the same day last week": its title, tickets sold, and the money figures one line
/// per currency (side by side they are wider than half a screen); the box is as tall as this.
fn today_lines(data: &Dashboard, theme: &Theme) -> Vec<Line<'static>> {
    let DayFigures {
        tickets,
        revenue,
        refunds,
        refunded,
    } = &data.today;
    let before = &data.same_day_last_week;
    let money = |sums: &Sums| sums.amounts(&data.currencies);
    let counted = |count: i64, mut amounts: Vec<String>| {
        if let Some(first) = amounts.first_mut() {
            *first = format!("{count} · {first}");
        }
        amounts
    };
    let rows = [
        (
            "sold",
            vec![tickets.to_string()],
            vec![before.tickets.to_string()],
        ),
        ("paid", money(revenue), money(&before.revenue)),
        (
            "refunds",
            counted(*refunds, money(refunded)),
            counted(before.refunds, money(&before.refunded)),
        ),
    ];
    // Today's column as wide as its widest figure, so that last week's stay in one column.
    let width = rows
        .iter()
        .flat_map(|(_, today, _)| today.iter().map(|figure| figure.chars().count()))
        .max()
        .unwrap_or(0)
        .max(13);
    let mut lines = vec![Line::from(Span::styled(
        " Today vs the same day last week",
        theme.title(),
    ))];
    for (what, today, before) in rows {
        for line in 0..today.len().max(before.len()) {
            let label = if line == 0 { what } else { "" };
            let today = today.get(line).map_or("", String::as_str);
            let before = before.get(line).map_or("", String::as_str);
            lines.push(Line::from(vec![
                Span::raw(format!("{label:<8}")),
                Span::styled(format!("{today:>width$}"), theme.title()),
                Span::styled(format!(" │ {before}"), theme.dim()),
            ]));
        }
    }
    lines
}

fn draw_types(frame: &mut Frame, area: Rect, data: &Dashboard, theme: &Theme) {
    let title = if data.event.is_some() {
        " Ticket types: sold/capacity "
    } else {
        " Ticket types, all events "
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if data.ticket_types.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no ticket types", theme.dim())),
            inner,
        );
        return;
    }
    for (i, kind) in data
        .ticket_types
        .iter()
        .take(usize::from(inner.height))
        .enumerate()
    {
        let row = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
        let ratio = if kind.capacity > 0 {
            (kind.sold as f64 / kind.capacity as f64).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let name: String = printable(&kind.name).chars().take(9).collect();
        let counts = format!(" {}/{}", kind.sold, kind.capacity);
        let value = format!(" {}", format_money(kind.value_cents, &kind.currency));
        let [label, gauge, numbers, money] = Layout::horizontal([
            Constraint::Length(10),
            Constraint::Min(3),
            Constraint::Length(counts.len() as u16),
            Constraint::Length(value.len() as u16),
        ])
        .areas(row);
        frame.render_widget(Paragraph::new(format!("{name:<9} ")), label);
        frame.render_widget(
            LineGauge::default()
                .ratio(ratio)
                .label("")
                .filled_symbol("█")
                .unfilled_symbol("░")
                .filled_style(theme.info()),
            gauge,
        );
        frame.render_widget(Paragraph::new(counts), numbers);
        frame.render_widget(Paragraph::new(value).style(theme.dim()), money);
    }
}

fn draw_door(frame: &mut Frame, area: Rect, app: &App, data: &Dashboard, theme: &Theme) {
    let door = &data.door;
    let title = if data.event.is_some() {
        " Door ".to_string()
    } else {
        format!(" Door: today's events ({}) ", door.events)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let doors = door.per_door.len().min(4) as u16;
    let [gauge, header, sparklines, scans] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(doors.max(1)),
        Constraint::Min(0),
    ])
    .areas(inner);
    let ratio = if door.expected > 0 {
        (door.checked_in as f64 / door.expected as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    frame.render_widget(
        Gauge::default()
            .ratio(ratio)
            .use_unicode(true)
            .gauge_style(theme.info())
            .label(format!(
                "{}/{} in ({:.0}%)",
                door.checked_in,
                door.expected,
                ratio * 100.0
            )),
        gauge,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            "admissions per minute, last hour",
            theme.dim(),
        )),
        header,
    );
    if door.per_door.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no admissions in the last hour", theme.dim())),
            sparklines,
        );
    }
    for (i, one) in door.per_door.iter().take(usize::from(doors)).enumerate() {
        let row = Rect::new(sparklines.x, sparklines.y + i as u16, sparklines.width, 1);
        let total: u64 = one.per_minute.iter().sum();
        let name: String = printable(&one.terminal).chars().take(10).collect();
        let [label, line, count] = Layout::horizontal([
            Constraint::Length(11),
            Constraint::Min(4),
            Constraint::Length(7),
        ])
        .areas(row);
        frame.render_widget(Paragraph::new(format!("{name:<10} ")), label);
        // The newest minutes at the right, as many as fit.
        let shown = usize::from(line.width).min(one.per_minute.len());
        let minutes = &one.per_minute[one.per_minute.len() - shown..];
        frame.render_widget(
            Sparkline::default()
                .data(minutes)
                .style(theme.info())
                .absent_value_symbol("·"),
            line,
        );
        frame.render_widget(Paragraph::new(format!(" {total:>5}")), count);
    }
    let rows = door.last_scans.iter().map(|scan| {
        Row::new(vec![
            time(scan.at, app.viewer_zone),
            printable(&scan.terminal),
            printable(&scan.code),
            scan.result.label().to_string(),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(8),
            Constraint::Length(12),
            Constraint::Min(6),
        ],
    )
    .header(Row::new(["At", "Door", "Code", "Result"]).style(theme.header()));
    if door.last_scans.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no scans in the last day", theme.dim())),
            scans,
        );
    } else {
        frame.render_widget(table, scans);
    }
}

fn draw_events(frame: &mut Frame, area: Rect, app: &App, data: &Dashboard, theme: &Theme) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(
            " Next events ({} opens one's dashboard) ",
            app.keymap.hint(Command::Open)
        ),
        theme.title(),
    ));
    if data.events.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no events ahead", theme.dim())).block(block),
            area,
        );
        return;
    }
    let rows = data.events.iter().map(|event| {
        Row::new(vec![
            date_time(event.starts_at, app.viewer_zone),
            printable(&event.title),
            format!("{}/{}", event.sold, event.capacity),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Min(10),
            Constraint::Length(11),
        ],
    )
    .block(block)
    .row_highlight_style(theme.selected())
    .highlight_symbol("> ");
    let mut state = TableState::default().with_selected(Some(app.dashboard.selected));
    frame.render_stateful_widget(table, area, &mut state);
}
