//! Which address a request came from. Behind a reverse proxy the connection comes from the proxy and
//! the client's address is in `X-Forwarded-For`, a header anyone can write: it is believed only when
//! the connection comes from a configured proxy (`VEZA_TRUSTED_PROXIES`), and then read from the right,
//! past the trusted proxies, so a client cannot pick the address its sign-in attempts count against.

use std::net::IpAddr;

/// A network: an address and how many of its leading bits are fixed (`10.0.0.0/8`, `::1/128`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `10.0.0.0/8`, `192.168.1.5` (one address) or `fd00::/8`.
    pub fn parse(s: &str) -> Option<Network> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, p.parse::<u8>().ok()?),
            None => {
                let a = s.parse::<IpAddr>().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            return None;
        }
        // An IPv4 network written as IPv6 (`::ffff:10.0.0.0/104`) is that IPv4 network: addresses are
        // compared in their IPv4 form.
        if let (IpAddr::V6(v6), true) = (addr, prefix >= 96) {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return Some(Network { addr: IpAddr::V4(v4), prefix: prefix - 96 });
            }
        }
        Some(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let (bits, a, b) = match (self.addr, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (32, u32::from(n) as u128, u32::from(i) as u128),
            (IpAddr::V6(n), IpAddr::V6(i)) => (128, u128::from(n), u128::from(i)),
            _ => return false,
        };
        let shift = bits - self.prefix as u32;
        shift >= bits || (a >> shift) == (b >> shift)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, as a dual-stack socket reports it) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Parses `VEZA_TRUSTED_PROXIES`: networks separated by commas or spaces; returns the ones it could
/// not read as the error.
pub fn parse_networks(s: &str) -> Result<Vec<Network>, String> {
    let mut out = Vec::new();
    for part in s.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
        out.push(Network::parse(part).ok_or_else(|| part.trim().to_string())?);
    }
    Ok(out)
}

/// The client's address: the connection's peer, unless the peer is a trusted proxy; then the last
/// address in `X-Forwarded-For` that is not a trusted proxy (proxies append what they saw, so the
/// entries a client wrote itself stand to the left and are never reached).
pub fn client_address(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[Network]) -> Option<IpAddr> {
    let peer = peer.map(canonical)?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let mut client = peer;
    for entry in forwarded_for.unwrap_or("").rsplit(',') {
        let Ok(ip) = entry.trim().parse::<IpAddr>().map(canonical) else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    Some(client)
}

/// What sign-in throttling counts an address as: an IPv4 address itself, an IPv6 address by its /64
/// network (one host can use any address of it).
pub fn throttle_key(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(canonical) {
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxies = parse_networks("127.0.0.1, 10.0.0.0/8").unwrap();
        // Straight from the client: the header is the client's own words and is ignored.
        assert_eq!(client_address(ip("203.0.113.7"), Some("1.2.3.4"), &proxies), ip("203.0.113.7"));
        assert_eq!(client_address(ip("203.0.113.7"), Some("1.2.3.4"), &[]), ip("203.0.113.7"));
        // Through the proxy: the address it appended, whatever the client put before it.
        assert_eq!(client_address(ip("127.0.0.1"), Some("6.6.6.6, 198.51.100.9"), &proxies), ip("198.51.100.9"));
        // Through two proxies of ours.
        assert_eq!(client_address(ip("127.0.0.1"), Some("198.51.100.9, 10.1.2.3"), &proxies), ip("198.51.100.9"));
        // A proxy that sent no header, or garbage: the proxy's own address (one bucket, never a free pass).
        assert_eq!(client_address(ip("127.0.0.1"), None, &proxies), ip("127.0.0.1"));
        assert_eq!(client_address(ip("127.0.0.1"), Some("nonsense"), &proxies), ip("127.0.0.1"));
        // A dual-stack socket's IPv4 address.
        assert_eq!(client_address(ip("::ffff:127.0.0.1"), Some("198.51.100.9"), &proxies), ip("198.51.100.9"));
    }

    #[test]
    fn an_ipv6_client_is_throttled_by_its_network() {
        assert_eq!(throttle_key("2001:db8:1:2:aaaa::1"), throttle_key("2001:db8:1:2:bbbb::9"));
        assert_ne!(throttle_key("2001:db8:1:2::1"), throttle_key("2001:db8:1:3::1"));
        assert_eq!(throttle_key("198.51.100.7"), "198.51.100.7");
        assert_eq!(throttle_key("::ffff:198.51.100.7"), "198.51.100.7");
        assert_eq!(throttle_key("unknown"), "unknown");
    }

    #[test]
    fn networks_parse_and_match() {
        assert!(Network::parse("10.0.0.0/8").unwrap().contains("10.200.3.4".parse().unwrap()));
        assert!(!Network::parse("10.0.0.0/8").unwrap().contains("11.0.0.1".parse().unwrap()));
        assert!(Network::parse("fd00::/8").unwrap().contains("fd12::1".parse().unwrap()));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert_eq!(Network::parse("10.0.0.0/33"), None);
        // An IPv4 network written as IPv6 matches the IPv4 and the mapped form of its addresses.
        let mapped = Network::parse("::ffff:10.0.0.0/104").unwrap();
        assert!(mapped.contains("10.9.8.7".parse().unwrap()) && mapped.contains("::ffff:10.9.8.7".parse().unwrap()));
        assert!(!mapped.contains("11.0.0.1".parse().unwrap()));
        assert_eq!(Network::parse("::ffff:127.0.0.1"), Network::parse("127.0.0.1"));
        assert_eq!(parse_networks("10.0.0.0/8, banana"), Err("banana".to_string()));
    }
}
