//! Talking to the page HA Lab is embedded in: it posts its height (so the
//! iframe can fit it) and lesson events, with the schema in README.md
//! ("Embedding"). It accepts only `play` and `pause` from the parent, and
//! only in exactly the documented shape.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// The `source` of every message HA Lab posts.
pub const SOURCE: &str = "ha-lab";
/// The `source` a parent's command must carry.
pub const HOST_SOURCE: &str = "ha-lab-host";

/// The parent window, when the lab runs in a frame.
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    (!Object::is(&parent, &window)).then_some(parent)
}

/// Posts `{source: "ha-lab", type, ...fields}` to the parent, if any.
/// Every field is a string or a number; the target origin is `*` because
/// nothing private is sent.
pub fn post(kind: &str, fields: &[(&str, JsValue)]) {
    let Some(parent) = parent() else {
        return;
    };
    let message = Object::new();
    let _ = Reflect::set(&message, &"source".into(), &SOURCE.into());
    let _ = Reflect::set(&message, &"type".into(), &kind.into());
    for (key, value) in fields {
        let _ = Reflect::set(&message, &(*key).into(), value);
    }
    let _ = parent.post_message(&message, "*");
}

/// A command from the parent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Play,
    Pause,
}

/// Reads a message from the parent: `{source: "ha-lab-host", type: "play"}`
/// or `"pause"`, and nothing else.
pub fn command(data: &JsValue) -> Option<Command> {
    if !data.is_object() {
        return None;
    }
    let source = Reflect::get(data, &"source".into()).ok()?.as_string()?;
    let kind = Reflect::get(data, &"type".into()).ok()?.as_string()?;
    if source != HOST_SOURCE {
        return None;
    }
    match kind.as_str() {
        "play" => Some(Command::Play),
        "pause" => Some(Command::Pause),
        _ => None,
    }
}
