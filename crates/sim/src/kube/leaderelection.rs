//! Leader election, exactly as client-go's `tools/leaderelection` does it
//! (FIDELITY.md §1), for kube-controller-manager and kube-scheduler.
//!
//! - `acquire`: `tryAcquireOrRenew` at once, then again `retry_period` plus a
//!   jitter of up to 1.2 × `retry_period` after each failed attempt ends.
//! - `renew`: polls `tryAcquireOrRenew` every `retry_period` within a
//!   `renew_deadline`; a poll that does not succeed in time loses leadership.
//! - Expiry is judged on this process's own clock: `observed_time` (when the
//!   record's bytes last changed, as this process saw them) plus the record's
//!   `leaseDurationSeconds`, never the record's `renewTime`.
//! - Every HTTP request times out after max(1 s, renew_deadline / 2).

use std::fmt;
use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::event::EventKind;
use crate::kube::KubeTimer;
use crate::kube::api::{ApiClient, ApiRequest, ApiResponse, CallResult, ClientError};
use crate::kube::objects::{KUBE_SYSTEM, Kind, Lease, Object, ObjectKey};
use crate::time::{SimDuration, SimTime};

/// client-go's `JitterFactor`, as a ratio (1.2 = 6/5).
const JITTER_NUM: u64 = 6;
const JITTER_DEN: u64 = 5;

/// The `--leader-elect*` flags of kube-controller-manager and kube-scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaderElectionFlags {
    /// `--leader-elect` (default true).
    pub leader_elect: bool,
    /// `--leader-elect-lease-duration` (default 15s).
    pub lease_duration: SimDuration,
    /// `--leader-elect-renew-deadline` (default 10s).
    pub renew_deadline: SimDuration,
    /// `--leader-elect-retry-period` (default 2s).
    pub retry_period: SimDuration,
}

impl Default for LeaderElectionFlags {
    fn default() -> Self {
        LeaderElectionFlags {
            leader_elect: true,
            lease_duration: SimDuration::from_secs(15),
            renew_deadline: SimDuration::from_secs(10),
            retry_period: SimDuration::from_secs(2),
        }
    }
}

impl LeaderElectionFlags {
    /// The three durations, each by its flag's name after `--leader-elect-`,
    /// in the order kubeadm sorts them.
    pub fn durations(&self) -> [(&'static str, SimDuration); 3] {
        [
            ("lease-duration", self.lease_duration),
            ("renew-deadline", self.renew_deadline),
            ("retry-period", self.retry_period),
        ]
    }
}

/// Flags client-go refuses; the message is client-go's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagsError(pub &'static str);

impl fmt::Display for FlagsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for FlagsError {}

impl LeaderElectionFlags {
    /// client-go's `NewLeaderElector` checks, in its order and words.
    pub fn validate(&self) -> Result<(), FlagsError> {
        if !self.leader_elect {
            return Ok(());
        }
        if self.lease_duration <= self.renew_deadline {
            return Err(FlagsError(
                "leaseDuration must be greater than renewDeadline",
            ));
        }
        if self.renew_deadline <= self.retry_period.mul_ratio(JITTER_NUM, JITTER_DEN) {
            return Err(FlagsError(
                "renewDeadline must be greater than retryPeriod*JitterFactor",
            ));
        }
        if self.lease_duration < SimDuration::from_micros(1) {
            return Err(FlagsError("leaseDuration must be greater than zero"));
        }
        if self.renew_deadline < SimDuration::from_micros(1) {
            return Err(FlagsError("renewDeadline must be greater than zero"));
        }
        if self.retry_period < SimDuration::from_micros(1) {
            return Err(FlagsError("retryPeriod must be greater than zero"));
        }
        Ok(())
    }

    /// The timeout of each request: max(1 s, renew_deadline / 2).
    pub fn request_timeout(&self) -> SimDuration {
        self.renew_deadline
            .mul_ratio(1, 2)
            .max(SimDuration::from_secs(1))
    }

    /// The window in which a standby takes over after the leader's last
    /// renew, when the leader crashes: (lease, lease + 2 × retry × 2.2]
    /// (FIDELITY.md §2 A).
    pub fn takeover_window(&self) -> (SimDuration, SimDuration) {
        let jittered = self.retry_period.mul_ratio(11, 5);
        (self.lease_duration, self.lease_duration + jittered * 2)
    }
}

/// Where an elector is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectorPhase {
    /// Trying to acquire (standby).
    Acquiring,
    /// Holding the lease and renewing it.
    Leading,
    /// Releasing the lease on a graceful stop.
    Releasing,
    /// Stopped: lost, released, or cancelled.
    Stopped,
}

/// What one request of an attempt was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectorCall {
    /// The leader's optimistic update of the record it last saw.
    FastUpdate,
    Get,
    Create,
    Update,
    ReleaseGet,
    ReleaseUpdate,
}

/// How an attempt or the election as a whole turned out, for the owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElectorOutcome {
    /// Nothing for the owner to do.
    Nothing,
    /// This process became leader: start the controllers.
    StartedLeading,
    /// This process stopped leading (`OnStoppedLeading`).
    StoppedLeading,
    /// The release on a graceful stop is done (or failed): exit.
    Released,
}

/// One process's leader election on one Lease.
#[derive(Clone, Debug)]
pub struct LeaderElector {
    pub flags: LeaderElectionFlags,
    pub lease: ObjectKey,
    /// `hostname_uuid`, new at every process start.
    pub identity: String,
    /// Scheduler: release the lease on a graceful stop.
    release_on_cancel: bool,
    pub phase: ElectorPhase,
    client: ApiClient<ElectorCall>,
    /// The record as last observed, with its resourceVersion.
    pub observed: Option<(Lease, i64)>,
    observed_raw: Option<Rc<str>>,
    /// When this process last saw the record change (its own clock).
    pub observed_time: Option<SimTime>,
    /// The `now` of the attempt in progress (client-go takes it on entry).
    attempt_now: Option<SimTime>,
    /// When the next attempt starts, if one is scheduled.
    pub next_attempt_at: Option<SimTime>,
    /// The end of the current renew poll.
    pub renew_deadline_at: Option<SimTime>,
    /// When the last attempt started and when the last renew succeeded.
    pub last_attempt_at: Option<SimTime>,
    pub last_renew_at: Option<SimTime>,
}

impl LeaderElector {
    /// A new elector for `lease`; `start` begins acquiring. Request ids are
    /// numbered from `id_base` so that they never meet the owner's own.
    pub fn new(
        flags: LeaderElectionFlags,
        lease_name: &str,
        identity: String,
        release_on_cancel: bool,
        server: ProcId,
        server_name: Rc<str>,
        id_base: u64,
    ) -> LeaderElector {
        LeaderElector {
            flags,
            lease: ObjectKey::new(Kind::Lease, KUBE_SYSTEM, lease_name),
            identity,
            release_on_cancel,
            phase: ElectorPhase::Acquiring,
            client: ApiClient::with_id_base(server, server_name, id_base),
            observed: None,
            observed_raw: None,
            observed_time: None,
            attempt_now: None,
            next_attempt_at: None,
            renew_deadline_at: None,
            last_attempt_at: None,
            last_renew_at: None,
        }
    }

    /// Whether this process believes it holds the lease (client-go `IsLeader`).
    pub fn is_leader(&self) -> bool {
        self.observed
            .as_ref()
            .is_some_and(|(lease, _)| lease.holder_identity == self.identity)
    }

    /// When this process believes the lease it observed expires.
    pub fn expires_at(&self) -> Option<SimTime> {
        let (lease, _) = self.observed.as_ref()?;
        let seconds = u64::try_from(lease.lease_duration_seconds).unwrap_or(0);
        Some(self.observed_time? + SimDuration::from_secs(seconds))
    }

    fn is_lease_valid(&self, now: SimTime) -> bool {
        self.expires_at().is_some_and(|t| t > now)
    }

    fn lease_path(&self) -> String {
        self.lease.path()
    }

    /// Starts acquiring: client-go's `Run`.
    pub fn start(&mut self, ctx: &mut Ctx, component: &'static str) {
        let text = format!(
            "attempting to acquire leader lease {}...",
            self.lease_path()
        );
        ctx.log(EventKind::Log, component, text);
        self.begin_attempt(ctx);
    }

    /// Takes a message if it is this elector's (a reply to or refusal of
    /// one of its calls): the outcome for the component, else `None`.
    pub fn take_message(
        &mut self,
        ctx: &mut Ctx,
        component: &'static str,
        from: ProcId,
        msg: &Msg,
    ) -> Option<ElectorOutcome> {
        let owned = match msg {
            Msg::ApiReply { id, .. } | Msg::Refused { id } => self.client.owns_id(*id),
            _ => false,
        };
        if !owned {
            return None;
        }
        Some(match self.client.complete(msg, from) {
            Some((call, result)) => self.on_result(ctx, component, call, result),
            None => ElectorOutcome::Nothing,
        })
    }

    /// Takes a timer if it is this elector's (its call timeouts, its
    /// attempts, its renew deadline): the outcome for the component, else
    /// `None`. Both elected components route their timers through it.
    pub fn take_timer(
        &mut self,
        ctx: &mut Ctx,
        component: &'static str,
        timer: KubeTimer,
    ) -> Option<ElectorOutcome> {
        match timer {
            KubeTimer::CallTimeout { client, at } if self.client.owns_timer(client) => {
                let mut outcome = ElectorOutcome::Nothing;
                for (call, result) in self.client.timed_out(ctx, at) {
                    match self.on_result(ctx, component, call, result) {
                        ElectorOutcome::Nothing => {}
                        other => outcome = other,
                    }
                }
                Some(outcome)
            }
            KubeTimer::ElectorAttempt { .. } | KubeTimer::ElectorRenewDeadline { .. } => {
                Some(self.on_timer(ctx, component, timer))
            }
            _ => None,
        }
    }

    /// The elector's own timers.
    fn on_timer(
        &mut self,
        ctx: &mut Ctx,
        component: &'static str,
        timer: KubeTimer,
    ) -> ElectorOutcome {
        match timer {
            KubeTimer::ElectorAttempt { at } => {
                if self.next_attempt_at != Some(at) || self.attempt_now.is_some() {
                    return ElectorOutcome::Nothing;
                }
                self.next_attempt_at = None;
                self.begin_attempt(ctx);
                ElectorOutcome::Nothing
            }
            KubeTimer::ElectorRenewDeadline { at } => {
                if self.phase != ElectorPhase::Leading || self.renew_deadline_at != Some(at) {
                    return ElectorOutcome::Nothing;
                }
                self.lose(ctx, component, "context deadline exceeded")
            }
            _ => ElectorOutcome::Nothing,
        }
    }

    /// The process was told to stop (its context is cancelled). Returns
    /// `Released` at once unless a release must first be written.
    pub fn cancel(&mut self, ctx: &mut Ctx, component: &'static str) -> ElectorOutcome {
        let was_leading = self.phase == ElectorPhase::Leading;
        self.client.cancel(|_| true);
        self.attempt_now = None;
        self.next_attempt_at = None;
        self.renew_deadline_at = None;
        if was_leading && self.release_on_cancel {
            self.phase = ElectorPhase::Releasing;
            let timeout = self.flags.request_timeout();
            let key = self.lease.clone();
            self.client.call(
                ctx,
                ApiRequest::Get { key },
                timeout,
                ElectorCall::ReleaseGet,
            );
            let _ = component;
            return ElectorOutcome::Nothing;
        }
        self.phase = ElectorPhase::Stopped;
        ElectorOutcome::Released
    }

    /// `tryAcquireOrRenew`, first request.
    fn begin_attempt(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        self.attempt_now = Some(now);
        self.last_attempt_at = Some(now);
        let timeout = self.flags.request_timeout();
        if self.is_leader() && self.is_lease_valid(now) {
            // 1. The leader's fast path: update the record it last saw.
            let (observed, rv) = self
                .observed
                .clone()
                .expect("a leader has observed its record");
            let desired = Lease {
                renew_time: Some(now),
                lease_duration_seconds: self.duration_seconds(),
                holder_identity: self.identity.clone(),
                ..observed
            };
            self.client.call(
                ctx,
                ApiRequest::Update {
                    object: Object::Lease(desired),
                    resource_version: rv,
                },
                timeout,
                ElectorCall::FastUpdate,
            );
        } else {
            // 2. Obtain the record.
            let key = self.lease.clone();
            self.client
                .call(ctx, ApiRequest::Get { key }, timeout, ElectorCall::Get);
        }
    }

    fn duration_seconds(&self) -> i64 {
        (self.flags.lease_duration.as_secs()) as i64
    }

    /// The record this process would write now.
    fn desired(&self, now: SimTime) -> Lease {
        Lease {
            namespace: self.lease.namespace.clone(),
            name: self.lease.name.clone(),
            holder_identity: self.identity.clone(),
            lease_duration_seconds: self.duration_seconds(),
            acquire_time: Some(now),
            renew_time: Some(now),
            lease_transitions: 0,
        }
    }

    fn set_observed(&mut self, lease: Lease, rv: i64, now: SimTime) {
        self.observed_raw = Some(Object::Lease(lease.clone()).encode());
        self.observed = Some((lease, rv));
        self.observed_time = Some(now);
    }

    fn on_result(
        &mut self,
        ctx: &mut Ctx,
        component: &'static str,
        call: ElectorCall,
        result: CallResult,
    ) -> ElectorOutcome {
        let now = ctx.now;
        let timeout = self.flags.request_timeout();
        let server = self.client.server_name.clone();
        let path = self.lease_path();
        match call {
            ElectorCall::ReleaseGet | ElectorCall::ReleaseUpdate => {
                return self.on_release_result(ctx, component, call, result);
            }
            ElectorCall::FastUpdate => match result {
                Ok(ApiResponse::Object {
                    object: Object::Lease(lease),
                    resource_version,
                }) => {
                    self.set_observed(lease, resource_version, now);
                    return self.attempt_done(ctx, component, true);
                }
                Ok(_) => return self.attempt_done(ctx, component, false),
                Err(e) => {
                    let text = format!(
                        "Failed to update lock optimistically: {}, falling back to slow path",
                        e.describe(&server)
                    );
                    ctx.log(EventKind::Log, component, text);
                    let key = self.lease.clone();
                    self.client
                        .call(ctx, ApiRequest::Get { key }, timeout, ElectorCall::Get);
                }
            },
            ElectorCall::Get => match result {
                Err(e) if e.is_not_found() => {
                    let desired = self.desired(self.attempt_now.unwrap_or(now));
                    self.client.call(
                        ctx,
                        ApiRequest::Create {
                            object: Object::Lease(desired),
                        },
                        timeout,
                        ElectorCall::Create,
                    );
                }
                Err(e) => {
                    let text = format!(
                        "error retrieving resource lock {path}: {}",
                        e.describe(&server)
                    );
                    ctx.log(EventKind::Log, component, text);
                    return self.attempt_done(ctx, component, false);
                }
                Ok(ApiResponse::Object {
                    object: Object::Lease(lease),
                    resource_version,
                }) => {
                    let raw = Object::Lease(lease.clone()).encode();
                    if self.observed_raw.as_deref() != Some(&*raw) {
                        self.set_observed(lease.clone(), resource_version, now);
                    } else if let Some((_, rv)) = &mut self.observed {
                        *rv = resource_version;
                    }
                    let attempt_now = self.attempt_now.unwrap_or(now);
                    if !lease.holder_identity.is_empty()
                        && self.is_lease_valid(attempt_now)
                        && !self.is_leader()
                    {
                        // "lock is held by … and has not yet expired" (client-go, V(4)).
                        return self.attempt_done(ctx, component, false);
                    }
                    let mut desired = self.desired(attempt_now);
                    if self.is_leader() {
                        desired.acquire_time = lease.acquire_time;
                        desired.lease_transitions = lease.lease_transitions;
                    } else {
                        desired.lease_transitions = lease.lease_transitions + 1;
                    }
                    self.client.call(
                        ctx,
                        ApiRequest::Update {
                            object: Object::Lease(desired),
                            resource_version,
                        },
                        timeout,
                        ElectorCall::Update,
                    );
                }
                Ok(_) => return self.attempt_done(ctx, component, false),
            },
            ElectorCall::Create | ElectorCall::Update => match result {
                Ok(ApiResponse::Object {
                    object: Object::Lease(lease),
                    resource_version,
                }) => {
                    self.set_observed(lease, resource_version, now);
                    return self.attempt_done(ctx, component, true);
                }
                Ok(_) => return self.attempt_done(ctx, component, false),
                Err(e) => {
                    let text = if call == ElectorCall::Create {
                        format!(
                            "error initially creating leader election record: {}",
                            e.describe(&server)
                        )
                    } else {
                        format!("Failed to update lock: {}", e.describe(&server))
                    };
                    ctx.log(EventKind::Log, component, text);
                    return self.attempt_done(ctx, component, false);
                }
            },
        }
        ElectorOutcome::Nothing
    }

    /// An attempt (`tryAcquireOrRenew`) has ended.
    fn attempt_done(
        &mut self,
        ctx: &mut Ctx,
        component: &'static str,
        succeeded: bool,
    ) -> ElectorOutcome {
        let now = ctx.now;
        let started = self.attempt_now.take().unwrap_or(now);
        let path = self.lease_path();
        match self.phase {
            ElectorPhase::Acquiring if succeeded => {
                self.phase = ElectorPhase::Leading;
                self.last_renew_at = Some(now);
                let transitions = self
                    .observed
                    .as_ref()
                    .map_or(0, |(l, _)| l.lease_transitions);
                ctx.log(
                    EventKind::LeaseAcquired {
                        lease: path.clone(),
                        holder_identity: self.identity.clone(),
                        lease_transitions: transitions,
                    },
                    component,
                    format!("successfully acquired lease {path}"),
                );
                // renew: the first poll starts one retry period later.
                self.schedule_renew_poll(ctx, now + self.flags.retry_period);
                ElectorOutcome::StartedLeading
            }
            ElectorPhase::Acquiring => {
                // JitterUntil, sliding: wait retry + [0, 1.2 × retry) after this attempt.
                let retry = self.flags.retry_period;
                let wait = ctx
                    .rng()
                    .duration_between(retry, retry + retry.mul_ratio(JITTER_NUM, JITTER_DEN));
                self.schedule_attempt(ctx, now + wait);
                ElectorOutcome::Nothing
            }
            ElectorPhase::Leading if succeeded => {
                self.last_renew_at = Some(now);
                ctx.log(
                    EventKind::LeaseRenewed {
                        lease: path.clone(),
                    },
                    component,
                    format!("successfully renewed lease {path}"),
                );
                // The poll succeeded: the next poll starts one retry period later.
                self.renew_deadline_at = None;
                self.schedule_renew_poll(ctx, now + self.flags.retry_period);
                ElectorOutcome::Nothing
            }
            ElectorPhase::Leading => {
                // Not yet: try again at the next poll tick, within the deadline.
                let next = (started + self.flags.retry_period).max(now);
                self.schedule_attempt(ctx, next);
                ElectorOutcome::Nothing
            }
            ElectorPhase::Releasing | ElectorPhase::Stopped => ElectorOutcome::Nothing,
        }
    }

    fn schedule_attempt(&mut self, ctx: &mut Ctx, at: SimTime) {
        self.next_attempt_at = Some(at);
        ctx.set_timer(at, Timer::Kube(KubeTimer::ElectorAttempt { at }));
    }

    /// A renew poll: attempts every retry period until one succeeds or the
    /// renew deadline passes.
    fn schedule_renew_poll(&mut self, ctx: &mut Ctx, at: SimTime) {
        let deadline = at + self.flags.renew_deadline;
        self.renew_deadline_at = Some(deadline);
        ctx.set_timer(
            deadline,
            Timer::Kube(KubeTimer::ElectorRenewDeadline { at: deadline }),
        );
        self.schedule_attempt(ctx, at);
    }

    /// The renew deadline passed: stop leading (the deadline also cancels
    /// the requests in flight).
    fn lose(&mut self, ctx: &mut Ctx, component: &'static str, why: &str) -> ElectorOutcome {
        let path = self.lease_path();
        self.client.cancel(|_| true);
        self.attempt_now = None;
        self.next_attempt_at = None;
        self.renew_deadline_at = None;
        self.phase = ElectorPhase::Stopped;
        let reason = format!("failed to renew lease {path}: {why}");
        ctx.log(
            EventKind::LeaseLost {
                lease: path,
                reason: reason.clone(),
            },
            component,
            reason,
        );
        ElectorOutcome::StoppedLeading
    }

    fn on_release_result(
        &mut self,
        ctx: &mut Ctx,
        component: &'static str,
        call: ElectorCall,
        result: CallResult,
    ) -> ElectorOutcome {
        let path = self.lease_path();
        let server = self.client.server_name.clone();
        let failed = |ctx: &mut Ctx, e: &ClientError| {
            ctx.log(
                EventKind::Log,
                component,
                format!("Failed to release lease: {}", e.describe(&server)),
            );
        };
        match (call, result) {
            (
                ElectorCall::ReleaseGet,
                Ok(ApiResponse::Object {
                    object: Object::Lease(lease),
                    resource_version,
                }),
            ) => {
                if lease.holder_identity != self.identity {
                    self.phase = ElectorPhase::Stopped;
                    return ElectorOutcome::Released;
                }
                let now = ctx.now;
                let released = Lease {
                    holder_identity: String::new(),
                    lease_duration_seconds: 1,
                    acquire_time: Some(now),
                    renew_time: Some(now),
                    ..lease
                };
                let timeout = self.flags.request_timeout();
                self.client.call(
                    ctx,
                    ApiRequest::Update {
                        object: Object::Lease(released),
                        resource_version,
                    },
                    timeout,
                    ElectorCall::ReleaseUpdate,
                );
                ElectorOutcome::Nothing
            }
            (ElectorCall::ReleaseUpdate, Err(e)) if e.is_conflict() => {
                // The record moved on under us: read it again and retry.
                let timeout = self.flags.request_timeout();
                let key = self.lease.clone();
                self.client.call(
                    ctx,
                    ApiRequest::Get { key },
                    timeout,
                    ElectorCall::ReleaseGet,
                );
                ElectorOutcome::Nothing
            }
            (ElectorCall::ReleaseUpdate, Ok(_)) => {
                self.phase = ElectorPhase::Stopped;
                ctx.log(
                    EventKind::LeaseReleased {
                        lease: path.clone(),
                    },
                    component,
                    format!("successfully released lease {path}"),
                );
                ElectorOutcome::Released
            }
            (_, Err(e)) => {
                failed(ctx, &e);
                self.phase = ElectorPhase::Stopped;
                ElectorOutcome::Released
            }
            (_, Ok(_)) => {
                self.phase = ElectorPhase::Stopped;
                ElectorOutcome::Released
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(lease: u64, renew: u64, retry_ms: u64) -> LeaderElectionFlags {
        LeaderElectionFlags {
            leader_elect: true,
            lease_duration: SimDuration::from_secs(lease),
            renew_deadline: SimDuration::from_secs(renew),
            retry_period: SimDuration::from_millis(retry_ms),
        }
    }

    #[test]
    fn client_go_refuses_bad_timings_with_its_own_messages_in_its_order() {
        // Reference: FIDELITY.md §1 (NewLeaderElector validation).
        assert_eq!(LeaderElectionFlags::default().validate(), Ok(()));
        assert_eq!(
            flags(15, 20, 2000).validate().unwrap_err().0,
            "leaseDuration must be greater than renewDeadline"
        );
        assert_eq!(
            flags(15, 15, 2000).validate().unwrap_err().0,
            "leaseDuration must be greater than renewDeadline"
        );
        // 1.2 × 5 s = 6 s: a renew deadline of 6 s is not enough.
        assert_eq!(
            flags(15, 6, 5000).validate().unwrap_err().0,
            "renewDeadline must be greater than retryPeriod*JitterFactor"
        );
        assert_eq!(flags(15, 7, 5000).validate(), Ok(()));
        // With leader election off the timings are not used.
        let off = LeaderElectionFlags {
            leader_elect: false,
            ..flags(15, 20, 2000)
        };
        assert_eq!(off.validate(), Ok(()));
    }

    #[test]
    fn requests_time_out_after_half_the_renew_deadline_but_never_under_a_second() {
        // Reference: FIDELITY.md §1 (request timeout).
        assert_eq!(
            LeaderElectionFlags::default().request_timeout(),
            SimDuration::from_secs(5)
        );
        assert_eq!(
            flags(3, 1, 200).request_timeout(),
            SimDuration::from_secs(1)
        );
    }

    #[test]
    fn the_takeover_window_after_a_crash_is_lease_to_lease_plus_two_jittered_retries() {
        // Reference: FIDELITY.md §2 A: (15 s, 23.8 s) with the defaults.
        let (low, high) = LeaderElectionFlags::default().takeover_window();
        assert_eq!(
            (low, high),
            (SimDuration::from_secs(15), SimDuration::from_millis(23_800))
        );
        let (low, high) = flags(60, 40, 5000).takeover_window();
        assert_eq!(
            (low, high),
            (SimDuration::from_secs(60), SimDuration::from_secs(82))
        );
    }
}
