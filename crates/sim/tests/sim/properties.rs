//! Safety of etcd's Raft under random faults: for many random schedules of
//! kills, restarts, pauses, partitions and heals, over random seeds and
//! cluster sizes, the invariants of Raft (§5.2, §5.3, §5.4) hold after every
//! step, and every run is deterministic.
//!
//! `HA_SIM_CASES=N` runs N schedules (default 1000); `HA_SIM_CASE=S` runs the
//! one schedule with seed S, as a failure prints it.

use std::collections::BTreeMap;
use std::fmt;

use ha_sim::etcd::kv::{KvOp, Store};
use ha_sim::etcd::raft::{Entry, EntryData};
use ha_sim::rng::SimRng;
use ha_sim::{Action, Cluster, EtcdTopology, ProcState, Sim, SimDuration, SimTime, Target};

use crate::support::with_load;

/// One random case: a cluster, a seed, a write rate and a fault schedule.
struct Schedule {
    case: u64,
    cluster: Cluster,
    write_every: SimDuration,
    faults: Vec<(SimTime, Action)>,
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let topology = match self.cluster.etcd {
            EtcdTopology::Stacked => format!("{} stacked masters", self.cluster.masters),
            EtcdTopology::External { members } => format!("{members} external etcd members"),
        };
        writeln!(
            f,
            "case {}: {topology}, a write every {}",
            self.case, self.write_every
        )?;
        for (at, action) in &self.faults {
            writeln!(f, "  at {at}: {} {}", action.name(), action.target_text())?;
        }
        Ok(())
    }
}

/// The run's length before recovery, and the recovery's.
const FAULTS_UNTIL: u64 = 40;
const RECOVERY: u64 = 20;

fn generate(case: u64) -> Schedule {
    let mut rng = SimRng::stream(case, "property-schedule");
    let size = 1 + rng.below(7) as u8;
    let cluster = if rng.below(2) == 0 {
        Cluster {
            masters: size,
            etcd: EtcdTopology::Stacked,
            workers: 0,
            load_balancer: false,
        }
    } else {
        Cluster {
            masters: 1,
            etcd: EtcdTopology::External { members: size },
            workers: 0,
            load_balancer: false,
        }
    };
    let etcd_nodes: Vec<String> = cluster
        .nodes()
        .into_iter()
        .filter(|n| n.processes.contains(&ha_sim::ProcessKind::Etcd))
        .map(|n| n.name)
        .collect();
    let pick = |rng: &mut SimRng| etcd_nodes[rng.below(etcd_nodes.len() as u64) as usize].clone();
    let count = 3 + rng.below(10);
    let mut faults: Vec<(SimTime, Action)> = (0..count)
        .map(|_| {
            let at = SimTime::from_millis(3_000 + rng.below((FAULTS_UNTIL - 3) * 1_000));
            let node = pick(&mut rng);
            let etcd = Target::parse(&format!("{node}/etcd")).unwrap();
            let action = match rng.below(9) {
                0 => Action::KillNode(Target::parse(&node).unwrap()),
                1 => Action::RestartNode(Target::parse(&node).unwrap()),
                2 => Action::KillProcess(etcd),
                3 => Action::StopProcess(etcd),
                4 => Action::PauseProcess(etcd),
                5 => Action::ResumeProcess(etcd),
                6 | 7 => {
                    let groups = 2 + rng.below(2) as usize;
                    let mut split = vec![Vec::new(); groups];
                    for name in &etcd_nodes {
                        // Some nodes stay out of every group and keep their links.
                        let g = rng.below(groups as u64 + 1) as usize;
                        if g < groups {
                            split[g].push(name.clone());
                        }
                    }
                    split.retain(|g| !g.is_empty());
                    Action::Partition(split)
                }
                _ => Action::Heal,
            };
            (at, action)
        })
        .collect();
    faults.sort_by_key(|(at, _)| *at);
    Schedule {
        case,
        cluster,
        write_every: SimDuration::from_millis(100 + rng.below(400)),
        faults,
    }
}

/// What the checker has learnt so far.
#[derive(Default)]
struct Checker {
    /// The longest committed prefix any member has reported.
    committed: Vec<Entry>,
    /// Who was elected in each term.
    leaders: BTreeMap<u64, String>,
}

fn same_entry(a: &Entry, b: &Entry) -> bool {
    a.index == b.index
        && a.term == b.term
        && match (&a.data, &b.data) {
            (EntryData::Request(x), EntryData::Request(y)) => std::rc::Rc::ptr_eq(x, y) || x == y,
            (x, y) => x == y,
        }
}

impl Checker {
    /// The invariants, checked against the simulation's current state.
    fn check(&mut self, sim: &mut Sim) -> Result<(), String> {
        // Election safety (Raft §5.2): at most one leader per term.
        for event in sim.drain_events() {
            if let ha_sim::EventKind::EtcdLeaderElected { term } = event.kind {
                let node = event.node.as_deref().unwrap_or("?").to_owned();
                if let Some(other) = self.leaders.insert(term, node.clone())
                    && other != node
                {
                    return Err(format!("two leaders in term {term}: {other} and {node}"));
                }
            }
        }
        let members = sim.etcd_member_processes().len();
        let logs: Vec<(usize, ha_sim::etcd::raft::HardState)> = (0..members)
            .filter_map(|m| sim.etcd_hard_state(m).map(|h| (m, h)))
            .collect();
        // Log matching (Raft §5.3): the same index and term mean the same
        // entry and the same log before it.
        for (i, (a, la)) in logs.iter().enumerate() {
            for (b, lb) in &logs[i + 1..] {
                let shared = la.entries.len().min(lb.entries.len());
                if let Some(top) = (0..shared)
                    .rev()
                    .find(|&k| la.entries[k].term == lb.entries[k].term)
                {
                    for k in 0..=top {
                        if !same_entry(&la.entries[k], &lb.entries[k]) {
                            return Err(format!(
                                "log matching broken between members {a} and {b} at index {}",
                                k + 1
                            ));
                        }
                    }
                }
            }
        }
        // Leader completeness and state machine safety (Raft §5.4): a
        // committed entry is never lost or changed, on any member.
        for (m, log) in &logs {
            if log.commit as usize > log.entries.len() {
                return Err(format!("member {m} commits {} beyond its log", log.commit));
            }
            for k in 0..log.commit as usize {
                match self.committed.get(k) {
                    Some(known) if !same_entry(known, &log.entries[k]) => {
                        return Err(format!(
                            "member {m} has a different committed entry at index {}",
                            k + 1
                        ));
                    }
                    Some(_) => {}
                    None => self.committed.push(log.entries[k].clone()),
                }
            }
        }
        // The stores agree: each member's store is the committed log applied
        // up to its applied index.
        let mut running: Vec<(u64, usize)> = (0..members)
            .filter_map(|m| sim.etcd_member(m).map(|e| (e.applied(), m)))
            .collect();
        running.sort();
        let mut reference = Store::new();
        let mut applied = 0u64;
        for (upto, m) in running {
            if upto as usize > self.committed.len() {
                return Err(format!(
                    "member {m} applied {upto}, beyond anything committed"
                ));
            }
            while applied < upto {
                if let EntryData::Request(p) = &self.committed[applied as usize].data {
                    reference.apply(&p.op);
                }
                applied += 1;
            }
            if sim.etcd_member(m).unwrap().store() != &reference {
                return Err(format!(
                    "member {m}'s store differs from the log applied up to {upto}"
                ));
            }
        }
        Ok(())
    }

    /// Every acknowledged write is in the committed log, at the revision the
    /// client was told.
    fn check_acknowledged_writes(&self, sim: &Sim) -> Result<usize, String> {
        let mut store = Store::new();
        let mut revisions = BTreeMap::new();
        for entry in &self.committed {
            if let EntryData::Request(p) = &entry.data {
                store.apply(&p.op);
                if let KvOp::Put { key, value } = &p.op {
                    revisions.insert((key.clone(), value.clone()), store.revision());
                }
            }
        }
        let outcomes = &sim.benchmark().expect("a load").outcomes;
        let mut acked = 0;
        for outcome in outcomes {
            if let Ok(revision) = outcome.result {
                acked += 1;
                match revisions.get(&(outcome.key.clone(), outcome.value.clone())) {
                    Some(r) if *r == revision => {}
                    Some(r) => {
                        return Err(format!(
                            "{} = {} was acknowledged at revision {revision} but committed at {r}",
                            outcome.key, outcome.value
                        ));
                    }
                    None => {
                        return Err(format!(
                            "acknowledged write {} = {} is not in the committed log",
                            outcome.key, outcome.value
                        ));
                    }
                }
            }
        }
        Ok(acked)
    }
}

/// Runs a schedule, checking after every 100 ms step and every fault, then
/// heals everything and checks that the cluster recovers. Returns the trace hash.
fn run(schedule: &Schedule) -> Result<String, String> {
    let mut sim = with_load(
        schedule.case,
        schedule.cluster.clone(),
        schedule.write_every,
    );
    let mut checker = Checker::default();
    let mut faults = schedule.faults.iter().peekable();
    let step = SimDuration::from_millis(100);
    let end = SimTime::from_secs(FAULTS_UNTIL);
    while sim.now() < end {
        let mut next = sim.now() + step;
        if let Some((at, _)) = faults.peek() {
            next = next.min(*at);
        }
        sim.advance_to(next);
        while let Some((_, action)) = faults.next_if(|(at, _)| *at <= sim.now()) {
            sim.apply(action)
                .map_err(|e| format!("action refused: {e}"))?;
        }
        checker
            .check(&mut sim)
            .map_err(|e| format!("at {}: {e}", sim.now()))?;
    }
    // Recovery: every link and member back.
    sim.apply(&Action::Heal).unwrap();
    let etcd_nodes: Vec<String> = sim
        .etcd_member_processes()
        .iter()
        .map(|&p| sim.nodes()[sim.processes()[p].node].name.to_string())
        .collect();
    for node in &etcd_nodes {
        sim.apply(&Action::RestartNode(Target::parse(node).unwrap()))
            .unwrap();
        sim.apply(&Action::ResumeProcess(
            Target::parse(&format!("{node}/etcd")).unwrap(),
        ))
        .unwrap();
    }
    // Then wait until every member has run, untouched, for RECOVERY seconds
    // (members in CrashLoopBackOff after repeated kills return within 300 s;
    // a member stopping gracefully may take a request timeout to exit).
    let settled = |sim: &Sim| {
        sim.etcd_member_processes().iter().all(|&p| {
            matches!(
                sim.processes()[p].state,
                ProcState::Running {
                    paused: false,
                    terminating: false
                }
            )
        })
    };
    let limit = end + SimDuration::from_secs(500);
    let mut settled_since = None;
    let mut leader_commit = None;
    loop {
        sim.advance_by(step);
        checker
            .check(&mut sim)
            .map_err(|e| format!("at {} (recovering): {e}", sim.now()))?;
        if !settled(&sim) {
            settled_since = None;
        } else if settled_since.is_none() {
            settled_since = Some(sim.now());
        }
        let stable = settled_since.map_or(SimDuration::ZERO, |since| sim.now() - since);
        if stable == SimDuration::from_secs(RECOVERY - 3) {
            leader_commit = sim
                .etcd_leader()
                .map(|(m, _)| sim.etcd_member(m).unwrap().raft.commit);
        }
        if stable >= SimDuration::from_secs(RECOVERY) {
            break;
        }
        if sim.now() >= limit {
            return Err("etcd members did not all come back after recovery".to_owned());
        }
    }
    // Liveness: a leader, and every member has what the leader had
    // committed three seconds earlier.
    let Some(before) = leader_commit else {
        return Err(format!(
            "no leader after every member had run {} s healed",
            RECOVERY - 3
        ));
    };
    for m in 0..etcd_nodes.len() {
        let commit = sim.etcd_member(m).map_or(0, |e| e.raft.commit);
        if commit < before {
            return Err(format!(
                "member {m} has commit {commit} after recovery, behind the leader's {before} of 3 s before"
            ));
        }
    }
    checker.check_acknowledged_writes(&sim)?;
    Ok(sim.trace_hash())
}

#[test]
fn raft_safety_holds_and_runs_are_deterministic_under_random_fault_schedules() {
    // Reference: Raft §5.2 (election safety), §5.3 (log matching), §5.4
    // (leader completeness, state machine safety); STYLE.md (determinism).
    let cases: Vec<u64> = match std::env::var("HA_SIM_CASE") {
        Ok(case) => vec![case.parse().expect("HA_SIM_CASE is a number")],
        Err(_) => {
            let count = std::env::var("HA_SIM_CASES")
                .map_or(1000, |n| n.parse().expect("HA_SIM_CASES is a number"));
            (0..count).collect()
        }
    };
    for &case in &cases {
        let schedule = generate(case);
        let first = run(&schedule);
        let second = run(&schedule);
        let failure = match (&first, &second) {
            (Err(e), _) | (_, Err(e)) => Some(e.clone()),
            (Ok(a), Ok(b)) if a != b => {
                Some(format!("the same schedule gave two traces: {a} and {b}"))
            }
            _ => None,
        };
        if let Some(failure) = failure {
            panic!(
                "{failure}\n\n{schedule}\nReproduce with: HA_SIM_CASE={case} cargo test -p ha-sim --test sim properties"
            );
        }
    }
}
