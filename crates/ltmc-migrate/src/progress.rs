//! How a long migration reports progress without printing: phases (a
//! spinner's message) and counted tasks (a bar). The binary draws them on
//! stderr; tests pass [`NoProgress`]. Not a log: warnings go to `tracing`.

/// Progress of a migration. Every method has a do-nothing default.
pub trait Progress: Send + Sync {
    /// A new phase of an uncounted step ("exporting ...").
    fn phase(&self, _message: &str) {}
    /// A counted task begins (`total` steps); replaces any earlier one.
    fn start(&self, _task: &str, _total: u64) {}
    /// `done` more steps of the current task.
    fn advance(&self, _done: u64) {}
    /// The current task or phase is over.
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
