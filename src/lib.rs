//! The HA Lab web app: Yew components that render the `ha-sim` model.
//!
//! The model lives in the `ha-sim` crate and knows nothing about the browser;
//! this crate only draws it and, in later stages, sends it the learner's
//! actions. `main.rs` calls [`mount`]; browser tests render components one by one.

pub mod app;
pub mod components;
pub mod lab;
pub mod scenarios;
pub mod state;
pub mod url;
pub mod view;

pub use app::App;

/// Mounts the app into the page's `#app` element (falling back to `<body>`).
pub fn mount() {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}
