//! kubectl on the learner's laptop: where it points (the load balancer, or
//! straight at one master), `kubectl scale` up and down, and what kubectl
//! printed, including its own kind of error when the API is unreachable or
//! cannot write.

use ha_sim::{Action, EventKind, NodeRole, Sim};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::{act, use_lab};
use crate::view::clock;

/// How many past kubectl commands the terminal shows.
const COMMANDS_SHOWN: usize = 4;
/// How far back (in events) the terminal looks for them.
const LOOK_BACK: usize = 4_000;

/// The kubectl panel.
#[function_component(KubectlPanel)]
pub fn kubectl_panel() -> Html {
    let lab = use_lab();
    let l = lab.lab.borrow();
    let sim = &l.sim;
    let desired = sim.pods_desired();
    let replicas = use_state(|| None::<u32>);
    let chosen = replicas.unwrap_or(desired);

    let act = act(&lab);
    let scale_to = |n: u32| {
        let act = act.clone();
        let replicas = replicas.clone();
        Callback::from(move |_: MouseEvent| {
            act.emit(Action::Scale { replicas: n });
            replicas.set(None);
        })
    };
    let on_input = {
        let replicas = replicas.clone();
        Callback::from(move |e: InputEvent| {
            let value = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|i| i.value().parse::<u32>().ok());
            replicas.set(value.map(|v| v.min(ha_sim::sim::MAX_REPLICAS)));
        })
    };

    let servers = server_choices(sim).into_iter().map(|(value, words)| {
        let act = act.clone();
        let checked = sim.kubectl_server() == value;
        let v = value.clone();
        let onchange = Callback::from(move |_: Event| act.emit(Action::KubectlServer(v.clone())));
        html! {
            <label class="choice">
                <input type="radio" name="kubectl-server" value={value} {checked} {onchange} />
                <span>{ words }</span>
            </label>
        }
    });

    let lines = terminal_lines(sim, l.events_so_far());
    let terminal = lines.iter().map(|line| match line {
        TerminalLine::Command(c) => html! { <div class="cmd">{ format!("$ {c}") }</div> },
        TerminalLine::Output { text, ok } => {
            html! { <div class={classes!("out", (!ok).then_some("error"))}>{ text }</div> }
        }
    });

    html! {
        <section class="panel kubectl-panel" aria-labelledby="kubectl-heading">
            <h2 id="kubectl-heading">{ "kubectl on your laptop" }</h2>
            <fieldset class="server">
                <legend>{ "kubectl talks to" }</legend>
                { for servers }
            </fieldset>
            <div class="scale row">
                <button aria-label="Scale down" title="kubectl scale deployment web --replicas=N-1"
                    disabled={desired == 0} onclick={scale_to(desired.saturating_sub(1))}>{ "−" }</button>
                <label class="replicas">
                    <span>{ "Replicas" }</span>
                    <input type="number" min="0" max={ha_sim::sim::MAX_REPLICAS.to_string()}
                        value={chosen.to_string()} oninput={on_input} />
                </label>
                <button aria-label="Scale up" title="kubectl scale deployment web --replicas=N+1"
                    disabled={desired >= ha_sim::sim::MAX_REPLICAS}
                    onclick={scale_to(desired + 1)}>{ "+" }</button>
                <button onclick={scale_to(chosen)}>{ "Scale" }</button>
            </div>
            <div class="terminal" role="log" aria-label="kubectl output">
                { for terminal }
            </div>
            <p class="hint">
                { format!("The Deployment asks for {desired}; {} running. ", sim.pods_running()) }
                { "kubectl get pods runs about every second to show whether the API answers." }
            </p>
        </section>
    }
}

/// Where kubectl can point: the load balancer (if there is one) and each master.
pub fn server_choices(sim: &Sim) -> Vec<(String, String)> {
    let mut choices = Vec::new();
    if sim.nodes().iter().any(|n| n.role == NodeRole::LoadBalancer) {
        choices.push((
            "loadbalancer".to_owned(),
            "the load balancer (loadbalancer:6443)".to_owned(),
        ));
    }
    for n in sim.nodes().iter().filter(|n| n.role == NodeRole::Master) {
        choices.push((
            n.name.to_string(),
            format!("{} directly ({}:6443)", n.name, n.name),
        ));
    }
    choices
}

/// One line of the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalLine {
    Command(String),
    Output { text: String, ok: bool },
}

/// The terminal: the last few commands the learner ran with what kubectl
/// printed (or that it is still waiting), then the latest `kubectl get pods`.
pub fn terminal_lines(sim: &Sim, events: &[ha_sim::Event]) -> Vec<TerminalLine> {
    let recent = &events[events.len().saturating_sub(LOOK_BACK)..];
    let mut commands: Vec<TerminalLine> = Vec::new();
    let mut waiting: Option<(String, ha_sim::SimTime)> = None;
    let mut found = 0;
    for e in recent.iter().rev() {
        if found >= COMMANDS_SHOWN {
            break;
        }
        match &e.kind {
            EventKind::KubectlResult { command, ok } => {
                let output = e
                    .message
                    .strip_prefix(&format!("{command}: "))
                    .unwrap_or(&e.message)
                    .to_owned();
                commands.push(TerminalLine::Output {
                    text: output,
                    ok: *ok,
                });
                commands.push(TerminalLine::Command(command.clone()));
                found += 1;
            }
            // A scale with no result after it yet (its message is the command).
            EventKind::Action { action, .. }
                if action == "scale" && found == 0 && waiting.is_none() =>
            {
                waiting = Some((e.message.clone(), e.t));
            }
            _ => {}
        }
    }
    commands.reverse();
    if let Some((command, at)) = waiting {
        commands.push(TerminalLine::Command(command));
        commands.push(TerminalLine::Output {
            text: format!("(waiting for the API server since {})", clock(at)),
            ok: true,
        });
    }
    commands.push(TerminalLine::Command("kubectl get pods".to_owned()));
    match sim.kubectl() {
        Some(k) if k.probe_ok.is_some() => commands.push(TerminalLine::Output {
            text: k.probe_output.clone(),
            ok: k.probe_ok == Some(true),
        }),
        _ => commands.push(TerminalLine::Output {
            text: "(kubectl starts once the cluster is up)".to_owned(),
            ok: true,
        }),
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_sim::{Cluster, SimConfig, SimTime, Target};

    #[test]
    fn the_terminal_shows_a_scale_waiting_then_kubectls_answer() {
        let mut sim = Sim::new(SimConfig::new(1, Cluster::default())).unwrap();
        sim.advance_to(SimTime::from_secs(30));
        let mut events = sim.drain_events();
        sim.apply(&Action::Scale { replicas: 5 }).unwrap();
        events.extend(sim.drain_events());
        let lines = terminal_lines(&sim, &events);
        assert!(lines.contains(&TerminalLine::Command(
            "kubectl scale deployment web --replicas=5".to_owned()
        )));
        assert!(lines.iter().any(
            |l| matches!(l, TerminalLine::Output { text, .. } if text.starts_with("(waiting"))
        ));
        sim.advance_to(SimTime::from_secs(31));
        events.extend(sim.drain_events());
        let lines = terminal_lines(&sim, &events);
        assert!(lines.contains(&TerminalLine::Output {
            text: "deployment.apps/web scaled".to_owned(),
            ok: true
        }));
        assert!(!lines.iter().any(
            |l| matches!(l, TerminalLine::Output { text, .. } if text.starts_with("(waiting"))
        ));
        // Last comes the latest `kubectl get pods`, working.
        assert!(matches!(
            lines.last(),
            Some(TerminalLine::Output { ok: true, .. })
        ));
    }

    #[test]
    fn without_the_load_balancer_kubectl_prints_its_connection_error() {
        let mut sim = Sim::new(SimConfig::new(1, Cluster::default())).unwrap();
        sim.advance_to(SimTime::from_secs(30));
        sim.apply(&Action::KillNode(Target::parse("loadbalancer").unwrap()))
            .unwrap();
        sim.apply(&Action::Scale { replicas: 4 }).unwrap();
        sim.advance_to(SimTime::from_secs(70));
        let events = sim.drain_events();
        let lines = terminal_lines(&sim, &events);
        let errors: Vec<&TerminalLine> = lines
            .iter()
            .filter(|l| matches!(l, TerminalLine::Output { ok: false, .. }))
            .collect();
        // Nothing answers at the load balancer's address: kubectl times out.
        assert_eq!(errors.len(), 2, "the scale and the probe fail: {lines:?}");
        assert!(errors.iter().all(
            |l| matches!(l, TerminalLine::Output { text, .. } if text.starts_with("Unable to connect to the server"))
        ));
        assert_eq!(server_choices(&sim)[0].0, "loadbalancer");
    }
}
