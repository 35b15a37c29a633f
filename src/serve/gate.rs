//! The server's limits: connections still signing in, failed sign-ins per address, sessions
//! per user. Counted in memory, under short locks that are never held across an await.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Gate {
    max_unauthenticated: usize,
    max_failures: u32,
    failure_window: Duration,
    sessions_per_user: usize,
    unauthenticated: AtomicUsize,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
    sessions: Mutex<HashMap<i64, usize>>,
}

/// A connection that has not signed in yet; it stops counting when dropped (or signed in).
#[derive(Debug)]
pub struct Unauthenticated {
    gate: Arc<Gate>,
    counted: bool,
}

impl Unauthenticated {
    pub fn signed_in(&mut self) {
        if std::mem::take(&mut self.counted) {
            self.gate.unauthenticated.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Unauthenticated {
    fn drop(&mut self) {
        self.signed_in();
    }
}

/// One open session of a user; it stops counting when dropped.
#[derive(Debug)]
pub struct SessionSeat {
    gate: Arc<Gate>,
    user: i64,
}

impl Drop for SessionSeat {
    fn drop(&mut self) {
        let mut sessions = lock(&self.gate.sessions);
        if let Some(count) = sessions.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                sessions.remove(&self.user);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Gate {
    pub fn new(config: &crate::config::ServeConfig) -> Arc<Self> {
        Arc::new(Self {
            max_unauthenticated: config.max_unauthenticated.max(1),
            max_failures: config.max_failed_auth_per_address.max(1),
            failure_window: Duration::from_secs(config.failed_auth_window_secs.max(1)),
            sessions_per_user: config.sessions_per_user.max(1),
            unauthenticated: AtomicUsize::new(0),
            failures: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
        })
    }

    /// Lets a new connection in, or says why not.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Unauthenticated, &'static str> {
        if self.is_blocked(address) {
            return Err("too many failed sign-ins from this address");
        }
        let before = self.unauthenticated.fetch_add(1, Ordering::SeqCst);
        if before >= self.max_unauthenticated {
            self.unauthenticated.fetch_sub(1, Ordering::SeqCst);
            return Err("too many connections signing in at once");
        }
        Ok(Unauthenticated {
            gate: self.clone(),
            counted: true,
        })
    }

    pub fn is_blocked(&self, address: IpAddr) -> bool {
        let mut failures = lock(&self.failures);
        match failures.get(&address) {
            Some((_, since)) if since.elapsed() >= self.failure_window => {
                failures.remove(&address);
                false
            }
            Some((count, _)) => *count >= self.max_failures,
            None => false,
        }
    }

    /// Counts a refused key; says whether the address is now blocked.
    pub fn failed(&self, address: IpAddr) -> bool {
        let mut failures = lock(&self.failures);
        let entry = failures.entry(address).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.failure_window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
        entry.0 >= self.max_failures
    }

    /// A seat for one more session of `user`, or None when they have as many as allowed.
    pub fn seat(self: &Arc<Self>, user: i64) -> Option<SessionSeat> {
        let mut sessions = lock(&self.sessions);
        let count = sessions.entry(user).or_insert(0);
        if *count >= self.sessions_per_user {
            return None;
        }
        *count += 1;
        Some(SessionSeat {
            gate: self.clone(),
            user,
        })
    }

    pub fn sessions_per_user(&self) -> usize {
        self.sessions_per_user
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServeConfig;

    fn gate() -> Arc<Gate> {
        Gate::new(&ServeConfig {
            max_unauthenticated: 2,
            max_failed_auth_per_address: 3,
            sessions_per_user: 1,
            ..ServeConfig::default()
        })
    }

    #[test]
    fn connections_signing_in_are_capped() {
        let gate = gate();
        let address: IpAddr = [127, 0, 0, 1].into();
        let first = gate.admit(address).expect("first");
        let mut second = gate.admit(address).expect("second");
        assert!(
            gate.admit(address).is_err(),
            "a third waits for a free place"
        );
        second.signed_in();
        let third = gate.admit(address).expect("a place came free");
        drop((first, third));
        assert!(gate.admit(address).is_ok());
    }

    #[test]
    fn failed_sign_ins_block_an_address_and_sessions_are_capped_per_user() {
        let gate = gate();
        let address: IpAddr = [127, 0, 0, 2].into();
        assert!(!gate.failed(address));
        assert!(!gate.failed(address));
        assert!(gate.failed(address));
        assert!(gate.admit(address).is_err());
        assert!(
            gate.admit([127, 0, 0, 3].into()).is_ok(),
            "others still get in"
        );
        let seat = gate.seat(7).expect("one session");
        assert!(gate.seat(7).is_none(), "one session per user here");
        drop(seat);
        assert!(gate.seat(7).is_some());
    }
}
