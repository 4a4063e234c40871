//! Serbian company identifiers: PIB (tax id) and MB (registration number), with their checksums.

/// PIB: 9 digits, the last one an ISO 7064 MOD 11,10 check digit.
pub fn pib_is_valid(pib: &str) -> bool {
    let digits: Vec<u32> = pib.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 9 || pib.chars().count() != 9 {
        return false;
    }
    let mut product = 10u32;
    for d in &digits[..8] {
        let mut sum = (d + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    let check = (11 - product) % 10;
    check == digits[8]
}

/// MB (matični broj pravnog lica): 8 digits, weights 8..2, mod 11 check digit.
pub fn mb_is_valid(mb: &str) -> bool {
    let digits: Vec<u32> = mb.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 8 || mb.chars().count() != 8 {
        return false;
    }
    let sum: u32 = digits[..7].iter().zip((2..=8).rev()).map(|(d, w)| d * w).sum();
    let rem = sum % 11;
    let check = match rem {
        0 => 0,
        1 => return false,
        r => 11 - r,
    };
    check == digits[7]
}

/// Completes an 8-digit PIB prefix with its check digit (used by the demo data generator).
pub fn pib_with_check(prefix8: u32) -> String {
    let base = format!("{:08}", prefix8 % 100_000_000);
    (0..10).map(|d| format!("{base}{d}")).find(|p| pib_is_valid(p)).expect("every prefix has exactly one check digit")
}

/// Completes a 7-digit MB prefix with its check digit; None when the prefix has no valid digit.
pub fn mb_with_check(prefix7: u32) -> Option<String> {
    let base = format!("{:07}", prefix7 % 10_000_000);
    (0..10).map(|d| format!("{base}{d}")).find(|m| mb_is_valid(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_pibs_are_accepted() {
        // Published PIBs of well-known Serbian companies.
        assert!(pib_is_valid("100002887")); // NIS a.d.
        assert!(pib_is_valid("101670560"));
        assert!(pib_is_valid("100000024"));
    }

    #[test]
    fn wrong_pib_check_digit_or_length_is_refused() {
        assert!(!pib_is_valid("100002888"));
        assert!(!pib_is_valid("10000288"));
        assert!(!pib_is_valid("1000028870"));
        assert!(!pib_is_valid("10000288a"));
        assert!(!pib_is_valid(""));
    }

    #[test]
    fn mb_checksum() {
        assert!(mb_is_valid("07534183")); // NIS a.d. Novi Sad
        assert!(!mb_is_valid("07534184"));
        assert!(!mb_is_valid("0753418"));
        assert!(!mb_is_valid("0753418x"));
    }

    #[test]
    fn generated_identifiers_are_valid() {
        for p in [1u32, 12_345_678, 99_999_999, 10_000_000] {
            assert!(pib_is_valid(&pib_with_check(p)));
        }
        let mut found = 0;
        for p in 1_000_000u32..1_000_050 {
            if let Some(m) = mb_with_check(p) {
                assert!(mb_is_valid(&m));
                found += 1;
            }
        }
        assert!(found > 40);
    }
}
