//! Devices hashed into 64 shards, and the set of shards this process polls (all of them when
//! it runs alone; a replica's share otherwise, kept by `replica::Coordinator`). A leaf: the
//! poller and the metrics read it without depending on the coordinator.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const SHARDS: u32 = 64;
/// The shard a device belongs to: its node's (a GPU `node/gpu3` goes with `node`).
pub fn shard_of(device_id: &str) -> u32 {
    let node = device_id.split('/').next().unwrap_or(device_id);
    // FNV-1a: stable across processes and versions, unlike std's hasher.
    let mut h: u32 = 0x811c_9dc5;
    for b in node.bytes() {
        h = (h ^ b as u32).wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// Which shards this process polls: all of them when it runs alone.
#[derive(Debug)]
pub struct Shards {
    pub name: String,
    /// False for a single process (SQLite, or PostgreSQL without replicas in mind).
    pub replicated: bool,
    pub(crate) mask: AtomicU64,
    generation: AtomicU64,
}

impl Shards {
    pub fn single() -> Arc<Self> {
        Arc::new(Self {
            name: String::new(),
            replicated: false,
            mask: AtomicU64::new(u64::MAX),
            generation: AtomicU64::new(0),
        })
    }

    pub fn replica(name: &str) -> Arc<Self> {
        Arc::new(Self {
            name: name.to_string(),
            replicated: true,
            mask: AtomicU64::new(0),
            generation: AtomicU64::new(0),
        })
    }

    pub fn owns(&self, device_id: &str) -> bool {
        self.mask.load(Ordering::Acquire) & (1 << shard_of(device_id)) != 0
    }

    pub fn owned(&self) -> u32 {
        self.mask.load(Ordering::Acquire).count_ones()
    }

    /// Bumped whenever the set of held shards changes (the poller re-reads its devices).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(crate) fn set_mask(&self, mask: u64) {
        if self.mask.swap(mask, Ordering::AcqRel) != mask {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
    }
}
