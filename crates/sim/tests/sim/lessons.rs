//! Every lesson in `lessons/` runs headless: following its scripted path,
//! each observe condition is met, in order, within its time, and each
//! predict question's answer is what the simulation does.

use std::path::{Path, PathBuf};

use ha_sim::lesson::{LessonRun, Outcome, Predict, parse_lesson};
use ha_sim::scenario::{Scenario, parse_scenario};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scenario(id: &str) -> Option<Scenario> {
    let file = root().join("scenarios").join(format!("{id}.toml"));
    let text = std::fs::read_to_string(&file).ok()?;
    parse_scenario(&file.to_string_lossy(), &text).ok()
}

fn lesson_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("lessons"))
        .expect("lessons/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_lesson_can_be_followed_and_its_answers_are_what_the_simulation_does() {
    let files = lesson_files();
    assert!(!files.is_empty());
    for file in files {
        let name = file.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let lesson = parse_lesson(&name, &text, &scenario).unwrap_or_else(|p| panic!("{p}"));
        let results = LessonRun::new(&lesson, &scenario)
            .play()
            .unwrap_or_else(|e| panic!("{name}: step {}: {}", e.step + 1, e.message));
        assert_eq!(results.len(), lesson.steps.len(), "{name}");
        for (step, result) in lesson.steps.iter().zip(&results) {
            // Observe conditions are met in order, never before their step began.
            assert!(result.met_at >= result.started, "{name}: {}", step.title);
            // The measured outcome agrees with the author's answer.
            match (&step.predict, result.outcome) {
                (Some(Predict::Choice { answer, .. }), Some(Outcome::Choice(right))) => {
                    assert_eq!(right, Some(*answer), "{name}: {}", step.title)
                }
                (
                    Some(Predict::Number {
                        answer, tolerance, ..
                    }),
                    Some(Outcome::Number(n)),
                ) => {
                    assert!(
                        (n - answer).abs() <= *tolerance,
                        "{name}: {}: {n}",
                        step.title
                    )
                }
                (None, None) => {}
                other => panic!("{name}: {}: {other:?}", step.title),
            }
        }
        // Steps follow one another in time, except that a step with its own
        // scenario starts a fresh run (at the lesson's `start`).
        for (i, pair) in results.windows(2).enumerate() {
            assert!(
                pair[0].met_at <= pair[1].started || lesson.steps[i + 1].scenario.is_some(),
                "{name}: {}",
                lesson.steps[i + 1].title
            );
        }
    }
}
