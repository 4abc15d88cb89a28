//! ActivTrak's Public API v2: the Working Hours report, the app's only input.

mod client;
mod rows;

pub use client::{ActivTrakClient, ActivTrakError, WorkingHoursQuery, MAX_PAGE_SIZE};
pub use rows::{GroupRef, TimeBlock, WorkingHoursRow};

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// ActivTrak's data regions, each with its own API host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    Us,
    Eu,
    Uk,
    Ca,
    Au,
}

impl Region {
    pub const ALL: [Region; 5] = [Region::Us, Region::Eu, Region::Uk, Region::Ca, Region::Au];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Uk => "uk",
            Region::Ca => "ca",
            Region::Au => "au",
        }
    }

    /// The region's API host, from ActivTrak's developer documentation.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.activtrak.com",
            Region::Eu => "https://api-eu.activtrak.com",
            Region::Uk => "https://api-uk.activtrak.com",
            Region::Ca => "https://api-ca.activtrak.com",
            Region::Au => "https://api-au.activtrak.com",
        }
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(value: &str) -> Result<Region, String> {
        Region::ALL
            .into_iter()
            .find(|region| region.as_str().eq_ignore_ascii_case(value.trim()))
            .ok_or_else(|| format!("unknown ActivTrak region `{value}`; expected one of us, eu, uk, ca, au"))
    }
}

/// How the API key is sent. ActivTrak's own page documents
/// `Authorization: Bearer`; its OpenAPI description uses `x-api-key`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthHeader {
    #[default]
    Bearer,
    XApiKey,
}

impl AuthHeader {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthHeader::Bearer => "bearer",
            AuthHeader::XApiKey => "x-api-key",
        }
    }
}

impl FromStr for AuthHeader {
    type Err = String;

    fn from_str(value: &str) -> Result<AuthHeader, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "bearer" => Ok(AuthHeader::Bearer),
            "x-api-key" => Ok(AuthHeader::XApiKey),
            _ => Err(format!("unknown auth header style `{value}`; expected bearer or x-api-key")),
        }
    }
}
