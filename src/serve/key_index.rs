//! The keys in force, in memory: the SSH handler checks a key without awaiting the database
//! (it runs inside the connection's loop). Reloaded whenever a key or a user changes (the
//! change notifications), and every minute besides.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::{broadcast, watch};

use crate::data_task::DataEvent;
use crate::db::auth::Actor;
use crate::db::ssh_keys;

const RELOAD_EVERY: Duration = Duration::from_secs(60);

/// Fingerprint to the user it signs in.
pub type KeyIndex = HashMap<String, Actor>;

/// Loads the keys in force, then keeps them current until the process ends.
pub async fn start(
    pool: PgPool,
    mut changes: broadcast::Receiver<DataEvent>,
) -> Result<watch::Receiver<Arc<KeyIndex>>, crate::error::DataError> {
    let (index, receiver) = watch::channel(Arc::new(load(&pool).await?));
    tokio::spawn(async move {
        loop {
            let reload = tokio::select! {
                change = changes.recv() => match change {
                    Ok(DataEvent::Changed { tables, reconnected }) => {
                        reconnected || tables.iter().any(|t| t == "user_keys" || t == "users")
                    }
                    Ok(_) => false,
                    // Missed some: reload to be sure.
                    Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = tokio::time::sleep(RELOAD_EVERY) => true,
            };
            if !reload {
                continue;
            }
            match load(&pool).await {
                Ok(keys) => {
                    if index.send(Arc::new(keys)).is_err() {
                        return;
                    }
                }
                Err(error) => tracing::warn!(%error, "serve: reloading the SSH keys"),
            }
        }
    });
    Ok(receiver)
}

async fn load(pool: &PgPool) -> Result<KeyIndex, crate::error::DataError> {
    Ok(ssh_keys::in_force(pool)
        .await?
        .into_iter()
        .map(|key| (key.fingerprint, key.actor))
        .collect())
}
