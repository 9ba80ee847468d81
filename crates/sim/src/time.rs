//! Simulated time: whole microseconds since the simulation started.
//!
//! Never a float and never the wall clock. Durations are written and read the
//! way Kubernetes flags take them (Go's `time.ParseDuration`: `"15s"`,
//! `"1500ms"`, `"1m30s"`).

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// An instant of simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    pub const fn from_micros(us: u64) -> SimTime {
        SimTime(us)
    }

    pub const fn from_millis(ms: u64) -> SimTime {
        SimTime(ms * 1_000)
    }

    pub const fn from_secs(s: u64) -> SimTime {
        SimTime(s * 1_000_000)
    }

    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole milliseconds, rounded down (the `t_ms` of events).
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000
    }

    /// The time elapsed since `earlier`, or zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    /// This instant moved back by `d`, stopping at zero.
    pub const fn saturating_sub(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_micros(us: u64) -> SimDuration {
        SimDuration(us)
    }

    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms * 1_000)
    }

    pub const fn from_secs(s: u64) -> SimDuration {
        SimDuration(s * 1_000_000)
    }

    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole milliseconds, rounded down.
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000
    }

    /// Whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1_000_000
    }

    pub const fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }

    /// Rounded down to a whole number of `unit`s (for log lines).
    pub const fn round_down_to(self, unit: SimDuration) -> SimDuration {
        SimDuration(self.0 / unit.0 * unit.0)
    }

    /// `self * num / den`, in integer arithmetic (for factors such as 1.2 = 6/5).
    pub const fn mul_ratio(self, num: u64, den: u64) -> SimDuration {
        SimDuration((self.0 as u128 * num as u128 / den as u128) as u64)
    }

    /// Parses a Go duration string as Kubernetes flags accept them: a sequence
    /// of decimal numbers, each with an optional fraction and a unit
    /// (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), such as `"15s"`, `"1.5s"` or
    /// `"1m30s"`. A bare `"0"` is zero. Durations are whole microseconds; a
    /// value that is not, or is negative, is refused.
    pub fn parse(text: &str) -> Result<SimDuration, DurationError> {
        let err = |reason| DurationError {
            text: text.to_owned(),
            reason,
        };
        let s = text.trim();
        if s == "0" {
            return Ok(SimDuration::ZERO);
        }
        if s.is_empty() {
            return Err(err(DurationReason::Empty));
        }
        if s.starts_with('-') {
            return Err(err(DurationReason::Negative));
        }
        let s = s.strip_prefix('+').unwrap_or(s);
        let mut rest = s;
        // The total in nanoseconds, checked for overflow.
        let mut total_ns: u128 = 0;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let (number, after) = rest.split_at(digits);
            if number.is_empty() || number == "." || number.matches('.').count() > 1 {
                return Err(err(DurationReason::Malformed));
            }
            let unit_len = after
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(after.len());
            let (unit, after) = after.split_at(unit_len);
            let unit_ns: u128 = match unit {
                "ns" => 1,
                "us" | "µs" | "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                "" => return Err(err(DurationReason::MissingUnit)),
                _ => return Err(err(DurationReason::UnknownUnit(unit.to_owned()))),
            };
            let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
            let mut value_ns: u128 = 0;
            if !whole.is_empty() {
                let whole: u128 = whole.parse().map_err(|_| err(DurationReason::TooLarge))?;
                value_ns = whole
                    .checked_mul(unit_ns)
                    .ok_or_else(|| err(DurationReason::TooLarge))?;
            }
            // The fraction, digit by digit, exactly (it must come out whole below).
            let mut scale = unit_ns;
            for digit in fraction.bytes() {
                scale /= 10;
                value_ns += u128::from(digit - b'0') * scale;
                if scale == 0 && digit != b'0' {
                    return Err(err(DurationReason::TooPrecise));
                }
            }
            total_ns = total_ns
                .checked_add(value_ns)
                .filter(|ns| *ns <= u128::from(u64::MAX))
                .ok_or_else(|| err(DurationReason::TooLarge))?;
            rest = after;
        }
        if !total_ns.is_multiple_of(1_000) {
            return Err(err(DurationReason::TooPrecise));
        }
        Ok(SimDuration((total_ns / 1_000) as u64))
    }
}

/// A duration string that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationError {
    pub text: String,
    pub reason: DurationReason,
}

/// Why a duration string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DurationReason {
    Empty,
    Negative,
    Malformed,
    MissingUnit,
    UnknownUnit(String),
    TooLarge,
    TooPrecise,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = &self.text;
        match &self.reason {
            DurationReason::Empty => write!(f, "a duration is required, such as \"15s\""),
            DurationReason::Negative => write!(f, "duration \"{text}\" must not be negative"),
            DurationReason::Malformed => write!(
                f,
                "invalid duration \"{text}\": write a number and a unit, such as \"15s\", \"1500ms\" or \"1m30s\""
            ),
            DurationReason::MissingUnit => write!(
                f,
                "missing unit in duration \"{text}\": add one of ms, s, m or h, such as \"15s\""
            ),
            DurationReason::UnknownUnit(unit) => write!(
                f,
                "unknown unit \"{unit}\" in duration \"{text}\": use ns, us, ms, s, m or h"
            ),
            DurationReason::TooLarge => write!(f, "duration \"{text}\" is too large"),
            DurationReason::TooPrecise => write!(
                f,
                "duration \"{text}\" is finer than the simulation's one-microsecond resolution"
            ),
        }
    }
}

impl std::error::Error for DurationError {}

impl fmt::Display for SimDuration {
    /// Formats like Go's `time.Duration.String()`: `"15s"`, `"1.5s"`,
    /// `"1m30s"`, `"100ms"`, `"0s"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us == 0 {
            return f.write_str("0s");
        }
        if us < 1_000 {
            return write!(f, "{us}µs");
        }
        if us < 1_000_000 {
            return write_fraction(f, us, 1_000, "ms");
        }
        let hours = us / 3_600_000_000;
        let minutes = us / 60_000_000 % 60;
        let seconds_us = us % 60_000_000;
        if hours > 0 {
            write!(f, "{hours}h{minutes}m")?;
        } else if minutes > 0 {
            write!(f, "{minutes}m")?;
        }
        write_fraction(f, seconds_us, 1_000_000, "s")
    }
}

/// Writes `value / unit` with the fraction's trailing zeros trimmed, then `suffix`.
fn write_fraction(f: &mut fmt::Formatter<'_>, value: u64, unit: u64, suffix: &str) -> fmt::Result {
    let whole = value / unit;
    let fraction = value % unit;
    if fraction == 0 {
        return write!(f, "{whole}{suffix}");
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    write!(f, "{whole}.{}{suffix}", digits.trim_end_matches('0'))
}

impl fmt::Display for SimTime {
    /// An instant, as the duration since the start of the run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        SimDuration(self.0).fmt(f)
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    /// The span from `earlier` to `self`; zero if `earlier` is later.
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.saturating_since(earlier)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }
}

impl Mul<u64> for SimDuration {
    type Output = SimDuration;
    fn mul(self, k: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> SimDuration {
        SimDuration::parse(text).unwrap()
    }

    #[test]
    fn parses_the_go_durations_kubernetes_flags_take() {
        assert_eq!(d("15s"), SimDuration::from_secs(15));
        assert_eq!(d("1500ms"), SimDuration::from_millis(1500));
        assert_eq!(d("1.5s"), SimDuration::from_millis(1500));
        assert_eq!(d("1m30s"), SimDuration::from_secs(90));
        assert_eq!(d("2h"), SimDuration::from_secs(7200));
        assert_eq!(d("250us"), SimDuration::from_micros(250));
        assert_eq!(d("250µs"), SimDuration::from_micros(250));
        assert_eq!(d("0"), SimDuration::ZERO);
        assert_eq!(d(".5s"), SimDuration::from_millis(500));
        assert_eq!(d("3000ns"), SimDuration::from_micros(3));
    }

    #[test]
    fn refuses_what_go_refuses_with_a_message_that_says_what_to_write() {
        for (text, reason) in [
            ("", DurationReason::Empty),
            ("15", DurationReason::MissingUnit),
            ("-2s", DurationReason::Negative),
            ("1.2.3s", DurationReason::Malformed),
            ("s", DurationReason::Malformed),
            (
                "5 seconds",
                DurationReason::UnknownUnit(" seconds".to_owned()),
            ),
            ("10d", DurationReason::UnknownUnit("d".to_owned())),
            ("1ns", DurationReason::TooPrecise),
            ("99999999999999999999h", DurationReason::TooLarge),
        ] {
            let error = SimDuration::parse(text).unwrap_err();
            assert_eq!(error.reason, reason, "{text:?}");
            assert!(!error.to_string().is_empty());
        }
        assert!(
            SimDuration::parse("15")
                .unwrap_err()
                .to_string()
                .contains("\"15s\"")
        );
    }

    #[test]
    fn formats_like_go_and_parses_back_to_the_same_value() {
        for (us, text) in [
            (0, "0s"),
            (250, "250µs"),
            (100_000, "100ms"),
            (1_500, "1.5ms"),
            (15_000_000, "15s"),
            (1_500_000, "1.5s"),
            (90_000_000, "1m30s"),
            (3_600_000_000, "1h0m0s"),
            (23_800_000, "23.8s"),
        ] {
            let duration = SimDuration::from_micros(us);
            assert_eq!(duration.to_string(), text);
            assert_eq!(SimDuration::parse(text).unwrap(), duration, "{text}");
        }
    }

    #[test]
    fn ratios_are_exact_integer_arithmetic() {
        // The client-go jitter factor 1.2 as 6/5: a 2 s retry period jitters up to 2.4 s.
        assert_eq!(
            SimDuration::from_secs(2).mul_ratio(6, 5),
            SimDuration::from_millis(2400)
        );
    }
}
