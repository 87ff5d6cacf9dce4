//! A page-level error, which also sets the HTTP status when rendered on the server.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::error::AppError;

#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status_code())
    {
        response.set_status(status);
    }
    let heading = match &error {
        AppError::NotFound(_) => "Page not found",
        AppError::SignInRequired => "Please sign in",
        AppError::Forbidden => "You do not have access to this page",
        AppError::Unavailable => "Sorry, the service is unavailable",
        _ => "Sorry, there is a problem",
    };
    let sign_in = matches!(error, AppError::SignInRequired);
    view! {
        <Title text=heading/>
        <h1>{heading}</h1>
        <p>{error.to_string()}</p>
        {sign_in.then(|| view! { <p><A href="/sign-in">"Sign in"</A></p> })}
        <p><A href="/">"Go to the catalogue"</A></p>
    }
}
