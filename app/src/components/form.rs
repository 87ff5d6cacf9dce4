//! Form fields that carry their own label, hint and error, and the error summary at the top of a form.
//!
//! Follows the GOV.UK Design System's error pattern: a summary linking to each field, and the message again
//! next to the field, tied to the input with `aria-describedby`.

use leptos::prelude::*;

use crate::error::AppError;

/// The `id` of the input for a form field `name`, for labels and summary links.
pub fn field_id(name: &str) -> String {
    format!("field-{}", name.replace('_', "-"))
}

/// A labelled input. `error` and `value` are read from the form's last failed submission.
#[component]
pub fn FormField(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(into, default = "text".to_owned())] input_type: String,
    #[prop(into, optional)] autocomplete: Option<String>,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = field_id(&name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = {
        let name = name.clone();
        Memo::new(move |_| error.get().and_then(|e| e.field_message(&name)))
    };
    let value = {
        let name = name.clone();
        move || {
            error
                .get()
                .and_then(|e| e.echoed_value(&name))
                .unwrap_or_default()
        }
    };
    let describedby = {
        let (hint_id, error_id, has_hint) = (hint_id.clone(), error_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let is_password = input_type == "password";
    view! {
        <div class="field" class:field--error=move || message.get().is_some()>
            <label class="field__label" for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            {move || message.get().map(|m| view! {
                <p class="field__error" id=error_id.clone()>
                    <span class="visually-hidden">"Error: "</span>{m}
                </p>
            })}
            <input
                class="field__input"
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                aria-describedby=describedby
                aria-invalid=move || message.get().is_some().then_some("true")
                value=move || if is_password { String::new() } else { value() }
            />
        </div>
    }
}

/// The list of problems at the top of a form, each linking to its field. Shown for any error, so that
/// non-field errors (an unavailable database, say) are announced too.
#[component]
pub fn ErrorSummary(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            let items = match &error {
                AppError::Invalid { errors, .. } => errors
                    .iter()
                    .map(|e| {
                        let href = format!("#{}", field_id(&e.field));
                        view! { <li><a href=href>{e.message.clone()}</a></li> }.into_any()
                    })
                    .collect::<Vec<_>>(),
                other => vec![view! { <li>{other.to_string()}</li> }.into_any()],
            };
            view! {
                <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
                    <h2 id="error-summary-title" class="error-summary__title">"There is a problem"</h2>
                    <ul class="error-summary__list">{items}</ul>
                </div>
            }
        })
    }
}
