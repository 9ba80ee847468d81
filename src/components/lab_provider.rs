//! The context every component reads the lab from (STYLE.md: shared state
//! goes through a context). The app wraps the page in it; browser tests wrap
//! a single component in it, with a lab of their choosing.

use yew::prelude::*;

use crate::state::{LabContext, LabState};

/// Properties of [`LabProvider`].
#[derive(Properties, PartialEq)]
pub struct LabProviderProps {
    /// The state to start from; later changes of this prop are ignored (the
    /// state then lives in the provider's reducer).
    pub initial: LabState,
    #[prop_or_default]
    pub children: Html,
}

/// Holds the lab's one state and gives it to every component inside.
#[function_component(LabProvider)]
pub fn lab_provider(props: &LabProviderProps) -> Html {
    let initial = props.initial.clone();
    let state = use_reducer(move || initial);
    html! {
        <ContextProvider<LabContext> context={state}>
            { props.children.clone() }
        </ContextProvider<LabContext>>
    }
}
