//! The lesson panel, followed as a learner would: answer, act, wait for the
//! observe condition, read the reveal, go on. Stepping the lab 100 ms at a
//! time, as the headless follower (`LessonRun`) does, gives the same run, so
//! the panel must show what the headless run measured.

use ha_lab::components::lab_page::LabPage;
use ha_lab::components::lesson_panel::LessonPanel;
use ha_lab::components::time_controls::TimeControls;
use ha_lab::lessons::{self, Progress};
use ha_lab::scenarios;
use ha_lab::view::clock;
use ha_sim::lesson::{Lesson, LessonRun, Measure, Outcome, Predict};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlInputElement};
use yew::html;

use crate::support::{self, all, button, click, lab, render, text};

/// Renders `lesson` from its start, with no progress kept from before.
async fn open(lesson: &Lesson) -> Element {
    Progress::default().save(&lesson.id);
    let (state, _) = lab(&format!("lesson={}&paused=1", lesson.id));
    render(
        state,
        html! { <><LessonPanel lesson={lesson.id.clone()} /><TimeControls /></> },
    )
    .await
}

fn observed(root: &Element) -> String {
    text(root, ".lesson-observe")
}

/// Picks the `i`th radio button of the step's question.
async fn pick(root: &Element, i: usize) {
    let radio: HtmlInputElement = all(root, ".lesson-predict input[type=radio]")[i]
        .clone()
        .dyn_into()
        .unwrap();
    radio.set_checked(true);
    let document = web_sys::window().unwrap().document().unwrap();
    let change = document.create_event("Event").unwrap();
    change.init_event_with_bubbles("change", true);
    radio.dispatch_event(&change).unwrap();
    yew::scheduler::flush().await;
}

/// Types `value` as the step's number and locks it in.
async fn enter(root: &Element, value: &str) {
    let input: HtmlInputElement = root
        .query_selector(".lesson-predict input")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    input.set_value(value);
    click(root, "Lock in my prediction").await;
}

/// Follows every step of `lesson` in the panel and checks each against the
/// headless run: the same moment observed, the same outcome revealed.
async fn follow(lesson: &Lesson) {
    let expected = LessonRun::new(lesson, &scenarios::scenario)
        .play()
        .unwrap_or_else(|e| panic!("{}: {e:?}", lesson.id));
    let root = open(lesson).await;
    let steps = lesson.steps.len();
    for (i, (step, result)) in lesson.steps.iter().zip(&expected).enumerate() {
        let at = format!("{} step {}", lesson.id, i + 1);
        assert_eq!(text(&root, "#lesson-step-title"), step.title, "{at}");
        assert!(
            text(&root, ".lesson-count").ends_with(&format!("step {} of {steps}", i + 1)),
            "{at}"
        );
        assert_eq!(
            button(&root, "Previous step").has_attribute("disabled"),
            i == 0,
            "{at}"
        );

        // Answer first: alternately right and wrong, to see both reveals.
        let honest = i % 2 == 0;
        let mut guessed_right = None;
        match (&step.predict, result.outcome) {
            (Some(Predict::Choice { choices, .. }), Some(Outcome::Choice(right))) => {
                if let Some(act) = &step.act {
                    assert!(
                        button(&root, &act.label).has_attribute("disabled"),
                        "{at}: the action waits for the answer"
                    );
                }
                let right = right.expect("the headless run checks a choice is right");
                let choice = if honest {
                    right
                } else {
                    (right + 1) % choices.len()
                };
                pick(&root, choice).await;
                guessed_right = Some(choice == right);
            }
            (
                Some(Predict::Number {
                    measure, tolerance, ..
                }),
                Some(Outcome::Number(n)),
            ) => {
                let guess = if honest { n } else { n + tolerance + 1 };
                let typed = match measure {
                    Measure::Elapsed => format!("{}.{:03}", guess / 1000, guess % 1000),
                    _ => guess.to_string(),
                };
                enter(&root, &typed).await;
                guessed_right = Some(honest);
            }
            (None, _) => {}
            (predict, outcome) => panic!("{at}: {predict:?} measured as {outcome:?}"),
        }

        if let Some(act) = &step.act {
            click(&root, &act.label).await;
            assert!(button(&root, &act.label).has_attribute("disabled"), "{at}");
        }
        if let Some(observe) = &step.observe {
            let most = observe.within.as_millis() / 100 + 1;
            for _ in 0..most {
                if observed(&root).starts_with('✓') {
                    break;
                }
                assert!(observed(&root).starts_with("Watching for:"), "{at}");
                click(&root, "Step 100 ms").await;
            }
            assert!(
                observed(&root).starts_with(&format!("✓ Observed at {}:", clock(result.met_at))),
                "{at}: {:?}, the headless run met it at {}",
                observed(&root),
                clock(result.met_at)
            );
        }
        if let Some(right) = guessed_right {
            let reveal = text(&root, ".reveal");
            let verdict = match (&step.predict, right) {
                (Some(Predict::Choice { .. }), true) => "You were right.",
                (Some(Predict::Choice { .. }), false) => "Not what you predicted.",
                (_, true) => "Right",
                (_, false) => "Not quite",
            };
            assert!(reveal.contains(verdict), "{at}: {reveal:?}");
        }
        if i + 1 < steps {
            click(&root, "Next step").await;
        }
    }
    assert_eq!(text(&root, ".lesson-complete"), "Lesson complete.");
    let kept = Progress::load(lesson);
    assert_eq!(kept.done, (0..steps).collect::<Vec<_>>(), "{}", lesson.id);
    assert_eq!(kept.step, steps - 1);
    root.remove();
}

#[wasm_bindgen_test]
async fn every_lesson_followed_in_the_panel_shows_what_the_headless_run_measures() {
    for lesson in support::lessons() {
        follow(&lesson).await;
    }
}

#[wasm_bindgen_test]
async fn steps_go_back_and_forth_and_free_play_closes_the_lesson() {
    support::lessons();
    let lesson = lessons::lesson("leader-election-timings").unwrap();
    Progress::default().save(&lesson.id);
    let (state, _) = lab(&format!("lesson={}&paused=1", lesson.id));
    let root = render(state, html! { <LabPage /> }).await;
    click(&root, "Next step").await;
    assert_eq!(text(&root, "#lesson-step-title"), lesson.steps[1].title);
    assert_eq!(Progress::load(&lesson).step, 1, "the step is kept");
    click(&root, "Previous step").await;
    assert_eq!(text(&root, "#lesson-step-title"), lesson.steps[0].title);
    assert_eq!(Progress::load(&lesson).step, 0);
    let all_lessons = root.query_selector("a[href='?page=lessons']").unwrap();
    assert!(all_lessons.is_some(), "a link back to the lesson index");
    click(&root, "Free play").await;
    assert!(
        root.query_selector("section.lesson").unwrap().is_none(),
        "free play closes the lesson"
    );
    button(&root, "Kill master-1");
    root.remove();
}
