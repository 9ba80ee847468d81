//! Settings: invalid combinations show Kubernetes' own message beside the
//! field and are not applied; valid ones load a new lab.

use ha_lab::components::settings::Settings;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlFormElement, HtmlInputElement};
use yew::html;

use crate::support::{lab, render, text};

fn input(root: &web_sys::Element, id: &str) -> HtmlInputElement {
    root.query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap_or_else(|| panic!("no #{id}"))
        .dyn_into()
        .unwrap()
}

async fn type_into(root: &web_sys::Element, id: &str, value: &str) {
    let field = input(root, id);
    field.set_value(value);
    field
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
}

async fn submit(root: &web_sys::Element) {
    let form: HtmlFormElement = root
        .query_selector("form")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    form.request_submit().unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn a_renew_deadline_above_the_lease_duration_shows_client_gos_message_and_is_not_applied() {
    let (state, shared) = lab("t=30s");
    let root = render(state, html! { <Settings /> }).await;
    type_into(&root, "kcm-renew-deadline", "20s").await;
    assert_eq!(
        text(&root, "#kcm-renew-deadline-error"),
        "leaseDuration must be greater than renewDeadline"
    );
    assert_eq!(
        input(&root, "kcm-renew-deadline")
            .get_attribute("aria-describedby")
            .as_deref(),
        Some("kcm-renew-deadline-error")
    );
    submit(&root).await;
    // Nothing changed.
    let l = shared.borrow();
    assert_eq!(
        l.setup.config.controller_manager.renew_deadline,
        ha_sim::SimDuration::from_secs(10)
    );
    assert_eq!(l.now(), ha_sim::SimTime::from_secs(30));
}

#[wasm_bindgen_test]
async fn valid_settings_load_a_new_lab() {
    let (state, _) = lab("t=30s");
    let root = render(
        state,
        html! { <><Settings /><ha_lab::components::cluster_view::ClusterView /></> },
    )
    .await;
    type_into(&root, "masters", "5").await;
    type_into(&root, "kcm-lease-duration", "30s").await;
    submit(&root).await;
    let names: Vec<String> = crate::support::all(&root, "svg g[aria-roledescription]")
        .iter()
        .filter_map(|e| e.get_attribute("aria-label"))
        .filter(|n| n.starts_with("master-"))
        .collect();
    assert_eq!(names.len(), 5);
}
