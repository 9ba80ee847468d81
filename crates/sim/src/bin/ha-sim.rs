//! The `ha-sim` command-line runner.
//!
//! Today it describes the default cluster; `run`, `check` and `bench` over
//! scenario files (SCENARIOS.md) come with the control-plane model.

use std::process::ExitCode;

use ha_sim::Cluster;

const USAGE: &str = "\
usage: ha-sim <command>

commands:
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
