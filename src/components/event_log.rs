//! The event log: what the components logged up to now, newest at the
//! bottom, filterable by node and component, each line a button that jumps
//! to its moment.
//!
//! It re-renders every animation frame while playing, so it never re-scans
//! the whole record: an [`EventIndex`] keeps the indices of the matching
//! events and only looks at events recorded since the last frame; at most
//! [`PAGE`] lines per page are rendered, and the rendered list is reused
//! while the lines it shows stay the same.

use gloo_render::request_animation_frame;
use ha_sim::sorted::SortedMap;
use ha_sim::{Event as SimEvent, EventKind, ProcessKind};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::lab::{BranchId, Lab};
use crate::state::{LabAction, use_lab};
use crate::view::clock;

/// How many lines the log renders at first, and how many more each
/// "Show earlier lines" adds.
pub const PAGE: usize = 200;

/// The components that log without a process of their own: the node
/// (power), the network, the workload's availability and the learner.
pub const CLUSTER_COMPONENTS: [&str; 4] = ["node", "network", "workload", "learner"];

/// The indices (into `Lab::events`) of the events that match a filter, kept
/// up to date frame by frame: each update only reads the events recorded
/// since the last one. It starts again when the branch or the filter
/// (named by `K`) changes.
#[derive(Clone, Debug)]
pub struct EventIndex<K> {
    branch: Option<BranchId>,
    filter: Option<K>,
    scanned: usize,
    matches: Vec<usize>,
    generation: u64,
}

impl<K> Default for EventIndex<K> {
    fn default() -> Self {
        EventIndex {
            branch: None,
            filter: None,
            scanned: 0,
            matches: Vec::new(),
            generation: 0,
        }
    }
}

impl<K: Clone + PartialEq> EventIndex<K> {
    /// Brings the index up to date with `lab`'s record, for the filter
    /// `filter` that `matches` implements.
    pub fn update(&mut self, lab: &Lab, filter: &K, matches: impl Fn(&SimEvent) -> bool) {
        let same = self.filter.as_ref() == Some(filter)
            && lab.events.len() >= self.scanned
            && self.branch == Some(lab.branch());
        if !same {
            self.branch = Some(lab.branch());
            self.filter = Some(filter.clone());
            self.scanned = 0;
            self.matches.clear();
            self.generation += 1;
        }
        let fresh = lab.events[self.scanned..]
            .iter()
            .enumerate()
            .filter(|(_, e)| matches(e))
            .map(|(i, _)| self.scanned + i);
        self.matches.extend(fresh);
        self.scanned = lab.events.len();
    }

    /// The matching events among the first `n` events of the record (the
    /// events so far are `lab.events_so_far().len()`), oldest first.
    pub fn before(&self, n: usize) -> &[usize] {
        let end = self.matches.partition_point(|&i| i < n);
        &self.matches[..end]
    }

    /// Changes whenever the index starts again (a new branch or filter).
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// Which node's events the log shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeFilter {
    All,
    /// Events that belong to no node (etcd quorum, the network, actions).
    ClusterWide,
    Node(String),
}

/// What the log shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFilter {
    pub node: NodeFilter,
    /// `None` for every component.
    pub component: Option<String>,
    /// Whether to show `LeaseRenewed` (one every retry period per lease).
    pub renewals: bool,
}

impl Default for LogFilter {
    fn default() -> Self {
        LogFilter {
            node: NodeFilter::All,
            component: None,
            renewals: false,
        }
    }
}

impl LogFilter {
    /// Whether the log shows `event`.
    pub fn matches(&self, event: &SimEvent) -> bool {
        let node = match &self.node {
            NodeFilter::All => true,
            NodeFilter::ClusterWide => event.node.is_none(),
            NodeFilter::Node(name) => event.node.as_deref() == Some(name.as_str()),
        };
        node && self
            .component
            .as_deref()
            .is_none_or(|c| c == event.component)
            && (self.renewals || !matches!(event.kind, EventKind::LeaseRenewed { .. }))
    }
}

/// The components a cluster's events come from, for the filter: its
/// processes' kinds, then the cluster-level ones.
pub fn components(lab: &Lab) -> Vec<&'static str> {
    let kinds = lab.sim.processes().iter().map(|p| p.kind);
    let mut present: Vec<ProcessKind> = ProcessKind::ALL
        .into_iter()
        .filter(|k| kinds.clone().any(|p| p == *k))
        .collect();
    present.dedup();
    present
        .into_iter()
        .map(ProcessKind::name)
        .chain(CLUSTER_COMPONENTS)
        .collect()
}

/// Whether the list follows the newest line: it does until the learner
/// scrolls up, and again once they scroll back to the bottom.
struct ScrollFollow {
    stick_to_bottom: bool,
    /// "Show earlier lines" was pressed: show the top of the list once.
    reveal_earlier: bool,
    /// The list's scrollTop after the last scroll, the lab's or the learner's.
    last_top: i32,
    /// While the learner reads earlier lines, the first line shown stays put
    /// (a position in the matching lines of index generation `generation`).
    pinned_first: Option<usize>,
    generation: u64,
    /// The first line shown by the last render.
    last_start: usize,
}

impl Default for ScrollFollow {
    fn default() -> Self {
        ScrollFollow {
            stick_to_bottom: true,
            reveal_earlier: false,
            last_top: 0,
            pinned_first: None,
            generation: 0,
            last_start: 0,
        }
    }
}

/// Which of the `matching` lines so far the log renders, as positions
/// `start..end` among them. Following the newest line, it shows the last
/// [`PAGE`] lines and one more page per "Show earlier lines" (`pages`).
/// While the learner reads earlier lines (`pinned_first`), the first line
/// stays put as new lines arrive below, up to four more pages; it never
/// shows fewer than a page when there are more.
pub fn window(matching: usize, pages: usize, pinned_first: Option<usize>) -> (usize, usize) {
    let following = matching.saturating_sub(PAGE * (1 + pages));
    let start = match pinned_first {
        None => following,
        Some(first) => first
            .min(matching.saturating_sub(PAGE))
            .max(matching.saturating_sub(PAGE * (5 + pages))),
    };
    (start, matching)
}

crate::part!(
    /// The event log, below the drawing on every screen: loaded when it
    /// comes into view (`OnSight`).
    pub EVENT_LOG = event_log,
    "the event log",
    |_| html! { <EventLog /> }
);

/// The event log.
#[function_component(EventLog)]
pub fn event_log() -> Html {
    let lab = use_lab();
    let filter = use_state(LogFilter::default);
    // Pages beyond the first that the learner asked for.
    let pages = use_state(|| 0usize);
    let index = use_mut_ref(EventIndex::<LogFilter>::default);
    let list_ref = use_node_ref();
    let follow = use_mut_ref(ScrollFollow::default);
    // Mirrors `follow.stick_to_bottom` for rendering the "Follow" button.
    let following = use_state_eq(|| true);
    // The rendered lines by event index, so that a frame formats only the
    // lines that are new to the view.
    let rendered = use_mut_ref(|| (0u64, SortedMap::<usize, Html>::new()));

    let shared = lab.lab.clone();
    let lab_ref = shared.borrow();
    let so_far = lab_ref.events_so_far().len();
    let (generation, matching) = {
        let mut index = index.borrow_mut();
        let current = (*filter).clone();
        index.update(&lab_ref, &current, |e| current.matches(e));
        (index.generation(), index.before(so_far).len())
    };
    let (start, end) = {
        let mut follow = follow.borrow_mut();
        if follow.generation != generation {
            // Another filter or branch: follow the newest line again.
            follow.generation = generation;
            follow.pinned_first = None;
            follow.stick_to_bottom = true;
            following.set(true);
        }
        let pinned = follow.pinned_first.filter(|_| !follow.stick_to_bottom);
        let (start, end) = window(matching, *pages, pinned);
        follow.last_start = start;
        (start, end)
    };
    let hidden = start;

    let dispatcher = lab.dispatcher();
    let lines = {
        let index = index.clone();
        let rendered = rendered.clone();
        let lab_ref = &lab_ref;
        use_memo((generation, start, end), move |_| {
            let index = index.borrow();
            let shown = &index.before(so_far)[start.min(end)..end];
            let mut rendered = rendered.borrow_mut();
            let (rendered_generation, cache) = &mut *rendered;
            if *rendered_generation != generation {
                *rendered_generation = generation;
                cache.clear();
            }
            let lines: Html = shown
                .iter()
                .filter_map(|&i| {
                    let event = lab_ref.events.get(i)?;
                    let line = cache.get_or_insert_with(i, || log_line(i, event, &dispatcher));
                    Some(line.clone())
                })
                .collect();
            let first = shown.first().copied().unwrap_or(usize::MAX);
            let last = shown.last().copied().unwrap_or(0);
            cache.retain(|&i, _| first <= i && i <= last);
            lines
        })
    };

    {
        // Scrolls once the new lines are on screen, in the next animation
        // frame: reading the list's height now would force the browser to
        // lay out the whole page a second time in this frame.
        let list_ref = list_ref.clone();
        let follow = follow.clone();
        use_effect_with((generation, start, end), move |_| {
            let frame = request_animation_frame(move |_| {
                let Some(list) = list_ref.cast::<Element>() else {
                    return;
                };
                let mut follow = follow.borrow_mut();
                if std::mem::take(&mut follow.reveal_earlier) {
                    list.set_scroll_top(0);
                } else if follow.stick_to_bottom {
                    list.set_scroll_top(list.scroll_height());
                }
                follow.last_top = list.scroll_top();
            });
            move || drop(frame)
        });
    }

    let onscroll = {
        let follow = follow.clone();
        let following = following.clone();
        Callback::from(move |e: Event| {
            let list: Element = e.target_unchecked_into();
            let mut follow = follow.borrow_mut();
            let top = list.scroll_top();
            let at_bottom = top + list.client_height() >= list.scroll_height() - 8;
            if at_bottom {
                follow.stick_to_bottom = true;
                follow.pinned_first = None;
            } else if top < follow.last_top - 2 && follow.stick_to_bottom {
                // The learner scrolled up (lines growing below do not count):
                // keep the lines they read in place.
                follow.stick_to_bottom = false;
                follow.pinned_first = Some(follow.last_start);
            }
            follow.last_top = top;
            following.set(follow.stick_to_bottom);
        })
    };
    let on_follow = {
        let follow = follow.clone();
        let following = following.clone();
        let list_ref = list_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let mut follow = follow.borrow_mut();
            follow.stick_to_bottom = true;
            follow.pinned_first = None;
            if let Some(list) = list_ref.cast::<Element>() {
                list.set_scroll_top(list.scroll_height());
                follow.last_top = list.scroll_top();
            }
            following.set(true);
        })
    };
    // A filter change starts again from the latest page.
    let refilter = |change: fn(&mut LogFilter, &Event)| {
        let filter = filter.clone();
        let pages = pages.clone();
        Callback::from(move |e: Event| {
            let mut next = (*filter).clone();
            change(&mut next, &e);
            pages.set(0);
            filter.set(next);
        })
    };
    let on_node = refilter(|f, e| {
        f.node = match e
            .target_unchecked_into::<HtmlSelectElement>()
            .value()
            .as_str()
        {
            "" => NodeFilter::All,
            "-" => NodeFilter::ClusterWide,
            name => NodeFilter::Node(name.to_owned()),
        };
    });
    let on_component = refilter(|f, e| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        f.component = (!value.is_empty()).then_some(value);
    });
    let on_renewals = refilter(|f, e| {
        f.renewals = e.target_unchecked_into::<HtmlInputElement>().checked();
    });
    let on_earlier = {
        let pages = pages.clone();
        let follow = follow.clone();
        let following = following.clone();
        Callback::from(move |_: MouseEvent| {
            following.set(false);
            let mut follow = follow.borrow_mut();
            follow.stick_to_bottom = false;
            follow.reveal_earlier = true;
            follow.pinned_first = Some(follow.last_start.saturating_sub(PAGE));
            pages.set(*pages + 1);
        })
    };

    let node_options = lab_ref.sim.nodes().iter().map(|n| {
        let selected = filter.node == NodeFilter::Node(n.name.to_string());
        html! { <option value={n.name.to_string()} {selected}>{ n.name.to_string() }</option> }
    });
    let component_options = components(&lab_ref).into_iter().map(|c| {
        let selected = filter.component.as_deref() == Some(c);
        html! { <option value={c} {selected}>{ c }</option> }
    });
    let earlier = (hidden > 0).then(|| {
        html! {
            <button type="button" class="event-log-earlier" onclick={on_earlier}>
                { "Show earlier lines" }
            </button>
        }
    });
    let summary = if hidden > 0 {
        format!(
            "The last {} of {matching} lines up to now.",
            matching - hidden
        )
    } else if matching == 1 {
        "1 line up to now.".to_owned()
    } else {
        format!("{matching} lines up to now.")
    };

    html! {
        <section
            class={classes!("event-log", lab.reduced_motion.then_some("motion-off"))}
            aria-labelledby="event-log-heading"
        >
            <h2 id="event-log-heading">{ "Event log" }</h2>
            <div class="event-log-filters">
                <div class="field">
                    <label for="event-log-node">{ "Node" }</label>
                    <select id="event-log-node" onchange={on_node}>
                        <option value="" selected={filter.node == NodeFilter::All}>{ "All" }</option>
                        { for node_options }
                        <option value="-" selected={filter.node == NodeFilter::ClusterWide}>
                            { "Cluster-wide (no node)" }
                        </option>
                    </select>
                </div>
                <div class="field">
                    <label for="event-log-component">{ "Component" }</label>
                    <select id="event-log-component" onchange={on_component}>
                        <option value="" selected={filter.component.is_none()}>{ "All" }</option>
                        { for component_options }
                    </select>
                </div>
                <div class="field checkbox">
                    <input
                        type="checkbox"
                        id="event-log-renewals"
                        checked={filter.renewals}
                        onchange={on_renewals}
                    />
                    <label for="event-log-renewals">{ "Show lease renewals" }</label>
                </div>
            </div>
            <p class="event-log-summary">
                { summary }
                { " Select a line to go to that moment." }
            </p>
            { for earlier }
            <div
                class="event-log-lines"
                role="log"
                aria-label="Event log"
                ref={list_ref}
                {onscroll}
            >
                <ol>{ (*lines).clone() }</ol>
            </div>
            if !*following {
                <button type="button" class="event-log-follow" onclick={on_follow}>
                    { "Follow the newest line" }
                </button>
            }
        </section>
    }
}

/// One line of the log: a button that goes to the event's moment.
fn log_line(
    index: usize,
    event: &SimEvent,
    dispatcher: &yew::UseReducerDispatcher<crate::state::LabState>,
) -> Html {
    let t = event.t;
    let onclick = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(LabAction::Seek(t)))
    };
    let is_action = matches!(event.kind, EventKind::Action { .. });
    let time = clock(t);
    let node = event.node.as_deref().unwrap_or("cluster").to_owned();
    html! {
        <li key={index} class={classes!("log-line", is_action.then_some("log-action"))}>
            <button type="button" {onclick} title={format!("Go to {time}")} data-t-us={t.as_micros().to_string()}>
                <span class="log-time">{ time }</span>
                { " " }
                <span class="log-node">{ node }</span>
                { " " }
                <span class="log-component">{ event.component }</span>
                { " " }
                <span class="log-message">{ &event.message }</span>
            </button>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Setup;
    use ha_sim::{Action, Cluster, SimConfig, SimTime, Target};

    fn lab() -> Lab {
        Lab::new(Setup::of_config(
            "test",
            SimConfig::new(1, Cluster::default()),
        ))
        .unwrap()
    }

    /// The matching events among the first `n`, found the slow way.
    fn scan(lab: &Lab, n: usize, filter: &LogFilter) -> Vec<usize> {
        (0..n).filter(|&i| filter.matches(&lab.events[i])).collect()
    }

    #[test]
    fn the_index_grows_frame_by_frame_and_agrees_with_a_full_scan() {
        let mut lab = lab();
        let filter = LogFilter::default();
        let mut index = EventIndex::default();
        let mut t = SimTime::ZERO;
        while t < SimTime::from_secs(40) {
            t += ha_sim::SimDuration::from_millis(370);
            lab.advance_to(t);
            index.update(&lab, &filter, |e| filter.matches(e));
        }
        let n = lab.events_so_far().len();
        assert_eq!(index.before(n), scan(&lab, n, &filter).as_slice());
        // Lease renewals are hidden by default, and there are many.
        let with_renewals = LogFilter {
            renewals: true,
            ..LogFilter::default()
        };
        assert!(scan(&lab, n, &with_renewals).len() > index.before(n).len() + 10);
        // Going back shows fewer lines, from the same index.
        lab.seek(SimTime::from_secs(20));
        let n = lab.events_so_far().len();
        index.update(&lab, &filter, |e| filter.matches(e));
        assert_eq!(index.before(n), scan(&lab, n, &filter).as_slice());
    }

    #[test]
    fn the_index_starts_again_when_the_branch_or_the_filter_changes() {
        let mut lab = lab();
        lab.advance_to(SimTime::from_secs(30));
        let filter = LogFilter::default();
        let mut index = EventIndex::default();
        index.update(&lab, &filter, |e| filter.matches(e));
        let first = index.generation();
        lab.seek(SimTime::from_secs(25));
        lab.act(Action::KillNode(Target::parse("master-1").unwrap()))
            .unwrap();
        lab.advance_to(SimTime::from_secs(30));
        index.update(&lab, &filter, |e| filter.matches(e));
        assert_ne!(index.generation(), first);
        let n = lab.events_so_far().len();
        assert_eq!(index.before(n), scan(&lab, n, &filter).as_slice());
        assert!(
            index
                .before(n)
                .iter()
                .any(|&i| matches!(lab.events[i].kind, EventKind::Action { .. }))
        );

        let master = LogFilter {
            node: NodeFilter::Node("master-2".to_owned()),
            component: Some("etcd".to_owned()),
            renewals: false,
        };
        let generation = index.generation();
        index.update(&lab, &master, |e| master.matches(e));
        assert_ne!(index.generation(), generation);
        let lines = index.before(n);
        assert!(!lines.is_empty());
        assert!(lines.iter().all(|&i| {
            let e = &lab.events[i];
            e.node.as_deref() == Some("master-2") && e.component == "etcd"
        }));
    }

    #[test]
    fn the_window_follows_the_newest_lines_or_stays_where_the_learner_reads() {
        // Following: the last page, and one more per "Show earlier lines".
        assert_eq!(window(150, 0, None), (0, 150));
        assert_eq!(window(1_000, 0, None), (800, 1_000));
        assert_eq!(window(1_000, 2, None), (400, 1_000));
        // Reading from line 800: new lines arrive below, the first stays.
        assert_eq!(window(1_050, 0, Some(800)), (800, 1_050));
        // Up to four pages more, then it slides.
        assert_eq!(window(2_000, 0, Some(800)), (1_000, 2_000));
        // Back in time, before the line read: the last page up to now.
        assert_eq!(window(700, 0, Some(800)), (500, 700));
    }

    #[test]
    fn cluster_wide_lines_are_those_of_no_node() {
        let mut lab = lab();
        lab.advance_to(SimTime::from_secs(10));
        lab.act(Action::Heal).unwrap();
        let filter = LogFilter {
            node: NodeFilter::ClusterWide,
            ..LogFilter::default()
        };
        let lines = scan(&lab, lab.events_so_far().len(), &filter);
        assert!(!lines.is_empty());
        assert!(lines.iter().all(|&i| lab.events[i].node.is_none()));
    }

    #[test]
    fn the_component_filter_offers_every_component_that_logs() {
        let mut lab = lab();
        lab.advance_to(SimTime::from_secs(60));
        let offered = components(&lab);
        for event in &lab.events {
            assert!(
                offered.contains(&event.component),
                "{} is not offered",
                event.component
            );
        }
    }
}
