//! TODO: Settings.

use yew::prelude::*;

#[function_component(Settings)]
pub fn settings() -> Html {
    html! {}
}
