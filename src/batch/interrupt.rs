//! Ctrl-C (SIGINT) and SIGTERM during a long job (`sweep`, `sensitivity`): the first is noted
//! here, and the job stops at the end of the chunk it is writing (or abandons a chunk not yet
//! computed), leaving its journal consistent, so that `--resume` carries on; the binary then
//! prints how to resume and exits with 128 + the signal's number (130, 143). A second signal of
//! the same kind exits at once (the journal makes even that safe to resume). Nothing happens
//! until `install` is called, so library users and tests are never interrupted.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

/// A signal asking the process to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    fn number(self) -> i32 {
        match self {
            Signal::Interrupt => SIGINT,
            Signal::Terminate => SIGTERM,
        }
    }

    /// 128 + the signal's number, as a shell reports a process it stopped.
    pub fn exit_code(self) -> u8 {
        (128 + self.number()) as u8
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT (Ctrl-C)",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// The signal received, as its number (0: none).
static RECEIVED: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// Starts noting SIGINT and SIGTERM (once per process; later calls do nothing).
pub fn install() -> std::io::Result<()> {
    if RECEIVED.get().is_some() {
        return Ok(());
    }
    let received = Arc::new(AtomicUsize::new(0));
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as the previous signal left it: a second signal
        // of the kind exits at once.
        let again = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, again.clone())?;
        signal_hook::flag::register(signal, again)?;
        signal_hook::flag::register_usize(signal, received.clone(), signal as usize)?;
    }
    let _ = RECEIVED.set(received);
    Ok(())
}

/// The signal received since `install`, if any.
pub fn received() -> Option<Signal> {
    let number = RECEIVED.get()?.load(Ordering::Relaxed) as i32;
    match number {
        SIGINT => Some(Signal::Interrupt),
        SIGTERM => Some(Signal::Terminate),
        _ => None,
    }
}
