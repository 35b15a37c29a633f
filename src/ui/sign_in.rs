//! The sign-in screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::sign_in::Field;
use crate::app::{App, DatabaseState};
use crate::data_task::Slot;
use crate::db::seed::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use crate::ui::format::{input_window, printable};
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

const FIELD_WIDTH: u16 = 40;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let form = &app.sign_in;
    let signing_in = app.is_waiting(Slot::SignIn);
    let popup = centered(area, 58, 14);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" boxoffice · sign in ", theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [email_row, password_row, message_row, hint_row] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Min(2),
        Constraint::Length(1),
    ])
    .areas(inner);

    let fields = [
        (
            email_row,
            "Email",
            Field::Email,
            form.email.value().to_string(),
            form.email.visual_cursor(),
        ),
        (
            password_row,
            "Password",
            Field::Password,
            "•".repeat(form.password.value().chars().count()),
            form.password.visual_cursor(),
        ),
    ];
    for (row, label, field, text, cursor) in fields {
        let focused = form.focus() == field;
        let width = row.width.min(FIELD_WIDTH + 2);
        let box_area = Rect::new(row.x + (row.width - width) / 2, row.y, width, row.height);
        let visible = width.saturating_sub(3) as usize;
        let (shown, cursor) = input_window(&text, cursor, visible);
        let marker = if focused { "▸ " } else { "" };
        let style = if focused { theme.header() } else { theme.dim() };
        frame.render_widget(
            Paragraph::new(shown).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(style)
                    .title(Span::styled(format!("{marker}{label}"), style)),
            ),
            box_area,
        );
        if focused && !signing_in {
            let x = box_area.x + 1 + cursor;
            frame.set_cursor_position((x, box_area.y + 1));
        }
    }

    let message = match (&app.database.state, &form.error, signing_in) {
        (DatabaseState::Failed(error), ..) => {
            Line::from(Span::styled(printable(error), theme.error()))
        }
        (_, Some(error), _) => Line::from(Span::styled(printable(error), theme.error())),
        (_, None, true) => Line::from(Span::styled("signing in…", theme.dim())),
        (DatabaseState::Connecting(step), ..) => {
            Line::from(Span::styled(format!("{step}…"), theme.dim()))
        }
        (DatabaseState::Ready, None, false) if app.database.built_in => Line::from(Span::styled(
            format!("demo: {} … password \"{DEMO_PASSWORD}\"", DEMO_ACCOUNTS[0]),
            theme.dim(),
        )),
        (DatabaseState::Ready, None, false) => Line::from(Span::styled(
            format!("database: {}", printable(&app.database.label)),
            theme.dim(),
        )),
    };
    frame.render_widget(
        Paragraph::new(message).wrap(Wrap { trim: true }).centered(),
        message_row,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Enter next/sign in · Tab switch field · Ctrl-c quit",
            theme.dim(),
        ))
        .centered(),
        hint_row,
    );
}
