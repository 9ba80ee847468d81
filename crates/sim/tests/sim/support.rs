//! Helpers shared by the behaviour tests: small clusters, a write load, and
//! ways to read what happened.

use ha_sim::etcd::benchmark::{BenchmarkConfig, WriteOutcome};
use ha_sim::{
    Action, Cluster, EtcdTopology, Event, EventKind, Sim, SimConfig, SimDuration, SimTime, Target,
};

/// A cluster with `members` external etcd nodes (`etcd-1` ..) and one master.
pub fn external_etcd(members: u8) -> Cluster {
    Cluster {
        masters: 1,
        etcd: EtcdTopology::External { members },
        workers: 0,
        load_balancer: false,
    }
}

/// A simulation of `cluster` with a put every `every` from the laptop.
pub fn with_load(seed: u64, cluster: Cluster, every: SimDuration) -> Sim {
    let mut config = SimConfig::new(seed, cluster);
    config.etcd_benchmark = Some(BenchmarkConfig {
        interval: every,
        keys: 1_000_000,
    });
    Sim::new(config).expect("a valid configuration")
}

pub fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

pub fn ms(ms: u64) -> SimDuration {
    SimDuration::from_millis(ms)
}

/// Applies an action written as in a scenario file.
pub fn act(sim: &mut Sim, action: &str, target: &str) {
    let t = || Target::parse(target).expect("a valid target");
    let action = match action {
        "kill-node" => Action::KillNode(t()),
        "restart-node" => Action::RestartNode(t()),
        "kill-process" => Action::KillProcess(t()),
        "stop-process" => Action::StopProcess(t()),
        "pause-process" => Action::PauseProcess(t()),
        "resume-process" => Action::ResumeProcess(t()),
        other => panic!("no such action {other}"),
    };
    sim.apply(&action).expect("the action applies");
}

pub fn partition(sim: &mut Sim, groups: &[&[&str]]) {
    let groups = groups
        .iter()
        .map(|g| g.iter().map(|n| n.to_string()).collect())
        .collect();
    sim.apply(&Action::Partition(groups))
        .expect("the partition applies");
}

/// The node name of etcd member `member`.
pub fn member_node(sim: &Sim, member: usize) -> String {
    let proc = sim.etcd_member_processes()[member];
    sim.nodes()[sim.processes()[proc].node].name.to_string()
}

/// Runs until some member leads, or panics after `limit`.
pub fn wait_for_leader(sim: &mut Sim, limit: SimTime) -> (usize, u64) {
    while sim.now() < limit {
        if let Some(leader) = sim.etcd_leader() {
            return leader;
        }
        sim.advance_by(ms(10));
    }
    panic!("no etcd leader by {limit}")
}

/// The writes that were sent in `[from, to)` to a member whose node was up
/// the whole time.
pub fn writes_sent_between<'a>(
    sim: &'a Sim,
    from: SimTime,
    to: SimTime,
    live_members: &'a [usize],
) -> impl Iterator<Item = &'a WriteOutcome> + 'a {
    sim.benchmark()
        .expect("a benchmark client")
        .outcomes
        .iter()
        .filter(move |o| {
            o.sent >= from && o.sent < to && live_members.contains(&usize::from(o.member))
        })
}

/// The events of a kind (by its JSON name) among `events`.
pub fn of_kind<'a>(events: &'a [Event], kind: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
    events.iter().filter(move |e| e.kind.name() == kind)
}

/// The terms of the `etcd_leader_elected` events, with their node.
pub fn elections(events: &[Event]) -> Vec<(SimTime, String, u64)> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::EtcdLeaderElected { term } => {
                Some((e.t, e.node.as_deref().unwrap_or("").to_owned(), term))
            }
            _ => None,
        })
        .collect()
}
