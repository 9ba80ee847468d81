//! The simulation: nodes that lose power and boot, processes that are killed,
//! stopped, paused and restarted by their supervisors, and the programs they
//! run, all driven by the one event queue of [`crate::engine`].
//!
//! The API serves a UI and a runner alike: build from a [`SimConfig`], apply
//! [`Action`]s at the current time, advance to a time or to the next queued
//! item, read the state, and drain the [`Event`]s. The whole simulation is
//! `Clone`, so a UI can keep snapshots for time travel.

use std::fmt;
use std::rc::Rc;

use crate::action::{Action, NodeRef, Target};
use crate::cluster::{Cluster, NodeRole, ProcessKind};
use crate::engine::{Ctx, Item, Kernel, Msg, NodeId, NodeRoute, ProcId, Timer};
use crate::etcd::benchmark::{Benchmark, BenchmarkConfig};
use crate::etcd::raft::{HardState, Role};
use crate::etcd::server::EtcdMember;
use crate::etcd::{EtcdConfig, EtcdConfigError};
use crate::event::{Event, EventKind};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// Everything a run is built from, besides the actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// The same seed (with the same actions) gives the same run.
    pub seed: u64,
    pub cluster: Cluster,
    pub etcd: EtcdConfig,
    /// A steady write load from the learner's laptop, for tests and benchmarks.
    pub etcd_benchmark: Option<BenchmarkConfig>,
}

impl SimConfig {
    /// The default cluster with etcd's default flags.
    pub fn new(seed: u64, cluster: Cluster) -> SimConfig {
        SimConfig {
            seed,
            cluster,
            etcd: EtcdConfig::default(),
            etcd_benchmark: None,
        }
    }
}

/// Why a configuration cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// etcd refuses these flags (etcd's own message).
    Etcd(EtcdConfigError),
    /// The cluster's shape is outside what the lab models.
    Cluster(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Etcd(e) => write!(f, "etcd: {e}"),
            ConfigError::Cluster(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Why an action could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionError(pub String);

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ActionError {}

/// Whether a node has power.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    Off,
    /// Powered on; its supervisors start once it has booted, at `until`.
    Booting {
        until: SimTime,
    },
    On,
}

/// One machine.
#[derive(Clone, Debug)]
pub struct Node {
    pub name: Rc<str>,
    pub role: NodeRole,
    pub power: Power,
    /// The processes that run on it.
    pub processes: Vec<ProcId>,
    /// etcd's data directory on this node's disk, while its member is not running.
    wal: Option<HardState>,
    rng: SimRng,
}

/// Where a process is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcState {
    /// Not running and not waiting to restart: its node is off or booting,
    /// or its supervisor has not started it yet.
    Stopped,
    /// Running; `paused` after SIGSTOP, `terminating` after SIGTERM.
    Running { paused: bool, terminating: bool },
    /// Ended with `code` at `at`; its supervisor starts it again at
    /// `restart_at` (CrashLoopBackOff for a static pod), or not at all.
    Exited {
        code: i32,
        at: SimTime,
        restart_at: Option<SimTime>,
    },
}

/// Who restarts a process when it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Supervisor {
    /// A kubeadm static pod: the node's kubelet, with CrashLoopBackOff.
    Kubelet,
    /// A systemd service with `Restart=always`, after `restart_sec`.
    Systemd { restart_sec: SimDuration },
    /// Nobody.
    None,
}

impl Supervisor {
    pub fn of(kind: ProcessKind) -> Supervisor {
        match kind {
            ProcessKind::Etcd
            | ProcessKind::KubeApiserver
            | ProcessKind::KubeControllerManager
            | ProcessKind::KubeScheduler => Supervisor::Kubelet,
            // kubelet.service: Restart=always, RestartSec=10.
            ProcessKind::Kubelet => Supervisor::Systemd {
                restart_sec: SimDuration::from_secs(10),
            },
            // haproxy.service: Restart=always, systemd's default RestartSec=100ms.
            ProcessKind::Haproxy => Supervisor::Systemd {
                restart_sec: SimDuration::from_millis(100),
            },
            ProcessKind::Benchmark => Supervisor::None,
        }
    }
}

/// The kubelet's restart back-off: 10 s, doubling, at most 300 s, forgotten
/// after 10 minutes of running (pod-lifecycle docs).
pub const BACKOFF_INITIAL: SimDuration = SimDuration::from_secs(10);
pub const BACKOFF_MAX: SimDuration = SimDuration::from_secs(300);
pub const BACKOFF_RESET_AFTER: SimDuration = SimDuration::from_secs(600);
/// How long a SIGTERMed container has before SIGKILL (terminationGracePeriodSeconds).
pub const TERMINATION_GRACE: SimDuration = SimDuration::from_secs(30);

/// What a running process does.
#[derive(Clone, Debug)]
enum Program {
    /// Nothing modelled beyond being alive (yet).
    Idle,
    Etcd(Box<EtcdMember>),
    Benchmark(Box<Benchmark>),
}

/// One process.
#[derive(Clone, Debug)]
pub struct Process {
    pub kind: ProcessKind,
    pub node: NodeId,
    /// `node/process`, as in targets.
    pub name: Rc<str>,
    pub state: ProcState,
    /// Incremented at every start; stale timers and replies are dropped.
    pub incarnation: u32,
    pub started_at: Option<SimTime>,
    /// Restarts by its supervisor since the node booted.
    pub restarts: u32,
    backoff: SimDuration,
    /// Invalidates scheduled starts when something else happens first.
    start_generation: u32,
    sigterm_pending: bool,
    rng: SimRng,
    /// Timers and messages that arrived while paused, in arrival order.
    held: Vec<Item>,
    program: Program,
}

impl Process {
    /// Whether the process is running and not paused.
    pub fn is_active(&self) -> bool {
        matches!(self.state, ProcState::Running { paused: false, .. })
    }

    /// Whether the process is running (paused or not).
    pub fn is_running(&self) -> bool {
        matches!(self.state, ProcState::Running { .. })
    }
}

/// A message on its way between two processes, for views that animate them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageInFlight {
    pub from: ProcId,
    pub to: ProcId,
    pub sent: SimTime,
    pub arrives: SimTime,
    /// The message type: `MsgApp`, `MsgHeartbeat`, `etcd request`, …
    pub kind: &'static str,
}

/// The whole simulation.
#[derive(Clone, Debug)]
pub struct Sim {
    config: Rc<SimConfig>,
    kernel: Kernel,
    nodes: Vec<Node>,
    procs: Vec<Process>,
    /// The etcd member processes, by member id.
    etcd_members: Rc<[ProcId]>,
    etcd_names: Rc<[Rc<str>]>,
    /// Whether etcd had a working majority at the last check; `None` until
    /// it first forms.
    quorum: Option<bool>,
}

impl Sim {
    /// Builds the cluster; every node powers on at t = 0.
    pub fn new(config: SimConfig) -> Result<Sim, ConfigError> {
        config.etcd.validate().map_err(ConfigError::Etcd)?;
        validate_cluster(&config.cluster).map_err(ConfigError::Cluster)?;
        let seed = config.seed;

        let mut nodes = vec![Node {
            name: "laptop".into(),
            role: NodeRole::Laptop,
            power: Power::On,
            processes: Vec::new(),
            wal: None,
            rng: SimRng::stream(seed, "laptop"),
        }];
        let mut kinds: Vec<(NodeId, ProcessKind)> = Vec::new();
        if config.etcd_benchmark.is_some() {
            kinds.push((0, ProcessKind::Benchmark));
        }
        for spec in config.cluster.nodes() {
            let id = nodes.len();
            for &kind in &spec.processes {
                kinds.push((id, kind));
            }
            nodes.push(Node {
                rng: SimRng::stream(seed, &spec.name),
                name: spec.name.into(),
                role: spec.role,
                power: Power::Off,
                processes: Vec::new(),
                wal: None,
            });
        }
        let procs: Vec<Process> = kinds
            .iter()
            .enumerate()
            .map(|(id, &(node, kind))| {
                nodes[node].processes.push(id);
                let name: Rc<str> = format!("{}/{}", nodes[node].name, kind).into();
                Process {
                    kind,
                    node,
                    rng: SimRng::stream(seed, &name),
                    name,
                    state: ProcState::Stopped,
                    incarnation: 0,
                    started_at: None,
                    restarts: 0,
                    backoff: BACKOFF_INITIAL,
                    start_generation: 0,
                    sigterm_pending: false,
                    held: Vec::new(),
                    program: Program::Idle,
                }
            })
            .collect();
        let etcd_members: Rc<[ProcId]> = procs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == ProcessKind::Etcd)
            .map(|(id, _)| id)
            .collect();
        let etcd_names = etcd_members
            .iter()
            .map(|&p| nodes[procs[p].node].name.clone())
            .collect();
        let routes = nodes
            .iter()
            .map(|n| NodeRoute {
                name: n.name.clone(),
                cycle: 0,
            })
            .collect();
        let kernel = Kernel::new(routes, procs.iter().map(|p| p.node).collect());
        let mut sim = Sim {
            config: Rc::new(config),
            kernel,
            nodes,
            procs,
            etcd_members,
            etcd_names,
            quorum: None,
        };
        // The laptop is already on: its tools start at once.
        for proc in sim.nodes[0].processes.clone() {
            sim.start_process(proc);
        }
        for node in 1..sim.nodes.len() {
            sim.power_on(node);
        }
        Ok(sim)
    }

    /// The configuration the run was built from.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.kernel.now
    }

    /// Every node, the learner's laptop first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every process.
    pub fn processes(&self) -> &[Process] {
        &self.procs
    }

    /// The node named `name`.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| &*n.name == name)
    }

    /// The process of `kind` on `node`.
    pub fn process_id(&self, node: NodeId, kind: ProcessKind) -> Option<ProcId> {
        self.nodes[node]
            .processes
            .iter()
            .copied()
            .find(|&p| self.procs[p].kind == kind)
    }

    /// The time of the next queued item, if any.
    pub fn next_time(&self) -> Option<SimTime> {
        self.kernel.next_time()
    }

    /// Runs everything due up to and including `t`, then sets the clock to `t`.
    pub fn advance_to(&mut self, t: SimTime) {
        while let Some(scheduled) = self.kernel.pop_until(t) {
            self.kernel.now = scheduled.at;
            self.run_item(scheduled.item);
        }
        if t > self.kernel.now {
            self.kernel.now = t;
        }
    }

    /// Runs for `d` of simulated time.
    pub fn advance_by(&mut self, d: SimDuration) {
        let t = self.now() + d;
        self.advance_to(t);
    }

    /// Runs the next queued item, moving the clock to its time. Returns
    /// false when nothing is queued.
    pub fn step(&mut self) -> bool {
        match self.kernel.pop_until(SimTime::from_micros(u64::MAX)) {
            Some(scheduled) => {
                self.kernel.now = scheduled.at;
                self.run_item(scheduled.item);
                true
            }
            None => false,
        }
    }

    /// Runs until at least one event has been recorded or `limit` is reached
    /// ("jump to next event"). Returns whether an event was recorded.
    pub fn advance_to_next_event(&mut self, limit: SimTime) -> bool {
        let before = self.kernel.event_count();
        while self.kernel.event_count() == before {
            match self.kernel.next_time() {
                Some(t) if t <= limit => {
                    self.step();
                }
                _ => {
                    self.advance_to(limit);
                    return self.kernel.event_count() > before;
                }
            }
        }
        true
    }

    /// Takes the events recorded since the last call.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.kernel.drain_events()
    }

    /// Events recorded and not yet drained.
    pub fn pending_events(&self) -> &[Event] {
        self.kernel.pending_events()
    }

    /// The hash of every event so far (SCENARIOS.md `trace_hash`).
    pub fn trace_hash(&self) -> String {
        self.kernel.trace_hash()
    }

    /// The messages on their way now, earliest arrival first. A message whose
    /// link is cut or whose receiver is gone is still listed until it would
    /// have arrived: it is lost on arrival.
    pub fn messages_in_flight(&self) -> Vec<MessageInFlight> {
        let mut messages: Vec<(u64, MessageInFlight)> = self
            .kernel
            .queued()
            .filter_map(|(at, seq, item)| match item {
                Item::Deliver(slot) => Some((
                    seq,
                    MessageInFlight {
                        from: self.kernel.envelope(*slot).from,
                        to: self.kernel.envelope(*slot).to,
                        sent: self.kernel.envelope(*slot).sent,
                        arrives: at,
                        kind: self.kernel.envelope(*slot).msg.kind_name(),
                    },
                )),
                _ => None,
            })
            .collect();
        messages.sort_by_key(|(seq, m)| (m.arrives, *seq));
        messages.into_iter().map(|(_, m)| m).collect()
    }

    /// Whether two nodes can reach each other now.
    pub fn can_reach(&self, a: NodeId, b: NodeId) -> bool {
        self.kernel.network.can_reach(a, b)
    }

    /// The partition groups in place, by node name.
    pub fn partition_groups(&self) -> Vec<Vec<Rc<str>>> {
        self.kernel
            .network
            .groups()
            .into_iter()
            .map(|g| g.into_iter().map(|n| self.nodes[n].name.clone()).collect())
            .collect()
    }

    // ---- etcd -----------------------------------------------------------

    /// The etcd member processes, by member id.
    pub fn etcd_member_processes(&self) -> &[ProcId] {
        &self.etcd_members
    }

    /// The running state of etcd member `member`, if its process is running.
    pub fn etcd_member(&self, member: usize) -> Option<&EtcdMember> {
        match &self.procs[*self.etcd_members.get(member)?].program {
            Program::Etcd(m) => Some(m),
            _ => None,
        }
    }

    /// What etcd member `member` has on disk: its WAL if it is not running,
    /// or what it would write if it stopped now.
    pub fn etcd_hard_state(&self, member: usize) -> Option<HardState> {
        match self.etcd_member(member) {
            Some(m) => Some(m.raft.hard_state()),
            None => {
                let proc = &self.procs[*self.etcd_members.get(member)?];
                self.nodes[proc.node].wal.clone()
            }
        }
    }

    /// The member that is leader in the highest term among running members,
    /// with that term.
    pub fn etcd_leader(&self) -> Option<(usize, u64)> {
        (0..self.etcd_members.len())
            .filter_map(|m| self.etcd_member(m).map(|e| (m, &e.raft)))
            .filter(|(_, r)| r.role == Role::Leader)
            .max_by_key(|(_, r)| r.term)
            .map(|(m, r)| (m, r.term))
    }

    /// How many etcd members run and are not paused.
    pub fn etcd_members_up(&self) -> usize {
        self.etcd_members
            .iter()
            .filter(|&&p| self.procs[p].is_active())
            .count()
    }

    /// Whether a majority of etcd members is up and can reach one member that
    /// could lead them: what a working cluster needs.
    pub fn etcd_has_quorum(&self) -> bool {
        let up: Vec<NodeId> = self
            .etcd_members
            .iter()
            .filter(|&&p| self.procs[p].is_active())
            .map(|&p| self.procs[p].node)
            .collect();
        let quorum = self.etcd_members.len() / 2 + 1;
        up.iter().any(|&leader| {
            up.iter()
                .filter(|&&m| self.kernel.network.can_reach(leader, m))
                .count()
                >= quorum
        })
    }

    /// The benchmark client, if the run has one.
    pub fn benchmark(&self) -> Option<&Benchmark> {
        self.procs.iter().find_map(|p| match &p.program {
            Program::Benchmark(b) => Some(&**b),
            _ => None,
        })
    }

    // ---- actions ---------------------------------------------------------

    /// Applies an action now. Fails only when the target does not exist; a
    /// `leader:` target with no leader at this moment is logged and skipped.
    pub fn apply(&mut self, action: &Action) -> Result<(), ActionError> {
        let target_text = action.target_text();
        let resolved = match action {
            Action::Partition(groups) => {
                let mut ids = Vec::new();
                for group in groups {
                    let mut g = Vec::new();
                    for name in group {
                        g.push(self.node_id(name).ok_or_else(|| unknown_node(name))?);
                    }
                    ids.push(g);
                }
                self.emit_action(action, &target_text, None);
                self.kernel.network.partition(&ids);
                let text = format!(
                    "network partitioned into {}; nodes in different groups cannot reach each other",
                    target_text
                );
                self.kernel
                    .emit(EventKind::NetworkChanged, None, "network", text);
                self.check_quorum();
                return Ok(());
            }
            Action::Heal => {
                self.emit_action(action, &target_text, None);
                self.kernel.network.heal();
                self.kernel.emit(
                    EventKind::NetworkChanged,
                    None,
                    "network",
                    "network healed: every node can reach every other".to_owned(),
                );
                self.check_quorum();
                return Ok(());
            }
            Action::KillNode(t)
            | Action::RestartNode(t)
            | Action::KillProcess(t)
            | Action::StopProcess(t)
            | Action::PauseProcess(t)
            | Action::ResumeProcess(t) => self.resolve_node(t)?,
        };
        let Some(node) = resolved else {
            let text = format!(
                "{} {}: no leader at this moment, nothing to do",
                action.name(),
                target_text
            );
            self.emit_action(action, &target_text, Some(text));
            return Ok(());
        };
        match action {
            Action::KillNode(_) => {
                self.check_killable(node)?;
                self.emit_action(action, &target_text, None);
                self.power_off(node);
            }
            Action::RestartNode(_) => {
                self.check_killable(node)?;
                self.emit_action(action, &target_text, None);
                if self.nodes[node].power == Power::Off {
                    self.power_on(node);
                }
            }
            Action::KillProcess(t)
            | Action::StopProcess(t)
            | Action::PauseProcess(t)
            | Action::ResumeProcess(t) => {
                let kind = t.process_kind().ok_or_else(|| {
                    ActionError(format!(
                        "{} needs a process target such as \"{}/etcd\", not \"{target_text}\"",
                        action.name(),
                        self.nodes[node].name
                    ))
                })?;
                let proc = self.process_id(node, kind).ok_or_else(|| {
                    ActionError(format!("{} runs no {kind}", self.nodes[node].name))
                })?;
                self.emit_action(action, &target_text, None);
                match action {
                    Action::KillProcess(_) => self.signal_kill(proc),
                    Action::StopProcess(_) => self.signal_term(proc),
                    Action::PauseProcess(_) => self.signal_stop(proc),
                    Action::ResumeProcess(_) => self.signal_cont(proc),
                    _ => unreachable!("only process actions reach here"),
                }
            }
            Action::Partition(_) | Action::Heal => unreachable!("handled above"),
        }
        Ok(())
    }

    fn check_killable(&self, node: NodeId) -> Result<(), ActionError> {
        if self.nodes[node].role == NodeRole::Laptop {
            return Err(ActionError(
                "the laptop is the learner's own machine, outside the cluster; it cannot be powered off"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// The node a target means now; `None` for a `leader:` target with no leader.
    fn resolve_node(&self, target: &Target) -> Result<Option<NodeId>, ActionError> {
        match &target.node {
            NodeRef::Named(name) => self
                .node_id(name)
                .map(Some)
                .ok_or_else(|| unknown_node(name)),
            NodeRef::LeaderOf(ProcessKind::Etcd) => Ok(self
                .etcd_leader()
                .map(|(member, _)| self.procs[self.etcd_members[member]].node)),
            NodeRef::LeaderOf(kind) => Err(ActionError(format!(
                "leader:{kind} needs the control plane, which this simulation does not model yet"
            ))),
        }
    }

    fn emit_action(&mut self, action: &Action, target: &str, message: Option<String>) {
        let message = message.unwrap_or_else(|| match action {
            Action::KillNode(_) => format!("power off {target}"),
            Action::RestartNode(_) => format!("power on {target}"),
            Action::KillProcess(_) => format!("kill -KILL {target}"),
            Action::StopProcess(_) => format!("kill -TERM {target}"),
            Action::PauseProcess(_) => format!("kill -STOP {target}"),
            Action::ResumeProcess(_) => format!("kill -CONT {target}"),
            Action::Partition(_) => format!("partition the network: {target}"),
            Action::Heal => "heal the network".to_owned(),
        });
        self.kernel.emit(
            EventKind::Action {
                action: action.name().to_owned(),
                target: target.to_owned(),
            },
            None,
            "learner",
            message,
        );
    }

    // ---- nodes ---------------------------------------------------------

    fn power_on(&mut self, node: NodeId) {
        let boot = {
            let rng = &mut self.nodes[node].rng;
            rng.duration_between(SimDuration::from_secs(2), SimDuration::from_secs(4))
        };
        let until = self.now() + boot;
        self.nodes[node].power = Power::Booting { until };
        self.kernel.routes[node].cycle += 1;
        let cycle = self.kernel.routes[node].cycle;
        let name = self.nodes[node].name.clone();
        self.kernel.emit(
            EventKind::NodeUp,
            Some(node),
            "node",
            format!("{name} powered on; booting"),
        );
        self.kernel.schedule(until, Item::Booted { node, cycle });
    }

    fn power_off(&mut self, node: NodeId) {
        if self.nodes[node].power == Power::Off {
            return;
        }
        self.nodes[node].power = Power::Off;
        let name = self.nodes[node].name.clone();
        self.kernel.emit(
            EventKind::NodeDown,
            Some(node),
            "node",
            format!("{name} lost power: every process on it stopped at once"),
        );
        for proc in self.nodes[node].processes.clone() {
            self.save_and_clear(proc);
            let p = &mut self.procs[proc];
            p.state = ProcState::Stopped;
            p.start_generation += 1;
            p.sigterm_pending = false;
            // The kubelet's back-off lives in its memory, which is gone.
            p.backoff = BACKOFF_INITIAL;
            p.restarts = 0;
        }
        self.check_quorum();
    }

    fn booted(&mut self, node: NodeId, cycle: u32) {
        if self.kernel.routes[node].cycle != cycle
            || !matches!(self.nodes[node].power, Power::Booting { .. })
        {
            return;
        }
        self.nodes[node].power = Power::On;
        // systemd starts the services; the kubelet then starts the static pods.
        for proc in self.nodes[node].processes.clone() {
            if matches!(
                Supervisor::of(self.procs[proc].kind),
                Supervisor::Systemd { .. }
            ) {
                self.start_process(proc);
            }
        }
    }

    fn node_is_live(&self, node: NodeId, cycle: u32) -> bool {
        self.nodes[node].power != Power::Off && self.kernel.routes[node].cycle == cycle
    }

    // ---- processes --------------------------------------------------------

    fn start_process(&mut self, proc: ProcId) {
        let seed = self.config.seed;
        let p = &mut self.procs[proc];
        p.incarnation += 1;
        p.state = ProcState::Running {
            paused: false,
            terminating: false,
        };
        p.started_at = Some(self.kernel.now);
        debug_assert!(p.held.is_empty(), "a stopped process holds nothing");
        p.sigterm_pending = false;
        p.rng = SimRng::stream(seed, &format!("{}#{}", p.name, p.incarnation));
        let (kind, node, restarts) = (p.kind, p.node, p.restarts);
        let message = if restarts == 0 {
            format!("Started {kind}")
        } else {
            format!("Started {kind} (restart {restarts})")
        };
        self.kernel
            .emit(EventKind::ProcessStarted, Some(node), kind.name(), message);
        let program = match kind {
            ProcessKind::Etcd => {
                let member = self
                    .etcd_members
                    .iter()
                    .position(|&m| m == proc)
                    .expect("an etcd process is a member");
                let wal = self.nodes[node].wal.take();
                let (peers, names, etcd) = (
                    self.etcd_members.clone(),
                    self.etcd_names.clone(),
                    self.config.etcd,
                );
                self.with_ctx(proc, |ctx| {
                    Program::Etcd(Box::new(EtcdMember::start(
                        ctx,
                        member as u8,
                        peers,
                        names,
                        &etcd,
                        wal,
                    )))
                })
            }
            ProcessKind::Benchmark => {
                let config = self
                    .config
                    .etcd_benchmark
                    .expect("a benchmark process has a configuration");
                let (members, timeout) = (
                    self.etcd_members.clone(),
                    self.config.etcd.request_timeout(),
                );
                self.with_ctx(proc, |ctx| {
                    Program::Benchmark(Box::new(Benchmark::start(ctx, config, members, timeout)))
                })
            }
            _ => Program::Idle,
        };
        self.procs[proc].program = program;
        if kind == ProcessKind::Kubelet {
            self.kubelet_started(node);
        }
        self.check_quorum();
    }

    /// Runs `f` with a context for `proc`, then handles an exit it asked for.
    fn with_ctx<R>(&mut self, proc: ProcId, f: impl FnOnce(&mut Ctx) -> R) -> R {
        let p = &mut self.procs[proc];
        let mut ctx = Ctx::new(&mut self.kernel, proc, p.incarnation, &mut p.rng);
        let result = f(&mut ctx);
        let exit = ctx.take_exit();
        if let Some((code, reason)) = exit {
            self.end_process(proc, code, &reason);
        }
        result
    }

    /// Runs one callback of `proc`'s program.
    fn dispatch(&mut self, proc: ProcId, f: impl FnOnce(&mut Program, &mut Ctx)) {
        let p = &mut self.procs[proc];
        let mut ctx = Ctx::new(&mut self.kernel, proc, p.incarnation, &mut p.rng);
        f(&mut p.program, &mut ctx);
        let exit = ctx.take_exit();
        if let Some((code, reason)) = exit {
            self.end_process(proc, code, &reason);
        }
    }

    /// Moves a stopping program's durable state to its node's disk.
    fn save_and_clear(&mut self, proc: ProcId) {
        // What waited for a paused process is lost with it.
        for item in std::mem::take(&mut self.procs[proc].held) {
            if let Item::Deliver(slot) = item {
                self.kernel.take_envelope(slot);
            }
        }
        let p = &mut self.procs[proc];
        if let Program::Etcd(member) = std::mem::replace(&mut p.program, Program::Idle) {
            self.nodes[p.node].wal = Some(member.into_wal());
        }
    }

    /// The process has ended: record it and let its supervisor decide.
    fn end_process(&mut self, proc: ProcId, code: i32, reason: &str) {
        if !self.procs[proc].is_running() {
            return;
        }
        self.save_and_clear(proc);
        let now = self.now();
        let p = &mut self.procs[proc];
        p.state = ProcState::Exited {
            code,
            at: now,
            restart_at: None,
        };
        p.start_generation += 1;
        let (kind, node) = (p.kind, p.node);
        self.kernel.emit(
            EventKind::ProcessExited {
                exit_code: code,
                reason: reason.to_owned(),
            },
            Some(node),
            kind.name(),
            format!("{kind} exited with code {code}: {reason}"),
        );
        self.schedule_restart(proc);
        self.check_quorum();
    }

    fn schedule_restart(&mut self, proc: ProcId) {
        let now = self.now();
        let node = self.procs[proc].node;
        let delay = match Supervisor::of(self.procs[proc].kind) {
            Supervisor::None => return,
            Supervisor::Systemd { restart_sec } => restart_sec,
            Supervisor::Kubelet => {
                if !self.kubelet_active(node) {
                    return; // it waits for the kubelet to come back
                }
                let p = &mut self.procs[proc];
                if p.started_at.is_some_and(|s| now - s >= BACKOFF_RESET_AFTER) {
                    p.backoff = BACKOFF_INITIAL;
                }
                let delay = p.backoff;
                p.backoff = (p.backoff * 2).min(BACKOFF_MAX);
                delay
            }
        };
        self.schedule_start(proc, now + delay);
    }

    fn schedule_start(&mut self, proc: ProcId, at: SimTime) {
        let node = self.procs[proc].node;
        let cycle = self.kernel.routes[node].cycle;
        let p = &mut self.procs[proc];
        p.start_generation += 1;
        if let ProcState::Exited { restart_at, .. } = &mut p.state {
            *restart_at = Some(at);
        }
        let generation = p.start_generation;
        self.kernel.schedule(
            at,
            Item::Start {
                proc,
                cycle,
                generation,
            },
        );
    }

    fn kubelet_active(&self, node: NodeId) -> bool {
        self.process_id(node, ProcessKind::Kubelet)
            .is_some_and(|k| self.procs[k].is_active())
    }

    /// The kubelet starts every static pod of its node that is not running.
    fn kubelet_started(&mut self, node: NodeId) {
        for proc in self.nodes[node].processes.clone() {
            let p = &self.procs[proc];
            if Supervisor::of(p.kind) != Supervisor::Kubelet || p.is_running() {
                continue;
            }
            let pending = matches!(p.state, ProcState::Exited { restart_at: Some(at), .. } if at > self.now());
            if pending {
                continue;
            }
            let delay = self.nodes[node].rng.duration_between(
                SimDuration::from_millis(300),
                SimDuration::from_millis(1_200),
            );
            self.schedule_start(proc, self.now() + delay);
        }
    }

    fn start_due(&mut self, proc: ProcId, cycle: u32, generation: u32) {
        let p = &self.procs[proc];
        let node = p.node;
        if p.start_generation != generation
            || p.is_running()
            || !self.node_is_live(node, cycle)
            || self.nodes[node].power != Power::On
        {
            return;
        }
        if Supervisor::of(p.kind) == Supervisor::Kubelet && !self.kubelet_active(node) {
            if let ProcState::Exited { restart_at, .. } = &mut self.procs[proc].state {
                *restart_at = None;
            }
            return;
        }
        if matches!(self.procs[proc].state, ProcState::Exited { .. }) {
            self.procs[proc].restarts += 1;
        }
        self.start_process(proc);
    }

    fn signal_kill(&mut self, proc: ProcId) {
        self.end_process(proc, 137, "killed (SIGKILL)");
    }

    fn signal_term(&mut self, proc: ProcId) {
        let p = &mut self.procs[proc];
        let ProcState::Running {
            paused,
            terminating,
        } = &mut p.state
        else {
            return;
        };
        if *terminating {
            return;
        }
        *terminating = true;
        let incarnation = p.incarnation;
        let paused = *paused;
        self.kernel.schedule(
            self.kernel.now + TERMINATION_GRACE,
            Item::GraceExpired { proc, incarnation },
        );
        if paused {
            // A stopped process handles the signal when it continues.
            self.procs[proc].sigterm_pending = true;
        } else {
            self.dispatch(proc, |program, ctx| program.on_sigterm(ctx));
        }
    }

    fn signal_stop(&mut self, proc: ProcId) {
        if let ProcState::Running { paused, .. } = &mut self.procs[proc].state
            && !*paused
        {
            *paused = true;
            self.check_quorum();
        }
    }

    fn signal_cont(&mut self, proc: ProcId) {
        let p = &mut self.procs[proc];
        let ProcState::Running { paused, .. } = &mut p.state else {
            return;
        };
        if !*paused {
            return;
        }
        *paused = false;
        // What waited runs now, in the order it arrived: overdue timers fire
        // at once, as Go's do after SIGCONT.
        let held = std::mem::take(&mut p.held);
        let sigterm = std::mem::take(&mut p.sigterm_pending);
        let now = self.kernel.now;
        for item in held {
            self.kernel.schedule(now, item);
        }
        if sigterm {
            self.dispatch(proc, |program, ctx| program.on_sigterm(ctx));
        }
        self.check_quorum();
    }

    // ---- the queue ----------------------------------------------------------

    fn run_item(&mut self, item: Item) {
        match item {
            Item::Deliver(slot) => {
                let envelope = self.kernel.envelope(slot);
                let (a, b) = (
                    self.kernel.proc_nodes[envelope.from],
                    self.kernel.proc_nodes[envelope.to],
                );
                let to = envelope.to;
                let lost = !self.node_is_live(a, envelope.from_cycle)
                    || !self.node_is_live(b, envelope.to_cycle)
                    || !self.kernel.network.can_reach(a, b)
                    || envelope
                        .to_incarnation
                        .is_some_and(|i| i != self.procs[to].incarnation);
                match self.procs[to].state {
                    ProcState::Running { paused: true, .. } if !lost => {
                        self.procs[to].held.push(Item::Deliver(slot));
                    }
                    ProcState::Running { paused: false, .. } if !lost => {
                        let envelope = self.kernel.take_envelope(slot);
                        let (from, from_incarnation, msg) =
                            (envelope.from, envelope.from_incarnation, envelope.msg);
                        self.dispatch(to, |program, ctx| {
                            program.on_message(ctx, from, from_incarnation, msg)
                        });
                    }
                    _ => {
                        self.kernel.take_envelope(slot);
                    }
                }
            }
            Item::Timer {
                proc,
                incarnation,
                timer,
            } => {
                let p = &mut self.procs[proc];
                if p.incarnation != incarnation {
                    return;
                }
                match p.state {
                    ProcState::Running { paused: true, .. } => p.held.push(Item::Timer {
                        proc,
                        incarnation,
                        timer,
                    }),
                    ProcState::Running { paused: false, .. } => {
                        self.dispatch(proc, |program, ctx| program.on_timer(ctx, timer));
                    }
                    ProcState::Stopped | ProcState::Exited { .. } => {}
                }
            }
            Item::Booted { node, cycle } => self.booted(node, cycle),
            Item::Start {
                proc,
                cycle,
                generation,
            } => self.start_due(proc, cycle, generation),
            Item::GraceExpired { proc, incarnation } => {
                if self.procs[proc].incarnation == incarnation {
                    self.end_process(
                        proc,
                        137,
                        "killed (SIGKILL) after the 30s termination grace period",
                    );
                }
            }
        }
    }

    /// Emits `etcd_quorum_lost` / `etcd_quorum_regained` when etcd's working
    /// majority changes (the first formation at start-up is silent).
    fn check_quorum(&mut self) {
        if self.etcd_members.is_empty() {
            return;
        }
        let ok = self.etcd_has_quorum();
        let members = self.etcd_members.len() as u32;
        let members_up = self.etcd_members_up() as u32;
        let quorum = members / 2 + 1;
        match (self.quorum, ok) {
            (None, true) => self.quorum = Some(true),
            (Some(true), false) => {
                self.quorum = Some(false);
                let text = if members_up >= quorum {
                    format!(
                        "etcd lost quorum: {members_up} of {members} members are up, but no {quorum} of them can reach each other"
                    )
                } else {
                    format!(
                        "etcd lost quorum: only {members_up} of {members} members are up, and a majority is {quorum}"
                    )
                };
                self.kernel.emit(
                    EventKind::EtcdQuorumLost {
                        members_up,
                        members,
                    },
                    None,
                    "etcd",
                    text,
                );
            }
            (Some(false), true) => {
                self.quorum = Some(true);
                self.kernel.emit(
                    EventKind::EtcdQuorumRegained { members_up, members },
                    None,
                    "etcd",
                    format!("etcd regained quorum: {members_up} of {members} members are up and connected"),
                );
            }
            (None, false) | (Some(true), true) | (Some(false), false) => {}
        }
    }
}

impl Program {
    fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, from_incarnation: u32, msg: Msg) {
        match self {
            Program::Etcd(member) => member.on_message(ctx, from, from_incarnation, msg),
            Program::Benchmark(bench) => bench.on_message(ctx, msg),
            Program::Idle => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        match (self, timer) {
            (Program::Etcd(member), Timer::Etcd(t)) => member.on_timer(ctx, t),
            (Program::Benchmark(bench), Timer::Benchmark(t)) => bench.on_timer(ctx, t),
            _ => {}
        }
    }

    fn on_sigterm(&mut self, ctx: &mut Ctx) {
        match self {
            Program::Etcd(member) => member.on_sigterm(ctx),
            Program::Benchmark(_) | Program::Idle => ctx.exit(0, "stopped (SIGTERM)"),
        }
    }
}

fn unknown_node(name: &str) -> ActionError {
    ActionError(format!("there is no node named \"{name}\""))
}

/// The limits of SCENARIOS.md's `[cluster]` table.
fn validate_cluster(cluster: &Cluster) -> Result<(), String> {
    if !(1..=7).contains(&cluster.masters) {
        return Err(format!("masters must be 1 to 7 (got {})", cluster.masters));
    }
    if cluster.workers > 5 {
        return Err(format!("workers must be 0 to 5 (got {})", cluster.workers));
    }
    if let crate::cluster::EtcdTopology::External { members } = cluster.etcd
        && !(1..=7).contains(&members)
    {
        return Err(format!("etcd_members must be 1 to 7 (got {members})"));
    }
    Ok(())
}
