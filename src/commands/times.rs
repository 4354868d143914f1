//! Times and durations on the command line, parsed one way for every command:
//! `groups reset-offsets --to-datetime/--by-duration`, `offsets --at`,
//! `topics delete-records --before-time`, `consume --offset @...`.

use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone};

/// A point in time as given: an absolute time or a duration back from when it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    /// Milliseconds since the epoch.
    At(i64),
    /// This long before now.
    Ago(Duration),
}

impl TimeArg {
    /// The time in milliseconds since the epoch (a duration is taken back from now).
    pub fn millis(self) -> i64 {
        match self {
            TimeArg::At(ms) => ms,
            TimeArg::Ago(ago) => {
                let ago = i64::try_from(ago.as_millis()).unwrap_or(i64::MAX);
                chrono::Utc::now().timestamp_millis().saturating_sub(ago)
            }
        }
    }
}

/// A time for `--at` and `--before-time`, as `consume --offset @...` takes one (the `@` is
/// optional): `-1h` (any duration ago, also ISO 8601 `-PT1H`), epoch milliseconds
/// (`1700000000000`), or RFC 3339 / ISO 8601 (`2024-05-01T12:00:00Z`; without a zone, local
/// time).
pub fn parse_time(s: &str) -> std::result::Result<TimeArg, String> {
    let t = s.trim();
    let t = t.strip_prefix('@').unwrap_or(t);
    if let Some(ago) = t.strip_prefix('-') {
        return parse_ago(ago).map(TimeArg::Ago).map_err(|_| bad_time(s));
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().map(TimeArg::At).map_err(|_| bad_time(s));
    }
    parse_datetime(t).map(TimeArg::At).map_err(|_| bad_time(s))
}

fn bad_time(s: &str) -> String {
    format!(
        "'{s}' is not a time: use a duration ago (-1h, -30m, -2d), milliseconds since the epoch \
         (1700000000000) or RFC 3339 / ISO 8601 (2024-05-01T12:00:00Z, 2024-05-01T12:00:00 in \
         local time)"
    )
}

/// A time as milliseconds since the epoch.
pub fn parse_datetime(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return Ok(t.timestamp_millis());
        }
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    match naive {
        Some(naive) => Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| format!("'{s}' does not exist in the local time zone")),
        None => Err(format!(
            "'{s}' is not a time: use RFC 3339 / ISO 8601, e.g. 2024-05-01T12:00:00Z, \
             2024-05-01T14:00:00+02:00 or 2024-05-01T12:00:00 (local time)"
        )),
    }
}

/// A duration: humantime (`1h 30m`) or ISO 8601 (`PT1H30M`, `P1DT2H`).
pub fn parse_ago(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let bad =
        || format!("'{s}' is not a duration: use e.g. 1h, 30m, 2d 4h, or ISO 8601 such as PT1H30M");
    if let Some(iso) = s.strip_prefix('P').or_else(|| s.strip_prefix('p')) {
        return parse_iso_duration(iso).ok_or_else(bad);
    }
    humantime::parse_duration(s).map_err(|_| bad())
}

/// The part of an ISO 8601 duration after `P`: `nW`, or `nD` then `T` with `nH nM nS`.
fn parse_iso_duration(s: &str) -> Option<Duration> {
    let s = s.to_ascii_uppercase();
    let (date, time) = match s.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d.to_string(), Some(t.to_string())),
        Some(_) => return None,
        None => (s, None),
    };
    let mut secs = 0f64;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut last = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
                continue;
            }
            let idx = units.iter().position(|(u, _)| *u == c)?;
            if idx < last || number.is_empty() {
                return None;
            }
            last = idx + 1;
            secs += number.parse::<f64>().ok()? * units[idx].1;
            number.clear();
            any = true;
        }
        number.is_empty().then_some(())
    };
    take(&date, &[('W', 604_800.0), ('D', 86_400.0)])?;
    if let Some(time) = time {
        take(&time, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    (any && secs.is_finite()).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_consume_takes_them() {
        let utc = 1_714_564_800_000; // 2024-05-01T12:00:00Z
        assert_eq!(parse_time("@2024-05-01T12:00:00Z"), Ok(TimeArg::At(utc)));
        assert_eq!(parse_time("2024-05-01T12:00:00Z"), Ok(TimeArg::At(utc)));
        assert_eq!(parse_time("@1714564800000"), Ok(TimeArg::At(utc)));
        assert_eq!(parse_time("1714564800000"), Ok(TimeArg::At(utc)));
        assert_eq!(
            parse_time("@-1h"),
            Ok(TimeArg::Ago(Duration::from_secs(3600)))
        );
        assert_eq!(
            parse_time("-PT30M"),
            Ok(TimeArg::Ago(Duration::from_secs(1800)))
        );
        for bad in ["", "@", "@-", "soon", "@yesterday", "-soon", "12x"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        let before = chrono::Utc::now().timestamp_millis() - 3_600_000;
        let ms = TimeArg::Ago(Duration::from_secs(3600)).millis();
        assert!((before..before + 5_000).contains(&ms), "{ms}");
    }

    #[test]
    fn datetimes_parse() {
        let utc = 1_714_564_800_000; // 2024-05-01T12:00:00Z
        assert_eq!(parse_datetime("2024-05-01T12:00:00Z"), Ok(utc));
        assert_eq!(parse_datetime("2024-05-01T12:00:00.000Z"), Ok(utc));
        assert_eq!(parse_datetime("2024-05-01T14:00:00+02:00"), Ok(utc));
        assert_eq!(parse_datetime("2024-05-01T14:00:00.000+0200"), Ok(utc));
        let local = Local
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(parse_datetime("2024-05-01T12:00:00"), Ok(local));
        assert_eq!(parse_datetime("2024-05-01 12:00"), Ok(local));
        assert!(parse_datetime("2024-05-01").is_ok());
        assert!(parse_datetime("yesterday").is_err());
        assert!(parse_datetime("2024-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_ago("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(
            parse_ago("2d 4h"),
            Ok(Duration::from_secs(2 * 86400 + 4 * 3600))
        );
        assert_eq!(parse_ago("PT1H30M"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_ago("P1DT2H"), Ok(Duration::from_secs(93600)));
        assert_eq!(parse_ago("P2W"), Ok(Duration::from_secs(2 * 604_800)));
        assert_eq!(parse_ago("PT0.5S"), Ok(Duration::from_millis(500)));
        for bad in ["", "P", "PT", "P1H", "PT1D", "PT1M1H", "soon", "-1h"] {
            assert!(parse_ago(bad).is_err(), "{bad}");
        }
    }
}
