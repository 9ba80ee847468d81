//! The network between nodes: who can reach whom, and how long a message takes.
//!
//! Links are a LAN by default. A partition splits nodes into groups: nodes in
//! different groups cannot reach each other, and nodes left out of every group
//! keep all their links (SCENARIOS.md, `partition`). Reachability is checked
//! when a message arrives, so a message in flight when a link is cut is lost.
//! Per-link properties (`LinkProfile`) are looked up through one function,
//! [`Network::link`], so that per-link latency or loss can be added there.

use crate::rng::SimRng;
use crate::time::SimDuration;

/// A node's index in the simulation's node list.
pub type NodeIndex = usize;

/// How a link behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkProfile {
    /// The shortest one-way latency.
    pub min_latency: SimDuration,
    /// One-way latency is uniform in `[min_latency, max_latency)`.
    pub max_latency: SimDuration,
}

impl LinkProfile {
    /// Between processes on one node (loopback).
    pub const LOOPBACK: LinkProfile = LinkProfile {
        min_latency: SimDuration::from_micros(20),
        max_latency: SimDuration::from_micros(80),
    };

    /// Between two nodes on the data-centre LAN: a fraction of a millisecond,
    /// occasionally more than one.
    pub const LAN: LinkProfile = LinkProfile {
        min_latency: SimDuration::from_micros(150),
        max_latency: SimDuration::from_micros(1_500),
    };
}

/// Partitions and link properties for every pair of nodes.
#[derive(Clone, Debug)]
pub struct Network {
    /// Each node's partition group; `None` keeps every link.
    groups: Vec<Option<u16>>,
}

impl Network {
    /// A network of `nodes` nodes with every link up.
    pub fn new(nodes: usize) -> Network {
        Network {
            groups: vec![None; nodes],
        }
    }

    /// Whether a message from `a` can reach `b` now.
    pub fn can_reach(&self, a: NodeIndex, b: NodeIndex) -> bool {
        a == b
            || match (self.groups[a], self.groups[b]) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            }
    }

    /// Splits the listed nodes into `groups` (replacing any earlier
    /// partition); unlisted nodes keep every link.
    pub fn partition(&mut self, groups: &[Vec<NodeIndex>]) {
        self.groups.fill(None);
        for (group, nodes) in groups.iter().enumerate() {
            for &node in nodes {
                self.groups[node] = Some(group as u16);
            }
        }
    }

    /// Removes every partition.
    pub fn heal(&mut self) {
        self.groups.fill(None);
    }

    /// Whether any partition is in place.
    pub fn is_partitioned(&self) -> bool {
        self.groups.iter().any(Option::is_some)
    }

    /// The partition groups in place, as lists of node indices (empty when healed).
    pub fn groups(&self) -> Vec<Vec<NodeIndex>> {
        let count = self.groups.iter().flatten().map(|g| *g as usize + 1).max();
        let mut groups = vec![Vec::new(); count.unwrap_or(0)];
        for (node, group) in self.groups.iter().enumerate() {
            if let Some(group) = group {
                groups[*group as usize].push(node);
            }
        }
        groups.retain(|g| !g.is_empty());
        groups
    }

    /// The properties of the link from `a` to `b`.
    pub fn link(&self, a: NodeIndex, b: NodeIndex) -> LinkProfile {
        if a == b {
            LinkProfile::LOOPBACK
        } else {
            LinkProfile::LAN
        }
    }

    /// A one-way latency for a message from `a` to `b`, drawn from the
    /// sender's own random stream.
    pub fn latency(&self, a: NodeIndex, b: NodeIndex, rng: &mut SimRng) -> SimDuration {
        let link = self.link(a, b);
        rng.duration_between(link.min_latency, link.max_latency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_in_different_groups_cannot_reach_each_other_and_unlisted_nodes_reach_all() {
        let mut net = Network::new(4);
        net.partition(&[vec![0], vec![1, 2]]);
        assert!(!net.can_reach(0, 1) && !net.can_reach(2, 0));
        assert!(net.can_reach(1, 2));
        assert!(net.can_reach(3, 0) && net.can_reach(3, 1) && net.can_reach(0, 3));
        assert_eq!(net.groups(), vec![vec![0], vec![1, 2]]);
        net.heal();
        assert!(net.can_reach(0, 1));
        assert!(!net.is_partitioned());
    }

    #[test]
    fn a_new_partition_replaces_the_old_one() {
        let mut net = Network::new(3);
        net.partition(&[vec![0], vec![1, 2]]);
        net.partition(&[vec![0, 1], vec![2]]);
        assert!(net.can_reach(0, 1));
        assert!(!net.can_reach(1, 2));
    }

    #[test]
    fn latency_is_a_lan_between_nodes_and_loopback_on_one() {
        let net = Network::new(2);
        let mut rng = SimRng::stream(1, "net");
        for _ in 0..200 {
            let lan = net.latency(0, 1, &mut rng);
            assert!(lan >= LinkProfile::LAN.min_latency && lan < LinkProfile::LAN.max_latency);
            let local = net.latency(1, 1, &mut rng);
            assert!(local < SimDuration::from_micros(100));
        }
    }
}
