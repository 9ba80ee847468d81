//! What a learner (or a scenario script) can do to the cluster: the faults of
//! SCENARIOS.md as verbs on the simulation.

use std::fmt;

use crate::cluster::ProcessKind;

/// Which node an action means: one by name, or whichever leads right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// A node by name, such as `master-2`.
    Named(String),
    /// The node whose process leads at the moment the action applies
    /// (`leader:etcd`, and in time the Lease holders).
    LeaderOf(ProcessKind),
}

/// A node, and for process actions the process on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub node: NodeRef,
    /// The process, for `node/process` targets. A `leader:X` target used
    /// with a process action means process X.
    pub process: Option<ProcessKind>,
}

/// A fault or repair, applied at the simulation's current time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Power off: every process on the node stops at once, nothing is released.
    KillNode(Target),
    /// Power on: the node boots, then its supervisors start its processes.
    RestartNode(Target),
    /// SIGKILL; the supervisor restarts the process (CrashLoopBackOff for static pods).
    KillProcess(Target),
    /// SIGTERM: a graceful stop.
    StopProcess(Target),
    /// SIGSTOP: the process freezes; its timers and messages wait.
    PauseProcess(Target),
    /// SIGCONT: the process wakes up believing what it believed before.
    ResumeProcess(Target),
    /// Nodes in different groups cannot reach each other; unlisted nodes keep their links.
    Partition(Vec<Vec<String>>),
    /// Removes every partition.
    Heal,
    /// `kubectl scale deployment web --replicas=N` from the learner's laptop.
    Scale { replicas: u32 },
    /// Points the learner's kubectl at `loadbalancer` or at one master.
    KubectlServer(String),
}

/// A target string that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetError(pub String);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// Parses `master-1`, `master-1/kube-scheduler` or `leader:etcd`.
    /// Whether the node exists is checked against a cluster later.
    pub fn parse(text: &str) -> Result<Target, TargetError> {
        let text = text.trim();
        if let Some(component) = text.strip_prefix("leader:") {
            return match ProcessKind::from_name(component) {
                Some(
                    kind @ (ProcessKind::Etcd
                    | ProcessKind::KubeControllerManager
                    | ProcessKind::KubeScheduler),
                ) => Ok(Target {
                    node: NodeRef::LeaderOf(kind),
                    process: None,
                }),
                _ => Err(TargetError(format!(
                    "unknown leader target \"{text}\": use leader:kube-controller-manager, leader:kube-scheduler or leader:etcd"
                ))),
            };
        }
        let (node, process) = match text.split_once('/') {
            Some((node, process)) => {
                let kind = ProcessKind::from_name(process).ok_or_else(|| {
                    TargetError(format!(
                        "unknown process \"{process}\" in target \"{text}\": use one of {}",
                        ProcessKind::ALL.map(ProcessKind::name).join(", ")
                    ))
                })?;
                (node, Some(kind))
            }
            None => (text, None),
        };
        if node.is_empty() {
            return Err(TargetError(format!(
                "target \"{text}\" names no node: write a node name such as \"master-1\""
            )));
        }
        Ok(Target {
            node: NodeRef::Named(node.to_owned()),
            process,
        })
    }

    /// The process a process action acts on.
    pub fn process_kind(&self) -> Option<ProcessKind> {
        match (&self.node, self.process) {
            (_, Some(kind)) => Some(kind),
            (NodeRef::LeaderOf(kind), None) => Some(*kind),
            (NodeRef::Named(_), None) => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            NodeRef::Named(node) => f.write_str(node)?,
            NodeRef::LeaderOf(kind) => write!(f, "leader:{kind}")?,
        }
        match (&self.node, self.process) {
            (NodeRef::Named(_), Some(kind)) => write!(f, "/{kind}"),
            _ => Ok(()),
        }
    }
}

impl Action {
    /// The action's name in scenario files (`kill-node`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Action::KillNode(_) => "kill-node",
            Action::RestartNode(_) => "restart-node",
            Action::KillProcess(_) => "kill-process",
            Action::StopProcess(_) => "stop-process",
            Action::PauseProcess(_) => "pause-process",
            Action::ResumeProcess(_) => "resume-process",
            Action::Partition(_) => "partition",
            Action::Heal => "heal",
            Action::Scale { .. } => "scale",
            Action::KubectlServer(_) => "kubectl-server",
        }
    }

    /// The target as written in scenario files (groups for a partition).
    pub fn target_text(&self) -> String {
        match self {
            Action::KillNode(t)
            | Action::RestartNode(t)
            | Action::KillProcess(t)
            | Action::StopProcess(t)
            | Action::PauseProcess(t)
            | Action::ResumeProcess(t) => t.to_string(),
            Action::Partition(groups) => groups
                .iter()
                .map(|g| format!("[{}]", g.join(", ")))
                .collect::<Vec<_>>()
                .join(" | "),
            Action::Heal => String::new(),
            Action::Scale { replicas } => format!("deployment/web replicas={replicas}"),
            Action::KubectlServer(server) => server.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_node_names_processes_and_leaders() {
        assert_eq!(
            Target::parse("master-1").unwrap(),
            Target {
                node: NodeRef::Named("master-1".into()),
                process: None
            }
        );
        let t = Target::parse("master-2/kube-scheduler").unwrap();
        assert_eq!(t.process_kind(), Some(ProcessKind::KubeScheduler));
        assert_eq!(t.to_string(), "master-2/kube-scheduler");
        let leader = Target::parse("leader:etcd").unwrap();
        assert_eq!(leader.node, NodeRef::LeaderOf(ProcessKind::Etcd));
        assert_eq!(leader.process_kind(), Some(ProcessKind::Etcd));
        assert_eq!(leader.to_string(), "leader:etcd");
    }

    #[test]
    fn bad_targets_say_what_to_write() {
        let err = Target::parse("master-1/kube-proxy").unwrap_err().0;
        assert!(err.contains("unknown process \"kube-proxy\""), "{err}");
        assert!(err.contains("kube-apiserver"), "{err}");
        let err = Target::parse("leader:kubelet").unwrap_err().0;
        assert!(err.contains("leader:kube-controller-manager"), "{err}");
        assert!(Target::parse("/etcd").is_err());
    }
}
