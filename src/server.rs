//! Starts everything: database, writer, supervisor, and the one HTTP listener for `/ocpp/…`,
//! health, metrics and the API (and later the dashboard); then waits for SIGINT/SIGTERM and shuts down
//! gracefully: stop accepting, close chargers with 1001, flush the writer.

use crate::api;
use crate::api::auth::Tokens;
use crate::auth::login_guard::{LoginGuard, Policy as LoginPolicy};
use crate::charger::socket;
use crate::config::Config;
use crate::dashboard;
use crate::db::jobs::Job;
use crate::db::writer::Write;
use crate::db::{self, DbWriter};
use crate::events::EventBus;
use crate::lock::DataDirLock;
use crate::services::{derived_max_chargers, ConnectionGauge, Services};
use crate::supervisor::{CloseAll, Connected, Supervisor};
use actix::Actor;
use actix_web::http::header;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use utoipa_actix_web::{scope, AppExt};

/// How often old message-log rows are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Runs the server until a shutdown signal. `port_file` receives the bound address (useful
/// with port 0).
pub async fn run(config: Config, port_file: Option<PathBuf>) -> Result<(), String> {
    let admin_password = api::auth::initial_admin_password()?;
    let lock = DataDirLock::acquire(&config.database.data_dir).map_err(|e| e.to_string())?;
    log::info!(
        "data directory {} is ours (lock file {})",
        config.database.data_dir.display(),
        lock.path().display()
    );
    let config = Arc::new(config);
    let (pool, writer_conn) = db::open(&config.database).map_err(|e| e.to_string())?;
    log::info!("database {} ready", db::describe(&config.database));
    let events = EventBus::default();
    let db_health = Arc::new(db::Health::default());
    let reconnect = db::Reconnect {
        manager: db::Manager::new(&config.database).map_err(|e| e.to_string())?,
        health: db_health.clone(),
    };
    let writer = DbWriter::new(writer_conn, config.database.max_batch, events.clone())
        .reconnecting(reconnect)
        .start();
    let supervisor = Supervisor::new(writer.clone(), pool.clone(), &config.ocpp).start();
    let max_chargers = match config.server.max_chargers {
        0 => derived_max_chargers(),
        n => n,
    };
    let services = Services {
        config: config.clone(),
        pool,
        writer: writer.clone(),
        supervisor: supervisor.clone(),
        connections: Arc::new(ConnectionGauge::new(max_chargers)),
        tokens: Arc::new(Tokens::load(
            &config.api.jwt_secret,
            &config.database.data_dir,
            config.api.token_ttl_secs,
        )?),
        events,
        db_health,
        login_guard: Arc::new(LoginGuard::new(LoginPolicy {
            free_attempts: config.api.login_free_attempts,
            max_lockout: std::time::Duration::from_secs(config.api.login_max_lockout_secs),
        })),
    };

    crate::api::auth::bootstrap_admin(&services, admin_password).await?;
    dashboard::templates::check()?;
    let fleet = Arc::new(dashboard::live::Fleet::default());
    fleet.follow(&services);

    let data = web::Data::new(services.clone());
    let fleet = web::Data::new(fleet);
    let ocpp_route = format!("{}/{{id}}", config.ocpp.path_prefix);
    let mut server = HttpServer::new(move || {
        let (app, doc) = App::new()
            // Before the /api/v1 scope, which answers 404 for paths it does not know.
            .route("/api/v1/openapi.json", web::get().to(api::system::openapi))
            .into_utoipa_app()
            .app_data(data.clone())
            .app_data(fleet.clone())
            .app_data(api::error::json_config())
            .app_data(api::error::query_config())
            .app_data(api::error::path_config())
            .service(
                scope("/api/v1")
                    .configure(api::configure)
                    .default_service(web::to(api::system::no_route))
                    .wrap(from_fn(api::auth::resolve_caller))
                    // Answers carry tokens, keys and charger data: never cached.
                    .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store"))),
            )
            .split_for_parts();
        app.app_data(web::Data::new(api::system::finish_document(doc)))
            .route(&ocpp_route, web::get().to(socket::connect))
            .route("/health", web::get().to(api::system::health))
            .route("/ready", web::get().to(api::system::ready))
            .route("/metrics", web::get().to(crate::metrics::serve))
            // Last: its scope answers every other path.
            .service(
                web::scope("")
                    .configure(dashboard::configure)
                    .wrap(dashboard::security_headers()),
            )
            .wrap(from_fn(crate::metrics::track_http))
            .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
    })
    .disable_signals()
    .shutdown_timeout(config.server.shutdown_timeout_secs)
    .max_connections(max_chargers + 1024)
    .backlog(4096);
    if config.server.workers > 0 {
        server = server.workers(config.server.workers);
    }
    let server = server.bind(&config.server.bind).map_err(|e| {
        format!(
            "cannot listen on {}: {e} (choose another address with --bind or server.bind)",
            config.server.bind
        )
    })?;
    let addrs: Vec<SocketAddr> = server.addrs();
    let addr = addrs
        .first()
        .copied()
        .ok_or("the listener has no address")?;
    log::info!(
        "listening on http://{addr}; chargers connect to ws://{addr}{}/<chargePointId>; up to {max_chargers} chargers",
        config.ocpp.path_prefix
    );
    log::info!(
        "dashboard: http://{addr}/ (log in as admin with the password from {} or the one printed when it was created)",
        api::auth::ADMIN_PASSWORD_ENV
    );
    if let Some(path) = port_file {
        std::fs::write(&path, addr.to_string())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let server = server.run();
    let handle = server.handle();

    if config.log.message_retention_days > 0 {
        let days = i64::from(config.log.message_retention_days);
        let writer = writer.clone();
        actix_web::rt::spawn(async move {
            let mut tick = tokio::time::interval(PRUNE_EVERY);
            loop {
                tick.tick().await;
                let before = (chrono::Utc::now() - chrono::Duration::days(days)).naive_utc();
                if let Ok(Ok(crate::db::jobs::Outcome::Pruned(n))) =
                    writer.send(Write(Job::PruneMessageLog { before })).await
                {
                    if n > 0 {
                        log::info!("message log: pruned {n} rows older than {days} days");
                    }
                }
            }
        });
    }

    actix_web::rt::spawn(async move {
        wait_for_signal().await;
        log::info!("shutting down: closing charger connections");
        let open = supervisor.send(CloseAll).await.unwrap_or(0);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while open > 0 && tokio::time::Instant::now() < deadline {
            match supervisor.send(Connected).await {
                Ok(ids) if !ids.is_empty() => tokio::time::sleep(Duration::from_millis(50)).await,
                _ => break,
            }
        }
        handle.stop(true).await;
    });
    server.await.map_err(|e| format!("server error: {e}"))?;
    // Everything sent to the writer before this point is committed when Flush answers. A
    // database that stays unreachable does not keep the process from ending: what waits was
    // never confirmed to anyone.
    let flushed = tokio::time::timeout(FINAL_COMMIT_WAIT, writer.send(Write(Job::Flush))).await;
    if flushed.is_ok() {
        log::info!("stopped; all writes committed");
    } else {
        log::error!(
            "stopped with writes the database did not take (unreachable); none of them was confirmed"
        );
    }
    drop(lock);
    Ok(())
}

/// Longest a shutdown waits for the last commit (a healthy database takes well under a second).
const FINAL_COMMIT_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
