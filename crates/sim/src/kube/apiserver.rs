//! kube-apiserver: stateless, active-active on every master (FIDELITY.md §4).
//!
//! - Its etcd client follows the topology: stacked, only this node's member
//!   (`--etcd-servers=https://127.0.0.1:2379`); external, every member,
//!   round-robin, failing over when a member refuses or does not answer.
//! - `/livez`, `/readyz` and `/healthz` include the etcd check: a
//!   linearizable read with a 2 s timeout, run at most once a second; between
//!   runs they answer with the last result. Failing, they answer 500 with
//!   `error getting data from etcd`.
//! - Consistent reads and writes go to etcd; writes use compare-and-swap on
//!   the object's resourceVersion (its etcd `mod_revision`), so a stale
//!   update gets 409 Conflict.
//! - Cached lists (resourceVersion "0") are served from a cache fed by an etcd
//!   watch; without quorum it goes stale but keeps answering.

use crate::sorted::SortedMap;
use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::etcd::kv::{Compare, KeyValue, KvOp, KvResult, TxnOp};
use crate::etcd::server::EtcdError;
use crate::event::EventKind;
use crate::kube::KubeTimer;
use crate::kube::api::{ApiError, ApiRequest, ApiResponse, Reason};
use crate::kube::objects::{Kind, Object};
use crate::time::{SimDuration, SimTime};

/// The etcd check's timeout (`--etcd-healthcheck-timeout`).
pub const ETCD_HEALTHCHECK_TIMEOUT: SimDuration = SimDuration::from_secs(2);
/// The etcd check runs at most once per timeout / 2.
pub const ETCD_HEALTHCHECK_INTERVAL: SimDuration = SimDuration::from_secs(1);
/// How long the API server waits for etcd on a request before giving up
/// (longer than etcd's own request timeout, so etcd's error is what shows).
const ETCD_CALL_TIMEOUT: SimDuration = SimDuration::from_secs(9);
/// A watch that has said nothing for this long is taken for dead (gRPC keepalive).
const WATCH_SILENCE: SimDuration = SimDuration::from_secs(15);
/// How long kube-apiserver initialises before it listens on :6443.
const STARTUP_MIN: SimDuration = SimDuration::from_secs(2);
const STARTUP_MAX: SimDuration = SimDuration::from_secs(4);

/// What an etcd request was for.
#[derive(Clone, Debug)]
enum Purpose {
    Health,
    Api {
        client: ProcId,
        client_incarnation: u32,
        client_id: u64,
        request: Rc<ApiRequest>,
    },
}

/// Why an etcd call failed.
#[derive(Clone, Debug)]
enum CallFailure {
    /// No answer in time (a dead node, a cut link).
    Timeout,
    /// No member would take the connection.
    Refused(Rc<str>),
    /// The member answered with an error.
    Etcd(EtcdError),
}

impl CallFailure {
    /// The error as kube-apiserver reports it.
    fn message(&self) -> String {
        match self {
            CallFailure::Timeout => "context deadline exceeded".to_owned(),
            CallFailure::Refused(endpoint) => format!(
                "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp {endpoint}: connect: connection refused\""
            ),
            CallFailure::Etcd(e) => e.message().to_owned(),
        }
    }
}

#[derive(Clone, Debug)]
struct EtcdCall {
    id: u64,
    endpoint: usize,
    op: KvOp,
    purpose: Purpose,
    deadline: SimTime,
    /// Endpoints already tried (failover on refusal).
    tried: u8,
}

/// The cache's feed: an etcd watch on `/registry/`.
#[derive(Clone, Debug)]
struct Watch {
    id: u64,
    endpoint: usize,
    last_heard: SimTime,
    synced: bool,
}

/// A running kube-apiserver.
#[derive(Clone, Debug)]
pub struct Apiserver {
    /// `--etcd-servers`: the member processes and how they are addressed.
    endpoints: Rc<[ProcId]>,
    endpoint_names: Rc<[Rc<str>]>,
    /// When each endpoint may be tried again after failing.
    retry_after: Vec<SimTime>,
    next_endpoint: usize,
    next_id: u64,
    calls: Vec<EtcdCall>,
    /// The one timer for the calls' deadlines, at the earliest.
    calls_timer_at: Option<SimTime>,
    /// When it starts listening; connections are refused before.
    pub listening_at: SimTime,
    /// The etcd check: `None` until the first result.
    pub healthy: Option<bool>,
    pub health_error: Rc<str>,
    probe_in_flight: bool,
    watch: Option<Watch>,
    /// The objects as the watch last delivered them, decoded once.
    cache: SortedMap<Rc<str>, (Rc<Object>, i64)>,
    cache_revision: i64,
    /// Clients to tell when objects of a kind change: (process, incarnation, kind).
    watchers: Vec<(ProcId, u32, Kind)>,
}

impl Apiserver {
    /// Starts with `--etcd-servers` set to `endpoints` (named for errors,
    /// such as `127.0.0.1:2379`).
    pub fn start(
        ctx: &mut Ctx,
        endpoints: Rc<[ProcId]>,
        endpoint_names: Rc<[Rc<str>]>,
    ) -> Apiserver {
        let count = endpoints.len();
        let servers = endpoint_names
            .iter()
            .map(|n| format!("https://{n}"))
            .collect::<Vec<_>>()
            .join(",");
        ctx.log(
            EventKind::Log,
            "kube-apiserver",
            format!("Starting kube-apiserver with --etcd-servers={servers}"),
        );
        let listening_at = ctx.now + ctx.rng().duration_between(STARTUP_MIN, STARTUP_MAX);
        let mut apiserver = Apiserver {
            listening_at,
            endpoints,
            endpoint_names,
            retry_after: vec![SimTime::ZERO; count],
            next_endpoint: 0,
            next_id: 1,
            calls: Vec::new(),
            calls_timer_at: None,
            healthy: None,
            health_error: "etcd check has not run yet".into(),
            probe_in_flight: false,
            watch: None,
            cache: SortedMap::new(),
            cache_revision: 0,
            watchers: Vec::new(),
        };
        // /readyz is served, and its etcd check run, once the server listens:
        // never ready before then.
        ctx.set_timer(listening_at, Timer::Kube(KubeTimer::HealthProbe));
        apiserver.start_watch(ctx);
        ctx.set_timer(
            ctx.now + SimDuration::from_secs(5),
            Timer::Kube(KubeTimer::WatchKeepalive),
        );
        apiserver
    }

    /// Whether `/readyz` passes.
    pub fn is_ready(&self) -> bool {
        self.healthy == Some(true)
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: KubeTimer) {
        match timer {
            KubeTimer::HealthProbe => self.probe(ctx),
            KubeTimer::EtcdCallTimeout { at } => {
                if self.calls_timer_at != Some(at) {
                    return;
                }
                self.calls_timer_at = None;
                while let Some(pos) = self.calls.iter().position(|c| c.deadline <= ctx.now) {
                    let call = self.calls.remove(pos);
                    self.mark_failed(call.endpoint, ctx.now);
                    self.finish(ctx, call, Err(CallFailure::Timeout));
                }
                self.arm_calls_timer(ctx);
            }
            KubeTimer::WatchKeepalive => {
                let stale = self
                    .watch
                    .as_ref()
                    .is_none_or(|w| ctx.now - w.last_heard >= WATCH_SILENCE);
                if stale {
                    if let Some(w) = &self.watch {
                        self.mark_failed(w.endpoint, ctx.now);
                    }
                    self.start_watch(ctx);
                }
                ctx.set_timer(
                    ctx.now + SimDuration::from_secs(5),
                    Timer::Kube(KubeTimer::WatchKeepalive),
                );
            }
            _ => {}
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: ProcId, from_incarnation: u32, msg: Msg) {
        match msg {
            // Still initialising: nothing listens on the port yet.
            Msg::Api { id, .. } if ctx.now < self.listening_at => {
                ctx.reply(from, from_incarnation, Msg::Refused { id });
            }
            Msg::Api { id, request } => self.serve(ctx, from, from_incarnation, id, request),
            Msg::EtcdResponse { id, result } => {
                let Some(pos) = self.calls.iter().position(|c| c.id == id) else {
                    return;
                };
                let call = self.calls.swap_remove(pos);
                self.finish(ctx, call, result.map_err(CallFailure::Etcd));
            }
            Msg::Refused { id } => {
                if self.watch.as_ref().is_some_and(|w| w.id == id) {
                    let endpoint = self.watch.take().map_or(0, |w| w.endpoint);
                    self.mark_failed(endpoint, ctx.now);
                    return;
                }
                let Some(pos) = self.calls.iter().position(|c| c.id == id) else {
                    return;
                };
                let mut call = self.calls.swap_remove(pos);
                self.mark_failed(call.endpoint, ctx.now);
                call.tried += 1;
                if usize::from(call.tried) < self.endpoints.len() {
                    // The connection was refused before anything was sent:
                    // the client retries on another endpoint.
                    self.send_call(ctx, call);
                } else {
                    let endpoint = self.endpoint_names[call.endpoint].clone();
                    self.finish(ctx, call, Err(CallFailure::Refused(endpoint)));
                }
            }
            Msg::EtcdWatchEvents {
                id,
                revision,
                snapshot,
                kvs,
                deleted,
            } => {
                let Some(watch) = self.watch.as_mut().filter(|w| w.id == id) else {
                    return;
                };
                watch.last_heard = ctx.now;
                if snapshot {
                    watch.synced = true;
                    self.cache.clear();
                }
                for kv in kvs.iter() {
                    if let Some(object) = Object::decode(&kv.value) {
                        self.cache
                            .insert(kv.key.clone(), (Rc::new(object), kv.mod_revision));
                    }
                }
                for key in deleted.iter() {
                    self.cache.remove(key);
                }
                self.cache_revision = self.cache_revision.max(revision);
                // Wake the watchers of every kind that changed.
                for kind in [Kind::Lease, Kind::Pod, Kind::Node, Kind::Deployment] {
                    let changed = snapshot
                        || kvs.iter().any(|kv| kv.key.starts_with(kind.prefix()))
                        || deleted.iter().any(|k| k.starts_with(kind.prefix()));
                    if !changed {
                        continue;
                    }
                    for &(client, incarnation, watched) in &self.watchers {
                        if watched == kind {
                            ctx.reply(client, incarnation, Msg::ApiWatchEvent { kind });
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Runs the etcd check now unless one is in flight, then again in a second.
    fn probe(&mut self, ctx: &mut Ctx) {
        if !self.probe_in_flight {
            self.probe_in_flight = true;
            let op = KvOp::Range {
                key: "/registry/health".into(),
                prefix: false,
                serializable: false,
            };
            self.etcd(ctx, op, Purpose::Health, ETCD_HEALTHCHECK_TIMEOUT);
        }
        ctx.set_timer(
            ctx.now + ETCD_HEALTHCHECK_INTERVAL,
            Timer::Kube(KubeTimer::HealthProbe),
        );
    }

    fn set_health(&mut self, ctx: &mut Ctx, result: Result<(), CallFailure>) {
        let healthy = result.is_ok();
        if let Err(e) = &result {
            self.health_error = format!("error getting data from etcd: {}", e.message()).into();
        }
        if self.healthy == Some(healthy) {
            return;
        }
        // Not ready until the first check passes; a first failure is not news.
        let first = self.healthy.is_none();
        self.healthy = Some(healthy);
        if healthy {
            ctx.log(
                EventKind::ApiserverHealthy,
                "kube-apiserver",
                "GET /readyz 200: [+]etcd ok".to_owned(),
            );
        } else if !first {
            ctx.log(
                EventKind::ApiserverUnhealthy,
                "kube-apiserver",
                format!("GET /readyz 500: [-]etcd failed: {}", self.health_error),
            );
        }
    }

    /// The next endpoint to use: round-robin over those not failing.
    fn pick_endpoint(&mut self, now: SimTime, avoid: Option<usize>) -> usize {
        let count = self.endpoints.len();
        for i in 0..count {
            let e = (self.next_endpoint + i) % count;
            if self.retry_after[e] <= now && Some(e) != avoid {
                self.next_endpoint = (e + 1) % count;
                return e;
            }
        }
        // Every endpoint is failing: try the one that may recover first.
        let e = (0..count)
            .filter(|&e| Some(e) != avoid || count == 1)
            .min_by_key(|&e| self.retry_after[e])
            .unwrap_or(0);
        self.next_endpoint = (e + 1) % count;
        e
    }

    fn mark_failed(&mut self, endpoint: usize, now: SimTime) {
        // gRPC reconnect back-off, first step.
        self.retry_after[endpoint] = now + SimDuration::from_secs(1);
    }

    fn etcd(&mut self, ctx: &mut Ctx, op: KvOp, purpose: Purpose, timeout: SimDuration) {
        let id = self.next_id;
        self.next_id += 1;
        let endpoint = self.pick_endpoint(ctx.now, None);
        let call = EtcdCall {
            id,
            endpoint,
            op,
            purpose,
            deadline: ctx.now + timeout,
            tried: 0,
        };
        self.send_call(ctx, call);
        self.arm_calls_timer(ctx);
    }

    /// Keeps one timer at the earliest etcd call deadline.
    fn arm_calls_timer(&mut self, ctx: &mut Ctx) {
        let Some(earliest) = self.calls.iter().map(|c| c.deadline).min() else {
            return;
        };
        if self.calls_timer_at.is_none_or(|at| earliest < at) {
            self.calls_timer_at = Some(earliest);
            ctx.set_timer(
                earliest,
                Timer::Kube(KubeTimer::EtcdCallTimeout { at: earliest }),
            );
        }
    }

    fn send_call(&mut self, ctx: &mut Ctx, mut call: EtcdCall) {
        if call.tried > 0 {
            call.endpoint = self.pick_endpoint(ctx.now, Some(call.endpoint));
        }
        ctx.send(
            self.endpoints[call.endpoint],
            Msg::EtcdRequest {
                id: call.id,
                op: call.op.clone(),
            },
        );
        self.calls.push(call);
    }

    fn start_watch(&mut self, ctx: &mut Ctx) {
        let id = self.next_id;
        self.next_id += 1;
        let avoid = self.watch.as_ref().map(|w| w.endpoint);
        let endpoint = self.pick_endpoint(ctx.now, avoid.filter(|_| self.endpoints.len() > 1));
        self.watch = Some(Watch {
            id,
            endpoint,
            last_heard: ctx.now,
            synced: false,
        });
        ctx.send(
            self.endpoints[endpoint],
            Msg::EtcdWatch {
                id,
                prefix: "/registry/".into(),
            },
        );
    }

    /// Handles a request from a client (or from HAProxy on its behalf).
    fn serve(
        &mut self,
        ctx: &mut Ctx,
        from: ProcId,
        from_incarnation: u32,
        id: u64,
        request: Rc<ApiRequest>,
    ) {
        let reply = |ctx: &mut Ctx, response: ApiResponse| {
            ctx.reply(
                from,
                from_incarnation,
                Msg::ApiReply {
                    id,
                    response: Rc::new(response),
                },
            );
        };
        let op = match &*request {
            ApiRequest::Watch { kind } => {
                let kind = *kind;
                self.watchers.retain(|&(c, _, k)| !(c == from && k == kind));
                self.watchers.push((from, from_incarnation, kind));
                return;
            }
            ApiRequest::Probe { .. } => {
                let response = if self.is_ready() {
                    ApiResponse::Probe {
                        ok: true,
                        body: "ok".into(),
                    }
                } else {
                    ApiResponse::Probe {
                        ok: false,
                        body: format!("[-]etcd failed: {}", self.health_error).into(),
                    }
                };
                reply(ctx, response);
                return;
            }
            ApiRequest::List { kind, cached: true } => {
                let items = self
                    .cache
                    .iter_from(kind.prefix())
                    .take_while(|(k, _)| k.starts_with(kind.prefix()))
                    .map(|(_, item)| item.clone())
                    .collect();
                reply(
                    ctx,
                    ApiResponse::List {
                        items,
                        resource_version: self.cache_revision,
                    },
                );
                return;
            }
            ApiRequest::List {
                kind,
                cached: false,
            } => KvOp::Range {
                key: kind.prefix().into(),
                prefix: true,
                serializable: false,
            },
            ApiRequest::Get { key } => KvOp::Range {
                key: key.etcd_key(),
                prefix: false,
                serializable: false,
            },
            ApiRequest::Create { object } => {
                let key = object.key().etcd_key();
                cas(key, 0, object.encode())
            }
            ApiRequest::Update {
                object,
                resource_version,
            } => {
                let key = object.key().etcd_key();
                cas(key, *resource_version, object.encode())
            }
            ApiRequest::Delete { key } => KvOp::Delete {
                key: key.etcd_key(),
            },
        };
        let purpose = Purpose::Api {
            client: from,
            client_incarnation: from_incarnation,
            client_id: id,
            request,
        };
        self.etcd(ctx, op, purpose, ETCD_CALL_TIMEOUT);
    }

    /// An etcd call has ended.
    fn finish(&mut self, ctx: &mut Ctx, call: EtcdCall, result: Result<KvResult, CallFailure>) {
        match call.purpose {
            Purpose::Health => {
                self.probe_in_flight = false;
                self.set_health(ctx, result.map(|_| ()));
            }
            Purpose::Api {
                client,
                client_incarnation,
                client_id,
                request,
            } => {
                let response = match result {
                    Ok(result) => self.response(ctx, &request, result),
                    Err(CallFailure::Timeout) => ApiResponse::Error(ApiError {
                        code: 504,
                        reason: Reason::Timeout,
                        message: "Timeout: request did not complete within requested timeout - context deadline exceeded".to_owned(),
                    }),
                    Err(failure) => ApiResponse::Error(ApiError::storage(failure.message())),
                };
                ctx.reply(
                    client,
                    client_incarnation,
                    Msg::ApiReply {
                        id: client_id,
                        response: Rc::new(response),
                    },
                );
            }
        }
    }

    /// Turns etcd's answer into the API's.
    fn response(&self, ctx: &mut Ctx, request: &ApiRequest, result: KvResult) -> ApiResponse {
        match (request, result) {
            (ApiRequest::Get { key }, KvResult::Range { kvs, .. }) => match kvs.first() {
                Some(kv) => decoded(kv),
                None => ApiResponse::Error(ApiError::not_found(key)),
            },
            (ApiRequest::List { .. }, KvResult::Range { kvs, revision }) => ApiResponse::List {
                items: kvs
                    .iter()
                    .filter_map(|kv| {
                        Object::decode(&kv.value).map(|o| (Rc::new(o), kv.mod_revision))
                    })
                    .collect(),
                resource_version: revision,
            },
            (
                ApiRequest::Create { object } | ApiRequest::Update { object, .. },
                KvResult::Txn {
                    succeeded,
                    revision,
                    responses,
                },
            ) => {
                let key = object.key();
                if succeeded {
                    if let (ApiRequest::Create { .. }, Object::Pod(pod)) = (request, object) {
                        ctx.log(
                            EventKind::PodCreated {
                                pod: pod.name.to_string(),
                            },
                            "kube-apiserver",
                            format!("created pod default/{}", pod.name),
                        );
                    }
                    return ApiResponse::Object {
                        object: object.clone(),
                        resource_version: revision,
                    };
                }
                let exists = matches!(responses.first(), Some(KvResult::Range { kvs, .. }) if !kvs.is_empty());
                ApiResponse::Error(match (request, exists) {
                    (ApiRequest::Create { .. }, _) => ApiError::already_exists(&key),
                    (_, true) => ApiError::conflict(&key),
                    (_, false) => ApiError::not_found(&key),
                })
            }
            (ApiRequest::Delete { key }, KvResult::Delete { deleted, .. }) => {
                if deleted == 0 {
                    return ApiResponse::Error(ApiError::not_found(key));
                }
                if key.kind == Kind::Pod {
                    ctx.log(
                        EventKind::PodDeleted {
                            pod: key.name.to_string(),
                        },
                        "kube-apiserver",
                        format!("deleted pod default/{}", key.name),
                    );
                }
                ApiResponse::Deleted
            }
            _ => ApiResponse::Error(ApiError::storage(
                "unexpected response from etcd".to_owned(),
            )),
        }
    }
}

fn decoded(kv: &KeyValue) -> ApiResponse {
    match Object::decode(&kv.value) {
        Some(object) => ApiResponse::Object {
            object,
            resource_version: kv.mod_revision,
        },
        None => ApiResponse::Error(ApiError::storage(format!("cannot decode {}", kv.key))),
    }
}

/// Writes `value` at `key` if its mod_revision is `revision` (0: absent),
/// otherwise reads it.
fn cas(key: Rc<str>, revision: i64, value: Rc<str>) -> KvOp {
    KvOp::Txn {
        compare: vec![Compare::ModRevisionEquals {
            key: key.clone(),
            revision,
        }],
        success: vec![TxnOp::Put {
            key: key.clone(),
            value,
        }],
        failure: vec![TxnOp::Get { key }],
    }
}
