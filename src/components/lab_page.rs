//! The page around the lab: header, time controls, the cluster with its
//! controls, the lease panels, the timeline and the event log. It also runs
//! the play loop (one animation frame per render while playing), the space
//! bar shortcut, and keeps the address bar's link up to date while paused.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_render::{AnimationFrame, request_animation_frame};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::cluster_view::ClusterView;
use crate::components::event_log::EVENT_LOG;
use crate::components::fault_panel::FaultPanel;
use crate::components::inspector::{DETAILS, Inspector};
use crate::components::kubectl_panel::KubectlPanel;
use crate::components::lazy::{Lazy, OnSight};
use crate::components::lease_panel::LEASES;
use crate::components::lesson_panel::LESSON;
use crate::components::notices::Notices;
use crate::components::settings::Settings;
use crate::components::share::CopyLink;
use crate::components::time_controls::TimeControls;
use crate::components::timeline::TIMELINE;
use crate::embed::{self, Command};
use crate::state::{LabAction, use_lab};
use crate::url::Panel;

/// The lab page.
#[function_component(LabPage)]
pub fn lab_page() -> Html {
    let lab = use_lab();
    use_play_loop();
    use_space_bar();
    use_link_in_address_bar();

    let title = lab.lab.borrow().setup.title.clone();
    let header = (!lab.view.embed).then(|| {
        html! {
            <header class="site-header">
                <div class="brand">
                    <h1>{ "HA Lab" }</h1>
                    <p class="lab-title">{ title }</p>
                </div>
                <nav class="header-actions" aria-label="Lab">
                    <Settings />
                    <CopyLink />
                </nav>
            </header>
        }
    });
    let view = &lab.view;
    let shows = |panel| view.shows(panel);
    let lesson = view
        .lesson
        .clone()
        .filter(|_| shows(Panel::Lesson))
        .map(|id| html! { <Lazy part={&LESSON} arg={id} /> });
    let class = classes!(
        "lab-page",
        view.embed.then_some("embed"),
        (view.embed && view.height.is_some()).then_some("fixed-height")
    );
    html! {
        <div {class}>
            if view.embed {
                // Talking to the host page: code that only an embedded lab runs.
                <Lazy part={&EMBEDDING} quiet=true />
            }
            { for header }
            <Notices />
            if shows(Panel::Time) { <TimeControls /> }
            <main class="lab-grid">
                if shows(Panel::Cluster) {
                    // Selecting in the drawing opens the inspector's details: load them early.
                    <section class="stage" aria-label="Cluster view"
                        onpointerenter={DETAILS.preload_on_pointer()}
                        onfocusin={DETAILS.preload_on_focus()}>
                        <ClusterView />
                    </section>
                }
                <aside class="side">
                    { for lesson }
                    if shows(Panel::Faults) { <FaultPanel /> }
                    if shows(Panel::Kubectl) { <KubectlPanel /> }
                    if shows(Panel::Inspector) { <Inspector /> }
                </aside>
                // Below the drawing on every screen, from a phone to 2560 × 1440.
                if shows(Panel::Leases) {
                    <OnSight part={&LEASES} class="slot-leases" label="Leases" />
                }
                if shows(Panel::Timeline) {
                    <OnSight part={&TIMELINE} class="slot-timeline" label="Timeline" />
                }
                if shows(Panel::Log) {
                    <OnSight part={&EVENT_LOG} class="slot-log" label="Event log" />
                }
            </main>
        </div>
    }
}

/// While playing, asks for an animation frame after every render and sends
/// the lab the real time that passed. Stops when paused; a pause of any
/// length does not count as time played.
#[hook]
fn use_play_loop() {
    let lab = use_lab();
    let last_frame: Rc<Cell<Option<f64>>> = (*use_memo((), |()| Rc::new(Cell::new(None)))).clone();
    let dispatcher = lab.dispatcher();
    use_effect_with((lab.playing, lab.version), move |(playing, _)| {
        let frame: Option<AnimationFrame> = if *playing {
            let last_frame = last_frame.clone();
            Some(request_animation_frame(move |now_ms| {
                let wall_ms = last_frame.get().map_or(0.0, |last| now_ms - last);
                last_frame.set(Some(now_ms));
                dispatcher.dispatch(LabAction::Frame { wall_ms });
            }))
        } else {
            last_frame.set(None);
            None
        };
        move || drop(frame)
    });
}

/// Space plays and pauses, unless the focus is on something that uses the
/// space bar itself (a button, a field, a slider).
#[hook]
fn use_space_bar() {
    let dispatcher = use_lab().dispatcher();
    use_effect_with((), move |()| {
        let listener = web_sys::window()
            .and_then(|w| w.document())
            .map(|document| {
                let active = gloo_events::EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&document, "keydown", active, move |event| {
                    let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if event.key() != " " || event.ctrl_key() || event.meta_key() || event.alt_key()
                    {
                        return;
                    }
                    let focus_uses_space = event
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|e| {
                            matches!(
                                e.tag_name().as_str(),
                                "BUTTON" | "INPUT" | "SELECT" | "TEXTAREA" | "SUMMARY" | "A"
                            ) || e
                                .get_attribute("role")
                                .is_some_and(|r| r == "button" || r == "slider")
                                || e.has_attribute("contenteditable")
                        });
                    if !focus_uses_space {
                        event.prevent_default();
                        dispatcher.dispatch(LabAction::TogglePlay);
                    }
                })
            });
        move || drop(listener)
    });
}

/// Whenever the lab changes while paused (an action, a seek, new settings),
/// the address bar's link is replaced by one that reproduces it: a reload,
/// a bookmark or a shared address opens the same lab. Not when embedded:
/// the host page owns its address.
#[hook]
fn use_link_in_address_bar() {
    let lab = use_lab();
    let state = lab.clone();
    use_effect_with((lab.playing, lab.epoch), move |(playing, _)| {
        if !*playing
            && !state.view.embed
            && let Some(history) = web_sys::window().and_then(|w| w.history().ok())
        {
            let url = format!("?{}", state.link_query());
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    });
}

/// Posts the page's height (`fixed`, or its content's) to the embedding
/// page, if it changed since the last post. The content's height is the
/// body's: the document's own is never less than the frame, so a frame sized
/// to it could grow but never shrink again.
fn post_height(fixed: Option<u32>, last: &RefCell<i32>) {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let height = fixed.map_or_else(
        || body.scroll_height(),
        |h| i32::try_from(h).unwrap_or(i32::MAX),
    );
    if height != *last.borrow() {
        *last.borrow_mut() = height;
        embed::post("resize", &[("height", height.into())]);
    }
}

crate::part!(
    /// The embedded lab's side of the conversation with its host page.
    EMBEDDING = embedding,
    "the link with the host page",
    |_| html! { <Embedding /> }
);

/// Drawn (as nothing) only when embedded: gives the page the link's
/// `height=` if it has one, posts the page's height to the parent whenever
/// a render or a resize of the window changes it (that height, or else the
/// page's natural height), and obeys the parent's validated play and pause.
/// The height is set through the CSSOM, which the strict CSP allows (a
/// style attribute it would refuse).
#[function_component(Embedding)]
fn embedding() -> Html {
    let lab = use_lab();
    let last_height = use_mut_ref(|| 0i32);
    let fixed_height = lab.view.height;
    {
        let last_height = last_height.clone();
        use_effect_with(lab.version, move |_| {
            post_height(fixed_height, &last_height)
        });
    }
    // A fixed height is the page's own; otherwise the page's natural height
    // also changes with the frame's width (a narrower frame stacks the
    // panels): measured again on every resize, even while the lab is paused.
    use_effect_with(fixed_height, move |&fixed_height| {
        let window = web_sys::window();
        let listener = match fixed_height {
            Some(height) => {
                let root = window
                    .and_then(|w| w.document())
                    .and_then(|d| d.document_element())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(root) = root {
                    let _ = root
                        .style()
                        .set_property("--embed-height", &format!("{height}px"));
                }
                None
            }
            None => window.map(|window| {
                EventListener::new(&window, "resize", move |_| {
                    post_height(None, &last_height);
                })
            }),
        };
        move || drop(listener)
    });
    let dispatcher = lab.dispatcher();
    let playing = use_mut_ref(|| false);
    *playing.borrow_mut() = lab.playing;
    use_effect_with((), move |()| {
        let listener = web_sys::window().map(|window| {
            EventListener::new(&window, "message", move |event| {
                let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
                    return;
                };
                let wanted = match embed::command(&event.data()) {
                    Some(Command::Play) => true,
                    Some(Command::Pause) => false,
                    None => return,
                };
                if wanted != *playing.borrow() {
                    dispatcher.dispatch(LabAction::TogglePlay);
                }
            })
        });
        move || drop(listener)
    });
    Html::default()
}
