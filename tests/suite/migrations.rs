//! The schema history applies, rolls back and applies again on both databases.

use academy_tests::TestDb;
use migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

async fn up_down_up(db: &DatabaseConnection) {
    let applied = Migrator::get_applied_migrations(db)
        .await
        .expect("list applied");
    assert_eq!(applied.len(), Migrator::migrations().len());
    Migrator::down(db, None)
        .await
        .expect("roll every migration back");
    assert!(
        Migrator::get_applied_migrations(db)
            .await
            .expect("list")
            .is_empty()
    );
    Migrator::up(db, None).await.expect("apply again");
    assert_eq!(
        Migrator::get_pending_migrations(db)
            .await
            .expect("pending")
            .len(),
        0
    );
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_sqlite() {
    let db = TestDb::sqlite().await;
    up_down_up(&db.conn).await;
    db.finish().await;
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_postgres() {
    let db = TestDb::postgres().await;
    up_down_up(&db.conn).await;
    db.finish().await;
}

/// Statements recorded before migration 13 gain the module and lesson their activity ids name.
async fn older_statements_gain_their_module_and_lesson(db: &DatabaseConnection) {
    use app::ssr::entities::xapi_statement;
    use sea_orm::sea_query::Query;
    use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

    academy_tests::publish(db, &academy_tests::fixtures().join("valid")).await;
    let learner = academy_tests::learner(db, "before@example.org").await;
    // Roll back migration 13 and every one after it.
    let migrations = Migrator::migrations();
    let thirteen = migrations
        .iter()
        .position(|m| m.name() == "m20261201_000013_describe_statements")
        .expect("migration 13 is listed");
    let steps = u32::try_from(migrations.len() - thirteen).expect("a few migrations");
    Migrator::down(db, Some(steps))
        .await
        .expect("back to before migration 13");
    for (id, object) in [
        ("s1", "http://localhost/modules/alpha/lessons/first"),
        ("s2", "http://localhost/modules/alpha/questions/q1"),
        ("s3", "http://localhost/records/r1"),
    ] {
        db.execute(
            &Query::insert()
                .into_table("xapi_statement")
                .columns([
                    "id",
                    "account_id",
                    "verb",
                    "object_id",
                    "timestamp",
                    "statement",
                ])
                .values_panic([
                    id.into(),
                    learner.into(),
                    "http://adlnet.gov/expapi/verbs/experienced".into(),
                    object.into(),
                    chrono::Utc::now().into(),
                    "{}".into(),
                ])
                .to_owned(),
        )
        .await
        .expect("a statement as stored before");
    }
    Migrator::up(db, None).await.expect("apply migration 13");
    let alpha = app::ssr::services::catalogue::find_module(db, "alpha")
        .await
        .expect("alpha");
    let rows: Vec<(Option<i32>, Option<String>)> = xapi_statement::Entity::find()
        .order_by_asc(xapi_statement::Column::Id)
        .all(db)
        .await
        .expect("statements")
        .into_iter()
        .map(|s| (s.module_id, s.lesson_slug))
        .collect();
    assert_eq!(
        rows,
        [
            (Some(alpha.id), Some("first".to_owned())),
            (Some(alpha.id), None),
            (None, None),
        ]
    );
}

academy_tests::on_both_databases!(older_statements_gain_their_module_and_lesson);

/// Each column of `table` with whether it may be null, as the database describes it.
async fn columns_of(db: &DatabaseConnection, table: &str) -> Vec<(String, bool)> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => format!(
            "SELECT column_name::text AS name, (is_nullable = 'YES') AS nullable \
             FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
        ),
        _ => {
            format!("SELECT name, (\"notnull\" = 0) AS nullable FROM pragma_table_info('{table}')")
        }
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("columns")
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "name").expect("name"),
                row.try_get::<bool>("", "nullable").expect("nullable"),
            )
        })
        .collect()
}

/// Migration 25 rebuilds `completion_record` (a record may now be for a pathway): the records issued before
/// come through it unchanged, and still verify.
async fn records_issued_before_pathway_records_survive_the_rebuild(db: &DatabaseConnection) {
    use app::ssr::entities::completion_record;
    use app::ssr::services::{catalogue, completion, learning, records};
    use sea_orm::EntityTrait;

    academy_tests::publish(db, &academy_tests::fixtures().join("valid")).await;
    let learn = academy_tests::Learning::new(db).await;
    let id = academy_tests::learner(db, "rebuilt@example.org").await;
    learning::complete_lesson(db, learn.context(), id, "beta", "only")
        .await
        .expect("lesson");
    let beta = catalogue::find_module(db, "beta").await.expect("beta");
    let record_id =
        completion::complete_if_due(db, &learn.issuer, &learn.frameworks, &[], id, &beta)
            .await
            .expect("complete")
            .expect("a record");
    let admin = academy_tests::account(
        db,
        "rebuild-admin@example.org",
        app::api::accounts::Role::Admin,
    )
    .await;
    records::revoke(db, &admin, &record_id, "Revoked before the rebuild")
        .await
        .expect("revoke");
    let before = completion_record::Entity::find()
        .all(db)
        .await
        .expect("records");

    // Back to the shape before migration 25 (every record names a module), where the record still is.
    Migrator::down(db, Some(1))
        .await
        .expect("back to before migration 25");
    let columns: Vec<(String, bool)> = columns_of(db, "completion_record").await;
    assert!(
        columns.contains(&("module_id".to_owned(), false))
            && !columns.iter().any(|(name, _)| name == "pathway_slug"),
        "{columns:?}"
    );
    Migrator::up(db, None)
        .await
        .expect("apply migration 25 again");

    let after = completion_record::Entity::find()
        .all(db)
        .await
        .expect("records");
    assert_eq!(after, before, "every record, every field, as it was");
    let (verdict, found) = records::verify_presented(db, &after[0].jwt)
        .await
        .expect("verify");
    assert_eq!(found.as_deref(), Some(record_id.as_str()));
    assert!(verdict.signature_valid && verdict.revoked, "{verdict:?}");
    // The status index is still unique among module records (another module's record, same index).
    let alpha = catalogue::find_module(db, "alpha").await.expect("alpha");
    let mut clash = sea_orm::ActiveModelTrait::reset_all(completion_record::ActiveModel::from(
        after[0].clone(),
    ));
    clash.id = sea_orm::ActiveValue::Set("00000000-0000-0000-0000-000000000000".to_owned());
    clash.module_id = sea_orm::ActiveValue::Set(Some(alpha.id));
    let refused = sea_orm::ActiveModelTrait::insert(clash, db)
        .await
        .expect_err("a second module record with the same status index is refused");
    assert!(
        matches!(
            refused.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        "{refused}"
    );
}

academy_tests::on_both_databases!(records_issued_before_pathway_records_survive_the_rebuild);
