//! Names and Role Provisioning Services 2.0: a VLE course's teacher syncs its roster into an academy cohort
//! (its learners the members, its instructors the leads), read page by page from the pretend platform with
//! an access token for the membership scope; a later sync follows the course's changes without touching
//! those who joined by code; only the course's teachers and admins may sync, and a VLE's roles give no
//! rights beyond the cohort; a roster the VLE refuses, garbles, cuts short or empties changes nothing; a
//! person who erased their account is not made one again by a roster.

use super::*;
use academy_tests::lti_platform::{COURSE_ID, MEMBERSHIP_SCOPE};
use app::model::accounts::Role;
use app::model::lti::RosterSyncReport;
use app::ssr::entities::{cohort, cohort_lead, cohort_member, enrolment, lti_course};
use app::ssr::services::lti::rosters;
use app::ssr::services::lti::service_access::ServiceAccess;
use app::ssr::services::{cohorts, personal_data};
use std::collections::BTreeSet;

const BETA: &str = "http://localhost/modules/beta";
const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";
const ASSISTANT: &str =
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant";
const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

/// One roster member as NRPS 2.0 gives it.
fn member(user_id: &str, role: &str, status: &str) -> Value {
    json!({
        "user_id": user_id,
        "roles": [role],
        "status": status,
        "name": format!("Person {user_id}"),
        "email": format!("{user_id}@uni.example.ac.uk"),
    })
}

impl Launch {
    /// A browser signed in by a launch as `sub` with `roles` from the course into `target`, `change` applied
    /// to the claims before signing.
    async fn launch_in_course(
        &mut self,
        db: &DatabaseConnection,
        sub: &str,
        roles: &[&str],
        target: &str,
        change: impl FnOnce(&mut Value),
    ) -> Browser {
        self.browser = Browser::new(app_for(db, &fixtures().join("valid")).await);
        let login = self.login(target).await;
        let mut claims = self.platform.launch_claims(sub, &login.nonce, target);
        claims[format!("{LTI}roles")] = json!(roles);
        change(&mut claims);
        let token = self.platform.sign(&claims, Key::First, &Key::First.kid());
        let page = self.post(&login, &token, &[]).await;
        assert_eq!(page.status.as_u16(), 303, "{}", page.body);
        std::mem::replace(
            &mut self.browser,
            Browser::new(app_for(db, &fixtures().join("valid")).await),
        )
    }

    /// The course roster the platform answers with from now on, `page_size` people a page.
    fn roster_is(&self, members: Vec<Value>, page_size: usize) {
        let mut book = self.platform.gradebook.lock().expect("the gradebook");
        book.roster = members;
        book.roster_page_size = page_size;
    }

    /// Registers the tool's key with the platform, as its administrator would.
    async fn trusts_the_tool(&self, db: &DatabaseConnection) {
        self.platform
            .gradebook
            .lock()
            .expect("the gradebook")
            .tool_key = Some(academy_tests::test_tool_key(db).await.public_jwk.clone());
    }
}

/// The academy account the platform's `sub` launched into (or the roster made).
async fn account_of(db: &DatabaseConnection, sub: &str) -> account::Model {
    let link = lti_account::Entity::find()
        .filter(lti_account::Column::Subject.eq(sub))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("an account for {sub}"));
    account::Entity::find_by_id(link.account_id)
        .one(db)
        .await
        .expect("query")
        .expect("the account")
}

async fn the_course(db: &DatabaseConnection) -> lti_course::Model {
    lti_course::Entity::find()
        .filter(lti_course::Column::ContextId.eq(COURSE_ID))
        .one(db)
        .await
        .expect("query")
        .expect("the course is remembered")
}

/// A VLE that trusts the tool, whose course `teacher-1` has opened the module from as its instructor: the
/// launcher, the teacher's account and the course as the academy remembers it.
async fn a_taught_course(db: &DatabaseConnection) -> (Launch, account::Model, lti_course::Model) {
    let mut launch = registered(db).await;
    launch.trusts_the_tool(db).await;
    launch
        .launch_in_course(db, "teacher-1", &[INSTRUCTOR], BETA, |_| {})
        .await;
    let teacher = account_of(db, "teacher-1").await;
    let course = the_course(db).await;
    (launch, teacher, course)
}

/// Syncs the course's roster as `actor`, through the service as the server function calls it.
async fn sync_as(
    db: &DatabaseConnection,
    actor: &account::Model,
    course: i32,
) -> Result<RosterSyncReport, app::error::AppError> {
    let access = ServiceAccess::new(false).expect("an HTTP client");
    let key = academy_tests::test_tool_key(db).await;
    rosters::sync(db, &access, &key, actor, course).await
}

/// The subjects of the cohort's members, and of its leads.
async fn cohort_people(
    db: &DatabaseConnection,
    cohort: i32,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let subject_of = |ids: Vec<i32>| async move {
        lti_account::Entity::find()
            .filter(lti_account::Column::AccountId.is_in(ids))
            .all(db)
            .await
            .expect("query")
            .into_iter()
            .map(|l| l.subject)
            .collect::<BTreeSet<_>>()
    };
    let members = cohort_member::Entity::find()
        .filter(cohort_member::Column::CohortId.eq(cohort))
        .all(db)
        .await
        .expect("query")
        .into_iter()
        .map(|m| m.account_id)
        .collect();
    let leads = cohort_lead::Entity::find()
        .filter(cohort_lead::Column::CohortId.eq(cohort))
        .all(db)
        .await
        .expect("query")
        .into_iter()
        .map(|l| l.account_id)
        .collect();
    (subject_of(members).await, subject_of(leads).await)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn a_teacher_syncs_the_courses_roster_into_a_cohort_its_instructors_lead(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    launch.trusts_the_tool(db).await;
    // A student who has opened the module already keeps their account and progress.
    let mut student = launch
        .launch_in_course(db, "student-1", &[LEARNER], BETA, |_| {})
        .await;
    let their_page = student.get("/dashboard").await;
    assert_eq!(their_page.status.as_u16(), 200);
    assert!(
        their_page.body.contains("href=\"/dashboard\"")
            && !their_page.body.contains("href=\"/cohorts\""),
        "a VLE learner is offered no cohorts"
    );
    let mut teacher = launch
        .launch_in_course(db, "teacher-1", &[INSTRUCTOR], BETA, |_| {})
        .await;
    let course = the_course(db).await;
    assert_eq!(course.title, "Informatics for clinicians");
    launch.roster_is(
        vec![
            member("teacher-1", INSTRUCTOR, "Active"),
            member("assistant-1", ASSISTANT, "Active"),
            member("student-1", LEARNER, "Active"),
            member("student-2", LEARNER, "Active"),
            member("student-3", LEARNER, "Inactive"),
            member("student-4", LEARNER, "Active"),
        ],
        2,
    );

    // The teacher sees the course on the cohorts page (offered in the navigation) and syncs it with a plain
    // form, landing on the new cohort.
    let page = teacher.get("/cohorts").await;
    assert_eq!(page.status.as_u16(), 200);
    for shown in [
        "href=\"/cohorts\"",
        "Your VLE courses",
        "Informatics for clinicians",
        "Sync roster",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }
    assert!(
        !page.body.contains("Create a cohort"),
        "a VLE teacher does not create cohorts by code"
    );
    let synced = teacher
        .post_form(
            "/api/sync-vle-roster",
            "/cohorts",
            &[("course", &course.id.to_string())],
        )
        .await;
    assert_eq!(synced.status.as_u16(), 302, "{}", synced.body);
    let location = synced.location.expect("sent to the cohort");
    let cohort = the_course(db).await.cohort_id.expect("the course's cohort");
    assert_eq!(
        location,
        format!("/cohorts/{cohort}?synced=3&added=3&removed=0")
    );
    {
        let book = launch.platform.gradebook.lock().expect("the gradebook");
        assert_eq!(book.roster_pages, 3, "every page followed");
        assert!(book.scopes_asked.iter().any(|s| s == MEMBERSHIP_SCOPE));
    }
    let (members, leads) = cohort_people(db, cohort).await;
    assert_eq!(members, set(&["student-1", "student-2", "student-4"]));
    assert_eq!(leads, set(&["assistant-1", "teacher-1"]));
    let made = cohort::Entity::find_by_id(cohort)
        .one(db)
        .await
        .expect("query")
        .expect("the cohort");
    assert_eq!(made.name, "Informatics for clinicians");

    // Those who have not launched yet have accounts under the VLE's name, linked by its id, never its
    // address; everyone in the cohort is enrolled in the course's module.
    let newcomer = account_of(db, "student-2").await;
    assert_eq!(newcomer.display_name, "Person student-2");
    assert!(
        newcomer.email.ends_with("@lti.invalid"),
        "{}",
        newcomer.email
    );
    assert_eq!(newcomer.role, Role::Learner);
    let enrolled = enrolment::Entity::find()
        .filter(enrolment::Column::AccountId.eq(newcomer.id))
        .count(db)
        .await
        .expect("count");
    assert_eq!(enrolled, 1);

    // The teacher sees the cohort's dashboard with its learners; the student launching later is the
    // account the roster made.
    let dashboard = teacher.get(&location).await;
    assert_eq!(dashboard.status.as_u16(), 200);
    assert!(
        dashboard
            .body
            .contains("Roster synced from the VLE: 3 learners in the course; 3 added, 0 removed."),
        "{}",
        dashboard.body
    );
    assert!(
        !dashboard.body.contains("lesson-list__meta\">lti-"),
        "an address the academy made is no one's, and not shown"
    );
    for name in ["Rosa Launch", "Person student-2", "Person student-4"] {
        assert!(dashboard.body.contains(name), "{name} in the dashboard");
    }
    launch
        .launch_in_course(db, "student-2", &[LEARNER], BETA, |_| {})
        .await;
    assert_eq!(account_of(db, "student-2").await.id, newcomer.id);
    let courses = teacher.post_json_form("/api/vle-courses", &[]).await;
    assert!(courses.body.contains("\"members\":3"), "{}", courses.body);
}

async fn a_later_sync_follows_the_course_and_keeps_those_who_joined_by_code(
    db: &DatabaseConnection,
) {
    let (mut launch, teacher, course) = a_taught_course(db).await;
    let mut assistant = launch
        .launch_in_course(db, "assistant-1", &[ASSISTANT], BETA, |_| {})
        .await;
    launch.roster_is(
        vec![
            member("teacher-1", INSTRUCTOR, "Active"),
            member("assistant-1", ASSISTANT, "Active"),
            member("student-1", LEARNER, "Active"),
            member("student-2", LEARNER, "Active"),
        ],
        0,
    );
    let first = sync_as(db, &teacher, course.id).await.expect("a sync");
    assert!(first.cohort_created);
    assert_eq!(
        (first.learners, first.leads, first.accounts_made),
        (2, 2, 2)
    );
    let cohort_id = first.cohort_id;
    // The assistant leads this cohort, whose dashboard they see.
    let dashboard = assistant
        .post_json_form("/api/cohort", &[("id", &cohort_id.to_string())])
        .await;
    assert_eq!(dashboard.status.as_u16(), 200, "{}", dashboard.body);

    // A verified learner joins by code.
    let code = cohort::Entity::find_by_id(cohort_id)
        .one(db)
        .await
        .expect("query")
        .expect("the cohort")
        .join_code;
    let by_code = academy_tests::account(db, "by-code@example.org", Role::Learner).await;
    cohorts::join(db, &by_code, &code).await.expect("joined");

    // The course changes: student-2 leaves, student-3 arrives, the assistant is no longer in it.
    launch.roster_is(
        vec![
            member("teacher-1", INSTRUCTOR, "Active"),
            member("student-1", LEARNER, "Active"),
            member("student-2", LEARNER, "Deleted"),
            member("student-3", LEARNER, "Active"),
        ],
        0,
    );
    let second = sync_as(db, &teacher, course.id).await.expect("a sync");
    assert!(!second.cohort_created);
    assert_eq!(second.cohort_id, cohort_id, "the same cohort");
    assert_eq!((second.added, second.removed), (1, 1));
    let (members, leads) = cohort_people(db, cohort_id).await;
    assert_eq!(members, set(&["student-1", "student-3"]));
    assert_eq!(leads, set(&["teacher-1"]));
    let joined_by_code = cohort_member::Entity::find()
        .filter(cohort_member::Column::CohortId.eq(cohort_id))
        .filter(cohort_member::Column::AccountId.eq(by_code.id))
        .count(db)
        .await
        .expect("count");
    assert_eq!(joined_by_code, 1, "a sync never removes who joined by code");
    // The student who left keeps their account and enrolment.
    let left = account_of(db, "student-2").await;
    assert_eq!(
        enrolment::Entity::find()
            .filter(enrolment::Column::AccountId.eq(left.id))
            .count(db)
            .await
            .expect("count"),
        1
    );
    // The assistant no longer leads the cohort, nor may sync the course.
    let refused = assistant
        .post_json_form("/api/cohort", &[("id", &cohort_id.to_string())])
        .await;
    assert_eq!(refused.status.as_u16(), 403, "{}", refused.body);
    let assistant_account = account_of(db, "assistant-1").await;
    assert_eq!(
        sync_as(db, &assistant_account, course.id).await,
        Err(app::error::AppError::Forbidden)
    );

    // A teacher's personal data names the courses they teach and the cohorts they lead.
    let bytes = personal_data::export(db, &teacher).await.expect("export");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("data.json").expect("data.json"), &mut text)
        .expect("readable");
    let data: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        data["vle_courses_taught"][0]["course"],
        "Informatics for clinicians"
    );
    assert_eq!(
        data["cohorts_led"][0]["cohort"],
        "Informatics for clinicians"
    );

    // The teacher drops out of the roster: their sync is refused and the course leaves their list.
    launch.roster_is(
        vec![
            member("teacher-2", INSTRUCTOR, "Active"),
            member("student-1", LEARNER, "Active"),
        ],
        0,
    );
    assert_eq!(
        sync_as(db, &teacher, course.id).await,
        Err(app::error::AppError::Forbidden)
    );
    assert!(
        rosters::courses_for(db, &teacher)
            .await
            .expect("a list")
            .is_empty()
    );
    let (members, _) = cohort_people(db, cohort_id).await;
    assert_eq!(members, set(&["student-1", "student-3"]), "nothing changed");
}

async fn only_the_courses_teachers_and_admins_sync_and_vle_roles_lead_nothing_else(
    db: &DatabaseConnection,
) {
    let mut launch = registered(db).await;
    launch.trusts_the_tool(db).await;
    launch
        .launch_in_course(db, "teacher-1", &[INSTRUCTOR], BETA, |_| {})
        .await;
    let mut student = launch
        .launch_in_course(db, "student-1", &[LEARNER], BETA, |_| {})
        .await;
    // A teacher of another course on the same VLE.
    let mut elsewhere = launch
        .launch_in_course(db, "teacher-2", &[INSTRUCTOR], BETA, |claims| {
            claims[format!("{LTI}context")] = json!({ "id": "course-2", "title": "Another" });
        })
        .await;
    let course = the_course(db).await;
    launch.roster_is(vec![member("student-1", LEARNER, "Active")], 0);
    let id = course.id.to_string();

    let mut anonymous = Browser::new(app_for(db, &fixtures().join("valid")).await);
    let answer = anonymous
        .post_json_form("/api/sync-vle-roster", &[("course", &id)])
        .await;
    assert_eq!(answer.status.as_u16(), 401, "{}", answer.body);
    for (who, browser) in [
        ("a learner", &mut student),
        ("another course's teacher", &mut elsewhere),
    ] {
        let answer = browser
            .post_json_form("/api/sync-vle-roster", &[("course", &id)])
            .await;
        assert_eq!(answer.status.as_u16(), 403, "{who}: {}", answer.body);
        let listed = browser.post_json_form("/api/vle-courses", &[]).await;
        assert!(
            !listed.body.contains(&format!("\"id\":{id},")),
            "{who} is not shown the course: {}",
            listed.body
        );
    }
    let lead = academy_tests::account(db, "lead@example.org", Role::CourseLead).await;
    assert_eq!(
        sync_as(db, &lead, course.id).await,
        Err(app::error::AppError::Forbidden),
        "a course lead who does not teach the course"
    );
    let admin = academy_tests::account(db, "admin@example.org", Role::Admin).await;
    let report = sync_as(db, &admin, course.id)
        .await
        .expect("an admin syncs");
    assert_eq!(report.learners, 1);

    // A VLE teacher leads the cohort of their course, and nothing else: no cohort of their own by code, no
    // other lead's cohort, no authoring.
    let teacher = account_of(db, "teacher-1").await;
    assert_eq!(teacher.role, Role::Learner);
    let others = cohorts::create(
        db,
        &lead,
        "Someone else's",
        vec!["beta".into()],
        &std::collections::HashMap::new(),
    )
    .await
    .expect("a lead's cohort");
    assert_eq!(
        cohorts::dashboard(db, &teacher, others).await.err(),
        Some(app::error::AppError::Forbidden)
    );
    assert_eq!(
        cohorts::create(
            db,
            &teacher,
            "Mine",
            vec!["beta".into()],
            &std::collections::HashMap::new()
        )
        .await,
        Err(app::error::AppError::Forbidden)
    );
    // The admin's sync, whose roster names no instructor, ended the teacher's part in the course.
    assert_eq!(
        cohorts::list_for_lead(db, &teacher).await,
        Err(app::error::AppError::Forbidden)
    );
}

async fn a_roster_the_vle_refuses_or_garbles_changes_nothing(db: &DatabaseConnection) {
    let (mut launch, teacher, course) = a_taught_course(db).await;
    launch.roster_is(vec![member("student-1", LEARNER, "Active")], 0);
    let conflict = |result: Result<RosterSyncReport, app::error::AppError>| match result {
        Err(app::error::AppError::Conflict(message)) => message,
        other => panic!("a conflict, not {other:?}"),
    };

    launch
        .platform
        .gradebook
        .lock()
        .expect("the gradebook")
        .roster_status = Some(500);
    let down = conflict(sync_as(db, &teacher, course.id).await);
    assert!(
        down.contains("did not answer with the course's roster"),
        "{down}"
    );
    {
        let mut book = launch.platform.gradebook.lock().expect("the gradebook");
        book.roster_status = None;
        book.roster_context = Some("someone-elses-course".into());
    }
    let garbled = conflict(sync_as(db, &teacher, course.id).await);
    assert!(
        garbled.contains("could not take as the course's roster"),
        "{garbled}"
    );
    // On a site served over https, a roster address that is not a public https one is not called.
    {
        let mut book = launch.platform.gradebook.lock().expect("the gradebook");
        book.roster_context = None;
    }
    let public_only = ServiceAccess::new(true).expect("an HTTP client");
    let key = academy_tests::test_tool_key(db).await;
    let inside = conflict(rosters::sync(db, &public_only, &key, &teacher, course.id).await);
    assert!(
        inside.contains("could not take as the course's roster"),
        "{inside}"
    );
    launch
        .platform
        .gradebook
        .lock()
        .expect("the gradebook")
        .roster_context = Some("someone-elses-course".into());
    // A VLE that does not trust the tool's key gives no token.
    launch
        .platform
        .gradebook
        .lock()
        .expect("the gradebook")
        .tool_key = None;
    let untrusted = conflict(sync_as(db, &teacher, course.id).await);
    assert!(
        untrusted.contains("did not let the academy read"),
        "{untrusted}"
    );
    assert_eq!(the_course(db).await.cohort_id, None, "no cohort made");
    assert_eq!(cohort::Entity::find().count(db).await.expect("count"), 0);

    // A course whose launches never offered the roster, or with no module placed, says what to do.
    launch
        .launch_in_course(
            db,
            "teacher-3",
            &[INSTRUCTOR],
            "http://localhost/pathways/starter",
            |claims| {
                claims[format!("{LTI}context")] =
                    json!({ "id": "course-3", "title": "Pathway only" });
                claims
                    .as_object_mut()
                    .expect("claims")
                    .remove("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice");
            },
        )
        .await;
    let other_teacher = account_of(db, "teacher-3").await;
    let other_course = lti_course::Entity::find()
        .filter(lti_course::Column::ContextId.eq("course-3"))
        .one(db)
        .await
        .expect("query")
        .expect("course-3");
    let no_roster = conflict(sync_as(db, &other_teacher, other_course.id).await);
    assert!(
        no_roster.contains("has not offered this course's roster"),
        "{no_roster}"
    );
    lti_course::Entity::update_many()
        .col_expr(
            lti_course::Column::MembershipsUrl,
            sea_orm::sea_query::Expr::value(Some(format!(
                "{}/nrps/memberships",
                launch.platform.issuer
            ))),
        )
        .filter(lti_course::Column::Id.eq(other_course.id))
        .exec(db)
        .await
        .expect("the roster offered");
    let no_module = conflict(sync_as(db, &other_teacher, other_course.id).await);
    assert!(
        no_module.contains("Place an academy module in the course first"),
        "{no_module}"
    );

    // Once synced, a roster cut short by a failing page, or one listing no learners, changes nothing.
    launch
        .platform
        .gradebook
        .lock()
        .expect("the gradebook")
        .roster_context = None;
    launch.trusts_the_tool(db).await;
    launch.roster_is(
        vec![
            member("teacher-1", INSTRUCTOR, "Active"),
            member("student-1", LEARNER, "Active"),
            member("student-2", LEARNER, "Active"),
            member("student-3", LEARNER, "Active"),
        ],
        2,
    );
    let first = sync_as(db, &teacher, course.id).await.expect("a sync");
    assert_eq!(first.learners, 3);
    launch.roster_is(vec![member("teacher-1", INSTRUCTOR, "Active")], 2);
    let emptied = conflict(sync_as(db, &teacher, course.id).await);
    assert!(emptied.contains("lists no active learners"), "{emptied}");
    launch.roster_is(
        vec![
            member("teacher-1", INSTRUCTOR, "Active"),
            member("student-1", LEARNER, "Active"),
            member("student-4", LEARNER, "Active"),
        ],
        2,
    );
    launch
        .platform
        .gradebook
        .lock()
        .expect("the gradebook")
        .roster_failing_page = Some(1);
    let cut = conflict(sync_as(db, &teacher, course.id).await);
    assert!(
        cut.contains("did not answer with the course's roster"),
        "{cut}"
    );
    let (members, _) = cohort_people(db, first.cohort_id).await;
    assert_eq!(members, set(&["student-1", "student-2", "student-3"]));
}

async fn an_erased_learner_is_not_made_an_account_again_by_the_roster(db: &DatabaseConnection) {
    let (mut launch, teacher, course) = a_taught_course(db).await;
    let mut student = launch
        .launch_in_course(db, "student-1", &[LEARNER], BETA, |_| {})
        .await;
    launch.roster_is(
        vec![
            member("teacher-1", INSTRUCTOR, "Active"),
            member("student-1", LEARNER, "Active"),
            member("student-2", LEARNER, "Active"),
        ],
        0,
    );
    let first = sync_as(db, &teacher, course.id).await.expect("a sync");
    assert_eq!(first.learners, 2);

    // The student erases their account (a VLE account confirms with the address shown, in a session the
    // VLE signed in moments ago).
    let erasing = account_of(db, "student-1").await;
    let erased = student
        .post_form(
            "/api/delete-account",
            "/account",
            &[
                ("delete_password", erasing.email.as_str()),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(
        erased.location.as_deref(),
        Some("/account-deleted"),
        "{} {}",
        erased.status,
        erased.body
    );
    let again = sync_as(db, &teacher, course.id).await.expect("a sync");
    assert_eq!((again.learners, again.accounts_made), (1, 0), "{again:?}");
    let (members, _) = cohort_people(db, first.cohort_id).await;
    assert_eq!(members, set(&["student-2"]));

    // Launching again is their choice: a new account, which the next sync adds.
    launch
        .launch_in_course(db, "student-1", &[LEARNER], BETA, |_| {})
        .await;
    let back = sync_as(db, &teacher, course.id).await.expect("a sync");
    assert_eq!(back.learners, 2);
    let (members, _) = cohort_people(db, first.cohort_id).await;
    assert_eq!(members, set(&["student-1", "student-2"]));
}

async fn a_launch_with_a_malformed_course_claim_still_signs_in(db: &DatabaseConnection) {
    let mut launch = registered(db).await;
    let page = launch
        .launch_with("learner-9", |claims| {
            claims[format!("{LTI}context")] = json!("not an object");
            claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] =
                json!({ "service_versions": ["2.0"] });
        })
        .await;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    assert!(launch.signed_in().await);
    assert_eq!(
        lti_course::Entity::find().count(db).await.expect("count"),
        0,
        "no course is remembered from a malformed claim"
    );
}

on_both_databases!(
    a_teacher_syncs_the_courses_roster_into_a_cohort_its_instructors_lead,
    a_later_sync_follows_the_course_and_keeps_those_who_joined_by_code,
    only_the_courses_teachers_and_admins_sync_and_vle_roles_lead_nothing_else,
    a_roster_the_vle_refuses_or_garbles_changes_nothing,
    an_erased_learner_is_not_made_an_account_again_by_the_roster,
    a_launch_with_a_malformed_course_claim_still_signs_in,
);
