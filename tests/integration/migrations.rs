//! Migrations are reversible: up, down to zero and up again gives the same schema.

use crate::common::TestDb;
use boxoffice::db::migrations::{self, DownTo};
use sqlx::PgPool;

/// A textual description of everything the migrations create.
async fn schema(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        r#"
        SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
               || is_nullable || ' ' || coalesce(column_default, '') || ' ' || is_identity
        FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL
        SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL
        SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger
        WHERE NOT tgisinternal
        UNION ALL
        SELECT 'type ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
        UNION ALL
        SELECT 'function ' || proname || ' ' || md5(prosrc) FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace
        ORDER BY 1
        "#,
    )
    .fetch_all(pool)
    .await
    .expect("schema query")
}

async fn user_tables(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await
    .expect("count tables")
}

#[tokio::test]
async fn down_to_zero_and_up_again_gives_the_same_schema() {
    let db = TestDb::new().await;
    let before = schema(&db.pool).await;
    assert!(
        before
            .iter()
            .any(|line| line.starts_with("index tickets_code_live_key"))
    );
    assert_eq!(
        user_tables(&db.pool).await,
        20,
        "seven of the design, trash_batches, user_keys, seed_pending_indexes, \
         sign_in_failures, pending_changes, ticket_type_blocks, ticket_holder_names, \
         ticket_codes, ticket_sales_changes, organizer_ticket_sales, order_revenue_changes, \
         organizer_revenue and buyer_texts"
    );

    let reverted = migrations::down(&db.pool, DownTo::All)
        .await
        .expect("down to zero");
    assert!(!reverted.is_empty());
    assert_eq!(user_tables(&db.pool).await, 0, "down removes every table");
    assert!(
        migrations::status(&db.pool)
            .await
            .expect("status")
            .iter()
            .all(|m| !m.applied)
    );

    migrations::up(&db.pool).await.expect("up again");
    assert_eq!(schema(&db.pool).await, before);
    assert!(
        migrations::status(&db.pool)
            .await
            .expect("status")
            .iter()
            .all(|m| m.applied)
    );
}

#[tokio::test]
async fn down_by_steps_reverts_the_newest_only() {
    let db = TestDb::new().await;
    let applied = migrations::status(&db.pool).await.expect("status");
    let reverted = migrations::down(&db.pool, DownTo::Steps(1))
        .await
        .expect("down one");
    assert_eq!(reverted, vec![applied.last().expect("a migration").version]);
    let after = migrations::status(&db.pool).await.expect("status");
    assert_eq!(
        after.iter().filter(|m| m.applied).count(),
        applied.len() - 1
    );
    migrations::up(&db.pool).await.expect("up again");
}

#[tokio::test]
async fn the_schema_refuses_what_the_design_forbids() {
    let db = TestDb::with_demo().await;
    let refused = [
        "UPDATE events SET ends_at = starts_at WHERE id = (SELECT min(id) FROM events)",
        "UPDATE ticket_types SET price_cents = -1 WHERE id = (SELECT min(id) FROM ticket_types)",
        "UPDATE ticket_types SET quantity = sold - 1 WHERE id = (SELECT min(id) FROM ticket_types WHERE sold > 0)",
        "INSERT INTO users (email, name) VALUES ('ADMIN@boxoffice.test', 'Copy')",
        "INSERT INTO users (email, name) VALUES ('not an email', 'Nobody')",
        "UPDATE tickets SET code = (SELECT code FROM tickets ORDER BY id DESC LIMIT 1) WHERE id = (SELECT min(id) FROM tickets)",
        "UPDATE tickets SET status = 'checked_in', checked_in_at = NULL WHERE id = (SELECT min(id) FROM tickets)",
    ];
    for sql in refused {
        assert!(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&db.pool)
                .await
                .is_err(),
            "allowed: {sql}"
        );
    }
    // Uniqueness holds among live rows only: a deleted user's email can be taken again.
    sqlx::query("UPDATE users SET deleted_at = now() WHERE email = 'chris@example.com'")
        .execute(&db.pool)
        .await
        .expect("soft delete");
    sqlx::query("INSERT INTO users (email, name) VALUES ('Chris@example.com', 'New Chris')")
        .execute(&db.pool)
        .await
        .expect("email free again");
    // updated_at is kept by the database.
    let (created, updated): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "UPDATE events SET title = title || '!' WHERE id = (SELECT min(id) FROM events) RETURNING created_at, updated_at",
    )
    .fetch_one(&db.pool)
    .await
    .expect("update");
    assert!(updated > created);
}

/// The tickets' codes are searched in a table of their own (migration 0024), kept by the
/// statements that insert and delete tickets: a new version of a ticket's row (an admission,
/// a changed holder) writes no trigram entry, a sale's tickets do, and those wait in the
/// codes' index's pending list until they are merged off the sale's path (migration 0020,
/// every 2 s by the process that sends the change notifications): a merge takes them all, the
/// next finds none, and a seed rebuilding the index (missing) makes it skip, not fail.
#[tokio::test]
async fn the_tickets_codes_are_searched_apart_and_merged_off_the_door() {
    use boxoffice::db::search_entries::merge_pending;
    let db = TestDb::with_demo().await;
    let codes_match_tickets = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT (SELECT count(*) FROM tickets) = (SELECT count(*) FROM ticket_codes) \
                AND NOT EXISTS (SELECT 1 FROM tickets t \
                                LEFT JOIN ticket_codes c ON c.ticket_id = t.id AND c.code = t.code \
                                WHERE c.ticket_id IS NULL)",
        )
        .fetch_one(&db.pool)
        .await
        .expect("compared")
    };
    assert!(codes_match_tickets().await);
    merge_pending(&db.pool)
        .await
        .expect("the demo's entries merged");

    let changed = sqlx::query(
        "UPDATE tickets SET holder_name = holder_name || ' Jr', status = 'checked_in', \
                checked_in_at = now() \
         WHERE id IN (SELECT id FROM tickets WHERE status = 'valid' ORDER BY id LIMIT 20)",
    )
    .execute(&db.pool)
    .await
    .expect("holders changed and admitted")
    .rows_affected();
    assert_eq!(changed, 20);
    assert_eq!(merge_pending(&db.pool).await.expect("nothing to merge"), 0);

    let sold: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO tickets (code, order_id, ticket_type_id, holder_name) \
         SELECT 'MRG' || id || 'X', order_id, ticket_type_id, holder_name \
         FROM tickets ORDER BY id LIMIT 20 RETURNING id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("tickets sold");
    assert!(codes_match_tickets().await);
    assert!(merge_pending(&db.pool).await.expect("merged") > 0);
    assert_eq!(merge_pending(&db.pool).await.expect("merged again"), 0);

    // boxoffice never changes a code; one changed by hand is followed.
    sqlx::query("UPDATE tickets SET code = 'BYHAND1' WHERE id = $1")
        .bind(sold[0])
        .execute(&db.pool)
        .await
        .expect("a code changed by hand");
    assert!(codes_match_tickets().await);
    sqlx::query("DELETE FROM tickets WHERE id = ANY($1)")
        .bind(&sold)
        .execute(&db.pool)
        .await
        .expect("purged");
    assert!(codes_match_tickets().await);

    sqlx::query("DROP INDEX ticket_codes_trgm")
        .execute(&db.pool)
        .await
        .expect("dropped");
    assert_eq!(merge_pending(&db.pool).await.expect("the index missing"), 0);
}

/// A seed stopped while it built indexes leaves the rest queued for the next start, which
/// migrates first: migration 0024 (and its reverse) must neither fail on the codes' trigram
/// index that was not built yet nor leave it queued for a table it no longer belongs to.
#[tokio::test]
async fn the_codes_migration_passes_an_interrupted_seeds_queue() {
    let db = TestDb::new().await;
    let queued = |name: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM seed_pending_indexes WHERE name = $1)",
            )
            .bind(name)
            .fetch_one(&pool)
            .await
            .expect("queue read")
        }
    };
    let set_aside = |index: &'static str, definition: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP INDEX {index}")))
                .execute(&pool)
                .await
                .expect("index dropped");
            sqlx::query(
                "INSERT INTO seed_pending_indexes (position, name, definition) VALUES (1, $1, $2)",
            )
            .bind(index)
            .bind(definition)
            .execute(&pool)
            .await
            .expect("queued");
        }
    };

    // (The migrations after it are reverted and applied again on the way.)
    let after_codes = migrations::status(&db.pool)
        .await
        .expect("status")
        .iter()
        .filter(|migration| migration.applied && migration.version >= 24)
        .count();
    migrations::down(&db.pool, DownTo::Steps(after_codes))
        .await
        .expect("down to 0023");
    set_aside(
        "tickets_code_trgm",
        "CREATE INDEX tickets_code_trgm ON public.tickets USING gin (lower(code) gin_trgm_ops) \
         WHERE (deleted_at IS NULL)",
    )
    .await;
    migrations::up(&db.pool).await.expect("up past the queue");
    assert!(!queued("tickets_code_trgm").await);

    set_aside(
        "ticket_codes_trgm",
        "CREATE INDEX ticket_codes_trgm ON public.ticket_codes USING gin (lower(code) gin_trgm_ops)",
    )
    .await;
    migrations::down(&db.pool, DownTo::Steps(after_codes))
        .await
        .expect("down past the queue");
    assert!(!queued("ticket_codes_trgm").await);
    migrations::up(&db.pool).await.expect("up again");
}
