//! The company's clock: activity times are stored in UTC like every `*_at` column and shown in the
//! company's time zone (`VEZA_TIMEZONE`, default Europe/Belgrade), converted here on the server so the
//! browser renders exactly what the server rendered. Form times ("2026-11-27T14:30", as a
//! datetime-local input sends them, or "27.11.2026. 14:30") are read in the same zone.

use crate::domain::validate::field;
use crate::error::{AppError, Problem};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::OnceLock;

static ZONE: OnceLock<Tz> = OnceLock::new();

/// The company's time zone; read once from `VEZA_TIMEZONE` (an IANA name).
pub fn zone() -> Tz {
    *ZONE.get_or_init(|| {
        std::env::var("VEZA_TIMEZONE")
            .ok()
            .and_then(|z| match z.parse::<Tz>() {
                Ok(tz) => Some(tz),
                Err(_) => {
                    tracing::warn!(zone = %z, "VEZA_TIMEZONE is not an IANA time zone; using Europe/Belgrade");
                    None
                }
            })
            .unwrap_or(chrono_tz::Europe::Belgrade)
    })
}

/// A UTC moment in the storage format of every `*_at` column.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// A stored UTC moment as local "YYYY-MM-DDTHH:MM" (the stored text when it cannot be read).
pub fn to_local(utc: &str) -> String {
    match parse_stamp(utc) {
        Some(t) => t.with_timezone(&zone()).format("%Y-%m-%dT%H:%M").to_string(),
        None => utc.to_string(),
    }
}

/// Reads a local date and time typed in a form and returns the stored UTC text.
pub fn parse_local(name: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(field(name, Problem::Required));
    }
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y. %H:%M", "%d.%m.%Y %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
        .ok_or_else(|| field(name, Problem::InvalidDate))?;
    local_to_utc(naive).map(stamp).ok_or_else(|| field(name, Problem::InvalidDate))
}

/// A local wall-clock time in UTC. In the autumn hour that repeats, the earlier one; in the spring
/// hour that does not exist, the same wall time an hour later.
pub fn local_to_utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    let tz = zone();
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(naive + Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
}

/// Today's date in the company's zone.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&zone()).date_naive()
}

/// The UTC moment a local day starts.
pub fn day_start(d: NaiveDate) -> String {
    stamp(local_to_utc(d.and_hms_opt(0, 0, 0).expect("midnight")).unwrap_or_else(Utc::now))
}

/// The Monday of `d`'s week.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    crate::domain::reports::week_start(d)
}

pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("first of month")
}

pub fn next_month_start(d: NaiveDate) -> NaiveDate {
    let first = month_start(d);
    if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1).expect("january")
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1).expect("next month")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_round_trip_through_utc() {
        // Belgrade is UTC+1 in winter, UTC+2 in summer.
        assert_eq!(parse_local("starts_at", "2026-11-27T14:30").unwrap(), "2026-11-27T13:30:00.000Z");
        assert_eq!(parse_local("starts_at", "27.06.2026. 14:30").unwrap(), "2026-06-27T12:30:00.000Z");
        assert_eq!(to_local("2026-11-27T13:30:00.000Z"), "2026-11-27T14:30");
        assert_eq!(parse_local("starts_at", "tomorrow"), Err(field("starts_at", Problem::InvalidDate)));
        assert_eq!(parse_local("starts_at", " "), Err(field("starts_at", Problem::Required)));
    }

    #[test]
    fn daylight_saving_gaps_and_repeats() {
        // 2026-03-29 02:30 does not exist in Belgrade; 2026-10-25 02:30 happens twice.
        assert_eq!(parse_local("t", "2026-03-29T02:30").unwrap(), "2026-03-29T01:30:00.000Z");
        assert_eq!(parse_local("t", "2026-10-25T02:30").unwrap(), "2026-10-25T00:30:00.000Z");
    }

    #[test]
    fn weeks_and_months() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(week_start(d), NaiveDate::from_ymd_opt(2026, 12, 28).unwrap());
        assert_eq!(next_month_start(d), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(day_start(d), "2026-12-30T23:00:00.000Z");
    }
}
