//! The HA Lab web app: Yew components that render the `ha-sim` model and
//! send it the learner's actions.
//!
//! The model lives in the `ha-sim` crate and knows nothing about the browser.
//! Above it, [`lab::Lab`] keeps the learner's branch of a run (snapshots for
//! time travel); [`state`] holds the page's one state and its actions;
//! [`url`] puts a lab in a link; [`view`] turns the simulation into words and
//! shapes; `components/` draws it, one component per file. `main.rs` calls
//! [`mount`]; browser tests render components one by one.

pub mod app;
pub mod command_line;
pub mod components;
pub mod embed;
pub mod lab;
pub mod lessons;
pub mod markdown;
pub mod scenarios;
pub mod state;
pub mod url;
pub mod view;

pub use app::App;

use wasm_bindgen::JsCast;

/// Mounts the app into the page's `#app` element (falling back to `<body>`),
/// after installing a panic hook that shows a message instead of a dead page.
pub fn mount() {
    std::panic::set_hook(Box::new(|info| show_crash(&info.to_string())));
    on_trap(show_crash);
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}

/// The release build's panics abort at once (ARCHITECTURE.md, "Size"): no
/// hook runs, and the page sees a WebAssembly trap, an uncaught
/// `WebAssembly.RuntimeError` in an event handler or a promise. Those call
/// `crashed` with the error's text.
fn on_trap(crashed: fn(&str)) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // An `error` event carries the exception as `error`, an
    // `unhandledrejection` as `reason`.
    for (kind, field) in [("error", "error"), ("unhandledrejection", "reason")] {
        gloo_events::EventListener::new(&window, kind, move |event| {
            let error = js_sys::Reflect::get(event, &field.into()).unwrap_or_default();
            if error.is_instance_of::<js_sys::WebAssembly::RuntimeError>() {
                crashed(&String::from(js_sys::Error::from(error).to_string()));
            }
        })
        .forget();
    }
}

/// Puts a visible message at the top of the page: the app has stopped.
fn show_crash(details: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if let Ok(banner) = document.create_element("div") {
        banner.set_class_name("crash");
        let _ = banner.set_attribute("role", "alert");
        banner.set_text_content(Some(&format!(
            "HA Lab stopped because of a bug, sorry. Reload the page to start again; \
             the link keeps your lab as it was when you last paused. Details: {details}"
        )));
        let _ = body.prepend_with_node_1(&banner);
    }
    web_sys::console::error_1(&details.into());
}
