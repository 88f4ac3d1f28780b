//! Gathering ICE candidates against one server, for the connection check: a connection that offers a data
//! channel to nobody, and listens to what its gathering finds.

use std::{cell::RefCell, rc::Rc};

use futures::{channel::oneshot, future::select};
use protocol::{IceServer, IceTransportPolicy};

use super::{now_ms, sleep, Error, PeerConnection};

/// Each candidate line found, with when it came (ms after gathering began), and every `icecandidateerror`
/// code.
pub type Gathered = (Vec<(String, f64)>, Vec<u16>);

/// Gathers candidates with `server` (or with none: host candidates only), until gathering completes or
/// `timeout_ms` pass. The connection is closed before this returns.
pub async fn gather(server: Option<IceServer>, timeout_ms: u32) -> Result<Gathered, Error> {
    let servers: Vec<IceServer> = server.into_iter().collect();
    let pc = PeerConnection::with_ice_servers(&servers, IceTransportPolicy::All)?;
    let found: Rc<RefCell<Gathered>> = Rc::default();
    let (complete, completed) = oneshot::channel();
    let mut complete = Some(complete);
    let start = now_ms();
    let record = found.clone();
    pc.on_ice_candidate(move |candidate| match candidate {
        Some(candidate) => record
            .borrow_mut()
            .0
            .push((candidate.candidate, now_ms() - start)),
        None => {
            if let Some(complete) = complete.take() {
                let _ = complete.send(());
            }
        }
    })?;
    let record = found.clone();
    pc.on_ice_candidate_error(move |error| record.borrow_mut().1.push(error.code))?;
    // Something to offer, so that the browser gathers.
    let _channel = pc.negotiated_channel("check", 0);
    pc.set_local_description_auto().await?;
    select(completed, Box::pin(sleep(timeout_ms))).await;
    pc.close();
    Ok(found.take())
}
