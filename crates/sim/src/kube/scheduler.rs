//! kube-scheduler: active-standby through the Lease `kube-system/kube-scheduler`,
//! talking only to its own node's API server (FIDELITY.md §5).
//!
//! The leader binds each pending pod to a Ready worker without the
//! control-plane or unreachable taint, the one with the fewest pods. On a
//! graceful stop it releases its lease (ReleaseOnCancel) and exits 0; on
//! losing the lease it exits 1 with `Leaderelection lost`.

use crate::sorted::{SortedMap, SortedSet};
use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::event::EventKind;
use crate::kube::KubeTimer;
use crate::kube::api::{ApiClient, ApiRequest, ApiResponse, CallResult};
use crate::kube::controller_manager::CONTROLLERS_START;
use crate::kube::leaderelection::{
    ElectorOutcome, ElectorPhase, LeaderElectionFlags, LeaderElector,
};
use crate::kube::objects::{Kind, Node, Object, Pod, Readiness};
use crate::time::SimDuration;

const COMPONENT: &str = "kube-scheduler";
/// The scheduler wakes on watch events; it also looks again this often (and
/// renews its watches).
const RESYNC_PERIOD: SimDuration = SimDuration::from_secs(10);
const REQUEST_TIMEOUT: SimDuration = SimDuration::from_secs(10);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    ListPods,
    ListNodes,
    Bind(Rc<str>, Rc<str>),
}

/// A running kube-scheduler.
#[derive(Clone, Debug)]
pub struct Scheduler {
    pub elector: Option<LeaderElector>,
    client: ApiClient<Call>,
    pub scheduling: bool,
    pods: Option<Vec<(Pod, i64)>>,
    nodes: Option<Vec<Node>>,
    /// A change arrived while a pass was running: look again after it.
    dirty: bool,
    /// Pods this scheduler has bound (or is binding) and not yet seen bound:
    /// the scheduler cache's "assumed" pods, never scheduled twice.
    assumed: SortedSet<Rc<str>>,
    /// The last FailedScheduling message per pod, so that each is logged once.
    reported: SortedMap<Rc<str>, String>,
}

impl Scheduler {
    pub fn start(
        ctx: &mut Ctx,
        flags: LeaderElectionFlags,
        hostname: &str,
        server: ProcId,
        server_name: Rc<str>,
    ) -> Scheduler {
        let mut scheduler = Scheduler {
            elector: None,
            client: ApiClient::new(server, server_name.clone()),
            scheduling: false,
            pods: None,
            nodes: None,
            dirty: false,
            assumed: SortedSet::new(),
            reported: SortedMap::new(),
        };
        if flags.leader_elect {
            let identity = format!("{hostname}_{}", ctx.rng().uuid());
            let mut elector = LeaderElector::new(
                flags,
                "kube-scheduler",
                identity,
                true,
                server,
                server_name,
                1 << 40,
            );
            elector.start(ctx, COMPONENT);
            scheduler.elector = Some(elector);
        } else {
            ctx.log(
                EventKind::Log,
                COMPONENT,
                "leader election is disabled (--leader-elect=false): scheduling".to_owned(),
            );
            ctx.set_timer(
                ctx.now + CONTROLLERS_START,
                Timer::Kube(KubeTimer::ControllersStarted),
            );
        }
        scheduler
    }

    /// Whether this process believes it holds the lease.
    pub fn is_leader(&self) -> bool {
        self.elector
            .as_ref()
            .is_some_and(|e| e.phase == ElectorPhase::Leading)
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, msg: Msg) {
        if let Some(outcome) =
            (self.elector.as_mut()).and_then(|e| e.take_message(ctx, COMPONENT, from, &msg))
        {
            self.after_election(ctx, outcome);
            return;
        }
        if let Msg::ApiWatchEvent {
            kind: Kind::Pod | Kind::Node,
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
                self.scheduling = true;
                self.resync(ctx);
            }
            KubeTimer::SchedulerSync => self.resync(ctx),
            _ => {}
        }
    }

    /// SIGTERM: cancel; a leader releases its lease first (ReleaseOnCancel).
    pub fn on_sigterm(&mut self, ctx: &mut Ctx) {
        self.scheduling = false;
        match &mut self.elector {
            Some(elector) => {
                let outcome = elector.cancel(ctx, COMPONENT);
                self.after_election(ctx, outcome);
            }
            None => self.terminate(ctx),
        }
    }

    fn terminate(&mut self, ctx: &mut Ctx) {
        ctx.log(
            EventKind::Log,
            COMPONENT,
            "Requested to terminate, exiting".to_owned(),
        );
        ctx.exit(0, "Requested to terminate, exiting");
    }

    fn after_election(&mut self, ctx: &mut Ctx, outcome: ElectorOutcome) {
        match outcome {
            ElectorOutcome::StartedLeading => {
                ctx.set_timer(
                    ctx.now + CONTROLLERS_START,
                    Timer::Kube(KubeTimer::ControllersStarted),
                );
            }
            ElectorOutcome::StoppedLeading => {
                self.scheduling = false;
                ctx.log(EventKind::Log, COMPONENT, "Leaderelection lost".to_owned());
                ctx.exit(1, "Leaderelection lost");
            }
            ElectorOutcome::Released => self.terminate(ctx),
            ElectorOutcome::Nothing => {}
        }
    }

    /// The periodic pass: renew the watches and look for pending pods.
    fn resync(&mut self, ctx: &mut Ctx) {
        if !self.scheduling {
            return;
        }
        ctx.set_timer(
            ctx.now + RESYNC_PERIOD,
            Timer::Kube(KubeTimer::SchedulerSync),
        );
        self.client.watch(ctx, Kind::Pod);
        self.client.watch(ctx, Kind::Node);
        self.sync(ctx);
    }

    fn sync(&mut self, ctx: &mut Ctx) {
        if !self.scheduling {
            return;
        }
        if self
            .client
            .is_waiting(|c| matches!(c, Call::ListPods | Call::ListNodes))
        {
            self.dirty = true;
            return;
        }
        self.dirty = false;
        self.pods = None;
        self.nodes = None;
        for (kind, call) in [(Kind::Pod, Call::ListPods), (Kind::Node, Call::ListNodes)] {
            self.client.call(
                ctx,
                ApiRequest::List { kind, cached: true },
                REQUEST_TIMEOUT,
                call,
            );
        }
    }

    fn schedule(&mut self, ctx: &mut Ctx) {
        let (Some(pods), Some(nodes)) = (&self.pods, &self.nodes) else {
            return;
        };
        let (pods, nodes) = (pods.clone(), nodes.clone());
        self.pods = None;
        self.nodes = None;
        if self.dirty {
            self.sync(ctx);
        }
        let mut load: SortedMap<Rc<str>, usize> = SortedMap::new();
        for (pod, _) in &pods {
            if let Some(node) = &pod.node_name {
                *load.get_or_insert_with(node.clone(), || 0) += 1;
            }
        }
        let fits = |n: &Node| {
            !n.control_plane && n.ready == Readiness::True && n.unreachable_since.is_none()
        };
        // Assumed pods that now show as bound (or are gone) need no memory.
        self.assumed.retain(|name| {
            pods.iter()
                .any(|(p, _)| &p.name == name && p.node_name.is_none())
        });
        let mut pending: Vec<&(Pod, i64)> = pods
            .iter()
            .filter(|(p, _)| p.node_name.is_none() && !self.assumed.contains(&p.name))
            .collect();
        pending.sort_by(|a, b| (a.0.created, &a.0.name).cmp(&(b.0.created, &b.0.name)));
        for (pod, rv) in pending {
            let best = nodes
                .iter()
                .filter(|n| fits(n))
                .min_by_key(|n| (load.get(&n.name).copied().unwrap_or(0), n.name.clone()));
            let Some(node) = best else {
                let message = unschedulable_message(&nodes);
                if self.reported.get(&pod.name) != Some(&message) {
                    ctx.log(
                        EventKind::Log,
                        COMPONENT,
                        format!("FailedScheduling default/{}: {message}", pod.name),
                    );
                    self.reported.insert(pod.name.clone(), message);
                }
                continue;
            };
            *load.get_or_insert_with(node.name.clone(), || 0) += 1;
            self.assumed.insert(pod.name.clone());
            let bound = Pod {
                node_name: Some(node.name.clone()),
                ..pod.clone()
            };
            self.client.call(
                ctx,
                ApiRequest::Update {
                    object: Object::Pod(bound),
                    resource_version: *rv,
                },
                REQUEST_TIMEOUT,
                Call::Bind(pod.name.clone(), node.name.clone()),
            );
        }
    }

    fn on_result(&mut self, ctx: &mut Ctx, call: Call, result: CallResult) {
        match (call, result) {
            (Call::ListPods, Ok(ApiResponse::List { items, .. })) => {
                self.pods = Some(
                    items
                        .into_iter()
                        .filter_map(|(o, rv)| o.as_pod().cloned().map(|p| (p, rv)))
                        .collect(),
                );
                self.schedule(ctx);
            }
            (Call::ListNodes, Ok(ApiResponse::List { items, .. })) => {
                self.nodes = Some(
                    items
                        .into_iter()
                        .filter_map(|(o, _)| o.as_node().cloned())
                        .collect(),
                );
                self.schedule(ctx);
            }
            (Call::Bind(pod, node), Ok(_)) => {
                self.reported.remove(&pod);
                ctx.log(
                    EventKind::PodScheduled {
                        pod: pod.to_string(),
                        node_name: node.to_string(),
                    },
                    COMPONENT,
                    format!("Successfully assigned default/{pod} to {node}"),
                );
            }
            (Call::Bind(pod, _), Err(e)) => {
                // Forget the assumption: the pod goes back to the queue.
                self.assumed.remove(&pod);
                let server = self.client.server_name.clone();
                ctx.log(
                    EventKind::Log,
                    COMPONENT,
                    format!("Error binding pod default/{pod}: {}", e.describe(&server)),
                );
            }
            (Call::ListPods | Call::ListNodes, _) => {}
        }
    }
}

/// Why no node fits, in the scheduler's words.
fn unschedulable_message(nodes: &[Node]) -> String {
    let control_plane = nodes.iter().filter(|n| n.control_plane).count();
    let unreachable = nodes
        .iter()
        .filter(|n| {
            !n.control_plane && (n.unreachable_since.is_some() || n.ready != Readiness::True)
        })
        .count();
    let mut reasons = Vec::new();
    if control_plane > 0 {
        reasons.push(format!(
            "{control_plane} node(s) had untolerated taint {{node-role.kubernetes.io/control-plane: }}"
        ));
    }
    if unreachable > 0 {
        reasons.push(format!(
            "{unreachable} node(s) had untolerated taint {{node.kubernetes.io/unreachable: }}"
        ));
    }
    format!(
        "0/{} nodes are available: {}.",
        nodes.len(),
        reasons.join(", ")
    )
}
