//! The engine's plumbing: the one event queue, messages and timers, and the
//! context a process sees when it runs.
//!
//! Everything that will happen is an item in one queue ordered by (simulated
//! time, sequence number): a message arriving, a timer firing, a node
//! finishing its boot, a supervisor starting a process. Processes never touch
//! the queue directly; they act through a [`Ctx`], which stamps what they send
//! with everything needed to drop it later if its sender's node loses power or
//! its receiver restarts.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::sorted::SortedMap;
use std::rc::Rc;

use crate::etcd::benchmark::BenchmarkTimer;
use crate::etcd::kv::{KeyValue, KvOp};
use crate::etcd::raft::Message as RaftMessage;
use crate::etcd::server::{EtcdResult, EtcdTimer};
use crate::event::{Event, EventKind, TraceHash};
use crate::kube::KubeTimer;
use crate::kube::api::{ApiRequest, ApiResponse};
use crate::network::Network;
use crate::rng::SimRng;
use crate::time::SimTime;

/// A node's index in the simulation's node list.
pub type NodeId = usize;

/// A process's index in the simulation's process list.
pub type ProcId = usize;

/// What processes send each other.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Raft traffic between etcd members.
    Raft(RaftMessage),
    /// A client's request to an etcd member.
    EtcdRequest { id: u64, op: KvOp },
    /// An etcd member's answer.
    EtcdResponse { id: u64, result: EtcdResult },
    /// A client starts watching keys under `prefix`.
    EtcdWatch { id: u64, prefix: Rc<str> },
    /// What a watcher is told: everything (`snapshot`), or what changed, or
    /// nothing but the revision (a progress notification).
    EtcdWatchEvents {
        id: u64,
        revision: i64,
        snapshot: bool,
        kvs: Rc<[KeyValue]>,
        deleted: Rc<[Rc<str>]>,
    },
    /// An HTTP request to kube-apiserver (directly or through HAProxy), or a
    /// health probe to any component.
    Api { id: u64, request: Rc<ApiRequest> },
    /// Its answer.
    ApiReply { id: u64, response: Rc<ApiResponse> },
    /// Objects of `kind` changed (to a client that sent `ApiRequest::Watch`).
    ApiWatchEvent { kind: crate::kube::objects::Kind },
    /// Nothing listens on the port: the request's connection was refused.
    Refused { id: u64 },
    /// The server closed the connection without answering (HAProxy with no
    /// backend left, or a backend that failed).
    Closed { id: u64 },
}

impl Msg {
    /// A short name for views and tests: the Raft message type, or the request kind.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Msg::Raft(m) => m.body.type_name(),
            Msg::EtcdRequest { .. } => "etcd request",
            Msg::EtcdResponse { .. } => "etcd response",
            Msg::EtcdWatch { .. } => "etcd watch",
            Msg::EtcdWatchEvents { .. } => "etcd watch events",
            Msg::Api { request, .. } => match &**request {
                ApiRequest::Probe { .. } => "health check",
                ApiRequest::Get { .. } | ApiRequest::List { .. } | ApiRequest::Watch { .. } => {
                    "API read"
                }
                ApiRequest::Create { .. }
                | ApiRequest::Update { .. }
                | ApiRequest::Delete { .. } => "API write",
            },
            Msg::ApiReply { .. } => "API response",
            Msg::ApiWatchEvent { .. } => "watch event",
            Msg::Refused { .. } => "connection refused",
            Msg::Closed { .. } => "connection closed",
        }
    }

    /// The id of a request whose connection can be refused, if this is one.
    pub fn request_id(&self) -> Option<u64> {
        match self {
            Msg::EtcdRequest { id, .. } | Msg::EtcdWatch { id, .. } | Msg::Api { id, .. } => {
                Some(*id)
            }
            _ => None,
        }
    }
}

/// Timers, by the program that set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Etcd(EtcdTimer),
    Benchmark(BenchmarkTimer),
    Kube(KubeTimer),
}

/// A message on its way.
#[derive(Clone, Debug)]
pub struct Envelope {
    pub sent: SimTime,
    pub from: ProcId,
    pub to: ProcId,
    pub from_incarnation: u32,
    /// The sender's node power cycle when it was sent: a message from a
    /// node that has since lost power is lost with it.
    pub from_cycle: u32,
    /// The receiver's node power cycle when it was sent.
    pub to_cycle: u32,
    /// For a reply: the incarnation of the process that asked. A process that
    /// restarted since has a new connection and never sees the reply.
    pub to_incarnation: Option<u32>,
    pub msg: Msg,
}

/// Where a message waits while it travels (see [`Kernel::envelope`]). Queue
/// items stay small this way: they move often, messages do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageSlot(u32);

/// Something the queue will do at a given time.
#[derive(Clone, Debug)]
pub enum Item {
    /// A message arrives.
    Deliver(MessageSlot),
    /// A process's timer fires (dropped if the process has restarted since).
    Timer {
        proc: ProcId,
        incarnation: u32,
        timer: Timer,
    },
    /// A powered-on node has finished booting.
    Booted { node: NodeId, cycle: u32 },
    /// A supervisor (the kubelet or systemd) starts a process.
    Start {
        proc: ProcId,
        cycle: u32,
        generation: u32,
    },
    /// A process still shutting down after SIGTERM gets SIGKILL.
    GraceExpired { proc: ProcId, incarnation: u32 },
}

/// An item with its place in time.
#[derive(Clone, Debug)]
pub struct Scheduled {
    pub at: SimTime,
    pub seq: u64,
    pub item: Item,
}

/// A queue entry: small, so that the heap moves little. The item itself
/// waits in a slot of [`Queue::items`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    at: SimTime,
    seq: u64,
    slot: u32,
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    /// Reversed, so that `BinaryHeap` pops the earliest (time, sequence) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The one event queue, ordered by (time, sequence number).
#[derive(Clone, Debug, Default)]
struct Queue {
    heap: BinaryHeap<Key>,
    items: Vec<Option<Item>>,
    free: Vec<u32>,
    seq: u64,
}

impl Queue {
    fn push(&mut self, at: SimTime, item: Item) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.items[slot as usize] = Some(item);
                slot
            }
            None => {
                self.items.push(Some(item));
                (self.items.len() - 1) as u32
            }
        };
        let seq = self.seq;
        self.seq += 1;
        self.heap.push(Key { at, seq, slot });
    }

    fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|k| k.at)
    }

    fn pop(&mut self) -> Option<Scheduled> {
        let key = self.heap.pop()?;
        let item = self.items[key.slot as usize]
            .take()
            .expect("a queued key has its item");
        self.free.push(key.slot);
        Some(Scheduled {
            at: key.at,
            seq: key.seq,
            item,
        })
    }

    fn iter(&self) -> impl Iterator<Item = (SimTime, u64, &Item)> {
        self.heap.iter().map(|k| {
            let item = self.items[k.slot as usize]
                .as_ref()
                .expect("a queued key has its item");
            (k.at, k.seq, item)
        })
    }
}

/// The per-node facts the kernel needs to route messages and name events.
#[derive(Clone, Debug)]
pub struct NodeRoute {
    pub name: Rc<str>,
    /// Incremented at every power-on.
    pub cycle: u32,
}

/// Everything shared by all processes: time, the queue, the network, the
/// event log.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub now: SimTime,
    queue: Queue,
    pub network: Network,
    pub routes: Vec<NodeRoute>,
    /// Each process's node.
    pub proc_nodes: Vec<NodeId>,
    /// Each process's current incarnation and start time, kept by the
    /// simulation, readable by supervisors (the kubelet's probes).
    pub proc_incarnations: Vec<u32>,
    pub proc_started: Vec<Option<SimTime>>,
    /// The containers running on each node, by pod name, with their start
    /// time: the truth on the nodes, which outlives the kubelet.
    pub containers: Vec<SortedMap<Rc<str>, SimTime>>,
    /// Set when a container starts or stops, so that the simulation can
    /// re-evaluate the workload's availability.
    pub containers_changed: bool,
    /// FIFO per (sender, receiver) pair, like a TCP connection: the latest
    /// arrival time scheduled on each, indexed `from * procs + to`.
    last_arrival: Vec<SimTime>,
    /// Messages on their way (or held by a paused receiver), by slot.
    envelopes: Vec<Option<Envelope>>,
    free_envelopes: Vec<u32>,
    events: Vec<Event>,
    trace: TraceHash,
    event_count: u64,
    /// Pods the API has stored and removed since the start (duplicates show here).
    pub pods_created: u64,
    pub pods_deleted: u64,
}

impl Kernel {
    pub fn new(routes: Vec<NodeRoute>, proc_nodes: Vec<NodeId>) -> Kernel {
        let procs = proc_nodes.len();
        Kernel {
            now: SimTime::ZERO,
            queue: Queue::default(),
            network: Network::new(routes.len()),
            containers: vec![SortedMap::new(); routes.len()],
            containers_changed: false,
            proc_incarnations: vec![0; procs],
            proc_started: vec![None; procs],
            routes,
            proc_nodes,
            last_arrival: vec![SimTime::ZERO; procs * procs],
            envelopes: Vec::new(),
            free_envelopes: Vec::new(),
            events: Vec::new(),
            trace: TraceHash::default(),
            event_count: 0,
            pods_created: 0,
            pods_deleted: 0,
        }
    }

    /// Puts `item` in the queue at `at` (never earlier than now).
    pub fn schedule(&mut self, at: SimTime, item: Item) {
        self.queue.push(at.max(self.now), item);
    }

    /// The time of the next queued item.
    pub fn next_time(&self) -> Option<SimTime> {
        self.queue.peek_time()
    }

    /// Takes the next item if it is due at or before `limit`.
    pub fn pop_until(&mut self, limit: SimTime) -> Option<Scheduled> {
        if self.queue.peek_time()? > limit {
            return None;
        }
        self.queue.pop()
    }

    /// Items queued but not yet done, as (time, sequence number, item), in
    /// no particular order (for views of messages in flight).
    pub fn queued(&self) -> impl Iterator<Item = (SimTime, u64, &Item)> {
        self.queue.iter()
    }

    /// Records an event.
    pub fn emit(
        &mut self,
        kind: EventKind,
        node: Option<NodeId>,
        component: &'static str,
        message: String,
    ) {
        let event = Event {
            t: self.now,
            kind,
            node: node.map(|n| self.routes[n].name.clone()),
            component,
            message,
        };
        self.trace.add(&event);
        self.event_count += 1;
        match event.kind {
            EventKind::PodCreated { .. } => self.pods_created += 1,
            EventKind::PodDeleted { .. } => self.pods_deleted += 1,
            _ => {}
        }
        self.events.push(event);
    }

    /// Takes the events recorded since the last call.
    pub fn drain_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Events recorded and not yet drained.
    pub fn pending_events(&self) -> &[Event] {
        &self.events
    }

    /// The hash of every event so far.
    pub fn trace_hash(&self) -> String {
        self.trace.hex()
    }

    /// How many events have been recorded in all.
    pub fn event_count(&self) -> u64 {
        self.event_count
    }

    /// Sends a message from `from` with a latency drawn from the sender's stream.
    #[allow(clippy::too_many_arguments)]
    /// When the last message from `from` to `to` arrives (or arrived);
    /// zero if none was ever sent.
    pub fn last_arrival(&self, from: ProcId, to: ProcId) -> SimTime {
        self.last_arrival[from * self.proc_nodes.len() + to]
    }

    pub fn send(
        &mut self,
        rng: &mut SimRng,
        from: ProcId,
        from_incarnation: u32,
        to: ProcId,
        to_incarnation: Option<u32>,
        msg: Msg,
    ) {
        let (a, b) = (self.proc_nodes[from], self.proc_nodes[to]);
        let latency = self.network.latency(a, b, rng);
        let lane = from * self.proc_nodes.len() + to;
        let at = (self.now + latency).max(self.last_arrival[lane]);
        self.last_arrival[lane] = at;
        let envelope = Envelope {
            sent: self.now,
            from,
            to,
            from_incarnation,
            from_cycle: self.routes[a].cycle,
            to_cycle: self.routes[b].cycle,
            to_incarnation,
            msg,
        };
        let slot = match self.free_envelopes.pop() {
            Some(slot) => {
                self.envelopes[slot as usize] = Some(envelope);
                slot
            }
            None => {
                self.envelopes.push(Some(envelope));
                (self.envelopes.len() - 1) as u32
            }
        };
        self.schedule(at, Item::Deliver(MessageSlot(slot)));
    }

    /// The message in `slot`.
    pub fn envelope(&self, slot: MessageSlot) -> &Envelope {
        self.envelopes[slot.0 as usize]
            .as_ref()
            .expect("a queued message has its envelope")
    }

    /// Takes the message out of `slot`, freeing it.
    pub fn take_envelope(&mut self, slot: MessageSlot) -> Envelope {
        let envelope = self.envelopes[slot.0 as usize]
            .take()
            .expect("a queued message has its envelope");
        self.free_envelopes.push(slot.0);
        envelope
    }
}

/// What a process sees while it runs: the time, its own random stream, and
/// ways to send, set timers, log and exit.
pub struct Ctx<'a> {
    pub now: SimTime,
    pub me: ProcId,
    pub node: NodeId,
    incarnation: u32,
    rng: &'a mut SimRng,
    kernel: &'a mut Kernel,
    exit: Option<(i32, String)>,
    kills: Vec<(ProcId, String)>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        kernel: &'a mut Kernel,
        me: ProcId,
        incarnation: u32,
        rng: &'a mut SimRng,
    ) -> Ctx<'a> {
        Ctx {
            now: kernel.now,
            me,
            node: kernel.proc_nodes[me],
            incarnation,
            rng,
            kernel,
            exit: None,
            kills: Vec::new(),
        }
    }

    /// Kills process `proc` (on this node) once the current step is done:
    /// how the kubelet acts on a failed liveness probe.
    pub fn kill(&mut self, proc: ProcId, reason: &str) {
        self.kills.push((proc, reason.to_owned()));
    }

    /// The kills asked for.
    pub fn take_kills(&mut self) -> Vec<(ProcId, String)> {
        std::mem::take(&mut self.kills)
    }

    /// The node process `proc` runs on.
    pub fn node_of(&self, proc: ProcId) -> NodeId {
        self.kernel.proc_nodes[proc]
    }

    /// How many times `proc` has been started.
    pub fn incarnation_of(&self, proc: ProcId) -> u32 {
        self.kernel.proc_incarnations[proc]
    }

    /// When `proc` last started, if it ever did.
    pub fn started_at(&self, proc: ProcId) -> Option<SimTime> {
        self.kernel.proc_started[proc]
    }

    /// The containers running on this process's node.
    pub fn containers(&mut self) -> &mut SortedMap<Rc<str>, SimTime> {
        self.kernel.containers_changed = true;
        &mut self.kernel.containers[self.node]
    }

    /// How many times this process has been started, this start included.
    pub fn incarnation(&self) -> u32 {
        self.incarnation
    }

    /// This process's own random stream.
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }

    /// Sends `msg` to process `to`.
    pub fn send(&mut self, to: ProcId, msg: Msg) {
        self.kernel
            .send(self.rng, self.me, self.incarnation, to, None, msg);
    }

    /// Answers a request from `to`, which must still be the same incarnation
    /// when the answer arrives.
    pub fn reply(&mut self, to: ProcId, to_incarnation: u32, msg: Msg) {
        self.kernel.send(
            self.rng,
            self.me,
            self.incarnation,
            to,
            Some(to_incarnation),
            msg,
        );
    }

    /// Fires `timer` at `at` (or now, if `at` has passed).
    pub fn set_timer(&mut self, at: SimTime, timer: Timer) {
        let item = Item::Timer {
            proc: self.me,
            incarnation: self.incarnation,
            timer,
        };
        self.kernel.schedule(at, item);
    }

    /// Logs a line from this process's node.
    pub fn log(&mut self, kind: EventKind, component: &'static str, message: String) {
        self.kernel.emit(kind, Some(self.node), component, message);
    }

    /// Ends this process once the current step is done.
    pub fn exit(&mut self, code: i32, reason: &str) {
        self.exit = Some((code, reason.to_owned()));
    }

    /// The exit the process asked for, if any.
    pub fn take_exit(&mut self) -> Option<(i32, String)> {
        self.exit.take()
    }
}
