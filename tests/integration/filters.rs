//! Filters and search against real PostgreSQL on the demo data: each key of each tab gives
//! exactly the rows a plain SQL query says it should, paging through a filtered, sorted list
//! visits every match once, and hostile input is just text.

use std::collections::HashSet;

use crate::common::TestDb;
use boxoffice::db::count::count_rows;
use boxoffice::db::filter::{Filter, parse};
use boxoffice::db::listing::{Sort, sort_keys};
use boxoffice::db::model::EntityKind;
use sqlx::PgPool;

async fn filtered(db: &TestDb, email: &str, kind: EntityKind, text: &str) -> Vec<i64> {
    let filter = parse(kind, text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let (forward, backward) =
        crate::common::walk(db, email, kind, None, &filter, Sort::default_for(kind)).await;
    assert_eq!(forward, backward, "{text}: the same rows both ways");
    let mut sorted = forward.clone();
    sorted.sort_unstable();
    sorted
}

async fn ids(pool: &PgPool, sql: &'static str) -> Vec<i64> {
    let mut ids: Vec<i64> = sqlx::query_scalar(sql)
        .fetch_all(pool)
        .await
        .expect("reference query");
    ids.sort_unstable();
    ids
}

/// Adds tickets with the (code, holder name) rows `rows` selects to the first order's event's
/// first ticket type.
async fn add_tickets(db: &TestDb, rows: &str) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO tickets (code, order_id, ticket_type_id, holder_name) \
         SELECT r.code, o.id, tt.id, r.holder \
         FROM ({rows}) AS r(code, holder), \
              (SELECT id, event_id FROM orders ORDER BY id LIMIT 1) AS o \
         JOIN ticket_types tt ON tt.event_id = o.event_id \
         WHERE tt.id = (SELECT min(id) FROM ticket_types WHERE event_id = o.event_id)"
    )))
    .execute(&db.pool)
    .await
    .expect("tickets added");
}

/// Each filter gives exactly the rows `SELECT id FROM <table> WHERE <condition>` gives.
async fn check_against_sql(
    db: &TestDb,
    kind: EntityKind,
    table: &str,
    cases: Vec<(String, String)>,
) {
    for (text, condition) in cases {
        let sql = format!("SELECT id FROM {table} WHERE {condition}");
        let mut expected: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&db.pool)
            .await
            .expect("reference query");
        expected.sort_unstable();
        assert!(!expected.is_empty(), "{text}: the demo has matches");
        assert_eq!(
            filtered(db, "admin@boxoffice.test", kind, &text).await,
            expected,
            "{text}"
        );
    }
}

#[tokio::test]
async fn event_keys_match_plain_sql() {
    let db = TestDb::with_demo().await;
    let admin = "admin@boxoffice.test";
    // The demo is anchored at 2026-06-01 12:00 UTC; the filter's days are UTC here.
    let cases: [(&str, &'static str); 6] = [
        (
            "from:2026-06-01",
            "SELECT id FROM events WHERE starts_at >= '2026-06-01'",
        ),
        (
            "to:2026-05-31",
            "SELECT id FROM events WHERE starts_at < '2026-06-01'",
        ),
        (
            "from:2026-05-01 to:2026-06-30",
            "SELECT id FROM events WHERE starts_at >= '2026-05-01' AND starts_at < '2026-07-01'",
        ),
        (
            r#"venue:"main hall""#,
            "SELECT id FROM events WHERE venue = 'Main Hall'",
        ),
        (
            "organizer:grace@boxoffice.test",
            "SELECT e.id FROM events e JOIN users u ON u.id = e.organizer_id WHERE u.email = 'grace@boxoffice.test'",
        ),
        (
            "jazz",
            "SELECT id FROM events WHERE title ILIKE '%jazz%' OR venue ILIKE '%jazz%'",
        ),
    ];
    for (text, sql) in cases {
        let expected = ids(&db.pool, sql).await;
        assert!(!expected.is_empty(), "{text}: the demo has matches");
        assert_eq!(
            filtered(&db, admin, EntityKind::Event, text).await,
            expected,
            "{text}"
        );
    }
    let grace: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'grace@boxoffice.test'")
            .fetch_one(&db.pool)
            .await
            .expect("grace");
    let by_id = filtered(&db, admin, EntityKind::Event, &format!("organizer:{grace}")).await;
    assert_eq!(by_id.len(), 6);
}

#[tokio::test]
async fn order_keys_match_plain_sql() {
    let db = TestDb::with_demo().await;
    let (code, email, name, event_id, user_id): (String, String, String, i64, i64) =
        sqlx::query_as("SELECT code, buyer_email, buyer_name, event_id, user_id FROM orders ORDER BY id LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .expect("an order");
    let cases: Vec<(String, String)> = vec![
        ("status:refunded".into(), "status = 'refunded'".into()),
        (
            "status:paid,refunded".into(),
            "status IN ('paid', 'refunded')".into(),
        ),
        (
            "status:refunded from:2026-05-01".into(),
            "status = 'refunded' AND created_at >= '2026-05-01'".into(),
        ),
        ("to:2026-04-15".into(), "created_at < '2026-04-16'".into()),
        (
            format!("event:{event_id}"),
            format!("event_id = {event_id}"),
        ),
        (
            format!("customer:{user_id}"),
            format!("user_id = {user_id}"),
        ),
        (
            format!("customer:{}", email.to_uppercase()),
            format!("user_id = {user_id}"),
        ),
        (format!("code:{code}"), format!("code = '{code}'")),
        (code.to_lowercase(), format!("code = '{code}'")),
        // An email fragment, a name fragment, and a term too short for trigrams.
        (
            email[..email.find('@').unwrap_or(4)].to_string(),
            format!(
                "buyer_email ILIKE '%{}%' OR code ILIKE '%{}%' OR buyer_name ILIKE '%{}%'",
                &email[..email.find('@').unwrap_or(4)],
                &email[..email.find('@').unwrap_or(4)],
                &email[..email.find('@').unwrap_or(4)]
            ),
        ),
        (
            name.split(' ').next().unwrap_or("a").to_lowercase(),
            format!(
                "buyer_name ILIKE '%{0}%' OR buyer_email ILIKE '%{0}%' OR code ILIKE '%{0}%'",
                name.split(' ').next().unwrap_or("a")
            ),
        ),
        (
            "7k".into(),
            "code ILIKE '%7k%' OR buyer_email ILIKE '%7k%' OR buyer_name ILIKE '%7k%'".into(),
        ),
    ];
    check_against_sql(&db, EntityKind::Order, "orders", cases).await;
}

#[tokio::test]
async fn ticket_keys_match_plain_sql() {
    let db = TestDb::with_demo().await;
    let (code, order_id, order_code, event_id, holder): (String, i64, String, i64, String) =
        sqlx::query_as(
            "SELECT t.code, t.order_id, o.code, o.event_id, t.holder_name FROM tickets t \
         JOIN orders o ON o.id = t.order_id ORDER BY t.id LIMIT 1",
        )
        .fetch_one(&db.pool)
        .await
        .expect("a ticket");
    let surname = holder.rsplit(' ').next().unwrap_or("a").to_string();
    let cases: Vec<(String, String)> = vec![
        (
            format!("event:{event_id}"),
            format!("order_id IN (SELECT id FROM orders WHERE event_id = {event_id})"),
        ),
        (
            format!("order:{order_id}"),
            format!("order_id = {order_id}"),
        ),
        (
            format!("order:{}", order_code.to_lowercase()),
            format!("order_id = {order_id}"),
        ),
        ("status:checked_in".into(), "status = 'checked_in'".into()),
        (
            "status:valid,cancelled".into(),
            "status IN ('valid', 'cancelled')".into(),
        ),
        (
            "type:vip".into(),
            "ticket_type_id IN (SELECT id FROM ticket_types WHERE name = 'VIP')".into(),
        ),
        (
            format!("holder:{}", surname.to_lowercase()),
            format!("holder_name ILIKE '%{surname}%'"),
        ),
        (
            format!("event:{event_id} status:valid type:General"),
            format!(
                "status = 'valid' AND order_id IN (SELECT id FROM orders WHERE event_id = {event_id}) \
             AND ticket_type_id IN (SELECT id FROM ticket_types WHERE name = 'General')"
            ),
        ),
        (code.clone(), format!("code = '{code}'")),
        (
            code[..4].to_string(),
            format!(
                "code ILIKE '%{0}%' OR holder_name ILIKE '%{0}%'",
                &code[..4]
            ),
        ),
    ];
    check_against_sql(&db, EntityKind::Ticket, "tickets", cases).await;
}

#[tokio::test]
async fn filtered_sorted_paging_visits_every_match_once_in_every_sort() {
    let db = TestDb::with_demo().await;
    let filters = [
        (EntityKind::Order, "status:paid,pending from:2026-04-01"),
        (EntityKind::Ticket, "status:valid,checked_in"),
        (EntityKind::Event, "from:2026-05-01"),
    ];
    for (kind, text) in filters {
        let filter = parse(kind, text).expect("valid filter");
        let actor = db.actor("admin@boxoffice.test").await;
        let count = count_rows(&db.pool, &actor, kind, None, &filter)
            .await
            .expect("count");
        for key in 0..sort_keys(kind).len() {
            for descending in [false, true] {
                let sort = Sort { key, descending };
                let (forward, backward) =
                    crate::common::walk(&db, "admin@boxoffice.test", kind, None, &filter, sort)
                        .await;
                let unique: HashSet<i64> = forward.iter().copied().collect();
                assert_eq!(unique.len(), forward.len(), "{text} {sort:?}: no row twice");
                assert_eq!(
                    forward.len() as i64,
                    count.rows,
                    "{text} {sort:?}: every match"
                );
                assert_eq!(forward, backward, "{text} {sort:?}: same order both ways");
            }
        }
    }
}

#[tokio::test]
async fn filters_stay_inside_the_role_scope() {
    let db = TestDb::with_demo().await;
    // Ada filtering on Grace's event sees nothing of it.
    let grace_event: i64 = sqlx::query_scalar(
        "SELECT e.id FROM events e JOIN users u ON u.id = e.organizer_id \
         WHERE u.email = 'grace@boxoffice.test' LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("grace's event");
    let orders = filtered(
        &db,
        "ada@boxoffice.test",
        EntityKind::Order,
        &format!("event:{grace_event}"),
    )
    .await;
    assert!(orders.is_empty());
    let all = filtered(
        &db,
        "admin@boxoffice.test",
        EntityKind::Order,
        &format!("event:{grace_event}"),
    )
    .await;
    assert!(!all.is_empty());
}

#[tokio::test]
async fn hostile_search_text_is_only_text() {
    let db = TestDb::with_demo().await;
    let admin = "admin@boxoffice.test";
    for text in [
        "\"'; DROP TABLE orders; --\"",
        "%",
        "_",
        "\\",
        "🎷",
        "שלום",
        "\"a\u{202e}b\"",
        "holder:\"O'Brien\"",
    ] {
        let kind = if text.starts_with("holder") {
            EntityKind::Ticket
        } else {
            EntityKind::Order
        };
        assert!(
            filtered(&db, admin, kind, text).await.is_empty(),
            "{text} matches nothing"
        );
    }
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(orders, 3000, "nothing was dropped");
    // An empty filter is no filter.
    let all = filtered(&db, admin, EntityKind::Order, "").await;
    assert_eq!(all.len(), 3000);
    assert!(Filter::default().is_empty());
}

/// A search walks the sort's index for a bounded number of rows, then reads the matches
/// through the trigram index: both give the rows plain SQL gives, in order, both ways, in
/// every sort: for a word on most rows, and for one bunched at the far end of the holder sort
/// behind more rows than the walk reads.
#[tokio::test]
async fn a_search_gives_the_same_rows_whether_it_walks_the_sort_or_reads_its_matches() {
    let db = TestDb::with_demo().await;
    add_tickets(
        &db,
        "SELECT 'FILL-' || lpad(n::text, 6, '0'), \
                CASE WHEN n % 500 = 0 THEN 'Zed Needle' ELSE 'Aaa Filler' END \
         FROM generate_series(1, 12000) AS n",
    )
    .await;
    sqlx::query("ANALYZE tickets")
        .execute(&db.pool)
        .await
        .expect("statistics");
    for (word, expected) in [("needle", 24_usize), ("filler", 11_976)] {
        let reference = ids(
            &db.pool,
            if word == "needle" {
                "SELECT id FROM tickets WHERE deleted_at IS NULL \
                 AND lower(code || ' ' || holder_name) LIKE '%needle%'"
            } else {
                "SELECT id FROM tickets WHERE deleted_at IS NULL \
                 AND lower(code || ' ' || holder_name) LIKE '%filler%'"
            },
        )
        .await;
        assert_eq!(reference.len(), expected);
        let filter = parse(EntityKind::Ticket, word).expect("a word");
        for (key, _) in sort_keys(EntityKind::Ticket).iter().enumerate() {
            for descending in [false, true] {
                let sort = Sort { key, descending };
                let (forward, backward) = crate::common::walk(
                    &db,
                    "admin@boxoffice.test",
                    EntityKind::Ticket,
                    None,
                    &filter,
                    sort,
                )
                .await;
                assert_eq!(
                    forward, backward,
                    "{word} {sort:?}: the same rows both ways"
                );
                let mut seen = forward.clone();
                seen.sort_unstable();
                assert_eq!(seen, reference, "{word} {sort:?}: the rows plain SQL gives");
            }
        }
    }
}

/// A text without three letters or digits in a row (`7k`, `r-`) has no trigram, so it is not
/// looked up through the trigram index (which would read all of it): it still gives exactly
/// the rows `LIKE` gives, in every sort, both ways, and its count is the same.
#[tokio::test]
async fn a_search_for_one_or_two_characters_gives_the_rows_plain_sql_gives() {
    let db = TestDb::with_demo().await;
    let code: String = sqlx::query_scalar("SELECT code FROM orders ORDER BY id LIMIT 1")
        .fetch_one(&db.pool)
        .await
        .expect("a code");
    let two = code[1..3].to_lowercase();
    for (kind, text, table, searched) in [
        (
            EntityKind::Order,
            two.clone(),
            "orders",
            "lower(code || ' ' || buyer_email || ' ' || buyer_name)",
        ),
        (
            EntityKind::Order,
            "a".to_string(),
            "orders",
            "lower(code || ' ' || buyer_email || ' ' || buyer_name)",
        ),
        (
            EntityKind::Ticket,
            "holder:an".to_string(),
            "tickets",
            "lower(holder_name)",
        ),
    ] {
        let needle = text.trim_start_matches("holder:").to_string();
        assert_search_is_like(&db, kind, &text, &needle, table, searched).await;
    }
}

/// `text` gives exactly the rows `<searched> LIKE '%needle%'` gives among `table`'s live rows,
/// in every sort, both ways, and its count says as many.
async fn assert_search_is_like(
    db: &TestDb,
    kind: EntityKind,
    text: &str,
    needle: &str,
    table: &str,
    searched: &str,
) {
    let admin = db.actor("admin@boxoffice.test").await;
    let mut reference: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE deleted_at IS NULL AND {searched} LIKE '%' || $1 || '%'"
    )))
    .bind(needle)
    .fetch_all(&db.pool)
    .await
    .expect("reference");
    reference.sort_unstable();
    assert!(!reference.is_empty(), "{text} matches something");
    let filter = parse(kind, text).expect("parses");
    for (key, _) in sort_keys(kind).iter().enumerate() {
        for descending in [false, true] {
            let sort = Sort { key, descending };
            let (forward, backward) =
                crate::common::walk(db, "admin@boxoffice.test", kind, None, &filter, sort).await;
            assert_eq!(
                forward, backward,
                "{text} {sort:?}: the same rows both ways"
            );
            let mut seen = forward;
            seen.sort_unstable();
            assert_eq!(seen, reference, "{text} {sort:?}: the rows plain SQL gives");
        }
    }
    let count = count_rows(&db.pool, &admin, kind, None, &filter)
        .await
        .expect("count");
    assert_eq!(count.rows as usize, reference.len(), "{text}: counted");
}

/// A search finds its rows through the names that contain the word (migration 0021), through
/// the codes that do, and through the names that start with what follows a code: every kind
/// gives exactly the rows plain SQL's `LIKE` over the whole searched text gives, in every
/// sort, both ways, and counted; sorted by holder, across batches of names. The table of
/// holder names follows renamed holders and new tickets.
#[tokio::test]
async fn a_search_through_names_and_codes_gives_the_rows_plain_sql_gives() {
    let db = TestDb::with_demo().await;
    // A holder renamed to a name no ticket had, a ticket whose code holds a name's letters,
    // one whose code's end and holder's start make up a word of their own, and one whose
    // holder starts the same but whose code does not end that way (found through the same
    // names, kept out by the check).
    sqlx::query(
        "UPDATE tickets SET holder_name = 'Quintessa Vale' \
         WHERE id = (SELECT min(id) FROM tickets WHERE deleted_at IS NULL)",
    )
    .execute(&db.pool)
    .await
    .expect("renamed");
    add_tickets(
        &db,
        "VALUES ('XLOVELACE9', 'Zed Able'), ('CROSS-QB', 'Kenji Moss'), \
                ('PLAIN-77', 'Kenji Other')",
    )
    .await;
    // 300 holders whose names share a word, one or two tickets each: sorted by holder, their
    // names are read a batch at a time (64, then 256), and a page spans batches.
    add_tickets(
        &db,
        "SELECT 'BATCH-' || n, 'Batchling ' || lpad((n % 300)::text, 3, '0') \
         FROM generate_series(1, 450) AS n",
    )
    .await;
    let order_code: String = sqlx::query_scalar("SELECT code FROM orders ORDER BY id LIMIT 1")
        .fetch_one(&db.pool)
        .await
        .expect("a code");
    let buyer_email: String =
        sqlx::query_scalar("SELECT buyer_email FROM orders ORDER BY id LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .expect("an email");
    let tickets = "lower(code || ' ' || holder_name)";
    let orders = "lower(code || ' ' || buyer_email || ' ' || buyer_name)";
    let code_and_email = format!(
        "\"{} {}\"",
        order_code[order_code.len() - 2..].to_lowercase(),
        &buyer_email[..4]
    );
    for (kind, text, table, searched) in [
        (
            EntityKind::Ticket,
            "quintessa".to_string(),
            "tickets",
            tickets,
        ),
        (
            EntityKind::Ticket,
            "lovelace".to_string(),
            "tickets",
            tickets,
        ),
        (
            EntityKind::Ticket,
            "\"qb kenji\"".to_string(),
            "tickets",
            tickets,
        ),
        (EntityKind::Ticket, "xlove".to_string(), "tickets", tickets),
        (
            EntityKind::Ticket,
            "batchling".to_string(),
            "tickets",
            tickets,
        ),
        (
            EntityKind::Ticket,
            "holder:batchling".to_string(),
            "tickets",
            "lower(holder_name)",
        ),
        (
            EntityKind::Ticket,
            "holder:vale".to_string(),
            "tickets",
            "lower(holder_name)",
        ),
        (EntityKind::Order, "lovelace".to_string(), "orders", orders),
        (
            EntityKind::Order,
            buyer_email[..6].to_string(),
            "orders",
            orders,
        ),
        (
            EntityKind::Order,
            order_code[..5].to_lowercase(),
            "orders",
            orders,
        ),
        (EntityKind::Order, code_and_email, "orders", orders),
    ] {
        let needle = text
            .trim_start_matches("holder:")
            .trim_matches('"')
            .to_lowercase();
        assert_search_is_like(&db, kind, &text, &needle, table, searched).await;
    }
    let names: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ticket_holder_names WHERE name IN ('Quintessa Vale', 'Kenji Moss')",
    )
    .fetch_one(&db.pool)
    .await
    .expect("names");
    assert_eq!(
        names, 2,
        "the renamed holder's and the new ticket's names are kept"
    );
}

/// Sorted by buyer, a common word's buyers are read in email order a batch at a time: walked
/// (the emails' index, the text checked on each) for the next 20,000 buyers, or looked up
/// through the trigram index when those hold too few: both ways, from both ends, a word whose
/// buyers come first and one whose buyers come after 21,000 others give exactly the rows plain
/// SQL gives.
#[tokio::test]
async fn a_search_sorted_by_buyer_finds_buyers_near_and_far_in_email_order() {
    let db = TestDb::with_demo().await;
    sqlx::query(
        "INSERT INTO users (email, name) \
         SELECT 'aaa.filler.' || n || '@example.test', 'Filler Person' \
         FROM generate_series(1, 21000) AS n \
         UNION ALL SELECT '0early.' || n || '@example.test', 'Early Nearword' \
         FROM generate_series(1, 90) AS n \
         UNION ALL SELECT 'zz-late.' || n || '@example.test', 'Late Farword' \
         FROM generate_series(1, 90) AS n",
    )
    .execute(&db.pool)
    .await
    .expect("buyers");
    sqlx::query(
        "INSERT INTO orders (code, user_id, event_id, status, total_cents) \
         SELECT 'NF-' || u.id || '-' || k, u.id, \
                (SELECT event_id FROM orders ORDER BY id LIMIT 1), 'paid', 1000 \
         FROM users u, generate_series(1, 3) AS k \
         WHERE u.name IN ('Early Nearword', 'Late Farword')",
    )
    .execute(&db.pool)
    .await
    .expect("their orders");
    sqlx::query("ANALYZE users, orders")
        .execute(&db.pool)
        .await
        .expect("statistics");
    let orders = "lower(code || ' ' || buyer_email || ' ' || buyer_name)";
    for word in ["nearword", "farword"] {
        assert_search_is_like(&db, EntityKind::Order, word, word, "orders", orders).await;
    }
}

/// The buyers' texts (migration 0029) follow their users: added with them, changed with a
/// new email or name, gone with a deleted user. A renamed buyer is found by the new name,
/// and a buyer whose email a trashed user also has (the lookup gives that email twice) has
/// each of their orders listed once, in every sort, and only theirs.
#[tokio::test]
async fn buyer_texts_follow_their_users_and_a_shared_email_is_listed_once() {
    let db = TestDb::with_demo().await;
    let out_of_step = "SELECT count(*) FROM users u FULL JOIN buyer_texts b ON b.user_id = u.id \
                       WHERE b.user_id IS NULL OR u.id IS NULL OR b.email <> u.email \
                          OR b.searched <> lower(u.email || ' ' || u.name)";
    let count = |sql: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .expect("count")
        }
    };
    assert_eq!(
        count(out_of_step).await,
        0,
        "the demo's users all have theirs"
    );
    sqlx::query(
        "UPDATE users SET name = 'Quillon Marchbanks' \
         WHERE id = (SELECT user_id FROM orders ORDER BY id LIMIT 1)",
    )
    .execute(&db.pool)
    .await
    .expect("renamed");
    sqlx::query(
        "INSERT INTO users (email, name, deleted_at) \
         SELECT email, 'Quillon Elder', now() FROM users \
         WHERE id = (SELECT user_id FROM orders ORDER BY id LIMIT 1)",
    )
    .execute(&db.pool)
    .await
    .expect("a trashed user with the same email");
    sqlx::query(
        "INSERT INTO orders (code, user_id, event_id, status, total_cents) \
         SELECT 'QE-' || k, u.id, (SELECT event_id FROM orders ORDER BY id LIMIT 1), 'paid', 500 \
         FROM users u, generate_series(1, 2) AS k WHERE u.name = 'Quillon Elder'",
    )
    .execute(&db.pool)
    .await
    .expect("their orders");
    sqlx::query("INSERT INTO users (email, name) VALUES ('passing@example.test', 'Passing By')")
        .execute(&db.pool)
        .await
        .expect("a user");
    sqlx::query("DELETE FROM users WHERE email = 'passing@example.test'")
        .execute(&db.pool)
        .await
        .expect("deleted");
    assert_eq!(
        count(out_of_step).await,
        0,
        "renamed, added and deleted users are followed"
    );
    let shared: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM buyer_texts WHERE searched LIKE '%quillon%' \
         GROUP BY email ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("texts");
    assert_eq!(shared, 2, "two buyers' texts with one email match the word");
    let orders = "lower(code || ' ' || buyer_email || ' ' || buyer_name)";
    // The name both buyers share, and each one's own: the orders of the email's other buyer
    // are not among the matches, though found by the same email (migration 0030).
    for (text, needle) in [
        ("quillon", "quillon"),
        ("marchbanks", "marchbanks"),
        ("\"quillon elder\"", "quillon elder"),
    ] {
        assert_search_is_like(&db, EntityKind::Order, text, needle, "orders", orders).await;
    }
}
