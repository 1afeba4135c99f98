//! The layers of the library (ARCHITECTURE.md, "Layers"): every `crate::` path in `src/` outside
//! the binary and outside test modules names only its own module or a module of a lower layer.
//! Read from the source text, so a new `use` line that points upwards fails here.

use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first. A module may name the modules of its own
/// group and of every group before it.
const LAYERS: &[&[&str]] = &[
    &["calendar"],
    &["model"],
    &["scenario"],
    &["metrics"],
    &["estimate", "posterior", "gsa"],
    &["abc"],
    &["output"],
    &["batch"],
    &["sensitivity", "calibrate", "robustness"],
];

/// Inside `output`, the same rule one level down: the files, CSV, atomic writing and errors at
/// the bottom; `plot` reads only those; `export` and `html` (the run's and comparison's files and
/// documents) sit above `plot`.
const OUTPUT_LAYERS: &[&[&str]] = &[
    &[
        "atomic",
        "csv",
        "demo",
        "error",
        "files",
        "output_dir",
        "template",
    ],
    &["plot"],
    &["export", "html"],
];

fn rank(layers: &[&[&str]], module: &str) -> Option<usize> {
    layers.iter().position(|group| group.contains(&module))
}

/// Every `.rs` file under `directory`, sorted.
fn rust_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module path of a file under `src/`: `src/batch/sweep/run.rs` is `["batch", "sweep",
/// "run"]`, a `mod.rs` its directory's.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
}

/// The `crate::` paths of a file's code, each as its segments: comments and everything from the
/// first `#[cfg(test)]` on (the unit tests, which may load a scenario) are skipped.
fn crate_paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut paths = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or_default();
        for (start, _) in code.match_indices("crate::") {
            if code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let segments = code[start + "crate::".len()..]
                .split("::")
                .map(|segment| {
                    segment
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|segment| !segment.is_empty())
                .take(2)
                .collect();
            paths.push((index + 1, segments));
        }
    }
    paths
}

/// Why `from` (a module path) may not name `to` (the segments of a `crate::` path), if it may not.
fn violation(from: &[String], to: &[String]) -> Option<String> {
    let (Some(from_top), Some(to_top)) = (from.first(), to.first()) else {
        return None;
    };
    if from_top == to_top {
        if from_top != "output" || from.len() < 2 || to.len() < 2 || from[1] == to[1] {
            return None;
        }
        // A name `output` re-exports (`crate::output::OutputDir`) is of the bottom layer.
        let to_sub = if to[1].starts_with(char::is_uppercase) {
            "output_dir"
        } else {
            &to[1]
        };
        let (from_rank, to_rank) = (rank(OUTPUT_LAYERS, &from[1]), rank(OUTPUT_LAYERS, to_sub));
        return match (from_rank, to_rank) {
            (Some(from_rank), Some(to_rank)) if to_rank <= from_rank => None,
            (Some(_), Some(_)) => Some(format!("output::{to_sub} is above output::{}", from[1])),
            _ => Some(format!(
                "output::{} or output::{to_sub} is in no layer of OUTPUT_LAYERS",
                from[1]
            )),
        };
    }
    match (rank(LAYERS, from_top), rank(LAYERS, to_top)) {
        (Some(from_rank), Some(to_rank)) if to_rank <= from_rank => None,
        (Some(_), Some(_)) => Some(format!("{to_top} is above {from_top}")),
        _ => Some(format!("{from_top} or {to_top} is in no layer of LAYERS")),
    }
}

/// Every upward reference in the library's source, as `file:line: why`.
fn violations(src: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).expect("under src/");
        if relative.starts_with("bin") || relative == Path::new("lib.rs") {
            continue;
        }
        let from = module_path(relative);
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (line, to) in crate_paths(&text) {
            if let Some(why) = violation(&from, &to) {
                found.push(format!("{}:{line}: {why}", relative.display()));
            }
        }
    }
    found
}

#[test]
fn every_module_names_only_its_own_layer_and_those_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "upward references:\n{}", found.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line.strip_prefix("pub mod ") {
            let name = name.trim_end_matches(';');
            assert!(rank(LAYERS, name).is_some(), "{name} is in no layer");
        }
    }
}

#[test]
fn an_upward_reference_is_found() {
    let from = module_path(Path::new("model/patch.rs"));
    let text = "use crate::calendar::is_term_week;\nuse crate::metrics::Measures;\n\
                // crate::output in a comment\n#[cfg(test)]\nuse crate::scenario::load;\n";
    let found: Vec<String> = crate_paths(text)
        .into_iter()
        .filter_map(|(line, to)| violation(&from, &to).map(|why| format!("{line}: {why}")))
        .collect();
    assert_eq!(found, ["2: metrics is above model"]);
    let plot = module_path(Path::new("output/plot/sweep.rs"));
    let export = ["output".to_owned(), "export".to_owned()];
    assert_eq!(
        violation(&plot, &export).as_deref(),
        Some("output::export is above output::plot")
    );
}
