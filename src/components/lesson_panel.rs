//! The lesson beside the lab: the step's text, its prediction, its "do"
//! button, and what the lesson is waiting to observe. The lesson moves on
//! when the simulation meets the step's observe condition; the learner can
//! step back and forward freely, leave for free play, and come back later
//! (progress is kept in local storage).

use ha_sim::lesson::{Condition, Lesson, Measure, Outcome, Predict, Step, StepWatch};
use wasm_bindgen::JsValue;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::embed;
use crate::lessons::{self, Progress};
use crate::markdown;
use crate::state::{LabAction, use_lab};
use crate::url::{LabRequest, View};
use crate::view::clock;

/// The learner's answer to a step's question.
#[derive(Clone, Debug, PartialEq)]
enum Guess {
    Choice(usize),
    /// Milliseconds for `elapsed`, a count otherwise.
    Number(i64),
}

/// Where the learner is in one step.
#[derive(Clone, Debug, Default, PartialEq)]
struct StepState {
    guess: Option<Guess>,
    /// Watching since the step began (after its action, if it has one).
    watch: Option<StepWatch>,
}

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    pub lesson: String,
}

crate::part!(
    /// The lesson panel, for [`crate::components::lazy::Lazy`] with the
    /// lesson's id: a part of its own, loaded when a lesson opens.
    pub LESSON = lesson,
    "the lesson",
    |id| html! { <LessonPanel lesson={id.to_string()} /> }
);

/// The lesson panel.
#[function_component(LessonPanel)]
pub fn lesson_panel(props: &LessonPanelProps) -> Html {
    let lab = use_lab();
    let Some(lesson) = lessons::lesson(&props.lesson) else {
        return html! {};
    };
    let progress = use_state(|| Progress::load(&lesson));
    // Guesses and watches live in a RefCell; this re-renders after a change.
    let refresh = {
        let tick = use_state(|| 0u32);
        Callback::from(move |()| tick.set(tick.wrapping_add(1)))
    };
    let steps = use_mut_ref(|| vec![StepState::default(); lesson.steps.len()]);
    let index = progress.step.min(lesson.steps.len() - 1);
    let step = &lesson.steps[index];

    // A step without an action is watched from the moment it is shown.
    {
        let mut states = steps.borrow_mut();
        if step.act.is_none() && states[index].watch.is_none() {
            states[index].watch = Some(StepWatch::new(step, &lab.lab.borrow().sim));
        }
    }
    // Follow the simulation.
    let mut newly_met = false;
    {
        let lab_ref = lab.lab.borrow();
        let mut states = steps.borrow_mut();
        if let Some(watch) = states[index].watch.as_mut()
            && watch.met_at.is_none()
            && lab_ref.now() >= watch.started
        {
            let events = lab_ref.events_so_far();
            let from = events.partition_point(|e| e.t < watch.started);
            let mut trial = watch.clone();
            if trial.update(step, &lab_ref.sim, &events[from..]) {
                *watch = trial;
                newly_met = true;
            }
        }
    }
    {
        let progress = progress.clone();
        let lesson_id = lesson.id.clone();
        let title = step.title.clone();
        let total = lesson.steps.len();
        use_effect_with((newly_met, index), move |(met, index)| {
            if *met && !progress.done.contains(index) {
                let mut next = (*progress).clone();
                next.done.push(*index);
                next.done.sort_unstable();
                next.save(&lesson_id);
                embed::post(
                    "lesson-step-completed",
                    &[
                        ("lesson", lesson_id.as_str().into()),
                        ("step", JsValue::from(*index as u32 + 1)),
                        ("steps", JsValue::from(total as u32)),
                        ("title", title.as_str().into()),
                    ],
                );
                if next.done.len() == total {
                    embed::post("lesson-completed", &[("lesson", lesson_id.as_str().into())]);
                }
                progress.set(next);
            }
        });
    }

    let go_to = {
        let progress = progress.clone();
        let lab = lab.clone();
        let lesson_id = lesson.id.clone();
        move |to: usize| {
            let Some(lesson) = lessons::lesson(&lesson_id) else {
                return;
            };
            let mut next = (*progress).clone();
            next.step = to;
            next.save(&lesson_id);
            progress.set(next);
            // A step that compares clusters starts from its own scenario.
            if let Some(id) = &lesson.steps[to].scenario
                && let Some(request) = scenario_request(&lesson, id, &lab.view)
            {
                lab.dispatch(LabAction::Load(Box::new(request)));
            }
        }
    };
    let previous = {
        let go_to = go_to.clone();
        Callback::from(move |_: MouseEvent| go_to(index.saturating_sub(1)))
    };
    let next = {
        let go_to = go_to.clone();
        let last = lesson.steps.len() - 1;
        Callback::from(move |_: MouseEvent| go_to((index + 1).min(last)))
    };
    let free_play = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| lab.dispatch(LabAction::CloseLesson))
    };

    let state = steps.borrow()[index].clone();
    let met = state.watch.as_ref().and_then(|w| w.met_at);
    let done = progress.done.contains(&index) || met.is_some();
    let guessed = state.guess.is_some();
    let do_button = step.act.as_ref().map(|act| {
        let lab = lab.clone();
        let steps = steps.clone();
        let step = step.clone();
        let action = act.action.clone();
        let started = state.watch.is_some();
        let waiting_for_guess = step.predict.is_some() && !guessed;
        let onclick = Callback::from(move |_: MouseEvent| {
            // Watched from the moment of the action, which the lab applies now.
            let watch = StepWatch::new(&step, &lab.lab.borrow().sim);
            steps.borrow_mut()[index].watch = Some(watch);
            lab.dispatch(LabAction::Act(action.clone()));
        });
        html! {
            <p class="lesson-do">
                <button type="button" class="primary" onclick={onclick}
                    disabled={started || waiting_for_guess}>{ &act.label }</button>
                if waiting_for_guess {
                    <span class="hint">{ " Answer the question first." }</span>
                }
            </p>
        }
    });

    html! {
        <section class="lesson" aria-labelledby="lesson-step-title">
            <p class="lesson-name">
                <span>{ &lesson.title }</span>
                <span class="lesson-count">{ format!(" · step {} of {}", index + 1, lesson.steps.len()) }</span>
            </p>
            <h2 id="lesson-step-title">{ &step.title }</h2>
            <div class="lesson-text">{ markdown::render(&step.text) }</div>
            { predict_view(step, index, &state, steps.clone(), refresh, met.is_some()) }
            { for do_button }
            { observe_view(step, &state, done) }
            <nav class="lesson-nav" aria-label="Lesson steps">
                <button type="button" onclick={previous} disabled={index == 0}>{ "Previous step" }</button>
                if index + 1 < lesson.steps.len() {
                    <button type="button" class={classes!(done.then_some("primary"))} onclick={next}>{ "Next step" }</button>
                } else if progress.complete(&lesson) {
                    <span class="lesson-complete" role="status">{ "Lesson complete." }</span>
                }
                <button type="button" onclick={free_play}>{ "Free play" }</button>
                <a href="?page=lessons">{ "All lessons" }</a>
            </nav>
        </section>
    }
}

/// The lab for a step that starts from another scenario.
fn scenario_request(lesson: &Lesson, id: &str, view: &View) -> Option<LabRequest> {
    let s = crate::scenarios::scenario(id)?;
    let mut request = LabRequest::default_lab();
    request.setup = crate::lab::Setup {
        title: lesson.title.clone(),
        ..crate::lab::Setup::of_scenario(s)
    };
    request.t = ha_sim::SimTime::ZERO + lesson.start;
    request.view = view.clone();
    Some(request)
}

fn predict_view(
    step: &Step,
    index: usize,
    state: &StepState,
    steps: std::rc::Rc<std::cell::RefCell<Vec<StepState>>>,
    refresh: Callback<()>,
    revealed: bool,
) -> Html {
    let Some(predict) = &step.predict else {
        return html! {};
    };
    let locked = state.guess.is_some();
    let set_guess = move |guess: Guess| {
        steps.borrow_mut()[index].guess = Some(guess);
        refresh.emit(());
    };
    let outcome = state.watch.as_ref().and_then(|w| w.outcome);
    match predict {
        Predict::Choice {
            question, choices, ..
        } => {
            let name = format!("predict-{index}");
            let chosen = match state.guess {
                Some(Guess::Choice(i)) => Some(i),
                _ => None,
            };
            html! {
                <fieldset class="lesson-predict">
                    <legend>{ format!("Predict: {question}") }</legend>
                    { for choices.iter().enumerate().map(|(i, c)| {
                        let set_guess = set_guess.clone();
                        let onchange = Callback::from(move |_: Event| set_guess(Guess::Choice(i)));
                        html! {
                            <label class="choice">
                                <input type="radio" name={name.clone()} checked={chosen == Some(i)}
                                    disabled={revealed} onchange={onchange} />
                                { &c.text }
                            </label>
                        }
                    }) }
                    { reveal_choice(choices.iter().map(|c| c.text.as_str()).collect(), chosen, outcome, revealed) }
                </fieldset>
            }
        }
        Predict::Number {
            question,
            measure,
            tolerance,
            ..
        } => {
            let input = NodeRef::default();
            let unit = if *measure == Measure::Elapsed {
                "seconds"
            } else {
                ""
            };
            let lock = {
                let input = input.clone();
                let measure = *measure;
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let Some(field) = input.cast::<HtmlInputElement>() else {
                        return;
                    };
                    if let Some(value) = crate::url::decimal(field.value().trim()) {
                        let value = if measure == Measure::Elapsed {
                            (value * 1000.0).round() as i64
                        } else {
                            value.round() as i64
                        };
                        set_guess(Guess::Number(value));
                    }
                })
            };
            let shown = match state.guess {
                Some(Guess::Number(n)) => Some(n),
                _ => None,
            };
            html! {
                <form class="lesson-predict" onsubmit={lock}>
                    <label>
                        { format!("Predict: {question}") }
                        <span class="number-row">
                            <input ref={input} type="text" inputmode="decimal" size="6" disabled={locked} />
                            { unit }
                        </span>
                    </label>
                    <button type="submit" disabled={locked}>{ "Lock in my prediction" }</button>
                    if let Some(guess) = shown {
                        <p>{ format!("You predicted {}.", measure.show(guess)) }</p>
                    }
                    if revealed {
                        if let (Some(Outcome::Number(n)), Some(guess)) = (outcome, shown) {
                            <p class="reveal" role="status">
                                { format!("The simulation measured {}. ", measure.show(n)) }
                                <strong>{ if (n - guess).abs() <= *tolerance { "Right" } else { "Not quite" } }</strong>
                                { format!(" (within {} counts as right).", measure.show(*tolerance)) }
                            </p>
                        }
                    }
                </form>
            }
        }
    }
}

fn reveal_choice(
    choices: Vec<&str>,
    chosen: Option<usize>,
    outcome: Option<Outcome>,
    revealed: bool,
) -> Html {
    if !revealed {
        return html! {};
    }
    let Some(Outcome::Choice(right)) = outcome else {
        return html! {};
    };
    let what = match right {
        Some(r) => format!("The simulation made this true: “{}”. ", choices[r]),
        None => "None of the choices came true this time. ".to_owned(),
    };
    html! {
        <p class="reveal" role="status">
            { what }
            if chosen.is_some() {
                <strong>{ if chosen == right { "You were right." } else { "Not what you predicted." } }</strong>
            }
        </p>
    }
}

fn observe_view(step: &Step, state: &StepState, done: bool) -> Html {
    let Some(observe) = &step.observe else {
        return html! {};
    };
    let met = state.watch.as_ref().and_then(|w| w.met_at);
    html! {
        <p class={classes!("lesson-observe", done.then_some("met"))} role="status">
            { match (met, done, state.watch.is_some()) {
                (Some(t), _, _) => format!("✓ Observed at {}: {}.", clock(t), describe(&observe.condition)),
                (None, true, _) => format!("✓ Done before: {}.", describe(&observe.condition)),
                (None, false, true) => format!("Watching for: {}…", describe(&observe.condition)),
                (None, false, false) => format!("Then watch for: {}.", describe(&observe.condition)),
            } }
        </p>
    }
}

/// A condition in words.
fn describe(condition: &Condition) -> String {
    match condition {
        Condition::Event {
            kind,
            fields,
            count,
        } => {
            let mut text = kind.replace('_', " ");
            if !fields.is_empty() {
                let f: Vec<String> = fields.iter().map(|(k, v)| format!("{k} {v}")).collect();
                text = format!("{text} ({})", f.join(", "));
            }
            if *count > 1 {
                text = format!("{count} × {text}");
            }
            text
        }
        Condition::State {
            quantity,
            compare,
            value,
        } => {
            let op = match compare {
                ha_sim::lesson::Compare::Equals => "=",
                ha_sim::lesson::Compare::AtLeast => "≥",
                ha_sim::lesson::Compare::AtMost => "≤",
            };
            format!("{} {op} {value}", quantity.name().replace('_', " "))
        }
    }
}
