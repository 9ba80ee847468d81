//! The scenarios shipped with the site: every file in `scenarios/`, built in,
//! so that `?scenario=<id>` works offline and from any static host.

use ha_sim::scenario::{Scenario, parse_scenario};

/// Every bundled scenario, by id, with its file's text.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("default", include_str!("../scenarios/default.toml")),
    (
        "external-etcd",
        include_str!("../scenarios/external-etcd.toml"),
    ),
    (
        "external-etcd-2-members",
        include_str!("../scenarios/external-etcd-2-members.toml"),
    ),
    (
        "external-etcd-4-members",
        include_str!("../scenarios/external-etcd-4-members.toml"),
    ),
    (
        "external-etcd-5-members",
        include_str!("../scenarios/external-etcd-5-members.toml"),
    ),
    (
        "external-etcd-kill-two-etcd",
        include_str!("../scenarios/external-etcd-kill-two-etcd.toml"),
    ),
    (
        "external-etcd-kill-two-masters",
        include_str!("../scenarios/external-etcd-kill-two-masters.toml"),
    ),
    ("five-nodes", include_str!("../scenarios/five-nodes.toml")),
    (
        "kill-apiserver",
        include_str!("../scenarios/kill-apiserver.toml"),
    ),
    (
        "kill-controller-manager-leader",
        include_str!("../scenarios/kill-controller-manager-leader.toml"),
    ),
    (
        "kill-load-balancer",
        include_str!("../scenarios/kill-load-balancer.toml"),
    ),
    (
        "kill-scheduler-leader",
        include_str!("../scenarios/kill-scheduler-leader.toml"),
    ),
    (
        "leader-election-off",
        include_str!("../scenarios/leader-election-off.toml"),
    ),
    (
        "no-leader-election",
        include_str!("../scenarios/no-leader-election.toml"),
    ),
    ("one-master", include_str!("../scenarios/one-master.toml")),
    (
        "partition-one-master",
        include_str!("../scenarios/partition-one-master.toml"),
    ),
    (
        "pause-controller-manager-leader",
        include_str!("../scenarios/pause-controller-manager-leader.toml"),
    ),
    (
        "scale-without-quorum",
        include_str!("../scenarios/scale-without-quorum.toml"),
    ),
    (
        "single-master",
        include_str!("../scenarios/single-master.toml"),
    ),
    (
        "slow-leader-election",
        include_str!("../scenarios/slow-leader-election.toml"),
    ),
    (
        "stacked-lose-two-masters",
        include_str!("../scenarios/stacked-lose-two-masters.toml"),
    ),
    (
        "stop-scheduler-leader",
        include_str!("../scenarios/stop-scheduler-leader.toml"),
    ),
];

/// The bundled scenario `id`, parsed.
pub fn scenario(id: &str) -> Option<Scenario> {
    let (_, text) = SCENARIOS.iter().find(|(i, _)| *i == id)?;
    parse_scenario(&format!("{id}.toml"), text).ok()
}

/// Every bundled scenario's id and title, parsed once (menus render often).
pub fn titles() -> &'static [(String, String)] {
    static TITLES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    TITLES.get_or_init(|| {
        ids()
            .filter_map(scenario)
            .map(|s| (s.id, s.title))
            .collect()
    })
}

/// The ids, for menus and error messages.
pub fn ids() -> impl Iterator<Item = &'static str> {
    SCENARIOS.iter().map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_scenarios_folder_is_bundled_and_parses() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().to_string();
                name.strip_suffix(".toml").map(str::to_owned)
            })
            .collect();
        files.sort();
        let bundled: Vec<String> = ids().map(str::to_owned).collect();
        assert_eq!(
            bundled, files,
            "src/scenarios.rs must list every scenario file, in order"
        );
        for id in ids() {
            assert!(scenario(id).is_some(), "{id} does not parse");
        }
    }
}
