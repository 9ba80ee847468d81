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
use crate::cluster::{Cluster, EtcdTopology, NodeRole, ProcessKind};
use crate::engine::{Ctx, Item, Kernel, Msg, NodeId, NodeRoute, ProcId};
use crate::etcd::benchmark::{Benchmark, BenchmarkConfig};
use crate::etcd::raft::{HardState, Role};
use crate::etcd::server::EtcdMember;
use crate::etcd::{EtcdConfig, EtcdConfigError};
use crate::event::{Event, EventKind};
use crate::kube::apiserver::Apiserver;
use crate::kube::controller_manager::ControllerManager;
use crate::kube::haproxy::Haproxy;
use crate::kube::kubectl::Kubectl;
use crate::kube::kubelet::Kubelet;
use crate::kube::leaderelection::{FlagsError, LeaderElectionFlags, LeaderElector};
use crate::kube::objects::{DEFAULT, KUBE_SYSTEM, Kind, Lease, Object, ObjectKey, WORKLOAD};
use crate::kube::scheduler::Scheduler;
use crate::program::{Program, Wiring};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// Everything a run is built from, besides the actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// The same seed (with the same actions) gives the same run.
    pub seed: u64,
    pub cluster: Cluster,
    pub etcd: EtcdConfig,
    /// kube-controller-manager's `--leader-elect*` flags.
    pub controller_manager: LeaderElectionFlags,
    /// kube-scheduler's `--leader-elect*` flags.
    pub scheduler: LeaderElectionFlags,
    /// The workload's replica count at the start.
    pub replicas: u32,
    /// Where the learner's kubectl points: `loadbalancer` or a master's name.
    pub kubectl_server: String,
    /// A steady write load on etcd from the learner's laptop, for tests and benchmarks.
    pub etcd_benchmark: Option<BenchmarkConfig>,
    /// Run etcd alone: only the etcd members, the kubelets that supervise
    /// them (standalone) and the write load. For etcd's own tests and benchmarks.
    pub etcd_only: bool,
}

impl SimConfig {
    /// `cluster` with every component's default flags, 3 replicas, and
    /// kubectl through the load balancer (or the first master without one).
    pub fn new(seed: u64, cluster: Cluster) -> SimConfig {
        let kubectl_server = if cluster.load_balancer {
            "loadbalancer".to_owned()
        } else {
            "master-1".to_owned()
        };
        SimConfig {
            seed,
            cluster,
            etcd: EtcdConfig::default(),
            controller_manager: LeaderElectionFlags::default(),
            scheduler: LeaderElectionFlags::default(),
            replicas: 3,
            kubectl_server,
            etcd_benchmark: None,
            etcd_only: false,
        }
    }

    /// Checks everything a real cluster would refuse to start with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate_cluster(&self.cluster).map_err(ConfigError::Cluster)?;
        self.etcd.validate().map_err(ConfigError::Etcd)?;
        for (component, flags) in [
            ("kube-controller-manager", &self.controller_manager),
            ("kube-scheduler", &self.scheduler),
        ] {
            flags
                .validate()
                .map_err(|error| ConfigError::LeaderElection { component, error })?;
        }
        let server = self.kubectl_server.as_str();
        let is_master = server
            .strip_prefix("master-")
            .and_then(|n| n.parse::<u8>().ok())
            .is_some_and(|n| n >= 1 && n <= self.cluster.masters);
        if !(is_master || (server == "loadbalancer" && self.cluster.load_balancer)) {
            let choices = if self.cluster.load_balancer {
                format!(
                    "\"loadbalancer\" or a master from \"master-1\" to \"master-{}\"",
                    self.cluster.masters
                )
            } else {
                format!(
                    "a master from \"master-1\" to \"master-{}\" (there is no load balancer)",
                    self.cluster.masters
                )
            };
            return Err(ConfigError::Cluster(format!(
                "kubectl server \"{server}\" is not in the cluster: use {choices}"
            )));
        }
        if self.replicas > MAX_REPLICAS {
            return Err(ConfigError::Cluster(format!(
                "replicas must be 0 to {MAX_REPLICAS} (got {})",
                self.replicas
            )));
        }
        Ok(())
    }
}

/// The most replicas the lab's workload may ask for.
pub const MAX_REPLICAS: u32 = 30;

/// Why a configuration cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// etcd refuses these flags (etcd's own message).
    Etcd(EtcdConfigError),
    /// client-go refuses a component's leader-election flags (its own message).
    LeaderElection {
        component: &'static str,
        error: FlagsError,
    },
    /// The cluster's shape is outside what the lab models.
    Cluster(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Etcd(e) => write!(f, "etcd: {e}"),
            ConfigError::LeaderElection { component, error } => write!(f, "{component}: {error}"),
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
            ProcessKind::Benchmark | ProcessKind::Kubectl => Supervisor::None,
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
    /// Who talks to whom.
    wiring: Rc<Wiring>,
    /// The etcd member processes, by member id.
    etcd_members: Rc<[ProcId]>,
    /// Where kubectl points now (`loadbalancer` or a master).
    kubectl_server: Rc<str>,
    /// Whether etcd had a working majority at the last check; `None` until
    /// it first forms.
    quorum: Option<bool>,
    /// How many workload pods ran on live workers at the last check; `None`
    /// until the first one starts.
    workload_running: Option<u32>,
}

impl Sim {
    /// Builds the cluster; every node powers on at t = 0.
    pub fn new(config: SimConfig) -> Result<Sim, ConfigError> {
        config.validate()?;
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
        if !config.etcd_only {
            kinds.push((0, ProcessKind::Kubectl));
        }
        if config.etcd_benchmark.is_some() {
            kinds.push((0, ProcessKind::Benchmark));
        }
        for spec in config.cluster.nodes() {
            let id = nodes.len();
            for &kind in &spec.processes {
                let etcd_part = matches!(kind, ProcessKind::Etcd | ProcessKind::Kubelet)
                    && spec.processes.contains(&ProcessKind::Etcd);
                if !config.etcd_only || etcd_part {
                    kinds.push((id, kind));
                }
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
        let find = |node: NodeId, kind: ProcessKind| {
            nodes[node]
                .processes
                .iter()
                .copied()
                .find(|&p| procs[p].kind == kind)
        };
        let local_apiserver: Vec<Option<ProcId>> = (0..nodes.len())
            .map(|n| find(n, ProcessKind::KubeApiserver))
            .collect();
        let wiring = Wiring {
            etcd_members: etcd_members.clone(),
            etcd_names,
            apiservers: local_apiserver
                .iter()
                .enumerate()
                .filter_map(|(n, api)| api.map(|p| (p, nodes[n].name.clone())))
                .collect(),
            local_apiserver,
            haproxy: (0..nodes.len()).find_map(|n| find(n, ProcessKind::Haproxy)),
            static_pods: nodes
                .iter()
                .map(|n| {
                    n.processes
                        .iter()
                        .filter(|&&p| Supervisor::of(procs[p].kind) == Supervisor::Kubelet)
                        .map(|&p| (p, procs[p].kind))
                        .collect()
                })
                .collect(),
            node_names: nodes.iter().map(|n| n.name.clone()).collect(),
            node_roles: nodes.iter().map(|n| n.role).collect(),
            stacked: config.cluster.etcd == EtcdTopology::Stacked,
        };
        let routes = nodes
            .iter()
            .map(|n| NodeRoute {
                name: n.name.clone(),
                cycle: 0,
            })
            .collect();
        let kernel = Kernel::new(routes, procs.iter().map(|p| p.node).collect());
        let kubectl_server = config.kubectl_server.as_str().into();
        let mut sim = Sim {
            config: Rc::new(config),
            kernel,
            nodes,
            procs,
            wiring: Rc::new(wiring),
            etcd_members,
            kubectl_server,
            quorum: None,
            workload_running: None,
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

    /// When the last message from process `from` to process `to` arrives
    /// (or arrived): the views pulse a link when it changes. Zero if none
    /// was ever sent.
    pub fn last_message(&self, from: ProcId, to: ProcId) -> SimTime {
        self.kernel.last_arrival(from, to)
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

    // ---- the control plane ---------------------------------------------

    /// Who talks to whom.
    pub fn wiring(&self) -> &Wiring {
        &self.wiring
    }

    /// The program a process runs (`Program::Idle` when it is not running).
    pub fn program(&self, proc: ProcId) -> &Program {
        &self.procs[proc].program
    }

    /// The API server process `proc`, if it runs one.
    pub fn apiserver(&self, proc: ProcId) -> Option<&Apiserver> {
        match &self.procs[proc].program {
            Program::Apiserver(a) => Some(a),
            _ => None,
        }
    }

    /// HAProxy, if the load balancer runs it.
    pub fn haproxy(&self) -> Option<&Haproxy> {
        let proc = self.wiring.haproxy?;
        match &self.procs[proc].program {
            Program::Haproxy(h) => Some(h),
            _ => None,
        }
    }

    /// The controller-manager process `proc`, if it runs one.
    pub fn controller_manager(&self, proc: ProcId) -> Option<&ControllerManager> {
        match &self.procs[proc].program {
            Program::ControllerManager(c) => Some(c),
            _ => None,
        }
    }

    /// The scheduler process `proc`, if it runs one.
    pub fn scheduler(&self, proc: ProcId) -> Option<&Scheduler> {
        match &self.procs[proc].program {
            Program::Scheduler(s) => Some(s),
            _ => None,
        }
    }

    /// The kubelet process `proc`, if it runs one.
    pub fn kubelet(&self, proc: ProcId) -> Option<&Kubelet> {
        match &self.procs[proc].program {
            Program::Kubelet(k) => Some(k),
            _ => None,
        }
    }

    /// The leader elector of a controller-manager or scheduler process.
    pub fn elector(&self, proc: ProcId) -> Option<&LeaderElector> {
        match &self.procs[proc].program {
            Program::ControllerManager(c) => c.elector.as_ref(),
            Program::Scheduler(s) => s.elector.as_ref(),
            _ => None,
        }
    }

    /// The learner's kubectl.
    pub fn kubectl(&self) -> Option<&Kubectl> {
        let proc = self.process_id(0, ProcessKind::Kubectl)?;
        match &self.procs[proc].program {
            Program::Kubectl(k) => Some(k),
            _ => None,
        }
    }

    /// Where kubectl points now.
    pub fn kubectl_server(&self) -> &str {
        &self.kubectl_server
    }

    /// The containers running on `node`, by pod name, with their start times.
    pub fn containers(&self, node: NodeId) -> &crate::sorted::SortedMap<Rc<str>, SimTime> {
        &self.kernel.containers[node]
    }

    /// An object as etcd stores it, read from the running member that has
    /// applied the most (the freshest view); `None` if no member runs or the
    /// object does not exist.
    pub fn stored_object(&self, key: &ObjectKey) -> Option<(Object, i64)> {
        let member = (0..self.etcd_members.len())
            .filter_map(|m| self.etcd_member(m))
            .max_by_key(|m| m.applied())?;
        let kv = member.store().get(&key.etcd_key())?;
        Some((Object::decode(&kv.value)?, kv.mod_revision))
    }

    /// A leader-election Lease (`kube-controller-manager`, `kube-scheduler`)
    /// as stored in etcd, with its resourceVersion.
    pub fn lease_record(&self, name: &str) -> Option<(Lease, i64)> {
        match self.stored_object(&ObjectKey::new(Kind::Lease, KUBE_SYSTEM, name))? {
            (Object::Lease(lease), rv) => Some((lease, rv)),
            _ => None,
        }
    }

    /// Every object of `kind` as stored in etcd (see [`Sim::stored_object`]).
    pub fn stored_objects(&self, kind: Kind) -> Vec<(Object, i64)> {
        let Some(member) = (0..self.etcd_members.len())
            .filter_map(|m| self.etcd_member(m))
            .max_by_key(|m| m.applied())
        else {
            return Vec::new();
        };
        member
            .store()
            .iter()
            .filter(|kv| kv.key.starts_with(kind.prefix()))
            .filter_map(|kv| Object::decode(&kv.value).map(|o| (o, kv.mod_revision)))
            .collect()
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
            Action::Scale { replicas } => {
                if *replicas > MAX_REPLICAS {
                    return Err(ActionError(format!(
                        "replicas must be 0 to {MAX_REPLICAS} (got {replicas})"
                    )));
                }
                self.emit_action(action, &target_text, None);
                let replicas = *replicas;
                self.with_kubectl(|kubectl, ctx| kubectl.scale(ctx, replicas));
                return Ok(());
            }
            Action::KubectlServer(server) => {
                let (proc, name) = self.wiring.kubectl_endpoint(server).ok_or_else(|| {
                    ActionError(format!(
                        "kubectl cannot point at \"{server}\": use \"loadbalancer\" (if there is one) or a master's name"
                    ))
                })?;
                self.emit_action(action, &target_text, None);
                self.kubectl_server = name.clone();
                self.with_kubectl(|kubectl, ctx| kubectl.set_server(ctx, proc, name));
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
            Action::Partition(_)
            | Action::Heal
            | Action::Scale { .. }
            | Action::KubectlServer(_) => {
                unreachable!("handled above")
            }
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
            NodeRef::LeaderOf(kind) => Ok(self.lease_leader(*kind).map(|p| self.procs[p].node)),
        }
    }

    /// The process that leads a Lease now (kube-controller-manager or
    /// kube-scheduler): the one that believes it holds it, running.
    pub fn lease_leader(&self, kind: ProcessKind) -> Option<ProcId> {
        self.procs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == kind && p.is_running())
            .find(|(id, _)| self.elector(*id).is_some_and(LeaderElector::is_leader))
            .map(|(id, _)| id)
    }

    /// Runs `f` on the learner's kubectl.
    fn with_kubectl(&mut self, f: impl FnOnce(&mut Kubectl, &mut Ctx)) {
        let Some(proc) = self.process_id(0, ProcessKind::Kubectl) else {
            return;
        };
        self.dispatch(proc, |program, ctx| {
            if let Program::Kubectl(kubectl) = program {
                f(kubectl, ctx);
            }
        });
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
            Action::Scale { replicas } => {
                format!("kubectl scale deployment web --replicas={replicas}")
            }
            Action::KubectlServer(server) => {
                format!("kubectl config set-cluster kubernetes --server=https://{server}:6443")
            }
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
        // Its containers die with it.
        self.kernel.containers[node].clear();
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
        self.check_workload();
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
        self.kernel.proc_incarnations[proc] = self.procs[proc].incarnation;
        self.kernel.proc_started[proc] = Some(self.kernel.now);
        let wal = if kind == ProcessKind::Etcd {
            self.nodes[node].wal.take()
        } else {
            None
        };
        let (config, wiring, server) = (
            self.config.clone(),
            self.wiring.clone(),
            self.kubectl_server.clone(),
        );
        let program = self.with_ctx(proc, |ctx| {
            Program::start(kind, ctx, node, &config, &wiring, wal, &server)
        });
        self.procs[proc].program = program;
        if kind == ProcessKind::Kubelet {
            self.kubelet_started(node);
        }
        self.check_quorum();
    }

    /// Runs `f` with a context for `proc`, then does what it asked for:
    /// its own exit, kills (the kubelet's), and the workload check when
    /// containers changed.
    fn with_ctx<R>(&mut self, proc: ProcId, f: impl FnOnce(&mut Ctx) -> R) -> R {
        let p = &mut self.procs[proc];
        let mut ctx = Ctx::new(&mut self.kernel, proc, p.incarnation, &mut p.rng);
        let result = f(&mut ctx);
        let exit = ctx.take_exit();
        let kills = ctx.take_kills();
        if let Some((code, reason)) = exit {
            self.end_process(proc, code, &reason);
        }
        for (victim, reason) in kills {
            self.end_process(victim, 137, &reason);
        }
        if std::mem::take(&mut self.kernel.containers_changed) {
            self.check_workload();
        }
        result
    }

    /// Runs one callback of `proc`'s program.
    fn dispatch(&mut self, proc: ProcId, f: impl FnOnce(&mut Program, &mut Ctx)) {
        let mut program = std::mem::replace(&mut self.procs[proc].program, Program::Idle);
        self.with_ctx(proc, |ctx| f(&mut program, ctx));
        // The program may have ended meanwhile (its process exited).
        if self.procs[proc].is_running() {
            self.procs[proc].program = program;
        } else if let Program::Etcd(member) = program {
            let node = self.procs[proc].node;
            self.nodes[node].wal = Some(member.into_wal());
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
                    ProcState::Stopped | ProcState::Exited { .. }
                        if !lost && self.nodes[b].power == Power::On =>
                    {
                        // Nothing listens on the port: a request is refused at once.
                        let envelope = self.kernel.take_envelope(slot);
                        if let Some(id) = envelope.msg.request_id() {
                            let p = &mut self.procs[to];
                            self.kernel.send(
                                &mut p.rng,
                                to,
                                p.incarnation,
                                envelope.from,
                                Some(envelope.from_incarnation),
                                Msg::Refused { id },
                            );
                        }
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

    /// How many events have been recorded since the start (drained or not).
    pub fn event_count(&self) -> u64 {
        self.kernel.event_count()
    }

    /// The workload's replica count as stored in etcd (the configured count
    /// until the Deployment exists).
    pub fn pods_desired(&self) -> u32 {
        match self.stored_object(&ObjectKey::new(Kind::Deployment, DEFAULT, WORKLOAD)) {
            Some((Object::Deployment(d), _)) => d.replicas,
            _ => self.config.replicas,
        }
    }

    /// How many pods the API has stored since the start.
    pub fn pods_created(&self) -> u64 {
        self.kernel.pods_created
    }

    /// How many pods the API has removed since the start.
    pub fn pods_deleted(&self) -> u64 {
        self.kernel.pods_deleted
    }

    /// How many workload pods run on live workers: the truth on the nodes.
    pub fn pods_running(&self) -> u32 {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == NodeRole::Worker && n.power == Power::On)
            .map(|(id, _)| self.kernel.containers[id].len() as u32)
            .sum()
    }

    /// Emits `workload_available` / `workload_unavailable` when the workload
    /// starts or stops running anywhere.
    fn check_workload(&mut self) {
        let running = self.pods_running();
        let before = self.workload_running;
        if before.is_none() && running == 0 {
            return;
        }
        self.workload_running = Some(running);
        match (before.is_some_and(|r| r > 0), running > 0) {
            (false, true) => self.kernel.emit(
                EventKind::WorkloadAvailable { running },
                None,
                "workload",
                format!("the workload is available: {running} pod(s) running on live workers"),
            ),
            (true, false) => self.kernel.emit(
                EventKind::WorkloadUnavailable,
                None,
                "workload",
                "the workload is unavailable: no pod runs on a live worker".to_owned(),
            ),
            _ => {}
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
