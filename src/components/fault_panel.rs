//! Faults at every level: power a node off and on; kill (SIGKILL), stop
//! (SIGTERM), pause (SIGSTOP) and resume (SIGCONT) any process; split the
//! network into groups and heal it. Every control is a real button whose
//! accessible name says exactly what it does ("Kill master-1", "Stop
//! kube-scheduler on master-1", "Heal network").

use ha_sim::sim::{Power, ProcState};
use ha_sim::{Action, NodeRole, ProcessKind, Sim, Target};
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::lazy::Disclosure;
use crate::state::{LabAction, act, use_lab};
use crate::view::process_status;

/// The partition tool's groups.
pub const GROUPS: [&str; 3] = ["A", "B", "C"];

/// The fault controls.
#[function_component(FaultPanel)]
pub fn fault_panel() -> Html {
    let lab = use_lab();
    let l = lab.lab.borrow();
    let sim = &l.sim;
    let act = act(&lab);
    let nodes = sim
        .nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.role != NodeRole::Laptop)
        .map(|(id, _)| node_controls(sim, id, &act));
    html! {
        <section class="panel fault-panel" aria-labelledby="faults-heading">
            <h2 id="faults-heading">{ "Break things" }</h2>
            <ul class="fault-nodes">{ for nodes }</ul>
            <Disclosure part={&PARTITION} summary="Network partition" class="partition" />
        </section>
    }
}

crate::part!(
    /// The partition tool, drawn once "Network partition" is first opened.
    PARTITION = partition,
    "the partition tool",
    |_| html! { <PartitionTool /> }
);

/// Put the nodes in groups, cut the network between the groups, heal it.
#[function_component(PartitionTool)]
fn partition_tool() -> Html {
    let lab = use_lab();
    let l = lab.lab.borrow();
    let sim = &l.sim;
    // The group each node is in, in the partition tool (not yet applied).
    let plan = use_state(Vec::<usize>::new);
    let act = act(&lab);

    let node_names: Vec<String> = sim.nodes().iter().map(|n| n.name.to_string()).collect();
    let groups_now: Vec<usize> = if plan.len() == node_names.len() {
        (*plan).clone()
    } else {
        current_groups(sim)
    };
    let selects = node_names.iter().enumerate().map(|(i, name)| {
        let plan = plan.clone();
        let groups_before = groups_now.clone();
        let onchange = Callback::from(move |e: Event| {
            let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            else {
                return;
            };
            let mut next = groups_before.clone();
            if let (Some(slot), Ok(group)) = (next.get_mut(i), select.value().parse()) {
                *slot = group;
            }
            plan.set(next);
        });
        let options = GROUPS.iter().enumerate().map(|(g, label)| {
            html! {
                <option value={g.to_string()} selected={groups_now.get(i) == Some(&g)}>
                    { format!("group {label}") }
                </option>
            }
        });
        html! {
            <label class="group-choice">
                <span>{ name }</span>
                <select aria-label={format!("Group of {name}")} {onchange}>{ for options }</select>
            </label>
        }
    });
    let partition = {
        let act = act.clone();
        let lab = lab.clone();
        let names = node_names.clone();
        let groups_now = groups_now.clone();
        let plan = plan.clone();
        Callback::from(move |_: MouseEvent| {
            match partition_action(&names, &groups_now) {
            Some(action) => {
                act.emit(action);
                plan.set(Vec::new());
            }
            None => lab.dispatch(LabAction::Notice(
                "Put the nodes in at least two groups first: nodes in different groups cannot reach each other."
                    .to_owned(),
            )),
        }
        })
    };
    let heal = {
        let act = act.clone();
        let plan = plan.clone();
        Callback::from(move |_: MouseEvent| {
            act.emit(Action::Heal);
            plan.set(Vec::new());
        })
    };
    let groups = sim.partition_groups();
    let network_words = if groups.len() <= 1 {
        "Every node can reach every other.".to_owned()
    } else {
        format!(
            "Partitioned: {}.",
            groups
                .iter()
                .map(|g| g
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", "))
                .map(|g| format!("{{{g}}}"))
                .collect::<Vec<_>>()
                .join(" · ")
        )
    };

    html! {
        <>
            <p class="hint">
                { "Put nodes in groups, then cut the links between the groups. \
                   Nodes in the same group still reach each other." }
            </p>
            <div class="group-choices">{ for selects }</div>
            <p class="network-state" role="status">{ network_words }</p>
            <div class="row">
                <button onclick={partition}>{ "Cut the network between groups" }</button>
                <button onclick={heal}>{ "Heal network" }</button>
            </div>
        </>
    }
}

/// One node's card: its power button, then its processes with theirs.
fn node_controls(sim: &Sim, node: usize, act: &Callback<Action>) -> Html {
    let n = &sim.nodes()[node];
    let name = n.name.to_string();
    let power = match n.power {
        Power::On | Power::Booting { .. } => {
            let act = act.clone();
            let target = name.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                if let Ok(t) = Target::parse(&target) {
                    act.emit(Action::KillNode(t));
                }
            });
            html! {
                <button class="danger" aria-label={format!("Kill {name}")} {onclick}
                    title="Power off: every process on it stops at once, nothing is released">
                    { "Kill" }
                </button>
            }
        }
        Power::Off => {
            let act = act.clone();
            let target = name.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                if let Ok(t) = Target::parse(&target) {
                    act.emit(Action::RestartNode(t));
                }
            });
            html! {
                <button aria-label={format!("Restart {name}")} {onclick}
                    title="Power on: the node boots, then its kubelet starts the static pods">
                    { "Restart" }
                </button>
            }
        }
    };
    let state = match n.power {
        Power::On => "on",
        Power::Off => "off",
        Power::Booting { .. } => "booting",
    };
    html! {
        <li class={classes!("fault-node", state)}>
            <div class="fault-node-head">
                <span class="fault-node-name">{ &name }</span>
                <span class="fault-node-state">{ state }</span>
                { power }
            </div>
            <Disclosure part={&PROCESSES} arg={name.clone()}
                summary={format!("Processes on {name}")} class="fault-processes" />
        </li>
    }
}

crate::part!(
    /// A node's processes with their controls, drawn once "Processes on …"
    /// is first opened.
    PROCESSES = processes,
    "the processes",
    |node| html! { <ProcessControls node={node.clone()} /> }
);

#[derive(Properties, PartialEq)]
struct ProcessControlsProps {
    node: AttrValue,
}

/// The processes of the node named `node`, each with its controls.
#[function_component(ProcessControls)]
fn process_controls_list(props: &ProcessControlsProps) -> Html {
    let lab = use_lab();
    let l = lab.lab.borrow();
    let sim = &l.sim;
    let act = act(&lab);
    let Some(node) = sim.nodes().iter().find(|n| *n.name == *props.node) else {
        return Html::default();
    };
    let processes = node
        .processes
        .iter()
        .copied()
        .filter(|&p| sim.processes()[p].kind != ProcessKind::Benchmark)
        .map(|p| process_controls(sim, p, &props.node, &act));
    html! { <ul>{ for processes }</ul> }
}

/// One process's row: its state, and Kill, Stop, Pause or Resume.
fn process_controls(sim: &Sim, proc: usize, node: &str, act: &Callback<Action>) -> Html {
    let p = &sim.processes()[proc];
    let kind = p.kind.name();
    let status = process_status(sim, proc);
    let running = matches!(p.state, ProcState::Running { .. });
    let paused = matches!(p.state, ProcState::Running { paused: true, .. });
    let target = format!("{node}/{kind}");
    let button = |verb: &'static str, what: fn(Target) -> Action, title: &'static str| {
        let act = act.clone();
        let target = target.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Ok(t) = Target::parse(&target) {
                act.emit(what(t));
            }
        });
        html! {
            <button aria-label={format!("{verb} {kind} on {node}")} {title} {onclick} disabled={!running}>
                { verb }
            </button>
        }
    };
    html! {
        <li class="fault-process">
            <span class="fault-process-name">{ kind }</span>
            <span class={classes!("fault-process-state", status.shape.class())}>{ &status.words }</span>
            <span class="row">
                { button("Kill", Action::KillProcess, "SIGKILL: it dies at once; its supervisor restarts it") }
                { button("Stop", Action::StopProcess, "SIGTERM: a graceful stop (the scheduler releases its lease)") }
                if paused {
                    { button("Resume", Action::ResumeProcess, "SIGCONT: it wakes up believing what it believed before") }
                } else {
                    { button("Pause", Action::PauseProcess, "SIGSTOP: it freezes; its timers and messages wait") }
                }
            </span>
        </li>
    }
}

/// The group of every node now: group 0 unless a partition is in place.
pub fn current_groups(sim: &Sim) -> Vec<usize> {
    let groups = sim.partition_groups();
    sim.nodes()
        .iter()
        .map(|n| {
            groups
                .iter()
                .position(|g| g.iter().any(|m| **m == *n.name))
                .filter(|_| groups.len() > 1)
                .unwrap_or(0)
                .min(GROUPS.len() - 1)
        })
        .collect()
}

/// The partition that puts `names[i]` in group `groups[i]`; `None` unless
/// at least two groups have nodes.
pub fn partition_action(names: &[String], groups: &[usize]) -> Option<Action> {
    let split: Vec<Vec<String>> = (0..GROUPS.len())
        .map(|g| {
            names
                .iter()
                .zip(groups)
                .filter(|(_, group)| **group == g)
                .map(|(n, _)| n.clone())
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect();
    (split.len() >= 2).then_some(Action::Partition(split))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_sim::{Cluster, SimConfig};

    #[test]
    fn the_partition_tool_reads_back_the_partition_in_place() {
        let mut sim = Sim::new(SimConfig::new(1, Cluster::default())).unwrap();
        let names: Vec<String> = sim.nodes().iter().map(|n| n.name.to_string()).collect();
        assert!(current_groups(&sim).iter().all(|&g| g == 0));
        let mut groups = vec![0; names.len()];
        assert_eq!(
            partition_action(&names, &groups),
            None,
            "one group cuts nothing"
        );
        let m1 = names.iter().position(|n| n == "master-1").unwrap();
        groups[m1] = 2;
        let action = partition_action(&names, &groups).unwrap();
        sim.apply(&action).unwrap();
        let back = current_groups(&sim);
        // master-1 is alone, every other node together.
        assert!(
            back.iter()
                .enumerate()
                .all(|(i, &g)| (i == m1) == (g != back[0]))
        );
    }
}
