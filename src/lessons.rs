//! The lessons shipped with the site: every file in `lessons/`, built in, in
//! course order, and the learner's progress through them, kept in the
//! browser's local storage.

use std::sync::OnceLock;

use ha_sim::lesson::{Lesson, parse_lesson};

use crate::scenarios;

/// Every bundled lesson, in the order the index lists them, with its file's text.
pub const LESSONS: &[(&str, &str)] = &[
    (
        "why-a-second-master",
        include_str!("../lessons/why-a-second-master.toml"),
    ),
    (
        "apiservers-active-active",
        include_str!("../lessons/apiservers-active-active.toml"),
    ),
    (
        "no-parallel-controllers",
        include_str!("../lessons/no-parallel-controllers.toml"),
    ),
    (
        "leader-election-timings",
        include_str!("../lessons/leader-election-timings.toml"),
    ),
    (
        "graceful-stop-versus-crash",
        include_str!("../lessons/graceful-stop-versus-crash.toml"),
    ),
    (
        "stacked-etcd-quorum",
        include_str!("../lessons/stacked-etcd-quorum.toml"),
    ),
    (
        "external-etcd",
        include_str!("../lessons/external-etcd.toml"),
    ),
    (
        "quorum-arithmetic",
        include_str!("../lessons/quorum-arithmetic.toml"),
    ),
    (
        "five-node-design",
        include_str!("../lessons/five-node-design.toml"),
    ),
];

/// Every bundled lesson, parsed once.
pub fn all() -> &'static [Lesson] {
    static ALL: OnceLock<Vec<Lesson>> = OnceLock::new();
    ALL.get_or_init(|| {
        LESSONS
            .iter()
            .filter_map(|(id, text)| {
                parse_lesson(&format!("{id}.toml"), text, &scenarios::scenario).ok()
            })
            .collect()
    })
}

/// The bundled lesson `id`.
pub fn lesson(id: &str) -> Option<&'static Lesson> {
    all().iter().find(|l| l.id == id)
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
    fn every_lesson_file_is_bundled_and_reads() {
        let mut files: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .map(|n| n.trim_end_matches(".toml").to_owned())
                .collect();
        files.sort();
        let mut bundled: Vec<String> = LESSONS.iter().map(|(id, _)| id.to_string()).collect();
        bundled.sort();
        assert_eq!(files, bundled, "add every file in lessons/ to LESSONS");
        assert_eq!(all().len(), LESSONS.len(), "every bundled lesson parses");
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
