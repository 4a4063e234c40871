//! Two-factor sign-in: enrolment, the code a password leads to, recovery codes, the limits on guessing,
//! roles that require it, an administrator's reset; and the limit on wrong current passwords.

use super::*;
use app::domain::totp;
use app::services::auth::two_factor;
use app::services::auth::SignInStep;

/// The code an authenticator app with `key` shows now.
fn code_now(key: &[u8]) -> String {
    totp::code_at(key, totp::step_at(chrono::Utc::now().timestamp()))
}

/// A code that has not been used: the user's last used step is forgotten first (a real user waits for
/// the app's next code; a test does not wait thirty seconds).
async fn fresh_code(db: &Db, user_id: i64, key: &[u8]) -> String {
    sqlx::query("UPDATE totp_secrets SET last_step = 0 WHERE user_id = $1").bind(user_id).execute(&db.pool).await.unwrap();
    code_now(key)
}

/// Enrols `actor`'s authenticator: returns its key and the recovery codes.
async fn enrol(db: &Db, actor: &Actor) -> (Vec<u8>, Vec<String>) {
    two_factor::begin_enrolment(db, actor, PASSWORD).await.expect("the password begins the enrolment");
    let status = two_factor::status(db, actor, actor.id).await.unwrap();
    let setup = status.setup.expect("an enrolment waits for its code");
    assert!(setup.qr_svg.starts_with("<svg"), "the QR code is inline SVG");
    assert!(setup.uri.starts_with("otpauth://totp/Veza:") && setup.uri.contains("&issuer=Veza&algorithm=SHA1&digits=6&period=30"));
    let key = totp::decode_secret(&setup.secret).expect("the secret is base32");
    assert_eq!(key.len(), totp::SECRET_BYTES);
    let codes = two_factor::confirm_enrolment(db, actor, &code_now(&key)).await.expect("the app's code confirms");
    (key, codes)
}

/// Signs in with the password; the challenge a two-factor user gets.
async fn challenge(db: &Db, email: &str, ip: &str) -> String {
    match auth::begin_sign_in(db, email, PASSWORD, ip, None).await.expect("the right password") {
        SignInStep::SecondFactor { challenge, .. } => challenge,
        SignInStep::Session { .. } => panic!("a session without a code"),
    }
}

async fn outcomes(db: &Db, actor: &Actor) -> Vec<String> {
    auth::sign_in_log(db, actor, actor.id).await.unwrap().into_iter().map(|e| e.outcome).collect()
}

/// Enrolment: the password begins it, the app's first code confirms it, ten recovery codes come once.
/// From then on a right password opens no session but a challenge; the app's code opens the session
/// (sign-in log "ok", the adoption report's sign-in), once: the same code again is refused, as is a
/// code from two steps ago. A recovery code signs in once and is counted down; the sign-in log shows
/// the right password, the wrong code and the recovery code.
async fn two_factor_sign_in_with_code_and_recovery_code(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let ip = "198.51.100.20";
    assert_eq!(two_factor::status(&db, &ana, ana.id).await.unwrap(), Default::default(), "off to begin with");
    assert!(matches!(
        two_factor::begin_enrolment(&db, &ana, "pogresna-lozinka").await,
        Err(AppError::Validation { problem: Problem::Mismatch(Some(4)), .. })
    ));
    // A wrong first code leaves it off.
    two_factor::begin_enrolment(&db, &ana, PASSWORD).await.unwrap();
    let pending = two_factor::status(&db, &ana, ana.id).await.unwrap().setup.unwrap();
    let key = totp::decode_secret(&pending.secret).unwrap();
    let wrong = if code_now(&key) == "000000" { "111111" } else { "000000" };
    assert_eq!(two_factor::confirm_enrolment(&db, &ana, wrong).await, Err(invalid("otp", Problem::Mismatch(None))));
    let (token, _) = auth::sign_in(&db, "ana@firma.rs", PASSWORD, ip).await.expect("still the password alone");
    assert!(auth::session_user(&db, &token).await.unwrap().is_some());
    two_factor::cancel_enrolment(&db, &ana).await.unwrap();
    assert_eq!(two_factor::status(&db, &ana, ana.id).await.unwrap().setup, None);

    let (key, codes) = enrol(&db, &ana).await;
    assert_eq!(codes.len(), two_factor::RECOVERY_CODES);
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), codes.len(), "ten different codes");
    let status = two_factor::status(&db, &ana, ana.id).await.unwrap();
    assert!(status.enabled_at.is_some() && status.setup.is_none());
    assert_eq!(status.recovery_left, 10);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM recovery_codes WHERE code_hash LIKE '%-%'").await, 0, "stored hashed");
    assert_eq!(two_factor::begin_enrolment(&db, &ana, PASSWORD).await, Err(AppError::Conflict), "already on");

    // The password alone no longer signs in.
    let sessions_before = count(&db, "SELECT COUNT(*) AS n FROM sessions").await;
    assert_eq!(auth::sign_in(&db, "ana@firma.rs", PASSWORD, ip).await, Err(invalid("otp", Problem::SecondFactorNeeded)));
    let pending = challenge(&db, "ana@firma.rs", ip).await;
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM sessions").await, sessions_before, "no session before the code");
    assert_eq!(two_factor::challenge_email(&db, &pending).await.unwrap().as_deref(), Some("ana@firma.rs"));
    let wrong = if fresh_code(&db, ana.id, &key).await == "123456" { "654321" } else { "123456" };
    assert_eq!(two_factor::verify_sign_in(&db, &pending, wrong, ip, None).await, Err(invalid("otp", Problem::Mismatch(Some(4)))));
    let sign_ins = count(&db, "SELECT COUNT(*) AS n FROM sign_ins").await;
    let code = fresh_code(&db, ana.id, &key).await;
    let (session, user_id) = two_factor::verify_sign_in(&db, &pending, &code, ip, Some("Firefox/133.0")).await.expect("the app's code");
    assert_eq!(user_id, ana.id);
    assert_eq!(auth::session_user(&db, &session).await.unwrap().map(|u| u.id), Some(ana.id));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM sign_ins").await, sign_ins + 1, "counted for the adoption report");
    assert_eq!(two_factor::challenge_email(&db, &pending).await.unwrap(), None, "a challenge opens one session");
    assert_eq!(two_factor::verify_sign_in(&db, &pending, &code, ip, None).await, Err(invalid("otp", Problem::ChallengeExpired)));

    // The same code a second time is refused, even with a new challenge; so is an old one.
    let again = challenge(&db, "ana@firma.rs", ip).await;
    assert_eq!(two_factor::verify_sign_in(&db, &again, &code, ip, None).await, Err(invalid("otp", Problem::CodeUsed)));
    sqlx::query("UPDATE totp_secrets SET last_step = 0").execute(&db.pool).await.unwrap();
    let old = totp::code_at(&key, totp::step_at(chrono::Utc::now().timestamp()) - 2);
    assert!(matches!(
        two_factor::verify_sign_in(&db, &again, &old, ip, None).await,
        Err(AppError::Validation { problem: Problem::Mismatch(_), .. })
    ));

    // A recovery code (as typed: upper case, spaces) signs in once, and is counted down.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let (by_recovery, _) = two_factor::verify_sign_in(&db, &again, &typed, ip, None).await.expect("a recovery code");
    assert!(auth::session_user(&db, &by_recovery).await.unwrap().is_some());
    assert_eq!(two_factor::status(&db, &ana, ana.id).await.unwrap().recovery_left, 9);
    let third = challenge(&db, "ana@firma.rs", ip).await;
    assert!(matches!(
        two_factor::verify_sign_in(&db, &third, &codes[3], ip, None).await,
        Err(AppError::Validation { problem: Problem::Mismatch(_), .. })
    ));
    let log = outcomes(&db, &ana).await;
    let expected = [
        "wrong_code",    // the used recovery code
        "code_needed",   // the third challenge
        "recovery_code", // signed in with one
        "wrong_code",    // a code two steps old
        "wrong_code",    // the used code
        "code_needed",   // the second challenge
        "ok",            // the app's code
        "wrong_code",    // a wrong code
        "code_needed",   // the first challenge
        "code_needed",   // `sign_in`, which cannot ask for the code
        "ok",            // the password alone, before two-factor was on
    ];
    assert_eq!(log, expected, "newest first");

    // Going back to the password drops the challenge.
    two_factor::cancel_challenge(&db, &third).await.unwrap();
    assert_eq!(two_factor::challenge_email(&db, &third).await.unwrap(), None);

    // New recovery codes need a code from the app; the old ones stop working.
    // (Counted with the wrong password at the enrolment: three more may be wrong.)
    assert_eq!(two_factor::regenerate_recovery_codes(&db, &ana, "abcde-fghjk").await, Err(invalid("otp", Problem::Mismatch(Some(3)))));
    let renewed = two_factor::regenerate_recovery_codes(&db, &ana, &fresh_code(&db, ana.id, &key).await).await.unwrap();
    assert_eq!(renewed.len(), 10);
    assert_eq!(two_factor::status(&db, &ana, ana.id).await.unwrap().recovery_left, 10);
    let fourth = challenge(&db, "ana@firma.rs", ip).await;
    assert!(two_factor::verify_sign_in(&db, &fourth, &codes[0], ip, None).await.is_err(), "an old recovery code");
    // That was this address's fifth wrong code for the e-mail: like wrong passwords, they refuse it now.
    assert_eq!(
        two_factor::verify_sign_in(&db, &fourth, &renewed[0], ip, None).await,
        Err(invalid("otp", Problem::TooManyAttempts(auth::LOCKOUT_MINUTES)))
    );
    let ip = "198.51.100.21";
    let fourth = challenge(&db, "ana@firma.rs", ip).await;
    two_factor::verify_sign_in(&db, &fourth, &renewed[0], ip, None).await.expect("a new one");

    // Turned off with the password: the password alone signs in again.
    assert!(matches!(
        two_factor::turn_off(&db, &ana, "pogresna-lozinka").await,
        Err(AppError::Validation { problem: Problem::Mismatch(Some(_)), .. })
    ));
    two_factor::turn_off(&db, &ana, PASSWORD).await.unwrap();
    auth::sign_in(&db, "ana@firma.rs", PASSWORD, ip).await.expect("the password alone");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM recovery_codes").await, 0);
    let history = audit::history(&db, "user", ana.id, None, 50).await.unwrap();
    let changes: Vec<_> =
        history.iter().filter(|e| e.field.as_deref() == Some("two_factor")).map(|e| e.new_value.clone().unwrap_or_default()).collect();
    assert_eq!(changes, ["off", "on"], "audited, newest first");
}
both!(two_factor_sign_in_with_code_and_recovery_code);

/// Five wrong codes end a challenge (the password again); each counts as a failed sign-in of the
/// e-mail from its address, so the address is refused after five, codes and passwords alike.
async fn wrong_codes_end_the_challenge_and_count_as_failures(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let (key, _) = enrol(&db, &ana).await;
    let ip = "203.0.113.40";
    let wrong = |now: &str| if now == "000000" { "999999".to_string() } else { "000000".to_string() };
    let pending = challenge(&db, "ana@firma.rs", ip).await;
    for left in (1..two_factor::MAX_CODE_ATTEMPTS).rev() {
        let r = two_factor::verify_sign_in(&db, &pending, &wrong(&code_now(&key)), ip, None).await;
        assert_eq!(r, Err(invalid("otp", Problem::Mismatch(Some(left)))));
    }
    let fifth = two_factor::verify_sign_in(&db, &pending, &wrong(&code_now(&key)), ip, None).await;
    assert_eq!(fifth, Err(invalid("otp", Problem::ChallengeExpired)), "the fifth wrong code ends it");
    let right = fresh_code(&db, ana.id, &key).await;
    assert_eq!(two_factor::verify_sign_in(&db, &pending, &right, ip, None).await, Err(invalid("otp", Problem::ChallengeExpired)));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM sign_in_challenges").await, 0);
    // Five wrong codes are five failures of the e-mail from this address: the password is refused too.
    assert!(matches!(
        auth::begin_sign_in(&db, "ana@firma.rs", PASSWORD, ip, None).await,
        Err(AppError::Validation { problem: Problem::TooManyAttempts(_), .. })
    ));
    // From elsewhere the user still signs in, code and all.
    let elsewhere = "198.51.100.41";
    let pending = challenge(&db, "ana@firma.rs", elsewhere).await;
    two_factor::verify_sign_in(&db, &pending, &fresh_code(&db, ana.id, &key).await, elsewhere, None).await.expect("signs in elsewhere");
    let log = outcomes(&db, &ana).await;
    assert_eq!(log.iter().filter(|o| *o == "wrong_code").count(), 5);
    assert_eq!(log.iter().filter(|o| *o == "throttled").count(), 1);

    // A challenge lives CHALLENGE_MINUTES.
    let pending = challenge(&db, "ana@firma.rs", elsewhere).await;
    let past = app::clock::stamp(chrono::Utc::now() - chrono::Duration::seconds(1));
    sqlx::query("UPDATE sign_in_challenges SET expires_at = $1").bind(past).execute(&db.pool).await.unwrap();
    let code = fresh_code(&db, ana.id, &key).await;
    assert_eq!(two_factor::verify_sign_in(&db, &pending, &code, elsewhere, None).await, Err(invalid("otp", Problem::ChallengeExpired)));
}
both!(wrong_codes_end_the_challenge_and_count_as_failures);

/// Runs `call` as a server function would run in a request carrying `cookie`.
async fn in_request<T, Fut: std::future::Future<Output = T>>(db: &Db, cookie: &str, call: impl FnOnce() -> Fut) -> T {
    use leptos::prelude::*;
    let owner = Owner::new();
    let (parts, ()) = http::Request::builder().uri("/api/test").header("cookie", cookie).body(()).unwrap().into_parts();
    let state = app::api::ctx::AppState {
        leptos_options: LeptosOptions::builder().output_name("veza").build(),
        db: db.clone(),
        secure_cookies: false,
        mailer: None,
    };
    let run = owner.with(|| {
        provide_context(state);
        provide_context(parts);
        ScopedFuture::new(call())
    });
    run.await
}

/// An administrator requires two-factor sign-in for a role: its users without it are held on their
/// account page (every other server function answers Forbidden) until they set it up, and may not turn
/// it off; an administrator's reset (a lost phone) turns it off, and the user must set it up again.
async fn roles_that_require_two_factor(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let mila = user(&db, "mila@firma.rs", "Mila", "manager", None).await;
    assert_eq!(two_factor::set_required_roles(&db, &ana, &["sales".into()]).await, Err(AppError::Forbidden));
    assert_eq!(two_factor::set_required_roles(&db, &admin, &["boss".into()]).await, Err(invalid("roles", Problem::InvalidChoice)));
    two_factor::set_required_roles(&db, &admin, &["sales".into(), "admin".into()]).await.unwrap();
    assert_eq!(two_factor::required_roles(&db).await.unwrap(), [Role::Admin, Role::Sales]);
    let audited = count(
        &db,
        "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'setting' AND field = 'two_factor_roles' AND new_value = 'admin,sales'",
    );
    assert_eq!(audited.await, 1);
    two_factor::set_required_roles(&db, &admin, &["sales".into()]).await.unwrap();

    let (token, _) = auth::sign_in(&db, "ana@firma.rs", PASSWORD, "198.51.100.50").await.expect("the password, with no app yet");
    let held = auth::session_user(&db, &token).await.unwrap().unwrap();
    assert!(held.must_enrol_two_factor && held.held_back());
    let (mila_token, _) = auth::sign_in(&db, "mila@firma.rs", PASSWORD, "198.51.100.50").await.unwrap();
    assert!(!auth::session_user(&db, &mila_token).await.unwrap().unwrap().held_back(), "managers are not asked");

    // Held back: everything but the account page's functions answers Forbidden.
    let cookie = format!("{}={token}", app::api::ctx::SESSION_COOKIE);
    assert_eq!(in_request(&db, &cookie, app::api::ctx::signed_in).await.err(), Some(AppError::Forbidden));
    assert!(in_request(&db, &cookie, app::api::ctx::signed_in_to_change_password).await.is_ok());
    assert_eq!(in_request(&db, &cookie, app::api::admin::get_admin_data).await.err(), Some(AppError::Forbidden));
    let page = in_request(&db, &cookie, || app::api::session::get_security(None)).await.expect("the account page answers");
    assert!(page.must_enrol_two_factor && page.two_factor.required && page.two_factor.enabled_at.is_none());

    let (key, _) = enrol(&db, &held).await;
    let ana_now = auth::session_user(&db, &token).await.unwrap().unwrap();
    assert!(!ana_now.held_back(), "set up: free to go");
    assert!(in_request(&db, &cookie, app::api::ctx::signed_in).await.is_ok());
    assert_eq!(two_factor::turn_off(&db, &ana_now, PASSWORD).await, Err(invalid("proof", Problem::RequiredForRole)));
    assert!(two_factor::status(&db, &ana_now, ana.id).await.unwrap().required);

    // Another user's two-factor is administrators' business only; they never see its secret.
    assert_eq!(two_factor::status(&db, &mila, ana.id).await, Err(AppError::NotFound));
    assert_eq!(two_factor::reset(&db, &mila, ana.id).await, Err(AppError::Forbidden));
    let seen = two_factor::status(&db, &admin, ana.id).await.unwrap();
    assert!(seen.enabled_at.is_some() && seen.setup.is_none());
    let admin_cookie =
        format!("{}={}", app::api::ctx::SESSION_COOKIE, auth::sign_in(&db, "admin@firma.rs", PASSWORD, "198.51.100.51").await.unwrap().0);
    in_request(&db, &admin_cookie, || app::api::two_factor::reset_two_factor(ana.id)).await.expect("the administrator's reset");
    assert_eq!(two_factor::reset(&db, &admin, ana.id).await, Err(AppError::NotFound), "already off");
    let history = audit::history(&db, "user", ana.id, None, 50).await.unwrap();
    assert!(history.iter().any(|e| e.field.as_deref() == Some("two_factor") && e.new_value.as_deref() == Some("reset")));
    // The phone is gone: the password alone signs in, and the user must set it up again.
    let (again, _) = auth::sign_in(&db, "ana@firma.rs", PASSWORD, "198.51.100.52").await.expect("no code asked");
    assert!(auth::session_user(&db, &again).await.unwrap().unwrap().must_enrol_two_factor);
    assert!(auth::session_user(&db, &token).await.unwrap().unwrap().must_enrol_two_factor, "and in the session that was open");
    let _ = key;
}
both!(roles_that_require_two_factor);

/// Wrong current passwords are limited per user like sign-ins: after five in fifteen minutes the change
/// is refused even with the right one. So are wrong codes and passwords asked on the account page.
async fn wrong_current_passwords_are_limited(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let (token, _) = auth::sign_in(&db, "ana@firma.rs", PASSWORD, "198.51.100.60").await.unwrap();
    // A right one in between does not reset the count of wrong ones.
    auth::change_password(&db, &ana, &token, PASSWORD, "lozinka").await.expect_err("too short");
    for _ in 0..auth::MAX_FAILURES {
        let r = auth::change_password(&db, &ana, &token, "pogresna-lozinka", "Nova-Lozinka-2026!").await;
        assert_eq!(r, Err(invalid("current_password", Problem::Incorrect)));
    }
    let r = auth::change_password(&db, &ana, &token, PASSWORD, "Nova-Lozinka-2026!").await;
    assert_eq!(r, Err(invalid("current_password", Problem::TooManyAttempts(auth::LOCKOUT_MINUTES))));
    // The same limit guards the account page's other proofs.
    assert_eq!(
        two_factor::begin_enrolment(&db, &ana, PASSWORD).await,
        Err(invalid("password", Problem::TooManyAttempts(auth::LOCKOUT_MINUTES)))
    );
    // Another user's count is their own; and after the window the user may try again.
    let boris = user(&db, "boris@firma.rs", "Boris", "sales", None).await;
    let (boris_token, _) = auth::sign_in(&db, "boris@firma.rs", PASSWORD, "198.51.100.60").await.unwrap();
    auth::change_password(&db, &boris, &boris_token, PASSWORD, "Borisova-Nova-2026").await.expect("Boris is not limited");
    let long_ago = app::clock::stamp(chrono::Utc::now() - chrono::Duration::minutes(auth::LOCKOUT_MINUTES + 1));
    sqlx::query("UPDATE account_checks SET at = $1").bind(long_ago).execute(&db.pool).await.unwrap();
    auth::change_password(&db, &ana, &token, PASSWORD, "Nova-Lozinka-2026!").await.expect("after the window");
}
both!(wrong_current_passwords_are_limited);
