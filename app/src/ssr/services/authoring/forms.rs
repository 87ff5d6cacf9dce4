//! The editor's forms and the content files they stand for, both ways.
//!
//! A draft is stored as file text, exactly what `content/` holds, so `check`, export and import see one thing.
//! The editor reads a file into form fields, and a submitted form is written back as file text in one
//! regular layout. Every value typed is written out, even a wrong one (a word in `minutes` becomes a string),
//! so the checker reports it on its own line and the editor shows it next to its field: nothing typed is lost.

use std::collections::{BTreeSet, HashMap};

use crate::model::authoring::{
    AssessmentForm, LessonForm, MAX_OPTIONS, ModuleSettings, OptionForm, QuestionForm,
};

/// Submitted form fields by name (`title`, `q0-prompt`, `q0-o1-correct`, `al-3`...).
pub type Fields = HashMap<String, String>;

/// A TOML basic string: quoted, with the characters TOML requires escaped.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {}
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A whole number as a bare TOML integer, anything else as a string for the checker to report.
fn toml_integer(typed: &str) -> String {
    match typed.trim().parse::<i64>() {
        Ok(n) => n.to_string(),
        Err(_) => toml_string(typed.trim()),
    }
}

/// A number as a TOML float (`2` becomes `2.0`), anything else as a string for the checker to report.
fn toml_float(typed: &str) -> String {
    match typed.trim().parse::<f64>() {
        Ok(n) if n.is_finite() => format!("{n:?}"),
        _ => toml_string(typed.trim()),
    }
}

fn string_array(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// Browsers send textarea lines as CRLF; files use LF.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn field(fields: &Fields, name: &str) -> String {
    fields
        .get(name)
        .map(|v| normalise(v).trim().to_owned())
        .unwrap_or_default()
}

fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => format!("{f}"),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.type_str().to_owned(),
    }
}

fn strings(value: Option<&toml::Value>) -> Vec<String> {
    match value {
        Some(toml::Value::Array(items)) => items.iter().map(value_text).collect(),
        Some(other) => vec![value_text(other)],
        None => Vec::new(),
    }
}

fn text_of(table: &toml::Table, key: &str) -> String {
    table.get(key).map(value_text).unwrap_or_default()
}

/// Fails when the table holds fields the form has no place for: editing it as a form would drop them.
fn only_known(table: &toml::Table, known: &[&str], what: &str) -> Result<(), String> {
    let unknown: Vec<&str> = table
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{what} has fields the form cannot show ({}); edit its source instead",
            unknown.join(", ")
        ))
    }
}

// ---- module.toml ----------------------------------------------------------------------------------------

const MODULE_KEYS: &[&str] = &[
    "title",
    "summary",
    "audience",
    "estimated_hours",
    "cpd_hours",
    "order",
    "completion",
    "alignments",
];

/// Reads `module.toml` into form fields.
pub fn settings_from_text(text: &str) -> Result<ModuleSettings, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("module.toml cannot be read: {}", e.message()))?;
    only_known(&table, MODULE_KEYS, "module.toml")?;
    Ok(ModuleSettings {
        title: text_of(&table, "title"),
        summary: text_of(&table, "summary"),
        audience: text_of(&table, "audience"),
        estimated_hours: text_of(&table, "estimated_hours"),
        cpd_hours: text_of(&table, "cpd_hours"),
        order: text_of(&table, "order"),
        completion: text_of(&table, "completion"),
        alignments: strings(table.get("alignments")),
    })
}

/// Writes form fields as `module.toml`.
pub fn settings_text(settings: &ModuleSettings) -> String {
    format!(
        "title = {}\nsummary = {}\naudience = {}\nestimated_hours = {}\ncpd_hours = {}\norder = {}\ncompletion = {}\nalignments = {}\n",
        toml_string(&settings.title),
        toml_string(&settings.summary),
        toml_string(&settings.audience),
        toml_float(&settings.estimated_hours),
        toml_float(&settings.cpd_hours),
        toml_integer(&settings.order),
        toml_string(&settings.completion),
        string_array(&settings.alignments),
    )
}

/// The submitted module settings form.
pub fn settings_from_fields(fields: &Fields) -> ModuleSettings {
    ModuleSettings {
        title: field(fields, "title"),
        summary: field(fields, "summary"),
        audience: field(fields, "audience"),
        estimated_hours: field(fields, "estimated_hours"),
        cpd_hours: field(fields, "cpd_hours"),
        order: field(fields, "order"),
        completion: field(fields, "completion"),
        alignments: alignments_from_fields(fields),
    }
}

/// Ticked alignment boxes are sent as `al-N = framework:code`.
fn alignments_from_fields(fields: &Fields) -> Vec<String> {
    let mut ticked: Vec<(usize, String)> = fields
        .iter()
        .filter_map(|(name, value)| {
            let n = name.strip_prefix("al-")?.parse().ok()?;
            let value = value.trim();
            (!value.is_empty()).then(|| (n, value.to_owned()))
        })
        .collect();
    ticked.sort();
    let mut seen = BTreeSet::new();
    ticked
        .into_iter()
        .map(|(_, code)| code)
        .filter(|code| seen.insert(code.clone()))
        .collect()
}

// ---- questions ------------------------------------------------------------------------------------------

const QUESTION_KEYS: &[&str] = &["id", "kind", "prompt", "explanation", "options", "answer"];
const OPTION_KEYS: &[&str] = &["text", "correct", "feedback"];

fn questions_from_value(value: Option<&toml::Value>) -> Result<Vec<QuestionForm>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(items) = value.as_array() else {
        return Err("`questions` is not a list of questions; edit the source instead".to_owned());
    };
    items
        .iter()
        .map(|item| {
            let table = item
                .as_table()
                .ok_or("a question is not a table; edit the source instead")?;
            only_known(table, QUESTION_KEYS, "a question")?;
            let options = match table.get("options") {
                None => Vec::new(),
                Some(toml::Value::Array(options)) => options
                    .iter()
                    .map(|option| {
                        let option = option
                            .as_table()
                            .ok_or("an option is not a table; edit the source instead")?;
                        only_known(option, OPTION_KEYS, "an option")?;
                        Ok(OptionForm {
                            text: text_of(option, "text"),
                            correct: option.get("correct").and_then(toml::Value::as_bool)
                                == Some(true),
                            feedback: text_of(option, "feedback"),
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
                Some(_) => return Err("`options` is not a list; edit the source instead".into()),
            };
            Ok(QuestionForm {
                id: text_of(table, "id"),
                kind: text_of(table, "kind"),
                prompt: text_of(table, "prompt"),
                explanation: text_of(table, "explanation"),
                answer: text_of(table, "answer"),
                options,
            })
        })
        .collect()
}

fn questions_text(questions: &[QuestionForm]) -> String {
    let mut out = String::new();
    for q in questions {
        out.push_str("\n[[questions]]\n");
        out.push_str(&format!("id = {}\n", toml_string(&q.id)));
        out.push_str(&format!("kind = {}\n", toml_string(&q.kind)));
        out.push_str(&format!("prompt = {}\n", toml_string(&q.prompt)));
        out.push_str(&format!("explanation = {}\n", toml_string(&q.explanation)));
        if q.kind == "true-false" {
            match q.answer.as_str() {
                "true" | "false" => out.push_str(&format!("answer = {}\n", q.answer)),
                other => out.push_str(&format!("answer = {}\n", toml_string(other))),
            }
        }
        if q.kind != "true-false" || !q.options.is_empty() {
            out.push_str("options = [\n");
            for o in &q.options {
                out.push_str(&format!("  {{ text = {}", toml_string(&o.text)));
                if o.correct {
                    out.push_str(", correct = true");
                }
                if !o.feedback.is_empty() {
                    out.push_str(&format!(", feedback = {}", toml_string(&o.feedback)));
                }
                out.push_str(" },\n");
            }
            out.push_str("]\n");
        }
    }
    out
}

/// The submitted quiz editor: questions `q0`, `q1`... in order, leaving out removed and empty ones.
/// A question left without an id gets `<id_prefix>-N`, unused by the others.
fn questions_from_fields(fields: &Fields, id_prefix: &str) -> Vec<QuestionForm> {
    let indices: BTreeSet<usize> = fields
        .keys()
        .filter_map(|name| {
            let rest = name.strip_prefix('q')?;
            let (index, _) = rest.split_once('-')?;
            index.parse().ok()
        })
        .collect();
    let mut questions: Vec<QuestionForm> = indices
        .into_iter()
        .filter(|i| !fields.contains_key(&format!("q{i}-remove")))
        .map(|i| {
            let get = |name: &str| field(fields, &format!("q{i}-{name}"));
            // As many option slots as were sent (a question from the source editor may have more than
            // the form offers empty slots for), so a save never drops options.
            let prefix = format!("q{i}-o");
            let sent = fields
                .keys()
                .filter_map(|name| {
                    name.strip_prefix(&prefix)?
                        .split_once('-')?
                        .0
                        .parse::<usize>()
                        .ok()
                })
                .max()
                .map_or(0, |j| j.saturating_add(1));
            let options: Vec<OptionForm> = (0..sent.clamp(MAX_OPTIONS, 64))
                .map(|j| OptionForm {
                    text: get(&format!("o{j}-text")),
                    correct: !get(&format!("o{j}-correct")).is_empty(),
                    feedback: get(&format!("o{j}-feedback")),
                })
                .filter(|o| !o.text.is_empty() || !o.feedback.is_empty())
                .collect();
            let kind = match get("kind") {
                kind if kind.is_empty() => "single".to_owned(),
                kind => kind,
            };
            QuestionForm {
                id: get("id"),
                answer: if kind == "true-false" {
                    get("answer")
                } else {
                    String::new()
                },
                options: if kind == "true-false" {
                    Vec::new()
                } else {
                    options
                },
                kind,
                prompt: get("prompt"),
                explanation: get("explanation"),
            }
        })
        .filter(|q| {
            !(q.id.is_empty()
                && q.prompt.is_empty()
                && q.explanation.is_empty()
                && q.options.is_empty())
        })
        .collect();
    let mut used: BTreeSet<String> = questions.iter().map(|q| q.id.clone()).collect();
    let mut next = 1;
    for q in questions.iter_mut().filter(|q| q.id.is_empty()) {
        while used.contains(&format!("{id_prefix}-{next}")) {
            next += 1;
        }
        q.id = format!("{id_prefix}-{next}");
        used.insert(q.id.clone());
    }
    questions
}

// ---- lessons --------------------------------------------------------------------------------------------

const LESSON_KEYS: &[&str] = &[
    "slug",
    "title",
    "minutes",
    "checked",
    "outcomes",
    "alignments",
    "questions",
];

/// A lesson file's front matter and body, split at its `+++` lines; `None` if they are missing.
pub fn split_lesson(text: &str) -> Option<(&str, &str, usize)> {
    // A byte-order mark (Windows Notepad) is not part of the text, as in the loader.
    let text = crate::ssr::content::byte_order_mark_stripped(text);
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_first_line = 2 + front.matches('\n').count() + 1;
            return Some((front, body, body_first_line));
        }
        offset += line.len();
    }
    None
}

/// Reads a lesson file into form fields.
pub fn lesson_from_text(text: &str) -> Result<LessonForm, String> {
    let (front, body, _) = split_lesson(text).ok_or(
        "the front matter cannot be found (a `+++` line, the fields, another `+++`); edit the source instead",
    )?;
    let table: toml::Table = front.parse().map_err(|e: toml::de::Error| {
        format!("the front matter cannot be read: {}", e.message())
    })?;
    only_known(&table, LESSON_KEYS, "the front matter")?;
    Ok(LessonForm {
        slug: text_of(&table, "slug"),
        title: text_of(&table, "title"),
        minutes: text_of(&table, "minutes"),
        checked: text_of(&table, "checked"),
        outcomes: strings(table.get("outcomes")).join("\n"),
        alignments: strings(table.get("alignments")),
        questions: questions_from_value(table.get("questions"))?,
        body: body.trim_start_matches('\n').to_owned(),
    })
}

/// Writes form fields as a lesson file.
pub fn lesson_text(form: &LessonForm) -> String {
    let outcomes: Vec<String> = form
        .outcomes
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(toml_string)
        .collect();
    let mut out = String::from("+++\n");
    out.push_str(&format!("slug = {}\n", toml_string(&form.slug)));
    out.push_str(&format!("title = {}\n", toml_string(&form.title)));
    out.push_str(&format!("minutes = {}\n", toml_integer(&form.minutes)));
    if !form.checked.trim().is_empty() {
        out.push_str(&format!("checked = {}\n", toml_string(form.checked.trim())));
    }
    out.push_str("outcomes = [\n");
    for outcome in outcomes {
        out.push_str(&format!("  {outcome},\n"));
    }
    out.push_str("]\n");
    out.push_str(&format!(
        "alignments = {}\n",
        string_array(&form.alignments)
    ));
    out.push_str(&questions_text(&form.questions));
    out.push_str("+++\n\n");
    let body = normalise(&form.body);
    let body = body.trim_matches('\n');
    out.push_str(body);
    out.push('\n');
    out
}

/// The submitted lesson editor.
pub fn lesson_from_fields(fields: &Fields) -> LessonForm {
    let slug = field(fields, "slug");
    LessonForm {
        questions: questions_from_fields(fields, if slug.is_empty() { "question" } else { &slug }),
        title: field(fields, "title"),
        minutes: field(fields, "minutes"),
        checked: field(fields, "checked"),
        outcomes: field(fields, "outcomes"),
        alignments: alignments_from_fields(fields),
        body: fields.get("body").map(|b| normalise(b)).unwrap_or_default(),
        slug,
    }
}

// ---- assessment.toml ------------------------------------------------------------------------------------

const ASSESSMENT_KEYS: &[&str] = &[
    "pass_mark",
    "max_attempts",
    "cooldown_hours",
    "reveal_answers",
    "questions",
];

/// Reads `assessment.toml` into form fields.
pub fn assessment_from_text(text: &str) -> Result<AssessmentForm, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("assessment.toml cannot be read: {}", e.message()))?;
    only_known(&table, ASSESSMENT_KEYS, "assessment.toml")?;
    Ok(AssessmentForm {
        pass_mark: text_of(&table, "pass_mark"),
        max_attempts: text_of(&table, "max_attempts"),
        cooldown_hours: text_of(&table, "cooldown_hours"),
        reveal_answers: text_of(&table, "reveal_answers"),
        questions: questions_from_value(table.get("questions"))?,
    })
}

/// Writes form fields as `assessment.toml`; empty optional numbers are left out.
pub fn assessment_text(form: &AssessmentForm) -> String {
    let mut out = format!("pass_mark = {}\n", toml_integer(&form.pass_mark));
    if !form.max_attempts.trim().is_empty() {
        out.push_str(&format!(
            "max_attempts = {}\n",
            toml_integer(&form.max_attempts)
        ));
    }
    if !form.cooldown_hours.trim().is_empty() {
        out.push_str(&format!(
            "cooldown_hours = {}\n",
            toml_integer(&form.cooldown_hours)
        ));
    }
    if !form.reveal_answers.trim().is_empty() {
        out.push_str(&format!(
            "reveal_answers = {}\n",
            toml_string(form.reveal_answers.trim())
        ));
    }
    out.push_str(&questions_text(&form.questions));
    out
}

/// The submitted assessment editor.
pub fn assessment_from_fields(fields: &Fields, module_slug: &str) -> AssessmentForm {
    AssessmentForm {
        pass_mark: field(fields, "pass_mark"),
        max_attempts: field(fields, "max_attempts"),
        cooldown_hours: field(fields, "cooldown_hours"),
        reveal_answers: field(fields, "reveal_answers"),
        questions: questions_from_fields(fields, &format!("{module_slug}-assessment")),
    }
}

// ---- placing problems next to fields --------------------------------------------------------------------

/// For each line of a TOML document (numbered from `first_line`), the form field it belongs to: `title`,
/// `alignments`, `q2` (a question's header), `q2-prompt`, `q2-o1-text`...
pub fn fields_by_line(toml_text: &str, first_line: usize) -> HashMap<usize, String> {
    let mut map = HashMap::new();
    let mut question: Option<usize> = None;
    let mut key: Option<String> = None;
    let mut option: Option<usize> = None;
    let mut in_option_table = false;
    for (k, line) in toml_text.lines().enumerate() {
        let n = first_line + k;
        let t = line.trim();
        if t.starts_with("[[questions.options]]") {
            option = Some(option.map_or(0, |o| o + 1));
            in_option_table = true;
            key = None;
            if let (Some(q), Some(o)) = (question, option) {
                map.insert(n, format!("q{q}-o{o}-text"));
            }
            continue;
        }
        if t.starts_with("[[questions]]") {
            question = Some(question.map_or(0, |q| q + 1));
            option = None;
            in_option_table = false;
            key = None;
            if let Some(q) = question {
                map.insert(n, format!("q{q}"));
            }
            continue;
        }
        if let Some((name, _)) = t.split_once('=') {
            let name = name.trim();
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                key = Some(name.to_owned());
                if name == "options" {
                    option = None;
                }
            }
        }
        let Some(current) = key.as_deref() else {
            continue;
        };
        let field = match question {
            Some(q) if in_option_table => match option {
                Some(o) => format!("q{q}-o{o}-{current}"),
                None => format!("q{q}"),
            },
            Some(q) if current == "options" => {
                let opened = t.matches('{').count();
                if opened > 0 {
                    option = Some(option.map_or(opened - 1, |o| o + opened));
                }
                match option {
                    Some(o) if opened > 0 => format!("q{q}-o{o}-text"),
                    _ => format!("q{q}"),
                }
            }
            Some(q) => format!("q{q}-{current}"),
            None => current.to_owned(),
        };
        map.insert(n, field);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_with_more_options_than_the_form_offers_keeps_them_all() {
        let mut fields = Fields::new();
        fields.insert("slug".into(), "many".into());
        fields.insert("q0-id".into(), "many-1".into());
        fields.insert("q0-kind".into(), "single".into());
        for j in 0..10 {
            fields.insert(format!("q0-o{j}-text"), format!("Option {j}"));
        }
        fields.insert("q0-o9-correct".into(), "on".into());
        let form = lesson_from_fields(&fields);
        assert_eq!(form.questions[0].options.len(), 10);
        assert!(form.questions[0].options[9].correct);
    }

    fn lesson() -> LessonForm {
        LessonForm {
            slug: "the-standards".into(),
            title: "DCB0129 and \"DCB0160\"".into(),
            minutes: "20".into(),
            checked: "2026-12-01".into(),
            outcomes: "Distinguish the two standards\nName the safety case documents".into(),
            alignments: vec!["hlm:evaluating-information".into()],
            questions: vec![
                QuestionForm {
                    id: "standards-1".into(),
                    kind: "single".into(),
                    prompt: "Who must comply with DCB0160?".into(),
                    explanation: "The deploying organisation.".into(),
                    answer: String::new(),
                    options: vec![
                        OptionForm {
                            text: "The supplier".into(),
                            correct: false,
                            feedback: "That is DCB0129.".into(),
                        },
                        OptionForm {
                            text: "The deploying organisation".into(),
                            correct: true,
                            feedback: String::new(),
                        },
                    ],
                },
                QuestionForm {
                    id: "standards-2".into(),
                    kind: "true-false".into(),
                    prompt: "A hazard log is a living document.".into(),
                    explanation: "It is kept up to date for the system's life.".into(),
                    answer: "true".into(),
                    options: Vec::new(),
                },
            ],
            body: "Two standards divide the work.\n\n## Key terms\n\n- **Hazard**: a potential source of harm.\n".into(),
        }
    }

    #[test]
    fn a_lesson_written_from_the_form_reads_back_as_the_same_form() {
        let form = lesson();
        let text = lesson_text(&form);
        assert_eq!(lesson_from_text(&text), Ok(form.clone()));
        assert_eq!(
            lesson_text(&lesson_from_text(&text).unwrap_or_default()),
            text
        );
    }

    #[test]
    fn a_mistyped_number_is_kept_and_placed_on_its_own_line() {
        let mut form = lesson();
        form.minutes = "twenty".into();
        let text = lesson_text(&form);
        assert!(text.contains("minutes = \"twenty\"\n"));
        let (front, _, _) = split_lesson(&text).expect("front matter");
        let map = fields_by_line(front, 2);
        assert_eq!(map.get(&4).map(String::as_str), Some("minutes"));
    }

    #[test]
    fn lines_of_questions_and_options_map_to_their_fields() {
        let text = lesson_text(&lesson());
        let (front, _, _) = split_lesson(&text).expect("front matter");
        let map = fields_by_line(front, 2);
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map(|i| i + 1)
                .expect("line")
        };
        assert_eq!(map[&line_of("Who must comply")], "q0-prompt");
        assert_eq!(
            map[&line_of("The deploying organisation\", correct")],
            "q0-o1-text"
        );
        assert_eq!(map[&line_of("A hazard log")], "q1-prompt");
        assert_eq!(map[&line_of("answer = true")], "q1-answer");
    }

    #[test]
    fn the_quiz_editor_skips_empty_slots_and_names_new_questions() {
        let fields: Fields = [
            ("slug", "intro"),
            ("q0-id", "intro-1"),
            ("q0-kind", "single"),
            ("q0-prompt", "First?"),
            ("q0-o0-text", "Yes"),
            ("q0-o0-correct", "on"),
            ("q0-o1-text", ""),
            ("q1-kind", "true-false"),
            ("q1-prompt", "Second?"),
            ("q1-answer", "false"),
            ("q2-kind", "single"),
            ("q2-prompt", ""),
            ("q3-prompt", "Removed"),
            ("q3-remove", "on"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let form = lesson_from_fields(&fields);
        assert_eq!(form.questions.len(), 2);
        assert_eq!(form.questions[0].options.len(), 1);
        assert!(form.questions[0].options[0].correct);
        assert_eq!(form.questions[1].id, "intro-2");
        assert_eq!(form.questions[1].answer, "false");
    }

    #[test]
    fn hand_written_fields_the_form_cannot_show_send_the_author_to_the_source() {
        let text = "+++\nslug = \"a\"\ntitle = \"A\"\nminutes = 5\noutcomes = [\"Explain\"]\nextra = 1\n+++\nBody\n";
        assert!(lesson_from_text(text).is_err_and(|e| e.contains("extra")));
    }

    #[test]
    fn module_settings_round_trip_through_the_form() {
        let settings = ModuleSettings {
            title: "Clinical safety".into(),
            summary: "What DCB0129 asks.".into(),
            audience: "Clinicians".into(),
            estimated_hours: "2".into(),
            cpd_hours: "2.5".into(),
            order: "10".into(),
            completion: "completed".into(),
            alignments: vec!["hlm:evaluating-information".into()],
        };
        let text = settings_text(&settings);
        assert!(text.contains("estimated_hours = 2.0\n"));
        let back = settings_from_text(&text).expect("readable");
        assert_eq!(settings_text(&back), text);
    }
}
