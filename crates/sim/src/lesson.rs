//! Guided lessons: a bundled scenario and a list of steps, each with Markdown
//! text, at most one "do" action, an optional "predict" question and an
//! optional "observe" condition that moves the lesson on when the simulation
//! makes it true. The lab shows them; [`LessonRun`] plays one headless, for
//! the tests and for `ha-sim check`, which refuses a lesson whose observe
//! conditions are never met on its scripted path or whose predict answers
//! disagree with what the simulation does.
//!
//! ```toml
//! id = "leader-election-timings"
//! title = "Leader election and its three timings"
//! summary = "Kill the leader's node and predict when a standby takes over."
//! scenario = "default"              # a file in scenarios/, by id
//!
//! [[steps]]
//! title = "Kill the leader"
//! text = """Markdown …"""
//! do = { action = "kill-node", target = "leader:kube-controller-manager", label = "Kill the leader's node" }
//! predict = { question = "How many seconds until a standby leads?", measure = "elapsed",
//!             answer = "19s", tolerance = "5s" }
//! observe = { event = "lease_acquired", lease = "kube-system/kube-controller-manager", within = "60s" }
//! ```

use std::fmt::Write as _;

use crate::action::Action;
use crate::event::{Event, EventKind, Field};
use crate::scenario::{
    Fields, Problem, Problems, Scenario, ScenarioRun, parse_file, read_action_fields,
};
use crate::sim::Sim;
use crate::time::{SimDuration, SimTime};
use crate::toml::{self, Pos, Spanned, Table, Value};

/// Where a lesson starts when it does not say: the cluster is up by then.
pub const DEFAULT_START: SimDuration = SimDuration::from_secs(20);

/// How long an observe condition is waited for when the lesson does not say.
pub const DEFAULT_WITHIN: SimDuration = SimDuration::from_secs(120);

/// A lesson, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// Kebab-case; equals the file name without `.toml`.
    pub id: String,
    pub title: String,
    /// One or two sentences for the lesson index.
    pub summary: String,
    /// The bundled scenario the lesson starts from.
    pub scenario: String,
    /// Where the lesson starts in the scenario's run: after the cluster has
    /// come up, unless the lesson is about the start.
    pub start: SimDuration,
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    /// Markdown: paragraphs, `**bold**`, `*emphasis*`, `` `code` ``, lists.
    pub text: String,
    /// Starts the step from a fresh run of this scenario (for lessons that
    /// compare clusters, such as quorum arithmetic).
    pub scenario: Option<String>,
    /// The one thing the learner is asked to do, as a button.
    pub act: Option<Do>,
    pub predict: Option<Predict>,
    pub observe: Option<Observe>,
}

/// A "do" action: a button on the live lab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Do {
    /// The button's text, such as "Kill master-1".
    pub label: String,
    pub action: Action,
}

/// A question answered before the lab reveals the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predict {
    /// Pick one; the right choice is the one whose `when` condition holds
    /// once the step's observe condition is met.
    Choice {
        question: String,
        choices: Vec<Choice>,
        /// The author's answer (0-based here; 1-based in the file), which
        /// the tests check against the simulation.
        answer: usize,
    },
    /// A number, right within `tolerance` of what the simulation measures.
    Number {
        question: String,
        measure: Measure,
        /// The author's expected value (milliseconds for `elapsed`).
        answer: i64,
        /// How far a guess may be from the measured value.
        tolerance: i64,
    },
}

/// One choice of a [`Predict::Choice`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub text: String,
    /// What is true of the simulation if this choice is right.
    pub when: Option<Condition>,
}

/// What a number question measures, once the observe condition is met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// The time from the step's start (just after its action) to the moment
    /// its observe condition was met, in milliseconds.
    Elapsed,
    /// A quantity of the simulation at that moment.
    Quantity(Quantity),
}

/// When the lesson moves on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observe {
    pub condition: Condition,
    /// How long the headless run waits for it (the lab waits for ever).
    pub within: SimDuration,
}

/// Something that becomes true of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// At least `count` events of `kind` since the step started whose
    /// fields equal `fields` (a `message` field matches when contained).
    Event {
        kind: String,
        fields: Vec<(String, String)>,
        count: u32,
    },
    /// A quantity compared with a value.
    State {
        quantity: Quantity,
        compare: Compare,
        value: i64,
    },
}

/// How a [`Condition::State`] compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Equals,
    AtLeast,
    AtMost,
}

/// A number the lab can read off the simulation at any moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// Workload pods running on live workers.
    PodsRunning,
    /// The Deployment's replica count as stored.
    PodsDesired,
    /// Pods the API stored since the step started.
    PodsCreated,
    /// etcd members running.
    EtcdMembersUp,
    /// 1 when etcd has a working majority, else 0.
    EtcdQuorum,
    /// API servers whose `/readyz` passes.
    ApiserversHealthy,
    /// Backends HAProxy has UP.
    LbBackendsUp,
    /// 1 when the learner's last `kubectl get pods` worked, else 0.
    KubectlWorks,
}

/// Every quantity, by its name in lesson files.
pub const QUANTITIES: &[(&str, Quantity)] = &[
    ("pods_running", Quantity::PodsRunning),
    ("pods_desired", Quantity::PodsDesired),
    ("pods_created", Quantity::PodsCreated),
    ("etcd_members_up", Quantity::EtcdMembersUp),
    ("etcd_quorum", Quantity::EtcdQuorum),
    ("apiservers_healthy", Quantity::ApiserversHealthy),
    ("lb_backends_up", Quantity::LbBackendsUp),
    ("kubectl_works", Quantity::KubectlWorks),
];

impl Quantity {
    pub fn name(self) -> &'static str {
        QUANTITIES
            .iter()
            .find(|(_, q)| *q == self)
            .map_or("", |(n, _)| n)
    }
}

// ---- watching a step ------------------------------------------------------

/// Follows one step of a run: counts the events its conditions wait for and
/// says when its observe condition is met. The lab feeds it the events as
/// they happen; [`LessonRun`] does the same headless.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepWatch {
    /// When the step started (after its action, if any).
    pub started: SimTime,
    pods_created_at_start: u64,
    observe_count: u32,
    choice_counts: Vec<u32>,
    /// When the observe condition was first met.
    pub met_at: Option<SimTime>,
    /// The measured outcome of the predict question, once met: the index of
    /// the right choice (`None` if no choice held), or the measured number.
    pub outcome: Option<Outcome>,
}

/// What the simulation did, for a predict question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Choice(Option<usize>),
    Number(i64),
}

impl StepWatch {
    /// Starts watching `step` at the simulation's present.
    pub fn new(step: &Step, sim: &Sim) -> StepWatch {
        let choices = match &step.predict {
            Some(Predict::Choice { choices, .. }) => choices.len(),
            _ => 0,
        };
        StepWatch {
            started: sim.now(),
            pods_created_at_start: sim.pods_created(),
            observe_count: 0,
            choice_counts: vec![0; choices],
            met_at: None,
            outcome: None,
        }
    }

    /// Takes in events that happened since the last call (in time order),
    /// then checks the step's conditions against `sim` as it is now. Returns
    /// true once the observe condition is met (a step without one is met at
    /// once).
    pub fn update(&mut self, step: &Step, sim: &Sim, events: &[Event]) -> bool {
        if self.met_at.is_some() {
            return true;
        }
        let choices: &[Choice] = match &step.predict {
            Some(Predict::Choice { choices, .. }) => choices,
            _ => &[],
        };
        let mut met_by_event = None;
        for event in events.iter().filter(|e| e.t >= self.started) {
            for (choice, count) in choices.iter().zip(self.choice_counts.iter_mut()) {
                if let Some(Condition::Event { .. }) = &choice.when
                    && choice.when.as_ref().is_some_and(|c| c.matches(event))
                {
                    *count += 1;
                }
            }
            if let Some(observe) = &step.observe
                && observe.condition.matches(event)
            {
                self.observe_count += 1;
                if met_by_event.is_none()
                    && let Condition::Event { count, .. } = observe.condition
                    && self.observe_count >= count
                {
                    met_by_event = Some(event.t);
                }
            }
        }
        let met = match &step.observe {
            None => Some(sim.now()),
            Some(observe) => match &observe.condition {
                Condition::Event { .. } => met_by_event,
                state => self.holds(state, sim, 0).then(|| sim.now()),
            },
        };
        let Some(at) = met else {
            return false;
        };
        self.met_at = Some(at);
        self.outcome = step.predict.as_ref().map(|predict| match predict {
            Predict::Choice { choices, .. } => {
                Outcome::Choice(choices.iter().enumerate().position(|(i, c)| {
                    c.when
                        .as_ref()
                        .is_some_and(|when| self.holds(when, sim, self.choice_counts[i]))
                }))
            }
            Predict::Number { measure, .. } => Outcome::Number(match measure {
                Measure::Elapsed => (at - self.started).as_millis() as i64,
                Measure::Quantity(q) => self.read(*q, sim),
            }),
        });
        true
    }

    /// Whether `condition` holds now; `seen` counts its matching events.
    fn holds(&self, condition: &Condition, sim: &Sim, seen: u32) -> bool {
        match condition {
            Condition::Event { count, .. } => seen >= *count,
            Condition::State {
                quantity,
                compare,
                value,
            } => {
                let now = self.read(*quantity, sim);
                match compare {
                    Compare::Equals => now == *value,
                    Compare::AtLeast => now >= *value,
                    Compare::AtMost => now <= *value,
                }
            }
        }
    }

    /// The quantity's value now.
    pub fn read(&self, quantity: Quantity, sim: &Sim) -> i64 {
        match quantity {
            Quantity::PodsRunning => i64::from(sim.pods_running()),
            Quantity::PodsDesired => i64::from(sim.pods_desired()),
            Quantity::PodsCreated => (sim.pods_created() - self.pods_created_at_start) as i64,
            Quantity::EtcdMembersUp => sim.etcd_members_up() as i64,
            Quantity::EtcdQuorum => i64::from(sim.etcd_has_quorum()),
            Quantity::ApiserversHealthy => (0..sim.processes().len())
                .filter(|&p| sim.apiserver(p).is_some_and(|a| a.is_ready()))
                .count() as i64,
            Quantity::LbBackendsUp => sim.haproxy().map_or(0, |h| h.up_backends().len()) as i64,
            Quantity::KubectlWorks => {
                i64::from(sim.kubectl().and_then(|k| k.probe_ok).unwrap_or(false))
            }
        }
    }
}

impl Condition {
    /// Whether `event` is one this condition counts.
    pub fn matches(&self, event: &Event) -> bool {
        let Condition::Event { kind, fields, .. } = self else {
            return false;
        };
        if event.kind.name() != kind {
            return false;
        }
        fields.iter().all(|(name, want)| {
            let mut found = false;
            event.for_each_field(|field, value| {
                if field == name {
                    found = match value {
                        Field::Text(text) if field == "message" => text.contains(want.as_str()),
                        value => value.is(want),
                    };
                }
            });
            found
        })
    }
}

// ---- playing a lesson headless --------------------------------------------

/// What went wrong following a lesson's scripted path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    /// 0-based step.
    pub step: usize,
    pub message: String,
}

/// A lesson played as a learner who follows it would: each step's action at
/// the step's start, then time until its observe condition is met.
pub struct LessonRun<'l> {
    lesson: &'l Lesson,
    scenario: &'l dyn Fn(&str) -> Option<Scenario>,
}

/// The record of a step played headless.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    pub started: SimTime,
    pub met_at: SimTime,
    pub outcome: Option<Outcome>,
}

impl<'l> LessonRun<'l> {
    /// `scenario` finds a bundled scenario by id.
    pub fn new(lesson: &'l Lesson, scenario: &'l dyn Fn(&str) -> Option<Scenario>) -> Self {
        LessonRun { lesson, scenario }
    }

    /// Plays every step; checks that each observe condition is met within
    /// its time and that each predict answer is what the simulation does.
    pub fn play(&self) -> Result<Vec<StepResult>, PathError> {
        let fail = |step: usize, message: String| PathError { step, message };
        let start = |id: &str, step: usize| -> Result<ScenarioRun, PathError> {
            let scenario = (self.scenario)(id)
                .ok_or_else(|| fail(step, format!("there is no scenario \"{id}\"")))?;
            let mut run =
                ScenarioRun::new(&scenario, None).map_err(|e| fail(step, e.to_string()))?;
            run.advance_to(SimTime::ZERO + self.lesson.start);
            run.sim.drain_events();
            Ok(run)
        };
        let mut run = start(&self.lesson.scenario, 0)?;
        let mut results = Vec::new();
        for (i, step) in self.lesson.steps.iter().enumerate() {
            if let Some(id) = &step.scenario {
                run = start(id, i)?;
            }
            if let Some(act) = &step.act {
                run.sim
                    .apply(&act.action)
                    .map_err(|e| fail(i, format!("its action cannot be done: {e}")))?;
            }
            let mut watch = StepWatch::new(step, &run.sim);
            let within = step
                .observe
                .as_ref()
                .map_or(SimDuration::ZERO, |o| o.within);
            let deadline = watch.started + within;
            loop {
                let events = run.sim.drain_events();
                if watch.update(step, &run.sim, &events) {
                    break;
                }
                if run.sim.now() >= deadline {
                    return Err(fail(
                        i,
                        format!(
                            "its observe condition is never met within {within} on the scripted path"
                        ),
                    ));
                }
                let next = (run.sim.now() + SimDuration::from_millis(100)).min(deadline);
                run.advance_to(next);
            }
            check_outcome(step, watch.outcome).map_err(|m| fail(i, m))?;
            results.push(StepResult {
                started: watch.started,
                met_at: watch.met_at.unwrap_or(watch.started),
                outcome: watch.outcome,
            });
        }
        Ok(results)
    }
}

/// Whether the author's answer agrees with what the simulation did.
fn check_outcome(step: &Step, outcome: Option<Outcome>) -> Result<(), String> {
    match (&step.predict, outcome) {
        (
            Some(Predict::Choice {
                answer, choices, ..
            }),
            Some(Outcome::Choice(right)),
        ) => {
            if right == Some(*answer) {
                Ok(())
            } else {
                Err(format!(
                    "its predict answer is choice {} (\"{}\"), but the simulation makes {}",
                    answer + 1,
                    choices[*answer].text,
                    match right {
                        Some(r) => format!("choice {} (\"{}\") true", r + 1, choices[r].text),
                        None => "no choice's `when` true".to_owned(),
                    }
                ))
            }
        }
        (
            Some(Predict::Number {
                measure,
                answer,
                tolerance,
                ..
            }),
            Some(Outcome::Number(measured)),
        ) => {
            if (measured - answer).abs() <= *tolerance {
                Ok(())
            } else {
                Err(format!(
                    "its predict answer is {} ± {}, but the simulation measures {}",
                    measure.show(*answer),
                    measure.show(*tolerance),
                    measure.show(measured)
                ))
            }
        }
        _ => Ok(()),
    }
}

impl Measure {
    /// A measured value as a learner reads it: `19.4s`, `6`.
    pub fn show(self, value: i64) -> String {
        match self {
            Measure::Elapsed => {
                let tenths = value / 100;
                format!("{}.{}s", tenths / 10, tenths % 10)
            }
            Measure::Quantity(_) => value.to_string(),
        }
    }
}

// ---- reading lesson files -------------------------------------------------

/// Parses and checks a lesson file. `scenario` finds a bundled scenario by
/// id (to check actions against its cluster). Whether the steps can be
/// followed is [`LessonRun::play`]'s job.
pub fn parse_lesson(
    file: &str,
    text: &str,
    scenario: &dyn Fn(&str) -> Option<Scenario>,
) -> Result<Lesson, Problems> {
    parse_file(file, text, "lesson", |root, problems| {
        read_lesson(file, root, scenario, problems)
    })
}

fn read_lesson(
    file: &str,
    root: &Table,
    find: &dyn Fn(&str) -> Option<Scenario>,
    problems: &mut Vec<Problem>,
) -> Option<Lesson> {
    let mut f = Fields::new(file, root, String::new(), None, problems);
    let id = f.required_string("id", "\"why-a-second-master\"");
    let title = f.required_string("title", "\"Why a second master\"");
    let summary = f.required_string("summary", "\"One master dies: …\"");
    let scenario_id = f.required_string("scenario", "\"default\"");
    let start = f.duration("start").unwrap_or(DEFAULT_START);
    let steps = f.tables("steps");
    if let Some((id, pos)) = &id {
        let stem = crate::scenario::file_stem(file);
        if id != stem {
            f.problem(
                "id",
                Some(*pos),
                format!("must equal the file name without .toml (\"{stem}\"), not \"{id}\""),
            );
        }
    }
    let scenario = scenario_id
        .as_ref()
        .and_then(|(sid, pos)| named_scenario(&mut f, sid, *pos, find));
    if steps.is_empty() && root.get("steps").is_none() {
        f.problem(
            "steps",
            None,
            "is required: at least one [[steps]] table".to_owned(),
        );
    }
    f.finish();
    let mut read_steps = Vec::new();
    for (i, table) in steps.into_iter().enumerate() {
        if let Some(step) = read_step(file, i, table, scenario.as_ref(), find, problems) {
            read_steps.push(step);
        }
    }
    Some(Lesson {
        id: id?.0,
        title: title?.0,
        summary: summary?.0,
        scenario: scenario_id?.0,
        start,
        steps: read_steps,
    })
}

/// The scenario a `scenario = "<id>"` key names, or a problem at `pos`.
fn named_scenario(
    f: &mut Fields,
    id: &str,
    pos: Pos,
    find: &dyn Fn(&str) -> Option<Scenario>,
) -> Option<Scenario> {
    let scenario = find(id);
    if scenario.is_none() {
        f.problem(
            "scenario",
            Some(pos),
            format!("there is no scenario \"{id}\" in scenarios/"),
        );
    }
    scenario
}

fn read_step(
    file: &str,
    index: usize,
    table: &Spanned<Table>,
    lesson_scenario: Option<&Scenario>,
    find: &dyn Fn(&str) -> Option<Scenario>,
    problems: &mut Vec<Problem>,
) -> Option<Step> {
    let path = format!("steps[{index}]");
    let mut f = Fields::new(file, &table.value, path.clone(), Some(table.pos), problems);
    let title = f.required_string("title", "\"Kill the leader\"");
    let text = f.required_string("text", "\"\"\"Markdown…\"\"\"");
    let scenario_key = f.string("scenario");
    let act = f.table("do");
    let predict = f.table("predict");
    let observe = f.table("observe");
    let scenario = match &scenario_key {
        Some((sid, pos)) => named_scenario(&mut f, sid, *pos, find),
        None => lesson_scenario.cloned(),
    };
    f.finish();
    let mut ok = true;
    let act = match (act, &scenario) {
        (Some((t, pos)), Some(s)) => {
            let mut f = Fields::new(file, t, format!("{path}.do"), Some(pos), problems);
            let label = f.required_string("label", "\"Kill master-1\"");
            let action = read_action_fields(&mut f, &s.config.cluster);
            f.finish();
            match (label, action) {
                (Some((label, _)), Some(action)) => Some(Do { label, action }),
                _ => {
                    ok = false;
                    None
                }
            }
        }
        _ => None,
    };
    let predict = match predict {
        Some((t, pos)) => {
            let p = read_predict(file, &format!("{path}.predict"), t, pos, problems);
            ok &= p.is_some();
            p
        }
        None => None,
    };
    let observe = match observe {
        Some((t, pos)) => {
            let mut f = Fields::new(file, t, format!("{path}.observe"), Some(pos), problems);
            let within = f.duration("within").unwrap_or(DEFAULT_WITHIN);
            let condition = read_condition(&mut f);
            f.finish();
            ok &= condition.is_some();
            condition.map(|condition| Observe { condition, within })
        }
        None => None,
    };
    if predict.is_some() && observe.is_none() {
        let mut f = Fields::new(file, &table.value, path, Some(table.pos), problems);
        f.problem(
            "predict",
            None,
            "needs an observe condition in the same step: the answer is revealed when it is met"
                .to_owned(),
        );
        ok = false;
    }
    Some(Step {
        title: title?.0,
        text: text?.0,
        scenario: scenario_key.map(|(s, _)| s),
        act,
        predict,
        observe,
    })
    .filter(|_| ok)
}

fn read_predict(
    file: &str,
    path: &str,
    table: &Table,
    pos: toml::Pos,
    problems: &mut Vec<Problem>,
) -> Option<Predict> {
    let mut f = Fields::new(file, table, path.to_owned(), Some(pos), problems);
    let question = f.required_string("question", "\"Which master leads next?\"");
    let choices = f.value("choices");
    let measure = f.string("measure");
    let answer = f.value("answer");
    let tolerance = f.value("tolerance");
    let result = match (choices, measure) {
        (Some(choices), None) => {
            let Value::Array(items) = &choices.value else {
                f.problem(
                    "choices",
                    Some(choices.pos),
                    "must be an array of { text = \"…\", when = { … } } tables".to_owned(),
                );
                return None;
            };
            let mut read = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Value::Table(t) = &item.value else {
                    f.problem(
                        "choices",
                        Some(item.pos),
                        "each choice must be a table such as { text = \"…\", when = { state = \"pods_running\", equals = 3 } }".to_owned(),
                    );
                    return None;
                };
                let mut c = Fields::new(
                    file,
                    t,
                    format!("{path}.choices[{i}]"),
                    Some(item.pos),
                    f_problems(&mut f),
                );
                let text = c.required_string("text", "\"They keep running\"");
                let when = match c.table("when") {
                    Some((w, wpos)) => {
                        let mut cw = Fields::new(
                            file,
                            w,
                            format!("{path}.choices[{i}].when"),
                            Some(wpos),
                            f_problems(&mut c),
                        );
                        let condition = read_condition(&mut cw);
                        cw.finish();
                        Some(condition?)
                    }
                    None => None,
                };
                c.finish();
                read.push(Choice {
                    text: text?.0,
                    when,
                });
            }
            if read.len() < 2 {
                f.problem(
                    "choices",
                    Some(choices.pos),
                    "needs at least two choices".to_owned(),
                );
                return None;
            }
            let answer = match answer.map(|a| &a.value) {
                Some(Value::Integer(n)) if (1..=read.len() as i64).contains(n) => *n as usize - 1,
                _ => {
                    f.problem(
                        "answer",
                        answer.map(|a| a.pos),
                        format!(
                            "must be the number of the right choice, 1 to {}",
                            read.len()
                        ),
                    );
                    return None;
                }
            };
            if read[answer].when.is_none() {
                f.problem(
                    "choices",
                    Some(choices.pos),
                    format!("choice {} is the answer, so it needs a `when` condition that the simulation can confirm", answer + 1),
                );
                return None;
            }
            if let Some(t) = tolerance {
                f.problem(
                    "tolerance",
                    Some(t.pos),
                    "is for number questions (with measure)".to_owned(),
                );
                return None;
            }
            Some(Predict::Choice {
                question: question?.0,
                choices: read,
                answer,
            })
        }
        (None, Some((measure, mpos))) => {
            let measure = if measure == "elapsed" {
                Measure::Elapsed
            } else if let Some((_, q)) = QUANTITIES.iter().find(|(n, _)| *n == measure) {
                Measure::Quantity(*q)
            } else {
                f.problem(
                    "measure",
                    Some(mpos),
                    format!(
                        "unknown measure \"{measure}\"; expected elapsed or one of: {}",
                        quantity_names()
                    ),
                );
                return None;
            };
            let number = |f: &mut Fields,
                          key: &'static str,
                          value: Option<&Spanned<Value>>|
             -> Option<i64> {
                match (measure, value.map(|v| &v.value)) {
                    (Measure::Elapsed, Some(Value::String(s))) => match SimDuration::parse(s) {
                        Ok(d) => Some(d.as_millis() as i64),
                        Err(e) => {
                            f.problem(key, value.map(|v| v.pos), e.to_string());
                            None
                        }
                    },
                    (Measure::Quantity(_), Some(Value::Integer(n))) => Some(*n),
                    _ => {
                        let example = if measure == Measure::Elapsed {
                            "a duration such as \"19s\""
                        } else {
                            "a whole number such as 6"
                        };
                        f.problem(key, value.map(|v| v.pos), format!("must be {example}"));
                        None
                    }
                }
            };
            let answer = number(&mut f, "answer", answer);
            let tolerance = number(&mut f, "tolerance", tolerance);
            Some(Predict::Number {
                question: question?.0,
                measure,
                answer: answer?,
                tolerance: tolerance?,
            })
        }
        _ => {
            f.problem(
                "",
                None,
                "needs either choices (a choice question) or measure (a number question)"
                    .to_owned(),
            );
            return None;
        }
    };
    f.finish();
    result
}

/// The problem list a [`Fields`] writes to, for a nested table's reader.
fn f_problems<'p>(f: &'p mut Fields<'_, '_>) -> &'p mut Vec<Problem> {
    f.problems()
}

fn quantity_names() -> String {
    QUANTITIES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a condition from `f`'s table: `event = "kind"` with fields to
/// match and `count`, or `state = "quantity"` with `equals`, `at_least` or
/// `at_most`. Keys read before it (such as `within`) are not event fields.
fn read_condition(f: &mut Fields) -> Option<Condition> {
    let event = f.string("event");
    let state = f.string("state");
    match (event, state) {
        (Some((kind, pos)), None) => {
            let Some(example) = EventKind::example(&kind) else {
                let names: Vec<&str> = EventKind::examples().iter().map(EventKind::name).collect();
                f.problem(
                    "event",
                    Some(pos),
                    format!(
                        "unknown event kind \"{kind}\"; expected one of: {}",
                        names.join(", ")
                    ),
                );
                return None;
            };
            let field_names = example.field_names();
            let count = f.integer("count", 1, 1000).unwrap_or(1) as u32;
            let mut fields = Vec::new();
            for (key, value) in f.unread() {
                let text = match &value.value {
                    Value::String(s) => s.clone(),
                    Value::Integer(n) => n.to_string(),
                    Value::Boolean(b) => b.to_string(),
                    _ => {
                        f.problem(&key.value, Some(value.pos), "must be a string, a whole number or true/false to match the event's field".to_owned());
                        return None;
                    }
                };
                if !field_names.contains(&key.value.as_str()) {
                    f.problem(
                        &key.value,
                        Some(key.pos),
                        format!(
                            "{kind} events have no field \"{}\"; they have: {}",
                            key.value,
                            field_names.join(", ")
                        ),
                    );
                    return None;
                }
                fields.push((key.value.clone(), text));
            }
            Some(Condition::Event {
                kind,
                fields,
                count,
            })
        }
        (None, Some((name, pos))) => {
            let Some((_, quantity)) = QUANTITIES.iter().find(|(n, _)| *n == name) else {
                f.problem(
                    "state",
                    Some(pos),
                    format!(
                        "unknown quantity \"{name}\"; expected one of: {}",
                        quantity_names()
                    ),
                );
                return None;
            };
            let compares = [
                ("equals", Compare::Equals),
                ("at_least", Compare::AtLeast),
                ("at_most", Compare::AtMost),
            ];
            let mut found = Vec::new();
            for (key, compare) in compares {
                if let Some(v) = f.integer(key, -1_000_000, 1_000_000) {
                    found.push((compare, v));
                }
            }
            match found.as_slice() {
                [(compare, value)] => Some(Condition::State {
                    quantity: *quantity,
                    compare: *compare,
                    value: *value,
                }),
                _ => {
                    f.problem(
                        "state",
                        Some(pos),
                        "needs exactly one of equals, at_least or at_most, such as equals = 3"
                            .to_owned(),
                    );
                    None
                }
            }
        }
        _ => {
            f.problem(
                "",
                None,
                "needs either event = \"<kind>\" (with fields to match) or state = \"<quantity>\" (with equals, at_least or at_most)".to_owned(),
            );
            None
        }
    }
}

impl Lesson {
    /// A one-line description of every step, for `ha-sim check`'s report.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            let _ = write!(out, "{}. {}", i + 1, step.title);
            if step.act.is_some() {
                out.push_str(" [do]");
            }
            if step.predict.is_some() {
                out.push_str(" [predict]");
            }
            if step.observe.is_some() {
                out.push_str(" [observe]");
            }
            out.push('\n');
        }
        out
    }
}
