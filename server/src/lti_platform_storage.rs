//! LTI client-side platform storage (1EdTech "LTI Client Side postMessages" and "OIDC Login with LTI Client
//! Side postMessages"): where a browser keeps the academy's cookies out of the VLE's frame (Safari, and any
//! browser blocking third-party cookies), the launch's state is kept by the VLE's own page instead.
//!
//! A login initiation naming an `lti_storage_target` is answered with a page that asks the VLE's page to
//! keep the state (`lti.put_data`) before going on to the platform. A launch that comes back without the
//! state cookie is answered with a page that asks the VLE's page for it (`lti.get_data`) and, when the VLE
//! gives back the same state, posts the launch to `/lti/launch/storage` from this site; that address is not
//! exempt from the cross-site check, so only this page (framed by the VLE's sites alone) can use it. The
//! messages go to the platform's authorization origin only, and answers are taken from it only.
//!
//! The two scripts are fixed text allowed by their hashes; what they need is in the page's data attributes.

use app::ssr::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;

use crate::lti_pages::{Policy, escape, page};

/// Asks the VLE's page to keep the state (again every half second, as the VLE's page may start listening
/// after the frame), then goes on to the platform; also after three seconds without an answer, as the
/// cookie may still work.
pub(crate) const PUT_STATE_SCRIPT: &str = "(function(){var d=document.getElementById('lti-storage').dataset,\
w=d.target==='_parent'?window.parent:(window.parent.frames[d.target]||window.parent),\
id='academy-put-'+Date.now(),done=false,tries=0,r;function go(){if(!done){done=true;clearInterval(r);\
window.location.href=d.next;}}function send(){if(++tries>6){go();return;}w.postMessage({subject:\
'lti.put_data',message_id:id,key:'state_'+d.state,value:d.state},d.origin);}\
window.addEventListener('message',function(m){if(m.origin!==d.origin||!m.data||\
m.data.subject!=='lti.put_data.response'||m.data.message_id!==id)return;go();});\
r=setInterval(send,500);send();})();";

/// Asks the VLE's page for the state (again every half second, for three seconds) and, when it is this
/// launch's, posts the launch from this site; otherwise says the launch could not be confirmed.
pub(crate) const GET_STATE_SCRIPT: &str = "(function(){var d=document.getElementById('lti-storage').dataset,\
w=d.target==='_parent'?window.parent:(window.parent.frames[d.target]||window.parent),\
id='academy-get-'+Date.now(),done=false,tries=0,r;function end(ok){if(done)return;done=true;\
clearInterval(r);if(ok){document.getElementById('lti-storage-proof').submit();}else{\
document.getElementById('lti-storage-failed').hidden=false;}}function send(){if(++tries>6){end(false);\
return;}w.postMessage({subject:'lti.get_data',message_id:id,key:'state_'+d.state},d.origin);}\
window.addEventListener('message',function(m){if(m.origin!==d.origin||!m.data||\
m.data.subject!=='lti.get_data.response'||m.data.message_id!==id)return;end(m.data.value===d.state);});\
r=setInterval(send,500);send();})();";

/// The frame name or `_parent` the VLE asked for: a short name, since it is written into the page.
pub(crate) fn storage_target(requested: Option<&str>) -> Option<&str> {
    requested.filter(|t| {
        !t.is_empty()
            && t.len() <= 64
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    })
}

/// The page a login initiation answers when the VLE offers its storage: keeps the state there, then goes on
/// to `authorization_url`.
pub(crate) fn keep_state_page(
    state: &AppState,
    target: &str,
    platform_origin: &str,
    frame_origins: &[String],
    login_state: &str,
    authorization_url: &str,
) -> Response {
    let body = format!(
        "<p id=\"lti-storage\" data-target=\"{}\" data-origin=\"{}\" data-state=\"{}\" data-next=\"{}\">\
         Opening Informatics Academy from your course…</p><noscript><p><a href=\"{}\">Continue</a></p>\
         </noscript>",
        escape(target),
        escape(platform_origin),
        escape(login_state),
        escape(authorization_url),
        escape(authorization_url),
    );
    page(
        state,
        StatusCode::OK,
        "Opening Informatics Academy",
        &body,
        &Policy {
            frame_origins,
            form_action: "'none'",
            script: Some(PUT_STATE_SCRIPT),
        },
    )
}

/// The page a launch without its state cookie answers when the VLE offers its storage: checks the state
/// there, then posts the launch from this site.
pub(crate) fn check_state_page(
    state: &AppState,
    target: &str,
    platform_origin: &str,
    frame_origins: &[String],
    id_token: &str,
    launch_state: &str,
) -> Response {
    let body = format!(
        "<p id=\"lti-storage\" data-target=\"{}\" data-origin=\"{}\" data-state=\"{}\">Checking your \
         launch with your course…</p>\
         <form id=\"lti-storage-proof\" method=\"post\" action=\"/lti/launch/storage\">\
         <input type=\"hidden\" name=\"id_token\" value=\"{}\"><input type=\"hidden\" name=\"state\" \
         value=\"{}\"></form>\
         <div id=\"lti-storage-failed\" role=\"alert\" hidden><p>Your course could not confirm this launch \
         started in this browser, so it was not opened. Go back to your course and open the activity again; \
         if it keeps happening, set the activity to open in a new window.</p></div>",
        escape(target),
        escape(platform_origin),
        escape(launch_state),
        escape(id_token),
        escape(launch_state),
    );
    page(
        state,
        StatusCode::OK,
        "Checking your launch",
        &body,
        &Policy {
            frame_origins,
            form_action: "'self'",
            script: Some(GET_STATE_SCRIPT),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::storage_target;

    #[test]
    fn only_a_plain_frame_name_is_taken() {
        assert_eq!(storage_target(Some("_parent")), Some("_parent"));
        assert_eq!(
            storage_target(Some("post_message_forwarding")),
            Some("post_message_forwarding")
        );
        assert_eq!(storage_target(Some("x\" onload=\"")), None);
        assert_eq!(storage_target(Some("")), None);
        assert_eq!(storage_target(None), None);
    }
}
