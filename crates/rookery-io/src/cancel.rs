//! Cooperative cancellation: a flag one side sets ([`Cancel::cancel`]: the service when a
//! running job is dismissed, the Python package on Ctrl-C) and the work checks between chunks
//! ([`Cancel::check`]: the engine's block loops, the writers, the conductor between datasets
//! and a workflow's steps). It travels as a value — in the [`crate::IoContext`], the write
//! options and the output spec — never as a global.

use crate::IoError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A cancellation flag shared by its clones; the default one is never set by anybody else.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A new flag, not set.
    #[must_use]
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Sets the flag: work checking it stops at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag is set.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Ok` unless the flag is set.
    ///
    /// # Errors
    /// [`IoError::Cancelled`] once the flag is set.
    pub fn check(&self) -> Result<(), IoError> {
        if self.is_cancelled() {
            Err(IoError::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(b.check().is_ok());
        a.cancel();
        assert!(b.is_cancelled());
        assert!(matches!(b.check(), Err(IoError::Cancelled)));
        assert!(!Cancel::default().is_cancelled());
    }
}
