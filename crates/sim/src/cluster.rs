//! The shape of a cluster: which nodes exist and what runs on each.
//!
//! This is the `[cluster]` table of a scenario file (see `SCENARIOS.md`): a
//! description, not a running simulation. The web app draws it and the
//! simulation builds its nodes and processes from it.

use std::fmt;

/// A cluster as kubeadm would build it: masters, where etcd runs, workers and
/// an optional load balancer in front of the API servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Control-plane nodes, named `master-1` .. `master-N`.
    pub masters: u8,
    /// Where the etcd members run.
    pub etcd: EtcdTopology,
    /// Worker nodes, named `worker-1` .. `worker-N`.
    pub workers: u8,
    /// Whether a node named `loadbalancer` runs HAProxy in front of the API servers.
    pub load_balancer: bool,
}

/// The two etcd topologies of kubeadm's HA guide (FIDELITY.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EtcdTopology {
    /// One etcd member on every master, talking only to that master's API server.
    Stacked,
    /// `members` dedicated nodes named `etcd-1` .. `etcd-M`, shared by every API server.
    External { members: u8 },
}

/// What a node is for; it decides which processes run on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRole {
    /// The learner's laptop, outside the cluster: where kubectl and etcd
    /// clients run. It is not one of the cluster's nodes.
    Laptop,
    /// Runs HAProxy in front of the API servers.
    LoadBalancer,
    /// A control-plane node: API server, controller-manager, scheduler, and etcd when stacked.
    Master,
    /// A dedicated etcd node (external topology).
    Etcd,
    /// Runs the workload's pods.
    Worker,
}

/// A process the simulation can start, kill, stop, pause and resume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProcessKind {
    KubeApiserver,
    KubeControllerManager,
    KubeScheduler,
    Etcd,
    Kubelet,
    Haproxy,
    /// etcd's `benchmark` tool on the learner's laptop: a steady write load.
    Benchmark,
    /// The learner's kubectl on the laptop.
    Kubectl,
}

/// One node of a [`Cluster`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSpec {
    /// The node's host name, for example `master-2`.
    pub name: String,
    /// What the node is for.
    pub role: NodeRole,
    /// The processes that run on it, in the order the kubelet starts them.
    pub processes: Vec<ProcessKind>,
}

impl Default for Cluster {
    /// The cluster the course notes end with and the lab opens on: three
    /// stacked masters behind a load balancer, and two workers.
    fn default() -> Self {
        Cluster {
            masters: 3,
            etcd: EtcdTopology::Stacked,
            workers: 2,
            load_balancer: true,
        }
    }
}

impl Cluster {
    /// Every node, in a fixed order: the load balancer, the masters, the
    /// external etcd nodes, then the workers.
    pub fn nodes(&self) -> Vec<NodeSpec> {
        let mut nodes = Vec::new();
        if self.load_balancer {
            nodes.push(self.node(NodeRole::LoadBalancer, "loadbalancer".to_owned()));
        }
        for i in 1..=self.masters {
            nodes.push(self.node(NodeRole::Master, format!("master-{i}")));
        }
        if let EtcdTopology::External { members } = self.etcd {
            for i in 1..=members {
                nodes.push(self.node(NodeRole::Etcd, format!("etcd-{i}")));
            }
        }
        for i in 1..=self.workers {
            nodes.push(self.node(NodeRole::Worker, format!("worker-{i}")));
        }
        nodes
    }

    /// The nodes of one role, in order.
    pub fn nodes_with_role(&self, role: NodeRole) -> Vec<NodeSpec> {
        self.nodes()
            .into_iter()
            .filter(|n| n.role == role)
            .collect()
    }

    /// How many etcd members the cluster has, whichever the topology.
    pub fn etcd_members(&self) -> u8 {
        match self.etcd {
            EtcdTopology::Stacked => self.masters,
            EtcdTopology::External { members } => members,
        }
    }

    fn node(&self, role: NodeRole, name: String) -> NodeSpec {
        use ProcessKind::*;
        let processes = match role {
            NodeRole::LoadBalancer => vec![Haproxy],
            NodeRole::Master => {
                let mut p = vec![Kubelet];
                if self.etcd == EtcdTopology::Stacked {
                    p.push(Etcd);
                }
                p.extend([KubeApiserver, KubeControllerManager, KubeScheduler]);
                p
            }
            NodeRole::Etcd => vec![Kubelet, Etcd],
            NodeRole::Worker => vec![Kubelet],
            NodeRole::Laptop => Vec::new(),
        };
        NodeSpec {
            name,
            role,
            processes,
        }
    }
}

impl ProcessKind {
    /// The process name as `ps` and scenario targets (`node/process`) spell it.
    pub fn name(self) -> &'static str {
        match self {
            ProcessKind::KubeApiserver => "kube-apiserver",
            ProcessKind::KubeControllerManager => "kube-controller-manager",
            ProcessKind::KubeScheduler => "kube-scheduler",
            ProcessKind::Etcd => "etcd",
            ProcessKind::Kubelet => "kubelet",
            ProcessKind::Haproxy => "haproxy",
            ProcessKind::Benchmark => "benchmark",
            ProcessKind::Kubectl => "kubectl",
        }
    }
}

impl ProcessKind {
    /// Every kind, for parsing targets.
    pub const ALL: [ProcessKind; 8] = [
        ProcessKind::KubeApiserver,
        ProcessKind::KubeControllerManager,
        ProcessKind::KubeScheduler,
        ProcessKind::Etcd,
        ProcessKind::Kubelet,
        ProcessKind::Haproxy,
        ProcessKind::Benchmark,
        ProcessKind::Kubectl,
    ];

    /// The kind named `name` (as in `master-1/kube-scheduler`).
    pub fn from_name(name: &str) -> Option<ProcessKind> {
        ProcessKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for ProcessKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl NodeRole {
    /// A short description a learner can read, for labels and tooltips.
    pub fn description(self) -> &'static str {
        match self {
            NodeRole::Laptop => "the learner's laptop",
            NodeRole::LoadBalancer => "load balancer",
            NodeRole::Master => "control-plane node",
            NodeRole::Etcd => "etcd node",
            NodeRole::Worker => "worker node",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_cluster_is_three_stacked_masters_two_workers_and_a_load_balancer() {
        let names: Vec<String> = Cluster::default()
            .nodes()
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(
            names,
            [
                "loadbalancer",
                "master-1",
                "master-2",
                "master-3",
                "worker-1",
                "worker-2"
            ]
        );
    }

    #[test]
    fn stacked_masters_run_an_etcd_member_and_external_ones_do_not() {
        // Reference: FIDELITY.md §8 (kubeadm topologies).
        let stacked = Cluster::default();
        let external = Cluster {
            etcd: EtcdTopology::External { members: 3 },
            ..Cluster::default()
        };
        for master in stacked.nodes_with_role(NodeRole::Master) {
            assert!(
                master.processes.contains(&ProcessKind::Etcd),
                "{}",
                master.name
            );
        }
        for master in external.nodes_with_role(NodeRole::Master) {
            assert!(
                !master.processes.contains(&ProcessKind::Etcd),
                "{}",
                master.name
            );
        }
        let etcd_nodes = external.nodes_with_role(NodeRole::Etcd);
        assert_eq!(etcd_nodes.len(), 3);
        assert!(
            etcd_nodes
                .iter()
                .all(|n| n.processes.contains(&ProcessKind::Etcd))
        );
        assert_eq!(stacked.etcd_members(), 3);
        assert_eq!(external.etcd_members(), 3);
    }

    #[test]
    fn without_a_load_balancer_there_is_no_loadbalancer_node() {
        let cluster = Cluster {
            load_balancer: false,
            ..Cluster::default()
        };
        assert!(cluster.nodes_with_role(NodeRole::LoadBalancer).is_empty());
        assert_eq!(cluster.nodes().len(), 5);
    }
}
