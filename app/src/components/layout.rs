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

    view! {
        <div class="page" data-hydrated=move || hydrated.get().to_string()>
            <a class="skip-link" href="#main">"Skip to main content"</a>
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
                                            {matches!(who.role, Role::CourseLead | Role::Admin).then(|| view! { <li><A href="/author">"Authoring"</A></li><li><A href="/cohorts">"Cohorts"</A></li> })}
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
                    account.await.ok().flatten().filter(|who| !who.email_verified).map(|who| view! {
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
