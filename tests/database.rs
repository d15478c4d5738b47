//! The database under the server, on the backend this run tests (`CSMS_TEST_BACKEND`): its
//! migrated schema is the one `src/db/schema.rs` declares, and the behaviour that used to hold
//! on SQLite by accident holds on both.

mod common;

use common::TestServer;
use serde_json::json;

#[tokio::test]
async fn the_migrated_schema_is_the_one_schema_rs_declares() {
    let server = TestServer::start("");
    server.admin_token().await;
    let differences = server.store().read(csms::db::schema_check::differences);
    assert!(
        differences.is_empty(),
        "{} differs from src/db/schema.rs:\n  {}",
        server.database_url(),
        differences.join("\n  ")
    );
}

#[tokio::test]
async fn id_tags_ignore_case_everywhere_and_searches_too() {
    let server = TestServer::start("");
    server.add_id_tag("Tag-Mixed", "Accepted").await;
    let found = server.get("/api/v1/id-tags/TAG-MIXED").await;
    assert_eq!(found["idTag"], "Tag-Mixed", "{found}");
    let token = server.admin_token().await;
    let again = server
        .api(
            "POST",
            "/api/v1/id-tags",
            Some(&token),
            Some(json!({"idTag": "tag-mixed", "status": "Accepted"})),
        )
        .await;
    assert_eq!(
        again.0, 409,
        "the same tag in other case is a duplicate: {again:?}"
    );
    let searched = server.items("/api/v1/id-tags?q=mIxEd").await;
    assert_eq!(searched.len(), 1, "{searched:?}");
    let literal = server.items("/api/v1/id-tags?q=%25").await;
    assert!(literal.is_empty(), "% is matched literally: {literal:?}");
}

#[tokio::test]
async fn a_seeded_history_reads_back_filtered_paged_and_exported() {
    let server = TestServer::start("");
    server.admin_token().await;
    let written = server
        .store()
        .read(|c| csms::db::history::seed(c, "HIST", 3_000));
    assert_eq!(written, 3_000);
    // Chargers HIST-0 … HIST-999 get every thousandth transaction: three each.
    let (code, page) = server
        .api(
            "GET",
            "/api/v1/transactions?chargePointId=HIST-7&limit=2",
            Some(&server.admin_token().await),
            None,
        )
        .await;
    assert_eq!(code, 200, "{page}");
    assert_eq!(page["total"], 3, "{page}");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["energyWh"], 7000, "{page}");
    assert!(
        items[0]["startTime"].as_str() > items[1]["startTime"].as_str(),
        "newest first: {page}"
    );
    // Tags ignore case in filters: HIST-TAG-7 is used by transactions 7, 5007, ... (one here).
    let by_tag = server
        .items("/api/v1/transactions?idTag=hist-tag-7&state=completed")
        .await;
    assert_eq!(by_tag.len(), 1, "{by_tag:?}");
    let csv = reqwest::Client::new()
        .get(
            server
                .url("/api/v1/transactions.csv?from=2024-01-01T00:00:00Z&to=2024-01-01T01:00:00Z"),
        )
        .bearer_auth(server.admin_token().await)
        .send()
        .await
        .expect("CSV export")
        .text()
        .await
        .expect("CSV text");
    assert_eq!(
        csv.lines().count(),
        1 + 60,
        "a header and an hour of transactions:\n{csv}"
    );
}
