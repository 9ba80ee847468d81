//! Builds every scenario file in `scenarios/` into the page (see
//! `src/scenarios.rs`): the table of ids and texts, in id order, with
//! each file's comment lines left out, since the page never shows them and
//! they are half of the text.

use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn main() {
    println!("cargo::rerun-if-changed=scenarios");
    let mut files: Vec<_> = fs::read_dir("scenarios")
        .expect("the scenarios/ folder")
        .map(|entry| entry.expect("a scenarios/ entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort_by_key(|path| path.file_stem().map(ToOwned::to_owned));
    let mut table = String::from("&[\n");
    for path in files {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name");
        let text = fs::read_to_string(&path).expect("a UTF-8 scenario file");
        writeln!(table, "    ({id:?}, {:?}),", without_comment_lines(&text)).unwrap();
    }
    table.push(']');
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("scenarios.rs");
    fs::write(out, table).expect("writing the scenario table");
}

/// `text` without its whole-line comments (a line inside a multi-line
/// string is kept, whatever it starts with).
fn without_comment_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_multiline = false;
    for line in text.lines() {
        if !in_multiline && line.trim_start().starts_with('#') {
            continue;
        }
        if (line.matches("\"\"\"").count() + line.matches("'''").count()) % 2 == 1 {
            in_multiline = !in_multiline;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
