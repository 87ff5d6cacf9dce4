//! Names and Role Provisioning Services 2.0 (1EdTech): a VLE course's roster becomes an academy cohort, so
//! a university module's teachers see their students' progress on the cohort dashboard.
//!
//! Launches from a course remember it (its `context`, and the roster address its `namesroleservice` claim
//! gives), the modules placed in it, and who launched as its teacher. A teacher (or an admin) syncs the
//! roster: the academy reads every page of the course's memberships with an access token for the
//! membership scope, then in one transaction makes the course's cohort if it has none (taking the course's
//! modules), adds its active learners as members and its active instructors as leads (making accounts,
//! linked by the VLE's user id, for those who have not launched yet), and removes those a previous sync
//! added who are no longer active in the course. Members who joined by code, and the cohort's owner, are
//! never removed by a sync.
//!
//! Leads from a roster lead that cohort only: the VLE's roles give no rights elsewhere in the academy.

use chrono::Utc;
use sea_orm::sea_query::LockType;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap, HashSet};

use super::grades::is_learner;
use super::linked_accounts::{self, PersonNames};
use super::service_access::{ServiceAccess, answer_text, capped_text};
use super::tool_keys::ToolKey;
use crate::error::AppError;
use crate::model::accounts::Role;
use crate::model::lti::{RosterSyncReport, VleCourseCohort, VleCourseView};
use crate::ssr::entities::{
    account, cohort, cohort_lead, cohort_member, cohort_module, lti_account, lti_course,
    lti_course_module, lti_course_teacher, lti_erased_subject, lti_platform, module,
};
use crate::ssr::services::{audit, cohorts, progress};

/// The scope that lets the tool read a course's memberships.
pub const MEMBERSHIP_SCOPE: &str =
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
/// What the roster is asked for as.
const MEMBERSHIP_MEDIA_TYPE: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";
/// The most of one roster page read.
const PAGE_CAP: usize = 4 * 1024 * 1024;
/// The most pages followed, and the most people taken: a roster beyond them is refused, not cut short
/// (a cut roster would remove the members it did not reach).
const MOST_PAGES: usize = 200;
const MOST_MEMBERS: usize = 20_000;
/// The longest identifier or title kept.
const ID_LENGTH: usize = 255;

/// The launch's `context` claim: the course it came from.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Context {
    id: String,
    label: Option<String>,
    title: Option<String>,
}

/// The launch's Names and Role Provisioning claim: where the course's roster is read.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct NamesRoleService {
    context_memberships_url: String,
    #[serde(default)]
    service_versions: Vec<String>,
}

impl Context {
    /// The claim, if it is one: a malformed claim is ignored (logged), never a reason to refuse a launch.
    pub(super) fn read(claim: Option<&serde_json::Value>) -> Option<Context> {
        let claim = claim?;
        serde_json::from_value(claim.clone())
            .inspect_err(|e| tracing::info!(error = %e, "a launch's context claim was ignored"))
            .ok()
    }
}

impl NamesRoleService {
    /// The claim, if it is one (a malformed one is ignored, as for [`Context::read`]).
    pub(super) fn read(claim: Option<&serde_json::Value>) -> Option<NamesRoleService> {
        let claim = claim?;
        serde_json::from_value(claim.clone())
            .inspect_err(|e| tracing::info!(error = %e, "a launch's roster claim was ignored"))
            .ok()
    }
}

/// A launch from a course, as the roster sync needs it.
pub(super) struct CourseLaunch<'a> {
    pub deployment_id: &'a str,
    pub context: Option<&'a Context>,
    pub roster: Option<&'a NamesRoleService>,
    pub roles: &'a [String],
    /// The module the launch's page belongs to, if any.
    pub module_slug: Option<&'a str>,
}

/// Whether the roles are a course's instructor's (or a sub-role: teaching assistant, grader), by the full
/// or simple name LTI 1.3 allows: they lead the course's cohort and may sync its roster.
pub(super) fn teaches(roles: &[String]) -> bool {
    super::has_context_role(roles, "Instructor")
}

/// The module a page of this site belongs to: `/modules/<slug>` and its lessons.
pub(super) fn module_of_page(target_path: &str) -> Option<&str> {
    let path = target_path.split('?').next().unwrap_or_default();
    let slug = path
        .strip_prefix("/modules/")?
        .split('/')
        .next()
        .unwrap_or_default();
    (!slug.is_empty()).then_some(slug)
}

fn clipped(text: &str) -> String {
    text.trim().chars().take(ID_LENGTH).collect()
}

/// Remembers the course a launch came from, inside the launch's transaction: its title and roster address,
/// the module placed, and `teacher` (the account launching, when their roles teach the course). Answers the
/// course's id, or `None` for a launch that names no course.
pub(super) async fn remember_course<C: ConnectionTrait>(
    txn: &C,
    platform: &lti_platform::Model,
    launched: &CourseLaunch<'_>,
    teacher: Option<i32>,
) -> Result<Option<i32>, AppError> {
    // An identifier that does not fit is not cut (two courses could become one): the course is not kept.
    let Some(context) = launched
        .context
        .filter(|c| !c.id.trim().is_empty() && c.id.len() <= ID_LENGTH)
    else {
        return Ok(None);
    };
    let context_id = context.id.clone();
    let title = context
        .title
        .as_deref()
        .or(context.label.as_deref())
        .map(clipped)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("{} course {}", platform.name, clipped(&context_id)));
    let roster = launched
        .roster
        .filter(|r| r.service_versions.is_empty() || r.service_versions.iter().any(|v| v == "2.0"))
        .and_then(|r| url::Url::parse(&r.context_memberships_url).ok())
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.as_str().len() <= 2048)
        .map(String::from);
    let now = Utc::now();
    let find = || {
        lti_course::Entity::find()
            .filter(lti_course::Column::PlatformId.eq(platform.id))
            .filter(lti_course::Column::DeploymentId.eq(launched.deployment_id))
            .filter(lti_course::Column::ContextId.eq(&context_id))
    };
    // Read first: a class's launches at the start of a lecture write nothing when nothing changed (a write
    // would queue them on the course's row).
    let course_id = match find().one(txn).await? {
        Some(known) => {
            let new_roster = roster.is_some() && known.memberships_url != roster;
            if known.title != title || new_roster {
                let mut update = lti_course::Entity::update_many()
                    .col_expr(lti_course::Column::Title, Expr::value(title))
                    .col_expr(lti_course::Column::UpdatedAt, Expr::value(now));
                // A launch without the roster claim keeps the address an earlier one gave.
                if new_roster {
                    update =
                        update.col_expr(lti_course::Column::MembershipsUrl, Expr::value(roster));
                }
                update
                    .filter(lti_course::Column::Id.eq(known.id))
                    .exec(txn)
                    .await?;
            }
            known.id
        }
        None => {
            lti_course::Entity::insert(lti_course::ActiveModel {
                platform_id: Set(platform.id),
                deployment_id: Set(launched.deployment_id.to_owned()),
                context_id: Set(context_id.clone()),
                title: Set(title),
                memberships_url: Set(roster),
                cohort_id: Set(None),
                last_synced_at: Set(None),
                updated_at: Set(now),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::columns([
                    lti_course::Column::PlatformId,
                    lti_course::Column::DeploymentId,
                    lti_course::Column::ContextId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
            find()
                .one(txn)
                .await?
                .ok_or_else(|| {
                    crate::ssr::error::internal("remembering a VLE course", "the row just written")
                })?
                .id
        }
    };
    if let Some(slug) = launched.module_slug {
        place_modules(txn, course_id, [slug]).await?;
    }
    if let Some(account_id) = teacher.filter(|_| teaches(launched.roles)) {
        lti_course_teacher::Entity::insert(lti_course_teacher::ActiveModel {
            course_id: Set(course_id),
            account_id: Set(account_id),
            last_launch_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                lti_course_teacher::Column::CourseId,
                lti_course_teacher::Column::AccountId,
            ])
            .update_column(lti_course_teacher::Column::LastLaunchAt)
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(Some(course_id))
}

/// Remembers modules placed in a course (a launch into one, or a teacher's Deep Linking picks).
pub(super) async fn place_modules<'a, C: ConnectionTrait>(
    txn: &C,
    course_id: i32,
    slugs: impl IntoIterator<Item = &'a str>,
) -> Result<(), AppError> {
    let rows: Vec<lti_course_module::ActiveModel> = slugs
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|slug| lti_course_module::ActiveModel {
            course_id: Set(course_id),
            module_slug: Set(clipped(slug)),
            ..Default::default()
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    lti_course_module::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                lti_course_module::Column::CourseId,
                lti_course_module::Column::ModuleSlug,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// A course the actor may sync: one they launched from as its teacher, or any for an admin.
async fn taught<C: ConnectionTrait>(
    db: &C,
    actor: &account::Model,
    course_id: i32,
) -> Result<lti_course::Model, AppError> {
    let course = lti_course::Entity::find_by_id(course_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("That VLE course".to_owned()))?;
    if actor.role == Role::Admin {
        return Ok(course);
    }
    let teaches = lti_course_teacher::Entity::find()
        .filter(lti_course_teacher::Column::CourseId.eq(course.id))
        .filter(lti_course_teacher::Column::AccountId.eq(actor.id))
        .one(db)
        .await?
        .is_some();
    if teaches {
        Ok(course)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The VLE courses the actor launched from as a teacher (every one, for an admin), newest first; a fixed
/// number of queries however many.
pub async fn courses_for(
    db: &DatabaseConnection,
    actor: &account::Model,
) -> Result<Vec<VleCourseView>, AppError> {
    let mut query = lti_course::Entity::find().order_by_desc(lti_course::Column::UpdatedAt);
    if actor.role != Role::Admin {
        let taught: Vec<i32> = lti_course_teacher::Entity::find()
            .select_only()
            .column(lti_course_teacher::Column::CourseId)
            .filter(lti_course_teacher::Column::AccountId.eq(actor.id))
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(lti_course::Column::Id.is_in(taught));
    }
    let courses = query.all(db).await?;
    let ids: Vec<i32> = courses.iter().map(|c| c.id).collect();
    let platforms: HashMap<i32, String> = lti_platform::Entity::find()
        .filter(lti_platform::Column::Id.is_in(courses.iter().map(|c| c.platform_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut placed: HashMap<i32, Vec<String>> = HashMap::new();
    let rows = lti_course_module::Entity::find()
        .filter(lti_course_module::Column::CourseId.is_in(ids))
        .order_by_asc(lti_course_module::Column::Id)
        .all(db)
        .await?;
    let titles: HashMap<String, String> = module::Entity::find()
        .filter(module::Column::Slug.is_in(rows.iter().map(|r| r.module_slug.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.slug, m.title))
        .collect();
    for row in rows {
        if let Some(title) = titles.get(&row.module_slug) {
            placed.entry(row.course_id).or_default().push(title.clone());
        }
    }
    let cohort_ids: Vec<i32> = courses.iter().filter_map(|c| c.cohort_id).collect();
    let cohort_names: HashMap<i32, String> = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(cohort_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let members: Vec<i32> = cohort_member::Entity::find()
        .select_only()
        .column(cohort_member::Column::CohortId)
        .filter(cohort_member::Column::CohortId.is_in(cohort_ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(courses
        .into_iter()
        .map(|c| VleCourseView {
            id: c.id,
            vle: platforms.get(&c.platform_id).cloned().unwrap_or_default(),
            roster_offered: c.memberships_url.is_some(),
            modules: placed.remove(&c.id).unwrap_or_default(),
            cohort: c.cohort_id.and_then(|id| {
                cohort_names.get(&id).map(|name| VleCourseCohort {
                    id,
                    name: name.clone(),
                    members: u32::try_from(members.iter().filter(|&&m| m == id).count())
                        .unwrap_or(u32::MAX),
                })
            }),
            last_synced_at: c
                .last_synced_at
                .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            title: c.title,
        })
        .collect())
}

/// One person in a roster page (NRPS 2.0 membership container).
#[derive(Debug, Clone, Deserialize)]
struct Member {
    user_id: String,
    #[serde(default)]
    roles: Vec<String>,
    /// `Active` when absent; `Inactive` and `Deleted` people are not in the cohort.
    status: Option<String>,
    name: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
}

impl Member {
    fn active(&self) -> bool {
        // `Active`, or the full IRI some platforms send (`…/status#Active`).
        self.status.as_deref().is_none_or(|s| {
            s.rsplit('#')
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case("active"))
        })
    }
}

/// One roster page.
#[derive(Debug, Deserialize)]
struct MembershipContainer {
    context: Option<ContainerContext>,
    #[serde(default)]
    members: Vec<Member>,
}

#[derive(Debug, Deserialize)]
struct ContainerContext {
    id: String,
}

/// Why a roster could not be read: the teacher sees a fixed sentence, the log the detail.
#[derive(Debug)]
enum RosterProblem {
    /// The VLE did not give an access token for the membership scope.
    NoAccess(String),
    /// The roster could not be reached, or answered an error.
    Unreadable(String),
    /// The answer is not a roster of this course, or is larger than the academy takes.
    Malformed(String),
}

impl RosterProblem {
    fn into_error(self, vle: &str) -> AppError {
        let (message, detail) = match self {
            RosterProblem::NoAccess(detail) => (
                format!(
                    "{vle} did not let the academy read the course's roster. Ask your VLE administrator to \
                     allow the tool's Names and Role Provisioning service, then try again."
                ),
                detail,
            ),
            RosterProblem::Unreadable(detail) => (
                format!(
                    "{vle} did not answer with the course's roster. Try again in a few minutes; if it keeps \
                     happening, tell your VLE administrator."
                ),
                detail,
            ),
            RosterProblem::Malformed(detail) => (
                format!(
                    "{vle} answered with something the academy could not take as the course's roster. Tell \
                     your VLE administrator; nothing in the cohort was changed."
                ),
                detail,
            ),
        };
        tracing::warn!(vle, %detail, "a VLE course's roster could not be read");
        AppError::Conflict(message)
    }
}

/// The address a `Link` header names as `rel="next"`, resolved against the page it came with.
fn next_page(headers: &reqwest::header::HeaderMap, page: &url::Url) -> Option<url::Url> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(link_values)
        .find(|(_, rels)| {
            rels.split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("next"))
        })
        .and_then(|(target, _)| page.join(&target).ok())
}

/// The `<target>; rel=...` pairs of one `Link` header value (RFC 8288): the target, and its `rel`.
fn link_values(value: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|c| open + c) else {
            break;
        };
        let target = rest[open + 1..close].trim().to_owned();
        let after = &rest[close + 1..];
        let params_end = after.find('<').unwrap_or(after.len());
        let rel = after[..params_end]
            .split(';')
            .filter_map(|param| param.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("rel"))
            .map(|(_, v)| {
                v.trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .to_owned()
            })
            .unwrap_or_default();
        found.push((target, rel));
        rest = &after[params_end..];
    }
    found
}

/// Reads every page of the course's roster.
async fn read_roster(
    access: &ServiceAccess,
    platform: &lti_platform::Model,
    tool_key: &ToolKey,
    course: &lti_course::Model,
    address: &str,
) -> Result<Vec<Member>, RosterProblem> {
    let first = url::Url::parse(address)
        .map_err(|e| RosterProblem::Malformed(format!("the roster address {address}: {e}")))?;
    let token = access
        .token(platform, tool_key, MEMBERSHIP_SCOPE)
        .await
        .map_err(RosterProblem::NoAccess)?;
    let origin = first.origin();
    let mut members = Vec::new();
    let mut next = Some(first);
    let mut seen = HashSet::new();
    while let Some(page) = next.take() {
        if !seen.insert(page.to_string()) {
            return Err(RosterProblem::Malformed(format!(
                "the roster's pages lead back to {page}"
            )));
        }
        if seen.len() > MOST_PAGES {
            return Err(RosterProblem::Malformed(format!(
                "the roster runs to more than {MOST_PAGES} pages"
            )));
        }
        if page.origin() != origin {
            return Err(RosterProblem::Malformed(format!(
                "the roster's next page {page} is on another site"
            )));
        }
        access
            .allowed(&page)
            .map_err(|why| RosterProblem::Malformed(format!("the roster address {why}")))?;
        let answer = access
            .client()
            .get(page.clone())
            .bearer_auth(&token)
            .header(reqwest::header::ACCEPT, MEMBERSHIP_MEDIA_TYPE)
            .send()
            .await
            .map_err(|e| RosterProblem::Unreadable(format!("{page} could not be reached: {e}")))?;
        let status = answer.status();
        next = next_page(answer.headers(), &page);
        let body = capped_text(answer, PAGE_CAP)
            .await
            .map_err(RosterProblem::Malformed)?;
        if status == reqwest::StatusCode::UNAUTHORIZED {
            access.forget_tokens(platform.id);
        }
        if !status.is_success() {
            let why = format!("the roster {page} {}", answer_text(status, &body));
            return Err(if matches!(status.as_u16(), 401 | 403) {
                RosterProblem::NoAccess(why)
            } else {
                RosterProblem::Unreadable(why)
            });
        }
        let container: MembershipContainer = serde_json::from_str(&body).map_err(|e| {
            RosterProblem::Malformed(format!(
                "the roster page {page} is not a membership container: {e}"
            ))
        })?;
        if let Some(context) = &container.context
            && clipped(&context.id) != course.context_id
        {
            return Err(RosterProblem::Malformed(format!(
                "the roster at {page} is for course {:?}, not {:?}",
                context.id, course.context_id
            )));
        }
        members.extend(container.members);
        if members.len() > MOST_MEMBERS {
            return Err(RosterProblem::Malformed(format!(
                "the roster has more than {MOST_MEMBERS} people"
            )));
        }
    }
    Ok(members)
}

/// The listed modules placed in the course, which its cohort takes.
async fn course_modules<C: ConnectionTrait>(
    db: &C,
    course_id: i32,
) -> Result<Vec<module::Model>, AppError> {
    let slugs: Vec<String> = lti_course_module::Entity::find()
        .select_only()
        .column(lti_course_module::Column::ModuleSlug)
        .filter(lti_course_module::Column::CourseId.eq(course_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(module::Entity::find()
        .filter(module::Column::Slug.is_in(slugs))
        .filter(module::Column::Listed.eq(true))
        .order_by_asc(module::Column::Id)
        .all(db)
        .await?)
}

/// How long reading a whole roster may take, however many pages it has.
const ROSTER_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);
/// Rows written per statement (a roster's thousands of members stay inside SQLite's and PostgreSQL's
/// limits on a statement's parameters).
const BATCH: usize = 500;
/// Accounts made per transaction for people who have not launched yet, so a large roster never holds the
/// database's writer for long.
const ACCOUNTS_PER_TRANSACTION: usize = 100;

/// Syncs a VLE course's roster into its cohort (made on the first sync): one request to the VLE per roster
/// page, accounts made for newcomers a hundred at a time, then one transaction for the cohort. Only the
/// course's teachers (who launched from it as instructors and whom the roster still lists as instructors)
/// and admins may.
pub async fn sync(
    db: &DatabaseConnection,
    access: &ServiceAccess,
    tool_key: &ToolKey,
    actor: &account::Model,
    course_id: i32,
) -> Result<RosterSyncReport, AppError> {
    let course = taught(db, actor, course_id).await?;
    let platform = lti_platform::Entity::find_by_id(course.platform_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("That VLE course's VLE".to_owned()))?;
    if !platform.enabled {
        return Err(AppError::Conflict(format!(
            "{} is turned off in the academy, so its courses cannot be synced. Ask the academy's admin.",
            platform.name
        )));
    }
    let Some(address) = course.memberships_url.clone() else {
        return Err(AppError::Conflict(format!(
            "{} has not offered this course's roster to the academy. Ask your VLE administrator to allow the \
             tool's Names and Role Provisioning service, then open an academy activity from the course and \
             try again.",
            platform.name
        )));
    };
    if course.cohort_id.is_none() && course_modules(db, course.id).await?.is_empty() {
        return Err(AppError::Conflict(NO_MODULE.to_owned()));
    }
    let roster = tokio::time::timeout(
        ROSTER_DEADLINE,
        read_roster(access, &platform, tool_key, &course, &address),
    )
    .await
    .unwrap_or_else(|_| {
        Err(RosterProblem::Unreadable(format!(
            "the roster took longer than {} seconds to read",
            ROSTER_DEADLINE.as_secs()
        )))
    })
    .map_err(|problem| problem.into_error(&platform.name))?;
    let people = people(&roster);
    if actor.role != Role::Admin && !still_teaches(db, &platform, actor, &people).await? {
        // Their course role ended: so does their right to sync it.
        lti_course_teacher::Entity::delete_many()
            .filter(lti_course_teacher::Column::CourseId.eq(course.id))
            .filter(lti_course_teacher::Column::AccountId.eq(actor.id))
            .exec(db)
            .await?;
        return Err(AppError::Forbidden);
    }
    if people.learners.is_empty() && has_roster_members(db, &course).await? {
        return Err(AppError::Conflict(format!(
            "{}'s roster lists no active learners in the course, so nothing was changed. If the course really \
             has none now, remove its learners from the cohort yourself.",
            platform.name
        )));
    }
    let accounts = accounts_of(db, &platform, &people).await?;
    let txn = db.begin().await?;
    let applied = apply_roster(&txn, &course, actor, &people, &accounts.ids).await?;
    let report = RosterSyncReport {
        accounts_made: count(accounts.made),
        ..applied.report
    };
    audit::record(
        &txn,
        Some(actor.id),
        "cohort.roster_synced",
        &format!("cohort:{}", report.cohort_id),
        serde_json::json!({
            "lti_course": course.id,
            "learners": report.learners,
            "leads": report.leads,
            "added": report.added,
            "removed": report.removed,
            "accounts_made": report.accounts_made,
            "erased_not_added": accounts.erased,
            "leads_added": applied.leads_added,
            "leads_removed": applied.leads_removed,
        }),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        course = course.id,
        cohort = report.cohort_id,
        learners = report.learners,
        "VLE roster synced"
    );
    Ok(report)
}

const NO_MODULE: &str = "Place an academy module in the course first (add it as an activity, then open it \
                         once): the cohort takes the course's modules.";

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether the roster lists the actor (by their link to this VLE) as one of the course's active instructors.
async fn still_teaches(
    db: &DatabaseConnection,
    platform: &lti_platform::Model,
    actor: &account::Model,
    people: &People<'_>,
) -> Result<bool, AppError> {
    let subjects: Vec<String> = lti_account::Entity::find()
        .select_only()
        .column(lti_account::Column::Subject)
        .filter(lti_account::Column::PlatformId.eq(platform.id))
        .filter(lti_account::Column::AccountId.eq(actor.id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(people
        .leads
        .iter()
        .any(|lead| subjects.iter().any(|s| s == lead.user_id.trim())))
}

/// Whether a sync of this course has added members to its cohort (whom an empty roster would remove).
async fn has_roster_members(
    db: &DatabaseConnection,
    course: &lti_course::Model,
) -> Result<bool, AppError> {
    let Some(cohort_id) = course.cohort_id else {
        return Ok(false);
    };
    Ok(cohort_member::Entity::find()
        .filter(cohort_member::Column::CohortId.eq(cohort_id))
        .filter(cohort_member::Column::FromCourseId.eq(course.id))
        .one(db)
        .await?
        .is_some())
}

/// The roster's active people, by role: instructors lead (whatever else they are), learners are members.
/// Someone listed twice counts once, with the roles of every listing.
struct People<'a> {
    leads: Vec<&'a Member>,
    learners: Vec<&'a Member>,
}

fn people(roster: &[Member]) -> People<'_> {
    let mut roles: HashMap<&str, Vec<String>> = HashMap::new();
    let mut first: Vec<&Member> = Vec::new();
    for member in roster {
        let id = member.user_id.trim();
        if id.is_empty() || id.len() > ID_LENGTH || !member.active() {
            continue;
        }
        match roles.get_mut(id) {
            Some(known) => known.extend(member.roles.iter().cloned()),
            None => {
                roles.insert(id, member.roles.clone());
                first.push(member);
            }
        }
    }
    let mut leads = Vec::new();
    let mut learners = Vec::new();
    for member in first {
        let all = &roles[member.user_id.trim()];
        if teaches(all) {
            leads.push(member);
        } else if is_learner(all) {
            learners.push(member);
        }
    }
    People { leads, learners }
}

/// The roster's people's accounts.
struct RosterAccounts {
    /// Account by the VLE's user id.
    ids: HashMap<String, i32>,
    /// Accounts made for people who had not launched yet.
    made: usize,
    /// People who erased their academy account: left out.
    erased: usize,
}

/// The academy accounts of the roster's people, by the VLE's user id: linked ones found (a batch at a time),
/// those who erased theirs left out, and the others made, a hundred to a transaction.
async fn accounts_of(
    db: &DatabaseConnection,
    platform: &lti_platform::Model,
    people: &People<'_>,
) -> Result<RosterAccounts, AppError> {
    let everyone: Vec<&Member> = people
        .leads
        .iter()
        .chain(&people.learners)
        .copied()
        .collect();
    let mut ids = HashMap::new();
    for batch in everyone.chunks(BATCH) {
        let linked = lti_account::Entity::find()
            .filter(lti_account::Column::PlatformId.eq(platform.id))
            .filter(
                lti_account::Column::Subject
                    .is_in(batch.iter().map(|m| m.user_id.trim().to_owned())),
            )
            .all(db)
            .await?;
        ids.extend(linked.into_iter().map(|l| (l.subject, l.account_id)));
    }
    let unknown: Vec<&Member> = everyone
        .into_iter()
        .filter(|m| !ids.contains_key(m.user_id.trim()))
        .collect();
    let mut erased: HashSet<String> = HashSet::new();
    for batch in unknown.chunks(BATCH) {
        let digests: Vec<String> = batch
            .iter()
            .map(|m| crate::ssr::secrets::digest(m.user_id.trim()))
            .collect();
        erased.extend(
            lti_erased_subject::Entity::find()
                .select_only()
                .column(lti_erased_subject::Column::SubjectDigest)
                .filter(lti_erased_subject::Column::PlatformId.eq(platform.id))
                .filter(lti_erased_subject::Column::SubjectDigest.is_in(digests))
                .into_tuple::<String>()
                .all(db)
                .await?,
        );
    }
    let newcomers: Vec<&Member> = unknown
        .into_iter()
        .filter(|m| !erased.contains(&crate::ssr::secrets::digest(m.user_id.trim())))
        .collect();
    let now = Utc::now();
    for batch in newcomers.chunks(ACCOUNTS_PER_TRANSACTION) {
        let txn = db.begin().await?;
        for member in batch {
            let subject = member.user_id.trim();
            let (account, _) = linked_accounts::create(
                &txn,
                platform,
                subject,
                &PersonNames {
                    name: member.name.as_deref(),
                    given_name: member.given_name.as_deref(),
                    family_name: member.family_name.as_deref(),
                },
                now,
                "roster",
            )
            .await?;
            ids.insert(subject.to_owned(), account.id);
        }
        txn.commit().await?;
    }
    Ok(RosterAccounts {
        ids,
        made: newcomers.len(),
        erased: erased.len(),
    })
}

/// What the cohort's transaction did.
struct Applied {
    report: RosterSyncReport,
    leads_added: Vec<i32>,
    leads_removed: Vec<i32>,
}

/// The accounts among `ids` that are live (not erased), held shared until the transaction ends, so an
/// erasure on another server cannot slip between reading them and adding them to the cohort.
async fn live_accounts<C: ConnectionTrait>(
    txn: &C,
    ids: &BTreeSet<i32>,
) -> Result<BTreeSet<i32>, AppError> {
    let ids: Vec<i32> = ids.iter().copied().collect();
    let mut live = BTreeSet::new();
    for batch in ids.chunks(BATCH) {
        live.extend(
            account::Entity::find()
                .select_only()
                .column(account::Column::Id)
                .filter(account::Column::Id.is_in(batch.to_vec()))
                .filter(account::Column::ErasedAt.is_null())
                .lock(LockType::Share)
                .into_tuple::<i32>()
                .all(txn)
                .await?,
        );
    }
    Ok(live)
}

/// The cohort, its modules, members and leads as the roster says, and the course's teachers, inside the
/// sync's transaction.
async fn apply_roster<C: ConnectionTrait>(
    txn: &C,
    course: &lti_course::Model,
    actor: &account::Model,
    people: &People<'_>,
    accounts: &HashMap<String, i32>,
) -> Result<Applied, AppError> {
    let now = Utc::now();
    // Written first: the course's row is held until the sync commits, so two syncs of one course take turns
    // (and on SQLite the transaction holds the writer from its start).
    lti_course::Entity::update_many()
        .col_expr(lti_course::Column::LastSyncedAt, Expr::value(Some(now)))
        .filter(lti_course::Column::Id.eq(course.id))
        .exec(txn)
        .await?;
    let course = lti_course::Entity::find_by_id(course.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That VLE course".to_owned()))?;
    let modules = course_modules(txn, course.id).await?;
    let existing = match course.cohort_id {
        Some(id) => cohort::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    let (cohort, cohort_created) = match existing {
        Some(found) => (found, false),
        None => {
            if modules.is_empty() {
                return Err(AppError::Conflict(NO_MODULE.to_owned()));
            }
            let made = cohorts::insert_cohort(txn, actor.id, &course.title).await?;
            lti_course::Entity::update_many()
                .col_expr(lti_course::Column::CohortId, Expr::value(Some(made.id)))
                .filter(lti_course::Column::Id.eq(course.id))
                .exec(txn)
                .await?;
            (made, true)
        }
    };
    // The course's modules the cohort does not take yet (a module placed since the last sync).
    let taken: HashSet<i32> = cohort_module::Entity::find()
        .select_only()
        .column(cohort_module::Column::ModuleId)
        .filter(cohort_module::Column::CohortId.eq(cohort.id))
        .into_tuple()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let new_modules: Vec<cohort_module::ActiveModel> = modules
        .iter()
        .filter(|m| !taken.contains(&m.id))
        .map(|m| cohort_module::ActiveModel {
            cohort_id: Set(cohort.id),
            module_id: Set(m.id),
            due_on: Set(None),
            ..Default::default()
        })
        .collect();
    if !new_modules.is_empty() {
        cohort_module::Entity::insert_many(new_modules)
            .exec_without_returning(txn)
            .await?;
    }
    let module_ids: BTreeSet<i32> = taken
        .into_iter()
        .chain(modules.iter().map(|m| m.id))
        .collect();

    let account_ids = |list: &[&Member]| -> BTreeSet<i32> {
        list.iter()
            .filter_map(|m| accounts.get(m.user_id.trim()).copied())
            .collect()
    };
    let learner_ids = live_accounts(txn, &account_ids(&people.learners)).await?;
    let lead_ids = live_accounts(txn, &account_ids(&people.leads)).await?;

    let members = cohort_member::Entity::find()
        .filter(cohort_member::Column::CohortId.eq(cohort.id))
        .all(txn)
        .await?;
    let present: HashSet<i32> = members.iter().map(|m| m.account_id).collect();
    let joining: Vec<i32> = learner_ids
        .iter()
        .filter(|id| !present.contains(id))
        .copied()
        .collect();
    cohorts::add_members(txn, cohort.id, &joining, Some(course.id)).await?;
    let leaving: Vec<i32> = members
        .iter()
        .filter(|m| m.from_course_id == Some(course.id) && !learner_ids.contains(&m.account_id))
        .map(|m| m.id)
        .collect();
    for batch in leaving.chunks(BATCH) {
        cohort_member::Entity::delete_many()
            .filter(cohort_member::Column::Id.is_in(batch.to_vec()))
            .exec(txn)
            .await?;
    }
    let mut enrolments = Vec::with_capacity(learner_ids.len() * module_ids.len());
    for learner in &learner_ids {
        for module in &module_ids {
            enrolments.push((*learner, *module));
        }
    }
    for batch in enrolments.chunks(BATCH) {
        progress::ensure_enrolled(txn, batch.iter().copied()).await?;
    }

    let current_leads = cohort_lead::Entity::find()
        .filter(cohort_lead::Column::CohortId.eq(cohort.id))
        .all(txn)
        .await?;
    let leading: HashSet<i32> = current_leads.iter().map(|l| l.account_id).collect();
    let leads_added: Vec<i32> = lead_ids
        .iter()
        .filter(|id| !leading.contains(id))
        .copied()
        .collect();
    for batch in leads_added.chunks(BATCH) {
        cohort_lead::Entity::insert_many(batch.iter().map(|id| cohort_lead::ActiveModel {
            cohort_id: Set(cohort.id),
            account_id: Set(*id),
            from_course_id: Set(Some(course.id)),
            added_at: Set(now),
            ..Default::default()
        }))
        .on_conflict(
            OnConflict::columns([
                cohort_lead::Column::CohortId,
                cohort_lead::Column::AccountId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let former: Vec<&cohort_lead::Model> = current_leads
        .iter()
        .filter(|l| l.from_course_id == Some(course.id) && !lead_ids.contains(&l.account_id))
        .collect();
    let leads_removed: Vec<i32> = former.iter().map(|l| l.account_id).collect();
    for batch in former.chunks(BATCH) {
        cohort_lead::Entity::delete_many()
            .filter(cohort_lead::Column::Id.is_in(batch.iter().map(|l| l.id)))
            .exec(txn)
            .await?;
    }
    // Those who no longer teach the course may no longer sync it.
    let no_longer_teaching: Vec<i32> = lti_course_teacher::Entity::find()
        .filter(lti_course_teacher::Column::CourseId.eq(course.id))
        .all(txn)
        .await?
        .into_iter()
        .filter(|t| !lead_ids.contains(&t.account_id))
        .map(|t| t.id)
        .collect();
    for batch in no_longer_teaching.chunks(BATCH) {
        lti_course_teacher::Entity::delete_many()
            .filter(lti_course_teacher::Column::Id.is_in(batch.to_vec()))
            .exec(txn)
            .await?;
    }
    Ok(Applied {
        report: RosterSyncReport {
            cohort_id: cohort.id,
            cohort_created,
            learners: count(learner_ids.len()),
            leads: count(lead_ids.len()),
            added: count(joining.len()),
            removed: count(leaving.len()),
            accounts_made: 0,
        },
        leads_added,
        leads_removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_read_from_the_link_header() {
        let page = url::Url::parse("https://vle.example.ac.uk/nrps/7?p=1").expect("a URL");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::LINK,
            reqwest::header::HeaderValue::from_static(
                "<https://vle.example.ac.uk/nrps/7?p=1&differences=1>; rel=\"differences\", \
                 <?p=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_page(&headers, &page).map(String::from),
            Some("https://vle.example.ac.uk/nrps/7?p=2".to_owned())
        );
        headers.insert(
            reqwest::header::LINK,
            reqwest::header::HeaderValue::from_static(
                "<https://vle.example.ac.uk/x>; rel=differences",
            ),
        );
        assert_eq!(next_page(&headers, &page), None);
    }

    #[test]
    fn instructors_lead_and_learners_are_members() {
        let member = |id: &str, role: &str, status: Option<&str>| Member {
            user_id: id.to_owned(),
            roles: vec![role.to_owned()],
            status: status.map(str::to_owned),
            name: None,
            given_name: None,
            family_name: None,
        };
        let roster = vec![
            member(
                "t1",
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
                None,
            ),
            member(
                "ta",
                "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
                Some("Active"),
            ),
            member(
                "s1",
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
                None,
            ),
            member("s2", "Learner", Some("Inactive")),
            member("s3", "Learner", Some("Deleted")),
            member("s1", "Learner", None),
            member(
                "s4",
                "Learner",
                Some("http://purl.imsglobal.org/vocab/lis/v2/status#Active"),
            ),
            member("t2", "Learner", None),
            member("t2", "Instructor", None),
            member(
                "m1",
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",
                None,
            ),
            member("", "Learner", None),
        ];
        let People { leads, learners } = people(&roster);
        let ids = |list: Vec<&Member>| list.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(leads),
            ["t1", "ta", "t2"],
            "listed twice, with both roles"
        );
        assert_eq!(ids(learners), ["s1", "s4"]);
    }

    #[test]
    fn a_lessons_page_places_its_module() {
        assert_eq!(module_of_page("/modules/prince2"), Some("prince2"));
        assert_eq!(
            module_of_page("/modules/prince2/lessons/01?x=1"),
            Some("prince2")
        );
        assert_eq!(module_of_page("/pathways/ccio"), None);
        assert_eq!(module_of_page("/modules/"), None);
    }
}
