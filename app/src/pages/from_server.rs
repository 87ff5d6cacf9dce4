//! A page the browser bundle in use does not hold (`bundles.rs`), reached by a navigation the router makes
//! itself (a server function's redirect, say; links to such pages are left to the browser): the page is loaded
//! whole from the server, which sends it with the bundle that does hold it. Only ever seen for a moment.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn FromServerPage() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        // The router keeps the query without its `?` and the fragment with its `#`.
        let search = location.search.get_untracked();
        let query = if search.is_empty() {
            String::new()
        } else {
            format!("?{search}")
        };
        let address = format!(
            "{}{query}{}",
            location.pathname.get_untracked(),
            location.hash.get_untracked()
        );
        // If the router has already put the address in the history, load it in that entry's place; if not,
        // the page navigated from must stay in the history for the back button.
        let browser = window().location();
        let shown = browser.pathname().unwrap_or_default()
            + &browser.search().unwrap_or_default()
            + &browser.hash().unwrap_or_default();
        let loaded = if shown == address {
            browser.replace(&address)
        } else {
            browser.assign(&address)
        };
        if loaded.is_err() {
            leptos::logging::error!("could not load {address} from the server");
        }
    });
    view! { <p role="status">"Opening the page…"</p> }
}
