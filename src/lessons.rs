//! The lessons shipped with the site: every file in `lessons/`, in course
//! order, and the learner's progress through them, kept in the browser's
//! local storage.
//!
//! The lesson texts are not built into the page: they are a quarter of its
//! text, and the lab's first load needs none of them. The site ships them as
//! `lessons/<id>.toml` beside the page (Trunk copies the folder), and the app
//! fetches a lesson when a link opens it (`lesson=<id>`) or the lesson index
//! lists them. A fetched lesson is parsed once and kept for the page's life.

use std::cell::RefCell;
use std::rc::Rc;

use ha_sim::lesson::{Lesson, parse_lesson};

use crate::components::lazy::Unavailable;
use crate::scenarios;

/// Every lesson, by id (its file is `lessons/<id>.toml`), in the order the
/// index lists them.
pub const IDS: &[&str] = &[
    "why-a-second-master",
    "apiservers-active-active",
    "no-parallel-controllers",
    "leader-election-timings",
    "graceful-stop-versus-crash",
    "stacked-etcd-quorum",
    "external-etcd",
    "quorum-arithmetic",
    "five-node-design",
];

/// A lesson as loaded: parsed, or why it could not be fetched or read (kept
/// for the page's life, like a lesson: reloading the page tries again).
pub type Loaded = Result<Rc<Lesson>, String>;

thread_local! {
    /// The lessons loaded so far, by id.
    static LOADED: RefCell<Vec<(String, Loaded)>> = const { RefCell::new(Vec::new()) };
}

/// Lesson `id` as loaded so far (`None`: not loaded yet).
pub fn get(id: &str) -> Option<Loaded> {
    LOADED.with_borrow(|loaded| {
        loaded
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, lesson)| lesson.clone())
    })
}

/// Lesson `id`, if it is loaded and reads.
pub fn lesson(id: &str) -> Option<Rc<Lesson>> {
    get(id).and_then(Result::ok)
}

/// Reads lesson `id` from its file's `text` and keeps it (as the browser
/// tests load lessons).
pub fn add(id: &str, text: &str) -> Loaded {
    keep(id, read(id, text))
}

/// Lesson `id` read from its file's `text`, or the parser's message, which
/// names the file and the line.
fn read(id: &str, text: &str) -> Loaded {
    // A lesson names scenarios: the reader is in this part too.
    scenarios::read();
    parse_lesson(&path(id), text, &scenarios::scenario)
        .map(Rc::new)
        .map_err(|problems| problems.to_string())
}

// The lesson reader is a part of its own: the lab without a lesson never runs it.
crate::split! { lessons: fn read_part(id: &str, text: &str) -> Loaded { read(id, text) } }

fn keep(id: &str, lesson: Loaded) -> Loaded {
    LOADED.with_borrow_mut(|loaded| {
        loaded.retain(|(i, _)| i != id);
        loaded.push((id.to_owned(), lesson.clone()));
    });
    lesson
}

/// Lesson `id`: as loaded, or fetched from `lessons/<id>.toml` (relative to
/// the page, so the site works from any path of any host) and read.
pub async fn load(id: &str) -> Loaded {
    match get(id) {
        Some(loaded) => loaded,
        None => fetched(id, fetch(id)).await,
    }
}

/// Every lesson, in course order, each loaded or with why not. The files
/// are all requested at once.
pub async fn load_all() -> Vec<(&'static str, Loaded)> {
    let requests: Vec<_> = IDS
        .iter()
        .map(|id| (*id, get(id).ok_or_else(|| fetch(id))))
        .collect();
    let mut all = Vec::with_capacity(IDS.len());
    for (id, request) in requests {
        let loaded = match request {
            Ok(loaded) => loaded,
            Err(response) => fetched(id, response).await,
        };
        all.push((id, loaded));
    }
    all
}

fn path(id: &str) -> String {
    format!("lessons/{id}.toml")
}

/// Starts fetching lesson `id`'s file.
fn fetch(id: &str) -> Option<js_sys::Promise> {
    Some(web_sys::window()?.fetch_with_str(&path(id)))
}

/// Reads lesson `id` from its fetched file, and keeps it or why it could not
/// be fetched.
async fn fetched(id: &str, response: Option<js_sys::Promise>) -> Loaded {
    let lesson = match text(&path(id), response).await {
        Ok(text) => read_part(id, &text).await.unwrap_or_else(|Unavailable| {
            Err(format!(
                "{}: the lesson reader could not be loaded: check the connection and reload",
                path(id)
            ))
        }),
        Err(why) => Err(why),
    };
    keep(id, lesson)
}

/// The text of the file at `path` from its `response`, or why not.
async fn text(path: &str, response: Option<js_sys::Promise>) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let unreachable = || format!("{path} could not be fetched: check the connection and reload");
    let response: web_sys::Response = JsFuture::from(response.ok_or_else(unreachable)?)
        .await
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or_else(unreachable)?;
    if !response.ok() {
        let status = response.status();
        let why = if status == 404 {
            "the site is missing the file"
        } else {
            "the server could not send it: reload to try again"
        };
        return Err(format!(
            "{path} could not be fetched (HTTP {status}): {why}"
        ));
    }
    JsFuture::from(response.text().map_err(|_| unreachable())?)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(unreachable)
}

/// Lesson `id` read from `lessons/` on disk, as the site would fetch it (for
/// native tests, which have no page to fetch from).
#[cfg(test)]
pub fn add_from_disk(id: &str) -> Loaded {
    let file = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), path(id));
    add(id, &std::fs::read_to_string(file).unwrap_or_default())
}

/// How far a learner got through a lesson.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The step the learner is on (0-based).
    pub step: usize,
    /// The steps whose observe condition the learner has seen met.
    pub done: Vec<usize>,
}

impl Progress {
    /// Whether every step of `lesson` is done.
    pub fn complete(&self, lesson: &Lesson) -> bool {
        (0..lesson.steps.len()).all(|i| self.done.contains(&i))
    }

    /// The stored form: `step=2;done=0,1`.
    pub fn encode(&self) -> String {
        let done: Vec<String> = self.done.iter().map(usize::to_string).collect();
        format!("step={};done={}", self.step, done.join(","))
    }

    /// Reads the stored form; anything unreadable is no progress.
    pub fn decode(text: &str) -> Progress {
        let mut progress = Progress::default();
        for part in text.split(';') {
            match part.split_once('=') {
                Some(("step", n)) => progress.step = n.parse().unwrap_or(0),
                Some(("done", list)) => {
                    progress.done = list.split(',').filter_map(|n| n.parse().ok()).collect();
                    progress.done.sort_unstable();
                    progress.done.dedup();
                }
                _ => {}
            }
        }
        progress
    }

    /// The learner's progress through `lesson`, from local storage, within
    /// the lesson's steps (a lesson may have changed since).
    pub fn load(lesson: &Lesson) -> Progress {
        let stored = storage()
            .and_then(|s| s.get_item(&key(&lesson.id)).ok().flatten())
            .map(|text| Progress::decode(&text))
            .unwrap_or_default();
        let steps = lesson.steps.len();
        Progress {
            step: stored.step.min(steps.saturating_sub(1)),
            done: stored.done.into_iter().filter(|&i| i < steps).collect(),
        }
    }

    /// Keeps the progress in local storage (silently not, where storage is
    /// refused, as in some embedded frames).
    pub fn save(&self, lesson_id: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(&key(lesson_id), &self.encode());
        }
    }
}

fn key(lesson_id: &str) -> String {
    format!("ha-lab.lesson.{lesson_id}")
}

fn storage() -> Option<web_sys::Storage> {
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_file_is_listed_and_reads() {
        let files = crate::scenarios::toml_ids_in("lessons");
        let mut listed: Vec<String> = IDS.iter().map(|id| id.to_string()).collect();
        listed.sort();
        assert_eq!(files, listed, "add every file in lessons/ to IDS");
        for id in IDS {
            let read = add_from_disk(id).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read.id, *id);
            assert_eq!(lesson(id), Some(read));
        }
    }

    #[test]
    fn a_file_that_does_not_read_is_kept_with_the_parsers_message() {
        let error = add("broken", "title = \"Broken\"\nstart = ").unwrap_err();
        assert!(error.starts_with("lessons/broken.toml:"), "{error}");
        assert_eq!(get("broken"), Some(Err(error)));
        assert_eq!(lesson("broken"), None);
        assert_eq!(get("never-loaded"), None);
    }

    #[test]
    fn progress_reads_back_what_it_stored_and_ignores_garbage() {
        for progress in [
            Progress::default(),
            Progress {
                step: 3,
                done: vec![0, 1, 2],
            },
            Progress {
                step: 0,
                done: vec![4],
            },
        ] {
            assert_eq!(Progress::decode(&progress.encode()), progress);
        }
        assert_eq!(
            Progress::decode("nonsense;step=x;done=a,,2"),
            Progress {
                step: 0,
                done: vec![2]
            }
        );
    }
}
