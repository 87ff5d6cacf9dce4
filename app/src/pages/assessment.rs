//! A module's end-of-module assessment.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::quizzes::ASSESSMENT_SCOPE;
use crate::components::quiz::Quiz;

#[component]
pub fn AssessmentPage() -> impl IntoView {
    let params = use_params_map();
    let module = move || params.read().get("module").unwrap_or_default();
    view! {
        <Title text="Module assessment"/>
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol>
                <li><A href="/">"Catalogue"</A></li>
                <li><A href=move || format!("/modules/{}", module())>"Module"</A></li>
                <li aria-current="page">"Assessment"</li>
            </ol>
        </nav>
        <h1>"Module assessment"</h1>
        <p>"Answer every question, then submit. Your answers are marked when you submit, and each answer is explained afterwards."</p>
        {move || view! { <Quiz module=module() scope=ASSESSMENT_SCOPE heading="Questions"/> }}
    }
}
