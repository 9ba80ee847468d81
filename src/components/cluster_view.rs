//! The cluster drawing: the learner's laptop, the load balancer, the masters
//! with their processes, the external etcd nodes and the workers with their
//! pods, as one responsive SVG. Every process shows its state in words and in
//! a shape (never colour alone); the links carry moving pulses when messages
//! cross them, thinned so that the eye can follow (none with reduced motion).
//! Clicking a node or a process (or pressing Enter on it) selects it for the
//! inspector.

use ha_sim::sorted::SortedMap;

use ha_sim::sim::Power;
use ha_sim::{NodeRole, ProcessKind, Sim, SimDuration, SimTime};
use yew::prelude::*;

use crate::state::{LabAction, Selection, use_lab};
use crate::view::{Shape, Status, process_status, seconds_until};

/// Draws the lab's cluster as it is now.
#[function_component(ClusterView)]
pub fn cluster_view() -> Html {
    let lab = use_lab();
    let columns = use_columns();
    let pulses = use_mut_ref(SortedMap::<(usize, usize), Pulse>::new);
    use_effect_with((), |()| {
        // The end-to-end check of "time to cluster drawn" reads this mark.
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark("cluster-drawn");
        }
    });

    let l = lab.lab.borrow();
    let sim = &l.sim;
    let layout = Layout::of(sim, columns);
    let links = layout.links(sim);
    let animate = lab.playing && !lab.reduced_motion;
    let wall_ms = wall_clock_ms();
    let moving = if animate {
        update_pulses(&mut pulses.borrow_mut(), sim, &links, wall_ms)
    } else {
        pulses.borrow_mut().clear();
        Vec::new()
    };

    let select = {
        let lab = lab.clone();
        Callback::from(move |s: Selection| {
            let again = lab.selected == Some(s);
            lab.dispatch(LabAction::Select((!again).then_some(s)));
        })
    };
    let link_paths = links.iter().filter(|l| l.drawn).map(|link| {
        let class = classes!(
            "link",
            link.class,
            (!link.reachable).then_some("cut"),
            (lab.reduced_motion && recently_used(sim, link)).then_some("busy")
        );
        html! { <polyline class={class} points={points_attr(&link.path)} /> }
    });
    let cuts = links
        .iter()
        .filter(|l| !l.reachable && !l.path.is_empty())
        .map(|link| {
            let (x, y) = link.path[link.path.len() - 1];
            html! {
                <g class="cut-mark" transform={format!("translate({} {})", fmt1(x), fmt1(y - 10.0))}>
                    <text text-anchor="middle">{ "✕ cut" }</text>
                </g>
            }
        });
    let pulse_dots = moving.iter().map(|(_, x, y, class)| {
        html! { <circle class={classes!("pulse", *class)} cx={fmt1(*x)} cy={fmt1(*y)} r="5" /> }
    });
    let boxes = layout
        .boxes
        .iter()
        .map(|b| node_box(sim, b, lab.selected, &select));
    html! {
        <figure class="cluster-view">
            <svg class="cluster" role="group" aria-label="Cluster"
                viewBox={format!("0 0 {} {}", fmt1(layout.width), fmt1(layout.height))}
                preserveAspectRatio="xMidYMin meet">
                <g class="links" aria-hidden="true">{ for link_paths }</g>
                { for boxes }
                <g class="cuts" aria-hidden="true">{ for cuts }</g>
                <g class="pulses" aria-hidden="true">{ for pulse_dots }</g>
            </svg>
            <figcaption>{ caption(sim) }</figcaption>
        </figure>
    }
}

/// How many nodes fit side by side: fewer on a phone, so that the text
/// stays readable. Follows the window's width.
#[hook]
fn use_columns() -> usize {
    let columns = use_state(window_columns);
    {
        let columns = columns.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                gloo_events::EventListener::new(&window, "resize", move |_| {
                    columns.set(window_columns());
                })
            });
            move || drop(listener)
        });
    }
    *columns
}

fn window_columns() -> usize {
    let width = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(1280.0);
    columns_for_width(width)
}

/// Nodes per row for a window `width` CSS pixels wide.
pub fn columns_for_width(width: f64) -> usize {
    if width < 480.0 {
        1
    } else if width < 640.0 {
        2
    } else if width < 900.0 {
        3
    } else {
        7
    }
}

fn wall_clock_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

// ---- layout ---------------------------------------------------------------

const NODE_WIDTH: f64 = 216.0;
const GAP: f64 = 24.0;
const MARGIN: f64 = 14.0;
/// Room on the right for the bus from the workers to the load balancer.
const BUS_ROOM: f64 = 28.0;
const ROW_GAP: f64 = 56.0;
const HEADER: f64 = 46.0;
const ROW: f64 = 36.0;
const POD_ROW: f64 = 26.0;
const PODS_PER_ROW: usize = 3;
const MAX_PODS_SHOWN: usize = 9;

/// Where every node sits, in SVG user units.
#[derive(Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub boxes: Vec<NodeBox>,
}

/// One node's box, with the rows inside it.
#[derive(Debug, PartialEq)]
pub struct NodeBox {
    /// The node's index in the simulation.
    pub node: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The processes drawn inside, each with its row's top (relative).
    pub rows: Vec<(usize, f64)>,
    /// Extra lines below the processes (backends, pods), relative top.
    pub extra_top: f64,
}

impl NodeBox {
    fn centre_x(&self) -> f64 {
        self.x + self.width / 2.0
    }

    fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// The middle of the row of process `proc`, if drawn here.
    fn row_y(&self, proc: usize) -> Option<f64> {
        self.rows
            .iter()
            .find(|(p, _)| *p == proc)
            .map(|(_, top)| self.y + top + ROW / 2.0)
    }
}

/// A line a message can travel along.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The processes at each end (the pulse goes from the one that sent last).
    pub a: usize,
    pub b: usize,
    /// From `a`'s end to `b`'s end.
    pub path: Vec<(f64, f64)>,
    /// `link-client`, `link-check`, `link-raft`, `link-etcd`, `link-local`.
    pub class: &'static str,
    /// Whether the network lets the two nodes talk (a partition cuts it).
    pub reachable: bool,
    /// Drawn as a line (false: a hop inside a node, shown only by pulses).
    pub drawn: bool,
}

impl Layout {
    /// Lays out the nodes of `sim` in rows (laptop and load balancer,
    /// masters, etcd nodes, workers), at most `columns` nodes per row.
    pub fn of(sim: &Sim, columns: usize) -> Layout {
        let columns = columns.max(1);
        let by_role = |role: NodeRole| -> Vec<usize> {
            (0..sim.nodes().len())
                .filter(|&n| sim.nodes()[n].role == role)
                .collect()
        };
        let mut top_row = by_role(NodeRole::Laptop);
        top_row.extend(by_role(NodeRole::LoadBalancer));
        let rows: Vec<Vec<usize>> = [
            top_row,
            by_role(NodeRole::Master),
            by_role(NodeRole::Etcd),
            by_role(NodeRole::Worker),
        ]
        .into_iter()
        .flat_map(|row| {
            row.chunks(columns)
                .map(<[usize]>::to_vec)
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
        let widest = rows.iter().map(Vec::len).max().unwrap_or(1) as f64;
        let content = widest * NODE_WIDTH + (widest - 1.0) * GAP;
        let width = 2.0 * MARGIN + content + BUS_ROOM;

        let mut boxes = Vec::new();
        let mut y = MARGIN;
        for row in rows {
            let count = row.len() as f64;
            let row_width = count * NODE_WIDTH + (count - 1.0) * GAP;
            let shaped: Vec<BoxShape> = row.iter().map(|&n| box_shape(sim, n)).collect();
            let height = shaped.iter().map(|s| s.3).fold(0.0, f64::max);
            let mut x = MARGIN + (content - row_width) / 2.0;
            for (node, rows, extra_top, _) in shaped {
                boxes.push(NodeBox {
                    node,
                    x,
                    y,
                    width: NODE_WIDTH,
                    height,
                    rows,
                    extra_top,
                });
                x += NODE_WIDTH + GAP;
            }
            y += height + ROW_GAP;
        }
        Layout {
            width,
            height: y - ROW_GAP + MARGIN,
            boxes,
        }
    }

    fn box_of(&self, node: usize) -> Option<&NodeBox> {
        self.boxes.iter().find(|b| b.node == node)
    }

    fn box_of_proc(&self, sim: &Sim, proc: usize) -> Option<&NodeBox> {
        self.box_of(sim.processes()[proc].node)
    }

    /// The links of the cluster as kubeadm wires it: kubectl and the
    /// workers' kubelets to the load balancer (or a master), the load
    /// balancer to every API server, API servers to etcd, etcd members to
    /// each other, and inside a master the hops from the controller-manager
    /// and scheduler to their own API server.
    pub fn links(&self, sim: &Sim) -> Vec<Link> {
        let wiring = sim.wiring();
        let mut links = Vec::new();
        let reach =
            |a: usize, b: usize| sim.can_reach(sim.processes()[a].node, sim.processes()[b].node);
        let top_entry = |b: &NodeBox| (b.centre_x(), b.y);
        let bus_x = self.width - MARGIN - BUS_ROOM / 2.0;

        // kubectl on the laptop, to wherever it points.
        let kubectl =
            (0..sim.processes().len()).find(|&p| sim.processes()[p].kind == ProcessKind::Kubectl);
        if let (Some(kubectl), Some((server, _))) =
            (kubectl, wiring.kubectl_endpoint(sim.kubectl_server()))
            && let (Some(from), Some(to)) = (
                self.box_of_proc(sim, kubectl),
                self.box_of_proc(sim, server),
            )
        {
            let path = if (from.y - to.y).abs() < 1.0 {
                vec![(from.x + from.width, from.y + 30.0), (to.x, to.y + 30.0)]
            } else {
                let mid = to.y - ROW_GAP / 2.0 + 6.0;
                vec![
                    (from.centre_x(), from.bottom()),
                    (from.centre_x(), mid),
                    (to.centre_x() - 10.0, mid),
                    (to.centre_x() - 10.0, to.y),
                ]
            };
            links.push(Link {
                a: kubectl,
                b: server,
                path,
                class: "link-client",
                reachable: reach(kubectl, server),
                drawn: true,
            });
        }

        // The load balancer to every API server.
        if let Some(haproxy) = wiring.haproxy
            && let Some(lb) = self.box_of_proc(sim, haproxy)
        {
            for &(api, _) in &wiring.apiservers {
                if let Some(master) = self.box_of_proc(sim, api) {
                    let mid = master.y - ROW_GAP / 2.0;
                    links.push(Link {
                        a: haproxy,
                        b: api,
                        path: vec![
                            (lb.centre_x(), lb.bottom()),
                            (lb.centre_x(), mid),
                            (master.centre_x(), mid),
                            top_entry(master),
                        ],
                        class: "link-check",
                        reachable: reach(haproxy, api),
                        drawn: true,
                    });
                }
            }
        }

        // The workers' kubelets to the cluster endpoint, along a bus on the right.
        if let Some((endpoint, _)) = wiring.cluster_endpoint()
            && let Some(target) = self.box_of_proc(sim, endpoint)
        {
            for b in self
                .boxes
                .iter()
                .filter(|b| sim.nodes()[b.node].role == NodeRole::Worker)
            {
                let Some(kubelet) = sim.process_id(b.node, ProcessKind::Kubelet) else {
                    continue;
                };
                let above = b.y - 10.0;
                let entry = if sim.nodes()[target.node].role == NodeRole::LoadBalancer {
                    vec![
                        (bus_x, target.y + target.height / 2.0),
                        (target.x + target.width, target.y + target.height / 2.0),
                    ]
                } else {
                    vec![
                        (bus_x, target.y - 12.0),
                        (target.centre_x() + 10.0, target.y - 12.0),
                        (target.centre_x() + 10.0, target.y),
                    ]
                };
                let mut path = vec![(b.centre_x(), b.y), (b.centre_x(), above), (bus_x, above)];
                path.extend(entry);
                links.push(Link {
                    a: kubelet,
                    b: endpoint,
                    path,
                    class: "link-client",
                    reachable: reach(kubelet, endpoint),
                    drawn: true,
                });
            }
        }

        // API servers to etcd: inside the node when stacked, to every
        // external member otherwise.
        for &(api, _) in &wiring.apiservers {
            let Some(master) = self.box_of_proc(sim, api) else {
                continue;
            };
            for &member in wiring.etcd_members.iter() {
                let Some(etcd) = self.box_of_proc(sim, member) else {
                    continue;
                };
                if etcd.node == master.node {
                    if let (Some(y1), Some(y2)) = (master.row_y(api), master.row_y(member)) {
                        links.push(hop(api, member, master.x + 7.0, y1, y2));
                    }
                } else if !wiring.stacked {
                    let mid = etcd.y - ROW_GAP / 2.0;
                    links.push(Link {
                        a: api,
                        b: member,
                        path: vec![
                            (master.centre_x() - 20.0, master.bottom()),
                            (master.centre_x() - 20.0, mid),
                            (etcd.centre_x(), mid),
                            (etcd.centre_x(), etcd.y),
                        ],
                        class: "link-etcd",
                        reachable: reach(api, member),
                        drawn: true,
                    });
                }
            }
        }

        // etcd members to each other (Raft), along a bus under their row.
        let members: Vec<usize> = wiring.etcd_members.iter().copied().collect();
        for (i, &m1) in members.iter().enumerate() {
            for &m2 in &members[i + 1..] {
                let (Some(b1), Some(b2)) = (self.box_of_proc(sim, m1), self.box_of_proc(sim, m2))
                else {
                    continue;
                };
                let y1 = b1.bottom();
                let y2 = b2.bottom();
                let below = y1.max(y2) + 14.0 + (i as f64) * 4.0;
                let path = vec![
                    (b1.centre_x() + 20.0, y1),
                    (b1.centre_x() + 20.0, below),
                    (b2.centre_x() + 20.0, below),
                    (b2.centre_x() + 20.0, y2),
                ];
                links.push(Link {
                    a: m1,
                    b: m2,
                    path,
                    class: "link-raft",
                    reachable: reach(m1, m2),
                    drawn: true,
                });
            }
        }

        // Inside a master: the controller-manager and the scheduler talk
        // to their own API server only (kubeadm's kubeconfigs).
        for b in &self.boxes {
            let Some(&api) = wiring.local_apiserver.get(b.node).and_then(Option::as_ref) else {
                continue;
            };
            for kind in [
                ProcessKind::KubeControllerManager,
                ProcessKind::KubeScheduler,
            ] {
                if let Some(p) = sim.process_id(b.node, kind)
                    && let (Some(y1), Some(y2)) = (b.row_y(p), b.row_y(api))
                {
                    links.push(hop(p, api, b.x + 7.0, y1, y2));
                }
            }
        }
        links
    }
}

/// A hop between two rows of one node's box, along its left edge.
fn hop(a: usize, b: usize, x: f64, y1: f64, y2: f64) -> Link {
    Link {
        a,
        b,
        path: vec![(x, y1), (x - 12.0, y1), (x - 12.0, y2), (x, y2)],
        class: "link-local",
        reachable: true,
        drawn: false,
    }
}

/// A node, the processes its box lists with their rows' tops, where the
/// extra lines start, and the box's height.
type BoxShape = (usize, Vec<(usize, f64)>, f64, f64);

fn box_shape(sim: &Sim, node: usize) -> BoxShape {
    let n = &sim.nodes()[node];
    let order = [
        ProcessKind::Kubectl,
        ProcessKind::Haproxy,
        ProcessKind::KubeApiserver,
        ProcessKind::KubeControllerManager,
        ProcessKind::KubeScheduler,
        ProcessKind::Etcd,
        ProcessKind::Kubelet,
    ];
    let mut rows = Vec::new();
    let mut top = HEADER;
    for kind in order {
        if let Some(p) = n
            .processes
            .iter()
            .copied()
            .find(|&p| sim.processes()[p].kind == kind)
        {
            rows.push((p, top));
            top += ROW;
        }
    }
    let extra_top = top;
    let extra = match n.role {
        NodeRole::LoadBalancer => sim.wiring().apiservers.len() as f64 * 20.0 + 6.0,
        NodeRole::Worker => {
            let shown = sim.config().replicas.clamp(1, MAX_PODS_SHOWN as u32) as usize;
            20.0 + shown.div_ceil(PODS_PER_ROW) as f64 * POD_ROW
        }
        NodeRole::Laptop => 24.0,
        NodeRole::Master | NodeRole::Etcd => 4.0,
    };
    (node, rows, extra_top, top + extra + 6.0)
}

// ---- drawing ----------------------------------------------------------------

fn node_box(
    sim: &Sim,
    b: &NodeBox,
    selected: Option<Selection>,
    select: &Callback<Selection>,
) -> Html {
    let node = &sim.nodes()[b.node];
    let name = node.name.to_string();
    let (power_words, power_class) = match node.power {
        Power::On => (node.role.description().to_owned(), None),
        Power::Off => ("powered off".to_owned(), Some("off")),
        Power::Booting { until } => (
            format!("booting, up in {}s", seconds_until(sim.now(), until)),
            Some("booting"),
        ),
    };
    let role_class = match node.role {
        NodeRole::LoadBalancer => "node-loadbalancer",
        NodeRole::Master => "node-master",
        NodeRole::Etcd => "node-etcd",
        NodeRole::Worker => "node-worker",
        NodeRole::Laptop => "node-laptop",
    };
    let node_selected = selected == Some(Selection::Node(b.node));
    let header = selectable(
        Selection::Node(b.node),
        format!("{name} {power_words}"),
        node_selected,
        select,
        html! {
            <>
                <rect class="hit" width={fmt1(b.width)} height={fmt1(HEADER - 4.0)} rx="10" />
                // One text with a space between its lines, so that its
                // text reads as the name does ("master-1 control-plane node").
                <text>
                    <tspan class="node-name" x="14" y="22">{ &name }</tspan>
                    { " " }
                    <tspan class="node-role" x="14" y="38">{ &power_words }</tspan>
                </text>
            </>
        },
    );
    let rows = b.rows.iter().map(|&(proc, top)| {
        let status = process_status(sim, proc);
        let kind = sim.processes()[proc].kind;
        // The visible text first, so that the name contains it (speech input).
        let label = format!("{} {} on {name}", kind.name(), status.words);
        let is_selected = selected == Some(Selection::Process(proc));
        selectable(
            Selection::Process(proc),
            label,
            is_selected,
            select,
            html! {
                <g transform={format!("translate(0 {})", fmt1(top))}>
                    <rect class="hit" x="4" width={fmt1(b.width - 8.0)} height={fmt1(ROW - 2.0)} rx="6" />
                    { marker(&status, 18.0, ROW / 2.0) }
                    <text>
                        <tspan class="process" x="32" y="14">{ kind.name() }</tspan>
                        { " " }
                        <tspan class={classes!("process-state", status.shape.class())} x="32" y="29">
                            { &status.words }
                        </tspan>
                    </text>
                </g>
            },
        )
    });
    let extra = extra_lines(sim, b);
    html! {
        <g class={classes!("node", role_class, power_class, node_selected.then_some("selected"))}
            role="group" aria-label={name.clone()}
            aria-roledescription={node.role.description()}
            transform={format!("translate({} {})", fmt1(b.x), fmt1(b.y))}>
            <rect class="frame" width={fmt1(b.width)} height={fmt1(b.height)} rx="10" />
            { header }
            { for rows }
            { extra }
        </g>
    }
}

/// A part of the drawing that selects something when clicked, or on Enter
/// or Space from the keyboard.
fn selectable(
    what: Selection,
    label: String,
    selected: bool,
    select: &Callback<Selection>,
    content: Html,
) -> Html {
    let onclick = {
        let select = select.clone();
        Callback::from(move |_: MouseEvent| select.emit(what))
    };
    let onkeydown = {
        let select = select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                select.emit(what);
            }
        })
    };
    html! {
        <g class={classes!("selectable", selected.then_some("selected"))} role="button" tabindex="0"
            aria-label={label} aria-pressed={if selected { "true" } else { "false" }}
            {onclick} {onkeydown}>
            { content }
        </g>
    }
}

/// The state marker: filled, hollow, half, paused bars or a cross.
fn marker(status: &Status, cx: f64, cy: f64) -> Html {
    let class = classes!("marker", status.shape.class());
    match status.shape {
        Shape::Filled | Shape::Hollow => {
            html! { <circle class={class} cx={fmt1(cx)} cy={fmt1(cy)} r="6" /> }
        }
        Shape::Half => html! {
            <g class={class}>
                <circle class="ring" cx={fmt1(cx)} cy={fmt1(cy)} r="6" />
                <path d={format!("M{} {}a6 6 0 0 1 0 12z", fmt1(cx), fmt1(cy - 6.0))} />
            </g>
        },
        Shape::Paused => html! {
            <g class={class}>
                <rect x={fmt1(cx - 5.0)} y={fmt1(cy - 6.0)} width="3.5" height="12" />
                <rect x={fmt1(cx + 1.5)} y={fmt1(cy - 6.0)} width="3.5" height="12" />
            </g>
        },
        Shape::Cross => html! {
            <path class={class}
                d={format!("M{} {}l10 10m0 -10l-10 10", fmt1(cx - 5.0), fmt1(cy - 5.0))} />
        },
    }
}

/// What a node shows below its processes: the load balancer's backends,
/// a worker's Ready condition and pods, where kubectl points.
fn extra_lines(sim: &Sim, b: &NodeBox) -> Html {
    let node = &sim.nodes()[b.node];
    let top = b.extra_top;
    match node.role {
        NodeRole::LoadBalancer => {
            let backends: Vec<(String, Option<bool>)> = match sim.haproxy() {
                Some(lb) => lb
                    .backends
                    .iter()
                    .map(|be| (be.name.to_string(), Some(be.up)))
                    .collect(),
                None => sim
                    .wiring()
                    .apiservers
                    .iter()
                    .map(|(_, n)| (n.to_string(), None))
                    .collect(),
            };
            let lines = backends.iter().enumerate().map(|(i, (name, up))| {
                let (words, class) = match up {
                    Some(true) => ("UP", "up"),
                    Some(false) => ("DOWN", "down"),
                    None => ("unknown (HAProxy not running)", "unknown"),
                };
                html! {
                    <text class={classes!("backend", class)} x="32" y={fmt1(top + 14.0 + i as f64 * 20.0)}>
                        { format!("backend {name}: {words}") }
                    </text>
                }
            });
            html! { <g class="backends">{ for lines }</g> }
        }
        NodeRole::Worker => worker_lines(sim, b),
        NodeRole::Laptop => html! {
            <text class="detail" x="32" y={fmt1(top + 14.0)}>
                { format!("server: {}:6443", sim.kubectl_server()) }
            </text>
        },
        NodeRole::Master | NodeRole::Etcd => html! {},
    }
}

fn worker_lines(sim: &Sim, b: &NodeBox) -> Html {
    let node = &sim.nodes()[b.node];
    let top = b.extra_top;
    let ready = sim
        .stored_object(&ha_sim::kube::objects::ObjectKey::new(
            ha_sim::kube::objects::Kind::Node,
            "",
            &node.name,
        ))
        .and_then(|(o, _)| match o {
            ha_sim::kube::objects::Object::Node(n) => Some(n.ready.as_str()),
            _ => None,
        });
    // The Ready condition as the API stores it (the node lifecycle
    // controller sets it to Unknown when the kubelet stops reporting).
    let ready_words = match ready {
        Some(r) => format!("Ready={r}"),
        None => "not registered".to_owned(),
    };
    let pods: Vec<String> = if node.power == Power::On {
        sim.containers(b.node)
            .keys()
            .map(|name| name.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let shown = pods
        .iter()
        .take(MAX_PODS_SHOWN)
        .enumerate()
        .map(|(i, pod)| {
            let x = 12.0 + (i % PODS_PER_ROW) as f64 * 66.0;
            let y = top + 24.0 + (i / PODS_PER_ROW) as f64 * POD_ROW;
            let short = pod.rsplit('-').next().unwrap_or(pod);
            html! {
                <g class="pod" transform={format!("translate({} {})", fmt1(x), fmt1(y))}>
                    <title>{ format!("pod {pod}: Running") }</title>
                    <rect width="60" height="20" rx="10" />
                    <text x="30" y="14" text-anchor="middle">{ short }</text>
                </g>
            }
        });
    let more = (pods.len() > MAX_PODS_SHOWN).then(|| {
        html! {
            <text class="detail" x="14" y={fmt1(b.height - 8.0)}>
                { format!("+{} more", pods.len() - MAX_PODS_SHOWN) }
            </text>
        }
    });
    html! {
        <g class="worker-detail">
            <text class="detail" x="14" y={fmt1(top + 12.0)}>
                { format!("{ready_words} · {} pod{} running", pods.len(), if pods.len() == 1 { "" } else { "s" }) }
            </text>
            { for shown }
            { for more }
        </g>
    }
}

fn caption(sim: &Sim) -> String {
    let cluster = &sim.config().cluster;
    let etcd = match cluster.etcd {
        ha_sim::EtcdTopology::Stacked => "stacked etcd".to_owned(),
        ha_sim::EtcdTopology::External { members } => format!("{members} external etcd nodes"),
    };
    let lb = if cluster.load_balancer {
        "A load balancer, "
    } else {
        "No load balancer, "
    };
    let quorum = if sim.etcd_has_quorum() {
        "etcd has quorum"
    } else {
        "etcd has lost quorum"
    };
    format!(
        "{lb}{} master{} with {etcd}, {} worker{}. {quorum}; {} of {} pods running.",
        cluster.masters,
        if cluster.masters == 1 { "" } else { "s" },
        cluster.workers,
        if cluster.workers == 1 { "" } else { "s" },
        sim.pods_running(),
        sim.pods_desired()
    )
}

// ---- pulses -----------------------------------------------------------------

/// How long a pulse takes to cross a link, in real milliseconds: slow
/// enough to follow, whatever the speed of play.
const PULSE_MS: f64 = 650.0;
/// A new pulse starts on a link at most this often (the thinning).
const PULSE_EVERY_MS: f64 = 900.0;

/// One link's pulse: the last message it showed, and when (wall clock).
#[derive(Clone, Debug)]
struct Pulse {
    last_shown: SimTime,
    started_ms: f64,
    forward: bool,
}

/// Starts pulses for links that carried a message since the last one, and
/// returns where every moving pulse is now.
fn update_pulses(
    pulses: &mut SortedMap<(usize, usize), Pulse>,
    sim: &Sim,
    links: &[Link],
    wall_ms: f64,
) -> Vec<(usize, f64, f64, &'static str)> {
    let now = sim.now();
    let mut moving = Vec::new();
    for (index, link) in links.iter().enumerate() {
        let ab = sim.last_message(link.a, link.b).min(now);
        let ba = sim.last_message(link.b, link.a).min(now);
        let latest = ab.max(ba);
        let pulse = pulses.get_or_insert_with((link.a, link.b), || Pulse {
            last_shown: latest,
            started_ms: f64::NEG_INFINITY,
            forward: true,
        });
        if latest < pulse.last_shown {
            // The learner went back in time.
            pulse.last_shown = latest;
        }
        if latest > pulse.last_shown && wall_ms - pulse.started_ms >= PULSE_EVERY_MS {
            pulse.last_shown = latest;
            pulse.started_ms = wall_ms;
            pulse.forward = ab >= ba;
        }
        let progress = (wall_ms - pulse.started_ms) / PULSE_MS;
        if (0.0..1.0).contains(&progress) && link.reachable {
            let f = if pulse.forward {
                progress
            } else {
                1.0 - progress
            };
            let (x, y) = along(&link.path, f);
            moving.push((index, x, y, link.class));
        }
    }
    moving
}

/// Whether a link carried a message in the last simulated second (drawn
/// thicker instead of pulses when motion is reduced).
fn recently_used(sim: &Sim, link: &Link) -> bool {
    let now = sim.now();
    let since = now.saturating_sub(SimDuration::from_secs(1));
    let last = sim
        .last_message(link.a, link.b)
        .max(sim.last_message(link.b, link.a));
    last > since && last <= now && last > SimTime::ZERO
}

/// The point at fraction `f` (0 to 1) of the way along a polyline.
pub fn along(path: &[(f64, f64)], f: f64) -> (f64, f64) {
    let lengths: Vec<f64> = path
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .collect();
    let total: f64 = lengths.iter().sum();
    let mut left = f.clamp(0.0, 1.0) * total;
    for (i, len) in lengths.iter().enumerate() {
        if left <= *len && *len > 0.0 {
            let t = left / len;
            let (a, b) = (path[i], path[i + 1]);
            return (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        }
        left -= len;
    }
    path.last().copied().unwrap_or((0.0, 0.0))
}

fn points_attr(path: &[(f64, f64)]) -> String {
    path.iter()
        .map(|(x, y)| format!("{},{}", fmt1(*x), fmt1(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A coordinate with at most one decimal, for compact SVG.
fn fmt1(v: f64) -> String {
    crate::view::decimal_text(v, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_sim::{Action, Cluster, EtcdTopology, SimConfig};

    fn sim(cluster: Cluster) -> Sim {
        let mut sim = Sim::new(SimConfig::new(1, cluster)).unwrap();
        sim.advance_to(SimTime::from_secs(25));
        sim
    }

    fn overlaps(a: &NodeBox, b: &NodeBox) -> bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }

    #[test]
    fn every_node_gets_a_box_inside_the_drawing_and_no_two_overlap() {
        for masters in 1..=7 {
            for etcd in [EtcdTopology::Stacked, EtcdTopology::External { members: 5 }] {
                for columns in [1, 2, 3, 7] {
                    let s = sim(Cluster {
                        masters,
                        etcd,
                        workers: 5,
                        load_balancer: true,
                    });
                    let layout = Layout::of(&s, columns);
                    assert_eq!(layout.boxes.len(), s.nodes().len());
                    for (i, a) in layout.boxes.iter().enumerate() {
                        let name = &s.nodes()[a.node].name;
                        assert!(a.x >= 0.0 && a.x + a.width <= layout.width, "{name}");
                        assert!(a.y >= 0.0 && a.y + a.height <= layout.height, "{name}");
                        for b in &layout.boxes[i + 1..] {
                            assert!(
                                !overlaps(a, b),
                                "{name} overlaps {}",
                                s.nodes()[b.node].name
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn links_follow_kubeadms_wiring() {
        let s = sim(Cluster::default());
        let layout = Layout::of(&s, 7);
        let links = layout.links(&s);
        let name = |p: usize| s.processes()[p].name.to_string();
        let drawn: Vec<(String, String)> = links
            .iter()
            .filter(|l| l.drawn)
            .map(|l| (name(l.a), name(l.b)))
            .collect();
        // kubectl and both workers' kubelets go through the load balancer,
        // which checks every API server; the etcd members talk to each other.
        for (a, b) in [
            ("laptop/kubectl", "loadbalancer/haproxy"),
            ("worker-1/kubelet", "loadbalancer/haproxy"),
            ("worker-2/kubelet", "loadbalancer/haproxy"),
            ("loadbalancer/haproxy", "master-1/kube-apiserver"),
            ("loadbalancer/haproxy", "master-3/kube-apiserver"),
            ("master-1/etcd", "master-2/etcd"),
            ("master-2/etcd", "master-3/etcd"),
        ] {
            assert!(
                drawn.contains(&(a.to_owned(), b.to_owned())),
                "{a} → {b} in {drawn:?}"
            );
        }
        assert_eq!(drawn.len(), 1 + 2 + 3 + 3);
        // The controller-manager talks to its own API server only.
        let kcm_hops: Vec<(String, String)> = links
            .iter()
            .filter(|l| name(l.a).ends_with("kube-controller-manager"))
            .map(|l| (name(l.a), name(l.b)))
            .collect();
        assert_eq!(
            kcm_hops,
            (1..=3)
                .map(|m| (
                    format!("master-{m}/kube-controller-manager"),
                    format!("master-{m}/kube-apiserver")
                ))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_partition_cuts_exactly_the_links_between_groups() {
        let mut s = sim(Cluster::default());
        s.apply(&Action::Partition(vec![
            vec!["master-1".into()],
            vec![
                "master-2".into(),
                "master-3".into(),
                "loadbalancer".into(),
                "laptop".into(),
                "worker-1".into(),
                "worker-2".into(),
            ],
        ]))
        .unwrap();
        let layout = Layout::of(&s, 7);
        let name = |p: usize| s.processes()[p].name.to_string();
        for link in layout.links(&s) {
            let touches_master_1 =
                name(link.a).starts_with("master-1/") != name(link.b).starts_with("master-1/");
            assert_eq!(
                !link.reachable,
                touches_master_1,
                "{} → {}",
                name(link.a),
                name(link.b)
            );
        }
    }

    #[test]
    fn external_etcd_links_every_api_server_to_every_member() {
        let s = sim(Cluster {
            masters: 2,
            etcd: EtcdTopology::External { members: 3 },
            workers: 1,
            load_balancer: false,
        });
        let layout = Layout::of(&s, 7);
        let etcd_links = layout
            .links(&s)
            .into_iter()
            .filter(|l| l.class == "link-etcd")
            .count();
        assert_eq!(etcd_links, 2 * 3);
    }

    #[test]
    fn a_pulse_moves_from_the_sender_and_is_thinned() {
        let mut s = sim(Cluster::default());
        let layout = Layout::of(&s, 7);
        let links = layout.links(&s);
        let mut pulses = SortedMap::new();
        // The first look only remembers what has been sent so far.
        assert!(update_pulses(&mut pulses, &s, &links, 0.0).is_empty());
        s.advance_by(SimDuration::from_secs(3));
        let first = update_pulses(&mut pulses, &s, &links, 1_000.0);
        assert!(!first.is_empty(), "three seconds of traffic show pulses");
        // 100 ms of wall time later, the same pulses have moved on, and no
        // link has started a second one (links that were quiet may start).
        let started_first: Vec<(usize, usize)> = pulses
            .iter()
            .filter(|(_, p)| p.started_ms == 1_000.0)
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(started_first.len(), first.len());
        s.advance_by(SimDuration::from_secs(1));
        let later = update_pulses(&mut pulses, &s, &links, 1_100.0);
        assert!(later.len() >= first.len());
        assert!(
            started_first
                .iter()
                .all(|k| pulses.get(k).is_some_and(|p| p.started_ms == 1_000.0))
        );
        assert!(
            first.iter().all(|p| !later.contains(p)),
            "every pulse moved"
        );
        // When they have crossed, they are gone until the next message.
        let crossed = update_pulses(&mut pulses, &s, &links, 1_000.0 + PULSE_MS + 1.0);
        assert!(first.iter().all(|p| crossed.iter().all(|c| c.0 != p.0)));
    }

    #[test]
    fn along_a_path_goes_from_one_end_to_the_other() {
        let path = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
        assert_eq!(along(&path, 0.0), (0.0, 0.0));
        assert_eq!(along(&path, 0.5), (10.0, 0.0));
        assert_eq!(along(&path, 0.75), (10.0, 5.0));
        assert_eq!(along(&path, 1.0), (10.0, 10.0));
    }

    #[test]
    fn phones_get_one_column_and_wide_screens_all() {
        assert_eq!(columns_for_width(360.0), 1);
        assert_eq!(columns_for_width(600.0), 2);
        assert_eq!(columns_for_width(800.0), 3);
        assert_eq!(columns_for_width(1400.0), 7);
    }
}
