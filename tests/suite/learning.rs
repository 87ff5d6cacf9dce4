//! A learning event (completing a lesson, submitting an attempt) is all-or-nothing: its progress or
//! attempt, the completion and record it earns, and its statements commit together, on both databases.

use academy_tests::{Learning, fixtures, learner, on_both_databases, publish};
use app::error::AppError;
use app::model::accounts::Role;
use app::model::catalogue::ProgressSummary;
use app::ssr::entities::{
    account, cohort, cohort_member, completion_record, enrolment, lesson_progress, module,
    module_completion, quiz_attempt, xapi_statement,
};
use app::ssr::group_commit::Writes;
use app::ssr::services::accounts::{self, Registration, find_by_email};
use app::ssr::services::lesson_events::{self, LearnerLesson, LessonCompletion, LessonOpening};
use app::ssr::services::quizzes::Answers;
use app::ssr::services::xapi::VERB_EXPERIENCED;
use app::ssr::services::{cohorts, email_links, learning, personal_data, progress};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};

/// Makes the database itself refuse every new statement, as a full disk or a lost connection would at
/// that point of the transaction.
async fn refuse_statements(db: &DatabaseConnection) {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            "CREATE TRIGGER refuse_statements BEFORE INSERT ON xapi_statement \
             BEGIN SELECT RAISE(ABORT, 'statements refused by the test'); END;"
        }
        _ => {
            "CREATE FUNCTION refuse_statements() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'statements refused by the test'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER refuse_statements BEFORE INSERT ON xapi_statement \
             FOR EACH ROW EXECUTE FUNCTION refuse_statements();"
        }
    };
    db.execute_unprepared(sql)
        .await
        .expect("install the trigger");
}

async fn accept_statements(db: &DatabaseConnection) {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Sqlite => "DROP TRIGGER refuse_statements",
        _ => "DROP TRIGGER refuse_statements ON xapi_statement",
    };
    db.execute_unprepared(sql).await.expect("drop the trigger");
}

async fn rows<E>(db: &DatabaseConnection) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(db).await.expect("count rows")
}

async fn a_lesson_completion_that_cannot_record_its_statement_leaves_nothing_behind(
    db: &DatabaseConnection,
) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "atomic@example.org").await;
    refuse_statements(db).await;

    // "beta" has one lesson: completing it would also complete the module and issue its record.
    let failed = learning::complete_lesson(db, learn.context(), id, "beta", "only").await;
    assert!(failed.is_err(), "the event fails when its statement does");
    assert_eq!(rows::<lesson_progress::Entity>(db).await, 0, "no progress");
    assert_eq!(rows::<enrolment::Entity>(db).await, 0, "no enrolment");
    assert_eq!(
        rows::<module_completion::Entity>(db).await,
        0,
        "no completion"
    );
    assert_eq!(rows::<completion_record::Entity>(db).await, 0, "no record");

    accept_statements(db).await;
    let done = learning::complete_lesson(db, learn.context(), id, "beta", "only")
        .await
        .expect("the same event succeeds once statements are accepted");
    assert_eq!((done.completed, done.total), (1, 1));
    assert_eq!(rows::<lesson_progress::Entity>(db).await, 1);
    assert_eq!(rows::<completion_record::Entity>(db).await, 1);
    assert_eq!(
        rows::<xapi_statement::Entity>(db).await,
        3,
        "lesson completed, module completed, record earned"
    );
}

async fn an_attempt_that_cannot_record_its_statements_is_not_stored_or_counted(
    db: &DatabaseConnection,
) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let id = learner(db, "atomic-attempt@example.org").await;
    learning::complete_lesson(db, learn.context(), id, "gamma", "only")
        .await
        .expect("lesson");
    refuse_statements(db).await;
    let all_right = gamma_all_right();

    let failed = learning::submit_attempt(
        db,
        learn.context(),
        id,
        "gamma",
        "assessment",
        all_right.clone(),
    )
    .await;
    assert!(failed.is_err(), "the attempt fails when its statements do");
    assert_eq!(
        rows::<quiz_attempt::Entity>(db).await,
        0,
        "no attempt used up"
    );
    assert_eq!(rows::<completion_record::Entity>(db).await, 0, "no record");

    accept_statements(db).await;
    let passed =
        learning::submit_attempt(db, learn.context(), id, "gamma", "assessment", all_right)
            .await
            .expect("the same attempt succeeds once statements are accepted");
    assert!(passed.passed);
    assert_eq!(rows::<quiz_attempt::Entity>(db).await, 1, "counted once");
    assert_eq!(rows::<completion_record::Entity>(db).await, 1);
}

on_both_databases!(
    a_lesson_completion_that_cannot_record_its_statement_leaves_nothing_behind,
    an_attempt_that_cannot_record_its_statements_is_not_stored_or_counted,
);

/// Makes the database refuse statements for learners whose id is a multiple of five, after their progress
/// and enrolment were written in the same event.
async fn refuse_statements_of_every_fifth_learner(db: &DatabaseConnection) {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            "CREATE TRIGGER refuse_some BEFORE INSERT ON xapi_statement \
             WHEN NEW.account_id % 5 = 0 \
             BEGIN SELECT RAISE(ABORT, 'statements refused by the test'); END;"
        }
        _ => {
            "CREATE FUNCTION refuse_some() RETURNS trigger AS $$ \
             BEGIN IF NEW.account_id % 5 = 0 THEN RAISE EXCEPTION 'statements refused by the test'; \
             END IF; RETURN NEW; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER refuse_some BEFORE INSERT ON xapi_statement \
             FOR EACH ROW EXECUTE FUNCTION refuse_some();"
        }
    };
    db.execute_unprepared(sql)
        .await
        .expect("install the trigger");
}

/// Events from many learners at once (on SQLite, sharing one transaction and one flush to disk): each is
/// stored or undone on its own, and every completion acknowledged is in the database.
async fn events_written_together_succeed_or_fail_one_by_one(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let writes = Writes::for_database(db);
    let mut learners = Vec::new();
    for n in 0..40 {
        learners.push(learner(db, &format!("together{n}@example.org")).await);
    }
    refuse_statements_of_every_fifth_learner(db).await;
    let mut running = tokio::task::JoinSet::new();
    for &id in &learners {
        let (writes, context) = (writes.clone(), learn.context());
        running.spawn(async move {
            let outcome = learning::complete_lesson(writes, context, id, "alpha", "first").await;
            (id, outcome)
        });
    }
    let mut acknowledged = 0;
    while let Some(joined) = running.join_next().await {
        let (id, outcome) = joined.expect("the event's task");
        if id % 5 == 0 {
            assert!(outcome.is_err(), "learner {id}'s statement was refused");
        } else {
            let progress = outcome.expect("stored");
            assert_eq!(progress.completed, 1);
            acknowledged += 1;
        }
    }
    assert_eq!(acknowledged, 32);
    assert_eq!(
        rows::<lesson_progress::Entity>(db).await,
        32,
        "every acknowledged completion is stored, and no refused one"
    );
    assert_eq!(
        rows::<enrolment::Entity>(db).await,
        32,
        "a refused event's enrolment is undone with it"
    );

    // Lesson openings, written together the same way: each refused one fails alone.
    let mut running = tokio::task::JoinSet::new();
    for &id in &learners {
        let (writes, context) = (writes.clone(), learn.context());
        running.spawn(async move {
            let outcome = learning::open_lesson(writes, context, id, "alpha", "second").await;
            (id, outcome)
        });
    }
    let mut opened = 0;
    while let Some(joined) = running.join_next().await {
        let (id, outcome) = joined.expect("the event's task");
        if id % 5 == 0 {
            assert!(outcome.is_err(), "learner {id}'s statement was refused");
        } else {
            outcome.expect("stored");
            opened += 1;
        }
    }
    assert_eq!(opened, 32);
    let experienced = xapi_statement::Entity::find()
        .filter(xapi_statement::Column::Verb.eq(VERB_EXPERIENCED))
        .count(db)
        .await
        .expect("count statements");
    assert_eq!(experienced, 32, "one statement per opening acknowledged");
}

on_both_databases!(events_written_together_succeed_or_fail_one_by_one);

/// A learner's progress as a page shows it: lessons done, lessons in all, and where to continue.
fn shown(outcome: &Result<ProgressSummary, AppError>) -> (u32, u32, Option<String>) {
    let summary = outcome.as_ref().expect("the completion succeeded");
    (
        summary.completed,
        summary.total,
        summary.next_lesson.as_ref().map(|l| l.slug.clone()),
    )
}

/// Many completions written together (as the writer does with every one waiting) answer each learner as
/// if they had been written one after another: a learner finishing two lessons in one batch sees one, then
/// both; the module is completed once, with one record, and each event has one statement; a lesson or module
/// that does not exist is that request's own error and writes nothing for it.
async fn completions_written_together_answer_as_if_written_in_turn(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let ann = learner(db, "ann@example.org").await;
    let bob = learner(db, "bob@example.org").await;
    let ask = |account_id: i32, module: &str, lesson: &str| {
        LessonCompletion(LearnerLesson::new(account_id, module, lesson))
    };
    let requests = [
        ask(ann, "alpha", "first"),
        ask(bob, "alpha", "nope"),
        ask(ann, "alpha", "second"),
        ask(bob, "ghost", "first"),
        ask(ann, "alpha", "first"),
        ask(bob, "beta", "only"),
    ];
    let outcomes = committed_batch(db, &learn.context(), &requests).await;

    assert_eq!(outcomes.len(), requests.len(), "one outcome per request");
    assert_eq!(shown(&outcomes[0]), (1, 2, Some("second".to_owned())));
    assert_eq!(shown(&outcomes[2]), (2, 2, None), "then both");
    assert_eq!(shown(&outcomes[4]), (2, 2, None), "the first again");
    assert_eq!(shown(&outcomes[5]), (1, 1, None));
    assert!(
        matches!(&outcomes[1], Err(AppError::NotFound(what)) if what.contains("nope")),
        "{:?}",
        outcomes[1]
    );
    assert!(
        matches!(&outcomes[3], Err(AppError::NotFound(what)) if what.contains("ghost")),
        "{:?}",
        outcomes[3]
    );

    assert_eq!(
        rows::<lesson_progress::Entity>(db).await,
        3,
        "ann's two lessons and bob's one"
    );
    assert_eq!(
        rows::<enrolment::Entity>(db).await,
        2,
        "bob is not enrolled in alpha by a lesson that does not exist"
    );
    assert_eq!(rows::<module_completion::Entity>(db).await, 2);
    assert_eq!(rows::<completion_record::Entity>(db).await, 2);
    assert_eq!(
        rows::<xapi_statement::Entity>(db).await,
        7,
        "ann: two lessons, the module, the record; bob: one lesson, the module, the record"
    );
}

on_both_databases!(completions_written_together_answer_as_if_written_in_turn);

/// Events refused together are written again one at a time in the order a batch takes its locks (learner,
/// then module row id), not in the order they came: in request order, a retry on one server and a batch on
/// another could each hold a lock the other waits for. A learner's own events keep their order.
async fn a_refused_batch_is_retried_in_the_order_batches_lock(db: &DatabaseConnection) {
    publish(db, &fixtures().join("valid")).await;
    let id_of = |slug: &'static str| async move {
        module::Entity::find()
            .filter(module::Column::Slug.eq(slug))
            .one(db)
            .await
            .expect("read modules")
            .expect("published")
            .id
    };
    let (alpha, beta) = (id_of("alpha").await, id_of("beta").await);
    let requests = [
        LearnerLesson::new(2, "beta", "only"),
        LearnerLesson::new(1, "alpha", "first"),
        LearnerLesson::new(2, "alpha", "first"),
        LearnerLesson::new(1, "beta", "only"),
        LearnerLesson::new(1, "alpha", "second"),
        LearnerLesson::new(1, "no-such-module", "x"),
    ];
    let order = lesson_events::lock_order(db, requests.iter())
        .await
        .expect("the order");
    let mut expected: Vec<usize> = (0..requests.len()).collect();
    let module_id = |slug: &str| match slug {
        "alpha" => alpha,
        "beta" => beta,
        _ => i32::MAX,
    };
    expected.sort_by_key(|&at| {
        (
            requests[at].account_id,
            module_id(&requests[at].module_slug),
        )
    });
    assert_eq!(order, expected);
    let first_of_learner_one_in_alpha = order.iter().position(|&at| at == 1);
    let second_of_learner_one_in_alpha = order.iter().position(|&at| at == 4);
    assert!(
        first_of_learner_one_in_alpha < second_of_learner_one_in_alpha,
        "a learner's own events in one module keep their order"
    );
    let learner_one: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&at| requests[at].account_id == 1)
        .collect();
    assert_eq!(
        learner_one.last(),
        Some(&5),
        "a module no longer listed comes last of its learner's"
    );
}

on_both_databases!(a_refused_batch_is_retried_in_the_order_batches_lock);

/// Lesson openings written together (every signed-in lesson view records one): one "experienced"
/// statement per learner, lesson and module version, however often it is opened in the batch; opening
/// enrols nobody; a lesson that does not exist is that request's own error.
async fn openings_written_together_record_each_once(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let ann = learner(db, "ann@example.org").await;
    let bob = learner(db, "bob@example.org").await;
    let open = |account_id: i32, module: &str, lesson: &str| {
        LessonOpening(LearnerLesson::new(account_id, module, lesson))
    };
    let requests = [
        open(ann, "alpha", "first"),
        open(bob, "alpha", "first"),
        open(ann, "alpha", "first"),
        open(bob, "alpha", "nope"),
        open(ann, "beta", "only"),
    ];
    let txn = db.begin().await.expect("begin");
    let outcomes = lesson_events::open_together(&txn, &learn.context(), &requests)
        .await
        .expect("written together");
    txn.commit().await.expect("commit");

    assert_eq!(outcomes.len(), requests.len(), "one outcome per request");
    for n in [0, 1, 2, 4] {
        assert!(outcomes[n].is_ok(), "request {n}: {:?}", outcomes[n]);
    }
    assert!(
        matches!(&outcomes[3], Err(AppError::NotFound(what)) if what.contains("nope")),
        "{:?}",
        outcomes[3]
    );
    assert_eq!(
        rows::<xapi_statement::Entity>(db).await,
        3,
        "ann opened alpha's first lesson (twice) and beta's; bob alpha's first"
    );
    assert_eq!(
        rows::<enrolment::Entity>(db).await,
        0,
        "opening enrols nobody"
    );
}

on_both_databases!(openings_written_together_record_each_once);

/// Two servers sharing one PostgreSQL, each completing one of a learner's last two lessons of a module at
/// the same moment, complete the module once: the second waits at the learner's enrolment for the first to
/// commit, then reads its progress. (Without the wait each read the progress before the other's lesson and
/// the module was never completed.) SQLite has one writer for the whole server, so this is PostgreSQL's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_completing_the_last_two_lessons_at_once_complete_the_module() {
    let db = academy_tests::TestDb::postgres().await;
    academy_tests::guard_against_hangs(last_two_lessons_at_once(&db.conn)).await;
    db.finish().await;
}

async fn last_two_lessons_at_once(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let ann = learner(db, "ann@example.org").await;
    let alpha = module::Entity::find()
        .filter(module::Column::Slug.eq("alpha"))
        .one(db)
        .await
        .expect("read modules")
        .expect("alpha is published");
    // Enrolled long ago, as a learner part-way through a module is.
    enrolment::ActiveModel {
        account_id: Set(ann),
        module_id: Set(alpha.id),
        enrolled_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("enrol");
    let complete = |lesson: &str| [LessonCompletion(LearnerLesson::new(ann, "alpha", lesson))];

    let (first, first_outcome) = uncommitted_batch(db, &learn.context(), &complete("first")).await;
    assert_eq!(shown(&first_outcome[0]), (1, 2, Some("second".to_owned())));

    let second = tokio::spawn({
        let (db, context, requests) = (db.clone(), learn.context(), complete("second"));
        async move { committed_batch(&db, &context, &requests).await }
    });
    let second_outcome = waits_for_commit(
        second,
        first,
        "the second server waits for the first to commit",
    )
    .await;

    assert_eq!(
        shown(&second_outcome[0]),
        (2, 2, None),
        "the second saw the first's lesson"
    );
    assert_eq!(
        rows::<module_completion::Entity>(db).await,
        1,
        "the module is completed once"
    );
    assert_eq!(
        rows::<completion_record::Entity>(db).await,
        1,
        "with one record"
    );
}

/// Passing a module's assessment on one server while its last lesson is completed on another, at the same
/// moment, completes the module: the assessment waits at the learner's enrolment for the lesson to commit,
/// then reads it. (Without the wait each would read the other's part as missing, and neither would complete
/// the module.) PostgreSQL's, as above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_last_lesson_and_a_passed_assessment_on_two_servers_at_once_complete_the_module() {
    let db = academy_tests::TestDb::postgres().await;
    academy_tests::guard_against_hangs(last_lesson_and_assessment_at_once(&db.conn)).await;
    db.finish().await;
}

async fn last_lesson_and_assessment_at_once(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let ann = learner(db, "ann@example.org").await;
    // "gamma" needs its one lesson completed and its assessment passed.
    let (lesson, outcome) = uncommitted_batch(
        db,
        &learn.context(),
        &[LessonCompletion(LearnerLesson::new(ann, "gamma", "only"))],
    )
    .await;
    assert_eq!(shown(&outcome[0]), (1, 1, None));

    let assessment = tokio::spawn({
        let (db, context) = (db.clone(), learn.context());
        async move {
            learning::submit_attempt(&db, context, ann, "gamma", "assessment", gamma_all_right())
                .await
                .expect("the assessment")
        }
    });
    let attempt = waits_for_commit(
        assessment,
        lesson,
        "the assessment waits for the lesson to commit",
    )
    .await;

    assert!(attempt.passed);
    assert_eq!(
        rows::<module_completion::Entity>(db).await,
        1,
        "the module is completed"
    );
    assert_eq!(
        rows::<completion_record::Entity>(db).await,
        1,
        "with its record"
    );
}

/// A learner's address verified on one server while another completes their last lesson, at the same
/// moment, earns the module's record: the records waiting for the verification are issued after the
/// learner's enrolment is free, so they see the lesson. PostgreSQL's, as above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_last_lesson_and_an_email_verification_on_two_servers_at_once_issue_the_record() {
    let db = academy_tests::TestDb::postgres().await;
    academy_tests::guard_against_hangs(last_lesson_and_verification_at_once(&db.conn)).await;
    db.finish().await;
}

async fn last_lesson_and_verification_at_once(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let (ann, token) = registered_with_a_verification_link(db, "ann@example.org").await;

    // "beta" has one lesson; the learner is not verified yet, so completing it earns nothing yet.
    let (lesson, outcome) = uncommitted_batch(
        db,
        &learn.context(),
        &[LessonCompletion(LearnerLesson::new(ann.id, "beta", "only"))],
    )
    .await;
    assert_eq!(shown(&outcome[0]), (1, 1, None));

    let verification = tokio::spawn({
        let (db, issuer, frameworks) = (db.clone(), learn.issuer.clone(), learn.frameworks.clone());
        async move {
            email_links::verify_email(&db, &issuer, &frameworks, &[], &token)
                .await
                .expect("the verification")
        }
    });
    waits_for_commit(
        verification,
        lesson,
        "the waiting records wait for the lesson to commit",
    )
    .await;

    assert_eq!(
        rows::<module_completion::Entity>(db).await,
        1,
        "the module is completed"
    );
    assert_eq!(
        rows::<completion_record::Entity>(db).await,
        1,
        "and its record issued"
    );
}

/// Every answer of the "gamma" fixture's assessment right.
fn gamma_all_right() -> Answers {
    [
        ("final-1", vec![0]),
        ("final-2", vec![1]),
        ("final-3", vec![0, 2]),
    ]
    .into_iter()
    .map(|(q, chosen)| (q.to_owned(), chosen.into_iter().collect()))
    .collect()
}

/// Erasing an account on one server while a lesson of the same learner is being written on another leaves
/// nothing of the learner behind: the lesson holds the account until it commits, the erasure marks the account
/// first and so waits for it, then deletes everything, the lesson's rows included. (Before, the erasure ran
/// its deletes past the uncommitted lesson, and its progress and statements survived the erasure.) The other
/// order is refused: a lesson for an account already erased writes nothing. PostgreSQL's, as above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_on_one_server_during_a_lesson_on_another_leaves_nothing_behind() {
    let db = academy_tests::TestDb::postgres().await;
    academy_tests::guard_against_hangs(erasure_during_a_lesson(&db.conn)).await;
    db.finish().await;
}

async fn erasure_during_a_lesson(db: &DatabaseConnection) {
    let learn = Learning::new(db).await;
    publish(db, &fixtures().join("valid")).await;
    let ann = academy_tests::account(db, "ann@example.org", Role::Learner).await;
    // "alpha" has two lessons: the first completes nothing more, so only the lesson itself holds the learner.
    let complete = [LessonCompletion(LearnerLesson::new(
        ann.id, "alpha", "first",
    ))];

    let (lesson, outcome) = uncommitted_batch(db, &learn.context(), &complete).await;
    assert_eq!(shown(&outcome[0]), (1, 2, Some("second".to_owned())));

    let erasure = tokio::spawn({
        let (db, ann) = (db.clone(), ann.clone());
        async move {
            personal_data::erase_account(&db, &ann, "a long enough passphrase", None)
                .await
                .expect("the erasure")
        }
    });
    waits_for_commit(
        erasure,
        lesson,
        "the erasure waits for the lesson to commit",
    )
    .await;

    assert_eq!(
        rows::<lesson_progress::Entity>(db).await,
        0,
        "no progress left"
    );
    assert_eq!(rows::<enrolment::Entity>(db).await, 0, "no enrolment left");
    assert_eq!(
        rows::<module_completion::Entity>(db).await,
        0,
        "no completion left"
    );
    assert_eq!(
        rows::<xapi_statement::Entity>(db).await,
        0,
        "no statement left"
    );

    // Afterwards, nothing is written for the erased account: no lesson, no enrolment, no cohort membership
    // (each as if from a request that read the account just before the erasure).
    let refused = learning::complete_lesson(db, learn.context(), ann.id, "alpha", "first").await;
    assert_eq!(refused, Err(AppError::SignInRequired));
    assert_eq!(
        progress::enrol(db, ann.id, "alpha").await,
        Err(AppError::SignInRequired)
    );
    let lead = academy_tests::account(db, "lead@example.org", Role::CourseLead).await;
    let cohort = cohorts::create(
        db,
        &lead,
        "Erasure",
        vec!["alpha".into()],
        &Default::default(),
    )
    .await
    .expect("a cohort");
    let code = cohort::Entity::find_by_id(cohort)
        .one(db)
        .await
        .expect("read the cohort")
        .expect("the cohort")
        .join_code;
    assert_eq!(
        cohorts::join(db, &ann, &code).await,
        Err(AppError::SignInRequired)
    );
    assert_eq!(rows::<lesson_progress::Entity>(db).await, 0);
    assert_eq!(rows::<enrolment::Entity>(db).await, 0);
    assert_eq!(rows::<cohort_member::Entity>(db).await, 0);
    // Nor is the erased account's name, password or role written back by a change that read it before.
    assert_eq!(
        accounts::change_name(db, &ann, "Ann Again").await,
        Err(AppError::SignInRequired)
    );
    assert_eq!(
        accounts::change_password(
            db,
            "https://academy.example.nhs.uk",
            &ann,
            "a long enough passphrase",
            "another long passphrase",
            None
        )
        .await,
        Err(AppError::SignInRequired)
    );
    let tombstone = account::Entity::find_by_id(ann.id)
        .one(db)
        .await
        .expect("read the account")
        .expect("the tombstone");
    assert_eq!(tombstone.display_name, "Erased account");
    assert_eq!(tombstone.password_hash, "");

    // The other order: an erasure already under way (its first step marks the account) holds back a lesson
    // that arrives meanwhile, which is then refused and writes nothing.
    let bob = learner(db, "bob@example.org").await;
    let erasing = erasure_under_way(db, bob).await;
    let late = tokio::spawn({
        let (db, context) = (db.clone(), learn.context());
        async move {
            let requests = [LessonCompletion(LearnerLesson::new(bob, "alpha", "first"))];
            committed_batch(&db, &context, &requests).await
        }
    });
    let outcome =
        waits_for_commit(late, erasing, "the lesson waits for the erasure to commit").await;
    assert_eq!(outcome, vec![Err(AppError::SignInRequired)]);
    assert_eq!(rows::<lesson_progress::Entity>(db).await, 0);
    assert_eq!(rows::<enrolment::Entity>(db).await, 0);

    // A verification link used while an erasure is under way waits for it, then finds the account gone: the
    // erased account is never marked verified again.
    let (cleo, token) = registered_with_a_verification_link(db, "cleo@example.org").await;
    let erasing = erasure_under_way(db, cleo.id).await;
    let verification = tokio::spawn({
        let (db, issuer, frameworks) = (db.clone(), learn.issuer.clone(), learn.frameworks.clone());
        async move { email_links::verify_email(&db, &issuer, &frameworks, &[], &token).await }
    });
    let verified = waits_for_commit(
        verification,
        erasing,
        "the link waits for the erasure to commit",
    )
    .await;
    assert!(verified.is_err(), "the link no longer works: {verified:?}");
    let after = account::Entity::find_by_id(cleo.id)
        .one(db)
        .await
        .expect("read the account")
        .expect("the account");
    assert_eq!(
        after.email_verified_at, None,
        "the erased account stays unverified"
    );
}

/// A learner who has registered and not yet followed their verification link, and that link's token.
async fn registered_with_a_verification_link(
    db: &DatabaseConnection,
    email: &str,
) -> (account::Model, String) {
    email_links::register(
        db,
        "https://academy.example.nhs.uk",
        Registration {
            email: email.into(),
            display_name: "A Learner".into(),
            password: "a long enough passphrase".into(),
        },
    )
    .await
    .expect("register");
    let registered = find_by_email(db, email)
        .await
        .expect("read the account")
        .expect("registered");
    let link = academy_tests::emailed_link(db, email, "/verify-email")
        .await
        .expect("a verification link");
    let token = link
        .split_once("token=")
        .map(|(_, token)| token.to_owned())
        .expect("a token in the link");
    (registered, token)
}

/// A batch of completions written as another server would, left uncommitted: its transaction (holding what it
/// wrote and locked) and its outcomes.
async fn uncommitted_batch(
    db: &DatabaseConnection,
    context: &learning::Context,
    requests: &[LessonCompletion],
) -> (
    sea_orm::DatabaseTransaction,
    Vec<Result<ProgressSummary, AppError>>,
) {
    let txn = db.begin().await.expect("begin a batch");
    let outcomes = lesson_events::complete_together(&txn, context, requests)
        .await
        .expect("write the batch");
    (txn, outcomes)
}

/// A batch of completions written and committed, as another server would.
async fn committed_batch(
    db: &DatabaseConnection,
    context: &learning::Context,
    requests: &[LessonCompletion],
) -> Vec<Result<ProgressSummary, AppError>> {
    let (txn, outcomes) = uncommitted_batch(db, context, requests).await;
    txn.commit().await.expect("commit the batch");
    outcomes
}

/// An erasure of the account under way on another server: its first step (marking the account) done, not
/// yet committed.
async fn erasure_under_way(
    db: &DatabaseConnection,
    account_id: i32,
) -> sea_orm::DatabaseTransaction {
    let erasing = db.begin().await.expect("begin the erasure");
    account::ActiveModel {
        id: Set(account_id),
        erased_at: Set(Some(chrono::Utc::now())),
        ..Default::default()
    }
    .update(&erasing)
    .await
    .expect("mark the account erased");
    erasing
}

/// Checks that `waiting`, running on another server, waits for `holding` to commit (`what` says who waits
/// for whom), then commits `holding` and returns what `waiting` gave.
async fn waits_for_commit<T>(
    waiting: tokio::task::JoinHandle<T>,
    holding: sea_orm::DatabaseTransaction,
    what: &str,
) -> T {
    // Long enough for `waiting` to have read past `holding` had it not waited.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "{what}");
    holding.commit().await.expect("commit what is waited for");
    waiting.await.expect("the waiting task")
}
