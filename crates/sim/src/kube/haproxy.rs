//! HAProxy on the load-balancer node, configured as kubeadm's HA guide shows
//! (FIDELITY.md §6): TCP mode, `balance roundrobin` over the API servers,
//! `option httpchk` with `GET /healthz` every `inter` 2 s, a backend marked
//! DOWN after `fall` 3 failed checks and UP after `rise` 2 good ones. As in
//! HAProxy, the next check starts `inter` after the previous one ended, and a
//! check nobody answers times out after min(`timeout connect`, `inter`) = 2 s,
//! so a dead node is marked DOWN later (≈ 10–12 s) than an API server that
//! answers 500 (4–6 s).
//!
//! Every client connection is forwarded to the next backend that is UP; if
//! none is, HAProxy closes the connection at once. A backend that refuses a
//! forwarded connection makes HAProxy close the client's too.

use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::event::EventKind;
use crate::kube::KubeTimer;
use crate::kube::api::{ApiRequest, ApiResponse};
use crate::time::{SimDuration, SimTime};

/// `inter`: time between two checks of a backend.
pub const INTER: SimDuration = SimDuration::from_secs(2);
/// `fall`: consecutive failed checks before a backend is marked DOWN.
pub const FALL: u8 = 3;
/// `rise`: consecutive good checks before a backend is marked UP.
pub const RISE: u8 = 2;
/// A check's timeout: min(`timeout connect` 5 s, `inter`).
pub const CHECK_TIMEOUT: SimDuration = SimDuration::from_secs(2);
/// `timeout server`: how long a forwarded request may take.
const TIMEOUT_SERVER: SimDuration = SimDuration::from_secs(35);
/// Check ids and connection ids are numbered apart.
const CHECK_ID_BASE: u64 = 1 << 40;

/// What HAProxy knows of one backend.
#[derive(Clone, Debug)]
pub struct Backend {
    pub proc: ProcId,
    /// The server's name in the configuration (the master's name).
    pub name: Rc<str>,
    pub up: bool,
    /// Consecutive good / failed checks since the last change.
    pub rise_count: u8,
    pub fall_count: u8,
    check_in_flight: Option<(u64, SimTime)>,
    /// The one timer that matters for this backend (next check or timeout).
    timer_at: SimTime,
}

#[derive(Clone, Debug)]
struct Connection {
    id: u64,
    deadline: SimTime,
    client: ProcId,
    client_incarnation: u32,
    client_id: u64,
}

/// A running HAProxy.
#[derive(Clone, Debug)]
pub struct Haproxy {
    pub backends: Vec<Backend>,
    next_backend: usize,
    next_id: u64,
    connections: Vec<Connection>,
    /// The one timer for the connections' deadlines, at the earliest.
    connections_timer_at: Option<SimTime>,
}

/// Why a check failed, in HAProxy's words.
enum CheckFailure {
    Status(String),
    Refused,
    Timeout,
}

impl Haproxy {
    /// Starts with every backend UP (HAProxy's default initial state); the
    /// first checks are spread over one `inter`.
    pub fn start(ctx: &mut Ctx, backends: &[(ProcId, Rc<str>)]) -> Haproxy {
        let mut haproxy = Haproxy {
            backends: backends
                .iter()
                .map(|(proc, name)| Backend {
                    proc: *proc,
                    name: name.clone(),
                    up: true,
                    rise_count: 0,
                    fall_count: 0,
                    check_in_flight: None,
                    timer_at: SimTime::ZERO,
                })
                .collect(),
            next_backend: 0,
            next_id: 1,
            connections: Vec::new(),
            connections_timer_at: None,
        };
        for backend in 0..haproxy.backends.len() {
            let offset = ctx.rng().duration_between(SimDuration::ZERO, INTER);
            haproxy.set_check_timer(ctx, backend, ctx.now + offset);
        }
        let names: Vec<&str> = haproxy.backends.iter().map(|b| &*b.name).collect();
        ctx.log(
            EventKind::Log,
            "haproxy",
            format!(
                "Proxy kube-apiserver started: mode tcp, balance roundrobin, servers {} (check inter 2s fall 3 rise 2)",
                names.join(", ")
            ),
        );
        haproxy
    }

    /// The backends marked UP, by name.
    pub fn up_backends(&self) -> Vec<Rc<str>> {
        self.backends
            .iter()
            .filter(|b| b.up)
            .map(|b| b.name.clone())
            .collect()
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: KubeTimer) {
        match timer {
            KubeTimer::BackendCheck { backend, at } => {
                let b = usize::from(backend);
                if self.backends[b].timer_at != at {
                    return;
                }
                match self.backends[b].check_in_flight {
                    Some((id, _)) => self.check_done(ctx, b, id, Err(CheckFailure::Timeout)),
                    None => {
                        let id = CHECK_ID_BASE + self.next_id;
                        self.next_id += 1;
                        self.backends[b].check_in_flight = Some((id, ctx.now));
                        ctx.send(
                            self.backends[b].proc,
                            Msg::Api {
                                id,
                                request: Rc::new(ApiRequest::Probe { path: "/healthz" }),
                            },
                        );
                        self.set_check_timer(ctx, b, ctx.now + CHECK_TIMEOUT);
                    }
                }
            }
            KubeTimer::ConnectionTimeout { at } => {
                if self.connections_timer_at != Some(at) {
                    return;
                }
                self.connections_timer_at = None;
                while let Some(pos) = self.connections.iter().position(|c| c.deadline <= ctx.now) {
                    let c = self.connections.remove(pos);
                    ctx.reply(
                        c.client,
                        c.client_incarnation,
                        Msg::Closed { id: c.client_id },
                    );
                }
                self.arm_connections_timer(ctx);
            }
            _ => {}
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, from_incarnation: u32, msg: Msg) {
        match msg {
            Msg::Api { id, request } => self.forward(ctx, from, from_incarnation, id, request),
            Msg::ApiReply { id, response } => {
                if let Some(b) = self.check_of(id) {
                    let result = match &*response {
                        ApiResponse::Probe { ok: true, .. } => Ok(()),
                        _ => Err(CheckFailure::Status(
                            "Layer7 wrong status, code: 500, info: \"Internal Server Error\""
                                .to_owned(),
                        )),
                    };
                    self.check_done(ctx, b, id, result);
                } else if let Some(pos) = self.connections.iter().position(|c| c.id == id) {
                    let c = self.connections.swap_remove(pos);
                    ctx.reply(
                        c.client,
                        c.client_incarnation,
                        Msg::ApiReply {
                            id: c.client_id,
                            response,
                        },
                    );
                }
            }
            Msg::Refused { id } | Msg::Closed { id } => {
                if let Some(b) = self.check_of(id) {
                    self.check_done(ctx, b, id, Err(CheckFailure::Refused));
                } else if let Some(pos) = self.connections.iter().position(|c| c.id == id) {
                    let c = self.connections.swap_remove(pos);
                    ctx.reply(
                        c.client,
                        c.client_incarnation,
                        Msg::Closed { id: c.client_id },
                    );
                }
            }
            _ => {}
        }
    }

    fn set_check_timer(&mut self, ctx: &mut Ctx, backend: usize, at: SimTime) {
        self.backends[backend].timer_at = at;
        ctx.set_timer(
            at,
            Timer::Kube(KubeTimer::BackendCheck {
                backend: backend as u8,
                at,
            }),
        );
    }

    fn check_of(&self, id: u64) -> Option<usize> {
        self.backends
            .iter()
            .position(|b| b.check_in_flight.is_some_and(|(i, _)| i == id))
    }

    /// Forwards a client's connection to the next backend that is UP.
    fn forward(
        &mut self,
        ctx: &mut Ctx,
        client: ProcId,
        client_incarnation: u32,
        client_id: u64,
        request: Rc<ApiRequest>,
    ) {
        let count = self.backends.len();
        let Some(b) = (0..count)
            .map(|i| (self.next_backend + i) % count)
            .find(|&b| self.backends[b].up)
        else {
            ctx.reply(client, client_incarnation, Msg::Closed { id: client_id });
            return;
        };
        self.next_backend = (b + 1) % count;
        let id = self.next_id;
        self.next_id += 1;
        self.connections.push(Connection {
            id,
            deadline: ctx.now + TIMEOUT_SERVER,
            client,
            client_incarnation,
            client_id,
        });
        ctx.send(self.backends[b].proc, Msg::Api { id, request });
        self.arm_connections_timer(ctx);
    }

    /// Keeps one timer at the earliest connection deadline.
    fn arm_connections_timer(&mut self, ctx: &mut Ctx) {
        let Some(earliest) = self.connections.iter().map(|c| c.deadline).min() else {
            return;
        };
        if self.connections_timer_at.is_none_or(|at| earliest < at) {
            self.connections_timer_at = Some(earliest);
            ctx.set_timer(
                earliest,
                Timer::Kube(KubeTimer::ConnectionTimeout { at: earliest }),
            );
        }
    }

    fn check_done(&mut self, ctx: &mut Ctx, b: usize, id: u64, result: Result<(), CheckFailure>) {
        let backend = &mut self.backends[b];
        let Some((in_flight, started)) = backend.check_in_flight else {
            return;
        };
        if in_flight != id {
            return;
        }
        backend.check_in_flight = None;
        let duration = (ctx.now - started).as_millis();
        let next = ctx.now + INTER;
        self.set_check_timer(ctx, b, next);
        let backend = &mut self.backends[b];
        match result {
            Ok(()) => {
                backend.fall_count = 0;
                if backend.up {
                    return;
                }
                backend.rise_count += 1;
                if backend.rise_count < RISE {
                    return;
                }
                backend.up = true;
                backend.rise_count = 0;
                let name = backend.name.clone();
                let active = self.backends.iter().filter(|b| b.up).count();
                ctx.log(
                    EventKind::LbBackendUp {
                        backend: name.to_string(),
                    },
                    "haproxy",
                    format!(
                        "Server kube-apiserver/{name} is UP, reason: Layer7 check passed, code: 200, check duration: {duration}ms. {active} active and 0 backup servers online. 0 sessions requeued, 0 total in queue."
                    ),
                );
            }
            Err(failure) => {
                backend.rise_count = 0;
                if !backend.up {
                    return;
                }
                backend.fall_count += 1;
                if backend.fall_count < FALL {
                    return;
                }
                backend.up = false;
                backend.fall_count = 0;
                let name = backend.name.clone();
                let reason = match failure {
                    CheckFailure::Status(s) => s,
                    CheckFailure::Refused => {
                        "Layer4 connection problem, info: \"Connection refused\"".to_owned()
                    }
                    CheckFailure::Timeout => "Layer4 timeout".to_owned(),
                };
                let active = self.backends.iter().filter(|b| b.up).count();
                ctx.log(
                    EventKind::LbBackendDown {
                        backend: name.to_string(),
                    },
                    "haproxy",
                    format!(
                        "Server kube-apiserver/{name} is DOWN, reason: {reason}, check duration: {duration}ms. {active} active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
                    ),
                );
                if active == 0 {
                    ctx.log(
                        EventKind::Log,
                        "haproxy",
                        "backend kube-apiserver has no server available!".to_owned(),
                    );
                }
            }
        }
    }
}
