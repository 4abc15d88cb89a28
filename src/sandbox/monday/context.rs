//! The data the host page hands to the view through the SDK: `context`,
//! default `settings`, `itemIds` and `filter`.

use serde_json::{json, Value};

use super::directory::{SandboxAccount, SandboxUser, SANDBOX_APP_ID, SANDBOX_APP_VERSION_ID};

/// Themes the host page offers. monday also has a rare `hacker` theme.
pub const THEMES: [&str; 3] = ["light", "dark", "black"];

/// Builds the board view `context` for `user` in `account`, in the layout of
/// monday-sdk-js 0.5.9's `AppFeatureBoardViewContext` type: account and user
/// ids are strings, board ids are numbers.
pub fn board_view_context(
    client_id: &str,
    account: &SandboxAccount,
    user: &SandboxUser,
    theme: &str,
) -> Value {
    json!({
        "theme": theme,
        "account": { "id": account.id.to_string() },
        "user": {
            "id": user.id.to_string(),
            "isAdmin": user.kind.is_admin(),
            "isGuest": user.kind.is_guest(),
            "isViewOnly": user.kind.is_view_only(),
            "countryCode": account.country_code,
            "currentLanguage": "en",
            "timeFormat": account.time_format,
            "timeZoneOffset": account.time_zone_offset,
        },
        "region": "use1",
        "app": { "id": SANDBOX_APP_ID, "clientId": client_id },
        "appVersion": {
            "id": SANDBOX_APP_VERSION_ID,
            "name": "ActivTrak insights",
            "status": "draft",
            "type": "major",
            "versionData": { "major": 1, "minor": 0, "patch": 0, "type": "major" },
        },
        "permissions": { "approvedScopes": ["me:read"], "requiredScopes": ["me:read"] },
        "workspaceId": account.workspace_id,
        "boardId": account.board_id,
        "boardIds": [account.board_id],
        "boardViewId": account.board_view_id,
        "instanceId": account.board_view_id,
        "instanceType": "board_view",
        // NOTE: the values monday uses for viewMode are not documented;
        // "fullScreen" is a guess.
        "viewMode": "fullScreen",
    })
}

/// Returns the ids of the items on the account's board, for `get('itemIds')`.
pub fn item_ids(account: &SandboxAccount) -> Vec<u64> {
    (1..=6).map(|index| account.board_id * 10 + index).collect()
}

/// Returns the board's search filter state with no filter applied, in the
/// SDK's `FilterResponse` layout.
pub fn empty_filter() -> Value {
    json!({ "term": "", "rules": [], "operator": null })
}
