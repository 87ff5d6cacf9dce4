//! Signing in, then returning to the page that asked for it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{SignIn, safe_next, sign_in_providers};
use crate::components::form::{ErrorSummary, FormField};
use crate::model::single_sign_on::{SignInProvider, SingleSignOnProblem};

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next").as_deref());
    let error = Signal::derive(move || sign_in.value().get().and_then(|r| r.err()));
    // A fixed notice chosen by a flag, never text from the address.
    let reset_done = move || query.read().get("reset").as_deref() == Some("done");
    let sso_problem = move || {
        query
            .read()
            .get("sso")
            .as_deref()
            .and_then(SingleSignOnProblem::from_code)
    };
    let providers = OnceResource::new(sign_in_providers());
    view! {
        <Title text="Sign in"/>
        <h1>"Sign in"</h1>
        {move || reset_done().then(|| view! {
            <p class="notice notice--done" role="status">"Your password has been changed. Sign in with your new password."</p>
        })}
        {move || sso_problem().map(|problem| view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <h2 class="error-summary__title">"You are not signed in"</h2>
                <p>{problem.message()}</p>
            </div>
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let providers = providers.await.unwrap_or_default();
                view! { <OrganisationSignIn providers=providers next=next()/> }
            })}
        </Suspense>
        <ErrorSummary error=error/>
        <ActionForm action=sign_in attr:novalidate=true attr:class="form">
            <input type="hidden" name="next" value=next/>
            <FormField name="email" label="Email address" input_type="email" autocomplete="email" error=error/>
            <FormField name="password" label="Password" input_type="password" autocomplete="current-password" error=error/>
            <button type="submit" class="button">"Sign in"</button>
        </ActionForm>
        <p><A href="/forgot-password">"Forgotten your password?"</A></p>
        <p>"New here? " <A href="/register">"Create an account"</A></p>
    }
}

/// "Sign in with <organisation>" links, one per registered provider. Plain links (`rel="external"`, so the
/// router leaves them to the browser): the provider's page is another site.
#[component]
fn OrganisationSignIn(providers: Vec<SignInProvider>, next: String) -> impl IntoView {
    if providers.is_empty() {
        return ().into_any();
    }
    let next = percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    view! {
        <section class="organisation-sign-in" aria-labelledby="organisation-sign-in">
            <h2 id="organisation-sign-in">"Sign in with your organisation"</h2>
            <ul class="organisation-sign-in__list">
                {providers.into_iter().map(|provider| {
                    let href = format!("/sign-in/sso/{}?next={next}", provider.slug);
                    view! {
                        <li><a class="button button--secondary" rel="external" href=href>
                            {format!("Sign in with {}", provider.display_name)}
                        </a></li>
                    }
                }).collect_view()}
            </ul>
            <h2>"Or with your email address"</h2>
        </section>
    }
    .into_any()
}
