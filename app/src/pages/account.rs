//! The account page: the name on your records, your password, and every browser where you are signed in,
//! with a way to sign each one (or all the others) out. Shared hospital PCs make the last part matter.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::{
    AccountSettings, ChangeName, ChangePassword, DeleteAccount, EndOtherSessions, EndSession,
    RequestEmailChange, fetch_account_settings,
};
use crate::components::error_view::ErrorView;
use crate::components::form::{ErrorSummary, FormField};

#[component]
pub fn AccountPage() -> impl IntoView {
    let change_name = ServerAction::<ChangeName>::new();
    let change_password = ServerAction::<ChangePassword>::new();
    let end_session = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let change_email = ServerAction::<RequestEmailChange>::new();
    let delete_account = ServerAction::<DeleteAccount>::new();
    let settings = Resource::new(
        move || {
            (
                change_name.version().get(),
                change_password.version().get(),
                end_session.version().get(),
                end_others.version().get(),
            )
        },
        |_| fetch_account_settings(),
    );
    let actions = AccountActions {
        change_name,
        change_password,
        end_session,
        end_others,
        change_email,
        delete_account,
    };
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <Suspense fallback=|| view! { <p>"Loading your account…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <AccountBody settings=settings actions=actions/> }.into_any(),
                    Err(error) => view! { <ErrorView error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's forms, created once so their results survive the page data reloading.
#[derive(Clone, Copy)]
struct AccountActions {
    change_name: ServerAction<ChangeName>,
    change_password: ServerAction<ChangePassword>,
    end_session: ServerAction<EndSession>,
    end_others: ServerAction<EndOtherSessions>,
    change_email: ServerAction<RequestEmailChange>,
    delete_account: ServerAction<DeleteAccount>,
}

#[component]
fn AccountBody(settings: AccountSettings, actions: AccountActions) -> impl IntoView {
    let name_error =
        Signal::derive(move || actions.change_name.value().get().and_then(|r| r.err()));
    let name_saved = move || matches!(actions.change_name.value().get(), Some(Ok(())));
    let password_error =
        Signal::derive(move || actions.change_password.value().get().and_then(|r| r.err()));
    let password_saved = move || matches!(actions.change_password.value().get(), Some(Ok(())));
    let session_error = Signal::derive(move || {
        actions
            .end_session
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| actions.end_others.value().get().and_then(|r| r.err()))
    });
    let email_error =
        Signal::derive(move || actions.change_email.value().get().and_then(|r| r.err()));
    let delete_error =
        Signal::derive(move || actions.delete_account.value().get().and_then(|r| r.err()));
    let organisations = settings.organisations.clone();
    // A VLE learner's first address is under the reserved `.invalid` domain: it receives no mail.
    let no_address = settings.email.ends_with(".invalid");
    let others = settings.sessions.iter().filter(|s| !s.current).count();
    let verified = if settings.email_verified {
        "Verified."
    } else {
        "Not verified yet: follow the link we emailed you (you can ask for a new one at the top of the page)."
    };
    view! {
        <section aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Your name"</h2>
            <p>{format!("Signed in as {} ({}).", settings.display_name, settings.email)}</p>
            {move || name_saved().then(|| view! { <p class="notice" role="status">"Your name has been changed."</p> })}
            <ErrorSummary error=name_error/>
            <ActionForm action=actions.change_name attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label class="field__label" for="field-display-name">"Name on your records"</label>
                    <p class="field__hint" id="field-display-name-hint">"Records already issued keep the name they were signed with."</p>
                    {move || name_error.get().and_then(|e| e.field_message("display_name")).map(|m| view! {
                        <p class="field__error" id="field-display-name-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                    })}
                    <input class="field__input" id="field-display-name" name="display_name" autocomplete="name"
                        value=settings.display_name.clone()
                        aria-describedby="field-display-name-hint"/>
                </div>
                <button type="submit" class="button">"Change name"</button>
            </ActionForm>
        </section>
        <section aria-labelledby="email-heading">
            <h2 id="email-heading">"Your email address"</h2>
            {if no_address {
                view! { <p>"Your account came from your VLE and has no email address yet. Add one to receive emails from the academy and to earn completion records."</p> }.into_any()
            } else {
                view! { <p>{format!("{}: {verified}", settings.email)}</p> }.into_any()
            }}
            {if settings.has_password || no_address {
                let password_field = if settings.has_password {
                    view! { <FormField name="email_password" label="Your current password" input_type="password" autocomplete="current-password" error=email_error/> }.into_any()
                } else {
                    // No password to confirm with: having just arrived from the VLE is the confirmation.
                    view! { <input type="hidden" name="email_password" value=""/> }.into_any()
                };
                view! {
                    <ErrorSummary error=email_error/>
                    <ActionForm action=actions.change_email attr:class="form" attr:novalidate=true>
                        <FormField name="new_email" label="New email address" input_type="email" autocomplete="email" hint="We send a link to the new address; your account moves when it is followed." error=email_error/>
                        {password_field}
                        <button type="submit" class="button">"Change email address"</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <p>"Your address comes from your organisation's sign-in. To move your account to another address, set a password first (below)."</p> }.into_any()
            }}
        </section>
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">"Your password"</h2>
            {move || password_saved().then(|| view! { <p class="notice" role="status">"Your password has been changed, and every other browser has been signed out."</p> })}
            {(!organisations.is_empty()).then(|| view! {
                <p>{format!("You can sign in with your organisation: {}.", organisations.join(", "))}</p>
            })}
            {if settings.has_password {
                view! {
                    <ErrorSummary error=password_error/>
                    <ActionForm action=actions.change_password attr:class="form" attr:novalidate=true>
                        <FormField name="current_password" label="Current password" input_type="password" autocomplete="current-password" error=password_error/>
                        <FormField name="new_password" label="New password" input_type="password" autocomplete="new-password" hint="At least 10 characters. A few unrelated words make a strong password." error=password_error/>
                        <button type="submit" class="button">"Change password"</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <p>"Your account has no password. To be able to sign in without your organisation as well, "
                        <a href="/forgot-password">"ask for a link to set one"</a>" (sent to your address)."</p>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <ErrorSummary error=session_error/>
            <table class="evidence">
                <caption class="visually-hidden">"Your signed-in sessions"</caption>
                <thead><tr><th scope="col">"Browser"</th><th scope="col">"Signed in (UTC)"</th><th scope="col">"Last used (UTC)"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                <tbody>
                    {settings.sessions.into_iter().map(|s| {
                        let action = if s.current {
                            view! { <td>"This browser"</td> }.into_any()
                        } else {
                            let label = format!("Sign out {} (last used {})", s.browser, s.last_seen_at);
                            view! {
                                <td>
                                    <ActionForm action=actions.end_session attr:class="inline-form">
                                        <input type="hidden" name="reference" value=s.reference.clone()/>
                                        <button type="submit" class="button-link" aria-label=label>"Sign out"</button>
                                    </ActionForm>
                                </td>
                            }.into_any()
                        };
                        view! {
                            <tr><td>{s.browser}</td><td>{s.signed_in_at}</td><td>{s.last_seen_at}</td>{action}</tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(others > 0).then(|| view! {
                <ActionForm action=actions.end_others attr:class="form">
                    <button type="submit" class="button button--warning">"Sign out everywhere else"</button>
                </ActionForm>
            })}
        </section>
        <section aria-labelledby="data-heading">
            <h2 id="data-heading">"Your data"</h2>
            <p>"Download everything the academy holds about you: your profile, enrolments, progress, every answer you submitted, your records (with their signed files), your learning statements, cohorts and sessions, as JSON and CSV in one zip file."</p>
            <p><a href="/account/data.zip" download="">"Download my data (zip)"</a></p>
        </section>
        <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete your account"</h2>
            <p>"Your account, progress, answers, learning statements and cohort memberships are deleted. Your completion records are withdrawn: their pages will say only that you withdrew them, and files you downloaded still show they were signed by the academy. This cannot be undone, so download your data first if you want to keep it."</p>
            <ErrorSummary error=delete_error/>
            <ActionForm action=actions.delete_account attr:class="form" attr:novalidate=true>
                {if settings.has_password {
                    view! { <FormField name="delete_password" label="Your password, to confirm" input_type="password" autocomplete="current-password" error=delete_error/> }.into_any()
                } else {
                    view! { <FormField name="delete_password" label="Your email address, to confirm" input_type="email" autocomplete="off" error=delete_error/> }.into_any()
                }}
                <div class="field" class:field--error=move || delete_error.get().and_then(|e| e.field_message("confirm")).is_some()>
                    {move || delete_error.get().and_then(|e| e.field_message("confirm")).map(|m| view! {
                        <p class="field__error" id="field-confirm-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                    })}
                    <div class="choice">
                        <input type="checkbox" id="field-confirm" name="confirm" value="yes"/>
                        <label for="field-confirm">"I understand that my account and learning history will be deleted"</label>
                    </div>
                </div>
                <button type="submit" class="button button--warning">"Delete my account"</button>
            </ActionForm>
        </section>
    }
}
