//! The ghost check (`--check-ghosts`, on by default with `--crash-every`): at the end of a
//! run, every transaction the server holds open for this run's chargers must be one that a
//! charger really holds. One that no charger holds is a ghost; the server should end it
//! itself (on the charger's BootNotification, on a new start at the connector, or once the
//! connector has been Available past `ocpp.idle_transaction_grace_secs`), so the check asks
//! again for up to `--ghost-wait` seconds before it counts what is left.
//!
//! What the chargers hold is known exactly at that moment: the fleet compares while its
//! chargers still hold their sessions, once the drivers and crashes have stopped and every
//! charger has delivered what it had (so each held session has the server's id); the burst
//! compares after its chargers stopped, counting as held only a transaction whose
//! StopTransaction was not confirmed.
//!
//! The run's id tags are exclusive: each is registered for one connector of one charger, so a
//! refusal of a tag (Authorize or StartTransaction answered other than Accepted) can only be
//! for a transaction no charger holds any more: a ghost refusal.
//!
//! Tags are `<base>-<charger>-<connector>` (fleet) or `<base>-<charger>` (burst), where
//! `<base>` is 6 hex digits of a hash of the run's id prefix: at most 20 characters, as OCPP
//! allows.

use crate::rest::{ActiveTransaction, Rest};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Ghosts listed by name in the report.
const EXAMPLES: usize = 10;
/// Pause between two looks at the server's active transactions.
const POLL: Duration = Duration::from_secs(1);

/// What the check found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Open transactions that no charger holds, after waiting.
    pub left: u64,
    /// A few of them: `<transaction> <charger>/<connector> <tag>`.
    pub examples: Vec<String>,
    /// Seconds waited for the server to end ghosts.
    pub waited_secs: f64,
}

/// The tag base of a run whose chargers are named `<prefix>-…`.
pub fn tag_base(prefix: &str) -> String {
    let digest = Sha256::digest(prefix.as_bytes());
    format!("G{}", &hex::encode(digest)[..6])
}

/// The tag of connector `connector` of fleet charger `index` (from 0).
pub fn fleet_tag(base: &str, index: usize, connector: u32) -> String {
    format!("{base}-{index}-{connector}")
}

/// The tag of burst charger `index`.
pub fn burst_tag(base: &str, index: usize) -> String {
    format!("{base}-{index}")
}

/// The open transactions of chargers `<prefix>-…` not in `held`.
fn ghosts(
    rest: &Rest,
    prefix: &str,
    held: &BTreeSet<i32>,
) -> Result<Vec<ActiveTransaction>, String> {
    Ok(rest
        .active_transactions(&format!("{prefix}-"))?
        .into_iter()
        .filter(|t| !held.contains(&t.id))
        .collect())
}

/// Compares the server's open transactions with `held` (what the chargers hold, by the
/// server's transaction id), asking again until none is left over or `wait` has passed.
/// Blocking: call it off the async threads.
pub fn check(
    rest: &Rest,
    prefix: &str,
    held: &BTreeSet<i32>,
    wait: Duration,
) -> Result<Found, String> {
    let started = Instant::now();
    loop {
        let left = ghosts(rest, prefix, held)?;
        if left.is_empty() || started.elapsed() >= wait {
            return Ok(Found {
                left: left.len() as u64,
                examples: left
                    .iter()
                    .take(EXAMPLES)
                    .map(|t| {
                        format!(
                            "{} {}/{} {}",
                            t.id, t.charge_point_id, t.connector_id, t.id_tag
                        )
                    })
                    .collect(),
                waited_secs: started.elapsed().as_secs_f64(),
            });
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_fit_ocpp_and_differ_between_runs() {
        let base = tag_base("lt4194304-99999-p15");
        assert_eq!(base.len(), 7);
        assert_ne!(base, tag_base("lt4194304-99999-p14"));
        assert!(fleet_tag(&base, 9_999_999, 9).len() <= 20);
        assert!(burst_tag(&base, 99_999_999_999).len() <= 20);
    }
}
