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
