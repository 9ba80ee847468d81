//! The cluster drawing: the load balancer, the masters with their processes,
//! the external etcd nodes and the workers, as one responsive SVG.

use ha_sim::{Cluster, NodeRole, NodeSpec};
use yew::prelude::*;

/// Properties of [`ClusterView`].
#[derive(Properties, PartialEq)]
pub struct ClusterViewProps {
    /// The cluster to draw.
    pub cluster: Cluster,
}

/// Draws every node of a cluster; each node is an SVG group named after the
/// node, so that a screen reader (or a test) finds it as "master-1".
#[function_component(ClusterView)]
pub fn cluster_view(props: &ClusterViewProps) -> Html {
    let layout = Layout::of(&props.cluster);
    let links = layout.links.iter().map(|&(from, to)| {
        let (a, b) = (&layout.boxes[from], &layout.boxes[to]);
        html! {
            <line class="link"
                x1={(a.x + a.width / 2).to_string()} y1={(a.y + a.height).to_string()}
                x2={(b.x + b.width / 2).to_string()} y2={b.y.to_string()} />
        }
    });
    let nodes = layout.boxes.iter().map(node_group);
    html! {
        <figure class="cluster-view">
            <svg class="cluster" role="group" aria-label="Cluster"
                viewBox={format!("0 0 {} {}", layout.width, layout.height)}
                preserveAspectRatio="xMidYMin meet">
                <g aria-hidden="true">{ for links }</g>
                { for nodes }
            </svg>
            <figcaption>{ caption(&props.cluster) }</figcaption>
        </figure>
    }
}

fn node_group(node_box: &NodeBox) -> Html {
    let NodeBox {
        node,
        x,
        y,
        width,
        height,
    } = node_box;
    let class = match node.role {
        NodeRole::LoadBalancer => "node node-loadbalancer",
        NodeRole::Master => "node node-master",
        NodeRole::Etcd => "node node-etcd",
        NodeRole::Worker => "node node-worker",
        NodeRole::Laptop => "node node-laptop",
    };
    let processes = process_lines(node).into_iter().enumerate().map(|(i, name)| {
        html! {
            <text class="process" x="12" y={(PROCESS_TOP + i as i32 * LINE).to_string()}>{ name }</text>
        }
    });
    html! {
        <g class={class} role="group" aria-label={node.name.clone()}
            aria-roledescription={node.role.description()}
            transform={format!("translate({x} {y})")}>
            <rect width={width.to_string()} height={height.to_string()} rx="10" />
            <text class="node-name" x="12" y="24">{ &node.name }</text>
            <text class="node-role" x="12" y="42">{ node.role.description() }</text>
            { for processes }
        </g>
    }
}

/// The processes worth naming inside a node's box: the control-plane ones.
/// (Every node also runs a kubelet; the load balancer's HAProxy is its role.)
fn process_lines(node: &NodeSpec) -> Vec<&'static str> {
    match node.role {
        NodeRole::Master | NodeRole::Etcd => node
            .processes
            .iter()
            .filter(|p| **p != ha_sim::ProcessKind::Kubelet)
            .map(|p| p.name())
            .collect(),
        NodeRole::LoadBalancer | NodeRole::Worker | NodeRole::Laptop => Vec::new(),
    }
}

fn caption(cluster: &Cluster) -> String {
    let etcd = match cluster.etcd {
        ha_sim::EtcdTopology::Stacked => "stacked etcd".to_owned(),
        ha_sim::EtcdTopology::External { members } => format!("{members} external etcd nodes"),
    };
    let lb = if cluster.load_balancer {
        "A load balancer, "
    } else {
        ""
    };
    format!(
        "{lb}{} masters with {etcd}, {} workers",
        cluster.masters, cluster.workers
    )
}

const NODE_WIDTH: i32 = 200;
const GAP: i32 = 24;
const MARGIN: i32 = 12;
const ROW_GAP: i32 = 48;
const LINE: i32 = 18;
const PROCESS_TOP: i32 = 66;

/// Where each node sits: one row per role (load balancer, masters, etcd
/// nodes, workers), each row centred, in SVG user units.
#[derive(Debug, PartialEq)]
pub struct Layout {
    pub width: i32,
    pub height: i32,
    pub boxes: Vec<NodeBox>,
    /// Lines from the load balancer to each API server, as indices into `boxes`.
    pub links: Vec<(usize, usize)>,
}

/// One node's box in a [`Layout`].
#[derive(Debug, PartialEq)]
pub struct NodeBox {
    pub node: NodeSpec,
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

impl Layout {
    /// Lays out every node of `cluster`.
    pub fn of(cluster: &Cluster) -> Layout {
        let rows: Vec<Vec<NodeSpec>> = [
            NodeRole::LoadBalancer,
            NodeRole::Master,
            NodeRole::Etcd,
            NodeRole::Worker,
        ]
        .into_iter()
        .map(|role| cluster.nodes_with_role(role))
        .filter(|row| !row.is_empty())
        .collect();
        let widest = rows.iter().map(Vec::len).max().unwrap_or(1) as i32;
        let width = 2 * MARGIN + widest * NODE_WIDTH + (widest - 1) * GAP;

        let mut boxes = Vec::new();
        let mut y = MARGIN;
        for row in rows {
            let count = row.len() as i32;
            let row_width = count * NODE_WIDTH + (count - 1) * GAP;
            let height = row.iter().map(node_height).max().unwrap_or(LINE);
            let mut x = (width - row_width) / 2;
            for node in row {
                boxes.push(NodeBox {
                    node,
                    x,
                    y,
                    width: NODE_WIDTH,
                    height,
                });
                x += NODE_WIDTH + GAP;
            }
            y += height + ROW_GAP;
        }
        let lb = boxes
            .iter()
            .position(|b| b.node.role == NodeRole::LoadBalancer);
        let links = match lb {
            Some(lb) => boxes
                .iter()
                .enumerate()
                .filter(|(_, b)| b.node.role == NodeRole::Master)
                .map(|(i, _)| (lb, i))
                .collect(),
            None => Vec::new(),
        };
        Layout {
            width,
            height: y - ROW_GAP + MARGIN,
            boxes,
            links,
        }
    }
}

fn node_height(node: &NodeSpec) -> i32 {
    let lines = process_lines(node).len() as i32;
    if lines == 0 {
        56
    } else {
        PROCESS_TOP + (lines - 1) * LINE + 14
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: &NodeBox, b: &NodeBox) -> bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }

    #[test]
    fn every_node_gets_a_box_inside_the_drawing_and_no_two_overlap() {
        for masters in 1..=7 {
            for etcd in [
                ha_sim::EtcdTopology::Stacked,
                ha_sim::EtcdTopology::External { members: 5 },
            ] {
                let cluster = Cluster {
                    masters,
                    etcd,
                    workers: 5,
                    load_balancer: true,
                };
                let layout = Layout::of(&cluster);
                assert_eq!(layout.boxes.len(), cluster.nodes().len());
                for (i, a) in layout.boxes.iter().enumerate() {
                    assert!(a.x >= 0 && a.x + a.width <= layout.width, "{}", a.node.name);
                    assert!(
                        a.y >= 0 && a.y + a.height <= layout.height,
                        "{}",
                        a.node.name
                    );
                    for b in &layout.boxes[i + 1..] {
                        assert!(!overlaps(a, b), "{} overlaps {}", a.node.name, b.node.name);
                    }
                }
            }
        }
    }

    #[test]
    fn the_load_balancer_links_to_every_master_and_nothing_else() {
        let layout = Layout::of(&Cluster::default());
        let linked: Vec<&str> = layout
            .links
            .iter()
            .map(|&(from, to)| {
                assert_eq!(layout.boxes[from].node.name, "loadbalancer");
                layout.boxes[to].node.name.as_str()
            })
            .collect();
        assert_eq!(linked, ["master-1", "master-2", "master-3"]);
    }
}
