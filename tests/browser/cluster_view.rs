//! The cluster drawing: every node by name, processes by topology.

use ha_lab::components::cluster_view::{ClusterView, ClusterViewProps};
use ha_sim::{Cluster, EtcdTopology};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;

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
