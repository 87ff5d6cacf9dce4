//! Slugs (stable identities in addresses and progress rows) and heading anchors.

/// A slug is 1 to 64 characters of lower-case letters, digits and single hyphens, not at either end.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The anchor of a heading: lower case, spaces to hyphens, other punctuation dropped.
/// `## The hazard log` → `the-hazard-log`; authors link to it as `#the-hazard-log`.
pub fn heading_anchor(text: &str) -> String {
    let mut anchor = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            anchor.extend(c.to_lowercase());
        } else if (c == ' ' || c == '-' || c == '_') && !anchor.ends_with('-') {
            anchor.push('-');
        }
    }
    anchor.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lower_case_hyphenated_slugs() {
        assert!(is_valid_slug("what-a-ccio-does"));
        assert!(is_valid_slug("prince2"));
    }

    #[test]
    fn rejects_slugs_that_would_make_unstable_or_ugly_addresses() {
        for bad in [
            "",
            "Capital",
            "two--hyphens",
            "-leading",
            "trailing-",
            "under_score",
            "space d",
        ] {
            assert!(!is_valid_slug(bad), "{bad:?} should be rejected");
        }
        assert!(!is_valid_slug(&"a".repeat(65)));
    }

    #[test]
    fn heading_anchors_drop_punctuation_and_join_words_with_hyphens() {
        assert_eq!(heading_anchor("The hazard log"), "the-hazard-log");
        assert_eq!(
            heading_anchor("DCB0129 & DCB0160: who does what?"),
            "dcb0129-dcb0160-who-does-what"
        );
        assert_eq!(heading_anchor("  Key terms  "), "key-terms");
    }
}
