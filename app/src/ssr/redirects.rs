//! Where the server may send a browser after an action: the `next` a sign-in link carries is someone
//! else's input, so it is resolved against the site's public address as a browser would resolve it, and
//! followed only when it stays on this origin.

use url::Url;

use crate::model::accounts::{DEFAULT_LANDING, is_local_path, safe_next};

/// The path (with query and fragment) to redirect to after signing in; [`DEFAULT_LANDING`] for anything
/// that is not plainly a path on `public_url`'s origin. Never fails and never yields an invalid header.
pub fn after_sign_in(base: &Url, next: Option<&str>) -> String {
    let candidate = safe_next(next);
    match base.join(&candidate) {
        Ok(resolved) if resolved.origin() == base.origin() => {
            let mut target = resolved.path().to_owned();
            if let Some(query) = resolved.query() {
                target.push('?');
                target.push_str(query);
            }
            if let Some(fragment) = resolved.fragment() {
                target.push('#');
                target.push_str(fragment);
            }
            if is_local_path(&target) {
                target
            } else {
                DEFAULT_LANDING.to_owned()
            }
        }
        _ => DEFAULT_LANDING.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    const SITE: &str = "https://academy.example.nhs.uk";

    fn site() -> Url {
        Url::parse(SITE).expect("site URL")
    }

    #[test]
    fn paths_on_this_site_are_kept() {
        assert_eq!(
            after_sign_in(&site(), Some("/modules/prince2")),
            "/modules/prince2"
        );
        assert_eq!(
            after_sign_in(&site(), Some("/modules/itil/lessons/intro?x=1#top")),
            "/modules/itil/lessons/intro?x=1#top"
        );
        assert_eq!(after_sign_in(&site(), None), DEFAULT_LANDING);
    }

    #[test]
    fn anything_that_could_reach_another_site_goes_to_the_dashboard() {
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            " //evil.example",
            "\t//evil.example",
            "/%09/evil.example/../",
            "javascript:alert(1)",
            "/\u{0}",
            "/\u{7f}",
            "/é",
            "",
            "dashboard",
            "http:/evil.example",
        ] {
            let target = after_sign_in(&site(), Some(hostile));
            let resolved = Url::parse(SITE)
                .and_then(|base| base.join(&target))
                .expect("the target is a URL reference");
            assert_eq!(
                resolved.host_str(),
                Some("academy.example.nhs.uk"),
                "{hostile:?} led to {target:?}"
            );
            assert!(
                target == DEFAULT_LANDING || target.starts_with("/%09"),
                "{hostile:?} was followed: {target:?}"
            );
        }
    }

    /// A property test: whatever string `next` holds, the result is a valid header value and a path on this
    /// site. The alphabet is weighted towards the characters that have caused open redirects elsewhere.
    #[test]
    fn arbitrary_next_values_never_panic_and_never_leave_the_site() {
        const PIECES: &[&str] = &[
            "/",
            "//",
            "\\",
            "\t",
            "\n",
            "\r",
            " ",
            "\u{0}",
            "\u{7f}",
            "\u{85}",
            "\u{2028}",
            "é",
            ":",
            "@",
            ".",
            "..",
            "%",
            "%2f",
            "%5c",
            "%09",
            "?",
            "#",
            "a",
            "evil.example",
            "http:",
            "https://",
            "javascript:",
            "\u{feff}",
            "\u{3000}",
            "／",
        ];
        let base = Url::parse(SITE).expect("site URL");
        let mut rng = StdRng::seed_from_u64(0x1ead_5afe);
        for _ in 0..20_000 {
            let length = rng.random_range(0..10);
            let next: String = (0..length)
                .map(|_| PIECES[rng.random_range(0..PIECES.len())])
                .collect();
            let target = after_sign_in(&site(), Some(&next));
            assert!(
                http::HeaderValue::from_str(&target).is_ok(),
                "{next:?} gave an invalid Location {target:?}"
            );
            let resolved = base.join(&target).expect("a URL reference");
            assert_eq!(
                resolved.origin(),
                base.origin(),
                "{next:?} redirected off site to {target:?}"
            );
        }
    }
}
