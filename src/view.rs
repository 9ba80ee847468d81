//! What the components show, computed from the simulation: each process's
//! state in words and shape (never colour alone), times as a learner reads
//! them. Pure functions, tested natively.

use ha_sim::etcd::raft::Role;
use ha_sim::kube::leaderelection::ElectorPhase;
use ha_sim::{ProcState, ProcessKind, Sim, SimDuration, SimTime};

/// How a state looks, besides its words: a shape that reads without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Working and in charge (leader, ready, UP): a filled marker.
    Filled,
    /// Working, waiting its turn (standby, follower): a hollow marker.
    Hollow,
    /// Trying (candidate, starting, stopping): a half-filled marker.
    Half,
    /// Frozen (SIGSTOP): two bars.
    Paused,
    /// Down (exited, off, unready, DOWN): a cross.
    Cross,
}

impl Shape {
    /// The CSS class of the shape (and of its colour, which only repeats it).
    pub fn class(self) -> &'static str {
        match self {
            Shape::Filled => "st-filled",
            Shape::Hollow => "st-hollow",
            Shape::Half => "st-half",
            Shape::Paused => "st-paused",
            Shape::Cross => "st-cross",
        }
    }
}

/// A process's state as the lab shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// A few words: "leader", "standby", "CrashLoopBackOff, restart in 8s", …
    pub words: String,
    pub shape: Shape,
}

fn status(words: impl Into<String>, shape: Shape) -> Status {
    Status {
        words: words.into(),
        shape,
    }
}

/// Whole seconds left until `t`, rounded up, for countdowns.
pub fn seconds_until(now: SimTime, t: SimTime) -> u64 {
    let us = (t - now).as_micros();
    us.div_ceil(1_000_000)
}

/// `x` rounded to `places` decimals (at most 3), without trailing zeros:
/// `12.3`, `-4`, `0.25`. Written out rather than with Rust's float
/// formatting, which adds about 15 KB to the page and is slow in
/// WebAssembly, where the timeline formats thousands of coordinates a frame.
pub fn decimal_text(x: f64, places: u32) -> String {
    let mut out = String::with_capacity(8);
    push_decimal(&mut out, x, places);
    out
}

/// [`decimal_text`], appended to `out`.
pub fn push_decimal(out: &mut String, x: f64, places: u32) {
    use std::fmt::Write;
    let places = places.min(3);
    let scale = 10u64.pow(places);
    let scaled = (x * scale as f64).round() as i64;
    if scaled < 0 {
        out.push('-');
    }
    let scaled = scaled.unsigned_abs();
    let _ = write!(out, "{}", scaled / scale);
    let mut fraction = scaled % scale;
    let mut digits = places;
    while digits > 0 && fraction.is_multiple_of(10) {
        fraction /= 10;
        digits -= 1;
    }
    if digits > 0 {
        let _ = write!(out, ".{fraction:0width$}", width = digits as usize);
    }
}

/// `1:05.3` for 65.3 s: minutes, seconds and tenths.
pub fn clock(t: SimTime) -> String {
    let tenths = t.as_millis() / 100;
    format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10)
}

/// `12.4s` for a span, to a tenth of a second.
pub fn span(d: SimDuration) -> String {
    let tenths = d.as_millis() / 100;
    format!("{}.{}s", tenths / 10, tenths % 10)
}

/// The state of process `proc` now.
pub fn process_status(sim: &Sim, proc: usize) -> Status {
    let p = &sim.processes()[proc];
    let now = sim.now();
    match p.state {
        ProcState::Stopped => status("not running", Shape::Cross),
        ProcState::Exited {
            restart_at: Some(at),
            code,
            ..
        } => status(
            format!(
                "exited ({code}), CrashLoopBackOff: restart in {}s",
                seconds_until(now, at)
            ),
            Shape::Cross,
        ),
        ProcState::Exited { code, .. } => {
            let words = if p.kind == ProcessKind::Kubelet || p.kind == ProcessKind::Haproxy {
                format!("exited ({code})")
            } else {
                format!("exited ({code}), waiting for the kubelet")
            };
            status(words, Shape::Cross)
        }
        ProcState::Running { paused: true, .. } => status("paused (SIGSTOP)", Shape::Paused),
        ProcState::Running {
            terminating: true, ..
        } => status("stopping (SIGTERM)", Shape::Half),
        ProcState::Running { .. } => running_status(sim, proc),
    }
}

fn running_status(sim: &Sim, proc: usize) -> Status {
    let p = &sim.processes()[proc];
    let now = sim.now();
    match p.kind {
        ProcessKind::KubeApiserver => match sim.apiserver(proc) {
            Some(api) if now < api.listening_at => status("starting", Shape::Half),
            Some(api) if api.is_ready() => status("ready", Shape::Filled),
            Some(_) => status("unready: etcd check failing", Shape::Cross),
            None => status("running", Shape::Filled),
        },
        ProcessKind::KubeControllerManager | ProcessKind::KubeScheduler => {
            match sim.elector(proc) {
                None => status("active (leader election off)", Shape::Filled),
                Some(e) => match e.phase {
                    ElectorPhase::Leading => status("leader", Shape::Filled),
                    ElectorPhase::Acquiring => status("standby", Shape::Hollow),
                    ElectorPhase::Releasing => status("releasing its lease", Shape::Half),
                    ElectorPhase::Stopped => status("stopping", Shape::Half),
                },
            }
        }
        ProcessKind::Etcd => {
            let member = sim.etcd_member_processes().iter().position(|&m| m == proc);
            match member.and_then(|m| sim.etcd_member(m)) {
                Some(m) => {
                    let (words, shape) = match m.raft.role {
                        Role::Leader => ("leader", Shape::Filled),
                        Role::Follower if m.raft.lead.is_some() => ("follower", Shape::Hollow),
                        Role::Follower => ("follower, no leader", Shape::Half),
                        Role::PreCandidate => ("pre-candidate", Shape::Half),
                        Role::Candidate => ("candidate", Shape::Half),
                    };
                    status(format!("{words} · term {}", m.raft.term), shape)
                }
                None => status("running", Shape::Filled),
            }
        }
        ProcessKind::Haproxy => match sim.haproxy() {
            Some(lb) => {
                let up = lb.backends.iter().filter(|b| b.up).count();
                let shape = if up == 0 { Shape::Cross } else { Shape::Filled };
                status(format!("{up} of {} backends UP", lb.backends.len()), shape)
            }
            None => status("running", Shape::Filled),
        },
        ProcessKind::Kubelet | ProcessKind::Benchmark => status("running", Shape::Filled),
        ProcessKind::Kubectl => match sim.kubectl().and_then(|k| k.probe_ok) {
            Some(true) => status("kubectl get pods works", Shape::Filled),
            Some(false) => status("kubectl get pods fails", Shape::Cross),
            None => status("waiting", Shape::Half),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_sim::{Action, Cluster, SimConfig, Target};

    #[test]
    fn decimals_are_written_as_rust_rounds_them_without_trailing_zeros() {
        // Values on a grid finer than the places, so that rounding matters;
        // away from exact halves, where decimal and binary rounding differ.
        for step in -30_000i64..=30_000 {
            let x = step as f64 * 0.0137;
            for places in 0..=3u32 {
                let scaled = (x * 10f64.powi(places as i32)).abs();
                if (scaled.fract() - 0.5).abs() < 1e-6 {
                    continue;
                }
                let std = format!("{x:.*}", places as usize);
                let std = if std.contains('.') {
                    std.trim_end_matches('0').trim_end_matches('.').to_owned()
                } else {
                    std
                };
                let std = if std == "-0" { "0".to_owned() } else { std };
                assert_eq!(decimal_text(x, places), std, "{x} to {places} places");
            }
        }
    }

    #[test]
    fn clocks_and_spans_read_like_a_stopwatch() {
        assert_eq!(clock(SimTime::from_millis(65_349)), "1:05.3");
        assert_eq!(clock(SimTime::ZERO), "0:00.0");
        assert_eq!(span(SimDuration::from_millis(12_460)), "12.4s");
        assert_eq!(
            seconds_until(SimTime::from_millis(1_001), SimTime::from_millis(9_000)),
            8
        );
    }

    #[test]
    fn every_process_state_has_words_and_a_shape() {
        let mut sim = Sim::new(SimConfig::new(1, Cluster::default())).unwrap();
        sim.advance_to(SimTime::from_secs(30));
        let words: Vec<String> = (0..sim.processes().len())
            .map(|p| process_status(&sim, p).words)
            .collect();
        assert!(words.iter().any(|w| w == "leader"));
        assert!(words.iter().any(|w| w == "standby"));
        assert!(words.iter().any(|w| w.starts_with("leader · term")));
        assert!(words.iter().any(|w| w.starts_with("follower · term")));
        assert!(words.iter().any(|w| w == "ready"));
        assert!(words.iter().any(|w| w == "3 of 3 backends UP"));
        sim.apply(&Action::KillProcess(
            Target::parse("master-1/kube-scheduler").unwrap(),
        ))
        .unwrap();
        sim.apply(&Action::PauseProcess(
            Target::parse("master-2/etcd").unwrap(),
        ))
        .unwrap();
        sim.advance_by(SimDuration::from_secs(2));
        let node = sim.node_id("master-1").unwrap();
        let scheduler = sim.process_id(node, ProcessKind::KubeScheduler).unwrap();
        let s = process_status(&sim, scheduler);
        assert_eq!(s.words, "exited (137), CrashLoopBackOff: restart in 8s");
        assert_eq!(s.shape, Shape::Cross);
        let etcd = sim
            .process_id(sim.node_id("master-2").unwrap(), ProcessKind::Etcd)
            .unwrap();
        assert_eq!(process_status(&sim, etcd).shape, Shape::Paused);
    }
}
