//! Messages for the learner: a link that could not be opened as it was, an
//! action the lab refused. Shown at the top, each until dismissed.

use yew::prelude::*;

use crate::state::{LabAction, use_lab};

/// The list of notices (nothing when there are none).
#[function_component(Notices)]
pub fn notices() -> Html {
    let lab = use_lab();
    if lab.notices.is_empty() {
        return html! {};
    }
    let items = lab.notices.iter().enumerate().map(|(i, notice)| {
        let dismiss = {
            let lab = lab.clone();
            Callback::from(move |_: MouseEvent| lab.dispatch(LabAction::DismissNotice(i)))
        };
        let mut lines = notice.lines();
        let first = lines.next().unwrap_or_default().to_owned();
        let rest: Vec<&str> = lines.collect();
        html! {
            <li class="notice" role="alert">
                <div class="notice-text">
                    <p>{ first }</p>
                    if !rest.is_empty() {
                        <ul>{ for rest.iter().map(|line| html! { <li><code>{ *line }</code></li> }) }</ul>
                    }
                </div>
                <button class="dismiss" onclick={dismiss} aria-label="Dismiss this message">{ "✕" }</button>
            </li>
        }
    });
    html! { <ul class="notices">{ for items }</ul> }
}
