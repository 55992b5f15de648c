//! What every family's module reads from: one answer's sections, and the hashboards a reading
//! fills in as the sections name them.

use app::model::fleet::devices::{AsicReading, Hashboard};

use crate::telemetry::lenient_json::Json;

/// The sections of one answer, by upper-case name (`SUMMARY`, `STATS`, `VERSION`, …).
pub struct Answer<'a> {
    pub parts: Vec<&'a Json<'a>>,
}

impl<'a> Answer<'a> {
    pub fn items(&self, name: &str) -> Vec<&'a Json<'a>> {
        self.parts
            .iter()
            .flat_map(|a| a.get(name).map_or(&[][..], Json::as_array))
            .collect()
    }

    /// The first string value of `key` in any item of `section`.
    pub fn text(&self, section: &str, key: &str) -> Option<&'a str> {
        self.items(section)
            .into_iter()
            .find_map(|i| i.get(key).and_then(Json::as_str))
    }

    pub fn has_key(&self, section: &str, key: &str) -> bool {
        self.items(section).iter().any(|i| i.get(key).is_some())
    }
}

/// The hashboard numbered `index` in a reading, added when the answer names it first.
pub fn board(r: &mut AsicReading, index: u32) -> &mut Hashboard {
    if let Some(pos) = r.boards.iter().position(|b| b.index == index) {
        return &mut r.boards[pos];
    }
    r.boards.push(Hashboard {
        index,
        chips: None,
        rate_ths: None,
        temp_c: None,
    });
    r.boards.last_mut().expect("just pushed")
}
