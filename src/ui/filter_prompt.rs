//! The `/` prompt, over the bottom of the table: the input line and, under it, the error or
//! the keys this tab understands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::App;
use crate::app::commands::Command;
use crate::app::filter_prompt::FilterPrompt;
use crate::app::tab::Tab;
use crate::db::model::EntityKind;
use crate::ui::format::{input_window, printable};
use crate::ui::theme::Theme;

/// The keys of the tab's filter language.
fn hint(tab: Tab) -> &'static str {
    match tab {
        Tab::List(EntityKind::Event) => {
            "from:2026-06-01 to: venue:\"Main Hall\" organizer:email|id, words search title+venue"
        }
        Tab::List(EntityKind::Order) => {
            "status:paid,refunded from: to: event:id customer:email|id code:, words search code+buyer"
        }
        Tab::List(EntityKind::Ticket) => {
            "event:id order:code|id status:valid type:VIP holder:, words search code+holder"
        }
        Tab::Trash => "kind:event|ticket_type|order|ticket from:2026-06-01 to: (deleted dates)",
        Tab::CheckIn | Tab::Dashboard => "",
    }
}

pub fn draw(frame: &mut Frame, table: Rect, prompt: &FilterPrompt, app: &App, theme: &Theme) {
    if table.height < 4 {
        return;
    }
    let area = Rect::new(table.x, table.y + table.height - 4, table.width, 4);
    let keys = &app.keymap;
    let title = format!(
        " Filter · {} apply · {} close · {}/{} recent ",
        keys.hint(Command::ApplyFilter),
        keys.hint(Command::ClosePrompt),
        keys.hint(Command::OlderFilter),
        keys.hint(Command::NewerFilter)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let width = inner.width.saturating_sub(3) as usize;
    let (shown, cursor) = input_window(prompt.input.value(), prompt.input.visual_cursor(), width);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("/ ", theme.header()),
            Span::raw(shown),
        ])),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    frame.set_cursor_position((inner.x + 2 + cursor, inner.y));
    let under = match &prompt.error {
        Some(error) => Span::styled(format!("✗ {}", printable(error)), theme.error()),
        None => Span::styled(hint(app.tab), theme.dim()),
    };
    frame.render_widget(
        Paragraph::new(Line::from(under)),
        Rect::new(inner.x, inner.y + 1, inner.width, 1),
    );
}
