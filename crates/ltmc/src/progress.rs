//! Progress of long store operations (an index rebuild: [`Bar`]) and of
//! migrations (phases and counted tasks: [`Steps`]) as indicatif bars and
//! spinners on stderr. indicatif draws nothing when stderr is not a
//! terminal, so logs and pipes stay clean. Not used for the per-file bar of
//! `ltmc store`, which lives with that command.

use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Mutex;
use std::time::Duration;

/// A [`ltmc_store::Progress`] that shows one bar per task.
#[derive(Debug, Default)]
pub struct Bar {
    current: Mutex<Option<ProgressBar>>,
}

impl Bar {
    fn with<R>(&self, f: impl FnOnce(&mut Option<ProgressBar>) -> R) -> R {
        let mut guard = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

impl ltmc_store::Progress for Bar {
    fn start(&self, task: &str, total: u64) {
        let bar = ProgressBar::new(total);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} vectors ({eta} left)")
        {
            bar.set_style(style);
        }
        bar.set_message(task.to_owned());
        self.with(|current| {
            if let Some(old) = current.replace(bar) {
                old.finish_and_clear();
            }
        });
    }

    fn advance(&self, done: u64) {
        self.with(|current| {
            if let Some(bar) = current {
                bar.inc(done);
            }
        });
    }

    fn finish(&self) {
        self.with(|current| {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        });
    }
}

/// A [`ltmc_migrate::Progress`]: a spinner for each phase, a bar for each
/// counted task.
#[derive(Debug, Default)]
pub struct Steps {
    current: Mutex<Option<ProgressBar>>,
}

impl Steps {
    fn with<R>(&self, f: impl FnOnce(&mut Option<ProgressBar>) -> R) -> R {
        let mut guard = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

impl ltmc_migrate::Progress for Steps {
    fn phase(&self, message: &str) {
        self.with(|current| match current {
            // One spinner through the phases, its message changed.
            Some(bar) if bar.length().is_none() => bar.set_message(message.to_owned()),
            _ => {
                let bar = ProgressBar::new_spinner();
                if let Ok(style) =
                    ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                {
                    bar.set_style(style);
                }
                bar.set_message(message.to_owned());
                bar.enable_steady_tick(Duration::from_millis(120));
                if let Some(old) = current.replace(bar) {
                    old.finish_and_clear();
                }
            }
        });
    }

    fn start(&self, task: &str, total: u64) {
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta} left)")
        {
            bar.set_style(style);
        }
        bar.set_message(task.to_owned());
        self.with(|current| {
            if let Some(old) = current.replace(bar) {
                old.finish_and_clear();
            }
        });
    }

    fn advance(&self, done: u64) {
        self.with(|current| {
            if let Some(bar) = current {
                bar.inc(done);
            }
        });
    }

    fn finish(&self) {
        self.with(|current| {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        });
    }
}
