//! The browser bundles. One wasm bundle for every page made a learner on a slow trust network download the
//! authoring editors and the cohort dashboards before a lesson became interactive (about 680 KB compressed).
//! `scripts/build` builds one bundle per [`Bundle`], each holding only its own pages; the server sends the
//! bundle of the page it renders, and following a link to another bundle's page loads that page whole from
//! the server (`pages::from_server`), as every link does with JavaScript off.
//!
//! Which bundle a page belongs to is decided by one rule, [`Bundle::for_address`], on the first segment of its
//! address. The route table (`routes!`, used in `lib.rs`) and the server's choice of script both apply it, so a page
//! is never hydrated by a bundle that lacks it.

/// A browser bundle: the pages one kind of visit needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Reading the curriculum: the catalogue and everything under `/modules/` (a module, its lessons and its
    /// assessment). The pages most visits are, by anonymous visitors and learners alike.
    Reading,
    /// The learner's own pages and everything not named elsewhere: dashboard, portfolio, pathways, records,
    /// cohort joining.
    Learner,
    /// Signing in and the account: registering, signing in, password resets, email confirmations, account
    /// settings. Visited rarely, so kept out of the learner's bundle.
    Account,
    /// Course leads' and admins' pages: authoring (`/author/`), cohorts and administration.
    CourseLead,
}

impl Bundle {
    /// Every bundle, in the order `scripts/build` builds them.
    pub const ALL: [Bundle; 4] = [
        Bundle::Reading,
        Bundle::Learner,
        Bundle::Account,
        Bundle::CourseLead,
    ];

    /// The bundle that hydrates the page at `address` (a route's pattern or a request's path: the first
    /// segment is never a parameter, so both give the same answer). An address no route matches gets the
    /// bundle its first segment names; every bundle holds the page-not-found view.
    pub const fn for_address(address: &str) -> Bundle {
        match first_segment(address.as_bytes()) {
            b"" | b"modules" => Bundle::Reading,
            b"author" | b"cohorts" | b"admin" => Bundle::CourseLead,
            b"account"
            | b"register"
            | b"sign-in"
            | b"forgot-password"
            | b"reset-password"
            | b"check-email"
            | b"verify-email"
            | b"email-verified"
            | b"account-deleted"
            | b"confirm-email-change" => Bundle::Account,
            _ => Bundle::Learner,
        }
    }

    /// The bundle's name in its files' names and in `hash.txt` (`scripts/build`) and in its cargo feature
    /// (`bundle-<name>`).
    pub const fn name(self) -> &'static str {
        match self {
            Bundle::Reading => "reading",
            Bundle::Learner => "learner",
            Bundle::Account => "account",
            Bundle::CourseLead => "course-lead",
        }
    }

    /// Whether this build renders the bundle's pages itself: the server renders every page; a browser
    /// bundle only its own, so the others' code is left out of it.
    pub const fn is_in_this_build(self) -> bool {
        cfg!(feature = "ssr")
            || match self {
                Bundle::Reading => cfg!(feature = "bundle-reading"),
                Bundle::Learner => cfg!(feature = "bundle-learner"),
                Bundle::Account => cfg!(feature = "bundle-account"),
                Bundle::CourseLead => cfg!(feature = "bundle-course-lead"),
            }
    }
}

/// Lets the browser follow a link to a page of another bundle as it would without JavaScript (a whole page
/// load, which brings that page's bundle), instead of the router rendering
/// [`FromServerPage`](crate::pages::from_server::FromServerPage) and then loading it, which would leave an extra
/// history entry. A click seen before the router's (capture phase) marks such a link `rel="external"`, the
/// router's documented way out.
#[cfg(feature = "hydrate")]
pub fn follow_links_to_other_bundles_natively() {
    use leptos::prelude::{document, window};
    use leptos::wasm_bindgen::{JsCast, closure::Closure};
    use leptos::web_sys::{Element, HtmlAnchorElement, MouseEvent};

    let on_click = Closure::<dyn Fn(MouseEvent)>::new(|event: MouseEvent| {
        let Some(link) = event
            .target()
            .and_then(|target| target.dyn_into::<Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
            .and_then(|element| element.dyn_into::<HtmlAnchorElement>().ok())
        else {
            return;
        };
        let same_site = window()
            .location()
            .origin()
            .is_ok_and(|origin| origin == link.origin());
        if same_site && !Bundle::for_address(&link.pathname()).is_in_this_build() {
            link.set_rel(&format!("{} external", link.rel()));
        }
    });
    let listening = document().add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    if listening.is_err() {
        leptos::logging::error!("links to other bundles' pages will open through the router");
    }
    // The listener lives as long as the page.
    on_click.forget();
}

/// Whether an address's first segment is fixed text, not a parameter (`:id`) or a wildcard (`*rest`): the
/// bundle rule reads a route's pattern and a request's path alike only then. `routes!` refuses any other.
pub const fn first_segment_is_fixed(address: &str) -> bool {
    !matches!(first_segment(address.as_bytes()), [b':' | b'*', ..])
}

/// The first segment of an address, without its slashes: `b""` for `/`, `b"author"` for `/author/x`.
const fn first_segment(address: &[u8]) -> &[u8] {
    let mut start = 0;
    while start < address.len() && address[start] == b'/' {
        start += 1;
    }
    let (_, rest) = address.split_at(start);
    let mut end = 0;
    while end < rest.len() && rest[end] != b'/' && rest[end] != b'?' && rest[end] != b'#' {
        end += 1;
    }
    rest.split_at(end).0
}

/// The route table, with each page hydrated by the bundle its address names ([`Bundle::for_address`]): a
/// route's view is the page itself in that bundle and on the server, and
/// [`FromServerPage`](crate::pages::from_server::FromServerPage) in the other bundles. The choice is a
/// constant, so a page's code is left out of the bundles that do not hold it. Every route renders fully on
/// the server before it is sent (`SsrMode::Async`), so pages are complete without JavaScript.
macro_rules! routes {
    (fallback: $fallback:ident, $($address:tt => $page:ident,)*) => {
        view! {
            <Routes fallback=|| view! { <$fallback/> }>
                $(
                    <Route
                        path=path!($address)
                        view=|| {
                            const {
                                assert!(
                                    $crate::bundles::first_segment_is_fixed($address),
                                    "a route's first segment must be fixed text: it names the page's bundle",
                                )
                            };
                            if const { $crate::bundles::Bundle::for_address($address).is_in_this_build() } {
                                leptos::either::Either::Left(view! { <$page/> })
                            } else {
                                leptos::either::Either::Right(
                                    view! { <$crate::pages::from_server::FromServerPage/> },
                                )
                            }
                        }
                        ssr=SsrMode::Async
                    />
                )*
            </Routes>
        }
    };
}
pub(crate) use routes;

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn the_first_segment_of_an_address_names_its_bundle() {
        assert_eq!(Bundle::for_address("/"), Bundle::Reading);
        assert_eq!(Bundle::for_address(""), Bundle::Reading);
        assert_eq!(Bundle::for_address("/?page=2"), Bundle::Reading);
        assert_eq!(
            Bundle::for_address("/modules/:module/lessons/:lesson"),
            Bundle::Reading
        );
        assert_eq!(
            Bundle::for_address("/modules/ccio-role/assessment"),
            Bundle::Reading
        );
        assert_eq!(Bundle::for_address("/author"), Bundle::CourseLead);
        assert_eq!(
            Bundle::for_address("/author/ccio-role/source/module.toml"),
            Bundle::CourseLead
        );
        assert_eq!(Bundle::for_address("/cohorts/12"), Bundle::CourseLead);
        assert_eq!(Bundle::for_address("/admin?tab=roles"), Bundle::CourseLead);
        assert_eq!(Bundle::for_address("/dashboard"), Bundle::Learner);
        assert_eq!(Bundle::for_address("/records/5f0c"), Bundle::Learner);
        assert_eq!(
            Bundle::for_address("/sign-in?next=%2Fdashboard"),
            Bundle::Account
        );
        assert_eq!(Bundle::for_address("/account"), Bundle::Account);
        assert_eq!(Bundle::for_address("/authoring-guide"), Bundle::Learner);
        assert_eq!(Bundle::for_address("/no-such-page/at/all"), Bundle::Learner);
    }

    #[test]
    fn a_route_cannot_start_with_a_parameter() {
        assert!(super::first_segment_is_fixed("/modules/:module"));
        assert!(super::first_segment_is_fixed("/"));
        assert!(!super::first_segment_is_fixed("/:slug"));
        assert!(!super::first_segment_is_fixed("/*any"));
    }
}
