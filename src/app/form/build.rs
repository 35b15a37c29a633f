//! The form of each kind of row: its fields, filled from the version loaded (or empty for a
//! new row). Times are shown and typed in the terminal's local time.

use crate::zone::Tz;
use chrono::{DateTime, Utc};

use crate::app::form::{Field, Form, Purpose};
use crate::db::auth::{Actor, Role};
use crate::db::edits::HolderName;
use crate::db::edits::events::EventRecord;
use crate::db::edits::orders::OrderNote;
use crate::db::edits::ticket_types::{EventTicketTypes, TicketTypeRecord};
use crate::db::edits::users::UserRecord;
use crate::db::model::format_cents;
use crate::money::format_money;

const TIME_HINT: &str = "YYYY-MM-DD HH:MM, event's zone";
pub const PAID_NOW: &str = "paid now";
pub const PAY_LATER: &str = "pending (pay later)";

impl Form {
    pub fn holder_name(code: &str, loaded: HolderName) -> Self {
        let fields = vec![Field::text(
            "holder_name",
            "Holder name",
            &loaded.holder_name,
            "",
        )];
        Form::new(
            format!("Holder of ticket {code}"),
            Purpose::Holder(loaded),
            fields,
        )
    }

    pub fn order_note(loaded: OrderNote) -> Self {
        let fields = vec![Field::text(
            "note",
            "Note",
            &loaded.note,
            "up to 2000 characters",
        )];
        Form::new(
            format!("Note of order {} ({})", loaded.code, loaded.status),
            Purpose::OrderNote(loaded),
            fields,
        )
    }

    /// A new event (`loaded` None) or an event as loaded. Admins also say whose event it is.
    /// Its times are typed on the event's own clock (the zone field; a new event starts with
    /// the default zone).
    pub fn event(actor: &Actor, loaded: Option<EventRecord>) -> Self {
        let record = loaded.as_ref();
        let zone = record.map_or_else(crate::zone::default_zone, |e| {
            crate::zone::stored_zone(&e.time_zone)
        });
        let time = |at: Option<DateTime<Utc>>| at.map(|at| crate::zone::local_text(at, zone));
        let mut fields = vec![
            Field::text("title", "Title", record.map_or("", |e| &e.title), ""),
            Field::text("venue", "Venue", record.map_or("", |e| &e.venue), ""),
            Field::text(
                "starts_at",
                "Starts",
                &time(record.map(|e| e.starts_at)).unwrap_or_default(),
                TIME_HINT,
            ),
            Field::text(
                "ends_at",
                "Ends",
                &time(record.map(|e| e.ends_at)).unwrap_or_default(),
                TIME_HINT,
            ),
            Field::text(
                "time_zone",
                "Time zone",
                zone.name(),
                "the venue's: Europe/Berlin, or a part: berlin",
            ),
            Field::text(
                "currency",
                "Currency",
                record.map_or(crate::money::default_currency(), |e| &e.currency),
                "tickets are sold in it: EUR, USD…",
            ),
            Field::text(
                "description",
                "Description",
                record.map_or("", |e| &e.description),
                "optional",
            ),
        ];
        if actor.role == Role::Admin {
            let organizer = record.map_or(actor.email.as_str(), |e| &e.organizer_email);
            fields.push(Field::text(
                "organizer",
                "Organizer",
                organizer,
                "email of an organizer",
            ));
        }
        let title = match record {
            Some(event) => format!("Edit event “{}”", event.title),
            None => "New event".to_string(),
        };
        Form::new(title, Purpose::Event(loaded), fields)
    }

    pub fn ticket_type(
        event_id: i64,
        event_title: &str,
        loaded: Option<TicketTypeRecord>,
        event_zone: Tz,
        event_currency: &str,
    ) -> Self {
        let record = loaded.as_ref();
        let time = |at: Option<DateTime<Utc>>| at.map(|at| crate::zone::local_text(at, event_zone));
        let window_hint = format!("optional · {} time, YYYY-MM-DD HH:MM", event_zone.name());
        let sold_hint = record.map_or("seats on sale".to_string(), |t| {
            format!("{} sold: not below that", t.sold)
        });
        let fields = vec![
            Field::text("name", "Name", record.map_or("", |t| &t.name), ""),
            Field::text(
                "price",
                "Price",
                &record.map_or(String::new(), |t| format_cents(t.price_cents)),
                &format!("in {event_currency}, e.g. 25.00"),
            ),
            Field::text(
                "quantity",
                "Capacity",
                &record.map_or(String::new(), |t| t.quantity.to_string()),
                &sold_hint,
            ),
            Field::text(
                "sales_start",
                "Sales open",
                &time(record.and_then(|t| t.sales_start)).unwrap_or_default(),
                &window_hint,
            ),
            Field::text(
                "sales_end",
                "Sales close",
                &time(record.and_then(|t| t.sales_end)).unwrap_or_default(),
                &window_hint,
            ),
        ];
        let title = match record {
            Some(t) => format!("Ticket type “{}” of “{event_title}”", t.name),
            None => format!("New ticket type for “{event_title}”"),
        };
        Form::new(
            title,
            Purpose::TicketType {
                event_id,
                event_title: event_title.to_string(),
                event_zone,
                event_currency: event_currency.to_string(),
                loaded,
            },
            fields,
        )
    }

    /// A box-office sale: the buyer, a quantity for each ticket type, a note, paid or not.
    pub fn sale(types: EventTicketTypes) -> Self {
        let mut fields = vec![
            Field::text(
                "buyer_email",
                "Buyer email",
                "",
                "an existing buyer, or a new one",
            ),
            Field::text("buyer_name", "Buyer name", "", "only for a new buyer"),
        ];
        for offer in &types.types {
            let left = (offer.quantity - offer.sold).max(0);
            fields.push(Field::text(
                &quantity_key(offer.id),
                &offer.name,
                "",
                &format!(
                    "× {} · {left} left",
                    format_money(offer.price_cents, &types.event_currency)
                ),
            ));
        }
        fields.push(Field::text("note", "Note", "", "optional"));
        fields.push(Field::choice(
            "paid",
            "Payment",
            PAID_NOW,
            &[PAID_NOW, PAY_LATER],
        ));
        Form::new(
            format!("Sell tickets for “{}”", types.event_title),
            Purpose::Sale(types),
            fields,
        )
    }

    pub fn user(loaded: Option<UserRecord>, email: &str) -> Self {
        let record = loaded.as_ref();
        let roles: Vec<&str> = Role::ALL.iter().map(|role| role.label()).collect();
        let password_hint = match record {
            Some(user) if user.can_sign_in => "blank keeps the current password",
            Some(_) => "blank: this account cannot sign in",
            None => "optional: without one the account cannot sign in",
        };
        let fields = vec![
            Field::text("email", "Email", record.map_or(email, |u| &u.email), ""),
            Field::text("name", "Name", record.map_or("", |u| &u.name), ""),
            Field::choice(
                "role",
                "Role",
                record.map_or(Role::Customer, |u| u.role).label(),
                &roles,
            ),
            Field::secret("password", "New password", password_hint),
        ];
        let mut fields = fields;
        // The keys that sign this user in to `boxoffice serve`: each can be revoked, and a
        // public key line pasted adds one.
        for key in record.map_or(&[][..], |user| &user.keys[..]) {
            let label = if key.label.is_empty() {
                "SSH key"
            } else {
                &key.label
            };
            // The start of the fingerprint tells keys apart (`boxoffice keys list` has all).
            let short: String = key.fingerprint.chars().take(23).collect();
            fields.push(Field {
                hint: format!("{short}…"),
                ..Field::choice(
                    &format!("{KEY_FIELD_PREFIX}{}", key.fingerprint),
                    label,
                    KEY_KEPT,
                    &[KEY_KEPT, KEY_REVOKED],
                )
            });
        }
        fields.push(Field::text(
            "new_key",
            "Add SSH key",
            "",
            "paste a public key line: ssh-ed25519 AAAA… you@laptop",
        ));
        let zone_hint = format!(
            "optional: their times in it; blank: {}",
            crate::zone::default_zone().name()
        );
        fields.push(Field::text(
            "time_zone",
            "Time zone",
            record.and_then(|u| u.time_zone.as_deref()).unwrap_or(""),
            &zone_hint,
        ));
        let title = match record {
            Some(user) => format!("User {}", user.email),
            None => "New user".to_string(),
        };
        Form::new(title, Purpose::User(loaded), fields)
    }
}

/// The fields of a user's SSH keys are named by this and the fingerprint.
pub const KEY_FIELD_PREFIX: &str = "key:";
pub const KEY_KEPT: &str = "in force";
pub const KEY_REVOKED: &str = "revoke";

/// The field of a sale that holds how many tickets of a type to sell.
pub fn quantity_key(ticket_type_id: i64) -> String {
    format!("quantity:{ticket_type_id}")
}
