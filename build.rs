//! Build script: records the git commit the binary is built from, for `metadata.json`.
//!
//! Sets `PATCHWORK_GIT_COMMIT` to `git rev-parse HEAD`, or `unknown` outside a git checkout or
//! without git. Reruns when HEAD or the branch it points to moves.

use std::path::Path;
use std::process::Command;

fn git_output(arguments: &[&str]) -> Option<String> {
    let output = Command::new("git").args(arguments).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

fn main() {
    let commit = git_output(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=PATCHWORK_GIT_COMMIT={commit}");

    // Rerun when the commit changes; a path that does not exist would force a rerun on every
    // build, so only existing ones are named.
    let mut watched = vec!["build.rs".to_string()];
    for git_path in ["HEAD", "packed-refs"] {
        if let Some(path) = git_output(&["rev-parse", "--git-path", git_path]) {
            watched.push(path);
        }
    }
    if let Some(branch_ref) = git_output(&["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git_output(&["rev-parse", "--git-path", &branch_ref])
    {
        watched.push(path);
    }
    for path in watched {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
