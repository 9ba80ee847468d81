//! kube-controller-manager: active-standby through the Lease
//! `kube-system/kube-controller-manager`, talking only to its own node's API
//! server (FIDELITY.md §5).
//!
//! While it leads (or always, with `--leader-elect=false`) it runs:
//! - the ReplicaSet controller, which keeps the workload at its replica count
//!   by creating and deleting pods, remembering what it is waiting to see
//!   (expectations) so that one instance never creates twice — but nothing
//!   stops two instances from both acting;
//! - the node lifecycle controller (FIDELITY.md §7): a node whose Lease has
//!   not been renewed for 50 s, judged on this process's own clock, becomes
//!   Ready=Unknown with the `unreachable:NoExecute` taint; its pods are
//!   evicted 300 s later, unless every node is unhealthy.
//!
//! It never releases its lease: on losing it, or on SIGTERM, it logs
//! `leaderelection lost` and exits 1.

use crate::sorted::{SortedMap, SortedSet};
use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::event::EventKind;
use crate::kube::KubeTimer;
use crate::kube::api::{ApiClient, ApiRequest, ApiResponse, CallResult};
use crate::kube::leaderelection::{
    ElectorOutcome, ElectorPhase, LeaderElectionFlags, LeaderElector,
};
use crate::kube::objects::{
    DEFAULT, KUBE_NODE_LEASE, Kind, Lease, Node, Object, ObjectKey, Pod, PodPhase, Readiness,
    WORKLOAD,
};
use crate::time::{SimDuration, SimTime};

const COMPONENT: &str = "kube-controller-manager";
/// The controllers wake on watch events; they also resync this often (and
/// renew their watches).
const RESYNC_PERIOD: SimDuration = SimDuration::from_secs(10);
/// `--node-monitor-period`.
const NODE_MONITOR_PERIOD: SimDuration = SimDuration::from_secs(5);
/// `--node-monitor-grace-period` (50 s since v1.32).
pub const NODE_MONITOR_GRACE: SimDuration = SimDuration::from_secs(50);
/// The `unreachable:NoExecute` toleration DefaultTolerationSeconds adds.
pub const TOLERATION: SimDuration = SimDuration::from_secs(300);
/// Time from winning the election to the controllers running (informers sync).
pub const CONTROLLERS_START: SimDuration = SimDuration::from_secs(1);
/// The API request timeout of the controllers.
const REQUEST_TIMEOUT: SimDuration = SimDuration::from_secs(10);
/// Expectations are forgotten after five minutes, as in the ReplicaSet controller.
const EXPECTATIONS_TTL: SimDuration = SimDuration::from_secs(300);

/// What one of the controllers' requests was for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    ListPods,
    ListDeployments,
    CreatePod(Rc<str>),
    DeletePod(Rc<str>),
    MonitorNodes,
    MonitorLeases,
    MonitorPods,
    UpdateNode(Rc<str>),
    EvictPod(Rc<str>),
}

/// The ReplicaSet controller's memory.
#[derive(Clone, Debug, Default)]
struct ReplicaSetController {
    /// A change arrived while a sync was running: sync again after it.
    dirty: bool,
    pods: Option<Vec<(Pod, i64)>>,
    replicas: Option<Option<u32>>,
    /// Pods this instance created or deleted and has not yet seen so.
    expect_created: SortedSet<Rc<str>>,
    expect_deleted: SortedSet<Rc<str>>,
    expectations_set: Option<SimTime>,
}

/// A node's heartbeats: its Lease's renewTime and its status's lastHeartbeatTime.
type Heartbeat = (Option<SimTime>, SimTime);

/// The node lifecycle controller's memory.
#[derive(Clone, Debug, Default)]
struct NodeLifecycle {
    nodes: Option<Vec<(Node, i64)>>,
    leases: Option<Vec<Lease>>,
    pods: Option<Vec<(Pod, i64)>>,
    /// Per node: the heartbeats last seen and when this process saw one change.
    probes: SortedMap<Rc<str>, (Heartbeat, SimTime)>,
    disruption: bool,
}

/// A running kube-controller-manager.
#[derive(Clone, Debug)]
pub struct ControllerManager {
    pub elector: Option<LeaderElector>,
    client: ApiClient<Call>,
    /// Whether the controllers run (after winning, or without leader election).
    pub controllers_running: bool,
    rs: ReplicaSetController,
    nlc: NodeLifecycle,
}

impl ControllerManager {
    /// Starts with `flags`, talking to the API server `server` on its own node.
    pub fn start(
        ctx: &mut Ctx,
        flags: LeaderElectionFlags,
        hostname: &str,
        server: ProcId,
        server_name: Rc<str>,
    ) -> ControllerManager {
        let mut kcm = ControllerManager {
            elector: None,
            client: ApiClient::new(server, server_name.clone()),
            controllers_running: false,
            rs: ReplicaSetController::default(),
            nlc: NodeLifecycle::default(),
        };
        if flags.leader_elect {
            let identity = format!("{hostname}_{}", ctx.rng().uuid());
            let mut elector = LeaderElector::new(
                flags,
                "kube-controller-manager",
                identity,
                false,
                server,
                server_name,
                1 << 40,
            );
            elector.start(ctx, COMPONENT);
            kcm.elector = Some(elector);
        } else {
            ctx.log(
                EventKind::Log,
                COMPONENT,
                "leader election is disabled (--leader-elect=false): starting controllers"
                    .to_owned(),
            );
            ctx.set_timer(
                ctx.now + CONTROLLERS_START,
                Timer::Kube(KubeTimer::ControllersStarted),
            );
        }
        kcm
    }

    /// Whether this process believes it holds the lease.
    pub fn is_leader(&self) -> bool {
        self.elector
            .as_ref()
            .is_some_and(|e| e.phase == ElectorPhase::Leading)
    }

    /// `/healthz`: with leader election, the leader's watchdog fails when its
    /// own view of the lease is older than the lease duration plus 20 s.
    pub fn healthy(&self, now: SimTime) -> bool {
        match &self.elector {
            Some(e) if e.phase == ElectorPhase::Leading => e
                .observed_time
                .is_none_or(|t| now - t <= e.flags.lease_duration + SimDuration::from_secs(20)),
            _ => true,
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, msg: Msg) {
        if let Some(outcome) =
            (self.elector.as_mut()).and_then(|e| e.take_message(ctx, COMPONENT, from, &msg))
        {
            self.after_election(ctx, outcome);
            return;
        }
        if let Msg::ApiWatchEvent {
            kind: Kind::Pod | Kind::Deployment,
        } = msg
        {
            self.sync(ctx);
            return;
        }
        if let Some((call, result)) = self.client.complete(&msg, from) {
            self.on_result(ctx, call, result);
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: KubeTimer) {
        if let Some(outcome) =
            (self.elector.as_mut()).and_then(|e| e.take_timer(ctx, COMPONENT, timer))
        {
            self.after_election(ctx, outcome);
            return;
        }
        match timer {
            KubeTimer::CallTimeout { client, at } if self.client.owns_timer(client) => {
                for (call, result) in self.client.timed_out(ctx, at) {
                    self.on_result(ctx, call, result);
                }
            }
            KubeTimer::ControllersStarted if self.elector.is_none() || self.is_leader() => {
                self.controllers_running = true;
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    "Started controllers: replicaset, node-lifecycle".to_owned(),
                );
                self.resync(ctx);
                self.monitor(ctx);
            }
            KubeTimer::ControllerSync => self.resync(ctx),
            KubeTimer::NodeMonitor => self.monitor(ctx),
            _ => {}
        }
    }

    /// SIGTERM: the context is cancelled; without ReleaseOnCancel the lease
    /// is left to expire, and `OnStoppedLeading` exits 1.
    pub fn on_sigterm(&mut self, ctx: &mut Ctx) {
        match &mut self.elector {
            Some(elector) => {
                elector.cancel(ctx, COMPONENT);
                self.stopped_leading(ctx);
            }
            None => ctx.exit(0, "stopped (SIGTERM)"),
        }
    }

    fn after_election(&mut self, ctx: &mut Ctx, outcome: ElectorOutcome) {
        match outcome {
            ElectorOutcome::StartedLeading => {
                ctx.set_timer(
                    ctx.now + CONTROLLERS_START,
                    Timer::Kube(KubeTimer::ControllersStarted),
                );
            }
            ElectorOutcome::StoppedLeading | ElectorOutcome::Released => self.stopped_leading(ctx),
            ElectorOutcome::Nothing => {}
        }
    }

    fn stopped_leading(&mut self, ctx: &mut Ctx) {
        self.controllers_running = false;
        ctx.log(EventKind::Log, COMPONENT, "leaderelection lost".to_owned());
        ctx.exit(1, "leaderelection lost");
    }

    // ---- the ReplicaSet controller -------------------------------------

    /// The periodic resync: renew the watches and sync.
    fn resync(&mut self, ctx: &mut Ctx) {
        if !self.controllers_running {
            return;
        }
        ctx.set_timer(
            ctx.now + RESYNC_PERIOD,
            Timer::Kube(KubeTimer::ControllerSync),
        );
        self.client.watch(ctx, Kind::Pod);
        self.client.watch(ctx, Kind::Deployment);
        self.sync(ctx);
    }

    /// Lists what the ReplicaSet controller needs, unless a list is already
    /// on its way (then it syncs again when that one is done).
    fn sync(&mut self, ctx: &mut Ctx) {
        if !self.controllers_running {
            return;
        }
        if self
            .client
            .is_waiting(|c| matches!(c, Call::ListPods | Call::ListDeployments))
        {
            self.rs.dirty = true;
            return;
        }
        self.rs.dirty = false;
        self.rs.pods = None;
        self.rs.replicas = None;
        self.client.call(
            ctx,
            ApiRequest::List {
                kind: Kind::Pod,
                cached: true,
            },
            REQUEST_TIMEOUT,
            Call::ListPods,
        );
        self.client.call(
            ctx,
            ApiRequest::List {
                kind: Kind::Deployment,
                cached: true,
            },
            REQUEST_TIMEOUT,
            Call::ListDeployments,
        );
    }

    /// Compares the pods with the replica count and creates or deletes.
    fn reconcile(&mut self, ctx: &mut Ctx) {
        if self.rs.pods.is_none() || self.rs.replicas.is_none() {
            return; // the other list is still on its way
        }
        if self.rs.dirty {
            self.sync(ctx);
        }
        let (Some(pods), Some(Some(replicas))) = (self.rs.pods.take(), self.rs.replicas.take())
        else {
            return; // no Deployment yet
        };
        let owned: Vec<&Pod> = pods
            .iter()
            .map(|(p, _)| p)
            .filter(|p| &*p.owner == WORKLOAD)
            .collect();
        // Expectations: wait until what this instance did shows up.
        self.rs
            .expect_created
            .retain(|name| !owned.iter().any(|p| &p.name == name));
        self.rs
            .expect_deleted
            .retain(|name| owned.iter().any(|p| &p.name == name));
        let expired = self
            .rs
            .expectations_set
            .is_some_and(|t| ctx.now - t >= EXPECTATIONS_TTL);
        let satisfied = self.rs.expect_created.is_empty() && self.rs.expect_deleted.is_empty();
        if !satisfied && !expired {
            return;
        }
        self.rs.expect_created.clear();
        self.rs.expect_deleted.clear();
        let have = owned.len() as i64;
        let want = i64::from(replicas);
        if have < want {
            for _ in have..want {
                let name: Rc<str> = format!("{WORKLOAD}-{}", pod_suffix(ctx)).into();
                let pod = Pod {
                    name: name.clone(),
                    owner: WORKLOAD.into(),
                    node_name: None,
                    phase: PodPhase::Pending,
                    created: ctx.now,
                };
                self.rs.expect_created.insert(name.clone());
                self.client.call(
                    ctx,
                    ApiRequest::Create {
                        object: Object::Pod(pod),
                    },
                    REQUEST_TIMEOUT,
                    Call::CreatePod(name),
                );
            }
            self.rs.expectations_set = Some(ctx.now);
        } else if have > want {
            // The ReplicaSet controller's ranking: unscheduled first, then
            // pending, then the newest; every instance picks the same pods.
            let mut victims: Vec<&Pod> = owned.clone();
            victims.sort_by(|a, b| {
                (
                    a.node_name.is_some(),
                    a.phase == PodPhase::Running,
                    std::cmp::Reverse(a.created),
                    &a.name,
                )
                    .cmp(&(
                        b.node_name.is_some(),
                        b.phase == PodPhase::Running,
                        std::cmp::Reverse(b.created),
                        &b.name,
                    ))
            });
            let names: Vec<Rc<str>> = victims
                .iter()
                .take((have - want) as usize)
                .map(|p| p.name.clone())
                .collect();
            for name in names {
                self.rs.expect_deleted.insert(name.clone());
                self.client.call(
                    ctx,
                    ApiRequest::Delete {
                        key: ObjectKey::new(Kind::Pod, DEFAULT, &name),
                    },
                    REQUEST_TIMEOUT,
                    Call::DeletePod(name),
                );
            }
            self.rs.expectations_set = Some(ctx.now);
        }
    }

    // ---- the node lifecycle controller ---------------------------------

    fn monitor(&mut self, ctx: &mut Ctx) {
        if !self.controllers_running {
            return;
        }
        ctx.set_timer(
            ctx.now + NODE_MONITOR_PERIOD,
            Timer::Kube(KubeTimer::NodeMonitor),
        );
        if self.client.is_waiting(|c| {
            matches!(
                c,
                Call::MonitorNodes | Call::MonitorLeases | Call::MonitorPods
            )
        }) {
            return;
        }
        self.nlc.nodes = None;
        self.nlc.leases = None;
        self.nlc.pods = None;
        for (kind, call) in [
            (Kind::Node, Call::MonitorNodes),
            (Kind::Lease, Call::MonitorLeases),
            (Kind::Pod, Call::MonitorPods),
        ] {
            self.client.call(
                ctx,
                ApiRequest::List { kind, cached: true },
                REQUEST_TIMEOUT,
                call,
            );
        }
    }

    fn monitor_nodes(&mut self, ctx: &mut Ctx) {
        if self.nlc.nodes.is_none() || self.nlc.leases.is_none() || self.nlc.pods.is_none() {
            return;
        }
        let nodes = self.nlc.nodes.take().unwrap_or_default();
        let leases = self.nlc.leases.take().unwrap_or_default();
        let pods = self.nlc.pods.take().unwrap_or_default();
        let now = ctx.now;
        // Each node's heartbeats, as this process observes them.
        for (node, _) in &nodes {
            let renew = leases
                .iter()
                .find(|l| &*l.namespace == KUBE_NODE_LEASE && l.name == node.name)
                .and_then(|l| l.renew_time);
            let heartbeat = (renew, node.last_heartbeat);
            let probe = self
                .nlc
                .probes
                .get_or_insert_with(node.name.clone(), || (heartbeat, now));
            if probe.0 != heartbeat {
                *probe = (heartbeat, now);
            }
        }
        let stale = |name: &Rc<str>| {
            self.nlc
                .probes
                .get(name)
                .is_some_and(|(_, seen)| now - *seen > NODE_MONITOR_GRACE)
        };
        let healthy = nodes
            .iter()
            .filter(|(n, _)| n.ready == Readiness::True && !stale(&n.name))
            .count();
        let disruption = !nodes.is_empty() && healthy == 0;
        if disruption != self.nlc.disruption {
            self.nlc.disruption = disruption;
            let text = if disruption {
                "Controller detected that all Nodes are not-Ready. Entering master disruption mode."
            } else {
                "Controller detected that some Nodes are Ready. Exiting master disruption mode."
            };
            ctx.log(EventKind::Log, COMPONENT, text.to_owned());
        }
        for (node, rv) in &nodes {
            let update = if stale(&node.name) && node.ready == Readiness::True {
                let seen = self.nlc.probes.get(&node.name).map_or(now, |(_, s)| *s);
                ctx.log(
                    EventKind::NodeNotReady {
                        node_name: node.name.to_string(),
                    },
                    COMPONENT,
                    format!(
                        "Node {} hasn't been updated for {}: Kubelet stopped posting node status. Marking it Ready=Unknown and adding taint node.kubernetes.io/unreachable:NoExecute",
                        node.name,
                        (now - seen).round_down_to(SimDuration::from_millis(100))
                    ),
                );
                Some(Node {
                    ready: Readiness::Unknown,
                    ready_since: now,
                    unreachable_since: Some(now),
                    ..node.clone()
                })
            } else if !stale(&node.name)
                && node.ready == Readiness::True
                && node.unreachable_since.is_some()
            {
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    format!(
                        "Node {} is Ready again: removing taint node.kubernetes.io/unreachable",
                        node.name
                    ),
                );
                Some(Node {
                    unreachable_since: None,
                    ..node.clone()
                })
            } else {
                None
            };
            if let Some(updated) = update {
                self.client.call(
                    ctx,
                    ApiRequest::Update {
                        object: Object::Node(updated),
                        resource_version: *rv,
                    },
                    REQUEST_TIMEOUT,
                    Call::UpdateNode(node.name.clone()),
                );
            }
        }
        if self.nlc.disruption {
            return;
        }
        // The taint manager: evict what has outstayed its toleration.
        for (pod, _) in &pods {
            let Some(node) = pod
                .node_name
                .as_ref()
                .and_then(|n| nodes.iter().find(|(node, _)| &node.name == n))
            else {
                continue;
            };
            let Some(since) = node.0.unreachable_since else {
                continue;
            };
            if now - since >= TOLERATION {
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    format!("Marking for deletion Pod default/{} (taint node.kubernetes.io/unreachable, tolerationSeconds 300)", pod.name),
                );
                self.client.call(
                    ctx,
                    ApiRequest::Delete {
                        key: ObjectKey::new(Kind::Pod, DEFAULT, &pod.name),
                    },
                    REQUEST_TIMEOUT,
                    Call::EvictPod(pod.name.clone()),
                );
            }
        }
    }

    fn on_result(&mut self, ctx: &mut Ctx, call: Call, result: CallResult) {
        let server = self.client.server_name.clone();
        match (call, result) {
            (Call::ListPods, Ok(ApiResponse::List { items, .. })) => {
                self.rs.pods = Some(pods_of(items));
                self.reconcile(ctx);
            }
            (Call::ListDeployments, Ok(ApiResponse::List { items, .. })) => {
                let replicas = items.iter().find_map(|(o, _)| {
                    o.as_deployment()
                        .filter(|d| &*d.name == WORKLOAD)
                        .map(|d| d.replicas)
                });
                self.rs.replicas = Some(replicas);
                self.reconcile(ctx);
            }
            (Call::CreatePod(name), Ok(_)) => {
                ctx.log(EventKind::Log, COMPONENT, format!("Created pod: {name}"));
            }
            (Call::CreatePod(name), Err(e)) => {
                self.rs.expect_created.remove(&name);
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    format!("Error creating pod {name}: {}", e.describe(&server)),
                );
            }
            (Call::DeletePod(name), result) => match result {
                Ok(_) => ctx.log(EventKind::Log, COMPONENT, format!("Deleted pod: {name}")),
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    self.rs.expect_deleted.remove(&name);
                    ctx.log(
                        EventKind::Log,
                        COMPONENT,
                        format!("Error deleting pod {name}: {}", e.describe(&server)),
                    );
                }
            },
            (Call::MonitorNodes, Ok(ApiResponse::List { items, .. })) => {
                self.nlc.nodes = Some(
                    items
                        .into_iter()
                        .filter_map(|(o, rv)| o.as_node().cloned().map(|n| (n, rv)))
                        .collect(),
                );
                self.monitor_nodes(ctx);
            }
            (Call::MonitorLeases, Ok(ApiResponse::List { items, .. })) => {
                self.nlc.leases = Some(
                    items
                        .into_iter()
                        .filter_map(|(o, _)| o.as_lease().cloned())
                        .collect(),
                );
                self.monitor_nodes(ctx);
            }
            (Call::MonitorPods, Ok(ApiResponse::List { items, .. })) => {
                self.nlc.pods = Some(pods_of(items));
                self.monitor_nodes(ctx);
            }
            (
                Call::ListPods
                | Call::ListDeployments
                | Call::MonitorNodes
                | Call::MonitorLeases
                | Call::MonitorPods,
                Err(e),
            ) => {
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    format!("Failed to list from {server}: {}", e.describe(&server)),
                );
            }
            (Call::UpdateNode(node), Err(e)) => {
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    format!("Error updating node {node}: {}", e.describe(&server)),
                );
            }
            (Call::EvictPod(pod), Err(e)) if !e.is_not_found() => {
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    format!("Error evicting pod default/{pod}: {}", e.describe(&server)),
                );
            }
            (Call::UpdateNode(_), Ok(_)) | (Call::EvictPod(_), _) => {}
            (_, Ok(_)) => {}
        }
    }
}

fn pods_of(items: Vec<(Rc<Object>, i64)>) -> Vec<(Pod, i64)> {
    items
        .into_iter()
        .filter_map(|(o, rv)| o.as_pod().cloned().map(|p| (p, rv)))
        .collect()
}

/// Five characters from the alphabet Kubernetes uses for generated names.
fn pod_suffix(ctx: &mut Ctx) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[ctx.rng().below(ALPHABET.len() as u64) as usize] as char)
        .collect()
}
