//! The time bar: Play and Pause, Step, Jump to next event, the speed (on a
//! log scale, "× real time"), the simulated clock, and the scrubber over
//! everything that has happened on this branch.

use ha_sim::{SimDuration, SimTime};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::{LabAction, use_lab};
use crate::url::{MAX_SPEED, MIN_SPEED};
use crate::view::{clock, decimal_text};

/// The small step, and the big one (Shift+click, or the second button).
pub const STEP: SimDuration = SimDuration::from_millis(100);
pub const BIG_STEP: SimDuration = SimDuration::from_secs(1);

/// The scrubber's resolution.
const SCRUB_STEP_MS: u64 = 100;

/// The time bar.
#[function_component(TimeControls)]
pub fn time_controls() -> Html {
    let lab = use_lab();
    let (now, horizon) = {
        let l = lab.lab.borrow();
        (l.now(), l.horizon)
    };

    let toggle = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| lab.dispatch(LabAction::TogglePlay))
    };
    let step = {
        let lab = lab.clone();
        Callback::from(move |e: MouseEvent| {
            let d = if e.shift_key() { BIG_STEP } else { STEP };
            lab.dispatch(LabAction::Step(d));
        })
    };
    let big_step = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| lab.dispatch(LabAction::Step(BIG_STEP)))
    };
    let next_event = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| lab.dispatch(LabAction::JumpToNextEvent))
    };
    let on_speed = {
        let lab = lab.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(value) = input_value(&e) {
                lab.dispatch(LabAction::SetSpeed(speed_from_slider(value)));
            }
        })
    };
    let on_scrub = {
        let lab = lab.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(value) = input_value(&e) {
                let ms = (value.max(0.0) as u64) * SCRUB_STEP_MS;
                lab.dispatch(LabAction::Seek(SimTime::from_millis(ms)));
            }
        })
    };

    let play_label = if lab.playing { "Pause" } else { "Play" };
    let speed_text = speed_words(lab.speed);
    let scrub_max = horizon.as_millis().div_ceil(SCRUB_STEP_MS);
    let scrub_value = now.as_millis() / SCRUB_STEP_MS;
    let behind = horizon > now;
    html! {
        <section class="time-controls" aria-label="Time">
            <div class="buttons">
                <button class={classes!("play", lab.playing.then_some("playing"))} onclick={toggle}
                    title="Play or pause (space bar)" aria-keyshortcuts="Space">
                    <span class="icon" aria-hidden="true">{ if lab.playing { "❚❚" } else { "▶" } }</span>
                    { play_label }
                </button>
                <button onclick={step} title="Advance 100 ms, paused (Shift+click: 1 s)">
                    { "Step 100 ms" }
                </button>
                <button onclick={big_step} title="Advance 1 s, paused">{ "Step 1 s" }</button>
                <button onclick={next_event} title="Run until the next thing happens, then pause">
                    { "Jump to next event" }
                </button>
            </div>
            <div class="clock-and-speed">
                <div class="clock" role="timer" aria-label="Simulation time" aria-live="off">
                    { clock(now) }
                </div>
                <label class="speed">
                    <span>{ "Speed" }</span>
                    <input type="range" min={slider_min()} max={slider_max()} step="0.01"
                        value={decimal_text(lab.speed.log10(), 2)}
                        aria-valuetext={speed_text.clone()}
                        oninput={on_speed} />
                    <output>{ speed_text }</output>
                </label>
            </div>
            <label class="scrubber">
                <span class="visually-hidden">{ "Time travel: move through everything that has happened" }</span>
                <input type="range" min="0" max={scrub_max.to_string()} step="1"
                    value={scrub_value.to_string()}
                    aria-valuetext={format!("{} of {}", clock(now), clock(horizon))}
                    oninput={on_scrub} />
                <span class="scrub-ends" aria-hidden="true">
                    <span>{ "0:00.0" }</span>
                    if behind {
                        <span class="behind">{ format!("showing the past · recorded to {}", clock(horizon)) }</span>
                    }
                    <span>{ clock(horizon) }</span>
                </span>
            </label>
        </section>
    }
}

/// `2× real time`, `0.25× real time`, `50× real time`.
pub fn speed_words(speed: f64) -> String {
    let places = if speed >= 10.0 {
        0
    } else if speed >= 1.0 {
        1
    } else {
        2
    };
    let shown = decimal_text(speed, places);
    format!("{shown}× real time")
}

/// The speed at a slider position (log10 of the speed), rounded to a
/// friendly value, within the lab's range.
pub fn speed_from_slider(position: f64) -> f64 {
    let raw = 10f64.powf(position).clamp(MIN_SPEED, MAX_SPEED);
    let friendly = if raw >= 10.0 {
        raw.round()
    } else if raw >= 1.0 {
        (raw * 10.0).round() / 10.0
    } else {
        (raw * 100.0).round() / 100.0
    };
    friendly.clamp(MIN_SPEED, MAX_SPEED)
}

fn slider_min() -> String {
    decimal_text(MIN_SPEED.log10(), 2)
}

fn slider_max() -> String {
    decimal_text(MAX_SPEED.log10(), 2)
}

fn input_value(e: &InputEvent) -> Option<f64> {
    let input: HtmlInputElement = e.target()?.dyn_into().ok()?;
    crate::url::decimal(&input.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_speed_slider_covers_the_range_on_a_log_scale() {
        assert_eq!(speed_from_slider(MIN_SPEED.log10()), MIN_SPEED);
        assert_eq!(speed_from_slider(MAX_SPEED.log10()), MAX_SPEED);
        assert_eq!(speed_from_slider(0.0), 1.0);
        assert_eq!(speed_from_slider(1.0), 10.0);
        // Every position gives a speed in range, rising with the slider.
        let mut last = 0.0;
        for i in -100..=170 {
            let speed = speed_from_slider(f64::from(i) / 100.0);
            assert!((MIN_SPEED..=MAX_SPEED).contains(&speed));
            assert!(speed >= last, "{speed} after {last}");
            last = speed;
        }
    }

    #[test]
    fn speeds_read_as_times_real_time() {
        assert_eq!(speed_words(1.0), "1× real time");
        assert_eq!(speed_words(2.5), "2.5× real time");
        assert_eq!(speed_words(0.1), "0.1× real time");
        assert_eq!(speed_words(0.25), "0.25× real time");
        assert_eq!(speed_words(50.0), "50× real time");
    }
}
