//! The lesson index: every lesson in course order, with the learner's
//! progress, a link to start or resume it, and one to free play. The lesson
//! files are fetched when the index opens (`lessons::load_all`).

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::lessons::{self, Loaded, Progress};

crate::part!(
    /// The lesson index page, for [`crate::components::lazy::Lazy`]: a part
    /// of its own, loaded when the page opens.
    pub INDEX = lesson_index,
    "the lessons",
    |_| html! { <LessonIndex /> }
);

/// The lesson index page.
#[function_component(LessonIndex)]
pub fn lesson_index() -> Html {
    let loaded = use_state(|| None::<Vec<(&'static str, Loaded)>>);
    {
        let loaded = loaded.clone();
        use_effect_with((), move |()| {
            spawn_local(async move { loaded.set(Some(lessons::load_all().await)) });
        });
    }
    let list = match &*loaded {
        None => html! { <p class="loading" role="status">{ "Loading the lessons…" }</p> },
        Some(all) => html! {
            <ol class="lesson-list">{ for all.iter().map(|(id, lesson)| entry(id, lesson)) }</ol>
        },
    };
    html! {
        <div class="lesson-index">
            <header class="site-header">
                <div class="brand">
                    <h1>{ "HA Lab" }</h1>
                    <p class="lab-title">{ "Guided lessons" }</p>
                </div>
                <nav class="header-actions" aria-label="Site">
                    <a class="button" href="?">{ "Free play" }</a>
                </nav>
            </header>
            <main>{ list }</main>
        </div>
    }
}

/// One lesson in the list, or why it cannot be opened.
fn entry(id: &str, lesson: &Loaded) -> Html {
    let lesson = match lesson {
        Ok(lesson) => lesson,
        Err(why) => {
            return html! {
                <li>
                    <h2>{ id }</h2>
                    <p class="error" role="alert">{ why }</p>
                </li>
            };
        }
    };
    let progress = Progress::load(lesson);
    let steps = lesson.steps.len();
    let (status, verb) = if progress.complete(lesson) {
        ("Complete".to_owned(), "Review")
    } else if progress.done.is_empty() && progress.step == 0 {
        ("Not started".to_owned(), "Start")
    } else {
        (
            format!("{} of {steps} steps done", progress.done.len()),
            "Resume",
        )
    };
    html! {
        <li>
            <h2>{ &lesson.title }</h2>
            <p>{ &lesson.summary }</p>
            <p class="lesson-progress">
                <span>{ format!("{steps} steps · {status}") }</span>
                <a class="button primary" href={format!("?lesson={}", lesson.id)}
                    aria-label={format!("{verb}: {}", lesson.title)}>{ verb }</a>
            </p>
        </li>
    }
}
