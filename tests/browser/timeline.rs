//! The timeline: its lanes by name, marks and lanes that jump the lab to a
//! moment, and a window that zooms, pans and follows the present.

use ha_lab::components::timeline::Timeline;
use ha_sim::{EventKind, NodeRole, ProcessKind, SimTime};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;
use yew::html;

use crate::support::{accessible_name, all, button, click, lab, render, text};

/// Runs `script` with the element as `el` (to dispatch the events a learner
/// causes, with the fields Yew's handlers read), then lets Yew re-render.
async fn dispatch(element: &Element, script: &str) {
    let function = js_sys::Function::new_with_args("el", script);
    function
        .call1(&wasm_bindgen::JsValue::NULL, element)
        .unwrap();
    yew::scheduler::flush().await;
}

/// The names of the lanes, top to bottom.
fn lane_names(root: &Element) -> Vec<String> {
    all(root, "g.tl-lane[role=group]")
        .iter()
        .map(accessible_name)
        .collect()
}

/// The axis's labels, as seconds.
fn axis_seconds(root: &Element) -> Vec<u64> {
    all(root, ".tl-axis-label")
        .iter()
        .map(|label| {
            let text = label.text_content().unwrap_or_default();
            let (minutes, seconds) = text
                .split_once(':')
                .unwrap_or_else(|| panic!("an axis label reads m:ss, not {text:?}"));
            minutes.parse::<u64>().unwrap() * 60 + seconds.parse::<u64>().unwrap()
        })
        .collect()
}

/// The focusable marks whose accessible name starts with `prefix`.
fn marks_named(root: &Element, prefix: &str) -> Vec<Element> {
    all(root, "[role=button].tl-mark")
        .into_iter()
        .filter(|m| accessible_name(m).starts_with(prefix))
        .collect()
}

/// Where the drawing's `x` is on the screen (the drawing may be scaled).
fn client_x(root: &Element, x: f64) -> f64 {
    let svg = root.query_selector("svg.tl-svg").unwrap().unwrap();
    let rect = svg.get_bounding_client_rect();
    let width: f64 = svg.get_attribute("width").unwrap().parse().unwrap();
    rect.left() + x * rect.width() / width
}

#[wasm_bindgen_test]
async fn timeline_draws_a_named_lane_for_each_lease_etcd_api_server_kubectl_and_the_pods() {
    let (state, shared) = lab("t=60s");
    let root = render(state, html! { <Timeline /> }).await;
    assert_eq!(text(&root, "h2"), "Timeline");
    let masters: Vec<String> = shared
        .borrow()
        .setup
        .config
        .cluster
        .nodes_with_role(NodeRole::Master)
        .into_iter()
        .map(|n| n.name)
        .collect();
    let mut expected = vec![
        "Actions".to_owned(),
        "kube-controller-manager lease".to_owned(),
        "kube-scheduler lease".to_owned(),
        "etcd".to_owned(),
    ];
    expected.extend(masters.iter().map(|m| format!("kube-apiserver {m}")));
    expected.extend(["kubectl get pods".to_owned(), "Pods".to_owned()]);
    assert_eq!(lane_names(&root), expected);

    // The lease's band names its holder in words, not only in colour.
    let holder = {
        let lab = shared.borrow();
        let leader = lab
            .sim
            .lease_leader(ProcessKind::KubeControllerManager)
            .expect("a leader by 60 s");
        lab.sim.nodes()[lab.sim.processes()[leader].node]
            .name
            .to_string()
    };
    let lease_lane = root
        .query_selector("g.tl-lane[aria-label='kube-controller-manager lease']")
        .unwrap()
        .unwrap();
    let band_labels: Vec<String> = all(&lease_lane, ".tl-band-label")
        .iter()
        .map(accessible_name)
        .collect();
    assert!(band_labels.contains(&holder), "{band_labels:?}");
}

#[wasm_bindgen_test]
async fn clicking_a_lease_acquisition_mark_shows_the_cluster_at_that_moment() {
    let (state, shared) = lab("t=60s");
    let root = render(state, html! { <Timeline /> }).await;
    let (acquired_at, holder) = shared
        .borrow()
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::LeaseAcquired { lease, .. }
                if lease.ends_with("/kube-controller-manager") =>
            {
                Some((e.t, e.node.as_deref().unwrap_or_default().to_owned()))
            }
            _ => None,
        })
        .expect("a controller-manager acquires its lease");
    let prefix = format!("kube-controller-manager lease acquired by {holder} at ");
    let marks = marks_named(&root, &prefix);
    assert_eq!(marks.len(), 1, "{prefix}");
    assert_eq!(marks[0].get_attribute("tabindex").as_deref(), Some("0"));
    assert_ne!(shared.borrow().now(), acquired_at);
    dispatch(
        &marks[0],
        "el.dispatchEvent(new MouseEvent('click', {bubbles: true}))",
    )
    .await;
    assert_eq!(shared.borrow().now(), acquired_at);
}

#[wasm_bindgen_test]
async fn pressing_enter_on_an_expiry_mark_jumps_to_when_the_standbys_clock_said_expired() {
    let (state, shared) = lab("t=90s&a=30s,kill-node,leader:kube-controller-manager");
    let root = render(state, html! { <Timeline /> }).await;
    // The moments the standbys' own clocks said the lease had expired.
    let expiries: Vec<SimTime> = shared
        .borrow()
        .attempts
        .iter()
        .filter(|a| a.kind == ProcessKind::KubeControllerManager)
        .filter_map(|a| a.expires_at.filter(|&e| e <= a.t))
        .filter(|&e| e > SimTime::from_secs(30))
        .collect();
    assert!(!expiries.is_empty());
    let marks = marks_named(&root, "kube-controller-manager lease expired on ");
    assert!(!marks.is_empty());
    dispatch(
        &marks[0],
        "el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))",
    )
    .await;
    let now = shared.borrow().now();
    assert!(
        expiries.contains(&now),
        "{now:?} is not one of {expiries:?}"
    );
    assert!(accessible_name(&marks[0]).contains(&ha_lab::view::clock(now)));
}

#[wasm_bindgen_test]
async fn clicking_a_lane_shows_the_cluster_at_the_time_under_the_pointer() {
    let (state, shared) = lab("t=60s");
    let root = render(state, html! { <Timeline /> }).await;
    // Map the screen to time with two of the axis's labels.
    let labels = all(&root, ".tl-axis-label");
    let seconds = axis_seconds(&root);
    assert!(labels.len() >= 2);
    let x_of = |label: &Element| -> f64 {
        client_x(&root, label.get_attribute("x").unwrap().parse().unwrap())
    };
    let (x_a, x_b) = (x_of(&labels[0]), x_of(&labels[1]));
    let (t_a, t_b) = (seconds[0] as f64, seconds[1] as f64);
    let target_s = (t_a + t_b) / 2.0;
    let x = x_a + (target_s - t_a) / (t_b - t_a) * (x_b - x_a);
    let lane = root
        .query_selector("g.tl-lane[aria-label='etcd'] .tl-lane-bg")
        .unwrap()
        .unwrap();
    let rect = lane.get_bounding_client_rect();
    let y = rect.top() + rect.height() / 2.0;
    dispatch(
        &lane,
        &format!("el.dispatchEvent(new MouseEvent('click', {{bubbles: true, clientX: {x}, clientY: {y}}}))"),
    )
    .await;
    let now_s = shared.borrow().now().as_micros() as f64 / 1e6;
    let second_per_px = (t_b - t_a) / (x_b - x_a);
    assert!(
        (now_s - target_s).abs() <= 2.0 * second_per_px,
        "clicked at {target_s}s, the lab is at {now_s}s"
    );
}

#[wasm_bindgen_test]
async fn zoom_buttons_narrow_and_widen_the_visible_window() {
    let (state, _shared) = lab("t=300s");
    let root = render(state, html! { <Timeline /> }).await;
    let extent = |s: &[u64]| s.last().unwrap() - s.first().unwrap();
    let before = axis_seconds(&root);
    assert!(
        *before.last().unwrap() <= 300 && *before.first().unwrap() >= 210,
        "{before:?}"
    );

    click(&root, "Zoom in timeline").await;
    let zoomed_in = axis_seconds(&root);
    assert!(
        extent(&zoomed_in) < extent(&before),
        "{before:?} then {zoomed_in:?}"
    );
    assert!(zoomed_in.first().unwrap() >= before.first().unwrap());

    click(&root, "Zoom out timeline").await;
    click(&root, "Zoom out timeline").await;
    let zoomed_out = axis_seconds(&root);
    assert!(
        extent(&zoomed_out) > extent(&before),
        "{before:?} then {zoomed_out:?}"
    );
    assert!(*zoomed_out.last().unwrap() <= 300);
}

#[wasm_bindgen_test]
async fn panning_earlier_stops_following_and_follow_the_present_comes_back() {
    let (state, _shared) = lab("t=300s");
    let root = render(state, html! { <Timeline /> }).await;
    let follow = button(&root, "Follow the present");
    assert_eq!(
        follow.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    let before = axis_seconds(&root);

    click(&root, "Earlier").await;
    let earlier = axis_seconds(&root);
    assert!(
        earlier.last().unwrap() < before.last().unwrap(),
        "{before:?} then {earlier:?}"
    );
    let follow = button(&root, "Follow the present");
    assert_eq!(
        follow.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );

    click(&root, "Later").await;
    click(&root, "Follow the present").await;
    assert_eq!(axis_seconds(&root), before);
}

#[wasm_bindgen_test]
async fn arrow_keys_pan_the_timeline_when_it_has_the_focus() {
    let (state, _shared) = lab("t=300s");
    let root = render(state, html! { <Timeline /> }).await;
    let plot = root.query_selector(".tl-plot").unwrap().unwrap();
    assert_eq!(plot.get_attribute("tabindex").as_deref(), Some("0"));
    let before = axis_seconds(&root);
    dispatch(
        &plot,
        "el.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft', bubbles: true}))",
    )
    .await;
    let earlier = axis_seconds(&root);
    assert!(
        earlier.last().unwrap() < before.last().unwrap(),
        "{before:?} then {earlier:?}"
    );
    dispatch(
        &plot,
        "el.dispatchEvent(new KeyboardEvent('keydown', {key: 'f', bubbles: true}))",
    )
    .await;
    assert_eq!(axis_seconds(&root), before);
}

#[wasm_bindgen_test]
async fn the_timeline_collapses_and_expands_from_its_heading() {
    let (state, _shared) = lab("t=30s");
    let root = render(state, html! { <Timeline /> }).await;
    let toggle = button(&root, "Timeline");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert_eq!(all(&root, "svg.tl-svg").len(), 1);
    click(&root, "Timeline").await;
    assert_eq!(
        button(&root, "Timeline")
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("false")
    );
    assert!(all(&root, "svg.tl-svg").is_empty());
    click(&root, "Timeline").await;
    assert_eq!(all(&root, "svg.tl-svg").len(), 1);
}

#[wasm_bindgen_test]
async fn a_ninety_second_window_at_five_minutes_stays_small() {
    let (state, _shared) = lab("t=300s");
    let root = render(state, html! { <Timeline /> }).await;
    let section = root
        .query_selector("section[aria-label=Timeline]")
        .unwrap()
        .unwrap();
    let elements = section.query_selector_all("*").unwrap().length();
    let focusable = all(&section, "[tabindex='0']").len();
    web_sys::console::log_1(
        &format!("timeline at 5 min, 90 s window: {elements} elements, {focusable} focusable")
            .into(),
    );
    // The renewals and attempts of 90 s (about 45 per lease, and as many
    // attempts per standby) are a few paths, not one element each.
    assert_eq!(all(&section, "path.tl-renew").len(), 2);
    assert!(elements < 400, "{elements} elements");
}
