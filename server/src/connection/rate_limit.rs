//! What a client may send: `--rate-limit` messages per second on average with bursts of `--rate-burst` (a
//! token bucket), `--max-rate-drops` messages dropped for the rate, and `--max-bad-messages` bad ones. Past
//! either count the connection is closed.

use super::Limits;
use tokio::time::Instant;

/// One connection's standing against its limits.
#[derive(Debug)]
pub(super) struct Strikes {
    bucket: TokenBucket,
    rate_drops: u32,
    max_rate_drops: u32,
    bad_messages: u32,
    max_bad_messages: u32,
}

/// What the rate limit says of a message.
pub(super) enum Rate {
    Allowed,
    /// Dropped; the connection may go on.
    Dropped,
    /// Dropped, and the `drops`th: the connection is closed.
    Exceeded {
        drops: u32,
    },
}

/// What the count of bad messages says after one more.
pub(super) struct BadMessage {
    /// This one's number.
    pub count: u32,
    pub max: u32,
}

impl BadMessage {
    /// The last one allowed: the connection is closed.
    pub fn is_last(&self) -> bool {
        self.count >= self.max
    }
}

impl Strikes {
    pub fn new(limits: &Limits) -> Strikes {
        Strikes {
            bucket: TokenBucket::new(limits.rate_limit, limits.rate_burst),
            rate_drops: 0,
            max_rate_drops: limits.max_rate_drops,
            bad_messages: 0,
            max_bad_messages: limits.max_bad_messages,
        }
    }

    /// A message came at `now`.
    pub fn rate(&mut self, now: Instant) -> Rate {
        if self.bucket.take(now) {
            return Rate::Allowed;
        }
        self.rate_drops += 1;
        if self.rate_drops >= self.max_rate_drops {
            Rate::Exceeded {
                drops: self.rate_drops,
            }
        } else {
            Rate::Dropped
        }
    }

    /// A bad message came.
    pub fn bad_message(&mut self) -> BadMessage {
        self.bad_messages += 1;
        BadMessage {
            count: self.bad_messages,
            max: self.max_bad_messages,
        }
    }
}

/// A token bucket: `rate` messages per second on average, bursts of up to `burst`.
#[derive(Debug)]
struct TokenBucket {
    tokens: f32,
    burst: f32,
    rate: f32,
    last: Instant,
}

impl TokenBucket {
    fn new(rate: f64, burst: u32) -> TokenBucket {
        let burst = burst.max(1) as f32;
        TokenBucket {
            tokens: burst,
            burst,
            rate: rate.max(0.0) as f32,
            last: Instant::now(),
        }
    }

    /// Takes one token if there is one.
    fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f32();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_then_refills_at_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10.0, 3);
        assert!((0..3).all(|_| bucket.take(start)));
        assert!(!bucket.take(start));
        assert!(!bucket.take(start + Duration::from_millis(50)));
        assert!(bucket.take(start + Duration::from_millis(110)));
        assert!(!bucket.take(start + Duration::from_millis(110)));
        // A long pause refills to the burst, no more.
        let later = start + Duration::from_secs(60);
        assert!((0..3).all(|_| bucket.take(later)));
        assert!(!bucket.take(later));
    }

    #[test]
    fn strikes_close_at_the_last_drop_and_the_last_bad_message() {
        use clap::Parser;
        let config = crate::Config::try_parse_from([
            "server",
            "--rate-limit",
            "1",
            "--rate-burst",
            "1",
            "--max-rate-drops",
            "2",
            "--max-bad-messages",
            "2",
        ])
        .unwrap();
        let mut strikes = Strikes::new(&Limits::new(&config));
        let now = Instant::now();
        assert!(matches!(strikes.rate(now), Rate::Allowed));
        assert!(matches!(strikes.rate(now), Rate::Dropped));
        assert!(matches!(strikes.rate(now), Rate::Exceeded { drops: 2 }));
        let first = strikes.bad_message();
        assert_eq!((first.count, first.max, first.is_last()), (1, 2, false));
        assert!(strikes.bad_message().is_last());
    }
}
