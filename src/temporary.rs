//! The one naming rule for files written under a temporary name and renamed into place:
//! `.<file name>.tmp-<process id>`, beside the final path. Every writer (`report::OutputDir`,
//! a sweep's `metadata.json`, `patchwork init`) names its temporaries with `temporary_path`, so
//! `--resume` can recognise and remove those a killed process left with `is_temporary_name`.

use std::path::{Path, PathBuf};

/// `.<file name>.tmp-<this process's id>` in the same directory as `final_path`.
pub fn temporary_path(final_path: &Path) -> PathBuf {
    let file_name = final_path
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    final_path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()))
}

/// Whether `name` is a temporary of `temporary_path` (of any process).
pub fn is_temporary_name(name: &str) -> bool {
    name.starts_with('.')
        && name.rsplit_once(".tmp-").is_some_and(|(stem, pid)| {
            stem.len() > 1 && !pid.is_empty() && pid.bytes().all(|byte| byte.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_named_beside_their_file_and_recognised() {
        let temporary = temporary_path(Path::new("out/plots/survival.png"));
        assert_eq!(temporary.parent(), Some(Path::new("out/plots")));
        let name = temporary
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(name, format!(".survival.png.tmp-{}", std::process::id()));
        assert!(is_temporary_name(&name));
        assert!(is_temporary_name(".metadata.json.tmp-834"));
        for other in [
            ".keep.tmp-notapid",
            "runs.csv",
            ".tmp-12",
            ".x.tmp-",
            "a.tmp-3",
        ] {
            assert!(!is_temporary_name(other), "{other}");
        }
    }
}
