//! Scenario files (SCENARIOS.md): a cluster, its flags, a seed and a script
//! of actions in time, read from TOML and checked as thoroughly as a course
//! author needs. Every problem names the file, the key and what to fix; flag
//! combinations Kubernetes or etcd refuse get their own messages.
//!
//! [`ScenarioRun`] plays a scenario: the runner, the tests and the lab all use it.

use std::fmt;

use crate::action::{Action, NodeRef, Target};
use crate::cluster::{Cluster, EtcdTopology};
use crate::etcd::EtcdConfig;
use crate::kube::leaderelection::LeaderElectionFlags;
use crate::sim::{ConfigError, MAX_REPLICAS, Sim, SimConfig};
use crate::time::{SimDuration, SimTime};
use crate::toml::{self, Pos, Spanned, Table, Value};

/// A scenario, checked and ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Kebab-case; equals the file name without `.toml`.
    pub id: String,
    pub title: String,
    /// What it teaches: the comment lines at the top of the file.
    pub description: String,
    pub run_for: SimDuration,
    /// The seed is in `config.seed`.
    pub config: SimConfig,
    /// The script, in time order.
    pub actions: Vec<ScriptedAction>,
}

/// An action at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptedAction {
    pub at: SimDuration,
    pub action: Action,
}

/// One thing wrong with a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file, as the author named it.
    pub file: String,
    /// Where, if known.
    pub pos: Option<Pos>,
    /// The key, as a path: `cluster.masters`, `actions[2].target`; empty for the file itself.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.column)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a file (at least one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Reads typed fields out of a table, collecting problems instead of
/// stopping at the first, and reporting keys nobody asked for.
pub struct Fields<'a, 'p> {
    table: &'a Table,
    /// The table's path, for messages (`cluster`, `actions[2]`); empty at the root.
    path: String,
    pos: Option<Pos>,
    read: Vec<&'static str>,
    /// Set once [`Fields::unread`] has taken the rest.
    all_read: bool,
    problems: &'p mut Vec<Problem>,
    file: &'p str,
}

impl<'a, 'p> Fields<'a, 'p> {
    pub fn new(
        file: &'p str,
        table: &'a Table,
        path: String,
        pos: Option<Pos>,
        problems: &'p mut Vec<Problem>,
    ) -> Fields<'a, 'p> {
        Fields {
            table,
            path,
            pos,
            read: Vec::new(),
            all_read: false,
            problems,
            file,
        }
    }

    /// The dotted path of `key` in this table.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Records a problem with `key` at `pos`.
    pub fn problem(&mut self, key: &str, pos: Option<Pos>, message: String) {
        let key = if key.is_empty() {
            self.path.clone()
        } else {
            self.path_of(key)
        };
        self.problems.push(Problem {
            file: self.file.to_owned(),
            pos: pos.or(self.pos),
            key,
            message,
        });
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Spanned<Value>> {
        self.read.push(key);
        self.table.get(key)
    }

    fn wrong_type(&mut self, key: &'static str, value: &Spanned<Value>, expected: &str) {
        self.problem(
            key,
            Some(value.pos),
            format!(
                "must be {expected}, not {} {}",
                article(value.value.type_name()),
                value.value.type_name()
            ),
        );
    }

    /// A string, if present.
    pub fn string(&mut self, key: &'static str) -> Option<(String, Pos)> {
        let value = self.get(key)?;
        match &value.value {
            Value::String(s) => Some((s.clone(), value.pos)),
            _ => {
                self.wrong_type(key, value, "a string");
                None
            }
        }
    }

    /// A required string.
    pub fn required_string(&mut self, key: &'static str, example: &str) -> Option<(String, Pos)> {
        if self.table.get(key).is_none() {
            self.read.push(key);
            self.problem(
                key,
                None,
                format!("is required, for example {key} = {example}"),
            );
            return None;
        }
        self.string(key)
    }

    /// An integer in `range`, if present.
    pub fn integer(&mut self, key: &'static str, low: i64, high: i64) -> Option<i64> {
        let value = self.get(key)?;
        match value.value {
            Value::Integer(n) if (low..=high).contains(&n) => Some(n),
            Value::Integer(n) => {
                self.problem(
                    key,
                    Some(value.pos),
                    format!("must be {low} to {high} (got {n})"),
                );
                None
            }
            _ => {
                self.wrong_type(key, value, "an integer");
                None
            }
        }
    }

    /// A boolean, if present.
    pub fn boolean(&mut self, key: &'static str) -> Option<bool> {
        let value = self.get(key)?;
        match value.value {
            Value::Boolean(b) => Some(b),
            _ => {
                self.wrong_type(key, value, "true or false");
                None
            }
        }
    }

    /// A Go duration string (`"15s"`), if present.
    pub fn duration(&mut self, key: &'static str) -> Option<SimDuration> {
        let value = self.get(key)?;
        match &value.value {
            Value::String(s) => match SimDuration::parse(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.problem(key, Some(value.pos), e.to_string());
                    None
                }
            },
            Value::Integer(n) => {
                self.problem(
                    key,
                    Some(value.pos),
                    format!("must be a duration string with a unit, such as \"{n}s\" or \"{n}ms\""),
                );
                None
            }
            _ => {
                self.wrong_type(key, value, "a duration string such as \"15s\"");
                None
            }
        }
    }

    /// A sub-table, if present.
    pub fn table(&mut self, key: &'static str) -> Option<(&'a Table, Pos)> {
        let value = self.get(key)?;
        match &value.value {
            Value::Table(t) => Some((t, value.pos)),
            _ => {
                self.wrong_type(key, value, &format!("a table ([{}])", self.path_of(key)));
                None
            }
        }
    }

    /// An array of tables (`[[key]]`), empty if absent.
    pub fn tables(&mut self, key: &'static str) -> Vec<&'a Spanned<Table>> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        match &value.value {
            Value::ArrayOfTables(items) => items.iter().collect(),
            _ => {
                self.wrong_type(
                    key,
                    value,
                    &format!("an array of tables ([[{}]])", self.path_of(key)),
                );
                Vec::new()
            }
        }
    }

    /// The raw value of `key`, if present (for shapes the helpers do not cover).
    pub fn value(&mut self, key: &'static str) -> Option<&'a Spanned<Value>> {
        self.get(key)
    }

    /// The problem list, for the reader of a nested table.
    pub fn problems(&mut self) -> &mut Vec<Problem> {
        self.problems
    }

    /// The entries not read so far, now counted as read (for tables whose
    /// other keys are free-form, such as a lesson's event fields).
    pub fn unread(&mut self) -> Vec<(&'a Spanned<String>, &'a Spanned<Value>)> {
        let table = self.table;
        let unread: Vec<_> = table
            .entries
            .iter()
            .filter(|(key, _)| !self.read.contains(&key.value.as_str()))
            .map(|(k, v)| (k, v))
            .collect();
        self.all_read = true;
        unread
    }

    /// Reports every key that was never read: it is unknown here.
    pub fn finish(self) {
        if self.all_read {
            return;
        }
        let known: Vec<&str> = self.read.clone();
        for (key, value) in &self.table.entries {
            if !known.contains(&key.value.as_str()) {
                let mut expected: Vec<&str> = known.clone();
                expected.dedup();
                let key_path = self.path_of(&key.value);
                self.problems.push(Problem {
                    file: self.file.to_owned(),
                    pos: Some(key.pos),
                    key: key_path,
                    message: format!(
                        "unknown key{}; expected one of: {}",
                        if matches!(value.value, Value::Table(_)) {
                            " (or table)"
                        } else {
                            ""
                        },
                        expected.join(", ")
                    ),
                });
            }
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Parses and checks a scenario file. `file` is its path, for messages; the
/// `id` must equal its name without `.toml`.
pub fn parse_scenario(file: &str, text: &str) -> Result<Scenario, Problems> {
    parse_file(file, text, "scenario", |root, problems| {
        read_scenario(file, text, root, problems)
    })
}

/// Parses a TOML file and reads it with `read`, which records every problem
/// it finds; any problem refuses the file. Scenario and lesson files share it.
pub fn parse_file<T>(
    file: &str,
    text: &str,
    what: &str,
    read: impl FnOnce(&Table, &mut Vec<Problem>) -> Option<T>,
) -> Result<T, Problems> {
    let root = toml::parse(text).map_err(|e| {
        Problems(vec![Problem {
            file: file.to_owned(),
            pos: Some(e.pos),
            key: String::new(),
            message: e.message,
        }])
    })?;
    let mut problems = Vec::new();
    match read(&root, &mut problems) {
        Some(value) if problems.is_empty() => Ok(value),
        _ => {
            if problems.is_empty() {
                problems.push(Problem {
                    file: file.to_owned(),
                    pos: None,
                    key: String::new(),
                    message: format!("is not a valid {what}"),
                });
            }
            Err(Problems(problems))
        }
    }
}

/// The file name without directories and `.toml`.
pub fn file_stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.strip_suffix(".toml").unwrap_or(name)
}

/// The comment lines before the first key: what the scenario teaches.
pub fn leading_comment(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .filter_map(|l| l.strip_prefix('#'))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

fn read_scenario(
    file: &str,
    text: &str,
    root: &Table,
    problems: &mut Vec<Problem>,
) -> Option<Scenario> {
    let mut top = Fields::new(file, root, String::new(), None, problems);
    let id = top.required_string("id", "\"kill-controller-manager-leader\"");
    let title = top.required_string(
        "title",
        "\"Kill the node that holds the controller-manager lease\"",
    );
    let seed = top.integer("seed", 0, i64::MAX).unwrap_or(1) as u64;
    let run_for = top
        .duration("run_for")
        .unwrap_or(SimDuration::from_secs(90));
    let cluster_table = top.table("cluster");
    let workload_table = top.table("workload");
    let kubectl_table = top.table("kubectl");
    let kcm_table = top.table("kube-controller-manager");
    let scheduler_table = top.table("kube-scheduler");
    let etcd_table = top.table("etcd");
    let action_tables = top.tables("actions");
    top.finish();

    if let Some((id, pos)) = &id {
        let kebab = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !id.starts_with('-')
            && !id.ends_with('-');
        if !kebab {
            problems.push(problem(
                file,
                Some(*pos),
                "id",
                format!("\"{id}\" must be kebab-case: lowercase letters, digits and hyphens"),
            ));
        } else if id != file_stem(file) {
            problems.push(problem(
                file,
                Some(*pos),
                "id",
                format!(
                    "\"{id}\" must equal the file name without .toml (\"{}\")",
                    file_stem(file)
                ),
            ));
        }
    }
    if run_for == SimDuration::ZERO {
        problems.push(problem(
            file,
            None,
            "run_for",
            "must be longer than 0s".to_owned(),
        ));
    }

    let cluster = read_cluster(file, cluster_table, problems);
    let mut config = SimConfig::new(seed, cluster.clone());
    if let Some((table, pos)) = workload_table {
        let mut f = Fields::new(file, table, "workload".to_owned(), Some(pos), problems);
        if let Some(n) = f.integer("replicas", 0, i64::from(MAX_REPLICAS)) {
            config.replicas = n as u32;
        }
        f.finish();
    }
    if let Some((table, pos)) = kubectl_table {
        let mut f = Fields::new(file, table, "kubectl".to_owned(), Some(pos), problems);
        if let Some((server, _)) = f.string("server") {
            config.kubectl_server = server;
        }
        f.finish();
    }
    for (component, table, flags) in [
        (
            "kube-controller-manager",
            kcm_table,
            &mut config.controller_manager,
        ),
        ("kube-scheduler", scheduler_table, &mut config.scheduler),
    ] {
        if let Some((table, pos)) = table {
            *flags = read_leader_election(file, component, table, pos, problems);
        }
    }
    if let Some((table, pos)) = etcd_table {
        let mut f = Fields::new(file, table, "etcd".to_owned(), Some(pos), problems);
        let defaults = EtcdConfig::default();
        config.etcd = EtcdConfig {
            heartbeat_interval: f
                .duration("heartbeat-interval")
                .unwrap_or(defaults.heartbeat_interval),
            election_timeout: f
                .duration("election-timeout")
                .unwrap_or(defaults.election_timeout),
        };
        f.finish();
    }
    // What Kubernetes and etcd themselves would refuse, with their messages.
    if problems.is_empty()
        && let Err(e) = config.validate()
    {
        let key = match &e {
            ConfigError::Etcd(_) => "etcd",
            ConfigError::LeaderElection { component, .. } => component,
            ConfigError::Cluster(message) if message.starts_with("kubectl") => "kubectl.server",
            ConfigError::Cluster(_) => "cluster",
        };
        let message = match e {
            ConfigError::Etcd(e) => e.to_string(),
            ConfigError::LeaderElection { error, .. } => error.to_string(),
            ConfigError::Cluster(message) => message,
        };
        problems.push(problem(file, None, key, message));
    }

    let mut actions = Vec::new();
    for (index, table) in action_tables.into_iter().enumerate() {
        if let Some(action) = read_action(file, index, table, &cluster, run_for, problems) {
            actions.push(action);
        }
    }
    actions.sort_by_key(|a: &ScriptedAction| a.at);

    Some(Scenario {
        id: id?.0,
        title: title?.0,
        description: leading_comment(text),
        run_for,
        config,
        actions,
    })
}

fn problem(file: &str, pos: Option<Pos>, key: &str, message: String) -> Problem {
    Problem {
        file: file.to_owned(),
        pos,
        key: key.to_owned(),
        message,
    }
}

fn read_cluster(file: &str, table: Option<(&Table, Pos)>, problems: &mut Vec<Problem>) -> Cluster {
    let defaults = Cluster::default();
    let Some((table, pos)) = table else {
        return defaults;
    };
    let mut f = Fields::new(file, table, "cluster".to_owned(), Some(pos), problems);
    let masters = f
        .integer("masters", 1, 7)
        .map_or(defaults.masters, |n| n as u8);
    let etcd = f.string("etcd");
    let members = f.integer("etcd_members", 1, 7).map(|n| n as u8);
    let workers = f
        .integer("workers", 0, 5)
        .map_or(defaults.workers, |n| n as u8);
    let load_balancer = f.boolean("load_balancer").unwrap_or(defaults.load_balancer);
    let etcd = match etcd.as_ref().map(|(s, p)| (s.as_str(), *p)) {
        None | Some(("stacked", _)) => {
            if members.is_some() {
                f.problem(
                    "etcd_members",
                    None,
                    "applies only to etcd = \"external\": stacked etcd has one member per master"
                        .to_owned(),
                );
            }
            EtcdTopology::Stacked
        }
        Some(("external", _)) => EtcdTopology::External {
            members: members.unwrap_or(3),
        },
        Some((other, pos)) => {
            f.problem(
                "etcd",
                Some(pos),
                format!("must be \"stacked\" or \"external\", not \"{other}\""),
            );
            EtcdTopology::Stacked
        }
    };
    f.finish();
    Cluster {
        masters,
        etcd,
        workers,
        load_balancer,
    }
}

fn read_leader_election(
    file: &str,
    component: &str,
    table: &Table,
    pos: Pos,
    problems: &mut Vec<Problem>,
) -> LeaderElectionFlags {
    let defaults = LeaderElectionFlags::default();
    let mut f = Fields::new(file, table, component.to_owned(), Some(pos), problems);
    let flags = LeaderElectionFlags {
        leader_elect: f.boolean("leader-elect").unwrap_or(defaults.leader_elect),
        lease_duration: f
            .duration("leader-elect-lease-duration")
            .unwrap_or(defaults.lease_duration),
        renew_deadline: f
            .duration("leader-elect-renew-deadline")
            .unwrap_or(defaults.renew_deadline),
        retry_period: f
            .duration("leader-elect-retry-period")
            .unwrap_or(defaults.retry_period),
    };
    f.finish();
    flags
}

/// The actions of SCENARIOS.md, with what each needs.
const ACTIONS: &[&str] = &[
    "kill-node",
    "restart-node",
    "kill-process",
    "stop-process",
    "pause-process",
    "resume-process",
    "partition",
    "heal",
    "scale",
    "kubectl-server",
];

fn read_action(
    file: &str,
    index: usize,
    table: &Spanned<Table>,
    cluster: &Cluster,
    run_for: SimDuration,
    problems: &mut Vec<Problem>,
) -> Option<ScriptedAction> {
    let path = format!("actions[{index}]");
    let mut f = Fields::new(file, &table.value, path, Some(table.pos), problems);
    let at = f.duration("at");
    if at.is_none() && table.value.get("at").is_none() {
        f.problem(
            "at",
            None,
            "is required, for example at = \"30s\"".to_owned(),
        );
    }
    let action = read_action_fields(&mut f, cluster);
    let at = at?;
    let action = action?;
    if at > run_for {
        f.problem(
            "at",
            None,
            format!("{at} is after run_for ({run_for}): the action would never run"),
        );
    }
    f.finish();
    Some(ScriptedAction { at, action })
}

/// Reads an action's own keys (`action`, `target`, `groups`, `replicas`)
/// from `f`, checking targets against `cluster`: a scenario's `[[actions]]`
/// and a lesson step's `do` share it.
pub fn read_action_fields(f: &mut Fields, cluster: &Cluster) -> Option<Action> {
    let table = f.table;
    let name = f.required_string("action", "\"kill-node\"");
    let target = f.string("target");
    let groups = f.value("groups");
    let replicas = f.integer("replicas", 0, i64::from(MAX_REPLICAS));
    let (name, name_pos) = name?;
    let action = match name.as_str() {
        "kill-node" | "restart-node" | "kill-process" | "stop-process" | "pause-process"
        | "resume-process" => {
            let Some((text, pos)) = target else {
                let example = if name.ends_with("-node") {
                    "\"master-1\""
                } else {
                    "\"master-1/kube-scheduler\""
                };
                f.problem(
                    "target",
                    None,
                    format!("is required for {name}, for example target = {example}"),
                );
                return None;
            };
            let target = match Target::parse(&text) {
                Ok(t) => t,
                Err(e) => {
                    f.problem("target", Some(pos), e.0);
                    return None;
                }
            };
            if let Err(message) = check_target(&target, &name, cluster) {
                f.problem("target", Some(pos), message);
                return None;
            }
            match name.as_str() {
                "kill-node" => Action::KillNode(target),
                "restart-node" => Action::RestartNode(target),
                "kill-process" => Action::KillProcess(target),
                "stop-process" => Action::StopProcess(target),
                "pause-process" => Action::PauseProcess(target),
                _ => Action::ResumeProcess(target),
            }
        }
        "partition" => {
            let Some(groups) = groups else {
                f.problem(
                    "groups",
                    None,
                    "is required for partition, for example groups = [[\"master-1\"], [\"master-2\", \"master-3\"]]".to_owned(),
                );
                return None;
            };
            let names = node_names(cluster);
            let mut result = Vec::new();
            let Value::Array(outer) = &groups.value else {
                f.problem(
                    "groups",
                    Some(groups.pos),
                    "must be an array of arrays of node names".to_owned(),
                );
                return None;
            };
            for group in outer {
                let Value::Array(inner) = &group.value else {
                    f.problem(
                        "groups",
                        Some(group.pos),
                        "each group must be an array of node names, such as [\"master-1\"]"
                            .to_owned(),
                    );
                    return None;
                };
                let mut members = Vec::new();
                for node in inner {
                    match &node.value {
                        Value::String(n) if names.contains(n) => {
                            if result
                                .iter()
                                .flatten()
                                .chain(&members)
                                .any(|m: &String| m == n)
                            {
                                f.problem(
                                    "groups",
                                    Some(node.pos),
                                    format!("node \"{n}\" is in more than one group"),
                                );
                                return None;
                            }
                            members.push(n.clone());
                        }
                        Value::String(n) => {
                            f.problem(
                                "groups",
                                Some(node.pos),
                                format!(
                                    "there is no node named \"{n}\" in this cluster (nodes: {})",
                                    names.join(", ")
                                ),
                            );
                            return None;
                        }
                        _ => {
                            f.problem(
                                "groups",
                                Some(node.pos),
                                "node names must be strings".to_owned(),
                            );
                            return None;
                        }
                    }
                }
                result.push(members);
            }
            Action::Partition(result)
        }
        "heal" => Action::Heal,
        "scale" => match replicas {
            Some(n) => Action::Scale { replicas: n as u32 },
            None => {
                if table.get("replicas").is_none() {
                    f.problem(
                        "replicas",
                        None,
                        "is required for scale, for example replicas = 6".to_owned(),
                    );
                }
                return None;
            }
        },
        "kubectl-server" => {
            let Some((server, pos)) = target else {
                f.problem("target", None, "is required for kubectl-server: \"loadbalancer\" or a master such as \"master-1\"".to_owned());
                return None;
            };
            let is_master = node_names(cluster)
                .iter()
                .any(|n| n == &server && n.starts_with("master-"));
            if !(is_master || (server == "loadbalancer" && cluster.load_balancer)) {
                f.problem("target", Some(pos), format!("kubectl can point at \"loadbalancer\" (if there is one) or a master, not \"{server}\""));
                return None;
            }
            Action::KubectlServer(server)
        }
        other => {
            f.problem(
                "action",
                Some(name_pos),
                format!(
                    "unknown action \"{other}\"; expected one of: {}",
                    ACTIONS.join(", ")
                ),
            );
            return None;
        }
    };
    // Keys that this action does not take.
    let unused: &[(&str, bool)] = &[
        (
            "target",
            !matches!(
                action,
                Action::Partition(_) | Action::Heal | Action::Scale { .. }
            ),
        ),
        ("groups", matches!(action, Action::Partition(_))),
        ("replicas", matches!(action, Action::Scale { .. })),
    ];
    for (key, used) in unused {
        if !used && let Some(value) = table.get(key) {
            f.problem(key, Some(value.pos), format!("is not used by {name}"));
        }
    }
    Some(action)
}

fn node_names(cluster: &Cluster) -> Vec<String> {
    cluster.nodes().into_iter().map(|n| n.name).collect()
}

/// Whether a target can exist in `cluster`.
fn check_target(target: &Target, action: &str, cluster: &Cluster) -> Result<(), String> {
    let process_action = action.ends_with("-process");
    match &target.node {
        NodeRef::Named(name) => {
            let nodes = cluster.nodes();
            let Some(node) = nodes.iter().find(|n| &n.name == name) else {
                return Err(format!(
                    "there is no node named \"{name}\" in this cluster (nodes: {})",
                    node_names(cluster).join(", ")
                ));
            };
            match (process_action, target.process) {
                (true, None) => Err(format!(
                    "{action} needs a process: write \"{name}/etcd\", \"{name}/kube-scheduler\", …"
                )),
                (false, Some(_)) => Err(format!("{action} acts on a whole node: write \"{name}\"")),
                (true, Some(kind)) if !node.processes.contains(&kind) => Err(format!(
                    "{name} runs no {kind} (it runs {})",
                    node.processes
                        .iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                _ => Ok(()),
            }
        }
        // Every cluster has masters, and so leaders (at least some of the time).
        NodeRef::LeaderOf(_) => Ok(()),
    }
}

/// A scenario being played: the simulation, with the script applied as time
/// passes.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    pub sim: Sim,
    actions: Vec<ScriptedAction>,
    next: usize,
}

impl ScenarioRun {
    /// Starts `scenario` with `seed` (its own unless overridden).
    pub fn new(scenario: &Scenario, seed: Option<u64>) -> Result<ScenarioRun, ConfigError> {
        let mut config = scenario.config.clone();
        if let Some(seed) = seed {
            config.seed = seed;
        }
        Ok(ScenarioRun {
            sim: Sim::new(config)?,
            actions: scenario.actions.clone(),
            next: 0,
        })
    }

    /// Runs to `t`, applying each scripted action at its time (after
    /// everything else due at that instant).
    pub fn advance_to(&mut self, t: SimTime) {
        while let Some(scripted) = self.actions.get(self.next) {
            let at = SimTime::ZERO + scripted.at;
            if at > t {
                break;
            }
            self.sim.advance_to(at);
            // The file was checked; an action can only be refused if its
            // target vanished, which a checked scenario cannot cause.
            let _ = self.sim.apply(&scripted.action);
            self.next += 1;
        }
        self.sim.advance_to(t);
    }

    /// The scripted actions not yet applied.
    pub fn remaining(&self) -> &[ScriptedAction] {
        &self.actions[self.next..]
    }
}
