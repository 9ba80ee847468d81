//! The app's one state and its actions (Yew's `Reducible`), shared with every
//! component through a context.
//!
//! The simulation and its recorded branch live in a [`Lab`] behind a
//! `RefCell`: a frame at 50× real time must not clone the whole simulation.
//! `version` changes with every action, so components re-render when the lab
//! moves.

use std::cell::RefCell;
use std::rc::Rc;

use ha_sim::{Action, SimDuration, SimTime};
use yew::prelude::*;

use crate::lab::Lab;
use crate::url::{LabRequest, MAX_SPEED, MIN_SPEED, View, percent_encode, to_query};

/// What the learner has selected (the inspector shows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Node(usize),
    Process(usize),
}

/// The state of the page.
#[derive(Clone)]
pub struct LabState {
    pub lab: Rc<RefCell<Lab>>,
    /// Changes with every action.
    pub version: u64,
    /// Changes with every action that is not a frame of play: the link is
    /// written back to the address bar when it changes while paused.
    pub epoch: u64,
    pub playing: bool,
    /// × real time.
    pub speed: f64,
    pub selected: Option<Selection>,
    /// Messages for the learner: a refused action, a bad link.
    pub notices: Vec<String>,
    /// What the page around the lab shows (embedding, lesson, panels).
    pub view: View,
    /// Animations off (the system asks for reduced motion, or the learner did).
    pub reduced_motion: bool,
}

impl PartialEq for LabState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.lab, &other.lab)
    }
}

/// Everything a component can ask of the lab.
#[derive(Clone, Debug)]
pub enum LabAction {
    /// An animation frame: `wall_ms` of real time passed.
    Frame {
        wall_ms: f64,
    },
    TogglePlay,
    Pause,
    /// Advance by this much simulated time, paused.
    Step(SimDuration),
    /// Run to the next event, paused.
    JumpToNextEvent,
    /// Show the branch at this time.
    Seek(SimTime),
    SetSpeed(f64),
    /// A fault or a kubectl command, now.
    Act(Action),
    Select(Option<Selection>),
    /// Replace the lab (new settings, a scenario).
    Load(Box<LabRequest>),
    Notice(String),
    DismissNotice(usize),
    SetReducedMotion(bool),
    /// Leave the lesson for free play (the lab stays as it is).
    CloseLesson,
}

/// The longest stretch of simulated time one frame may run (a hidden tab
/// resumes without a freeze).
const MAX_FRAME: SimDuration = SimDuration::from_secs(5);

impl LabState {
    /// Builds the lab a link asks for: the setup, the learner's actions
    /// replayed, then the requested time.
    pub fn from_request(
        request: &LabRequest,
        notices: Vec<String>,
        reduced_motion: bool,
    ) -> LabState {
        let mut notices = notices;
        let lab = match Lab::new(request.setup.clone()) {
            Ok(lab) => lab,
            Err(e) => {
                notices.push(format!(
                    "This lab cannot start: {e}. The default lab opened instead."
                ));
                Lab::new(LabRequest::default_lab().setup).expect("the default lab is valid")
            }
        };
        let mut lab = lab;
        for a in &request.actions {
            lab.advance_to(a.at);
            if let Err(e) = lab.act(a.action.clone()) {
                notices.push(format!("An action in the link was skipped: {e}"));
            }
        }
        lab.advance_to(request.t);
        LabState {
            lab: Rc::new(RefCell::new(lab)),
            version: 0,
            epoch: 0,
            playing: !request.paused,
            speed: request.speed,
            selected: None,
            notices,
            view: request.view.clone(),
            reduced_motion,
        }
    }

    /// The query string that reproduces this lab now (for "Copy link"),
    /// with the view's parameters (the lesson, embedding, panels, theme).
    pub fn link_query(&self) -> String {
        let lab = self.lab.borrow();
        let mut query = to_query(
            &lab.setup,
            lab.actions(),
            lab.now(),
            self.speed,
            !self.playing,
        );
        for (k, v) in self.view.query_pairs() {
            query.push_str(&format!("&{}={}", percent_encode(&k), percent_encode(&v)));
        }
        query
    }
}

impl Reducible for LabState {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.version += 1;
        if !matches!(action, LabAction::Frame { .. }) {
            next.epoch += 1;
        }
        match action {
            LabAction::Frame { wall_ms } => {
                if !next.playing {
                    return self;
                }
                let micros = (wall_ms.max(0.0) * next.speed * 1_000.0) as u64;
                let step = SimDuration::from_micros(micros).min(MAX_FRAME);
                let mut lab = next.lab.borrow_mut();
                let t = lab.now() + step;
                lab.advance_to(t);
            }
            LabAction::TogglePlay => next.playing = !next.playing,
            LabAction::Pause => next.playing = false,
            LabAction::Step(d) => {
                next.playing = false;
                let mut lab = next.lab.borrow_mut();
                let t = lab.now() + d;
                lab.advance_to(t);
            }
            LabAction::JumpToNextEvent => {
                next.playing = false;
                let mut lab = next.lab.borrow_mut();
                let limit = lab.now() + SimDuration::from_secs(3_600);
                lab.advance_to_next_event(limit);
            }
            LabAction::Seek(t) => next.lab.borrow_mut().seek(t),
            LabAction::SetSpeed(speed) => next.speed = speed.clamp(MIN_SPEED, MAX_SPEED),
            LabAction::Act(action) => {
                let result = next.lab.borrow_mut().act(action);
                if let Err(e) = result {
                    next.notices.push(e.to_string());
                }
            }
            LabAction::Select(selection) => next.selected = selection,
            LabAction::Load(request) => {
                let reduced = next.reduced_motion;
                // The view belongs to the page, not to the lab being replaced.
                let view = next.view.clone();
                next = LabState {
                    version: next.version,
                    epoch: next.epoch,
                    view,
                    ..LabState::from_request(&request, Vec::new(), reduced)
                };
            }
            LabAction::Notice(message) => next.notices.push(message),
            LabAction::DismissNotice(i) => {
                if i < next.notices.len() {
                    next.notices.remove(i);
                }
            }
            LabAction::SetReducedMotion(on) => next.reduced_motion = on,
            LabAction::CloseLesson => next.view.lesson = None,
        }
        Rc::new(next)
    }
}

/// The handle components use: read `lab`, dispatch actions.
pub type LabContext = UseReducerHandle<LabState>;

/// The lab, from inside any component under the app.
#[hook]
pub fn use_lab() -> LabContext {
    use_context::<LabContext>().expect("components live inside the app's LabContext")
}

/// A callback that does the learner's `action` in the lab.
pub fn act(lab: &LabContext) -> Callback<Action> {
    let dispatcher = lab.dispatcher();
    Callback::from(move |action| dispatcher.dispatch(LabAction::Act(action)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::parse_query;

    #[test]
    fn copy_link_keeps_the_view_and_a_new_lab_keeps_it_too() {
        let query = "scenario=kill-controller-manager-leader&embed=1&panels=cluster,leases\
                     &theme=light&height=640&paused=1";
        let request = parse_query(query).unwrap();
        let state = LabState::from_request(&request, Vec::new(), false);
        let link = state.link_query();
        let reopened = parse_query(&link).unwrap_or_else(|e| panic!("{e:?}: {link}"));
        assert_eq!(reopened.view, request.view, "{link}");
        assert_eq!(reopened.view.height, Some(640), "{link}");
        assert!(reopened.paused, "{link}");

        // A lesson step or the settings may load another lab: the page's
        // view, height included, stays.
        let other = parse_query("scenario=default").unwrap();
        let next = Rc::new(state).reduce(LabAction::Load(Box::new(other)));
        assert_eq!(next.view, request.view);
    }
}
