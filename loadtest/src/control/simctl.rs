//! `loadtest simctl`: the command-line client of the control API (plain HTTP/1.1, see
//! [`crate::http`]).

use crate::http::{self, segment};
use clap::Subcommand;
use serde_json::Value;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

/// Longer than the control API waits for the central system's verdict on a tag.
const TIMEOUT: Duration = Duration::from_secs(20);

/// `loadtest simctl`: drive the chargers of a running `loadtest sim` or `loadtest demo`.
#[derive(Debug, clap::Args)]
pub struct SimctlArgs {
    /// Address of the simulator's control API.
    #[arg(long, default_value = "127.0.0.1:9190")]
    pub control: SocketAddr,
    #[command(subcommand)]
    pub command: Ctl,
}

#[derive(Debug, Subcommand)]
pub enum Ctl {
    /// Every charger and its connectors.
    List,
    /// One charger in full, with its recent events.
    Show { charger: String },
    /// Plug a car into a connector.
    Plug { charger: String, connector: u32 },
    /// Pull the cable out (stops a running transaction).
    Unplug { charger: String, connector: u32 },
    /// Present an id tag at a connector (Authorize, then StartTransaction once plugged).
    Start {
        charger: String,
        connector: u32,
        id_tag: String,
    },
    /// Stop the transaction on a connector.
    Stop { charger: String, connector: u32 },
    /// Make a connector fail with an OCPP error code.
    Fault {
        charger: String,
        connector: u32,
        #[arg(default_value = "OtherError")]
        code: String,
    },
    /// Clear a connector's fault.
    Repair { charger: String, connector: u32 },
    /// Take a charger off the network (it keeps charging and queues its messages).
    Offline { charger: String },
    /// Bring it back (queued messages are replayed).
    Online { charger: String },
}

/// One request to the control API; returns the status code and the body.
fn request(addr: SocketAddr, method: &str, path: &str) -> Result<(u16, String), String> {
    let answer = http::request(addr, method, path, &[], &[], TIMEOUT)
        .map_err(|e| format!("control API: {e}"))?;
    Ok((answer.status, answer.body))
}

fn connector_path(charger: &str, n: u32, action: &str) -> String {
    format!("/chargers/{}/connectors/{n}/{action}", segment(charger))
}

/// One line per charger, one per connector.
fn table(chargers: &Value) -> String {
    let mut out = String::new();
    for c in chargers.as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{:<12} {} {} ({})  {}  {}\n",
            c["id"].as_str().unwrap_or("?"),
            c["vendor"].as_str().unwrap_or(""),
            c["model"].as_str().unwrap_or(""),
            c["firmware"].as_str().unwrap_or(""),
            if c["online"] == true {
                "online"
            } else {
                "OFFLINE"
            },
            c["registration"].as_str().unwrap_or(""),
        ));
        for k in c["connectors"].as_array().into_iter().flatten() {
            let mut line = format!(
                "    {}  {:<14}",
                k["connector"],
                k["status"].as_str().unwrap_or("?")
            );
            if let Some(tx) = k["transaction_id"].as_i64() {
                line.push_str(&format!(
                    " tx {tx}  {:.1} kW  {:.2} kWh  tag {}",
                    k["power_w"].as_f64().unwrap_or(0.0) / 1000.0,
                    k["session_wh"].as_f64().unwrap_or(0.0) / 1000.0,
                    k["id_tag"].as_str().unwrap_or("")
                ));
                if let Some(soc) = k["soc_percent"].as_f64() {
                    line.push_str(&format!("  SoC {soc:.0} %"));
                }
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

pub fn main(args: SimctlArgs) -> ExitCode {
    let (method, path) = match &args.command {
        Ctl::List => ("GET", "/chargers".to_owned()),
        Ctl::Show { charger } => ("GET", format!("/chargers/{}", segment(charger))),
        Ctl::Plug { charger, connector } => ("POST", connector_path(charger, *connector, "plug")),
        Ctl::Unplug { charger, connector } => {
            ("POST", connector_path(charger, *connector, "unplug"))
        }
        Ctl::Start {
            charger,
            connector,
            id_tag,
        } => (
            "POST",
            format!(
                "{}?id_tag={}",
                connector_path(charger, *connector, "start"),
                segment(id_tag)
            ),
        ),
        Ctl::Stop { charger, connector } => ("POST", connector_path(charger, *connector, "stop")),
        Ctl::Fault {
            charger,
            connector,
            code,
        } => (
            "POST",
            format!(
                "{}?code={}",
                connector_path(charger, *connector, "fault"),
                segment(code)
            ),
        ),
        Ctl::Repair { charger, connector } => {
            ("POST", connector_path(charger, *connector, "repair"))
        }
        Ctl::Offline { charger } => ("POST", format!("/chargers/{}/offline", segment(charger))),
        Ctl::Online { charger } => ("POST", format!("/chargers/{}/online", segment(charger))),
    };
    let (status, body) = match request(args.control, method, &path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("simctl: {e}");
            return ExitCode::FAILURE;
        }
    };
    let value: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    if status != 200 {
        eprintln!(
            "simctl: {}",
            value["error"].as_str().unwrap_or(&value.to_string())
        );
        return ExitCode::FAILURE;
    }
    match args.command {
        Ctl::List => print!("{}", table(&value)),
        Ctl::Show { .. } => println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ),
        _ => println!("{}", value["message"].as_str().unwrap_or("ok")),
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_encoded_and_tables_readable() {
        assert_eq!(
            connector_path("CP-1", 2, "plug"),
            "/chargers/CP-1/connectors/2/plug"
        );
        let chargers = json!([{"id": "CP-1", "vendor": "Voltaro", "model": "HomeBox 7", "firmware": "1.4.2",
            "online": true, "registration": "Accepted", "connectors": [{"connector": 1, "status": "Charging",
            "transaction_id": 17, "power_w": 7400.0, "session_wh": 1234, "id_tag": "DEMO-1", "soc_percent": null}]}]);
        let text = table(&chargers);
        assert!(
            text.contains("CP-1") && text.contains("tx 17  7.4 kW  1.23 kWh  tag DEMO-1"),
            "{text}"
        );
    }
}
