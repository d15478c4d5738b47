//! Which waiting writes go into the next commit. At most `max_jobs` writes and about `max_rows`
//! rows (a write always fits into an empty batch), taken round-robin by charger: one charger's
//! heavy writes (MeterValues with many samples, pipelined) cannot fill a commit while other
//! chargers wait behind them. Each charger's writes keep their order; a barrier (a write that
//! must follow everything sent before it) is taken only once all before it are.

use std::collections::{HashMap, VecDeque};

/// What the picker needs to know of a waiting write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting<'a> {
    /// Whose write it is; `None`: nobody's (it forms a group of its own).
    pub charger: Option<&'a str>,
    /// Rows it writes, roughly.
    pub rows: usize,
    pub barrier: bool,
}

/// Indexes into `waiting` of the writes for the next commit, in commit order.
pub fn pick(waiting: &[Waiting<'_>], max_jobs: usize, max_rows: usize) -> Vec<usize> {
    let barrier = waiting.iter().position(|w| w.barrier);
    let before = &waiting[..barrier.unwrap_or(waiting.len())];
    // Groups in order of first appearance; each a queue of indexes.
    let mut groups: Vec<VecDeque<usize>> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for (i, w) in before.iter().enumerate() {
        let known = w.charger.and_then(|id| group_of.get(id).copied());
        match known {
            Some(g) => groups[g].push_back(i),
            None => {
                if let Some(id) = w.charger {
                    group_of.insert(id, groups.len());
                }
                groups.push(VecDeque::from([i]));
            }
        }
    }
    let mut picked = Vec::new();
    let mut rows = 0usize;
    'rounds: loop {
        let mut progress = false;
        for queue in groups.iter_mut() {
            let Some(&next) = queue.front() else {
                continue;
            };
            if picked.len() == max_jobs {
                break 'rounds;
            }
            let cost = waiting[next].rows.max(1);
            if !picked.is_empty() && rows + cost > max_rows {
                // This group waits for the next commit; smaller writes of others may still fit.
                continue;
            }
            queue.pop_front();
            picked.push(next);
            rows += cost;
            progress = true;
        }
        if !progress {
            break;
        }
    }
    if let Some(b) = barrier {
        if picked.len() == before.len() && picked.len() < max_jobs {
            picked.push(b);
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(charger: &str, rows: usize) -> Waiting<'_> {
        Waiting {
            charger: Some(charger),
            rows,
            barrier: false,
        }
    }

    #[test]
    fn chargers_take_turns_and_keep_their_own_order() {
        let waiting = [
            w("A", 1),
            w("A", 1),
            w("A", 1),
            w("B", 1),
            w("C", 1),
            w("B", 1),
        ];
        assert_eq!(pick(&waiting, 4, 100), [0, 3, 4, 1]);
        assert_eq!(pick(&waiting, 10, 100), [0, 3, 4, 1, 5, 2]);
    }

    #[test]
    fn a_heavy_charger_cannot_fill_the_commit_before_a_light_one() {
        let waiting = [
            w("HEAVY", 1000),
            w("HEAVY", 1000),
            w("HEAVY", 1000),
            w("LIGHT", 1),
        ];
        assert_eq!(pick(&waiting, 100, 2000), [0, 3]);
        // A write larger than the budget still goes, alone, when nothing else is taken.
        assert_eq!(pick(&[w("HEAVY", 5000), w("LIGHT", 1)], 100, 2000), [0]);
    }

    #[test]
    fn a_barrier_waits_for_everything_before_it() {
        let flush = Waiting {
            charger: None,
            rows: 0,
            barrier: true,
        };
        let waiting = [w("A", 1), w("B", 1), flush, w("C", 1)];
        assert_eq!(pick(&waiting, 10, 100), [0, 1, 2]);
        assert_eq!(pick(&waiting, 2, 100), [0, 1], "the barrier goes next time");
        assert_eq!(pick(&[flush, w("C", 1)], 10, 100), [0]);
    }

    #[test]
    fn fifty_thousand_chargers_each_get_one_turn_in_order() {
        let ids: Vec<String> = (0..50_000).map(|n| format!("CP-{n}")).collect();
        let waiting: Vec<Waiting<'_>> = ids.iter().map(|id| w(id, 1)).collect();
        let picked = pick(&waiting, 2000, 5000);
        assert_eq!(picked, (0..2000).collect::<Vec<_>>());
    }

    #[test]
    fn writes_of_nobody_are_groups_of_their_own() {
        let run = Waiting {
            charger: None,
            rows: 1,
            barrier: false,
        };
        let waiting = [run, run, w("A", 1), w("A", 1)];
        assert_eq!(pick(&waiting, 3, 100), [0, 1, 2]);
    }
}
