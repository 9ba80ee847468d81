//! The kubelet on every node (FIDELITY.md §4, §7).
//!
//! - It registers its Node and renews its Lease `kube-node-lease/<node>` every
//!   10 s (0.25 × 40 s), retrying failures with a back-off from 200 ms to 7 s.
//! - It keeps its Node `Ready=True` (checked every 10 s).
//! - It runs the pods bound to its node and stops the ones that are gone;
//!   containers belong to the node, so they keep running while the kubelet or
//!   the whole control plane is down.
//! - It probes its static pods as kubeadm configures them: a startup probe
//!   (up to 24 failures), then a liveness probe every 10 s with a 15 s timeout,
//!   and kills a container after 8 consecutive failures.
//!
//! Workers reach the API through the load balancer; a control-plane node's
//! kubelet uses its own API server (ControlPlaneKubeletLocalMode).

use std::rc::Rc;

use crate::cluster::ProcessKind;
use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::event::EventKind;
use crate::kube::KubeTimer;
use crate::kube::api::{ApiClient, ApiRequest, ApiResponse, CallResult};
use crate::kube::objects::{
    KUBE_NODE_LEASE, Kind, Lease, Node, Object, ObjectKey, Pod, PodPhase, Readiness,
};
use crate::time::{SimDuration, SimTime};

const COMPONENT: &str = "kubelet";
/// `nodeLeaseDurationSeconds`.
const NODE_LEASE_DURATION: i64 = 40;
/// The lease is renewed every 0.25 × 40 s.
const LEASE_RENEW: SimDuration = SimDuration::from_secs(10);
const LEASE_BACKOFF_MIN: SimDuration = SimDuration::from_millis(200);
const LEASE_BACKOFF_MAX: SimDuration = SimDuration::from_secs(7);
/// `nodeStatusUpdateFrequency`, and how often the lab's kubelet looks for its pods.
const NODE_SYNC: SimDuration = SimDuration::from_secs(10);
const POD_SYNC: SimDuration = SimDuration::from_secs(2);
const REQUEST_TIMEOUT: SimDuration = SimDuration::from_secs(10);
/// How long the kubelet initialises before it first contacts the API.
const FIRST_CONTACT: SimDuration = SimDuration::from_secs(2);
/// kubeadm's probes on static pods.
const PROBE_PERIOD: SimDuration = SimDuration::from_secs(10);
const PROBE_TIMEOUT: SimDuration = SimDuration::from_secs(15);
const PROBE_INITIAL_DELAY: SimDuration = SimDuration::from_secs(10);
const STARTUP_FAILURES: u32 = 24;
const LIVENESS_FAILURES: u32 = 8;
/// Probe request ids are numbered apart from API requests.
const PROBE_ID_BASE: u64 = 1 << 41;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    GetNode,
    CreateNode,
    UpdateNode,
    GetLease,
    CreateLease,
    UpdateLease,
    ListPods,
    UpdatePod(Rc<str>),
}

/// The kubelet's probes of one static pod.
#[derive(Clone, Debug)]
pub struct StaticPod {
    pub proc: ProcId,
    pub kind: ProcessKind,
    path: &'static str,
    /// The container start this state is about.
    incarnation: u32,
    pub startup_done: bool,
    pub failures: u32,
    in_flight: Option<(u64, SimTime)>,
}

/// A running kubelet.
#[derive(Clone, Debug)]
pub struct Kubelet {
    node_name: Rc<str>,
    control_plane: bool,
    /// `None` for a standalone kubelet (an external etcd node), which only
    /// runs and probes its static pods.
    client: Option<ApiClient<Call>>,
    lease: Option<(Lease, i64)>,
    lease_backoff: SimDuration,
    pub static_pods: Vec<StaticPod>,
    next_probe_id: u64,
    /// Containers being started: (slot, pod, resourceVersion of the pod seen).
    starting: Vec<(u32, Pod, i64)>,
    next_slot: u32,
}

impl Kubelet {
    /// Starts on `node_name`, talking to `server` (none: standalone),
    /// probing `static_pods`.
    pub fn start(
        ctx: &mut Ctx,
        node_name: Rc<str>,
        control_plane: bool,
        server: Option<(ProcId, Rc<str>)>,
        static_pods: &[(ProcId, ProcessKind)],
    ) -> Kubelet {
        let kubelet = Kubelet {
            node_name,
            control_plane,
            client: server.map(|(proc, name)| ApiClient::new(proc, name)),
            lease: None,
            lease_backoff: LEASE_BACKOFF_MIN,
            static_pods: static_pods
                .iter()
                .map(|&(proc, kind)| StaticPod {
                    proc,
                    kind,
                    path: probe_path(kind),
                    incarnation: 0,
                    startup_done: false,
                    failures: 0,
                    in_flight: None,
                })
                .collect(),
            next_probe_id: 1,
            starting: Vec::new(),
            next_slot: 0,
        };
        let now = ctx.now;
        if kubelet.client.is_some() {
            // The first registration comes once the kubelet has initialised.
            let first = now + FIRST_CONTACT;
            ctx.set_timer(first, Timer::Kube(KubeTimer::NodeSync));
            ctx.set_timer(first, Timer::Kube(KubeTimer::PodSync));
            ctx.set_timer(first, Timer::Kube(KubeTimer::NodeLeaseRenew));
        }
        for pod in &kubelet.static_pods {
            ctx.set_timer(
                now + PROBE_PERIOD,
                Timer::Kube(KubeTimer::Probe { proc: pod.proc }),
            );
        }
        kubelet
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: KubeTimer) {
        match timer {
            KubeTimer::CallTimeout { at, .. } => {
                let expired = self
                    .client
                    .as_mut()
                    .map(|c| c.timed_out(ctx, at))
                    .unwrap_or_default();
                for (call, result) in expired {
                    self.on_result(ctx, call, result);
                }
            }
            KubeTimer::NodeLeaseRenew => self.renew_lease(ctx),
            KubeTimer::NodeSync => {
                ctx.set_timer(ctx.now + NODE_SYNC, Timer::Kube(KubeTimer::NodeSync));
                let key = ObjectKey::new(Kind::Node, "", &self.node_name);
                let Some(client) = &mut self.client else {
                    return;
                };
                if !client.is_waiting(|c| {
                    matches!(c, Call::GetNode | Call::CreateNode | Call::UpdateNode)
                }) {
                    client.call(ctx, ApiRequest::Get { key }, REQUEST_TIMEOUT, Call::GetNode);
                }
            }
            KubeTimer::PodSync => {
                ctx.set_timer(ctx.now + POD_SYNC, Timer::Kube(KubeTimer::PodSync));
                self.sync_pods(ctx);
            }
            KubeTimer::Probe { proc } => self.probe(ctx, proc),
            KubeTimer::ContainerStarted { slot } => self.container_started(ctx, slot),
            _ => {}
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, msg: Msg) {
        match &msg {
            Msg::ApiReply { id, response } if *id >= PROBE_ID_BASE => {
                let ok = matches!(&**response, ApiResponse::Probe { ok: true, .. });
                self.probe_result(ctx, *id, ok, "HTTP probe failed with statuscode: 500");
            }
            Msg::Refused { id } if *id >= PROBE_ID_BASE => {
                // The container is not listening: it is not running, nothing to count.
                if let Some(pod) = self
                    .static_pods
                    .iter_mut()
                    .find(|p| p.in_flight.is_some_and(|(i, _)| i == *id))
                {
                    pod.in_flight = None;
                }
            }
            _ => {
                if let Some((call, result)) =
                    self.client.as_mut().and_then(|c| c.complete(&msg, from))
                {
                    self.on_result(ctx, call, result);
                }
            }
        }
    }

    // ---- the node lease ------------------------------------------------

    fn renew_lease(&mut self, ctx: &mut Ctx) {
        let Some(client) = &mut self.client else {
            return;
        };
        if client
            .is_waiting(|c| matches!(c, Call::GetLease | Call::CreateLease | Call::UpdateLease))
        {
            return;
        }
        let now = ctx.now;
        match &self.lease {
            Some((lease, rv)) => {
                let renewed = Lease {
                    renew_time: Some(now),
                    ..lease.clone()
                };
                client.call(
                    ctx,
                    ApiRequest::Update {
                        object: Object::Lease(renewed),
                        resource_version: *rv,
                    },
                    REQUEST_TIMEOUT,
                    Call::UpdateLease,
                );
            }
            None => {
                let key = ObjectKey::new(Kind::Lease, KUBE_NODE_LEASE, &self.node_name);
                client.call(
                    ctx,
                    ApiRequest::Get { key },
                    REQUEST_TIMEOUT,
                    Call::GetLease,
                );
            }
        }
    }

    fn lease_failed(&mut self, ctx: &mut Ctx, why: String) {
        let retry = self.lease_backoff;
        self.lease_backoff = (self.lease_backoff * 2).min(LEASE_BACKOFF_MAX);
        ctx.log(
            EventKind::Log,
            COMPONENT,
            format!("failed to update lease, will retry after {retry}: {why}"),
        );
        ctx.set_timer(ctx.now + retry, Timer::Kube(KubeTimer::NodeLeaseRenew));
    }

    fn lease_renewed(&mut self, ctx: &mut Ctx, lease: Lease, rv: i64) {
        self.lease = Some((lease, rv));
        self.lease_backoff = LEASE_BACKOFF_MIN;
        ctx.set_timer(
            ctx.now + LEASE_RENEW,
            Timer::Kube(KubeTimer::NodeLeaseRenew),
        );
    }

    // ---- pods ------------------------------------------------------------

    fn sync_pods(&mut self, ctx: &mut Ctx) {
        let Some(client) = &mut self.client else {
            return;
        };
        if !client.is_waiting(|c| *c == Call::ListPods) {
            client.call(
                ctx,
                ApiRequest::List {
                    kind: Kind::Pod,
                    cached: true,
                },
                REQUEST_TIMEOUT,
                Call::ListPods,
            );
        }
    }

    /// Starts the containers of pods newly bound here; stops those gone.
    fn reconcile_pods(&mut self, ctx: &mut Ctx, pods: Vec<(Pod, i64)>) {
        let mine: Vec<(Pod, i64)> = pods
            .into_iter()
            .filter(|(p, _)| p.node_name.as_deref() == Some(&*self.node_name))
            .collect();
        let running: Vec<Rc<str>> = ctx.containers().keys().cloned().collect();
        for name in running {
            if !mine.iter().any(|(p, _)| p.name == name) {
                ctx.containers().remove(&name);
                ctx.log(
                    EventKind::PodStopped {
                        pod: name.to_string(),
                    },
                    COMPONENT,
                    format!("Killing container web in pod default/{name}: the pod was deleted"),
                );
            }
        }
        for (pod, rv) in mine {
            if ctx.containers().contains_key(&pod.name) {
                // Running: make sure the API knows.
                if pod.phase != PodPhase::Running {
                    self.report_running(ctx, pod, rv);
                }
                continue;
            }
            if self.starting.iter().any(|(_, p, _)| p.name == pod.name) {
                continue;
            }
            let slot = self.next_slot;
            self.next_slot += 1;
            let delay = ctx.rng().duration_between(
                SimDuration::from_millis(500),
                SimDuration::from_millis(1_500),
            );
            self.starting.push((slot, pod, rv));
            ctx.set_timer(
                ctx.now + delay,
                Timer::Kube(KubeTimer::ContainerStarted { slot }),
            );
        }
    }

    fn container_started(&mut self, ctx: &mut Ctx, slot: u32) {
        let Some(pos) = self.starting.iter().position(|(s, _, _)| *s == slot) else {
            return;
        };
        let (_, pod, rv) = self.starting.swap_remove(pos);
        let name = pod.name.clone();
        let now = ctx.now;
        ctx.containers().insert(name.clone(), now);
        ctx.log(
            EventKind::PodStarted {
                pod: name.to_string(),
            },
            COMPONENT,
            format!("Started container web in pod default/{name}"),
        );
        self.report_running(ctx, pod, rv);
    }

    fn report_running(&mut self, ctx: &mut Ctx, pod: Pod, rv: i64) {
        let Some(client) = &mut self.client else {
            return;
        };
        if client.is_waiting(|c| *c == Call::UpdatePod(pod.name.clone())) {
            return;
        }
        let name = pod.name.clone();
        let running = Pod {
            phase: PodPhase::Running,
            ..pod
        };
        client.call(
            ctx,
            ApiRequest::Update {
                object: Object::Pod(running),
                resource_version: rv,
            },
            REQUEST_TIMEOUT,
            Call::UpdatePod(name),
        );
    }

    // ---- static pod probes -----------------------------------------------

    fn probe(&mut self, ctx: &mut Ctx, proc: ProcId) {
        ctx.set_timer(
            ctx.now + PROBE_PERIOD,
            Timer::Kube(KubeTimer::Probe { proc }),
        );
        let incarnation = ctx.incarnation_of(proc);
        let started = ctx.started_at(proc);
        let Some(pod) = self.static_pods.iter_mut().find(|p| p.proc == proc) else {
            return;
        };
        if pod.incarnation != incarnation {
            // A new container: its probes start over.
            pod.incarnation = incarnation;
            pod.startup_done = false;
            pod.failures = 0;
            pod.in_flight = None;
        }
        if started.is_none_or(|s| ctx.now - s < PROBE_INITIAL_DELAY) {
            return;
        }
        if let Some((id, sent)) = pod.in_flight {
            if ctx.now - sent < PROBE_TIMEOUT {
                return; // the previous probe is still waiting
            }
            self.probe_result(
                ctx,
                id,
                false,
                "Get: context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            );
        }
        let Some(pod) = self.static_pods.iter_mut().find(|p| p.proc == proc) else {
            return;
        };
        let id = PROBE_ID_BASE + self.next_probe_id;
        self.next_probe_id += 1;
        pod.in_flight = Some((id, ctx.now));
        let path = pod.path;
        ctx.send(
            proc,
            Msg::Api {
                id,
                request: Rc::new(ApiRequest::Probe { path }),
            },
        );
    }

    fn probe_result(&mut self, ctx: &mut Ctx, id: u64, ok: bool, why: &str) {
        let Some(pod) = self
            .static_pods
            .iter_mut()
            .find(|p| p.in_flight.is_some_and(|(i, _)| i == id))
        else {
            return;
        };
        pod.in_flight = None;
        if ok {
            pod.startup_done = true;
            pod.failures = 0;
            return;
        }
        pod.failures += 1;
        let (probe, threshold) = if pod.startup_done {
            ("Liveness", LIVENESS_FAILURES)
        } else {
            ("Startup", STARTUP_FAILURES)
        };
        let (kind, proc, failures) = (pod.kind, pod.proc, pod.failures);
        ctx.log(
            EventKind::Log,
            COMPONENT,
            format!("{probe} probe failed for {kind} ({failures}/{threshold}): {why}"),
        );
        if failures >= threshold {
            pod.failures = 0;
            pod.startup_done = false;
            ctx.log(
                EventKind::Log,
                COMPONENT,
                format!(
                    "Container {kind} failed {} probe, will be restarted",
                    probe.to_ascii_lowercase()
                ),
            );
            ctx.kill(
                proc,
                &format!(
                    "killed by the kubelet: failed {} probe",
                    probe.to_ascii_lowercase()
                ),
            );
        }
    }

    // ---- API results ---------------------------------------------------------

    fn on_result(&mut self, ctx: &mut Ctx, call: Call, result: CallResult) {
        let Some(client) = &mut self.client else {
            return;
        };
        let server = client.server_name.clone();
        let now = ctx.now;
        match (call, result) {
            (
                Call::GetNode,
                Ok(ApiResponse::Object {
                    object: Object::Node(node),
                    resource_version,
                }),
            ) => {
                if node.ready != Readiness::True {
                    let ready = Node {
                        ready: Readiness::True,
                        ready_since: now,
                        last_heartbeat: now,
                        ..node
                    };
                    client.call(
                        ctx,
                        ApiRequest::Update {
                            object: Object::Node(ready),
                            resource_version,
                        },
                        REQUEST_TIMEOUT,
                        Call::UpdateNode,
                    );
                }
            }
            (Call::GetNode, Err(e)) if e.is_not_found() => {
                let node = Node {
                    name: self.node_name.clone(),
                    control_plane: self.control_plane,
                    ready: Readiness::True,
                    ready_since: now,
                    last_heartbeat: now,
                    unreachable_since: None,
                };
                client.call(
                    ctx,
                    ApiRequest::Create {
                        object: Object::Node(node),
                    },
                    REQUEST_TIMEOUT,
                    Call::CreateNode,
                );
            }
            (Call::CreateNode, Ok(_)) => {
                ctx.log(
                    EventKind::NodeReady {
                        node_name: self.node_name.to_string(),
                    },
                    COMPONENT,
                    format!("Successfully registered node {}", self.node_name),
                );
            }
            (Call::UpdateNode, Ok(_)) => {
                ctx.log(
                    EventKind::NodeReady {
                        node_name: self.node_name.to_string(),
                    },
                    COMPONENT,
                    format!("Node {} status is now: NodeReady", self.node_name),
                );
            }
            (
                Call::GetLease,
                Ok(ApiResponse::Object {
                    object: Object::Lease(lease),
                    resource_version,
                }),
            ) => {
                self.lease = Some((lease, resource_version));
                self.renew_lease(ctx);
            }
            (Call::GetLease, Err(e)) if e.is_not_found() => {
                let lease = Lease {
                    namespace: KUBE_NODE_LEASE.into(),
                    name: self.node_name.clone(),
                    holder_identity: self.node_name.to_string(),
                    lease_duration_seconds: NODE_LEASE_DURATION,
                    acquire_time: Some(now),
                    renew_time: Some(now),
                    lease_transitions: 0,
                };
                client.call(
                    ctx,
                    ApiRequest::Create {
                        object: Object::Lease(lease),
                    },
                    REQUEST_TIMEOUT,
                    Call::CreateLease,
                );
            }
            (
                Call::CreateLease | Call::UpdateLease,
                Ok(ApiResponse::Object {
                    object: Object::Lease(lease),
                    resource_version,
                }),
            ) => {
                self.lease_renewed(ctx, lease, resource_version);
            }
            (Call::UpdateLease | Call::CreateLease, Err(e)) if e.is_conflict() => {
                // Someone else wrote it: read it again at once.
                self.lease = None;
                self.renew_lease(ctx);
            }
            (Call::GetLease | Call::CreateLease | Call::UpdateLease, Err(e)) => {
                self.lease_failed(ctx, e.describe(&server));
            }
            (Call::GetLease | Call::CreateLease | Call::UpdateLease, Ok(_)) => {
                self.lease_failed(ctx, "unexpected response".to_owned());
            }
            (Call::ListPods, Ok(ApiResponse::List { items, .. })) => {
                let pods = items
                    .into_iter()
                    .filter_map(|(o, rv)| o.as_pod().cloned().map(|p| (p, rv)))
                    .collect();
                self.reconcile_pods(ctx, pods);
            }
            (
                Call::GetNode
                | Call::CreateNode
                | Call::UpdateNode
                | Call::ListPods
                | Call::UpdatePod(_),
                _,
            ) => {}
        }
    }
}

/// The health endpoint kubeadm's probes use for each static pod.
fn probe_path(kind: ProcessKind) -> &'static str {
    match kind {
        ProcessKind::KubeApiserver => "/livez",
        ProcessKind::Etcd => "/health?exclude=NOSPACE&serializable=true",
        ProcessKind::KubeControllerManager | ProcessKind::KubeScheduler => "/healthz",
        ProcessKind::Kubelet
        | ProcessKind::Haproxy
        | ProcessKind::Benchmark
        | ProcessKind::Kubectl => "/healthz",
    }
}
