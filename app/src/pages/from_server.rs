//! A page the browser bundle in use does not hold (`bundles.rs`): following a link to it loads it whole from
//! the server, which sends it with the bundle that does hold it. The server itself renders every page, so this
//! is only ever seen for a moment after a click.

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
        // `assign` rather than `replace`: the address bar may still show the page the link was on, which
        // must stay in the history for the back button.
        if window().location().assign(&address).is_err() {
            leptos::logging::error!("could not load {address} from the server");
        }
    });
    view! { <p role="status">"Opening the page…"</p> }
}
