//! The events of a run: what a learner sees in the event log and timeline,
//! and what the `ha-sim` runner prints as JSON Lines (SCENARIOS.md).
//!
//! Every event has a simulated time, a kind, the node and component it comes
//! from, and a message worded like the real component's log line. Kinds that
//! SCENARIOS.md names carry its extra fields.

use std::fmt::Write as _;
use std::rc::Rc;

use crate::rng::Fnv1a64;
use crate::time::SimTime;

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When it happened.
    pub t: SimTime,
    /// What happened, with the kind's own fields.
    pub kind: EventKind,
    /// The node it happened on; `None` for cluster-level events.
    pub node: Option<Rc<str>>,
    /// The component that logged it: `etcd`, `kubelet`, `kube-apiserver`, …
    pub component: &'static str,
    /// A line a learner can read, worded like the component's own log.
    pub message: String,
}

/// The kinds of event, with their extra fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A scripted or learner action was applied.
    Action { action: String, target: String },
    /// A node lost power.
    NodeDown,
    /// A node powered on (its processes start once it has booted).
    NodeUp,
    /// A process started.
    ProcessStarted,
    /// A process ended.
    ProcessExited { exit_code: i32, reason: String },
    /// An etcd member became Raft leader.
    EtcdLeaderElected { term: u64 },
    /// The etcd cluster no longer has a working majority.
    EtcdQuorumLost { members_up: u32, members: u32 },
    /// The etcd cluster has a working majority again.
    EtcdQuorumRegained { members_up: u32, members: u32 },
    /// An etcd member changed Raft role (follower, pre-candidate, candidate, leader).
    EtcdRoleChanged { role: &'static str, term: u64 },
    /// A candidate became leader of a Lease.
    LeaseAcquired {
        lease: String,
        holder_identity: String,
        lease_transitions: i64,
    },
    /// The leader renewed its Lease.
    LeaseRenewed { lease: String },
    /// A leader stopped leading.
    LeaseLost { lease: String, reason: String },
    /// A leader cleared the holder on a graceful stop.
    LeaseReleased { lease: String },
    /// An API server's `/readyz` started passing.
    ApiserverHealthy,
    /// An API server's `/readyz` started failing.
    ApiserverUnhealthy,
    /// HAProxy marked a backend UP.
    LbBackendUp { backend: String },
    /// HAProxy marked a backend DOWN.
    LbBackendDown { backend: String },
    /// The API stored a pod.
    PodCreated { pod: String },
    /// The API removed a pod.
    PodDeleted { pod: String },
    /// The scheduler bound a pod to a node.
    PodScheduled { pod: String, node_name: String },
    /// A kubelet started a pod's container.
    PodStarted { pod: String },
    /// A kubelet stopped a pod's container.
    PodStopped { pod: String },
    /// The node lifecycle controller marked a node Ready=Unknown.
    NodeNotReady { node_name: String },
    /// A kubelet registered its node or set it Ready again.
    NodeReady { node_name: String },
    /// `kubectl get pods` started or stopped working.
    KubectlProbe { ok: bool },
    /// A kubectl command the learner ran finished.
    KubectlResult { command: String, ok: bool },
    /// At least one workload pod runs on a live worker again.
    WorkloadAvailable { running: u32 },
    /// No workload pod runs on a live worker.
    WorkloadUnavailable,
    /// The network was partitioned or healed.
    NetworkChanged,
    /// Any other line a component logs that a learner may want to read.
    Log,
}

impl EventKind {
    /// The `kind` field of the JSON form.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Action { .. } => "action",
            EventKind::NodeDown => "node_down",
            EventKind::NodeUp => "node_up",
            EventKind::ProcessStarted => "process_started",
            EventKind::ProcessExited { .. } => "process_exited",
            EventKind::EtcdLeaderElected { .. } => "etcd_leader_elected",
            EventKind::EtcdQuorumLost { .. } => "etcd_quorum_lost",
            EventKind::EtcdQuorumRegained { .. } => "etcd_quorum_regained",
            EventKind::EtcdRoleChanged { .. } => "etcd_role_changed",
            EventKind::LeaseAcquired { .. } => "lease_acquired",
            EventKind::LeaseRenewed { .. } => "lease_renewed",
            EventKind::LeaseLost { .. } => "lease_lost",
            EventKind::LeaseReleased { .. } => "lease_released",
            EventKind::ApiserverHealthy => "apiserver_healthy",
            EventKind::ApiserverUnhealthy => "apiserver_unhealthy",
            EventKind::LbBackendUp { .. } => "lb_backend_up",
            EventKind::LbBackendDown { .. } => "lb_backend_down",
            EventKind::PodCreated { .. } => "pod_created",
            EventKind::PodDeleted { .. } => "pod_deleted",
            EventKind::PodScheduled { .. } => "pod_scheduled",
            EventKind::PodStarted { .. } => "pod_started",
            EventKind::PodStopped { .. } => "pod_stopped",
            EventKind::NodeNotReady { .. } => "node_not_ready",
            EventKind::NodeReady { .. } => "node_ready",
            EventKind::KubectlProbe { .. } => "kubectl_probe",
            EventKind::KubectlResult { .. } => "kubectl_result",
            EventKind::WorkloadAvailable { .. } => "workload_available",
            EventKind::WorkloadUnavailable => "workload_unavailable",
            EventKind::NetworkChanged => "network_changed",
            EventKind::Log => "log",
        }
    }
}

impl Event {
    /// The event as one line of JSON, in a fixed field order: `t_ms`, `kind`,
    /// `node`, `component`, `message`, then the kind's own fields.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(96 + self.message.len());
        self.write_json(&mut out);
        out
    }

    /// Appends the JSON form to `out`.
    pub fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{{\"t_ms\":{},\"kind\":", self.t.as_millis());
        json_string(out, self.kind.name());
        self.for_each_field(|name, value| {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
            match value {
                Field::Null => out.push_str("null"),
                Field::Text(text) => json_string(out, text),
                Field::Number(n) => {
                    let _ = write!(out, "{n}");
                }
                Field::Bool(b) => {
                    let _ = write!(out, "{b}");
                }
            }
        });
        out.push('}');
    }

    /// Calls `visit` with each field after `t_ms` and `kind`, in the JSON
    /// form's order: `node`, `component`, `message`, then the kind's own.
    pub fn for_each_field(&self, mut visit: impl FnMut(&'static str, Field<'_>)) {
        visit(
            "node",
            self.node.as_deref().map_or(Field::Null, Field::Text),
        );
        visit("component", Field::Text(self.component));
        visit("message", Field::Text(&self.message));
        self.kind.for_each_field(visit);
    }
}

/// The value of one field of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field<'a> {
    Null,
    Text(&'a str),
    Number(i64),
    Bool(bool),
}

impl Field<'_> {
    /// Whether the field equals `text` as a lesson file writes it
    /// (`"master-2"`, `3`, `true`).
    pub fn is(&self, text: &str) -> bool {
        match *self {
            Field::Null => text == "null",
            Field::Text(t) => t == text,
            Field::Number(n) => text.parse() == Ok(n),
            Field::Bool(b) => text.parse() == Ok(b),
        }
    }
}

impl EventKind {
    /// One event of every kind, for the lists of kinds and fields that
    /// lesson files are checked against.
    pub fn examples() -> Vec<EventKind> {
        let s = String::new;
        vec![
            EventKind::Action {
                action: s(),
                target: s(),
            },
            EventKind::NodeDown,
            EventKind::NodeUp,
            EventKind::ProcessStarted,
            EventKind::ProcessExited {
                exit_code: 0,
                reason: s(),
            },
            EventKind::EtcdLeaderElected { term: 0 },
            EventKind::EtcdQuorumLost {
                members_up: 0,
                members: 0,
            },
            EventKind::EtcdQuorumRegained {
                members_up: 0,
                members: 0,
            },
            EventKind::EtcdRoleChanged { role: "", term: 0 },
            EventKind::LeaseAcquired {
                lease: s(),
                holder_identity: s(),
                lease_transitions: 0,
            },
            EventKind::LeaseRenewed { lease: s() },
            EventKind::LeaseLost {
                lease: s(),
                reason: s(),
            },
            EventKind::LeaseReleased { lease: s() },
            EventKind::ApiserverHealthy,
            EventKind::ApiserverUnhealthy,
            EventKind::LbBackendUp { backend: s() },
            EventKind::LbBackendDown { backend: s() },
            EventKind::PodCreated { pod: s() },
            EventKind::PodDeleted { pod: s() },
            EventKind::PodScheduled {
                pod: s(),
                node_name: s(),
            },
            EventKind::PodStarted { pod: s() },
            EventKind::PodStopped { pod: s() },
            EventKind::NodeNotReady { node_name: s() },
            EventKind::NodeReady { node_name: s() },
            EventKind::KubectlProbe { ok: false },
            EventKind::KubectlResult {
                command: s(),
                ok: false,
            },
            EventKind::WorkloadAvailable { running: 0 },
            EventKind::WorkloadUnavailable,
            EventKind::NetworkChanged,
            EventKind::Log,
        ]
    }

    /// The kind named `name` (`"lease_acquired"`), as an example.
    pub fn example(name: &str) -> Option<EventKind> {
        EventKind::examples().into_iter().find(|k| k.name() == name)
    }

    /// Every field an event of this kind has, in order.
    pub fn field_names(&self) -> Vec<&'static str> {
        let mut names = vec!["node", "component", "message"];
        self.for_each_field(|name, _| names.push(name));
        names
    }

    /// Calls `visit` with each of the kind's own fields.
    fn for_each_field(&self, mut visit: impl FnMut(&'static str, Field<'_>)) {
        use Field::{Bool, Number, Text};
        match self {
            EventKind::Action { action, target } => {
                visit("action", Text(action));
                visit("target", Text(target));
            }
            EventKind::ProcessExited { exit_code, reason } => {
                visit("exit_code", Number(i64::from(*exit_code)));
                visit("reason", Text(reason));
            }
            EventKind::EtcdLeaderElected { term } => visit("term", Number(*term as i64)),
            EventKind::EtcdQuorumLost {
                members_up,
                members,
            }
            | EventKind::EtcdQuorumRegained {
                members_up,
                members,
            } => {
                visit("members_up", Number(i64::from(*members_up)));
                visit("members", Number(i64::from(*members)));
            }
            EventKind::EtcdRoleChanged { role, term } => {
                visit("role", Text(role));
                visit("term", Number(*term as i64));
            }
            EventKind::LeaseAcquired {
                lease,
                holder_identity,
                lease_transitions,
            } => {
                visit("lease", Text(lease));
                visit("holder_identity", Text(holder_identity));
                visit("lease_transitions", Number(*lease_transitions));
            }
            EventKind::LeaseRenewed { lease } | EventKind::LeaseReleased { lease } => {
                visit("lease", Text(lease));
            }
            EventKind::LeaseLost { lease, reason } => {
                visit("lease", Text(lease));
                visit("reason", Text(reason));
            }
            EventKind::LbBackendUp { backend } | EventKind::LbBackendDown { backend } => {
                visit("backend", Text(backend));
            }
            EventKind::PodCreated { pod }
            | EventKind::PodDeleted { pod }
            | EventKind::PodStarted { pod }
            | EventKind::PodStopped { pod } => visit("pod", Text(pod)),
            EventKind::PodScheduled { pod, node_name } => {
                visit("pod", Text(pod));
                visit("node_name", Text(node_name));
            }
            EventKind::NodeNotReady { node_name } | EventKind::NodeReady { node_name } => {
                visit("node_name", Text(node_name));
            }
            EventKind::KubectlProbe { ok } => visit("ok", Bool(*ok)),
            EventKind::KubectlResult { command, ok } => {
                visit("command", Text(command));
                visit("ok", Bool(*ok));
            }
            EventKind::WorkloadAvailable { running } => {
                visit("running", Number(i64::from(*running)));
            }
            EventKind::NodeDown
            | EventKind::NodeUp
            | EventKind::ProcessStarted
            | EventKind::NetworkChanged
            | EventKind::ApiserverHealthy
            | EventKind::ApiserverUnhealthy
            | EventKind::WorkloadUnavailable
            | EventKind::Log => {}
        }
    }
}

/// Appends `s` to `out` as a JSON string literal.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The hash of a whole event stream: FNV-1a over every event's JSON line and
/// a newline, exactly as `ha-sim run` prints them. Equal runs, equal hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceHash(Fnv1a64);

impl TraceHash {
    pub fn add(&mut self, event: &Event) {
        self.0.write(event.to_json().as_bytes());
        self.0.write(b"\n");
    }

    /// The hash so far, as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_carry_the_fields_scenarios_md_requires_and_escape_text() {
        let event = Event {
            t: SimTime::from_micros(30_012_345),
            kind: EventKind::ProcessExited {
                exit_code: 137,
                reason: "killed (SIGKILL)".to_owned(),
            },
            node: Some("master-1".into()),
            component: "kube-scheduler",
            message: "said \"bye\"\n".to_owned(),
        };
        assert_eq!(
            event.to_json(),
            r#"{"t_ms":30012,"kind":"process_exited","node":"master-1","component":"kube-scheduler","message":"said \"bye\"\n","exit_code":137,"reason":"killed (SIGKILL)"}"#
        );
        let cluster_level = Event {
            node: None,
            kind: EventKind::EtcdQuorumLost {
                members_up: 1,
                members: 3,
            },
            ..event
        };
        assert!(cluster_level.to_json().contains(r#""node":null,"#));
        assert!(
            cluster_level
                .to_json()
                .ends_with(r#""members_up":1,"members":3}"#)
        );
    }
}
