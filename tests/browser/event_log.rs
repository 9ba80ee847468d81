//! The event log: the lines up to now, filters by node and component, lease
//! renewals on request, earlier lines on request, and a line that takes the
//! lab to its moment.

use ha_lab::components::event_log::EventLog;
use ha_sim::EventKind;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement};
use yew::html;

use crate::support::{all, choose, click, lab, labelled, render, text};

/// The lines the log renders.
fn lines(root: &Element) -> Vec<Element> {
    all(root, "[role=log] li")
}

fn is_renewal(kind: &EventKind) -> bool {
    matches!(kind, EventKind::LeaseRenewed { .. })
}

#[wasm_bindgen_test]
async fn the_log_lists_the_lines_so_far_without_lease_renewals_until_asked() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <EventLog /> }).await;
    let log = root.query_selector("[role=log]").unwrap().unwrap();
    assert_eq!(
        log.get_attribute("aria-label").as_deref(),
        Some("Event log")
    );

    let (without, with) = {
        let lab = shared.borrow();
        let so_far = lab.events_so_far();
        let without: Vec<_> = so_far.iter().filter(|e| !is_renewal(&e.kind)).collect();
        (
            without
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>(),
            so_far.len(),
        )
    };
    let shown: Vec<String> = lines(&root)
        .iter()
        .map(|li| text(li, ".log-message"))
        .collect();
    assert_eq!(shown.len(), without.len().min(200));
    assert_eq!(
        shown.last(),
        without.last(),
        "the newest line is at the bottom"
    );
    assert!(
        !shown
            .iter()
            .any(|m| m.contains("successfully renewed lease"))
    );

    let renewals: HtmlElement = labelled(&root, "Show lease renewals").dyn_into().unwrap();
    renewals.click();
    yew::scheduler::flush().await;
    assert_eq!(lines(&root).len(), with.min(200));
    assert!(
        lines(&root)
            .iter()
            .any(|li| text(li, ".log-message").contains("successfully renewed lease"))
    );
}

#[wasm_bindgen_test]
async fn the_log_filters_by_node_and_by_component() {
    let (state, shared) = lab("t=40s");
    let root = render(state, html! { <EventLog /> }).await;
    choose(&root, "Node", "master-2").await;
    let expected = shared
        .borrow()
        .events_so_far()
        .iter()
        .filter(|e| e.node.as_deref() == Some("master-2") && !is_renewal(&e.kind))
        .count();
    let shown = lines(&root);
    assert!(expected > 0);
    assert_eq!(shown.len(), expected.min(200));
    assert!(shown.iter().all(|li| text(li, ".log-node") == "master-2"));

    choose(&root, "Component", "etcd").await;
    let expected = shared
        .borrow()
        .events_so_far()
        .iter()
        .filter(|e| e.node.as_deref() == Some("master-2") && e.component == "etcd")
        .count();
    let shown = lines(&root);
    assert!(expected > 0);
    assert_eq!(shown.len(), expected.min(200));
    assert!(shown.iter().all(|li| text(li, ".log-component") == "etcd"));

    choose(&root, "Node", "All").await;
    assert!(
        lines(&root)
            .iter()
            .any(|li| text(li, ".log-node") != "master-2")
    );
}

#[wasm_bindgen_test]
async fn selecting_a_line_takes_the_lab_to_its_moment() {
    let (state, shared) = lab("t=40s");
    let root = render(state, html! { <EventLog /> }).await;
    let target = {
        let lab = shared.borrow();
        let visible: Vec<_> = lab
            .events_so_far()
            .iter()
            .filter(|e| !is_renewal(&e.kind))
            .collect();
        let event = visible[visible.len() / 2];
        (event.t, event.message.clone())
    };
    // Several lines can say the same words (three API servers become
    // ready): the one wanted is the one at the event's moment.
    let at = target.0.as_micros().to_string();
    let line = lines(&root)
        .into_iter()
        .find(|li| {
            text(li, ".log-message") == target.1
                && li
                    .query_selector("button")
                    .ok()
                    .flatten()
                    .and_then(|b| b.get_attribute("data-t-us"))
                    .as_deref()
                    == Some(at.as_str())
        })
        .expect("the line is shown");
    let line_button: HtmlElement = line
        .query_selector("button")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    line_button.click();
    yew::scheduler::flush().await;
    assert_eq!(shared.borrow().now(), target.0);
    // Later lines are gone from the log: only events up to now are shown.
    let count = shared
        .borrow()
        .events_so_far()
        .iter()
        .filter(|e| !is_renewal(&e.kind))
        .count();
    assert_eq!(lines(&root).len(), count.min(200));
}

#[wasm_bindgen_test]
async fn a_long_log_renders_its_last_lines_and_earlier_ones_on_request() {
    let (state, shared) = lab("t=500s");
    let root = render(state, html! { <EventLog /> }).await;
    let renewals: HtmlElement = labelled(&root, "Show lease renewals").dyn_into().unwrap();
    renewals.click();
    yew::scheduler::flush().await;
    let total = shared.borrow().events_so_far().len();
    assert!(total > 400, "{total} events: too few for this test");
    assert_eq!(lines(&root).len(), 200);
    let newest = shared
        .borrow()
        .events_so_far()
        .last()
        .unwrap()
        .message
        .clone();
    let shown = lines(&root);
    assert_eq!(text(shown.last().unwrap(), ".log-message"), newest);
    click(&root, "Show earlier lines").await;
    assert_eq!(lines(&root).len(), 400);
}
