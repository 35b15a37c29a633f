//! One SSH connection's handler. Its callbacks run inside the connection's loop, so they
//! never await the database or a shared lock: keys are checked against the in-memory index,
//! and a session's bytes are read by the session's own task from its channel.

use std::net::SocketAddr;
use std::sync::Arc;

use russh::server::{Auth, Handler, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId};

use crate::db::auth::Actor;
use crate::db::ssh_keys;
use crate::serve::Shared;
use crate::serve::gate::Unauthenticated;

/// Who a connection signed in as.
#[derive(Debug, Clone)]
pub struct Login {
    pub actor: Actor,
    pub fingerprint: String,
    pub address: SocketAddr,
}

pub struct Connection {
    shared: Arc<Shared>,
    address: SocketAddr,
    unauthenticated: Unauthenticated,
    login: Option<Login>,
}

impl Connection {
    pub fn new(shared: Arc<Shared>, address: SocketAddr, unauthenticated: Unauthenticated) -> Self {
        tracing::info!(%address, "serve: connection");
        Self {
            shared,
            address,
            unauthenticated,
            login: None,
        }
    }

    /// The user `key` signs in, as the index knows them now.
    fn known(&self, key: &russh::keys::PublicKey) -> (String, Option<Actor>) {
        let fingerprint = ssh_keys::fingerprint(key);
        let actor = self.shared.keys.borrow().get(&fingerprint).cloned();
        (fingerprint, actor)
    }

    fn refuse(&self, fingerprint: &str, user: &str) -> Auth {
        let blocked = self.shared.gate.failed(self.address.ip());
        tracing::warn!(
            address = %self.address,
            %fingerprint,
            ssh_user = user,
            blocked,
            "serve: refused a key that signs nobody in (unknown, revoked, or its user removed)"
        );
        Auth::reject()
    }
}

impl Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(Auth::reject())
    }

    async fn auth_password(&mut self, user: &str, _password: &str) -> Result<Auth, Self::Error> {
        tracing::warn!(address = %self.address, ssh_user = user, "serve: refused a password (keys only)");
        Ok(Auth::reject())
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        // Only a key that would sign someone in is worth the client's signature.
        match self.known(offer.public_key) {
            (_, Some(_)) => Ok(Auth::Accept),
            (fingerprint, None) => Ok(self.refuse(&fingerprint, user)),
        }
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        // russh has checked the signature: the client holds the private key.
        match self.known(key.public_key) {
            (fingerprint, Some(actor)) => {
                tracing::info!(
                    address = %self.address,
                    user = %actor.email,
                    role = actor.role.label(),
                    %fingerprint,
                    "serve: signed in by key"
                );
                self.unauthenticated.signed_in();
                self.login = Some(Login {
                    actor,
                    fingerprint,
                    address: self.address,
                });
                Ok(Auth::Accept)
            }
            (fingerprint, None) => Ok(self.refuse(&fingerprint, user)),
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(login) = self.login.clone() else {
            // Dropping the handle refuses the channel.
            return Ok(());
        };
        reply.accept().await;
        let shared = self.shared.clone();
        let handle = session.handle();
        tokio::spawn(crate::serve::session::run(shared, channel, handle, login));
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _columns: u32,
        _rows: u32,
        _pixel_width: u32,
        _pixel_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The session task takes the size and TERM from its channel.
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _command: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        match &self.login {
            Some(login) => {
                tracing::info!(address = %self.address, user = %login.actor.email, "serve: connection closed")
            }
            None => {
                tracing::info!(address = %self.address, "serve: connection closed before signing in")
            }
        }
    }
}
