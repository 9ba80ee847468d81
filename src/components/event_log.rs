//! TODO: EventLog.

use yew::prelude::*;

#[function_component(EventLog)]
pub fn event_log() -> Html {
    html! {}
}
