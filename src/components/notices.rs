//! TODO: Notices.

use yew::prelude::*;

#[function_component(Notices)]
pub fn notices() -> Html {
    html! {}
}
