//! How a device is read: the wire protocol it speaks. Most ASICs answer the CGMiner-family JSON
//! API on TCP 4028; newer firmware has its own APIs, each read by its own client in
//! `server/src/telemetry`.

use serde::{Deserialize, Serialize};

/// The protocol a device is registered with (`cgminer` when none is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// The CGMiner-family JSON API on TCP 4028 (Antminer, Braiins OS legacy, LuxOS, VNish,
    /// Whatsminer btminer v2, Avalon). GPUs are always read from DCGM exporter instead.
    #[default]
    Cgminer,
    /// Whatsminer API v3 (M60/M66-era firmware): TCP 4433, length-prefixed JSON.
    WhatsminerV3,
    /// Braiins OS public REST API (BOS 25.07 and later): HTTP with a login token.
    BraiinsRest,
    /// AxeOS (Bitaxe and other open-hardware boards): HTTP `GET /api/system/info`.
    Axeos,
    /// Auradine FluxOS: CGMiner-style JSON on TCP 4028 whose values carry their units.
    Fluxos,
}

/// How a protocol's address is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressForm {
    /// `host:port`.
    HostPort,
    /// `http://host[:port]` (a base URL).
    BaseUrl,
}

impl Protocol {
    pub const ALL: [Protocol; 5] = [
        Protocol::Cgminer,
        Protocol::WhatsminerV3,
        Protocol::BraiinsRest,
        Protocol::Axeos,
        Protocol::Fluxos,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Cgminer => "cgminer",
            Protocol::WhatsminerV3 => "whatsminer_v3",
            Protocol::BraiinsRest => "braiins_rest",
            Protocol::Axeos => "axeos",
            Protocol::Fluxos => "fluxos",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The port the firmware listens on out of the box.
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Cgminer | Protocol::Fluxos => 4028,
            Protocol::WhatsminerV3 => 4433,
            Protocol::BraiinsRest | Protocol::Axeos => 80,
        }
    }

    pub fn address_form(self) -> AddressForm {
        match self {
            Protocol::BraiinsRest | Protocol::Axeos => AddressForm::BaseUrl,
            _ => AddressForm::HostPort,
        }
    }

    /// True when reading the device needs a login (Braiins OS REST).
    pub fn needs_login(self) -> bool {
        self == Protocol::BraiinsRest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_json() {
        for p in Protocol::ALL {
            assert_eq!(Protocol::parse(p.as_str()), Some(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        assert_eq!(Protocol::parse("whatsminer-v3"), None);
        assert_eq!(Protocol::default(), Protocol::Cgminer);
        assert_eq!(Protocol::WhatsminerV3.default_port(), 4433);
        assert_eq!(Protocol::Axeos.address_form(), AddressForm::BaseUrl);
    }
}
