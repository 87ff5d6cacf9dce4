//! Rate limits on the doors people knock on to guess passwords or flood the server: signing in,
//! registering, password resets, email verification and record verification.
//!
//! Three limits, all with the GCRA limiter of the `governor` crate, kept in memory by each instance:
//! - **per client address**, generous (a whole hospital can sit behind one address), against floods;
//! - **per client address on the sign-in doors of other systems** (an organisation's sign-in, a VLE's
//!   launch), ten times as generous (a lecture theatre launches at once from one address), so each request
//!   there, which writes a row or calls another system, cannot be repeated without bound;
//! - **per account** (the email typed at sign-in), against guessing one person's password from many
//!   addresses. It slows an account down rather than locking it: one attempt comes back every
//!   [`LimitSettings::account_refill`], so a stranger cannot keep a learner out for long once they stop.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use crate::error::AppError;

/// How much each limit allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitSettings {
    /// Requests to the limited doors per client address per minute (also the burst).
    pub per_address_per_minute: u32,
    /// Starts of a sign-in through an organisation and VLE launches per client address per minute.
    pub launches_per_address_per_minute: u32,
    /// Sign-in attempts on one account that may come at once.
    pub account_burst: u32,
    /// After the burst, one more attempt on the account per this long.
    pub account_refill: Duration,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            per_address_per_minute: 60,
            launches_per_address_per_minute: 600,
            account_burst: 10,
            account_refill: Duration::from_secs(60),
        }
    }
}

/// The limiters, shared by every request of one server instance.
pub struct Limits {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    launches_per_address: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("addresses", &self.per_address.len())
            .field("accounts", &self.per_account.len())
            .finish()
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(LimitSettings::default())
    }
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// The refusal, saying how long to wait (rounded up to whole seconds, at least one).
fn too_many(wait: Duration) -> AppError {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    AppError::TooManyRequests {
        retry_after_seconds: seconds.max(1),
    }
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        let per_address = Quota::per_minute(at_least_one(settings.per_address_per_minute));
        let launches = Quota::per_minute(at_least_one(settings.launches_per_address_per_minute));
        let per_account = Quota::with_period(settings.account_refill)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(at_least_one(settings.account_burst));
        Limits {
            per_address: RateLimiter::keyed(per_address),
            launches_per_address: RateLimiter::keyed(launches),
            per_account: RateLimiter::keyed(per_account),
        }
    }

    /// Counts one request from `address` to a limited door; refuses when the address is over its limit.
    pub fn check_address(&self, address: IpAddr) -> Result<(), AppError> {
        self.per_address.check_key(&address).map_err(|not_until| {
            tracing::warn!(%address, "rate limit reached for a client address");
            too_many(not_until.wait_time_from(DefaultClock::default().now()))
        })
    }

    /// Counts one start of a sign-in through an organisation or one VLE launch step from `address`.
    pub fn check_launch(&self, address: IpAddr) -> Result<(), AppError> {
        self.launches_per_address
            .check_key(&address)
            .map_err(|not_until| {
                tracing::warn!(%address, "launch rate limit reached for a client address");
                too_many(not_until.wait_time_from(DefaultClock::default().now()))
            })
    }

    /// Counts one sign-in attempt on the account `email` (normalised); refuses when it is over its limit.
    pub fn check_account(&self, email: &str) -> Result<(), AppError> {
        self.per_account
            .check_key(&email.to_owned())
            .map_err(|not_until| {
                tracing::warn!("sign-in attempts on one account are being slowed down");
                too_many(not_until.wait_time_from(DefaultClock::default().now()))
            })
    }

    /// Forgets addresses and accounts whose limits have fully recovered, so memory stays bounded.
    pub fn forget_recovered(&self) {
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
        self.launches_per_address.retain_recent();
        self.launches_per_address.shrink_to_fit();
        self.per_account.retain_recent();
        self.per_account.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_is_told_how_long_to_wait() {
        let limits = Limits::new(LimitSettings {
            per_address_per_minute: 3,
            ..LimitSettings::default()
        });
        let address: IpAddr = [192, 0, 2, 1].into();
        for _ in 0..3 {
            assert!(limits.check_address(address).is_ok());
        }
        match limits.check_address(address) {
            Err(AppError::TooManyRequests {
                retry_after_seconds,
            }) => assert!((1..=20).contains(&retry_after_seconds)),
            other => panic!("expected a refusal, got {other:?}"),
        }
        let other: IpAddr = [192, 0, 2, 2].into();
        assert!(
            limits.check_address(other).is_ok(),
            "limits are per address"
        );
    }

    #[test]
    fn an_account_is_slowed_not_locked() {
        let limits = Limits::new(LimitSettings {
            account_burst: 2,
            account_refill: Duration::from_secs(30),
            ..LimitSettings::default()
        });
        assert!(limits.check_account("ada@example.org").is_ok());
        assert!(limits.check_account("ada@example.org").is_ok());
        match limits.check_account("ada@example.org") {
            Err(AppError::TooManyRequests {
                retry_after_seconds,
            }) => assert!(
                retry_after_seconds <= 30,
                "one attempt returns within the refill"
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(limits.check_account("grace@example.org").is_ok());
    }
}
