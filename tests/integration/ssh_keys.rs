//! SSH keys: parsing what people paste, adding, the one-holder rule, revoking, the keys in
//! force, the audit trail, and the users form's key fields.

use crate::common::ssh::{new_key, public_line};
use crate::common::{Harness, TestDb};
use boxoffice::db::edits::users::{UserDraft, load_user, update_user};
use boxoffice::db::ssh_keys::{self, ChangedBy, parse_public_key};
use crossterm::event::KeyCode;

#[test]
fn what_people_paste_is_read_or_explained() {
    let key = new_key();
    let line = format!("{} ada@laptop\n", public_line(&key));
    let parsed = parse_public_key(&line).expect("a public key line");
    assert_eq!(parsed.fingerprint, ssh_keys::fingerprint(key.public_key()));
    assert_eq!(parsed.comment, "ada@laptop");
    assert!(parsed.fingerprint.starts_with("SHA256:"));
    let private = key
        .to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .expect("private text");
    for (bad, says) in [
        ("", "paste a public key"),
        ("ssh-ed25519 not-base64", "not an OpenSSH public key"),
        ("hello'); DROP TABLE users; --", "not an OpenSSH public key"),
        (private.as_str(), "private key"),
    ] {
        let error = parse_public_key(bad).unwrap_err().to_string();
        assert!(error.contains(says), "{bad:?}: {error}");
    }
}

#[tokio::test]
async fn a_key_belongs_to_one_person_is_revoked_and_every_change_is_audited() {
    let db = TestDb::with_demo().await;
    let key = new_key();
    let line = public_line(&key);
    let operator = ChangedBy::CommandLine("ops");
    let added = ssh_keys::add(&db.pool, operator, "ADA@boxoffice.test", &line, "laptop")
        .await
        .expect("added");
    assert_eq!(added.email, "ada@boxoffice.test");
    assert_eq!(added.label, "laptop");
    let again = ssh_keys::add(&db.pool, operator, "grace@boxoffice.test", &line, "")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        again.contains("already signs in ada@boxoffice.test"),
        "{again}"
    );
    let nobody = ssh_keys::add(
        &db.pool,
        operator,
        "nobody@example.com",
        &public_line(&new_key()),
        "",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(nobody.contains("no user has the email"), "{nobody}");
    let in_force = ssh_keys::in_force(&db.pool).await.expect("keys");
    assert_eq!(in_force.len(), 1);
    assert_eq!(in_force[0].actor.email, "ada@boxoffice.test");
    ssh_keys::revoke(&db.pool, operator, &added.fingerprint)
        .await
        .expect("revoked");
    assert!(ssh_keys::in_force(&db.pool).await.expect("keys").is_empty());
    assert!(
        ssh_keys::sign_in_with(&db.pool, &added.fingerprint)
            .await
            .expect("asked")
            .is_none(),
        "a revoked key signs nobody in"
    );
    let twice = ssh_keys::revoke(&db.pool, operator, &added.fingerprint)
        .await
        .unwrap_err()
        .to_string();
    assert!(twice.contains("no key in force"), "{twice}");
    // Once revoked, the key may be registered again (for the same or another person).
    ssh_keys::add(&db.pool, operator, "grace@boxoffice.test", &line, "")
        .await
        .expect("added again");
    let listed = ssh_keys::list(&db.pool, None).await.expect("listed");
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|k| k.revoked_at.is_some()));
    let audit: Vec<(String, Option<i64>, String)> = sqlx::query_as(
        "SELECT action, actor_id, after->>'via' FROM audit_log WHERE entity = 'user_key' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|(action, ..)| action.as_str()).collect();
    assert_eq!(actions, ["add", "revoke", "add"]);
    assert!(
        audit
            .iter()
            .all(|(_, actor, via)| actor.is_none() && via.contains("OS user ops"))
    );
}

#[tokio::test]
async fn admins_add_and_revoke_keys_in_the_users_form_and_others_may_not() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let ada_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'ada@boxoffice.test'")
        .fetch_one(&db.pool)
        .await
        .expect("Ada");
    let loaded = load_user(&db.pool, &admin, ada_id).await.expect("loaded");
    let key = new_key();
    let draft = UserDraft {
        email: loaded.email.clone(),
        name: loaded.name.clone(),
        role: loaded.role,
        password: None,
        add_key: Some(format!("{} ada@laptop", public_line(&key))),
        revoke_keys: Vec::new(),
        time_zone: String::new(),
    };
    let saved = update_user(&db.pool, &admin, &loaded, &draft)
        .await
        .expect("saved with a key");
    let loaded = load_user(&db.pool, &admin, saved.id).await.expect("again");
    assert_eq!(loaded.keys.len(), 1);
    assert_eq!(loaded.keys[0].label, "ada@laptop");
    let bad = update_user(
        &db.pool,
        &admin,
        &loaded,
        &UserDraft {
            add_key: Some("ssh-rsa garbage".into()),
            ..draft.clone()
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&bad, boxoffice::error::DataError::Fields(f) if f.0.iter().any(|(field, _)| field == "new_key")),
        "{bad:?}"
    );
    let organizer = db.actor("ada@boxoffice.test").await;
    assert!(
        update_user(&db.pool, &organizer, &loaded, &draft)
            .await
            .is_err()
    );
    let revoked = update_user(
        &db.pool,
        &admin,
        &loaded,
        &UserDraft {
            add_key: None,
            revoke_keys: vec![loaded.keys[0].fingerprint.clone()],
            ..draft
        },
    )
    .await
    .expect("revoked");
    let loaded = load_user(&db.pool, &admin, revoked.id)
        .await
        .expect("again");
    assert!(loaded.keys.is_empty());

    // On screen: the users form lists the key with its fingerprint and takes a pasted one.
    ssh_keys::add(
        &db.pool,
        ChangedBy::CommandLine("ops"),
        "ada@boxoffice.test",
        &public_line(&key),
        "laptop",
    )
    .await
    .expect("added");
    let mut harness = Harness::new(db.pool.clone(), 100, 30);
    harness.sign_in("admin@boxoffice.test").await;
    harness.press(KeyCode::Char('u')).await;
    harness.type_text("ada@").await;
    harness.press(KeyCode::Enter).await;
    let screen = harness.render();
    assert!(screen.contains("laptop"), "{screen}");
    assert!(screen.contains("SHA256:"), "{screen}");
    assert!(screen.contains("Add SSH key"), "{screen}");
    // Revoke it from the form: to its field, Right to "revoke", Ctrl-s.
    for _ in 0..4 {
        harness.press(KeyCode::Tab).await;
    }
    harness.press(KeyCode::Right).await;
    harness.save_form().await;
    assert!(ssh_keys::in_force(&db.pool).await.expect("keys").is_empty());
}
