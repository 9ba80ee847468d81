//! kubectl: scaling and where it points, with what kubectl printed.

use ha_lab::components::kubectl_panel::KubectlPanel;
use ha_sim::{Action, SimTime};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlInputElement;
use yew::html;

use crate::support::{click, lab, render, text};

#[wasm_bindgen_test]
async fn scale_up_asks_for_one_more_replica_and_the_terminal_shows_kubectls_answer() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <KubectlPanel /> }).await;
    let desired = shared.borrow().sim.pods_desired();
    click(&root, "Scale up").await;
    assert_eq!(
        shared.borrow().actions().last().map(|a| a.action.clone()),
        Some(Action::Scale {
            replicas: desired + 1
        })
    );
    assert!(
        text(&root, "[role=log][aria-label='kubectl output']")
            .contains("(waiting for the API server")
    );
    // A second later kubectl has its answer.
    shared.borrow_mut().advance_to(SimTime::from_secs(31));
    click(&root, "Scale down").await;
    let terminal = text(&root, "[role=log][aria-label='kubectl output']");
    assert!(
        terminal.contains(&format!(
            "$ kubectl scale deployment web --replicas={}",
            desired + 1
        )),
        "{terminal}"
    );
    assert!(
        terminal.contains("deployment.apps/web scaled"),
        "{terminal}"
    );
}

#[wasm_bindgen_test]
async fn kubectl_can_point_straight_at_a_master() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <KubectlPanel /> }).await;
    let radios: Vec<HtmlInputElement> = crate::support::all(&root, "input[type=radio]")
        .into_iter()
        .map(|e| e.dyn_into().unwrap())
        .collect();
    let values: Vec<String> = radios.iter().map(HtmlInputElement::value).collect();
    assert_eq!(values, ["loadbalancer", "master-1", "master-2", "master-3"]);
    assert!(radios[0].checked());
    radios[2].click();
    yew::scheduler::flush().await;
    assert_eq!(shared.borrow().sim.kubectl_server(), "master-2");
}
