//! TODO: TimeControls.

use yew::prelude::*;

#[function_component(TimeControls)]
pub fn time_controls() -> Html {
    html! {}
}
