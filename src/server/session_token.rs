//! Verification of monday's `sessionToken` (and of lifecycle webhook JWTs,
//! which share its claim layout).
//!
//! The token is a JWT signed with the app's client secret. Only HS256 is
//! accepted, `exp` must be a number, and the claims sit under `dat`. monday
//! adds claims without notice, so unknown fields are ignored.

use jsonwebtoken::{decode, errors::ErrorKind, Algorithm, DecodingKey, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use thiserror::Error;

use crate::server::ids::MondayId;

/// Seconds of clock difference tolerated on `exp`. monday's servers and
/// ours each keep their own clock; 10 s covers ordinary NTP drift without
/// letting a token live noticeably longer than monday intended.
pub const EXPIRY_LEEWAY_SECS: u64 = 10;

#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Signed correctly but past `exp`: the caller should fetch a new one.
    #[error("the monday session token has expired")]
    Expired,
    /// Anything else: bad signature, wrong algorithm, malformed claims.
    #[error("the monday session token is invalid")]
    Invalid,
}

/// Who is calling, as the verified token says. Nothing here comes from the
/// client besides the token itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MondaySession {
    pub account_id: MondayId,
    pub user_id: MondayId,
    pub is_admin: bool,
    pub is_guest: bool,
    pub is_view_only: bool,
    /// monday's `user_kind` (`admin`, `member`, `guest`, `view_only`), when
    /// present.
    pub user_kind: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    dat: SessionClaims,
}

#[derive(Deserialize)]
struct SessionClaims {
    account_id: MondayId,
    user_id: MondayId,
    #[serde(default)]
    is_admin: bool,
    #[serde(default)]
    is_guest: bool,
    #[serde(default)]
    is_view_only: bool,
    #[serde(default)]
    user_kind: Option<String>,
}

fn validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = EXPIRY_LEEWAY_SECS;
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_exp = true;
    // monday's lifecycle JWTs may carry an `aud` this app cannot predict.
    validation.validate_aud = false;
    validation
}

/// Verifies `token` with the client secret and returns the session it names.
pub fn verify_session_token(token: &str, client_secret: &SecretString) -> Result<MondaySession, TokenError> {
    let key = DecodingKey::from_secret(client_secret.expose_secret().as_bytes());
    let key = key.map_err(|_| TokenError::Invalid)?;
    let data = decode::<Claims>(token.trim(), &key, &validation()).map_err(|error| match error.kind() {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        _ => TokenError::Invalid,
    })?;
    let claims = data.claims.dat;
    Ok(MondaySession {
        account_id: claims.account_id,
        user_id: claims.user_id,
        is_admin: claims.is_admin,
        is_guest: claims.is_guest,
        is_view_only: claims.is_view_only,
        user_kind: claims.user_kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::json;

    const SECRET: &str = "client-secret-for-tests";
    const SIGNING_SECRET: &str = "signing-secret-for-tests";

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn claims(exp: serde_json::Value) -> serde_json::Value {
        json!({
            "dat": {
                "client_id": "abc", "user_id": 1002, "account_id": 111, "slug": "acme",
                "app_id": 10001, "app_version_id": 20001, "install_id": -5,
                "is_admin": false, "is_view_only": false, "is_guest": false, "user_kind": "member"
            },
            "exp": exp
        })
    }

    fn sign(claims: &serde_json::Value, algorithm: Algorithm, secret: &str) -> String {
        encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(secret.as_bytes()).unwrap()).unwrap()
    }

    fn verify(token: &str) -> Result<MondaySession, TokenError> {
        verify_session_token(token, &SecretString::from(SECRET.to_owned()))
    }

    #[test]
    fn valid_token_gives_ids_from_dat() {
        let session = verify(&sign(&claims(json!(now() + 60)), Algorithm::HS256, SECRET)).unwrap();
        assert_eq!(session.account_id, MondayId(111));
        assert_eq!(session.user_id, MondayId(1002));
        assert!(!session.is_admin);
        assert_eq!(session.user_kind.as_deref(), Some("member"));
    }

    #[test]
    fn ids_as_strings_and_above_u32_are_accepted() {
        let mut body = claims(json!(now() + 60));
        body["dat"]["account_id"] = json!("5000000000");
        body["dat"]["user_id"] = json!(4294967297u64);
        let session = verify(&sign(&body, Algorithm::HS256, SECRET)).unwrap();
        assert_eq!(session.account_id, MondayId(5_000_000_000));
        assert_eq!(session.user_id, MondayId(4_294_967_297));
    }

    #[test]
    fn expired_beyond_leeway_is_expired() {
        let exp = now() - (EXPIRY_LEEWAY_SECS as i64 + 1);
        let result = verify(&sign(&claims(json!(exp)), Algorithm::HS256, SECRET));
        assert_eq!(result.unwrap_err(), TokenError::Expired);
    }

    #[test]
    fn expired_within_leeway_is_accepted() {
        let exp = now() - (EXPIRY_LEEWAY_SECS as i64 - 3);
        assert!(verify(&sign(&claims(json!(exp)), Algorithm::HS256, SECRET)).is_ok());
    }

    #[test]
    fn missing_exp_is_invalid() {
        let mut body = claims(json!(0));
        body.as_object_mut().unwrap().remove("exp");
        let result = verify(&sign(&body, Algorithm::HS256, SECRET));
        assert_eq!(result.unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn string_exp_is_invalid() {
        let body = claims(json!("2023-12-01T00:00:00Z"));
        let result = verify(&sign(&body, Algorithm::HS256, SECRET));
        assert_eq!(result.unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn alg_none_is_invalid() {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = engine.encode(claims(json!(now() + 60)).to_string());
        let token = format!("{header}.{payload}.");
        assert_eq!(verify(&token).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn hs512_with_client_secret_is_invalid() {
        let token = sign(&claims(json!(now() + 60)), Algorithm::HS512, SECRET);
        assert_eq!(verify(&token).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn signing_secret_is_invalid() {
        let token = sign(&claims(json!(now() + 60)), Algorithm::HS256, SIGNING_SECRET);
        assert_eq!(verify(&token).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn changed_payload_is_invalid() {
        let token = sign(&claims(json!(now() + 60)), Algorithm::HS256, SECRET);
        let parts: Vec<&str> = token.split('.').collect();
        let mut payload: Vec<char> = parts[1].chars().collect();
        let middle = payload.len() / 2;
        payload[middle] = if payload[middle] == 'A' { 'B' } else { 'A' };
        let forged = format!("{}.{}.{}", parts[0], payload.into_iter().collect::<String>(), parts[2]);
        assert_eq!(verify(&forged).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn extra_claims_and_aud_are_accepted() {
        let mut body = claims(json!(now() + 60));
        body["aud"] = json!("https://example.invalid/monday/lifecycle");
        body["dat"]["something_new"] = json!({"nested": true});
        assert!(verify(&sign(&body, Algorithm::HS256, SECRET)).is_ok());
    }

    #[test]
    fn garbage_is_invalid() {
        assert_eq!(verify("not-a-jwt").unwrap_err(), TokenError::Invalid);
        assert_eq!(verify("").unwrap_err(), TokenError::Invalid);
    }
}
