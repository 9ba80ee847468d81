//! Browser tests of the app's components, run by wasm-bindgen-test in
//! headless Chromium (`./lab test browser`). Each test renders a component
//! inside a lab of its choosing, flushes Yew's scheduler, clicks, flushes,
//! and reads the DOM (STYLE.md). One module per component.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod support;

mod cluster_view;
mod determinism;
mod event_log;
mod fault_panel;
mod inspector;
mod kubectl_panel;
mod lease_panel;
mod lesson_panel;
mod settings;
mod time_controls;
mod timeline;
