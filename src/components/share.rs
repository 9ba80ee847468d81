//! "Copy link": a link that reproduces the lab exactly (scenario, settings,
//! seed, the learner's actions and the current time), copied to the
//! clipboard and shown in a field so that it can also be copied by hand.

use yew::prelude::*;

use crate::state::use_lab;

/// The Copy link button and, once pressed, the link.
#[function_component(CopyLink)]
pub fn copy_link() -> Html {
    let lab = use_lab();
    let shown = use_state(|| None::<(String, &'static str)>);
    let onclick = {
        let lab = lab.clone();
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            let link = absolute_link(&lab.link_query());
            let status = copy_to_clipboard(&link);
            shown.set(Some((link, status)));
        })
    };
    let close = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(None))
    };
    html! {
        <div class="copy-link">
            <button {onclick} title="A link that opens this lab exactly as it is now">{ "Copy link" }</button>
            if let Some((link, status)) = &*shown {
                <div class="link-box">
                    <label>
                        <span>{ "Link to this lab" }</span>
                        <input type="text" readonly=true value={link.clone()}
                            onfocus={Callback::from(|e: FocusEvent| {
                                if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                                    input.select();
                                }
                            })} />
                    </label>
                    <span class="status" role="status">{ *status }</span>
                    <button class="dismiss" onclick={close} aria-label="Close the link">{ "✕" }</button>
                </div>
            }
        </div>
    }
}

/// The page's address with `query` in place of its own.
fn absolute_link(query: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!(
                "{}{}",
                location.origin().ok()?,
                location.pathname().ok()?
            ))
        })
        .unwrap_or_default();
    format!("{base}?{query}")
}

/// Asks the browser to copy `text`; says what happened.
fn copy_to_clipboard(text: &str) -> &'static str {
    let Some(window) = web_sys::window() else {
        return "Copy the link above.";
    };
    // Only secure pages (https, localhost) have a clipboard.
    let navigator = window.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !has_clipboard {
        return "Copy the link from the field.";
    }
    let clipboard = navigator.clipboard();
    let promise = clipboard.write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
    "Copied to the clipboard (or copy it from the field)."
}
