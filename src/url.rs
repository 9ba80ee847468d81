//! The lab in its URL: everything needed to reproduce it exactly, so that
//! "Copy link" gives a link that opens the same lab at the same moment.
//!
//! `?scenario=<id>&seed=N&t=37s&speed=2&paused=1`, settings by their scenario
//! key (`masters=5`, `etcd=external`, `etcd_members=5`, `workers=1`, `lb=0`,
//! `replicas=6`, `kubectl=master-1`, `kcm.lease-duration=30s`,
//! `scheduler.leader-elect=0`, `etcd.election-timeout=2000ms`, …), and the
//! learner's actions as repeated `a=<time>,<action>[,<target>]`.
//! A bad parameter never leaves a blank page: it is reported, and the default
//! lab opens instead.

use ha_sim::cluster::EtcdTopology;
use ha_sim::{Action, SimConfig, SimDuration, SimTime, Target};

use crate::lab::{Setup, TimedAction};
use crate::view::decimal_text;
use crate::{lessons, scenarios};

/// Where a new lab starts when the link does not say.
pub const DEFAULT_START: SimTime = SimTime::from_secs(20);
/// The speeds the lab offers, × real time.
pub const MIN_SPEED: f64 = 0.1;
pub const MAX_SPEED: f64 = 50.0;
/// The heights an embedded lab can be given (`height=`), in CSS pixels.
pub const MIN_EMBED_HEIGHT: u32 = 200;
pub const MAX_EMBED_HEIGHT: u32 = 4000;

/// What a link asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct LabRequest {
    pub setup: Setup,
    /// The learner's actions to replay.
    pub actions: Vec<TimedAction>,
    pub t: SimTime,
    pub speed: f64,
    pub paused: bool,
    /// What the page around the lab shows.
    pub view: View,
}

/// What the page around the lab shows: set by the link, kept while the lab
/// is replaced (a lesson step may load another scenario).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// Embedded in another page: minimal chrome (`embed=1`).
    pub embed: bool,
    /// The lesson being followed (`lesson=<id>`).
    pub lesson: Option<String>,
    /// The lesson index instead of the lab (`page=lessons`).
    pub index: bool,
    /// The panels shown (`panels=cluster,leases`); `None` shows them all.
    pub panels: Option<Vec<Panel>>,
    /// A theme forced by the link (`theme=light` or `dark`); otherwise the system's.
    pub theme: Option<&'static str>,
    /// The embedded page's height in CSS pixels (`height=640`): the page
    /// takes exactly that height and its content scrolls inside. Otherwise
    /// (and when not embedded) the page has its natural height.
    pub height: Option<u32>,
}

/// A panel of the lab page that a link can show or hide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Time,
    Cluster,
    Faults,
    Kubectl,
    Inspector,
    Leases,
    Timeline,
    Log,
    Lesson,
}

/// Every panel, by its name in links.
pub const PANELS: &[(&str, Panel)] = &[
    ("time", Panel::Time),
    ("cluster", Panel::Cluster),
    ("faults", Panel::Faults),
    ("kubectl", Panel::Kubectl),
    ("inspector", Panel::Inspector),
    ("leases", Panel::Leases),
    ("timeline", Panel::Timeline),
    ("log", Panel::Log),
    ("lesson", Panel::Lesson),
];

impl View {
    /// Whether the page shows `panel`.
    pub fn shows(&self, panel: Panel) -> bool {
        self.panels.as_ref().is_none_or(|p| p.contains(&panel))
    }

    /// The link parameters that reproduce this view.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some(id) = &self.lesson {
            pairs.push(("lesson".to_owned(), id.clone()));
        }
        if self.embed {
            pairs.push(("embed".to_owned(), "1".to_owned()));
        }
        if let Some(panels) = &self.panels {
            let names: Vec<&str> = panels
                .iter()
                .filter_map(|p| PANELS.iter().find(|(_, q)| q == p).map(|(n, _)| *n))
                .collect();
            pairs.push(("panels".to_owned(), names.join(",")));
        }
        if let Some(theme) = self.theme {
            pairs.push(("theme".to_owned(), theme.to_owned()));
        }
        if let Some(height) = self.height {
            pairs.push(("height".to_owned(), height.to_string()));
        }
        pairs
    }
}

impl LabRequest {
    /// The default lab: the default cluster, seed 1, at 20 s, playing at 1×.
    pub fn default_lab() -> LabRequest {
        LabRequest {
            setup: default_setup(),
            actions: Vec::new(),
            t: DEFAULT_START,
            speed: 1.0,
            paused: false,
            view: View::default(),
        }
    }
}

fn default_setup() -> Setup {
    Setup::of_config(
        "The default HA cluster",
        SimConfig::new(1, ha_sim::Cluster::default()),
    )
}

/// Decodes `%XX` and `+` in a query component.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query component, leaving unreserved characters and a few
/// readable ones (`,:/|`) as they are.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b','
            | b':'
            | b'/'
            | b'|' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Splits a query string (with or without `?`) into decoded pairs.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn boolean(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(format!("{key}={value}: write 1 or 0")),
    }
}

fn number<T: std::str::FromStr>(key: &str, value: &str, what: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{key}={value}: must be {what}"))
}

/// A plain decimal number such as `2`, `0.5` or `-1.25`. Written out
/// rather than `str::parse::<f64>`, whose exact-rounding tables add about
/// 14 KB to the page for numbers that never need them.
pub fn decimal(text: &str) -> Option<f64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    let mut scale: u64 = 1;
    for (i, c) in whole.chars().chain(fraction.chars()).enumerate() {
        let digit = c.to_digit(10)?;
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
        if i >= whole.len() {
            scale = scale.checked_mul(10)?;
        }
    }
    let magnitude = value as f64 / scale as f64;
    Some(if negative { -magnitude } else { magnitude })
}

fn duration(key: &str, value: &str) -> Result<SimDuration, String> {
    SimDuration::parse(value).map_err(|e| format!("{key}={value}: {e}"))
}

/// Reads a link's query string. Returns the request, or every problem found
/// (the caller then opens the default lab and shows them).
pub fn parse_query(query: &str) -> Result<LabRequest, Vec<String>> {
    let pairs = query_pairs(query);
    let mut problems = Vec::new();
    let mut request = LabRequest::default_lab();
    // The scenario first: the settings change it.
    if let Some((_, id)) = pairs.iter().find(|(k, _)| k == "scenario") {
        match scenarios::find(id) {
            Ok(Some(s)) => request.setup = Setup::of_scenario(s),
            Ok(None) => problems.push(format!(
                "scenario={id}: there is no such scenario; try one of: {}",
                scenarios::ids().collect::<Vec<_>>().join(", ")
            )),
            Err(why) => problems.push(format!("scenario={id}: {why}")),
        }
    }
    // A lesson starts from its scenario, where the lesson starts. Its file is
    // fetched before the link is read (`lessons::load`).
    if let Some((_, id)) = pairs.iter().find(|(k, _)| k == "lesson") {
        match lessons::get(id) {
            Some(Ok(lesson)) => match scenarios::scenario(&lesson.scenario) {
                Some(s) => {
                    request.setup = Setup {
                        title: lesson.title.clone(),
                        ..Setup::of_scenario(s)
                    };
                    request.t = SimTime::ZERO + lesson.start;
                    request.view.lesson = Some(lesson.id.clone());
                }
                None => problems.push(format!("lesson={id}: its scenario is missing")),
            },
            Some(Err(why)) => problems.push(format!("lesson={id}: {why}")),
            None if lessons::IDS.contains(&id.as_str()) => {
                problems.push(format!("lesson={id}: the lesson has not been loaded"));
            }
            None => problems.push(format!(
                "lesson={id}: there is no such lesson; try one of: {}",
                lessons::IDS.join(", ")
            )),
        }
    }
    let config = &mut request.setup.config;
    let mut actions = Vec::new();
    for (key, value) in &pairs {
        let result: Result<(), String> = (|| {
            match key.as_str() {
                "scenario" | "lesson" => {}
                "embed" => request.view.embed = boolean(key, value)?,
                "page" => match value.as_str() {
                    "lessons" => request.view.index = true,
                    "lab" => {}
                    _ => return Err(format!("{key}={value}: write lessons or lab")),
                },
                "panels" => {
                    let mut panels = Vec::new();
                    for name in value.split(',').filter(|n| !n.is_empty()) {
                        let Some((_, panel)) = PANELS.iter().find(|(n, _)| *n == name) else {
                            return Err(format!(
                                "{key}={value}: unknown panel \"{name}\"; the panels are {}",
                                PANELS
                                    .iter()
                                    .map(|(n, _)| *n)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        };
                        panels.push(*panel);
                    }
                    request.view.panels = Some(panels);
                }
                "theme" => {
                    request.view.theme = Some(match value.as_str() {
                        "light" => "light",
                        "dark" => "dark",
                        _ => return Err(format!("{key}={value}: write light or dark")),
                    })
                }
                "height" => {
                    // Read wide, so that a huge number is out of range rather than malformed.
                    let height: u64 =
                        number(key, value, "a whole number of CSS pixels such as 640")?;
                    request.view.height = u32::try_from(height)
                        .ok()
                        .filter(|h| (MIN_EMBED_HEIGHT..=MAX_EMBED_HEIGHT).contains(h))
                        .map(Some)
                        .ok_or_else(|| {
                            format!("{key}={value}: must be from {MIN_EMBED_HEIGHT} to {MAX_EMBED_HEIGHT}")
                        })?;
                }
                "seed" => config.seed = number(key, value, "a whole number such as 7")?,
                "t" => request.t = SimTime::ZERO + duration(key, value)?,
                "speed" => {
                    let speed = decimal(value).ok_or_else(|| {
                        format!("{key}={value}: must be a number such as 2 or 0.5")
                    })?;
                    if !(MIN_SPEED..=MAX_SPEED).contains(&speed) {
                        return Err(format!(
                            "{key}={value}: must be from {} to {}",
                            decimal_text(MIN_SPEED, 2),
                            decimal_text(MAX_SPEED, 2)
                        ));
                    }
                    request.speed = speed;
                }
                "paused" => request.paused = boolean(key, value)?,
                "masters" => config.cluster.masters = number(key, value, "1 to 7")?,
                "workers" => config.cluster.workers = number(key, value, "0 to 5")?,
                "etcd" => {
                    config.cluster.etcd = match value.as_str() {
                        "stacked" => EtcdTopology::Stacked,
                        "external" => EtcdTopology::External {
                            members: match config.cluster.etcd {
                                EtcdTopology::External { members } => members,
                                EtcdTopology::Stacked => 3,
                            },
                        },
                        _ => return Err(format!("{key}={value}: write stacked or external")),
                    }
                }
                "etcd_members" => {
                    let members = number(key, value, "1 to 7")?;
                    config.cluster.etcd = EtcdTopology::External { members };
                }
                "lb" => config.cluster.load_balancer = boolean(key, value)?,
                "replicas" => config.replicas = number(key, value, "0 to 30")?,
                "kubectl" => config.kubectl_server = value.clone(),
                "etcd.heartbeat-interval" => config.etcd.heartbeat_interval = duration(key, value)?,
                "etcd.election-timeout" => config.etcd.election_timeout = duration(key, value)?,
                "a" => actions.push(parse_action(value).map_err(|e| format!("a={value}: {e}"))?),
                other => {
                    let (component, flag) = other
                        .split_once('.')
                        .ok_or_else(|| format!("{other}: unknown parameter"))?;
                    let flags = match component {
                        "kcm" => &mut config.controller_manager,
                        "scheduler" => &mut config.scheduler,
                        _ => return Err(format!("{other}: unknown parameter")),
                    };
                    match flag {
                        "leader-elect" => flags.leader_elect = boolean(key, value)?,
                        "lease-duration" => flags.lease_duration = duration(key, value)?,
                        "renew-deadline" => flags.renew_deadline = duration(key, value)?,
                        "retry-period" => flags.retry_period = duration(key, value)?,
                        _ => return Err(format!("{other}: unknown parameter")),
                    }
                }
            }
            Ok(())
        })();
        if let Err(problem) = result {
            problems.push(problem);
        }
    }
    if !config.cluster.load_balancer && config.kubectl_server == "loadbalancer" {
        config.kubectl_server = "master-1".to_owned();
    }
    if let Err(e) = config.validate() {
        problems.push(e.to_string());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    actions.sort_by_key(|a: &TimedAction| a.at);
    request.actions = actions;
    Ok(request)
}

/// One learner action: `30s,kill-node,master-1`, `40s,scale,6`,
/// `50s,partition,master-1|master-2+master-3`, `60s,heal`.
fn parse_action(text: &str) -> Result<TimedAction, String> {
    let mut parts = text.splitn(3, ',');
    let at = SimTime::ZERO
        + SimDuration::parse(parts.next().unwrap_or("")).map_err(|e| e.to_string())?;
    let name = parts.next().ok_or("the action is missing after the time")?;
    let arg = parts.next().unwrap_or("");
    let target = || Target::parse(arg).map_err(|e| e.0);
    let action = match name {
        "kill-node" => Action::KillNode(target()?),
        "restart-node" => Action::RestartNode(target()?),
        "kill-process" => Action::KillProcess(target()?),
        "stop-process" => Action::StopProcess(target()?),
        "pause-process" => Action::PauseProcess(target()?),
        "resume-process" => Action::ResumeProcess(target()?),
        "heal" => Action::Heal,
        "scale" => Action::Scale {
            replicas: arg
                .parse()
                .map_err(|_| format!("scale needs a replica count, not \"{arg}\""))?,
        },
        "kubectl-server" => Action::KubectlServer(arg.to_owned()),
        "partition" => Action::Partition(
            arg.split('|')
                .map(|g| g.split('+').map(str::to_owned).collect())
                .collect(),
        ),
        other => return Err(format!("unknown action \"{other}\"")),
    };
    Ok(TimedAction {
        at,
        action,
        by_learner: true,
    })
}

/// The `a=` form of an action.
fn action_text(a: &TimedAction) -> String {
    let at = SimDuration::from_micros(a.at.as_micros());
    let arg = match &a.action {
        Action::Partition(groups) => groups
            .iter()
            .map(|g| g.join("+"))
            .collect::<Vec<_>>()
            .join("|"),
        Action::Scale { replicas } => replicas.to_string(),
        Action::KubectlServer(server) => server.clone(),
        other => other.target_text(),
    };
    if arg.is_empty() {
        format!("{at},{}", a.action.name())
    } else {
        format!("{at},{},{arg}", a.action.name())
    }
}

/// The query string that reproduces a lab: its setup (as changes to its
/// scenario or to the default), the learner's actions, the time, the speed,
/// and whether it is paused.
pub fn to_query(
    setup: &Setup,
    actions: &[TimedAction],
    t: SimTime,
    speed: f64,
    paused: bool,
) -> String {
    let mut params: Vec<(String, String)> = Vec::new();
    let base = match &setup.scenario {
        Some(id) => {
            params.push(("scenario".into(), id.clone()));
            scenarios::scenario(id).map_or_else(|| default_setup().config, |s| s.config)
        }
        None => default_setup().config,
    };
    let c = &setup.config;
    let mut put = |k: &str, v: String| params.push((k.to_owned(), v));
    if c.seed != base.seed {
        put("seed", c.seed.to_string());
    }
    if c.cluster.masters != base.cluster.masters {
        put("masters", c.cluster.masters.to_string());
    }
    if c.cluster.etcd != base.cluster.etcd {
        match c.cluster.etcd {
            EtcdTopology::Stacked => put("etcd", "stacked".into()),
            EtcdTopology::External { members } => put("etcd_members", members.to_string()),
        }
    }
    if c.cluster.workers != base.cluster.workers {
        put("workers", c.cluster.workers.to_string());
    }
    if c.cluster.load_balancer != base.cluster.load_balancer {
        put("lb", u8::from(c.cluster.load_balancer).to_string());
    }
    if c.replicas != base.replicas {
        put("replicas", c.replicas.to_string());
    }
    if c.kubectl_server != base.kubectl_server {
        put("kubectl", c.kubectl_server.clone());
    }
    for (name, flags, base_flags) in [
        ("kcm", &c.controller_manager, &base.controller_manager),
        ("scheduler", &c.scheduler, &base.scheduler),
    ] {
        if flags.leader_elect != base_flags.leader_elect {
            put(
                &format!("{name}.leader-elect"),
                u8::from(flags.leader_elect).to_string(),
            );
        }
        for ((flag, v), (_, b)) in flags.durations().into_iter().zip(base_flags.durations()) {
            if v != b {
                put(&format!("{name}.{flag}"), v.to_string());
            }
        }
    }
    if c.etcd.heartbeat_interval != base.etcd.heartbeat_interval {
        put(
            "etcd.heartbeat-interval",
            c.etcd.heartbeat_interval.to_string(),
        );
    }
    if c.etcd.election_timeout != base.etcd.election_timeout {
        put("etcd.election-timeout", c.etcd.election_timeout.to_string());
    }
    for a in actions.iter().filter(|a| a.by_learner) {
        put("a", action_text(a));
    }
    put("t", SimDuration::from_micros(t.as_micros()).to_string());
    if speed != 1.0 {
        put("speed", decimal_text(speed, 3));
    }
    if paused {
        put("paused", "1".into());
    }
    params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_sim::kube::leaderelection::LeaderElectionFlags;

    #[test]
    fn decimals_read_as_the_standard_parser_reads_them() {
        // Every number with up to 4 digits around the point, signed or not.
        for value in 0..10_000u32 {
            for point in 0..=4 {
                let digits = format!("{value:04}");
                let (whole, fraction) = digits.split_at(4 - point);
                for sign in ["", "-"] {
                    let text = format!("{sign}{whole}.{fraction}");
                    let ours = decimal(&text).unwrap();
                    let std: f64 = text.parse().unwrap();
                    assert!(
                        (ours - std).abs() <= std.abs() * 1e-15,
                        "{text}: {ours} vs {std}"
                    );
                }
            }
        }
        for bad in [
            "",
            "-",
            ".",
            "1..2",
            "1e3",
            "+1",
            "0x10",
            "1 ",
            "½",
            "99999999999999999999",
        ] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
        assert_eq!(decimal("2"), Some(2.0));
        assert_eq!(decimal(".5"), Some(0.5));
    }

    #[test]
    fn an_empty_link_opens_the_default_lab() {
        let request = parse_query("").unwrap();
        assert_eq!(request, LabRequest::default_lab());
    }

    #[test]
    fn embedding_options_read_back_and_bad_ones_say_what_to_write() {
        lessons::add_from_disk("leader-election-timings").unwrap();
        let request = parse_query(
            "?lesson=leader-election-timings&embed=1&panels=cluster,lesson&theme=dark&height=640",
        )
        .unwrap();
        let view = &request.view;
        assert!(view.embed);
        assert_eq!(view.lesson.as_deref(), Some("leader-election-timings"));
        assert_eq!(view.theme, Some("dark"));
        assert_eq!(view.height, Some(640));
        assert!(view.shows(Panel::Cluster) && view.shows(Panel::Lesson));
        assert!(!view.shows(Panel::Timeline) && !view.shows(Panel::Faults));
        // The lesson opens its scenario where the lesson starts.
        let lesson = lessons::lesson("leader-election-timings").unwrap();
        assert_eq!(request.t, SimTime::ZERO + lesson.start);
        assert_eq!(
            request.setup.scenario.as_deref(),
            Some(lesson.scenario.as_str())
        );
        // The view's own parameters read back to the same view.
        let query: Vec<String> = view
            .query_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(parse_query(&query.join("&")).unwrap().view, *view);
        // Without height= the page keeps its natural height.
        assert_eq!(parse_query("embed=1").unwrap().view.height, None);
        for bound in [MIN_EMBED_HEIGHT, MAX_EMBED_HEIGHT] {
            let query = format!("embed=1&height={bound}");
            assert_eq!(parse_query(&query).unwrap().view.height, Some(bound));
        }

        let problems =
            parse_query("panels=cluster,chart&theme=blue&page=home&lesson=nope").unwrap_err();
        assert!(
            problems.iter().any(|p| p.starts_with(
                "panels=cluster,chart: unknown panel \"chart\"; the panels are time, cluster,"
            )),
            "{problems:?}"
        );
        assert!(
            problems.contains(&"theme=blue: write light or dark".to_owned()),
            "{problems:?}"
        );
        assert!(
            problems.contains(&"page=home: write lessons or lab".to_owned()),
            "{problems:?}"
        );
        for (height, problem) in [
            ("tall", "must be a whole number of CSS pixels such as 640"),
            ("640px", "must be a whole number of CSS pixels such as 640"),
            ("-640", "must be a whole number of CSS pixels such as 640"),
            ("0x280", "must be a whole number of CSS pixels such as 640"),
            ("640.5", "must be a whole number of CSS pixels such as 640"),
            ("", "must be a whole number of CSS pixels such as 640"),
            ("199", "must be from 200 to 4000"),
            ("4001", "must be from 200 to 4000"),
            ("99999999999", "must be from 200 to 4000"),
        ] {
            assert_eq!(
                parse_query(&format!("embed=1&height={height}")).unwrap_err(),
                [format!("height={height}: {problem}")],
            );
        }
        assert!(
            problems.iter().any(|p| p.starts_with(
                "lesson=nope: there is no such lesson; try one of: why-a-second-master,"
            )),
            "{problems:?}"
        );
    }

    #[test]
    fn a_lesson_that_did_not_load_says_why() {
        let id = "quorum-arithmetic";
        assert_eq!(
            parse_query(&format!("lesson={id}")).unwrap_err(),
            [format!("lesson={id}: the lesson has not been loaded")]
        );
        let why = lessons::add(id, "title = ").unwrap_err();
        assert_eq!(
            parse_query(&format!("lesson={id}")).unwrap_err(),
            [format!("lesson={id}: {why}")]
        );
        lessons::add_from_disk(id).unwrap();
        assert_eq!(
            parse_query(&format!("lesson={id}"))
                .unwrap()
                .view
                .lesson
                .as_deref(),
            Some(id)
        );
    }

    #[test]
    fn a_link_reads_back_to_the_same_lab() {
        let mut setup = scenarios::scenario("kill-controller-manager-leader")
            .map(Setup::of_scenario)
            .unwrap();
        setup.config.seed = 9;
        setup.config.cluster.workers = 1;
        setup.config.scheduler = LeaderElectionFlags {
            lease_duration: SimDuration::from_secs(30),
            ..LeaderElectionFlags::default()
        };
        let actions = vec![
            TimedAction {
                at: SimTime::from_millis(31_500),
                action: Action::Partition(vec![
                    vec!["master-1".into()],
                    vec!["master-2".into(), "master-3".into()],
                ]),
                by_learner: true,
            },
            TimedAction {
                at: SimTime::from_secs(40),
                action: Action::Scale { replicas: 5 },
                by_learner: true,
            },
            TimedAction {
                at: SimTime::from_secs(45),
                action: Action::KillProcess(Target::parse("master-2/kube-scheduler").unwrap()),
                by_learner: true,
            },
        ];
        let query = to_query(&setup, &actions, SimTime::from_millis(52_300), 2.5, true);
        let request = parse_query(&query).unwrap_or_else(|e| panic!("{e:?}: {query}"));
        assert_eq!(request.setup, setup, "{query}");
        assert_eq!(request.actions, actions, "{query}");
        assert_eq!(request.t, SimTime::from_millis(52_300));
        assert_eq!(request.speed, 2.5);
        assert!(request.paused);
    }

    #[test]
    fn bad_parameters_are_each_reported_with_what_to_write() {
        let problems =
            parse_query("?scenario=nope&seed=abc&speed=100&masters=9&a=5s,fly&zzz=1").unwrap_err();
        let all = problems.join("\n");
        for expected in [
            "scenario=nope: there is no such scenario; try one of: default,",
            "seed=abc: must be a whole number such as 7",
            "speed=100: must be from 0.1 to 50",
            "a=5s,fly: unknown action \"fly\"",
            "zzz: unknown parameter",
        ] {
            assert!(all.contains(expected), "{expected:?} not in:\n{all}");
        }
        let flags = parse_query("kcm.lease-duration=15s&kcm.renew-deadline=20s").unwrap_err();
        assert_eq!(
            flags,
            ["kube-controller-manager: leaseDuration must be greater than renewDeadline"]
        );
    }

    #[test]
    fn percent_encoding_round_trips() {
        for s in ["30s,kill-node,master-1", "a b&c=d%e", "µs"] {
            assert_eq!(percent_decode(&percent_encode(s)), s);
        }
    }
}
