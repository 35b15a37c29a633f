//! The data layer behind the forms: events, ticket types, users and the box-office sale.
//! Each write follows the role matrix (a refusal changes nothing), validates like the
//! database's constraints with the field named, logs before and after, and refuses a save
//! based on a version someone else has changed since (two connections).

use crate::common::{TestDb, anchor};
use boxoffice::db::auth::{Actor, Role, sign_in};
use boxoffice::db::edits::events::{EventDraft, create_event, load_event, update_event};
use boxoffice::db::edits::ticket_types::{
    TicketTypeDraft, create_ticket_type, event_ticket_types, update_ticket_type,
};
use boxoffice::db::edits::users::{UserDraft, create_user, search_users, update_user};
use boxoffice::db::sales::{BoxOfficeSale, SaleLine, sell_at_box_office};
use boxoffice::error::DataError;
use chrono::Duration;

fn draft(title: &str) -> EventDraft {
    EventDraft {
        title: title.into(),
        venue: "Blue Note".into(),
        starts_at: anchor() + Duration::days(10),
        ends_at: anchor() + Duration::days(10) + Duration::hours(3),
        description: String::new(),
        organizer_email: None,
        time_zone: "Europe/Berlin".into(),
        currency: "EUR".into(),
    }
}

fn ticket_type(name: &str, quantity: i32) -> TicketTypeDraft {
    TicketTypeDraft {
        name: name.into(),
        price_cents: 2500,
        quantity,
        sales_start: None,
        sales_end: None,
    }
}

async fn count(db: &TestDb, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&db.pool)
        .await
        .expect("count")
}

fn field_of(error: &DataError) -> Vec<String> {
    match error {
        DataError::Fields(errors) => errors.0.iter().map(|(field, _)| field.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn events_follow_the_role_matrix() {
    let db = TestDb::with_demo().await;
    let events = || count(&db, "SELECT count(*) FROM events");
    let before = events().await;
    for email in [
        "support@boxoffice.test",
        "door@boxoffice.test",
        "chris@example.com",
    ] {
        let actor = db.actor(email).await;
        let refused = create_event(&db.pool, &actor, &draft("Not allowed")).await;
        assert!(
            matches!(refused, Err(DataError::Refused(_))),
            "{email}: {refused:?}"
        );
    }
    assert_eq!(events().await, before, "refusals change nothing");

    // An organizer's event is theirs, whatever organizer they name.
    let ada = db.actor("ada@boxoffice.test").await;
    let mut mine = draft("Ada's night");
    mine.organizer_email = Some("grace@boxoffice.test".into());
    let created = create_event(&db.pool, &ada, &mine)
        .await
        .expect("ada creates");
    assert_eq!(created.organizer_email, "ada@boxoffice.test");

    // An admin names the organizer; it must be an organizer (or admin) account.
    let admin = db.actor("admin@boxoffice.test").await;
    let mut for_grace = draft("Grace's night");
    for_grace.organizer_email = Some("GRACE@boxoffice.test".into());
    let graces = create_event(&db.pool, &admin, &for_grace)
        .await
        .expect("admin creates for grace");
    assert_eq!(graces.organizer_email, "grace@boxoffice.test");
    for_grace.organizer_email = Some("chris@example.com".into());
    let refused = create_event(&db.pool, &admin, &for_grace)
        .await
        .expect_err("a customer cannot organize");
    assert_eq!(field_of(&refused), ["organizer"]);

    // Ada may not open or change Grace's event.
    assert!(load_event(&db.pool, &ada, graces.id).await.is_err());
    let refused = update_event(&db.pool, &ada, &graces, &draft("Taken over")).await;
    assert!(matches!(refused, Err(DataError::Refused(_))), "{refused:?}");
    let title: String = sqlx::query_scalar("SELECT title FROM events WHERE id = $1")
        .bind(graces.id)
        .fetch_one(&db.pool)
        .await
        .expect("title");
    assert_eq!(title, "Grace's night");
}

#[tokio::test]
async fn event_values_are_checked_field_by_field() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let mut bad = draft("   ");
    bad.ends_at = bad.starts_at;
    bad.venue = "x".repeat(201);
    let error = create_event(&db.pool, &admin, &bad)
        .await
        .expect_err("invalid");
    assert_eq!(field_of(&error), ["title", "venue", "ends_at"]);
    assert!(
        error
            .to_string()
            .contains("an event must end after it starts")
    );
}

#[tokio::test]
async fn a_stale_event_save_is_refused_with_what_changed_and_the_log_has_before_and_after() {
    let db = TestDb::with_demo().await;
    let other_terminal = db.other_terminal().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let ada = db.actor("ada@boxoffice.test").await;
    let event = create_event(&db.pool, &ada, &draft("Jazz Night"))
        .await
        .expect("created");
    let mine = load_event(&db.pool, &ada, event.id)
        .await
        .expect("ada opens");
    let theirs = load_event(&other_terminal, &admin, event.id)
        .await
        .expect("admin opens");
    let mut renamed = draft("Jazz Night (sold out)");
    renamed.organizer_email = Some(theirs.organizer_email.clone());
    update_event(&other_terminal, &admin, &theirs, &renamed)
        .await
        .expect("first save wins");
    let mut moved = draft("Jazz Night");
    moved.venue = "Main Hall".into();
    let Err(DataError::Conflict(message)) = update_event(&db.pool, &ada, &mine, &moved).await
    else {
        panic!("the second save must be refused");
    };
    assert!(
        message.contains("title now “Jazz Night (sold out)”, was “Jazz Night”"),
        "{message}"
    );
    let venue: String = sqlx::query_scalar("SELECT venue FROM events WHERE id = $1")
        .bind(event.id)
        .fetch_one(&db.pool)
        .await
        .expect("venue");
    assert_eq!(venue, "Blue Note", "no lost update");

    let log: Vec<(String, Option<serde_json::Value>, Option<serde_json::Value>)> =
        sqlx::query_as(
            "SELECT action, before, after FROM audit_log WHERE entity = 'event' AND entity_id = $1 ORDER BY id",
        )
        .bind(event.id)
        .fetch_all(&db.pool)
        .await
        .expect("log");
    assert_eq!(log.len(), 2, "create and one update: {log:?}");
    assert_eq!(log[0].0, "create");
    assert_eq!(log[1].0, "update");
    assert_eq!(log[1].1.as_ref().expect("before")["title"], "Jazz Night");
    assert_eq!(
        log[1].2.as_ref().expect("after")["title"],
        "Jazz Night (sold out)"
    );
}

#[tokio::test]
async fn ticket_types_keep_capacity_above_sold_and_refuse_a_clashing_name() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    let grace = db.actor("grace@boxoffice.test").await;
    let event = create_event(&db.pool, &ada, &draft("Jazz Night"))
        .await
        .expect("event");
    let vip = create_ticket_type(&db.pool, &ada, event.id, &ticket_type("VIP", 10))
        .await
        .expect("VIP");
    let clash = create_ticket_type(&db.pool, &ada, event.id, &ticket_type("vip", 5))
        .await
        .expect_err("same name, other case");
    assert_eq!(field_of(&clash), ["name"]);
    let refused = create_ticket_type(&db.pool, &grace, event.id, &ticket_type("Mine", 5)).await;
    assert!(matches!(refused, Err(DataError::Refused(_))), "{refused:?}");

    // Sell 4, then try to shrink to 3: refused with the number sold, nothing changed.
    let sold = sell_at_box_office(
        &db.pool,
        &ada,
        &BoxOfficeSale {
            event_id: event.id,
            buyer_email: "chris@example.com".into(),
            buyer_name: String::new(),
            lines: vec![SaleLine {
                ticket_type_id: vip.id,
                quantity: 4,
            }],
            note: String::new(),
            paid: true,
        },
    )
    .await
    .expect("sold");
    assert_eq!(sold.0.ticket_codes.len(), 4);
    // The sale changed `sold`, not what the form shows: the old version still saves.
    let error = update_ticket_type(&db.pool, &ada, &vip, &ticket_type("VIP", 3))
        .await
        .expect_err("below sold");
    assert_eq!(field_of(&error), ["quantity"]);
    assert!(error.to_string().contains("the 4 already sold"), "{error}");
    let saved = update_ticket_type(&db.pool, &ada, &vip, &ticket_type("VIP", 4))
        .await
        .expect("exactly sold is fine");
    assert_eq!((saved.quantity, saved.sold), (4, 4));

    // Someone renames it meanwhile: a save on the old version is refused.
    let error = update_ticket_type(&db.pool, &ada, &vip, &ticket_type("VIP", 8))
        .await
        .expect_err("stale");
    assert!(
        matches!(&error, DataError::Conflict(m) if m.contains("quantity now “4”, was “10”")),
        "{error:?}"
    );
    let types = event_ticket_types(&db.pool, &ada, event.id)
        .await
        .expect("types");
    assert_eq!(types.types.len(), 1);
    assert_eq!(types.types[0].quantity, 4);
}

#[tokio::test]
async fn only_admins_manage_users_and_a_reset_password_signs_in() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let new_user = UserDraft {
        email: "new.staff@boxoffice.test".into(),
        name: "New Staff".into(),
        role: Role::Staff,
        password: None,
        add_key: None,
        revoke_keys: Vec::new(),
        time_zone: String::new(),
    };
    for email in [
        "ada@boxoffice.test",
        "support@boxoffice.test",
        "door@boxoffice.test",
        "chris@example.com",
    ] {
        let actor = db.actor(email).await;
        assert!(
            create_user(&db.pool, &actor, &new_user).await.is_err(),
            "{email}"
        );
        assert!(
            search_users(&db.pool, &actor, "ada").await.is_err(),
            "{email}"
        );
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM users WHERE email = 'new.staff@boxoffice.test'"
        )
        .await,
        0
    );
    let created = create_user(&db.pool, &admin, &new_user)
        .await
        .expect("admin creates");
    assert!(!created.can_sign_in, "no password: cannot sign in");
    let duplicate = create_user(
        &db.pool,
        &admin,
        &UserDraft {
            email: "NEW.STAFF@boxoffice.test".into(),
            ..new_user.clone()
        },
    )
    .await
    .expect_err("email taken");
    assert_eq!(field_of(&duplicate), ["email"]);

    let found = search_users(&db.pool, &admin, "new staff")
        .await
        .expect("by name");
    assert_eq!(found.len(), 1);
    let found = search_users(&db.pool, &admin, "NEW.st")
        .await
        .expect("by email");
    assert_eq!(found[0].id, created.id);
    assert!(
        search_users(&db.pool, &admin, "%")
            .await
            .expect("literal")
            .is_empty()
    );

    let reset = update_user(
        &db.pool,
        &admin,
        &created,
        &UserDraft {
            password: Some("correct horse".into()),
            role: Role::Support,
            ..new_user.clone()
        },
    )
    .await
    .expect("reset");
    assert!(reset.can_sign_in);
    let signed_in = sign_in(
        &db.pool,
        "new.staff@boxoffice.test",
        "correct horse",
        "test",
    )
    .await
    .expect("the new password works");
    assert_eq!(signed_in.role, Role::Support);
    let after: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE entity = 'user' AND entity_id = $1 AND action = 'update'",
    )
    .bind(created.id)
    .fetch_one(&db.pool)
    .await
    .expect("logged");
    assert_eq!(after["password"], "reset");
    assert!(!after.to_string().contains("argon2"), "no hash in the log");

    // A stale save is refused; an admin cannot demote themselves.
    let stale = update_user(&db.pool, &admin, &created, &new_user).await;
    assert!(matches!(stale, Err(DataError::Conflict(_))), "{stale:?}");
    let me = search_users(&db.pool, &admin, "admin@boxoffice.test")
        .await
        .expect("me")
        .remove(0);
    let demote = update_user(
        &db.pool,
        &admin,
        &me,
        &UserDraft {
            email: me.email.clone(),
            name: me.name.clone(),
            role: Role::Support,
            password: None,
            add_key: None,
            revoke_keys: Vec::new(),
            time_zone: String::new(),
        },
    )
    .await
    .expect_err("refused");
    assert_eq!(field_of(&demote), ["role"]);
}

#[tokio::test]
async fn a_box_office_sale_creates_a_new_buyer_only_if_the_sale_goes_through() {
    let db = TestDb::with_demo().await;
    let support = db.actor("support@boxoffice.test").await;
    let ada = db.actor("ada@boxoffice.test").await;
    let event = create_event(&db.pool, &ada, &draft("Small room"))
        .await
        .expect("event");
    let seats = create_ticket_type(&db.pool, &ada, event.id, &ticket_type("Seat", 2))
        .await
        .expect("type");
    let sale = |email: &str, name: &str, quantity: i32| BoxOfficeSale {
        event_id: event.id,
        buyer_email: email.into(),
        buyer_name: name.into(),
        lines: vec![SaleLine {
            ticket_type_id: seats.id,
            quantity,
        }],
        note: "at the door".into(),
        paid: true,
    };
    let users = || count(&db, "SELECT count(*) FROM users");
    let before = users().await;
    // Too many: refused, and the new buyer is not left behind.
    let refused =
        sell_at_box_office(&db.pool, &support, &sale("nina@example.com", "Nina", 3)).await;
    assert!(
        matches!(&refused, Err(DataError::Refused(m)) if m.contains("only 2 Seat left")),
        "{refused:?}"
    );
    assert_eq!(users().await, before);
    // A new buyer needs a name.
    let nameless = sell_at_box_office(&db.pool, &support, &sale("nina@example.com", " ", 1))
        .await
        .expect_err("no name");
    assert_eq!(field_of(&nameless), ["buyer_name"]);
    let (sold, buyer) =
        sell_at_box_office(&db.pool, &support, &sale("nina@example.com", "Nina", 1))
            .await
            .expect("sold");
    assert_eq!(buyer, "Nina (new buyer)");
    assert_eq!(sold.total_cents, 2500);
    assert_eq!(users().await, before + 1);
    // The same email again (any case) is the same buyer.
    let (_, buyer) = sell_at_box_office(&db.pool, &support, &sale("NINA@example.com", "", 1))
        .await
        .expect("sold again");
    assert_eq!(buyer, "Nina");
    assert_eq!(users().await, before + 1);
    let customer: Actor = db.actor("chris@example.com").await;
    let refused = sell_at_box_office(&db.pool, &customer, &sale("chris@example.com", "", 1)).await;
    assert!(matches!(refused, Err(DataError::Refused(_))), "{refused:?}");
}

#[tokio::test]
async fn writes_trust_the_database_not_the_record_they_are_given() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    let grace = db.actor("grace@boxoffice.test").await;
    let adas = create_event(&db.pool, &ada, &draft("Ada's"))
        .await
        .expect("event");
    let graces = create_event(&db.pool, &grace, &draft("Grace's"))
        .await
        .expect("event");
    let seat = create_ticket_type(&db.pool, &ada, adas.id, &ticket_type("Seat", 10))
        .await
        .expect("type");
    // Grace names her own event in the record of Ada's ticket type: refused, unchanged.
    let mut forged = seat.clone();
    forged.event_id = graces.id;
    let refused = update_ticket_type(&db.pool, &grace, &forged, &ticket_type("Mine", 10)).await;
    assert!(matches!(refused, Err(DataError::Refused(_))), "{refused:?}");
    let name: String = sqlx::query_scalar("SELECT name FROM ticket_types WHERE id = $1")
        .bind(seat.id)
        .fetch_one(&db.pool)
        .await
        .expect("name");
    assert_eq!(name, "Seat");
    // Absurd quantities are refused in words, not by overflowing.
    let huge = sell_at_box_office(
        &db.pool,
        &ada,
        &BoxOfficeSale {
            event_id: adas.id,
            buyer_email: "chris@example.com".into(),
            buyer_name: String::new(),
            lines: vec![
                SaleLine {
                    ticket_type_id: seat.id,
                    quantity: i32::MAX,
                },
                SaleLine {
                    ticket_type_id: seat.id,
                    quantity: i32::MAX,
                },
            ],
            note: String::new(),
            paid: true,
        },
    )
    .await;
    assert!(matches!(huge, Err(DataError::Invalid(_))), "{huge:?}");
    let mut too_big = ticket_type("Seat", i32::MAX);
    too_big.price_cents = i64::MAX;
    let error = update_ticket_type(&db.pool, &ada, &seat, &too_big)
        .await
        .expect_err("caps");
    assert_eq!(field_of(&error), ["price", "quantity"]);
    // No ticket type under an event that went to the trash meanwhile.
    boxoffice::db::trash::delete(&db.pool, &ada, boxoffice::db::trash::Target::Event(adas.id))
        .await
        .expect("deleted");
    let admin = db.actor("admin@boxoffice.test").await;
    let late = create_ticket_type(&db.pool, &admin, adas.id, &ticket_type("Late", 5)).await;
    assert!(
        matches!(&late, Err(DataError::Refused(m)) if m.contains("not there any more")),
        "{late:?}"
    );
}

#[tokio::test]
async fn two_cashiers_selling_to_the_same_new_buyer_make_one_account() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    let event = create_event(&db.pool, &ada, &draft("Busy night"))
        .await
        .expect("event");
    let seat = create_ticket_type(&db.pool, &ada, event.id, &ticket_type("Seat", 100))
        .await
        .expect("type");
    let sale = BoxOfficeSale {
        event_id: event.id,
        buyer_email: "twice@example.com".into(),
        buyer_name: "Twice".into(),
        lines: vec![SaleLine {
            ticket_type_id: seat.id,
            quantity: 1,
        }],
        note: String::new(),
        paid: true,
    };
    let cashiers: Vec<_> = (0..8)
        .map(|_| {
            let pool = db.pool.clone();
            let ada = ada.clone();
            let sale = sale.clone();
            tokio::spawn(async move { sell_at_box_office(&pool, &ada, &sale).await })
        })
        .collect();
    for cashier in cashiers {
        cashier
            .await
            .expect("task")
            .expect("every sale goes through");
    }
    let accounts = count(
        &db,
        "SELECT count(*) FROM users WHERE lower(email) = 'twice@example.com'",
    )
    .await;
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn a_role_taken_away_counts_from_the_next_request_not_the_next_sign_in() {
    use boxoffice::data_task::{Request, execute};
    let db = TestDb::with_demo().await;
    let signed_in_as_support = db.actor("support@boxoffice.test").await;
    let pending: i64 =
        sqlx::query_scalar("SELECT id FROM orders WHERE status = 'pending' ORDER BY id LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .expect("an order");
    sqlx::query("UPDATE users SET role = 'customer' WHERE id = $1")
        .bind(signed_in_as_support.id)
        .execute(&db.pool)
        .await
        .expect("demoted by an admin elsewhere");
    let refused = execute(
        &db.pool,
        Some(&signed_in_as_support),
        Request::OrderAction {
            order_id: pending,
            action: boxoffice::db::sales::OrderAction::MarkPaid,
        },
    )
    .await;
    assert!(
        matches!(&refused, boxoffice::data_task::Reply::Action(Err(e)) if e.message.contains("a customer account cannot")),
        "{refused:?}"
    );
    let status: String = sqlx::query_scalar("SELECT status::text FROM orders WHERE id = $1")
        .bind(pending)
        .fetch_one(&db.pool)
        .await
        .expect("status");
    assert_eq!(status, "pending");
}
