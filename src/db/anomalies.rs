//! What a charger sent that did not fit, and the transactions the server ended itself
//! (`transaction_anomalies`), as the API reads them. They are recorded by the writer's jobs
//! ([`super::jobs::transactions::record_anomaly`]).

use super::conn::MultiBackend;
use super::page::{Page, PageRequest};
use super::query::stored;
use super::schema::transaction_anomalies as ta;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What did not fit in what a charger sent about a transaction (or what the server saw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnomalyKind {
    /// A StopTransaction or MeterValues for a transaction id the server never gave.
    UnknownTransaction,
    /// A second StopTransaction for a transaction the charger stopped already.
    DuplicateStop,
    /// A StopTransaction for a transaction the server or an operator had ended.
    StopAfterInferredEnd,
    /// Meter values for a transaction the charger stopped.
    MeterValuesAfterStop,
    /// Meter values for a transaction the server or an operator had ended.
    MeterValuesAfterInferredEnd,
    /// The answer to a StartTransaction never reached the charger.
    StartAnswerLost,
    /// The server ended a transaction that got no StopTransaction.
    EndedWithoutStop,
    /// A StartTransaction on a connector that had an open transaction.
    StartOnBusyConnector,
}

impl AnomalyKind {
    pub const ALL: [AnomalyKind; 8] = [
        AnomalyKind::UnknownTransaction,
        AnomalyKind::DuplicateStop,
        AnomalyKind::StopAfterInferredEnd,
        AnomalyKind::MeterValuesAfterStop,
        AnomalyKind::MeterValuesAfterInferredEnd,
        AnomalyKind::StartAnswerLost,
        AnomalyKind::EndedWithoutStop,
        AnomalyKind::StartOnBusyConnector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::UnknownTransaction => "UnknownTransaction",
            AnomalyKind::DuplicateStop => "DuplicateStop",
            AnomalyKind::StopAfterInferredEnd => "StopAfterInferredEnd",
            AnomalyKind::MeterValuesAfterStop => "MeterValuesAfterStop",
            AnomalyKind::MeterValuesAfterInferredEnd => "MeterValuesAfterInferredEnd",
            AnomalyKind::StartAnswerLost => "StartAnswerLost",
            AnomalyKind::EndedWithoutStop => "EndedWithoutStop",
            AnomalyKind::StartOnBusyConnector => "StartOnBusyConnector",
        }
    }

    pub fn parse(s: &str) -> Option<AnomalyKind> {
        AnomalyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One anomaly.
#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    pub id: i64,
    pub transaction_id: Option<i32>,
    pub kind: AnomalyKind,
    /// What the charger sent (or what the server saw) as JSON; text that is not JSON comes as
    /// a JSON string.
    pub payload: serde_json::Value,
    pub received_at: NaiveDateTime,
}

/// Which anomalies of a charger; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub transaction_id: Option<i32>,
    pub kind: Option<AnomalyKind>,
}

fn filtered(charge_point_id: &str, f: &Filter) -> ta::BoxedQuery<'static, MultiBackend> {
    let mut q = ta::table
        .filter(ta::charge_point_id.eq(charge_point_id.to_owned()))
        .into_boxed();
    if let Some(t) = f.transaction_id {
        q = q.filter(ta::transaction_id.eq(t));
    }
    if let Some(k) = f.kind {
        q = q.filter(ta::kind.eq(k.as_str()));
    }
    q
}

type Row = (i64, Option<i32>, String, String, NaiveDateTime);

/// A page of a charger's anomalies, newest first.
pub fn page(
    c: &mut DbConn,
    charge_point_id: &str,
    filter: &Filter,
    page: PageRequest,
) -> QueryResult<Page<Anomaly>> {
    let total: i64 = filtered(charge_point_id, filter).count().get_result(c)?;
    let rows: Vec<Row> = filtered(charge_point_id, filter)
        .order((ta::received_at.desc(), ta::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .select((
            ta::id,
            ta::transaction_id,
            ta::kind,
            ta::payload,
            ta::received_at,
        ))
        .load(c)?;
    let items = rows
        .into_iter()
        .map(|(id, transaction_id, kind, payload, received_at)| {
            Ok(Anomaly {
                id,
                transaction_id,
                kind: stored("transaction_anomalies.kind", &kind, AnomalyKind::parse)?,
                payload: serde_json::from_str(&payload)
                    .unwrap_or(serde_json::Value::String(payload)),
                received_at,
            })
        })
        .collect::<QueryResult<_>>()?;
    Ok(page.of(items, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query::plan;

    #[test]
    fn anomalies_are_read_through_the_per_charger_index() {
        let filter = Filter {
            kind: Some(AnomalyKind::DuplicateStop),
            ..Filter::default()
        };
        let q = filtered("CP", &filter)
            .order((ta::received_at.desc(), ta::id.desc()))
            .limit(50)
            .select(ta::id);
        let p = plan::of(q);
        assert!(p.contains("INDEX transaction_anomalies_by_charger"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }
}
