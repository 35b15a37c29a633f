//! The edit form, over the screen: the field, its error under it, and what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::form::EditForm;
use crate::ui::format::{input_window, printable};
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, form: &EditForm, theme: &Theme) {
    let popup = centered(area, 64, 10);
    frame.render_widget(Clear, popup);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", printable(&form.title)),
        theme.title(),
    ));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if inner.height < 6 {
        return;
    }
    let field = Rect::new(inner.x, inner.y, inner.width, 3);
    let width = field.width.saturating_sub(3) as usize;
    let (shown, cursor) = input_window(form.input.value(), form.input.visual_cursor(), width);
    frame.render_widget(
        Paragraph::new(shown).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.header())
                .title(Span::styled(format!("▸ {}", form.label), theme.header())),
        ),
        field,
    );
    if form.waiting.is_none() {
        frame.set_cursor_position((field.x + 1 + cursor, field.y + 1));
    }
    let message = match (&form.error, form.waiting, form.confirm_discard) {
        (_, Some(_), _) => Line::from(Span::styled("saving…", theme.dim())),
        (_, None, true) => Line::from(Span::styled(
            "discard your change? Esc again discards, Enter saves",
            theme.error(),
        )),
        (Some(error), None, false) => Line::from(Span::styled(
            format!("✗ {}", printable(error)),
            theme.error(),
        )),
        (None, None, false) => Line::default(),
    };
    let rest = Rect::new(inner.x, inner.y + 3, inner.width, inner.height - 3);
    frame.render_widget(
        Paragraph::new(vec![
            message,
            Line::default(),
            Line::from(Span::styled(
                "Enter or Ctrl-s saves · Esc cancels",
                theme.dim(),
            )),
        ])
        .wrap(Wrap { trim: true }),
        rest,
    );
}
