//! The app: reads the link it was opened with (after fetching the lesson it
//! names, if any), builds the lab it asks for (or the default lab, saying
//! why), and shows the page.

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::lab_page::LabPage;
use crate::components::lab_provider::LabProvider;
use crate::components::lazy::Lazy;
use crate::components::lesson_index::INDEX;
use crate::components::lesson_panel::LESSON;
use crate::state::LabState;
use crate::url::{LabRequest, parse_query, query_pairs};
use crate::{lessons, scenarios};

/// The whole HA Lab page. A link to a lesson first fetches the lesson's
/// file, and a link to a scenario first loads the scenario reader (see
/// `scenarios::read`); the page says so meanwhile.
#[function_component(App)]
pub fn app() -> Html {
    let waiting = use_state(|| waits_for(&location_query()));
    {
        let waiting = waiting.clone();
        use_effect_with((), move |()| {
            let query = location_query();
            if waits_for(&query).is_some() {
                spawn_local(async move {
                    // What cannot be loaded keeps why: reading the link
                    // then opens the default lab and says it.
                    if let Some(id) = lesson_to_fetch(&query) {
                        // The lesson panel's code comes meanwhile.
                        LESSON.preload();
                        let _ = lessons::load(&id).await;
                    }
                    if names_a_scenario(&query) {
                        scenarios::load().await;
                    }
                    waiting.set(None);
                });
            }
        });
    }
    if let Some(what) = *waiting {
        return html! { <p class="loading" role="status">{ format!("Loading {what}…") }</p> };
    }
    html! { <Page /> }
}

/// What the page must load before it reads the link, if anything.
fn waits_for(query: &str) -> Option<&'static str> {
    if lesson_to_fetch(query).is_some() {
        Some("the lesson")
    } else if names_a_scenario(query) {
        Some("the scenario")
    } else {
        None
    }
}

/// Whether a link names a scenario (which the scenario reader must read).
fn names_a_scenario(query: &str) -> bool {
    query_pairs(query).iter().any(|(k, _)| k == "scenario")
}

/// The lesson a link names, if it is one of the site's and not loaded yet.
fn lesson_to_fetch(query: &str) -> Option<String> {
    query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == "lesson")
        .map(|(_, id)| id)
        .filter(|id| lessons::IDS.contains(&id.as_str()) && lessons::get(id).is_none())
}

/// The page a link asks for: the lab (with its lesson) or the lesson index.
#[function_component(Page)]
fn page() -> Html {
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
        return html! { <Lazy part={&INDEX} /> };
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
