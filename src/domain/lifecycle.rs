//! The incident status state machine and the preconditions of each action.
//!
//! Pure rules, no storage: given an incident's state and an action, either the status it moves
//! to or a refusal that says what is missing. Every write in the desk asks here first, and the
//! window offers exactly the actions [`allowed`] lists, computed from the same rules, so it never
//! shows a button the core would refuse.

use crate::domain::model::{Incident, Status};
use crate::{Error, Result};

/// What a user can do to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Edit,
    Assign,
    Acknowledge,
    Note,
    Escalate,
    Workaround,
    Resolve,
    Verify,
    Close,
    Reopen,
    Pause,
    Resume,
    /// Correcting a milestone after the fact, or a record that does not change the incident's
    /// handling (a stakeholder update, a major-incident declaration is Edit): allowed always.
    Correct,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::Edit,
        Action::Assign,
        Action::Acknowledge,
        Action::Note,
        Action::Escalate,
        Action::Workaround,
        Action::Resolve,
        Action::Verify,
        Action::Close,
        Action::Reopen,
        Action::Pause,
        Action::Resume,
        Action::Correct,
    ];

    /// The actions a user picks from (everything but `Correct`, which is always allowed and
    /// offered where milestones are shown), in the order the window lists them.
    pub const OFFERED: [Action; 12] = [
        Action::Edit,
        Action::Assign,
        Action::Acknowledge,
        Action::Note,
        Action::Escalate,
        Action::Workaround,
        Action::Resolve,
        Action::Verify,
        Action::Close,
        Action::Reopen,
        Action::Pause,
        Action::Resume,
    ];

    /// The snake_case name the window receives in `allowed_actions`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Assign => "assign",
            Action::Acknowledge => "acknowledge",
            Action::Note => "note",
            Action::Escalate => "escalate",
            Action::Workaround => "workaround",
            Action::Resolve => "resolve",
            Action::Verify => "verify",
            Action::Close => "close",
            Action::Reopen => "reopen",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Correct => "correct",
        }
    }

    /// The button label, for the vocabulary.
    pub fn label(self) -> &'static str {
        match self {
            Action::Edit => "Edit",
            Action::Assign => "Assign",
            Action::Acknowledge => "Acknowledge",
            Action::Note => "Add note",
            Action::Escalate => "Escalate",
            Action::Workaround => "Record workaround",
            Action::Resolve => "Resolve",
            Action::Verify => "Verify",
            Action::Close => "Close",
            Action::Reopen => "Reopen",
            Action::Pause => "Pause SLA",
            Action::Resume => "Resume SLA",
            Action::Correct => "Correct milestone",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Edit => "changed",
            Action::Assign => "assigned",
            Action::Acknowledge => "acknowledged",
            Action::Note => "given a note",
            Action::Escalate => "escalated",
            Action::Workaround => "given a workaround",
            Action::Resolve => "resolved",
            Action::Verify => "verified",
            Action::Close => "closed",
            Action::Reopen => "reopened",
            Action::Pause => "paused",
            Action::Resume => "resumed",
            Action::Correct => "corrected",
        }
    }
}

/// The facts of an incident the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub status: Status,
    pub acknowledged: bool,
    pub verified: bool,
    /// The SLA clocks are paused.
    pub paused: bool,
}

impl From<&Incident> for State {
    fn from(i: &Incident) -> Self {
        State {
            status: i.status,
            acknowledged: i.acknowledged_at.is_some(),
            verified: i.verified_at.is_some(),
            paused: i.paused_since.is_some(),
        }
    }
}

/// The status after `action`, or why it is refused. `number` names the incident in messages.
pub fn next_status(number: &str, state: State, action: Action) -> Result<Status> {
    use Action::*;
    use Status::*;
    let refuse = |why: &str| {
        Err(Error::InvalidTransition(format!(
            "{number} cannot be {}: {why}",
            action.verb()
        )))
    };
    match (state.status, action) {
        (status, Correct) => Ok(status),
        (Closed, Reopen) => Ok(InProgress),
        (Closed, _) => refuse("it is closed. Reopen it first (with a reason)"),
        (Resolved, Reopen) => Ok(InProgress),
        (Resolved, Verify) if state.verified => refuse("its resolution is already verified"),
        (Resolved, Verify) => Ok(Resolved),
        (Resolved, Close) if !state.verified => refuse(
            "the resolution has not been verified. Record how service restoration was confirmed (monitoring data, functional test or reporter confirmation) first",
        ),
        (Resolved, Close) => Ok(Closed),
        (Resolved, Note) => Ok(Resolved),
        (Resolved, _) => refuse("it is resolved. Reopen it (with a reason) to work on it again"),
        (_, Reopen) => refuse("only a resolved or closed incident can be reopened"),
        (_, Verify) => refuse("it is not resolved yet. Resolve it before verifying the fix"),
        (_, Close) => refuse(
            "it is not resolved yet. Resolve it, verify the fix, then close it",
        ),
        (_, Acknowledge) if state.acknowledged => refuse("it was already acknowledged"),
        (_, Pause) if state.paused => refuse("its SLA clocks are already paused"),
        (_, Resume) if !state.paused => refuse("its SLA clocks are not paused"),
        (_, Acknowledge) => Ok(InProgress),
        (New, Assign) => Ok(Assigned),
        (_, Resolve) => Ok(Resolved),
        (status, _) => Ok(status),
    }
}

/// The actions the lifecycle allows in `state`, in [`Action::OFFERED`] order: exactly those
/// [`next_status`] accepts, so the window's choices and the core's refusals cannot disagree.
pub fn allowed(state: State) -> Vec<Action> {
    Action::OFFERED
        .into_iter()
        .filter(|a| next_status("", state, *a).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Status::*;

    fn st(status: Status, acknowledged: bool, verified: bool) -> State {
        State {
            status,
            acknowledged,
            verified,
            paused: false,
        }
    }

    /// Every (state, action) pair with its expected outcome: Some(next status) or None (refused).
    fn table() -> Vec<(State, Action, Option<Status>)> {
        let new = st(New, false, false);
        let assigned = st(Assigned, false, false);
        let in_progress = st(InProgress, true, false);
        let resolved = st(Resolved, true, false);
        let verified = st(Resolved, true, true);
        let closed = st(Closed, true, true);
        vec![
            (new, Edit, Some(New)),
            (new, Assign, Some(Assigned)),
            (new, Acknowledge, Some(InProgress)),
            (new, Note, Some(New)),
            (new, Escalate, Some(New)),
            (new, Workaround, Some(New)),
            (new, Resolve, Some(Resolved)),
            (new, Verify, None),
            (new, Close, None),
            (new, Reopen, None),
            (new, Pause, Some(New)),
            (new, Resume, None),
            (new, Correct, Some(New)),
            (assigned, Edit, Some(Assigned)),
            (assigned, Assign, Some(Assigned)),
            (assigned, Acknowledge, Some(InProgress)),
            (assigned, Note, Some(Assigned)),
            (assigned, Escalate, Some(Assigned)),
            (assigned, Workaround, Some(Assigned)),
            (assigned, Resolve, Some(Resolved)),
            (assigned, Verify, None),
            (assigned, Close, None),
            (assigned, Reopen, None),
            (assigned, Pause, Some(Assigned)),
            (assigned, Resume, None),
            (assigned, Correct, Some(Assigned)),
            (in_progress, Edit, Some(InProgress)),
            (in_progress, Assign, Some(InProgress)),
            (in_progress, Acknowledge, None),
            (in_progress, Note, Some(InProgress)),
            (in_progress, Escalate, Some(InProgress)),
            (in_progress, Workaround, Some(InProgress)),
            (in_progress, Resolve, Some(Resolved)),
            (in_progress, Verify, None),
            (in_progress, Close, None),
            (in_progress, Reopen, None),
            (in_progress, Pause, Some(InProgress)),
            (in_progress, Resume, None),
            (in_progress, Correct, Some(InProgress)),
            (resolved, Edit, None),
            (resolved, Assign, None),
            (resolved, Acknowledge, None),
            (resolved, Note, Some(Resolved)),
            (resolved, Escalate, None),
            (resolved, Workaround, None),
            (resolved, Resolve, None),
            (resolved, Verify, Some(Resolved)),
            (resolved, Close, None),
            (resolved, Reopen, Some(InProgress)),
            (resolved, Pause, None),
            (resolved, Resume, None),
            (resolved, Correct, Some(Resolved)),
            (verified, Edit, None),
            (verified, Assign, None),
            (verified, Acknowledge, None),
            (verified, Note, Some(Resolved)),
            (verified, Escalate, None),
            (verified, Workaround, None),
            (verified, Resolve, None),
            (verified, Verify, None),
            (verified, Close, Some(Closed)),
            (verified, Reopen, Some(InProgress)),
            (verified, Pause, None),
            (verified, Resume, None),
            (verified, Correct, Some(Resolved)),
            (closed, Edit, None),
            (closed, Assign, None),
            (closed, Acknowledge, None),
            (closed, Note, None),
            (closed, Escalate, None),
            (closed, Workaround, None),
            (closed, Resolve, None),
            (closed, Verify, None),
            (closed, Close, None),
            (closed, Reopen, Some(InProgress)),
            (closed, Pause, None),
            (closed, Resume, None),
            (closed, Correct, Some(Closed)),
        ]
    }

    #[test]
    fn every_allowed_and_refused_transition_matches_the_table() {
        let table = table();
        assert_eq!(
            table.len(),
            6 * Action::ALL.len(),
            "the table covers every pair"
        );
        for (state, action, expected) in table {
            let got = next_status("INC-000001", state, action);
            match expected {
                Some(next) => assert_eq!(
                    got.as_ref().ok(),
                    Some(&next),
                    "{state:?} {action:?} should be allowed: {got:?}"
                ),
                None => {
                    let err = got.expect_err(&format!("{state:?} {action:?} should be refused"));
                    assert_eq!(err.code(), "invalid_transition");
                    assert!(err.to_string().starts_with("INC-000001 cannot be"), "{err}");
                }
            }
        }
    }

    #[test]
    fn allowed_lists_exactly_what_next_status_accepts() {
        for (state, action, expected) in table() {
            if action == Correct {
                continue;
            }
            assert_eq!(
                allowed(state).contains(&action),
                expected.is_some(),
                "{state:?} {action:?}"
            );
        }
    }

    #[test]
    fn pausing_is_offered_only_while_running_and_resuming_only_while_paused() {
        let running = st(InProgress, true, false);
        let paused = State {
            paused: true,
            ..running
        };
        assert!(allowed(running).contains(&Pause) && !allowed(running).contains(&Resume));
        assert!(allowed(paused).contains(&Resume) && !allowed(paused).contains(&Pause));
        assert!(next_status("INC-000001", paused, Pause)
            .unwrap_err()
            .to_string()
            .contains("already paused"));
    }

    #[test]
    fn closing_an_unverified_resolution_says_verification_is_missing() {
        let err = next_status("INC-000007", st(Resolved, true, false), Close).unwrap_err();
        assert!(err.to_string().contains("not been verified"), "{err}");
    }

    #[test]
    fn closing_an_open_incident_says_it_must_be_resolved_first() {
        let err = next_status("INC-000007", st(InProgress, true, false), Close).unwrap_err();
        assert!(err.to_string().contains("not resolved yet"), "{err}");
    }
}
