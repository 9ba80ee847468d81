//! The lab's timeline: one branch of a run that the learner can scrub back
//! and forth, and fork by acting in the past.
//!
//! A run is a pure function of its setup (configuration, seed, scripted
//! actions) and the learner's actions with their times, so the past is never
//! stored whole: [`Lab`] keeps snapshots of the simulation and replays from
//! the nearest one. It records every event of the branch and a sample of the
//! cluster each simulated second, for the timeline and the event log.
//!
//! No Yew here: the components read a `Lab` and send it actions.

use ha_sim::kube::leaderelection::ElectorPhase;
use ha_sim::scenario::{Scenario, ScriptedAction};
use ha_sim::{Action, ConfigError, Event, ProcessKind, Sim, SimConfig, SimDuration, SimTime};

/// What a lab is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The scenario it came from, if any.
    pub scenario: Option<String>,
    pub title: String,
    pub config: SimConfig,
    /// The scenario's script.
    pub script: Vec<ScriptedAction>,
}

impl Setup {
    /// Scenario `s`, as it is.
    pub fn of_scenario(s: Scenario) -> Setup {
        Setup {
            scenario: Some(s.id),
            title: s.title,
            config: s.config,
            script: s.actions,
        }
    }

    /// `config` alone: no scenario, no script.
    pub fn of_config(title: &str, config: SimConfig) -> Setup {
        Setup {
            scenario: None,
            title: title.to_owned(),
            config,
            script: Vec::new(),
        }
    }
}

/// An action on the branch, scripted or the learner's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedAction {
    pub at: SimTime,
    pub action: Action,
    /// The learner's (kept in links) rather than the scenario's.
    pub by_learner: bool,
}

/// The cluster at one simulated second, for the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub t: SimTime,
    pub pods_desired: u32,
    pub pods_running: u32,
}

/// A standby's attempt to acquire a Lease, as the timeline marks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub t: SimTime,
    /// The standby's process.
    pub proc: usize,
    /// Which lease: kube-controller-manager or kube-scheduler.
    pub kind: ProcessKind,
    /// When, on the standby's own clock, the lease it last observed expires
    /// (its observedTime + leaseDuration); `None` before it has seen one.
    pub expires_at: Option<SimTime>,
}

/// At most this many snapshots are kept; older ones are thinned out.
const MAX_SNAPSHOTS: usize = 60;
/// Snapshots are first taken this often.
const SNAPSHOT_EVERY: SimDuration = SimDuration::from_secs(10);

/// Names a branch: a new lab, or acting (which forgets the old future),
/// gives a new one. Views that index the record incrementally start over
/// when it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BranchId(u64);

impl BranchId {
    fn fresh() -> BranchId {
        // Not part of the simulation: only views compare it.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        BranchId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// One branch of a run, with its recorded past.
#[derive(Clone, Debug)]
pub struct Lab {
    pub setup: Setup,
    branch: BranchId,
    /// The simulation at the current time.
    pub sim: Sim,
    /// The furthest time this branch has reached.
    pub horizon: SimTime,
    /// Every action of the branch, in time order.
    actions: Vec<TimedAction>,
    /// Simulations at earlier times, oldest first; the first is time zero.
    snapshots: Vec<Sim>,
    /// Every event of the branch up to the horizon.
    pub events: Vec<Event>,
    /// One sample per simulated second up to the horizon.
    pub samples: Vec<Sample>,
    /// Every standby's attempt to acquire a lease, up to the horizon.
    pub attempts: Vec<Attempt>,
}

impl Lab {
    pub fn new(setup: Setup) -> Result<Lab, ConfigError> {
        let mut sim = Sim::new(setup.config.clone())?;
        let actions: Vec<TimedAction> = setup
            .script
            .iter()
            .map(|s| TimedAction {
                at: SimTime::ZERO + s.at,
                action: s.action.clone(),
                by_learner: false,
            })
            .collect();
        // Actions at time zero apply before the first snapshot.
        for a in actions.iter().filter(|a| a.at == SimTime::ZERO) {
            let _ = sim.apply(&a.action);
        }
        let mut lab = Lab {
            setup,
            branch: BranchId::fresh(),
            snapshots: vec![sim.clone()],
            sim,
            horizon: SimTime::ZERO,
            actions,
            events: Vec::new(),
            samples: Vec::new(),
            attempts: Vec::new(),
        };
        lab.collect();
        lab.sample();
        Ok(lab)
    }

    pub fn now(&self) -> SimTime {
        self.sim.now()
    }

    /// Which branch this is: it changes when the recorded past is rewritten.
    pub fn branch(&self) -> BranchId {
        self.branch
    }

    /// The actions of the branch (scripted and the learner's).
    pub fn actions(&self) -> &[TimedAction] {
        &self.actions
    }

    /// The events that have happened by the current time.
    pub fn events_so_far(&self) -> &[Event] {
        let n = self.events.partition_point(|e| e.t <= self.now());
        &self.events[..n]
    }

    /// Runs to `t`: replays the recorded branch up to the horizon, then
    /// extends it.
    pub fn advance_to(&mut self, t: SimTime) {
        while self.now() < t {
            let now = self.now();
            let next_second = SimTime::from_secs(now.as_millis() / 1_000 + 1);
            let next_action = self.actions.iter().map(|a| a.at).find(|&at| at > now);
            let stop = [Some(t), Some(next_second), next_action, self.next_attempt()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(t);
            let recorded_until = self.horizon;
            self.sim.advance_to(stop);
            for a in self.actions.iter().filter(|a| a.at == stop) {
                // Only targets that exist can be scripted or chosen, and a
                // leader target with no leader is logged and skipped.
                let _ = self.sim.apply(&a.action);
            }
            self.collect();
            self.record_attempts(recorded_until);
            if stop.as_micros().is_multiple_of(1_000_000) {
                self.sample();
                if stop.as_micros().is_multiple_of(SNAPSHOT_EVERY.as_micros())
                    && stop > self.last_snapshot_time()
                {
                    self.snapshot();
                }
            }
        }
    }

    /// Runs until the next event of the branch (or `limit`).
    pub fn advance_to_next_event(&mut self, limit: SimTime) {
        let seen = self.events_so_far().len();
        if let Some(next) = self.events.get(seen) {
            // Recorded already: go straight there.
            let t = next.t.min(limit);
            self.advance_to(t);
            return;
        }
        while self.now() < limit && self.events.len() == seen {
            let next = self
                .sim
                .next_time()
                .unwrap_or(limit)
                .min(limit)
                .max(self.now() + SimDuration::from_micros(1));
            self.advance_to(next);
        }
    }

    /// Shows the branch as it was (or will be) at `t`.
    pub fn seek(&mut self, t: SimTime) {
        if t >= self.now() {
            self.advance_to(t);
            return;
        }
        let snapshot = self
            .snapshots
            .iter()
            .rev()
            .find(|s| s.now() <= t)
            .unwrap_or(&self.snapshots[0])
            .clone();
        self.sim = snapshot;
        // Actions at the snapshot's own time were applied before it was taken.
        let from = self.sim.now();
        self.replay_from(from, t);
    }

    /// Acts now. Whatever the branch held after now is forgotten: the
    /// learner's later actions, snapshots, events and samples.
    pub fn act(&mut self, action: Action) -> Result<(), ha_sim::sim::ActionError> {
        let now = self.now();
        self.sim.apply(&action)?;
        self.actions.retain(|a| a.at <= now || !a.by_learner);
        let at_now = self.actions.partition_point(|a| a.at <= now);
        self.actions.insert(
            at_now,
            TimedAction {
                at: now,
                action,
                by_learner: true,
            },
        );
        self.snapshots.retain(|s| s.now() < now);
        if self.snapshots.is_empty() {
            // Acting at time zero: the action belongs in the first snapshot.
            self.snapshots.push(self.sim.clone());
        }
        let kept = self.sim_event_count_before_action();
        self.events.truncate(kept);
        self.samples.retain(|s| s.t <= now);
        self.attempts.retain(|a| a.t <= now);
        self.horizon = now;
        self.branch = BranchId::fresh();
        self.collect();
        Ok(())
    }

    fn replay_from(&mut self, from: SimTime, to: SimTime) {
        let actions: Vec<TimedAction> = self
            .actions
            .iter()
            .filter(|a| a.at > from && a.at <= to)
            .cloned()
            .collect();
        for a in actions {
            self.sim.advance_to(a.at);
            let _ = self.sim.apply(&a.action);
        }
        self.sim.advance_to(to);
        // The replayed events are already recorded.
        self.sim.drain_events();
    }

    /// How many events the branch had before the action just applied.
    fn sim_event_count_before_action(&self) -> usize {
        let total = self.sim.event_count() as usize;
        total - self.sim.pending_events().len()
    }

    /// Moves new events from the simulation into the branch's record.
    fn collect(&mut self) {
        let total = self.sim.event_count() as usize;
        let fresh = self.sim.drain_events();
        let first = total - fresh.len();
        for (i, event) in fresh.into_iter().enumerate() {
            if first + i >= self.events.len() {
                self.events.push(event);
            }
        }
        self.horizon = self.horizon.max(self.now());
    }

    /// The electors' processes (kube-controller-manager and kube-scheduler
    /// with leader election on).
    fn electors(&self) -> impl Iterator<Item = (usize, ProcessKind)> + '_ {
        self.sim
            .processes()
            .iter()
            .enumerate()
            .filter(|(p, _)| self.sim.elector(*p).is_some())
            .map(|(p, process)| (p, process.kind))
    }

    /// The next time a standby will try to acquire, after now.
    fn next_attempt(&self) -> Option<SimTime> {
        let now = self.now();
        self.electors()
            .filter_map(|(p, _)| self.sim.elector(p)?.next_attempt_at)
            .filter(|&at| at > now)
            .min()
    }

    /// Records the standbys' attempts that started after `recorded_until`
    /// (the branch's horizon before this step). `advance_to` stops at each
    /// attempt, so each is seen as it starts, before its answer.
    fn record_attempts(&mut self, recorded_until: SimTime) {
        let fresh: Vec<Attempt> = self
            .electors()
            .filter_map(|(proc, kind)| {
                let e = self.sim.elector(proc)?;
                let t = e.last_attempt_at?;
                let recorded = t <= recorded_until
                    || self
                        .attempts
                        .iter()
                        .rev()
                        .take(16)
                        .any(|a| a.proc == proc && a.t == t);
                (e.phase == ElectorPhase::Acquiring && !recorded).then(|| Attempt {
                    t,
                    proc,
                    kind,
                    expires_at: e.expires_at(),
                })
            })
            .collect();
        for attempt in fresh {
            // Attempts that start on their own (at a process start) rather
            // than from a timer can be seen a little late: keep time order.
            let at = self
                .attempts
                .partition_point(|a| (a.t, a.proc) <= (attempt.t, attempt.proc));
            self.attempts.insert(at, attempt);
        }
    }

    fn sample(&mut self) {
        let t = self.now();
        if self.samples.last().is_some_and(|s| s.t >= t) {
            return;
        }
        self.samples.push(Sample {
            t,
            pods_desired: self.sim.pods_desired(),
            pods_running: self.sim.pods_running(),
        });
    }

    fn last_snapshot_time(&self) -> SimTime {
        self.snapshots.last().map_or(SimTime::ZERO, Sim::now)
    }

    fn snapshot(&mut self) {
        self.snapshots.push(self.sim.clone());
        if self.snapshots.len() > MAX_SNAPSHOTS {
            // Thin out the older half, keeping time zero: replays stay short
            // near the present, and memory stays bounded.
            let half = self.snapshots.len() / 2;
            self.snapshots = std::mem::take(&mut self.snapshots)
                .into_iter()
                .enumerate()
                .filter(|(index, _)| *index == 0 || *index >= half || index % 2 == 0)
                .map(|(_, s)| s)
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_sim::{Cluster, Target};

    fn setup() -> Setup {
        Setup::of_config("test", SimConfig::new(5, Cluster::default()))
    }

    #[test]
    fn going_back_shows_the_cluster_exactly_as_it_was() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(37));
        let then = lab.sim.trace_hash();
        let events_then = lab.events_so_far().len();
        lab.advance_to(SimTime::from_secs(95));
        lab.seek(SimTime::from_secs(37));
        assert_eq!(lab.now(), SimTime::from_secs(37));
        assert_eq!(lab.sim.trace_hash(), then);
        assert_eq!(lab.events_so_far().len(), events_then);
        // Playing forward again replays the same future, recording nothing twice.
        let events_total = lab.events.len();
        lab.advance_to(SimTime::from_secs(95));
        assert_eq!(lab.events.len(), events_total);
    }

    #[test]
    fn acting_in_the_past_forks_a_new_future() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(30));
        lab.act(Action::KillNode(Target::parse("master-1").unwrap()))
            .unwrap();
        lab.advance_to(SimTime::from_secs(80));
        let first_future = lab.sim.trace_hash();
        // Back to 20 s, and another action: a different future.
        lab.seek(SimTime::from_secs(20));
        lab.act(Action::KillNode(Target::parse("master-2").unwrap()))
            .unwrap();
        assert_eq!(lab.horizon, SimTime::from_secs(20));
        assert!(lab.actions().iter().all(|a| a.at <= SimTime::from_secs(20)));
        lab.advance_to(SimTime::from_secs(80));
        assert_ne!(lab.sim.trace_hash(), first_future);
        // And the fork replays exactly from scratch.
        let mut fresh = Lab::new(setup()).unwrap();
        fresh.advance_to(SimTime::from_secs(20));
        fresh
            .act(Action::KillNode(Target::parse("master-2").unwrap()))
            .unwrap();
        fresh.advance_to(SimTime::from_secs(80));
        assert_eq!(fresh.sim.trace_hash(), lab.sim.trace_hash());
        assert_eq!(fresh.events, lab.events);
    }

    #[test]
    fn samples_and_snapshots_follow_the_simulated_seconds() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_millis(12_500));
        let times: Vec<u64> = lab.samples.iter().map(|s| s.t.as_millis()).collect();
        assert_eq!(times, (0..=12).map(|s| s * 1000).collect::<Vec<_>>());
        // Long runs keep a bounded number of snapshots.
        lab.advance_to(SimTime::from_secs(1_200));
        assert!(
            lab.snapshots.len() <= MAX_SNAPSHOTS,
            "{}",
            lab.snapshots.len()
        );
        lab.seek(SimTime::from_secs(5));
        assert_eq!(lab.now(), SimTime::from_secs(5));
    }

    #[test]
    fn the_record_does_not_depend_on_how_the_time_was_played() {
        // One long jump, or frames of every size, with seeks back and forth:
        // the same events, samples and attempts.
        let kill = Action::KillNode(Target::parse("leader:kube-controller-manager").unwrap());
        let mut straight = Lab::new(setup()).unwrap();
        straight.advance_to(SimTime::from_secs(30));
        straight.act(kill.clone()).unwrap();
        straight.advance_to(SimTime::from_secs(70));

        let mut framed = Lab::new(setup()).unwrap();
        let mut t = SimTime::ZERO;
        let mut frame = 1;
        while t < SimTime::from_secs(70) {
            frame = frame * 7 % 1_013 + 1;
            t = (t + SimDuration::from_millis(frame)).min(SimTime::from_secs(70));
            if t >= SimTime::from_secs(30) && framed.actions().is_empty() {
                framed.advance_to(SimTime::from_secs(30));
                framed.act(kill.clone()).unwrap();
            }
            framed.advance_to(t);
            if frame % 5 == 0 {
                framed.seek(t.saturating_sub(SimDuration::from_millis(frame * 10)));
                framed.advance_to(t);
            }
        }
        assert_eq!(framed.events, straight.events);
        assert_eq!(framed.samples, straight.samples);
        assert_eq!(framed.attempts, straight.attempts);
    }

    #[test]
    fn standbys_attempts_are_recorded_with_their_own_view_of_the_expiry() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(30));
        let leader = lab
            .sim
            .lease_leader(ProcessKind::KubeControllerManager)
            .unwrap();
        lab.act(Action::KillNode(
            Target::parse("leader:kube-controller-manager").unwrap(),
        ))
        .unwrap();
        lab.advance_to(SimTime::from_secs(60));
        let kcm: Vec<&Attempt> = lab
            .attempts
            .iter()
            .filter(|a| a.kind == ProcessKind::KubeControllerManager)
            .collect();
        assert!(
            kcm.iter()
                .filter(|a| a.t >= SimTime::from_secs(10))
                .all(|a| a.proc != leader),
            "the leader renews, it does not attempt"
        );
        // Each standby polls every retryPeriod × [1, 2.2).
        let flags = &lab.setup.config.controller_manager;
        for proc in kcm
            .iter()
            .map(|a| a.proc)
            .collect::<std::collections::BTreeSet<_>>()
        {
            let times: Vec<SimTime> = kcm.iter().filter(|a| a.proc == proc).map(|a| a.t).collect();
            for pair in times.windows(2) {
                let gap = pair[1] - pair[0];
                assert!(
                    gap >= flags.retry_period && gap < flags.retry_period.mul_ratio(22, 10),
                    "{gap}"
                );
            }
        }
        // The standby that took over saw the lease expire first, on its own clock.
        let new_leader = lab
            .sim
            .lease_leader(ProcessKind::KubeControllerManager)
            .unwrap();
        let last = kcm.iter().rfind(|a| a.proc == new_leader).unwrap();
        assert!(last.expires_at.is_some_and(|e| e <= last.t), "{last:?}");
        // Acting in the past forgets the attempts after it.
        lab.seek(SimTime::from_secs(35));
        lab.act(Action::Heal).unwrap();
        assert!(lab.attempts.iter().all(|a| a.t <= SimTime::from_secs(35)));
    }

    #[test]
    fn jumping_to_the_next_event_lands_on_it() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(25));
        let before = lab.events_so_far().len();
        lab.advance_to_next_event(SimTime::from_secs(60));
        let so_far = lab.events_so_far();
        assert!(so_far.len() > before);
        assert_eq!(so_far.last().unwrap().t, lab.now());
    }
}
