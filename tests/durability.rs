//! Nothing confirmed is lost: the server is killed with SIGKILL the moment an answer arrives
//! (or in the middle of traffic), restarted on the same data directory, and everything a charger
//! got a CALLRESULT for must be in the database. Then the server must serve again.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{Charger, TestServer};
use csms::db::readings;
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// MeterValues messages per session (each with two sampled values).
const METER_VALUES: usize = 3;
/// Messages per session: StartTransaction, the MeterValues, StopTransaction.
const STEPS: usize = METER_VALUES + 2;

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The messages of one charger's sessions, the same every time they are built (so a message
/// re-sent after the restart is the very one sent before it).
struct Plan {
    charger: String,
    tag: String,
    base: DateTime<Utc>,
}

impl Plan {
    fn new(prefix: &str, index: usize, base: DateTime<Utc>) -> Plan {
        Plan {
            charger: format!("{prefix}-{index}"),
            tag: format!("{prefix}-TAG-{index}"),
            base: base + TimeDelta::seconds(100_000 * index as i64),
        }
    }

    fn meter_start(session: usize) -> i64 {
        100_000 * (session as i64 + 1)
    }

    /// The energy register of MeterValues `k` (the last one is the meterStop).
    fn energy(session: usize, k: usize) -> i64 {
        Self::meter_start(session) + 1_000 * (k as i64 + 1)
    }

    fn meter_stop(session: usize) -> i64 {
        Self::energy(session, METER_VALUES)
    }

    fn at(&self, session: usize, step: usize) -> String {
        ts(self.base + TimeDelta::seconds(100 * session as i64 + step as i64))
    }

    fn message(&self, session: usize, step: usize, tx: Option<i64>) -> (&'static str, Value) {
        let at = self.at(session, step);
        if step == 0 {
            return (
                "StartTransaction",
                json!({"connectorId": 1, "idTag": self.tag, "meterStart": Self::meter_start(session), "timestamp": at}),
            );
        }
        let tx = tx.expect("a transaction id after StartTransaction");
        if step == STEPS - 1 {
            return (
                "StopTransaction",
                json!({"transactionId": tx, "meterStop": Self::meter_stop(session), "timestamp": at, "idTag": self.tag,
                       "reason": "EVDisconnected",
                       "transactionData": [{"timestamp": at, "sampledValue": [
                           {"value": Self::meter_stop(session).to_string(), "context": "Transaction.End",
                            "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]}),
            );
        }
        (
            "MeterValues",
            json!({"connectorId": 1, "transactionId": tx, "meterValue": [{"timestamp": at, "sampledValue": [
                {"value": Self::energy(session, step - 1).to_string(), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "7400", "measurand": "Power.Active.Import", "unit": "W"}]}]}),
        )
    }
}

/// What the server confirmed (a CALLRESULT arrived), recorded before anything else happens.
#[derive(Default, Debug)]
struct Ledger {
    /// (charger, session, transactionId)
    starts: Vec<(String, usize, i64)>,
    /// (charger, transactionId, energy value sent)
    meter_values: Vec<(String, i64, i64)>,
    /// (charger, transactionId, meterStop)
    stops: Vec<(String, i64, i64)>,
}

/// Where a charger's run was cut: the message that got no answer.
#[derive(Debug, Clone, Copy)]
struct Progress {
    session: usize,
    step: usize,
    tx: Option<i64>,
}

/// Runs `sessions` from `at`, recording every confirmation and calling `confirmed` after each.
/// Gives the unanswered message when the connection breaks, `None` when all went through.
async fn drive(
    cp: &mut Charger,
    plan: &Plan,
    sessions: Range<usize>,
    mut at: Progress,
    ledger: &Mutex<Ledger>,
    confirmed: &(dyn Fn() + Sync),
) -> Option<Progress> {
    while at.session < sessions.end {
        while at.step < STEPS {
            let (action, payload) = plan.message(at.session, at.step, at.tx);
            let Some(answer) = cp.try_call(action, payload).await else {
                return Some(at);
            };
            assert_eq!(answer[0], 3, "{} {action} got {answer}", plan.charger);
            {
                let mut ledger = ledger.lock().unwrap();
                if at.step == 0 {
                    let tx = answer[2]["transactionId"]
                        .as_i64()
                        .unwrap_or_else(|| panic!("{answer}"));
                    assert_eq!(
                        answer[2]["idTagInfo"]["status"], "Accepted",
                        "{} {answer}",
                        plan.charger
                    );
                    ledger.starts.push((plan.charger.clone(), at.session, tx));
                    at.tx = Some(tx);
                } else if at.step == STEPS - 1 {
                    ledger.stops.push((
                        plan.charger.clone(),
                        at.tx.unwrap(),
                        Plan::meter_stop(at.session),
                    ));
                } else {
                    ledger.meter_values.push((
                        plan.charger.clone(),
                        at.tx.unwrap(),
                        Plan::energy(at.session, at.step - 1),
                    ));
                }
            }
            confirmed();
            at.step += 1;
        }
        at = Progress {
            session: at.session + 1,
            step: 0,
            tx: None,
        };
    }
    None
}

/// What the server shows of the transactions of the chargers in `ledger`: each by id, with
/// its meter values (oldest first).
struct Stored {
    transactions: HashMap<i64, (Value, Vec<Value>)>,
}

impl Stored {
    async fn read(server: &TestServer, ledger: &Ledger) -> Stored {
        let chargers: BTreeSet<&str> = ledger.starts.iter().map(|(cp, ..)| cp.as_str()).collect();
        let mut transactions = HashMap::new();
        for cp in chargers {
            for t in server.transactions_of(cp).await {
                let id = t["id"].as_i64().expect("transaction id");
                transactions.insert(id, (t, server.meter_values(id).await));
            }
        }
        Stored { transactions }
    }

    /// Transaction `tx` if stored for charger `cp`.
    fn transaction(&self, cp: &str, tx: i64) -> Option<&Value> {
        let (t, _) = self.transactions.get(&tx)?;
        (t["chargePointId"] == cp).then_some(t)
    }

    /// How many of transaction `tx`'s meter values (of charger `cp`) satisfy `wanted`.
    fn samples(&self, cp: &str, tx: i64, wanted: impl Fn(&Value) -> bool) -> usize {
        match self.transactions.get(&tx) {
            Some((t, samples)) if t["chargePointId"] == cp => {
                samples.iter().filter(|s| wanted(s)).count()
            }
            _ => 0,
        }
    }
}

/// Everything in `ledger` is in the database. `exact`: nothing else was stored either (no
/// message went unanswered, so none can have been stored without a confirmation).
async fn verify(server: &TestServer, ledger: &Ledger, exact: bool) {
    let stored = Stored::read(server, ledger).await;
    for (cp, session, tx) in &ledger.starts {
        let t = stored
            .transaction(cp, *tx)
            .unwrap_or_else(|| panic!("{cp}: confirmed transaction {tx} is not stored"));
        assert_eq!(
            t["meterStart"],
            Plan::meter_start(*session),
            "{cp}: transaction {tx}"
        );
    }
    for (cp, tx, meter_stop) in &ledger.stops {
        let t = stored
            .transaction(cp, *tx)
            .unwrap_or_else(|| panic!("{cp}: confirmed stop of {tx} lost: no transaction"));
        assert!(
            !t["stopTime"].is_null(),
            "{cp}: confirmed stop of {tx} lost"
        );
        assert_eq!(t["meterStop"], *meter_stop, "{cp}: transaction {tx}");
        let end = stored.samples(cp, *tx, |s| {
            s["context"] == "Transaction.End"
                && s["value"].as_str() == Some(&meter_stop.to_string())
        });
        assert_eq!(
            end, 1,
            "{cp}: transactionData of the confirmed stop of {tx} lost"
        );
    }
    for (cp, tx, energy) in &ledger.meter_values {
        let found = stored.samples(cp, *tx, |s| {
            s["measurand"] == readings::ENERGY_REGISTER
                && s["value"].as_str() == Some(&energy.to_string())
        });
        if exact {
            assert_eq!(
                found, 1,
                "{cp}: confirmed MeterValues {energy} of transaction {tx}"
            );
        } else {
            assert!(
                found >= 1,
                "{cp}: confirmed MeterValues {energy} of transaction {tx} lost"
            );
        }
    }
    if exact {
        assert_eq!(stored.transactions.len(), ledger.starts.len());
        // Every row the chargers sent, in a transaction or not.
        let store = server.store();
        let chargers: BTreeSet<&str> = ledger.starts.iter().map(|(cp, ..)| cp.as_str()).collect();
        let rows: usize = chargers
            .iter()
            .map(|cp| store.read(|c| readings::values_of_charger(c, cp)).len())
            .sum();
        assert_eq!(rows, 2 * ledger.meter_values.len() + ledger.stops.len());
    }
}

/// After a restart: a charger never seen before connects, boots, heartbeats and charges, and its
/// transaction id is new.
async fn serves_again(server: &TestServer, ledger: &Ledger) {
    server.add_id_tag("AFTER-TAG", "Accepted").await;
    let mut cp = server.booted("AFTER-RESTART").await;
    let hb = cp.call("Heartbeat", json!({})).await;
    assert_eq!(hb[0], 3, "{hb}");
    let start = cp
        .call("StartTransaction", json!({"connectorId": 1, "idTag": "AFTER-TAG", "meterStart": 0, "timestamp": ts(Utc::now())}))
        .await;
    let tx = start[2]["transactionId"]
        .as_i64()
        .unwrap_or_else(|| panic!("{start}"));
    let highest = ledger
        .starts
        .iter()
        .map(|(_, _, tx)| *tx)
        .max()
        .unwrap_or(0);
    assert!(
        tx > highest,
        "transaction id {tx} after the restart reuses one confirmed before (up to {highest})"
    );
    let stop = cp
        .call(
            "StopTransaction",
            json!({"transactionId": tx, "meterStop": 10, "timestamp": ts(Utc::now())}),
        )
        .await;
    assert_eq!(stop[0], 3, "{stop}");
    let stored = server.transaction(tx).await;
    assert!(
        !stored["stopTime"].is_null() && stored["meterStop"] == 10,
        "transaction {tx} after the restart: its confirmed stop is not stored: {stored}"
    );
    cp.close().await;
}

/// A server, and each plan's charger connected and booted with its id tag known.
async fn start_with(plans: &[Plan]) -> (TestServer, Vec<Charger>) {
    let server = TestServer::start("");
    for plan in plans {
        server.add_id_tag(&plan.tag, "Accepted").await;
    }
    let mut chargers = Vec::new();
    for plan in plans {
        chargers.push(server.booted(&plan.charger).await);
    }
    (server, chargers)
}

#[tokio::test]
async fn killed_as_the_stop_is_confirmed_loses_nothing() {
    let mut server = TestServer::start("");
    let plan = Plan::new("DUR-ONE", 0, Utc::now() - TimeDelta::days(1));
    server.add_id_tag(&plan.tag, "Accepted").await;
    let mut cp = server.booted(&plan.charger).await;
    let ledger = Mutex::new(Ledger::default());

    // All but the StopTransaction.
    let mut at = Progress {
        session: 0,
        step: 0,
        tx: None,
    };
    while at.step < STEPS - 1 {
        let (action, payload) = plan.message(0, at.step, at.tx);
        let answer = cp.call(action, payload).await;
        assert_eq!(answer[0], 3, "{action}: {answer}");
        let mut ledger = ledger.lock().unwrap();
        if at.step == 0 {
            at.tx = answer[2]["transactionId"].as_i64();
            ledger
                .starts
                .push((plan.charger.clone(), 0, at.tx.unwrap()));
        } else {
            ledger.meter_values.push((
                plan.charger.clone(),
                at.tx.unwrap(),
                Plan::energy(0, at.step - 1),
            ));
        }
        at.step += 1;
    }
    let (action, payload) = plan.message(0, STEPS - 1, at.tx);
    let stop = cp.call(action, payload).await;
    server.kill();
    assert_eq!(stop[0], 3, "{stop}");
    ledger
        .lock()
        .unwrap()
        .stops
        .push((plan.charger.clone(), at.tx.unwrap(), Plan::meter_stop(0)));
    drop(cp);

    server.restart();
    let ledger = ledger.into_inner().unwrap();
    verify(&server, &ledger, true).await;
    serves_again(&server, &ledger).await;
}

#[tokio::test]
async fn killed_after_the_last_of_many_confirmations_loses_nothing() {
    const CHARGERS: usize = 4;
    const SESSIONS: usize = 5;
    let base = Utc::now() - TimeDelta::days(1);
    let plans: Vec<Plan> = (0..CHARGERS)
        .map(|i| Plan::new("DUR-MANY", i, base))
        .collect();
    let (server, mut chargers) = start_with(&plans).await;
    let server = Mutex::new(server);
    let ledger = Mutex::new(Ledger::default());
    let running = AtomicUsize::new(CHARGERS);
    let runs = chargers.iter_mut().zip(&plans).map(|(cp, plan)| {
        let (ledger, server, running) = (&ledger, &server, &running);
        async move {
            let start = Progress {
                session: 0,
                step: 0,
                tx: None,
            };
            let cut = drive(cp, plan, 0..SESSIONS, start, ledger, &|| {}).await;
            assert!(
                cut.is_none(),
                "{}: connection broke at {cut:?}",
                plan.charger
            );
            // The last charger to get its last answer kills the server at once.
            if running.fetch_sub(1, Ordering::SeqCst) == 1 {
                server.lock().unwrap().kill();
            }
        }
    });
    join_all(runs).await;
    drop(chargers);

    let mut server = server.into_inner().unwrap();
    server.restart();
    let ledger = ledger.into_inner().unwrap();
    assert_eq!(ledger.stops.len(), CHARGERS * SESSIONS);
    assert_eq!(
        ledger.meter_values.len(),
        CHARGERS * SESSIONS * METER_VALUES
    );
    verify(&server, &ledger, true).await;
    serves_again(&server, &ledger).await;
}

/// Killed in the middle of traffic, after some confirmations: everything confirmed is stored.
/// Then each charger reconnects (no new BootNotification, as the spec asks) and re-sends the
/// message that got no answer, as a charger does with transaction messages; a re-sent
/// StartTransaction whose first copy was stored must get the same transaction id.
#[tokio::test]
async fn killed_mid_traffic_loses_nothing_confirmed_and_resent_messages_are_answered() {
    const CHARGERS: usize = 4;
    const SESSIONS: usize = 30;
    /// Confirmations before the kill: well inside the traffic (there are CHARGERS*SESSIONS*STEPS).
    const KILL_AFTER: usize = 61;
    let base = Utc::now() - TimeDelta::days(1);
    let plans: Vec<Plan> = (0..CHARGERS)
        .map(|i| Plan::new("DUR-MID", i, base))
        .collect();
    let (server, mut chargers) = start_with(&plans).await;
    let server = Mutex::new(server);
    let ledger = Mutex::new(Ledger::default());
    let count = AtomicUsize::new(0);
    let kill_at_count = || {
        if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
            server.lock().unwrap().kill();
        }
    };
    let runs = chargers.iter_mut().zip(&plans).map(|(cp, plan)| {
        let (ledger, kill_at_count) = (&ledger, &kill_at_count);
        async move {
            let start = Progress {
                session: 0,
                step: 0,
                tx: None,
            };
            drive(cp, plan, 0..SESSIONS, start, ledger, kill_at_count).await
        }
    });
    let cuts = join_all(runs).await;
    drop(chargers);
    for (plan, cut) in plans.iter().zip(&cuts) {
        assert!(
            cut.is_some(),
            "{} finished all its sessions before the kill; raise SESSIONS",
            plan.charger
        );
    }

    println!("killed after {KILL_AFTER} confirmations; unanswered per charger: {cuts:?}");

    let mut server = server.into_inner().unwrap();
    server.restart();
    let confirmed_before = {
        // Taken out for the check (nothing else uses it meanwhile), then put back.
        let so_far = std::mem::take(&mut *ledger.lock().unwrap());
        verify(&server, &so_far, false).await;
        let confirmed = so_far.starts.len();
        *ledger.lock().unwrap() = so_far;
        confirmed
    };

    // Each charger re-sends what got no answer and finishes that session.
    let mut chargers = Vec::new();
    for plan in &plans {
        chargers.push(Charger::connect(&server, &plan.charger).await);
    }
    let resumes = chargers
        .iter_mut()
        .zip(&plans)
        .zip(&cuts)
        .map(|((cp, plan), cut)| {
            let ledger = &ledger;
            let cut = cut.unwrap();
            async move {
                let left = drive(cp, plan, cut.session..cut.session + 1, cut, ledger, &|| {}).await;
                assert!(left.is_none(), "{}: cut again at {left:?}", plan.charger);
            }
        });
    join_all(resumes).await;
    for cp in chargers {
        cp.close().await;
    }

    let ledger = ledger.into_inner().unwrap();
    verify(&server, &ledger, false).await;
    for plan in &plans {
        let started = ledger
            .starts
            .iter()
            .filter(|(c, ..)| *c == plan.charger)
            .count();
        let stored = server.transactions_of(&plan.charger).await;
        assert_eq!(
            stored.len(),
            started,
            "{}: a transaction that was never confirmed, or a re-sent StartTransaction got a second one",
            plan.charger
        );
        let active: Vec<_> = stored.iter().filter(|t| t["stopTime"].is_null()).collect();
        assert_eq!(active, Vec::<&Value>::new(), "{}", plan.charger);
    }
    assert!(ledger.starts.len() >= confirmed_before);
    serves_again(&server, &ledger).await;
}
