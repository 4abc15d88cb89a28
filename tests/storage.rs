//! Storage tests, each run on SQLite and on PostgreSQL.

mod common;

use activtrak_board::server::activtrak::{AuthHeader, Region};
use activtrak_board::server::crypto::Sealed;
use activtrak_board::server::db::cache::{load_cached, store_cached, CachedAggregate};
use activtrak_board::server::db::credentials::{delete_credential, load_credential, save_credential, NewCredential};
use activtrak_board::server::db::Database;
use common::{test_config, TestDb};
use secrecy::{ExposeSecret, SecretString};

fn new_credential<'a>(account_id: i64, sealed: &'a Sealed, now: i64) -> NewCredential<'a> {
    NewCredential {
        account_id,
        region: Region::Eu,
        auth_header: AuthHeader::XApiKey,
        sealed_key: sealed,
        connected_by: Some(1001),
        now,
    }
}

async fn cache_entry(db: &Database, account_id: i64, key: &str, generation: i64) -> bool {
    let entry = CachedAggregate { generation, payload: format!("{{\"for\":\"{key}\"}}"), fetched_at: 1_000 };
    store_cached(db, account_id, key, &entry).await.unwrap()
}

async fn credential_round_trip(test_db: &TestDb) {
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    let sealed = keyring.seal(111, &SecretString::from("at-secret-111".to_owned()));

    let generation = save_credential(db, new_credential(111, &sealed, 1_700_000_000)).await.unwrap();
    let stored = load_credential(db, 111).await.unwrap().expect("stored credential");

    assert_eq!(stored.region, Region::Eu);
    assert_eq!(stored.auth_header, AuthHeader::XApiKey);
    assert_eq!(stored.generation, generation);
    assert_eq!(stored.connected_by, Some(1001));
    assert_eq!(stored.connected_at, 1_700_000_000);
    assert_eq!(stored.sealed_key, sealed);
    assert_eq!(keyring.open(111, &stored.sealed_key).unwrap().expose_secret(), "at-secret-111");
}

async fn stored_key_is_not_plaintext(test_db: &TestDb) {
    let keyring = test_config(&test_db.url, None).keyring;
    let sealed = keyring.seal(111, &SecretString::from("visible-if-plaintext".to_owned()));
    save_credential(&test_db.db, new_credential(111, &sealed, 1)).await.unwrap();

    let raw: Vec<u8> = sqlx::query_scalar("SELECT sealed_key FROM activtrak_credentials WHERE account_id = $1")
        .bind(111i64)
        .fetch_one(test_db.db.pool())
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains("visible-if-plaintext"));
    let key_id: String = sqlx::query_scalar("SELECT key_id FROM activtrak_credentials WHERE account_id = $1")
        .bind(111i64)
        .fetch_one(test_db.db.pool())
        .await
        .unwrap();
    assert_eq!(key_id, keyring.current_key_id());
}

async fn replacing_key_raises_generation_and_clears_cache(test_db: &TestDb) {
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    let first = keyring.seal(111, &SecretString::from("first".to_owned()));
    let generation_one = save_credential(db, new_credential(111, &first, 1)).await.unwrap();
    assert!(cache_entry(db, 111, "week", generation_one).await);

    let second = keyring.seal(111, &SecretString::from("second".to_owned()));
    let generation_two = save_credential(db, new_credential(111, &second, 2)).await.unwrap();

    assert!(generation_two > generation_one);
    assert_eq!(load_cached(db, 111, "week").await.unwrap(), None);
    let stored = load_credential(db, 111).await.unwrap().unwrap();
    assert_eq!(keyring.open(111, &stored.sealed_key).unwrap().expose_secret(), "second");
}

async fn cache_rejects_stale_generation(test_db: &TestDb) {
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    let sealed = keyring.seal(111, &SecretString::from("key".to_owned()));
    let generation = save_credential(db, new_credential(111, &sealed, 1)).await.unwrap();

    // A fetch that started under an older generation must not be stored.
    assert!(!cache_entry(db, 111, "week", generation - 1).await);
    assert_eq!(load_cached(db, 111, "week").await.unwrap(), None);

    assert!(cache_entry(db, 111, "week", generation).await);
    let cached = load_cached(db, 111, "week").await.unwrap().unwrap();
    assert_eq!(cached.generation, generation);
    assert_eq!(cached.payload, "{\"for\":\"week\"}");

    // An account with no row at all stores nothing either.
    assert!(!cache_entry(db, 999, "week", 1).await);
}

async fn cache_entry_is_replaced(test_db: &TestDb) {
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    let sealed = keyring.seal(111, &SecretString::from("key".to_owned()));
    let generation = save_credential(db, new_credential(111, &sealed, 1)).await.unwrap();
    let older = CachedAggregate { generation, payload: "old".into(), fetched_at: 10 };
    let newer = CachedAggregate { generation, payload: "new".into(), fetched_at: 20 };
    store_cached(db, 111, "k", &older).await.unwrap();
    store_cached(db, 111, "k", &newer).await.unwrap();
    assert_eq!(load_cached(db, 111, "k").await.unwrap(), Some(newer));
}

async fn disconnect_deletes_key_and_cache_of_that_account_only(test_db: &TestDb) {
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    for account in [111, 222] {
        let sealed = keyring.seal(account, &SecretString::from(format!("key-{account}")));
        let generation = save_credential(db, new_credential(account, &sealed, 1)).await.unwrap();
        assert!(cache_entry(db, account, "week", generation).await);
    }

    assert!(delete_credential(db, 111).await.unwrap());
    assert!(load_credential(db, 111).await.unwrap().is_none());
    assert_eq!(load_cached(db, 111, "week").await.unwrap(), None);
    assert!(load_credential(db, 222).await.unwrap().is_some());
    assert!(load_cached(db, 222, "week").await.unwrap().is_some());

    // A second disconnect finds nothing and fails nothing.
    assert!(!delete_credential(db, 111).await.unwrap());
}

async fn reconnect_after_disconnect_gets_new_generation(test_db: &TestDb) {
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    let sealed = keyring.seal(111, &SecretString::from("key".to_owned()));
    let first = save_credential(db, new_credential(111, &sealed, 1)).await.unwrap();
    delete_credential(db, 111).await.unwrap();
    let second = save_credential(db, new_credential(111, &sealed, 2)).await.unwrap();
    assert!(second > first + 1, "generation {second} must skip past the disconnect after {first}");
}

async fn corrupt_region_is_an_error_not_a_panic(test_db: &TestDb) {
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    let sealed = keyring.seal(111, &SecretString::from("key".to_owned()));
    save_credential(db, new_credential(111, &sealed, 1)).await.unwrap();
    sqlx::query("UPDATE activtrak_credentials SET region = 'mars' WHERE account_id = $1")
        .bind(111i64)
        .execute(db.pool())
        .await
        .unwrap();
    let error = load_credential(db, 111).await.unwrap_err();
    assert!(error.to_string().contains("mars"), "{error}");
}

async fn migrations_run_twice(test_db: &TestDb) {
    // A second app instance starting on the same database must not fail.
    let again = Database::connect(&test_db.url).await.unwrap();
    assert!(load_credential(&again, 1).await.unwrap().is_none());
    again.pool().close().await;
}

async fn concurrent_saves_keep_one_whole_key(test_db: &TestDb) {
    let keyring = test_config(&test_db.url, None).keyring;
    let mut tasks = Vec::new();
    for attempt in 0..8 {
        let db = test_db.db.clone();
        let sealed = keyring.seal(111, &SecretString::from(format!("key-number-{attempt}")));
        tasks.push(tokio::spawn(async move { save_credential(&db, new_credential(111, &sealed, attempt)).await }));
    }
    for task in tasks {
        task.await.unwrap().expect("no save fails under concurrency");
    }
    let stored = load_credential(&test_db.db, 111).await.unwrap().unwrap();
    let key = keyring.open(111, &stored.sealed_key).unwrap();
    assert!(key.expose_secret().starts_with("key-number-"));
    assert_eq!(stored.generation, 8);
}

async fn lease_is_exclusive_until_released_or_expired(test_db: &TestDb) {
    use activtrak_board::server::db::leases::{release, try_acquire};
    let db = &test_db.db;
    assert!(try_acquire(db, 111, "week", "instance-a", 1_000, 1_030).await.unwrap());
    assert!(!try_acquire(db, 111, "week", "instance-b", 1_010, 1_040).await.unwrap());
    // Another key is independent.
    assert!(try_acquire(db, 111, "month", "instance-b", 1_010, 1_040).await.unwrap());

    // A crashed holder never releases; its lease expires.
    assert!(try_acquire(db, 111, "week", "instance-b", 1_030, 1_060).await.unwrap());
    // The old holder's late release does not free the new holder's lease.
    release(db, 111, "week", "instance-a").await.unwrap();
    assert!(!try_acquire(db, 111, "week", "instance-c", 1_031, 1_061).await.unwrap());
    release(db, 111, "week", "instance-b").await.unwrap();
    assert!(try_acquire(db, 111, "week", "instance-c", 1_031, 1_061).await.unwrap());
}

async fn groups_are_kept_per_account(test_db: &TestDb) {
    use activtrak_board::server::db::groups::{add_group_by_hand, list_groups, record_seen_groups};
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    for account in [111, 222] {
        let sealed = keyring.seal(account, &SecretString::from("key".to_owned()));
        save_credential(db, new_credential(account, &sealed, 1)).await.unwrap();
    }

    assert!(add_group_by_hand(db, 111, 900, None).await.unwrap());
    record_seen_groups(db, 111, &[(900, Some("Night shift".into())), (101, Some("Sales".into())), (102, None)])
        .await
        .unwrap();
    // A later row without a name keeps the name already known.
    record_seen_groups(db, 111, &[(101, None)]).await.unwrap();
    assert!(!add_group_by_hand(db, 111, 101, None).await.unwrap());

    let groups = list_groups(db, 111).await.unwrap();
    let find = |id: i64| groups.iter().find(|group| group.group_id == id).cloned().unwrap();
    assert_eq!(groups.len(), 3);
    assert_eq!(find(900).name.as_deref(), Some("Night shift"));
    assert!(find(900).added_by_hand);
    assert_eq!(find(101).name.as_deref(), Some("Sales"));
    assert!(find(101).added_by_hand);
    assert_eq!(find(102).name, None);
    assert!(!find(102).added_by_hand);
    assert!(list_groups(db, 222).await.unwrap().is_empty());

    // Groups of an unknown account are not stored.
    record_seen_groups(db, 999, &[(1, None)]).await.unwrap();
    assert!(list_groups(db, 999).await.unwrap().is_empty());

    delete_credential(db, 111).await.unwrap();
    assert!(list_groups(db, 111).await.unwrap().is_empty());
}

async fn rate_limit_block_and_problem_are_per_generation(test_db: &TestDb) {
    use activtrak_board::server::db::credentials::{block_until, mark_problem, KeyProblem};
    let db = &test_db.db;
    let keyring = test_config(&test_db.url, None).keyring;
    let sealed = keyring.seal(111, &SecretString::from("key".to_owned()));
    let generation = save_credential(db, new_credential(111, &sealed, 1)).await.unwrap();

    block_until(db, 111, generation, 2_000).await.unwrap();
    block_until(db, 111, generation, 1_500).await.unwrap();
    mark_problem(db, 111, generation - 1, KeyProblem::Forbidden).await.unwrap();
    let stored = load_credential(db, 111).await.unwrap().unwrap();
    assert_eq!(stored.blocked_until, 2_000, "an earlier block never shortens a later one");
    assert_eq!(stored.problem, None, "a mark for an old generation is ignored");

    mark_problem(db, 111, generation, KeyProblem::Unauthorized).await.unwrap();
    assert_eq!(load_credential(db, 111).await.unwrap().unwrap().problem, Some(KeyProblem::Unauthorized));

    // A new key starts clean.
    save_credential(db, new_credential(111, &sealed, 2)).await.unwrap();
    let fresh = load_credential(db, 111).await.unwrap().unwrap();
    assert_eq!(fresh.blocked_until, 0);
    assert_eq!(fresh.problem, None);
}

async fn rotation_reencrypts_under_current_key(test_db: &TestDb) {
    use activtrak_board::server::crypto::{EncryptionKey, Keyring};
    use activtrak_board::server::db::credentials::rotate_all;
    let db = &test_db.db;
    let old = || EncryptionKey::from_bytes(&[1; 32]).unwrap();
    let new = || EncryptionKey::from_bytes(&[2; 32]).unwrap();
    let stranger = || EncryptionKey::from_bytes(&[3; 32]).unwrap();
    let old_ring = Keyring::new(old(), vec![]);
    for (account, ring) in [(111, &old_ring), (222, &Keyring::new(new(), vec![])), (333, &Keyring::new(stranger(), vec![]))] {
        let sealed = ring.seal(account, &SecretString::from(format!("key-{account}")));
        save_credential(db, new_credential(account, &sealed, 1)).await.unwrap();
    }
    let generation_before = load_credential(db, 111).await.unwrap().unwrap().generation;

    let rotated_ring = Keyring::new(new(), vec![old()]);
    let report = rotate_all(db, &rotated_ring).await.unwrap();
    assert_eq!((report.rotated, report.current, report.undecryptable), (1, 1, 1));

    let only_new = Keyring::new(new(), vec![]);
    let stored = load_credential(db, 111).await.unwrap().unwrap();
    assert_eq!(stored.sealed_key.key_id, only_new.current_key_id());
    assert_eq!(only_new.open(111, &stored.sealed_key).unwrap().expose_secret(), "key-111");
    assert_eq!(stored.generation, generation_before, "the same key keeps its cache");
    // The row no key can open is left as it was.
    assert!(load_credential(db, 333).await.unwrap().is_some());
}

on_both_databases!(
    rotation_reencrypts_under_current_key,
);

on_both_databases!(
    lease_is_exclusive_until_released_or_expired,
    groups_are_kept_per_account,
    rate_limit_block_and_problem_are_per_generation,
);

on_both_databases!(
    credential_round_trip,
    stored_key_is_not_plaintext,
    replacing_key_raises_generation_and_clears_cache,
    cache_rejects_stale_generation,
    cache_entry_is_replaced,
    disconnect_deletes_key_and_cache_of_that_account_only,
    reconnect_after_disconnect_gets_new_generation,
    corrupt_region_is_an_error_not_a_panic,
    migrations_run_twice,
    concurrent_saves_keep_one_whole_key,
);

mod sign_in_rows {
    use super::*;
    use activtrak_board::server::db::sign_in::{
        consume_handoff, consume_oauth_state, create_handoff, create_oauth_state, create_session, delete_expired,
        delete_session, load_session, SignedInUser,
    };

    fn admin() -> SignedInUser {
        SignedInUser { account_id: 111, user_id: 1001, is_admin: true, user_name: Some("Ada".into()) }
    }

    async fn handoff_works_once_and_expires(test_db: &TestDb) {
        let db = &test_db.db;
        create_handoff(db, "link-a", &admin(), 1_300).await.unwrap();
        create_handoff(db, "link-b", &admin(), 1_300).await.unwrap();
        assert_eq!(consume_handoff(db, "link-a", 1_000).await.unwrap().map(|user| user.user_id), Some(1001));
        assert_eq!(consume_handoff(db, "link-a", 1_000).await.unwrap(), None, "single use");
        assert_eq!(consume_handoff(db, "link-b", 1_300).await.unwrap(), None, "expired");
        assert_eq!(consume_handoff(db, "never-made", 1_000).await.unwrap(), None);
        let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM handoff_links").fetch_all(db.pool()).await.unwrap();
        assert!(stored.iter().all(|hash| hash.len() == 64 && !hash.contains("link")));
    }

    async fn state_is_bound_to_browser(test_db: &TestDb) {
        let db = &test_db.db;
        create_oauth_state(db, "state-1", "browser-1", 2_000).await.unwrap();
        assert!(!consume_oauth_state(db, "state-1", Some("browser-2"), 1_000).await.unwrap());
        // A failed check still uses the state up.
        assert!(!consume_oauth_state(db, "state-1", Some("browser-1"), 1_000).await.unwrap());
        create_oauth_state(db, "state-2", "browser-1", 2_000).await.unwrap();
        assert!(!consume_oauth_state(db, "state-2", None, 1_000).await.unwrap());
        create_oauth_state(db, "state-3", "browser-1", 2_000).await.unwrap();
        assert!(consume_oauth_state(db, "state-3", Some("browser-1"), 1_999).await.unwrap());
    }

    async fn sessions_expire_and_sign_out(test_db: &TestDb) {
        let db = &test_db.db;
        create_session(db, "session-1", &admin(), 1_000, 2_000).await.unwrap();
        assert_eq!(load_session(db, "session-1", 1_500).await.unwrap(), Some(admin()));
        assert_eq!(load_session(db, "session-1", 2_000).await.unwrap(), None);
        create_session(db, "session-2", &admin(), 1_000, 9_000).await.unwrap();
        delete_session(db, "session-2").await.unwrap();
        assert_eq!(load_session(db, "session-2", 1_500).await.unwrap(), None);

        delete_expired(db, 2_500).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings_sessions").fetch_one(db.pool()).await.unwrap();
        assert_eq!(left, 0);
    }

    async fn audit_and_settings_round_trip(test_db: &TestDb) {
        use activtrak_board::server::db::audit::{record, recent};
        use activtrak_board::server::db::settings::{load_settings, save_settings};
        use activtrak_board::server::insights::settings::AccountSettings;
        let db = &test_db.db;
        assert_eq!(load_settings(db, 111).await.unwrap(), AccountSettings::default());
        let custom = AccountSettings {
            productive_hours_goal: 5.5,
            minimum_group_size: 9,
            time_zone: chrono_tz::America::New_York,
            guests_may_view: true,
            ..AccountSettings::default()
        };
        save_settings(db, 111, &custom, Some(1001), 10).await.unwrap();
        assert_eq!(load_settings(db, 111).await.unwrap(), custom);

        record(db, 111, Some(1001), "connect", "region us", 10).await.unwrap();
        record(db, 111, None, "install", "installed", 20).await.unwrap();
        record(db, 222, None, "install", "other account", 30).await.unwrap();
        let entries = recent(db, 111, 10).await.unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].action, "install");
        assert_eq!(entries[1].actor_user_id, Some(1001));
    }

    on_both_databases!(
        handoff_works_once_and_expires,
        state_is_bound_to_browser,
        sessions_expire_and_sign_out,
        audit_and_settings_round_trip,
    );
}
