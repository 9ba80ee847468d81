//! The command lines and configuration files kubeadm would write for each
//! process of the lab's cluster, for the inspector: the static pod manifests
//! of kube-apiserver, kube-controller-manager, kube-scheduler and etcd
//! (`/etc/kubernetes/manifests/*.yaml`), the kubelet's systemd command line
//! and kubeconfig, HAProxy's `haproxy.cfg` from kubeadm's HA guide, and the
//! learner's kubeconfig.
//!
//! Pure functions of the cluster's configuration, tested natively. The lines
//! the lab's behaviour depends on (`--etcd-servers`, `--leader-elect*`,
//! `server:`, the HAProxy backends, …) are marked [`Line::key`], so the
//! inspector can highlight them.
//!
//! kubeadm sorts a component's flags by name and writes only what its
//! configuration sets: flags at their defaults do not appear, and a flag the
//! lab changed appears as `extraArgs` in kubeadm's `ClusterConfiguration`
//! would put it (FIDELITY.md §1, "kubeadm passes only `--leader-elect=true`").
//!
//! # Addresses
//!
//! The simulation has no IP addresses: nodes reach each other by name. The
//! addresses here are **illustrative**, from a fixed scheme on one /24
//! network, so that the command lines read like real ones:
//!
//! | Node | Address |
//! |---|---|
//! | `loadbalancer` | `10.0.0.10` |
//! | `master-N` | `10.0.0.(10 + N)`: `master-1` is `10.0.0.11` |
//! | `etcd-N` | `10.0.0.(20 + N)`: `etcd-1` is `10.0.0.21` |
//! | `worker-N` | `10.0.0.(30 + N)`: `worker-1` is `10.0.0.31` |
//! | `laptop` (the learner's) | `192.168.1.50`, outside the cluster's network |
//!
//! The lab allows at most 7 masters, 7 etcd nodes and 5 workers, so the
//! ranges never meet.

use ha_sim::cluster::EtcdTopology;
use ha_sim::kube::haproxy::{FALL, INTER, RISE};
use ha_sim::kube::leaderelection::LeaderElectionFlags;
use ha_sim::{Cluster, NodeRole, ProcessKind, SimConfig};

/// The API servers' port (`--secure-port`), also the load balancer's.
pub const API_PORT: u16 = 6443;
/// etcd's client port.
pub const ETCD_CLIENT_PORT: u16 = 2379;
/// etcd's peer port.
pub const ETCD_PEER_PORT: u16 = 2380;

/// One line of a command line or configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    /// A line the lab's behaviour depends on (worth highlighting).
    pub key: bool,
}

/// What kubeadm (or the HA guide) writes for one process: the file it lives
/// in, its text line by line, and notes for the learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandLine {
    /// Where the text lives on the node, for example
    /// `/etc/kubernetes/manifests/kube-apiserver.yaml`.
    pub file: String,
    pub lines: Vec<Line>,
    /// Sentences about what kubeadm writes, what the lab changed, and what
    /// is left out.
    pub notes: Vec<String>,
}

impl CommandLine {
    /// The whole text, one line per line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.text);
            out.push('\n');
        }
        out
    }
}

/// The illustrative address of node `name` (see the module documentation);
/// `None` for a name outside the scheme.
pub fn node_ip(name: &str) -> Option<String> {
    let numbered = |prefix: &str, base: u16| -> Option<String> {
        let n: u16 = name.strip_prefix(prefix)?.parse().ok()?;
        (1..=9).contains(&n).then(|| format!("10.0.0.{}", base + n))
    };
    match name {
        "loadbalancer" => Some("10.0.0.10".to_owned()),
        "laptop" => Some("192.168.1.50".to_owned()),
        _ => numbered("master-", 10)
            .or_else(|| numbered("etcd-", 20))
            .or_else(|| numbered("worker-", 30)),
    }
}

/// The control-plane endpoint kubeadm was given (`--control-plane-endpoint`):
/// the load balancer, or the first master when there is none; `host:port`.
pub fn control_plane_endpoint(cluster: &Cluster) -> String {
    let host = if cluster.load_balancer {
        "loadbalancer"
    } else {
        "master-1"
    };
    format!("{}:{API_PORT}", address(host))
}

/// What kubeadm would write for the process `kind` on node `node`, for the
/// configuration `config`, with the learner's kubectl pointing at
/// `kubectl_server` (`loadbalancer` or a master's name).
pub fn command_line(
    config: &SimConfig,
    node: &str,
    kind: ProcessKind,
    kubectl_server: &str,
) -> CommandLine {
    match kind {
        ProcessKind::KubeApiserver => apiserver(&config.cluster, node),
        ProcessKind::KubeControllerManager => controller_manager(&config.controller_manager),
        ProcessKind::KubeScheduler => scheduler(&config.scheduler),
        ProcessKind::Etcd => etcd(config, node),
        ProcessKind::Kubelet => kubelet(config, node),
        ProcessKind::Haproxy => haproxy(&config.cluster),
        ProcessKind::Kubectl => kubectl(kubectl_server),
        ProcessKind::Benchmark => benchmark(config),
    }
}

/// kube-apiserver's flags (kubeadm `getAPIServerCommand`), sorted, without
/// the program name. Stacked: `--etcd-servers=https://127.0.0.1:2379`, its own
/// member only; external: every member, in member order (FIDELITY.md §4).
pub fn apiserver_flags(cluster: &Cluster, node: &str) -> Vec<String> {
    let pki = "/etc/kubernetes/pki";
    let mut flags = vec![
        format!("--advertise-address={}", address(node)),
        "--allow-privileged=true".to_owned(),
        "--authorization-mode=Node,RBAC".to_owned(),
        format!("--client-ca-file={pki}/ca.crt"),
        "--enable-admission-plugins=NodeRestriction".to_owned(),
        "--enable-bootstrap-token-auth=true".to_owned(),
        format!("--etcd-cafile={pki}/etcd/ca.crt"),
        format!("--etcd-certfile={pki}/apiserver-etcd-client.crt"),
        format!("--etcd-keyfile={pki}/apiserver-etcd-client.key"),
        format!("--etcd-servers={}", etcd_servers(cluster).join(",")),
        format!("--kubelet-client-certificate={pki}/apiserver-kubelet-client.crt"),
        format!("--kubelet-client-key={pki}/apiserver-kubelet-client.key"),
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname".to_owned(),
        format!("--proxy-client-cert-file={pki}/front-proxy-client.crt"),
        format!("--proxy-client-key-file={pki}/front-proxy-client.key"),
        "--requestheader-allowed-names=front-proxy-client".to_owned(),
        format!("--requestheader-client-ca-file={pki}/front-proxy-ca.crt"),
        "--requestheader-extra-headers-prefix=X-Remote-Extra-".to_owned(),
        "--requestheader-group-headers=X-Remote-Group".to_owned(),
        "--requestheader-username-headers=X-Remote-User".to_owned(),
        format!("--secure-port={API_PORT}"),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".to_owned(),
        format!("--service-account-key-file={pki}/sa.pub"),
        format!("--service-account-signing-key-file={pki}/sa.key"),
        "--service-cluster-ip-range=10.96.0.0/12".to_owned(),
        format!("--tls-cert-file={pki}/apiserver.crt"),
        format!("--tls-private-key-file={pki}/apiserver.key"),
    ];
    flags.sort();
    flags
}

/// The URLs of `--etcd-servers`: the local member when stacked, every
/// external member otherwise.
pub fn etcd_servers(cluster: &Cluster) -> Vec<String> {
    match cluster.etcd {
        EtcdTopology::Stacked => vec![format!("https://127.0.0.1:{ETCD_CLIENT_PORT}")],
        EtcdTopology::External { members } => (1..=members)
            .map(|m| {
                format!(
                    "https://{}:{ETCD_CLIENT_PORT}",
                    address(&format!("etcd-{m}"))
                )
            })
            .collect(),
    }
}

/// The `--leader-elect*` flags kubeadm writes for kube-controller-manager or
/// kube-scheduler: `--leader-elect` always, the three durations only when
/// they differ from the defaults (they would come from `extraArgs`).
pub fn leader_election_flags(flags: &LeaderElectionFlags) -> Vec<String> {
    let defaults = LeaderElectionFlags::default();
    let mut out = vec![format!("--leader-elect={}", flags.leader_elect)];
    for ((name, value), (_, default)) in flags.durations().into_iter().zip(defaults.durations()) {
        if value != default {
            out.push(format!("--leader-elect-{name}={value}"));
        }
    }
    out
}

/// kube-controller-manager's flags (kubeadm `getControllerManagerCommand`),
/// sorted, without the program name.
pub fn controller_manager_flags(flags: &LeaderElectionFlags) -> Vec<String> {
    let pki = "/etc/kubernetes/pki";
    let conf = "/etc/kubernetes/controller-manager.conf";
    let mut out = vec![
        format!("--authentication-kubeconfig={conf}"),
        format!("--authorization-kubeconfig={conf}"),
        "--bind-address=127.0.0.1".to_owned(),
        format!("--client-ca-file={pki}/ca.crt"),
        "--cluster-name=kubernetes".to_owned(),
        format!("--cluster-signing-cert-file={pki}/ca.crt"),
        format!("--cluster-signing-key-file={pki}/ca.key"),
        "--controllers=*,bootstrapsigner,tokencleaner".to_owned(),
        format!("--kubeconfig={conf}"),
        format!("--requestheader-client-ca-file={pki}/front-proxy-ca.crt"),
        format!("--root-ca-file={pki}/ca.crt"),
        format!("--service-account-private-key-file={pki}/sa.key"),
        "--use-service-account-credentials=true".to_owned(),
    ];
    out.extend(leader_election_flags(flags));
    out.sort();
    out
}

/// kube-scheduler's flags (kubeadm `getSchedulerCommand`), sorted, without
/// the program name.
pub fn scheduler_flags(flags: &LeaderElectionFlags) -> Vec<String> {
    let conf = "/etc/kubernetes/scheduler.conf";
    let mut out = vec![
        format!("--authentication-kubeconfig={conf}"),
        format!("--authorization-kubeconfig={conf}"),
        "--bind-address=127.0.0.1".to_owned(),
        format!("--kubeconfig={conf}"),
    ];
    out.extend(leader_election_flags(flags));
    out.sort();
    out
}

/// etcd's flags for the member on `node` (kubeadm `getEtcdCommand`), sorted,
/// without the program name. Every member is listed in `--initial-cluster`,
/// as for members that start together.
pub fn etcd_flags(config: &SimConfig, node: &str) -> Vec<String> {
    let pki = "/etc/kubernetes/pki/etcd";
    let ip = address(node);
    let defaults = ha_sim::etcd::EtcdConfig::default();
    let mut out = vec![
        format!("--advertise-client-urls=https://{ip}:{ETCD_CLIENT_PORT}"),
        format!("--cert-file={pki}/server.crt"),
        "--client-cert-auth=true".to_owned(),
        "--data-dir=/var/lib/etcd".to_owned(),
        "--experimental-watch-progress-notify-interval=5s".to_owned(),
        format!("--initial-advertise-peer-urls=https://{ip}:{ETCD_PEER_PORT}"),
        format!("--initial-cluster={}", initial_cluster(&config.cluster)),
        format!("--key-file={pki}/server.key"),
        format!(
            "--listen-client-urls=https://127.0.0.1:{ETCD_CLIENT_PORT},https://{ip}:{ETCD_CLIENT_PORT}"
        ),
        "--listen-metrics-urls=http://127.0.0.1:2381".to_owned(),
        format!("--listen-peer-urls=https://{ip}:{ETCD_PEER_PORT}"),
        format!("--name={node}"),
        format!("--peer-cert-file={pki}/peer.crt"),
        "--peer-client-cert-auth=true".to_owned(),
        format!("--peer-key-file={pki}/peer.key"),
        format!("--peer-trusted-ca-file={pki}/ca.crt"),
        "--snapshot-count=10000".to_owned(),
        format!("--trusted-ca-file={pki}/ca.crt"),
    ];
    if config.etcd.heartbeat_interval != defaults.heartbeat_interval {
        out.push(format!(
            "--heartbeat-interval={}",
            config.etcd.heartbeat_interval.as_millis()
        ));
    }
    if config.etcd.election_timeout != defaults.election_timeout {
        out.push(format!(
            "--election-timeout={}",
            config.etcd.election_timeout.as_millis()
        ));
    }
    out.sort();
    out
}

/// `--initial-cluster`: every member as `name=https://ip:2380`, in member order.
pub fn initial_cluster(cluster: &Cluster) -> String {
    etcd_member_names(cluster)
        .iter()
        .map(|name| format!("{name}=https://{}:{ETCD_PEER_PORT}", address(name)))
        .collect::<Vec<_>>()
        .join(",")
}

/// The server a node's kubelet talks to (its kubeconfig's `server:`), or
/// `None` for a standalone kubelet. Masters use their own API server
/// (ControlPlaneKubeletLocalMode), workers the control-plane endpoint, and
/// the kubelets of external etcd nodes run standalone (FIDELITY.md §5).
pub fn kubelet_server(config: &SimConfig, node: &str) -> Option<String> {
    let role = config
        .cluster
        .nodes()
        .into_iter()
        .find(|n| n.name == node)?
        .role;
    match role {
        NodeRole::Master if !config.etcd_only => {
            Some(format!("https://{}:{API_PORT}", address(node)))
        }
        NodeRole::Worker => Some(format!(
            "https://{}",
            control_plane_endpoint(&config.cluster)
        )),
        NodeRole::Master | NodeRole::Etcd | NodeRole::LoadBalancer | NodeRole::Laptop => None,
    }
}

/// The backend section of `haproxy.cfg` as kubeadm's HA guide writes it
/// (FIDELITY.md §6), with HAProxy's default `inter`, `fall` and `rise`
/// written out: one `server` line per master.
pub fn haproxy_backend(cluster: &Cluster) -> Vec<String> {
    let mut out = vec![
        "backend apiserverbackend".to_owned(),
        "    option httpchk".to_owned(),
        "    http-check connect ssl".to_owned(),
        "    http-check send meth GET uri /healthz".to_owned(),
        "    http-check expect status 200".to_owned(),
        "    mode tcp".to_owned(),
        "    balance roundrobin".to_owned(),
    ];
    for m in 1..=cluster.masters {
        let name = format!("master-{m}");
        out.push(format!(
            "    server {name} {}:{API_PORT} check inter {INTER} fall {FALL} rise {RISE} verify none",
            address(&name)
        ));
    }
    out
}

// ---- the files, line by line --------------------------------------------

const MANIFESTS: &str = "/etc/kubernetes/manifests";

/// A static pod manifest's command, as the YAML list kubeadm writes.
fn manifest(program: &str, flags: Vec<String>, is_key: impl Fn(&str) -> bool) -> Vec<Line> {
    let mut lines = vec![
        plain("spec:"),
        plain("  containers:"),
        plain("  - command:"),
        plain(&format!("    - {program}")),
    ];
    lines.extend(flags.into_iter().map(|flag| Line {
        key: is_key(&flag),
        text: format!("    - {flag}"),
    }));
    lines
}

fn apiserver(cluster: &Cluster, node: &str) -> CommandLine {
    let key = |flag: &str| {
        ["--advertise-address=", "--etcd-servers=", "--secure-port="]
            .iter()
            .any(|k| flag.starts_with(k))
    };
    let topology = match cluster.etcd {
        EtcdTopology::Stacked => {
            "Stacked etcd: this API server talks only to the etcd member on its own node."
        }
        EtcdTopology::External { .. } => {
            "External etcd: this API server talks to every etcd member (the client balances and fails over between them)."
        }
    };
    CommandLine {
        file: format!("{MANIFESTS}/kube-apiserver.yaml"),
        lines: manifest("kube-apiserver", apiserver_flags(cluster, node), key),
        notes: vec![topology.to_owned(), addresses_note()],
    }
}

fn controller_manager(flags: &LeaderElectionFlags) -> CommandLine {
    CommandLine {
        file: format!("{MANIFESTS}/kube-controller-manager.yaml"),
        lines: manifest(
            "kube-controller-manager",
            controller_manager_flags(flags),
            is_leader_election_or_kubeconfig,
        ),
        notes: vec![
            leader_election_note(flags, "controllerManager"),
            "controller-manager.conf points at this node's own API server, not the load balancer."
                .to_owned(),
        ],
    }
}

fn scheduler(flags: &LeaderElectionFlags) -> CommandLine {
    CommandLine {
        file: format!("{MANIFESTS}/kube-scheduler.yaml"),
        lines: manifest(
            "kube-scheduler",
            scheduler_flags(flags),
            is_leader_election_or_kubeconfig,
        ),
        notes: vec![
            leader_election_note(flags, "scheduler"),
            "scheduler.conf points at this node's own API server, not the load balancer."
                .to_owned(),
        ],
    }
}

fn is_leader_election_or_kubeconfig(flag: &str) -> bool {
    flag.starts_with("--leader-elect") || flag.starts_with("--kubeconfig=")
}

fn leader_election_note(flags: &LeaderElectionFlags, section: &str) -> String {
    let changed = leader_election_flags(flags).len() > 1;
    let mut note =
        "kubeadm writes only --leader-elect=true: a leader-election flag at its default \
                    (lease-duration 15s, renew-deadline 10s, retry-period 2s) is not written."
            .to_owned();
    if changed {
        note.push_str(&format!(
            " This lab changed some, as {section}.extraArgs in kubeadm's ClusterConfiguration would."
        ));
    }
    if !flags.leader_elect {
        note.push_str(" With --leader-elect=false there is no Lease: every instance acts at once.");
    }
    note
}

fn etcd(config: &SimConfig, node: &str) -> CommandLine {
    let key = |flag: &str| {
        [
            "--name=",
            "--initial-cluster=",
            "--listen-client-urls=",
            "--advertise-client-urls=",
            "--heartbeat-interval=",
            "--election-timeout=",
        ]
        .iter()
        .any(|k| flag.starts_with(k))
    };
    let mut notes = vec![
        "kubeadm lists the members joined so far in --initial-cluster (with \
         --initial-cluster-state=existing on a joining member); shown here as for members that \
         start together."
            .to_owned(),
    ];
    let defaults = ha_sim::etcd::EtcdConfig::default();
    if config.etcd != defaults {
        notes.push(
            "--heartbeat-interval and --election-timeout (in milliseconds) appear because this \
             lab changed them from etcd's defaults (100 and 1000), as etcd.local.extraArgs would."
                .to_owned(),
        );
    }
    notes.push(addresses_note());
    CommandLine {
        file: format!("{MANIFESTS}/etcd.yaml"),
        lines: manifest("etcd", etcd_flags(config, node), key),
        notes,
    }
}

fn kubelet(config: &SimConfig, node: &str) -> CommandLine {
    match kubelet_server(config, node) {
        Some(server) => {
            let is_master = node.starts_with("master-");
            let mut lines = vec![
                plain("# systemd: kubelet.service with kubeadm's drop-in 10-kubeadm.conf"),
                plain("/usr/bin/kubelet \\"),
                plain("    --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf \\"),
                key_line("    --kubeconfig=/etc/kubernetes/kubelet.conf \\"),
                plain("    --config=/var/lib/kubelet/config.yaml"),
                plain(""),
                plain("# /etc/kubernetes/kubelet.conf (excerpt)"),
            ];
            lines.extend(kubeconfig_cluster(&server));
            let why = if is_master {
                "A control-plane kubelet talks to its own API server \
                 (kubeadm's ControlPlaneKubeletLocalMode, beta in v1.33)."
            } else {
                "A worker's kubelet talks to the control-plane endpoint (the load balancer, \
                 or the first master when there is none)."
            };
            CommandLine {
                file: "/etc/kubernetes/kubelet.conf".to_owned(),
                lines,
                notes: vec![why.to_owned(), addresses_note()],
            }
        }
        None => CommandLine {
            file: "/etc/systemd/system/kubelet.service.d/20-etcd-service-manager.conf".to_owned(),
            lines: vec![
                plain("# systemd drop-in from kubeadm's guide to an HA etcd cluster"),
                plain("[Service]"),
                plain("ExecStart="),
                key_line(
                    "ExecStart=/usr/bin/kubelet --config=/etc/systemd/system/kubelet.service.d/kubelet.conf \
                     --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
                ),
                plain("Restart=always"),
            ],
            notes: vec![
                "This kubelet runs standalone, with no kubeconfig: it only runs the static pods \
                 in /etc/kubernetes/manifests (here, etcd) and never talks to an API server."
                    .to_owned(),
            ],
        },
    }
}

fn haproxy(cluster: &Cluster) -> CommandLine {
    let mut lines = vec![
        plain("defaults"),
        plain("    timeout connect 5s"),
        plain("    timeout client 35s"),
        plain("    timeout server 35s"),
        plain("    timeout check 10s"),
        plain(""),
        plain("frontend apiserver"),
        plain(&format!("    bind *:{API_PORT}")),
        plain("    mode tcp"),
        plain("    option tcplog"),
        plain("    default_backend apiserverbackend"),
        plain(""),
    ];
    lines.extend(haproxy_backend(cluster).into_iter().map(|text| Line {
        key: text.contains(" server ")
            || text.contains("http-check send")
            || text.contains("option httpchk"),
        text,
    }));
    CommandLine {
        file: "/etc/haproxy/haproxy.cfg".to_owned(),
        lines,
        notes: vec![
            format!(
                "kubeadm's HA guide writes \"check\" without inter, fall or rise, so HAProxy's \
                 defaults apply; they are written out here: a check every {INTER}, DOWN after \
                 {FALL} failures, UP after {RISE} successes."
            ),
            addresses_note(),
        ],
    }
}

fn kubectl(kubectl_server: &str) -> CommandLine {
    let server = format!("https://{}:{API_PORT}", address(kubectl_server));
    let mut lines = vec![plain("apiVersion: v1"), plain("kind: Config")];
    lines.extend(kubeconfig_cluster(&server));
    let via = if kubectl_server == "loadbalancer" {
        "through the load balancer".to_owned()
    } else {
        format!("straight to {kubectl_server}'s API server, bypassing the load balancer")
    };
    CommandLine {
        file: "~/.kube/config".to_owned(),
        lines,
        notes: vec![
            format!("A copy of /etc/kubernetes/admin.conf; kubectl talks {via}."),
            addresses_note(),
        ],
    }
}

fn benchmark(config: &SimConfig) -> CommandLine {
    let endpoints = etcd_member_names(&config.cluster)
        .iter()
        .map(|name| format!("https://{}:{ETCD_CLIENT_PORT}", address(name)))
        .collect::<Vec<_>>()
        .join(",");
    let (rate, keys) = config.etcd_benchmark.map_or((0, 0), |b| {
        (1_000_000 / b.interval.as_micros().max(1), u64::from(b.keys))
    });
    CommandLine {
        file: "(the learner's shell)".to_owned(),
        lines: vec![
            plain("benchmark \\"),
            key_line(&format!("    --endpoints={endpoints} \\")),
            plain("    put \\"),
            key_line(&format!("    --rate={rate} \\")),
            plain(&format!("    --key-space-size={keys} --sequential-keys")),
        ],
        notes: vec!["etcd's benchmark tool: a steady write load on the cluster.".to_owned()],
    }
}

/// The `clusters:` part of a kubeconfig with `server`.
fn kubeconfig_cluster(server: &str) -> Vec<Line> {
    vec![
        plain("clusters:"),
        plain("- cluster:"),
        plain("    certificate-authority-data: LS0tLS1CRUdJTi…"),
        key_line(&format!("    server: {server}")),
        plain("  name: kubernetes"),
    ]
}

/// The names of the etcd members, in member order.
fn etcd_member_names(cluster: &Cluster) -> Vec<String> {
    match cluster.etcd {
        EtcdTopology::Stacked => (1..=cluster.masters)
            .map(|m| format!("master-{m}"))
            .collect(),
        EtcdTopology::External { members } => (1..=members).map(|m| format!("etcd-{m}")).collect(),
    }
}

fn addresses_note() -> String {
    "The addresses are illustrative: the lab's nodes have no IP addresses. The load balancer is \
     10.0.0.10, master-N 10.0.0.1N, etcd-N 10.0.0.2N, worker-N 10.0.0.3N."
        .to_owned()
}

/// The address of `node`, or the node's name when it is outside the scheme.
fn address(node: &str) -> String {
    node_ip(node).unwrap_or_else(|| node.to_owned())
}

fn plain(text: &str) -> Line {
    Line {
        text: text.to_owned(),
        key: false,
    }
}

fn key_line(text: &str) -> Line {
    Line {
        text: text.to_owned(),
        key: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_sim::SimDuration;

    fn config(cluster: Cluster) -> SimConfig {
        SimConfig::new(1, cluster)
    }

    fn external(members: u8) -> Cluster {
        Cluster {
            etcd: EtcdTopology::External { members },
            ..Cluster::default()
        }
    }

    #[test]
    fn addresses_follow_the_documented_scheme_and_never_collide() {
        assert_eq!(node_ip("loadbalancer").as_deref(), Some("10.0.0.10"));
        assert_eq!(node_ip("master-1").as_deref(), Some("10.0.0.11"));
        assert_eq!(node_ip("master-7").as_deref(), Some("10.0.0.17"));
        assert_eq!(node_ip("etcd-3").as_deref(), Some("10.0.0.23"));
        assert_eq!(node_ip("worker-2").as_deref(), Some("10.0.0.32"));
        assert_eq!(node_ip("printer"), None);
        let cluster = Cluster {
            masters: 7,
            etcd: EtcdTopology::External { members: 7 },
            workers: 5,
            load_balancer: true,
        };
        let mut ips: Vec<String> = cluster
            .nodes()
            .iter()
            .map(|n| node_ip(&n.name).expect("every node has an address"))
            .collect();
        let count = ips.len();
        ips.sort();
        ips.dedup();
        assert_eq!(ips.len(), count);
    }

    #[test]
    fn a_stacked_api_server_talks_only_to_its_local_etcd_member() {
        // Reference: FIDELITY.md §4, kubeadm getAPIServerCommand.
        let flags = apiserver_flags(&Cluster::default(), "master-2");
        let servers: Vec<&String> = flags
            .iter()
            .filter(|f| f.starts_with("--etcd-servers="))
            .collect();
        assert_eq!(servers, ["--etcd-servers=https://127.0.0.1:2379"]);
        assert!(flags.contains(&"--advertise-address=10.0.0.12".to_owned()));
        assert!(flags.contains(&"--secure-port=6443".to_owned()));
        let mut sorted = flags.clone();
        sorted.sort();
        assert_eq!(flags, sorted, "kubeadm sorts the flags");
    }

    #[test]
    fn an_external_api_server_lists_every_member_in_member_order() {
        // Reference: FIDELITY.md §4: strings.Join(etcd.external.endpoints, ",").
        let flags = apiserver_flags(&external(3), "master-1");
        assert!(flags.contains(
            &"--etcd-servers=https://10.0.0.21:2379,https://10.0.0.22:2379,https://10.0.0.23:2379"
                .to_owned()
        ));
        let five = etcd_servers(&external(5));
        assert_eq!(five.len(), 5);
        assert_eq!(five[4], "https://10.0.0.25:2379");
    }

    #[test]
    fn leader_election_flags_at_their_defaults_are_not_written_and_changed_ones_are() {
        // Reference: FIDELITY.md §1: kubeadm passes only --leader-elect=true.
        let defaults = controller_manager_flags(&LeaderElectionFlags::default());
        assert!(defaults.contains(&"--leader-elect=true".to_owned()));
        assert!(!defaults.iter().any(|f| f.starts_with("--leader-elect-")));
        assert!(defaults.contains(&"--bind-address=127.0.0.1".to_owned()));
        assert!(
            defaults.contains(&"--kubeconfig=/etc/kubernetes/controller-manager.conf".to_owned())
        );

        let changed = LeaderElectionFlags {
            leader_elect: true,
            lease_duration: SimDuration::from_secs(30),
            renew_deadline: SimDuration::from_secs(10),
            retry_period: SimDuration::from_millis(1_500),
        };
        let flags = scheduler_flags(&changed);
        assert!(flags.contains(&"--leader-elect-lease-duration=30s".to_owned()));
        assert!(flags.contains(&"--leader-elect-retry-period=1.5s".to_owned()));
        assert!(
            !flags
                .iter()
                .any(|f| f.starts_with("--leader-elect-renew-deadline"))
        );
        assert!(flags.contains(&"--kubeconfig=/etc/kubernetes/scheduler.conf".to_owned()));

        let off = LeaderElectionFlags {
            leader_elect: false,
            ..LeaderElectionFlags::default()
        };
        assert!(scheduler_flags(&off).contains(&"--leader-elect=false".to_owned()));
        let note = command_line(
            &config(Cluster::default()),
            "master-1",
            ProcessKind::KubeScheduler,
            "loadbalancer",
        )
        .notes
        .join(" ");
        assert!(
            note.contains("kubeadm writes only --leader-elect=true"),
            "{note}"
        );
    }

    #[test]
    fn etcd_names_itself_and_lists_every_peer_with_timings_only_when_changed() {
        let mut stacked = config(Cluster::default());
        let flags = etcd_flags(&stacked, "master-3");
        for expected in [
            "--name=master-3",
            "--initial-cluster=master-1=https://10.0.0.11:2380,master-2=https://10.0.0.12:2380,master-3=https://10.0.0.13:2380",
            "--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.13:2379",
            "--advertise-client-urls=https://10.0.0.13:2379",
            "--listen-peer-urls=https://10.0.0.13:2380",
            "--initial-advertise-peer-urls=https://10.0.0.13:2380",
            "--data-dir=/var/lib/etcd",
        ] {
            assert!(
                flags.contains(&expected.to_owned()),
                "{expected} in {flags:?}"
            );
        }
        assert!(!flags.iter().any(|f| f.starts_with("--heartbeat-interval")));
        assert!(!flags.iter().any(|f| f.starts_with("--election-timeout")));
        stacked.etcd.election_timeout = SimDuration::from_millis(2_500);
        let flags = etcd_flags(&stacked, "master-3");
        assert!(flags.contains(&"--election-timeout=2500".to_owned()));
        assert!(!flags.iter().any(|f| f.starts_with("--heartbeat-interval")));

        let external = config(external(3));
        let flags = etcd_flags(&external, "etcd-2");
        assert!(flags.contains(&"--name=etcd-2".to_owned()));
        assert!(flags.contains(
            &"--initial-cluster=etcd-1=https://10.0.0.21:2380,etcd-2=https://10.0.0.22:2380,etcd-3=https://10.0.0.23:2380"
                .to_owned()
        ));
    }

    #[test]
    fn kubelets_use_their_own_api_server_on_masters_and_the_load_balancer_on_workers() {
        // Reference: FIDELITY.md §5.
        let with_lb = config(Cluster::default());
        assert_eq!(
            kubelet_server(&with_lb, "master-2").as_deref(),
            Some("https://10.0.0.12:6443")
        );
        assert_eq!(
            kubelet_server(&with_lb, "worker-1").as_deref(),
            Some("https://10.0.0.10:6443")
        );
        let without_lb = config(Cluster {
            load_balancer: false,
            ..Cluster::default()
        });
        assert_eq!(
            kubelet_server(&without_lb, "worker-1").as_deref(),
            Some("https://10.0.0.11:6443")
        );
        let etcd_node = config(external(3));
        assert_eq!(kubelet_server(&etcd_node, "etcd-1"), None);
        let text = command_line(&etcd_node, "etcd-1", ProcessKind::Kubelet, "loadbalancer").text();
        assert!(text.contains("--config=/etc/systemd/system/kubelet.service.d/kubelet.conf"));
        let text = command_line(&with_lb, "worker-2", ProcessKind::Kubelet, "loadbalancer").text();
        assert!(
            text.contains("    server: https://10.0.0.10:6443\n"),
            "{text}"
        );
    }

    #[test]
    fn the_haproxy_backend_checks_every_master_with_haproxys_defaults() {
        // Reference: FIDELITY.md §6: option httpchk, GET /healthz, inter 2s fall 3 rise 2.
        let cluster = Cluster {
            masters: 5,
            ..Cluster::default()
        };
        let backend = haproxy_backend(&cluster);
        assert!(backend.iter().any(|l| l.trim() == "option httpchk"));
        assert!(
            backend
                .iter()
                .any(|l| l.trim() == "http-check send meth GET uri /healthz")
        );
        let servers: Vec<&String> = backend
            .iter()
            .filter(|l| l.trim_start().starts_with("server "))
            .collect();
        assert_eq!(servers.len(), 5);
        for (i, line) in servers.iter().enumerate() {
            let m = i + 1;
            assert!(
                line.contains(&format!(
                    "server master-{m} 10.0.0.1{m}:6443 check inter 2s fall 3 rise 2"
                )),
                "{line}"
            );
        }
    }

    #[test]
    fn kubectl_follows_where_the_learner_points_it() {
        let c = config(Cluster::default());
        let lb = command_line(&c, "laptop", ProcessKind::Kubectl, "loadbalancer");
        assert!(lb.text().contains("server: https://10.0.0.10:6443"));
        let direct = command_line(&c, "laptop", ProcessKind::Kubectl, "master-3");
        assert!(direct.text().contains("server: https://10.0.0.13:6443"));
        assert!(direct.notes[0].contains("bypassing the load balancer"));
        assert_eq!(control_plane_endpoint(&c.cluster), "10.0.0.10:6443");
    }

    #[test]
    fn manifests_name_their_file_and_mark_the_key_flags() {
        let c = config(Cluster::default());
        let api = command_line(&c, "master-1", ProcessKind::KubeApiserver, "loadbalancer");
        assert_eq!(api.file, "/etc/kubernetes/manifests/kube-apiserver.yaml");
        assert!(api.lines.iter().any(|l| l.text == "    - kube-apiserver"));
        let keys: Vec<&str> = api
            .lines
            .iter()
            .filter(|l| l.key)
            .map(|l| l.text.trim())
            .collect();
        assert_eq!(
            keys,
            [
                "- --advertise-address=10.0.0.11",
                "- --etcd-servers=https://127.0.0.1:2379",
                "- --secure-port=6443"
            ]
        );
    }
}
