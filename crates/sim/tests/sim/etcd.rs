//! etcd as Raft: elections, quorum, check-quorum, pre-vote, durability and
//! request failures, observed through the simulated network (FIDELITY.md §3).

use ha_sim::etcd::raft::Role;
use ha_sim::{Cluster, EventKind, SimDuration};

use crate::support::*;

#[test]
fn a_new_leader_is_elected_within_the_randomized_election_timeout_after_the_leader_dies() {
    // Reference: Raft §5.2; FIDELITY.md §3 (randomized timeout in [1000, 2000) ms).
    // A follower campaigns on the r-th tick of its own ticker after it last
    // heard the leader, r in [10, 20): 0.9 to 2.0 s later, since the first
    // tick can come at once. It last heard the leader at most one heartbeat
    // (100 ms) before the kill; pre-vote and vote take a few LAN round trips.
    // When the first to campaign drew the shortest timeout, the other
    // follower can still be inside its leader lease and ignore the pre-vote
    // (as in etcd), so an election sometimes takes a second round: most fit
    // the window, all fit two.
    let mut gaps = Vec::new();
    for seed in 0..200 {
        let mut sim = with_load(seed, Cluster::default(), ms(500));
        wait_for_leader(&mut sim, secs(20));
        sim.advance_by(ms(seed * 37 % 1000));
        let killed_at = sim.now();
        act(&mut sim, "kill-node", "leader:etcd");
        sim.drain_events();
        sim.advance_by(SimDuration::from_secs(5));
        let events = sim.drain_events();
        let (elected_at, _, _) = elections(&events)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("seed {seed}: no leader within 5 s of the kill"));
        let gap = elected_at - killed_at;
        assert!(
            gap >= ms(800) && gap < ms(4_100),
            "seed {seed}: new leader {gap} after the kill, outside [0.8 s, 4.1 s)"
        );
        gaps.push(gap.as_millis());
    }
    let in_window = gaps.iter().filter(|&&g| g < 2_050).count();
    assert!(
        in_window >= 180,
        "only {in_window} of 200 elections within [0.8 s, 2.05 s)"
    );
    // The timeout is random: elections do not all take the same time.
    let (min, max) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
    assert!(max - min > 500, "gaps range only {min}..{max} ms");
}

#[test]
fn the_quorum_table_holds_for_every_cluster_size_from_one_to_seven() {
    // Reference: FIDELITY.md §3 (quorum = ⌊n/2⌋ + 1; the etcd FAQ table).
    for members in 1..=7u8 {
        let tolerates = usize::from((members - 1) / 2);
        for killed in [tolerates, tolerates + 1] {
            let mut sim = with_load(u64::from(members), external_etcd(members), ms(200));
            wait_for_leader(&mut sim, secs(20));
            sim.advance_to(secs(20));
            sim.drain_events();
            for member in 0..killed {
                let node = member_node(&sim, member);
                act(&mut sim, "kill-node", &node);
            }
            let kill = sim.now();
            sim.advance_to(kill + SimDuration::from_secs(25));
            let events = sim.drain_events();
            let live: Vec<usize> = (killed..usize::from(members)).collect();
            let window: Vec<_> = writes_sent_between(
                &sim,
                kill + SimDuration::from_secs(5),
                kill + SimDuration::from_secs(15),
                &live,
            )
            .collect();
            let lost = of_kind(&events, "etcd_quorum_lost").count();
            if killed <= tolerates {
                assert!(!window.is_empty(), "{members} members: no writes to check");
                for write in &window {
                    assert!(
                        write.result.is_ok(),
                        "{members} members, {killed} lost: a write failed: {write:?}"
                    );
                }
                assert_eq!(
                    lost, 0,
                    "{members} members, {killed} lost: quorum reported lost"
                );
            } else {
                assert_eq!(
                    lost, 1,
                    "{members} members, {killed} lost: quorum loss not reported"
                );
                assert!(
                    sim.etcd_leader().is_none(),
                    "{members} members, {killed} lost: still a leader"
                );
                for write in &window {
                    assert_eq!(
                        write.result,
                        Err("etcdserver: request timed out".to_owned()),
                        "{members} members, {killed} lost: {write:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn an_isolated_leader_steps_down_and_the_majority_elects_another() {
    // Reference: FIDELITY.md §3 (check-quorum: "stepped down to follower since
    // quorum is not active", within one to two election timeouts).
    for seed in 0..20 {
        let mut sim = with_load(seed, external_etcd(3), ms(500));
        let (old, term) = wait_for_leader(&mut sim, secs(20));
        sim.advance_to(secs(20));
        let isolated = member_node(&sim, old);
        let others: Vec<String> = (0..3)
            .filter(|&m| m != old)
            .map(|m| member_node(&sim, m))
            .collect();
        sim.drain_events();
        partition(&mut sim, &[&[&isolated], &[&others[0], &others[1]]]);
        let cut = sim.now();
        sim.advance_by(SimDuration::from_secs(5));
        let events = sim.drain_events();
        let step_down = events
            .iter()
            .find(|e| {
                e.message
                    .ends_with("stepped down to follower since quorum is not active")
            })
            .unwrap_or_else(|| panic!("seed {seed}: the isolated leader never stepped down"));
        assert_eq!(step_down.node.as_deref(), Some(isolated.as_str()));
        let took = step_down.t - cut;
        assert!(
            took <= SimDuration::from_millis(2_100),
            "seed {seed}: stepped down after {took}"
        );
        let (new, new_term) = sim.etcd_leader().expect("the majority elects a leader");
        assert_ne!(new, old);
        assert!(new_term > term);
        // Alone, it keeps trying pre-votes, which never raise its term.
        let lonely = &sim.etcd_member(old).unwrap().raft;
        assert_ne!(lonely.role, Role::Leader);
        assert_eq!(lonely.term, term);
    }
}

#[test]
fn a_rejoining_partitioned_member_does_not_depose_the_leader_thanks_to_pre_vote() {
    // Reference: Raft thesis §9.6 (pre-vote); FIDELITY.md §3.
    for seed in 0..20 {
        let mut sim = with_load(seed, external_etcd(3), ms(500));
        let (leader, term) = wait_for_leader(&mut sim, secs(20));
        sim.advance_to(secs(20));
        let follower = (leader + 1) % 3;
        let cut_off = member_node(&sim, follower);
        let rest: Vec<String> = (0..3)
            .filter(|&m| m != follower)
            .map(|m| member_node(&sim, m))
            .collect();
        partition(&mut sim, &[&[&cut_off], &[&rest[0], &rest[1]]]);
        // Long enough for its election timer to fire several times.
        sim.advance_by(SimDuration::from_secs(10));
        let lonely = &sim.etcd_member(follower).unwrap().raft;
        assert_eq!(
            lonely.term, term,
            "seed {seed}: pre-vote must not raise the term"
        );
        sim.drain_events();
        sim.apply(&ha_sim::Action::Heal).unwrap();
        sim.advance_by(SimDuration::from_secs(5));
        assert_eq!(
            sim.etcd_leader(),
            Some((leader, term)),
            "seed {seed}: the leader was deposed"
        );
        assert!(elections(&sim.drain_events()).is_empty());
        assert_eq!(
            sim.etcd_member(follower).unwrap().raft.lead,
            Some(leader as u8)
        );
    }
}

#[test]
fn a_committed_write_survives_the_leaders_death() {
    // Reference: Raft §5.4 (leader completeness).
    for seed in 0..20 {
        let mut sim = with_load(seed, Cluster::default(), ms(100));
        wait_for_leader(&mut sim, secs(20));
        sim.advance_to(secs(15));
        let acked: Vec<_> = sim
            .benchmark()
            .unwrap()
            .outcomes
            .iter()
            .filter(|o| o.result.is_ok())
            .map(|o| (o.key.clone(), o.value.clone()))
            .collect();
        assert!(
            acked.len() > 20,
            "seed {seed}: only {} writes acknowledged",
            acked.len()
        );
        act(&mut sim, "kill-node", "leader:etcd");
        sim.advance_by(SimDuration::from_secs(5));
        let (new_leader, _) = sim.etcd_leader().expect("a new leader");
        let store = sim.etcd_member(new_leader).unwrap().store();
        for (key, value) in &acked {
            let kv = store
                .get(key)
                .unwrap_or_else(|| panic!("seed {seed}: {key} is lost"));
            assert_eq!(&kv.value, value, "seed {seed}: {key} changed");
        }
    }
}

#[test]
fn a_killed_member_restarts_with_its_term_and_log_and_catches_up() {
    // Reference: Raft §5 Figure 2 (persistent state), FIDELITY.md §3; etcd's WAL.
    let mut sim = with_load(7, Cluster::default(), ms(100));
    let (leader, _) = wait_for_leader(&mut sim, secs(20));
    sim.advance_to(secs(15));
    let member = (leader + 1) % 3;
    let node = member_node(&sim, member);
    act(&mut sim, "kill-node", &node);
    let on_disk = sim.etcd_hard_state(member).expect("the WAL is on disk");
    assert!(on_disk.term >= 1 && !on_disk.entries.is_empty());
    // The others go on writing without it.
    sim.advance_by(SimDuration::from_secs(20));
    let leader_log = sim.etcd_member(leader).unwrap().raft.last_index();
    assert!(leader_log > on_disk.entries.len() as u64 + 50);
    act(&mut sim, "restart-node", &node);
    // It boots (2-4 s), the kubelet starts etcd, which reads its WAL.
    while sim.etcd_member(member).is_none() {
        sim.advance_by(ms(10));
    }
    let restarted = &sim.etcd_member(member).unwrap().raft;
    assert!(restarted.term >= on_disk.term);
    assert_eq!(
        &restarted.entries()[..on_disk.entries.len()],
        &on_disk.entries[..]
    );
    assert!(
        sim.pending_events()
            .iter()
            .any(|e| e.message.contains("restarting from its WAL")),
        "the restart is logged"
    );
    sim.advance_by(SimDuration::from_secs(3));
    let (leader, _) = sim.etcd_leader().unwrap();
    let leader_raft = &sim.etcd_member(leader).unwrap().raft;
    let caught_up = sim.etcd_member(member).unwrap();
    assert_eq!(caught_up.raft.entries(), leader_raft.entries());
    assert!(caught_up.applied() + 5 >= leader_raft.commit);
    assert_eq!(
        caught_up.store().get("/bench/1"),
        sim.etcd_member(leader).unwrap().store().get("/bench/1")
    );
}

#[test]
fn writes_fail_with_the_etcd_message_without_quorum_and_succeed_again_after_heal() {
    // Reference: FIDELITY.md §3 ("Without quorum": ReqTimeout = 7 s,
    // "etcdserver: request timed out").
    let mut sim = with_load(3, external_etcd(3), ms(250));
    wait_for_leader(&mut sim, secs(20));
    sim.advance_to(secs(20));
    partition(&mut sim, &[&["etcd-1"], &["etcd-2"], &["etcd-3"]]);
    let cut = sim.now();
    sim.advance_to(cut + SimDuration::from_secs(20));
    let all = [0, 1, 2];
    let during: Vec<_> = writes_sent_between(
        &sim,
        cut + SimDuration::from_secs(3),
        cut + SimDuration::from_secs(12),
        &all,
    )
    .collect();
    assert!(during.len() > 20);
    for write in &during {
        assert_eq!(
            write.result,
            Err("etcdserver: request timed out".to_owned()),
            "{write:?}"
        );
        // The server gives up after its request timeout, 7 s with the defaults.
        assert_eq!((write.done - write.sent).as_secs(), 7, "{write:?}");
    }
    sim.apply(&ha_sim::Action::Heal).unwrap();
    let healed = sim.now();
    sim.advance_to(healed + SimDuration::from_secs(20));
    let after: Vec<_> = writes_sent_between(
        &sim,
        healed + SimDuration::from_secs(5),
        healed + SimDuration::from_secs(10),
        &all,
    )
    .collect();
    assert!(after.len() > 15);
    assert!(after.iter().all(|w| w.result.is_ok()), "{after:?}");
}

#[test]
fn a_paused_leader_wakes_up_believing_it_still_leads_then_steps_down() {
    // Reference: SCENARIOS.md (pause-process / resume-process); Raft §5.1
    // (a stale leader learns the new term from the first reply).
    let mut sim = with_load(11, external_etcd(3), ms(500));
    let (leader, term) = wait_for_leader(&mut sim, secs(20));
    sim.advance_to(secs(20));
    let node = member_node(&sim, leader);
    act(&mut sim, "pause-process", &format!("{node}/etcd"));
    sim.advance_by(SimDuration::from_secs(10));
    let (new_leader, new_term) = sim.etcd_leader().expect("the others elect a leader");
    assert_ne!(new_leader, leader);
    // Frozen: it still believes what it believed when it was paused.
    let frozen = &sim.etcd_member(leader).unwrap().raft;
    assert_eq!((frozen.role, frozen.term), (Role::Leader, term));
    sim.drain_events();
    act(&mut sim, "resume-process", &format!("{node}/etcd"));
    sim.advance_by(ms(200));
    let woken = &sim.etcd_member(leader).unwrap().raft;
    assert_eq!(woken.role, Role::Follower);
    assert_eq!(woken.term, new_term);
    let events = sim.drain_events();
    assert!(
        events
            .iter()
            .any(|e| e.node.as_deref() == Some(node.as_str())
                && matches!(
                    e.kind,
                    EventKind::EtcdRoleChanged {
                        role: "follower",
                        ..
                    }
                )),
        "{events:#?}"
    );
}

#[test]
fn a_graceful_stop_of_the_leader_hands_leadership_over_at_once() {
    // Reference: etcd's EtcdServer.Stop → TransferLeadership (MsgTimeoutNow).
    let mut sim = with_load(5, external_etcd(3), ms(500));
    let (leader, term) = wait_for_leader(&mut sim, secs(20));
    sim.advance_to(secs(20));
    let node = member_node(&sim, leader);
    sim.drain_events();
    act(&mut sim, "stop-process", &format!("{node}/etcd"));
    let stopped = sim.now();
    sim.advance_by(ms(100));
    let events = sim.drain_events();
    let (at, _, new_term) = elections(&events)
        .into_iter()
        .next()
        .expect("a transfer election");
    assert!(at - stopped < ms(50), "took {}", at - stopped);
    assert_eq!(new_term, term + 1);
    assert!(of_kind(&events, "process_exited").any(|e| e.message.contains("code 0")));
}

#[test]
fn etcd_refuses_an_election_timeout_under_five_heartbeats() {
    // Reference: FIDELITY.md §3 (validation), etcd embed/config.go.
    let mut config = ha_sim::SimConfig::new(1, Cluster::default());
    config.etcd.heartbeat_interval = SimDuration::from_millis(300);
    let error = ha_sim::Sim::new(config).unwrap_err().to_string();
    assert_eq!(
        error,
        "etcd: --election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]"
    );
}
