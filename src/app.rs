//! The page: a header and the cluster drawing.

use ha_sim::Cluster;
use yew::prelude::*;

use crate::components::cluster_view::ClusterView;

/// The whole HA Lab page.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <>
            <header class="site-header">
                <h1>{ "HA Lab" }</h1>
                <p class="tagline">
                    { "Build a highly available Kubernetes control plane, break it, and watch it heal." }
                </p>
            </header>
            <main class="lab">
                <ClusterView cluster={Cluster::default()} />
            </main>
        </>
    }
}
