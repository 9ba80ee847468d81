//! The timeline: what happened to the control plane over time, lane by lane.
//!
//! One lane per Lease (its holder as coloured bands that also carry the
//! holder's name, the leader's renewals, the standbys' attempts to acquire and
//! the moments their own clocks said the lease had expired), a lane for etcd
//! (its leader and term, quorum lost shaded), one lane per API server (ready,
//! and UP or DOWN in the load balancer), the learner's `kubectl get pods`, and
//! the pods desired and running. The learner's actions are flags on a lane of
//! their own. Clicking a moment shows the cluster as it was then.
//!
//! The component re-renders every animation frame while the lab plays, so the
//! work of a frame is bounded by what is visible: [`TimelineIndex`] turns the
//! branch's events into per-lane histories once, incrementally, and
//! [`TimelineIndex::view`] cuts a window out of them with binary searches,
//! thinning whatever would be denser than a screen can show. Both are plain
//! Rust, tested natively; the component only maps the result to SVG.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use ha_sim::{Event, EventKind, ProcessKind, SimDuration, SimTime};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::lab::{BranchId, Lab, Sample};
use crate::state::{LabAction, use_lab};
use crate::view::{clock, decimal_text, push_decimal};

/// How much time the timeline shows at first: the last minute and a half.
pub const DEFAULT_SPAN: SimDuration = SimDuration::from_secs(90);
/// The narrowest window the learner can zoom in to.
pub const MIN_SPAN: SimDuration = SimDuration::from_secs(5);
/// At most this many renew or attempt ticks are drawn per row.
pub const MAX_TICKS_PER_ROW: usize = 150;
/// At most this many focusable marks per lane; more are thinned by time.
pub const MAX_MARKS_PER_LANE: usize = 40;
/// The pods lane is thinned to about this many points.
pub const MAX_POD_POINTS: usize = 300;
/// Bands shorter than 1/this of the window are too thin to see and are not
/// drawn, which bounds the bands of a lane that flaps for an hour.
pub const MAX_BANDS_PER_LANE: u64 = 600;

/// The Leases the timeline has a lane for, in lane order.
const LEASES: [ProcessKind; 2] = [
    ProcessKind::KubeControllerManager,
    ProcessKind::KubeScheduler,
];

// ---- the component -------------------------------------------------------

crate::part!(
    /// The timeline, below the drawing on every screen: loaded when it
    /// comes into view (`OnSight`).
    pub TIMELINE = timeline,
    "the timeline",
    |_| html! { <Timeline /> }
);

/// The timeline of the lab's branch: a collapsible section with its own
/// zoom and pan, which follows the present while the lab plays.
#[function_component(Timeline)]
pub fn timeline() -> Html {
    let lab = use_lab();
    let expanded = use_state(|| true);
    let window_state = use_state(WindowState::default);
    let index = use_mut_ref(TimelineIndex::default);
    let last_now = use_mut_ref(|| None::<SimTime>);
    let drag = use_mut_ref(|| None::<Drag>);
    let suppress_click = use_mut_ref(|| false);
    let width = use_state_eq(|| 800_u32);
    let plot_ref = use_node_ref();
    let svg_ref = use_node_ref();
    let legend = use_memo((), |()| legend());

    {
        // Measure the plot's width on mount, on expanding and on resize, so
        // that one unit of the drawing is one CSS pixel and text stays readable.
        let plot_ref = plot_ref.clone();
        let width = width.clone();
        use_effect_with(*expanded, move |expanded| {
            let measure = move || {
                if let Some(element) = plot_ref.cast::<web_sys::Element>() {
                    let w = element.client_width();
                    if w > 0 {
                        width.set(w as u32);
                    }
                }
            };
            measure();
            let listener = if *expanded {
                web_sys::window().map(|w| EventListener::new(&w, "resize", move |_| measure()))
            } else {
                None
            };
            move || drop(listener)
        });
    }

    let toggle = {
        let expanded = expanded.clone();
        Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
    };
    let heading = html! {
        <h2 class="tl-heading">
            <button type="button" class="tl-toggle" aria-expanded={expanded.to_string()}
                aria-controls={expanded.then_some("tl-body")} onclick={toggle}>
                <span class="tl-toggle-icon" aria-hidden="true"></span>
                { "Timeline" }
            </button>
        </h2>
    };
    let section_class = classes!(
        "timeline",
        lab.reduced_motion.then_some("tl-reduced-motion")
    );
    if !*expanded {
        return html! { <section class={section_class} aria-label="Timeline">{ heading }</section> };
    }

    let l = lab.lab.borrow();
    let now = l.now();
    let horizon = l.horizon;
    index.borrow_mut().update(&l);

    // Follow the present again when it walks off the right edge of a window
    // that was showing it (after a click in the timeline, then Play).
    let mut state = *window_state;
    let previous_now = last_now.borrow_mut().replace(now);
    let frozen = state.window(now, horizon);
    if !state.follow
        && lab.playing
        && previous_now.is_some_and(|p| p <= frozen.end)
        && now > frozen.end
    {
        state = state.following();
        window_state.set(state);
    }
    let window = state.window(now, horizon);
    let view = index.borrow().view(&l, window);
    drop(l);

    let geometry = Geometry::new(f64::from(*width), window);
    let set_state = {
        let window_state = window_state.clone();
        move |next: WindowState| window_state.set(next)
    };
    let button = |name: &'static str, text: &'static str, next: WindowState, enabled: bool| {
        let set_state = set_state.clone();
        html! {
            <button type="button" aria-label={name} disabled={!enabled}
                onclick={Callback::from(move |_: MouseEvent| set_state(next))}>
                { text }
            </button>
        }
    };
    let max_span = WindowState::max_span(horizon);
    let zoomed_in = state.zoomed(true, now, horizon);
    let zoomed_out = state.zoomed(false, now, horizon);
    let earlier = state.panned(false, now, horizon);
    let later = state.panned(true, now, horizon);
    let follow_button = {
        let set_state = set_state.clone();
        let next = state.following();
        html! {
            <button type="button" class="tl-follow" aria-pressed={state.follow.to_string()}
                onclick={Callback::from(move |_: MouseEvent| set_state(next))}>
                { "Follow the present" }
            </button>
        }
    };
    let toolbar = html! {
        <div class="tl-toolbar" role="toolbar" aria-label="Timeline view">
            { button("Earlier", "◀ Earlier", earlier, window.start > SimTime::ZERO) }
            { button("Zoom out timeline", "−", zoomed_out, window.span() < max_span) }
            { button("Zoom in timeline", "+", zoomed_in, window.span() > MIN_SPAN) }
            { button("Later", "Later ▶", later, later.window(now, horizon) != window) }
            { follow_button }
            <span class="tl-range">
                { format!("{} – {}", tick_label(window.start), tick_label(window.end)) }
            </span>
        </div>
    };

    // Seeking from the timeline keeps the window where it is, so that what
    // was clicked stays under the pointer.
    let seek = {
        let dispatcher = lab.dispatcher();
        let set_state = set_state.clone();
        let frozen = state.frozen(now, horizon);
        Callback::from(move |t: SimTime| {
            set_state(frozen);
            dispatcher.dispatch(LabAction::Seek(t.min(horizon)));
        })
    };
    let onkeydown = {
        let set_state = set_state.clone();
        Callback::from(move |e: KeyboardEvent| {
            let next = match e.key().as_str() {
                "ArrowLeft" => earlier,
                "ArrowRight" => later,
                "+" | "=" => zoomed_in,
                "-" | "_" => zoomed_out,
                "End" | "f" => state.following(),
                _ => return,
            };
            e.prevent_default();
            set_state(next);
        })
    };
    let onwheel = {
        let set_state = set_state.clone();
        Callback::from(move |e: WheelEvent| {
            if e.ctrl_key() || e.meta_key() {
                e.prevent_default();
                set_state(if e.delta_y() < 0.0 {
                    zoomed_in
                } else {
                    zoomed_out
                });
            }
        })
    };
    let pointer = PointerHandlers {
        drag: drag.clone(),
        suppress_click: suppress_click.clone(),
        svg: svg_ref.clone(),
        geometry,
        state,
        set_state: Rc::new(set_state),
        seek: seek.clone(),
        horizon,
    };

    let (lanes, height) = draw_lanes(&view, &geometry, &seek);
    let width_text = decimal_text(geometry.width, 0);
    let height_text = decimal_text(height, 0);
    html! {
        <section class={section_class} aria-label="Timeline">
            <div class="tl-header">
                { heading }
                { toolbar }
            </div>
            <div id="tl-body" class="tl-body">
                <div class="tl-plot" ref={plot_ref} tabindex="0" role="group"
                    aria-label="Timeline lanes. Arrow keys pan, plus and minus zoom, F follows the present."
                    {onkeydown}>
                    <svg ref={svg_ref} class="tl-svg"
                        viewBox={format!("0 0 {width_text} {height_text}")}
                        width={width_text.clone()} height={height_text.clone()}
                        onclick={pointer.onclick()}
                        onpointerdown={pointer.onpointerdown()}
                        onpointermove={pointer.onpointermove()}
                        onpointerup={pointer.onpointerup()}
                        onpointercancel={pointer.onpointerup()}
                        {onwheel}>
                        { svg_defs() }
                        { draw_axis(&geometry, height, now) }
                        { lanes }
                        { draw_present(&view, &geometry, height) }
                    </svg>
                </div>
                { (*legend).clone() }
            </div>
        </section>
    }
}

/// A drag of the plot in progress.
#[derive(Clone, Copy, Debug)]
struct Drag {
    pointer_x: f64,
    end_at_start: SimTime,
    moved: bool,
}

/// What the plot's pointer handlers share.
struct PointerHandlers {
    drag: Rc<RefCell<Option<Drag>>>,
    suppress_click: Rc<RefCell<bool>>,
    svg: NodeRef,
    geometry: Geometry,
    state: WindowState,
    set_state: Rc<dyn Fn(WindowState)>,
    seek: Callback<SimTime>,
    horizon: SimTime,
}

impl PointerHandlers {
    /// A click on a lane (not on a mark, which handles its own) seeks there.
    fn onclick(&self) -> Callback<MouseEvent> {
        let suppress_click = self.suppress_click.clone();
        let svg = self.svg.clone();
        let geometry = self.geometry;
        let seek = self.seek.clone();
        let horizon = self.horizon;
        Callback::from(move |e: MouseEvent| {
            if std::mem::take(&mut *suppress_click.borrow_mut()) {
                return;
            }
            let Some(svg) = svg.cast::<web_sys::Element>() else {
                return;
            };
            let x = f64::from(e.client_x()) - svg.get_bounding_client_rect().left();
            if let Some(t) = geometry.time_at(x) {
                seek.emit(t.min(horizon));
            }
        })
    }

    fn onpointerdown(&self) -> Callback<PointerEvent> {
        let drag = self.drag.clone();
        let end = self.geometry.window.end;
        Callback::from(move |e: PointerEvent| {
            if e.is_primary() && e.button() == 0 {
                *drag.borrow_mut() = Some(Drag {
                    pointer_x: f64::from(e.client_x()),
                    end_at_start: end,
                    moved: false,
                });
            }
        })
    }

    /// Dragging pans; a few pixels of wobble still count as a click.
    fn onpointermove(&self) -> Callback<PointerEvent> {
        let drag = self.drag.clone();
        let geometry = self.geometry;
        let state = self.state;
        let set_state = self.set_state.clone();
        Callback::from(move |e: PointerEvent| {
            let mut drag = drag.borrow_mut();
            let Some(d) = drag.as_mut() else {
                return;
            };
            let dx = f64::from(e.client_x()) - d.pointer_x;
            if !d.moved && dx.abs() < 5.0 {
                return;
            }
            if !d.moved {
                d.moved = true;
                if let Some(target) = e
                    .current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                {
                    let _ = target.set_pointer_capture(e.pointer_id());
                }
            }
            let shift = geometry.duration_of(dx.abs());
            let end = if dx > 0.0 {
                d.end_at_start.saturating_sub(shift)
            } else {
                d.end_at_start + shift
            };
            set_state(WindowState {
                follow: false,
                end,
                ..state
            });
        })
    }

    fn onpointerup(&self) -> Callback<PointerEvent> {
        let drag = self.drag.clone();
        let suppress_click = self.suppress_click.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some(d) = drag.borrow_mut().take()
                && d.moved
            {
                *suppress_click.borrow_mut() = true;
                if let Some(target) = e
                    .current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                {
                    let _ = target.release_pointer_capture(e.pointer_id());
                }
            }
        })
    }
}

// ---- the window ----------------------------------------------------------

/// A stretch of simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    pub start: SimTime,
    pub end: SimTime,
}

impl TimeWindow {
    pub fn span(self) -> SimDuration {
        self.end - self.start
    }

    pub fn contains(self, t: SimTime) -> bool {
        self.start <= t && t <= self.end
    }
}

/// Which part of the branch the timeline shows: the learner's zoom and pan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowState {
    /// How much time is visible.
    pub span: SimDuration,
    /// Whether the window follows the present (ends at now).
    pub follow: bool,
    /// Where the window ends when it does not follow.
    pub end: SimTime,
}

impl Default for WindowState {
    fn default() -> Self {
        WindowState {
            span: DEFAULT_SPAN,
            follow: true,
            end: SimTime::ZERO + DEFAULT_SPAN,
        }
    }
}

impl WindowState {
    /// The widest window: the whole branch (at least the default span).
    pub fn max_span(horizon: SimTime) -> SimDuration {
        let ten = SimDuration::from_secs(10).as_micros();
        let whole = SimDuration::from_micros(horizon.as_micros().div_ceil(ten) * ten);
        whole.max(DEFAULT_SPAN)
    }

    /// The window shown, clamped to the branch: it starts at zero at the
    /// earliest, and ends at the horizon at the latest (or at the end of the
    /// first span, before the branch is that long). Following, it ends at now.
    pub fn window(&self, now: SimTime, horizon: SimTime) -> TimeWindow {
        let span = self.span.clamp(MIN_SPAN, Self::max_span(horizon));
        let earliest_end = SimTime::ZERO + span;
        let latest_end = horizon.max(now).max(earliest_end);
        let end = if self.follow {
            now.max(earliest_end)
        } else {
            self.end.clamp(earliest_end, latest_end)
        };
        TimeWindow {
            start: end.saturating_sub(span),
            end,
        }
    }

    /// Half (zooming in) or twice the span, around the same middle; a
    /// window that follows the present keeps following it.
    pub fn zoomed(self, zoom_in: bool, now: SimTime, horizon: SimTime) -> WindowState {
        let window = self.window(now, horizon);
        let span = window.span();
        let new_span = if zoom_in {
            span.mul_ratio(1, 2).max(MIN_SPAN)
        } else {
            (span * 2).min(Self::max_span(horizon))
        };
        let middle = window.start + span.mul_ratio(1, 2);
        let next = WindowState {
            span: new_span,
            follow: self.follow,
            end: middle + new_span.mul_ratio(1, 2),
        };
        next.normalized(now, horizon)
    }

    /// A quarter of the span earlier or later; panning stops following.
    pub fn panned(self, later: bool, now: SimTime, horizon: SimTime) -> WindowState {
        let window = self.window(now, horizon);
        let step = window.span().mul_ratio(1, 4);
        let end = if later {
            window.end + step
        } else {
            window.end.saturating_sub(step)
        };
        WindowState {
            span: window.span(),
            follow: false,
            end,
        }
        .normalized(now, horizon)
    }

    /// The same window, no longer following the present.
    pub fn frozen(self, now: SimTime, horizon: SimTime) -> WindowState {
        WindowState {
            follow: false,
            ..self
        }
        .with_end(self.window(now, horizon).end)
    }

    /// Following the present again, at the same zoom.
    pub fn following(self) -> WindowState {
        WindowState {
            follow: true,
            ..self
        }
    }

    fn with_end(self, end: SimTime) -> WindowState {
        WindowState { end, ..self }
    }

    fn normalized(self, now: SimTime, horizon: SimTime) -> WindowState {
        let window = self.window(now, horizon);
        WindowState {
            span: window.span(),
            end: window.end,
            ..self
        }
    }
}

/// The times of the axis's labelled ticks: round times, at least
/// `min_gap_px` apart on a plot `plot_width_px` wide.
pub fn axis_ticks(window: TimeWindow, plot_width_px: f64, min_gap_px: f64) -> Vec<SimTime> {
    const STEPS_S: [u64; 14] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
    ];
    let span_s = window.span().as_micros() as f64 / 1e6;
    if span_s <= 0.0 || plot_width_px <= 0.0 {
        return Vec::new();
    }
    let step_s = STEPS_S
        .into_iter()
        .find(|&s| s as f64 / span_s * plot_width_px >= min_gap_px)
        .unwrap_or(7200);
    let step = step_s * 1_000_000;
    let first = window.start.as_micros().div_ceil(step) * step;
    (0..)
        .map(|i| first + i * step)
        .take_while(|&t| t <= window.end.as_micros())
        .map(SimTime::from_micros)
        .collect()
}

/// A tick's label: `0:30`, `12:05` (minutes and seconds, as the lab's clock
/// shows them without the tenths).
pub fn tick_label(t: SimTime) -> String {
    let s = t.as_millis() / 1_000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The master's number in `master-3`, for its colour (`--m3`).
pub fn master_number(node: &str) -> Option<u8> {
    node.strip_prefix("master-")?
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=7).contains(n))
}

// ---- what the timeline shows ---------------------------------------------

/// The timeline's content for one window.
#[derive(Clone, Debug)]
pub struct TimelineView {
    pub window: TimeWindow,
    pub now: SimTime,
    pub horizon: SimTime,
    /// The state lanes, top to bottom (the pods lane comes last, apart).
    pub lanes: Vec<Lane>,
    pub pods: PodsLane,
    /// When the learner (or the script) acted, inside the window.
    pub action_times: Vec<SimTime>,
}

/// What a lane is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneKind {
    /// The learner's and the script's actions.
    Actions,
    Lease(ProcessKind),
    Etcd,
    Apiserver,
    Kubectl,
}

/// One lane: its state as bands, and marks at moments.
#[derive(Clone, Debug)]
pub struct Lane {
    /// "kube-controller-manager lease", "kube-apiserver master-1", …
    pub name: String,
    pub kind: LaneKind,
    /// A few words under the name, when the lane has something to say.
    pub note: Option<String>,
    /// The main row, in time order, never overlapping.
    pub bands: Vec<Band>,
    /// Whether the lane has a thin second row: the load balancer's view of
    /// an API server (UP or DOWN).
    pub lower_row: bool,
    pub lower_bands: Vec<Band>,
    /// Shading over the whole lane: etcd's quorum lost.
    pub shades: Vec<Band>,
    /// How many rows of attempts the lane has (one per master).
    pub attempt_rows: u8,
    pub ticks: Vec<TickRow>,
    /// Focusable marks, in time order.
    pub marks: Vec<Mark>,
}

/// A stretch of time in one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    pub start: SimTime,
    pub end: SimTime,
    pub look: BandLook,
    /// The node the band is about: the lease's holder, etcd's leader.
    pub node: Option<Rc<str>>,
    /// etcd's term, for a leader band.
    pub term: Option<u64>,
}

/// The states a band shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandLook {
    /// The holder leads and renews the lease on time.
    Held,
    /// The record still names the holder, but it is not renewed: the
    /// holder stopped, or its renewals fail.
    NotRenewed,
    /// The lease was released: `holder_identity` is empty.
    NoHolder,
    EtcdLeader,
    EtcdNoLeader,
    QuorumLost,
    ApiserverStarting,
    ApiserverReady,
    ApiserverUnready,
    ApiserverDown,
    BackendUp,
    BackendDown,
    ProbeOk,
    ProbeFailing,
}

impl Band {
    /// The words on the band.
    pub fn label(&self) -> String {
        let node = self.node.as_deref().unwrap_or("?");
        match self.look {
            BandLook::Held => node.to_owned(),
            BandLook::NotRenewed => format!("{node} · not renewed"),
            BandLook::NoHolder => "no holder".to_owned(),
            BandLook::EtcdLeader => match self.term {
                Some(term) => format!("{node} · term {term}"),
                None => node.to_owned(),
            },
            BandLook::EtcdNoLeader => "no leader".to_owned(),
            BandLook::QuorumLost => "quorum lost".to_owned(),
            BandLook::ApiserverStarting => "starting".to_owned(),
            BandLook::ApiserverReady => "ready".to_owned(),
            BandLook::ApiserverUnready => "unready".to_owned(),
            BandLook::ApiserverDown => "not running".to_owned(),
            BandLook::BackendUp => "UP".to_owned(),
            BandLook::BackendDown => "DOWN".to_owned(),
            BandLook::ProbeOk => "works".to_owned(),
            BandLook::ProbeFailing => "fails".to_owned(),
        }
    }
}

/// Decorative ticks in one row of a lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TickRow {
    pub kind: TickKind,
    /// 0 for the band row; 1.. for the attempt rows (one per master).
    pub row: u8,
    /// Whose ticks: the standby's node, for attempts.
    pub node: Option<Rc<str>>,
    pub times: Vec<SimTime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickKind {
    /// The leader renewed its lease.
    Renew,
    /// A standby tried to acquire the lease.
    Attempt,
}

/// A moment worth jumping to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub t: SimTime,
    pub kind: MarkKind,
    /// 0 for the band row; 1.. for the attempt rows.
    pub row: u8,
    /// The node it is about (for its colour; its label names it).
    pub node: Option<Rc<str>>,
    /// The accessible name: what happened, when, and that it jumps there.
    pub label: String,
    /// Short words drawn beside it (the actions'), if there is room.
    pub text: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    LeaseAcquired,
    LeaseLost,
    LeaseReleased,
    /// The leader's process or node stopped while it held the lease.
    LeaderStopped,
    /// A standby's own clock said the lease it observed had expired.
    LeaseExpired,
    EtcdLeaderElected,
    QuorumLost,
    QuorumRegained,
    ProbeOk,
    ProbeFailing,
    KubectlResult {
        ok: bool,
    },
    Action,
}

/// The pods desired and running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodsLane {
    /// Samples covering the window, thinned to about [`MAX_POD_POINTS`].
    pub points: Vec<Sample>,
    /// The largest value in the window (at least 1), for the scale.
    pub max: u32,
    /// The sample at now.
    pub at_now: Option<Sample>,
}

// ---- the index -----------------------------------------------------------

/// The branch's events, turned into per-lane histories. Updated
/// incrementally as the branch grows; rebuilt when it changes (a new lab, or
/// an action in the past). A run is a pure function of its setup and
/// actions, so while those are the same, the recorded events only grow.
#[derive(Clone, Debug, Default)]
pub struct TimelineIndex {
    branch: Option<BranchId>,
    events_indexed: usize,
    /// Node names, by index in `Sim::nodes`.
    nodes: Vec<Rc<str>>,
    leases: [LeaseHistory; 2],
    etcd_leader: Track<EtcdLeader>,
    quorum_lost: Track<bool>,
    etcd_marks: Vec<StoredMark>,
    apiservers: Vec<ApiserverHistory>,
    load_balancer: Option<u16>,
    kubectl: Track<bool>,
    kubectl_marks: Vec<StoredMark>,
    action_marks: Vec<StoredMark>,
}

#[derive(Clone, Debug, Default)]
struct LeaseHistory {
    record: Track<LeaseRecord>,
    renews: Vec<SimTime>,
    marks: Vec<StoredMark>,
}

#[derive(Clone, Debug)]
struct ApiserverHistory {
    node: u16,
    health: Track<ApiserverHealth>,
    backend: Track<BackendState>,
}

/// A mark as the index keeps it: its words are made only when it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StoredMark {
    t: SimTime,
    kind: MarkKind,
    /// The event it comes from, in `Lab::events`.
    event: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeaseRecord {
    Held {
        holder: u16,
    },
    /// The holder stopped (or gave up) but the record still names it.
    Orphaned {
        holder: u16,
    },
    Empty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EtcdLeader {
    Leader { node: u16, term: u64 },
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ApiserverHealth {
    Starting,
    Ready,
    Unready,
    Down,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BackendState {
    Up,
    Down,
    /// HAProxy is not running.
    Unknown,
}

/// A state over time: the times it changed, in order.
#[derive(Clone, Debug)]
struct Track<S> {
    changes: Vec<(SimTime, S)>,
}

impl<S> Default for Track<S> {
    fn default() -> Self {
        Track {
            changes: Vec::new(),
        }
    }
}

/// One stretch of a [`Track`], clipped to what was asked for.
#[derive(Clone, Copy, Debug)]
struct Span<S> {
    /// When the state began (perhaps before `start`).
    began: SimTime,
    start: SimTime,
    end: SimTime,
    state: S,
}

impl<S: Copy + PartialEq> Track<S> {
    fn last(&self) -> Option<S> {
        self.changes.last().map(|c| c.1)
    }

    fn set(&mut self, t: SimTime, state: S) {
        if self.last() == Some(state) {
            return;
        }
        if let Some(last) = self.changes.last_mut()
            && last.0 == t
        {
            // Several changes at one moment: only the last one is seen.
            last.1 = state;
            let n = self.changes.len();
            if n >= 2 && self.changes[n - 2].1 == state {
                self.changes.pop();
            }
            return;
        }
        self.changes.push((t, state));
    }

    /// The stretches that overlap `[from, to)`, clipped to it.
    fn spans(&self, from: SimTime, to: SimTime) -> impl Iterator<Item = Span<S>> + '_ {
        let first = self
            .changes
            .partition_point(|c| c.0 <= from)
            .saturating_sub(1);
        let changes = &self.changes[first.min(self.changes.len())..];
        changes
            .iter()
            .enumerate()
            .take_while(move |(_, c)| c.0 < to)
            .filter_map(move |(i, &(began, state))| {
                let end = changes.get(i + 1).map_or(to, |c| c.0.min(to));
                let start = began.max(from);
                (end > start).then_some(Span {
                    began,
                    start,
                    end,
                    state,
                })
            })
    }
}

impl TimelineIndex {
    /// The index of a lab's whole branch.
    pub fn of(lab: &Lab) -> TimelineIndex {
        let mut index = TimelineIndex::default();
        index.update(lab);
        index
    }

    /// Takes in the events recorded since the last update, or starts over
    /// if the branch is another one.
    pub fn update(&mut self, lab: &Lab) {
        let same_branch =
            self.branch == Some(lab.branch()) && self.events_indexed <= lab.events.len();
        if !same_branch {
            *self = TimelineIndex::start(lab);
        }
        for (i, event) in lab.events.iter().enumerate().skip(self.events_indexed) {
            self.take_in(i, event);
        }
        self.events_indexed = lab.events.len();
    }

    fn start(lab: &Lab) -> TimelineIndex {
        let nodes: Vec<Rc<str>> = lab.sim.nodes().iter().map(|n| n.name.clone()).collect();
        let apiservers = nodes
            .iter()
            .enumerate()
            .filter(|(_, name)| master_number(name).is_some())
            .map(|(i, _)| ApiserverHistory {
                node: i as u16,
                health: Track::default(),
                backend: Track::default(),
            })
            .collect();
        let load_balancer = lab
            .sim
            .nodes()
            .iter()
            .position(|n| n.role == ha_sim::NodeRole::LoadBalancer)
            .map(|i| i as u16);
        TimelineIndex {
            branch: Some(lab.branch()),
            nodes,
            apiservers,
            load_balancer,
            ..TimelineIndex::default()
        }
    }

    fn node_index(&self, name: &str) -> Option<u16> {
        self.nodes
            .iter()
            .position(|n| **n == *name)
            .map(|i| i as u16)
    }

    fn take_in(&mut self, i: usize, event: &Event) {
        let t = event.t;
        let node = event.node.as_deref().and_then(|n| self.node_index(n));
        let mark = |kind| StoredMark {
            t,
            kind,
            event: i as u32,
        };
        match &event.kind {
            EventKind::LeaseAcquired { lease, .. } => {
                if let (Some(slot), Some(holder)) = (lease_slot(lease), node) {
                    let history = &mut self.leases[slot];
                    history.record.set(t, LeaseRecord::Held { holder });
                    history.marks.push(mark(MarkKind::LeaseAcquired));
                }
            }
            EventKind::LeaseRenewed { lease } => {
                if let Some(slot) = lease_slot(lease) {
                    self.leases[slot].renews.push(t);
                }
            }
            EventKind::LeaseLost { lease, .. } => {
                if let Some(slot) = lease_slot(lease) {
                    let history = &mut self.leases[slot];
                    if let Some(LeaseRecord::Held { holder }) = history.record.last() {
                        history.record.set(t, LeaseRecord::Orphaned { holder });
                    }
                    history.marks.push(mark(MarkKind::LeaseLost));
                }
            }
            EventKind::LeaseReleased { lease } => {
                if let Some(slot) = lease_slot(lease) {
                    let history = &mut self.leases[slot];
                    history.record.set(t, LeaseRecord::Empty);
                    history.marks.push(mark(MarkKind::LeaseReleased));
                }
            }
            EventKind::NodeDown => {
                if let Some(node) = node {
                    for slot in 0..LEASES.len() {
                        self.leader_stopped(slot, node, mark(MarkKind::LeaderStopped));
                    }
                    self.etcd_member_stopped(node, t);
                    self.set_apiserver(node, t, ApiserverHealth::Down);
                    if Some(node) == self.load_balancer {
                        self.set_backends(t, BackendState::Unknown);
                    }
                }
            }
            EventKind::ProcessExited { .. } => {
                if let Some(node) = node {
                    match event.component {
                        "etcd" => self.etcd_member_stopped(node, t),
                        "kube-apiserver" => self.set_apiserver(node, t, ApiserverHealth::Down),
                        "haproxy" => self.set_backends(t, BackendState::Unknown),
                        component => {
                            if let Some(slot) = LEASES.iter().position(|k| k.name() == component) {
                                self.leader_stopped(slot, node, mark(MarkKind::LeaderStopped));
                            }
                        }
                    }
                }
            }
            EventKind::ProcessStarted => match (event.component, node) {
                ("kube-apiserver", Some(node)) => {
                    self.set_apiserver(node, t, ApiserverHealth::Starting);
                }
                // HAProxy starts with every backend UP.
                ("haproxy", _) => self.set_backends(t, BackendState::Up),
                _ => {}
            },
            EventKind::ApiserverHealthy => {
                if let Some(node) = node {
                    self.set_apiserver(node, t, ApiserverHealth::Ready);
                }
            }
            EventKind::ApiserverUnhealthy => {
                if let Some(node) = node {
                    self.set_apiserver(node, t, ApiserverHealth::Unready);
                }
            }
            EventKind::LbBackendUp { backend } | EventKind::LbBackendDown { backend } => {
                let state = if matches!(event.kind, EventKind::LbBackendUp { .. }) {
                    BackendState::Up
                } else {
                    BackendState::Down
                };
                if let Some(node) = self.node_index(backend)
                    && let Some(api) = self.apiservers.iter_mut().find(|a| a.node == node)
                {
                    api.backend.set(t, state);
                }
            }
            EventKind::EtcdLeaderElected { term } => {
                if let Some(node) = node {
                    self.etcd_leader
                        .set(t, EtcdLeader::Leader { node, term: *term });
                    self.etcd_marks.push(mark(MarkKind::EtcdLeaderElected));
                }
            }
            EventKind::EtcdRoleChanged { role, .. } => {
                if *role != "leader"
                    && let Some(node) = node
                    && matches!(self.etcd_leader.last(), Some(EtcdLeader::Leader { node: n, .. }) if n == node)
                {
                    self.etcd_leader.set(t, EtcdLeader::None);
                }
            }
            EventKind::EtcdQuorumLost { .. } => {
                self.quorum_lost.set(t, true);
                self.etcd_marks.push(mark(MarkKind::QuorumLost));
            }
            EventKind::EtcdQuorumRegained { .. } => {
                self.quorum_lost.set(t, false);
                self.etcd_marks.push(mark(MarkKind::QuorumRegained));
            }
            EventKind::KubectlProbe { ok } => {
                self.kubectl.set(t, *ok);
                let kind = if *ok {
                    MarkKind::ProbeOk
                } else {
                    MarkKind::ProbeFailing
                };
                self.kubectl_marks.push(mark(kind));
            }
            EventKind::KubectlResult { ok, .. } => {
                self.kubectl_marks
                    .push(mark(MarkKind::KubectlResult { ok: *ok }));
            }
            EventKind::Action { .. } => self.action_marks.push(mark(MarkKind::Action)),
            _ => {}
        }
    }

    /// The lease's holder on `node` stopped: the record still names it.
    fn leader_stopped(&mut self, slot: usize, node: u16, mark: StoredMark) {
        let history = &mut self.leases[slot];
        if history.record.last() == Some(LeaseRecord::Held { holder: node }) {
            history
                .record
                .set(mark.t, LeaseRecord::Orphaned { holder: node });
            history.marks.push(mark);
        }
    }

    fn etcd_member_stopped(&mut self, node: u16, t: SimTime) {
        if matches!(self.etcd_leader.last(), Some(EtcdLeader::Leader { node: n, .. }) if n == node)
        {
            self.etcd_leader.set(t, EtcdLeader::None);
        }
    }

    fn set_apiserver(&mut self, node: u16, t: SimTime, health: ApiserverHealth) {
        if let Some(api) = self.apiservers.iter_mut().find(|a| a.node == node) {
            api.health.set(t, health);
        }
    }

    fn set_backends(&mut self, t: SimTime, state: BackendState) {
        for api in &mut self.apiservers {
            api.backend.set(t, state);
        }
    }

    /// What the timeline shows of `window`. The cost depends on what lies
    /// inside the window (and is thinned to a bound), not on the branch's
    /// length.
    pub fn view(&self, lab: &Lab, window: TimeWindow) -> TimelineView {
        let until = window.end.min(lab.horizon);
        let shown = TimeWindow {
            start: window.start,
            end: until,
        };
        let cut = Cut {
            index: self,
            lab,
            window,
            until,
            resolution: SimDuration::from_micros(
                (window.span().as_micros() / MAX_BANDS_PER_LANE).max(1),
            ),
        };
        let mut lanes = vec![cut.actions_lane()];
        for (slot, kind) in LEASES.into_iter().enumerate() {
            lanes.push(cut.lease_lane(slot, kind));
        }
        lanes.push(cut.etcd_lane());
        for api in &self.apiservers {
            lanes.push(cut.apiserver_lane(api));
        }
        lanes.push(cut.kubectl_lane());
        let action_times = in_window(&self.action_marks, shown)
            .iter()
            .map(|m| m.t)
            .collect();
        TimelineView {
            window,
            now: lab.now(),
            horizon: lab.horizon,
            lanes,
            pods: cut.pods_lane(),
            action_times,
        }
    }
}

/// The lease a `kube-system/kube-scheduler` path names, as a slot in `LEASES`.
fn lease_slot(lease: &str) -> Option<usize> {
    let name = lease.rsplit('/').next()?;
    LEASES.iter().position(|k| k.name() == name)
}

/// The stored marks inside a window (a binary search on their times).
fn in_window(marks: &[StoredMark], window: TimeWindow) -> &[StoredMark] {
    let first = marks.partition_point(|m| m.t < window.start);
    let last = marks.partition_point(|m| m.t <= window.end);
    &marks[first..last.max(first)]
}

/// Keeps at most one item per `1/max` of the window: items closer than that
/// could not be told apart on screen. Keeps everything if there are at most
/// `max` items.
fn thin<T>(items: Vec<T>, time: impl Fn(&T) -> SimTime, window: TimeWindow, max: usize) -> Vec<T> {
    if items.len() <= max {
        return items;
    }
    let span = window.span().as_micros().max(1);
    let mut last_bucket = None;
    items
        .into_iter()
        .filter(|item| {
            let offset = (time(item) - window.start).as_micros().min(span);
            let bucket = offset * (max as u64 - 1) / span;
            let keep = last_bucket != Some(bucket);
            last_bucket = Some(bucket);
            keep
        })
        .collect()
}

/// One view's work: the index cut to a window.
struct Cut<'a> {
    index: &'a TimelineIndex,
    lab: &'a Lab,
    window: TimeWindow,
    /// The end of what is recorded inside the window.
    until: SimTime,
    /// Bands shorter than this are not drawn.
    resolution: SimDuration,
}

impl Cut<'_> {
    fn shown(&self) -> TimeWindow {
        TimeWindow {
            start: self.window.start,
            end: self.until,
        }
    }

    fn name(&self, node: u16) -> Option<Rc<str>> {
        self.index.nodes.get(usize::from(node)).cloned()
    }

    fn band(
        &self,
        bands: &mut Vec<Band>,
        start: SimTime,
        end: SimTime,
        look: BandLook,
        node: Option<u16>,
        term: Option<u64>,
    ) {
        if end - start < self.resolution {
            return;
        }
        bands.push(Band {
            start,
            end,
            look,
            node: node.and_then(|n| self.name(n)),
            term,
        });
    }

    fn lane(&self, name: String, kind: LaneKind) -> Lane {
        Lane {
            name,
            kind,
            note: None,
            bands: Vec::new(),
            lower_row: false,
            lower_bands: Vec::new(),
            shades: Vec::new(),
            attempt_rows: 0,
            ticks: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// Turns stored marks into marks with words, thinned if too many.
    fn marks(&self, stored: &[StoredMark], lane: &str) -> Vec<Mark> {
        let inside = in_window(stored, self.shown()).to_vec();
        thin(inside, |m| m.t, self.window, MAX_MARKS_PER_LANE)
            .into_iter()
            .filter_map(|m| {
                let event = self.lab.events.get(m.event as usize)?;
                Some(mark_with_words(m, event, lane))
            })
            .collect()
    }

    fn actions_lane(&self) -> Lane {
        let mut lane = self.lane("Actions".to_owned(), LaneKind::Actions);
        lane.marks = self.marks(&self.index.action_marks, "Actions");
        lane
    }

    fn lease_lane(&self, slot: usize, kind: ProcessKind) -> Lane {
        let lease = kind.name();
        let mut lane = self.lane(format!("{lease} lease"), LaneKind::Lease(kind));
        let config = self.lab.sim.config();
        let flags = match kind {
            ProcessKind::KubeScheduler => &config.scheduler,
            _ => &config.controller_manager,
        };
        lane.attempt_rows = config.cluster.masters;
        if !flags.leader_elect {
            lane.note = Some("leader election off".to_owned());
            return lane;
        }
        let history = &self.index.leases[slot];
        // The leader renews every retryPeriod (plus the request's latency):
        // a renewal later than 1.5 × retryPeriod is overdue.
        let overdue_after = flags.retry_period.mul_ratio(3, 2);
        for span in history.record.spans(self.window.start, self.until) {
            match span.state {
                LeaseRecord::Held { holder } => {
                    self.held_bands(
                        &mut lane.bands,
                        span,
                        holder,
                        &history.renews,
                        overdue_after,
                    );
                }
                LeaseRecord::Orphaned { holder } => {
                    self.band(
                        &mut lane.bands,
                        span.start,
                        span.end,
                        BandLook::NotRenewed,
                        Some(holder),
                        None,
                    );
                }
                LeaseRecord::Empty => {
                    self.band(
                        &mut lane.bands,
                        span.start,
                        span.end,
                        BandLook::NoHolder,
                        None,
                        None,
                    );
                }
            }
        }
        merge_adjacent(&mut lane.bands);

        // The leader's renewals.
        let shown = self.shown();
        let first = history.renews.partition_point(|&t| t < shown.start);
        let last = history.renews.partition_point(|&t| t <= shown.end);
        let renews = history.renews[first..last.max(first)].to_vec();
        lane.ticks.push(TickRow {
            kind: TickKind::Renew,
            row: 0,
            node: None,
            times: thin(renews, |&t| t, self.window, MAX_TICKS_PER_ROW),
        });

        // The standbys' attempts, one row per master, and the moments their
        // own clocks said the lease had expired. An attempt up to a
        // few retry periods after the window can reveal an expiry inside it.
        let attempts = &self.lab.attempts;
        let reveal = flags.retry_period.mul_ratio(5, 2);
        let first = attempts.partition_point(|a| a.t < shown.start);
        let last = attempts.partition_point(|a| a.t <= shown.end + reveal);
        let mut rows: Vec<Vec<SimTime>> = vec![Vec::new(); usize::from(lane.attempt_rows)];
        let mut expiries: Vec<(usize, SimTime, u8)> = Vec::new();
        for attempt in attempts[first..last.max(first)]
            .iter()
            .filter(|a| a.kind == kind)
        {
            let Some(row) = self.master_row(attempt.proc) else {
                continue;
            };
            if attempt.t <= shown.end
                && let Some(times) = rows.get_mut(usize::from(row))
            {
                times.push(attempt.t);
            }
            if let Some(expires_at) = attempt.expires_at
                && expires_at <= attempt.t
                && shown.contains(expires_at)
                && !expiries
                    .iter()
                    .any(|&(p, e, _)| p == attempt.proc && e == expires_at)
            {
                expiries.push((attempt.proc, expires_at, row));
            }
        }
        for (row, times) in rows.into_iter().enumerate() {
            if times.is_empty() {
                continue;
            }
            lane.ticks.push(TickRow {
                kind: TickKind::Attempt,
                row: row as u8 + 1,
                node: self.master_name(row as u8),
                times: thin(times, |&t| t, self.window, MAX_TICKS_PER_ROW),
            });
        }

        let mut marks = self.marks(&history.marks, lease);
        expiries.sort_by_key(|&(_, t, _)| t);
        let expiries = thin(expiries, |e| e.1, self.window, MAX_MARKS_PER_LANE);
        for (_, t, row) in expiries {
            let node = self.master_name(row);
            let who = node.as_deref().unwrap_or("a standby");
            marks.push(Mark {
                t,
                kind: MarkKind::LeaseExpired,
                row: row + 1,
                label: format!(
                    "{lease} lease expired on {who}'s clock at {} — jump there",
                    clock(t)
                ),
                node,
                text: None,
            });
        }
        marks.sort_by_key(|m| m.t);
        lane.marks = marks;
        lane
    }

    /// A held stretch, split by the renewals into on-time and overdue parts.
    fn held_bands(
        &self,
        bands: &mut Vec<Band>,
        span: Span<LeaseRecord>,
        holder: u16,
        renews: &[SimTime],
        overdue_after: SimDuration,
    ) {
        // The renewal (or the acquisition) in force at the start of the span.
        let before = renews.partition_point(|&t| t <= span.start);
        let last_renew = before
            .checked_sub(1)
            .map(|i| renews[i])
            .filter(|&t| t >= span.began)
            .unwrap_or(span.began);
        let mut on_time_until = last_renew + overdue_after;
        let mut piece_start = span.start;
        let mut on_time = span.start < on_time_until;
        let later = renews[before..].iter().take_while(|&&t| t < span.end);
        for &renewed in later {
            if on_time && on_time_until < renewed {
                self.band(
                    bands,
                    piece_start,
                    on_time_until,
                    BandLook::Held,
                    Some(holder),
                    None,
                );
                piece_start = on_time_until;
                on_time = false;
            }
            if !on_time {
                self.band(
                    bands,
                    piece_start,
                    renewed,
                    BandLook::NotRenewed,
                    Some(holder),
                    None,
                );
                piece_start = renewed;
                on_time = true;
            }
            on_time_until = renewed + overdue_after;
        }
        if on_time && on_time_until < span.end {
            self.band(
                bands,
                piece_start,
                on_time_until,
                BandLook::Held,
                Some(holder),
                None,
            );
            piece_start = on_time_until;
            on_time = false;
        }
        let look = if on_time {
            BandLook::Held
        } else {
            BandLook::NotRenewed
        };
        self.band(bands, piece_start, span.end, look, Some(holder), None);
    }

    /// The attempt row of a process: its master's number, from 0.
    fn master_row(&self, proc: usize) -> Option<u8> {
        let node = self.lab.sim.processes().get(proc)?.node;
        let name = &self.lab.sim.nodes().get(node)?.name;
        master_number(name).map(|n| n - 1)
    }

    fn master_name(&self, row: u8) -> Option<Rc<str>> {
        let wanted = row + 1;
        self.index
            .nodes
            .iter()
            .find(|n| master_number(n) == Some(wanted))
            .cloned()
    }

    fn etcd_lane(&self) -> Lane {
        let mut lane = self.lane("etcd".to_owned(), LaneKind::Etcd);
        for span in self.index.etcd_leader.spans(self.window.start, self.until) {
            match span.state {
                EtcdLeader::Leader { node, term } => {
                    self.band(
                        &mut lane.bands,
                        span.start,
                        span.end,
                        BandLook::EtcdLeader,
                        Some(node),
                        Some(term),
                    );
                }
                EtcdLeader::None => {
                    self.band(
                        &mut lane.bands,
                        span.start,
                        span.end,
                        BandLook::EtcdNoLeader,
                        None,
                        None,
                    );
                }
            }
        }
        for span in self.index.quorum_lost.spans(self.window.start, self.until) {
            if span.state {
                self.band(
                    &mut lane.shades,
                    span.start,
                    span.end,
                    BandLook::QuorumLost,
                    None,
                    None,
                );
            }
        }
        lane.marks = self.marks(&self.index.etcd_marks, "etcd");
        lane
    }

    fn apiserver_lane(&self, api: &ApiserverHistory) -> Lane {
        let node = self.name(api.node);
        let name = format!("kube-apiserver {}", node.as_deref().unwrap_or("?"));
        let mut lane = self.lane(name, LaneKind::Apiserver);
        for span in api.health.spans(self.window.start, self.until) {
            let look = match span.state {
                ApiserverHealth::Starting => BandLook::ApiserverStarting,
                ApiserverHealth::Ready => BandLook::ApiserverReady,
                ApiserverHealth::Unready => BandLook::ApiserverUnready,
                ApiserverHealth::Down => BandLook::ApiserverDown,
            };
            self.band(
                &mut lane.bands,
                span.start,
                span.end,
                look,
                Some(api.node),
                None,
            );
        }
        for span in api.backend.spans(self.window.start, self.until) {
            let look = match span.state {
                BackendState::Up => BandLook::BackendUp,
                BackendState::Down => BandLook::BackendDown,
                BackendState::Unknown => continue,
            };
            self.band(
                &mut lane.lower_bands,
                span.start,
                span.end,
                look,
                Some(api.node),
                None,
            );
        }
        lane.lower_row = self.index.load_balancer.is_some();
        lane
    }

    fn kubectl_lane(&self) -> Lane {
        let mut lane = self.lane("kubectl get pods".to_owned(), LaneKind::Kubectl);
        for span in self.index.kubectl.spans(self.window.start, self.until) {
            let look = if span.state {
                BandLook::ProbeOk
            } else {
                BandLook::ProbeFailing
            };
            self.band(&mut lane.bands, span.start, span.end, look, None, None);
        }
        lane.note = Some(format!("against {}", self.lab.sim.config().kubectl_server));
        lane.marks = self.marks(&self.index.kubectl_marks, "kubectl");
        lane
    }

    fn pods_lane(&self) -> PodsLane {
        let samples = &self.lab.samples;
        // From the sample in force at the window's start.
        let first = samples
            .partition_point(|s| s.t <= self.window.start)
            .saturating_sub(1);
        let last = samples.partition_point(|s| s.t <= self.until);
        let inside = &samples[first.min(last)..last];
        let points = if inside.len() <= MAX_POD_POINTS {
            inside.to_vec()
        } else {
            // Per bucket, the lowest and the highest running count, in time
            // order, so that a dip stays visible however far out it is zoomed.
            let buckets = MAX_POD_POINTS / 2;
            let per_bucket = inside.len().div_ceil(buckets);
            let mut points = Vec::with_capacity(MAX_POD_POINTS + 2);
            for chunk in inside.chunks(per_bucket) {
                let low = chunk.iter().enumerate().min_by_key(|(_, s)| s.pods_running);
                let high = chunk.iter().enumerate().max_by_key(|(_, s)| s.pods_running);
                if let (Some((a, low)), Some((b, high))) = (low, high) {
                    match a.cmp(&b) {
                        std::cmp::Ordering::Less => points.extend([low.clone(), high.clone()]),
                        std::cmp::Ordering::Greater => points.extend([high.clone(), low.clone()]),
                        std::cmp::Ordering::Equal => points.push(low.clone()),
                    }
                }
            }
            points
        };
        let max = points
            .iter()
            .map(|s| s.pods_desired.max(s.pods_running))
            .max()
            .unwrap_or(0)
            .max(1);
        let now = self.lab.now();
        let at_now = samples
            .partition_point(|s| s.t <= now)
            .checked_sub(1)
            .and_then(|i| samples.get(i))
            .cloned();
        PodsLane {
            points,
            max,
            at_now,
        }
    }
}

/// Joins touching bands that look the same (a renewal that came just in time).
fn merge_adjacent(bands: &mut Vec<Band>) {
    let mut merged: Vec<Band> = Vec::with_capacity(bands.len());
    for band in bands.drain(..) {
        if let Some(last) = merged.last_mut()
            && last.end == band.start
            && last.look == band.look
            && last.node == band.node
            && last.term == band.term
        {
            last.end = band.end;
            continue;
        }
        merged.push(band);
    }
    *bands = merged;
}

/// A stored mark with its words, from the event it comes from.
fn mark_with_words(mark: StoredMark, event: &Event, lane: &str) -> Mark {
    let node = event.node.clone();
    let who = node.as_deref().unwrap_or("?");
    let at = clock(mark.t);
    let mut text = None;
    let label = match (&event.kind, mark.kind) {
        (EventKind::LeaseAcquired { .. }, _) => {
            format!("{lane} lease acquired by {who} at {at} — jump there")
        }
        (EventKind::LeaseLost { .. }, _) => {
            format!("{lane} lease lost by {who}: it failed to renew, at {at} — jump there")
        }
        (EventKind::LeaseReleased { .. }, _) => {
            format!("{lane} lease released by {who} at {at} — jump there")
        }
        (EventKind::NodeDown, _) => {
            format!("{lane} leader stopped: {who} lost power at {at} — jump there")
        }
        (EventKind::ProcessExited { .. }, _) => {
            format!("{lane} leader on {who} exited at {at} — jump there")
        }
        (EventKind::EtcdLeaderElected { term }, _) => {
            format!("etcd leader elected: {who}, term {term}, at {at} — jump there")
        }
        (
            EventKind::EtcdQuorumLost {
                members_up,
                members,
            },
            _,
        ) => {
            format!("etcd quorum lost: {members_up} of {members} members up, at {at} — jump there")
        }
        (
            EventKind::EtcdQuorumRegained {
                members_up,
                members,
            },
            _,
        ) => format!(
            "etcd quorum regained: {members_up} of {members} members up, at {at} — jump there"
        ),
        (EventKind::KubectlProbe { ok: true }, _) => {
            format!("kubectl get pods works at {at} — jump there")
        }
        (EventKind::KubectlProbe { ok: false }, _) => {
            format!("kubectl get pods fails at {at} — jump there")
        }
        (EventKind::KubectlResult { command, ok }, _) => {
            let outcome = if *ok { "succeeded" } else { "failed" };
            format!("{command} {outcome} at {at} — jump there")
        }
        (EventKind::Action { .. }, _) => {
            text = Some(event.message.clone());
            format!("Action: {} at {at} — jump there", event.message)
        }
        _ => format!("{} at {at} — jump there", event.message),
    };
    Mark {
        t: mark.t,
        kind: mark.kind,
        row: 0,
        node,
        label,
        text,
    }
}

// ---- drawing ---------------------------------------------------------------

/// Where things go on the plot, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Geometry {
    width: f64,
    /// Narrow screens put each lane's name above it instead of beside it.
    stacked: bool,
    /// The plot's left and right edges.
    x0: f64,
    x1: f64,
    window: TimeWindow,
}

const AXIS_HEIGHT: f64 = 22.0;
const LABEL_WIDTH: f64 = 200.0;
const STACKED_BELOW: f64 = 600.0;
const NAME_ROW: f64 = 16.0;
/// The height of a line of a lane's name beside the plot.
const LABEL_LINE: f64 = 13.0;
/// How many characters of a lane's name fit on a line beside the plot.
const LABEL_CHARS: usize = 25;
const LANE_GAP: f64 = 8.0;
const BAND: f64 = 20.0;
const THIN_BAND: f64 = 6.0;
const ATTEMPT_ROW: f64 = 7.0;
const PODS_HEIGHT: f64 = 56.0;

impl Geometry {
    fn new(width: f64, window: TimeWindow) -> Geometry {
        let width = width.max(300.0);
        let stacked = width < STACKED_BELOW;
        let x0 = if stacked { 8.0 } else { LABEL_WIDTH };
        Geometry {
            width,
            stacked,
            x0,
            x1: width - 10.0,
            window,
        }
    }

    fn plot_width(&self) -> f64 {
        (self.x1 - self.x0).max(1.0)
    }

    fn x(&self, t: SimTime) -> f64 {
        let span = self.window.span().as_micros().max(1) as f64;
        let offset = t.as_micros() as f64 - self.window.start.as_micros() as f64;
        self.x0 + offset / span * self.plot_width()
    }

    /// The time under a horizontal position, if it is on the plot.
    fn time_at(&self, x: f64) -> Option<SimTime> {
        if x < self.x0 || x > self.x1 {
            return None;
        }
        Some(self.window.start + self.duration_of(x - self.x0))
    }

    fn duration_of(&self, px: f64) -> SimDuration {
        let span = self.window.span().as_micros() as f64;
        SimDuration::from_micros((px / self.plot_width() * span).max(0.0) as u64)
    }

    /// The height of a lane (without its name row when stacked): its
    /// drawing, or its name and note beside it if they are taller.
    fn lane_height(&self, lane: &Lane, label_lines: usize) -> f64 {
        let drawing = match lane.kind {
            LaneKind::Lease(_) => BAND + 4.0 + f64::from(lane.attempt_rows) * ATTEMPT_ROW,
            LaneKind::Apiserver if lane.lower_row => BAND - 4.0 + 2.0 + THIN_BAND,
            LaneKind::Apiserver | LaneKind::Kubectl => BAND - 4.0,
            LaneKind::Actions | LaneKind::Etcd => BAND,
        };
        if self.stacked {
            drawing
        } else {
            drawing.max(label_lines as f64 * LABEL_LINE + 3.0)
        }
    }

    /// The height of a lane's name row (none beside the plot).
    fn name_row(&self) -> f64 {
        if self.stacked { NAME_ROW } else { 0.0 }
    }
}

/// A number rounded to a tenth, for an attribute: `12.3`, `-4`.
fn fmt1(x: f64) -> String {
    decimal_text(x, 1)
}

/// Appends `x` rounded to a tenth.
fn push_number(out: &mut String, x: f64) {
    push_decimal(out, x, 1);
}

/// SVG path data, written a command at a time.
#[derive(Debug, Default)]
struct PathData(String);

impl PathData {
    fn with_capacity(bytes: usize) -> PathData {
        PathData(String::with_capacity(bytes))
    }

    /// Appends a command and its numbers: `M12.3 4`.
    fn push(&mut self, command: char, numbers: &[f64]) {
        self.0.push(command);
        for (i, &n) in numbers.iter().enumerate() {
            if i > 0 {
                self.0.push(' ');
            }
            push_number(&mut self.0, n);
        }
    }

    /// A rectangle, as a closed subpath.
    fn rect(&mut self, x: f64, y: f64, width: f64, height: f64) {
        self.push('M', &[x, y]);
        self.push('h', &[width]);
        self.push('v', &[height]);
        self.push('h', &[-width]);
        self.push('Z', &[]);
    }

    /// A vertical line from (x, y), `length` long.
    fn vertical(&mut self, x: f64, y: f64, length: f64) {
        self.push('M', &[x, y]);
        self.push('v', &[length]);
    }
}

/// The lanes, stacked; returns them and the total height.
fn draw_lanes(view: &TimelineView, geometry: &Geometry, seek: &Callback<SimTime>) -> (Html, f64) {
    let mut y = AXIS_HEIGHT + 4.0;
    let mut groups = Vec::with_capacity(view.lanes.len() + 1);
    for lane in &view.lanes {
        let label = LaneLabel::new(&lane.name, lane.note.as_deref(), geometry);
        let height = geometry.lane_height(lane, label.lines.len());
        groups.push(draw_lane(lane, &label, geometry, y, height, seek));
        y += geometry.name_row() + height + LANE_GAP;
    }
    let pods_note = view
        .pods
        .at_now
        .as_ref()
        .map(|s| format!("{} desired · {} running", s.pods_desired, s.pods_running));
    let label = LaneLabel::new("Pods", pods_note.as_deref(), geometry);
    let pods_height = PODS_HEIGHT.max(label.lines.len() as f64 * LABEL_LINE + 3.0);
    groups.push(draw_pods(&view.pods, &label, geometry, y, view.horizon));
    y += geometry.name_row() + pods_height + LANE_GAP;
    (html! { <>{ for groups }</> }, y)
}

/// A lane's name and note as lines of text: beside the plot, a long name
/// wraps at spaces and the note goes under it; above the plot (on narrow
/// screens), they share one line.
struct LaneLabel {
    /// Each line's words and whether it is the note.
    lines: Vec<(String, bool)>,
}

impl LaneLabel {
    fn new(name: &str, note: Option<&str>, geometry: &Geometry) -> LaneLabel {
        let mut lines = Vec::with_capacity(3);
        if geometry.stacked {
            let words = match note {
                Some(note) => format!("{name} · {note}"),
                None => name.to_owned(),
            };
            lines.push((words, false));
            return LaneLabel { lines };
        }
        let mut line = String::new();
        for word in name.split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > LABEL_CHARS {
                lines.push((std::mem::take(&mut line), false));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push((line, false));
        if let Some(note) = note {
            lines.push((note.to_owned(), true));
        }
        LaneLabel { lines }
    }

    fn draw(&self, geometry: &Geometry, top: f64) -> Html {
        let x = if geometry.stacked { geometry.x0 } else { 8.0 };
        let lines = self.lines.iter().enumerate().map(|(i, (words, is_note))| {
            let class = if *is_note {
                "tl-lane-note"
            } else {
                "tl-lane-name"
            };
            let y = top + 12.0 + i as f64 * LABEL_LINE;
            html! { <text class={class} x={fmt1(x)} y={fmt1(y)}>{ words.clone() }</text> }
        });
        html! { <>{ for lines }</> }
    }
}

fn draw_lane(
    lane: &Lane,
    label: &LaneLabel,
    geometry: &Geometry,
    y: f64,
    height: f64,
    seek: &Callback<SimTime>,
) -> Html {
    let top = y + geometry.name_row();
    let name = label.draw(geometry, y);
    // Band labels keep clear of the marks on the band row.
    let marks_x: Vec<f64> = lane
        .marks
        .iter()
        .filter(|m| m.row == 0)
        .map(|m| geometry.x(m.t))
        .collect();
    let background = html! {
        <rect class="tl-lane-bg" x={fmt1(geometry.x0)} y={fmt1(top)}
            width={fmt1(geometry.plot_width())} height={fmt1(height)} />
    };
    let band_height = match lane.kind {
        LaneKind::Apiserver | LaneKind::Kubectl => BAND - 4.0,
        _ => BAND,
    };
    let bands = draw_bands(&lane.bands, geometry, top, band_height, Some(&marks_x));
    let lower = draw_bands(
        &lane.lower_bands,
        geometry,
        top + band_height + 2.0,
        THIN_BAND,
        None,
    );
    let shades = draw_bands(&lane.shades, geometry, top, band_height, Some(&marks_x));
    let rows = (lane.attempt_rows > 0 && matches!(lane.kind, LaneKind::Lease(_))).then(|| {
        let mut d = PathData::default();
        for row in 0..lane.attempt_rows {
            let row_y = top + BAND + 4.0 + f64::from(row) * ATTEMPT_ROW + ATTEMPT_ROW - 1.0;
            d.push('M', &[geometry.x0, row_y]);
            d.push('H', &[geometry.x1]);
        }
        html! { <path class="tl-row-line" d={d.0} /> }
    });
    let ticks = lane.ticks.iter().map(|row| draw_ticks(row, geometry, top));
    let marks = draw_marks(lane, geometry, top, seek);
    html! {
        <g class="tl-lane" role="group" aria-label={lane.name.clone()}>
            { name }
            { background }
            { for rows }
            { bands }
            { lower }
            { shades }
            { for ticks }
            { marks }
        </g>
    }
}

/// The CSS classes of a band: its look, and its master's colour.
fn band_classes(band: &Band) -> (&'static str, &'static str, Option<&'static str>) {
    let (look, hatch) = match band.look {
        BandLook::Held => ("held", None),
        BandLook::NotRenewed => ("not-renewed", Some("url(#tl-hatch)")),
        BandLook::NoHolder => ("no-holder", None),
        BandLook::EtcdLeader => ("etcd-leader", None),
        BandLook::EtcdNoLeader => ("no-leader", None),
        BandLook::QuorumLost => ("quorum-lost", Some("url(#tl-hatch-bad)")),
        BandLook::ApiserverStarting => ("api-starting", None),
        BandLook::ApiserverReady => ("api-ready", None),
        BandLook::ApiserverUnready => ("api-unready", Some("url(#tl-hatch)")),
        BandLook::ApiserverDown => ("api-down", Some("url(#tl-hatch-bad)")),
        BandLook::BackendUp => ("lb-up", None),
        BandLook::BackendDown => ("lb-down", Some("url(#tl-hatch-bad)")),
        BandLook::ProbeOk => ("probe-ok", None),
        BandLook::ProbeFailing => ("probe-failing", Some("url(#tl-hatch-bad)")),
    };
    let colour = match band.node.as_deref().and_then(master_number) {
        Some(1) => "m1",
        Some(2) => "m2",
        Some(3) => "m3",
        Some(4) => "m4",
        Some(5) => "m5",
        Some(6) => "m6",
        Some(7) => "m7",
        _ => "m0",
    };
    (look, colour, hatch)
}

/// Where a label `width` wide can start on a band from `x_start` to `x_end`
/// without running over a mark (at `marks_x`, in order), if anywhere.
fn label_start(x_start: f64, x_end: f64, width: f64, marks_x: &[f64]) -> Option<f64> {
    let mut start = x_start + 4.0;
    for _ in 0..=marks_x.len() {
        match marks_x
            .iter()
            .find(|&&m| m > start - 8.0 && m < start + width + 2.0)
        {
            Some(&mark) => start = mark + 9.0,
            None => return (start + width <= x_end - 2.0).then_some(start),
        }
    }
    None
}

/// Bands as one path per look and colour (the number of elements does not
/// grow with the number of bands), and labels on those wide enough, clear of
/// the marks at `marks_x` (no labels when `None`).
fn draw_bands(
    bands: &[Band],
    geometry: &Geometry,
    y: f64,
    height: f64,
    marks_x: Option<&[f64]>,
) -> Html {
    let mut paths: Vec<(&'static str, &'static str, Option<&'static str>, PathData)> = Vec::new();
    let mut labels = Vec::new();
    for band in bands {
        let x_start = geometry.x(band.start).max(geometry.x0);
        let x_end = geometry.x(band.end).min(geometry.x1);
        if x_end - x_start < 0.3 {
            continue;
        }
        let (look, colour, hatch) = band_classes(band);
        let path = match paths.iter().position(|p| p.0 == look && p.1 == colour) {
            Some(i) => i,
            None => {
                paths.push((look, colour, hatch, PathData::default()));
                paths.len() - 1
            }
        };
        paths[path].3.rect(x_start, y, x_end - x_start, height);
        // The shortest label ("UP") needs about 20 px.
        if let Some(marks_x) = marks_x
            && x_end - x_start >= 20.0
        {
            let label = band.label();
            let width = label.chars().count() as f64 * 6.4;
            if let Some(x) = label_start(x_start, x_end, width, marks_x) {
                let on = if hatch.is_some()
                    || matches!(
                        band.look,
                        BandLook::NoHolder | BandLook::EtcdNoLeader | BandLook::ApiserverStarting
                    ) {
                    "tl-band-label on-light"
                } else {
                    "tl-band-label on-solid"
                };
                labels.push(html! {
                    <text class={on} x={fmt1(x)} y={fmt1(y + height / 2.0 + 4.0)}>{ label }</text>
                });
            }
        }
    }
    let shapes = paths.into_iter().map(|(look, colour, hatch, d)| {
        let d = d.0;
        let pattern = hatch.map(|fill| {
            html! { <path class="tl-hatch-fill" d={d.clone()} fill={fill} /> }
        });
        html! {
            <>
                <path class={classes!("tl-band", look, colour)} d={d} />
                { for pattern }
            </>
        }
    });
    html! { <>{ for shapes }{ for labels }</> }
}

fn draw_ticks(row: &TickRow, geometry: &Geometry, top: f64) -> Html {
    let (y, length, class) = match row.kind {
        TickKind::Renew => (top + BAND - 7.0, 6.0, "tl-renew"),
        TickKind::Attempt => (
            top + BAND + 4.0 + f64::from(row.row.saturating_sub(1)) * ATTEMPT_ROW,
            ATTEMPT_ROW - 2.0,
            "tl-attempt",
        ),
    };
    let mut d = PathData::with_capacity(row.times.len() * 14);
    for &t in &row.times {
        d.vertical(geometry.x(t), y, length);
    }
    let colour = row
        .node
        .as_deref()
        .and_then(master_number)
        .map_or("m0".to_owned(), |n| format!("m{n}"));
    html! { <path class={classes!(class, colour)} d={d.0} aria-hidden="true" /> }
}

/// A mark's glyph, drawn around (0, 0).
fn glyph(kind: MarkKind) -> (&'static str, &'static str) {
    match kind {
        MarkKind::LeaseAcquired => ("acquired", "M0 -6L6 0L0 6L-6 0Z"),
        MarkKind::LeaseLost | MarkKind::LeaderStopped => ("stopped", "M-4 -4L4 4M4 -4L-4 4"),
        MarkKind::LeaseReleased => ("released", "M-4 0a4 4 0 1 0 8 0a4 4 0 1 0 -8 0"),
        MarkKind::LeaseExpired => ("expired", "M0 -3.5L3.5 0L0 3.5L-3.5 0Z"),
        MarkKind::EtcdLeaderElected => ("elected", "M0 -6L6 0L0 6L-6 0Z"),
        MarkKind::QuorumLost => ("quorum-lost", "M0 -6L6 5H-6Z"),
        MarkKind::QuorumRegained => ("quorum-regained", "M-5 0L-1.5 4L5 -4"),
        MarkKind::ProbeOk => ("probe-ok", "M-5 0L-1.5 4L5 -4"),
        MarkKind::ProbeFailing => ("probe-failing", "M-4 -4L4 4M4 -4L-4 4"),
        MarkKind::KubectlResult { ok: true } => ("result-ok", "M-3.5 -3.5h7v7h-7Z"),
        MarkKind::KubectlResult { ok: false } => ("result-failed", "M-3.5 -3.5h7v7h-7Z"),
        MarkKind::Action => ("action", "M0 -8V8M0 -8h8l-2.5 3.5l2.5 3.5h-8"),
    }
}

fn draw_marks(lane: &Lane, geometry: &Geometry, top: f64, seek: &Callback<SimTime>) -> Html {
    let visible: Vec<&Mark> = lane
        .marks
        .iter()
        .filter(|m| geometry.window.contains(m.t))
        .collect();
    let marks = visible.iter().enumerate().map(|(i, mark)| {
        let x = geometry.x(mark.t);
        let y = if mark.row == 0 {
            top + BAND / 2.0
        } else {
            top + BAND + 4.0 + (f64::from(mark.row) - 0.5) * ATTEMPT_ROW - 0.5
        };
        let (class, d) = glyph(mark.kind);
        let colour = mark
            .node
            .as_deref()
            .and_then(master_number)
            .map_or("m0".to_owned(), |n| format!("m{n}"));
        // The action's words, where the next action leaves room for them.
        let text = mark.text.as_ref().and_then(|text| {
            let room = visible
                .get(i + 1)
                .map_or(geometry.x1, |next| geometry.x(next.t))
                - x;
            (room >= text.chars().count() as f64 * 6.4 + 16.0).then(|| {
                html! { <text class="tl-mark-text" x="10" y="4">{ text.clone() }</text> }
            })
        });
        let t = mark.t;
        let onclick = {
            let seek = seek.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                seek.emit(t);
            })
        };
        let onkeydown = {
            let seek = seek.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    e.stop_propagation();
                    seek.emit(t);
                }
            })
        };
        html! {
            <g key={format!("{class}-{}-{}", mark.row, t.as_micros())}
                class={classes!("tl-mark", class, colour)} tabindex="0" role="button"
                aria-label={mark.label.clone()}
                transform={format!("translate({} {})", fmt1(x), fmt1(y))}
                {onclick} {onkeydown}>
                <title>{ mark.label.clone() }</title>
                <circle class="tl-hit" r="8" />
                <path class="tl-glyph" d={d} />
                { for text }
            </g>
        }
    });
    html! { <g class="tl-marks">{ for marks }</g> }
}

fn draw_pods(
    pods: &PodsLane,
    label: &LaneLabel,
    geometry: &Geometry,
    y: f64,
    horizon: SimTime,
) -> Html {
    let top = y + geometry.name_row();
    let name = label.draw(geometry, y);
    let bottom = top + PODS_HEIGHT;
    let scale = (PODS_HEIGHT - 12.0) / f64::from(pods.max);
    let value_y = |v: u32| bottom - f64::from(v) * scale;
    let end_x = geometry
        .x(horizon.min(geometry.window.end))
        .min(geometry.x1);
    // Step lines: a value holds until the next sample that differs.
    let x_of = |sample: &Sample| geometry.x(sample.t).clamp(geometry.x0, geometry.x1);
    let mut running = PathData::default();
    let mut desired = PathData::default();
    if let Some(first) = pods.points.first() {
        let x = x_of(first);
        running.push('M', &[x, bottom]);
        running.push('V', &[value_y(first.pods_running)]);
        desired.push('M', &[x, value_y(first.pods_desired)]);
        for pair in pods.points.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            if after.pods_running != before.pods_running {
                running.push('H', &[x_of(after)]);
                running.push('V', &[value_y(after.pods_running)]);
            }
            if after.pods_desired != before.pods_desired {
                desired.push('H', &[x_of(after)]);
                desired.push('V', &[value_y(after.pods_desired)]);
            }
        }
        running.push('H', &[end_x]);
        running.push('V', &[bottom]);
        running.push('Z', &[]);
        desired.push('H', &[end_x]);
    }
    html! {
        <g class="tl-lane tl-pods" role="group" aria-label="Pods">
            { name }
            <rect class="tl-lane-bg" x={fmt1(geometry.x0)} y={fmt1(top)}
                width={fmt1(geometry.plot_width())} height={fmt1(PODS_HEIGHT)} />
            <path class="tl-pods-running" d={running.0} />
            <path class="tl-pods-desired" d={desired.0} />
            <text class="tl-pods-scale" x={fmt1(geometry.x0 + 3.0)} y={fmt1(top + 10.0)}>
                { format!("{} pods", pods.max) }
            </text>
            <text class="tl-pods-scale" x={fmt1(geometry.x0 + 3.0)} y={fmt1(bottom - 2.0)}>{ "0" }</text>
        </g>
    }
}

/// How an axis label anchors at `x`: inward at the plot's edges, so that
/// it is not cut off.
fn anchor_at(geometry: &Geometry, x: f64) -> &'static str {
    if x - geometry.x0 < 16.0 {
        "start"
    } else if geometry.x1 - x < 16.0 {
        "end"
    } else {
        "middle"
    }
}

/// The axis: round times, with a grid line across the lanes; the label
/// under the "now" cursor gives way to it.
fn draw_axis(geometry: &Geometry, height: f64, now: SimTime) -> Html {
    let ticks = axis_ticks(geometry.window, geometry.plot_width(), 70.0);
    let mut grid = PathData::default();
    for &t in &ticks {
        grid.push('M', &[geometry.x(t), AXIS_HEIGHT - 4.0]);
        grid.push('V', &[height]);
    }
    let now_x = geometry.window.contains(now).then(|| geometry.x(now));
    let labels = ticks
        .iter()
        .filter(|&&t| now_x.is_none_or(|now_x| (geometry.x(t) - now_x).abs() >= 26.0))
        .map(|&t| {
            let x = geometry.x(t);
            html! {
                <text class="tl-axis-label" text-anchor={anchor_at(geometry, x)} x={fmt1(x)} y="13">
                    { tick_label(t) }
                </text>
            }
        });
    html! {
        <g class="tl-axis">
            <path class="tl-grid" d={grid.0} aria-hidden="true" />
            { for labels }
        </g>
    }
}

/// The present: a cursor at now, the recorded future after it dimmed, and
/// the actions as guides across the lanes.
fn draw_present(view: &TimelineView, geometry: &Geometry, height: f64) -> Html {
    let mut guides = PathData::default();
    for &t in &view.action_times {
        guides.push('M', &[geometry.x(t), AXIS_HEIGHT]);
        guides.push('V', &[height]);
    }
    let now_x = geometry.x(view.now);
    let cursor = geometry.window.contains(view.now).then(|| {
        let future_end = geometry.x(view.horizon.min(geometry.window.end)).min(geometry.x1);
        let future = (future_end > now_x + 0.5).then(|| {
            html! {
                <rect class="tl-future" x={fmt1(now_x)} y={fmt1(AXIS_HEIGHT)}
                    width={fmt1(future_end - now_x)} height={fmt1(height - AXIS_HEIGHT)} />
            }
        });
        html! {
            <>
                { for future }
                <path class="tl-now" d={format!("M{} {}V{}", fmt1(now_x), fmt1(AXIS_HEIGHT - 6.0), fmt1(height))} />
                <text class="tl-now-label" text-anchor={anchor_at(geometry, now_x)} x={fmt1(now_x)} y={fmt1(AXIS_HEIGHT - 8.0)}>{ "now" }</text>
            </>
        }
    });
    html! {
        <g class="tl-present" aria-hidden="true">
            <path class="tl-guides" d={guides.0} />
            { for cursor }
        </g>
    }
}

fn svg_defs() -> Html {
    html! {
        <defs>
            <pattern id="tl-hatch" class="tl-hatch" patternUnits="userSpaceOnUse" width="6" height="6"
                patternTransform="rotate(45)">
                <line x1="0" y1="0" x2="0" y2="6" />
            </pattern>
            <pattern id="tl-hatch-bad" class="tl-hatch-bad" patternUnits="userSpaceOnUse" width="6" height="6"
                patternTransform="rotate(45)">
                <line x1="0" y1="0" x2="0" y2="6" />
            </pattern>
        </defs>
    }
}

/// What the marks and bands mean.
fn legend() -> Html {
    let item = |swatch: &'static str, words: &'static str| {
        html! {
            <li><span class={classes!("tl-swatch", swatch)} aria-hidden="true"></span>{ words }</li>
        }
    };
    html! {
        <ul class="tl-legend" aria-label="Timeline legend">
            { item("sw-held", "lease holder, named on the band (one colour per master)") }
            { item("sw-not-renewed", "hatched: the record still names the holder, but nobody renews it") }
            { item("sw-renew", "renewal by the leader") }
            { item("sw-attempt", "a standby's attempt to acquire (one row per master)") }
            { item("sw-expired", "a standby's own clock says the lease expired") }
            { item("sw-acquired", "lease acquired · etcd leader elected") }
            { item("sw-stopped", "leader stopped or lost the lease") }
            { item("sw-etcd-leader", "etcd leader and term") }
            { item("sw-quorum-lost", "etcd quorum lost") }
            { item("sw-api-ready", "API server ready") }
            { item("sw-api-unready", "API server unready (or starting, plain)") }
            { item("sw-api-down", "not running") }
            { item("sw-lb-down", "thin row under an API server: UP, or hatched DOWN, in HAProxy") }
            { item("sw-probe-failing", "kubectl get pods fails") }
            { item("sw-desired", "pods desired") }
            { item("sw-running", "pods running") }
            { item("sw-action", "an action (yours or the scenario's)") }
            { item("sw-future", "after now: the recorded future") }
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Setup;
    use ha_sim::{Action, Cluster, SimConfig, Target};

    fn setup() -> Setup {
        Setup::of_config("test", SimConfig::new(5, Cluster::default()))
    }

    fn whole(lab: &Lab) -> TimeWindow {
        TimeWindow {
            start: SimTime::ZERO,
            end: lab.horizon,
        }
    }

    fn lane<'a>(view: &'a TimelineView, name: &str) -> &'a Lane {
        view.lanes
            .iter()
            .find(|l| l.name == name)
            .unwrap_or_else(|| panic!("no lane {name}"))
    }

    fn assert_no_overlap(lane: &Lane) {
        for bands in [&lane.bands, &lane.lower_bands, &lane.shades] {
            for band in bands.iter() {
                assert!(band.start < band.end, "{}: {band:?}", lane.name);
            }
            for pair in bands.windows(2) {
                assert!(
                    pair[0].end <= pair[1].start,
                    "{}: {:?} overlaps {:?}",
                    lane.name,
                    pair[0],
                    pair[1]
                );
            }
        }
    }

    fn item_count(view: &TimelineView) -> usize {
        view.lanes
            .iter()
            .map(|l| {
                l.bands.len()
                    + l.lower_bands.len()
                    + l.shades.len()
                    + l.marks.len()
                    + l.ticks.iter().map(|r| r.times.len()).sum::<usize>()
            })
            .sum::<usize>()
            + view.pods.points.len()
    }

    /// FIDELITY.md §2 A: after the leader's node dies, its band ends, the
    /// standbys' clocks say the lease expired, and one of them takes over.
    #[test]
    fn killing_the_leaders_node_ends_its_band_and_a_standby_takes_over_after_expiry() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(30));
        let old = lab
            .sim
            .lease_leader(ProcessKind::KubeControllerManager)
            .unwrap();
        let old_node = lab.sim.nodes()[lab.sim.processes()[old].node].name.clone();
        lab.act(Action::KillNode(
            Target::parse("leader:kube-controller-manager").unwrap(),
        ))
        .unwrap();
        lab.advance_to(SimTime::from_secs(90));
        let (acquired_at, new_node) = lab
            .events
            .iter()
            .filter(|e| e.t > SimTime::from_secs(30))
            .find_map(|e| match &e.kind {
                EventKind::LeaseAcquired { lease, .. }
                    if lease.ends_with("kube-controller-manager") =>
                {
                    Some((e.t, e.node.clone().unwrap()))
                }
                _ => None,
            })
            .expect("a standby takes over");
        let last_renew = lab
            .events
            .iter()
            .filter(|e| e.t <= SimTime::from_secs(30))
            .filter(|e| matches!(&e.kind, EventKind::LeaseRenewed { lease } if lease.ends_with("kube-controller-manager")))
            .map(|e| e.t)
            .next_back()
            .unwrap();

        let view = TimelineIndex::of(&lab).view(&lab, whole(&lab));
        let kcm = lane(&view, "kube-controller-manager lease");
        assert_no_overlap(kcm);

        // The old holder leads until its node dies, then the record still
        // names it, unrenewed, until the takeover.
        let old_bands: Vec<&Band> = kcm
            .bands
            .iter()
            .filter(|b| b.node.as_deref() == Some(&*old_node))
            .collect();
        let held_until = old_bands
            .iter()
            .filter(|b| b.look == BandLook::Held)
            .map(|b| b.end)
            .max()
            .unwrap();
        assert_eq!(held_until, SimTime::from_secs(30));
        let orphaned = old_bands
            .iter()
            .find(|b| b.look == BandLook::NotRenewed)
            .expect("an unrenewed stretch");
        assert_eq!(
            (orphaned.start, orphaned.end),
            (SimTime::from_secs(30), acquired_at)
        );
        assert_eq!(orphaned.label(), format!("{old_node} · not renewed"));

        // The new holder's band starts at the acquisition, named after it.
        let new_band = kcm
            .bands
            .iter()
            .find(|b| b.start == acquired_at)
            .expect("the new holder's band");
        assert_eq!(new_band.look, BandLook::Held);
        assert_eq!(new_band.label(), *new_node);
        assert_eq!(new_band.end, lab.horizon);
        assert_ne!(new_node, old_node);

        // The standbys' clocks said "expired" at least leaseDuration after
        // the last renewal, and the new holder's did before it took over.
        let lease_duration = lab.setup.config.controller_manager.lease_duration;
        let expiries: Vec<&Mark> = kcm
            .marks
            .iter()
            .filter(|m| m.kind == MarkKind::LeaseExpired && m.t > SimTime::from_secs(30))
            .collect();
        assert!(!expiries.is_empty());
        for expiry in &expiries {
            assert!(expiry.t >= last_renew + lease_duration, "{expiry:?}");
            assert!(expiry.label.contains("'s clock"), "{}", expiry.label);
        }
        let winner = expiries
            .iter()
            .find(|m| m.node.as_deref() == Some(&*new_node))
            .expect("the winner's clock said expired");
        assert!(winner.t <= acquired_at);
        assert_eq!(winner.row, master_number(&new_node).unwrap());

        // The acquisition is a mark with words, and so is the leader's end.
        let acquisition = kcm
            .marks
            .iter()
            .find(|m| m.kind == MarkKind::LeaseAcquired && m.t == acquired_at)
            .unwrap();
        assert_eq!(
            acquisition.label,
            format!(
                "kube-controller-manager lease acquired by {new_node} at {} — jump there",
                clock(acquired_at)
            )
        );
        assert!(
            kcm.marks
                .iter()
                .any(|m| m.kind == MarkKind::LeaderStopped && m.t == SimTime::from_secs(30))
        );
        // The old leader's master lost its API server too, and the action is marked.
        let api = lane(&view, &format!("kube-apiserver {old_node}"));
        assert_no_overlap(api);
        assert!(
            api.bands
                .iter()
                .any(|b| b.look == BandLook::ApiserverDown && b.start == SimTime::from_secs(30))
        );
        let actions = lane(&view, "Actions");
        assert_eq!(actions.marks.len(), 1);
        assert_eq!(actions.marks[0].t, SimTime::from_secs(30));
    }

    /// FIDELITY.md §3: two of three stacked members gone is no quorum.
    #[test]
    fn killing_two_of_three_stacked_masters_shades_etcd_as_quorum_lost() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(30));
        lab.act(Action::KillNode(Target::parse("master-2").unwrap()))
            .unwrap();
        lab.act(Action::KillNode(Target::parse("master-3").unwrap()))
            .unwrap();
        lab.advance_to(SimTime::from_secs(70));
        let view = TimelineIndex::of(&lab).view(&lab, whole(&lab));
        let etcd = lane(&view, "etcd");
        assert_no_overlap(etcd);
        assert_eq!(etcd.shades.len(), 1);
        let shade = &etcd.shades[0];
        assert_eq!(shade.look, BandLook::QuorumLost);
        assert_eq!(
            (shade.start, shade.end),
            (SimTime::from_secs(30), lab.horizon)
        );
        assert!(etcd.marks.iter().any(|m| m.kind == MarkKind::QuorumLost
            && m.label.starts_with("etcd quorum lost: 1 of 3 members up")));
        // Before, a leader with its term; at the end, none.
        assert!(
            etcd.bands
                .first()
                .is_some_and(|b| b.look == BandLook::EtcdLeader && b.label().contains("· term "))
        );
        assert_eq!(etcd.bands.last().unwrap().look, BandLook::EtcdNoLeader);
        // kubectl stops working.
        let kubectl = lane(&view, "kubectl get pods");
        assert_no_overlap(kubectl);
        assert_eq!(kubectl.bands.last().unwrap().look, BandLook::ProbeFailing);
        for lane in &view.lanes {
            assert_no_overlap(lane);
        }
    }

    #[test]
    fn a_killed_apiserver_is_down_then_ready_and_haproxy_marks_it_down_then_up() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(30));
        lab.act(Action::KillProcess(
            Target::parse("master-2/kube-apiserver").unwrap(),
        ))
        .unwrap();
        lab.advance_to(SimTime::from_secs(90));
        let view = TimelineIndex::of(&lab).view(&lab, whole(&lab));
        let api = lane(&view, "kube-apiserver master-2");
        assert_no_overlap(api);
        let looks: Vec<BandLook> = api.bands.iter().map(|b| b.look).collect();
        let down = looks
            .iter()
            .position(|&l| l == BandLook::ApiserverDown)
            .unwrap();
        assert_eq!(api.bands[down].start, SimTime::from_secs(30));
        assert!(
            looks[down..].contains(&BandLook::ApiserverReady),
            "{looks:?}"
        );
        let backend: Vec<BandLook> = api.lower_bands.iter().map(|b| b.look).collect();
        let backend_down = backend
            .iter()
            .position(|&l| l == BandLook::BackendDown)
            .unwrap();
        assert!(backend[backend_down..].contains(&BandLook::BackendUp));
        // The other API servers stayed up.
        let other = lane(&view, "kube-apiserver master-1");
        assert!(
            other
                .bands
                .iter()
                .all(|b| b.look != BandLook::ApiserverDown)
        );
    }

    #[test]
    fn an_hour_of_run_stays_bounded_in_any_window() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(600));
        lab.act(Action::KillNode(
            Target::parse("leader:kube-scheduler").unwrap(),
        ))
        .unwrap();
        lab.advance_to(SimTime::from_secs(3_600));
        assert!(lab.events.len() > 3_000, "{}", lab.events.len());
        let index = TimelineIndex::of(&lab);
        let last_90s = TimeWindow {
            start: SimTime::from_secs(3_510),
            end: SimTime::from_secs(3_600),
        };
        for window in [last_90s, whole(&lab)] {
            let view = index.view(&lab, window);
            for lane in &view.lanes {
                assert_no_overlap(lane);
                assert!(lane.marks.len() <= 2 * MAX_MARKS_PER_LANE, "{}", lane.name);
                assert!(lane.bands.len() as u64 <= MAX_BANDS_PER_LANE);
                for row in &lane.ticks {
                    assert!(
                        row.times.len() <= MAX_TICKS_PER_ROW,
                        "{}: {}",
                        lane.name,
                        row.times.len()
                    );
                }
            }
            assert!(view.pods.points.len() <= MAX_POD_POINTS + 2);
            assert!(item_count(&view) < 1_500, "{}", item_count(&view));
        }
        // The whole hour's renewals are thinned; the last 90 s has them all.
        let whole_view = index.view(&lab, whole(&lab));
        let kcm = lane(&whole_view, "kube-controller-manager lease");
        assert!(kcm.ticks[0].times.len() >= MAX_TICKS_PER_ROW / 2);
        let recent = index.view(&lab, last_90s);
        let renews_in_last_90s = lab
            .events
            .iter()
            .filter(|e| e.t >= last_90s.start)
            .filter(|e| matches!(&e.kind, EventKind::LeaseRenewed { lease } if lease.ends_with("kube-controller-manager")))
            .count();
        assert_eq!(
            lane(&recent, "kube-controller-manager lease").ticks[0]
                .times
                .len(),
            renews_in_last_90s
        );
        // One hour of samples becomes a few hundred points that keep the range.
        assert!(whole_view.pods.points.len() >= MAX_POD_POINTS / 2);
        assert_eq!(whole_view.pods.max, 3);
    }

    #[test]
    fn the_index_built_frame_by_frame_equals_the_index_built_at_once() {
        let mut lab = Lab::new(setup()).unwrap();
        let mut index = TimelineIndex::default();
        let mut t = SimTime::ZERO;
        while t < SimTime::from_secs(80) {
            t += SimDuration::from_millis(733);
            if t >= SimTime::from_secs(30) && lab.actions().is_empty() {
                lab.act(Action::KillNode(Target::parse("master-1").unwrap()))
                    .unwrap();
            }
            lab.advance_to(t);
            index.update(&lab);
        }
        let window = whole(&lab);
        let framed = index.view(&lab, window);
        let at_once = TimelineIndex::of(&lab).view(&lab, window);
        for (a, b) in framed.lanes.iter().zip(&at_once.lanes) {
            assert_eq!(a.bands, b.bands, "{}", a.name);
            assert_eq!(a.marks, b.marks, "{}", a.name);
            assert_eq!(a.ticks, b.ticks, "{}", a.name);
        }
        // Acting in the past forks the branch: the index starts over.
        lab.seek(SimTime::from_secs(20));
        lab.act(Action::Heal).unwrap();
        lab.advance_to(SimTime::from_secs(40));
        index.update(&lab);
        let forked = index.view(&lab, whole(&lab));
        let fresh = TimelineIndex::of(&lab).view(&lab, whole(&lab));
        for (a, b) in forked.lanes.iter().zip(&fresh.lanes) {
            assert_eq!(a.bands, b.bands, "{}", a.name);
            assert_eq!(a.marks, b.marks, "{}", a.name);
        }
        assert!(
            lane(&forked, "kube-apiserver master-1")
                .bands
                .iter()
                .all(|b| b.look != BandLook::ApiserverDown || b.start < SimTime::from_secs(20))
        );
    }

    #[test]
    fn seeking_back_keeps_the_recorded_future_in_the_view() {
        let mut lab = Lab::new(setup()).unwrap();
        lab.advance_to(SimTime::from_secs(60));
        lab.seek(SimTime::from_secs(40));
        let view = TimelineIndex::of(&lab).view(&lab, whole(&lab));
        assert_eq!(view.now, SimTime::from_secs(40));
        assert_eq!(view.horizon, SimTime::from_secs(60));
        let kcm = lane(&view, "kube-controller-manager lease");
        assert_eq!(kcm.bands.last().unwrap().end, SimTime::from_secs(60));
    }

    #[test]
    fn the_window_follows_the_present_zooms_and_pans_within_the_branch() {
        let horizon = SimTime::from_secs(300);
        let now = SimTime::from_secs(300);
        let state = WindowState::default();
        let secs = |w: TimeWindow| (w.start.as_millis() / 1000, w.end.as_millis() / 1000);
        assert_eq!(secs(state.window(now, horizon)), (210, 300));
        // Early on, the first span is shown with now moving across it.
        assert_eq!(
            secs(state.window(SimTime::from_secs(20), SimTime::from_secs(20))),
            (0, 90)
        );
        let zoomed = state.zoomed(true, now, horizon);
        assert!(zoomed.follow);
        assert_eq!(secs(zoomed.window(now, horizon)), (255, 300));
        let earlier = state.panned(false, now, horizon);
        assert!(!earlier.follow);
        assert_eq!(secs(earlier.window(now, horizon)), (187, 277));
        // Panning never leaves the branch.
        let mut far = state;
        for _ in 0..20 {
            far = far.panned(false, now, horizon);
        }
        assert_eq!(secs(far.window(now, horizon)), (0, 90));
        for _ in 0..20 {
            far = far.panned(true, now, horizon);
        }
        assert_eq!(secs(far.window(now, horizon)), (210, 300));
        // Zooming out stops at the whole branch; in, at the narrowest span.
        let mut out = state;
        for _ in 0..10 {
            out = out.zoomed(false, now, horizon);
        }
        assert_eq!(secs(out.window(now, horizon)), (0, 300));
        let mut inward = state;
        for _ in 0..10 {
            inward = inward.zoomed(true, now, horizon);
        }
        assert_eq!(inward.window(now, horizon).span(), MIN_SPAN);
        // A frozen window stays put when now moves; following catches up.
        let frozen = state.frozen(now, horizon);
        assert_eq!(
            secs(frozen.window(SimTime::from_secs(250), horizon)),
            (210, 300)
        );
        assert_eq!(
            secs(frozen.following().window(SimTime::from_secs(250), horizon)),
            (160, 250)
        );
    }

    #[test]
    fn axis_ticks_are_round_times_with_room_between_them() {
        let window = TimeWindow {
            start: SimTime::from_millis(12_300),
            end: SimTime::from_millis(102_300),
        };
        let ticks = axis_ticks(window, 900.0, 70.0);
        let labels: Vec<String> = ticks.iter().map(|&t| tick_label(t)).collect();
        assert_eq!(
            labels,
            [
                "0:20", "0:30", "0:40", "0:50", "1:00", "1:10", "1:20", "1:30", "1:40"
            ]
        );
        // Narrower: fewer, further apart.
        let narrow: Vec<String> = axis_ticks(window, 300.0, 70.0)
            .iter()
            .map(|&t| tick_label(t))
            .collect();
        assert_eq!(narrow, ["0:30", "1:00", "1:30"]);
        assert_eq!(tick_label(SimTime::from_secs(3_725)), "62:05");
        assert_eq!(master_number("master-3"), Some(3));
        assert_eq!(master_number("etcd-1"), None);
    }

    #[test]
    fn coordinates_are_written_to_a_tenth_without_float_formatting() {
        let written = |x: f64| {
            let mut out = String::new();
            push_number(&mut out, x);
            out
        };
        assert_eq!(written(12.34), "12.3");
        assert_eq!(written(7.0), "7");
        assert_eq!(written(0.96), "1");
        assert_eq!(written(-4.25), "-4.3");
        assert_eq!(written(-0.01), "0");
        let mut path = PathData::default();
        path.rect(1.0, 2.5, 10.0, 4.0);
        assert_eq!(path.0, "M1 2.5h10v4h-10Z");
    }

    #[test]
    fn band_labels_keep_clear_of_marks_and_long_lane_names_wrap() {
        // A mark at the band's start pushes the label past it.
        assert_eq!(label_start(100.0, 300.0, 50.0, &[]), Some(104.0));
        assert_eq!(label_start(100.0, 300.0, 50.0, &[100.0]), Some(109.0));
        assert_eq!(
            label_start(100.0, 300.0, 50.0, &[100.0, 140.0]),
            Some(149.0)
        );
        // No room left after the marks: no label.
        assert_eq!(label_start(100.0, 160.0, 50.0, &[100.0, 140.0]), None);
        let window = TimeWindow {
            start: SimTime::ZERO,
            end: SimTime::ZERO + DEFAULT_SPAN,
        };
        let wide = Geometry::new(1_000.0, window);
        let label = LaneLabel::new("kube-controller-manager lease", Some("note"), &wide);
        let lines: Vec<&str> = label.lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(lines, ["kube-controller-manager", "lease", "note"]);
        let narrow = Geometry::new(360.0, window);
        let label = LaneLabel::new("kubectl get pods", Some("against master-1"), &narrow);
        assert_eq!(
            label.lines,
            [("kubectl get pods · against master-1".to_owned(), false)]
        );
    }

    #[test]
    fn thinning_keeps_at_most_one_item_per_bucket_and_all_when_few() {
        let window = TimeWindow {
            start: SimTime::ZERO,
            end: SimTime::from_secs(100),
        };
        let dense: Vec<SimTime> = (0..10_000).map(|i| SimTime::from_millis(i * 10)).collect();
        let thinned = thin(dense, |&t| t, window, 150);
        assert!(thinned.len() <= 150, "{}", thinned.len());
        assert!(thinned.len() >= 140, "{}", thinned.len());
        let few: Vec<SimTime> = (0..5).map(SimTime::from_millis).collect();
        assert_eq!(thin(few.clone(), |&t| t, window, 150), few);
    }
}
