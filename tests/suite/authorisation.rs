//! Who may do what, as one table: every server function and every HTTP route of the router, called by each
//! of six people (nobody signed in, a learner, another learner, the course lead who owns the module and the
//! cohort, another course lead, an admin), every cell asserted. A server function or route with no row
//! fails the test, so a new one cannot ship without its rule.
//!
//! "Allowed" means the request passed the owner rule: it may still fail for an ordinary reason (a wrong
//! password, an empty form, something already done), but never with "sign in", "forbidden" or an internal
//! error. "Refused" means it was stopped by the rule: "sign in" or "forbidden". "Not found" satisfies
//! either (a caller may not learn that someone else's thing exists, and an allowed caller may find it gone
//! because an earlier cell used it). Checked through the real router, with real sessions.

use academy_tests::http_client::{Browser, Page, app_for};
use academy_tests::{Learning, fixtures, on_both_databases};
use app::api::accounts::Role;
use app::error::AppError;
use app::ssr::entities::{cohort, completion_record};
use app::ssr::services::single_sign_on::providers;
use app::ssr::services::{authoring, catalogue, cohorts, completion, learning};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};

const PASSWORD: &str = "a long enough passphrase";

/// The six callers, in the order of every row's cells.
const CALLERS: [&str; 6] = [
    "anonymous",
    "learner",
    "another learner",
    "owning course lead",
    "other course lead",
    "admin",
];

/// A cell: allowed (`Y`) or refused (`N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum May {
    Y,
    N,
}
use May::{N, Y};

const PUBLIC: [May; 6] = [Y, Y, Y, Y, Y, Y];
const SIGNED_IN: [May; 6] = [N, Y, Y, Y, Y, Y];
const LEADS: [May; 6] = [N, N, N, Y, Y, Y];
const OWNER: [May; 6] = [N, N, N, Y, N, Y];
const ADMIN: [May; 6] = [N, N, N, N, N, Y];

/// What the fixture made: ids and names the rows refer to.
struct Fixture {
    record: String,
    cohort: i32,
    /// A VLE course the owning course lead teaches.
    vle_course: i32,
    other_learner: i32,
    owner_email: String,
}

/// One server function or route, the arguments it is called with, and who may call it.
struct Row {
    /// `fn <endpoint>` for a server function (`/api/<endpoint>`), or `GET <path>` / `POST <path>` for a route.
    what: &'static str,
    args: fn(&Fixture, usize) -> Vec<(String, String)>,
    may: [May; 6],
}

fn none(_: &Fixture, _: usize) -> Vec<(String, String)> {
    Vec::new()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The table. Rows run in this order; rows that change something come after the rows that read it.
fn rows() -> Vec<Row> {
    vec![
        // Catalogue and learning.
        Row {
            what: "fn modules",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "fn catalogue",
            args: |_, _| pairs(&[("q", "alpha"), ("page", "1")]),
            may: PUBLIC,
        },
        Row {
            what: "fn pathways",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "fn pathway",
            args: |_, _| pairs(&[("slug", "starter")]),
            may: PUBLIC,
        },
        Row {
            what: "fn module",
            args: |_, _| pairs(&[("slug", "beta")]),
            may: PUBLIC,
        },
        Row {
            what: "fn lesson",
            args: |_, _| pairs(&[("module", "beta"), ("lesson", "only")]),
            may: PUBLIC,
        },
        Row {
            what: "fn quiz",
            args: |_, _| pairs(&[("module", "gamma"), ("scope", "only")]),
            may: PUBLIC,
        },
        Row {
            what: "fn my-learning",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn enrol",
            args: |_, _| pairs(&[("module", "alpha")]),
            may: SIGNED_IN,
        },
        Row {
            what: "fn complete-lesson",
            args: |_, _| pairs(&[("module", "alpha"), ("lesson", "first")]),
            may: SIGNED_IN,
        },
        Row {
            what: "GET /modules/alpha/lessons/first/opened.gif",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn submit-quiz",
            args: |_, _| {
                pairs(&[
                    ("module", "gamma"),
                    ("scope", "only"),
                    ("answers[only-1][choice]", "0"),
                ])
            },
            may: SIGNED_IN,
        },
        // Records.
        Row {
            what: "fn record",
            args: |f, _| vec![("id".into(), f.record.clone())],
            may: PUBLIC,
        },
        Row {
            what: "fn portfolio",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn revoke-record",
            args: |f, _| {
                vec![
                    ("id".into(), f.record.clone()),
                    ("reason".into(), "Issued in error".into()),
                ]
            },
            may: OWNER,
        },
        Row {
            what: "fn reinstate-record",
            args: |f, _| vec![("id".into(), f.record.clone())],
            may: OWNER,
        },
        Row {
            what: "GET /.well-known/jwks.json",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /issuer",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /status/revocation",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /status/revocation/pathways",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /records/{record}/credential.json",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /records/{record}/credential.jwt",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /records/{record}/verification",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "POST /verify",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /portfolio.json",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "GET /portfolio.csv",
            args: none,
            may: SIGNED_IN,
        },
        // Cohorts.
        Row {
            what: "fn cohorts",
            args: none,
            may: LEADS,
        },
        Row {
            what: "fn cohort",
            args: |f, _| vec![("id".into(), f.cohort.to_string())],
            may: OWNER,
        },
        Row {
            what: "fn create-cohort",
            args: |_, who| {
                vec![
                    ("name".into(), format!("Cohort by {}", CALLERS[who])),
                    ("modules[beta]".into(), "beta".into()),
                ]
            },
            may: LEADS,
        },
        Row {
            what: "fn remove-member",
            args: |f, _| {
                vec![
                    ("cohort".into(), f.cohort.to_string()),
                    ("account".into(), f.other_learner.to_string()),
                ]
            },
            may: OWNER,
        },
        // The self-assessment: each person's own (they take no id: nobody can name another's).
        Row {
            what: "fn self-assessment",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn take-self-assessment",
            args: |_, _| pairs(&[("rating[demo:1.1]", "2")]),
            may: SIGNED_IN,
        },
        // A pathway's record: the caller's own (the pathway is named, never an account); nobody here has
        // completed the pathway, so an allowed claim is refused as incomplete (a conflict, not a refusal).
        Row {
            what: "fn claim-pathway-record",
            args: |_, _| pairs(&[("pathway", "starter")]),
            may: SIGNED_IN,
        },
        // VLE courses: the owning lead launched from the fixture's course as its teacher; its VLE has not
        // offered the roster, so an allowed sync stops there (a conflict, not a refusal).
        Row {
            what: "fn vle-courses",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn sync-vle-roster",
            args: |f, _| vec![("course".into(), f.vle_course.to_string())],
            may: OWNER,
        },
        Row {
            what: "fn join-cohort",
            args: |_, _| pairs(&[("code", "ZZZZZZZZ")]),
            may: SIGNED_IN,
        },
        Row {
            what: "fn my-cohorts",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn leave-cohort",
            args: |f, _| vec![("cohort_id".into(), f.cohort.to_string())],
            may: SIGNED_IN,
        },
        Row {
            what: "GET /cohorts/{cohort}/progress.csv",
            args: none,
            may: OWNER,
        },
        // Administration and learning data.
        Row {
            what: "fn outbox",
            args: none,
            may: ADMIN,
        },
        Row {
            what: "fn send-parked-again",
            args: none,
            may: ADMIN,
        },
        Row {
            what: "GET /xapi/statements",
            args: none,
            may: ADMIN,
        },
        // Authoring, on beta (owned by the owning course lead).
        Row {
            what: "fn authored-modules",
            args: none,
            may: LEADS,
        },
        Row {
            what: "fn create-module",
            args: |_, who| vec![("title".into(), format!("Module by {}", CALLERS[who]))],
            may: LEADS,
        },
        Row {
            what: "fn module-authoring",
            args: |_, _| pairs(&[("module", "beta")]),
            may: OWNER,
        },
        Row {
            what: "fn start-draft",
            args: |_, _| pairs(&[("module", "beta")]),
            may: OWNER,
        },
        Row {
            what: "fn lesson-editor",
            args: |_, _| pairs(&[("module", "beta"), ("file", "01-only.md")]),
            may: OWNER,
        },
        Row {
            what: "fn assessment-editor",
            args: |_, _| pairs(&[("module", "beta")]),
            may: OWNER,
        },
        Row {
            what: "fn draft-source",
            args: |_, _| pairs(&[("module", "beta"), ("file", "module.toml")]),
            may: OWNER,
        },
        Row {
            what: "fn preview-markdown",
            args: |_, _| pairs(&[("module", "beta"), ("body", "# Heading")]),
            may: LEADS,
        },
        Row {
            what: "fn save-module-settings",
            args: |_, _| pairs(&[("module", "beta")]),
            may: OWNER,
        },
        Row {
            what: "fn add-lesson",
            args: |_, who| {
                vec![
                    ("module".into(), "beta".into()),
                    ("lesson_title".into(), format!("Lesson by {}", CALLERS[who])),
                ]
            },
            may: OWNER,
        },
        Row {
            what: "fn save-lesson",
            args: |_, _| pairs(&[("module", "beta"), ("file", "01-only.md")]),
            may: OWNER,
        },
        Row {
            what: "fn save-assessment",
            args: |_, _| pairs(&[("module", "beta")]),
            may: OWNER,
        },
        Row {
            what: "fn save-draft-source",
            args: |_, _| {
                pairs(&[
                    ("module", "beta"),
                    ("file", "notes.md"),
                    ("text", "# Notes"),
                ])
            },
            may: OWNER,
        },
        Row {
            what: "fn delete-draft-file",
            args: |_, _| pairs(&[("module", "beta"), ("file", "notes.md")]),
            may: OWNER,
        },
        Row {
            what: "fn publish-draft",
            args: |_, _| pairs(&[("module", "beta")]),
            may: OWNER,
        },
        Row {
            what: "GET /author/beta/draft.zip",
            args: none,
            may: OWNER,
        },
        Row {
            what: "GET /author/beta/export.zip",
            args: none,
            may: OWNER,
        },
        Row {
            what: "fn discard-draft",
            args: |_, _| pairs(&[("module", "beta")]),
            may: OWNER,
        },
        Row {
            what: "fn set-module-owner",
            args: |f, _| {
                vec![
                    ("module".into(), "beta".into()),
                    ("owner_email".into(), f.owner_email.clone()),
                ]
            },
            may: ADMIN,
        },
        Row {
            what: "POST /author/import",
            args: none,
            may: LEADS,
        },
        // Accounts: the caller's own account only, so nobody can act on anyone else's.
        Row {
            what: "fn whoami",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "fn account-settings",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn change-name",
            args: |_, who| vec![("display_name".into(), format!("Renamed {}", CALLERS[who]))],
            may: SIGNED_IN,
        },
        Row {
            what: "fn change-password",
            args: |_, _| {
                pairs(&[
                    ("current_password", "not the password"),
                    ("new_password", "a new long passphrase"),
                ])
            },
            may: SIGNED_IN,
        },
        Row {
            what: "fn request-email-change",
            args: |_, _| {
                pairs(&[
                    ("new_email", "moved@example.org"),
                    ("email_password", "not the password"),
                ])
            },
            may: SIGNED_IN,
        },
        Row {
            what: "fn resend-verification",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn end-session",
            args: |_, _| pairs(&[("reference", "no-such-session")]),
            may: SIGNED_IN,
        },
        Row {
            what: "fn end-other-sessions",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "GET /account/data.zip",
            args: none,
            may: SIGNED_IN,
        },
        Row {
            what: "fn delete-account",
            args: |_, _| pairs(&[("delete_password", PASSWORD)]),
            may: SIGNED_IN,
        },
        // Signing in with an organisation: the provider list and both addresses are doors for anyone (the
        // fixture's provider cannot be reached, and a callback with no sign-in under way is refused as
        // expired: both answered, as to anyone, with a redirect to the sign-in page's notice).
        Row {
            what: "fn sign-in-providers",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /sign-in/sso/{provider}",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /sign-in/sso/{provider}/callback",
            args: none,
            may: PUBLIC,
        },
        // Registering and changing identity providers: admins only (a provider decides who signs in as whom).
        Row {
            what: "fn identity-providers",
            args: none,
            may: ADMIN,
        },
        Row {
            what: "fn register-identity-provider",
            args: |_, who| {
                vec![
                    ("slug".into(), format!("org-{who}")),
                    ("display_name".into(), format!("Organisation {who}")),
                    ("issuer".into(), "https://login.example.nhs.uk".into()),
                    ("client_id".into(), "academy".into()),
                    ("client_secret".into(), "secret".into()),
                    ("email_domains".into(), "example.nhs.uk".into()),
                ]
            },
            may: ADMIN,
        },
        Row {
            what: "fn lti-platforms",
            args: none,
            may: ADMIN,
        },
        Row {
            what: "fn register-lti-platform",
            args: |_, who| {
                vec![
                    ("name".into(), format!("VLE {who}")),
                    ("issuer".into(), format!("https://vle-{who}.example.ac.uk")),
                    ("client_id".into(), "academy".into()),
                    ("deployment_ids".into(), "1".into()),
                    (
                        "auth_login_url".into(),
                        "https://vle.example.ac.uk/auth".into(),
                    ),
                    ("token_url".into(), "https://vle.example.ac.uk/token".into()),
                    ("jwks_url".into(), "https://vle.example.ac.uk/jwks".into()),
                ]
            },
            may: ADMIN,
        },
        Row {
            what: "fn change-lti-platform",
            args: |_, _| pairs(&[("platform", "1"), ("enabled", "yes")]),
            may: ADMIN,
        },
        Row {
            what: "fn send-parked-scores-again",
            args: |_, _| pairs(&[("platform", "1")]),
            may: ADMIN,
        },
        // A VLE's login initiation, launch and the new window a framed launch opens: doors for anyone, each
        // checked on its own terms (a registered platform, a state bound to the browser, a signed token, a
        // single-use ticket); here they are answered as to anyone, with the reason a launch is refused.
        Row {
            what: "GET /lti/login",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "POST /lti/login",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "POST /lti/launch",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "POST /lti/launch/storage",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /lti/continue",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "POST /lti/continue",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /lti/jwks.json",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "GET /lti/config.json",
            args: none,
            may: PUBLIC,
        },
        // Deep Linking: the picker's form works by its single-use ticket from a checked request, never by who
        // is signed in (the teacher in the VLE need not have an academy sign-in in that browser).
        Row {
            what: "GET /lti/deep-link",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "POST /lti/deep-link",
            args: none,
            may: PUBLIC,
        },
        Row {
            what: "fn change-identity-provider",
            args: |_, _| pairs(&[("slug", "north"), ("enabled", "yes")]),
            may: ADMIN,
        },
        // Doors for people not signed in (anyone may knock; the answers say nothing about other accounts).
        Row {
            what: "fn register",
            args: |_, who| {
                vec![
                    ("email".into(), format!("newcomer-{who}@example.org")),
                    ("display_name".into(), "Newcomer".into()),
                    ("password".into(), PASSWORD.into()),
                ]
            },
            may: PUBLIC,
        },
        Row {
            what: "fn sign-in",
            args: |_, _| {
                pairs(&[
                    ("email", "learner@example.org"),
                    ("password", "not the password"),
                ])
            },
            may: PUBLIC,
        },
        Row {
            what: "fn request-password-reset",
            args: |_, _| pairs(&[("email", "learner@example.org")]),
            may: PUBLIC,
        },
        Row {
            what: "fn reset-password",
            args: |_, _| {
                pairs(&[
                    ("token", "not-a-token"),
                    ("new_password", "a new long passphrase"),
                ])
            },
            may: PUBLIC,
        },
        Row {
            what: "fn verify-email",
            args: |_, _| pairs(&[("token", "not-a-token")]),
            may: PUBLIC,
        },
        Row {
            what: "fn confirm-email-change",
            args: |_, _| pairs(&[("token", "not-a-token")]),
            may: PUBLIC,
        },
        Row {
            what: "fn sign-out",
            args: none,
            may: PUBLIC,
        },
    ]
}

/// The HTTP routes the server adds to the Leptos pages (`server::router`); each needs a row.
const ROUTES: &[&str] = &[
    "GET /.well-known/jwks.json",
    "GET /issuer",
    "GET /status/revocation",
    "GET /status/revocation/pathways",
    "GET /records/{record}/credential.json",
    "GET /records/{record}/credential.jwt",
    "GET /records/{record}/verification",
    "POST /verify",
    "GET /portfolio.json",
    "GET /portfolio.csv",
    "GET /cohorts/{cohort}/progress.csv",
    "GET /xapi/statements",
    "GET /author/beta/draft.zip",
    "GET /author/beta/export.zip",
    "POST /author/import",
    "GET /account/data.zip",
    "GET /modules/alpha/lessons/first/opened.gif",
    "GET /sign-in/sso/{provider}",
    "GET /sign-in/sso/{provider}/callback",
    "GET /lti/login",
    "POST /lti/login",
    "POST /lti/launch",
    "POST /lti/launch/storage",
    "GET /lti/continue",
    "POST /lti/continue",
    "GET /lti/jwks.json",
    "GET /lti/config.json",
    "GET /lti/deep-link",
    "POST /lti/deep-link",
];

/// How a call ended, as far as the owner rule is concerned.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Reached,
    Refused,
    NotFound,
}

fn server_fn_outcome(page: &Page) -> Result<Outcome, String> {
    if page.status.is_success() {
        return Ok(Outcome::Reached);
    }
    let error = serde_json::from_str::<AppError>(&page.body);
    if let Ok(error) = &error
        && page.status.as_u16() != error.status_code()
    {
        return Err(format!(
            "answered {} for {error:?}, which is a {}",
            page.status,
            error.status_code()
        ));
    }
    match error {
        Ok(AppError::SignInRequired | AppError::Forbidden) => Ok(Outcome::Refused),
        Ok(AppError::NotFound(_)) => Ok(Outcome::NotFound),
        Ok(AppError::Internal | AppError::Unavailable) => {
            Err(format!("failed on the server: {}", page.body))
        }
        Ok(_) => Ok(Outcome::Reached),
        Err(_) => Err(format!("answered {}: {}", page.status, page.body)),
    }
}

fn route_outcome(page: &Page, flash_refusal: bool) -> Result<Outcome, String> {
    let status = page.status.as_u16();
    if status >= 500 {
        return Err(format!("failed on the server ({status}): {}", page.body));
    }
    let to_sign_in = page
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/sign-in"));
    if matches!(status, 401 | 403) || to_sign_in || flash_refusal {
        Ok(Outcome::Refused)
    } else if status == 404 {
        Ok(Outcome::NotFound)
    } else {
        Ok(Outcome::Reached)
    }
}

async fn signed_in_browser(db: &DatabaseConnection, email: Option<&str>) -> Browser {
    let mut browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
    if let Some(email) = email {
        let page = browser
            .post_form(
                "/api/sign-in",
                "/sign-in",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            page.location.as_deref(),
            Some("/dashboard"),
            "{email} signs in"
        );
    }
    browser
}

/// A VLE course whose teacher is `teacher` (as a launch from it as instructor records), on a VLE that has
/// not offered its roster.
async fn taught_vle_course(db: &DatabaseConnection, teacher: i32) -> i32 {
    use app::ssr::entities::{lti_course, lti_course_teacher, lti_platform};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    app::ssr::services::lti::platforms::register(
        db,
        None,
        &app::ssr::services::lti::platforms::PlatformSettings {
            name: "Fixture VLE".into(),
            issuer: "https://fixture-vle.example.ac.uk".into(),
            client_id: "academy".into(),
            deployment_ids: "1".into(),
            auth_login_url: "https://fixture-vle.example.ac.uk/auth".into(),
            token_url: "https://fixture-vle.example.ac.uk/token".into(),
            jwks_url: "https://fixture-vle.example.ac.uk/jwks".into(),
        },
    )
    .await
    .expect("register a VLE");
    let platform = lti_platform::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("the VLE");
    let now = chrono::Utc::now();
    let course = lti_course::ActiveModel {
        platform_id: Set(platform.id),
        deployment_id: Set("1".into()),
        context_id: Set("course-1".into()),
        title: Set("Fixture course".into()),
        memberships_url: Set(None),
        cohort_id: Set(None),
        last_synced_at: Set(None),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a course");
    lti_course_teacher::ActiveModel {
        course_id: Set(course.id),
        account_id: Set(teacher),
        last_launch_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("its teacher");
    course.id
}

async fn fixture(db: &DatabaseConnection) -> (Fixture, Vec<Browser>) {
    let learn = Learning::new(db).await;
    let learner = academy_tests::account(db, "learner@example.org", Role::Learner).await;
    let other = academy_tests::account(db, "other@example.org", Role::Learner).await;
    let owner = academy_tests::account(db, "owner@example.org", Role::CourseLead).await;
    academy_tests::account(db, "stranger@example.org", Role::CourseLead).await;
    let admin = academy_tests::account(db, "admin@example.org", Role::Admin).await;
    // The first browser publishes the content; the others share the database.
    let mut browsers = vec![signed_in_browser(db, None).await];
    authoring::set_owner(db, &admin, "beta", &owner.email)
        .await
        .expect("beta belongs to the owning lead");
    let cohort_id = cohorts::create(db, &owner, "Owned", vec!["beta".into()], &HashMap::new())
        .await
        .expect("cohort");
    let code = cohort::Entity::find_by_id(cohort_id)
        .one(db)
        .await
        .expect("q")
        .expect("cohort")
        .join_code;
    cohorts::join(db, &learner, &code).await.expect("join");
    cohorts::join(db, &other, &code).await.expect("join");
    learning::complete_lesson(db, learn.context(), learner.id, "beta", "only")
        .await
        .expect("complete");
    // An organisation whose provider is not running (nothing listens on the discard port).
    providers::register(
        db,
        None,
        &providers::ProviderSettings {
            slug: "north".into(),
            display_name: "North Trust".into(),
            issuer: "http://127.0.0.1:9".into(),
            client_id: "academy".into(),
            client_secret: "secret".into(),
            email_domains: "north.nhs.uk".into(),
            ..Default::default()
        },
    )
    .await
    .expect("register a provider");
    let vle_course = taught_vle_course(db, owner.id).await;
    let issuer = academy_tests::test_issuer(db).await;
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    completion::complete_if_due(db, &issuer, &[], &[], learner.id, &beta)
        .await
        .expect("record");
    let record = completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(learner.id))
        .one(db)
        .await
        .expect("q")
        .expect("the learner's record")
        .id;
    for email in [
        "learner@example.org",
        "other@example.org",
        "owner@example.org",
        "stranger@example.org",
        "admin@example.org",
    ] {
        browsers.push(signed_in_browser(db, Some(email)).await);
    }
    (
        Fixture {
            record,
            cohort: cohort_id,
            vle_course,
            other_learner: other.id,
            owner_email: owner.email,
        },
        browsers,
    )
}

async fn call(
    browser: &mut Browser,
    row: &Row,
    fixture: &Fixture,
    who: usize,
) -> Result<Outcome, String> {
    let args = (row.args)(fixture, who);
    let fields: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if let Some(endpoint) = row.what.strip_prefix("fn ") {
        let page = browser
            .post_json_form(&format!("/api/{endpoint}"), &fields)
            .await;
        return server_fn_outcome(&page);
    }
    let (method, template) = row.what.split_once(' ').unwrap_or(("GET", row.what));
    let path = template
        .replace("{record}", &fixture.record)
        .replace("{cohort}", &fixture.cohort.to_string())
        .replace("{provider}", "north");
    match method {
        "GET" => {
            let download = browser.get_bytes(&path).await;
            let page = Page {
                status: download.status,
                location: None,
                body: String::from_utf8_lossy(&download.bytes).into_owned(),
                headers: http::HeaderMap::new(),
            };
            route_outcome(&page, false)
        }
        _ if path == "/author/import" => {
            let page = browser
                .post_multipart(&path, "/author", "archive", "not-a-zip.zip", b"not a zip")
                .await;
            let refused = browser
                .flash_value("import_error")
                .is_some_and(|m| m.contains("permission"));
            route_outcome(&page, refused)
        }
        _ => {
            let page = browser.post_body(&path, "{}").await;
            route_outcome(&page, false)
        }
    }
}

async fn every_server_function_and_route_enforces_its_owner_rule(db: &DatabaseConnection) {
    let table = rows();
    // Completeness: every registered server function and every route has exactly one row.
    let listed: BTreeSet<String> = table.iter().map(|r| r.what.to_owned()).collect();
    assert_eq!(listed.len(), table.len(), "a row appears twice");
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| format!("fn {}", path.trim_start_matches("/api/")))
        .collect();
    let missing: Vec<&String> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "server functions with no row in the table: {missing:?}"
    );
    for route in ROUTES {
        assert!(
            listed.contains(*route),
            "the route {route} has no row in the table"
        );
    }
    let unknown: Vec<&String> = listed
        .iter()
        .filter(|w| !registered.contains(*w) && !ROUTES.contains(&w.as_str()))
        .collect();
    assert!(unknown.is_empty(), "rows for nothing: {unknown:?}");

    let (fixture, mut browsers) = fixture(db).await;
    let mut wrong = Vec::new();
    for row in &table {
        for (who, browser) in browsers.iter_mut().enumerate() {
            let expected = match row.may[who] {
                Y => Outcome::Reached,
                N => Outcome::Refused,
            };
            match call(browser, row, &fixture, who).await {
                Ok(outcome) if outcome == expected || outcome == Outcome::NotFound => {}
                Ok(outcome) => wrong.push(format!(
                    "{} by {}: expected {expected:?}, got {outcome:?}",
                    row.what, CALLERS[who]
                )),
                Err(problem) => wrong.push(format!("{} by {}: {problem}", row.what, CALLERS[who])),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "cells that do not hold:\n{}",
        wrong.join("\n")
    );
}

on_both_databases!(every_server_function_and_route_enforces_its_owner_rule);
