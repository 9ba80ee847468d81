//! The Kubernetes objects the control plane stores in etcd: Leases
//! (`coordination.k8s.io/v1`), Pods, Nodes and the workload's Deployment.
//!
//! They are stored as text, one `field=value` per line, in a fixed order, so
//! that the same object always has the same bytes: client-go's leader
//! election compares the raw bytes of the record it last saw (FIDELITY.md §1).

use std::fmt::Write as _;
use std::rc::Rc;

use crate::time::SimTime;

/// The namespaces the lab uses.
pub const KUBE_SYSTEM: &str = "kube-system";
pub const KUBE_NODE_LEASE: &str = "kube-node-lease";
pub const DEFAULT: &str = "default";

/// The workload's Deployment, kept at its replica count by the controller-manager.
pub const WORKLOAD: &str = "web";

/// The kinds of object the lab stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Lease,
    Pod,
    Node,
    Deployment,
}

impl Kind {
    /// The resource name as the API and kubectl print it in errors.
    pub fn resource(self) -> &'static str {
        match self {
            Kind::Lease => "leases.coordination.k8s.io",
            Kind::Pod => "pods",
            Kind::Node => "nodes",
            Kind::Deployment => "deployments.apps",
        }
    }

    /// The etcd key prefix, as kube-apiserver lays out its storage
    /// (nodes are still stored as "minions").
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Lease => "/registry/leases/",
            Kind::Pod => "/registry/pods/",
            Kind::Node => "/registry/minions/",
            Kind::Deployment => "/registry/deployments/",
        }
    }
}

/// Names one object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub kind: Kind,
    /// Empty for cluster-scoped objects (Nodes).
    pub namespace: Rc<str>,
    pub name: Rc<str>,
}

impl ObjectKey {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            kind,
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The etcd key: `/registry/leases/kube-system/kube-scheduler`.
    pub fn etcd_key(&self) -> Rc<str> {
        if self.namespace.is_empty() {
            format!("{}{}", self.kind.prefix(), self.name).into()
        } else {
            format!("{}{}/{}", self.kind.prefix(), self.namespace, self.name).into()
        }
    }

    /// `kube-system/kube-scheduler`, as SCENARIOS.md names leases.
    pub fn path(&self) -> String {
        if self.namespace.is_empty() {
            self.name.to_string()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

/// A Lease (`coordination.k8s.io/v1`): the lock of leader election and of
/// node heartbeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub namespace: Rc<str>,
    pub name: Rc<str>,
    /// Empty when nobody holds it (after a release).
    pub holder_identity: String,
    pub lease_duration_seconds: i64,
    pub acquire_time: Option<SimTime>,
    pub renew_time: Option<SimTime>,
    pub lease_transitions: i64,
}

/// A Pod's phase as far as the lab follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodPhase {
    Pending,
    Running,
}

/// A Pod of the workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pod {
    pub name: Rc<str>,
    /// The Deployment that owns it.
    pub owner: Rc<str>,
    /// The node it is bound to, once scheduled.
    pub node_name: Option<Rc<str>>,
    pub phase: PodPhase,
    pub created: SimTime,
}

/// A node's Ready condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    True,
    False,
    /// Set by the node lifecycle controller when the kubelet stops renewing.
    Unknown,
}

impl Readiness {
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::True => "True",
            Readiness::False => "False",
            Readiness::Unknown => "Unknown",
        }
    }
}

/// A Node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub name: Rc<str>,
    /// Control-plane nodes carry the `node-role.kubernetes.io/control-plane:NoSchedule` taint.
    pub control_plane: bool,
    pub ready: Readiness,
    /// When `ready` last changed.
    pub ready_since: SimTime,
    /// When the kubelet last posted the node's status (the Ready condition's
    /// lastHeartbeatTime); only the kubelet writes it.
    pub last_heartbeat: SimTime,
    /// When the `node.kubernetes.io/unreachable:NoExecute` taint was added, if present.
    pub unreachable_since: Option<SimTime>,
}

/// The workload's Deployment (only its replica count matters here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    pub name: Rc<str>,
    pub replicas: u32,
}

/// Any stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object {
    Lease(Lease),
    Pod(Pod),
    Node(Node),
    Deployment(Deployment),
}

impl Object {
    pub fn key(&self) -> ObjectKey {
        match self {
            Object::Lease(l) => ObjectKey {
                kind: Kind::Lease,
                namespace: l.namespace.clone(),
                name: l.name.clone(),
            },
            Object::Pod(p) => ObjectKey::new(Kind::Pod, DEFAULT, &p.name),
            Object::Node(n) => ObjectKey::new(Kind::Node, "", &n.name),
            Object::Deployment(d) => ObjectKey::new(Kind::Deployment, DEFAULT, &d.name),
        }
    }

    /// The object as stored in etcd.
    pub fn encode(&self) -> Rc<str> {
        let mut out = String::with_capacity(128);
        let opt_time = |t: Option<SimTime>| t.map_or(String::new(), |t| t.as_micros().to_string());
        match self {
            Object::Lease(l) => {
                let _ = write!(
                    out,
                    "kind=Lease\nnamespace={}\nname={}\nholderIdentity={}\nleaseDurationSeconds={}\nacquireTime={}\nrenewTime={}\nleaseTransitions={}",
                    l.namespace,
                    l.name,
                    l.holder_identity,
                    l.lease_duration_seconds,
                    opt_time(l.acquire_time),
                    opt_time(l.renew_time),
                    l.lease_transitions
                );
            }
            Object::Pod(p) => {
                let _ = write!(
                    out,
                    "kind=Pod\nname={}\nowner={}\nnodeName={}\nphase={}\ncreated={}",
                    p.name,
                    p.owner,
                    p.node_name.as_deref().unwrap_or(""),
                    match p.phase {
                        PodPhase::Pending => "Pending",
                        PodPhase::Running => "Running",
                    },
                    p.created.as_micros()
                );
            }
            Object::Node(n) => {
                let _ = write!(
                    out,
                    "kind=Node\nname={}\ncontrolPlane={}\nready={}\nreadySince={}\nlastHeartbeat={}\nunreachableSince={}",
                    n.name,
                    n.control_plane,
                    n.ready.as_str(),
                    n.ready_since.as_micros(),
                    n.last_heartbeat.as_micros(),
                    opt_time(n.unreachable_since)
                );
            }
            Object::Deployment(d) => {
                let _ = write!(
                    out,
                    "kind=Deployment\nname={}\nreplicas={}",
                    d.name, d.replicas
                );
            }
        }
        out.into()
    }

    /// Reads an object back from its stored form; `None` if it is not one.
    pub fn decode(text: &str) -> Option<Object> {
        let mut fields = text
            .lines()
            .map(|line| line.split_once('=').unwrap_or((line, "")));
        let (_, kind) = fields.next()?;
        let mut get = |name: &str| -> Option<&str> {
            let (key, value) = fields.next()?;
            (key == name).then_some(value)
        };
        let time = |v: &str| -> Option<Option<SimTime>> {
            if v.is_empty() {
                Some(None)
            } else {
                v.parse().ok().map(|us| Some(SimTime::from_micros(us)))
            }
        };
        Some(match kind {
            "Lease" => Object::Lease(Lease {
                namespace: get("namespace")?.into(),
                name: get("name")?.into(),
                holder_identity: get("holderIdentity")?.to_owned(),
                lease_duration_seconds: get("leaseDurationSeconds")?.parse().ok()?,
                acquire_time: time(get("acquireTime")?)?,
                renew_time: time(get("renewTime")?)?,
                lease_transitions: get("leaseTransitions")?.parse().ok()?,
            }),
            "Pod" => Object::Pod(Pod {
                name: get("name")?.into(),
                owner: get("owner")?.into(),
                node_name: Some(get("nodeName")?)
                    .filter(|n| !n.is_empty())
                    .map(Rc::from),
                phase: match get("phase")? {
                    "Pending" => PodPhase::Pending,
                    "Running" => PodPhase::Running,
                    _ => return None,
                },
                created: SimTime::from_micros(get("created")?.parse().ok()?),
            }),
            "Node" => Object::Node(Node {
                name: get("name")?.into(),
                control_plane: get("controlPlane")?.parse().ok()?,
                ready: match get("ready")? {
                    "True" => Readiness::True,
                    "False" => Readiness::False,
                    "Unknown" => Readiness::Unknown,
                    _ => return None,
                },
                ready_since: SimTime::from_micros(get("readySince")?.parse().ok()?),
                last_heartbeat: SimTime::from_micros(get("lastHeartbeat")?.parse().ok()?),
                unreachable_since: time(get("unreachableSince")?)?,
            }),
            "Deployment" => Object::Deployment(Deployment {
                name: get("name")?.into(),
                replicas: get("replicas")?.parse().ok()?,
            }),
            _ => return None,
        })
    }

    pub fn as_lease(&self) -> Option<&Lease> {
        match self {
            Object::Lease(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_pod(&self) -> Option<&Pod> {
        match self {
            Object::Pod(p) => Some(p),
            _ => None,
        }
    }

    pub fn as_node(&self) -> Option<&Node> {
        match self {
            Object::Node(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_deployment(&self) -> Option<&Deployment> {
        match self {
            Object::Deployment(d) => Some(d),
            _ => None,
        }
    }
}

impl Lease {
    /// The node named by the holder identity (`master-2_<uuid>` → `master-2`).
    pub fn holder_node(&self) -> Option<&str> {
        if self.holder_identity.is_empty() {
            None
        } else {
            Some(
                self.holder_identity
                    .split_once('_')
                    .map_or(self.holder_identity.as_str(), |(node, _)| node),
            )
        }
    }

    /// The Lease as `kubectl get lease NAME -o yaml` prints it.
    pub fn to_yaml(&self, resource_version: i64) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "apiVersion: coordination.k8s.io/v1");
        let _ = writeln!(out, "kind: Lease");
        let _ = writeln!(out, "metadata:");
        let _ = writeln!(out, "  name: {}", self.name);
        let _ = writeln!(out, "  namespace: {}", self.namespace);
        let _ = writeln!(out, "  resourceVersion: \"{resource_version}\"");
        let _ = writeln!(out, "spec:");
        if let Some(t) = self.acquire_time {
            let _ = writeln!(out, "  acquireTime: \"{}\"", micro_time(t));
        }
        let _ = writeln!(
            out,
            "  holderIdentity: {}",
            yaml_string(&self.holder_identity)
        );
        let _ = writeln!(
            out,
            "  leaseDurationSeconds: {}",
            self.lease_duration_seconds
        );
        let _ = writeln!(out, "  leaseTransitions: {}", self.lease_transitions);
        if let Some(t) = self.renew_time {
            let _ = writeln!(out, "  renewTime: \"{}\"", micro_time(t));
        }
        out
    }
}

fn yaml_string(s: &str) -> String {
    if s.is_empty() {
        "\"\"".to_owned()
    } else {
        s.to_owned()
    }
}

/// The wall-clock instant the lab's clocks show at simulated time zero.
/// Every node's clock runs at the same rate and shows the same time.
pub const EPOCH_DAYS_SINCE_1970: i64 = 20_454; // 2026-01-01

/// A simulated instant as a Kubernetes MicroTime: `2026-01-01T00:00:12.345678Z`.
pub fn micro_time(t: SimTime) -> String {
    let us = t.as_micros();
    let seconds = us / 1_000_000;
    let days = EPOCH_DAYS_SINCE_1970 + (seconds / 86_400) as i64;
    let (year, month, day) = civil_from_days(days);
    let s = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        s / 3_600,
        s / 60 % 60,
        s % 60,
        us % 1_000_000
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease() -> Lease {
        Lease {
            namespace: KUBE_SYSTEM.into(),
            name: "kube-controller-manager".into(),
            holder_identity: "master-2_6d0c2a9e-0f3c-4a1e-9b7e-1a2b3c4d5e6f".into(),
            lease_duration_seconds: 15,
            acquire_time: Some(SimTime::from_millis(4_321)),
            renew_time: Some(SimTime::from_millis(90_123)),
            lease_transitions: 2,
        }
    }

    #[test]
    fn every_object_reads_back_as_it_was_stored() {
        let objects = [
            Object::Lease(lease()),
            Object::Lease(Lease {
                holder_identity: String::new(),
                acquire_time: None,
                renew_time: None,
                ..lease()
            }),
            Object::Pod(Pod {
                name: "web-x7k2p".into(),
                owner: WORKLOAD.into(),
                node_name: Some("worker-1".into()),
                phase: PodPhase::Running,
                created: SimTime::from_secs(7),
            }),
            Object::Pod(Pod {
                name: "web-a".into(),
                owner: WORKLOAD.into(),
                node_name: None,
                phase: PodPhase::Pending,
                created: SimTime::ZERO,
            }),
            Object::Node(Node {
                name: "worker-2".into(),
                control_plane: false,
                ready: Readiness::Unknown,
                ready_since: SimTime::from_secs(100),
                last_heartbeat: SimTime::from_secs(50),
                unreachable_since: Some(SimTime::from_secs(100)),
            }),
            Object::Deployment(Deployment {
                name: WORKLOAD.into(),
                replicas: 6,
            }),
        ];
        for object in objects {
            assert_eq!(Object::decode(&object.encode()), Some(object.clone()));
        }
        assert_eq!(Object::decode("kind=Lease\nname=x"), None);
        assert_eq!(Object::decode(""), None);
    }

    #[test]
    fn a_lease_prints_like_kubectl_get_lease_o_yaml() {
        let yaml = lease().to_yaml(4711);
        assert_eq!(
            yaml,
            "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: kube-controller-manager\n  namespace: kube-system\n  resourceVersion: \"4711\"\nspec:\n  acquireTime: \"2026-01-01T00:00:04.321000Z\"\n  holderIdentity: master-2_6d0c2a9e-0f3c-4a1e-9b7e-1a2b3c4d5e6f\n  leaseDurationSeconds: 15\n  leaseTransitions: 2\n  renewTime: \"2026-01-01T00:01:30.123000Z\"\n"
        );
        assert_eq!(lease().holder_node(), Some("master-2"));
    }

    #[test]
    fn micro_times_count_days_months_and_years() {
        assert_eq!(micro_time(SimTime::ZERO), "2026-01-01T00:00:00.000000Z");
        let day = 86_400;
        assert_eq!(
            micro_time(SimTime::from_secs(31 * day + 3_661)),
            "2026-02-01T01:01:01.000000Z"
        );
        assert_eq!(
            micro_time(SimTime::from_secs(365 * day)),
            "2027-01-01T00:00:00.000000Z"
        );
    }

    #[test]
    fn keys_follow_the_api_servers_storage_layout() {
        let lease = ObjectKey::new(Kind::Lease, KUBE_NODE_LEASE, "worker-1");
        assert_eq!(
            &*lease.etcd_key(),
            "/registry/leases/kube-node-lease/worker-1"
        );
        assert_eq!(
            &*ObjectKey::new(Kind::Node, "", "worker-1").etcd_key(),
            "/registry/minions/worker-1"
        );
        assert_eq!(lease.path(), "kube-node-lease/worker-1");
    }
}
