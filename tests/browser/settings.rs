//! Settings: invalid combinations show Kubernetes' own message beside the
//! field and are not applied; valid ones load a new lab.

use ha_lab::components::settings::Settings;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlFormElement, HtmlInputElement};
use yew::html;

use crate::support::{click, lab, render, text};

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
    click(&root, "Settings").await;
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

/// The settings, opened, beside the cluster drawing of a lab at 30 s.
async fn settings_open_beside_the_cluster() -> web_sys::Element {
    let (state, _) = lab("t=30s");
    let root = render(
        state,
        html! { <><Settings /><ha_lab::components::cluster_view::ClusterView /></> },
    )
    .await;
    click(&root, "Settings").await;
    root
}

#[wasm_bindgen_test]
async fn valid_settings_load_a_new_lab() {
    let root = settings_open_beside_the_cluster().await;
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

#[wasm_bindgen_test]
async fn leader_election_off_disables_that_components_timings_and_counts_ask_for_digits() {
    let root = settings_open_beside_the_cluster().await;
    let elect = input(&root, "kcm-leader-elect");
    assert!(elect.checked());
    elect.set_checked(false);
    elect
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    for flag in ["lease-duration", "renew-deadline", "retry-period"] {
        assert!(
            input(&root, &format!("kcm-{flag}")).disabled(),
            "kcm {flag}"
        );
        assert!(
            !input(&root, &format!("scheduler-{flag}")).disabled(),
            "scheduler {flag}"
        );
        // Durations are written with units ("15s"): no number keypad.
        assert_eq!(
            input(&root, &format!("kcm-{flag}")).get_attribute("inputmode"),
            None
        );
    }
    for id in [
        "masters",
        "workers",
        "replicas",
        "heartbeat-interval",
        "election-timeout",
        "seed",
    ] {
        assert_eq!(
            input(&root, id).get_attribute("inputmode").as_deref(),
            Some("numeric"),
            "{id}"
        );
        assert!(!input(&root, id).disabled(), "{id}");
    }
    submit(&root).await;
    // The new lab runs kube-controller-manager without leader election.
    let words = text(&root, "figure.cluster-view");
    assert!(words.contains("active (leader election off)"), "{words}");
}

/// Whether the settings dialog is there and open.
fn dialog_open(root: &web_sys::Element) -> bool {
    root.query_selector("dialog")
        .unwrap()
        .and_then(|d| d.dyn_into::<web_sys::HtmlDialogElement>().ok())
        .is_some_and(|d| d.open())
}

#[wasm_bindgen_test]
async fn the_button_opens_the_dialog_with_the_labs_setup_each_time() {
    let (state, _) = lab("t=30s&masters=5");
    let root = render(state, html! { <Settings /> }).await;
    assert!(!dialog_open(&root), "no dialog before the press");
    click(&root, "Settings").await;
    assert!(dialog_open(&root));
    assert_eq!(input(&root, "masters").value(), "5");
    // Typed but not applied: the next opening shows the lab's setup again.
    type_into(&root, "masters", "7").await;
    click(&root, "Cancel").await;
    assert!(!dialog_open(&root));
    click(&root, "Settings").await;
    assert!(dialog_open(&root));
    assert_eq!(input(&root, "masters").value(), "5");
}
