//! What the academy's emails say, in one place so their wording can be reviewed together. Plain text only:
//! every mail client shows it, and a link in plain text is exactly what it looks like.

use super::mail_outbox::Email;

fn email(to: &str, subject: &str, body: String) -> Email {
    Email {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body,
    }
}

const SIGN_OFF: &str = "Informatics Academy\n\nYou are receiving this because someone entered this address on \
Informatics Academy. If that was not you, you can ignore this email; nothing changes unless the link is used.";

/// The link that proves a new account's address.
pub fn verify_new_account(to: &str, name: &str, base_url: &str, token: &str) -> Email {
    email(
        to,
        "Verify your email address for Informatics Academy",
        format!(
            "Dear {name},\n\nThank you for registering. To confirm this is your email address, open this link \
             within 48 hours and press \"Verify my email address\":\n\n{base_url}/verify-email?token={token}\n\n\
             Until you verify, you can sign in, read modules and track your progress, but you cannot join a cohort \
             or receive completion records.\n\n{SIGN_OFF}"
        ),
    )
}

/// A fresh verification link for an existing account.
pub fn verify_again(to: &str, name: &str, base_url: &str, token: &str) -> Email {
    email(
        to,
        "Your new verification link for Informatics Academy",
        format!(
            "Dear {name},\n\nHere is a new link to verify your email address (earlier links no longer work). Open it \
             within 48 hours and press \"Verify my email address\":\n\n{base_url}/verify-email?token={token}\n\n{SIGN_OFF}"
        ),
    )
}

/// Someone tried to register an address that already has an account: tell its owner, not the stranger.
pub fn already_registered(to: &str, name: &str, base_url: &str) -> Email {
    email(
        to,
        "Someone tried to register with your email address",
        format!(
            "Dear {name},\n\nSomeone, perhaps you, tried to create an Informatics Academy account with this email \
             address, which already has an account. No new account was created.\n\nTo sign in: {base_url}/sign-in\n\
             If you have forgotten your password: {base_url}/forgot-password\n\n{SIGN_OFF}"
        ),
    )
}

/// The link to set a new password.
pub fn reset_password(to: &str, name: &str, base_url: &str, token: &str) -> Email {
    email(
        to,
        "Reset your Informatics Academy password",
        format!(
            "Dear {name},\n\nSomeone asked to reset the password for your account. To choose a new password, open \
             this link within one hour:\n\n{base_url}/reset-password?token={token}\n\nResetting signs your account \
             out of every browser. If you did not ask, ignore this email: your password stays as it is.\n\n{SIGN_OFF}"
        ),
    )
}

/// A reset was asked for an address with no account: say so, so its owner knows.
pub fn no_account_for_reset(to: &str, base_url: &str) -> Email {
    email(
        to,
        "Password reset: no Informatics Academy account uses this address",
        format!(
            "Hello,\n\nSomeone asked to reset the password of an Informatics Academy account with this email \
             address, but no account uses it. If you meant to register: {base_url}/register\n\n{SIGN_OFF}"
        ),
    )
}

/// The password was changed or reset: tell the holder, in case it was not them.
pub fn password_changed(to: &str, name: &str, base_url: &str) -> Email {
    email(
        to,
        "Your Informatics Academy password was changed",
        format!(
            "Dear {name},\n\nThe password for your account was just changed, and every other browser was signed \
             out. If this was not you, reset your password now at {base_url}/forgot-password and tell your \
             course lead.\n\n{SIGN_OFF}"
        ),
    )
}

/// The link that proves a new address before the account moves to it.
pub fn confirm_new_address(to: &str, name: &str, base_url: &str, token: &str) -> Email {
    email(
        to,
        "Confirm your new email address for Informatics Academy",
        format!(
            "Dear {name},\n\nTo move your Informatics Academy account to this email address, open this link within \
             24 hours and press \"Use this email address\":\n\n{base_url}/confirm-email-change?token={token}\n\n\
             Until then your account keeps its current address.\n\n{SIGN_OFF}"
        ),
    )
}

/// To the old address when a change is asked for, and again when it happens.
pub fn address_change_notice(
    to: &str,
    name: &str,
    new_address: &str,
    done: bool,
    base_url: &str,
) -> Email {
    let what = if done {
        format!("Your account now uses {new_address}; this address no longer signs in.")
    } else {
        format!(
            "Someone signed in to your account asked to move it to {new_address}. It moves only when that address confirms."
        )
    };
    email(
        to,
        "A change to your Informatics Academy email address",
        format!(
            "Dear {name},\n\n{what}\n\nIf this was not you, reset your password at {base_url}/forgot-password and \
             tell your course lead.\n\n{SIGN_OFF}"
        ),
    )
}

/// Someone asked to move an account to an address that already has one.
pub fn address_taken(to: &str, base_url: &str) -> Email {
    email(
        to,
        "Someone tried to move an account to your email address",
        format!(
            "Hello,\n\nSomeone signed in to an Informatics Academy account asked to move it to this email address, \
             which already has its own account. Nothing was changed. To sign in: {base_url}/sign-in\n\n{SIGN_OFF}"
        ),
    )
}
