//! Fault injection, for tests of retries and of callbacks arriving badly.
//!
//! Server faults match requests by path and fire a given number of times.
//! Callback faults apply to every callback while they are on. Both can be
//! set at start ([`SandboxBuilder`](crate::SandboxBuilder)) and changed
//! while the sandbox runs ([`SandboxHandle::faults`](crate::SandboxHandle::faults)).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What a server fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Process the request, then close the connection without answering:
    /// the change is made and the client does not know it.
    DropAfterProcessing,
    /// Answer HTTP 500 without processing.
    Status500,
    /// Process the request, then answer HTTP 500 instead of the result.
    Status500AfterProcessing,
    /// Wait this long, then process and answer normally.
    Delay(Duration),
}

/// A server fault: an action, on which paths, how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    action: FaultAction,
    path: Option<String>,
    times: Option<u32>,
}

impl FaultRule {
    /// `action` on every request, every time, until changed.
    pub fn new(action: FaultAction) -> Self {
        Self {
            action,
            path: None,
            times: None,
        }
    }

    /// Only on requests whose path is `path` (such as `/prepare_payment`)
    /// or starts with it followed by `/`.
    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Only the next `times` matching requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    fn matches(&self, path: &str) -> bool {
        match &self.path {
            None => true,
            Some(p) => {
                path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            }
        }
    }
}

/// Faults in outgoing callbacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallbackFaults {
    /// Send every callback twice.
    pub duplicate: bool,
    /// Hold each callback until the next one and send them in reverse
    /// order (a callback with no follower goes out after a short wait).
    pub reorder: bool,
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<FaultRule>,
    callbacks: CallbackFaults,
}

/// The faults in force. Clones share them.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    state: Arc<Mutex<State>>,
}

impl Faults {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a server fault (after those already set).
    pub fn add(&self, rule: FaultRule) {
        self.state().rules.push(rule);
    }

    /// Removes every server fault and turns callback faults off.
    pub fn clear(&self) {
        let mut s = self.state();
        s.rules.clear();
        s.callbacks = CallbackFaults::default();
    }

    /// Sets the callback faults.
    pub fn set_callback_faults(&self, faults: CallbackFaults) {
        self.state().callbacks = faults;
    }

    /// The callback faults in force.
    pub fn callback_faults(&self) -> CallbackFaults {
        self.state().callbacks
    }

    /// The fault for a request to `path`, using up one of its times.
    pub(crate) fn take(&self, path: &str) -> Option<FaultAction> {
        let mut s = self.state();
        let index = s.rules.iter().position(|r| r.matches(path))?;
        let rule = s.rules.get_mut(index)?;
        let action = rule.action;
        if let Some(times) = rule.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                s.rules.remove(index);
            }
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_paths_and_run_out() {
        let f = Faults::default();
        f.add(
            FaultRule::new(FaultAction::Status500)
                .on_path("/refund")
                .times(2),
        );
        f.add(FaultRule::new(FaultAction::DropAfterProcessing).on_path("/pay"));
        assert_eq!(f.take("/prepare_payment"), None);
        assert_eq!(f.take("/refunds"), None);
        assert_eq!(f.take("/refund"), Some(FaultAction::Status500));
        assert_eq!(f.take("/refund"), Some(FaultAction::Status500));
        assert_eq!(f.take("/refund"), None);
        assert_eq!(f.take("/pay/abc"), Some(FaultAction::DropAfterProcessing));
        assert_eq!(f.take("/pay/abc"), Some(FaultAction::DropAfterProcessing));
        f.clear();
        assert_eq!(f.take("/pay/abc"), None);
    }
}
