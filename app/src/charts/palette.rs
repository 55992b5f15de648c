//! Semantic colours shared by charts and CSS (style/main.css holds the same values as tokens).

/// Colours with a meaning in Rigshift's charts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub mining: &'static str,
    pub ai_lease: &'static str,
    pub power_cost: &'static str,
    pub projection_band: &'static str,
    pub simulated: &'static str,
    pub text_muted: &'static str,
    pub online: &'static str,
    pub degraded: &'static str,
    pub offline: &'static str,
    /// Megawatts out of mining, not yet earning as AI load.
    pub converting: &'static str,
    pub planned: &'static str,
    pub in_progress: &'static str,
    pub done: &'static str,
    pub slipped: &'static str,
    pub annotation: &'static str,
    pub today: &'static str,
}

impl Palette {
    /// The dashboard's dark theme.
    pub const DARK: Palette = Palette {
        mining: "#f7931a",
        ai_lease: "#8b7cf6",
        power_cost: "#6b7280",
        projection_band: "rgba(148,163,184,0.10)",
        simulated: "#f59e0b",
        text_muted: "#94a3b8",
        online: "#22c55e",
        degraded: "#f59e0b",
        offline: "#ef4444",
        converting: "#64748b",
        planned: "#64748b",
        in_progress: "#38bdf8",
        done: "#22c55e",
        slipped: "#ef4444",
        annotation: "#e879f9",
        today: "#e2e8f0",
    };

    /// For embeds on light IR pages: the same meanings, darker neutrals.
    pub const LIGHT: Palette = Palette {
        projection_band: "rgba(100,116,139,0.12)",
        simulated: "#b45309",
        text_muted: "#475569",
        converting: "#94a3b8",
        planned: "#94a3b8",
        today: "#334155",
        ..Palette::DARK
    };

    /// The colour of a milestone status.
    pub fn status(&self, s: crate::model::timeline::milestones::MilestoneStatus) -> &'static str {
        use crate::model::timeline::milestones::MilestoneStatus::*;
        match s {
            Planned => self.planned,
            InProgress => self.in_progress,
            Done => self.done,
            Slipped => self.slipped,
        }
    }
}

impl Default for Palette {
    fn default() -> Self {
        Self::DARK
    }
}
