//! `ha-sim`: the deterministic simulation behind HA Lab.
//!
//! This crate models a highly available Kubernetes control plane: nodes,
//! processes, a network that can fail, etcd, the API servers behind a load
//! balancer, and Lease-based leader election. It knows nothing about the
//! browser: the web app (`ha-lab`) renders its state and sends it the
//! learner's actions, and the `ha-sim` binary runs scenario files headless.
//!
//! Architecture invariants (see ARCHITECTURE.md):
//! - no web dependency; the crate builds for native and `wasm32-unknown-unknown` alike;
//! - no wall clock, no OS randomness, no `HashMap` iteration order in the model;
//! - a run is a pure function of its configuration, seed and timed actions.

pub mod action;
pub mod cluster;
pub mod engine;
pub mod etcd;
pub mod event;
pub mod kube;
pub mod lesson;
pub mod network;
pub mod program;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod sorted;
pub mod summary;
pub mod time;
pub mod toml;

pub use action::{Action, NodeRef, Target};
pub use cluster::{Cluster, EtcdTopology, NodeRole, NodeSpec, ProcessKind};
pub use event::{Event, EventKind};
pub use sim::{ConfigError, MessageInFlight, Power, ProcState, Sim, SimConfig};
pub use time::{SimDuration, SimTime};
