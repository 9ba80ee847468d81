//! The scenarios shipped with the site: every file in `scenarios/`, built
//! in by `build.rs`, so that `?scenario=<id>` works offline and from any
//! static host.
//!
//! `build.rs` leaves out the files' comment lines, half of their text. A
//! scenario's leading comment is its description, which the page never
//! shows, so a scenario read here has an empty `description`; `ha-sim` and
//! the tests read the files themselves.

use std::cell::RefCell;

use ha_sim::scenario::{Scenario, parse_scenario};

use crate::components::lazy::Unavailable;

/// Every bundled scenario, by id, with its file's text less its comment
/// lines, in id order.
pub const SCENARIOS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));

thread_local! {
    /// Every bundled scenario, parsed, once something needed one; or why
    /// the scenario reader could not be loaded.
    static READ: RefCell<Option<Result<Vec<Scenario>, String>>> = const { RefCell::new(None) };
}

/// Reads every bundled scenario, unless done already. The scenario reader
/// (the TOML parser and the scenario checks) is not in the first load of the
/// split release build (`components::lazy`): code in a part calls this,
/// code outside awaits [`load`] first (the app does, for a link that names
/// a scenario).
pub fn read() {
    READ.with_borrow_mut(|read| {
        if !matches!(read, Some(Ok(_))) {
            *read = Some(Ok(SCENARIOS
                .iter()
                .filter_map(|(id, text)| parse_scenario(&format!("{id}.toml"), text).ok())
                .collect()));
        }
    });
}

crate::split! { scenarios: fn read_part() -> () { read() } }

/// Loads the scenario reader and reads the scenarios, or keeps why it could
/// not be loaded (until a part that has the reader reads them).
pub async fn load() {
    if let Err(Unavailable) = read_part().await {
        READ.with_borrow_mut(|read| {
            *read = Some(Err(
                "the scenario reader could not be loaded: check the connection and reload".into(),
            ));
        });
    }
}

/// The bundled scenario `id` (`None` if there is none), or why the
/// scenarios could not be read.
pub fn find(id: &str) -> Result<Option<Scenario>, String> {
    // With one module, the reader is here: read on first use.
    #[cfg(not(ha_lab_split))]
    read();
    READ.with_borrow(|read| {
        match read
            .as_ref()
            .expect("scenarios::load() or scenarios::read() comes first")
        {
            Ok(all) => Ok(all.iter().find(|s| s.id == id).cloned()),
            Err(why) => Err(why.clone()),
        }
    })
}

/// The bundled scenario `id`, if there is one and it could be read.
pub fn scenario(id: &str) -> Option<Scenario> {
    find(id).ok().flatten()
}

/// Every bundled scenario's id and title, parsed once (menus render often).
pub fn titles() -> &'static [(String, String)] {
    static TITLES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    TITLES.get_or_init(|| {
        ids()
            .filter_map(scenario)
            .map(|s| (s.id, s.title))
            .collect()
    })
}

/// The ids, for menus and error messages.
pub fn ids() -> impl Iterator<Item = &'static str> {
    SCENARIOS.iter().map(|(id, _)| *id)
}

/// The ids of the `.toml` files in the project's folder `dir`, sorted (for
/// tests that check a list against its folder).
#[cfg(test)]
pub fn toml_ids_in(dir: &str) -> Vec<String> {
    let path = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut ids: Vec<String> = std::fs::read_dir(path)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_scenarios_folder_is_bundled_and_reads_as_the_file_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        assert_eq!(ids().collect::<Vec<_>>(), toml_ids_in("scenarios"));
        for (id, bundled) in SCENARIOS {
            let file = std::fs::read_to_string(format!("{dir}/{id}.toml")).unwrap();
            assert!(bundled.len() < file.len(), "{id}: comment lines left out");
            assert!(!bundled.lines().any(|l| l.starts_with('#')), "{id}");
            let read = scenario(id).unwrap_or_else(|| panic!("{id} does not parse"));
            let mut whole = parse_scenario(&format!("{id}.toml"), &file).unwrap();
            assert!(!whole.description.is_empty(), "{id}");
            whole.description.clear();
            assert_eq!(read, whole, "{id}: the same scenario, less its description");
        }
    }
}
