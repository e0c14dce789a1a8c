//! Priority from objective criteria: impact × urgency through a configurable matrix.
//!
//! The reference insists that users must not self-assign priority, so the priority of an
//! incident is always what this matrix gives unless an operator overrides it with a reason.

use crate::domain::model::{Impact, Priority, Urgency};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Rows follow `Impact::ALL` (extensive first), columns `Urgency::ALL` (critical first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityMatrix {
    pub cells: [[Priority; 4]; 4],
}

impl Default for PriorityMatrix {
    /// The usual ITIL matrix: the whole service down and getting worse is P1, one user with a
    /// cosmetic problem is P4.
    fn default() -> Self {
        use Priority::*;
        PriorityMatrix {
            cells: [
                [P1, P1, P2, P2], // extensive
                [P1, P2, P2, P3], // significant
                [P2, P3, P3, P4], // moderate
                [P3, P3, P4, P4], // minor
            ],
        }
    }
}

fn index_of<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap_or(0)
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Impact, urgency: Urgency) -> Priority {
        self.cells[index_of(Impact::ALL, &impact)][index_of(Urgency::ALL, &urgency)]
    }

    /// A matrix must never rank a wider or more urgent incident below a narrower, calmer one;
    /// otherwise priorities would contradict the criteria shown beside them.
    pub fn validate(&self) -> Result<()> {
        for i in 0..4 {
            for u in 0..4 {
                let p = self.cells[i][u].rank();
                if i + 1 < 4 && self.cells[i + 1][u].rank() < p {
                    return Err(Error::validation(
                        "matrix",
                        format!(
                            "Priority matrix: {} impact cannot rank above {} impact at {} urgency",
                            Impact::ALL[i + 1].label(),
                            Impact::ALL[i].label(),
                            Urgency::ALL[u].label()
                        ),
                    ));
                }
                if u + 1 < 4 && self.cells[i][u + 1].rank() < p {
                    return Err(Error::validation(
                        "matrix",
                        format!(
                            "Priority matrix: {} urgency cannot rank above {} urgency at {} impact",
                            Urgency::ALL[u + 1].label(),
                            Urgency::ALL[u].label(),
                            Impact::ALL[i].label()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Impact::*;
    use Priority::*;
    use Urgency::*;

    #[test]
    fn every_cell_of_the_default_matrix_gives_the_documented_priority() {
        let m = PriorityMatrix::default();
        let expected = [
            (Extensive, Critical, P1),
            (Extensive, High, P1),
            (Extensive, Medium, P2),
            (Extensive, Low, P2),
            (Significant, Critical, P1),
            (Significant, High, P2),
            (Significant, Medium, P2),
            (Significant, Low, P3),
            (Moderate, Critical, P2),
            (Moderate, High, P3),
            (Moderate, Medium, P3),
            (Moderate, Low, P4),
            (Minor, Critical, P3),
            (Minor, High, P3),
            (Minor, Medium, P4),
            (Minor, Low, P4),
        ];
        assert_eq!(expected.len(), 16);
        for (impact, urgency, priority) in expected {
            assert_eq!(
                m.priority(impact, urgency),
                priority,
                "{impact:?} × {urgency:?}"
            );
        }
    }

    #[test]
    fn the_default_matrix_is_consistent() {
        PriorityMatrix::default().validate().unwrap();
    }

    #[test]
    fn a_matrix_ranking_fewer_users_higher_is_refused() {
        let mut m = PriorityMatrix::default();
        m.cells[3][0] = P1; // minor × critical above moderate × critical
        let err = m.validate().unwrap_err();
        assert_eq!(err.field(), Some("matrix"));
        assert!(err.to_string().contains("Minor impact"), "{err}");
    }
}
