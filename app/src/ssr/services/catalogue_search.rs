//! Full-text search over the catalogue, in the database's own engine: FTS5 on SQLite, a weighted `tsvector`
//! on PostgreSQL (migration 15). Titles count most, then summaries, then lesson text.
//!
//! What a learner types is never passed to either engine's query language: it is cut into words (letters
//! and digits only), and each word must match as a prefix, so `"risk*` or `a:b|!c` cannot break the query
//! or reach the parser's operators.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Statement,
};
use std::collections::{BTreeMap, HashMap};

use crate::error::AppError;
use crate::ssr::content::{Library, LoadedModule, lesson_file_text};
use crate::ssr::entities::{module, module_search_text, module_version};
use crate::ssr::error::stored_json;

use super::catalogue::VersionedLesson;

/// At most this many words of a query are used; more narrows nothing a learner needs.
pub const MAX_SEARCH_WORDS: usize = 8;
/// A longer "word" is not a word (and would only be a costly prefix scan).
const MAX_WORD_CHARS: usize = 40;
/// PostgreSQL refuses a `tsvector` over 1 MB; a module's lesson text is cut well before that.
const MAX_BODY_BYTES: usize = 512 * 1024;

/// The words of a search as typed, lower-cased, letters and digits only, duplicates dropped.
pub fn search_words(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word: String = word
            .chars()
            .take(MAX_WORD_CHARS)
            .collect::<String>()
            .to_lowercase();
        if !words.contains(&word) {
            words.push(word);
        }
        if words.len() == MAX_SEARCH_WORDS {
            break;
        }
    }
    words
}

/// The ids of listed modules matching every word (each as a prefix), best match first, then in catalogue
/// order. One query.
pub async fn matching_modules(
    db: &DatabaseConnection,
    words: &[String],
) -> Result<Vec<i32>, AppError> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let statement = match backend {
        DatabaseBackend::Postgres => {
            let query = words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & ");
            Statement::from_sql_and_values(
                backend,
                "SELECT m.id FROM module_search_text s JOIN module m ON m.id = s.module_id \
                 WHERE m.listed AND s.document @@ to_tsquery('english', $1) \
                 ORDER BY ts_rank(s.document, to_tsquery('english', $1)) DESC, m.position, m.slug",
                [query.into()],
            )
        }
        _ => {
            let query = words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" ");
            Statement::from_sql_and_values(
                backend,
                "SELECT m.id FROM (SELECT rowid AS id, bm25(module_search, 10.0, 4.0, 1.0) AS rank \
                 FROM module_search WHERE module_search MATCH ?) s JOIN module m ON m.id = s.id \
                 WHERE m.listed ORDER BY s.rank, m.position, m.slug",
                [query.into()],
            )
        }
    };
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| row.try_get_by_index::<i32>(0).map_err(AppError::from))
        .collect()
}

/// The searchable text of one module version.
struct SearchDocument {
    title: String,
    summary: String,
    body: String,
}

fn body_of<'a>(lessons: impl Iterator<Item = (&'a str, String)>) -> String {
    let mut body = String::new();
    for (title, text) in lessons {
        if !title.is_empty() {
            body.push_str(title);
            body.push_str(". ");
        }
        body.push_str(&text);
        body.push('\n');
    }
    if body.len() > MAX_BODY_BYTES {
        let mut cut = MAX_BODY_BYTES;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    body
}

fn document_of_loaded(loaded: &LoadedModule) -> SearchDocument {
    SearchDocument {
        title: loaded.title.clone(),
        summary: loaded.summary.clone(),
        body: body_of(
            loaded
                .lessons
                .iter()
                .map(|l| (l.title.as_str(), l.text.clone())),
        ),
    }
}

/// Writes (or rewrites) a module's searchable text; called in the publishing transaction.
pub(crate) async fn index_loaded<C: ConnectionTrait>(
    db: &C,
    module_id: i32,
    loaded: &LoadedModule,
) -> Result<(), AppError> {
    write(
        db,
        module_id,
        &loaded.content_hash,
        document_of_loaded(loaded),
    )
    .await
}

async fn write<C: ConnectionTrait>(
    db: &C,
    module_id: i32,
    content_hash: &str,
    document: SearchDocument,
) -> Result<(), AppError> {
    use sea_orm::ActiveValue::Set;
    module_search_text::Entity::delete_by_id(module_id)
        .exec(db)
        .await?;
    module_search_text::Entity::insert(module_search_text::ActiveModel {
        module_id: Set(module_id),
        content_hash: Set(content_hash.to_owned()),
        title: Set(document.title),
        summary: Set(document.summary),
        body: Set(document.body),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Indexes every module whose searchable text is missing or was taken from another version: after an
/// upgrade that added search, and for a module kept at a version published in the browser. Text comes from
/// the loaded library when it holds that very version, otherwise from the files stored with the version.
/// Two queries when nothing is stale.
pub async fn index_stale_modules(
    db: &DatabaseConnection,
    library: &Library,
) -> Result<usize, AppError> {
    let modules: Vec<(i32, String, String, String, String, i32)> = module::Entity::find()
        .select_only()
        .columns([
            module::Column::Id,
            module::Column::Slug,
            module::Column::ContentHash,
            module::Column::Title,
            module::Column::Summary,
            module::Column::Version,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let indexed: HashMap<i32, String> = module_search_text::Entity::find()
        .select_only()
        .columns([
            module_search_text::Column::ModuleId,
            module_search_text::Column::ContentHash,
        ])
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut written = 0;
    for (id, slug, hash, title, summary, version) in modules {
        if indexed.get(&id) == Some(&hash) {
            continue;
        }
        let document = match library
            .module(&slug)
            .filter(|loaded| loaded.content_hash == hash)
        {
            Some(loaded) => document_of_loaded(loaded),
            None => document_of_stored(db, id, version, &slug, title, summary).await?,
        };
        write(db, id, &hash, document).await?;
        written += 1;
    }
    Ok(written)
}

/// A version's searchable text from the files published with it, lesson by lesson in the version's order.
async fn document_of_stored(
    db: &DatabaseConnection,
    module_id: i32,
    version: i32,
    slug: &str,
    title: String,
    summary: String,
) -> Result<SearchDocument, AppError> {
    let stored = module_version::Entity::find()
        .filter(module_version::Column::ModuleId.eq(module_id))
        .filter(module_version::Column::Version.eq(version))
        .one(db)
        .await?;
    let Some(stored) = stored else {
        return Ok(SearchDocument {
            title,
            summary,
            body: String::new(),
        });
    };
    let lessons: Vec<VersionedLesson> =
        stored_json("module_version", stored.id, "lessons", &stored.lessons)?;
    let files: BTreeMap<String, String> = match &stored.files {
        Some(files) => stored_json("module_version", stored.id, "files", files)?,
        None => BTreeMap::new(),
    };
    let slug_owned = slug.to_owned();
    let texts = crate::ssr::blocking::off_the_runtime("indexing a stored version", move || {
        files
            .iter()
            .filter(|(name, _)| name.ends_with(".md"))
            .filter_map(|(_, text)| lesson_file_text(text, &slug_owned))
            .collect::<Vec<String>>()
    })
    .await?;
    Ok(SearchDocument {
        title,
        summary,
        // Lesson titles first, then the bodies in file-name order: search needs the words, not the pairing.
        body: body_of(
            lessons
                .iter()
                .map(|l| (l.title.as_str(), String::new()))
                .chain(texts.into_iter().map(|text| ("", text))),
        ),
    })
}
