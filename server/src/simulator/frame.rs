//! What one simulated answer reports, computed once for all its sections, and how a section
//! is written: shared by every protocol's simulated answers.

/// A section's status message, its name and its items.
pub(super) type Answer = (&'static str, &'static str, String);

pub(super) fn ok(msg: &'static str, name: &'static str, items: String) -> Option<Answer> {
    Some((msg, name, items))
}

/// What one answer reports, computed once for all its sections.
#[derive(Clone, Copy)]
pub(super) struct Frame {
    pub(super) t: f64,
    pub(super) reported: f64,
    pub(super) diff: f64,
    pub(super) board_temp: f64,
    pub(super) chip_temp: f64,
    pub(super) dead: bool,
    pub(super) per_board: f64,
    pub(super) accepted: u64,
    pub(super) rejected: u64,
}

impl Frame {
    /// A hashboard's rate as reported; the third board of a device with a dead board is 0.
    pub(super) fn board_ths(&self, b: usize) -> f64 {
        if self.dead && b == 2 {
            0.0
        } else {
            self.per_board
        }
    }

    pub(super) fn chips(&self, b: usize, per_board: u32) -> u32 {
        if self.dead && b == 2 {
            0
        } else {
            per_board
        }
    }
}
