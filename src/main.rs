//! `csms`: parse the command line and configuration, start logging, hand over to the server.

use clap::Parser;
use csms::cli::{Cli, Command, ConfigArgs, UserCommand};
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

fn user(command: UserCommand) -> Result<(), String> {
    let (args, username, role) = match &command {
        UserCommand::Add {
            config,
            username,
            role,
        } => (config, username, Some(role.as_str())),
        UserCommand::Passwd { config, username } => (config, username, None),
    };
    let config = load(args)?;
    init_logging(&config);
    let password = match std::env::var("CSMS_USER_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => read_password(&format!("password for {username}: "))?,
    };
    let (pool, _) = csms::db::open(&config.database).map_err(|e| e.to_string())?;
    csms::api::users::set_from_cli(&pool, username, &password, role)?;
    println!(
        "{} user {username}",
        if role.is_some() { "added" } else { "updated" }
    );
    Ok(())
}

fn read_password(prompt: &str) -> Result<String, String> {
    use std::io::{BufRead, Write};
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
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
        Command::User(command) => user(command),
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
