//! Deep Linking 2.0: the picker a course's teacher sees inside the VLE after an "add content" request
//! (`POST /lti/launch` with an `LtiDeepLinkingRequest` shows it), and `POST /lti/deep-link`, which signs
//! their picks and posts them back to the VLE.
//!
//! Both pages may be framed only by the requesting VLE's sites, and the answer's form may post only to the
//! VLE's return address (`form-action`); the one script, which posts it, is allowed by its hash.

use app::error::AppError;
use app::ssr::services::lti::deep_linking::{self, Choices, PickError, Picker};
use app::ssr::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Router, http::StatusCode};
use std::fmt::Write;

use crate::lti_pages::{Policy, escape, page, small_page};

/// Posts the signed answer as soon as the page loads; the button does the same without JavaScript.
const POST_ANSWER_SCRIPT: &str = "document.getElementById('deep-link-answer').submit();";

/// One input of the picker: a radio button, or a checkbox where the VLE takes several items.
fn choice(html: &mut String, picker: &Picker, n: &mut usize, value: &str, label: &str, hint: &str) {
    *n += 1;
    let kind = if picker.accept_multiple {
        "checkbox"
    } else {
        "radio"
    };
    let hint_id = format!("pick-{n}-hint");
    let described = if hint.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{hint_id}\"")
    };
    let _ = write!(
        html,
        "<div class=\"choice\"><input type=\"{kind}\" name=\"pick\" id=\"pick-{n}\" value=\"{}\"{described}> \
         <label for=\"pick-{n}\">{}</label>",
        escape(value),
        escape(label)
    );
    if !hint.is_empty() {
        let _ = write!(
            html,
            "<p class=\"choice__hint\" id=\"{hint_id}\">{}</p>",
            escape(hint)
        );
    }
    html.push_str("</div>");
}

/// The picker: the curriculum's pathways, then each module with its lessons (folded away).
pub(crate) fn picker_page(
    state: &AppState,
    picker: &Picker,
    choices: &Choices,
    problem: Option<&str>,
) -> Response {
    let mut body = String::new();
    if let Some(problem) = problem {
        let _ = write!(
            body,
            "<div class=\"error-summary\" role=\"alert\"><p>{}</p></div>",
            escape(problem)
        );
    }
    if let Some(title) = &picker.title {
        let _ = write!(body, "<p class=\"lead\">{}</p>", escape(title));
    }
    body.push_str(if picker.accept_multiple {
        "<p>Pick the pathways, modules or lessons to place in your course. Learners open them from the course \
         and are signed in to the academy by the VLE; a module's completion goes to the course's gradebook \
         where the VLE keeps one.</p>"
    } else {
        "<p>Pick a pathway, a module or a single lesson to place in your course. Learners open it from the \
         course and are signed in to the academy by the VLE; a module's completion goes to the course's \
         gradebook where the VLE keeps one.</p>"
    });
    let _ = write!(
        body,
        "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"ticket\" value=\"{}\">",
        deep_linking::DEEP_LINKING_PATH,
        escape(&picker.ticket)
    );
    let mut n = 0;
    if !choices.pathways.is_empty() {
        body.push_str("<fieldset><legend><h2>Pathways</h2></legend>");
        for pathway in &choices.pathways {
            choice(
                &mut body,
                picker,
                &mut n,
                &format!("pathway:{}", pathway.slug),
                &pathway.title,
                &pathway.summary,
            );
        }
        body.push_str("</fieldset>");
    }
    body.push_str("<fieldset><legend><h2>Modules and lessons</h2></legend>");
    if choices.modules.is_empty() {
        body.push_str("<p>No module is published yet.</p>");
    }
    for module in &choices.modules {
        choice(
            &mut body,
            picker,
            &mut n,
            &format!("module:{}", module.slug),
            &module.title,
            &module.summary,
        );
        if !module.lessons.is_empty() {
            let _ = write!(
                body,
                "<details class=\"choice__lessons\"><summary>A single lesson of {}</summary>",
                escape(&module.title)
            );
            for lesson in &module.lessons {
                choice(
                    &mut body,
                    picker,
                    &mut n,
                    &format!("lesson:{}/{}", module.slug, lesson.slug),
                    &lesson.title,
                    "",
                );
            }
            body.push_str("</details>");
        }
    }
    body.push_str(
        "</fieldset><p class=\"actions\"><button type=\"submit\" name=\"action\" value=\"place\" \
         class=\"button\">Add to course</button> <button type=\"submit\" name=\"action\" value=\"cancel\" \
         class=\"button button--secondary\">Cancel</button></p></form>",
    );
    page(
        state,
        StatusCode::OK,
        "Add academy content to your course",
        &body,
        &Policy {
            frame_origins: &picker.frame_origins,
            form_action: "'self'",
            script: None,
        },
    )
}

/// A ticket used, lapsed or forged: gone for good (410); nothing can be sent from it.
fn expired(state: &AppState) -> Response {
    page(
        state,
        StatusCode::GONE,
        "This content selection has expired",
        "<p>It was already sent to your course, or it waited more than an hour. Go back to your course and \
         choose to add academy content again.</p>",
        &Policy {
            frame_origins: &[],
            form_action: "'none'",
            script: None,
        },
    )
}

/// `POST /lti/deep-link`: the picker's form. Sends the picks (or nothing, to cancel) to the VLE, signed;
/// shows the picker again, with the reason, when they cannot be sent.
async fn place(State(state): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    let mut ticket = None;
    let mut picks = Vec::new();
    let mut cancel = false;
    for (name, value) in url::form_urlencoded::parse(&body) {
        match name.as_ref() {
            "ticket" => ticket = Some(value.into_owned()),
            "pick" => picks.push(value.into_owned()),
            "action" => cancel = value == "cancel",
            _ => {}
        }
    }
    let Some(ticket) = ticket else {
        let mut response = expired(&state);
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(response);
    };
    if cancel {
        picks.clear();
    } else if picks.is_empty() {
        return again(&state, &ticket, "Pick something to add, or cancel.").await;
    }
    match deep_linking::answer(
        &state.db,
        &state.lti_tool_key,
        &state.public_url,
        &state.pathways,
        &ticket,
        &picks,
    )
    .await
    {
        Ok(answer) => Ok(answer_page(&state, &answer)),
        Err(PickError::Expired) => Ok(expired(&state)),
        Err(PickError::Unacceptable(problem)) => again(&state, &ticket, &problem).await,
        Err(PickError::App(error)) => Err(error),
    }
}

/// The picker again, with what was wrong; the request still waits.
async fn again(state: &AppState, ticket: &str, problem: &str) -> Result<Response, AppError> {
    let picker = match deep_linking::waiting(&state.db, ticket).await {
        Ok(picker) => picker,
        Err(PickError::App(error)) => return Err(error),
        Err(_) => return Ok(expired(state)),
    };
    let choices = deep_linking::choices(&state.db, &state.pathways).await?;
    let mut response = picker_page(state, &picker, &choices, Some(problem));
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// Posts the signed answer to the VLE's return address: at once with JavaScript, by the button without.
fn answer_page(state: &AppState, answer: &deep_linking::Answer) -> Response {
    let return_origin = url::Url::parse(&answer.return_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| "'none'".to_owned());
    let what = match answer.placed {
        0 => "Nothing was added. Returning to your course…".to_owned(),
        1 => "Adding it to your course…".to_owned(),
        n => format!("Adding {n} items to your course…"),
    };
    let body = format!(
        "<p role=\"status\">{what}</p><form method=\"post\" action=\"{}\" id=\"deep-link-answer\">\
         <input type=\"hidden\" name=\"JWT\" value=\"{}\"><button type=\"submit\" class=\"button\">Return to \
         your course</button></form>",
        escape(&answer.return_url),
        escape(&answer.jwt)
    );
    page(
        state,
        StatusCode::OK,
        "Returning to your course",
        &body,
        &Policy {
            frame_origins: &answer.frame_origins,
            form_action: &return_origin,
            script: Some(POST_ANSWER_SCRIPT),
        },
    )
}

/// `GET /lti/deep-link`: the address VLEs are given for content selection, opened directly.
async fn about() -> Response {
    small_page(
        StatusCode::OK,
        "Adding academy content to a course",
        "<p>This is Informatics Academy's content selection address for VLEs. To add a module, a lesson or a \
         pathway to a course, use your VLE's \u{201c}add activity\u{201d} or \u{201c}external tool\u{201d} \
         option in the course, and pick Informatics Academy.</p>",
        "'none'",
    )
}

/// The routes, merged into the main router. `POST /lti/deep-link` comes from the picker page on this site,
/// so the cross-site check applies to it as to any form.
pub fn routes() -> Router<AppState> {
    Router::new().route(deep_linking::DEEP_LINKING_PATH, get(about).post(place))
}
