//! The time bar: play and pause, steps, the next event, speed, the clock and
//! the scrubber.

use ha_lab::components::time_controls::TimeControls;
use ha_sim::SimTime;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlInputElement;
use yew::html;

use crate::support::{StateProbe, all, click, lab, probe, render, text};

fn clock(root: &web_sys::Element) -> String {
    text(root, "[role=timer][aria-label='Simulation time']")
}

#[wasm_bindgen_test]
async fn steps_move_the_clock_by_a_tenth_and_by_a_second() {
    let (state, shared) = lab("t=20s&paused=1");
    let root = render(state, html! { <><TimeControls /><StateProbe /></> }).await;
    assert_eq!(clock(&root), "0:20.0");
    click(&root, "Step 100 ms").await;
    assert_eq!(clock(&root), "0:20.1");
    click(&root, "Step 1 s").await;
    assert_eq!(clock(&root), "0:21.1");
    assert_eq!(shared.borrow().now(), SimTime::from_millis(21_100));
}

#[wasm_bindgen_test]
async fn play_and_pause_toggle_and_name_the_button_after_what_it_does() {
    let (state, _) = lab("t=20s&paused=1");
    let root = render(state, html! { <><TimeControls /><StateProbe /></> }).await;
    assert_eq!(probe(&root, "data-playing"), "false");
    click(&root, "Play").await;
    assert_eq!(probe(&root, "data-playing"), "true");
    click(&root, "Pause").await;
    assert_eq!(probe(&root, "data-playing"), "false");
}

#[wasm_bindgen_test]
async fn jump_to_next_event_lands_on_the_next_recorded_event() {
    let (state, shared) = lab("t=20s&paused=1");
    let root = render(state, html! { <TimeControls /> }).await;
    let before = shared.borrow().events_so_far().len();
    click(&root, "Jump to next event").await;
    let l = shared.borrow();
    let so_far = l.events_so_far();
    assert!(so_far.len() > before);
    assert_eq!(so_far.last().unwrap().t, l.now());
}

#[wasm_bindgen_test]
async fn the_scrubber_goes_back_in_time_and_the_speed_reads_in_times_real_time() {
    let (state, shared) = lab("t=40s&paused=1");
    let root = render(state, html! { <><TimeControls /><StateProbe /></> }).await;
    let sliders: Vec<HtmlInputElement> = all(&root, "input[type=range]")
        .into_iter()
        .map(|e| e.dyn_into().unwrap())
        .collect();
    let (speed, scrubber) = (&sliders[0], &sliders[1]);
    // The scrubber's steps are tenths of a second: 150 is 15 s.
    scrubber.set_value("150");
    scrubber
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(shared.borrow().now(), SimTime::from_secs(15));
    assert_eq!(shared.borrow().horizon, SimTime::from_secs(40));
    assert_eq!(clock(&root), "0:15.0");
    // log10(5) = 0.70: five times real time.
    speed.set_value("0.70");
    speed
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(probe(&root, "data-speed"), "5");
    assert_eq!(text(&root, ".speed output"), "5× real time");
}
