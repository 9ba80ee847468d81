//! The lease panel: one leader-election Lease (kube-controller-manager or
//! kube-scheduler) as kubectl shows it, with what each process believes.
//!
//! It shows the holder (holderIdentity, and which master that is),
//! acquireTime, renewTime and leaseTransitions; the Lease as
//! `kubectl -n kube-system get lease <name> -o yaml` prints it; the time
//! since the last renew; each standby's own view of the expiry (its
//! observedTime + leaseDuration, on its own clock) and its next attempt;
//! how long the lease has had no leader; and, after a takeover, the measured
//! gap beside the window FIDELITY.md §2 predicts for the flags in use.
//!
//! The computations are pure functions of the lab ([`LeaseHistory`],
//! [`LeaseView`] and the `*_text` functions), tested natively. The history
//! is kept up to date frame by frame: it only reads the events recorded
//! since the last frame.

use ha_sim::kube::leaderelection::{ElectorPhase, LeaderElectionFlags};
use ha_sim::kube::objects::{KUBE_SYSTEM, Lease};
use ha_sim::{EventKind, ProcessKind, Sim, SimDuration, SimTime};
use yew::prelude::*;

use crate::lab::{BranchId, Lab};
use crate::state::use_lab;
use crate::view::{clock, process_status};

/// Properties of [`LeasePanel`].
#[derive(Properties, PartialEq)]
pub struct LeasePanelProps {
    /// Whose lease: `KubeControllerManager` or `KubeScheduler`.
    pub component: ProcessKind,
}

/// What ended the previous leader's term, which decides the window a
/// takeover is compared with (FIDELITY.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakeoverCause {
    /// The leader stopped renewing without releasing (a crash, a power cut,
    /// a kube-controller-manager graceful stop, a lost API server): the
    /// gap is measured from its last renew (§2 A and B).
    StoppedRenewing,
    /// The leader released the lease (kube-scheduler on SIGTERM): the gap
    /// is measured from the release (§2 C).
    Released,
}

/// One takeover of the lease by a new holder, measured from the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Takeover {
    /// When the new holder's `LeaseAcquired` was logged.
    pub acquired_at: SimTime,
    pub holder_identity: String,
    pub lease_transitions: i64,
    pub cause: TakeoverCause,
    /// The last renew (or acquisition) of the previous holder, or its release.
    pub measured_from: SimTime,
    pub gap: SimDuration,
    /// The window theory predicts for the flags in use: (low, high].
    pub window: (SimDuration, SimDuration),
}

impl Takeover {
    /// Whether the measured gap lies in the predicted window.
    pub fn within_window(&self) -> bool {
        self.gap > self.window.0 && self.gap <= self.window.1
    }
}

/// The window after a release in which a standby takes over: (0, P(1+J)],
/// one jittered retry period (FIDELITY.md §2 C).
pub fn release_window(flags: &LeaderElectionFlags) -> (SimDuration, SimDuration) {
    (SimDuration::ZERO, flags.retry_period.mul_ratio(11, 5))
}

/// The window a takeover is compared with, for its cause.
pub fn window_for(cause: TakeoverCause, flags: &LeaderElectionFlags) -> (SimDuration, SimDuration) {
    match cause {
        TakeoverCause::StoppedRenewing => flags.takeover_window(),
        TakeoverCause::Released => release_window(flags),
    }
}

/// The Lease's name: `kube-controller-manager` or `kube-scheduler`.
pub fn lease_name(kind: ProcessKind) -> &'static str {
    kind.name()
}

/// The lease as events name it: `kube-system/kube-scheduler`.
pub fn lease_path(kind: ProcessKind) -> String {
    format!("{KUBE_SYSTEM}/{}", lease_name(kind))
}

/// The flags of `kind` in `config`'s run.
pub fn flags_of(lab: &Lab, kind: ProcessKind) -> LeaderElectionFlags {
    match kind {
        ProcessKind::KubeScheduler => lab.setup.config.scheduler,
        _ => lab.setup.config.controller_manager,
    }
}

/// The lease's renewals, releases and takeovers in a branch, indexed as the
/// events are recorded.
#[derive(Clone, Debug)]
pub struct LeaseHistory {
    kind: ProcessKind,
    path: String,
    branch: Option<BranchId>,
    scanned: usize,
    /// Every `LeaseRenewed` and `LeaseAcquired`: (event index, time).
    renewals: Vec<(usize, SimTime)>,
    /// Every `LeaseReleased`: (event index, time).
    releases: Vec<(usize, SimTime)>,
    /// Every takeover after the first election: (event index, takeover).
    takeovers: Vec<(usize, Takeover)>,
}

impl LeaseHistory {
    pub fn new(kind: ProcessKind) -> LeaseHistory {
        LeaseHistory {
            kind,
            path: lease_path(kind),
            branch: None,
            scanned: 0,
            renewals: Vec::new(),
            releases: Vec::new(),
            takeovers: Vec::new(),
        }
    }

    /// Reads the events recorded since the last update (all of them if the
    /// branch changed).
    pub fn update(&mut self, lab: &Lab) {
        let same = lab.events.len() >= self.scanned && self.branch == Some(lab.branch());
        if !same {
            *self = LeaseHistory::new(self.kind);
            self.branch = Some(lab.branch());
        }
        let flags = flags_of(lab, self.kind);
        for (i, event) in lab.events.iter().enumerate().skip(self.scanned) {
            match &event.kind {
                EventKind::LeaseRenewed { lease } if *lease == self.path => {
                    self.renewals.push((i, event.t));
                }
                EventKind::LeaseReleased { lease } if *lease == self.path => {
                    self.releases.push((i, event.t));
                }
                EventKind::LeaseAcquired {
                    lease,
                    holder_identity,
                    lease_transitions,
                } if *lease == self.path => {
                    // The first acquisition of the run is the first election,
                    // not a takeover.
                    if let Some(&(_, renewed)) = self.renewals.last() {
                        let released = self.releases.last().map(|&(_, t)| t);
                        let (cause, from) = match released {
                            Some(r) if r >= renewed => (TakeoverCause::Released, r),
                            _ => (TakeoverCause::StoppedRenewing, renewed),
                        };
                        self.takeovers.push((
                            i,
                            Takeover {
                                acquired_at: event.t,
                                holder_identity: holder_identity.clone(),
                                lease_transitions: *lease_transitions,
                                cause,
                                measured_from: from,
                                gap: event.t - from,
                                window: window_for(cause, &flags),
                            },
                        ));
                    }
                    self.renewals.push((i, event.t));
                }
                _ => {}
            }
        }
        self.scanned = lab.events.len();
    }

    /// The last renew or acquisition among the first `n` events.
    pub fn last_renew(&self, n: usize) -> Option<SimTime> {
        last_before(&self.renewals, n).map(|&(_, t)| t)
    }

    /// The last release among the first `n` events.
    pub fn last_release(&self, n: usize) -> Option<SimTime> {
        last_before(&self.releases, n).map(|&(_, t)| t)
    }

    /// The last takeover among the first `n` events.
    pub fn last_takeover(&self, n: usize) -> Option<&Takeover> {
        last_before(&self.takeovers, n).map(|(_, t)| t)
    }

    /// The lease as the panel shows it now (the history must be up to date).
    pub fn view(&self, lab: &Lab) -> LeaseView {
        let sim = &lab.sim;
        let n = lab.events_so_far().len();
        let flags = flags_of(lab, self.kind);
        let instances: Vec<usize> = sim
            .processes()
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == self.kind)
            .map(|(i, _)| i)
            .collect();
        let active = instances
            .iter()
            .filter(|&&p| sim.processes()[p].is_active())
            .count();
        let record = if flags.leader_elect {
            sim.lease_record(lease_name(self.kind))
        } else {
            None
        };
        let leader = sim.lease_leader(self.kind);
        let holder_running = record.as_ref().and_then(|(lease, _)| {
            instances.iter().copied().find(|&p| {
                sim.processes()[p].is_running()
                    && sim
                        .elector(p)
                        .is_some_and(|e| e.identity == lease.holder_identity)
            })
        });
        let standbys = if flags.leader_elect {
            instances
                .iter()
                .copied()
                .filter(|&p| Some(p) != leader)
                .map(|p| standby(sim, p))
                .collect()
        } else {
            Vec::new()
        };
        let last_renew = self.last_renew(n);
        LeaseView {
            kind: self.kind,
            now: lab.now(),
            flags,
            etcd_running: (0..sim.etcd_member_processes().len())
                .any(|m| sim.etcd_member(m).is_some()),
            etcd_has_quorum: sim.etcd_has_quorum(),
            record,
            leader,
            leader_node: leader.map(|p| node_name(sim, p)),
            holder_running,
            last_renew,
            last_release: self
                .last_release(n)
                .filter(|&r| last_renew.is_none_or(|t| r >= t)),
            standbys,
            last_takeover: self.last_takeover(n).cloned(),
            instances: instances.len(),
            active,
        }
    }
}

/// Everything the panel shows, at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseView {
    pub kind: ProcessKind,
    pub now: SimTime,
    pub flags: LeaderElectionFlags,
    /// Whether any etcd member runs (the record can be read).
    pub etcd_running: bool,
    /// Whether etcd has a working majority (a kubectl read would succeed).
    pub etcd_has_quorum: bool,
    /// The Lease as stored, with its resourceVersion.
    pub record: Option<(Lease, i64)>,
    /// The process that leads now.
    pub leader: Option<usize>,
    pub leader_node: Option<String>,
    /// The running process whose identity is the record's holderIdentity.
    pub holder_running: Option<usize>,
    /// The last successful renew (or acquisition) so far.
    pub last_renew: Option<SimTime>,
    /// A release since the last renew.
    pub last_release: Option<SimTime>,
    /// Every instance but the leader, in process order.
    pub standbys: Vec<Standby>,
    pub last_takeover: Option<Takeover>,
    /// How many processes of this kind there are, and how many run unpaused.
    pub instances: usize,
    pub active: usize,
}

/// An instance that does not lead, and what it believes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standby {
    pub proc: usize,
    pub node: String,
    pub state: StandbyState,
}

/// What a non-leading instance is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StandbyState {
    /// Trying to acquire: when the lease it observed expires on its own
    /// clock (`None` before it has read one) and when it tries next (`None`
    /// while an attempt is in flight).
    Waiting {
        expires_at: Option<SimTime>,
        next_attempt_at: Option<SimTime>,
    },
    /// Believes it still holds the lease, but is not the leader the lab
    /// counts (its renewals fail).
    StillBelievesItLeads { renew_deadline_at: Option<SimTime> },
    /// Anything else, in the inspector's words ("exited (137), …").
    Other(String),
}

fn standby(sim: &Sim, proc: usize) -> Standby {
    let node = node_name(sim, proc);
    let process = &sim.processes()[proc];
    let state = match sim.elector(proc) {
        Some(e) if process.is_running() && e.phase == ElectorPhase::Acquiring => {
            StandbyState::Waiting {
                expires_at: e.expires_at(),
                next_attempt_at: e.next_attempt_at,
            }
        }
        Some(e) if process.is_running() && e.phase == ElectorPhase::Leading => {
            StandbyState::StillBelievesItLeads {
                renew_deadline_at: e.renew_deadline_at,
            }
        }
        _ => StandbyState::Other(process_status(sim, proc).words),
    };
    Standby { proc, node, state }
}

fn node_name(sim: &Sim, proc: usize) -> String {
    let node = sim.processes()[proc].node;
    sim.nodes()[node].name.to_string()
}

fn last_before<T>(list: &[(usize, T)], n: usize) -> Option<&(usize, T)> {
    let end = list.partition_point(|(i, _)| *i < n);
    end.checked_sub(1).map(|last| &list[last])
}

/// A span to a tenth of a second, with a space: `6.2 s`.
pub fn seconds(d: SimDuration) -> String {
    let tenths = d.as_millis() / 100;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

/// A standby's row: `master-3: lease expires in 6.2 s by its clock · next
/// try in 1.4 s`.
pub fn standby_text(standby: &Standby, now: SimTime) -> String {
    let what = match &standby.state {
        StandbyState::Waiting {
            expires_at,
            next_attempt_at,
        } => {
            let expiry = match expires_at {
                None => "has not read the lease yet".to_owned(),
                Some(t) if *t > now => {
                    format!("lease expires in {} by its clock", seconds(*t - now))
                }
                Some(t) => format!("lease expired {} ago by its clock", seconds(now - *t)),
            };
            let next = match next_attempt_at {
                Some(t) if *t > now => format!("next try in {}", seconds(*t - now)),
                _ => "trying now".to_owned(),
            };
            format!("{expiry} · {next}")
        }
        StandbyState::StillBelievesItLeads { renew_deadline_at } => match renew_deadline_at {
            Some(t) if *t > now => format!(
                "still believes it leads, but cannot renew: gives up in {}",
                seconds(*t - now)
            ),
            _ => "still believes it leads, but cannot renew".to_owned(),
        },
        StandbyState::Other(words) => words.clone(),
    };
    format!("{}: {what}", standby.node)
}

/// "No leader for 12.3 s (last renew at 0:31.2)", when no process leads;
/// `None` when one does or leader election is off.
pub fn leaderless_text(view: &LeaseView) -> Option<String> {
    if !view.flags.leader_elect || view.leader.is_some() {
        return None;
    }
    let Some(renewed) = view.last_renew else {
        return Some("No leader yet: the first election is under way.".to_owned());
    };
    let mut text = format!(
        "No leader for {} (last renew at {}",
        seconds(view.now - renewed),
        clock(renewed)
    );
    if let Some(released) = view.last_release {
        text.push_str(&format!("; released at {}", clock(released)));
    }
    text.push_str(").");
    Some(text)
}

/// What theory expects while there is no leader: "Theory: a standby takes
/// over 15.0–23.8 s after the last renew, between 0:46.2 and 0:55.0."
pub fn expected_takeover_text(view: &LeaseView) -> Option<String> {
    if !view.flags.leader_elect || view.leader.is_some() {
        return None;
    }
    let renewed = view.last_renew?;
    let (cause, from, since) = match view.last_release {
        Some(r) => (TakeoverCause::Released, r, "the release"),
        None => (TakeoverCause::StoppedRenewing, renewed, "the last renew"),
    };
    let (low, high) = window_for(cause, &view.flags);
    Some(format!(
        "Theory for these flags: a standby takes over {}–{} after {since}, between {} and {}.",
        seconds(low).trim_end_matches(" s"),
        seconds(high),
        clock(from + low),
        clock(from + high)
    ))
}

/// "Takeover gap 17.9 s (theory for these flags: 15.0–23.8 s): within the
/// window." for a takeover after the leader stopped renewing; after a
/// release, "Takeover 1.4 s after the release (…)".
pub fn takeover_text(takeover: &Takeover) -> String {
    let (low, high) = takeover.window;
    let verdict = if takeover.within_window() {
        "within the predicted window"
    } else {
        "outside the predicted window"
    };
    let measured = match takeover.cause {
        TakeoverCause::StoppedRenewing => format!("Takeover gap {}", seconds(takeover.gap)),
        TakeoverCause::Released => {
            format!("Takeover {} after the release", seconds(takeover.gap))
        }
    };
    format!(
        "{measured} (theory for these flags: {}–{}): {verdict}.",
        seconds(low).trim_end_matches(" s"),
        seconds(high)
    )
}

/// The class that colours a master's name (`who-m2`); a class rather than a
/// style attribute, which a strict Content-Security-Policy refuses.
fn master_colour(node: &str) -> Option<String> {
    let n: u8 = node.strip_prefix("master-")?.parse().ok()?;
    (1..=7).contains(&n).then(|| format!("who-m{n}"))
}

crate::part!(
    /// Both lease panels, below the drawing on every screen: loaded when
    /// they come into view (`OnSight`).
    pub LEASES = leases,
    "the lease panels",
    |_| html! {
        <section class="leases" aria-label="Leases">
            <LeasePanel component={ProcessKind::KubeControllerManager} />
            <LeasePanel component={ProcessKind::KubeScheduler} />
        </section>
    }
);

/// One Lease's panel.
#[function_component(LeasePanel)]
pub fn lease_panel(props: &LeasePanelProps) -> Html {
    let lab = use_lab();
    let kind = props.component;
    let history = use_mut_ref(|| LeaseHistory::new(kind));
    let lab_ref = lab.lab.borrow();
    let view = {
        let mut history = history.borrow_mut();
        if history.kind != kind {
            *history = LeaseHistory::new(kind);
        }
        history.update(&lab_ref);
        history.view(&lab_ref)
    };
    let name = lease_name(kind);
    let heading_id = format!("lease-{name}-heading");
    let body = if view.flags.leader_elect {
        elected(&view)
    } else {
        not_elected(&view)
    };
    html! {
        <section
            class={classes!("lease-panel", lab.reduced_motion.then_some("motion-off"))}
            aria-labelledby={heading_id.clone()}
        >
            <h2 id={heading_id}>{ format!("{name} lease") }</h2>
            { body }
            { flags_list(&view.flags) }
        </section>
    }
}

/// The panel with leader election on.
fn elected(view: &LeaseView) -> Html {
    let name = lease_name(view.kind);
    let now = view.now;
    let holder = match &view.record {
        None => html! { <p class="lease-holder">{ no_record_text(view) }</p> },
        Some((lease, _)) => holder(view, lease),
    };
    let leader_line = match (&view.leader_node, leaderless_text(view)) {
        (Some(node), _) => {
            let since = view
                .last_renew
                .map(|t| format!("; last renew {} ago, at {}", seconds(now - t), clock(t)))
                .unwrap_or_default();
            html! {
                <p class={classes!("lease-state", "lease-led", master_colour(node))}>
                    <span class="lease-badge">{ "Leader" }</span>
                    { format!(" {node}'s {name} leads{since}.") }
                </p>
            }
        }
        (None, Some(text)) => html! {
            <p class="lease-state lease-leaderless">
                <span class="lease-badge">{ "No leader" }</span>
                { " " }
                <span class="lease-no-leader">{ text }</span>
            </p>
        },
        (None, None) => Html::default(),
    };
    let expected =
        expected_takeover_text(view).map(|text| html! { <p class="lease-theory">{ text }</p> });
    let standbys = if view.standbys.is_empty() {
        html! { <p class="lease-standbys-none">{ "No standby: this is the only instance." }</p> }
    } else {
        let rows = view.standbys.iter().map(|s| {
            html! {
                <li key={s.proc} class={classes!(master_colour(&s.node))}>{ standby_text(s, now) }</li>
            }
        });
        html! { <ul class="lease-standbys">{ for rows }</ul> }
    };
    let takeover = match &view.last_takeover {
        Some(t) => {
            let verdict = if t.within_window() {
                "lease-within"
            } else {
                "lease-outside"
            };
            html! {
                <p
                    class={classes!("lease-takeover", verdict)}
                    data-gap-us={t.gap.as_micros().to_string()}
                >
                    <span class="lease-badge">{ if t.within_window() { "Within" } else { "Outside" } }</span>
                    { " " }
                    <output aria-label="Measured takeover gap">{ takeover_text(t) }</output>
                    { format!(" New holder at {}, leaseTransitions {}.", clock(t.acquired_at), t.lease_transitions) }
                </p>
            }
        }
        None => html! {
            <p class="lease-takeover lease-takeover-none">
                { "No takeover yet in this run: kill or stop the leader to measure one." }
            </p>
        },
    };
    let yaml = match &view.record {
        Some((lease, rv)) => lease.to_yaml(*rv),
        None if view.etcd_running => format!(
            "Error from server (NotFound): leases.coordination.k8s.io \"{name}\" not found\n"
        ),
        None => "No etcd member is running: kubectl cannot read the Lease.\n".to_owned(),
    };
    let stale = (view.record.is_some() && !view.etcd_has_quorum).then(|| {
        html! {
            <p class="lease-yaml-note">
                { "etcd has no quorum, so this read would time out; shown as the most \
                   up-to-date running member stores it." }
            </p>
        }
    });
    let command = format!("kubectl -n {KUBE_SYSTEM} get lease {name} -o yaml");
    html! {
        <>
            { holder }
            { leader_line }
            { for expected }
            <h3 class="lease-subheading">{ "Standbys, each by its own clock" }</h3>
            { standbys }
            { takeover }
            <details class="lease-yaml">
                <summary><code>{ command }</code></summary>
                { for stale }
                <pre tabindex="0" role="group" aria-label="The Lease as YAML"><code>{ yaml }</code></pre>
            </details>
        </>
    }
}

fn no_record_text(view: &LeaseView) -> String {
    if view.etcd_running {
        "No Lease stored yet: nobody has acquired it.".to_owned()
    } else {
        "The Lease cannot be read: no etcd member is running.".to_owned()
    }
}

/// The record's fields.
fn holder(view: &LeaseView, lease: &Lease) -> Html {
    let now = view.now;
    let (holder_text, colour) = match lease.holder_node() {
        None => ("nobody (the lease was released)".to_owned(), None),
        Some(node) => {
            let status = if view.holder_running.is_some() {
                format!("{node}, running")
            } else {
                format!(
                    "{node}, but that process no longer runs (a restarted process gets a new identity)"
                )
            };
            (status, master_colour(node))
        }
    };
    let time = |t: Option<SimTime>| match t {
        Some(t) => format!("{} ({} ago)", clock(t), seconds(now - t)),
        None => "unset".to_owned(),
    };
    html! {
        <dl class="lease-record">
            <dt>{ "holderIdentity" }</dt>
            <dd class={classes!(colour)}>
                <code>{ if lease.holder_identity.is_empty() { "\"\"".to_owned() } else { lease.holder_identity.clone() } }</code>
                { " — " }
                <span class="lease-holder-node">{ holder_text }</span>
            </dd>
            <dt>{ "acquireTime" }</dt>
            <dd>{ time(lease.acquire_time) }</dd>
            <dt>{ "renewTime" }</dt>
            <dd>{ time(lease.renew_time) }</dd>
            <dt>{ "leaseTransitions" }</dt>
            <dd class="lease-transitions">{ lease.lease_transitions }</dd>
        </dl>
    }
}

/// The panel with `--leader-elect=false`.
fn not_elected(view: &LeaseView) -> Html {
    let name = lease_name(view.kind);
    html! {
        <>
            <p class="lease-state lease-off">
                <span class="lease-badge">{ "No lease" }</span>
                { format!(
                    " Leader election is off (--leader-elect=false): there is no Lease, and every \
                     {name} acts at once."
                ) }
            </p>
            <p class="lease-active">
                { format!("{} of {} instances active.", view.active, view.instances) }
            </p>
        </>
    }
}

fn flags_list(flags: &LeaderElectionFlags) -> Html {
    let mut shown = vec![format!("--leader-elect={}", flags.leader_elect)];
    if flags.leader_elect {
        shown.extend([
            format!("--leader-elect-lease-duration={}", flags.lease_duration),
            format!("--leader-elect-renew-deadline={}", flags.renew_deadline),
            format!("--leader-elect-retry-period={}", flags.retry_period),
        ]);
    }
    html! {
        <div class="lease-flags">
            <h3 class="lease-subheading">{ "Flags in use" }</h3>
            <ul>
                { for shown.into_iter().map(|flag| html! { <li><code>{ flag }</code></li> }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Setup;
    use ha_sim::{Action, Cluster, Event, SimConfig, Target};

    fn lab_with(configure: impl FnOnce(&mut SimConfig)) -> Lab {
        let mut config = SimConfig::new(5, Cluster::default());
        configure(&mut config);
        Lab::new(Setup::of_config("test", config)).unwrap()
    }

    fn view_of(lab: &Lab, kind: ProcessKind) -> LeaseView {
        let mut history = LeaseHistory::new(kind);
        history.update(lab);
        history.view(lab)
    }

    fn is_lease(event: &Event, name: &str, kind: &str) -> bool {
        let path = format!("kube-system/{name}");
        event.kind.name() == kind
            && match &event.kind {
                EventKind::LeaseAcquired { lease, .. }
                | EventKind::LeaseRenewed { lease }
                | EventKind::LeaseReleased { lease } => *lease == path,
                _ => false,
            }
    }

    #[test]
    fn a_killed_leaders_takeover_gap_is_measured_from_its_last_renew_and_lies_in_the_window() {
        // Reference: FIDELITY.md §2 A: acquire − t_L ∈ (D, D + 2P(1+J)].
        let mut lab = lab_with(|_| {});
        lab.advance_to(SimTime::from_secs(30));
        let kill = Action::KillNode(Target::parse("leader:kube-controller-manager").unwrap());
        lab.act(kill).unwrap();
        let killed_at = lab.now();
        lab.advance_to(SimTime::from_secs(60));

        let name = "kube-controller-manager";
        let events = lab.events_so_far();
        let acquired = events
            .iter()
            .find(|e| e.t > killed_at && is_lease(e, name, "lease_acquired"))
            .expect("a standby took over");
        let last_renew = events
            .iter()
            .rev()
            .find(|e| {
                e.t <= killed_at
                    && (is_lease(e, name, "lease_renewed") || is_lease(e, name, "lease_acquired"))
            })
            .map(|e| e.t)
            .unwrap();

        let view = view_of(&lab, ProcessKind::KubeControllerManager);
        let takeover = view.last_takeover.expect("a takeover was measured");
        assert_eq!(takeover.cause, TakeoverCause::StoppedRenewing);
        assert_eq!(takeover.acquired_at, acquired.t);
        assert_eq!(takeover.measured_from, last_renew);
        assert_eq!(takeover.gap, acquired.t - last_renew);
        assert_eq!(
            takeover.window,
            lab.setup.config.controller_manager.takeover_window()
        );
        assert!(takeover.within_window(), "{takeover:?}");
        let text = takeover_text(&takeover);
        assert!(text.starts_with("Takeover gap "), "{text}");
        assert!(
            text.contains("(theory for these flags: 15.0–23.8 s)"),
            "{text}"
        );
        assert!(text.ends_with("within the predicted window."), "{text}");
        assert_eq!(
            view.record.as_ref().unwrap().0.lease_transitions,
            takeover.lease_transitions
        );
        assert!(view.leader.is_some());
    }

    #[test]
    fn a_released_lease_is_measured_from_the_release_against_one_jittered_retry() {
        // Reference: FIDELITY.md §2 C: new leader at release + (0, P(1+J)).
        let mut lab = lab_with(|_| {});
        lab.advance_to(SimTime::from_secs(30));
        let stop = Action::StopProcess(Target::parse("leader:kube-scheduler").unwrap());
        lab.act(stop).unwrap();
        lab.advance_to(SimTime::from_secs(45));
        let name = "kube-scheduler";
        let events = lab.events_so_far();
        let released = events
            .iter()
            .find(|e| is_lease(e, name, "lease_released"))
            .expect("the scheduler released its lease");
        let acquired = events
            .iter()
            .find(|e| e.t >= released.t && is_lease(e, name, "lease_acquired"))
            .expect("a standby took over");

        let view = view_of(&lab, ProcessKind::KubeScheduler);
        let takeover = view.last_takeover.unwrap();
        assert_eq!(takeover.cause, TakeoverCause::Released);
        assert_eq!(takeover.measured_from, released.t);
        assert_eq!(takeover.gap, acquired.t - released.t);
        assert_eq!(
            takeover.window,
            (SimDuration::ZERO, SimDuration::from_millis(4_400))
        );
        assert!(takeover.within_window(), "{takeover:?}");
        assert!(takeover_text(&takeover).starts_with("Takeover "));
        assert!(takeover_text(&takeover).contains("after the release"));
        // The controller-manager's lease saw no takeover.
        assert_eq!(
            view_of(&lab, ProcessKind::KubeControllerManager).last_takeover,
            None
        );
    }

    #[test]
    fn every_standby_has_a_row_with_its_own_expiry_and_next_try() {
        let mut lab = lab_with(|_| {});
        lab.advance_to(SimTime::from_secs(30));
        let view = view_of(&lab, ProcessKind::KubeControllerManager);
        let leader = view.leader.expect("a leader by 30 s");
        assert_eq!(view.instances, 3);
        assert_eq!(view.standbys.len(), 2);
        let flags = lab.setup.config.controller_manager;
        for standby in &view.standbys {
            assert_ne!(standby.proc, leader);
            let e = lab.sim.elector(standby.proc).unwrap();
            assert_eq!(
                standby.state,
                StandbyState::Waiting {
                    expires_at: e.expires_at(),
                    next_attempt_at: e.next_attempt_at,
                }
            );
            let expires = e.expires_at().unwrap();
            assert!(expires > lab.now() && expires - lab.now() <= flags.lease_duration);
            let text = standby_text(standby, lab.now());
            assert!(
                text.starts_with(&format!("{}: lease expires in ", standby.node)),
                "{text}"
            );
            assert!(text.contains(" by its clock · "), "{text}");
        }
        assert_eq!(leaderless_text(&view), None);
        let (lease, _) = view.record.unwrap();
        assert_eq!(
            lease.holder_identity,
            lab.sim.elector(leader).unwrap().identity
        );
        assert_eq!(view.holder_running, Some(leader));
        assert_eq!(view.leader_node, lease.holder_node().map(str::to_owned));
    }

    #[test]
    fn without_a_leader_the_panel_counts_from_the_last_renew() {
        let mut lab = lab_with(|_| {});
        lab.advance_to(SimTime::from_secs(30));
        let before = view_of(&lab, ProcessKind::KubeControllerManager);
        let last_renew = before.last_renew.unwrap();
        let kill = Action::KillNode(Target::parse("leader:kube-controller-manager").unwrap());
        lab.act(kill).unwrap();
        lab.advance_to(SimTime::from_secs(36));
        let view = view_of(&lab, ProcessKind::KubeControllerManager);
        assert_eq!(view.leader, None);
        assert_eq!(view.last_renew, Some(last_renew));
        assert_eq!(view.holder_running, None, "the holder's node is off");
        let text = leaderless_text(&view).unwrap();
        assert_eq!(
            text,
            format!(
                "No leader for {} (last renew at {}).",
                seconds(lab.now() - last_renew),
                clock(last_renew)
            )
        );
        let theory = expected_takeover_text(&view).unwrap();
        assert!(
            theory.contains("15.0–23.8 s after the last renew"),
            "{theory}"
        );
        // The dead leader's own row says it is not running.
        let dead = view
            .standbys
            .iter()
            .find(|s| matches!(s.state, StandbyState::Other(_)))
            .expect("the old leader's row");
        assert!(standby_text(dead, lab.now()).contains("not running"));
    }

    #[test]
    fn the_history_follows_seeks_and_forks_without_rescanning_by_hand() {
        let mut lab = lab_with(|_| {});
        let mut history = LeaseHistory::new(ProcessKind::KubeControllerManager);
        lab.advance_to(SimTime::from_secs(30));
        lab.act(Action::KillNode(
            Target::parse("leader:kube-controller-manager").unwrap(),
        ))
        .unwrap();
        lab.advance_to(SimTime::from_secs(60));
        history.update(&lab);
        assert!(history.view(&lab).last_takeover.is_some());
        // Back before the takeover: not yet measured.
        lab.seek(SimTime::from_secs(40));
        history.update(&lab);
        assert_eq!(history.view(&lab).last_takeover, None);
        assert_eq!(
            history.view(&lab),
            view_of(&lab, ProcessKind::KubeControllerManager)
        );
        // Another future from 40 s: heal the network (a new action forks the branch).
        lab.act(Action::Heal).unwrap();
        lab.advance_to(SimTime::from_secs(60));
        history.update(&lab);
        assert_eq!(
            history.view(&lab),
            view_of(&lab, ProcessKind::KubeControllerManager)
        );
    }

    #[test]
    fn with_leader_election_off_every_instance_acts_and_there_is_no_lease() {
        let mut lab = lab_with(|c| c.scheduler.leader_elect = false);
        lab.advance_to(SimTime::from_secs(30));
        let view = view_of(&lab, ProcessKind::KubeScheduler);
        assert!(!view.flags.leader_elect);
        assert_eq!(view.record, None);
        assert!(view.standbys.is_empty());
        assert_eq!((view.active, view.instances), (3, 3));
        assert_eq!(leaderless_text(&view), None);
        // The controller-manager still elects.
        assert!(
            view_of(&lab, ProcessKind::KubeControllerManager)
                .leader
                .is_some()
        );
    }

    #[test]
    fn countdowns_read_to_a_tenth_of_a_second() {
        let standby = Standby {
            proc: 4,
            node: "master-3".to_owned(),
            state: StandbyState::Waiting {
                expires_at: Some(SimTime::from_millis(16_250)),
                next_attempt_at: Some(SimTime::from_millis(11_460)),
            },
        };
        assert_eq!(
            standby_text(&standby, SimTime::from_secs(10)),
            "master-3: lease expires in 6.2 s by its clock · next try in 1.4 s"
        );
        assert_eq!(
            standby_text(&standby, SimTime::from_secs(20)),
            "master-3: lease expired 3.7 s ago by its clock · trying now"
        );
    }
}
