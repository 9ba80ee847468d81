//! The control plane's timings, checked from the event stream against
//! FIDELITY.md §2 (failover windows), §4 (health), §6 (HAProxy) and §7 (node
//! lifecycle), over hundreds of seeds; and leader-election safety over random
//! fault schedules.

use ha_sim::kube::leaderelection::{ElectorPhase, LeaderElectionFlags};
use ha_sim::rng::SimRng;
use ha_sim::{
    Action, Cluster, Event, EventKind, ProcessKind, Sim, SimConfig, SimDuration, SimTime, Target,
};

use crate::support::*;

const KCM_LEASE: &str = "kube-system/kube-controller-manager";
const SCHEDULER_LEASE: &str = "kube-system/kube-scheduler";

fn sim_with(seed: u64, configure: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut config = SimConfig::new(seed, Cluster::default());
    configure(&mut config);
    Sim::new(config).expect("a valid configuration")
}

/// Runs until `kind`'s lease has a live leader, then a little more.
fn settle(sim: &mut Sim, kind: ProcessKind) {
    while sim.lease_leader(kind).is_none() {
        assert!(sim.now() < secs(120), "no {kind} leader after 120 s");
        sim.advance_by(ms(100));
    }
}

/// Runs until the next event of `kind` for `lease` from now on; returns it
/// (or panics after `limit`). Events recorded before the call are dropped.
fn next_lease_event(sim: &mut Sim, name: &str, lease: &str, limit: SimTime) -> Event {
    sim.drain_events();
    loop {
        let found = sim.drain_events().into_iter().find(|e| {
            e.kind.name() == name
                && match &e.kind {
                    EventKind::LeaseAcquired { lease: l, .. }
                    | EventKind::LeaseRenewed { lease: l }
                    | EventKind::LeaseLost { lease: l, .. }
                    | EventKind::LeaseReleased { lease: l } => l == lease,
                    _ => false,
                }
        });
        if let Some(event) = found {
            return event;
        }
        assert!(sim.now() < limit, "no {name} for {lease} by {limit}");
        sim.step();
    }
}

/// The ideal model of FIDELITY.md §2 A, sampled: each standby polls at gaps
/// uniform in [P, 2.2 P); it sees the last renewal at its first poll after
/// it, and acquires at its first poll after that sighting plus D. The first
/// standby to do so wins. Returns the mean gap from the last renewal.
fn ideal_mean_takeover(flags: LeaderElectionFlags, standbys: usize) -> f64 {
    let mut rng = SimRng::stream(99, "ideal-takeover");
    let (p, d) = (
        flags.retry_period.as_micros(),
        flags.lease_duration.as_micros(),
    );
    let gap = |rng: &mut SimRng| p + rng.below(p * 6 / 5);
    let samples = 20_000;
    let mut total = 0u64;
    for _ in 0..samples {
        let mut best = u64::MAX;
        for _ in 0..standbys {
            // A poll process in its stationary state: start well before 0.
            let mut t = rng.below(p * 22 / 10);
            let start = 100 * p;
            while t < start {
                t += gap(&mut rng);
            }
            let seen = t - start;
            let mut poll = t;
            while poll - start <= seen + d {
                poll += gap(&mut rng);
            }
            best = best.min(poll - start);
        }
        total += best;
    }
    total as f64 / samples as f64 / 1e6
}

/// FIDELITY.md §2 A over 200 seeds with `flags`: returns the gaps in seconds.
fn takeover_after_leader_node_dies(flags: LeaderElectionFlags) -> Vec<f64> {
    let (low, high) = flags.takeover_window();
    (0..200)
        .map(|seed| {
            let mut sim = sim_with(seed, |c| c.controller_manager = flags);
            settle(&mut sim, ProcessKind::KubeControllerManager);
            sim.advance_by(SimDuration::from_secs(20));
            // A random moment between two renewals.
            let renewed = next_lease_event(&mut sim, "lease_renewed", KCM_LEASE, secs(300));
            sim.advance_by(SimDuration::from_micros(
                seed * 7_919 % flags.retry_period.as_micros(),
            ));
            let leader = sim
                .lease_leader(ProcessKind::KubeControllerManager)
                .unwrap();
            let node = sim.nodes()[sim.processes()[leader].node].name.to_string();
            // The last renewal before the kill.
            let last_renew = sim
                .drain_events()
                .into_iter()
                .filter(
                    |e| matches!(&e.kind, EventKind::LeaseRenewed { lease } if lease == KCM_LEASE),
                )
                .map(|e| e.t)
                .last()
                .unwrap_or(renewed.t);
            act(&mut sim, "kill-node", &node);
            let limit = sim.now() + high + SimDuration::from_secs(10);
            let acquired = next_lease_event(&mut sim, "lease_acquired", KCM_LEASE, limit);
            let gap = acquired.t - last_renew;
            assert!(
                gap > low && gap <= high,
                "seed {seed}: takeover {gap} after the last renewal, outside ({low}, {high}]"
            );
            gap.as_micros() as f64 / 1e6
        })
        .collect()
}

#[test]
fn a_standby_takes_over_between_lease_duration_and_lease_plus_two_jittered_retries_after_the_leader_dies()
 {
    // Reference: FIDELITY.md §2 A: acquire − t_L ∈ (15 s, 23.8 s], mean ≈ 18.4 s
    // for one standby (two standbys here: the first to poll wins).
    for flags in [
        LeaderElectionFlags::default(),
        LeaderElectionFlags {
            leader_elect: true,
            lease_duration: SimDuration::from_secs(60),
            renew_deadline: SimDuration::from_secs(40),
            retry_period: SimDuration::from_secs(5),
        },
    ] {
        let gaps = takeover_after_leader_node_dies(flags);
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let ideal = ideal_mean_takeover(flags, 2);
        assert!(
            (mean - ideal).abs() < 0.6,
            "mean takeover {mean:.2} s, the model predicts {ideal:.2} s ({flags:?})"
        );
        let one_standby = ideal_mean_takeover(flags, 1);
        let d = flags.lease_duration.as_secs() as f64;
        let p = flags.retry_period.as_micros() as f64 / 1e6;
        // The closed form for one standby: D + 2 × E[residual poll gap].
        let residual = ((2.2 * p).powi(3) - p.powi(3)) / (3.0 * 1.2 * p) / (2.0 * 1.6 * p);
        assert!((one_standby - (d + 2.0 * residual)).abs() < 0.1);
    }
}

#[test]
fn a_leader_that_loses_its_local_api_server_stops_leading_a_renew_deadline_after_its_next_renew_and_before_anyone_takes_over()
 {
    // Reference: FIDELITY.md §2 B: the leader exits at t_L + P + R ≈ t_L + 12 s;
    // standbys acquire after t_L + 15 s.
    for seed in 0..200 {
        let mut sim = sim_with(seed, |_| {});
        settle(&mut sim, ProcessKind::KubeControllerManager);
        sim.advance_by(SimDuration::from_secs(10));
        let renewed = next_lease_event(&mut sim, "lease_renewed", KCM_LEASE, secs(300));
        let leader = sim
            .lease_leader(ProcessKind::KubeControllerManager)
            .unwrap();
        let node = sim.nodes()[sim.processes()[leader].node].name.to_string();
        sim.advance_by(SimDuration::from_micros(seed * 7_919 % 1_900_000));
        act(&mut sim, "kill-process", &format!("{node}/kube-apiserver"));
        let lost = next_lease_event(
            &mut sim,
            "lease_lost",
            KCM_LEASE,
            renewed.t + SimDuration::from_secs(30),
        );
        assert_eq!(lost.node.as_deref(), Some(node.as_str()));
        let after = lost.t - renewed.t;
        assert_eq!(
            after,
            SimDuration::from_secs(12),
            "seed {seed}: lost {after} after the last renewal"
        );
        assert!(
            matches!(&lost.kind, EventKind::LeaseLost { reason, .. } if reason.ends_with("context deadline exceeded"))
        );
        let acquired = next_lease_event(
            &mut sim,
            "lease_acquired",
            KCM_LEASE,
            lost.t + SimDuration::from_secs(30),
        );
        assert!(
            acquired.t - renewed.t > SimDuration::from_secs(15),
            "seed {seed}"
        );
    }
}

#[test]
fn a_gracefully_stopped_scheduler_releases_its_lease_and_a_standby_takes_it_within_a_jittered_retry()
 {
    // Reference: FIDELITY.md §2 C: new leader at release + (0, 4.4) s, transitions + 1.
    let mut waits = Vec::new();
    for seed in 0..200 {
        let mut sim = sim_with(seed, |_| {});
        settle(&mut sim, ProcessKind::KubeScheduler);
        sim.advance_by(SimDuration::from_secs(10) + ms(seed * 13 % 2_000));
        let before = sim
            .lease_record("kube-scheduler")
            .unwrap()
            .0
            .lease_transitions;
        sim.drain_events();
        act(&mut sim, "stop-process", "leader:kube-scheduler");
        let limit = sim.now() + SimDuration::from_secs(5);
        let released = next_lease_event(&mut sim, "lease_released", SCHEDULER_LEASE, limit);
        let acquired = next_lease_event(
            &mut sim,
            "lease_acquired",
            SCHEDULER_LEASE,
            released.t + SimDuration::from_secs(10),
        );
        let wait = acquired.t - released.t;
        assert!(
            wait < ms(4_400),
            "seed {seed}: took {wait} after the release"
        );
        let EventKind::LeaseAcquired {
            lease_transitions, ..
        } = acquired.kind
        else {
            unreachable!()
        };
        assert_eq!(lease_transitions, before + 1, "seed {seed}");
        waits.push(wait.as_millis());
    }
    let mean = waits.iter().sum::<u64>() as f64 / waits.len() as f64;
    // The first of two standbys to poll: well under the one-standby mean of 1.7 s.
    assert!(mean > 400.0 && mean < 1_700.0, "mean wait {mean:.0} ms");
}

#[test]
fn losing_two_of_three_stacked_masters_stops_the_control_plane_but_not_the_workload() {
    // Reference: FIDELITY.md §2 B, §3 (quorum), §4 (/readyz), §6 (fall 3 × inter 2 s), §7.
    for seed in 0..200 {
        let mut sim = sim_with(seed, |_| {});
        while sim.pods_running() < 3 {
            assert!(
                sim.now() < secs(120),
                "seed {seed}: the workload never started"
            );
            sim.advance_by(ms(500));
        }
        sim.advance_by(SimDuration::from_secs(5) + ms(seed * 17 % 2_000));
        sim.drain_events();
        let killed = sim.now();
        act(&mut sim, "kill-node", "master-2");
        act(&mut sim, "kill-node", "master-3");
        sim.advance_by(SimDuration::from_secs(20));
        let events = sim.drain_events();
        let at = |name: &str| events.iter().find(|e| e.kind.name() == name).map(|e| e.t);
        assert!(
            at("etcd_quorum_lost") == Some(killed),
            "seed {seed}: quorum loss not reported at once"
        );
        // The survivor's API server fails its etcd check within the 2 s check
        // timeout plus the 1 s between checks.
        let unhealthy = at("apiserver_unhealthy")
            .unwrap_or_else(|| panic!("seed {seed}: master-1 stayed healthy"));
        assert!(
            unhealthy - killed <= ms(3_100),
            "seed {seed}: unhealthy after {}",
            unhealthy - killed
        );
        // HAProxy: the survivor, answering 500, goes DOWN after 3 checks 2 s
        // apart (4–6 s), each 2 s counted from the end of the check before
        // (a LAN round trip, at most 3 ms: 10 ms for the three); the dead
        // nodes time out their checks and take longer.
        let down: Vec<(String, SimTime)> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::LbBackendDown { backend } => Some((backend.clone(), e.t)),
                _ => None,
            })
            .collect();
        let survivor = down
            .iter()
            .find(|(b, _)| b == "master-1")
            .expect("master-1 marked DOWN")
            .1;
        assert!(
            survivor - unhealthy >= SimDuration::from_secs(4)
                && survivor - unhealthy <= SimDuration::from_secs(6) + ms(10),
            "seed {seed}: master-1 DOWN {} after its /healthz failed",
            survivor - unhealthy
        );
        assert_eq!(down.len(), 3, "seed {seed}: {down:?}");
        assert!(sim.haproxy().unwrap().up_backends().is_empty());
        // Every leader stops leading within a renew deadline of the loss (it
        // last renewed at most a retry period before it).
        for kind in [
            ProcessKind::KubeControllerManager,
            ProcessKind::KubeScheduler,
        ] {
            assert!(
                sim.lease_leader(kind).is_none(),
                "seed {seed}: a {kind} still leads"
            );
        }
        for lost in events.iter().filter(|e| e.kind.name() == "lease_lost") {
            assert!(
                lost.t - killed <= SimDuration::from_secs(12),
                "seed {seed}: {lost:?}"
            );
        }
        // The workload keeps running, and kubectl cannot reach the API.
        sim.advance_by(SimDuration::from_secs(40));
        assert_eq!(sim.pods_running(), 3, "seed {seed}");
        assert_eq!(sim.kubectl().unwrap().probe_ok, Some(false), "seed {seed}");
    }
}

#[test]
fn two_processes_never_both_believe_they_hold_the_same_lease() {
    // Reference: FIDELITY.md §2 B (the margin D − (P + R)): with equal clock
    // rates and no paused process, leadership never overlaps. Checked after
    // every step of 200 random fault schedules.
    let masters = ["master-1", "master-2", "master-3"];
    let processes = [
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "etcd",
    ];
    for case in 0..200u64 {
        let mut rng = SimRng::stream(case, "lease-safety");
        let mut sim = sim_with(case, |_| {});
        let mut faults: Vec<(SimTime, Action)> = (0..8)
            .map(|_| {
                let at = SimTime::from_millis(10_000 + rng.below(100_000));
                let master = masters[rng.below(3) as usize];
                let process = processes[rng.below(4) as usize];
                let t = |s: &str| Target::parse(s).unwrap();
                let action = match rng.below(6) {
                    0 => Action::KillNode(t(master)),
                    1 => Action::RestartNode(t(master)),
                    2 => Action::KillProcess(t(&format!("{master}/{process}"))),
                    3 => Action::StopProcess(t(&format!("{master}/{process}"))),
                    4 => {
                        let other: Vec<String> = masters
                            .iter()
                            .filter(|m| **m != master)
                            .map(|m| m.to_string())
                            .collect();
                        Action::Partition(vec![vec![master.to_owned()], other])
                    }
                    _ => Action::Heal,
                };
                (at, action)
            })
            .collect();
        faults.sort_by_key(|(at, _)| *at);
        let mut faults = faults.into_iter().peekable();
        while sim.now() < secs(150) {
            while let Some((_, action)) = faults.next_if(|(at, _)| *at <= sim.now()) {
                sim.apply(&action).unwrap();
            }
            for kind in [
                ProcessKind::KubeControllerManager,
                ProcessKind::KubeScheduler,
            ] {
                let leaders: Vec<&str> = sim
                    .processes()
                    .iter()
                    .enumerate()
                    .filter(|(id, p)| {
                        p.kind == kind
                            && p.is_active()
                            && sim
                                .elector(*id)
                                .is_some_and(|e| e.phase == ElectorPhase::Leading)
                    })
                    .map(|(_, p)| &*p.name)
                    .collect();
                assert!(
                    leaders.len() <= 1,
                    "case {case} at {}: {leaders:?} all lead {kind}",
                    sim.now()
                );
            }
            sim.step();
        }
    }
}

#[test]
fn with_leader_election_off_every_controller_manager_acts_and_pods_are_created_twice_over() {
    // Reference: the course notes ("they might duplicate actions"); issue 4.
    let mut sim = sim_with(1, |c| {
        c.controller_manager.leader_elect = false;
        c.scheduler.leader_elect = false;
    });
    while sim.pods_running() < 3 {
        sim.advance_by(ms(500));
    }
    sim.advance_by(SimDuration::from_secs(5));
    let created_before = sim.pods_created();
    sim.apply(&Action::Scale { replicas: 6 }).unwrap();
    sim.advance_by(SimDuration::from_secs(20));
    let created = sim.pods_created() - created_before;
    assert!(created > 3, "only {created} pods created for 3 missing");
    assert_eq!(sim.pods_running(), 6, "the extra pods are deleted again");
    // With leader election on, exactly the missing pods are created.
    let mut sim = sim_with(1, |_| {});
    while sim.pods_running() < 3 {
        sim.advance_by(ms(500));
    }
    sim.advance_by(SimDuration::from_secs(5));
    let created_before = sim.pods_created();
    sim.apply(&Action::Scale { replicas: 6 }).unwrap();
    sim.advance_by(SimDuration::from_secs(20));
    assert_eq!(sim.pods_created() - created_before, 3);
    assert_eq!(sim.pods_running(), 6);
}

#[test]
fn a_dead_worker_becomes_not_ready_after_the_grace_period_and_its_pods_are_evicted_after_the_toleration()
 {
    // Reference: FIDELITY.md §7: Ready=Unknown 50 s after the last renewal
    // (monitored every 5 s), eviction 300 s after the taint.
    let mut sim = sim_with(4, |_| {});
    while sim.pods_running() < 3 {
        sim.advance_by(ms(500));
    }
    sim.advance_by(SimDuration::from_secs(10));
    let worker = sim.node_id("worker-1").unwrap();
    let on_worker = sim.containers(worker).len() as u32;
    assert!(on_worker > 0, "the test needs pods on worker-1");
    sim.drain_events();
    let killed = sim.now();
    act(&mut sim, "kill-node", "worker-1");
    sim.advance_by(SimDuration::from_secs(400));
    let events = sim.drain_events();
    let not_ready = events
        .iter()
        .find(
            |e| matches!(&e.kind, EventKind::NodeNotReady { node_name } if node_name == "worker-1"),
        )
        .expect("worker-1 marked NotReady");
    let after = not_ready.t - killed;
    assert!(
        after > SimDuration::from_secs(40) && after <= SimDuration::from_secs(61),
        "NotReady {after} after the kill"
    );
    let evictions: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind.name() == "pod_deleted" && e.t > not_ready.t)
        .collect();
    assert_eq!(evictions.len() as u32, on_worker);
    for eviction in &evictions {
        let wait = eviction.t - not_ready.t;
        assert!(
            wait >= SimDuration::from_secs(300) && wait <= SimDuration::from_secs(306),
            "evicted {wait} after the taint"
        );
    }
    // The replacements run on the other worker.
    assert_eq!(sim.pods_running(), 3);
}

#[test]
fn when_every_node_is_unhealthy_nothing_is_evicted() {
    // Reference: FIDELITY.md §7 ("If all nodes are unhealthy … evicts nothing").
    let mut sim = sim_with(6, |_| {});
    while sim.pods_running() < 3 {
        sim.advance_by(ms(500));
    }
    sim.advance_by(SimDuration::from_secs(5));
    // Freeze every kubelet: every node stops renewing its Lease.
    for node in ["master-1", "master-2", "master-3", "worker-1", "worker-2"] {
        act(&mut sim, "pause-process", &format!("{node}/kubelet"));
    }
    let deleted = sim.pods_deleted();
    sim.drain_events();
    sim.advance_by(SimDuration::from_secs(420));
    let events = sim.drain_events();
    assert_eq!(of_kind(&events, "node_not_ready").count(), 5);
    assert!(
        events
            .iter()
            .any(|e| e.message.contains("Entering master disruption mode"))
    );
    assert_eq!(sim.pods_deleted(), deleted, "nothing may be evicted");
    assert_eq!(sim.pods_running(), 3);
}

#[test]
fn an_api_server_without_etcd_is_restarted_by_its_liveness_probe_after_about_eighty_seconds() {
    // Reference: FIDELITY.md §4 (livez: period 10 s, failureThreshold 8).
    let mut sim = sim_with(2, |_| {});
    sim.advance_to(secs(40));
    sim.drain_events();
    let killed = sim.now();
    act(&mut sim, "kill-node", "master-2");
    act(&mut sim, "kill-node", "master-3");
    sim.advance_by(SimDuration::from_secs(120));
    let restart = sim
        .drain_events()
        .into_iter()
        .find(|e| {
            e.node.as_deref() == Some("master-1")
                && matches!(&e.kind, EventKind::ProcessExited { reason, .. } if reason.contains("liveness"))
                && e.component == "kube-apiserver"
        })
        .expect("the kubelet kills the API server");
    // The check fails within 3 s; the first failing probe comes in the next
    // 10 s period, the eighth 70 s after it.
    let after = restart.t - killed;
    assert!(
        after >= SimDuration::from_secs(70) && after <= SimDuration::from_secs(85),
        "killed {after} after quorum loss"
    );
}

#[test]
fn kubectl_reports_what_a_user_would_see_when_the_load_balancer_dies() {
    // Reference: FIDELITY.md §6 (the load balancer is a single point of failure).
    let mut sim = sim_with(3, |_| {});
    while sim.kubectl().unwrap().probe_ok != Some(true) {
        sim.advance_by(ms(500));
    }
    sim.advance_by(SimDuration::from_secs(10));
    act(&mut sim, "kill-node", "loadbalancer");
    sim.advance_by(SimDuration::from_secs(15));
    let kubectl = sim.kubectl().unwrap();
    assert_eq!(kubectl.probe_ok, Some(false));
    assert_eq!(
        kubectl.probe_output,
        "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)"
    );
    // Every API server is fine: only the way to them is gone.
    let ready = sim
        .processes()
        .iter()
        .enumerate()
        .filter(|(id, _)| sim.apiserver(*id).is_some_and(|a| a.is_ready()))
        .count();
    assert_eq!(ready, 3);
    // Pointed straight at a master, kubectl works again.
    sim.apply(&Action::KubectlServer("master-2".to_owned()))
        .unwrap();
    sim.advance_by(SimDuration::from_secs(3));
    assert_eq!(sim.kubectl().unwrap().probe_ok, Some(true));
}

#[test]
fn scaling_without_quorum_fails_with_the_etcd_error_and_changes_nothing() {
    // Reference: FIDELITY.md §3 ("Without quorum"), §4.
    let mut sim = sim_with(1, |c| c.kubectl_server = "master-1".to_owned());
    while sim.pods_running() < 3 {
        sim.advance_by(ms(500));
    }
    act(&mut sim, "kill-node", "master-2");
    act(&mut sim, "kill-node", "master-3");
    sim.advance_by(SimDuration::from_secs(5));
    sim.drain_events();
    sim.apply(&Action::Scale { replicas: 6 }).unwrap();
    sim.advance_by(SimDuration::from_secs(15));
    let result = sim
        .drain_events()
        .into_iter()
        .find(|e| e.kind.name() == "kubectl_result")
        .expect("kubectl answers");
    assert!(matches!(
        result.kind,
        EventKind::KubectlResult { ok: false, .. }
    ));
    assert_eq!(
        result.message,
        "kubectl scale deployment web --replicas=6: Error from server: etcdserver: request timed out"
    );
    sim.advance_by(SimDuration::from_secs(30));
    assert_eq!(sim.pods_running(), 3);
}

#[test]
fn a_restarted_controller_manager_has_a_new_identity_and_cannot_reclaim_its_old_lease() {
    // Reference: FIDELITY.md §1 (holderIdentity hostname_uuid, new at every start).
    let mut sim = sim_with(8, |_| {});
    settle(&mut sim, ProcessKind::KubeControllerManager);
    sim.advance_by(SimDuration::from_secs(5));
    let leader = sim
        .lease_leader(ProcessKind::KubeControllerManager)
        .unwrap();
    let old = sim.elector(leader).unwrap().identity.clone();
    let node = sim.nodes()[sim.processes()[leader].node].name.to_string();
    assert!(old.starts_with(&format!("{node}_")), "{old}");
    act(
        &mut sim,
        "kill-process",
        &format!("{node}/kube-controller-manager"),
    );
    // Restarted by the kubelet 10 s later, it is a stranger to its old record.
    sim.advance_by(SimDuration::from_secs(11));
    let restarted = sim.elector(leader).expect("restarted");
    assert_ne!(restarted.identity, old);
    assert!(!restarted.is_leader());
    sim.advance_by(SimDuration::from_secs(20));
    let (record, _) = sim.lease_record("kube-controller-manager").unwrap();
    assert_ne!(
        record.holder_identity, old,
        "the old identity never renews again"
    );
    assert_eq!(
        record.lease_transitions, 1,
        "whoever took it over counts one transition"
    );
}

#[test]
fn a_stale_update_is_refused_with_409_conflict() {
    // Reference: issue 4 (resourceVersion and optimistic concurrency): two
    // schedulers without leader election bind the same pods; one wins, the
    // other's update carries a stale resourceVersion.
    let mut sim = sim_with(1, |c| {
        c.controller_manager.leader_elect = false;
        c.scheduler.leader_elect = false;
    });
    sim.advance_to(secs(40));
    let conflicts = sim
        .drain_events()
        .into_iter()
        .filter(|e| {
            e.component == "kube-scheduler"
                && e.message.contains("Operation cannot be fulfilled on pods")
        })
        .count();
    assert!(conflicts > 0, "no 409 Conflict seen");
    let bound = sim
        .stored_objects(ha_sim::kube::objects::Kind::Pod)
        .into_iter()
        .filter(|(o, _)| o.as_pod().is_some_and(|p| p.node_name.is_some()))
        .count();
    assert_eq!(bound, 3, "every pod bound exactly once");
}
