//! Compile-time checks of the macros: every misuse fails with its message, and the accepted
//! forms compile in a crate that depends on event-runtime alone.

#[test]
fn domain_event_ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/domain_event/pass/*.rs");
    cases.compile_fail("ui/domain_event/fail/*.rs");
}

#[test]
fn nats_service_ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/nats_service/pass/*.rs");
    cases.compile_fail("ui/nats_service/fail/*.rs");
}

#[test]
fn lock_guard_ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/compat/pass/*.rs");
    cases.compile_fail("ui/compat/fail/*.rs");
}
