//! The app: reads the link it was opened with, builds the lab it asks for
//! (or the default lab, saying why), and shows the page.

use yew::prelude::*;

use crate::components::lab_page::LabPage;
use crate::components::lab_provider::LabProvider;
use crate::components::lesson_index::LessonIndex;
use crate::state::LabState;
use crate::url::{LabRequest, parse_query};

/// The whole HA Lab page.
#[function_component(App)]
pub fn app() -> Html {
    let initial = use_memo((), |()| {
        initial_state(&location_query(), prefers_reduced_motion())
    });
    if let Some(theme) = initial.view.theme
        && let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme);
    }
    if initial.view.index {
        return html! { <LessonIndex /> };
    }
    html! {
        <LabProvider initial={(*initial).clone()}>
            <LabPage />
        </LabProvider>
    }
}

/// The lab a query string asks for. A bad link opens the default lab, with
/// every problem listed for the learner.
pub fn initial_state(query: &str, reduced_motion: bool) -> LabState {
    match parse_query(query) {
        Ok(request) => LabState::from_request(&request, Vec::new(), reduced_motion),
        Err(problems) => {
            let mut notices = vec![format!(
                "This link could not be opened as it is, so the default lab opened instead. {}",
                if problems.len() == 1 {
                    "The problem:"
                } else {
                    "The problems:"
                }
            )];
            notices.extend(problems);
            let mut state =
                LabState::from_request(&LabRequest::default_lab(), Vec::new(), reduced_motion);
            state.notices = vec![notices.join("\n")];
            state
        }
    }
}

/// The page's query string, `?` included (empty outside a browser).
fn location_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Whether the system asks for reduced motion.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}
