//! Informatics Academy's user interface and server functions.
//!
//! Compiled twice: with `ssr` for the server (rendering pages, running server functions) and with `hydrate`
//! for the browser (wasm that takes over the server-rendered page). Every page works with JavaScript off:
//! forms post to server functions, which redirect back.

pub mod api;
pub mod bundles;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use bundles::routes;

use components::layout::Layout;
use pages::admin_identity_providers::IdentityProvidersPage;
use pages::admin_lti_platforms::LtiPlatformsPage;
use pages::{
    account::AccountPage, admin::AdminPage, assessment::AssessmentPage,
    assessment_editor::AssessmentEditorPage, authoring::AuthoringPage,
    authoring_module::AuthoringModulePage, catalogue::CataloguePage, cohort::CohortPage,
    cohorts::CohortsPage, dashboard::DashboardPage, join::JoinPage, lesson::LessonPage,
    lesson_editor::LessonEditorPage, module::ModulePage, not_found::NotFoundPage,
    pathway::PathwayPage, pathways::PathwaysPage, portfolio::PortfolioPage, record::RecordPage,
    register::RegisterPage, self_assessment::SelfAssessmentPage, sign_in::SignInPage,
    source_editor::SourceEditorPage,
};
use pages::{
    account_deleted::AccountDeletedPage, check_email::CheckEmailPage,
    confirm_email_change::ConfirmEmailChangePage, email_verified::EmailVerifiedPage,
    forgot_password::ForgotPasswordPage, reset_password::ResetPasswordPage,
    verify_email::VerifyEmailPage,
};

/// The stylesheet's address; the shell is rendered on the server only, so the browser build never needs it.
#[cfg(feature = "ssr")]
fn stylesheet_href(options: &LeptosOptions) -> String {
    ssr::assets::stylesheet_href(options).to_owned()
}

#[cfg(not(feature = "ssr"))]
fn stylesheet_href(options: &LeptosOptions) -> String {
    format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
}

/// The bundle for the page being rendered: the one its address names (`bundles.rs`), as the route table
/// applies it.
#[cfg(feature = "ssr")]
fn page_bundle() -> bundles::Bundle {
    use_context::<http::request::Parts>().map_or(bundles::Bundle::Reading, |request| {
        bundles::Bundle::for_address(request.uri.path())
    })
}

/// Starts hydration, with the page's own bundle, once the page has loaded (or after three seconds, so a
/// lesson image from a host a trust network blocks cannot hold it back for a TCP time-out) and the browser
/// is idle. The page is whole and usable without it (links and forms work as they do with JavaScript off),
/// so nothing of the bundle is fetched before the lesson text has painted: on a slow ward PC or trust
/// network the bundle never competes with the page itself. Leptos's own `HydrationScripts` preloads the
/// bundle from the `<head>` and reads the hash file from disk on every page; the addresses here are read
/// once. `typeof` rather than `in window`: an author's heading id could otherwise stand in for a missing
/// `requestIdleCallback`.
#[cfg(feature = "ssr")]
fn hydration_script(options: &LeptosOptions) -> impl IntoView + use<> {
    let (js, wasm) = ssr::assets::bundle_hrefs(options, page_bundle());
    let code = format!(
        "const hydrate = async () => {{ const glue = await import({js:?}); \
         await glue.default({{ module_or_path: {wasm:?} }}); glue.hydrate(); }}; \
         let started = false; \
         const start = () => {{ if (started) return; started = true; \
         if (typeof window.requestIdleCallback === \"function\") requestIdleCallback(hydrate, {{ timeout: 2000 }}); \
         else setTimeout(hydrate, 0); }}; \
         if (document.readyState === \"complete\") start(); \
         else {{ addEventListener(\"load\", start); setTimeout(start, 3000); }}"
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{code}</script> }
}

#[cfg(not(feature = "ssr"))]
fn hydration_script(options: &LeptosOptions) -> impl IntoView + use<> {
    view! { <HydrationScripts options=options.clone()/> }
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="Informatics Academy: a learning path for clinicians stepping into digital and informatics leadership."/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=stylesheet_href(&options)/>
                <AutoReload options=options.clone()/>
                {hydration_script(&options)}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// A strict Content-Security-Policy for every page: scripts only from this site or carrying this response's
/// nonce (Leptos puts it on its hydration scripts), wasm compilation allowed for hydration, no plugins, no
/// framing, forms only to this site. Lesson HTML is made safe as well (`ssr/content/markdown.rs`); this is the
/// second line of defence.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use http::{HeaderValue, header::CONTENT_SECURITY_POLICY};
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'",
        &*nonce
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: layout and routes (`bundles::routes!` says how each page is rendered and hydrated).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|title: String| if title.is_empty() { "Informatics Academy".to_owned() } else { format!("{title} – Informatics Academy") }/>
        <Router>
            <Layout>
                {routes! {
                    fallback: NotFoundPage,
                    "/" => CataloguePage,
                    "/modules/:module" => ModulePage,
                    "/modules/:module/lessons/:lesson" => LessonPage,
                    "/modules/:module/assessment" => AssessmentPage,
                    "/pathways" => PathwaysPage,
                    "/pathways/:pathway" => PathwayPage,
                    "/dashboard" => DashboardPage,
                    "/portfolio" => PortfolioPage,
                    "/self-assessment" => SelfAssessmentPage,
                    "/cohorts" => CohortsPage,
                    "/cohorts/:id" => CohortPage,
                    "/join" => JoinPage,
                    "/admin" => AdminPage,
                    "/admin/identity-providers" => IdentityProvidersPage,
                    "/admin/lti-platforms" => LtiPlatformsPage,
                    "/author" => AuthoringPage,
                    "/author/:module" => AuthoringModulePage,
                    "/author/:module/lessons/:file" => LessonEditorPage,
                    "/author/:module/assessment" => AssessmentEditorPage,
                    "/author/:module/source/:file" => SourceEditorPage,
                    "/records/:id" => RecordPage,
                    "/register" => RegisterPage,
                    "/sign-in" => SignInPage,
                    "/account" => AccountPage,
                    "/check-email" => CheckEmailPage,
                    "/account-deleted" => AccountDeletedPage,
                    "/verify-email" => VerifyEmailPage,
                    "/email-verified" => EmailVerifiedPage,
                    "/forgot-password" => ForgotPasswordPage,
                    "/reset-password" => ResetPasswordPage,
                    "/confirm-email-change" => ConfirmEmailChangePage,
                }}
            </Layout>
        </Router>
    }
}

/// The browser entry point: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    bundles::follow_links_to_other_bundles_natively();
    leptos::mount::hydrate_body(App);
}
