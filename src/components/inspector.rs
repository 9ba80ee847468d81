//! TODO: Inspector.

use yew::prelude::*;

#[function_component(Inspector)]
pub fn inspector() -> Html {
    html! {}
}
