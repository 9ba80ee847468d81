//! TODO: KubectlPanel.

use yew::prelude::*;

#[function_component(KubectlPanel)]
pub fn kubectl_panel() -> Html {
    html! {}
}
