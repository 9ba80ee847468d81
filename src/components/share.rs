//! TODO: CopyLink.

use yew::prelude::*;

#[function_component(CopyLink)]
pub fn share() -> Html {
    html! {}
}
