//! The `ha-sim` runner (SCENARIOS.md): runs scenario files headless and
//! prints their events as JSON Lines or a summary, checks files, and measures
//! the engine. Bad input gets a message on stderr and exit code 2, never a panic.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use ha_sim::etcd::benchmark::BenchmarkConfig;
use ha_sim::lesson::{LessonRun, parse_lesson};
use ha_sim::scenario::{Scenario, ScenarioRun, parse_scenario};
use ha_sim::summary::summary_json;
use ha_sim::{Cluster, EtcdTopology, Sim, SimConfig, SimDuration, SimTime};

const USAGE: &str = "\
usage:
  ha-sim run FILE [--seed N] [--until DURATION] [--summary]
      run a scenario and print its events as JSON Lines, or with --summary
      one JSON object after the run
  ha-sim check FILE...
      validate scenario and lesson files (a lesson is a file with [[steps]];
      its scenario is read from scenarios/ beside its lessons/ folder, and
      it is followed headless to check that every observe condition is met
      and every predict answer is right); exit 0, or print each problem
      and exit 2
  ha-sim bench
      measure simulated seconds per wall-clock second (build with --release)
";

/// A usage or input error: the message for stderr.
struct Fail(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("check") => check(&args[1..]),
        Some("bench") if args.len() == 1 => {
            bench();
            Ok(())
        }
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Fail(format!("unknown command '{other}'"))),
        None => Err(Fail("a command is required".to_owned())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(message)) => {
            eprintln!("ha-sim: {message}");
            if !message.contains('\n') && !message.contains(".toml") {
                eprint!("\n{USAGE}");
            }
            ExitCode::from(2)
        }
    }
}

fn read(file: &str) -> Result<String, Fail> {
    std::fs::read_to_string(file).map_err(|e| Fail(format!("cannot read {file}: {e}")))
}

fn run(args: &[String]) -> Result<(), Fail> {
    let mut file = None;
    let mut seed = None;
    let mut until = None;
    let mut summary = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--seed" => {
                let value = rest
                    .next()
                    .ok_or_else(|| Fail("--seed needs a value, such as --seed 7".to_owned()))?;
                seed = Some(value.parse::<u64>().map_err(|_| {
                    Fail(format!(
                        "--seed must be a whole number from 0 to {}, not '{value}'",
                        u64::MAX
                    ))
                })?);
            }
            "--until" => {
                let value = rest.next().ok_or_else(|| {
                    Fail("--until needs a duration, such as --until 90s".to_owned())
                })?;
                until = Some(SimDuration::parse(value).map_err(|e| Fail(format!("--until: {e}")))?);
            }
            "--summary" => summary = true,
            flag if flag.starts_with('-') => return Err(Fail(format!("unknown option '{flag}'"))),
            path if file.is_none() => file = Some(path.to_owned()),
            extra => {
                return Err(Fail(format!(
                    "run takes one file; '{extra}' is one too many"
                )));
            }
        }
    }
    let file = file.ok_or_else(|| Fail("run needs a scenario file".to_owned()))?;
    let scenario =
        parse_scenario(&file, &read(&file)?).map_err(|problems| Fail(problems.to_string()))?;
    let mut run = ScenarioRun::new(&scenario, seed).map_err(|e| Fail(format!("{file}: {e}")))?;
    let end = SimTime::ZERO + until.unwrap_or(scenario.run_for);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut line = String::new();
    // Advance a second at a time so that memory stays flat on long runs.
    while run.sim.now() < end {
        let next = (run.sim.now() + SimDuration::from_secs(1)).min(end);
        run.advance_to(next);
        let events = run.sim.drain_events();
        if !summary {
            for event in events {
                line.clear();
                event.write_json(&mut line);
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if summary {
        let _ = writeln!(out, "{}", summary_json(&run.sim, false));
    }
    let _ = out.flush();
    Ok(())
}

fn check(files: &[String]) -> Result<(), Fail> {
    if files.is_empty() {
        return Err(Fail("check needs at least one file".to_owned()));
    }
    let mut problems = Vec::new();
    for file in files {
        match read(file).and_then(|text| check_file(file, &text)) {
            Ok(what) => println!("{file}: ok{what}"),
            Err(Fail(message)) => problems.push(message),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Fail(problems.join("\n")))
    }
}

/// Checks one scenario or lesson file; for a lesson, says how far it was followed.
fn check_file(file: &str, text: &str) -> Result<String, Fail> {
    let is_lesson = ha_sim::toml::parse(text).is_ok_and(|root| root.get("steps").is_some());
    if !is_lesson {
        parse_scenario(file, text).map_err(|p| Fail(p.to_string()))?;
        return Ok(String::new());
    }
    // The lesson's scenarios live in scenarios/, beside its lessons/ folder.
    let path = std::path::Path::new(file);
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let scenarios = dir.join("..").join("scenarios");
    let find = |id: &str| -> Option<Scenario> {
        let file = scenarios.join(format!("{id}.toml"));
        let text = std::fs::read_to_string(&file).ok()?;
        parse_scenario(&file.to_string_lossy(), &text).ok()
    };
    let lesson = parse_lesson(file, text, &find).map_err(|p| Fail(p.to_string()))?;
    LessonRun::new(&lesson, &find).play().map_err(|e| {
        Fail(format!(
            "{file}: steps[{}] (\"{}\"): {}",
            e.step, lesson.steps[e.step].title, e.message
        ))
    })?;
    Ok(format!(
        " (a lesson: {} steps followed)",
        lesson.steps.len()
    ))
}

/// One measured configuration.
struct Workload {
    name: &'static str,
    config: SimConfig,
}

fn cluster(masters: u8, etcd: EtcdTopology, workers: u8) -> SimConfig {
    SimConfig::new(
        1,
        Cluster {
            masters,
            etcd,
            workers,
            load_balancer: true,
        },
    )
}

fn etcd_only(members: u8, writes_per_second: u64) -> SimConfig {
    let mut config = cluster(1, EtcdTopology::External { members }, 0);
    config.cluster.load_balancer = false;
    config.kubectl_server = "master-1".to_owned();
    config.etcd_only = true;
    config.etcd_benchmark = Some(BenchmarkConfig {
        interval: SimDuration::from_micros(1_000_000 / writes_per_second),
        keys: 1_000,
    });
    config
}

/// Simulates one hour of each workload and prints the speed. The wall clock
/// is read here, in the runner, never in the simulation.
fn bench() {
    if cfg!(debug_assertions) {
        eprintln!("ha-sim bench: this is a debug build; the figures mean little (use --release)");
    }
    let workloads = [
        Workload {
            name: "default cluster (3 stacked masters, LB, 2 workers)",
            config: cluster(3, EtcdTopology::Stacked, 2),
        },
        Workload {
            name: "7 masters, 5 external etcd, LB, 5 workers",
            config: cluster(7, EtcdTopology::External { members: 5 }, 5),
        },
        Workload {
            name: "etcd alone, 3 members, 10 writes/s",
            config: etcd_only(3, 10),
        },
        Workload {
            name: "etcd alone, 7 members, 10 writes/s",
            config: etcd_only(7, 10),
        },
    ];
    let hour = SimDuration::from_secs(3_600);
    println!(
        "{:<52} {:>14} {:>17} {:>9}",
        "workload", "sim s / wall s", "1 sim hour (ms)", "events"
    );
    for workload in workloads {
        let mut sim = Sim::new(workload.config).expect("a valid workload");
        // Start-up (boot, first elections) is not what is measured.
        sim.advance_to(SimTime::from_secs(30));
        sim.drain_events();
        let start = Instant::now();
        let mut events = 0usize;
        let end = sim.now() + hour;
        while sim.now() < end {
            sim.advance_by(SimDuration::from_secs(60));
            events += sim.drain_events().len();
        }
        let wall = start.elapsed();
        println!(
            "{:<52} {:>14.0} {:>17.1} {:>9}",
            workload.name,
            hour.as_secs() as f64 / wall.as_secs_f64(),
            wall.as_secs_f64() * 1e3,
            events
        );
    }
}
