//! Bitmain's stock firmware: `stats` names the model (`Type`) and the miner program with its
//! version (`BMMiner` or `CGMiner`); chains are `chain_rate*`, `chain_acn*`, `temp2_*`. All of
//! that is read by the shared extractor; the firmware string is the program and its version.

use app::model::fleet::devices::AsicReading;

use super::answer::Answer;

pub fn refine(a: &Answer, r: &mut AsicReading) {
    for key in ["BMMiner", "CGMiner"] {
        let version = a.text("VERSION", key).or_else(|| a.text("STATS", key));
        if let Some(v) = version {
            r.firmware = Some(format!("{key} {v}"));
            return;
        }
    }
}
