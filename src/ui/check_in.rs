//! The Check-in screen: the code field, the result big enough to read from a step away (in
//! colour and in words), the event's counters, and the last scans.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_big_text::{BigText, PixelSize};

use crate::app::App;
use crate::app::commands::Command;
use crate::app::overlay::UnlockPrompt;
use crate::data_task::Slot;
use crate::db::check_in::ScanOutcome;
use crate::db::model::ScanResult;
use crate::ui::format::{printable, time};
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let door = &app.check_in;
    let [field, result, bottom] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(7),
        Constraint::Length(10),
    ])
    .areas(area);

    let event = match (&door.counters, door.locked_event) {
        (Some(counters), Some(_)) => format!("admits to {}", printable(&counters.title)),
        (_, Some(id)) => format!("admits to event {id}"),
        (_, None) => "admits to any event".into(),
    };
    let title = format!(
        " Scan or type a code · {} · {event} ",
        printable(&door.terminal)
    );
    let shown: String = printable(door.input.value());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("▸ ", theme.header()),
            Span::raw(shown),
        ]))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, theme.title())),
        ),
        field,
    );
    if app.overlays.is_empty() {
        frame.set_cursor_position((field.x + 3 + door.input.visual_cursor() as u16, field.y + 1));
    }

    draw_result(frame, result, app, theme);

    let [counters_area, recent_area] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(bottom);
    let counter_lines = match &door.counters {
        Some(counters) => vec![
            Line::from(Span::styled(printable(&counters.title), theme.header())),
            Line::default(),
            Line::from(Span::styled(
                format!("{} checked in", counters.checked_in),
                Style::default().add_modifier(Modifier::BOLD),
            )),
            Line::from(format!("of {} expected", counters.expected)),
            Line::from(format!(
                "{} still to come",
                (counters.expected - counters.checked_in).max(0)
            )),
        ],
        None => vec![Line::from(Span::styled(
            "counters appear after the first scan",
            theme.dim(),
        ))],
    };
    frame.render_widget(
        Paragraph::new(counter_lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Event ", theme.title())),
        ),
        counters_area,
    );
    let recent: Vec<Line> = door
        .recent
        .iter()
        .map(|scan| {
            Line::from(vec![
                Span::raw(format!("{} ", time(scan.at, app.viewer_zone))),
                Span::styled(
                    format!("{:<12}", scan.result.label()),
                    result_style(scan.result, theme),
                ),
                Span::raw(format!(
                    " {} {}",
                    printable(&scan.code.chars().take(14).collect::<String>()),
                    printable(scan.holder_name.as_deref().unwrap_or(""))
                )),
            ])
        })
        .collect();
    frame.render_widget(
        Paragraph::new(recent).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Last scans here ", theme.title())),
        ),
        recent_area,
    );
}

fn result_colors(result: ScanResult) -> (Color, Color) {
    match result {
        ScanResult::Admitted => (Color::Black, Color::Green),
        ScanResult::NotPaid | ScanResult::WrongEvent => (Color::Black, Color::Yellow),
        ScanResult::AlreadyUsed | ScanResult::Cancelled | ScanResult::Unknown => {
            (Color::White, Color::Red)
        }
    }
}

fn result_style(result: ScanResult, theme: &Theme) -> Style {
    if theme.no_color {
        return Style::default().add_modifier(Modifier::BOLD);
    }
    Style::default()
        .fg(result_colors(result).1)
        .add_modifier(Modifier::BOLD)
}

/// The line under the big word: when, where, who.
fn explanation(outcome: &ScanOutcome, app: &App) -> String {
    let who = match (&outcome.holder_name, &outcome.type_name) {
        (Some(holder), Some(kind)) => format!("{} · {}", printable(holder), printable(kind)),
        _ => String::new(),
    };
    let event = outcome
        .event_title
        .as_deref()
        .map(printable)
        .unwrap_or_default();
    match outcome.result {
        ScanResult::Admitted => format!("✓ {who} · {event}"),
        ScanResult::AlreadyUsed => format!(
            "✗ already used at {} by {} · {who}",
            outcome
                .at
                .map(|at| time(at, app.viewer_zone))
                .unwrap_or_else(|| "?".into()),
            printable(outcome.terminal.as_deref().unwrap_or("?"))
        ),
        ScanResult::Cancelled => format!("✗ this ticket was cancelled · {who}"),
        ScanResult::NotPaid => format!("✗ the order is not paid · {who}"),
        ScanResult::Unknown => format!(
            "✗ no ticket has the code {}",
            printable(&outcome.code.chars().take(30).collect::<String>())
        ),
        ScanResult::WrongEvent => format!("✗ this ticket is for {event} · {who}"),
    }
}

fn draw_result(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let door = &app.check_in;
    let block = Block::default().borders(Borders::ALL);
    let inner = block.inner(area);
    let Some(outcome) = &door.last else {
        let text = match (&door.pending, &door.message) {
            (Some(_), Some(message)) => message.clone(),
            (Some(_), None) => "checking…".into(),
            (None, Some(message)) => message.clone(),
            (None, None) => "ready: scan a ticket".into(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim()))
                .centered()
                .block(block),
            area,
        );
        return;
    };
    let style = if theme.no_color {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        let (fg, bg) = result_colors(outcome.result);
        Style::default().fg(fg).bg(bg).add_modifier(Modifier::BOLD)
    };
    frame.render_widget(block.style(style), area);
    let word = outcome.result.label();
    let letters = word.chars().count() as u16;
    let size = if inner.width >= letters * 8 + 2 && inner.height >= 6 {
        Some(PixelSize::HalfHeight)
    } else if inner.width >= letters * 4 + 2 && inner.height >= 4 {
        Some(PixelSize::Quadrant)
    } else {
        None
    };
    let [big, line, status] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    match size {
        Some(pixel_size) => {
            // Both sizes draw the 8x8 font four rows high.
            let height = 4;
            let top = big.y + big.height.saturating_sub(height) / 2;
            let big_area = Rect::new(big.x, top, big.width, height.min(big.height));
            frame.render_widget(
                BigText::builder()
                    .pixel_size(pixel_size)
                    .style(style)
                    .lines(vec![Line::from(word)])
                    .centered()
                    .build(),
                big_area,
            );
        }
        None => frame.render_widget(Paragraph::new(Span::styled(word, style)).centered(), big),
    }
    frame.render_widget(
        Paragraph::new(Line::from(explanation(outcome, app)))
            .style(style)
            .centered(),
        line,
    );
    let footer = match (&door.pending, &door.message) {
        (Some(_), Some(message)) => message.clone(),
        (Some(_), None) => "checking the next code…".into(),
        (None, Some(message)) => message.clone(),
        (None, None) if outcome.replayed => {
            "answer of the first attempt (the scan was retried)".into()
        }
        (None, None) => format!("{word} · ready for the next code"),
    };
    frame.render_widget(
        Paragraph::new(printable(&footer)).style(style).centered(),
        status,
    );
}

/// The password prompt over a kiosk that is asked to quit.
pub fn draw_unlock(frame: &mut Frame, area: Rect, app: &App, unlock: &UnlockPrompt, theme: &Theme) {
    let keys = format!(
        "{} to leave · {} to stay",
        app.keymap.hint(Command::Unlock),
        app.keymap.hint(Command::StayLocked)
    );
    let popup = centered(area, 50, 6);
    frame.render_widget(Clear, popup);
    let masked = "•".repeat(unlock.input.value().chars().count());
    let message = match (&unlock.error, app.is_waiting(Slot::Unlock)) {
        (Some(error), _) => Span::styled(printable(error), theme.error()),
        (None, true) => Span::styled("checking…", theme.dim()),
        (None, false) => Span::styled(keys, theme.dim()),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(format!("Password: {masked}")),
            Line::default(),
            Line::from(message),
        ])
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Leave the kiosk ", theme.title())),
        ),
        popup,
    );
    frame.set_cursor_position((popup.x + 11 + masked.chars().count() as u16, popup.y + 1));
}
