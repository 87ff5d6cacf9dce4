//! Each lesson keeps the anchors of its headings, as the loader found them when rendering, so checking a
//! link to `lesson:<module>/<lesson>#<anchor>` reads them instead of picking them back out of the HTML.
//! Lessons published before this are filled in from their stored HTML, once.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000014_keep_heading_anchors"
    }
}

/// An attribute value as the loader wrote it, HTML escapes undone (the loader keeps anchors unescaped).
fn unescaped(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `id`s of the headings in HTML rendered by the loader (`<h2 id="…">`), sorted, as a JSON array.
fn anchors_in(html: &str) -> String {
    let mut anchors: Vec<String> = html
        .split("<h")
        .skip(1)
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|rest| rest.split_once(" id=\""))
        .filter_map(|(_, rest)| rest.split('"').next())
        .map(unescaped)
        .collect();
    anchors.sort_unstable();
    anchors.dedup();
    sea_orm_migration::sea_orm::JsonValue::from(anchors).to_string()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("lesson")
                    .add_column(text("anchors").default("[]"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let lessons = db
            .query_all(
                &Query::select()
                    .columns(["id", "html"])
                    .from("lesson")
                    .to_owned(),
            )
            .await?;
        for row in lessons {
            let id: i32 = row.try_get("", "id")?;
            let html: String = row.try_get("", "html")?;
            db.execute(
                &Query::update()
                    .table("lesson")
                    .value("anchors", anchors_in(&html))
                    .and_where(Expr::col("id").eq(id))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("lesson")
                    .drop_column("anchors")
                    .to_owned(),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::anchors_in;

    #[test]
    fn finds_the_heading_anchors_in_rendered_html() {
        assert_eq!(
            anchors_in(
                r#"<h2 id="why">Why</h2><p id="not-a-heading">x</p><h3 id="how-2">How</h3>"#
            ),
            r#"["how-2","why"]"#
        );
        assert_eq!(anchors_in("<p>No headings</p>"), "[]");
        assert_eq!(
            anchors_in(r#"<h2 id="a&amp;b\c">Odd</h2>"#),
            r#"["a&b\\c"]"#,
            "escapes undone, and written as valid JSON"
        );
    }
}
