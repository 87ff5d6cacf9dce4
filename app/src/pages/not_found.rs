//! The page for an address that matches no route.

use leptos::prelude::*;

use crate::components::error_view::ErrorView;
use crate::error::AppError;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <ErrorView error=AppError::NotFound("The page you asked for".to_owned())/> }
}
