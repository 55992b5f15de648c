//! Network discovery of miners: which addresses a range names, and what a scan found. The
//! scanning itself (sockets) is the server's; this is the arithmetic and the result's shape.

use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Largest range one scan may cover: a /16 (65,536 addresses).
pub const MIN_PREFIX: u8 = 16;

/// An IPv4 range in CIDR form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub network: Ipv4Addr,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n` (a bare address is a /32). The host bits are cleared.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (
                a,
                p.parse::<u8>()
                    .map_err(|_| format!("cidr: {p:?} is not a prefix length"))?,
            ),
            None => (s, 32),
        };
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| format!("cidr: {addr:?} is not an IPv4 address"))?;
        if prefix > 32 {
            return Err(format!("cidr: /{prefix} is not a prefix length (0 to 32)"));
        }
        let mask = if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        };
        Ok(Cidr {
            network: Ipv4Addr::from(u32::from(addr) & mask),
            prefix,
        })
    }

    /// Addresses a scan visits: every host of the range, without the network and broadcast
    /// addresses when the range has them (/30 and larger).
    pub fn hosts(&self) -> impl Iterator<Item = Ipv4Addr> {
        let base = u32::from(self.network);
        let size = 1u64 << (32 - self.prefix);
        let (first, last) = if size <= 2 {
            (0, size - 1)
        } else {
            (1, size - 2)
        };
        (first..=last).map(move |i| Ipv4Addr::from(base.wrapping_add(i as u32)))
    }

    /// How many addresses [`Cidr::hosts`] yields.
    pub fn host_count(&self) -> u64 {
        let size = 1u64 << (32 - self.prefix);
        if size <= 2 {
            size
        } else {
            size - 2
        }
    }
}

/// `POST /devices/scan` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    pub cidr: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// The site new devices are registered to (required with `add`).
    #[serde(default)]
    pub site: Option<String>,
    /// Register the miners found that are not registered yet.
    #[serde(default)]
    pub add: bool,
}

fn default_port() -> u16 {
    4028
}

impl ScanRequest {
    /// The range to scan, refused when larger than a /16 or without a site to add to.
    pub fn range(&self) -> Result<Cidr, String> {
        let cidr = Cidr::parse(&self.cidr)?;
        if cidr.prefix < MIN_PREFIX {
            return Err(format!(
                "cidr: a /{} holds {} addresses; scan at most a /{MIN_PREFIX} ({} addresses) at a time",
                cidr.prefix,
                1u64 << (32 - cidr.prefix),
                1u64 << (32 - MIN_PREFIX)
            ));
        }
        if self.port == 0 {
            return Err("port: 1 to 65535".into());
        }
        if self.add
            && self
                .site
                .as_deref()
                .is_none_or(|s| s.trim().is_empty() || s.len() > 100)
        {
            return Err("site: the site to register new devices to (1 to 100 characters)".into());
        }
        Ok(cidr)
    }
}

/// A miner that answered and named itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FoundMiner {
    /// `host:port` (a TCP API) or `http://host:port` (an HTTP API), the form `POST /devices`
    /// takes.
    pub address: String,
    /// The API it answered on.
    #[serde(default)]
    pub protocol: crate::model::fleet::protocol::Protocol,
    /// Catalogue id when recognised, else the model as the device reported it.
    pub model: String,
    pub firmware: Option<String>,
    pub already_registered: bool,
    /// Registered by this scan (`add`).
    #[serde(default)]
    pub added: bool,
}

/// What a scan did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScanReport {
    pub found: Vec<FoundMiner>,
    /// Addresses that accepted the connection but did not answer as a miner (another service,
    /// or a miner whose API answers garbage): listed so an operator can look, never registered.
    pub unidentified: Vec<String>,
    pub scanned: u64,
    pub seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_list_their_hosts() {
        let c = Cidr::parse("10.0.0.9/29").unwrap();
        assert_eq!(c.network, Ipv4Addr::new(10, 0, 0, 8));
        let hosts: Vec<Ipv4Addr> = c.hosts().collect();
        assert_eq!(hosts.first(), Some(&Ipv4Addr::new(10, 0, 0, 9)));
        assert_eq!(hosts.last(), Some(&Ipv4Addr::new(10, 0, 0, 14)));
        assert_eq!(hosts.len() as u64, c.host_count());
        assert_eq!(Cidr::parse("10.0.0.0/22").unwrap().host_count(), 1022);
        assert_eq!(
            Cidr::parse("10.0.0.7").unwrap().hosts().collect::<Vec<_>>(),
            [Ipv4Addr::new(10, 0, 0, 7)]
        );
        assert_eq!(Cidr::parse("10.0.0.6/31").unwrap().host_count(), 2);
        for bad in ["10.0.0.0/33", "10.0.0/24", "::1/128", "10.0.0.0/x", ""] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn more_than_a_slash_16_or_adding_without_a_site_is_refused() {
        let req = |cidr: &str, add: bool, site: Option<&str>| ScanRequest {
            cidr: cidr.into(),
            port: 4028,
            site: site.map(Into::into),
            add,
        };
        let err = req("10.0.0.0/8", false, None).range().unwrap_err();
        assert!(err.contains("/8") && err.contains("/16"), "{err}");
        assert!(req("10.0.0.0/15", false, None).range().is_err());
        assert_eq!(
            req("10.1.0.0/16", false, None)
                .range()
                .unwrap()
                .host_count(),
            65_534
        );
        assert!(req("10.0.0.0/24", true, None)
            .range()
            .unwrap_err()
            .contains("site"));
        assert!(req("10.0.0.0/24", true, Some("north")).range().is_ok());
        let json: ScanRequest = serde_json::from_str(r#"{"cidr":"127.0.0.0/29"}"#).unwrap();
        assert_eq!((json.port, json.add), (4028, false));
        assert!(
            serde_json::from_str::<ScanRequest>(r#"{"cidr":"1.2.3.4/32","sudo":true}"#).is_err()
        );
    }
}
