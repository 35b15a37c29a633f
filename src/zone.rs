//! Time zones: an event's own (IANA, from the tz database), and the viewer's. Event times
//! are shown and typed on the event's clock, with the zone's abbreviation for that date
//! (`19:00 CEST`); a local time that the clocks skip, or pass twice, is explained instead of
//! guessed.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
pub use chrono_tz::Tz;

/// How times are typed and shown: `2027-07-01 19:00`.
pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M";

/// Unset until set or first read. A lock rather than a `OnceLock`: setting must win even
/// after something read the machine's zone first (tests share one process, and each sets UTC
/// whatever the machine says).
static DEFAULT_ZONE: std::sync::RwLock<Option<Tz>> = std::sync::RwLock::new(None);

/// Sets the process's default zone (`default_time_zone` in the config), at start.
pub fn set_default_zone(zone: Tz) {
    let mut default = DEFAULT_ZONE
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *default = Some(zone);
}

/// The zone new events get and times that are no event's are shown in, unless the user has
/// one of their own: the configured default, else this machine's zone.
pub fn default_zone() -> Tz {
    let set = *DEFAULT_ZONE
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    set.unwrap_or_else(|| {
        let mut default = DEFAULT_ZONE
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *default.get_or_insert_with(system_zone)
    })
}

/// An event's zone as stored (validated when saved; UTC should the tz database lose it).
pub fn stored_zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The zone of this machine: `TZ`, else the system's setting, else UTC.
pub fn system_zone() -> Tz {
    std::env::var("TZ")
        .ok()
        .and_then(|name| parse_zone(name.trim_start_matches(':')).ok())
        .or_else(|| {
            iana_time_zone::get_timezone()
                .ok()
                .and_then(|name| parse_zone(&name).ok())
        })
        .unwrap_or(Tz::UTC)
}

/// A zone by its IANA name, any case (`europe/berlin`), or by a part of it that names only
/// one zone (`berlin`). The error says what was meant, or that nothing matches.
pub fn parse_zone(text: &str) -> Result<Tz, String> {
    let typed = text.trim();
    if typed.is_empty() {
        return Err("type a time zone, like Europe/Berlin".into());
    }
    if let Ok(zone) = typed.parse::<Tz>() {
        // PostgreSQL reads CET, EET, MET, WET, EST ... as fixed abbreviations before zone
        // names: only UTC and names with a region (Europe/Berlin) mean the same to both.
        if zone == Tz::UTC || zone.name().contains('/') {
            return Ok(zone);
        }
        return Err(format!(
            "“{typed}” is an old zone name: use its region's, like Europe/Berlin or America/New_York"
        ));
    }
    let matches = matching_zones(typed, 4);
    match matches.as_slice() {
        [only] => Ok(*only),
        [] => Err(format!(
            "“{typed}” is not a time zone of the tz database (like Europe/Berlin or America/New_York)"
        )),
        several => {
            let exact = several
                .iter()
                .find(|zone| zone.name().eq_ignore_ascii_case(typed));
            match exact {
                Some(zone) => Ok(*zone),
                None => Err(format!(
                    "“{typed}” could be {}: type more of it",
                    several
                        .iter()
                        .map(|zone| zone.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
}

/// Up to `limit` zones whose name contains `typed` (any case), the ones starting with it,
/// or with a part starting with it, first.
pub fn matching_zones(typed: &str, limit: usize) -> Vec<Tz> {
    let wanted = typed.trim().to_ascii_lowercase().replace(' ', "_");
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(u8, Tz)> = chrono_tz::TZ_VARIANTS
        .iter()
        .filter(|zone| **zone == Tz::UTC || zone.name().contains('/'))
        .filter_map(|zone| {
            let name = zone.name().to_ascii_lowercase();
            let rank = if name == wanted {
                0
            } else if name.starts_with(&wanted) {
                1
            } else if name.split('/').any(|part| part.starts_with(&wanted)) {
                2
            } else if name.contains(&wanted) {
                3
            } else {
                return None;
            };
            Some((rank, *zone))
        })
        .collect();
    found.sort_by_key(|(rank, zone)| (*rank, zone.name()));
    found
        .into_iter()
        .take(limit)
        .map(|(_, zone)| zone)
        .collect()
}

/// `at` on `zone`'s clock, with the zone's abbreviation for that date: `2027-07-01 19:00 CEST`.
pub fn show(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// `at` on `zone`'s clock as a form field holds it: with the abbreviation only where the
/// clocks pass that time twice, so that saving it back keeps the same instant.
pub fn local_text(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    match zone.from_local_datetime(&local.naive_local()) {
        LocalResult::Ambiguous(..) => local.format("%Y-%m-%d %H:%M %Z").to_string(),
        _ => local.format(TIME_FORMAT).to_string(),
    }
}

/// A typed local time on `zone`'s clock: `2027-07-01 19:00`, optionally followed by the
/// abbreviation that picks one of a time that happens twice (`2026-10-25 02:30 CEST`).
pub fn parse_local(text: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    // An abbreviation may follow: letters (CEST), or a numeric one (-03, +1030).
    let (time_text, abbreviation) = match text.rsplit_once(' ') {
        Some((head, tail))
            if tail
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '+' || c == '-' || c.is_ascii_digit())
                && (tail.chars().any(|c| c.is_ascii_alphabetic())
                    || tail.starts_with(['+', '-'])) =>
        {
            (head.trim(), Some(tail))
        }
        _ => (text, None),
    };
    let naive = NaiveDateTime::parse_from_str(time_text, TIME_FORMAT)
        .map_err(|_| "use the form 2026-07-01 19:30".to_string())?;
    let clock = naive.format("%H:%M");
    let day = naive.format("%Y-%m-%d");
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(at) => match abbreviation {
            Some(given) if !same_abbreviation(&at, given) => Err(format!(
                "{clock} on {day} is {} in {}, not {given}",
                at.format("%Z"),
                zone.name()
            )),
            _ => Ok(at.with_timezone(&Utc)),
        },
        LocalResult::Ambiguous(first, second) => {
            match abbreviation {
                Some(given) if same_abbreviation(&first, given) => {
                    return Ok(first.with_timezone(&Utc));
                }
                Some(given) if same_abbreviation(&second, given) => {
                    return Ok(second.with_timezone(&Utc));
                }
                _ => {}
            }
            Err(format!(
                "{clock} happens twice on {day} in {} (the clocks go back): type {time_text} {} for the first ({}) or {time_text} {} for the second ({})",
                zone.name(),
                first.format("%Z"),
                utc_offset(&first),
                second.format("%Z"),
                utc_offset(&second),
            ))
        }
        LocalResult::None => {
            let (before, after) = skipped_hour(naive, zone);
            Err(format!(
                "{clock} does not exist on {day} in {}: the clocks go forward from {before} to {after}; pick a time outside that hour",
                zone.name()
            ))
        }
    }
}

fn same_abbreviation(at: &DateTime<Tz>, given: &str) -> bool {
    at.format("%Z").to_string().eq_ignore_ascii_case(given)
}

fn utc_offset(at: &DateTime<Tz>) -> String {
    let offset = at.format("%:z").to_string();
    if offset == "+00:00" {
        "UTC".into()
    } else {
        format!("UTC{offset}")
    }
}

/// The local times around a gap: the last minute before the jump and where the clock lands.
fn skipped_hour(naive: NaiveDateTime, zone: Tz) -> (String, String) {
    let minute = chrono::Duration::minutes(1);
    let mut before = naive;
    for _ in 0..(24 * 60) {
        before -= minute;
        if let LocalResult::Single(at) = zone.from_local_datetime(&before) {
            let landed = (at + minute).with_timezone(&zone);
            return (
                (before + minute).format("%H:%M").to_string(),
                landed.format("%H:%M").to_string(),
            );
        }
    }
    (
        naive.format("%H:%M").to_string(),
        naive.format("%H:%M").to_string(),
    )
}

/// Midnight starting `day` on `zone`'s clock, as an instant (a day that starts in a gap
/// starts at the first minute that exists).
pub fn start_of_day(day: chrono::NaiveDate, zone: Tz) -> DateTime<Utc> {
    let mut local = day.and_time(chrono::NaiveTime::MIN);
    for _ in 0..(24 * 60) {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(at) => return at.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += chrono::Duration::minutes(1),
        }
    }
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn berlin() -> Tz {
        "Europe/Berlin".parse().expect("zone")
    }

    #[test]
    fn a_summer_evening_in_berlin_is_shown_and_typed_on_berlin_s_clock() {
        let at = parse_local("2027-07-01 19:00", berlin()).expect("valid");
        assert_eq!(at.to_rfc3339(), "2027-07-01T17:00:00+00:00");
        assert_eq!(show(at, berlin()), "2027-07-01 19:00 CEST");
        let winter = parse_local("2027-01-15 19:00", berlin()).expect("valid");
        assert_eq!(show(winter, berlin()), "2027-01-15 19:00 CET");
    }

    #[test]
    fn the_skipped_hour_is_explained_and_nothing_is_guessed() {
        let error = parse_local("2027-03-28 02:30", berlin()).unwrap_err();
        assert_eq!(
            error,
            "02:30 does not exist on 2027-03-28 in Europe/Berlin: the clocks go forward from 02:00 to 03:00; pick a time outside that hour"
        );
        let new_york: Tz = "America/New_York".parse().expect("zone");
        let error = parse_local("2027-03-14 02:15", new_york).unwrap_err();
        assert!(error.contains("from 02:00 to 03:00"), "{error}");
    }

    #[test]
    fn the_repeated_hour_offers_both_and_takes_the_one_named() {
        let error = parse_local("2026-10-25 02:30", berlin()).unwrap_err();
        assert_eq!(
            error,
            "02:30 happens twice on 2026-10-25 in Europe/Berlin (the clocks go back): type 2026-10-25 02:30 CEST for the first (UTC+02:00) or 2026-10-25 02:30 CET for the second (UTC+01:00)"
        );
        let first = parse_local("2026-10-25 02:30 CEST", berlin()).expect("first");
        let second = parse_local("2026-10-25 02:30 cet", berlin()).expect("second");
        assert_eq!(second - first, chrono::Duration::hours(1));
        assert!(
            parse_local("2026-07-01 19:00 CET", berlin()).is_err(),
            "CET is not July's"
        );
    }

    #[test]
    fn a_stored_time_in_the_repeated_hour_goes_back_into_the_form_with_its_abbreviation() {
        for text in ["2026-10-25 02:30 CEST", "2026-10-25 02:30 CET"] {
            let at = parse_local(text, berlin()).expect("valid");
            assert_eq!(local_text(at, berlin()), text);
            assert_eq!(parse_local(&local_text(at, berlin()), berlin()), Ok(at));
        }
        let plain = parse_local("2027-07-01 19:00", berlin()).expect("valid");
        assert_eq!(local_text(plain, berlin()), "2027-07-01 19:00");
    }

    #[test]
    fn numeric_abbreviations_pick_one_of_a_repeated_hour() {
        let santiago: Tz = "America/Santiago".parse().expect("zone");
        let mut local = chrono::NaiveDate::from_ymd_opt(2027, 1, 1)
            .expect("date")
            .and_time(chrono::NaiveTime::MIN);
        let (first, second) = loop {
            if let LocalResult::Ambiguous(first, second) = santiago.from_local_datetime(&local) {
                break (first, second);
            }
            local += chrono::Duration::minutes(30);
            assert!(
                local.year() == 2027,
                "Santiago's clocks go back once a year"
            );
        };
        let typed = local.format(TIME_FORMAT).to_string();
        let error = parse_local(&typed, santiago).unwrap_err();
        assert!(error.contains("happens twice"), "{error}");
        for (abbreviation, expected) in [
            (first.format("%Z").to_string(), first),
            (second.format("%Z").to_string(), second),
        ] {
            assert!(abbreviation.starts_with(['+', '-']), "{abbreviation}");
            assert_eq!(
                parse_local(&format!("{typed} {abbreviation}"), santiago),
                Ok(expected.with_timezone(&Utc))
            );
        }
    }

    #[test]
    fn old_zone_names_postgresql_reads_as_abbreviations_are_refused() {
        for old in ["CET", "EET", "MET", "WET", "EST"] {
            let error = parse_zone(old).unwrap_err();
            assert!(error.contains("Europe/Berlin"), "{old}: {error}");
        }
        assert_eq!(parse_zone("utc"), Ok(Tz::UTC));
    }

    #[test]
    fn zones_are_found_from_typed_letters() {
        assert_eq!(parse_zone("Europe/Berlin"), Ok(berlin()));
        assert_eq!(parse_zone("europe/berlin"), Ok(berlin()));
        assert_eq!(parse_zone("berlin"), Ok(berlin()));
        assert_eq!(parse_zone("UTC"), Ok(Tz::UTC));
        assert_eq!(
            parse_zone("america/new").map(|zone| zone.name()),
            Ok("America/New_York")
        );
        let error = parse_zone("north_dakota").unwrap_err();
        assert!(
            error.contains("America/North_Dakota/Beulah") && error.contains("type more"),
            "{error}"
        );
        assert!(parse_zone("Mars/Olympus").is_err());
        assert!(parse_zone("").is_err());
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 7, 1).expect("date");
        assert_eq!(
            start_of_day(day, berlin()).to_rfc3339(),
            "2027-06-30T22:00:00+00:00"
        );
        let sao_paulo_gap: Tz = "America/Havana".parse().expect("zone");
        // Havana's clocks skip from 00:00 to 01:00 in March: the day starts at 01:00.
        let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 10).expect("date");
        assert_eq!(
            start_of_day(day, sao_paulo_gap)
                .with_timezone(&sao_paulo_gap)
                .format("%H:%M")
                .to_string(),
            "01:00"
        );
    }
}
