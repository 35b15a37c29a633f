//! From a form's text back to the request that saves it: times, money and counts parsed,
//! then the data layer's own validation run before anything is sent, so the reasons show
//! next to the fields at once. (The data layer validates again when it saves.)

use crate::zone::Tz;
use chrono::{DateTime, NaiveDate, Utc};

use crate::app::form::build::{PAID_NOW, quantity_key};
use crate::app::form::{Form, Purpose};
use crate::data_task::{DataErrorText, Request};
use crate::db::auth::Role;
use crate::db::edits::events::EventDraft;
use crate::db::edits::ticket_types::{MAX_PRICE_CENTS, TicketTypeDraft};
use crate::db::edits::users::UserDraft;
use crate::db::edits::validate_holder_name;
use crate::db::model::format_cents;
use crate::db::sales::{BoxOfficeSale, SaleLine};
use crate::error::{DataError, FieldErrors};

const TIME_EXAMPLE: &str = "a time like 2026-12-31 19:30";

/// A time typed on `zone`'s clock: "YYYY-MM-DD HH:MM" (or a date alone, meaning midnight),
/// optionally with the zone's abbreviation to pick one of a time the clocks pass twice. A time
/// the clocks skip, or pass twice, is explained rather than guessed.
pub fn parse_time(text: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    // ISO's 2026-12-31T19:30 is taken too (the T after the date only: CET has a T).
    let text = match text.get(10..11) {
        Some("T") => format!("{} {}", &text[..10], &text[11..]),
        _ => text.to_string(),
    };
    let text = if NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok() {
        format!("{text} 00:00")
    } else {
        text
    };
    crate::zone::parse_local(&text, zone).map_err(|error| {
        if error.starts_with("use the form") {
            TIME_EXAMPLE.to_string()
        } else {
            error
        }
    })
}

/// Money as typed ("25", "25.5", "25.50", "-3"): exact integer cents, never a float.
pub fn parse_money(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let invalid = || "a price like 25.00".to_string();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (units, fraction) = digits.split_once(['.', ',']).unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if units.is_empty() || !all_digits(units) || !all_digits(fraction) || fraction.len() > 2 {
        return Err(invalid());
    }
    let units: i64 = units.parse().map_err(|_| invalid())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    let cents = units
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .filter(|c| *c <= MAX_PRICE_CENTS)
        .ok_or_else(|| format!("at most {}", format_cents(MAX_PRICE_CENTS)))?;
    Ok(if negative { -cents } else { cents })
}

/// A whole number of seats or tickets; blank is `blank`.
pub fn parse_count(text: &str, blank: Option<i32>) -> Result<i32, String> {
    let text = text.trim();
    match (text.is_empty(), blank) {
        (true, Some(value)) => Ok(value),
        (true, None) => Err("enter a number".into()),
        _ => text
            .parse::<i32>()
            .map_err(|_| "a whole number, like 120".to_string()),
    }
}

fn to_text(error: DataError) -> DataErrorText {
    DataErrorText::from(error)
}

impl Form {
    /// The request that saves what is typed, or the reasons it cannot be saved.
    pub(crate) fn request(&self, offset: Tz) -> Result<Request, DataErrorText> {
        let mut errors = FieldErrors::default();
        let request = match &self.purpose {
            Purpose::Holder(loaded) => {
                let name = validate_holder_name(self.value("holder_name")).map_err(to_text)?;
                Request::SaveHolder {
                    loaded: loaded.clone(),
                    name,
                }
            }
            Purpose::OrderNote(loaded) => Request::SaveOrderNote {
                loaded: loaded.clone(),
                note: crate::db::edits::orders::validate_note(self.value("note"))
                    .map_err(to_text)?,
            },
            Purpose::Event(loaded) => {
                // The times are on the event's clock: the zone typed (else, only to check
                // their form, the viewer's).
                let zone = crate::zone::parse_zone(self.value("time_zone")).unwrap_or(offset);
                let mut time = |key: &'static str| {
                    parse_time(self.value(key), zone).unwrap_or_else(|message| {
                        errors.add(key, message);
                        DateTime::<Utc>::MIN_UTC
                    })
                };
                let starts_at = time("starts_at");
                let ends_at = time("ends_at");
                let draft = EventDraft {
                    title: self.value("title").into(),
                    venue: self.value("venue").into(),
                    starts_at,
                    ends_at,
                    description: self.value("description").into(),
                    organizer_email: self.field("organizer").map(|f| f.value().to_string()),
                    time_zone: self.value("time_zone").into(),
                    currency: self.value("currency").into(),
                };
                let draft = merge(errors, draft.validate())?;
                Request::SaveEvent {
                    loaded: loaded.clone(),
                    draft,
                }
            }
            Purpose::TicketType {
                event_id,
                loaded,
                event_zone,
                ..
            } => {
                let price_cents = parse_money(self.value("price")).unwrap_or_else(|message| {
                    errors.add("price", message);
                    0
                });
                let quantity = parse_count(self.value("quantity"), None).unwrap_or_else(|m| {
                    errors.add("quantity", m);
                    0
                });
                let mut optional_time = |key: &'static str| {
                    let text = self.value(key);
                    if text.trim().is_empty() {
                        return None;
                    }
                    parse_time(text, *event_zone)
                        .map_err(|message| errors.add(key, message))
                        .ok()
                };
                let sales_start = optional_time("sales_start");
                let sales_end = optional_time("sales_end");
                let draft = TicketTypeDraft {
                    name: self.value("name").into(),
                    price_cents,
                    quantity,
                    sales_start,
                    sales_end,
                };
                let sold = loaded.as_ref().map_or(0, |t| t.sold);
                let draft = merge(errors, draft.validate(sold))?;
                Request::SaveTicketType {
                    event_id: *event_id,
                    loaded: loaded.clone(),
                    draft,
                }
            }
            Purpose::Sale(types) => {
                let mut lines = Vec::new();
                for offer in &types.types {
                    let key = quantity_key(offer.id);
                    match parse_count(self.value(&key), Some(0)) {
                        Ok(quantity) if quantity < 0 => errors.add(key, "cannot be negative"),
                        Ok(0) => {}
                        Ok(quantity) if quantity > offer.quantity - offer.sold => errors.add(
                            key,
                            format!("only {} left", (offer.quantity - offer.sold).max(0)),
                        ),
                        Ok(quantity) => lines.push(SaleLine {
                            ticket_type_id: offer.id,
                            quantity,
                        }),
                        Err(message) => errors.add(key, message),
                    }
                }
                if lines.is_empty() && errors.is_empty() {
                    if let Some(first) = types.types.first() {
                        errors.add(quantity_key(first.id), "choose at least one ticket");
                    } else {
                        return Err(to_text(DataError::Invalid(
                            "this event has no ticket types to sell yet (t on the event adds one)"
                                .into(),
                        )));
                    }
                }
                let mut email_errors = FieldErrors::default();
                crate::db::edits::clean_email(
                    &mut email_errors,
                    "buyer_email",
                    self.value("buyer_email"),
                );
                errors.0.extend(email_errors.0);
                let sale = BoxOfficeSale {
                    event_id: types.event_id,
                    buyer_email: self.value("buyer_email").trim().into(),
                    buyer_name: self.value("buyer_name").trim().into(),
                    lines,
                    note: self.value("note").into(),
                    paid: self.value("paid") == PAID_NOW,
                };
                Request::Sell(merge(errors, Ok(sale))?)
            }
            Purpose::User(loaded) => {
                let password = self.value("password");
                let role = Role::from_label(self.value("role")).unwrap_or(Role::Customer);
                let new_key = self.value("new_key").trim();
                let draft = UserDraft {
                    email: self.value("email").into(),
                    name: self.value("name").into(),
                    role,
                    password: (!password.is_empty()).then(|| password.to_string()),
                    add_key: (!new_key.is_empty()).then(|| new_key.to_string()),
                    revoke_keys: self
                        .fields
                        .iter()
                        .filter(|field| field.value() == super::build::KEY_REVOKED)
                        .filter_map(|field| field.key.strip_prefix(super::build::KEY_FIELD_PREFIX))
                        .map(str::to_string)
                        .collect(),
                    time_zone: self.value("time_zone").into(),
                };
                let draft = merge(errors, draft.validate())?;
                Request::SaveUser {
                    loaded: loaded.clone(),
                    draft,
                }
            }
        };
        Ok(request)
    }

    /// For a sale: the total of the quantities typed so far, from the prices.
    pub fn summary(&self) -> Option<String> {
        let Purpose::Sale(types) = &self.purpose else {
            return None;
        };
        let (count, total) = types.types.iter().fold((0i64, 0i64), |(count, total), t| {
            let quantity = parse_count(self.value(&quantity_key(t.id)), Some(0))
                .unwrap_or(0)
                .max(0);
            let quantity = i64::from(quantity);
            (
                count.saturating_add(quantity),
                total.saturating_add(quantity.saturating_mul(t.price_cents)),
            )
        });
        Some(format!(
            "Total {} · {}",
            crate::money::format_money(total, &types.event_currency),
            crate::db::model::count_of(count, "ticket", "tickets")
        ))
    }
}

/// The parse errors and the validation's together: the validated value only if neither
/// found anything.
fn merge<T>(parsed: FieldErrors, validated: Result<T, DataError>) -> Result<T, DataErrorText> {
    match validated {
        Ok(value) if parsed.is_empty() => Ok(value),
        Ok(_) => Err(to_text(DataError::Fields(parsed))),
        Err(DataError::Fields(mut more)) => {
            // A field that did not parse has a placeholder value: its parse reason wins.
            more.0
                .retain(|(key, _)| !parsed.0.iter().any(|(k, _)| k == key));
            let mut all = parsed;
            all.0.extend(more.0);
            Err(to_text(DataError::Fields(all)))
        }
        Err(other) => Err(to_text(other)),
    }
}
