//! The terminal: entering and leaving raw mode and the alternate screen, restoring it on
//! every way out (quit, error, panic in any task, signal), and drawing frames as
//! synchronized updates so slow links never show half a frame.

use std::io::{self, Stdout, stdout};

use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute, queue};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};

use crate::app::App;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Takes over the terminal. The size comes from an ioctl; nothing queries the cursor
/// position, which would hang on a detached PTY.
pub fn enter() -> io::Result<Term> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, cursor::Hide)?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Gives the terminal back. Safe to call more than once and from a panic hook.
pub fn restore() {
    let _ = execute!(
        stdout(),
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal before any panic message is printed, in whichever task panicked.
/// The runner notices a dead task and stops the app.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Draws a frame as one synchronized update, on any backend that writes escape sequences.
pub fn draw<B>(terminal: &mut Terminal<B>, app: &App) -> io::Result<()>
where
    B: Backend<Error = io::Error> + io::Write,
{
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|frame| crate::ui::draw(frame, app))?;
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)
}
