//! `csms`: parse the command line and configuration, start logging, hand over to the server.

use clap::Parser;
use csms::cli::{Cli, Command, ConfigArgs};
use csms::config::{Config, Overrides};
use std::process::ExitCode;

fn load(args: &ConfigArgs) -> Result<Config, String> {
    let overrides = Overrides {
        bind: args.bind.clone(),
        data_dir: args.data_dir.clone(),
        database_url: args.database_url.clone(),
    };
    Config::load(args.config.as_deref(), &overrides)
}

fn init_logging(config: &Config) {
    env_logger::Builder::new()
        .parse_filters(&config.log.level)
        .parse_env("RUST_LOG")
        .format_timestamp_millis()
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::ConfigExample => {
            print!("{}", csms::CONFIG_EXAMPLE);
            Ok(())
        }
        Command::Migrate(args) => load(&args).and_then(|config| {
            init_logging(&config);
            csms::db::open(&config.database)
                .map(|_| log::info!("database is up to date"))
                .map_err(|e| e.to_string())
        }),
        Command::Serve(args) => load(&args.config).and_then(|config| {
            init_logging(&config);
            actix_web::rt::System::new().block_on(csms::server::run(config, args.port_file))
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("csms: {e}");
            ExitCode::FAILURE
        }
    }
}
