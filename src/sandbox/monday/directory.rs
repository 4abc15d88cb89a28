//! The fixed monday accounts and users of the sandbox.

use crate::sandbox::dataset::{ACME_API_KEY, GLOBEX_API_KEY};

/// App id carried by every sandbox token and context.
pub const SANDBOX_APP_ID: u64 = 10_123_456;

/// App version id carried by every sandbox token and context.
pub const SANDBOX_APP_VERSION_ID: u64 = 10_234_567;

/// A user's role in a monday account, as the sessionToken's `user_kind`
/// claim names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserKind {
    Admin,
    Member,
    Guest,
    ViewOnly,
}

impl UserKind {
    /// Returns the `user_kind` claim value.
    pub fn as_str(&self) -> &'static str {
        match self {
            UserKind::Admin => "admin",
            UserKind::Member => "member",
            UserKind::Guest => "guest",
            UserKind::ViewOnly => "view_only",
        }
    }

    pub fn is_admin(&self) -> bool {
        *self == UserKind::Admin
    }

    pub fn is_guest(&self) -> bool {
        *self == UserKind::Guest
    }

    pub fn is_view_only(&self) -> bool {
        *self == UserKind::ViewOnly
    }
}

/// A monday user of a sandbox account.
#[derive(Debug)]
pub struct SandboxUser {
    pub id: u64,
    pub name: &'static str,
    pub email: &'static str,
    pub kind: UserKind,
}

/// A monday account of the sandbox, with the board that shows the view and
/// the key of the ActivTrak account an admin would connect to it.
#[derive(Debug)]
pub struct SandboxAccount {
    pub id: u64,
    pub name: &'static str,
    pub slug: &'static str,
    pub activtrak_api_key: &'static str,
    /// The app's install id in this account. monday sends negative ids too,
    /// and the Globex account has one.
    pub install_id: i64,
    pub workspace_id: u64,
    /// Board that hosts the view. The Acme board's id is above 2^32, as
    /// some real monday ids are.
    pub board_id: u64,
    pub board_name: &'static str,
    pub board_view_id: u64,
    /// The users' country in the SDK context. Real users of one account may
    /// differ, but here they share the account's locale.
    pub country_code: &'static str,
    /// `"24H"` or `"12H"`.
    pub time_format: &'static str,
    /// Hours from UTC.
    pub time_zone_offset: i32,
    /// monday plan tier, as lifecycle webhooks send it in `account_tier`.
    pub tier: &'static str,
    /// Seats of the monday plan, as lifecycle webhooks send them in
    /// `account_max_users`.
    pub max_users: u32,
    pub users: &'static [SandboxUser],
}

impl SandboxAccount {
    /// Finds a user of this account by id.
    pub fn user(&self, id: u64) -> Option<&'static SandboxUser> {
        self.users.iter().find(|user| user.id == id)
    }
}

static ACCOUNTS: [SandboxAccount; 2] = [
    SandboxAccount {
        id: 111,
        name: "Acme Corp",
        slug: "acme",
        activtrak_api_key: ACME_API_KEY,
        install_id: 7_654_321,
        workspace_id: 3_100_111,
        board_id: 5_012_345_678,
        board_name: "Q2 Delivery",
        board_view_id: 81_000_111,
        country_code: "DE",
        time_format: "24H",
        time_zone_offset: 1,
        tier: "pro",
        max_users: 25,
        users: &[
            SandboxUser {
                id: 1001,
                name: "Ada Admin",
                email: "ada@acme.example",
                kind: UserKind::Admin,
            },
            SandboxUser {
                id: 1002,
                name: "Max Member",
                email: "max@acme.example",
                kind: UserKind::Member,
            },
            SandboxUser {
                id: 1003,
                name: "Gus Guest",
                email: "gus@partner.example",
                kind: UserKind::Guest,
            },
            SandboxUser {
                id: 1004,
                name: "Vera Viewer",
                email: "vera@acme.example",
                kind: UserKind::ViewOnly,
            },
        ],
    },
    SandboxAccount {
        id: 222,
        name: "Globex",
        slug: "globex",
        activtrak_api_key: GLOBEX_API_KEY,
        install_id: -4_242,
        workspace_id: 3_100_222,
        board_id: 40_222_001,
        board_name: "Operations",
        board_view_id: 81_000_222,
        country_code: "US",
        time_format: "12H",
        time_zone_offset: -5,
        tier: "standard",
        max_users: 10,
        users: &[
            SandboxUser {
                id: 2001,
                name: "Hank Admin",
                email: "hank@globex.example",
                kind: UserKind::Admin,
            },
            SandboxUser {
                id: 2002,
                name: "Mona Member",
                email: "mona@globex.example",
                kind: UserKind::Member,
            },
        ],
    },
];

/// Lists the sandbox monday accounts with their users.
pub fn accounts() -> &'static [SandboxAccount] {
    &ACCOUNTS
}

/// Finds a sandbox monday account by id.
pub fn find_account(id: u64) -> Option<&'static SandboxAccount> {
    ACCOUNTS.iter().find(|account| account.id == id)
}

/// Finds a sandbox monday user by id, with the account it belongs to. User
/// ids are unique across the sandbox accounts.
pub fn find_user(id: u64) -> Option<(&'static SandboxAccount, &'static SandboxUser)> {
    ACCOUNTS
        .iter()
        .find_map(|account| account.user(id).map(|user| (account, user)))
}
