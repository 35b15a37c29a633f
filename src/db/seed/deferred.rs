//! Bulk loading: index upkeep and reference checks set aside while millions of rows go in,
//! and rebuilt afterwards.
//!
//! Kept up row by row, the tables' indexes (two of them trigram GIN on tickets) and the
//! per-row copy triggers made `seed --scale 1` take over an hour; an index built once over
//! the loaded table takes seconds, and a foreign key added back is checked by one join. The
//! foreign keys come back in the seed's transaction; the indexes are queued in
//! `seed_pending_indexes` in it, and built after the commit on two connections at once (an
//! index build uses one core). An interrupted build is finished by the next start. The
//! definitions come from the catalog (`pg_get_indexdef`, `pg_get_constraintdef`): the schema
//! after a seed is exactly the schema before it.

use sqlx::{PgConnection, PgPool};

use crate::error::SetupError;

/// One index or foreign key that is rebuilt after the load.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeferredItem {
    pub kind: String,
    pub table_name: String,
    pub name: String,
    pub definition: String,
}

/// Sets aside the indexes (other than primary keys and constraints' own) and foreign keys of
/// the tables a seed fills, and the copy triggers whose values the seed writes itself. Returns
/// what was set aside, with its definition, the longest index builds first.
pub async fn set_aside(conn: &mut PgConnection) -> Result<Vec<DeferredItem>, SetupError> {
    bulk_settings(conn).await?;
    sqlx::raw_sql(SET_ASIDE).execute(&mut *conn).await?;
    Ok(sqlx::query_as(
        "SELECT kind, table_name, name, definition FROM pg_temp.bo_deferred ORDER BY position",
    )
    .fetch_all(conn)
    .await?)
}

/// Adds back the foreign keys among `items` (those of `tables`), each checked by one join.
pub async fn restore_foreign_keys(
    conn: &mut PgConnection,
    items: &[DeferredItem],
    tables: &[&str],
    mut each: impl FnMut(),
) -> Result<(), SetupError> {
    sqlx::raw_sql(ADD_CONSTRAINT_FUNCTION)
        .execute(&mut *conn)
        .await?;
    for item in items
        .iter()
        .filter(|item| item.kind != "index" && tables.contains(&item.table_name.as_str()))
    {
        each();
        sqlx::query("SELECT pg_temp.bo_add_constraint($1, $2, $3)")
            .bind(&item.table_name)
            .bind(&item.name)
            .bind(&item.definition)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Queues the indexes among `items` (those of `tables`) in `seed_pending_indexes`, in
/// `items`' order (longest builds first), to be built after the commit.
pub async fn queue_indexes(
    conn: &mut PgConnection,
    items: &[DeferredItem],
    tables: &[&str],
) -> Result<(), SetupError> {
    let first: i32 =
        sqlx::query_scalar("SELECT coalesce(max(position), 0) + 1 FROM seed_pending_indexes")
            .fetch_one(&mut *conn)
            .await?;
    let queued = items
        .iter()
        .filter(|item| item.kind == "index" && tables.contains(&item.table_name.as_str()));
    for (i, item) in queued.enumerate() {
        sqlx::query(
            "INSERT INTO seed_pending_indexes (position, name, definition) VALUES ($1, $2, $3)",
        )
        .bind(first + i as i32)
        .bind(&item.name)
        .bind(&item.definition)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How many indexes wait to be built.
pub async fn pending_indexes(pool: &PgPool) -> Result<i64, SetupError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM seed_pending_indexes")
            .fetch_one(pool)
            .await?,
    )
}

/// Index builders at work: each takes the next pending index until none is left, and says
/// so on `built` after each.
pub struct Builders {
    workers: Vec<tokio::task::JoinHandle<Result<(), sqlx::Error>>>,
    pub built: tokio::sync::mpsc::UnboundedReceiver<()>,
}

/// Starts `count` builders on `pool`.
pub fn start_builders(pool: &PgPool, count: usize) -> Builders {
    let (done_tx, done_rx) = tokio::sync::mpsc::unbounded_channel();
    let workers = (0..count.max(1))
        .map(|_| {
            let pool = pool.clone();
            let done = done_tx.clone();
            tokio::spawn(async move {
                loop {
                    // An index build outlasts the pool's statement timeout; lifted for its
                    // transaction only (a SET inside the statement would be too late for it).
                    let mut tx = pool.begin().await?;
                    sqlx::query("SET LOCAL statement_timeout = 0")
                        .execute(&mut *tx)
                        .await?;
                    let name: Option<String> =
                        sqlx::query_scalar("SELECT build_pending_seed_index()")
                            .fetch_one(&mut *tx)
                            .await?;
                    tx.commit().await?;
                    match name {
                        Some(_) => {
                            let _ = done.send(());
                        }
                        None => return Ok(()),
                    }
                }
            })
        })
        .collect();
    Builders {
        workers,
        built: done_rx,
    }
}

impl Builders {
    /// Waits for every builder to run out of work; calls `built` for each index finished.
    pub async fn finish(mut self, mut built: impl FnMut()) -> Result<(), SetupError> {
        while self.built.recv().await.is_some() {
            built();
        }
        for worker in self.workers {
            worker.await.map_err(|error| {
                SetupError::Invalid(format!("an index builder stopped: {error}"))
            })??;
        }
        Ok(())
    }

    /// Calls `built` for each index finished so far, without waiting.
    pub fn report(&mut self, mut built: impl FnMut()) {
        while self.built.try_recv().is_ok() {
            built();
        }
    }
}

/// Switches the orders' copy and liveness triggers back on.
pub async fn resume_orders_trigger(conn: &mut PgConnection) -> Result<(), SetupError> {
    sqlx::raw_sql(
        "ALTER TABLE orders ENABLE TRIGGER orders_copy_references; \
         ALTER TABLE orders ENABLE TRIGGER orders_event_live; \
         ALTER TABLE orders ENABLE TRIGGER order_revenue_on_insert;",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The same for the tickets' triggers.
pub async fn resume_tickets_trigger(conn: &mut PgConnection) -> Result<(), SetupError> {
    sqlx::raw_sql(
        "ALTER TABLE tickets ENABLE TRIGGER tickets_copy_references; \
         ALTER TABLE tickets ENABLE TRIGGER tickets_type_live; \
         ALTER TABLE tickets ENABLE TRIGGER ticket_sales_on_insert;",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Settings for a bulk load's transaction (each transaction of the seed sets them).
pub async fn bulk_settings(conn: &mut PgConnection) -> Result<(), SetupError> {
    sqlx::raw_sql(BULK_SETTINGS).execute(conn).await?;
    Ok(())
}

const BULK_SETTINGS: &str = r#"
-- Index builds and the reference checks' joins run far faster with room to sort in memory.
SET LOCAL maintenance_work_mem = '512MB';
SET LOCAL work_mem = '256MB';
-- The generators join millions of orders to thousands of events; estimating the tickets per
-- order badly, the planner otherwise picks a nested loop that compares every pair.
SET LOCAL enable_nestloop = off;
"#;

const ADD_CONSTRAINT_FUNCTION: &str = r#"
CREATE OR REPLACE FUNCTION pg_temp.bo_add_constraint(t text, n text, d text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', t, n, d);
END
$$;
"#;

const SET_ASIDE: &str = r#"
CREATE TEMP TABLE bo_deferred (
    position   serial PRIMARY KEY,
    kind       text NOT NULL,
    table_name text NOT NULL,
    name       text NOT NULL,
    definition text NOT NULL
) ON COMMIT DROP;

INSERT INTO bo_deferred (kind, table_name, name, definition)
SELECT 'index', x.indrelid::regclass::text, x.indexrelid::regclass::text,
       pg_get_indexdef(x.indexrelid)
FROM pg_index x
WHERE x.indrelid IN ('users'::regclass, 'events'::regclass, 'ticket_types'::regclass,
                     'orders'::regclass, 'tickets'::regclass, 'ticket_codes'::regclass,
                     'scans'::regclass, 'buyer_texts'::regclass)
  AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                  WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
-- The longest builds first (trigram GIN, then by table size), so that two builders finish
-- together.
ORDER BY (SELECT a.amname FROM pg_class i JOIN pg_am a ON a.oid = i.relam
          WHERE i.oid = x.indexrelid) = 'gin' DESC,
         pg_relation_size(x.indrelid) DESC, x.indexrelid;

INSERT INTO bo_deferred (kind, table_name, name, definition)
SELECT 'foreign key', k.conrelid::regclass::text, k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k
WHERE k.contype = 'f'
  AND k.conrelid IN ('users'::regclass, 'events'::regclass, 'ticket_types'::regclass,
                     'orders'::regclass, 'tickets'::regclass, 'scans'::regclass)
ORDER BY k.conrelid, k.conname;

DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT * FROM pg_temp.bo_deferred ORDER BY position LOOP
        IF item.kind = 'index' THEN
            EXECUTE format('DROP INDEX %s', item.name);
        ELSE
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.table_name, item.name);
        END IF;
    END LOOP;
END
$$;

ALTER TABLE orders DISABLE TRIGGER orders_copy_references;
ALTER TABLE tickets DISABLE TRIGGER tickets_copy_references;
-- The seed writes only into live events and types: no check per row at commit.
ALTER TABLE orders DISABLE TRIGGER orders_event_live;
ALTER TABLE tickets DISABLE TRIGGER tickets_type_live;
-- The sales per organizer are added up once after the load (COUNT_ORGANIZER_SALES, _REVENUE).
ALTER TABLE tickets DISABLE TRIGGER ticket_sales_on_insert;
ALTER TABLE orders DISABLE TRIGGER order_revenue_on_insert;

"#;
