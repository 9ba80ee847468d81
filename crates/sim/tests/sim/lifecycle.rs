//! Nodes and processes: power, boot, signals, and the kubelet's and systemd's
//! restarts (SCENARIOS.md actions; pod-lifecycle CrashLoopBackOff).

use ha_sim::{
    Action, Cluster, EventKind, ProcState, ProcessKind, Sim, SimConfig, SimDuration, Target,
};

use crate::support::*;

fn started_times(sim: &mut Sim, node: &str, component: &str) -> Vec<ha_sim::SimTime> {
    sim.drain_events()
        .into_iter()
        .filter(|e| {
            e.kind == EventKind::ProcessStarted
                && e.node.as_deref() == Some(node)
                && e.component == component
        })
        .map(|e| e.t)
        .collect()
}

#[test]
fn a_restarted_node_boots_then_the_kubelet_starts_its_static_pods() {
    // Reference: SCENARIOS.md (restart-node: it boots, then the kubelet starts its static pods).
    let mut sim = Sim::new(SimConfig::new(2, Cluster::default())).unwrap();
    sim.advance_to(secs(10));
    act(&mut sim, "kill-node", "master-2");
    let node = sim.node_id("master-2").unwrap();
    assert!(
        sim.nodes()[node]
            .processes
            .iter()
            .all(|&p| sim.processes()[p].state == ProcState::Stopped)
    );
    sim.advance_to(secs(20));
    sim.drain_events();
    act(&mut sim, "restart-node", "master-2");
    let powered = sim.now();
    sim.advance_by(SimDuration::from_secs(10));
    let events = sim.drain_events();
    let started = |component: &str| {
        events
            .iter()
            .find(|e| {
                e.kind == EventKind::ProcessStarted
                    && e.node.as_deref() == Some("master-2")
                    && e.component == component
            })
            .unwrap_or_else(|| panic!("{component} did not start"))
            .t
    };
    let kubelet = started("kubelet");
    let boot = kubelet - powered;
    assert!(
        boot >= SimDuration::from_secs(2) && boot < SimDuration::from_secs(4),
        "booted in {boot}"
    );
    for pod in [
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
    ] {
        let after_kubelet = started(pod) - kubelet;
        assert!(
            after_kubelet < SimDuration::from_millis(1_300),
            "{pod} {after_kubelet} after the kubelet"
        );
    }
    assert!(events.iter().any(|e| e.kind == EventKind::NodeUp));
}

#[test]
fn a_killed_static_pod_is_restarted_with_crash_loop_back_off_doubling_to_five_minutes() {
    // Reference: SCENARIOS.md (kill-process); pod-lifecycle docs (10 s, doubling, capped at 300 s).
    let mut sim = Sim::new(SimConfig::new(3, Cluster::default())).unwrap();
    sim.advance_to(secs(10));
    let mut delays = Vec::new();
    for _ in 0..7 {
        sim.drain_events();
        act(&mut sim, "kill-process", "master-1/kube-scheduler");
        let killed = sim.now();
        let proc = sim
            .process_id(sim.node_id("master-1").unwrap(), ProcessKind::KubeScheduler)
            .unwrap();
        let ProcState::Exited {
            code: 137,
            restart_at: Some(at),
            ..
        } = sim.processes()[proc].state
        else {
            panic!("not waiting to restart: {:?}", sim.processes()[proc].state)
        };
        sim.advance_to(at);
        let started = started_times(&mut sim, "master-1", "kube-scheduler");
        assert_eq!(started, vec![at]);
        delays.push((at - killed).as_secs());
    }
    assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300]);
    // Ten minutes of running make the kubelet forget the back-off.
    sim.advance_by(SimDuration::from_secs(600));
    act(&mut sim, "kill-process", "master-1/kube-scheduler");
    let killed = sim.now();
    sim.advance_by(SimDuration::from_secs(11));
    let started = started_times(&mut sim, "master-1", "kube-scheduler");
    assert_eq!(started.len(), 1);
    assert_eq!((started[0] - killed).as_secs(), 10);
}

#[test]
fn without_its_kubelet_a_node_keeps_its_pods_running_but_restarts_nothing_until_systemd_brings_it_back()
 {
    // Reference: SCENARIOS.md targets (node/kubelet); kubelet.service RestartSec=10.
    let mut sim = Sim::new(SimConfig::new(4, Cluster::default())).unwrap();
    sim.advance_to(secs(10));
    let node = sim.node_id("master-3").unwrap();
    act(&mut sim, "kill-process", "master-3/kubelet");
    let apiserver = sim.process_id(node, ProcessKind::KubeApiserver).unwrap();
    assert!(
        sim.processes()[apiserver].is_running(),
        "static pods outlive the kubelet"
    );
    act(&mut sim, "kill-process", "master-3/kube-apiserver");
    let killed = sim.now();
    sim.drain_events();
    sim.advance_by(SimDuration::from_secs(12));
    let events = sim.drain_events();
    let kubelet = events
        .iter()
        .find(|e| e.component == "kubelet" && e.kind == EventKind::ProcessStarted)
        .expect("systemd restarts the kubelet");
    assert_eq!((kubelet.t - killed).as_secs(), 10);
    let apiserver_start = events
        .iter()
        .find(|e| e.component == "kube-apiserver" && e.kind == EventKind::ProcessStarted)
        .expect("the kubelet starts the API server again");
    assert!(apiserver_start.t > kubelet.t);
}

#[test]
fn a_sigterm_sent_to_a_paused_process_is_handled_when_it_continues() {
    // Reference: SCENARIOS.md (stop-process, pause-process): signals to a stopped process wait.
    // HAProxy exits at once on SIGTERM, so the moment it handles it shows.
    let mut sim = Sim::new(SimConfig::new(5, Cluster::default())).unwrap();
    sim.advance_to(secs(10));
    act(&mut sim, "pause-process", "loadbalancer/haproxy");
    act(&mut sim, "stop-process", "loadbalancer/haproxy");
    sim.advance_by(SimDuration::from_secs(5));
    let proc = sim
        .process_id(sim.node_id("loadbalancer").unwrap(), ProcessKind::Haproxy)
        .unwrap();
    assert!(matches!(
        sim.processes()[proc].state,
        ProcState::Running {
            paused: true,
            terminating: true
        }
    ));
    act(&mut sim, "resume-process", "loadbalancer/haproxy");
    assert!(matches!(
        sim.processes()[proc].state,
        ProcState::Exited { code: 0, .. }
    ));
}

#[test]
fn a_paused_process_that_ignores_sigterm_is_killed_after_the_grace_period() {
    // Reference: terminationGracePeriodSeconds (30 s), then SIGKILL.
    let mut sim = Sim::new(SimConfig::new(6, Cluster::default())).unwrap();
    sim.advance_to(secs(10));
    act(&mut sim, "pause-process", "master-2/kube-scheduler");
    act(&mut sim, "stop-process", "master-2/kube-scheduler");
    sim.drain_events();
    sim.advance_by(SimDuration::from_secs(31));
    let exit = sim
        .drain_events()
        .into_iter()
        .find(|e| matches!(e.kind, EventKind::ProcessExited { .. }))
        .expect("killed after the grace period");
    assert_eq!((exit.t - secs(10)).as_secs(), 30);
    assert!(matches!(
        exit.kind,
        EventKind::ProcessExited { exit_code: 137, .. }
    ));
}

#[test]
fn a_paused_member_receives_nothing_until_it_continues_then_everything_in_order() {
    // Reference: SCENARIOS.md (pause-process: messages to it wait).
    let mut sim = with_load(8, external_etcd(3), ms(100));
    let (leader, _) = wait_for_leader(&mut sim, secs(20));
    sim.advance_to(secs(20));
    let member = (leader + 1) % 3;
    let node = member_node(&sim, member);
    act(&mut sim, "pause-process", &format!("{node}/etcd"));
    let before = sim.etcd_member(member).unwrap().raft.last_index();
    sim.advance_by(SimDuration::from_secs(5));
    assert_eq!(
        sim.etcd_member(member).unwrap().raft.last_index(),
        before,
        "frozen"
    );
    act(&mut sim, "resume-process", &format!("{node}/etcd"));
    sim.advance_by(ms(50));
    let leader_log = sim.etcd_member(leader).unwrap().raft.entries().to_vec();
    let woken = &sim.etcd_member(member).unwrap().raft;
    assert_eq!(woken.entries(), &leader_log[..woken.entries().len()]);
    assert!(woken.last_index() > before + 30);
}

#[test]
fn a_node_that_loses_power_loses_the_messages_in_flight_from_it() {
    // Reference: SCENARIOS.md (kill-node: in-flight messages to and from it are lost).
    let mut sim = with_load(9, external_etcd(3), ms(100));
    let (leader, _) = wait_for_leader(&mut sim, secs(20));
    sim.advance_to(secs(20));
    let leader_proc = sim.etcd_member_processes()[leader];
    // Step until the leader has entries on their way to a follower that lacks them.
    let (follower, before) = loop {
        sim.step();
        let pending = sim.messages_in_flight().into_iter().find_map(|m| {
            let member = sim
                .etcd_member_processes()
                .iter()
                .position(|&p| p == m.to)?;
            let log = sim.etcd_member(member)?.raft.last_index();
            let lead_log = sim.etcd_member(leader)?.raft.last_index();
            (m.from == leader_proc && m.kind == "MsgApp" && log < lead_log).then_some((member, log))
        });
        if let Some(found) = pending {
            break found;
        }
    };
    let node = member_node(&sim, leader);
    act(&mut sim, "kill-node", &node);
    sim.advance_by(ms(5));
    assert_eq!(
        sim.etcd_member(follower).unwrap().raft.last_index(),
        before,
        "the append in flight from the dead leader must be lost"
    );
}

#[test]
fn the_laptop_cannot_be_powered_off_and_unknown_nodes_are_named_in_the_error() {
    let mut sim = Sim::new(SimConfig::new(1, Cluster::default())).unwrap();
    let laptop = sim
        .apply(&Action::KillNode(Target::parse("laptop").unwrap()))
        .unwrap_err();
    assert!(laptop.0.contains("learner's own machine"), "{laptop}");
    let unknown = sim
        .apply(&Action::KillNode(Target::parse("master-9").unwrap()))
        .unwrap_err();
    assert_eq!(unknown.0, "there is no node named \"master-9\"");
    let no_process = sim
        .apply(&Action::KillProcess(
            Target::parse("worker-1/etcd").unwrap(),
        ))
        .unwrap_err();
    assert_eq!(no_process.0, "worker-1 runs no etcd");
}

#[test]
fn the_same_seed_and_actions_give_the_same_trace_and_another_seed_does_not() {
    // Reference: STYLE.md (a run is a pure function of scenario, seed and actions).
    let run = |seed| {
        let mut sim = with_load(seed, Cluster::default(), ms(200));
        sim.advance_to(secs(15));
        act(&mut sim, "kill-node", "leader:etcd");
        sim.advance_to(secs(30));
        partition(&mut sim, &[&["master-1"], &["master-2", "master-3"]]);
        sim.advance_to(secs(45));
        sim.apply(&Action::Heal).unwrap();
        sim.advance_to(secs(60));
        let lines: Vec<String> = sim.drain_events().iter().map(|e| e.to_json()).collect();
        (sim.trace_hash(), lines)
    };
    let (a, lines_a) = run(21);
    let (b, lines_b) = run(21);
    assert_eq!(lines_a, lines_b);
    assert_eq!(a, b);
    assert_ne!(run(22).0, a);
}

#[test]
fn jumping_to_the_next_event_stops_exactly_when_something_happens() {
    // Reference: issue "Simulation core" (advance to the next event).
    let mut sim = Sim::new(SimConfig::new(12, Cluster::default())).unwrap();
    sim.advance_to(secs(20));
    sim.drain_events();
    let start = sim.now();
    assert!(sim.advance_to_next_event(start + SimDuration::from_secs(60)));
    let events = sim.drain_events();
    assert!(!events.is_empty());
    // It stopped at the first event, and nothing happened in between.
    assert_eq!(sim.now(), events[0].t);
    assert!(events.iter().all(|e| e.t == sim.now()));
    // With nothing queued before the limit, it stops at the limit.
    let mut quiet = Sim::new(SimConfig::new(12, Cluster::default())).unwrap();
    let first = quiet.next_time().expect("the boot is queued");
    let limit = first.saturating_sub(SimDuration::from_micros(1));
    assert!(!quiet.advance_to_next_event(limit));
    assert_eq!(quiet.now(), limit);
}

#[test]
fn a_cloned_simulation_continues_exactly_as_the_original_does() {
    // Reference: issue "Simulation core" (the state is Clone, for time travel).
    let mut original = with_load(13, Cluster::default(), ms(200));
    original.advance_to(secs(20));
    let mut snapshot = original.clone();
    for sim in [&mut original, &mut snapshot] {
        act(sim, "kill-node", "leader:etcd");
        sim.advance_to(secs(40));
    }
    assert_eq!(original.trace_hash(), snapshot.trace_hash());
    assert_eq!(original.drain_events(), snapshot.drain_events());
}
