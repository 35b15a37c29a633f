//! The help overlay, generated from the key map the key handling uses: the keys of the tab
//! shown, then those of the dialogs it opens, in one column that scrolls, so it reads whole
//! at 80x24.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::App;
use crate::app::commands::Command;
use crate::app::keymap::HelpLine;
use crate::app::overlay::HelpView;
use crate::ui::layout::centered;
use crate::ui::theme::Theme;

/// Wide enough for the longest key list and help text; at most the terminal.
const WIDTH: u16 = 80;
/// Keys are padded to this many columns, then the words.
const KEY_COLUMN: usize = 19;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, help: &HelpView, theme: &Theme) {
    let text = app.keymap.help_text(app.tab.context(), app.kiosk.is_some());
    let height = (text.len() as u16 + 2).min(area.height);
    let popup = centered(area, WIDTH, height);
    let shown = usize::from(popup.height.saturating_sub(2));
    let more_below = help.scroll + shown < text.len();
    let title = format!(
        " Keys · {} or {} closes ",
        app.keymap.hint(Command::Back),
        app.keymap.hint(Command::Help)
    );
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    if help.scroll > 0 || more_below {
        let position = format!(
            " {}/{} {} · {}/{} scroll ",
            (help.scroll + shown).min(text.len()),
            text.len(),
            if more_below { "↓ more" } else { "end" },
            app.keymap.hint(Command::Down),
            app.keymap.hint(Command::Up),
        );
        block = block.title_bottom(Line::from(position).right_aligned());
    }
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let lines: Vec<Line> = text
        .iter()
        .skip(help.scroll)
        .take(shown)
        .map(|line| match line {
            HelpLine::Heading(heading) => Line::from(Span::styled(*heading, theme.title())),
            HelpLine::Keys(keys, words) => {
                let pad = KEY_COLUMN.saturating_sub(keys.chars().count()).max(1);
                Line::from(vec![
                    Span::styled(keys.clone(), theme.header()),
                    Span::raw(" ".repeat(pad)),
                    Span::raw(*words),
                ])
            }
            HelpLine::Blank => Line::default(),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
