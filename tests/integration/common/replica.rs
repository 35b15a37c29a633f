//! A primary and a streaming replica of their own, made with the built-in server code, and
//! sessions served by the real data task on them.

use std::path::PathBuf;
use std::time::Duration;

use boxoffice::data_task::{self, DataEvent, Envelope, Reply, Request};
use boxoffice::db::auth::Actor;
use boxoffice::db::databases::Databases;
use boxoffice::db::listing::{ListQuery, Position, Sort};
use boxoffice::db::local_server::{LOCAL_DATABASE, LOCAL_ROLE, LocalServer, find_bin_dir};
use boxoffice::db::model::EntityKind;
use boxoffice::db::replica::{ReadSettings, ReplicaHealth};
use boxoffice::db::{Connection, DatabaseTarget};
use tokio::sync::mpsc;

/// A primary (with the demo data) and its replica, stopped and removed when dropped.
pub struct ReplicatedCluster {
    pub primary: Connection,
    pub replica_url: String,
    pub primary_url: String,
    replica: LocalServer,
    root: PathBuf,
}

impl ReplicatedCluster {
    /// None, with a message, where the PostgreSQL server binaries are not installed.
    pub async fn start(name: &str, apply_delay: Duration) -> Option<Self> {
        if find_bin_dir().is_none() {
            eprintln!(
                "skipped: the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are \
                 not installed, so no replica can be made"
            );
            return None;
        }
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("replica-{name}"));
        // What an interrupted earlier run left: stopped and started afresh.
        for part in ["replica", "primary"] {
            if let Ok(server) = LocalServer::new(root.join(part)) {
                let _ = server.stop();
            }
        }
        let _ = std::fs::remove_dir_all(&root);
        let primary = boxoffice::db::open(&DatabaseTarget::BuiltIn(root.join("primary")), &|_| {})
            .await
            .expect("the primary starts with the demo data");
        let primary_server = LocalServer::new(root.join("primary")).expect("primary server");
        let replica = LocalServer::new(root.join("replica")).expect("replica server");
        let replica_socket = replica.socket_dir();
        let replica = tokio::task::spawn_blocking(move || {
            replica
                .start_as_replica_of(&primary_server, apply_delay)
                .expect("the replica starts");
            replica
        })
        .await
        .expect("replica set-up");
        let url = |socket: PathBuf| {
            format!(
                "postgres://{LOCAL_ROLE}@localhost/{LOCAL_DATABASE}?host={}",
                socket.display()
            )
        };
        Some(Self {
            primary_url: url(LocalServer::new(root.join("primary"))
                .expect("server")
                .socket_dir()),
            replica_url: url(replica_socket),
            primary,
            replica,
            root,
        })
    }

    /// The databases as a process configured with this replica has them.
    pub fn databases(&self, max_lag: Duration) -> Databases {
        Databases::new(
            self.primary.pool.clone(),
            Some(&ReadSettings {
                url: self.replica_url.clone(),
                pool_size: 8,
                max_lag,
            }),
        )
        .expect("replica settings")
    }

    pub async fn stop_replica(&self) {
        let replica = LocalServer::new(self.root.join("replica")).expect("server");
        tokio::task::spawn_blocking(move || replica.stop().expect("the replica stops"))
            .await
            .expect("stop");
    }

    pub async fn start_replica(&self) {
        let replica = LocalServer::new(self.root.join("replica")).expect("server");
        tokio::task::spawn_blocking(move || replica.ensure_running().expect("the replica starts"))
            .await
            .expect("start");
    }

    pub fn replica_pool(&self) -> sqlx::PgPool {
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect_lazy(&self.replica_url)
            .expect("replica url")
    }
}

impl Drop for ReplicatedCluster {
    fn drop(&mut self) {
        let _ = self.replica.stop();
        // The primary's lease (in `primary`) stops it when dropped after this.
    }
}

/// Waits until the replica is read from (its first health checks passed).
pub async fn replica_in_use(databases: &Databases) {
    let replica = databases.replica.as_ref().expect("a replica");
    let mut health = replica.health();
    tokio::time::timeout(
        Duration::from_secs(30),
        health.wait_for(|now| *now == ReplicaHealth::InUse),
    )
    .await
    .expect("the replica is in use within 30 s")
    .expect("health watch");
}

/// One app's data task on `databases`, signed in as `actor`.
pub struct Session {
    requests: mpsc::UnboundedSender<Envelope>,
    events: mpsc::UnboundedReceiver<DataEvent>,
    generation: u64,
}

impl Session {
    pub fn open(databases: &Databases, actor: Actor) -> Self {
        let (requests, requests_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        tokio::spawn(data_task::serve(
            databases.clone(),
            Some(actor),
            requests_rx,
            events_tx,
        ));
        Self {
            requests,
            events,
            generation: 0,
        }
    }

    /// Sends `request` and waits for its answer (other events are passed over).
    pub async fn ask(&mut self, request: Request) -> Reply {
        self.generation += 1;
        let generation = self.generation;
        self.requests
            .send(Envelope {
                generation,
                request,
            })
            .expect("the data task runs");
        loop {
            let event = tokio::time::timeout(Duration::from_secs(60), self.events.recv())
                .await
                .expect("an answer within 60 s")
                .expect("the data task runs");
            if let DataEvent::Reply {
                generation: answered,
                reply,
            } = event
                && answered == generation
            {
                return reply;
            }
        }
    }

    /// Waits for the data task to tell the app about the replica's health, as `wanted` says.
    pub async fn replica_news(&mut self, wanted: impl Fn(&ReplicaHealth) -> bool) -> ReplicaHealth {
        loop {
            let event = tokio::time::timeout(Duration::from_secs(60), self.events.recv())
                .await
                .expect("news within 60 s")
                .expect("the data task runs");
            if let DataEvent::Replica(health) = event
                && wanted(&health)
            {
                return health;
            }
        }
    }
}

/// The first page of a list with a filter, as typed after `/`.
pub fn list(kind: EntityKind, filter: &str) -> Request {
    Request::Page(ListQuery {
        kind,
        parent: None,
        filter: boxoffice::db::filter::parse(kind, filter).expect("a valid filter"),
        sort: Sort::default_for(kind),
        position: Position::First,
        page_size: 50,
    })
}

/// The ids of a page's rows.
pub fn ids(reply: &Reply) -> Vec<i64> {
    match reply {
        Reply::Page(_, Ok(page)) => page.rows.iter().map(|row| row.id()).collect(),
        other => panic!("a page, not {other:?}"),
    }
}
