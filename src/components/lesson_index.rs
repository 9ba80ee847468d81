//! The lesson index: every lesson in course order, with the learner's
//! progress, a link to start or resume it, and one to free play.

use yew::prelude::*;

use crate::lessons::{self, Progress};

/// The lesson index page.
#[function_component(LessonIndex)]
pub fn lesson_index() -> Html {
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
            <main>
                <ol class="lesson-list">
                    { for lessons::all().iter().map(|lesson| {
                        let progress = Progress::load(lesson);
                        let steps = lesson.steps.len();
                        let (status, verb) = if progress.complete(lesson) {
                            ("Complete".to_owned(), "Review")
                        } else if progress.done.is_empty() && progress.step == 0 {
                            ("Not started".to_owned(), "Start")
                        } else {
                            (format!("{} of {steps} steps done", progress.done.len()), "Resume")
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
                    }) }
                </ol>
            </main>
        </div>
    }
}
