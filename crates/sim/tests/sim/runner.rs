//! The `ha-sim` runner as course authors and CI use it (SCENARIOS.md): JSON
//! Lines and summaries that parse, and bad input refused with a message that
//! says what to fix and exit code 2, never a panic. Also the parsers under
//! arbitrary text.

use std::path::PathBuf;
use std::process::{Command, Output};

use ha_sim::SimDuration;
use ha_sim::rng::SimRng;
use ha_sim::scenario::parse_scenario;

fn ha_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ha-sim"))
        .args(args)
        .output()
        .expect("the runner starts")
}

/// Writes `text` to a file named `name` in a fresh temporary directory.
fn scenario_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ha-sim-runner-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const VALID: &str = r#"
id = "tiny"
title = "A tiny run"
seed = 3
run_for = "30s"

[[actions]]
at = "25s"
action = "kill-node"
target = "leader:kube-controller-manager"
"#;

#[test]
fn run_prints_one_json_event_per_line_with_the_required_fields_in_time_order() {
    let file = scenario_file("tiny.toml", VALID);
    let output = ha_sim(&["run", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut last = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for line in stdout.lines() {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let t = event["t_ms"].as_u64().expect("t_ms is a number");
        assert!(t >= last, "out of order: {line}");
        last = t;
        for field in ["kind", "component", "message"] {
            assert!(event[field].is_string(), "{field} missing: {line}");
        }
        assert!(
            event["node"].is_string() || event["node"].is_null(),
            "{line}"
        );
        kinds.insert(event["kind"].as_str().unwrap().to_owned());
        if event["kind"] == "lease_acquired" {
            assert!(
                event["lease"].is_string()
                    && event["holder_identity"].is_string()
                    && event["lease_transitions"].is_number()
            );
        }
        if event["kind"] == "action" {
            assert_eq!(event["action"], "kill-node");
            assert_eq!(event["target"], "leader:kube-controller-manager");
        }
    }
    for kind in [
        "action",
        "node_up",
        "node_down",
        "process_started",
        "lease_acquired",
        "lease_renewed",
        "etcd_leader_elected",
        "apiserver_healthy",
        "pod_created",
    ] {
        assert!(kinds.contains(kind), "no {kind} event in {kinds:?}");
    }
}

#[test]
fn run_summary_prints_the_fields_scenarios_md_promises_and_the_same_seed_gives_the_same_hash() {
    let file = scenario_file("tiny.toml", VALID);
    let path = file.to_str().unwrap();
    let summary = |extra: &[&str]| {
        let mut args = vec!["run", path, "--summary"];
        args.extend_from_slice(extra);
        let output = ha_sim(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = String::from_utf8(output.stdout).unwrap();
        assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    let a = summary(&[]);
    assert_eq!(a["t_ms"], 30_000);
    for lease in [
        "kube-system/kube-controller-manager",
        "kube-system/kube-scheduler",
    ] {
        let lease = &a["leases"][lease];
        assert!(lease["holder_node"].is_string() || lease["holder_node"].is_null());
        assert!(lease["holder_identity"].is_string() && lease["lease_transitions"].is_number());
    }
    for field in ["leader", "term", "quorum", "members_up", "members"] {
        assert!(
            !a["etcd"][field].is_null() || field == "leader",
            "etcd.{field}"
        );
    }
    assert!(a["apiservers_healthy"].is_array() && a["lb_backends_up"].is_array());
    assert!(a["pods"]["desired"].is_number() && a["pods"]["running"].is_number());
    assert_eq!(a, summary(&[]), "the same inputs give the same summary");
    let b = summary(&["--seed", "4", "--until", "12s"]);
    assert_eq!(b["t_ms"], 12_000);
    assert_ne!(a["trace_hash"], b["trace_hash"]);
}

#[test]
fn bad_input_gets_a_message_that_says_what_to_fix_and_exit_code_2() {
    let valid = scenario_file("tiny.toml", VALID);
    let valid = valid.to_str().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![], "a command is required"),
        (vec!["fly".into()], "unknown command 'fly'"),
        (vec!["run".into()], "run needs a scenario file"),
        (
            vec!["run".into(), "/nonexistent/x.toml".into()],
            "cannot read /nonexistent/x.toml",
        ),
        (
            vec!["run".into(), valid.into(), "--seed".into(), "seven".into()],
            "--seed must be a whole number",
        ),
        (
            vec!["run".into(), valid.into(), "--until".into(), "90".into()],
            "--until: missing unit in duration \"90\"",
        ),
        (
            vec!["run".into(), valid.into(), "--fast".into()],
            "unknown option '--fast'",
        ),
        (vec!["check".into()], "check needs at least one file"),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = ha_sim(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn invalid_scenarios_are_refused_naming_the_file_the_key_and_the_problem() {
    let cases = [
        (
            "flags.toml",
            "id = \"flags\"\ntitle = \"t\"\n[kube-controller-manager]\nleader-elect-lease-duration = \"15s\"\nleader-elect-renew-deadline = \"20s\"\n",
            "flags.toml: kube-controller-manager: leaseDuration must be greater than renewDeadline",
        ),
        (
            "retry.toml",
            "id = \"retry\"\ntitle = \"t\"\n[kube-scheduler]\nleader-elect-retry-period = \"9s\"\n",
            "retry.toml: kube-scheduler: renewDeadline must be greater than retryPeriod*JitterFactor",
        ),
        (
            "etcdflags.toml",
            "id = \"etcdflags\"\ntitle = \"t\"\n[etcd]\nheartbeat-interval = \"300ms\"\n",
            "etcdflags.toml: etcd: --election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]",
        ),
        (
            "masters.toml",
            "id = \"masters\"\ntitle = \"t\"\n[cluster]\nmasters = 9\n",
            "masters.toml:4:11: cluster.masters: must be 1 to 7 (got 9)",
        ),
        (
            "unknown.toml",
            "id = \"unknown\"\ntitle = \"t\"\n[cluster]\nmaster = 3\n",
            "unknown.toml:4:1: cluster.master: unknown key; expected one of: masters, etcd, etcd_members, workers, load_balancer",
        ),
        (
            "target.toml",
            "id = \"target\"\ntitle = \"t\"\n[[actions]]\nat = \"5s\"\naction = \"kill-node\"\ntarget = \"master-4\"\n",
            "target.toml:6:10: actions[0].target: there is no node named \"master-4\" in this cluster",
        ),
        (
            "process.toml",
            "id = \"process\"\ntitle = \"t\"\n[[actions]]\nat = \"5s\"\naction = \"kill-process\"\ntarget = \"worker-1/etcd\"\n",
            "actions[0].target: worker-1 runs no etcd",
        ),
        (
            "named.toml",
            "id = \"other\"\ntitle = \"t\"\n",
            "named.toml:1:6: id: \"other\" must equal the file name without .toml (\"named\")",
        ),
        (
            "late.toml",
            "id = \"late\"\ntitle = \"t\"\nrun_for = \"10s\"\n[[actions]]\nat = \"20s\"\naction = \"heal\"\n",
            "actions[0].at: 20s is after run_for (10s): the action would never run",
        ),
        (
            "syntax.toml",
            "id = \"syntax\"\ntitle = \"t\n",
            "syntax.toml:2:9: unterminated string",
        ),
        (
            "float.toml",
            "id = \"float\"\ntitle = \"t\"\nrun_for = 1.5\n",
            "floating-point numbers are not supported",
        ),
    ];
    for (name, text, expected) in cases {
        let file = scenario_file(name, text);
        let output = ha_sim(&["check", file.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let message = stderr(&output);
        assert!(
            message.contains(expected),
            "{name}: expected {expected:?} in:\n{message}"
        );
        assert!(!message.contains("panicked"), "{name}: {message}");
    }
    let ok = scenario_file("tiny.toml", VALID);
    let output = ha_sim(&["check", ok.to_str().unwrap()]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).ends_with("tiny.toml: ok\n"));
}

/// Random text from an alphabet rich in TOML and duration syntax.
fn random_text(rng: &mut SimRng, len: u64) -> String {
    const PIECES: &[&str] = &[
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        "=",
        "\"",
        "'",
        "#",
        "\n",
        ",",
        ".",
        "-",
        "_",
        "s",
        "ms",
        "m",
        "h",
        "µs",
        "1",
        "0",
        "15",
        "99999999999999999999",
        "id",
        "title",
        "seed",
        "run_for",
        "cluster",
        "masters",
        "etcd",
        "actions",
        "at",
        "action",
        "target",
        "groups",
        "kill-node",
        "leader:",
        "master-1",
        "/",
        "true",
        " ",
        "é",
        "\"15s\"",
        "\"stacked\"",
        "replicas",
        "kube-scheduler",
    ];
    (0..len)
        .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
        .collect()
}

#[test]
fn arbitrary_text_never_panics_the_scenario_or_duration_parsers() {
    let mut rng = SimRng::stream(1, "parser-fuzz");
    for case in 0..20_000 {
        let len = rng.below(60);
        let text = random_text(&mut rng, len);
        // Either result is fine; a panic fails the test.
        let _ = parse_scenario("fuzz.toml", &text);
        let _ = SimDuration::parse(&text);
        if case % 10 == 0 {
            // Mutations of a valid file reach deeper.
            let mut bytes: Vec<char> = VALID.chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len() as u64) as usize;
                match rng.below(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, random_text(&mut rng, 1).chars().next().unwrap_or('x')),
                    _ => {
                        let other = rng.below(bytes.len() as u64) as usize;
                        bytes.swap(at, other);
                    }
                }
            }
            let mutated: String = bytes.into_iter().collect();
            let _ = parse_scenario("tiny.toml", &mutated);
        }
    }
}

/// A lesson file in `lessons/`, beside a `scenarios/` folder holding the
/// default scenario, as `ha-sim check` expects to find them.
fn lesson_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ha-sim-lesson-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(dir.join("lessons")).unwrap();
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    let default =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/default.toml");
    std::fs::copy(default, dir.join("scenarios/default.toml")).unwrap();
    let path = dir.join("lessons").join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_refuses_lessons_with_unknown_keys_missing_nodes_and_unreachable_observations() {
    let head = |id: &str| {
        format!("id = \"{id}\"\ntitle = \"T\"\nsummary = \"S\"\nscenario = \"default\"\n")
    };
    let cases = [
        (
            "unknown-key",
            "[[steps]]\ntitle = \"a\"\ntext = \"b\"\ncolour = \"red\"\n",
            "unknown-key.toml:9:1: steps[0].colour: unknown key; expected one of: title, text, scenario, do, predict, observe",
        ),
        (
            "no-such-node",
            "[[steps]]\ntitle = \"a\"\ntext = \"b\"\ndo = { action = \"kill-node\", target = \"master-9\", label = \"Kill\" }\n",
            "steps[0].do.target: there is no node named \"master-9\"",
        ),
        (
            "never-met",
            "[[steps]]\ntitle = \"a\"\ntext = \"b\"\nobserve = { event = \"etcd_quorum_lost\", within = \"30s\" }\n",
            "steps[0] (\"a\"): its observe condition is never met within 30s on the scripted path",
        ),
        (
            "wrong-answer",
            "[[steps]]\ntitle = \"a\"\ntext = \"b\"\ndo = { action = \"kill-node\", target = \"master-1\", label = \"Kill\" }\n\
             predict = { question = \"q\", choices = [{ text = \"no\", when = { state = \"etcd_quorum\", equals = 0 } }, { text = \"yes\", when = { state = \"etcd_quorum\", equals = 1 } }], answer = 1 }\n\
             observe = { event = \"node_down\", node = \"master-1\" }\n",
            "its predict answer is choice 1 (\"no\"), but the simulation makes choice 2 (\"yes\") true",
        ),
        (
            "no-such-step-scenario",
            "[[steps]]\ntitle = \"a\"\ntext = \"b\"\nscenario = \"nope\"\n",
            "steps[0].scenario: there is no scenario \"nope\" in scenarios/",
        ),
        (
            "bad-field",
            "[[steps]]\ntitle = \"a\"\ntext = \"b\"\nobserve = { event = \"node_down\", lease = \"x\" }\n",
            "node_down events have no field \"lease\"; they have: node, component, message",
        ),
    ];
    for (name, steps, expected) in cases {
        let file = lesson_file(&format!("{name}.toml"), &format!("{}\n{steps}", head(name)));
        let output = ha_sim(&["check", file.to_str().unwrap()]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {message}");
        assert!(
            message.contains(expected),
            "{name}: expected {expected:?} in:\n{message}"
        );
        assert!(!message.contains("panicked"), "{name}: {message}");
    }
    let file = lesson_file(
        "no-such-scenario.toml",
        "id = \"no-such-scenario\"\ntitle = \"T\"\nsummary = \"S\"\nscenario = \"nope\"\n\n[[steps]]\ntitle = \"a\"\ntext = \"b\"\n",
    );
    let output = ha_sim(&["check", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(":4:12: scenario: there is no scenario \"nope\" in scenarios/"),
        "{}",
        stderr(&output)
    );
    let ok = lesson_file(
        "fine.toml",
        &format!(
            "{}\n[[steps]]\ntitle = \"a\"\ntext = \"b\"\ndo = {{ action = \"kill-node\", target = \"master-1\", label = \"Kill\" }}\nobserve = {{ event = \"node_down\", node = \"master-1\" }}\n",
            head("fine")
        ),
    );
    let output = ha_sim(&["check", ok.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .ends_with("fine.toml: ok (a lesson: 1 steps followed)\n")
    );
}
