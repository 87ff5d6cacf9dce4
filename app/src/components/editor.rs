//! The pieces of the authoring forms: labelled fields whose problems (from the same checks as `check`) sit
//! next to them, the alignment picker, and the quiz editor. Every input is named `fields[<name>]`, so a form
//! posts one map that the authoring service reads, with or without JavaScript.

use leptos::prelude::*;

use crate::components::form::field_id;
use crate::error::FieldError;
use crate::model::authoring::{FrameworkChoice, MAX_OPTIONS, QuestionForm, SPARE_OPTIONS};

fn message_for(errors: &[FieldError], name: &str) -> Option<String> {
    let messages: Vec<&str> = errors
        .iter()
        .filter(|e| e.field == name)
        .map(|e| e.message.as_str())
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// A labelled text input or textarea carrying its value and its problem.
#[component]
pub fn EditorField(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(into, optional)] hint: Option<String>,
    /// Rows for a textarea; `None` for a one-line input.
    #[prop(optional)]
    rows: Option<u32>,
    #[prop(into, default = "text".to_owned())] input_type: String,
    errors: Vec<FieldError>,
) -> impl IntoView {
    let id = field_id(&name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = message_for(&errors, &name);
    let mut described = Vec::new();
    if hint.is_some() {
        described.push(hint_id.clone());
    }
    if message.is_some() {
        described.push(error_id.clone());
    }
    let describedby = (!described.is_empty()).then(|| described.join(" "));
    let invalid = message.is_some().then_some("true");
    let input_name = format!("fields[{name}]");
    let input = match rows {
        Some(rows) => view! {
            <textarea class="field__input field__input--text" id=id.clone() name=input_name rows=rows
                aria-describedby=describedby aria-invalid=invalid>{value}</textarea>
        }
        .into_any(),
        None => view! {
            <input class="field__input" id=id.clone() name=input_name type=input_type value=value
                aria-describedby=describedby aria-invalid=invalid/>
        }
        .into_any(),
    };
    let has_error = message.is_some();
    view! {
        <div class="field" class:field--error=has_error>
            <label class="field__label" for=id>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id>{hint}</p> })}
            {message.map(|m| view! {
                <p class="field__error" id=error_id><span class="visually-hidden">"Error: "</span>{m}</p>
            })}
            {input}
        </div>
    }
}

/// A select of fixed choices, `(value, label)`.
#[component]
pub fn EditorSelect(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    choices: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
) -> impl IntoView {
    let id = field_id(&name);
    let error_id = format!("{id}-error");
    let message = message_for(&errors, &name);
    let known = choices.iter().any(|(v, _)| *v == value);
    view! {
        <div class="field" class:field--error=message.is_some()>
            <label class="field__label" for=id.clone()>{label}</label>
            {message.clone().map(|m| view! {
                <p class="field__error" id=error_id.clone()><span class="visually-hidden">"Error: "</span>{m}</p>
            })}
            <select class="field__input field__input--select" id=id name=format!("fields[{name}]")
                aria-describedby=message.is_some().then_some(error_id.clone())>
                {(!known).then(|| view! { <option value=value.clone() selected=true>{format!("{value} (not a valid choice)")}</option> })}
                {choices.into_iter().map(|(v, l)| view! {
                    <option value=v selected=v == value>{l}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Checkboxes for every competency of every framework; ticked ones are sent as `al-N = framework:code`.
#[component]
pub fn AlignmentPicker(
    frameworks: Vec<FrameworkChoice>,
    selected: Vec<String>,
    errors: Vec<FieldError>,
    #[prop(into)] legend: String,
) -> impl IntoView {
    let message = message_for(&errors, "alignments");
    let mut n = 0usize;
    let known: Vec<String> = frameworks
        .iter()
        .flat_map(|f| {
            f.competencies
                .iter()
                .map(move |(c, _)| format!("{}:{c}", f.id))
        })
        .collect();
    // Codes in the file that no framework has any more: kept (ticked) so saving loses nothing.
    let unknown: Vec<String> = selected
        .iter()
        .filter(|s| !known.contains(s))
        .cloned()
        .collect();
    let groups = frameworks
        .into_iter()
        .map(|framework| {
            let open = selected
                .iter()
                .any(|s| s.starts_with(&format!("{}:", framework.id)));
            let boxes = framework
                .competencies
                .into_iter()
                .map(|(code, name)| {
                    let value = format!("{}:{code}", framework.id);
                    let id = format!("alignment-{n}");
                    let field = format!("fields[al-{n}]");
                    n += 1;
                    let checked = selected.contains(&value);
                    view! {
                        <div class="choice">
                            <input type="checkbox" id=id.clone() name=field value=value checked=checked/>
                            <label for=id>{format!("{code} {name}")}</label>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <details class="alignment-group" open=open>
                    <summary>{framework.name}</summary>
                    {boxes}
                </details>
            }
        })
        .collect_view();
    let extra = unknown
        .into_iter()
        .map(|value| {
            let id = format!("alignment-{n}");
            let field = format!("fields[al-{n}]");
            n += 1;
            view! {
                <div class="choice">
                    <input type="checkbox" id=id.clone() name=field value=value.clone() checked=true/>
                    <label for=id>{format!("{value} (not in any loaded framework)")}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="question" id="field-alignments">
            <legend class="question__prompt">{legend}</legend>
            {message.map(|m| view! { <p class="field__error"><span class="visually-hidden">"Error: "</span>{m}</p> })}
            {groups}
            {extra}
        </fieldset>
    }
}

const KINDS: [(&str, &str); 3] = [
    ("single", "One correct option"),
    ("multiple", "One or more correct options"),
    ("true-false", "True or false"),
];

/// Every question as a group of fields, then an empty group for adding one. Without JavaScript an author
/// adds a question or options by saving: empty slots are ignored, and fresh ones appear after each save.
#[component]
pub fn QuizEditor(questions: Vec<QuestionForm>, errors: Vec<FieldError>) -> impl IntoView {
    let count = questions.len();
    let mut all = questions;
    all.push(QuestionForm {
        kind: "single".to_owned(),
        ..QuestionForm::default()
    });
    all.into_iter()
        .enumerate()
        .map(|(i, q)| {
            let is_new = i == count;
            let legend = if is_new {
                "Add a question (leave empty to add none)".to_owned()
            } else {
                format!("Question {} ({})", i + 1, q.id)
            };
            let slots = (q.options.len() + SPARE_OPTIONS).clamp(4, MAX_OPTIONS);
            let mut options = q.options.clone();
            options.resize(slots.max(options.len()), Default::default());
            let name = |field: &str| format!("q{i}-{field}");
            let remove_id = format!("q{i}-remove");
            view! {
                <fieldset class="question quiz-editor" id=field_id(&format!("q{i}"))>
                    <legend class="question__prompt">{legend}</legend>
                    {message_for(&errors, &format!("q{i}")).map(|m| view! {
                        <p class="field__error"><span class="visually-hidden">"Error: "</span>{m}</p>
                    })}
                    <EditorField name=name("id") label="Question id" value=q.id.clone()
                        hint="Unique in the module; answers are stored under it, so never reuse one for a different question. Left empty, one is made for you."
                        errors=errors.clone()/>
                    <EditorSelect name=name("kind") label="Kind" value=q.kind.clone() choices=KINDS.to_vec() errors=errors.clone()/>
                    <EditorField name=name("prompt") label="Question" value=q.prompt.clone() rows=2 errors=errors.clone()/>
                    <EditorField name=name("explanation") label="Explanation shown after answering" value=q.explanation.clone() rows=2 errors=errors.clone()/>
                    <EditorSelect name=name("answer") label="Answer (true-false questions only)" value=q.answer.clone()
                        choices=vec![("", "Not a true-false question"), ("true", "True"), ("false", "False")] errors=errors.clone()/>
                    <table class="evidence option-table">
                        <caption>"Options (single and multiple questions; empty rows are ignored)"</caption>
                        <thead><tr><th scope="col">"Option"</th><th scope="col">"Correct"</th><th scope="col">"Feedback if chosen (optional)"</th></tr></thead>
                        <tbody>
                            {options.into_iter().enumerate().map(|(j, o)| {
                                let text = name(&format!("o{j}-text"));
                                let message = message_for(&errors, &text);
                                let text_id = field_id(&text);
                                let correct_id = field_id(&name(&format!("o{j}-correct")));
                                let feedback_id = field_id(&name(&format!("o{j}-feedback")));
                                let has_error = message.is_some();
                                view! {
                                    <tr class:field--error=has_error>
                                        <td>
                                            {message.map(|m| view! { <p class="field__error"><span class="visually-hidden">"Error: "</span>{m}</p> })}
                                            <label class="visually-hidden" for=text_id.clone()>{format!("Option {}", j + 1)}</label>
                                            <input class="field__input" id=text_id name=format!("fields[{text}]") value=o.text/>
                                        </td>
                                        <td>
                                            <label class="visually-hidden" for=correct_id.clone()>{format!("Option {} is correct", j + 1)}</label>
                                            <input type="checkbox" id=correct_id name=format!("fields[{}]", name(&format!("o{j}-correct"))) value="on" checked=o.correct/>
                                        </td>
                                        <td>
                                            <label class="visually-hidden" for=feedback_id.clone()>{format!("Feedback for option {}", j + 1)}</label>
                                            <input class="field__input" id=feedback_id name=format!("fields[{}]", name(&format!("o{j}-feedback"))) value=o.feedback/>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(!is_new).then(|| view! {
                        <div class="choice">
                            <input type="checkbox" id=field_id(&remove_id) name=format!("fields[{remove_id}]") value="on"/>
                            <label for=field_id(&remove_id)>"Remove this question when saving"</label>
                        </div>
                    })}
                </fieldset>
            }
        })
        .collect_view()
}

/// The problems of a form that belong to fields, as a summary linking to each field.
#[component]
pub fn ProblemSummary(errors: Vec<FieldError>, #[prop(into)] title: String) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="region" aria-labelledby="problem-summary-title">
                <h2 id="problem-summary-title" class="error-summary__title">{title}</h2>
                <ul class="error-summary__list">
                    {errors.into_iter().map(|e| {
                        let href = format!("#{}", field_id(&e.field));
                        view! { <li><a href=href>{e.message}</a></li> }
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}
