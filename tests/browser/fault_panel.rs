//! Faults: every node and process has its buttons, named for what they do,
//! and each sends the simulation the matching action.

use ha_lab::components::fault_panel::FaultPanel;
use ha_sim::{EventKind, Power, ProcState, ProcessKind};
use wasm_bindgen_test::wasm_bindgen_test;
use yew::html;

use crate::support::{all, button, click, lab, open, render};

#[wasm_bindgen_test]
async fn every_node_and_process_has_its_named_buttons() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <FaultPanel /> }).await;
    let names: Vec<String> = shared
        .borrow()
        .sim
        .nodes()
        .iter()
        .map(|n| n.name.to_string())
        .collect();
    // A node's processes are drawn once their disclosure is opened.
    assert!(all(&root, ".fault-processes li").is_empty());
    for name in names.iter().filter(|n| *n != "laptop") {
        open(&root, &format!("Processes on {name}")).await;
    }
    open(&root, "Network partition").await;
    let sim = &shared.borrow().sim;
    for node in sim.nodes().iter().filter(|n| &*n.name != "laptop") {
        button(&root, &format!("Kill {}", node.name));
        for &p in &node.processes {
            let kind = sim.processes()[p].kind.name();
            for verb in ["Kill", "Stop", "Pause"] {
                button(&root, &format!("{verb} {kind} on {}", node.name));
            }
        }
    }
    button(&root, "Heal network");
}

#[wasm_bindgen_test]
async fn kill_restart_pause_and_resume_reach_the_simulation() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <FaultPanel /> }).await;
    click(&root, "Kill master-1").await;
    let master_1 = shared.borrow().sim.node_id("master-1").unwrap();
    assert_eq!(shared.borrow().sim.nodes()[master_1].power, Power::Off);
    // Now it can be powered on again.
    click(&root, "Restart master-1").await;
    assert!(matches!(
        shared.borrow().sim.nodes()[master_1].power,
        Power::Booting { .. }
    ));

    open(&root, "Processes on master-3").await;
    open(&root, "Processes on master-2").await;
    click(&root, "Pause kube-controller-manager on master-3").await;
    let kcm = {
        let sim = &shared.borrow().sim;
        sim.process_id(
            sim.node_id("master-3").unwrap(),
            ProcessKind::KubeControllerManager,
        )
        .unwrap()
    };
    assert_eq!(
        shared.borrow().sim.processes()[kcm].state,
        ProcState::Running {
            paused: true,
            terminating: false
        }
    );
    click(&root, "Resume kube-controller-manager on master-3").await;
    assert!(shared.borrow().sim.processes()[kcm].is_active());

    click(&root, "Stop kube-scheduler on master-2").await;
    // Each click is one learner action on the branch, in order.
    let actions: Vec<String> = shared
        .borrow()
        .actions()
        .iter()
        .map(|a| format!("{} {}", a.action.name(), a.action.target_text()))
        .collect();
    assert_eq!(
        actions,
        [
            "kill-node master-1",
            "restart-node master-1",
            "pause-process master-3/kube-controller-manager",
            "resume-process master-3/kube-controller-manager",
            "stop-process master-2/kube-scheduler"
        ]
    );
}

#[wasm_bindgen_test]
async fn the_partition_tool_cuts_between_the_chosen_groups_and_heals() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <FaultPanel /> }).await;
    // The tool is drawn once its disclosure is first opened.
    assert!(root.query_selector("select").unwrap().is_none());
    open(&root, "Network partition").await;
    let select: web_sys::HtmlSelectElement = {
        use wasm_bindgen::JsCast;
        root.query_selector("select[aria-label='Group of master-1']")
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap()
    };
    select.set_value("1");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    click(&root, "Cut the network between groups").await;
    {
        let sim = &shared.borrow().sim;
        let (m1, m2) = (
            sim.node_id("master-1").unwrap(),
            sim.node_id("master-2").unwrap(),
        );
        assert!(!sim.can_reach(m1, m2));
        let (m3, lb) = (
            sim.node_id("master-3").unwrap(),
            sim.node_id("loadbalancer").unwrap(),
        );
        assert!(sim.can_reach(m2, m3) && sim.can_reach(m3, lb));
    }
    click(&root, "Heal network").await;
    let sim = &shared.borrow().sim;
    let (m1, m2) = (
        sim.node_id("master-1").unwrap(),
        sim.node_id("master-2").unwrap(),
    );
    assert!(sim.can_reach(m1, m2));
    let network_events = shared
        .borrow()
        .events_so_far()
        .iter()
        .filter(|e| e.kind == EventKind::NetworkChanged)
        .count();
    assert_eq!(network_events, 2);
}
