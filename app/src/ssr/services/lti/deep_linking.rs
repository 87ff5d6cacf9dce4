//! Deep Linking 2.0 (1EdTech): a course lead in a VLE picks a module, a single lesson or a pathway from the
//! academy's catalogue, and the academy answers the VLE with a message signed by the tool's key that places
//! a link to it in their course (with a gradebook column for a module, where the VLE takes one).
//!
//! The request waits in `lti_deep_link` while they pick. The picker page, shown inside the VLE's frame where
//! the browser keeps the academy's cookies out, carries a single-use ticket instead of a session; nobody is
//! signed in to the academy by it, and the answer can only name pages of this site and go to the return
//! address the VLE's signed request gave.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, Header};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Deserialize;
use std::collections::HashMap;

use super::rosters::{self, CourseLaunch};
use super::tool_keys::ToolKey;
use super::{LaunchError, LaunchProblem, refused};
use crate::error::AppError;
use crate::ssr::content::Pathway;
use crate::ssr::entities::{lti_deep_link, lti_platform, module};

/// How long a course lead has to pick.
pub const PICKING_LIFETIME_SECONDS: i64 = 60 * 60;
/// How long the signed answer is good for at the VLE.
const ANSWER_LIFETIME_SECONDS: i64 = 5 * 60;
/// The address a VLE is given as the tool's deep linking (content selection) address.
pub const DEEP_LINKING_PATH: &str = "/lti/deep-link";
/// The `tag` of the gradebook columns the academy asks for, so it can find its own among a course's.
pub const LINE_ITEM_TAG: &str = "informatics-academy";

/// The request's `deep_linking_settings` claim.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct DeepLinkingSettings {
    deep_link_return_url: String,
    accept_types: Vec<String>,
    #[serde(default)]
    accept_multiple: Option<bool>,
    #[serde(default)]
    accept_lineitem: Option<bool>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    data: Option<String>,
}

/// What the picker page needs: its ticket, whether several items may be picked, and who may frame it.
#[derive(Debug, Clone)]
pub struct Picker {
    pub ticket: String,
    pub accept_multiple: bool,
    /// The VLE's title for the request (its placement), if it gave one.
    pub title: Option<String>,
    pub frame_origins: Vec<String>,
}

/// Whether the launch's roles may place content in a course: instructors (with teaching assistants and
/// other sub-roles), content developers and administrators. LTI 1.3 allows context roles by their simple
/// names too.
pub(super) fn may_place_content(roles: &[String]) -> bool {
    super::has_context_role(roles, "Instructor")
        || roles.iter().any(|role| {
            let simple = role.strip_prefix(super::MEMBERSHIP).unwrap_or(role);
            matches!(simple, "ContentDeveloper" | "Administrator")
                || role == "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
                || role == "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
        })
}

/// Keeps a checked Deep Linking request while the course lead picks, and returns the picker's ticket.
/// The course the request came from is remembered, so the modules picked become its cohort's.
pub(super) async fn start(
    db: &DatabaseConnection,
    platform: &lti_platform::Model,
    settings: Option<DeepLinkingSettings>,
    launched: &CourseLaunch<'_>,
    mut frame_origins: Vec<String>,
) -> Result<Picker, LaunchError> {
    let (deployment_id, roles) = (launched.deployment_id, launched.roles);
    if !may_place_content(roles) {
        return Err(refused(
            LaunchProblem::NotAnInstructor,
            format!(
                "a deep linking request from {} for roles {roles:?}",
                platform.issuer
            ),
        ));
    }
    let bad = |why: String| refused(LaunchProblem::TokenRefused, why);
    let settings = settings
        .ok_or_else(|| bad("a deep linking request with no deep_linking_settings".into()))?;
    if !settings.accept_types.iter().any(|t| t == "ltiResourceLink") {
        return Err(refused(
            LaunchProblem::UnsupportedMessage,
            format!(
                "the deep linking request accepts {:?}, not ltiResourceLink",
                settings.accept_types
            ),
        ));
    }
    let return_url = url::Url::parse(&settings.deep_link_return_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .filter(|_| settings.deep_link_return_url.len() <= 2048)
        .ok_or_else(|| {
            bad(format!(
                "deep_link_return_url {:?} is not a web address",
                settings
                    .deep_link_return_url
                    .chars()
                    .take(200)
                    .collect::<String>()
            ))
        })?;
    let return_origin = return_url.origin().ascii_serialization();
    if !frame_origins.contains(&return_origin) {
        frame_origins.push(return_origin);
    }
    let now = Utc::now();
    lti_deep_link::Entity::delete_many()
        .filter(
            lti_deep_link::Column::CreatedAt.lt(now - Duration::seconds(PICKING_LIFETIME_SECONDS)),
        )
        .exec(db)
        .await?;
    let course_id = rosters::remember_course(db, platform, launched, None).await?;
    let ticket = crate::ssr::secrets::random();
    lti_deep_link::ActiveModel {
        ticket_hash: Set(crate::ssr::secrets::digest(&ticket)),
        platform_id: Set(platform.id),
        deployment_id: Set(deployment_id.to_owned()),
        return_url: Set(settings.deep_link_return_url.clone()),
        data: Set(settings.data.clone()),
        accept_multiple: Set(settings.accept_multiple.unwrap_or(false)),
        accept_line_items: Set(settings.accept_lineitem.unwrap_or(true)),
        frame_origins: Set(frame_origins.join("\n")),
        course_id: Set(course_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(platform = %platform.issuer, "LTI deep linking request");
    Ok(Picker {
        ticket,
        accept_multiple: settings.accept_multiple.unwrap_or(false),
        title: settings.title.map(|t| t.chars().take(200).collect()),
        frame_origins,
    })
}

/// One lesson a course lead can place.
#[derive(Debug, Clone)]
pub struct LessonChoice {
    pub slug: String,
    pub title: String,
}

/// One module a course lead can place, with its lessons.
#[derive(Debug, Clone)]
pub struct ModuleChoice {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<LessonChoice>,
}

/// One pathway a course lead can place.
#[derive(Debug, Clone)]
pub struct PathwayChoice {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

/// Everything on offer: the published catalogue's modules in order, and the curriculum's pathways.
#[derive(Debug, Clone)]
pub struct Choices {
    pub modules: Vec<ModuleChoice>,
    pub pathways: Vec<PathwayChoice>,
}

/// The catalogue for the picker (two queries whatever its size).
pub async fn choices(db: &DatabaseConnection, pathways: &[Pathway]) -> Result<Choices, AppError> {
    let listed = module::Entity::find()
        .filter(module::Column::Listed.eq(true))
        .order_by_asc(module::Column::Position)
        .order_by_asc(module::Column::Slug)
        .all(db)
        .await?;
    let outlines = crate::ssr::services::catalogue::lesson_outlines(
        db,
        Some(listed.iter().map(|m| m.id).collect()),
    )
    .await?;
    let mut lessons: HashMap<i32, Vec<LessonChoice>> = HashMap::new();
    for outline in outlines {
        lessons
            .entry(outline.module_id)
            .or_default()
            .push(LessonChoice {
                slug: outline.slug,
                title: outline.title,
            });
    }
    let mut pathways: Vec<&Pathway> = pathways.iter().collect();
    pathways.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.slug.cmp(&b.slug)));
    Ok(Choices {
        modules: listed
            .into_iter()
            .map(|m| ModuleChoice {
                lessons: lessons.remove(&m.id).unwrap_or_default(),
                slug: m.slug,
                title: m.title,
                summary: m.summary,
            })
            .collect(),
        pathways: pathways
            .into_iter()
            .map(|p| PathwayChoice {
                slug: p.slug.clone(),
                title: p.title.clone(),
                summary: p.summary.clone(),
            })
            .collect(),
    })
}

/// Why a course lead's picks were not sent to the VLE.
#[derive(Debug, thiserror::Error)]
pub enum PickError {
    /// The ticket is unknown: used already, lapsed, or forged. Nothing can be sent; start again in the VLE.
    #[error("this content selection has expired or was already sent to your course")]
    Expired,
    /// The picks cannot be sent as they are; the picker is shown again with this message, and the request
    /// still waits.
    #[error("{0}")]
    Unacceptable(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sea_orm::DbErr> for PickError {
    fn from(error: sea_orm::DbErr) -> Self {
        PickError::App(error.into())
    }
}

/// The signed answer and where the browser posts it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The VLE's `deep_link_return_url`.
    pub return_url: String,
    /// The `JWT` form field.
    pub jwt: String,
    /// The sites allowed to frame the page that posts it.
    pub frame_origins: Vec<String>,
    /// How many items it places (none when the course lead cancelled).
    pub placed: usize,
}

/// The picker's ticket, for showing the picker again after a pick that cannot be sent.
pub async fn waiting(db: &DatabaseConnection, ticket: &str) -> Result<Picker, PickError> {
    let request = find_waiting(db, ticket).await?;
    Ok(Picker {
        ticket: ticket.to_owned(),
        accept_multiple: request.accept_multiple,
        title: None,
        frame_origins: origins(&request),
    })
}

async fn find_waiting<C: sea_orm::ConnectionTrait>(
    db: &C,
    ticket: &str,
) -> Result<lti_deep_link::Model, PickError> {
    let request = lti_deep_link::Entity::find()
        .filter(lti_deep_link::Column::TicketHash.eq(crate::ssr::secrets::digest(ticket)))
        .one(db)
        .await?
        .ok_or(PickError::Expired)?;
    if Utc::now() - request.created_at > Duration::seconds(PICKING_LIFETIME_SECONDS) {
        return Err(PickError::Expired);
    }
    Ok(request)
}

fn origins(request: &lti_deep_link::Model) -> Vec<String> {
    request.frame_origins.lines().map(str::to_owned).collect()
}

/// A picked item, as the picker's form names it: `module:<slug>`, `lesson:<module>/<lesson>` or
/// `pathway:<slug>`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pick<'a> {
    Module(&'a str),
    Lesson(&'a str, &'a str),
    Pathway(&'a str),
}

fn parse_pick(value: &str) -> Option<Pick<'_>> {
    let (kind, rest) = value.split_once(':')?;
    match kind {
        "module" => Some(Pick::Module(rest)),
        "lesson" => rest.split_once('/').map(|(m, l)| Pick::Lesson(m, l)),
        "pathway" => Some(Pick::Pathway(rest)),
        _ => None,
    }
}

/// The content item for one pick, checked against what is on offer now.
fn content_item(
    pick: &str,
    choices: &Choices,
    public_url: &url::Url,
    line_items: bool,
) -> Result<serde_json::Value, PickError> {
    let missing = || {
        PickError::Unacceptable(format!(
            "“{}” is not in the catalogue any more. Pick again.",
            pick.chars().take(120).collect::<String>()
        ))
    };
    let at = |path: String| {
        public_url
            .join(&path)
            .map(|u| u.to_string())
            .map_err(|_| missing())
    };
    match parse_pick(pick).ok_or_else(missing)? {
        Pick::Module(slug) => {
            let found = choices
                .modules
                .iter()
                .find(|m| m.slug == slug)
                .ok_or_else(missing)?;
            let mut item = serde_json::json!({
                "type": "ltiResourceLink",
                "title": found.title,
                "text": found.summary,
                "url": at(format!("/modules/{slug}"))?,
            });
            if line_items {
                // Completing or passing the module is what the VLE's column records (as a percentage).
                item["lineItem"] = serde_json::json!({
                    "scoreMaximum": 100,
                    "label": found.title,
                    "resourceId": format!("module:{slug}"),
                    "tag": LINE_ITEM_TAG,
                });
            }
            Ok(item)
        }
        Pick::Lesson(module_slug, lesson_slug) => {
            let module = choices
                .modules
                .iter()
                .find(|m| m.slug == module_slug)
                .ok_or_else(missing)?;
            let lesson = module
                .lessons
                .iter()
                .find(|l| l.slug == lesson_slug)
                .ok_or_else(missing)?;
            Ok(serde_json::json!({
                "type": "ltiResourceLink",
                "title": lesson.title,
                "text": format!("A lesson of {}", module.title),
                "url": at(format!("/modules/{module_slug}/lessons/{lesson_slug}"))?,
            }))
        }
        Pick::Pathway(slug) => {
            let found = choices
                .pathways
                .iter()
                .find(|p| p.slug == slug)
                .ok_or_else(missing)?;
            Ok(serde_json::json!({
                "type": "ltiResourceLink",
                "title": found.title,
                "text": found.summary,
                "url": at(format!("/pathways/{slug}"))?,
            }))
        }
    }
}

/// Sends the course lead's picks (none, to cancel) to the VLE: checks them against the catalogue and the
/// request, uses the request up, and signs the answer with the tool's key. A pick that cannot be sent leaves
/// the request waiting, so the course lead can pick again.
pub async fn answer(
    db: &DatabaseConnection,
    tool_key: &ToolKey,
    public_url: &url::Url,
    pathways: &[Pathway],
    ticket: &str,
    picks: &[String],
) -> Result<Answer, PickError> {
    let on_offer = choices(db, pathways).await?;
    let txn = db.begin().await?;
    let request = find_waiting(&txn, ticket).await?;
    if picks.len() > 1 && !request.accept_multiple {
        return Err(PickError::Unacceptable(
            "Your course takes one item from here at a time: pick one.".to_owned(),
        ));
    }
    if picks.len() > 50 {
        return Err(PickError::Unacceptable(
            "Pick at most 50 items at a time.".to_owned(),
        ));
    }
    let items = picks
        .iter()
        .map(|pick| content_item(pick, &on_offer, public_url, request.accept_line_items))
        .collect::<Result<Vec<_>, _>>()?;
    let platform = lti_platform::Entity::find_by_id(request.platform_id)
        .filter(lti_platform::Column::Enabled.eq(true))
        .one(&txn)
        .await?
        .ok_or(PickError::Expired)?;
    // Used once: whoever deletes the row sends the answer.
    let deleted = lti_deep_link::Entity::delete_by_id(request.id)
        .exec(&txn)
        .await?;
    if deleted.rows_affected != 1 {
        return Err(PickError::Expired);
    }
    let now = Utc::now().timestamp();
    let mut claims = serde_json::json!({
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + ANSWER_LIFETIME_SECONDS,
        "nonce": crate::ssr::secrets::random(),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": request.deployment_id,
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": items,
    });
    if let Some(data) = &request.data {
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = data.clone().into();
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(tool_key.kid.clone());
    let jwt = jsonwebtoken::encode(&header, &claims, &tool_key.encoding_key)
        .map_err(|e| crate::ssr::error::internal("signing a deep linking answer", e))?;
    if let Some(course_id) = request.course_id {
        let modules = picks.iter().filter_map(|pick| match parse_pick(pick) {
            Some(Pick::Module(slug) | Pick::Lesson(slug, _)) => Some(slug),
            _ => None,
        });
        rosters::place_modules(&txn, course_id, modules).await?;
    }
    crate::ssr::services::audit::record(
        &txn,
        None,
        "lti.content_placed",
        &format!("lti_platform:{}", platform.id),
        serde_json::json!({ "items": picks, "deployment_id": request.deployment_id }),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(platform = %platform.issuer, placed = picks.len(), "LTI deep linking answer");
    Ok(Answer {
        return_url: request.return_url.clone(),
        jwt,
        frame_origins: origins(&request),
        placed: picks.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructors_assistants_and_administrators_place_content_and_learners_do_not() {
        let roles = |r: &[&str]| r.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        for yes in [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
            "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
            "Instructor",
        ] {
            assert!(may_place_content(&roles(&[yes])), "{yes}");
        }
        for no in [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",
            "http://example.com/membership#Instructor",
        ] {
            assert!(!may_place_content(&roles(&[no])), "{no}");
        }
        assert!(!may_place_content(&[]));
    }

    #[test]
    fn picks_are_read_by_kind() {
        assert_eq!(parse_pick("module:prince2"), Some(Pick::Module("prince2")));
        assert_eq!(
            parse_pick("lesson:prince2/01-intro"),
            Some(Pick::Lesson("prince2", "01-intro"))
        );
        assert_eq!(parse_pick("pathway:ccio"), Some(Pick::Pathway("ccio")));
        assert_eq!(parse_pick("lesson:prince2"), None);
        assert_eq!(parse_pick("page:/admin"), None);
        assert_eq!(parse_pick("prince2"), None);
    }
}
