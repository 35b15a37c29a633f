//! Live updates: LISTEN for the change notifications the triggers of migration 0003 send, and
//! tell the UI which tables changed, a burst at a time. When the listening connection drops,
//! notifications sent meanwhile are lost, so the UI is told to reload what it shows.

use std::collections::BTreeSet;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::data_task::DataEvent;

pub const CHANNEL: &str = "boxoffice_changes";
/// Changes arriving within this window are reported together.
const DEBOUNCE: Duration = Duration::from_millis(120);
const RETRY: Duration = Duration::from_secs(2);

pub fn spawn(pool: PgPool, events: UnboundedSender<DataEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "live updates: cannot connect; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            if let Err(error) = listener.listen(CHANNEL).await {
                tracing::warn!(%error, "live updates: cannot LISTEN; retrying");
                tokio::time::sleep(RETRY).await;
                continue;
            }
            if !first && !report(&events, BTreeSet::new(), true) {
                return;
            }
            first = false;
            if !listen(&mut listener, &events).await {
                return;
            }
            tokio::time::sleep(RETRY).await;
        }
    })
}

/// Forwards notifications until the connection fails for good (false: the app is gone).
async fn listen(listener: &mut PgListener, events: &UnboundedSender<DataEvent>) -> bool {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                let mut tables = BTreeSet::new();
                tables.insert(table_of(notification.payload()));
                let deadline = tokio::time::Instant::now() + DEBOUNCE;
                while let Ok(Ok(Some(more))) =
                    tokio::time::timeout_at(deadline, listener.try_recv()).await
                {
                    tables.insert(table_of(more.payload()));
                }
                if !report(events, tables, false) {
                    return false;
                }
            }
            // The connection dropped; the next call reconnects and listens again.
            Ok(None) => {
                tracing::info!("live updates: connection lost, reconnecting");
                if !report(events, BTreeSet::new(), true) {
                    return false;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "live updates: listener failed");
                return true;
            }
        }
    }
}

fn table_of(payload: &str) -> String {
    payload.split(':').next().unwrap_or_default().to_string()
}

fn report(
    events: &UnboundedSender<DataEvent>,
    tables: BTreeSet<String>,
    reconnected: bool,
) -> bool {
    events
        .send(DataEvent::Changed {
            tables: tables.into_iter().collect(),
            reconnected,
        })
        .is_ok()
}
