//! The timeline page's refetch signal, shared by its panels through context.

use leptos::prelude::*;

/// Bumped after every successful edit; the page's data refetches.
#[derive(Clone, Copy)]
pub(crate) struct Reload(pub RwSignal<u32>);

impl Reload {
    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }
}
