//! Browser tests of the app's components, run by wasm-bindgen-test in
//! headless Chromium (`./lab test browser`). Each test renders a component
//! into a fresh element, flushes Yew's scheduler and reads the DOM.
#![cfg(target_arch = "wasm32")]

use ha_lab::components::cluster_view::{ClusterView, ClusterViewProps};
use ha_sim::{Cluster, EtcdTopology};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// Renders `ClusterView` for `cluster` into a new element and returns it.
async fn render_cluster(cluster: Cluster) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<ClusterView>::with_root_and_props(root.clone(), ClusterViewProps { cluster })
        .render();
    yew::scheduler::flush().await;
    root
}

/// The accessible names of the node groups in the drawing, in document order.
fn node_names(root: &Element) -> Vec<String> {
    let groups = root.query_selector_all("svg g[role=group]").unwrap();
    (0..groups.length())
        .filter_map(|i| groups.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<Element>(n).ok())
        .filter_map(|e| e.get_attribute("aria-label"))
        .collect()
}

#[wasm_bindgen_test]
async fn cluster_view_draws_every_node_of_the_default_cluster_by_name() {
    let root = render_cluster(Cluster::default()).await;
    assert_eq!(
        node_names(&root),
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

#[wasm_bindgen_test]
async fn cluster_view_draws_external_etcd_nodes_and_no_etcd_on_the_masters() {
    let root = render_cluster(Cluster {
        masters: 2,
        etcd: EtcdTopology::External { members: 3 },
        workers: 1,
        load_balancer: false,
    })
    .await;
    assert_eq!(
        node_names(&root),
        [
            "master-1", "master-2", "etcd-1", "etcd-2", "etcd-3", "worker-1"
        ]
    );
    let master = root
        .query_selector("g[aria-label='master-1']")
        .unwrap()
        .unwrap();
    let processes: Vec<String> = {
        let list = master.query_selector_all("text.process").unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.text_content())
            .collect()
    };
    assert_eq!(
        processes,
        [
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler"
        ]
    );
}

/// The trace hash a golden file records (`"trace_hash": "…"`).
fn golden_trace_hash(golden: &str) -> &str {
    let start = golden
        .find("\"trace_hash\": \"")
        .expect("a golden has a trace hash")
        + 15;
    &golden[start..start + 16]
}

#[wasm_bindgen_test]
fn a_scenario_run_in_the_browser_gives_the_same_trace_as_the_native_golden() {
    // STYLE.md: the same scenario and seed give the same trace on native and wasm.
    let text = include_str!("../scenarios/kill-controller-manager-leader.toml");
    let golden = include_str!("../scenarios/golden/kill-controller-manager-leader.txt");
    let scenario =
        ha_sim::scenario::parse_scenario("kill-controller-manager-leader.toml", text).unwrap();
    let mut run = ha_sim::scenario::ScenarioRun::new(&scenario, None).unwrap();
    run.advance_to(ha_sim::SimTime::ZERO + scenario.run_for);
    assert_eq!(run.sim.trace_hash(), golden_trace_hash(golden));
}
