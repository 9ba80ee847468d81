//! An etcd member: the Raft core, the store it applies, and the client API.
//!
//! Writes are proposed to the log and answered when this member applies
//! them. Linearizable reads are batched behind one ReadIndex at a time (etcd's
//! `linearizableReadLoop`), retried every 500 ms, and served once the member
//! has applied up to the read index. Serializable reads are answered from the
//! local store at once. A request that has not finished after the request
//! timeout (5 s + 2 × election timeout) fails with
//! `etcdserver: request timed out`.
//!
//! The member's term, vote, commit index and log are its WAL: they survive a
//! restart, and the store is rebuilt by applying the committed entries again.

use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::etcd::EtcdConfig;
use crate::etcd::kv::{KvOp, KvResult, Store};
use crate::etcd::raft::{
    EntryData, HardState, MemberId, Proposal, Raft, RaftConfig, RaftLog, Role,
};
use crate::event::EventKind;
use crate::time::{SimDuration, SimTime};

/// Why a client request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EtcdError {
    /// No quorum answered within the request timeout.
    RequestTimedOut,
}

impl EtcdError {
    /// etcd's own error string.
    pub fn message(&self) -> &'static str {
        match self {
            EtcdError::RequestTimedOut => "etcdserver: request timed out",
        }
    }
}

/// Timers of an etcd member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EtcdTimer {
    /// The Raft core's deadline (election timer or leader tick), scheduled for `at`.
    Raft { at: SimTime },
    /// The earliest request deadline, scheduled for `at`.
    RequestDeadline { at: SimTime },
    /// Resend the pending ReadIndex.
    ReadRetry { context: u64 },
    /// A graceful stop gives up waiting for the leadership transfer.
    StopDeadline,
    /// Tell every watcher the current revision (progress notification).
    WatchProgress,
}

/// How often watchers hear from a member even when nothing changes.
const WATCH_PROGRESS_INTERVAL: SimDuration = SimDuration::from_secs(5);

/// A client watching keys under a prefix.
#[derive(Clone, Debug)]
struct Watcher {
    client: ProcId,
    client_incarnation: u32,
    id: u64,
    prefix: Rc<str>,
}

/// How often an unanswered ReadIndex is sent again (etcd's `readIndexRetryTime`).
const READ_INDEX_RETRY: SimDuration = SimDuration::from_millis(500);

/// A client request waiting for its answer.
#[derive(Clone, Debug)]
struct Pending {
    id: u64,
    client: ProcId,
    client_incarnation: u32,
    client_request: u64,
    deadline: SimTime,
    /// The read to serve, for reads; `None` for a write (answered on apply).
    read: Option<KvOp>,
}

/// One batch of linearizable reads behind a ReadIndex.
#[derive(Clone, Debug)]
struct ReadBatch {
    context: u64,
    /// The read index, once the leader has confirmed it.
    index: Option<u64>,
    requests: Vec<u64>,
}

/// The state of one running etcd member.
#[derive(Clone, Debug)]
pub struct EtcdMember {
    pub raft: Raft,
    store: Store,
    applied: u64,
    /// Peer processes, by member id.
    peers: Rc<[ProcId]>,
    request_timeout: SimDuration,
    next_id: u64,
    pending: Vec<Pending>,
    /// Reads waiting for the next ReadIndex round.
    waiting_reads: Vec<u64>,
    /// ReadIndex rounds in flight or waiting to be applied, oldest first.
    batches: Vec<ReadBatch>,
    raft_timer_at: Option<SimTime>,
    deadline_timer_at: Option<SimTime>,
    /// A graceful stop in progress.
    stopping: bool,
    watchers: Vec<Watcher>,
}

impl EtcdMember {
    /// Starts a member from its WAL (`None` on first boot) and replays the
    /// committed entries into a fresh store.
    pub fn start(
        ctx: &mut Ctx,
        id: MemberId,
        peers: Rc<[ProcId]>,
        names: Rc<[Rc<str>]>,
        config: &EtcdConfig,
        wal: Option<HardState>,
    ) -> EtcdMember {
        let restarted = wal.is_some();
        let hard = wal.unwrap_or_default();
        let name = names[usize::from(id)].clone();
        let members = peers.len() as u8;
        let raft_config = RaftConfig {
            heartbeat_interval: config.heartbeat_interval,
            election_ticks: config.election_ticks(),
            names,
            pre_vote: true,
            check_quorum: true,
        };
        let (term, commit, entries) = (hard.term, hard.commit, hard.entries.len());
        let now = ctx.now;
        let raft = Raft::new(id, members, raft_config, hard, now, ctx.rng());
        let mut member = EtcdMember {
            raft,
            store: Store::new(),
            applied: 0,
            peers,
            request_timeout: config.request_timeout(),
            // Request ids must not repeat across restarts: entries proposed by
            // an earlier life of this member are still in the log (etcd
            // prefixes its ids with the start time; this uses the start count).
            next_id: (u64::from(ctx.incarnation()) << 40) + 1,
            pending: Vec::new(),
            waiting_reads: Vec::new(),
            batches: Vec::new(),
            raft_timer_at: None,
            deadline_timer_at: None,
            stopping: false,
            watchers: Vec::new(),
        };
        let text = if restarted {
            format!(
                "{name} restarting from its WAL: term {term}, commit index {commit}, {entries} entries"
            )
        } else {
            format!("{name} starting a new member of a {members}-member cluster")
        };
        ctx.log(EventKind::Log, "etcd", text);
        member.apply_committed(ctx);
        member.after_raft(ctx);
        member
    }

    /// The member's store, as applied so far.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The highest log index applied to the store.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// Hands the WAL over when the process ends.
    pub fn into_wal(self) -> HardState {
        self.raft.into_hard_state()
    }

    /// A message from a peer or a client.
    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, from_incarnation: u32, msg: Msg) {
        match msg {
            Msg::Raft(m) => {
                let now = ctx.now;
                self.raft.step(m, now, ctx.rng());
            }
            Msg::EtcdRequest { id, op } => self.on_request(ctx, from, from_incarnation, id, op),
            Msg::EtcdWatch { id, prefix } => self.on_watch(ctx, from, from_incarnation, id, prefix),
            _ => {}
        }
        self.after_raft(ctx);
    }

    /// A timer of this member fired.
    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: EtcdTimer) {
        match timer {
            EtcdTimer::Raft { at } => {
                if self.raft_timer_at != Some(at) {
                    return; // superseded by an earlier deadline
                }
                self.raft_timer_at = None;
                let now = ctx.now;
                self.raft.tick(now, ctx.rng());
            }
            EtcdTimer::RequestDeadline { at } => {
                if self.deadline_timer_at != Some(at) {
                    return;
                }
                self.deadline_timer_at = None;
                self.expire_requests(ctx);
            }
            EtcdTimer::ReadRetry { context } => {
                if let Some(batch) = self.batches.iter().find(|b| b.context == context)
                    && batch.index.is_none()
                {
                    self.raft.read_index(context);
                    ctx.set_timer(
                        ctx.now + READ_INDEX_RETRY,
                        Timer::Etcd(EtcdTimer::ReadRetry { context }),
                    );
                }
            }
            EtcdTimer::StopDeadline => {
                if self.stopping {
                    ctx.exit(0, "stopped (SIGTERM)");
                    return;
                }
            }
            EtcdTimer::WatchProgress => {
                let revision = self.store.revision();
                for w in &self.watchers {
                    ctx.reply(
                        w.client,
                        w.client_incarnation,
                        Msg::EtcdWatchEvents {
                            id: w.id,
                            revision,
                            snapshot: false,
                            kvs: Rc::from([]),
                            deleted: Rc::from([]),
                        },
                    );
                }
                if !self.watchers.is_empty() {
                    ctx.set_timer(
                        ctx.now + WATCH_PROGRESS_INTERVAL,
                        Timer::Etcd(EtcdTimer::WatchProgress),
                    );
                }
            }
        }
        self.after_raft(ctx);
    }

    /// SIGTERM: a leader first hands its leadership to an up-to-date follower
    /// (etcd's `TransferLeadership`), then stops; a follower stops at once.
    pub fn on_sigterm(&mut self, ctx: &mut Ctx) {
        let name = self.raft.member_name(self.raft.id).to_owned();
        ctx.log(
            EventKind::Log,
            "etcd",
            format!("{name} received signal terminated; shutting down"),
        );
        if self.raft.role == Role::Leader && self.raft.transfer_leadership().is_some() {
            self.stopping = true;
            let limit = self.request_timeout;
            ctx.set_timer(ctx.now + limit, Timer::Etcd(EtcdTimer::StopDeadline));
            self.after_raft(ctx);
        } else {
            ctx.exit(0, "stopped (SIGTERM)");
        }
    }

    /// A new watch: answer with everything under the prefix now (like a list
    /// followed by a watch from its revision), then every change as it is applied.
    fn on_watch(
        &mut self,
        ctx: &mut Ctx,
        client: ProcId,
        client_incarnation: u32,
        id: u64,
        prefix: Rc<str>,
    ) {
        let KvResult::Range { revision, kvs } = self.store.range(&prefix, true) else {
            return;
        };
        ctx.reply(
            client,
            client_incarnation,
            Msg::EtcdWatchEvents {
                id,
                revision,
                snapshot: true,
                kvs: kvs.into(),
                deleted: Rc::from([]),
            },
        );
        if self.watchers.is_empty() {
            ctx.set_timer(
                ctx.now + WATCH_PROGRESS_INTERVAL,
                Timer::Etcd(EtcdTimer::WatchProgress),
            );
        }
        self.watchers.retain(|w| w.client != client);
        self.watchers.push(Watcher {
            client,
            client_incarnation,
            id,
            prefix,
        });
    }

    /// Tells the watchers what applying `op` changed.
    fn notify_watchers(&self, ctx: &mut Ctx, op: &KvOp, before: &[(Rc<str>, i64)]) {
        let revision = self.store.revision();
        let mut kvs = Vec::new();
        let mut deleted = Vec::new();
        for (key, mod_revision) in before {
            match self.store.get(key) {
                Some(kv) if kv.mod_revision != *mod_revision => kvs.push(kv.clone()),
                None if *mod_revision != 0 => deleted.push(key.clone()),
                _ => {}
            }
        }
        if kvs.is_empty() && deleted.is_empty() {
            return;
        }
        let _ = op;
        for w in &self.watchers {
            let kvs: Rc<[_]> = kvs
                .iter()
                .filter(|kv| kv.key.starts_with(&*w.prefix))
                .cloned()
                .collect();
            let deleted: Rc<[_]> = deleted
                .iter()
                .filter(|k| k.starts_with(&*w.prefix))
                .cloned()
                .collect();
            if kvs.is_empty() && deleted.is_empty() {
                continue;
            }
            ctx.reply(
                w.client,
                w.client_incarnation,
                Msg::EtcdWatchEvents {
                    id: w.id,
                    revision,
                    snapshot: false,
                    kvs,
                    deleted,
                },
            );
        }
    }

    fn on_request(
        &mut self,
        ctx: &mut Ctx,
        client: ProcId,
        client_incarnation: u32,
        client_request: u64,
        op: KvOp,
    ) {
        if let KvOp::Range {
            key,
            prefix,
            serializable: true,
        } = &op
        {
            let result = self.store.range(key, *prefix);
            ctx.reply(
                client,
                client_incarnation,
                Msg::EtcdResponse {
                    id: client_request,
                    result: Ok(result),
                },
            );
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        let deadline = ctx.now + self.request_timeout;
        let is_read = op.is_read();
        self.pending.push(Pending {
            id,
            client,
            client_incarnation,
            client_request,
            deadline,
            read: is_read.then(|| op.clone()),
        });
        if is_read {
            self.waiting_reads.push(id);
        } else {
            let origin = self.raft.id;
            self.raft
                .propose(EntryData::Request(Rc::new(Proposal { origin, id, op })));
        }
    }

    /// Everything that follows a step of the Raft core: send its messages,
    /// apply what it committed, serve reads, log, and set the timers.
    fn after_raft(&mut self, ctx: &mut Ctx) {
        self.start_read_round(ctx);
        for (to, message) in self.raft.msgs.drain(..) {
            ctx.send(self.peers[usize::from(to)], Msg::Raft(message));
        }
        self.flush_logs(ctx);
        self.apply_committed(ctx);
        for state in std::mem::take(&mut self.raft.read_states) {
            if let Some(batch) = self.batches.iter_mut().find(|b| b.context == state.context) {
                batch.index = Some(state.index);
            }
        }
        self.serve_reads(ctx);
        if self.stopping && self.raft.role != Role::Leader {
            ctx.exit(0, "stopped (SIGTERM)");
            return;
        }
        self.arm_timers(ctx);
    }

    /// Starts a ReadIndex round for the reads waiting, if none is in flight.
    fn start_read_round(&mut self, ctx: &mut Ctx) {
        if self.waiting_reads.is_empty() || self.batches.iter().any(|b| b.index.is_none()) {
            return;
        }
        let context = self.next_id;
        self.next_id += 1;
        self.batches.push(ReadBatch {
            context,
            index: None,
            requests: std::mem::take(&mut self.waiting_reads),
        });
        self.raft.read_index(context);
        ctx.set_timer(
            ctx.now + READ_INDEX_RETRY,
            Timer::Etcd(EtcdTimer::ReadRetry { context }),
        );
    }

    fn flush_logs(&mut self, ctx: &mut Ctx) {
        for log in self.raft.logs.drain(..) {
            match log {
                RaftLog::Role { role, term, text } => ctx.log(
                    EventKind::EtcdRoleChanged {
                        role: role.name(),
                        term,
                    },
                    "etcd",
                    text,
                ),
                RaftLog::ElectedLeader { term } => {
                    let text = format!("etcd leader elected at term {term}");
                    ctx.log(EventKind::EtcdLeaderElected { term }, "etcd", text);
                }
                RaftLog::Line(text) => ctx.log(EventKind::Log, "etcd", text),
            }
        }
    }

    fn apply_committed(&mut self, ctx: &mut Ctx) {
        while self.applied < self.raft.commit {
            self.applied += 1;
            let Some(entry) = self.raft.entry(self.applied) else {
                break;
            };
            let EntryData::Request(proposal) = &entry.data else {
                continue;
            };
            let proposal = proposal.clone();
            let before: Vec<(Rc<str>, i64)> = if self.watchers.is_empty() {
                Vec::new()
            } else {
                proposal
                    .op
                    .written_keys()
                    .into_iter()
                    .map(|k| {
                        let rev = self.store.get(&k).map_or(0, |kv| kv.mod_revision);
                        (k, rev)
                    })
                    .collect()
            };
            let result = self.store.apply(&proposal.op);
            if !before.is_empty() {
                self.notify_watchers(ctx, &proposal.op, &before);
            }
            if proposal.origin == self.raft.id
                && let Some(pos) = self.pending.iter().position(|p| p.id == proposal.id)
            {
                let pending = self.pending.swap_remove(pos);
                ctx.reply(
                    pending.client,
                    pending.client_incarnation,
                    Msg::EtcdResponse {
                        id: pending.client_request,
                        result: Ok(result),
                    },
                );
            }
        }
    }

    fn serve_reads(&mut self, ctx: &mut Ctx) {
        while let Some(batch) = self.batches.first() {
            match batch.index {
                Some(index) if index <= self.applied => {}
                _ => return,
            }
            let batch = self.batches.remove(0);
            for id in batch.requests {
                let Some(pos) = self.pending.iter().position(|p| p.id == id) else {
                    continue; // timed out meanwhile
                };
                let pending = self.pending.swap_remove(pos);
                let Some(KvOp::Range { key, prefix, .. }) = &pending.read else {
                    continue;
                };
                let result = self.store.range(key, *prefix);
                ctx.reply(
                    pending.client,
                    pending.client_incarnation,
                    Msg::EtcdResponse {
                        id: pending.client_request,
                        result: Ok(result),
                    },
                );
            }
        }
    }

    fn expire_requests(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].deadline > now {
                i += 1;
                continue;
            }
            let pending = self.pending.swap_remove(i);
            ctx.reply(
                pending.client,
                pending.client_incarnation,
                Msg::EtcdResponse {
                    id: pending.client_request,
                    result: Err(EtcdError::RequestTimedOut),
                },
            );
        }
        let live: Vec<u64> = self.pending.iter().map(|p| p.id).collect();
        self.waiting_reads.retain(|id| live.contains(id));
        for batch in &mut self.batches {
            batch.requests.retain(|id| live.contains(id));
        }
        // A round nobody waits for any more is dropped; its retries stop.
        self.batches.retain(|b| !b.requests.is_empty());
    }

    /// Keeps one engine timer at the Raft deadline and one at the earliest
    /// request deadline. A timer that is no longer the earliest is ignored
    /// when it fires.
    fn arm_timers(&mut self, ctx: &mut Ctx) {
        let due = self.raft.deadline();
        if self.raft_timer_at.is_none_or(|at| due < at) {
            self.raft_timer_at = Some(due);
            ctx.set_timer(due, Timer::Etcd(EtcdTimer::Raft { at: due }));
        }
        if let Some(earliest) = self.pending.iter().map(|p| p.deadline).min()
            && self.deadline_timer_at.is_none_or(|at| earliest < at)
        {
            self.deadline_timer_at = Some(earliest);
            ctx.set_timer(
                earliest,
                Timer::Etcd(EtcdTimer::RequestDeadline { at: earliest }),
            );
        }
    }
}

/// A client's view of one response: the result, or etcd's error.
pub type EtcdResult = Result<KvResult, EtcdError>;
