//! The progress bar (the only module that knows indicatif): on stderr, hidden when quiet or when
//! stderr is not a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over replicates on stderr, hidden when quiet or when stderr is not a terminal.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(replicates: u64, quiet: bool) -> Progress {
        let visible = !quiet && std::io::stderr().is_terminal();
        let draw_target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(replicates), draw_target);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} replicates {pos}/{len} [{bar:40}] {elapsed_precise} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar }
    }

    /// A progress bar over the runs of a sweep, with their rate and the time left.
    pub fn runs(runs: u64, quiet: bool) -> Progress {
        Progress::counting("runs", runs, quiet)
    }

    /// A progress bar over `total` units named `noun`, with their rate and the time left.
    pub fn counting(noun: &str, total: u64, quiet: bool) -> Progress {
        let progress = Progress::new(total, quiet);
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} {noun} {{pos}}/{{len}} [{{bar:40}}] {{per_sec}} {{elapsed_precise}} eta {{eta}}"
        )) {
            progress.bar.set_style(style.progress_chars("=> "));
        }
        progress
    }

    /// A spinner counting units named `noun` with no known total (a calibration's runs), with
    /// their rate and the time so far.
    pub fn open_ended(noun: &str, quiet: bool) -> Progress {
        let progress = Progress::new(0, quiet);
        progress.bar.unset_length();
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} {noun} {{pos}} {{per_sec}} {{elapsed_precise}}"
        )) {
            progress.bar.set_style(style);
        }
        progress
    }

    /// Runs `print` with the bar cleared, so that lines printed meanwhile are not overdrawn.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.bar.suspend(print)
    }

    /// One more replicate finished (callable from any thread).
    pub fn advance(&self) {
        self.bar.inc(1);
    }

    /// `done` units finished so far (callable from any thread).
    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }

    /// Starts the rate and the time left afresh (after the runs a resumed sweep had done).
    pub fn reset_rate(&self) {
        self.bar.reset_eta();
    }

    /// Removes the bar so later output starts on a clean line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
