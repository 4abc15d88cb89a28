//! The command line: `serve` (the default) and the operator commands.

use std::io::Read;

use chrono::Duration;
use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};

use crate::server::activtrak::{ActivTrakClient, ActivTrakError, AuthHeader, Region, WorkingHoursQuery};
use crate::server::StartupError;
use crate::server::config::Config;
use crate::server::db::credentials::{save_credential, NewCredential};
use crate::server::db::Database;

#[derive(Debug, Parser)]
#[command(name = "activtrak-board", version, about = "ActivTrak insights for monday.com boards")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Connect a monday account to ActivTrak without the UI. The API key is
    /// read from standard input, never from the command line.
    Connect {
        /// The monday account id.
        #[arg(long)]
        account: i64,
        /// The ActivTrak region: us, eu, uk, ca or au.
        #[arg(long, default_value = "us")]
        region: Region,
        /// The header that carries the key: bearer (Authorization: Bearer) or x-api-key.
        #[arg(long, default_value = "bearer")]
        auth_header: AuthHeader,
    },
    /// Re-encrypt every stored ActivTrak key under the current encryption
    /// key (TOKEN_ENCRYPTION_KEY), reading older rows with
    /// TOKEN_ENCRYPTION_PREVIOUS_KEYS.
    RotateKeys,
}

/// Re-encrypts every stored key under the current key. Rows no configured
/// key can open are left as they are and counted; their accounts show
/// "needs attention" until an admin enters the key again.
pub async fn rotate_keys(config: &Config) -> Result<(), StartupError> {
    let db = Database::connect(&config.database_url).await?;
    let report = crate::server::db::credentials::rotate_all(&db, &config.keyring).await?;
    println!(
        "Re-encrypted {} key(s); {} already used the current key; {} could not be decrypted.",
        report.rotated, report.current, report.undecryptable
    );
    if report.undecryptable > 0 {
        eprintln!(
            "warning: {} account(s) need an admin to enter the ActivTrak key again",
            report.undecryptable
        );
    }
    Ok(())
}

/// Reads the API key from standard input, checks it with a one-day Working
/// Hours request, and stores it encrypted.
pub async fn connect(config: &Config, account: i64, region: Region, auth_header: AuthHeader) -> Result<(), StartupError> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let api_key = SecretString::from(input.trim().to_owned());
    if api_key.expose_secret().is_empty() {
        return Err("no API key on standard input; pipe it in, e.g. `activtrak-board connect … < key.txt`".into());
    }

    let client = ActivTrakClient::new(
        config.activtrak_base_url.clone(),
        config.activtrak_connect_timeout,
        config.activtrak_request_timeout,
    )?;
    let yesterday = chrono::Utc::now().date_naive() - Duration::days(1);
    let check = WorkingHoursQuery {
        from: yesterday,
        to: yesterday,
        group_id: None,
    };
    if let Err(error) = client.working_hours(region, auth_header, &api_key, check).await {
        let hint = match error {
            ActivTrakError::Unauthorized => "check that the key was copied whole and has not been deleted in ActivTrak",
            ActivTrakError::Forbidden => {
                "the ActivTrak plan may not include API access, or the key's creator may not see the data"
            }
            ActivTrakError::Timeout | ActivTrakError::Connect => "check the region and the network, then try again",
            _ => "try again later",
        };
        return Err(format!("the key was not stored: {error} ({hint})").into());
    }

    let db = Database::connect(&config.database_url).await?;
    let sealed = config.keyring.seal(account, &api_key);
    let generation = save_credential(
        &db,
        NewCredential {
            account_id: account,
            region,
            auth_header,
            sealed_key: &sealed,
            connected_by: None,
            now: chrono::Utc::now().timestamp(),
        },
    )
    .await?;
    let details = format!("operator command; region {}, header {}", region.as_str(), auth_header.as_str());
    crate::server::db::audit::record(&db, account, None, "connect", &details, chrono::Utc::now().timestamp()).await?;
    println!(
        "Connected monday account {account} to ActivTrak ({} region, {} header); credential generation {generation}.",
        region.as_str(),
        auth_header.as_str()
    );
    Ok(())
}
