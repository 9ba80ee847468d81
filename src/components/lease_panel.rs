//! TODO: LeasePanel.

use ha_sim::ProcessKind;
use yew::prelude::*;

/// Properties of [`LeasePanel`].
#[derive(Properties, PartialEq)]
pub struct LeasePanelProps {
    /// Whose lease: `KubeControllerManager` or `KubeScheduler`.
    pub component: ProcessKind,
}

#[function_component(LeasePanel)]
pub fn lease_panel(props: &LeasePanelProps) -> Html {
    let _ = props.component;
    html! {}
}
