//! Who a client is, by address, and how many connections each address holds (`--max-connections-per-ip`),
//! so that one address cannot take every slot. Behind a proxy every connection comes from the proxy: its
//! `X-Forwarded-For` is believed only when the proxy is one given with `--trusted-proxy`.

use axum::http::HeaderMap;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The client's address: the peer's, or, from a trusted proxy, the last address in `X-Forwarded-For` that
/// is not itself a trusted proxy (the one the nearest proxy saw).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// Open connections per address.
#[derive(Debug, Default)]
pub struct PerIp {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection of an address, given back when dropped.
#[derive(Debug)]
pub struct IpSlot {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

fn lock(counts: &Mutex<HashMap<IpAddr, usize>>) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
    counts.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PerIp {
    /// A slot for `ip`, unless it holds `max` already (`max` 0: no limit).
    pub fn try_take(&self, ip: IpAddr, max: usize) -> Option<IpSlot> {
        let mut counts = lock(&self.counts);
        let count = counts.entry(ip).or_insert(0);
        if max != 0 && *count >= max {
            return None;
        }
        *count += 1;
        Some(IpSlot {
            counts: self.counts.clone(),
            ip,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut counts = lock(&self.counts);
        if let Some(count) = counts.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let h = headers("198.51.100.9, 203.0.113.7");
        assert_eq!(client_ip(proxy, &h, &[proxy]), client);
        // Anyone else's header is ignored.
        assert_eq!(client_ip(client, &h, &[proxy]), client);
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(other, &h, &[proxy]), other);
        // A trusted proxy without the header is the client.
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn per_ip_slots_are_capped_and_given_back() {
        let per_ip = PerIp::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let a = per_ip.try_take(ip, 2);
        let b = per_ip.try_take(ip, 2);
        assert!(a.is_some() && b.is_some());
        assert!(per_ip.try_take(ip, 2).is_none());
        assert!(per_ip.try_take("203.0.113.8".parse().unwrap(), 2).is_some());
        drop(a);
        assert!(per_ip.try_take(ip, 2).is_some());
        assert!(per_ip.try_take(ip, 0).is_some());
    }
}
