//! Choosing a new password from a reset link.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::ResetPassword;
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = Signal::derive(move || reset.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Choose a new password"/>
        <h1>"Choose a new password"</h1>
        <ErrorSummary error=error/>
        <p>"Your account will be signed out of every browser, including any someone else may be using."</p>
        <ActionForm action=reset attr:novalidate=true attr:class="form">
            <input type="hidden" name="token" value=token/>
            <FormField name="new_password" label="New password" input_type="password" autocomplete="new-password"
                hint="At least 10 characters. A few unrelated words make a strong, memorable password." error=error/>
            <button type="submit" class="button">"Set new password"</button>
        </ActionForm>
        <p><A href="/forgot-password">"Ask for a new link"</A></p>
    }
}
