//! Frames for an SSH session: ratatui draws into a buffer through crossterm's escape codes,
//! at the size the client's pty asked for (never the server's terminal), and each frame goes
//! to the session's writer. A client that reads slowly never holds more than the frame on its
//! way and 32 KB more: frames that wait are joined up to that, past it they are dropped and
//! the screen is then drawn whole, so dropping never leaves it half-updated.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::Notify;

use crate::app::App;
use crate::runner::Screen;

/// A ratatui backend for a remote terminal: crossterm's escape codes into a buffer, with the
/// size and cursor kept here instead of asked of a local terminal.
pub struct RemoteBackend {
    inner: CrosstermBackend<FrameBuffer>,
    bytes: FrameBuffer,
    size: Size,
    cursor: Position,
}

/// Where crossterm writes a frame's escape codes until the frame is taken.
#[derive(Debug, Clone, Default)]
struct FrameBuffer(Arc<Mutex<Vec<u8>>>);

impl FrameBuffer {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Write for FrameBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl RemoteBackend {
    fn new(size: Size) -> Self {
        let bytes = FrameBuffer::default();
        Self {
            inner: CrosstermBackend::new(bytes.clone()),
            bytes,
            size,
            cursor: Position::ORIGIN,
        }
    }

    fn take_bytes(&mut self) -> Vec<u8> {
        self.bytes.take()
    }
}

impl Write for RemoteBackend {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Backend for RemoteBackend {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let position = position.into();
        self.cursor = position;
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size,
            pixels: Size::default(),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How many bytes of frames may wait for a client that is behind; past this it gets the
/// screen whole instead (a 100x30 screen drawn whole is about 10-20 KB).
const JOIN_UP_TO: usize = 32 * 1024;

/// Frames between the session and its writer: while one is sent, the next ones wait joined,
/// up to `JOIN_UP_TO` bytes.
#[derive(Debug, Default)]
pub struct Outbox {
    state: Mutex<OutboxState>,
    /// Wakes the writer.
    pub ready: Notify,
}

#[derive(Debug, Default)]
struct OutboxState {
    waiting: Option<Vec<u8>>,
    /// Frames were dropped: the next one must draw the screen whole.
    whole_next: bool,
    /// The writer should ask for that frame once it is free again.
    redraw_wanted: bool,
    closed: bool,
}

impl Outbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, OutboxState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hands a frame to the writer. If the one before still waits (the client, or this
    /// server, is behind), the new one joins it: a frame is the changes since the one before,
    /// so the two in a row draw the same screen. Once what waits would pass `JOIN_UP_TO`, both
    /// are dropped and the next frame is drawn whole.
    fn ship(&self, frame: Vec<u8>) {
        if frame.is_empty() {
            return;
        }
        let mut state = self.lock();
        match state.waiting.as_mut() {
            Some(waiting) if waiting.len() + frame.len() <= JOIN_UP_TO => {
                waiting.extend_from_slice(&frame);
            }
            Some(_) => {
                state.waiting = None;
                state.whole_next = true;
                state.redraw_wanted = true;
            }
            None => state.waiting = Some(frame),
        }
        drop(state);
        self.ready.notify_one();
    }

    fn take_whole_next(&self) -> bool {
        std::mem::take(&mut self.lock().whole_next)
    }

    /// The frame to send next, if any.
    pub fn next_frame(&self) -> Option<Vec<u8>> {
        self.lock().waiting.take()
    }

    /// Whether frames were dropped since the last call: the session should draw again.
    pub fn take_redraw_wanted(&self) -> bool {
        std::mem::take(&mut self.lock().redraw_wanted)
    }

    /// Bytes waiting, for the memory figures.
    pub fn waiting_bytes(&self) -> usize {
        self.lock().waiting.as_ref().map_or(0, Vec::len)
    }

    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_one();
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }
}

/// The app's screen over SSH. While it rests (nothing drawn for a while) it lets its two
/// frame buffers go (about 0.3 MB at 100x30); the next frame clears the client's screen and
/// is drawn whole.
pub struct RemoteScreen {
    terminal: Option<Terminal<RemoteBackend>>,
    size: Size,
    outbox: Arc<Outbox>,
    /// Bytes for the client before the next frame.
    preamble: Vec<u8>,
}

impl RemoteScreen {
    pub fn new(width: u16, height: u16, outbox: Arc<Outbox>) -> Self {
        Self {
            terminal: None,
            size: Size::new(width, height),
            outbox,
            preamble: Vec::new(),
        }
    }

    /// The first bytes (they go out with the first frame): the alternate screen, no cursor.
    pub fn enter(&mut self) -> io::Result<()> {
        crossterm::queue!(
            self.preamble,
            crossterm::terminal::EnterAlternateScreen,
            crossterm::cursor::Hide
        )
    }

    /// The bytes that give the client's terminal back as it was.
    pub fn leave_bytes() -> Vec<u8> {
        let mut bytes = Vec::new();
        let _ = crossterm::queue!(
            bytes,
            crossterm::terminal::EndSynchronizedUpdate,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        bytes
    }

    /// The terminal to draw with, made afresh (on a cleared screen) after a rest.
    fn terminal(&mut self) -> io::Result<&mut Terminal<RemoteBackend>> {
        if self.terminal.is_none() {
            let area = Rect::new(0, 0, self.size.width, self.size.height);
            let mut terminal = Terminal::with_options(
                RemoteBackend::new(self.size),
                TerminalOptions {
                    viewport: Viewport::Fixed(area),
                },
            )?;
            crossterm::queue!(
                terminal.backend_mut(),
                crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
            )?;
            self.terminal = Some(terminal);
        }
        self.terminal
            .as_mut()
            .ok_or_else(|| io::Error::other("no terminal"))
    }

    fn fit(&mut self, app: &App) -> io::Result<()> {
        let size = Size::new(app.size.width, app.size.height);
        if self.size != size {
            self.size = size;
            if let Some(terminal) = self.terminal.as_mut() {
                terminal.backend_mut().size = size;
                terminal.resize(Rect::new(0, 0, size.width, size.height))?;
            }
        }
        Ok(())
    }
}

impl Screen for RemoteScreen {
    fn draw(&mut self, app: &App) -> io::Result<()> {
        self.fit(app)?;
        let whole = self.outbox.take_whole_next();
        let mut frame = std::mem::take(&mut self.preamble);
        let terminal = self.terminal()?;
        if whole {
            terminal.clear()?;
        }
        crate::tui::draw(terminal, app)?;
        frame.extend(terminal.backend_mut().take_bytes());
        self.outbox.ship(frame);
        Ok(())
    }

    fn rest(&mut self) {
        self.terminal = None;
    }

    /// Goes out ahead of the next frame (which the copy's message makes).
    fn copy(&mut self, text: &str) -> io::Result<()> {
        self.preamble
            .extend_from_slice(crate::clipboard::osc52(text).as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_that_wait_are_joined_until_too_many_then_the_next_is_whole() {
        let outbox = Outbox::default();
        outbox.ship(b"one".to_vec());
        outbox.ship(b"two".to_vec());
        assert_eq!(
            outbox.next_frame(),
            Some(b"onetwo".to_vec()),
            "joined in order"
        );
        assert!(!outbox.take_whole_next());
        outbox.ship(b"three".to_vec());
        outbox.ship(vec![b'x'; JOIN_UP_TO]);
        assert_eq!(outbox.next_frame(), None, "both dropped");
        assert!(outbox.take_whole_next());
        assert!(outbox.take_redraw_wanted());
        outbox.ship(b"four".to_vec());
        assert_eq!(outbox.next_frame(), Some(b"four".to_vec()));
        assert!(!outbox.take_whole_next());
    }
}
