//! After a verification or change-of-address link has been followed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn EmailVerifiedPage() -> impl IntoView {
    view! {
        <Title text="Email address confirmed"/>
        <h1>"Email address confirmed"</h1>
        <p class="notice notice--done" role="status">"Thank you: your email address is confirmed. You can now join cohorts, and any module you have completed now issues its completion record."</p>
        <ul>
            <li><A href="/dashboard">"Go to my learning"</A></li>
            <li><A href="/sign-in">"Sign in"</A></li>
        </ul>
    }
}
