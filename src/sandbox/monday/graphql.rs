//! `POST /monday/v2`: monday's GraphQL API, limited to the `me` query.
//!
//! The access token goes in `Authorization`, without a `Bearer ` prefix as
//! monday documents it; a prefix is accepted too. Responses:
//! - no `Authorization` header: 401 `UNAUTHENTICATED`;
//! - an unknown token: 200 with a `UserUnauthorizedException` error, since
//!   monday sends some errors with status 200 and an `errors` array;
//! - the `graphql_rate_limited` mode: 429 with `Retry-After: 10` and
//!   `COMPLEXITY_BUDGET_EXHAUSTED`;
//! - a body that is not `{"query": "..."}`: 400 with an `errors` array;
//! - a query that selects anything but `me`: 200 with an `errors` array;
//! - otherwise `{"data": {"me": {...}}}` with the selected fields. ids are
//!   strings, as in monday's schema.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::directory::{find_account, SandboxAccount, SandboxUser};
use super::grants::OAuthMode;
use super::graphql_query::{mentions_me, parse_operation, Field, QueryError};
use super::MondayStandIn;

/// `Retry-After` of the `graphql_rate_limited` mode, in seconds.
pub const RATE_LIMIT_RETRY_AFTER_SECS: u64 = 10;

/// The first API version whose responses leave out the top-level
/// `account_id`, per monday's API changelog entry "Account ID no longer
/// returned by default".
const FIRST_VERSION_WITHOUT_ACCOUNT_ID: &str = "2025-01";

/// Fields of `me` that the stand-in serves, for error messages.
const USER_FIELDS: &str =
    "id, name, email, is_admin, is_guest, is_view_only, account { id name slug }";

/// The request body. `variables` and `operationName` are ignored because
/// the `me` query takes no variables.
#[derive(Debug, Deserialize)]
struct GraphqlRequest {
    query: String,
}

fn error_entry(message: &str, code: Option<&str>) -> Value {
    match code {
        Some(code) => json!({ "message": message, "extensions": { "code": code } }),
        None => json!({ "message": message }),
    }
}

fn errors_response(status: StatusCode, errors: Vec<Value>) -> Response {
    (status, Json(json!({ "errors": errors }))).into_response()
}

/// Returns the token from an `Authorization` value, without a `Bearer `
/// prefix, or `None` when nothing is left.
fn token_from_header(value: &str) -> Option<&str> {
    let value = value.trim_start();
    let token = match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => &value[7..],
        _ => value,
    };
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

/// Reports whether responses for `api_version` still carry the top-level
/// `account_id`. A missing or malformed version means the current one.
fn version_has_account_id(api_version: Option<&str>) -> bool {
    let Some(version) = api_version.map(str::trim) else {
        return false;
    };
    let bytes = version.as_bytes();
    let well_formed = bytes.len() == 7
        && bytes[4] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || byte.is_ascii_digit());
    // Well-formed versions compare correctly as text.
    well_formed && version < FIRST_VERSION_WITHOUT_ACCOUNT_ID
}

fn missing_selection(field: &Field, type_name: &str) -> Value {
    error_entry(
        &format!(
            "Field \"{}\" of type \"{type_name}\" must have a selection of subfields.",
            field.name
        ),
        None,
    )
}

fn unsupported_field(field: &Field, type_name: &str) -> Value {
    error_entry(
        &format!(
            "The sandbox cannot resolve the field \"{}\" of type \"{type_name}\". It serves me {{ {USER_FIELDS} }}.",
            field.name
        ),
        None,
    )
}

fn account_object(account: &SandboxAccount) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("id".to_owned(), json!(account.id.to_string()));
    object.insert("name".to_owned(), json!(account.name));
    object.insert("slug".to_owned(), json!(account.slug));
    object
}

/// Returns every field the stand-in serves for `me`. Used when the query's
/// selection cannot be read, such as one with fragments.
fn full_user_object(account: &SandboxAccount, user: &SandboxUser) -> Value {
    json!({
        "id": user.id.to_string(),
        "name": user.name,
        "email": user.email,
        "is_admin": user.kind.is_admin(),
        "is_guest": user.kind.is_guest(),
        "is_view_only": user.kind.is_view_only(),
        "account": Value::Object(account_object(account)),
    })
}

fn resolve_account(
    selection: &[Field],
    account: &SandboxAccount,
    errors: &mut Vec<Value>,
) -> Value {
    let values = account_object(account);
    let mut object = Map::new();
    for field in selection {
        let value = match field.name.as_str() {
            "__typename" => json!("Account"),
            name => match values.get(name) {
                Some(value) if field.selection.is_none() => value.clone(),
                _ => {
                    errors.push(unsupported_field(field, "Account"));
                    continue;
                }
            },
        };
        object.insert(field.response_key.clone(), value);
    }
    Value::Object(object)
}

fn resolve_user(
    selection: &[Field],
    account: &SandboxAccount,
    user: &SandboxUser,
    errors: &mut Vec<Value>,
) -> Value {
    let mut object = Map::new();
    for field in selection {
        let value = match (field.name.as_str(), &field.selection) {
            ("account", Some(account_selection)) => {
                resolve_account(account_selection, account, errors)
            }
            ("account", None) => {
                errors.push(missing_selection(field, "Account"));
                continue;
            }
            (_, Some(_)) => {
                errors.push(unsupported_field(field, "User"));
                continue;
            }
            ("__typename", None) => json!("User"),
            ("id", None) => json!(user.id.to_string()),
            ("name", None) => json!(user.name),
            ("email", None) => json!(user.email),
            ("is_admin", None) => json!(user.kind.is_admin()),
            ("is_guest", None) => json!(user.kind.is_guest()),
            ("is_view_only", None) => json!(user.kind.is_view_only()),
            (_, None) => {
                errors.push(unsupported_field(field, "User"));
                continue;
            }
        };
        object.insert(field.response_key.clone(), value);
    }
    Value::Object(object)
}

/// Executes `query` for `user` and returns `{"data": ...}` or `{"errors": [...]}`.
/// Validation errors leave out `data`, as GraphQL servers do.
fn execute_query(query: &str, account: &SandboxAccount, user: &SandboxUser) -> Map<String, Value> {
    let mut response = Map::new();
    let not_me = || {
        error_entry(
            "The sandbox's GraphQL API serves only the me query: me { id name email is_admin is_guest is_view_only account { id name slug } }.",
            None,
        )
    };

    let operation = match parse_operation(query) {
        Ok(operation) => operation,
        Err(QueryError::Unsupported(_)) if mentions_me(query) => {
            let mut data = Map::new();
            data.insert("me".to_owned(), full_user_object(account, user));
            response.insert("data".to_owned(), Value::Object(data));
            return response;
        }
        Err(QueryError::Unsupported(_)) => {
            response.insert("errors".to_owned(), json!([not_me()]));
            return response;
        }
        Err(QueryError::Syntax(message)) => {
            let entry = error_entry(&format!("Parse error: {message}"), None);
            response.insert("errors".to_owned(), json!([entry]));
            return response;
        }
    };

    if operation.kind != "query" {
        let entry = error_entry(
            &format!(
                "The sandbox's GraphQL API serves only the me query, not {} operations.",
                operation.kind
            ),
            None,
        );
        response.insert("errors".to_owned(), json!([entry]));
        return response;
    }

    let mut errors = Vec::new();
    let mut data = Map::new();
    for field in &operation.fields {
        let value = match (field.name.as_str(), &field.selection) {
            ("me", Some(selection)) => resolve_user(selection, account, user, &mut errors),
            ("me", None) => {
                errors.push(missing_selection(field, "User"));
                continue;
            }
            ("__typename", None) => json!("Query"),
            _ => {
                errors.push(not_me());
                continue;
            }
        };
        data.insert(field.response_key.clone(), value);
    }

    if errors.is_empty() {
        response.insert("data".to_owned(), Value::Object(data));
    } else {
        response.insert("errors".to_owned(), Value::Array(errors));
    }
    response
}

/// Serves `POST /monday/v2`.
pub(super) async fn graphql(
    State(standin): State<MondayStandIn>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(authorization) = headers.get(header::AUTHORIZATION) else {
        return errors_response(
            StatusCode::UNAUTHORIZED,
            vec![error_entry("Not Authenticated", Some("UNAUTHENTICATED"))],
        );
    };
    let owner = authorization
        .to_str()
        .ok()
        .and_then(token_from_header)
        .and_then(|token| standin.lock_oauth().token_owner(token));
    let found = owner.as_ref().and_then(|owner| {
        let account = find_account(owner.account_id)?;
        Some((account, account.user(owner.user_id)?))
    });
    let Some((account, user)) = found else {
        tracing::info!("GraphQL request with an unknown access token");
        return errors_response(
            StatusCode::OK,
            vec![error_entry(
                "User unauthorized to perform action",
                Some("UserUnauthorizedException"),
            )],
        );
    };

    if standin.oauth_mode() == OAuthMode::GraphqlRateLimited {
        tracing::info!(
            account_id = account.id,
            "GraphQL request rate limited by the sandbox mode"
        );
        let body = json!({
            "errors": [error_entry("Complexity budget exhausted", Some("COMPLEXITY_BUDGET_EXHAUSTED"))],
        });
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, RATE_LIMIT_RETRY_AFTER_SECS.to_string())],
            Json(body),
        )
            .into_response();
    }

    let request: GraphqlRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            let message = format!(
                "The request body is invalid ({error}). Expected {{\"query\": \"...\", \"variables\": {{...}}}}."
            );
            return errors_response(StatusCode::BAD_REQUEST, vec![error_entry(&message, None)]);
        }
    };

    let mut response = execute_query(&request.query, account, user);
    let api_version = headers
        .get("api-version")
        .and_then(|value| value.to_str().ok());
    if version_has_account_id(api_version) {
        response.insert("account_id".to_owned(), json!(account.id));
    }
    (StatusCode::OK, Json(Value::Object(response))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_is_optional() {
        assert_eq!(token_from_header("abc"), Some("abc"));
        assert_eq!(token_from_header("Bearer abc"), Some("abc"));
        assert_eq!(token_from_header("bearer  abc "), Some("abc"));
        assert_eq!(token_from_header("Bearer "), None);
        assert_eq!(token_from_header("  "), None);
        assert_eq!(token_from_header("Beär"), Some("Beär"));
    }

    #[test]
    fn old_versions_carry_account_id() {
        assert!(version_has_account_id(Some("2024-10")));
        assert!(version_has_account_id(Some("2023-04")));
        assert!(!version_has_account_id(Some("2025-01")));
        assert!(!version_has_account_id(Some("2025-07")));
        assert!(!version_has_account_id(Some("latest")));
        assert!(!version_has_account_id(Some("2024-1")));
        assert!(!version_has_account_id(None));
    }

    #[test]
    fn me_returns_only_selected_fields() {
        let account = find_account(111).unwrap();
        let user = account.user(1002).unwrap();
        let response = execute_query("{ me { id who: name account { slug } } }", account, user);
        assert_eq!(
            Value::Object(response),
            json!({ "data": { "me": { "id": "1002", "who": "Max Member", "account": { "slug": "acme" } } } })
        );
    }

    #[test]
    fn unknown_fields_are_errors() {
        let account = find_account(111).unwrap();
        let user = account.user(1001).unwrap();
        for query in [
            "{ me { id photo_url } }",
            "{ me { id account } }",
            "{ me }",
            "{ me { account { id tier } } }",
            "{ me { id name { first } } }",
        ] {
            let response = execute_query(query, account, user);
            assert!(response.get("data").is_none(), "{query}");
            assert!(response["errors"][0]["message"].is_string(), "{query}");
        }
    }

    #[test]
    fn fragments_fall_back_to_every_field() {
        let account = find_account(222).unwrap();
        let user = account.user(2002).unwrap();
        let response = execute_query(
            "query { me { ...Fields } } fragment Fields on User { id }",
            account,
            user,
        );
        assert_eq!(response["data"]["me"], full_user_object(account, user));
    }
}
