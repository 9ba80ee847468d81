//! Settings: the scenario, the topology (masters, stacked or external etcd,
//! etcd members, workers, load balancer), each component's flags (leader
//! election for kube-controller-manager and kube-scheduler, etcd's heartbeat
//! and election timeouts) and the seed. An invalid value or combination shows
//! the real component's own message beside the field and is not applied.

use ha_sim::kube::leaderelection::LeaderElectionFlags;
use ha_sim::time::{DurationError, DurationReason};
use ha_sim::{EtcdTopology, SimConfig, SimDuration};
use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::lazy::Lazy;
use crate::lab::Setup;
use crate::scenarios;
use crate::state::{LabAction, use_lab};
use crate::url::{DEFAULT_START, LabRequest};

/// A field of the form, for placing its error beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Seed,
    Masters,
    EtcdMembers,
    Workers,
    Replicas,
    LeaseDuration(Component),
    RenewDeadline(Component),
    RetryPeriod(Component),
    HeartbeatInterval,
    ElectionTimeout,
}

/// Whose leader-election flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    ControllerManager,
    Scheduler,
}

impl Component {
    pub fn name(self) -> &'static str {
        match self {
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Component::ControllerManager => "kcm",
            Component::Scheduler => "scheduler",
        }
    }
}

/// One component's leader-election flags as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagsForm {
    pub leader_elect: bool,
    pub lease_duration: String,
    pub renew_deadline: String,
    pub retry_period: String,
}

impl FlagsForm {
    fn of(flags: &LeaderElectionFlags) -> FlagsForm {
        FlagsForm {
            leader_elect: flags.leader_elect,
            lease_duration: flags.lease_duration.to_string(),
            renew_deadline: flags.renew_deadline.to_string(),
            retry_period: flags.retry_period.to_string(),
        }
    }
}

/// The form as typed: text where the learner types, so that a bad value
/// can be shown back with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsForm {
    /// A bundled scenario's id, or empty for the default cluster.
    pub scenario: String,
    pub seed: String,
    pub masters: String,
    pub external_etcd: bool,
    pub etcd_members: String,
    pub workers: String,
    pub load_balancer: bool,
    pub replicas: String,
    pub controller_manager: FlagsForm,
    pub scheduler: FlagsForm,
    /// etcd's flags are whole milliseconds.
    pub heartbeat_interval: String,
    pub election_timeout: String,
}

impl SettingsForm {
    /// The form showing a lab's setup.
    pub fn of(setup: &Setup) -> SettingsForm {
        let c = &setup.config;
        SettingsForm {
            scenario: setup.scenario.clone().unwrap_or_default(),
            seed: c.seed.to_string(),
            masters: c.cluster.masters.to_string(),
            external_etcd: matches!(c.cluster.etcd, EtcdTopology::External { .. }),
            etcd_members: match c.cluster.etcd {
                EtcdTopology::External { members } => members.to_string(),
                EtcdTopology::Stacked => "3".to_owned(),
            },
            workers: c.cluster.workers.to_string(),
            load_balancer: c.cluster.load_balancer,
            replicas: c.replicas.to_string(),
            controller_manager: FlagsForm::of(&c.controller_manager),
            scheduler: FlagsForm::of(&c.scheduler),
            heartbeat_interval: c.etcd.heartbeat_interval.as_millis().to_string(),
            election_timeout: c.etcd.election_timeout.as_millis().to_string(),
        }
    }

    /// The form for a scenario (or the default cluster), as it starts.
    pub fn for_scenario(id: &str) -> SettingsForm {
        SettingsForm::of(&setup_of_scenario(id))
    }

    /// The setup this form describes, or every problem, each beside its
    /// field, in the real components' words.
    pub fn to_setup(&self) -> Result<Setup, Vec<(Field, String)>> {
        let base = setup_of_scenario(&self.scenario);
        let mut config = base.config.clone();
        let mut problems: Vec<(Field, String)> = Vec::new();
        let mut number = |field: Field, text: &str, range: (u64, u64), what: &str| -> Option<u64> {
            match text.trim().parse::<u64>() {
                Ok(n) if (range.0..=range.1).contains(&n) => Some(n),
                Ok(n) => {
                    problems.push((
                        field,
                        format!("{what} must be {} to {} (got {n})", range.0, range.1),
                    ));
                    None
                }
                Err(_) => {
                    problems.push((
                        field,
                        format!(
                            "{what} must be a whole number from {} to {}",
                            range.0, range.1
                        ),
                    ));
                    None
                }
            }
        };
        if let Some(seed) = number(Field::Seed, &self.seed, (0, u64::MAX), "the seed") {
            config.seed = seed;
        }
        if let Some(m) = number(Field::Masters, &self.masters, (1, 7), "masters") {
            config.cluster.masters = m as u8;
        }
        if let Some(w) = number(Field::Workers, &self.workers, (0, 5), "workers") {
            config.cluster.workers = w as u8;
        }
        if self.external_etcd {
            if let Some(m) = number(
                Field::EtcdMembers,
                &self.etcd_members,
                (1, 7),
                "etcd members",
            ) {
                config.cluster.etcd = EtcdTopology::External { members: m as u8 };
            }
        } else {
            config.cluster.etcd = EtcdTopology::Stacked;
        }
        config.cluster.load_balancer = self.load_balancer;
        let max = u64::from(ha_sim::sim::MAX_REPLICAS);
        if let Some(r) = number(Field::Replicas, &self.replicas, (0, max), "replicas") {
            config.replicas = r as u32;
        }
        // kubectl keeps pointing where it did, if that still exists.
        config.kubectl_server = kubectl_server_for(&config, &base.config.kubectl_server);

        for (component, form) in [
            (Component::ControllerManager, &self.controller_manager),
            (Component::Scheduler, &self.scheduler),
        ] {
            let mut flags = LeaderElectionFlags {
                leader_elect: form.leader_elect,
                ..LeaderElectionFlags::default()
            };
            let mut parsed = true;
            for (field, flag, text, slot) in [
                (
                    Field::LeaseDuration(component),
                    "--leader-elect-lease-duration",
                    &form.lease_duration,
                    &mut flags.lease_duration,
                ),
                (
                    Field::RenewDeadline(component),
                    "--leader-elect-renew-deadline",
                    &form.renew_deadline,
                    &mut flags.renew_deadline,
                ),
                (
                    Field::RetryPeriod(component),
                    "--leader-elect-retry-period",
                    &form.retry_period,
                    &mut flags.retry_period,
                ),
            ] {
                match SimDuration::parse(text) {
                    Ok(d) => *slot = d,
                    Err(e) => {
                        parsed = false;
                        problems.push((field, pflag_duration_error(flag, text, &e)));
                    }
                }
            }
            if parsed && let Err(e) = flags.validate() {
                let message = e.0.to_owned();
                let field = if message.starts_with("leaseDuration must be greater than zero") {
                    Field::LeaseDuration(component)
                } else if message.starts_with("retryPeriod") {
                    Field::RetryPeriod(component)
                } else {
                    // "leaseDuration must be greater than renewDeadline" and
                    // "renewDeadline must be greater than retryPeriod*JitterFactor"
                    // are both about the renew deadline's place between the two.
                    Field::RenewDeadline(component)
                };
                problems.push((field, message));
            }
            match component {
                Component::ControllerManager => config.controller_manager = flags,
                Component::Scheduler => config.scheduler = flags,
            }
        }

        let mut etcd_ok = true;
        for (field, flag, text, slot) in [
            (
                Field::HeartbeatInterval,
                "--heartbeat-interval",
                &self.heartbeat_interval,
                &mut config.etcd.heartbeat_interval,
            ),
            (
                Field::ElectionTimeout,
                "--election-timeout",
                &self.election_timeout,
                &mut config.etcd.election_timeout,
            ),
        ] {
            match text.trim().parse::<u64>() {
                Ok(ms) => *slot = SimDuration::from_millis(ms),
                Err(e) => {
                    etcd_ok = false;
                    problems.push((
                        field,
                        format!(
                            "invalid argument \"{text}\" for \"{flag}\" flag: strconv.ParseUint: parsing \"{text}\": {}",
                            if text.trim().is_empty() || e.to_string().contains("invalid digit") {
                                "invalid syntax"
                            } else {
                                "value out of range"
                            }
                        ),
                    ));
                }
            }
        }
        if etcd_ok && let Err(e) = config.etcd.validate() {
            let field = if e.0.starts_with("--heartbeat-interval") {
                Field::HeartbeatInterval
            } else {
                Field::ElectionTimeout
            };
            problems.push((field, e.0));
        }

        if problems.is_empty()
            && let Err(e) = config.validate()
        {
            problems.push((Field::Masters, e.to_string()));
        }
        if !problems.is_empty() {
            problems.sort_by_key(|(f, _)| *f);
            return Err(problems);
        }
        let changed = config != base.config;
        Ok(Setup {
            scenario: base.scenario.clone(),
            title: if changed {
                format!("{} (changed)", base.title)
            } else {
                base.title.clone()
            },
            config,
            script: base.script,
        })
    }
}

/// A bundled scenario's setup, or the default lab's for an empty or unknown id.
fn setup_of_scenario(id: &str) -> Setup {
    scenarios::scenario(id).map_or_else(|| LabRequest::default_lab().setup, Setup::of_scenario)
}

/// Where kubectl points in `config`: `wanted` if it exists there, else the
/// load balancer, else the first master.
fn kubectl_server_for(config: &SimConfig, wanted: &str) -> String {
    let master_exists = wanted
        .strip_prefix("master-")
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| n >= 1 && n <= config.cluster.masters);
    if master_exists || (wanted == "loadbalancer" && config.cluster.load_balancer) {
        wanted.to_owned()
    } else if config.cluster.load_balancer {
        "loadbalancer".to_owned()
    } else {
        "master-1".to_owned()
    }
}

/// The message a Kubernetes component prints for a bad duration flag
/// (pflag wrapping Go's `time.ParseDuration`).
pub fn pflag_duration_error(flag: &str, text: &str, e: &DurationError) -> String {
    let go = match &e.reason {
        DurationReason::MissingUnit => format!("time: missing unit in duration \"{text}\""),
        DurationReason::UnknownUnit(unit) => {
            format!("time: unknown unit \"{unit}\" in duration \"{text}\"")
        }
        DurationReason::TooPrecise => {
            return format!(
                "{flag}: \"{text}\" is finer than the lab's one-microsecond resolution"
            );
        }
        _ => format!("time: invalid duration \"{text}\""),
    };
    format!("invalid argument \"{text}\" for \"{flag}\" flag: {go}")
}

/// The Settings button. Its dialog is a part of its own (see
/// [`crate::components::lazy`]): the first press loads it.
#[function_component(Settings)]
pub fn settings() -> Html {
    // How many times the button was pressed: each press opens a new dialog,
    // showing the lab's setup as it is then.
    let opened = use_state(|| 0u32);
    let open = {
        let opened = opened.clone();
        Callback::from(move |_: MouseEvent| opened.set(*opened + 1))
    };
    // Pointing at the button, or reaching it with the keyboard, starts
    // loading the dialog.
    html! {
        <>
            <button class="settings-button" onclick={open}
                onpointerenter={SETTINGS.preload_on_pointer()} onfocus={SETTINGS.preload_on_focus()}>
                { "Settings" }
            </button>
            if *opened > 0 {
                <Lazy key={*opened} part={&SETTINGS} />
            }
        </>
    }
}

crate::part!(
    SETTINGS = settings,
    "the settings",
    |_| html! { <SettingsDialog /> }
);

/// The settings dialog: opens when drawn, showing the lab's setup.
#[function_component(SettingsDialog)]
pub fn settings_dialog() -> Html {
    // It lists the scenarios and reads the one chosen: the reader is in this part too.
    scenarios::read();
    let lab = use_lab();
    let dialog = use_node_ref();
    let form = use_state(|| SettingsForm::of(&lab.lab.borrow().setup));
    let problems = use_state(Vec::<(Field, String)>::new);

    {
        let dialog = dialog.clone();
        use_effect_with((), move |()| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                let _ = d.show_modal();
            }
        });
    }
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };
    // Every change re-checks the form, so messages appear as the learner types.
    let update = {
        let form = form.clone();
        let problems = problems.clone();
        Callback::from(move |change: Change| {
            let mut next = (*form).clone();
            change(&mut next);
            problems.set(next.to_setup().err().unwrap_or_default());
            form.set(next);
        })
    };
    let on_submit = {
        let form = form.clone();
        let problems = problems.clone();
        let dialog = dialog.clone();
        let lab = lab.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match form.to_setup() {
                Ok(setup) => {
                    problems.set(Vec::new());
                    lab.dispatch(LabAction::Load(Box::new(LabRequest {
                        setup,
                        actions: Vec::new(),
                        t: DEFAULT_START,
                        speed: lab.speed,
                        paused: !lab.playing,
                        view: lab.view.clone(),
                    })));
                    if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                        d.close();
                    }
                }
                Err(found) => problems.set(found),
            }
        })
    };

    let f = &*form;
    let error_of = |field: Field| {
        problems
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
    };
    let text_field =
        |id: &str, label: &str, value: &str, field: Field, set: fn(&mut SettingsForm, String)| {
            let oninput = on_text(&update, set);
            text_input(id, label, value, error_of(field), true, false, oninput)
        };
    let checkbox = |id: &str, label: &str, checked: bool, set: fn(&mut SettingsForm, bool)| {
        check_input(id, label, checked, on_check(&update, set))
    };
    let flags_fields = |component: Component| {
        let flags = match component {
            Component::ControllerManager => &f.controller_manager,
            Component::Scheduler => &f.scheduler,
        };
        let pick: fn(Component, &mut SettingsForm) -> &mut FlagsForm = |c, form| match c {
            Component::ControllerManager => &mut form.controller_manager,
            Component::Scheduler => &mut form.scheduler,
        };
        let id = component.id();
        let elect = check_input(
            &format!("{id}-leader-elect"),
            "--leader-elect",
            flags.leader_elect,
            on_check(&update, move |form, on| {
                pick(component, form).leader_elect = on
            }),
        );
        let duration = |flag: &'static str,
                        value: &str,
                        field: Field,
                        which: fn(&mut FlagsForm) -> &mut String| {
            let oninput = on_text(&update, move |form, value| {
                *which(pick(component, form)) = value
            });
            let label = format!("--leader-elect-{flag}");
            let id = format!("{id}-{flag}");
            let disabled = !flags.leader_elect;
            text_input(
                &id,
                &label,
                value,
                error_of(field),
                false,
                disabled,
                oninput,
            )
        };
        html! {
            <fieldset>
                <legend>{ component.name() }</legend>
                { elect }
                { duration("lease-duration", &flags.lease_duration, Field::LeaseDuration(component), |f| &mut f.lease_duration) }
                { duration("renew-deadline", &flags.renew_deadline, Field::RenewDeadline(component), |f| &mut f.renew_deadline) }
                { duration("retry-period", &flags.retry_period, Field::RetryPeriod(component), |f| &mut f.retry_period) }
            </fieldset>
        }
    };

    let scenario_options = std::iter::once(("".to_owned(), "The default HA cluster".to_owned()))
        .chain(
            scenarios::titles()
                .iter()
                .filter(|(id, _)| id != "default")
                .cloned(),
        )
        .map(|(id, title)| {
            let selected = f.scenario == id;
            html! { <option value={id}{selected}>{ title }</option> }
        });
    let on_scenario = {
        let form = form.clone();
        let problems = problems.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                form.set(SettingsForm::for_scenario(&select.value()));
                problems.set(Vec::new());
            }
        })
    };
    let topology = html! {
        <fieldset>
            <legend>{ "Topology" }</legend>
            { text_field("masters", "Masters", &f.masters, Field::Masters, |f, v| f.masters = v) }
            <div class="field radios" role="radiogroup" aria-label="etcd">
                <span class="label">{ "etcd" }</span>
                { radio("etcd-stacked", "stacked on the masters", !f.external_etcd, { let u = update.clone(); move || u.emit(Box::new(|f: &mut SettingsForm| f.external_etcd = false)) }) }
                { radio("etcd-external", "on its own nodes", f.external_etcd, { let u = update.clone(); move || u.emit(Box::new(|f: &mut SettingsForm| f.external_etcd = true)) }) }
            </div>
            if f.external_etcd {
                { text_field("etcd-members", "etcd members", &f.etcd_members, Field::EtcdMembers, |f, v| f.etcd_members = v) }
            }
            { text_field("workers", "Workers", &f.workers, Field::Workers, |f, v| f.workers = v) }
            { checkbox("load-balancer", "A load balancer in front of the API servers", f.load_balancer, |f, on| f.load_balancer = on) }
            { text_field("replicas", "Replicas of the workload", &f.replicas, Field::Replicas, |f, v| f.replicas = v) }
        </fieldset>
    };
    let etcd = html! {
        <fieldset>
            <legend>{ "etcd" }</legend>
            { text_field("heartbeat-interval", "--heartbeat-interval (ms)", &f.heartbeat_interval, Field::HeartbeatInterval, |f, v| f.heartbeat_interval = v) }
            { text_field("election-timeout", "--election-timeout (ms)", &f.election_timeout, Field::ElectionTimeout, |f, v| f.election_timeout = v) }
        </fieldset>
    };
    let has_problems = !problems.is_empty();
    html! {
        <>
            <dialog ref={dialog} class="settings" aria-labelledby="settings-heading">
                <form onsubmit={on_submit} novalidate=true>
                    <h2 id="settings-heading">{ "Settings" }</h2>
                    <div class="field">
                        <label for="scenario">{ "Scenario" }</label>
                        <select id="scenario" onchange={on_scenario}>{ for scenario_options }</select>
                    </div>
                    <div class="settings-grid">
                        { topology }
                        { flags_fields(Component::ControllerManager) }
                        { flags_fields(Component::Scheduler) }
                        { etcd }
                        <fieldset>
                            <legend>{ "Randomness" }</legend>
                            { text_field("seed", "Seed", &f.seed, Field::Seed, |f, v| f.seed = v) }
                        </fieldset>
                    </div>
                    if has_problems {
                        <p class="form-problems" role="status">
                            { "Fix the fields marked above; nothing changes until then." }
                        </p>
                    }
                    <div class="row dialog-buttons">
                        <button type="submit" class="primary">{ "Apply" }</button>
                        <button type="button" onclick={close}>{ "Cancel" }</button>
                    </div>
                </form>
            </dialog>
        </>
    }
}

/// A change to the settings form, as `update` applies it.
type Change = Box<dyn Fn(&mut SettingsForm)>;

/// A text input's `oninput`: `set` the form from the input's value.
fn on_text(
    update: &Callback<Change>,
    set: impl Fn(&mut SettingsForm, String) + Copy + 'static,
) -> Callback<InputEvent> {
    let update = update.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            let value = input.value();
            update.emit(Box::new(move |form: &mut SettingsForm| {
                set(form, value.clone())
            }));
        }
    })
}

/// A checkbox's `onchange`: `set` the form from whether it is checked.
fn on_check(
    update: &Callback<Change>,
    set: impl Fn(&mut SettingsForm, bool) + Copy + 'static,
) -> Callback<Event> {
    let update = update.clone();
    Callback::from(move |e: Event| {
        if let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            let on = input.checked();
            update.emit(Box::new(move |form: &mut SettingsForm| set(form, on)));
        }
    })
}

/// A labelled text field, with its error (if any) shown under it, announced,
/// and tied to the input. `numeric` asks phones for the number keypad.
fn text_input(
    id: &str,
    label: &str,
    value: &str,
    error: Option<String>,
    numeric: bool,
    disabled: bool,
    oninput: Callback<InputEvent>,
) -> Html {
    let error_id = format!("{id}-error");
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.to_owned()}>{ label }</label>
            <input id={id.to_owned()} type="text" value={value.to_owned()} {oninput} {disabled}
                inputmode={numeric.then_some("numeric")}
                aria-invalid={if error.is_some() { "true" } else { "false" }}
                aria-describedby={error.as_ref().map(|_| error_id.clone())} />
            if let Some(message) = error {
                <p class="field-error" id={error_id} role="alert">{ message }</p>
            }
        </div>
    }
}

/// A labelled checkbox.
fn check_input(id: &str, label: &str, checked: bool, onchange: Callback<Event>) -> Html {
    html! {
        <div class="field check">
            <input id={id.to_owned()} type="checkbox" {checked} {onchange} />
            <label for={id.to_owned()}>{ label }</label>
        </div>
    }
}

fn radio(id: &str, label: &str, checked: bool, choose: impl Fn() + 'static) -> Html {
    let onchange = Callback::from(move |_: Event| choose());
    html! {
        <span class="choice">
            <input id={id.to_owned()} type="radio" name="etcd-topology" {checked} {onchange} />
            <label for={id.to_owned()}>{ label }</label>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm::for_scenario("")
    }

    #[test]
    fn the_default_form_gives_back_the_default_lab() {
        let setup = form().to_setup().unwrap();
        assert_eq!(setup, LabRequest::default_lab().setup);
    }

    #[test]
    fn a_renew_deadline_longer_than_the_lease_shows_client_gos_message_beside_it() {
        let mut f = form();
        f.controller_manager.renew_deadline = "20s".into();
        let problems = f.to_setup().unwrap_err();
        assert_eq!(
            problems,
            [(
                Field::RenewDeadline(Component::ControllerManager),
                "leaseDuration must be greater than renewDeadline".to_owned()
            )]
        );
        let mut f = form();
        f.scheduler.retry_period = "9s".into();
        assert_eq!(
            f.to_setup().unwrap_err(),
            [(
                Field::RenewDeadline(Component::Scheduler),
                "renewDeadline must be greater than retryPeriod*JitterFactor".to_owned()
            )]
        );
        // With leader election off, the timings are not checked (client-go is not used).
        let mut f = form();
        f.controller_manager.leader_elect = false;
        f.controller_manager.renew_deadline = "20s".into();
        assert!(f.to_setup().is_ok());
    }

    #[test]
    fn bad_values_get_the_components_own_parse_errors() {
        let mut f = form();
        f.controller_manager.lease_duration = "15".into();
        f.scheduler.retry_period = "2x".into();
        f.heartbeat_interval = "fast".into();
        f.masters = "9".into();
        let problems = f.to_setup().unwrap_err();
        assert_eq!(
            problems,
            [
                (Field::Masters, "masters must be 1 to 7 (got 9)".to_owned()),
                (
                    Field::LeaseDuration(Component::ControllerManager),
                    "invalid argument \"15\" for \"--leader-elect-lease-duration\" flag: time: missing unit in duration \"15\"".to_owned()
                ),
                (
                    Field::RetryPeriod(Component::Scheduler),
                    "invalid argument \"2x\" for \"--leader-elect-retry-period\" flag: time: unknown unit \"x\" in duration \"2x\"".to_owned()
                ),
                (
                    Field::HeartbeatInterval,
                    "invalid argument \"fast\" for \"--heartbeat-interval\" flag: strconv.ParseUint: parsing \"fast\": invalid syntax".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn etcds_own_check_of_the_timeouts_is_beside_the_election_timeout() {
        let mut f = form();
        f.election_timeout = "400".into();
        assert_eq!(
            f.to_setup().unwrap_err(),
            [(
                Field::ElectionTimeout,
                "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]".to_owned()
            )]
        );
    }

    #[test]
    fn a_scenario_with_changes_keeps_its_script_and_says_it_changed() {
        let mut f = SettingsForm::for_scenario("kill-controller-manager-leader");
        let unchanged = f.to_setup().unwrap();
        assert!(!unchanged.title.ends_with("(changed)"));
        assert!(!unchanged.script.is_empty());
        f.masters = "5".into();
        f.load_balancer = false;
        let setup = f.to_setup().unwrap();
        assert_eq!(setup.config.cluster.masters, 5);
        assert_eq!(setup.script, unchanged.script);
        assert!(setup.title.ends_with("(changed)"));
        // Without a load balancer, kubectl goes straight to a master.
        assert_eq!(setup.config.kubectl_server, "master-1");
    }
}
