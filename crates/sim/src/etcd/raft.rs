//! Raft as etcd runs it: a protocol core with no I/O, modelled on
//! etcd-io/raft's `raft.go`.
//!
//! The contract, as in etcd-io/raft: the input is a message, a timer, a
//! proposal or a read request, together with the current simulated time; the
//! output is messages in [`Raft::msgs`], read states in [`Raft::read_states`]
//! and log lines in [`Raft::logs`], which the caller drains. The same inputs
//! always give the same outputs: randomness comes only from the `SimRng`
//! the caller passes in.
//!
//! What etcd configures (FIDELITY.md §3): pre-vote and check-quorum on,
//! `ReadOnlySafe` reads (ReadIndex through a heartbeat round), a randomized
//! election timeout of `[election_timeout, 2 × election_timeout)`, a heartbeat
//! every heartbeat interval. Leaders append an empty entry on election and only
//! count replicas to commit entries of their own term (Raft §5.4.2).
//!
//! Time is counted in ticks, as in etcd-io/raft: each member's ticker runs
//! every heartbeat interval from its own phase (when its process started).
//! Rather than delivering every tick, a follower's election timer is the tick
//! at which its elapsed count would reach the randomized timeout, so idle
//! followers cost no events; the leader does tick every heartbeat interval.

use std::rc::Rc;

use crate::etcd::kv::KvOp;
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// A member's index in the cluster's member list.
pub type MemberId = u8;

/// The role of a member, as etcd-io/raft's `StateType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Follows a leader, or waits for one; votes in elections.
    Follower,
    /// Asks whether it could win before disrupting anyone (pre-vote, Raft thesis §9.6).
    PreCandidate,
    /// Has increased its term and asks for votes (Raft §5.2).
    Candidate,
    /// Replicates the log and answers reads (Raft §5.3).
    Leader,
}

impl Role {
    /// The word etcd logs for this role.
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// What a log entry carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryData {
    /// The empty entry a new leader appends to commit earlier terms' entries.
    Empty,
    /// A client's write, remembered with the member that must answer it.
    Request(Rc<Proposal>),
}

/// A client request proposed to the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The member whose client is waiting for the result.
    pub origin: MemberId,
    /// The request's id at that member.
    pub id: u64,
    /// What to apply.
    pub op: KvOp,
}

/// One entry of the replicated log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: u64,
    pub index: u64,
    pub data: EntryData,
}

/// A message between members. `term` 0 marks a message forwarded from a
/// follower to its leader (a proposal or a read), which is not subject to
/// term checks, as in etcd-io/raft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub from: MemberId,
    pub term: u64,
    pub body: Body,
}

/// The message types etcd-io/raft exchanges between members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// `MsgApp`: entries after (`index`, `log_term`), and the leader's commit index.
    App {
        index: u64,
        log_term: u64,
        entries: Rc<[Entry]>,
        commit: u64,
    },
    /// `MsgAppResp`: accepted up to `index`, or rejected with a hint.
    AppResp {
        index: u64,
        reject: bool,
        reject_hint: u64,
    },
    /// `MsgPreVote` / `MsgVote`.
    Vote {
        pre: bool,
        last_index: u64,
        last_term: u64,
        /// A campaign started by leadership transfer, which ignores leases.
        transfer: bool,
    },
    /// `MsgPreVoteResp` / `MsgVoteResp`.
    VoteResp { pre: bool, reject: bool },
    /// `MsgHeartbeat`, with the read context it confirms, if any.
    Heartbeat { commit: u64, context: u64 },
    /// `MsgHeartbeatResp`, echoing the context.
    HeartbeatResp { context: u64 },
    /// `MsgProp`: a follower forwards a client write to the leader.
    Prop { data: EntryData },
    /// `MsgReadIndex`: a follower asks the leader for a read index.
    ReadIndex { context: u64 },
    /// `MsgReadIndexResp`: the index a read with this context may be served at.
    ReadIndexResp { index: u64, context: u64 },
    /// `MsgTimeoutNow`: the leader asks a follower to campaign at once.
    TimeoutNow,
}

impl Body {
    /// etcd-io/raft's message type name, for log lines.
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::App { .. } => "MsgApp",
            Body::AppResp { .. } => "MsgAppResp",
            Body::Vote { pre: true, .. } => "MsgPreVote",
            Body::Vote { pre: false, .. } => "MsgVote",
            Body::VoteResp { pre: true, .. } => "MsgPreVoteResp",
            Body::VoteResp { pre: false, .. } => "MsgVoteResp",
            Body::Heartbeat { .. } => "MsgHeartbeat",
            Body::HeartbeatResp { .. } => "MsgHeartbeatResp",
            Body::Prop { .. } => "MsgProp",
            Body::ReadIndex { .. } => "MsgReadIndex",
            Body::ReadIndexResp { .. } => "MsgReadIndexResp",
            Body::TimeoutNow => "MsgTimeoutNow",
        }
    }
}

/// A read that may now be served once the member has applied `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadState {
    pub index: u64,
    pub context: u64,
}

/// A line for the event log, produced by the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RaftLog {
    /// The member changed role.
    Role { role: Role, term: u64, text: String },
    /// The member became leader (after its `Role` line).
    ElectedLeader { term: u64 },
    /// Anything else worth a learner's attention.
    Line(String),
}

/// Timing and behaviour settings, from etcd's flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaftConfig {
    /// `--heartbeat-interval`: one tick.
    pub heartbeat_interval: SimDuration,
    /// `--election-timeout`, as a whole number of ticks (at least 5, as etcd validates).
    pub election_ticks: u64,
    /// Members' names, by [`MemberId`], for log lines.
    pub names: Rc<[Rc<str>]>,
    /// Pre-vote (etcd ≥ 3.5 default: on).
    pub pre_vote: bool,
    /// Check-quorum (etcd always sets it).
    pub check_quorum: bool,
}

impl RaftConfig {
    /// The election timeout as a duration.
    pub fn election_timeout(&self) -> SimDuration {
        self.heartbeat_interval * self.election_ticks
    }
}

/// What survives a restart: etcd's WAL (hard state and entries).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HardState {
    pub term: u64,
    pub vote: Option<MemberId>,
    pub commit: u64,
    pub entries: Vec<Entry>,
}

/// What the leader knows of one follower's log (etcd-io/raft's `Progress`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The highest index known to be replicated on the follower.
    pub matched: u64,
    /// The next index to send.
    pub next: u64,
    /// Replicating optimistically (true) or probing for the match point (false).
    pub replicate: bool,
    /// In probe state: an append is in flight, wait for its answer.
    pub probe_sent: bool,
    /// Heard from since the last quorum check.
    pub recent_active: bool,
    /// The highest commit index sent to the follower (etcd-io/raft `sentCommit`).
    pub sent_commit: u64,
}

/// A read waiting for a quorum of heartbeat acknowledgements.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PendingRead {
    index: u64,
    context: u64,
    /// The follower that asked, or `None` for this member's own server.
    from: Option<MemberId>,
    acks: u64,
}

/// At most this many entries go in one `MsgApp` (etcd limits by bytes).
const MAX_ENTRIES_PER_APP: u64 = 256;

/// One member's Raft state machine.
#[derive(Clone, Debug)]
pub struct Raft {
    pub id: MemberId,
    members: u8,
    cfg: RaftConfig,

    // Persistent state (Raft §5, Figure 2): survives restarts through the WAL.
    pub term: u64,
    pub vote: Option<MemberId>,
    log: Vec<Entry>,
    pub commit: u64,

    // Volatile state.
    pub role: Role,
    pub lead: Option<MemberId>,
    /// When the election timer last restarted (etcd's `electionElapsed = 0`).
    election_reset_at: SimTime,
    /// Where this member's ticker falls within a heartbeat interval.
    tick_phase: SimDuration,
    randomized_timeout: SimDuration,
    /// The leader's next heartbeat tick.
    next_tick_at: SimTime,
    /// Ticks since the leader last checked its quorum.
    leader_ticks: u64,
    progress: Vec<Progress>,
    votes: Vec<Option<bool>>,
    pending_reads: Vec<PendingRead>,
    /// Reads that arrived before this leader committed an entry of its term.
    postponed_reads: Vec<(Option<MemberId>, u64)>,
    /// The member leadership is being handed to; proposals wait meanwhile.
    lead_transferee: Option<MemberId>,

    /// Messages to send, drained by the caller.
    pub msgs: Vec<(MemberId, Message)>,
    /// Reads that may be served, drained by the caller.
    pub read_states: Vec<ReadState>,
    /// Log lines, drained by the caller.
    pub logs: Vec<RaftLog>,
}

impl Raft {
    /// A member starting (or restarting) with the hard state from its WAL.
    pub fn new(
        id: MemberId,
        members: u8,
        cfg: RaftConfig,
        hard: HardState,
        now: SimTime,
        rng: &mut SimRng,
    ) -> Raft {
        let mut raft = Raft {
            id,
            members,
            term: hard.term,
            vote: hard.vote,
            log: hard.entries,
            commit: hard.commit,
            role: Role::Follower,
            lead: None,
            election_reset_at: now,
            tick_phase: SimDuration::ZERO,
            randomized_timeout: SimDuration::ZERO,
            next_tick_at: now,
            leader_ticks: 0,
            progress: Vec::new(),
            votes: vec![None; usize::from(members)],
            pending_reads: Vec::new(),
            postponed_reads: Vec::new(),
            lead_transferee: None,
            msgs: Vec::new(),
            read_states: Vec::new(),
            logs: Vec::new(),
            cfg,
        };
        raft.tick_phase = rng.duration_between(SimDuration::ZERO, raft.cfg.heartbeat_interval);
        raft.reset_election_timer(now, rng);
        let text = format!(
            "{} became follower at term {}",
            raft.name(raft.id),
            raft.term
        );
        raft.logs.push(RaftLog::Role {
            role: Role::Follower,
            term: raft.term,
            text,
        });
        raft
    }

    /// What must survive a restart.
    pub fn hard_state(&self) -> HardState {
        HardState {
            term: self.term,
            vote: self.vote,
            commit: self.commit,
            entries: self.log.clone(),
        }
    }

    /// Moves the hard state out, for a member that is shutting down.
    pub fn into_hard_state(self) -> HardState {
        HardState {
            term: self.term,
            vote: self.vote,
            commit: self.commit,
            entries: self.log,
        }
    }

    /// The whole log, index 1 first.
    pub fn entries(&self) -> &[Entry] {
        &self.log
    }

    /// The entry at `index` (1-based), if present.
    pub fn entry(&self, index: u64) -> Option<&Entry> {
        index
            .checked_sub(1)
            .and_then(|i| self.log.get(usize::try_from(i).ok()?))
    }

    pub fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.log.last().map_or(0, |e| e.term)
    }

    /// The term of the entry at `index`; 0 for index 0 or beyond the log.
    pub fn term_at(&self, index: u64) -> u64 {
        self.entry(index).map_or(0, |e| e.term)
    }

    /// The leader's view of each member's replication.
    pub fn progress(&self) -> &[Progress] {
        &self.progress
    }

    /// The election timeout as configured.
    pub fn election_timeout(&self) -> SimDuration {
        self.cfg.election_timeout()
    }

    /// This member's current randomized election timeout.
    pub fn randomized_election_timeout(&self) -> SimDuration {
        self.randomized_timeout
    }

    /// When the member's next timer is due: the leader's next tick, or a
    /// follower's election deadline.
    pub fn deadline(&self) -> SimTime {
        if self.role == Role::Leader {
            self.next_tick_at
        } else {
            // The tick at which electionElapsed reaches the randomized timeout.
            let ticks =
                self.randomized_timeout.as_micros() / self.cfg.heartbeat_interval.as_micros();
            self.first_tick_after(self.election_reset_at)
                + self.cfg.heartbeat_interval * (ticks - 1)
        }
    }

    /// The first of this member's ticks strictly after `t`.
    fn first_tick_after(&self, t: SimTime) -> SimTime {
        let interval = self.cfg.heartbeat_interval.as_micros();
        let phase = self.tick_phase.as_micros();
        let t = t.as_micros();
        let k = if t < phase {
            0
        } else {
            (t - phase) / interval + 1
        };
        SimTime::from_micros(phase + k * interval)
    }

    /// How many of this member's ticks fall in `(since, now]` (etcd's elapsed count).
    fn ticks_between(&self, since: SimTime, now: SimTime) -> u64 {
        let first = self.first_tick_after(since);
        if now < first {
            0
        } else {
            (now - first).as_micros() / self.cfg.heartbeat_interval.as_micros() + 1
        }
    }

    /// Whether a leader was heard from within the election timeout
    /// (etcd-io/raft's `inLease` check with check-quorum on).
    pub fn in_lease(&self, now: SimTime) -> bool {
        self.cfg.check_quorum
            && (self.role == Role::Leader
                || (self.lead.is_some()
                    && self.ticks_between(self.election_reset_at, now) < self.cfg.election_ticks))
    }

    fn quorum(&self) -> usize {
        usize::from(self.members) / 2 + 1
    }

    fn name(&self, id: MemberId) -> &str {
        &self.cfg.names[usize::from(id)]
    }

    /// A member's name (its node's name, which etcd uses as `--name`).
    pub fn member_name(&self, id: MemberId) -> &str {
        self.name(id)
    }

    fn line(&mut self, text: String) {
        self.logs.push(RaftLog::Line(text));
    }

    fn send(&mut self, to: MemberId, body: Body) {
        let term = match body {
            Body::Prop { .. } | Body::ReadIndex { .. } => 0,
            _ => self.term,
        };
        self.msgs.push((
            to,
            Message {
                from: self.id,
                term,
                body,
            },
        ));
    }

    fn peers(&self) -> impl Iterator<Item = MemberId> + use<> {
        let me = self.id;
        (0..self.members).filter(move |&m| m != me)
    }

    fn reset_election_timer(&mut self, now: SimTime, rng: &mut SimRng) {
        self.election_reset_at = now;
        let ticks = self.cfg.election_ticks + rng.below(self.cfg.election_ticks);
        self.randomized_timeout = self.cfg.heartbeat_interval * ticks;
    }

    /// etcd-io/raft's `reset(term)`: a new term forgets the vote; every role
    /// change restarts the election timer and drops leader-only state.
    fn reset(&mut self, term: u64, now: SimTime, rng: &mut SimRng) {
        if self.term != term {
            self.term = term;
            self.vote = None;
        }
        self.lead = None;
        self.lead_transferee = None;
        self.reset_election_timer(now, rng);
        self.votes.fill(None);
        self.pending_reads.clear();
        self.postponed_reads.clear();
        self.progress.clear();
    }

    fn set_role(&mut self, role: Role) {
        self.role = role;
        let text = format!(
            "{} became {} at term {}",
            self.name(self.id),
            role.name(),
            self.term
        );
        self.logs.push(RaftLog::Role {
            role,
            term: self.term,
            text,
        });
    }

    fn set_lead(&mut self, lead: Option<MemberId>) {
        if self.lead == lead {
            return;
        }
        let text = match (self.lead, lead) {
            (_, Some(new)) => format!(
                "raft.node: {} elected leader {} at term {}",
                self.name(self.id),
                self.name(new),
                self.term
            ),
            (Some(old), None) => format!(
                "raft.node: {} lost leader {} at term {}",
                self.name(self.id),
                self.name(old),
                self.term
            ),
            (None, None) => unreachable!("lead unchanged"),
        };
        self.lead = lead;
        self.line(text);
    }

    fn become_follower(
        &mut self,
        term: u64,
        lead: Option<MemberId>,
        now: SimTime,
        rng: &mut SimRng,
    ) {
        let was = (self.role, self.term);
        let old_lead = self.lead;
        self.reset(term, now, rng);
        self.lead = old_lead;
        if was != (Role::Follower, term) {
            self.set_role(Role::Follower);
        }
        self.set_lead(lead);
    }

    fn become_pre_candidate(&mut self) {
        assert_ne!(
            self.role,
            Role::Leader,
            "invalid transition [leader -> pre-candidate]"
        );
        // Like etcd-io/raft: no new term, no vote, the timer keeps running.
        self.votes.fill(None);
        self.set_lead(None);
        self.set_role(Role::PreCandidate);
    }

    fn become_candidate(&mut self, now: SimTime, rng: &mut SimRng) {
        assert_ne!(
            self.role,
            Role::Leader,
            "invalid transition [leader -> candidate]"
        );
        let term = self.term + 1;
        self.reset(term, now, rng);
        self.vote = Some(self.id);
        self.set_role(Role::Candidate);
    }

    fn become_leader(&mut self, now: SimTime, rng: &mut SimRng) {
        assert_ne!(
            self.role,
            Role::Follower,
            "invalid transition [follower -> leader]"
        );
        let term = self.term;
        self.reset(term, now, rng);
        self.lead = Some(self.id);
        let last = self.last_index();
        self.progress = (0..self.members)
            .map(|m| Progress {
                matched: if m == self.id { last } else { 0 },
                next: last + 1,
                replicate: m == self.id,
                probe_sent: false,
                recent_active: m == self.id,
                sent_commit: 0,
            })
            .collect();
        self.next_tick_at = self.first_tick_after(now);
        self.leader_ticks = 0;
        self.set_role(Role::Leader);
        self.logs.push(RaftLog::ElectedLeader { term });
        let text = format!(
            "raft.node: {} elected leader {} at term {}",
            self.name(self.id),
            self.name(self.id),
            term
        );
        self.line(text);
        // Raft §5.4.2 and §8: commit an entry of the new term at once.
        self.append(vec![EntryData::Empty]);
        self.maybe_commit();
        self.broadcast_append();
    }

    /// The election timer or the leader's tick. Call when [`Raft::deadline`] is due.
    pub fn tick(&mut self, now: SimTime, rng: &mut SimRng) {
        if now < self.deadline() {
            return;
        }
        if self.role == Role::Leader {
            self.next_tick_at = self.first_tick_after(now);
            self.leader_ticks += 1;
            if self.leader_ticks >= self.cfg.election_ticks {
                self.leader_ticks = 0;
                if self.cfg.check_quorum && !self.check_quorum(now, rng) {
                    return;
                }
                // A transfer that has not happened within an election timeout is abandoned.
                self.lead_transferee = None;
            }
            self.broadcast_heartbeat(0);
        } else {
            // etcd-io/raft's tickElection: reset the elapsed count, then MsgHup.
            self.election_reset_at = now;
            self.hup(now, rng, false);
        }
    }

    /// `MsgCheckQuorum`: step down unless a quorum was heard from since the
    /// last check. Returns whether this member is still leader.
    fn check_quorum(&mut self, now: SimTime, rng: &mut SimRng) -> bool {
        let active = self.progress.iter().filter(|p| p.recent_active).count();
        if active < self.quorum() {
            let text = format!(
                "{} stepped down to follower since quorum is not active",
                self.name(self.id)
            );
            self.line(text);
            let term = self.term;
            self.become_follower(term, None, now, rng);
            return false;
        }
        let me = usize::from(self.id);
        for (i, p) in self.progress.iter_mut().enumerate() {
            p.recent_active = i == me;
        }
        true
    }

    /// `MsgHup`: start an election (a pre-vote first, unless transferring).
    fn hup(&mut self, now: SimTime, rng: &mut SimRng, transfer: bool) {
        if self.role == Role::Leader {
            return;
        }
        let text = format!(
            "{} is starting a new election at term {}",
            self.name(self.id),
            self.term
        );
        self.line(text);
        if self.cfg.pre_vote && !transfer {
            self.campaign(true, now, rng, false);
        } else {
            self.campaign(false, now, rng, transfer);
        }
    }

    fn campaign(&mut self, pre: bool, now: SimTime, rng: &mut SimRng, transfer: bool) {
        let term = if pre {
            self.become_pre_candidate();
            // A pre-vote asks about the next term without moving to it.
            self.term + 1
        } else {
            self.become_candidate(now, rng);
            self.term
        };
        if self.poll(self.id, true) >= self.quorum() {
            // A cluster of one wins at once.
            if pre {
                self.campaign(false, now, rng, transfer);
            } else {
                self.become_leader(now, rng);
            }
            return;
        }
        let (last_index, last_term) = (self.last_index(), self.last_term());
        for peer in self.peers() {
            self.msgs.push((
                peer,
                Message {
                    from: self.id,
                    term,
                    body: Body::Vote {
                        pre,
                        last_index,
                        last_term,
                        transfer,
                    },
                },
            ));
        }
        let text = format!(
            "{} [logterm: {}, index: {}] sent {} request to every other member at term {}",
            self.name(self.id),
            last_term,
            last_index,
            if pre { "MsgPreVote" } else { "MsgVote" },
            self.term
        );
        self.line(text);
    }

    /// Records a vote and returns how many were granted.
    fn poll(&mut self, from: MemberId, granted: bool) -> usize {
        let slot = &mut self.votes[usize::from(from)];
        if slot.is_none() {
            *slot = Some(granted);
        }
        self.votes.iter().filter(|v| **v == Some(true)).count()
    }

    fn rejections(&self) -> usize {
        self.votes.iter().filter(|v| **v == Some(false)).count()
    }

    /// Proposes a client write. Returns false when it is dropped because no
    /// leader is known (the caller's request then times out).
    pub fn propose(&mut self, data: EntryData) -> bool {
        match self.role {
            Role::Leader if self.lead_transferee.is_some() => {
                self.drop_proposal_during_transfer();
                false
            }
            Role::Leader => {
                self.append(vec![data]);
                self.maybe_commit();
                self.broadcast_append();
                true
            }
            _ => match self.lead {
                Some(lead) => {
                    self.send(lead, Body::Prop { data });
                    true
                }
                None => {
                    let text = format!(
                        "{} no leader at term {}; dropping proposal",
                        self.name(self.id),
                        self.term
                    );
                    self.line(text);
                    false
                }
            },
        }
    }

    /// Asks for a linearizable read index (`ReadOnlySafe`). The answer comes
    /// as a [`ReadState`] with the same context, or never (the caller retries).
    pub fn read_index(&mut self, context: u64) {
        if self.role == Role::Leader {
            self.leader_read_index(None, context);
        } else if let Some(lead) = self.lead {
            self.send(lead, Body::ReadIndex { context });
        } else {
            let text = format!(
                "{} no leader at term {}; dropping index reading msg",
                self.name(self.id),
                self.term
            );
            self.line(text);
        }
    }

    fn leader_read_index(&mut self, from: Option<MemberId>, context: u64) {
        if self.members == 1 {
            self.answer_read(from, self.commit, context);
            return;
        }
        // A new leader does not know the commit index until it has committed
        // an entry of its own term: postpone the read until then.
        if self.term_at(self.commit) != self.term {
            self.postponed_reads.push((from, context));
            return;
        }
        self.pending_reads.push(PendingRead {
            index: self.commit,
            context,
            from,
            acks: 1 << self.id,
        });
        self.broadcast_heartbeat(context);
    }

    fn answer_read(&mut self, from: Option<MemberId>, index: u64, context: u64) {
        match from {
            None => self.read_states.push(ReadState { index, context }),
            Some(follower) => self.send(follower, Body::ReadIndexResp { index, context }),
        }
    }

    /// Handles a message from another member (etcd-io/raft's `Step`).
    pub fn step(&mut self, m: Message, now: SimTime, rng: &mut SimRng) {
        if m.term > self.term {
            if let Body::Vote { transfer, .. } = m.body
                && !transfer
                && self.in_lease(now)
            {
                let (kind, lead) = (m.body.type_name(), self.lead);
                let text = format!(
                    "{} [logterm: {}, index: {}, vote: {}] ignored {} from {} at term {}: lease is not expired (leader {})",
                    self.name(self.id),
                    self.last_term(),
                    self.last_index(),
                    self.vote.map_or("none", |v| self.name(v)),
                    kind,
                    self.name(m.from),
                    self.term,
                    lead.map_or("none", |l| self.name(l)),
                );
                self.line(text);
                return;
            }
            match m.body {
                // A pre-vote does not move anyone to a new term, and neither
                // does a granted pre-vote response.
                Body::Vote { pre: true, .. } => {}
                Body::VoteResp {
                    pre: true,
                    reject: false,
                } => {}
                Body::App { .. } | Body::Heartbeat { .. } => {
                    self.become_follower(m.term, Some(m.from), now, rng);
                }
                _ => {
                    let text = format!(
                        "{} [term: {}] received a {} message with higher term from {} [term: {}]",
                        self.name(self.id),
                        self.term,
                        m.body.type_name(),
                        self.name(m.from),
                        m.term
                    );
                    self.line(text);
                    self.become_follower(m.term, None, now, rng);
                }
            }
        } else if m.term < self.term && m.term != 0 {
            match m.body {
                // With check-quorum or pre-vote, answer a stale leader so that
                // it learns the new term (etcd-io/raft: frees a stuck node).
                Body::App { .. } | Body::Heartbeat { .. }
                    if self.cfg.check_quorum || self.cfg.pre_vote =>
                {
                    self.send(
                        m.from,
                        Body::AppResp {
                            index: 0,
                            reject: false,
                            reject_hint: 0,
                        },
                    );
                }
                Body::Vote { pre: true, .. } => {
                    self.send(
                        m.from,
                        Body::VoteResp {
                            pre: true,
                            reject: true,
                        },
                    );
                }
                _ => {}
            }
            return;
        }

        if let Body::Vote {
            pre,
            last_index,
            last_term,
            ..
        } = m.body
        {
            self.handle_vote(m.from, m.term, pre, last_index, last_term, now, rng);
            return;
        }

        match self.role {
            Role::Leader => self.step_leader(m, now, rng),
            Role::Candidate | Role::PreCandidate => self.step_candidate(m, now, rng),
            Role::Follower => self.step_follower(m, now, rng),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_vote(
        &mut self,
        from: MemberId,
        term: u64,
        pre: bool,
        last_index: u64,
        last_term: u64,
        now: SimTime,
        rng: &mut SimRng,
    ) {
        // We can vote if this is a repeat of a vote we cast, if we have not
        // voted and know no leader in this term, or for a pre-vote for a
        // future term (Raft §5.2, thesis §9.6).
        let can_vote = self.vote == Some(from)
            || (self.vote.is_none() && self.lead.is_none())
            || (pre && term > self.term);
        // Raft §5.4.1: only for a log at least as up to date as ours.
        let up_to_date = last_term > self.last_term()
            || (last_term == self.last_term() && last_index >= self.last_index());
        let kind = if pre { "MsgPreVote" } else { "MsgVote" };
        let grant = can_vote && up_to_date;
        let text = format!(
            "{} [logterm: {}, index: {}, vote: {}] {} {} from {} [logterm: {}, index: {}] at term {}",
            self.name(self.id),
            self.last_term(),
            self.last_index(),
            self.vote.map_or("none", |v| self.name(v)),
            if grant { "cast" } else { "rejected" },
            kind,
            self.name(from),
            last_term,
            last_index,
            self.term
        );
        self.line(text);
        // The response carries the request's term, so that a pre-candidate
        // can count it (etcd-io/raft).
        self.msgs.push((
            from,
            Message {
                from: self.id,
                term: if grant { term } else { self.term },
                body: Body::VoteResp {
                    pre,
                    reject: !grant,
                },
            },
        ));
        if grant && !pre {
            self.election_reset_at = now;
            self.vote = Some(from);
        }
        let _ = rng;
    }

    fn step_leader(&mut self, m: Message, now: SimTime, rng: &mut SimRng) {
        let from = usize::from(m.from);
        match m.body {
            Body::Prop { .. } if self.lead_transferee.is_some() => {
                self.drop_proposal_during_transfer();
            }
            Body::Prop { data } => {
                self.append(vec![data]);
                self.maybe_commit();
                self.broadcast_append();
            }
            Body::ReadIndex { context } => self.leader_read_index(Some(m.from), context),
            Body::AppResp {
                index,
                reject,
                reject_hint,
            } => {
                self.progress[from].recent_active = true;
                if reject {
                    let p = &mut self.progress[from];
                    // Stale rejections are ignored (etcd-io/raft `MaybeDecrTo`).
                    let fresh = if p.replicate {
                        index > p.matched
                    } else {
                        p.next.saturating_sub(1) == index
                    };
                    if fresh {
                        p.next = (index.min(reject_hint + 1)).max(p.matched + 1).max(1);
                        p.replicate = false;
                        p.probe_sent = false;
                        self.send_append(m.from, false);
                    }
                } else {
                    let p = &mut self.progress[from];
                    let advanced = index > p.matched;
                    if advanced {
                        p.matched = index;
                    }
                    p.next = p.next.max(index + 1);
                    p.probe_sent = false;
                    if !p.replicate && advanced {
                        p.replicate = true;
                        p.next = p.matched + 1;
                    }
                    let p = self.progress[from];
                    if advanced && self.maybe_commit() {
                        self.broadcast_append();
                        self.release_postponed_reads();
                    } else if p.matched < self.last_index() {
                        self.send_append(m.from, false);
                    } else if self.commit > p.sent_commit && p.sent_commit < p.next - 1 {
                        // The follower may not know the latest commit index yet
                        // (etcd-io/raft `CanBumpCommit`).
                        self.send_append(m.from, true);
                    }
                }
            }
            Body::HeartbeatResp { context } => {
                let last = self.last_index();
                let p = &mut self.progress[from];
                p.recent_active = true;
                p.probe_sent = false;
                if p.matched < last {
                    // The follower is alive but behind: appends were lost (a
                    // partition, a restart). Probe from what it has.
                    p.replicate = false;
                    p.next = p.matched + 1;
                    self.send_append(m.from, false);
                }
                if context != 0 {
                    self.ack_read(m.from, context);
                }
            }
            Body::TimeoutNow
            | Body::App { .. }
            | Body::Heartbeat { .. }
            | Body::VoteResp { .. }
            | Body::ReadIndexResp { .. }
            | Body::Vote { .. } => {}
        }
        let _ = (now, rng);
    }

    fn drop_proposal_during_transfer(&mut self) {
        let text = format!(
            "{} [term {}] transfer leadership to {} is in progress; dropping proposal",
            self.name(self.id),
            self.term,
            self.lead_transferee.map_or("none", |t| self.name(t))
        );
        self.line(text);
    }

    fn ack_read(&mut self, from: MemberId, context: u64) {
        let Some(pos) = self.pending_reads.iter().position(|r| r.context == context) else {
            return;
        };
        self.pending_reads[pos].acks |= 1 << from;
        if (self.pending_reads[pos].acks.count_ones() as usize) < self.quorum() {
            return;
        }
        // This read and every earlier one are confirmed (etcd-io/raft readOnly.advance).
        let done: Vec<PendingRead> = self.pending_reads.drain(..=pos).collect();
        for read in done {
            self.answer_read(read.from, read.index, read.context);
        }
    }

    fn release_postponed_reads(&mut self) {
        if self.term_at(self.commit) != self.term || self.postponed_reads.is_empty() {
            return;
        }
        for (from, context) in std::mem::take(&mut self.postponed_reads) {
            self.leader_read_index(from, context);
        }
    }

    fn step_candidate(&mut self, m: Message, now: SimTime, rng: &mut SimRng) {
        match m.body {
            Body::Prop { .. } => {
                let text = format!(
                    "{} no leader at term {}; dropping proposal",
                    self.name(self.id),
                    self.term
                );
                self.line(text);
            }
            Body::App { .. } | Body::Heartbeat { .. } => {
                let term = m.term;
                self.become_follower(term, Some(m.from), now, rng);
                self.step_follower(m, now, rng);
            }
            Body::VoteResp { pre, reject } => {
                // Only answers to our own kind of campaign count.
                if pre != (self.role == Role::PreCandidate) {
                    return;
                }
                let granted = self.poll(m.from, !reject);
                let rejected = self.rejections();
                let text = format!(
                    "{} has received {} {} votes and {} vote rejections",
                    self.name(self.id),
                    granted,
                    if pre { "MsgPreVoteResp" } else { "MsgVoteResp" },
                    rejected
                );
                self.line(text);
                if granted >= self.quorum() {
                    if pre {
                        self.campaign(false, now, rng, false);
                    } else {
                        self.become_leader(now, rng);
                    }
                } else if rejected >= self.quorum() {
                    let term = self.term;
                    self.become_follower(term, None, now, rng);
                }
            }
            Body::TimeoutNow => {}
            Body::AppResp { .. }
            | Body::HeartbeatResp { .. }
            | Body::ReadIndex { .. }
            | Body::ReadIndexResp { .. }
            | Body::Vote { .. } => {}
        }
    }

    fn step_follower(&mut self, m: Message, now: SimTime, rng: &mut SimRng) {
        match m.body {
            Body::App {
                index,
                log_term,
                entries,
                commit,
            } => {
                self.election_reset_at = now;
                self.set_lead(Some(m.from));
                self.handle_append(m.from, index, log_term, &entries, commit);
            }
            Body::Heartbeat { commit, context } => {
                self.election_reset_at = now;
                self.set_lead(Some(m.from));
                // The leader sends min(its commit, our match), so this is safe.
                if commit > self.commit {
                    self.commit = commit.min(self.last_index());
                }
                self.send(m.from, Body::HeartbeatResp { context });
            }
            Body::Prop { data } => match self.lead {
                Some(lead) => self.send(lead, Body::Prop { data }),
                None => {
                    let text = format!(
                        "{} no leader at term {}; dropping proposal",
                        self.name(self.id),
                        self.term
                    );
                    self.line(text);
                }
            },
            Body::ReadIndex { context } => {
                if let Some(lead) = self.lead {
                    self.send(lead, Body::ReadIndex { context });
                }
            }
            Body::ReadIndexResp { index, context } => {
                self.read_states.push(ReadState { index, context });
            }
            Body::TimeoutNow => {
                let text = format!(
                    "{} [term {}] received MsgTimeoutNow from {} and starts an election to get leadership",
                    self.name(self.id),
                    self.term,
                    self.name(m.from)
                );
                self.line(text);
                self.hup(now, rng, true);
            }
            Body::AppResp { .. }
            | Body::HeartbeatResp { .. }
            | Body::VoteResp { .. }
            | Body::Vote { .. } => {}
        }
    }

    /// Raft §5.3: accept entries that follow a matching (index, term), cutting
    /// off any conflicting suffix; otherwise reject with a hint.
    fn handle_append(
        &mut self,
        leader: MemberId,
        index: u64,
        log_term: u64,
        entries: &[Entry],
        commit: u64,
    ) {
        if index < self.commit {
            let committed = self.commit;
            self.send(
                leader,
                Body::AppResp {
                    index: committed,
                    reject: false,
                    reject_hint: 0,
                },
            );
            return;
        }
        if self.term_at(index) != log_term || index > self.last_index() {
            let hint = index.min(self.last_index());
            self.send(
                leader,
                Body::AppResp {
                    index,
                    reject: true,
                    reject_hint: hint,
                },
            );
            return;
        }
        for entry in entries {
            match self.entry(entry.index) {
                Some(existing) if existing.term == entry.term => continue,
                Some(_) => {
                    assert!(
                        entry.index > self.commit,
                        "entry {} conflicts with committed entry (committed {})",
                        entry.index,
                        self.commit
                    );
                    self.log.truncate((entry.index - 1) as usize);
                    self.log.push(entry.clone());
                }
                None => self.log.push(entry.clone()),
            }
        }
        let last_new = index + entries.len() as u64;
        let new_commit = commit.min(last_new);
        if new_commit > self.commit {
            self.commit = new_commit;
        }
        self.send(
            leader,
            Body::AppResp {
                index: last_new,
                reject: false,
                reject_hint: 0,
            },
        );
    }

    fn append(&mut self, data: Vec<EntryData>) {
        for data in data {
            let index = self.last_index() + 1;
            self.log.push(Entry {
                term: self.term,
                index,
                data,
            });
        }
        let last = self.last_index();
        let me = usize::from(self.id);
        self.progress[me].matched = last;
        self.progress[me].next = last + 1;
    }

    /// Commits the highest index a quorum has, if it is of this term
    /// (Raft §5.4.2). Returns whether the commit index moved.
    fn maybe_commit(&mut self) -> bool {
        // At most 7 members (SCENARIOS.md): no allocation on this hot path.
        let mut matched = [0u64; 8];
        for (slot, p) in matched.iter_mut().zip(&self.progress) {
            *slot = p.matched;
        }
        let matched = &mut matched[..self.progress.len()];
        matched.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = matched[self.quorum() - 1];
        if candidate > self.commit && self.term_at(candidate) == self.term {
            self.commit = candidate;
            true
        } else {
            false
        }
    }

    /// Sends every follower what it is missing, or at least the new commit
    /// index (etcd-io/raft's `bcastAppend`, which sends even when empty).
    fn broadcast_append(&mut self) {
        for peer in self.peers() {
            self.send_append(peer, true);
        }
    }

    /// Sends the entries the follower is missing, respecting probe state.
    /// With `send_if_empty`, a follower with nothing to receive still gets
    /// the commit index.
    fn send_append(&mut self, to: MemberId, send_if_empty: bool) {
        let p = self.progress[usize::from(to)];
        if !p.replicate && p.probe_sent {
            return;
        }
        let last = self.last_index();
        let prev = p.next.saturating_sub(1).min(last);
        let end = last.min(prev + MAX_ENTRIES_PER_APP);
        if prev == end && !send_if_empty {
            return;
        }
        let entries: Rc<[Entry]> = self.log[prev as usize..end as usize].into();
        let commit = self.commit;
        let log_term = self.term_at(prev);
        self.send(
            to,
            Body::App {
                index: prev,
                log_term,
                entries,
                commit,
            },
        );
        let p = &mut self.progress[usize::from(to)];
        p.sent_commit = p.sent_commit.max(commit);
        if p.replicate {
            p.next = end + 1;
        } else {
            p.probe_sent = true;
        }
    }

    fn broadcast_heartbeat(&mut self, context: u64) {
        for peer in self.peers() {
            let p = &mut self.progress[usize::from(peer)];
            let commit = self.commit.min(p.matched);
            p.sent_commit = p.sent_commit.max(commit);
            self.send(peer, Body::Heartbeat { commit, context });
        }
    }

    /// Leadership transfer on a graceful stop (etcd's `TransferLeadership`):
    /// ask the most up-to-date follower to campaign at once. Returns the
    /// member asked, if any.
    pub fn transfer_leadership(&mut self) -> Option<MemberId> {
        if self.role != Role::Leader {
            return None;
        }
        let last = self.last_index();
        let target = self
            .peers()
            .filter(|&m| self.progress[usize::from(m)].matched == last)
            .max_by_key(|&m| self.progress[usize::from(m)].recent_active)?;
        let text = format!(
            "{} [term {}] starts to transfer leadership to {}",
            self.name(self.id),
            self.term,
            self.name(target)
        );
        self.line(text);
        self.lead_transferee = Some(target);
        self.send(target, Body::TimeoutNow);
        Some(target)
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests of the core with a hand-driven network. The behaviour of a
    //! whole cluster, over the simulated network, is tested in `tests/etcd.rs`.
    use super::*;

    fn config(members: u8) -> RaftConfig {
        RaftConfig {
            heartbeat_interval: SimDuration::from_millis(100),
            election_ticks: 10,
            names: (0..members)
                .map(|i| Rc::from(format!("m{}", i + 1)))
                .collect(),
            pre_vote: true,
            check_quorum: true,
        }
    }

    /// A cluster of cores whose messages are delivered by hand.
    struct Net {
        nodes: Vec<Raft>,
        rng: SimRng,
        now: SimTime,
        down: Vec<bool>,
    }

    impl Net {
        fn new(members: u8) -> Net {
            let mut rng = SimRng::stream(1, "raft-unit");
            let nodes = (0..members)
                .map(|id| {
                    Raft::new(
                        id,
                        members,
                        config(members),
                        HardState::default(),
                        SimTime::ZERO,
                        &mut rng,
                    )
                })
                .collect();
            Net {
                nodes,
                rng,
                now: SimTime::ZERO,
                down: vec![false; usize::from(members)],
            }
        }

        /// Delivers messages until none are left.
        fn settle(&mut self) {
            loop {
                let mut batch = Vec::new();
                for node in &mut self.nodes {
                    batch.append(&mut node.msgs);
                }
                if batch.is_empty() {
                    return;
                }
                for (to, m) in batch {
                    let from = usize::from(m.from);
                    if !self.down[usize::from(to)] && !self.down[from] {
                        self.nodes[usize::from(to)].step(m, self.now, &mut self.rng);
                    }
                }
            }
        }

        fn fire(&mut self, id: MemberId) {
            let node = &mut self.nodes[usize::from(id)];
            let due = node.deadline();
            self.now = self.now.max(due);
            node.tick(self.now, &mut self.rng);
            self.settle();
        }

        fn leaders(&self) -> Vec<MemberId> {
            self.nodes
                .iter()
                .filter(|n| n.role == Role::Leader)
                .map(|n| n.id)
                .collect()
        }
    }

    #[test]
    fn a_follower_whose_timer_fires_wins_an_election_through_pre_vote() {
        // Reference: Raft §5.2; thesis §9.6 (pre-vote).
        let mut net = Net::new(3);
        net.fire(0);
        assert_eq!(net.leaders(), vec![0]);
        assert_eq!(net.nodes[0].term, 1);
        assert!(net.nodes.iter().all(|n| n.lead == Some(0)));
        // The leader's empty entry is committed and replicated.
        assert!(
            net.nodes
                .iter()
                .all(|n| n.commit == 1 && n.last_index() == 1)
        );
    }

    #[test]
    fn a_single_member_elects_itself_and_commits_alone() {
        let mut net = Net::new(1);
        net.fire(0);
        assert_eq!(net.leaders(), vec![0]);
        assert!(net.nodes[0].propose(EntryData::Empty));
        assert_eq!(net.nodes[0].commit, 2);
    }

    #[test]
    fn a_follower_in_lease_ignores_a_disruptive_pre_vote() {
        // Reference: FIDELITY.md §3 (check-quorum leader lease).
        let mut net = Net::new(3);
        net.fire(0);
        // Member 2 is cut off until its election timer is due, while the
        // leader keeps member 1 in its lease with heartbeats.
        net.down[2] = true;
        let deadline = net.nodes[2].deadline();
        while net.now < deadline {
            net.fire(0);
        }
        net.down[2] = false;
        let now = net.now;
        net.nodes[2].tick(now, &mut net.rng);
        assert_eq!(net.nodes[2].role, Role::PreCandidate);
        net.settle();
        assert_eq!(net.leaders(), vec![0]);
        assert!(
            net.nodes.iter().all(|n| n.term == 1),
            "pre-vote keeps the term"
        );
        net.fire(0);
        assert_eq!(net.nodes[2].role, Role::Follower);
        assert_eq!(net.nodes[2].lead, Some(0));
    }

    #[test]
    fn an_entry_is_committed_only_once_a_majority_holds_it() {
        // Reference: Raft §5.3.
        let mut net = Net::new(3);
        net.fire(0);
        net.down[1] = true;
        net.down[2] = true;
        assert!(net.nodes[0].propose(EntryData::Empty));
        net.settle();
        assert_eq!(net.nodes[0].commit, 1, "no majority, no commit");
        net.down[2] = false;
        net.fire(0); // heartbeat: member 2 answers and catches up
        assert_eq!(net.nodes[0].commit, 2);
        assert_eq!(net.nodes[2].last_index(), 2);
    }

    #[test]
    fn a_lone_leader_steps_down_when_check_quorum_fails() {
        // Reference: FIDELITY.md §3 (check-quorum).
        let mut net = Net::new(3);
        net.fire(0);
        let isolated_at = net.now;
        net.down[1] = true;
        net.down[2] = true;
        while net.nodes[0].role == Role::Leader {
            net.fire(0);
        }
        // The followers were active in the check period before isolation, so
        // the leader notices at the second check: within two election timeouts.
        let took = net.now - isolated_at;
        assert!(took <= SimDuration::from_millis(2_000), "{took}");
        assert!(took > SimDuration::from_millis(1_000), "{took}");
        assert!(net.nodes[0].logs.iter().any(|l| matches!(
            l,
            RaftLog::Line(text) if text.ends_with("stepped down to follower since quorum is not active")
        )));
    }

    #[test]
    fn read_index_is_answered_after_a_quorum_of_heartbeats() {
        // Reference: Raft thesis §6.4 (ReadIndex), etcd ReadOnlySafe.
        let mut net = Net::new(3);
        net.fire(0);
        net.nodes[1].read_index(42);
        net.settle();
        assert_eq!(
            net.nodes[1].read_states,
            vec![ReadState {
                index: 1,
                context: 42
            }]
        );
        net.down[1] = true;
        net.down[2] = true;
        net.nodes[0].read_index(43);
        net.settle();
        assert!(net.nodes[0].read_states.is_empty(), "no quorum, no read");
    }
}
