//! Money: amounts are integer hundredths of their currency's unit, and every amount shown
//! says its currency (`35.00 EUR`). Each event has one currency (ISO 4217); amounts of
//! different currencies are never added together, only listed side by side.

use std::collections::BTreeMap;

use iso_currency::{Currency, Flag};

/// The currency new events get when none is configured.
pub const FALLBACK_CURRENCY: &str = "EUR";

static DEFAULT_CURRENCY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the process's default currency (`default_currency` in the config) once, at start.
pub fn set_default_currency(code: &str) {
    let _ = DEFAULT_CURRENCY.set(code.to_string());
}

/// The currency new events get: the configured default, else EUR.
pub fn default_currency() -> &'static str {
    DEFAULT_CURRENCY.get_or_init(|| FALLBACK_CURRENCY.to_string())
}

/// A currency code as typed (any case, spaces around) if it names a currency in use today:
/// not a fund, a metal or a code replaced by another.
pub fn parse_currency(text: &str) -> Result<String, String> {
    let typed = text.trim();
    if typed.is_empty() {
        return Err("type a currency code, like EUR or USD".into());
    }
    let code = typed.to_ascii_uppercase();
    let Some(currency) = Currency::from_code(&code) else {
        return Err(format!(
            "“{typed}” is not an ISO 4217 currency code (like EUR, USD, GBP)"
        ));
    };
    if let Some(successor) = currency.is_superseded() {
        return Err(format!(
            "{code} has been replaced by {}: use that",
            successor.code()
        ));
    }
    if currency.is_fund() || currency.has_flag(Flag::Special) {
        return Err(format!(
            "{code} ({}) is not a currency tickets are sold in",
            currency.name()
        ));
    }
    Ok(code)
}

/// `cents` hundredths of `currency`: `35.00 EUR`. Currencies without a minor unit (JPY)
/// show whole amounts without decimals.
pub fn format_money(cents: i64, currency: &str) -> String {
    let whole_units_only = Currency::from_code(currency).and_then(Currency::exponent) == Some(0);
    if whole_units_only && cents % 100 == 0 {
        format!("{} {currency}", cents / 100)
    } else {
        format!("{} {currency}", crate::db::model::format_cents(cents))
    }
}

/// Amounts kept apart by currency: what a total over events of several currencies is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums(BTreeMap<String, i64>);

impl Sums {
    pub fn of(currency: &str, cents: i64) -> Self {
        let mut sums = Self::default();
        sums.add(currency, cents);
        sums
    }

    pub fn add(&mut self, currency: &str, cents: i64) {
        *self.0.entry(currency.to_string()).or_insert(0) += cents;
    }

    pub fn add_all(&mut self, other: &Sums) {
        for (currency, cents) in &other.0 {
            self.add(currency, *cents);
        }
    }

    /// The amount in `currency` (zero if none).
    pub fn get(&self, currency: &str) -> i64 {
        self.0.get(currency).copied().unwrap_or(0)
    }

    /// Each of `currencies` (zero where there is nothing), then any other this holds:
    /// `120.00 EUR, 35.00 USD`.
    pub fn text(&self, currencies: &[String]) -> String {
        self.amounts(currencies).join(", ")
    }

    /// The amounts `text` shows, one per currency (at least one: zero in the default
    /// currency when there is nothing to show).
    pub fn amounts(&self, currencies: &[String]) -> Vec<String> {
        let mut shown: Vec<String> = currencies
            .iter()
            .map(|currency| format_money(self.get(currency), currency))
            .collect();
        for (currency, cents) in &self.0 {
            if !currencies.contains(currency) {
                shown.push(format_money(*cents, currency));
            }
        }
        if shown.is_empty() {
            shown.push(format_money(0, default_currency()));
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_say_their_currency_exactly() {
        assert_eq!(format_money(3500, "EUR"), "35.00 EUR");
        assert_eq!(format_money(-7, "USD"), "-0.07 USD");
        assert_eq!(format_money(150_000, "JPY"), "1500 JPY");
        assert_eq!(format_money(150_050, "JPY"), "1500.50 JPY");
        assert_eq!(format_money(i64::MIN, "EUR"), "-92233720368547758.08 EUR");
    }

    #[test]
    fn currency_codes_are_checked_and_upper_cased() {
        assert_eq!(parse_currency(" usd ").as_deref(), Ok("USD"));
        assert_eq!(parse_currency("CHF").as_deref(), Ok("CHF"));
        assert_eq!(parse_currency("XOF").as_deref(), Ok("XOF"));
        assert!(parse_currency("").unwrap_err().contains("type a currency"));
        assert!(
            parse_currency("EURO")
                .unwrap_err()
                .contains("not an ISO 4217")
        );
        assert!(
            parse_currency("ABC")
                .unwrap_err()
                .contains("not an ISO 4217")
        );
        assert!(
            parse_currency("HRK")
                .unwrap_err()
                .contains("replaced by EUR")
        );
        assert!(
            parse_currency("XAU")
                .unwrap_err()
                .contains("not a currency tickets")
        );
        assert!(
            parse_currency("USN")
                .unwrap_err()
                .contains("not a currency tickets")
        );
    }

    #[test]
    fn sums_keep_currencies_apart() {
        let mut sums = Sums::of("EUR", 1000);
        sums.add("USD", 250);
        sums.add("EUR", 500);
        assert_eq!(sums.get("EUR"), 1500);
        let currencies = ["EUR".to_string(), "GBP".to_string()];
        assert_eq!(sums.text(&currencies), "15.00 EUR, 0.00 GBP, 2.50 USD");
        assert_eq!(Sums::default().text(&["USD".to_string()]), "0.00 USD");
    }
}
