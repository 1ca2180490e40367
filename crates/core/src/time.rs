//! Wall-clock helpers: Unix milliseconds and UTC stamps (no time-zone database needed).

/// Milliseconds since the Unix epoch (0 if the clock is before 1970).
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD_HH-MM-SS` in UTC (civil-from-days, no time-zone database needed).
pub fn utc_stamp(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}_{:02}-{:02}-{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// `YYYY-MM-DD` (UTC midnight) as Unix milliseconds; `None` for anything else.
pub fn parse_utc_date(s: &str) -> Option<u64> {
    let mut parts = s.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil (the inverse of `utc_stamp`'s conversion).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let ms = u64::try_from(days).ok()? * 86_400_000;
    // A day past the month's end (2026-02-30) does not round-trip: refuse it.
    utc_stamp(ms)
        .starts_with(&format!("{year:04}-{month:02}-{day:02}"))
        .then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_stamps() {
        assert_eq!(utc_stamp(0), "1970-01-01_00-00-00");
        assert_eq!(utc_stamp(951_782_400_000), "2000-02-29_00-00-00");
        assert_eq!(utc_stamp(1_795_713_845_000), "2026-11-26_17-24-05");
    }

    #[test]
    fn dates_parse_back() {
        assert_eq!(parse_utc_date("1970-01-01"), Some(0));
        assert_eq!(parse_utc_date("2000-02-29"), Some(951_782_400_000));
        assert_eq!(parse_utc_date(" 2026-11-26 "), Some(1_795_651_200_000));
        for bad in [
            "",
            "2026-02-30",
            "2026-13-01",
            "26-1-1x",
            "1969-12-31",
            "2026/11/26",
        ] {
            assert_eq!(parse_utc_date(bad), None, "{bad}");
        }
    }
}
