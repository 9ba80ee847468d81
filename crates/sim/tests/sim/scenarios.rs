//! Every scenario in `scenarios/` runs headless, twice (the same trace both
//! times), and its summary and highlights match the golden file a reviewer
//! can read in `scenarios/golden/`. `HA_SIM_BLESS=1` rewrites the goldens.

use std::path::{Path, PathBuf};

use ha_sim::scenario::{ScenarioRun, parse_scenario};
use ha_sim::summary::summary_json;
use ha_sim::{Event, SimTime};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// The events a reviewer wants to see in a golden: what happened, not every renewal.
fn highlight(event: &Event) -> bool {
    matches!(
        event.kind.name(),
        "action"
            | "node_down"
            | "node_up"
            | "process_exited"
            | "lease_acquired"
            | "lease_lost"
            | "lease_released"
            | "etcd_leader_elected"
            | "etcd_quorum_lost"
            | "etcd_quorum_regained"
            | "apiserver_healthy"
            | "apiserver_unhealthy"
            | "lb_backend_up"
            | "lb_backend_down"
            | "kubectl_probe"
            | "kubectl_result"
            | "node_not_ready"
            | "workload_available"
            | "workload_unavailable"
    )
}

/// The golden text of one run: the summary, then the highlights.
pub fn golden_of(file: &Path) -> (String, String) {
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(file).unwrap();
    let scenario =
        parse_scenario(&format!("scenarios/{name}"), &text).unwrap_or_else(|p| panic!("{p}"));
    let mut run = ScenarioRun::new(&scenario, None).unwrap();
    let mut highlights = String::new();
    let end = SimTime::ZERO + scenario.run_for;
    while run.sim.now() < end {
        let next = (run.sim.now() + ha_sim::SimDuration::from_secs(1)).min(end);
        run.advance_to(next);
        for event in run.sim.drain_events().iter().filter(|e| highlight(e)) {
            let ms = event.t.as_millis();
            highlights.push_str(&format!(
                "{:>5}.{:03}s  {:<13} {:<22} {}\n",
                ms / 1000,
                ms % 1000,
                event.node.as_deref().unwrap_or("-"),
                event.kind.name(),
                event.message
            ));
        }
    }
    let golden = format!(
        "# {}\n# {}\n\n{}\n\n{highlights}",
        scenario.title,
        scenario.description,
        summary_json(&run.sim, true)
    );
    (scenario.id, golden)
}

#[test]
fn every_scenario_runs_headless_deterministically_and_matches_its_golden() {
    // Reference: SCENARIOS.md (the runner's summary; equal inputs, equal trace_hash).
    let bless = std::env::var("HA_SIM_BLESS").is_ok_and(|v| v == "1");
    let golden_dir = scenarios_dir().join("golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 14, "the shipped scenarios are missing");
    let mut mismatches = Vec::new();
    for file in &files {
        let (id, golden) = golden_of(file);
        let (_, again) = golden_of(file);
        assert_eq!(golden, again, "{id}: two runs differ");
        let path = golden_dir.join(format!("{id}.txt"));
        if bless {
            std::fs::create_dir_all(&golden_dir).unwrap();
            std::fs::write(&path, &golden).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == golden => {}
            Ok(expected) => {
                let first_difference = expected
                    .lines()
                    .zip(golden.lines())
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| format!("\n  golden: {a}\n  now:    {b}"))
                    .unwrap_or_default();
                mismatches.push(format!(
                    "{id}: differs from {}{first_difference}",
                    path.display()
                ));
            }
            Err(_) => mismatches.push(format!("{id}: no golden at {}", path.display())),
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n\nIf the change is intended, accept it with: HA_SIM_BLESS=1 cargo test -p ha-sim --test sim scenarios",
        mismatches.join("\n")
    );
}
