//! The behaviour of the simulation, as a learner would observe it. One test
//! binary; each module has a purpose comment and each test cites the
//! FIDELITY.md section or Raft paper section it checks.

mod control_plane;
mod etcd;
mod lessons;
mod lifecycle;
mod properties;
mod runner;
mod scenarios;
mod support;
