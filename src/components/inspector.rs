//! The inspector: the selected process (its command line as kubeadm would
//! write it, its state, its recent log lines) or node (role, power, its
//! processes). An "Inspect" list offers every process and node, so that
//! keyboard and screen-reader users can choose without the drawing.

use ha_sim::sim::Power;
use ha_sim::{Event as SimEvent, NodeRole, ProcessKind, Sim};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::command_line::{CommandLine, command_line, node_ip};
use crate::components::event_log::EventIndex;
use crate::components::lazy::Lazy;
use crate::lab::Lab;
use crate::state::{LabAction, Selection, use_lab};
use crate::view::{clock, process_status};

/// How many recent log lines the inspector shows for a process.
pub const RECENT_LINES: usize = 12;

/// The value of the "Inspect" list's option for `selection`.
pub fn option_value(selection: Option<Selection>) -> String {
    match selection {
        None => String::new(),
        Some(Selection::Process(p)) => format!("process-{p}"),
        Some(Selection::Node(n)) => format!("node-{n}"),
    }
}

/// The selection an option's value names (`None` for nothing or nonsense).
pub fn parse_option_value(value: &str) -> Option<Selection> {
    if let Some(p) = value.strip_prefix("process-") {
        return p.parse().ok().map(Selection::Process);
    }
    value
        .strip_prefix("node-")
        .and_then(|n| n.parse().ok())
        .map(Selection::Node)
}

/// A process as the list names it: `master-1 / kube-apiserver`.
pub fn process_label(sim: &Sim, proc: usize) -> String {
    let p = &sim.processes()[proc];
    format!("{} / {}", sim.nodes()[p.node].name, p.kind)
}

/// The events of process `proc`'s node and component among `events`.
pub fn is_process_event(sim: &Sim, proc: usize, event: &SimEvent) -> bool {
    let p = &sim.processes()[proc];
    event.component == p.kind.name() && event.node.as_deref() == Some(&*sim.nodes()[p.node].name)
}

/// The inspector.
#[function_component(Inspector)]
pub fn inspector() -> Html {
    let lab = use_lab();
    let select_ref = use_node_ref();
    let lab_ref = lab.lab.borrow();
    let sim = &lab_ref.sim;
    let selected = selection(&lab, sim);

    {
        // A <select> follows its value property, not its attributes, once
        // the learner has used it: keep it in step with the selection.
        let select_ref = select_ref.clone();
        let value = option_value(selected);
        use_effect_with(value, move |value| {
            if let Some(select) = select_ref.cast::<HtmlSelectElement>() {
                select.set_value(value);
            }
        });
    }

    let onchange = {
        let dispatcher = lab.dispatcher();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            dispatcher.dispatch(LabAction::Select(parse_option_value(&value)));
        })
    };
    let process_options = (0..sim.processes().len()).map(|p| {
        let value = option_value(Some(Selection::Process(p)));
        let is_selected = selected == Some(Selection::Process(p));
        html! { <option {value} selected={is_selected}>{ process_label(sim, p) }</option> }
    });
    let node_options = sim.nodes().iter().enumerate().map(|(n, node)| {
        let value = option_value(Some(Selection::Node(n)));
        let is_selected = selected == Some(Selection::Node(n));
        html! { <option {value} selected={is_selected}>{ node.name.to_string() }</option> }
    });

    let body = match selected {
        None => html! {
            <p class="inspector-hint">
                { "Select a node or a process in the drawing, or choose one here." }
            </p>
        },
        Some(_) => html! { <Lazy part={&DETAILS} /> },
    };

    html! {
        <section
            class={classes!("inspector", lab.reduced_motion.then_some("motion-off"))}
            aria-labelledby="inspector-heading"
            onpointerenter={DETAILS.preload_on_pointer()}
            onfocusin={DETAILS.preload_on_focus()}
        >
            <h2 id="inspector-heading">{ "Inspector" }</h2>
            <div class="field inspector-choose">
                <label for="inspector-select">{ "Inspect" }</label>
                <select id="inspector-select" ref={select_ref} {onchange}>
                    <option value="" selected={selected.is_none()}>{ "Nothing selected" }</option>
                    <optgroup label="Processes">{ for process_options }</optgroup>
                    <optgroup label="Nodes">{ for node_options }</optgroup>
                </select>
            </div>
            { body }
        </section>
    }
}

/// The lab's selection, if it names one of this lab's processes or nodes. A
/// selection from another lab (after loading new settings) may point past
/// them: nothing is shown then.
fn selection(lab: &crate::state::LabContext, sim: &Sim) -> Option<Selection> {
    lab.selected.filter(|s| match *s {
        Selection::Process(p) => p < sim.processes().len(),
        Selection::Node(n) => n < sim.nodes().len(),
    })
}

crate::part!(
    /// The inspector's details: preloaded when the learner points at the
    /// drawing or the inspector, or moves the focus into either.
    pub DETAILS = inspector,
    "the inspector",
    |_| html! { <Details /> }
);

/// What the inspector shows of the selected process or node: a part of its
/// own (see [`crate::components::lazy`]), loaded when something is first
/// selected.
#[function_component(Details)]
fn details() -> Html {
    let lab = use_lab();
    let recent_index = use_mut_ref(EventIndex::<usize>::default);
    let lab_ref = lab.lab.borrow();
    let sim = &lab_ref.sim;
    match selection(&lab, sim) {
        None => html! {},
        Some(Selection::Process(p)) => {
            let mut index = recent_index.borrow_mut();
            index.update(&lab_ref, &p, |e| is_process_event(sim, p, e));
            let n = lab_ref.events_so_far().len();
            let recent = index.before(n);
            let recent = &recent[recent.len().saturating_sub(RECENT_LINES)..];
            process_view(&lab, &lab_ref, p, recent)
        }
        Some(Selection::Node(n)) => node_view(&lab, sim, n),
    }
}

fn select_button(lab: &crate::state::LabContext, selection: Selection, label: String) -> Html {
    let onclick = {
        let dispatcher = lab.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(LabAction::Select(Some(selection))))
    };
    html! { <button type="button" class="inspector-link" {onclick}>{ label }</button> }
}

fn process_view(
    lab: &crate::state::LabContext,
    lab_ref: &Lab,
    proc: usize,
    recent: &[usize],
) -> Html {
    let sim = &lab_ref.sim;
    let process = &sim.processes()[proc];
    let node = &sim.nodes()[process.node];
    let status = process_status(sim, proc);
    let command = command_line(
        &lab_ref.setup.config,
        &node.name,
        process.kind,
        sim.kubectl_server(),
    );
    let identity = sim.elector(proc).map(|e| {
        html! {
            <>
                <dt>{ "Identity" }</dt>
                <dd><code>{ e.identity.clone() }</code></dd>
            </>
        }
    });
    let lines = recent
        .iter()
        .filter_map(|&i| lab_ref.events.get(i).map(|e| (i, e)))
        .map(|(i, e)| {
            html! {
                <li key={i}>
                    <span class="log-time">{ clock(e.t) }</span>
                    { " " }
                    <span class="log-message">{ &e.message }</span>
                </li>
            }
        });
    let log = if recent.is_empty() {
        html! { <p class="inspector-empty">{ "Nothing logged yet." }</p> }
    } else {
        html! { <ol class="inspector-log">{ for lines }</ol> }
    };
    html! {
        <div class="inspector-body">
            <h3>{ process_label(sim, proc) }</h3>
            <p class="inspector-status">
                <span class={classes!("shape", status.shape.class())} aria-hidden="true"></span>
                { " " }
                <span class="inspector-status-words">{ status.words }</span>
            </p>
            <dl class="inspector-facts">
                <dt>{ "Started at" }</dt>
                <dd>{ process.started_at.map_or("not yet".to_owned(), clock) }</dd>
                <dt>{ "Restarts" }</dt>
                <dd>{ process.restarts }</dd>
                <dt>{ "Incarnation" }</dt>
                <dd>{ process.incarnation }</dd>
                { for identity }
            </dl>
            { command_view(&command, process.kind) }
            <h4>{ "Recent log lines" }</h4>
            { log }
            <p>{ select_button(lab, Selection::Node(process.node), format!("Show the node {}", node.name)) }</p>
        </div>
    }
}

fn command_view(command: &CommandLine, kind: ProcessKind) -> Html {
    let heading = match kind {
        ProcessKind::Haproxy | ProcessKind::Kubectl => "Configuration",
        _ => "Command line",
    };
    // Each line wraps inside the box, its continuation indented past the
    // line's own indentation (and a YAML list's "- ").
    let lines = command.lines.iter().map(|line| {
        let text = line.text.as_str();
        let indent = text.len() - text.trim_start().len();
        let hang = indent
            + if text.trim_start().starts_with("- ") {
                2
            } else {
                4
            };
        let style = format!("padding-left: {hang}ch; text-indent: -{hang}ch");
        let content = if text.is_empty() { " " } else { text };
        let content = if line.key {
            html! { <mark>{ content }</mark> }
        } else {
            html! { { content } }
        };
        html! { <><span class="command-line-line" {style}>{ content }</span>{ "\n" }</> }
    });
    let notes = command.notes.iter().map(|n| html! { <li>{ n }</li> });
    html! {
        <>
            <h4>{ heading }</h4>
            <p class="command-file"><code>{ &command.file }</code></p>
            <pre
                class="command-line"
                tabindex="0"
                role="group"
                aria-label={format!("{heading}: {}", command.file)}
            >
                <code>{ for lines }</code>
            </pre>
            <ul class="command-notes">{ for notes }</ul>
        </>
    }
}

fn node_view(lab: &crate::state::LabContext, sim: &Sim, node: usize) -> Html {
    let n = &sim.nodes()[node];
    let power = match n.power {
        Power::On => "on".to_owned(),
        Power::Off => "off".to_owned(),
        Power::Booting { until } => format!("booting (up at {})", clock(until)),
    };
    let role = match n.role {
        NodeRole::Laptop => "the learner's laptop, outside the cluster",
        other => other.description(),
    };
    let address = node_ip(&n.name).map(|ip| {
        html! {
            <>
                <dt>{ "Address" }</dt>
                <dd><code>{ ip }</code>{ " (illustrative: the lab has no IP addresses)" }</dd>
            </>
        }
    });
    let processes = n.processes.iter().map(|&p| {
        let status = process_status(sim, p);
        let label = format!("{}: {}", sim.processes()[p].kind, status.words);
        html! {
            <li key={p}>
                <span class={classes!("shape", status.shape.class())} aria-hidden="true"></span>
                { " " }
                { select_button(lab, Selection::Process(p), label) }
            </li>
        }
    });
    html! {
        <div class="inspector-body">
            <h3>{ n.name.to_string() }</h3>
            <dl class="inspector-facts">
                <dt>{ "Role" }</dt>
                <dd>{ role }</dd>
                <dt>{ "Power" }</dt>
                <dd class="inspector-power">{ power }</dd>
                { for address }
            </dl>
            <h4>{ "Processes" }</h4>
            if n.processes.is_empty() {
                <p class="inspector-empty">{ "No processes." }</p>
            } else {
                <ul class="inspector-processes">{ for processes }</ul>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Setup;
    use ha_sim::{Cluster, SimConfig, SimTime};

    #[test]
    fn option_values_name_the_selection_and_read_back() {
        for selection in [
            None,
            Some(Selection::Process(0)),
            Some(Selection::Process(17)),
            Some(Selection::Node(3)),
        ] {
            assert_eq!(parse_option_value(&option_value(selection)), selection);
        }
        assert_eq!(parse_option_value("process-x"), None);
    }

    #[test]
    fn a_processs_recent_lines_are_its_own_node_and_component() {
        let mut lab = Lab::new(Setup::of_config(
            "test",
            SimConfig::new(1, Cluster::default()),
        ))
        .unwrap();
        lab.advance_to(SimTime::from_secs(20));
        let sim = &lab.sim;
        let node = sim.node_id("master-1").unwrap();
        let api = sim.process_id(node, ProcessKind::KubeApiserver).unwrap();
        assert_eq!(process_label(sim, api), "master-1 / kube-apiserver");
        let mut index = EventIndex::default();
        index.update(&lab, &api, |e| is_process_event(sim, api, e));
        let lines = index.before(lab.events_so_far().len());
        assert!(!lines.is_empty());
        assert!(lines.iter().all(|&i| {
            let e = &lab.events[i];
            e.node.as_deref() == Some("master-1") && e.component == "kube-apiserver"
        }));
    }
}
