//! Asking for a password reset link.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::accounts::RequestPasswordReset;
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || request.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Reset your password"/>
        <h1>"Reset your password"</h1>
        <ErrorSummary error=error/>
        <p>"Enter the email address you registered with. We will email it a link to choose a new password."</p>
        <ActionForm action=request attr:novalidate=true attr:class="form">
            <FormField name="email" label="Email address" input_type="email" autocomplete="email" error=error/>
            <button type="submit" class="button">"Send me a reset link"</button>
        </ActionForm>
        <p><A href="/sign-in">"Back to sign in"</A></p>
    }
}
