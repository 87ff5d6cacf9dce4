//! A page-level error, which also sets the HTTP status when rendered on the server. Every page shows its
//! errors through this one component, so "sign in to see this" is handled once: the visitor is sent to
//! sign in and brought back to the page they asked for.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_location;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::AppError;

/// What a `next` value may keep as it is: `/` stays readable, everything else that could end the value or
/// change its meaning is escaped.
const NEXT_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The sign-in page, asked to come back to `path` (with its query) afterwards.
pub fn sign_in_then(path: &str) -> String {
    format!("/sign-in?next={}", utf8_percent_encode(path, NEXT_VALUE))
}

#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    if matches!(error, AppError::SignInRequired) {
        let location = use_location();
        let path = location.pathname.get_untracked();
        let search = location.search.get_untracked();
        let search = search.trim_start_matches('?');
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        // A browser follows the redirect (302); any other client sees 401 rather than an empty 200.
        #[cfg(feature = "ssr")]
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::UNAUTHORIZED);
        }
        return view! { <Redirect path=sign_in_then(&here)/> }.into_any();
    }
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status_code())
    {
        response.set_status(status);
    }
    let heading = match &error {
        AppError::NotFound(_) => "Page not found",
        AppError::Forbidden => "You do not have access to this page",
        AppError::Unavailable => "Sorry, the service is unavailable",
        _ => "Sorry, there is a problem",
    };
    view! {
        <Title text=heading/>
        <h1>{heading}</h1>
        <p>{error.to_string()}</p>
        <p><A href="/">"Go to the catalogue"</A></p>
    }
    .into_any()
}
