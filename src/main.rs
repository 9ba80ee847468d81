//! The HA Lab web app's entry point: it only mounts the app (see `lib.rs`).

fn main() {
    ha_lab::mount();
}
