//! Dates as Jira and HTTP send them.
//!
//! The spec types `expirationDate` and `failureTime` as int64 milliseconds, but Jira sends `expirationDate` as a
//! string such as `2019-06-01T12:42:30.000+0000` (the spec's own example). Both forms are accepted and always come
//! out as milliseconds since the Unix epoch. `Retry-After` may be an HTTP-date (RFC 9110, section 5.6.7).

/// Parses Jira's timestamp strings: `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`, `±HHMM` or `±HH:MM`,
/// or a string of decimal milliseconds. Returns milliseconds since the Unix epoch.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        return number(b);
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0i64, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    if b.get(13) != Some(&b':') {
        return None;
    }
    let mut i = 16;
    let mut second = 0;
    let mut millis = 0;
    if b.get(i) == Some(&b':') {
        second = num(i + 1, 2)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let digits = b.get(i + 1..).unwrap_or_default().iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            // Keep milliseconds; further digits are truncated.
            let ms_digits = digits.min(3);
            millis = num(i + 1, ms_digits)? * 10i64.pow(3 - ms_digits as u32);
            i += 1 + digits;
        }
    }
    let offset_minutes = match b.get(i..).unwrap_or_default() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _, b':', _, _] => (num(i + 1, 2)?, num(i + 4, 2)?),
                [_, _, _, _] => (num(i + 1, 2)?, num(i + 3, 2)?),
                [_, _] => (num(i + 1, 2)?, 0),
                _ => return None,
            };
            let total = h * 60 + m;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// Parses an HTTP-date in any of the three forms RFC 9110 requires recipients to accept: IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
/// (`Sun Nov  6 08:49:37 1994`). Returns milliseconds since the Unix epoch.
pub fn parse_http_date(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let (mut numbers, mut month, mut time) = (Vec::new(), None, None);
    for token in s.as_bytes().split(|b| matches!(b, b' ' | b',' | b'-')).filter(|t| !t.is_empty()) {
        if token.iter().all(u8::is_ascii_digit) {
            numbers.push(token);
        } else if token.contains(&b':') {
            time = Some(token);
        } else if let Some(m) = MONTHS.iter().position(|m| token.eq_ignore_ascii_case(m.as_bytes())) {
            month = Some(m as i64 + 1);
        }
    }
    let [day, year] = numbers[..] else { return None };
    let year = match (year.len(), number(year)?) {
        (2, y) if y < 70 => 2000 + y,
        (2, y) => 1900 + y,
        (4, y) => y,
        _ => return None,
    };
    let mut hms = time?.split(|b| *b == b':').map(|p| if p.len() == 2 { number(p) } else { None });
    let (hour, minute, second) = (hms.next()??, hms.next()??, hms.next()??);
    let (month, day) = (month?, number(day)?);
    let valid = hms.next().is_none()
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    valid.then(|| (days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second) * 1_000)
}

/// The number `digits` (ASCII digits only) writes, if it fits: `str::parse` without its kilobyte of wasm.
fn number(digits: &[u8]) -> Option<i64> {
    if digits.is_empty() {
        return None;
    }
    digits
        .iter()
        .try_fold(0i64, |n, d| d.is_ascii_digit().then(|| n.checked_mul(10)?.checked_add(i64::from(d - b'0')))?)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::{parse_http_date, parse_timestamp};

    const T: i64 = 1_559_392_950_000; // 2019-06-01T12:42:30Z

    #[test]
    fn jira_forms() {
        assert_eq!(parse_timestamp("2019-06-01T12:42:30.000+0000"), Some(T));
        assert_eq!(parse_timestamp("2019-06-01T09:42:30.000-0300"), Some(T));
        assert_eq!(parse_timestamp("2019-06-01T12:42:30.000Z"), Some(T));
        assert_eq!(parse_timestamp("2019-06-01T12:42:30Z"), Some(T));
        assert_eq!(parse_timestamp("2019-06-01T14:42:30+02:00"), Some(T));
        assert_eq!(parse_timestamp("2019-06-01T12:42:30.123456+00:00"), Some(T + 123));
        assert_eq!(parse_timestamp("2019-06-01T12:42:30.5Z"), Some(T + 500));
        assert_eq!(parse_timestamp("1559392950000"), Some(T));
        assert_eq!(parse_timestamp("1970-01-01T00:00:00.000+0000"), Some(0));
        assert_eq!(parse_timestamp("2024-02-29T00:00:00Z"), Some(1_709_164_800_000));
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "yesterday",
            "2019-06-01",
            "2019-06-01T12:42:30",
            "2019-13-01T00:00:00Z",
            "2019-02-29T00:00:00Z",
            "2019-06-01T25:00:00Z",
            "2019-06-01T12:42:30.Z",
            "2019-06-01T12:42:30+0",
            "2019-06-01T12:42:30.000+0000x",
            "２０１９-06-01T12:42:30Z",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s:?}");
        }
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        const T: i64 = 784_111_777_000; // 1994-11-06T08:49:37Z
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(T));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(T));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(T));
        assert_eq!(parse_http_date("Mon, 30 Nov 2026 15:04:02 GMT"), Some(1_796_051_042_000));
        for bad in ["", "120", "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT", "06 Xyz 1994 08:49:37"]
        {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }
}
