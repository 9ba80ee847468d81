//! One component per file.

pub mod cluster_view;
