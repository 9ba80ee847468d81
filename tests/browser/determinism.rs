//! The simulation gives the same trace in the browser as natively.

use wasm_bindgen_test::wasm_bindgen_test;

/// The trace hash a golden file records (`"trace_hash": "…"`).
fn golden_trace_hash(golden: &str) -> &str {
    let start = golden
        .find("\"trace_hash\": \"")
        .expect("a golden has a trace hash")
        + 15;
    &golden[start..start + 16]
}

#[wasm_bindgen_test]
fn a_scenario_run_in_the_browser_gives_the_same_trace_as_the_native_golden() {
    // STYLE.md: the same scenario and seed give the same trace on native and wasm.
    let text = include_str!("../../scenarios/kill-controller-manager-leader.toml");
    let golden = include_str!("../../scenarios/golden/kill-controller-manager-leader.txt");
    let scenario =
        ha_sim::scenario::parse_scenario("kill-controller-manager-leader.toml", text).unwrap();
    let mut run = ha_sim::scenario::ScenarioRun::new(&scenario, None).unwrap();
    run.advance_to(ha_sim::SimTime::ZERO + scenario.run_for);
    assert_eq!(run.sim.trace_hash(), golden_trace_hash(golden));
}
