//! The cluster drawing: every node by name, every process with its state in
//! words, and selecting what is clicked.

use ha_lab::components::cluster_view::ClusterView;
use ha_lab::state::Selection;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;
use yew::html;

use crate::support::{accessible_name, all, lab, render};

/// The accessible names of the node groups in the drawing, in document order.
fn node_names(root: &Element) -> Vec<String> {
    all(root, "svg g[aria-roledescription]")
        .iter()
        .filter_map(|e| e.get_attribute("aria-label"))
        .collect()
}

/// The accessible names of the selectable process rows.
fn process_labels(root: &Element) -> Vec<String> {
    all(root, "svg [role=button]")
        .iter()
        .map(accessible_name)
        .filter(|n| n.contains(" on "))
        .collect()
}

#[wasm_bindgen_test]
async fn the_default_cluster_is_drawn_node_by_node_with_each_process_state_in_words() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <ClusterView /> }).await;
    assert_eq!(
        node_names(&root),
        [
            "laptop",
            "loadbalancer",
            "master-1",
            "master-2",
            "master-3",
            "worker-1",
            "worker-2"
        ]
    );
    // Each process row says what the simulation says of it.
    let sim = &shared.borrow().sim;
    let labels = process_labels(&root);
    for (proc, p) in sim.processes().iter().enumerate() {
        let (node, kind) = p.name.split_once('/').unwrap();
        let words = ha_lab::view::process_status(sim, proc).words;
        let expected = format!("{kind} {words} on {node}");
        assert!(labels.contains(&expected), "{expected:?} not in {labels:?}");
    }
    // One leader per lease, by its words.
    let leaders = labels
        .iter()
        .filter(|l| l.starts_with("kube-controller-manager leader on"))
        .count();
    assert_eq!(leaders, 1);
}

#[wasm_bindgen_test]
async fn external_etcd_nodes_are_drawn_and_the_masters_run_no_etcd() {
    let (state, _) = lab("etcd=external&masters=2&workers=1&lb=0&t=25s");
    let root = render(state, html! { <ClusterView /> }).await;
    assert_eq!(
        node_names(&root),
        [
            "laptop", "master-1", "master-2", "etcd-1", "etcd-2", "etcd-3", "worker-1"
        ]
    );
    let labels = process_labels(&root);
    let etcd_on = |node: &str| {
        labels
            .iter()
            .filter(|l| l.starts_with("etcd ") && l.contains(&format!(" on {node}")))
            .count()
    };
    assert_eq!(etcd_on("master"), 0);
    assert_eq!(etcd_on("etcd-"), 3);
}

#[wasm_bindgen_test]
async fn a_killed_node_reads_powered_off_and_the_load_balancer_marks_its_backend_down() {
    let (state, _) = lab("t=40s&a=25s,kill-node,master-2");
    let root = render(state, html! { <ClusterView /> }).await;
    let header: Vec<String> = all(&root, "svg [role=button]")
        .iter()
        .map(accessible_name)
        .filter(|n| n.starts_with("master-2 "))
        .collect();
    assert_eq!(header, ["master-2 powered off"]);
    let backends: Vec<String> = all(&root, "svg text.backend")
        .iter()
        .filter_map(|e| e.text_content())
        .collect();
    assert!(
        backends.contains(&"backend master-2: DOWN".to_owned()),
        "{backends:?}"
    );
    assert!(
        backends.contains(&"backend master-1: UP".to_owned()),
        "{backends:?}"
    );
}

#[wasm_bindgen_test]
async fn clicking_a_process_selects_it_and_enter_on_a_node_selects_the_node() {
    let (state, shared) = lab("t=30s");
    let root = render(
        state,
        html! {
            <>
                <ClusterView />
                <crate::support::StateProbe />
            </>
        },
    )
    .await;
    let row: Element = all(&root, "svg [role=button]")
        .into_iter()
        .find(|e| {
            let name = accessible_name(e);
            name.starts_with("kube-scheduler ") && name.ends_with(" on master-3")
        })
        .unwrap();
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let click = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    row.dispatch_event(&click).unwrap();
    yew::scheduler::flush().await;
    let sim_proc = {
        let l = shared.borrow();
        let node = l.sim.node_id("master-3").unwrap();
        l.sim
            .process_id(node, ha_sim::ProcessKind::KubeScheduler)
            .unwrap()
    };
    assert_eq!(
        crate::support::selected(&root),
        Some(Selection::Process(sim_proc))
    );
    let node_header: Element = all(&root, "svg [role=button]")
        .into_iter()
        .find(|e| accessible_name(e).starts_with("worker-1 "))
        .unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let enter =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    node_header.dispatch_event(&enter).unwrap();
    yew::scheduler::flush().await;
    let worker = shared.borrow().sim.node_id("worker-1").unwrap();
    assert_eq!(
        crate::support::selected(&root),
        Some(Selection::Node(worker))
    );
}
