//! One component per file. Each reads the lab from the context that
//! [`lab_provider::LabProvider`] holds and sends it [`crate::state::LabAction`]s.

pub mod cluster_view;
pub mod event_log;
pub mod fault_panel;
pub mod inspector;
pub mod kubectl_panel;
pub mod lab_page;
pub mod lab_provider;
pub mod lazy;
pub mod lease_panel;
pub mod lesson_index;
pub mod lesson_panel;
pub mod notices;
pub mod settings;
pub mod share;
pub mod time_controls;
pub mod timeline;
