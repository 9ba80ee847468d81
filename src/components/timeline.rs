//! TODO: Timeline.

use yew::prelude::*;

#[function_component(Timeline)]
pub fn timeline() -> Html {
    html! {}
}
