//! Two server processes on one PostgreSQL (issue 14), started at the same moment as a team's deployment
//! would: a sign-in made on one works on the other, the same completion raced on both issues one record,
//! and each signs with its own key while the records of both verify on either.

use academy_tests::TestDb;
use academy_tests::process::RunningServer;
use app::api::accounts::Role;
use app::ssr::entities::completion_record;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

const PASSWORD: &str = "a long enough passphrase";

/// Signs in through `server`'s form and returns the session cookie it set.
async fn sign_in(client: &reqwest::Client, server: &RunningServer, email: &str) -> String {
    let answer = client
        .post(format!("{}/api/sign-in", server.base))
        .header("accept", "application/json")
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(answer.status(), 200, "sign-in on {}", server.base);
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("academy_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .expect("a session cookie")
}

async fn complete(
    client: &reqwest::Client,
    server: &RunningServer,
    cookie: &str,
) -> reqwest::StatusCode {
    client
        .post(format!("{}/api/complete-lesson", server.base))
        .header("accept", "application/json")
        .header("cookie", format!("academy_session={cookie}"))
        .form(&[("module", "beta"), ("lesson", "only")])
        .send()
        .await
        .expect("complete")
        .status()
}

async fn record_of(db: &DatabaseConnection, account_id: i32) -> Vec<completion_record::Model> {
    completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(account_id))
        .all(db)
        .await
        .expect("records")
}

async fn verifies_on(client: &reqwest::Client, server: &RunningServer, record: &str) -> bool {
    let verdict: serde_json::Value = client
        .get(format!("{}/records/{record}/verification", server.base))
        .send()
        .await
        .expect("verification")
        .json()
        .await
        .expect("verdict JSON");
    verdict["verification"]["valid"] == serde_json::Value::Bool(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_race_safely_and_verify_each_others_records() {
    let db = TestDb::postgres().await;
    academy_tests::guard_against_hangs(async {
        let data = tempfile::tempdir().expect("data folder");
        // Both start at once: both migrate, create the site identity and publish the same content.
        let (a, b) = tokio::join!(
            RunningServer::start(&db.url, data.path()),
            RunningServer::start(&db.url, data.path())
        );
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let racer = academy_tests::account(&db.conn, "racer@example.org", Role::Learner).await;
        let on_a = academy_tests::account(&db.conn, "on-a@example.org", Role::Learner).await;
        let on_b = academy_tests::account(&db.conn, "on-b@example.org", Role::Learner).await;

        // Signed in on A, recognised on B.
        let cookie = sign_in(&client, &a, "racer@example.org").await;
        let dashboard = client
            .get(format!("{}/dashboard", b.base))
            .header("cookie", format!("academy_session={cookie}"))
            .send()
            .await
            .expect("dashboard on B");
        assert_eq!(dashboard.status(), 200);
        assert!(
            dashboard
                .text()
                .await
                .unwrap_or_default()
                .contains("Sign out"),
            "the session made on A works on B"
        );

        // The same last lesson completed on both at once: both answer, one record.
        let (first, second) = tokio::join!(
            complete(&client, &a, &cookie),
            complete(&client, &b, &cookie)
        );
        assert_eq!((first.as_u16(), second.as_u16()), (200, 200));
        assert_eq!(record_of(&db.conn, racer.id).await.len(), 1, "one record");

        // Each instance signs with its own key; either verifies the other's records.
        let cookie_a = sign_in(&client, &a, "on-a@example.org").await;
        let cookie_b = sign_in(&client, &b, "on-b@example.org").await;
        assert_eq!(complete(&client, &a, &cookie_a).await.as_u16(), 200);
        assert_eq!(complete(&client, &b, &cookie_b).await.as_u16(), 200);
        let from_a = record_of(&db.conn, on_a.id).await.remove(0);
        let from_b = record_of(&db.conn, on_b.id).await.remove(0);
        assert_ne!(from_a.kid, from_b.kid, "two instances, two signing keys");
        assert!(
            verifies_on(&client, &b, &from_a.id).await,
            "A's record on B"
        );
        assert!(
            verifies_on(&client, &a, &from_b.id).await,
            "B's record on A"
        );
        let keys = client
            .get(format!("{}/.well-known/jwks.json", a.base))
            .send()
            .await
            .expect("jwks")
            .text()
            .await
            .unwrap_or_default();
        assert!(
            keys.contains(&from_a.kid) && keys.contains(&from_b.kid),
            "each instance publishes both keys: {keys}"
        );
        for server in [&a, &b] {
            let log = std::fs::read_to_string(&server.log).unwrap_or_default();
            assert!(
                !log.contains("ERROR"),
                "{} logged errors:\n{log}",
                server.base
            );
        }
    })
    .await;
    db.finish().await;
}
