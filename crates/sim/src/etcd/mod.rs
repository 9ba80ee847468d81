//! etcd: Raft consensus ([`raft`]), the key-value store it replicates
//! ([`kv`]) and the member process that serves clients ([`server`]).

pub mod benchmark;
pub mod kv;
pub mod raft;
pub mod server;

use std::fmt;

use crate::time::SimDuration;

/// etcd's timing flags, validated as etcd validates them (FIDELITY.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EtcdConfig {
    /// `--heartbeat-interval` (default 100 ms): one Raft tick.
    pub heartbeat_interval: SimDuration,
    /// `--election-timeout` (default 1000 ms).
    pub election_timeout: SimDuration,
}

/// etcd refuses an election timeout above this (`maxElectionMs`).
pub const MAX_ELECTION_MS: u64 = 50_000;

impl Default for EtcdConfig {
    fn default() -> Self {
        EtcdConfig {
            heartbeat_interval: SimDuration::from_millis(100),
            election_timeout: SimDuration::from_millis(1000),
        }
    }
}

/// A flag combination etcd refuses to start with; the message is etcd's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EtcdConfigError(pub String);

impl fmt::Display for EtcdConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EtcdConfigError {}

impl EtcdConfig {
    /// Checks the flags in the order etcd's `Config.Validate` does, with its
    /// messages. etcd takes both flags in whole milliseconds.
    pub fn validate(&self) -> Result<(), EtcdConfigError> {
        let tick_ms = self.heartbeat_interval.as_millis();
        let election_ms = self.election_timeout.as_millis();
        for (flag, value) in [
            ("heartbeat-interval", self.heartbeat_interval),
            ("election-timeout", self.election_timeout),
        ] {
            if !value.as_micros().is_multiple_of(1_000) {
                return Err(EtcdConfigError(format!(
                    "--{flag} is a whole number of milliseconds in etcd (got {value})"
                )));
            }
        }
        if tick_ms == 0 {
            return Err(EtcdConfigError(format!(
                "--heartbeat-interval must be >0 (set to {tick_ms}ms)"
            )));
        }
        if election_ms == 0 {
            return Err(EtcdConfigError(format!(
                "--election-timeout must be >0 (set to {election_ms}ms)"
            )));
        }
        if 5 * tick_ms > election_ms {
            return Err(EtcdConfigError(format!(
                "--election-timeout[{election_ms}ms] should be at least as 5 times as --heartbeat-interval[{tick_ms}ms]"
            )));
        }
        if election_ms > MAX_ELECTION_MS {
            return Err(EtcdConfigError(format!(
                "--election-timeout[{election_ms}ms] is too long, and should be set less than {MAX_ELECTION_MS}ms"
            )));
        }
        Ok(())
    }

    /// The election timeout in ticks (etcd's `ElectionTicks`, rounded down).
    pub fn election_ticks(&self) -> u64 {
        self.election_timeout.as_micros() / self.heartbeat_interval.as_micros().max(1)
    }

    /// How long a client request may wait before it fails with
    /// `etcdserver: request timed out`: 5 s plus two election timeouts
    /// (etcd's `ReqTimeout`).
    pub fn request_timeout(&self) -> SimDuration {
        SimDuration::from_secs(5) + self.election_timeout * 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(heartbeat_ms: u64, election_ms: u64) -> EtcdConfig {
        EtcdConfig {
            heartbeat_interval: SimDuration::from_millis(heartbeat_ms),
            election_timeout: SimDuration::from_millis(election_ms),
        }
    }

    #[test]
    fn etcd_defaults_are_valid_with_ten_ticks_and_a_seven_second_request_timeout() {
        // Reference: FIDELITY.md §3 (timing defaults, ReqTimeout).
        let defaults = EtcdConfig::default();
        assert_eq!(defaults.validate(), Ok(()));
        assert_eq!(defaults.election_ticks(), 10);
        assert_eq!(defaults.request_timeout(), SimDuration::from_secs(7));
    }

    #[test]
    fn invalid_timings_are_refused_with_etcds_own_messages() {
        // Reference: FIDELITY.md §3 ("election ≥ 5 × heartbeat"), etcd embed/config.go.
        let message = |h, e| config(h, e).validate().unwrap_err().0;
        assert_eq!(
            message(250, 1000),
            "--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[250ms]"
        );
        assert_eq!(
            message(0, 1000),
            "--heartbeat-interval must be >0 (set to 0ms)"
        );
        assert_eq!(
            message(100, 0),
            "--election-timeout must be >0 (set to 0ms)"
        );
        assert_eq!(
            message(10_000, 60_000),
            "--election-timeout[60000ms] is too long, and should be set less than 50000ms"
        );
        assert_eq!(config(200, 1000).validate(), Ok(()));
    }
}
