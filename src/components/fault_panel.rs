//! TODO: FaultPanel.

use yew::prelude::*;

#[function_component(FaultPanel)]
pub fn fault_panel() -> Html {
    html! {}
}
