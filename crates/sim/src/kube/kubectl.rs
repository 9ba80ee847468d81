//! kubectl on the learner's laptop (FIDELITY.md §5: through the load
//! balancer, or straight to one master's API server).
//!
//! At start, once `kubectl get nodes` shows every node Ready, it creates the
//! workload (`kubectl apply -f web.yaml`). Then it
//! runs `kubectl get pods --request-timeout=10s` again one second after each
//! one ends: availability as a user sees it. The learner can scale the
//! Deployment (`kubectl scale deployment web --replicas=N`), which fails as
//! kubectl would when the API cannot be reached or cannot write.

use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::event::EventKind;
use crate::kube::KubeTimer;
use crate::kube::api::{ApiClient, ApiRequest, ApiResponse, CallResult};
use crate::kube::objects::{DEFAULT, Deployment, Kind, Object, ObjectKey, Readiness, WORKLOAD};
use crate::time::SimDuration;

const COMPONENT: &str = "kubectl";
/// `--request-timeout` of every command.
const REQUEST_TIMEOUT: SimDuration = SimDuration::from_secs(10);
/// The pause between two probes.
const PROBE_PAUSE: SimDuration = SimDuration::from_secs(1);
/// The learner starts using kubectl once the machines have booted.
pub const FIRST_COMMAND: SimDuration = SimDuration::from_secs(4);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    GetNodes,
    CreateDeployment,
    GetPods,
    ScaleGet(u32),
    ScaleUpdate(u32),
}

/// The learner's kubectl.
#[derive(Clone, Debug)]
pub struct Kubectl {
    client: ApiClient<Call>,
    /// Where kubectl points: `loadbalancer` or a master's name.
    pub server: Rc<str>,
    generation: u64,
    replicas: u32,
    /// How many nodes the cluster registers (masters and workers).
    expected_nodes: usize,
    deployment_created: bool,
    /// The last `kubectl get pods`: `None` before the first answer.
    pub probe_ok: Option<bool>,
    /// What it printed (an error, or the number of pods).
    pub probe_output: String,
    pub probes_ok: u64,
    pub probes_failed: u64,
}

impl Kubectl {
    /// Starts against `server` (the HAProxy or API server process named `name`).
    pub fn start(
        ctx: &mut Ctx,
        server: ProcId,
        name: Rc<str>,
        replicas: u32,
        expected_nodes: usize,
    ) -> Kubectl {
        let kubectl = Kubectl {
            client: ApiClient::new(server, format!("{name}:6443").into()),
            server: name,
            generation: 0,
            replicas,
            expected_nodes,
            deployment_created: false,
            probe_ok: None,
            probe_output: String::new(),
            probes_ok: 0,
            probes_failed: 0,
        };
        ctx.set_timer(
            ctx.now + FIRST_COMMAND,
            Timer::Kube(KubeTimer::KubectlProbe),
        );
        kubectl
    }

    /// Points kubectl at another server (`kubectl config set-cluster … --server`).
    pub fn set_server(&mut self, ctx: &mut Ctx, server: ProcId, name: Rc<str>) {
        // A probe waiting on the old server is abandoned: start the next now.
        if self.client.is_waiting(|c| *c == Call::GetPods) {
            ctx.set_timer(ctx.now, Timer::Kube(KubeTimer::KubectlProbe));
        }
        self.generation += 1;
        self.client =
            ApiClient::with_id_base(server, format!("{name}:6443").into(), self.generation << 40);
        ctx.log(
            EventKind::Log,
            COMPONENT,
            format!("kubectl config set-cluster kubernetes --server=https://{name}:6443"),
        );
        self.server = name;
    }

    /// `kubectl scale deployment web --replicas=N`.
    pub fn scale(&mut self, ctx: &mut Ctx, replicas: u32) {
        let key = ObjectKey::new(Kind::Deployment, DEFAULT, WORKLOAD);
        self.client.call(
            ctx,
            ApiRequest::Get { key },
            REQUEST_TIMEOUT,
            Call::ScaleGet(replicas),
        );
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: KubeTimer) {
        match timer {
            KubeTimer::CallTimeout { client, at } if self.client.owns_timer(client) => {
                for (call, result) in self.client.timed_out(ctx, at) {
                    self.on_result(ctx, call, result);
                }
            }
            KubeTimer::KubectlProbe => {
                if !self.deployment_created
                    && !self
                        .client
                        .is_waiting(|c| matches!(c, Call::GetNodes | Call::CreateDeployment))
                {
                    self.client.call(
                        ctx,
                        ApiRequest::List {
                            kind: Kind::Node,
                            cached: false,
                        },
                        REQUEST_TIMEOUT,
                        Call::GetNodes,
                    );
                }
                if !self.client.is_waiting(|c| *c == Call::GetPods) {
                    self.client.call(
                        ctx,
                        ApiRequest::List {
                            kind: Kind::Pod,
                            cached: false,
                        },
                        REQUEST_TIMEOUT,
                        Call::GetPods,
                    );
                }
            }
            _ => {}
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, msg: Msg) {
        if let Some((call, result)) = self.client.complete(&msg, from) {
            self.on_result(ctx, call, result);
        }
    }

    fn apply(&mut self, ctx: &mut Ctx) {
        let deployment = Deployment {
            name: WORKLOAD.into(),
            replicas: self.replicas,
        };
        self.client.call(
            ctx,
            ApiRequest::Create {
                object: Object::Deployment(deployment),
            },
            REQUEST_TIMEOUT,
            Call::CreateDeployment,
        );
    }

    fn on_result(&mut self, ctx: &mut Ctx, call: Call, result: CallResult) {
        let server = self.client.server_name.clone();
        match call {
            Call::GetNodes => {
                if let Ok(ApiResponse::List { items, .. }) = result {
                    let ready = items
                        .iter()
                        .filter(|(o, _)| o.as_node().is_some_and(|n| n.ready == Readiness::True))
                        .count();
                    if ready >= self.expected_nodes {
                        self.apply(ctx);
                    }
                }
            }
            Call::CreateDeployment => match result {
                Ok(_) => {
                    self.deployment_created = true;
                    result_event(
                        ctx,
                        "kubectl apply -f web.yaml",
                        true,
                        "deployment.apps/web created".to_owned(),
                    );
                }
                Err(e) if e.is_conflict() => self.deployment_created = true,
                // The cluster is still coming up: the next probe applies again.
                Err(_) => self.deployment_created = false,
            },
            Call::GetPods => {
                let (ok, output) = match result {
                    Ok(ApiResponse::List { items, .. }) => (true, format!("{} pods", items.len())),
                    Ok(_) => (false, "unexpected response".to_owned()),
                    Err(e) => (false, e.kubectl(&server)),
                };
                if ok {
                    self.probes_ok += 1;
                } else {
                    self.probes_failed += 1;
                }
                if self.probe_ok != Some(ok) {
                    let message = if ok {
                        format!("kubectl get pods: ok ({output})")
                    } else {
                        format!("kubectl get pods: {output}")
                    };
                    ctx.log(EventKind::KubectlProbe { ok }, COMPONENT, message);
                }
                self.probe_ok = Some(ok);
                self.probe_output = output;
                ctx.set_timer(ctx.now + PROBE_PAUSE, Timer::Kube(KubeTimer::KubectlProbe));
            }
            Call::ScaleGet(replicas) => match result {
                Ok(ApiResponse::Object {
                    object: Object::Deployment(d),
                    resource_version,
                }) => {
                    let scaled = Deployment { replicas, ..d };
                    self.client.call(
                        ctx,
                        ApiRequest::Update {
                            object: Object::Deployment(scaled),
                            resource_version,
                        },
                        REQUEST_TIMEOUT,
                        Call::ScaleUpdate(replicas),
                    );
                }
                Ok(_) => scale_event(ctx, replicas, false, "unexpected response".to_owned()),
                Err(e) => scale_event(ctx, replicas, false, e.kubectl(&server)),
            },
            Call::ScaleUpdate(replicas) => match result {
                Ok(_) => {
                    self.replicas = replicas;
                    scale_event(ctx, replicas, true, "deployment.apps/web scaled".to_owned());
                }
                Err(e) => scale_event(ctx, replicas, false, e.kubectl(&server)),
            },
        }
    }
}

fn scale_event(ctx: &mut Ctx, replicas: u32, ok: bool, output: String) {
    let command = format!("kubectl scale deployment web --replicas={replicas}");
    result_event(ctx, &command, ok, output);
}

fn result_event(ctx: &mut Ctx, command: &str, ok: bool, output: String) {
    ctx.log(
        EventKind::KubectlResult {
            command: command.to_owned(),
            ok,
        },
        COMPONENT,
        format!("{command}: {output}"),
    );
}
