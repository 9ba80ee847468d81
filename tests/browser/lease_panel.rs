//! The lease panel: the holder and its record, the Lease as kubectl prints
//! it, each standby's own countdowns, the time without a leader, and the
//! measured takeover gap beside the window theory predicts.

use ha_lab::components::lease_panel::LeasePanel;
use ha_lab::lab::Lab;
use ha_sim::{EventKind, ProcessKind, SimTime};
use wasm_bindgen_test::wasm_bindgen_test;
use yew::html;

use crate::support::{all, lab, render, text};

const KCM: &str = "kube-system/kube-controller-manager";

/// The node whose kube-controller-manager leads in `lab`.
fn leader_node(lab: &Lab) -> String {
    let leader = lab
        .sim
        .lease_leader(ProcessKind::KubeControllerManager)
        .expect("a leader");
    let node = lab.sim.processes()[leader].node;
    lab.sim.nodes()[node].name.to_string()
}

/// The last renew (or acquisition) of the controller-manager's lease at or
/// before `t`, from the events.
fn last_renew_before(lab: &Lab, t: SimTime) -> SimTime {
    lab.events_so_far()
        .iter()
        .rev()
        .filter(|e| e.t <= t)
        .find(|e| match &e.kind {
            EventKind::LeaseRenewed { lease } | EventKind::LeaseAcquired { lease, .. } => {
                lease == KCM
            }
            _ => false,
        })
        .map(|e| e.t)
        .expect("the lease was renewed")
}

#[wasm_bindgen_test]
async fn the_lease_panel_shows_the_holder_its_record_the_yaml_and_every_standby() {
    let (state, shared) = lab("t=30s");
    let root = render(
        state,
        html! { <LeasePanel component={ProcessKind::KubeControllerManager} /> },
    )
    .await;
    let (lease, rv) = shared
        .borrow()
        .sim
        .lease_record("kube-controller-manager")
        .expect("the lease is stored by 30 s");

    let section = root.query_selector("section").unwrap().unwrap();
    let heading_id = section.get_attribute("aria-labelledby").unwrap();
    assert_eq!(
        text(&root, &format!("#{heading_id}")),
        "kube-controller-manager lease"
    );
    let holder = text(&root, ".lease-record dd");
    assert!(holder.contains(&lease.holder_identity), "{holder}");
    assert!(
        holder.contains(lease.holder_node().unwrap()),
        "names the master: {holder}"
    );
    assert_eq!(
        text(&root, ".lease-transitions"),
        lease.lease_transitions.to_string()
    );
    assert_eq!(
        text(&root, ".lease-yaml summary"),
        "kubectl -n kube-system get lease kube-controller-manager -o yaml"
    );
    let yaml = root
        .query_selector(".lease-yaml pre")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(yaml, lease.to_yaml(rv));

    // One row per standby, naming its master, with its own countdowns.
    let leader = leader_node(&shared.borrow());
    let rows: Vec<String> = all(&root, ".lease-standbys li")
        .iter()
        .map(|li| li.text_content().unwrap_or_default())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert!(row.starts_with("master-"), "{row}");
        assert!(!row.starts_with(&format!("{leader}:")), "{row}");
        assert!(row.contains("lease expires in"), "{row}");
        assert!(row.contains("next try in"), "{row}");
    }
    assert!(text(&root, ".lease-led").contains(&leader));
    assert!(text(&root, ".lease-flags").contains("--leader-elect-lease-duration=15s"));
}

#[wasm_bindgen_test]
async fn after_the_leaders_node_is_killed_the_panel_measures_the_takeover_gap() {
    // Reference: FIDELITY.md §2 A.
    let (_, before) = lab("t=30s");
    let node = leader_node(&before.borrow());
    let (state, shared) = lab(&format!("t=60s&a=30s,kill-node,{node}"));
    let root = render(
        state,
        html! { <LeasePanel component={ProcessKind::KubeControllerManager} /> },
    )
    .await;

    let lab = shared.borrow();
    let killed_at = SimTime::from_secs(30);
    let acquired = lab
        .events_so_far()
        .iter()
        .find(|e| {
            e.t > killed_at
                && matches!(&e.kind, EventKind::LeaseAcquired { lease, .. } if lease == KCM)
        })
        .expect("a standby took over by 60 s");
    let gap = acquired.t - last_renew_before(&lab, killed_at);

    let measured = root
        .query_selector("output[aria-label='Measured takeover gap']")
        .unwrap()
        .expect("the measured gap");
    let line = measured.text_content().unwrap();
    let tenths = gap.as_millis() / 100;
    assert!(
        line.starts_with(&format!("Takeover gap {}.{} s", tenths / 10, tenths % 10)),
        "{line}"
    );
    let (low, high) = lab.setup.config.controller_manager.takeover_window();
    assert!(
        line.contains("(theory for these flags: 15.0–23.8 s)"),
        "{line}"
    );
    let within = gap > low && gap <= high;
    let verdict = if within { "within" } else { "outside" };
    assert!(
        line.contains(&format!("{verdict} the predicted window")),
        "{line}"
    );
    let gap_attribute = root
        .query_selector(".lease-takeover")
        .unwrap()
        .unwrap()
        .get_attribute("data-gap-us")
        .unwrap();
    assert_eq!(gap_attribute, gap.as_micros().to_string());
    // The killed master's instance is listed as not running.
    let rows = text(&root, ".lease-standbys");
    assert!(rows.contains(&format!("{node}: not running")), "{rows}");
}

#[wasm_bindgen_test]
async fn while_nobody_leads_the_panel_counts_from_the_last_renew() {
    let (_, before) = lab("t=30s");
    let node = leader_node(&before.borrow());
    let (state, shared) = lab(&format!("t=36s&a=30s,kill-node,{node}"));
    let root = render(
        state,
        html! { <LeasePanel component={ProcessKind::KubeControllerManager} /> },
    )
    .await;
    let lab = shared.borrow();
    assert_eq!(
        lab.sim.lease_leader(ProcessKind::KubeControllerManager),
        None
    );
    let renewed = last_renew_before(&lab, SimTime::from_secs(30));
    let tenths = (lab.now() - renewed).as_millis() / 100;
    let line = text(&root, ".lease-no-leader");
    assert!(
        line.starts_with(&format!("No leader for {}.{} s", tenths / 10, tenths % 10)),
        "{line}"
    );
    assert!(text(&root, ".lease-theory").contains("after the last renew"));
}

#[wasm_bindgen_test]
async fn with_leader_election_off_the_panel_says_every_instance_acts() {
    let (state, shared) = lab("scheduler.leader-elect=0&t=30s");
    let root = render(
        state,
        html! { <LeasePanel component={ProcessKind::KubeScheduler} /> },
    )
    .await;
    let active = shared
        .borrow()
        .sim
        .processes()
        .iter()
        .filter(|p| p.kind == ProcessKind::KubeScheduler && p.is_active())
        .count();
    assert!(text(&root, ".lease-off").contains("every kube-scheduler acts at once"));
    assert_eq!(
        text(&root, ".lease-active"),
        format!("{active} of 3 instances active.")
    );
    assert!(root.query_selector(".lease-yaml").unwrap().is_none());
}
