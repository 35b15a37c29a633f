//! An SSH client for tests and the SSH benchmark: russh's client, signing in with a key,
//! a pty of a given size, and the screen read back through a terminal emulator (vt100).

use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client::{self, Handle, Msg};
use russh::keys::{Algorithm, PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{Channel, ChannelMsg};

pub struct TrustingClient;

impl client::Handler for TrustingClient {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

pub fn new_key() -> PrivateKey {
    PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).expect("a key")
}

/// The public half as the users form or `keys add` take it.
pub fn public_line(key: &PrivateKey) -> String {
    key.public_key().to_openssh().expect("openssh text")
}

/// Connects and signs in; Err when the server refuses the key.
pub async fn sign_in(
    address: std::net::SocketAddr,
    key: &PrivateKey,
) -> Result<Handle<TrustingClient>, String> {
    sign_in_with_window(address, key, client::Config::default().window_size).await
}

/// As [`sign_in`], taking at most `window` bytes before the client must read: a client
/// that never reads then stops the server's sending after that much.
pub async fn sign_in_with_window(
    address: std::net::SocketAddr,
    key: &PrivateKey,
    window: u32,
) -> Result<Handle<TrustingClient>, String> {
    let config = Arc::new(client::Config {
        inactivity_timeout: Some(Duration::from_secs(60)),
        window_size: window,
        ..Default::default()
    });
    let mut handle = client::connect(config, address, TrustingClient)
        .await
        .map_err(|error| format!("connect: {error}"))?;
    let signed_in = handle
        .authenticate_publickey(
            "anyone",
            PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None),
        )
        .await
        .map_err(|error| format!("auth: {error}"))?;
    if signed_in.success() {
        Ok(handle)
    } else {
        Err("refused".into())
    }
}

/// A session with a pty, and the screen as the client's terminal shows it.
pub struct Terminal {
    pub handle: Handle<TrustingClient>,
    pub channel: Channel<Msg>,
    pub parser: vt100::Parser,
    pub exit_status: Option<u32>,
    pub closed: bool,
}

impl Terminal {
    /// Signs in with `key` and opens the app (or `command`) at `width` x `height`.
    pub async fn open(
        address: std::net::SocketAddr,
        key: &PrivateKey,
        width: u16,
        height: u16,
        command: Option<&str>,
    ) -> Result<Terminal, String> {
        let window = client::Config::default().window_size;
        Self::open_with_window(address, key, width, height, command, window).await
    }

    /// As [`Terminal::open`], with the client's window for the server's output.
    pub async fn open_with_window(
        address: std::net::SocketAddr,
        key: &PrivateKey,
        width: u16,
        height: u16,
        command: Option<&str>,
        window: u32,
    ) -> Result<Terminal, String> {
        let handle = sign_in_with_window(address, key, window).await?;
        let channel = handle
            .channel_open_session()
            .await
            .map_err(|error| format!("session: {error}"))?;
        channel
            .request_pty(
                true,
                "xterm-256color",
                width.into(),
                height.into(),
                0,
                0,
                &[],
            )
            .await
            .map_err(|error| format!("pty: {error}"))?;
        match command {
            Some(command) => channel.exec(true, command).await,
            None => channel.request_shell(true).await,
        }
        .map_err(|error| format!("shell: {error}"))?;
        Ok(Terminal {
            handle,
            channel,
            parser: vt100::Parser::new(cells(height), cells(width), 0),
            exit_status: None,
            closed: false,
        })
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Reads what the server sends until `wanted` holds for the screen; false if it did not
    /// within `within`, or the session ended first.
    pub async fn wait_for(&mut self, within: Duration, wanted: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if wanted(&self.screen()) {
                return true;
            }
            if self.closed {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match tokio::time::timeout(left, self.channel.wait()).await {
                Ok(Some(message)) => self.take(message),
                Ok(None) => self.closed = true,
                Err(_) => return false,
            }
        }
    }

    /// Reads until the session ends; the text it said on its way out.
    pub async fn wait_closed(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while !self.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.channel.wait()).await {
                Ok(Some(message)) => self.take(message),
                Ok(None) => self.closed = true,
                Err(_) => return false,
            }
        }
        true
    }

    fn take(&mut self, message: ChannelMsg) {
        match message {
            ChannelMsg::Data { data } => self.parser.process(&data),
            ChannelMsg::ExitStatus { exit_status } => self.exit_status = Some(exit_status),
            ChannelMsg::Eof | ChannelMsg::Close => self.closed = true,
            _ => {}
        }
    }

    pub async fn send(&self, bytes: &[u8]) {
        self.channel.data(bytes).await.expect("sent");
    }

    pub async fn resize(&mut self, width: u16, height: u16) {
        self.parser.set_size(cells(height), cells(width));
        self.channel
            .window_change(width.into(), height.into(), 0, 0)
            .await
            .expect("window change");
    }
}

fn cells(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

/// A TCP relay in front of the server whose client can stop reading: once `stall()` is
/// called, nothing more reaches the client, as when a client stops reading its socket.
pub struct Relay {
    pub address: std::net::SocketAddr,
    stalled: Arc<std::sync::atomic::AtomicBool>,
}

impl Relay {
    /// Relays one connection to `server`.
    pub async fn start(server: std::net::SocketAddr) -> Relay {
        use std::sync::atomic::{AtomicBool, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a relay port");
        let address = listener.local_addr().expect("its address");
        let stalled = Arc::new(AtomicBool::new(false));
        let stop = stalled.clone();
        tokio::spawn(async move {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let Ok(upstream) = tokio::net::TcpStream::connect(server).await else {
                return;
            };
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = upstream.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
            });
            let mut buffer = vec![0u8; 16 * 1024];
            loop {
                if stop.load(Ordering::SeqCst) {
                    // Stops reading the server: its bytes pile up in the socket, as they
                    // would for a client that stopped reading.
                    std::future::pending::<()>().await;
                }
                match server_read.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if client_write.write_all(&buffer[..n]).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Relay { address, stalled }
    }

    pub fn stall(&self) {
        self.stalled
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
