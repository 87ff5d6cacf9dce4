//! Signing in, then returning to the page that asked for it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{SignIn, safe_next};
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next").as_deref());
    let error = Signal::derive(move || sign_in.value().get().and_then(|r| r.err()));
    // A fixed notice chosen by a flag, never text from the address.
    let reset_done = move || query.read().get("reset").as_deref() == Some("done");
    view! {
        <Title text="Sign in"/>
        <h1>"Sign in"</h1>
        {move || reset_done().then(|| view! {
            <p class="notice notice--done" role="status">"Your password has been changed. Sign in with your new password."</p>
        })}
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
