//! Time-based one-time passwords (RFC 6238) for two-factor sign-in: the codes an authenticator app
//! (Google Authenticator, Microsoft Authenticator, 1Password …) shows, the `otpauth://` address and
//! QR code that enrol it, and the recovery codes that stand in for a lost phone. HMAC-SHA1, 30-second
//! steps and 6 digits, because every authenticator app supports exactly that; a code is accepted in the
//! step before and after the current one, so a phone clock a little off still works.
//!
//! Pure functions only: the random bytes come from the caller, the clock is a parameter.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds one code is shown for.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// The secret's length: 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
pub const SECRET_BYTES: usize = 20;
/// The name the authenticator app shows above the account.
pub const ISSUER: &str = "Veza";
/// Characters of a recovery code, without the look-alikes 0/o, 1/l/i.
const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Characters of a recovery code (shown as two groups of five).
pub const RECOVERY_LEN: usize = 10;

/// The time step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP value (RFC 4226) of `key` at `counter`, truncated to `digits` decimal digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts a key of any length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[hash.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    binary % 10u32.pow(digits)
}

/// The 6-digit code of `key` in time step `step`, with its leading zeros.
pub fn code_at(key: &[u8], step: i64) -> String {
    format!("{:0width$}", hotp(key, step.max(0) as u64, DIGITS as u32), width = DIGITS)
}

/// What a typed code is worth against a key, the current step and the last step a code was used in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code of this step (within one step of now), not used before.
    Valid(i64),
    /// A right code whose step was already used: a code works once.
    Used,
    Wrong,
}

/// Checks `typed` (spaces ignored) against the codes of the steps `now_step - 1 ..= now_step + 1`; a
/// step at or before `last_used` no longer counts. Compared in constant time.
pub fn check_code(key: &[u8], typed: &str, now_step: i64, last_used: i64) -> CodeCheck {
    let Some(typed) = as_code(typed) else { return CodeCheck::Wrong };
    let mut used = false;
    for step in now_step - 1..=now_step + 1 {
        if same(code_at(key, step).as_bytes(), typed.as_bytes()) {
            if step > last_used {
                return CodeCheck::Valid(step);
            }
            used = true;
        }
    }
    if used {
        CodeCheck::Used
    } else {
        CodeCheck::Wrong
    }
}

/// `typed` as a 6-digit code (spaces and dashes dropped: "123 456"), or None if it is not one (then it
/// may be a recovery code).
pub fn as_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A secret as the user types it into an app: base32 (RFC 4648) without padding.
pub fn encode_secret(key: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(key)
}

/// The key of a base32 secret (spaces ignored, any case); None if it is not base32.
pub fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    let clean: String = secret.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    data_encoding::BASE32_NOPAD.decode(clean.trim_end_matches('=').as_bytes()).ok()
}

/// A secret in groups of four for typing by hand: "JBSW Y3DP EHPK 3PXP".
pub fn secret_groups(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// The address an authenticator app enrols from (Google's Key Uri Format): the issuer and the user's
/// e-mail as the label, and every parameter spelled out (some apps ignore the defaults).
pub fn otpauth_uri(email: &str, secret: &str) -> String {
    let enc = crate::domain::text::urlencode;
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(ISSUER),
        enc(email),
        enc(secret),
        enc(ISSUER)
    )
}

/// The QR code of `data` as an SVG element to put inline in a page (no XML prolog; one path, drawn in
/// module units, sized by the page's CSS). Black on white in every theme: scanners want contrast.
pub fn qr_svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().module_dimensions(1, 1).quiet_zone(true).build();
    Some(svg.split_once("?>").map(|(_, rest)| rest.to_string()).unwrap_or(svg))
}

/// A recovery code from `RECOVERY_LEN` random bytes: each picks a character (the alphabet has 31, so
/// the modulo's bias is under 1 %, irrelevant at 49 bits of guessing).
pub fn recovery_code(random: &[u8; RECOVERY_LEN]) -> String {
    let chars: String = random.iter().map(|b| RECOVERY_ALPHABET[*b as usize % RECOVERY_ALPHABET.len()] as char).collect();
    format!("{}-{}", &chars[..RECOVERY_LEN / 2], &chars[RECOVERY_LEN / 2..])
}

/// A typed recovery code in its stored form (lower case, without spaces and dashes), or None when it
/// cannot be one.
pub fn normalize_recovery(typed: &str) -> Option<String> {
    let clean: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    (clean.len() == RECOVERY_LEN && clean.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_KEY: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B, the SHA1 column (8 digits there; the last 6 are the 6-digit code).
    #[test]
    fn rfc_6238_sha1_vectors() {
        let vectors: [(i64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, eight) in vectors {
            let step = step_at(time);
            assert_eq!(format!("{:08}", hotp(RFC_KEY, step as u64, 8)), eight, "T = {time}");
            assert_eq!(code_at(RFC_KEY, step), eight[2..], "T = {time}");
        }
        // The leading zero stays: 07081804 → 081804.
        assert_eq!(code_at(RFC_KEY, step_at(1_111_111_109)), "081804");
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        let expected = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (counter, value) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), value, "counter {counter}");
        }
    }

    #[test]
    fn a_code_counts_one_step_either_side_and_once() {
        let now = step_at(1_700_000_000);
        let code = |s: i64| code_at(RFC_KEY, s);
        assert_eq!(check_code(RFC_KEY, &code(now), now, 0), CodeCheck::Valid(now));
        assert_eq!(check_code(RFC_KEY, &code(now - 1), now, 0), CodeCheck::Valid(now - 1));
        assert_eq!(check_code(RFC_KEY, &code(now + 1), now, 0), CodeCheck::Valid(now + 1));
        assert_eq!(check_code(RFC_KEY, &code(now - 2), now, 0), CodeCheck::Wrong, "two steps old");
        assert_eq!(check_code(RFC_KEY, &code(now + 2), now, 0), CodeCheck::Wrong, "two steps ahead");
        // A code whose step was used is refused, as is one older than the last used step.
        assert_eq!(check_code(RFC_KEY, &code(now), now, now), CodeCheck::Used);
        assert_eq!(check_code(RFC_KEY, &code(now - 1), now, now), CodeCheck::Used);
        assert_eq!(check_code(RFC_KEY, &code(now + 1), now, now), CodeCheck::Valid(now + 1));
        // Typing aids are forgiven, anything else is wrong.
        let spaced = format!("{} {}", &code(now)[..3], &code(now)[3..]);
        assert_eq!(check_code(RFC_KEY, &spaced, now, 0), CodeCheck::Valid(now));
        assert_eq!(check_code(RFC_KEY, "12345", now, 0), CodeCheck::Wrong);
        assert_eq!(check_code(RFC_KEY, "abcdef", now, 0), CodeCheck::Wrong);
        assert_eq!(check_code(RFC_KEY, "", now, 0), CodeCheck::Wrong);
        assert_eq!(step_at(-1), -1, "steps before 1970 round down");
    }

    #[test]
    fn secrets_in_base32_and_the_enrolment_address() {
        assert_eq!(encode_secret(RFC_KEY), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(decode_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").as_deref(), Some(RFC_KEY));
        assert_eq!(decode_secret("not base32!"), None);
        assert_eq!(secret_groups("GEZDGNBVGY"), "GEZD GNBV GY");
        assert_eq!(
            otpauth_uri("ana+crm@firma.rs", "GEZDGNBV"),
            "otpauth://totp/Veza:ana%2Bcrm%40firma.rs?secret=GEZDGNBV&issuer=Veza&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn the_qr_code_is_inline_svg() {
        let svg = qr_svg(&otpauth_uri("ana@firma.rs", &encode_secret(&[7u8; SECRET_BYTES]))).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("viewBox") && svg.contains("<path"), "{svg}");
    }

    #[test]
    fn recovery_codes_are_typed_forgivingly() {
        let code = recovery_code(&[0, 1, 2, 30, 31, 32, 100, 200, 254, 255]);
        assert_eq!(code, "234z2-39g89");
        assert_eq!(normalize_recovery(&code.to_uppercase().replace('-', " ")), Some(code.replace('-', "")));
        assert_eq!(normalize_recovery("abcde-fghi0"), None, "0 is not in the alphabet");
        assert_eq!(normalize_recovery("abcde"), None);
        assert_eq!(as_code("123 456"), Some("123456".into()));
        assert_eq!(as_code("abcde-fghjk"), None);
    }
}
