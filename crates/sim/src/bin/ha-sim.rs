//! The `ha-sim` command-line runner.
//!
//! `ha-sim bench` measures how fast the engine simulates; `ha-sim nodes`
//! describes the default cluster. Running scenario files (`run`, `check`,
//! SCENARIOS.md) comes with the control-plane model.

use std::process::ExitCode;
use std::time::Instant;

use ha_sim::etcd::benchmark::BenchmarkConfig;
use ha_sim::{Cluster, EtcdTopology, Sim, SimConfig, SimDuration, SimTime};

const USAGE: &str = "\
usage: ha-sim <command>

commands:
  bench     measure simulated seconds per wall-clock second (build with --release)
  nodes     print the default cluster's nodes and the processes on each
  help      print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["bench"] => {
            bench();
            ExitCode::SUCCESS
        }
        ["nodes"] => {
            for node in Cluster::default().nodes() {
                let processes: Vec<&str> = node.processes.iter().map(|p| p.name()).collect();
                println!(
                    "{}\t{}\t{}",
                    node.name,
                    node.role.description(),
                    processes.join(",")
                );
            }
            ExitCode::SUCCESS
        }
        ["help"] | ["--help"] | ["-h"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        [] => {
            eprint!("ha-sim: a command is required\n\n{USAGE}");
            ExitCode::from(2)
        }
        [other, ..] => {
            eprint!("ha-sim: unknown command '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// One measured configuration.
struct Workload {
    name: &'static str,
    config: SimConfig,
}

fn etcd_only(members: u8, writes_per_second: u64) -> SimConfig {
    let mut config = SimConfig::new(
        1,
        Cluster {
            masters: 1,
            etcd: EtcdTopology::External { members },
            workers: 0,
            load_balancer: false,
        },
    );
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
            name: "etcd, 3 members, 10 writes/s",
            config: etcd_only(3, 10),
        },
        Workload {
            name: "etcd, 7 members, 10 writes/s",
            config: etcd_only(7, 10),
        },
    ];
    let hour = SimDuration::from_secs(3_600);
    println!(
        "{:<34} {:>14} {:>16} {:>10}",
        "workload", "sim s / wall s", "1 sim hour (ms)", "events"
    );
    for workload in workloads {
        let mut sim = Sim::new(workload.config).expect("a valid workload");
        // Start-up (boot, first election) is not what is measured.
        sim.advance_to(SimTime::from_secs(10));
        sim.drain_events();
        let start = Instant::now();
        let mut events = 0usize;
        let end = sim.now() + hour;
        while sim.now() < end {
            sim.advance_by(SimDuration::from_secs(60));
            events += sim.drain_events().len();
        }
        let wall = start.elapsed();
        let speed = hour.as_secs() as f64 / wall.as_secs_f64();
        println!(
            "{:<34} {:>14.0} {:>16.1} {:>10}",
            workload.name,
            speed,
            wall.as_secs_f64() * 1e3,
            events
        );
    }
}
