//! Assignment and Grade Services 2.0 (1EdTech): a module placed in a VLE course reports each learner's
//! completion to the course's gradebook.
//!
//! A launch into a module from an activity whose platform grants the score scope is remembered with the
//! grade service addresses it gave, and so is the learner who launched. When that learner meets the
//! module's completion rule (whether or not their academy address is verified: the VLE knows them by its own
//! identifier), a score waits in `lti_score_outbox` until the VLE accepts it. Sending takes an access token
//! from the platform (OAuth 2 client credentials with a JWT assertion signed by the tool's key, kept until it
//! nearly lapses), finds or makes the activity's line item when the platform named none, and posts the score;
//! a VLE that is down or slow is tried again with back-off, and a score it refuses for good is parked with
//! its reason for the admin.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::Deserialize;
use std::collections::HashMap;

use super::service_access::{self, ServiceAccess, answer_text};
use super::tool_keys::ToolKey;
use crate::error::AppError;
use crate::ssr::entities::{
    lti_account, lti_link_learner, lti_platform, lti_resource_link, lti_score_outbox, module,
};

/// The scope that lets the tool post scores.
pub const SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
/// The scope that lets the tool find and make line items.
pub const LINE_ITEM_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
/// How long a claimed score is held before another round (another instance) may try it.
const CLAIM_SECONDS: i64 = 120;

/// The launch's grade service claim.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct GradeEndpoint {
    #[serde(default)]
    scope: Vec<String>,
    lineitems: Option<String>,
    lineitem: Option<String>,
}

/// The module a launch's target opens, when it is a module's own page (lessons and pathways report no
/// score).
fn module_of(target_path: &str) -> Option<&str> {
    let path = target_path.split('?').next().unwrap_or_default();
    let slug = path.strip_prefix("/modules/")?.trim_end_matches('/');
    (!slug.is_empty() && !slug.contains('/')).then_some(slug)
}

/// Whether the launch's roles include a learner's (a context role, by its full or simple name, or a sub-role).
pub(super) fn is_learner(roles: &[String]) -> bool {
    super::has_context_role(roles, "Learner")
}

fn web_address(address: Option<&String>) -> Option<String> {
    address
        .filter(|a| a.len() <= 2048)
        .filter(|a| url::Url::parse(a).is_ok_and(|u| matches!(u.scheme(), "https" | "http")))
        .cloned()
}

/// What a launch tells the grade service, inside the launch's transaction: the activity and its addresses,
/// and that this learner launched from it. When the learner has already met the module's rule (they
/// completed it before their course linked it), their score is queued now.
/// A resource link launch, as the grade service needs it.
pub(super) struct ActivityLaunch<'a> {
    pub deployment_id: &'a str,
    /// The platform's id for the activity.
    pub resource_link_id: &'a str,
    /// The page of this site the activity opens.
    pub target_path: &'a str,
    pub endpoint: Option<&'a GradeEndpoint>,
    pub roles: &'a [String],
}

pub(super) async fn remember_launch(
    txn: &DatabaseTransaction,
    platform: &lti_platform::Model,
    launched: &ActivityLaunch<'_>,
    link: &lti_account::Model,
) -> Result<(), AppError> {
    let deployment_id = launched.deployment_id;
    let (Some(slug), Some(endpoint)) = (module_of(launched.target_path), launched.endpoint) else {
        return Ok(());
    };
    // A teacher trying the activity out is not graded.
    if !is_learner(launched.roles) {
        return Ok(());
    }
    if !endpoint.scope.iter().any(|s| s == SCORE_SCOPE) {
        return Ok(());
    }
    let lineitem = web_address(endpoint.lineitem.as_ref());
    let lineitems = web_address(endpoint.lineitems.as_ref());
    if lineitem.is_none() && lineitems.is_none() {
        return Ok(());
    }
    let resource_link_id: String = launched.resource_link_id.chars().take(255).collect();
    let before = lti_resource_link::Entity::find()
        .filter(lti_resource_link::Column::PlatformId.eq(platform.id))
        .filter(lti_resource_link::Column::ResourceLinkId.eq(&resource_link_id))
        .one(txn)
        .await?;
    let mut update = vec![
        lti_resource_link::Column::DeploymentId,
        lti_resource_link::Column::ModuleSlug,
        lti_resource_link::Column::LineitemsUrl,
        lti_resource_link::Column::Scopes,
        lti_resource_link::Column::UpdatedAt,
    ];
    // A line item the platform names replaces one the academy found; one it does not name keeps it, unless
    // the activity now opens another module (whose column is another).
    let module_changed = before.as_ref().is_some_and(|b| b.module_slug != slug);
    if lineitem.is_some() || module_changed {
        update.push(lti_resource_link::Column::LineitemUrl);
    }
    lti_resource_link::Entity::insert(lti_resource_link::ActiveModel {
        platform_id: Set(platform.id),
        resource_link_id: Set(resource_link_id.clone()),
        deployment_id: Set(deployment_id.to_owned()),
        module_slug: Set(slug.to_owned()),
        lineitems_url: Set(lineitems),
        lineitem_url: Set(lineitem),
        scopes: Set(endpoint.scope.join("\n")),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            lti_resource_link::Column::PlatformId,
            lti_resource_link::Column::ResourceLinkId,
        ])
        .update_columns(update)
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    let activity = lti_resource_link::Entity::find()
        .filter(lti_resource_link::Column::PlatformId.eq(platform.id))
        .filter(lti_resource_link::Column::ResourceLinkId.eq(&resource_link_id))
        .one(txn)
        .await?
        .ok_or_else(|| {
            crate::ssr::error::internal("remembering a VLE activity", "the row just written")
        })?;
    lti_link_learner::Entity::insert(lti_link_learner::ActiveModel {
        resource_link_id: Set(activity.id),
        lti_account_id: Set(link.id),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            lti_link_learner::Column::ResourceLinkId,
            lti_link_learner::Column::LtiAccountId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if let Some(found) = module::Entity::find()
        .filter(module::Column::Slug.eq(slug))
        .filter(module::Column::Listed.eq(true))
        .one(txn)
        .await?
        && let Some(met) =
            crate::ssr::services::completion::rule_met(txn, link.account_id, &found).await?
    {
        queue_scores(txn, link.account_id, slug, met.score()).await?;
    }
    Ok(())
}

/// Queues the learner's score for every VLE activity opening this module that they launched from, inside
/// the transaction that found the module's rule met. A score already queued for an activity stays as it
/// is (the rule is met once).
pub(crate) async fn queue_scores<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    module_slug: &str,
    score: u32,
) -> Result<(), AppError> {
    let accounts: Vec<i32> = lti_account::Entity::find()
        .select_only()
        .column(lti_account::Column::Id)
        .filter(lti_account::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(db)
        .await?;
    if accounts.is_empty() {
        return Ok(());
    }
    let activities: Vec<i32> = lti_resource_link::Entity::find()
        .select_only()
        .column(lti_resource_link::Column::Id)
        .filter(lti_resource_link::Column::ModuleSlug.eq(module_slug))
        .into_tuple()
        .all(db)
        .await?;
    if activities.is_empty() {
        return Ok(());
    }
    let launched = lti_link_learner::Entity::find()
        .filter(lti_link_learner::Column::LtiAccountId.is_in(accounts))
        .filter(lti_link_learner::Column::ResourceLinkId.is_in(activities))
        .all(db)
        .await?;
    let now = Utc::now();
    let score = i32::try_from(score.min(100)).unwrap_or(100);
    for pair in launched {
        lti_score_outbox::Entity::insert(lti_score_outbox::ActiveModel {
            resource_link_id: Set(pair.resource_link_id),
            lti_account_id: Set(pair.lti_account_id),
            score: Set(score),
            achieved_at: Set(now),
            attempts: Set(0),
            next_attempt_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                lti_score_outbox::Column::ResourceLinkId,
                lti_score_outbox::Column::LtiAccountId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// A platform's scores not yet delivered, for the admin page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndeliveredScores {
    pub waiting: u64,
    pub parked: u64,
    /// The most recent reason one was not delivered.
    pub last_error: Option<String>,
}

/// Every platform's undelivered scores (three queries whatever the queue's length).
pub(crate) async fn undelivered_by_platform(
    db: &DatabaseConnection,
) -> Result<HashMap<i32, UndeliveredScores>, AppError> {
    let platform_of: HashMap<i32, i32> = lti_resource_link::Entity::find()
        .select_only()
        .column(lti_resource_link::Column::Id)
        .column(lti_resource_link::Column::PlatformId)
        .into_tuple::<(i32, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let unsent =
        || lti_score_outbox::Entity::find().filter(lti_score_outbox::Column::SentAt.is_null());
    let mut by_platform: HashMap<i32, UndeliveredScores> = HashMap::new();
    for (parked, counts) in [
        (
            false,
            crate::ssr::db::count_by(
                db,
                unsent().filter(lti_score_outbox::Column::ParkedAt.is_null()),
                lti_score_outbox::Column::ResourceLinkId,
            )
            .await?,
        ),
        (
            true,
            crate::ssr::db::count_by(
                db,
                unsent().filter(lti_score_outbox::Column::ParkedAt.is_not_null()),
                lti_score_outbox::Column::ResourceLinkId,
            )
            .await?,
        ),
    ] {
        for (activity, n) in counts {
            if let Some(platform) = platform_of.get(&activity) {
                let entry = by_platform.entry(*platform).or_default();
                if parked {
                    entry.parked += n;
                } else {
                    entry.waiting += n;
                }
            }
        }
    }
    // The latest error of each platform: the most recent failures are few, and their platform is looked up.
    let recent: Vec<(i32, Option<String>)> = unsent()
        .filter(lti_score_outbox::Column::LastError.is_not_null())
        .select_only()
        .column(lti_score_outbox::Column::ResourceLinkId)
        .column(lti_score_outbox::Column::LastError)
        .order_by_desc(lti_score_outbox::Column::LastAttemptAt)
        .limit(200)
        .into_tuple()
        .all(db)
        .await?;
    for (activity, error) in recent {
        if let Some(platform) = platform_of.get(&activity) {
            let entry = by_platform.entry(*platform).or_default();
            if entry.last_error.is_none() {
                entry.last_error = error;
            }
        }
    }
    Ok(by_platform)
}

/// Puts a platform's parked scores back in the queue, for an admin who has fixed what the VLE objected to
/// (a gradebook column deleted, the tool's grade service turned off). Answers how many were put back.
pub async fn send_parked_again(
    db: &DatabaseConnection,
    admin: &crate::ssr::entities::account::Model,
    platform_id: i32,
) -> Result<u64, AppError> {
    crate::ssr::services::accounts::require_admin(admin)?;
    let txn = db.begin().await?;
    lti_platform::Entity::find_by_id(platform_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That VLE".to_owned()))?;
    let activities: Vec<i32> = lti_resource_link::Entity::find()
        .select_only()
        .column(lti_resource_link::Column::Id)
        .filter(lti_resource_link::Column::PlatformId.eq(platform_id))
        .into_tuple()
        .all(&txn)
        .await?;
    let put_back = lti_score_outbox::Entity::update_many()
        .col_expr(
            lti_score_outbox::Column::ParkedAt,
            sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            lti_score_outbox::Column::Attempts,
            sea_orm::sea_query::Expr::value(0),
        )
        .col_expr(
            lti_score_outbox::Column::NextAttemptAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(lti_score_outbox::Column::ResourceLinkId.is_in(activities))
        .filter(lti_score_outbox::Column::ParkedAt.is_not_null())
        .filter(lti_score_outbox::Column::SentAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    crate::ssr::services::audit::record(
        &txn,
        Some(admin.id),
        "lti_scores.sent_again",
        &format!("lti_platform:{platform_id}"),
        serde_json::json!({ "scores": put_back }),
    )
    .await?;
    txn.commit().await?;
    Ok(put_back)
}

/// What one sending round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    /// Kept to try again after a back-off.
    pub failed: usize,
    /// Refused for good by the VLE: parked with its reason.
    pub parked: usize,
    pub error: Option<String>,
}

/// Why one score was not sent.
enum Failure {
    /// The VLE's token endpoint failed, or the VLE is turned off: every score for it waits until a later
    /// round.
    Platform(String),
    /// Down, unreachable or slow: try again later.
    Retry(String),
    /// An answer the VLE will give again however often the score is sent.
    Park(String),
}

/// Sends queued scores through the tool's access to VLEs' services (its tokens kept per platform and scope
/// by this instance).
#[derive(Debug)]
pub struct GradeSender {
    access: ServiceAccess,
}

/// The most of a VLE's answer read (line items, scores).
const ANSWER_CAP: usize = 256 * 1024;

/// A VLE's answer, read up to [`ANSWER_CAP`]; a failure to read it is tried again later.
async fn capped_text(answer: reqwest::Response) -> Result<String, Failure> {
    service_access::capped_text(answer, ANSWER_CAP)
        .await
        .map_err(Failure::Retry)
}

/// Whether a refusal will be given again however often the same request is sent.
fn refused_for_good(status: reqwest::StatusCode) -> bool {
    matches!(
        status.as_u16(),
        400 | 403 | 404 | 405 | 409 | 410 | 413 | 422
    )
}

impl GradeSender {
    /// `public_only`: the site is served over https, so gradebook addresses must be public https ones
    /// ([`service_access::vle_address_allowed`]).
    pub fn new(public_only: bool) -> Result<Self, reqwest::Error> {
        Ok(GradeSender {
            access: ServiceAccess::new(public_only)?,
        })
    }

    /// Parks a score whose gradebook address may not be posted to.
    fn allowed(&self, address: &url::Url) -> Result<(), Failure> {
        self.access
            .allowed(address)
            .map_err(|why| Failure::Park(format!("the VLE's gradebook address {why}")))
    }

    /// The platform's access token for the scopes; a token endpoint that fails holds every score for the
    /// platform until a later round (a refused assertion is most often a registration to fix: retried with
    /// back-off, so a corrected registration delivers what waited).
    async fn token(
        &self,
        platform: &lti_platform::Model,
        tool_key: &ToolKey,
        scope: &str,
    ) -> Result<String, Failure> {
        self.access
            .token(platform, tool_key, scope)
            .await
            .map_err(Failure::Platform)
    }

    /// The activity's line item: the one the platform named, or the one found (by the activity and the
    /// module's resource id) or made in the course's line items, remembered for the next score.
    async fn line_item(
        &self,
        db: &DatabaseConnection,
        activity: &lti_resource_link::Model,
        token: &str,
    ) -> Result<String, Failure> {
        if let Some(known) = &activity.lineitem_url {
            return Ok(known.clone());
        }
        let (Some(container), true) = (
            activity.lineitems_url.as_deref(),
            activity.scopes.lines().any(|s| s == LINE_ITEM_SCOPE),
        ) else {
            return Err(Failure::Park(
                "the VLE named no gradebook column for this activity and did not let the academy make one"
                    .to_owned(),
            ));
        };
        let resource_id = format!("module:{}", activity.module_slug);
        let mut search = url::Url::parse(container)
            .map_err(|e| Failure::Park(format!("the line items address is not a URL: {e}")))?;
        // The activity's columns (a teacher may have made one under any resource id).
        search
            .query_pairs_mut()
            .append_pair("resource_link_id", &activity.resource_link_id);
        self.allowed(&search)?;
        let answer = self
            .access
            .client()
            .get(search)
            .bearer_auth(token)
            .header(
                reqwest::header::ACCEPT,
                "application/vnd.ims.lis.v2.lineitemcontainer+json",
            )
            .send()
            .await
            .map_err(|e| Failure::Retry(format!("the line items could not be read: {e}")))?;
        let status = answer.status();
        let body = capped_text(answer).await?;
        if !status.is_success() {
            return Err(self.refusal(activity.platform_id, "reading line items", status, &body));
        }
        let items: Vec<serde_json::Value> = serde_json::from_str(&body)
            .map_err(|e| Failure::Retry(format!("the line items are not a JSON array: {e}")))?;
        // The activity's own column first; else one with the module's resource id.
        let found = items
            .iter()
            .find(|item| item["resourceLinkId"] == activity.resource_link_id.as_str())
            .or_else(|| {
                items
                    .iter()
                    .find(|item| item["resourceId"] == resource_id.as_str())
            })
            .and_then(|item| item["id"].as_str())
            .map(str::to_owned);
        let address = match found {
            Some(address) => address,
            None => self.make_line_item(db, activity, container, token).await?,
        };
        let address = web_address(Some(&address)).ok_or_else(|| {
            Failure::Park(format!(
                "the VLE's line item id {:?} is not a web address",
                address.chars().take(200).collect::<String>()
            ))
        })?;
        lti_resource_link::Entity::update_many()
            .col_expr(
                lti_resource_link::Column::LineitemUrl,
                sea_orm::sea_query::Expr::value(Some(address.clone())),
            )
            .filter(lti_resource_link::Column::Id.eq(activity.id))
            .exec(db)
            .await
            .map_err(|e| Failure::Retry(format!("remembering the line item: {e}")))?;
        Ok(address)
    }

    async fn make_line_item(
        &self,
        db: &DatabaseConnection,
        activity: &lti_resource_link::Model,
        container: &str,
        token: &str,
    ) -> Result<String, Failure> {
        let title = module::Entity::find()
            .filter(module::Column::Slug.eq(&activity.module_slug))
            .one(db)
            .await
            .map_err(|e| Failure::Retry(format!("reading the module: {e}")))?
            .map_or_else(|| activity.module_slug.clone(), |m| m.title);
        let container_address = url::Url::parse(container)
            .map_err(|e| Failure::Park(format!("the line items address is not a URL: {e}")))?;
        self.allowed(&container_address)?;
        let answer = self
            .access
            .client()
            .post(container_address)
            .bearer_auth(token)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/vnd.ims.lis.v2.lineitem+json",
            )
            .body(
                serde_json::json!({
                    "scoreMaximum": 100,
                    "label": title,
                    "resourceId": format!("module:{}", activity.module_slug),
                    "resourceLinkId": activity.resource_link_id,
                    "tag": super::deep_linking::LINE_ITEM_TAG,
                })
                .to_string(),
            )
            .send()
            .await
            .map_err(|e| Failure::Retry(format!("the line item could not be made: {e}")))?;
        let status = answer.status();
        let body = capped_text(answer).await?;
        if !status.is_success() {
            return Err(self.refusal(activity.platform_id, "making a line item", status, &body));
        }
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|item| item["id"].as_str().map(str::to_owned))
            .ok_or_else(|| Failure::Retry("the VLE made a line item but gave no id".to_owned()))
    }

    /// A VLE's refusal: parked when it will be given again; a refused token is forgotten and retried.
    fn refusal(
        &self,
        platform_id: i32,
        doing: &str,
        status: reqwest::StatusCode,
        body: &str,
    ) -> Failure {
        let error = format!("{doing}: the VLE {}", answer_text(status, body));
        if status == reqwest::StatusCode::UNAUTHORIZED {
            self.access.forget_tokens(platform_id);
        }
        if refused_for_good(status) {
            Failure::Park(error)
        } else {
            Failure::Retry(error)
        }
    }

    /// Sends one score to its activity's line item.
    async fn send_one(
        &self,
        db: &DatabaseConnection,
        tool_key: &ToolKey,
        row: &lti_score_outbox::Model,
    ) -> Result<(), Failure> {
        let gone = |what: &str| Failure::Park(format!("the {what} is no longer registered"));
        let read = |e: sea_orm::DbErr| Failure::Retry(format!("database: {e}"));
        let activity = lti_resource_link::Entity::find_by_id(row.resource_link_id)
            .one(db)
            .await
            .map_err(read)?
            .ok_or_else(|| gone("VLE activity"))?;
        let platform = lti_platform::Entity::find_by_id(activity.platform_id)
            .filter(lti_platform::Column::Enabled.eq(true))
            .one(db)
            .await
            .map_err(read)?
            .ok_or_else(|| Failure::Platform("the VLE is turned off".to_owned()))?;
        let learner = lti_account::Entity::find_by_id(row.lti_account_id)
            .one(db)
            .await
            .map_err(read)?
            .ok_or_else(|| gone("learner's VLE link"))?;
        // The line item scope only where the launch granted it (for finding or making a column).
        let scope = if activity.scopes.lines().any(|s| s == LINE_ITEM_SCOPE) {
            format!("{SCORE_SCOPE} {LINE_ITEM_SCOPE}")
        } else {
            SCORE_SCOPE.to_owned()
        };
        let token = self.token(&platform, tool_key, &scope).await?;
        let line_item = self.line_item(db, &activity, &token).await?;
        let mut scores = url::Url::parse(&line_item)
            .map_err(|e| Failure::Park(format!("the line item address is not a URL: {e}")))?;
        let path = format!("{}/scores", scores.path().trim_end_matches('/'));
        scores.set_path(&path);
        self.allowed(&scores)?;
        let answer = self
            .access
            .client()
            .post(scores)
            .bearer_auth(&token)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/vnd.ims.lis.v1.score+json",
            )
            .body(
                serde_json::json!({
                    "userId": learner.subject,
                    "scoreGiven": row.score,
                    "scoreMaximum": 100,
                    "activityProgress": "Completed",
                    "gradingProgress": "FullyGraded",
                    "timestamp": row.achieved_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                })
                .to_string(),
            )
            .send()
            .await
            .map_err(|e| Failure::Retry(format!("the score could not be sent: {e}")))?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        let body = capped_text(answer).await?;
        let findable = activity.lineitems_url.is_some()
            && activity.scopes.lines().any(|s| s == LINE_ITEM_SCOPE);
        if matches!(status.as_u16(), 404 | 410) && findable {
            // The column is gone (deleted by the teacher): forget it, and find or make the module's column
            // on the next attempt.
            lti_resource_link::Entity::update_many()
                .col_expr(
                    lti_resource_link::Column::LineitemUrl,
                    sea_orm::sea_query::Expr::value(Option::<String>::None),
                )
                .filter(lti_resource_link::Column::Id.eq(activity.id))
                .filter(lti_resource_link::Column::LineitemUrl.eq(&line_item))
                .exec(db)
                .await
                .map_err(|e| Failure::Retry(format!("forgetting a deleted line item: {e}")))?;
            return Err(Failure::Retry(format!(
                "the gradebook column {line_item} is gone; the module's column is found or made again next \
                 time"
            )));
        }
        Err(self.refusal(platform.id, "posting a score", status, &body))
    }

    /// One round: every due score (up to `batch`), each claimed first so another instance skips it. A VLE
    /// whose token endpoint fails is not asked again in the same round.
    pub async fn send_due(
        &self,
        db: &DatabaseConnection,
        tool_key: &ToolKey,
        batch: u64,
    ) -> Result<SendReport, AppError> {
        let due = lti_score_outbox::Entity::find()
            .filter(lti_score_outbox::Column::SentAt.is_null())
            .filter(lti_score_outbox::Column::ParkedAt.is_null())
            .filter(lti_score_outbox::Column::NextAttemptAt.lte(Utc::now()))
            .order_by_asc(lti_score_outbox::Column::NextAttemptAt)
            .limit(batch)
            .all(db)
            .await?;
        let platform_of: HashMap<i32, i32> = lti_resource_link::Entity::find()
            .select_only()
            .column(lti_resource_link::Column::Id)
            .column(lti_resource_link::Column::PlatformId)
            .filter(
                lti_resource_link::Column::Id.is_in(
                    due.iter()
                        .map(|row| row.resource_link_id)
                        .collect::<Vec<_>>(),
                ),
            )
            .into_tuple::<(i32, i32)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut failing_platforms = std::collections::HashSet::new();
        let mut report = SendReport::default();
        for row in due {
            let platform = platform_of.get(&row.resource_link_id).copied();
            if platform.is_some_and(|p| failing_platforms.contains(&p)) {
                continue;
            }
            // Claimed only if no other round moved it since it was read; held from now, as earlier rows of
            // this round may have taken a while.
            let claimed = lti_score_outbox::Entity::update_many()
                .col_expr(
                    lti_score_outbox::Column::NextAttemptAt,
                    sea_orm::sea_query::Expr::value(Utc::now() + Duration::seconds(CLAIM_SECONDS)),
                )
                .filter(lti_score_outbox::Column::Id.eq(row.id))
                .filter(lti_score_outbox::Column::NextAttemptAt.eq(row.next_attempt_at))
                .filter(lti_score_outbox::Column::SentAt.is_null())
                .exec(db)
                .await?;
            if claimed.rows_affected != 1 {
                continue;
            }
            let outcome = self.send_one(db, tool_key, &row).await;
            let attempts = row.attempts + 1;
            let mut update: lti_score_outbox::ActiveModel = row.clone().into();
            update.attempts = Set(attempts);
            update.last_attempt_at = Set(Some(Utc::now()));
            match outcome {
                Ok(()) => {
                    report.sent += 1;
                    update.sent_at = Set(Some(Utc::now()));
                    update.last_error = Set(None);
                }
                Err(failure @ (Failure::Retry(_) | Failure::Platform(_))) => {
                    let error = match failure {
                        Failure::Platform(error) => {
                            failing_platforms.extend(platform);
                            error
                        }
                        Failure::Retry(error) | Failure::Park(error) => error,
                    };
                    tracing::warn!(score = row.id, %error, "a score could not be sent to the VLE; will retry");
                    report.failed += 1;
                    update.next_attempt_at =
                        Set(Utc::now() + crate::ssr::services::lrs::backoff(attempts));
                    update.last_error = Set(Some(error.clone()));
                    report.error.get_or_insert(error);
                }
                Err(Failure::Park(error)) => {
                    tracing::error!(score = row.id, %error, "a VLE refused a score for good; it is parked");
                    report.parked += 1;
                    update.parked_at = Set(Some(Utc::now()));
                    update.last_error = Set(Some(error.clone()));
                    report.error.get_or_insert(error);
                }
            }
            match update.update(db).await {
                // Erased meanwhile: the row went with the learner's VLE link.
                Err(sea_orm::DbErr::RecordNotUpdated) => {}
                other => {
                    other?;
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::module_of;

    #[test]
    fn only_a_modules_own_page_reports_a_score() {
        assert_eq!(module_of("/modules/prince2"), Some("prince2"));
        assert_eq!(module_of("/modules/prince2/"), Some("prince2"));
        assert_eq!(module_of("/modules/prince2?from=vle"), Some("prince2"));
        assert_eq!(module_of("/modules/prince2/lessons/01"), None);
        assert_eq!(module_of("/pathways/ccio"), None);
        assert_eq!(module_of("/"), None);
    }
}
