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
