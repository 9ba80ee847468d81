//! The Kubernetes API as the lab's components speak it: requests to
//! kube-apiserver, its answers and errors, and a small client that every
//! component uses (request ids, timeouts, and the errors a client sees when
//! nothing answers).

use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::kube::KubeTimer;
use crate::kube::objects::{Kind, Object, ObjectKey};
use crate::time::{SimDuration, SimTime};

/// A request to kube-apiserver (or an HTTP health probe to any component).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiRequest {
    /// A consistent read of one object (resourceVersion unset): goes to etcd.
    Get { key: ObjectKey },
    /// A list; `cached` is resourceVersion="0", served from the API server's
    /// cache, which works even without etcd quorum but may be stale.
    List { kind: Kind, cached: bool },
    /// Creates an object; 409 AlreadyExists if it does.
    Create { object: Object },
    /// Replaces an object if it is still at `resource_version` (optimistic
    /// concurrency); 409 Conflict otherwise.
    Update {
        object: Object,
        resource_version: i64,
    },
    /// Deletes an object.
    Delete { key: ObjectKey },
    /// Asks to be told (`Msg::ApiWatchEvent`) whenever objects of `kind`
    /// change in the API server's cache: the lab's stand-in for a watch, which
    /// wakes informer-driven controllers. Never answered; renewed by sending
    /// it again.
    Watch { kind: Kind },
    /// `GET /healthz`, `/livez` or `/readyz` (kube-apiserver), or a component's
    /// own health endpoint (the kubelet's liveness probes).
    Probe { path: &'static str },
}

/// kube-apiserver's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiResponse {
    Object {
        object: Object,
        resource_version: i64,
    },
    /// The objects with their resourceVersions (shared, not copied: lists
    /// are served often from the API server's cache).
    List {
        items: Vec<(Rc<Object>, i64)>,
        resource_version: i64,
    },
    Deleted,
    /// A health probe's answer: 200 or 500, and the body.
    Probe {
        ok: bool,
        body: Rc<str>,
    },
    Error(ApiError),
}

/// The `reason` of a Kubernetes Status error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    NotFound,
    AlreadyExists,
    Conflict,
    InternalError,
    Timeout,
    ServiceUnavailable,
}

/// An error status from kube-apiserver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    pub reason: Reason,
    pub message: String,
}

impl ApiError {
    pub fn not_found(key: &ObjectKey) -> ApiError {
        ApiError {
            code: 404,
            reason: Reason::NotFound,
            message: format!("{} \"{}\" not found", key.kind.resource(), key.name),
        }
    }

    pub fn already_exists(key: &ObjectKey) -> ApiError {
        ApiError {
            code: 409,
            reason: Reason::AlreadyExists,
            message: format!("{} \"{}\" already exists", key.kind.resource(), key.name),
        }
    }

    pub fn conflict(key: &ObjectKey) -> ApiError {
        ApiError {
            code: 409,
            reason: Reason::Conflict,
            message: format!(
                "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                key.kind.resource(),
                key.name
            ),
        }
    }

    /// A storage error passed on from etcd (`etcdserver: request timed out`, …).
    pub fn storage(message: String) -> ApiError {
        ApiError {
            code: 500,
            reason: Reason::InternalError,
            message,
        }
    }
}

/// What a client sees when a request fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// The server answered with an error status.
    Status(ApiError),
    /// Nothing listens on the port (the process is down, its node is up).
    Refused,
    /// No answer within the client's timeout (a dead node, a cut link, a
    /// hung server).
    Timeout,
    /// The connection was closed without an answer (HAProxy with no backend).
    Closed,
}

impl ClientError {
    /// Whether this is a 409 Conflict or AlreadyExists.
    pub fn is_conflict(&self) -> bool {
        matches!(self, ClientError::Status(e) if e.code == 409)
    }

    /// Whether this is a 404 NotFound.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::Status(e) if e.code == 404)
    }

    /// The error as client-go reports it, for a server at `server` (`master-1:6443`).
    pub fn describe(&self, server: &str) -> String {
        match self {
            ClientError::Status(e) => e.message.clone(),
            ClientError::Refused => {
                format!("Get \"https://{server}\": dial tcp {server}: connect: connection refused")
            }
            ClientError::Timeout => format!(
                "Get \"https://{server}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
            ),
            ClientError::Closed => format!("Get \"https://{server}\": EOF"),
        }
    }

    /// The error as kubectl prints it.
    pub fn kubectl(&self, server: &str) -> String {
        match self {
            ClientError::Status(e) => {
                let reason = match e.reason {
                    Reason::NotFound => " (NotFound)",
                    Reason::AlreadyExists => " (AlreadyExists)",
                    Reason::Conflict => " (Conflict)",
                    Reason::InternalError | Reason::Timeout | Reason::ServiceUnavailable => "",
                };
                format!("Error from server{reason}: {}", e.message)
            }
            ClientError::Refused => format!(
                "The connection to the server {server} was refused - did you specify the right host or port?"
            ),
            ClientError::Timeout => {
                "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)".to_owned()
            }
            ClientError::Closed => "Unable to connect to the server: EOF".to_owned(),
        }
    }
}

/// The result of one call.
pub type CallResult = Result<ApiResponse, ClientError>;

/// One request waiting for its answer.
#[derive(Clone, Debug)]
struct Pending<T> {
    id: u64,
    tag: T,
    deadline: SimTime,
}

/// A client of one server (an API server, or the load balancer in front of
/// them): it numbers requests, remembers what each was for (`T`), and turns
/// silence into a timeout. The owner routes `Msg::ApiReply`, `Msg::Refused`,
/// `Msg::Closed` and its `KubeTimer::CallTimeout` to it. One timer, at the
/// earliest deadline, serves all its calls.
#[derive(Clone, Debug)]
pub struct ApiClient<T> {
    server: ProcId,
    /// `host:port`, for error messages.
    pub server_name: Rc<str>,
    id_base: u64,
    next_id: u64,
    pending: Vec<Pending<T>>,
    timer_at: Option<SimTime>,
}

/// How many request ids one client may use: clients in one process number
/// their requests from different bases.
const IDS_PER_CLIENT: u64 = 1 << 40;

impl<T: Clone> ApiClient<T> {
    pub fn new(server: ProcId, server_name: Rc<str>) -> ApiClient<T> {
        ApiClient::with_id_base(server, server_name, 0)
    }

    /// A client whose request ids start at `id_base` (a multiple of 2^40).
    pub fn with_id_base(server: ProcId, server_name: Rc<str>, id_base: u64) -> ApiClient<T> {
        ApiClient {
            server,
            server_name,
            id_base,
            next_id: id_base + 1,
            pending: Vec::new(),
            timer_at: None,
        }
    }

    /// Whether request `id` is one of this client's.
    pub fn owns_id(&self, id: u64) -> bool {
        id > self.id_base && id < self.id_base + IDS_PER_CLIENT
    }

    /// The server this client talks to.
    pub fn server(&self) -> ProcId {
        self.server
    }

    /// Sends `request`; its answer (or timeout) comes back tagged with `tag`.
    pub fn call(&mut self, ctx: &mut Ctx, request: ApiRequest, timeout: SimDuration, tag: T) {
        let id = self.next_id;
        self.next_id += 1;
        let deadline = ctx.now + timeout;
        self.pending.push(Pending { id, tag, deadline });
        ctx.send(
            self.server,
            Msg::Api {
                id,
                request: Rc::new(request),
            },
        );
        self.arm(ctx);
    }

    /// Whether a `CallTimeout` timer is this client's.
    pub fn owns_timer(&self, client: u64) -> bool {
        client == self.id_base
    }

    /// Keeps one timer at the earliest deadline of the calls waiting.
    fn arm(&mut self, ctx: &mut Ctx) {
        let Some(earliest) = self.pending.iter().map(|p| p.deadline).min() else {
            return;
        };
        if self.timer_at.is_none_or(|at| earliest < at) {
            self.timer_at = Some(earliest);
            ctx.set_timer(
                earliest,
                Timer::Kube(KubeTimer::CallTimeout {
                    client: self.id_base,
                    at: earliest,
                }),
            );
        }
    }

    /// Asks the server to wake this process when objects of `kind` change.
    pub fn watch(&mut self, ctx: &mut Ctx, kind: Kind) {
        let id = self.next_id;
        self.next_id += 1;
        ctx.send(
            self.server,
            Msg::Api {
                id,
                request: Rc::new(ApiRequest::Watch { kind }),
            },
        );
    }

    /// Whether a call with this tag is waiting.
    pub fn is_waiting(&self, matches: impl Fn(&T) -> bool) -> bool {
        self.pending.iter().any(|p| matches(&p.tag))
    }

    /// Abandons every call whose tag matches (a cancelled context).
    pub fn cancel(&mut self, matches: impl Fn(&T) -> bool) {
        self.pending.retain(|p| !matches(&p.tag));
    }

    /// Matches a reply, a refusal or a timeout with its call. Returns `None`
    /// for anything that is not one of this client's calls (or a late one).
    pub fn complete(&mut self, msg: &Msg, from: ProcId) -> Option<(T, CallResult)> {
        let (id, result) = match msg {
            Msg::ApiReply { id, response } if from == self.server => {
                let result = match &**response {
                    ApiResponse::Error(e) => Err(ClientError::Status(e.clone())),
                    other => Ok(other.clone()),
                };
                (*id, result)
            }
            Msg::Refused { id } if from == self.server => (*id, Err(ClientError::Refused)),
            Msg::Closed { id } if from == self.server => (*id, Err(ClientError::Closed)),
            _ => return None,
        };
        self.take(id).map(|tag| (tag, result))
    }

    /// This client's timer, scheduled for `at`, fired: the calls whose
    /// deadline has passed have timed out.
    pub fn timed_out(&mut self, ctx: &mut Ctx, at: SimTime) -> Vec<(T, CallResult)> {
        if self.timer_at != Some(at) {
            return Vec::new(); // superseded by an earlier deadline
        }
        self.timer_at = None;
        let now = ctx.now;
        let mut expired = Vec::new();
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].deadline <= now {
                expired.push((self.pending.remove(i).tag, Err(ClientError::Timeout)));
            } else {
                i += 1;
            }
        }
        self.arm(ctx);
        expired
    }

    fn take(&mut self, id: u64) -> Option<T> {
        let pos = self.pending.iter().position(|p| p.id == id)?;
        Some(self.pending.swap_remove(pos).tag)
    }
}
