//! What a welcome tells a page about ICE: the STUN/TURN servers from the flags, a TURN server with
//! credentials made for that person ([`crate::turn`]), and the transport policy.

use crate::config::Config;
use crate::turn::TurnRest;
use protocol::{IceServer, IceTransportPolicy, PeerId};
use std::time::SystemTime;

/// The ICE servers and policy handed to every page.
#[derive(Debug)]
pub struct Ice {
    servers: Vec<IceServer>,
    turn: Option<TurnRest>,
    policy: IceTransportPolicy,
}

impl Ice {
    pub fn new(config: &Config) -> Ice {
        Ice {
            servers: config.ice_servers(),
            turn: config.turn_rest(),
            policy: config.ice_transport_policy,
        }
    }

    /// The ICE servers for `peer`'s welcome: the static ones, then the TURN servers with credentials made for
    /// `peer` now (so a rejoin gets fresh ones).
    pub fn servers_for(&self, peer: &PeerId) -> Vec<IceServer> {
        let mut servers = self.servers.clone();
        if let Some(turn) = &self.turn {
            servers.push(turn.ice_server_for(peer, SystemTime::now()));
        }
        servers
    }

    pub fn policy(&self) -> IceTransportPolicy {
        self.policy
    }

    /// How many ICE servers come from `--ice-server`.
    pub fn static_count(&self) -> usize {
        self.servers.len()
    }

    /// How many TURN URLs take short-lived credentials.
    pub fn turn_url_count(&self) -> usize {
        self.turn.as_ref().map_or(0, |turn| turn.urls.len())
    }
}
