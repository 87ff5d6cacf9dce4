//! Assignment and Grade Services 2.0: a learner launched into a module from a VLE activity completes it, and
//! the score reaches the activity's gradebook column, through the persistent queue, with the tool's signed
//! token request; a column found or made when the VLE named none; a VLE that is down gets the score later,
//! one that refuses it for good has it parked.

use super::*;
use app::ssr::entities::{lti_resource_link, lti_score_outbox};
use app::ssr::services::lti::grades::{self, GradeSender, LINE_ITEM_SCOPE, SCORE_SCOPE};
use app::ssr::services::lti::tool_keys::ToolKey;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

const BETA: &str = "http://localhost/modules/beta";
const AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";

/// The grade service claim: the course's line items, and the activity's own when `lineitem` is given.
fn endpoint(launch: &Launch, lineitem: Option<usize>, scopes: &[&str]) -> Value {
    let mut claim = json!({
        "scope": scopes,
        "lineitems": format!("{}/lineitems", launch.platform.issuer),
    });
    if let Some(n) = lineitem {
        claim["lineitem"] = json!(format!("{}/lineitems/{n}", launch.platform.issuer));
    }
    claim
}

impl Launch {
    /// A fresh browser launched as `sub` from `activity` into `target`, with the grade service claim.
    async fn launch_from(
        &mut self,
        db: &DatabaseConnection,
        sub: &str,
        activity: &str,
        target: &str,
        grades: Option<Value>,
    ) {
        self.browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
        let login = self.login(target).await;
        let mut claims = self.platform.launch_claims(sub, &login.nonce, target);
        claims[format!("{LTI}resource_link")] = json!({ "id": activity, "title": "Week 4" });
        if let Some(grades) = grades {
            claims[AGS] = grades;
        }
        let token = self.platform.sign(&claims, Key::First, &Key::First.kid());
        let page = self.post(&login, &token, &[]).await;
        assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    }

    /// The learner signed in in this browser completes module beta (its one lesson).
    async fn complete_beta(&mut self) {
        let enrolled = self
            .browser
            .post_form("/api/enrol", "/modules/beta", &[("module", "beta")])
            .await;
        assert_eq!(enrolled.status.as_u16(), 302, "{}", enrolled.body);
        let done = self
            .browser
            .post_form(
                "/api/complete-lesson",
                "/modules/beta/lessons/only",
                &[("module", "beta"), ("lesson", "only")],
            )
            .await;
        assert_eq!(done.status.as_u16(), 302, "{}", done.body);
    }

    /// A line item the course already has, as its teacher made it (for an activity, when given).
    fn course_has_line_item(&self, resource_id: &str, activity: Option<&str>) {
        let mut book = self.platform.gradebook.lock().expect("the gradebook");
        let n = book.line_items.len() + 1;
        let mut item = json!({
            "id": format!("{}/lineitems/{n}", self.platform.issuer),
            "label": "Beta", "scoreMaximum": 100, "resourceId": resource_id,
        });
        if let Some(activity) = activity {
            item["resourceLinkId"] = json!(activity);
        }
        book.line_items.push(item);
    }

    /// How the gradebook answers scores from now on (`None`: it takes them).
    fn answer_scores_with(&self, status: Option<u16>) {
        self.platform
            .gradebook
            .lock()
            .expect("the gradebook")
            .score_status = status;
    }

    fn scores(&self) -> Vec<(usize, Value)> {
        self.platform
            .gradebook
            .lock()
            .expect("the gradebook")
            .scores
            .clone()
    }
}

/// The tool key the test servers sign with, registered with the platform as its administrator would.
async fn trusted_sender(db: &DatabaseConnection, launch: &Launch) -> (GradeSender, ToolKey) {
    let key = academy_tests::test_tool_key(db).await;
    launch
        .platform
        .gradebook
        .lock()
        .expect("the gradebook")
        .tool_key = Some(key.public_jwk.clone());
    (GradeSender::new(false).expect("an HTTP client"), key)
}

async fn queued(db: &DatabaseConnection) -> Vec<lti_score_outbox::Model> {
    lti_score_outbox::Entity::find()
        .all(db)
        .await
        .expect("the score queue")
}

async fn a_completed_module_reaches_the_activitys_gradebook_column(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    launch.course_has_line_item("their-own-column", None);
    let (sender, key) = trusted_sender(db, &launch).await;
    let grades = endpoint(&launch, Some(1), &[SCORE_SCOPE]);
    launch
        .launch_from(db, "learner-a", "activity-4", BETA, Some(grades.clone()))
        .await;
    assert!(queued(db).await.is_empty(), "nothing before completion");
    launch.complete_beta().await;
    // Queued although the learner's academy address is not verified: the VLE knows them by its own id.
    let waiting = queued(db).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].score, 100);

    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.sent, 1, "{report:?}");
    let scores = launch.scores();
    assert_eq!(scores.len(), 1);
    let (column, score) = &scores[0];
    assert_eq!(*column, 1, "the column the VLE named");
    assert_eq!(score["userId"], "learner-a");
    assert_eq!(score["scoreGiven"], 100);
    assert_eq!(score["scoreMaximum"], 100);
    assert_eq!(score["activityProgress"], "Completed");
    assert_eq!(score["gradingProgress"], "FullyGraded");
    assert!(
        score["timestamp"]
            .as_str()
            .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
    );
    assert!(queued(db).await[0].sent_at.is_some());

    // A second learner's score goes with the same access token; nothing is sent twice.
    launch
        .launch_from(db, "learner-b", "activity-4", BETA, Some(grades))
        .await;
    launch.complete_beta().await;
    launch.complete_beta().await;
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(
        sender.send_due(db, &key, 50).await.expect("a round").sent,
        0
    );
    let book = launch.platform.gradebook.lock().expect("the gradebook");
    assert_eq!(book.scores.len(), 2);
    assert_eq!(book.scores[1].1["userId"], "learner-b");
    assert_eq!(book.tokens.len(), 1, "the access token is kept");
    assert_eq!(
        book.scopes_asked,
        [SCORE_SCOPE],
        "only the scope the launch granted"
    );
    assert_eq!(book.refused_tokens, 0);
}

async fn without_a_named_column_the_academy_finds_or_makes_the_modules_own(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    let (sender, key) = trusted_sender(db, &launch).await;
    let grades = endpoint(&launch, None, &[SCORE_SCOPE, LINE_ITEM_SCOPE]);
    launch
        .launch_from(db, "learner-c", "activity-5", BETA, Some(grades.clone()))
        .await;
    launch.complete_beta().await;
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.sent, 1, "{report:?}");
    {
        let book = launch.platform.gradebook.lock().expect("the gradebook");
        assert_eq!(book.line_items.len(), 1, "made one");
        assert_eq!(
            book.scopes_asked,
            [format!("{SCORE_SCOPE} {LINE_ITEM_SCOPE}")]
        );
        let made = &book.line_items[0];
        assert_eq!(made["resourceId"], "module:beta");
        assert_eq!(made["resourceLinkId"], "activity-5");
        assert_eq!(made["label"], "Beta module");
        assert_eq!(made["scoreMaximum"], 100);
        assert_eq!(book.scores[0].0, 1);
    }
    let activity = lti_resource_link::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("the activity");
    assert_eq!(
        activity.lineitem_url,
        Some(format!("{}/lineitems/1", launch.platform.issuer)),
        "remembered for the next score"
    );

    // An activity whose column the teacher already made (named by the activity, not by the launch) finds it
    // instead of making another.
    launch.course_has_line_item("teachers-own", Some("activity-6"));
    launch
        .launch_from(db, "learner-d", "activity-6", BETA, Some(grades))
        .await;
    launch.complete_beta().await;
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.sent, 1, "{report:?}");
    let book = launch.platform.gradebook.lock().expect("the gradebook");
    assert_eq!(book.line_items.len(), 2, "found, not made");
    assert_eq!(book.scores[1].0, 2, "the activity's own column");
}

async fn a_vle_that_is_down_gets_the_score_later_and_one_that_refuses_it_has_it_parked(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    launch.course_has_line_item("module:beta", None);
    let (sender, key) = trusted_sender(db, &launch).await;
    let grades = endpoint(&launch, Some(1), &[SCORE_SCOPE]);
    launch
        .launch_from(db, "learner-e", "activity-7", BETA, Some(grades.clone()))
        .await;
    launch.complete_beta().await;
    launch.answer_scores_with(Some(503));
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    let kept = queued(db).await.remove(0);
    assert!(kept.sent_at.is_none() && kept.parked_at.is_none());
    assert_eq!(kept.attempts, 1);
    assert!(kept.next_attempt_at > chrono::Utc::now());
    assert!(
        kept.last_error
            .as_deref()
            .is_some_and(|e| e.contains("503")),
        "{:?}",
        kept.last_error
    );
    // Not tried again before its back-off; tried again after it, and delivered.
    assert_eq!(
        sender.send_due(db, &key, 50).await.expect("a round").failed,
        0
    );
    launch.answer_scores_with(None);
    let mut due: lti_score_outbox::ActiveModel = kept.into();
    due.next_attempt_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    due.update(db).await.expect("due now");
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(launch.scores().len(), 1);

    // A refusal the VLE will repeat parks the score with its reason; it is not sent again.
    launch
        .launch_from(db, "learner-f", "activity-7", BETA, Some(grades))
        .await;
    launch.complete_beta().await;
    launch.answer_scores_with(Some(404));
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.parked, 1, "{report:?}");
    let parked = queued(db)
        .await
        .into_iter()
        .find(|row| row.sent_at.is_none())
        .expect("the refused score");
    assert!(parked.parked_at.is_some());
    assert!(
        parked
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("404")),
        "{:?}",
        parked.last_error
    );
    let mut due: lti_score_outbox::ActiveModel = parked.into();
    due.next_attempt_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    due.update(db).await.expect("due now");
    assert_eq!(
        sender.send_due(db, &key, 50).await.expect("a round"),
        Default::default(),
        "parked, not retried"
    );
    // The admin sees it on the VLE's entry, with the VLE's reason.
    let admin =
        academy_tests::account(db, "admin@example.ac.uk", app::api::accounts::Role::Admin).await;
    let shown = platforms::list(
        db,
        &admin,
        &url::Url::parse("http://localhost").expect("a URL"),
    )
    .await
    .expect("the admin page");
    let platform = &shown.platforms[0];
    assert_eq!((platform.scores_waiting, platform.scores_parked), (0, 1));
    assert!(
        platform
            .last_score_error
            .as_deref()
            .is_some_and(|e| e.contains("404")),
        "{:?}",
        platform.last_score_error
    );

    // Once the VLE is put right, the admin sends it again; only an admin may.
    let learner = launched_account(db).await;
    assert!(matches!(
        grades::send_parked_again(db, &learner, platform.id).await,
        Err(app::error::AppError::Forbidden)
    ));
    assert_eq!(
        grades::send_parked_again(db, &admin, platform.id)
            .await
            .expect("sent again"),
        1
    );
    launch.answer_scores_with(None);
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(launch.scores().len(), 2);
}

async fn a_token_request_the_vle_cannot_verify_sends_nothing_and_keeps_the_score(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    launch.course_has_line_item("module:beta", None);
    let (sender, key) = trusted_sender(db, &launch).await;
    // The VLE holds another tool's key: the academy's assertion does not verify.
    launch
        .platform
        .gradebook
        .lock()
        .expect("the gradebook")
        .tool_key = Some(
        serde_json::from_str(
            &std::fs::read_to_string(fixtures().join("lti/platform-jwk-2.json")).expect("a JWK"),
        )
        .expect("JSON"),
    );
    launch
        .launch_from(
            db,
            "learner-g",
            "activity-8",
            BETA,
            Some(endpoint(&launch, Some(1), &[SCORE_SCOPE])),
        )
        .await;
    launch.complete_beta().await;
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.failed, 1, "{report:?}");
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("token endpoint")),
        "{report:?}"
    );
    assert!(launch.scores().is_empty());
    let kept = queued(db).await.remove(0);
    assert!(kept.sent_at.is_none() && kept.parked_at.is_none());
}

async fn only_a_module_launch_with_the_score_scope_reports_and_an_earlier_completion_counts(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    // No score scope; a lesson rather than the module: nothing to report to.
    let read_only = endpoint(
        &launch,
        Some(1),
        &["https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"],
    );
    launch
        .launch_from(db, "learner-h", "activity-9", BETA, Some(read_only))
        .await;
    let with_scope = endpoint(&launch, Some(1), &[SCORE_SCOPE]);
    launch
        .launch_from(
            db,
            "learner-h",
            "activity-10",
            "http://localhost/modules/beta/lessons/only",
            Some(with_scope.clone()),
        )
        .await;
    launch.complete_beta().await;
    // A teacher trying the module out from the course is not graded.
    let login = launch.login(BETA).await;
    let mut claims = launch
        .platform
        .launch_claims("teacher-h", &login.nonce, BETA);
    claims[format!("{LTI}resource_link")] = json!({ "id": "activity-12" });
    claims[format!("{LTI}roles")] =
        json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]);
    claims[AGS] = with_scope.clone();
    let token = launch.platform.sign(&claims, Key::First, &Key::First.kid());
    assert_eq!(launch.post(&login, &token, &[]).await.status.as_u16(), 303);
    assert_eq!(
        lti_resource_link::Entity::find()
            .count(db)
            .await
            .expect("count"),
        0
    );
    assert!(queued(db).await.is_empty());

    // The same learner, having completed the module already, is reported as soon as a course links it.
    let login = launch.login(BETA).await;
    let mut claims = launch
        .platform
        .launch_claims("learner-h", &login.nonce, BETA);
    claims[format!("{LTI}resource_link")] = json!({ "id": "activity-11" });
    claims[AGS] = with_scope;
    let token = launch.platform.sign(&claims, Key::First, &Key::First.kid());
    assert_eq!(launch.post(&login, &token, &[]).await.status.as_u16(), 303);
    let waiting = queued(db).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].score, 100);

    // Erasing the account takes the waiting score and the record of where they launched from with it.
    let link = lti_account::Entity::find()
        .filter(lti_account::Column::Subject.eq("learner-h"))
        .one(db)
        .await
        .expect("query")
        .expect("their VLE link");
    let learner = account::Entity::find_by_id(link.account_id)
        .one(db)
        .await
        .expect("query")
        .expect("their account");
    app::ssr::services::personal_data::erase_account(
        db,
        &learner,
        &learner.email,
        Some(chrono::Utc::now()),
    )
    .await
    .expect("erased");
    assert!(queued(db).await.is_empty());
    assert_eq!(
        app::ssr::entities::lti_link_learner::Entity::find()
            .count(db)
            .await
            .expect("count"),
        0
    );
}

async fn a_verified_learners_assessed_module_reports_their_assessment_score(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    launch.course_has_line_item("module:gamma", None);
    let (sender, key) = trusted_sender(db, &launch).await;
    let gamma = "http://localhost/modules/gamma";
    launch
        .launch_from(
            db,
            "learner-v",
            "activity-13",
            gamma,
            Some(endpoint(&launch, Some(1), &[SCORE_SCOPE])),
        )
        .await;
    // They have added and confirmed their own address: completing earns a record as well.
    let mut verified: account::ActiveModel = launched_account(db).await.into();
    verified.email_verified_at = Set(Some(chrono::Utc::now()));
    verified.update(db).await.expect("verified");
    for (path, fields) in [
        ("/api/enrol", vec![("module", "gamma")]),
        (
            "/api/complete-lesson",
            vec![("module", "gamma"), ("lesson", "only")],
        ),
        (
            "/api/submit-quiz",
            vec![
                ("module", "gamma"),
                ("scope", "assessment"),
                ("answers[final-1][choice]", "1"),
                ("answers[final-2][choice]", "1"),
                ("answers[final-3][o0]", "0"),
                ("answers[final-3][o2]", "2"),
            ],
        ),
    ] {
        let page = launch
            .browser
            .post_form(path, "/modules/gamma", &fields)
            .await;
        assert_eq!(page.status.as_u16(), 302, "{path}: {}", page.body);
    }
    let attempt = app::ssr::entities::quiz_attempt::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("the attempt");
    assert!(attempt.passed && attempt.score < 100, "{attempt:?}");
    assert_eq!(
        app::ssr::entities::completion_record::Entity::find()
            .count(db)
            .await
            .expect("count"),
        1,
        "the record is issued"
    );
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(launch.scores()[0].1["scoreGiven"], attempt.score);
}

async fn an_https_site_posts_no_score_into_a_private_network(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    launch.course_has_line_item("module:beta", None);
    let (_, key) = trusted_sender(db, &launch).await;
    // As on a site served over https; the pretend VLE's gradebook is on a loopback address.
    let sender = GradeSender::new(true).expect("an HTTP client");
    launch
        .launch_from(
            db,
            "learner-p",
            "activity-14",
            BETA,
            Some(endpoint(&launch, Some(1), &[SCORE_SCOPE])),
        )
        .await;
    launch.complete_beta().await;
    let report = sender.send_due(db, &key, 50).await.expect("a round");
    assert_eq!(report.parked, 1, "{report:?}");
    assert!(
        report
            .error
            .as_deref()
            .is_some_and(|e| e.contains("is not https")),
        "{report:?}"
    );
    assert!(launch.scores().is_empty());
}

on_both_databases!(
    an_https_site_posts_no_score_into_a_private_network,
    a_verified_learners_assessed_module_reports_their_assessment_score,
    a_completed_module_reaches_the_activitys_gradebook_column,
    without_a_named_column_the_academy_finds_or_makes_the_modules_own,
    a_vle_that_is_down_gets_the_score_later_and_one_that_refuses_it_has_it_parked,
    a_token_request_the_vle_cannot_verify_sends_nothing_and_keeps_the_score,
    only_a_module_launch_with_the_score_scope_reports_and_an_earlier_completion_counts,
);
