//! The frame of every page: skip link, header with navigation and account, main landmark, footer.

use leptos::prelude::*;
use leptos_router::components::A;

use leptos_router::hooks::use_location;

use crate::api::accounts::{ResendVerification, Role, SignOut, current_account};

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let resend = ServerAction::<ResendVerification>::new();
    let location = use_location();
    // Re-read on every navigation: signing in, registering and signing out all end in one.
    let account = Resource::new(move || location.pathname.get(), |_| current_account());

    // Only the browser runs effects: the attribute turns "true" once the page is hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    // A full page load starts a screen reader or keyboard user at the top; a navigation inside the hydrated
    // app would leave focus on the link just followed (or lose it). Move it to the new page's heading.
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|previous| previous != path) {
            focus_the_new_heading();
        }
        path
    });

    view! {
        <div class="page" data-hydrated=move || hydrated.get().to_string()>
            // A plain link without JavaScript; hydrated, the router would treat `#main` as a navigation and
            // leave focus where it was, so the click moves focus itself.
            <a class="skip-link" href="#main" on:click=skip_to_main>"Skip to main content"</a>
            <header class="site-header">
                <div class="site-header__inner">
                    <A href="/" attr:class="site-name">"Informatics Academy"</A>
                    <nav aria-label="Main">
                        <ul class="nav-list">
                            <li><A href="/">"Catalogue"</A></li>
                            <li><A href="/pathways">"Pathways"</A></li>
                            <li><A href="/dashboard">"My learning"</A></li>
                            <li><A href="/portfolio">"Portfolio"</A></li>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    match account.await {
                                        Ok(Some(who)) => view! {
                                            {matches!(who.role, Role::CourseLead | Role::Admin).then(|| view! { <li><A href="/author">"Authoring"</A></li> })}
                                            {who.sees_cohorts.then(|| view! { <li><A href="/cohorts">"Cohorts"</A></li> })}
                                            {(who.role == Role::Admin).then(|| view! { <li><A href="/admin">"Admin"</A></li> })}
                                            <li class="nav-account">
                                                <A href="/account" attr:class="nav-account__name">{format!("Signed in as {}", who.display_name)}</A>
                                                <ActionForm action=sign_out attr:class="inline-form">
                                                    <button type="submit" class="button-link">"Sign out"</button>
                                                </ActionForm>
                                            </li>
                                        }.into_any(),
                                        _ => view! {
                                            <li><A href="/sign-in">"Sign in"</A></li>
                                            <li><A href="/register">"Register"</A></li>
                                        }.into_any(),
                                    }
                                })}
                            </Transition>
                        </ul>
                    </nav>
                </div>
            </header>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    account.await.ok().flatten().filter(|who| who.asked_to_verify()).map(|who| view! {
                        <div class="banner" role="region" aria-label="Email verification">
                            <p>{format!("Please verify your email address ({}) to join cohorts and receive completion records. Check your inbox for our link.", who.email)}</p>
                            <ActionForm action=resend attr:class="inline-form">
                                <button type="submit" class="button-link">"Send me a new link"</button>
                            </ActionForm>
                        </div>
                    })
                })}
            </Transition>
            <main id="main" tabindex="-1" class="main">
                {children()}
            </main>
            <footer class="site-footer">
                <p>"Informatics Academy is open-source software for clinicians stepping into informatics leadership."</p>
            </footer>
        </div>
    }
}

/// Moves focus to the main landmark (which has `tabindex="-1"`), as following `#main` does in a plain page.
fn skip_to_main(event: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(main) = document()
            .get_element_by_id("main")
            .and_then(|m| m.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            event.prevent_default();
            let _ = main.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// How long after a navigation the new page's heading is looked for (its data may still be loading), and how
/// often.
#[cfg(feature = "hydrate")]
const HEADING_WATCH: (u32, std::time::Duration) = (20, std::time::Duration::from_millis(100));

/// Focuses the page's `h1` once it is on the page, following it if a page still loading its data replaces it
/// (focus then falls back to the body), and stops as soon as the learner has moved focus on themselves (by
/// tabbing to a link, say, or typing in a field): focus must never be pulled back from where they put it.
#[cfg(feature = "hydrate")]
fn focus_the_new_heading() {
    fn watch(focused: Option<leptos::web_sys::Element>, ticks_left: u32) {
        use leptos::wasm_bindgen::JsCast;
        if ticks_left == 0 {
            return;
        }
        let document = document();
        let active = document.active_element();
        let typing = active.as_ref().is_some_and(|active| {
            matches!(active.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        });
        let moved_on = focused.as_ref().is_some_and(|ours| {
            active.as_ref().is_some_and(|active| {
                active.tag_name() != "BODY" && !active.is_same_node(Some(ours))
            })
        });
        if typing || moved_on {
            return;
        }
        let mut focused = focused;
        if let Some(heading) = document.query_selector("main h1").ok().flatten()
            && !focused
                .as_ref()
                .is_some_and(|f| f.is_same_node(Some(&heading)))
        {
            let _ = heading.set_attribute("tabindex", "-1");
            if let Some(element) = heading.dyn_ref::<leptos::web_sys::HtmlElement>() {
                let _ = element.focus();
            }
            focused = Some(heading);
        }
        set_timeout(move || watch(focused, ticks_left - 1), HEADING_WATCH.1);
    }
    watch(None, HEADING_WATCH.0);
}

/// The server renders whole pages: nothing to move.
#[cfg(not(feature = "hydrate"))]
fn focus_the_new_heading() {}
