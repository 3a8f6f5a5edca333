//! The academy contracts match their lock file: a change that breaks consumers fails here
//! until its version is bumped and `cargo run -p contracts -- lock` records it.

#[test]
fn contracts_match_lock() {
    event_runtime::compat::assert_locked(&contracts::catalog(), contracts::LOCK_PATH.as_ref());
}
