//! Where registration, password reset and a change of address land: the same words whatever happened, so
//! the page never tells anyone whether an address has an account. The email says what happened.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    view! {
        <Title text="Check your email"/>
        <h1>"Check your email"</h1>
        <p>"We have sent an email to the address you gave. It explains what happens next and, where one is needed, contains a link."</p>
        <p>"Links to verify an address work for 48 hours, and password reset links for one hour. Each works once."</p>
        <p>"If nothing arrives within a few minutes, check your junk mail folder. NHS and university mail filters sometimes hold messages for a while."</p>
        <ul>
            <li><A href="/sign-in">"Sign in"</A>" (you can start learning before you verify your address)"</li>
            <li><A href="/forgot-password">"Reset a forgotten password"</A></li>
        </ul>
    }
}
