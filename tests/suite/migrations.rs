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
