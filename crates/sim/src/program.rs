//! What each process runs, and who talks to whom, as kubeadm wires an HA
//! cluster (FIDELITY.md §4, §5):
//!
//! - kube-apiserver's `--etcd-servers`: stacked, `https://127.0.0.1:2379`
//!   (its own member only); external, every etcd member;
//! - kube-controller-manager and kube-scheduler: their own node's API server;
//! - kubelets on control-plane nodes: their own API server
//!   (ControlPlaneKubeletLocalMode); worker kubelets and the learner's kubectl:
//!   the load balancer (or the first master when there is none); kubelets on
//!   external etcd nodes run standalone, for the static etcd pod only;
//! - HAProxy: every master's API server.

use std::rc::Rc;

use crate::cluster::{NodeRole, ProcessKind};
use crate::engine::{Ctx, Msg, NodeId, ProcId, Timer};
use crate::etcd::benchmark::Benchmark;
use crate::etcd::raft::HardState;
use crate::etcd::server::EtcdMember;
use crate::kube::api::{ApiRequest, ApiResponse};
use crate::kube::apiserver::Apiserver;
use crate::kube::controller_manager::ControllerManager;
use crate::kube::haproxy::Haproxy;
use crate::kube::kubectl::Kubectl;
use crate::kube::kubelet::Kubelet;
use crate::kube::scheduler::Scheduler;
use crate::sim::SimConfig;

/// What a running process does.
#[derive(Clone, Debug)]
pub enum Program {
    /// Not running (or nothing to model).
    Idle,
    Etcd(Box<EtcdMember>),
    Benchmark(Box<Benchmark>),
    Apiserver(Box<Apiserver>),
    Haproxy(Box<Haproxy>),
    ControllerManager(Box<ControllerManager>),
    Scheduler(Box<Scheduler>),
    Kubelet(Box<Kubelet>),
    Kubectl(Box<Kubectl>),
}

/// Who each process talks to, fixed when the simulation is built.
#[derive(Clone, Debug)]
pub struct Wiring {
    /// The etcd member processes, by member id, and their nodes' names.
    pub etcd_members: Rc<[ProcId]>,
    pub etcd_names: Rc<[Rc<str>]>,
    /// Each node's own API server, if it runs one.
    pub local_apiserver: Vec<Option<ProcId>>,
    /// Every API server with its master's name.
    pub apiservers: Vec<(ProcId, Rc<str>)>,
    /// HAProxy on the load balancer, if there is one.
    pub haproxy: Option<ProcId>,
    /// Each node's static pods (for its kubelet's probes).
    pub static_pods: Vec<Vec<(ProcId, ProcessKind)>>,
    pub node_names: Vec<Rc<str>>,
    pub node_roles: Vec<NodeRole>,
    /// Whether etcd is stacked on the masters.
    pub stacked: bool,
}

impl Wiring {
    /// The API endpoint of clients outside the control plane (worker
    /// kubelets, kubectl): the load balancer, or the first master.
    pub fn cluster_endpoint(&self) -> Option<(ProcId, Rc<str>)> {
        match self.haproxy {
            Some(haproxy) => Some((haproxy, "loadbalancer".into())),
            None => self.apiservers.first().cloned(),
        }
    }

    /// The server kubectl uses when pointed at `name` (`loadbalancer` or a master).
    pub fn kubectl_endpoint(&self, name: &str) -> Option<(ProcId, Rc<str>)> {
        if name == "loadbalancer" {
            return self.haproxy.map(|h| (h, "loadbalancer".into()));
        }
        self.apiservers.iter().find(|(_, n)| &**n == name).cloned()
    }
}

impl Program {
    /// Starts the program of a process of `kind` on `node`. `wal` is etcd's
    /// data directory on the node, if any.
    pub fn start(
        kind: ProcessKind,
        ctx: &mut Ctx,
        node: NodeId,
        config: &SimConfig,
        wiring: &Wiring,
        wal: Option<HardState>,
        kubectl_server: &str,
    ) -> Program {
        let me = ctx.me;
        let hostname = wiring.node_names[node].clone();
        let local_api = || {
            let api = wiring.local_apiserver[node]
                .expect("a control-plane component runs beside an API server");
            (api, Rc::from(format!("{hostname}:6443")))
        };
        match kind {
            ProcessKind::Etcd => {
                let member = wiring
                    .etcd_members
                    .iter()
                    .position(|&m| m == me)
                    .expect("an etcd process is a member");
                Program::Etcd(Box::new(EtcdMember::start(
                    ctx,
                    member as u8,
                    wiring.etcd_members.clone(),
                    wiring.etcd_names.clone(),
                    &config.etcd,
                    wal,
                )))
            }
            ProcessKind::Benchmark => {
                let benchmark = config
                    .etcd_benchmark
                    .expect("a benchmark process has a configuration");
                Program::Benchmark(Box::new(Benchmark::start(
                    ctx,
                    benchmark,
                    wiring.etcd_members.clone(),
                    config.etcd.request_timeout(),
                )))
            }
            ProcessKind::KubeApiserver => {
                let (endpoints, names): (Rc<[ProcId]>, Rc<[Rc<str>]>) = if wiring.stacked {
                    let local = wiring
                        .etcd_members
                        .iter()
                        .copied()
                        .find(|&m| ctx.node_of(m) == node)
                        .expect("a stacked master runs an etcd member");
                    (Rc::from([local]), Rc::from([Rc::from("127.0.0.1:2379")]))
                } else {
                    (
                        wiring.etcd_members.clone(),
                        wiring
                            .etcd_names
                            .iter()
                            .map(|n| Rc::from(format!("{n}:2379")))
                            .collect(),
                    )
                };
                Program::Apiserver(Box::new(Apiserver::start(ctx, endpoints, names)))
            }
            ProcessKind::Haproxy => {
                Program::Haproxy(Box::new(Haproxy::start(ctx, &wiring.apiservers)))
            }
            ProcessKind::KubeControllerManager => {
                let (api, api_name) = local_api();
                Program::ControllerManager(Box::new(ControllerManager::start(
                    ctx,
                    config.controller_manager,
                    &hostname,
                    api,
                    api_name,
                )))
            }
            ProcessKind::KubeScheduler => {
                let (api, api_name) = local_api();
                Program::Scheduler(Box::new(Scheduler::start(
                    ctx,
                    config.scheduler,
                    &hostname,
                    api,
                    api_name,
                )))
            }
            ProcessKind::Kubelet => {
                let role = wiring.node_roles[node];
                let server = match role {
                    NodeRole::Master => wiring.local_apiserver[node]
                        .map(|api| (api, Rc::from(format!("{hostname}:6443")))),
                    NodeRole::Worker => wiring
                        .cluster_endpoint()
                        .map(|(p, name)| (p, Rc::from(format!("{name}:6443")))),
                    NodeRole::Etcd | NodeRole::LoadBalancer | NodeRole::Laptop => None,
                };
                Program::Kubelet(Box::new(Kubelet::start(
                    ctx,
                    hostname,
                    role == NodeRole::Master,
                    server,
                    &wiring.static_pods[node],
                )))
            }
            ProcessKind::Kubectl => {
                let (server, name) = wiring
                    .kubectl_endpoint(kubectl_server)
                    .or_else(|| wiring.cluster_endpoint())
                    .expect("a cluster has an API endpoint");
                let nodes =
                    usize::from(config.cluster.masters) + usize::from(config.cluster.workers);
                Program::Kubectl(Box::new(Kubectl::start(
                    ctx,
                    server,
                    name,
                    config.replicas,
                    nodes,
                )))
            }
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, from_incarnation: u32, msg: Msg) {
        // Health probes (the kubelet's, HAProxy's) to components that are not
        // API servers are answered by the component's own health.
        if let Msg::Api { id, request } = &msg
            && matches!(&**request, ApiRequest::Probe { .. })
            && !matches!(self, Program::Apiserver(_) | Program::Haproxy(_))
        {
            let ok = match self {
                Program::ControllerManager(kcm) => kcm.healthy(ctx.now),
                _ => true,
            };
            let body = if ok {
                "ok"
            } else {
                "leaderElection check failed"
            };
            ctx.reply(
                from,
                from_incarnation,
                Msg::ApiReply {
                    id: *id,
                    response: Rc::new(ApiResponse::Probe {
                        ok,
                        body: body.into(),
                    }),
                },
            );
            return;
        }
        match self {
            Program::Etcd(member) => member.on_message(ctx, from, from_incarnation, msg),
            Program::Benchmark(bench) => bench.on_message(ctx, msg),
            Program::Apiserver(api) => api.on_message(ctx, from, from_incarnation, msg),
            Program::Haproxy(lb) => lb.on_message(ctx, from, from_incarnation, msg),
            Program::ControllerManager(kcm) => kcm.on_message(ctx, from, msg),
            Program::Scheduler(s) => s.on_message(ctx, from, msg),
            Program::Kubelet(k) => k.on_message(ctx, from, msg),
            Program::Kubectl(k) => k.on_message(ctx, from, msg),
            Program::Idle => {}
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        match (self, timer) {
            (Program::Etcd(member), Timer::Etcd(t)) => member.on_timer(ctx, t),
            (Program::Benchmark(bench), Timer::Benchmark(t)) => bench.on_timer(ctx, t),
            (Program::Apiserver(api), Timer::Kube(t)) => api.on_timer(ctx, t),
            (Program::Haproxy(lb), Timer::Kube(t)) => lb.on_timer(ctx, t),
            (Program::ControllerManager(kcm), Timer::Kube(t)) => kcm.on_timer(ctx, t),
            (Program::Scheduler(s), Timer::Kube(t)) => s.on_timer(ctx, t),
            (Program::Kubelet(k), Timer::Kube(t)) => k.on_timer(ctx, t),
            (Program::Kubectl(k), Timer::Kube(t)) => k.on_timer(ctx, t),
            _ => {}
        }
    }

    pub fn on_sigterm(&mut self, ctx: &mut Ctx) {
        match self {
            Program::Etcd(member) => member.on_sigterm(ctx),
            Program::ControllerManager(kcm) => kcm.on_sigterm(ctx),
            Program::Scheduler(s) => s.on_sigterm(ctx),
            _ => ctx.exit(0, "stopped (SIGTERM)"),
        }
    }
}
