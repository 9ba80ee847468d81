//! The inspector: a hint and the "Inspect" list when nothing is selected; a
//! process's command line as kubeadm writes it for the topology in use; a
//! node and its processes.

use ha_lab::command_line::node_ip;
use ha_lab::components::inspector::Inspector;
use ha_sim::NodeRole;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement, HtmlSelectElement};
use yew::html;

use crate::support::{accessible_name, all, choose, lab, labelled, render, text};

/// The command line shown, line by line.
fn command_lines(root: &Element) -> Vec<String> {
    root.query_selector("pre.command-line")
        .unwrap()
        .expect("a command line")
        .text_content()
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_owned())
        .collect()
}

#[wasm_bindgen_test]
async fn with_nothing_selected_the_inspector_offers_every_process_and_node() {
    let (state, shared) = lab("t=20s");
    let root = render(state, html! { <Inspector /> }).await;
    assert!(text(&root, ".inspector-hint").starts_with("Select a node or a process"));
    let select = labelled(&root, "Inspect");
    let options: Vec<String> = all(&select, "option")
        .iter()
        .map(|o| o.text_content().unwrap_or_default())
        .collect();
    let lab = shared.borrow();
    assert_eq!(
        options.len(),
        1 + lab.sim.processes().len() + lab.sim.nodes().len()
    );
    for p in lab.sim.processes() {
        let label = format!("{} / {}", lab.sim.nodes()[p.node].name, p.kind);
        assert!(options.contains(&label), "{label} in {options:?}");
    }
}

#[wasm_bindgen_test]
async fn a_stacked_masters_api_server_talks_to_its_local_etcd_member() {
    // Reference: FIDELITY.md §4 (stacked: https://127.0.0.1:2379).
    let (state, _) = lab("t=20s");
    let root = render(state, html! { <Inspector /> }).await;
    choose(&root, "Inspect", "master-1 / kube-apiserver").await;
    assert_eq!(
        text(&root, ".inspector-body h3"),
        "master-1 / kube-apiserver"
    );
    let lines = command_lines(&root);
    let servers: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("--etcd-servers="))
        .collect();
    assert_eq!(servers, ["- --etcd-servers=https://127.0.0.1:2379"]);
    assert!(lines.contains(&"- --secure-port=6443".to_owned()));
    assert!(text(&root, ".inspector-status-words").contains("ready"));
    assert!(
        !all(&root, ".inspector-log li").is_empty(),
        "recent log lines"
    );
}

#[wasm_bindgen_test]
async fn an_external_etcd_api_server_lists_every_member_in_order() {
    // Reference: FIDELITY.md §4 (external: every member).
    let (state, shared) = lab("etcd=external&t=20s");
    let root = render(state, html! { <Inspector /> }).await;
    choose(&root, "Inspect", "master-2 / kube-apiserver").await;
    let members: Vec<String> = shared
        .borrow()
        .sim
        .nodes()
        .iter()
        .filter(|n| n.role == NodeRole::Etcd)
        .map(|n| format!("https://{}:2379", node_ip(&n.name).unwrap()))
        .collect();
    assert_eq!(members.len(), 3);
    let expected = format!("- --etcd-servers={}", members.join(","));
    let lines = command_lines(&root);
    assert!(lines.contains(&expected), "{expected} in {lines:?}");
}

#[wasm_bindgen_test]
async fn a_node_lists_its_processes_and_each_one_can_be_inspected() {
    let (state, shared) = lab("t=20s");
    let root = render(state, html! { <Inspector /> }).await;
    choose(&root, "Inspect", "master-3").await;
    assert_eq!(text(&root, ".inspector-body h3"), "master-3");
    assert_eq!(text(&root, ".inspector-power"), "on");
    let names: Vec<String> = all(&root, ".inspector-processes button")
        .iter()
        .map(accessible_name)
        .collect();
    let expected = {
        let lab = shared.borrow();
        let node = lab.sim.node_id("master-3").unwrap();
        lab.sim.nodes()[node].processes.len()
    };
    assert_eq!(names.len(), expected, "{names:?}");
    let scheduler: HtmlElement = all(&root, ".inspector-processes button")
        .into_iter()
        .find(|b| accessible_name(b).starts_with("kube-scheduler:"))
        .expect("the scheduler's button")
        .dyn_into()
        .unwrap();
    scheduler.click();
    yew::scheduler::flush().await;
    assert_eq!(
        text(&root, ".inspector-body h3"),
        "master-3 / kube-scheduler"
    );
    let lines = command_lines(&root);
    assert!(
        lines.contains(&"- --leader-elect=true".to_owned()),
        "{lines:?}"
    );
    assert!(lines.contains(&"- --kubeconfig=/etc/kubernetes/scheduler.conf".to_owned()));
    // The list follows the selection made outside it.
    let select: HtmlSelectElement = labelled(&root, "Inspect").dyn_into().unwrap();
    let chosen = all(&select, "option")
        .into_iter()
        .find(|o| o.get_attribute("value").as_deref() == Some(select.value().as_str()))
        .unwrap();
    assert_eq!(chosen.text_content().unwrap(), "master-3 / kube-scheduler");
}
