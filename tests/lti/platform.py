"""A VLE the project did not write, for the browser journey: PyPI's lti1p3platform 0.1.8 (OpenLearning, MIT)
builds the platform's side of LTI 1.3 (login initiation, the signed launch, Deep Linking requests, the token
endpoint that checks the tool's signed assertion, Deep Linking answers checked with the tool's published
keys, and the course roster through its Names and Role Provisioning service). This file is only the glue that
serves it over HTTP, with the standard library's server.

Usage: platform.py <port> <academy base URL> <platform private key, PKCS#1 DER>

Its own address is http://127.0.0.1:<port>. Pages:
  /start?kind=learner|teacher|instructor
                                starts a launch from course-1 (learner: resource link into module beta with
                                the grade services; teacher: Deep Linking request; instructor: the course's
                                teacher opening module beta)
  /authorize                    the authorization endpoint the academy sends the browser to
  /jwks                         the platform's keys
  /token                        client credentials with a JWT assertion (AGS)
  /lineitems/1/scores           takes a score posted with a token from /token
  /nrps/memberships             the course's roster, two people a page (NRPS 2.0, with a token from /token)
  /deep-link-return             takes the tool's signed Deep Linking answer
  /received                     what the platform was sent (JSON), for the test to read

lti1p3platform is permissive (it checks neither the redirect URI nor the assertion's audience), so this glue
checks the redirect URI itself; the academy's own tests cover what the academy must refuse. Its roster
service gives the next page's address in the JSON body; NRPS 2.0 gives it in a `Link: <...>; rel="next"`
header, so the glue moves it there.
"""

import json
import sys
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

from cryptography.hazmat.primitives import serialization
from lti1p3platform.exceptions import LtiServiceException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import RequestBase
from lti1p3platform.service_connector import NamesRoleProvisioningService

PORT = int(sys.argv[1])
ACADEMY = sys.argv[2].rstrip("/")
ISSUER = f"http://127.0.0.1:{PORT}"
CLIENT_ID = "academy-tool"
DEPLOYMENT_ID = "deployment-1"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
# The course every launch comes from, and its roster: the teacher, the learner who launches in the journey,
# one who never has, and one who has left.
COURSE = Context(id="course-1", label="INF101", title="Informatics for clinicians")
ROSTER = [
    {"user_id": "teacher-1", "roles": [INSTRUCTOR], "name": "Tess Teacher"},
    {"user_id": "learner-1", "roles": [LEARNER], "name": "Lewis Learner"},
    {"user_id": "learner-2", "roles": [LEARNER], "name": "Nadia Newcomer"},
    {"user_id": "learner-3", "roles": [LEARNER], "name": "Liam Leaver", "status": "Inactive"},
]

with open(sys.argv[3], "rb") as key_file:
    _private = serialization.load_der_private_key(key_file.read(), password=None)
PRIVATE_PEM = _private.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
PUBLIC_PEM = (
    _private.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)

received = {"scores": [], "placed": [], "tokens": 0, "roster_pages": 0}
lock = threading.Lock()


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        pass

    def get_registration_by_params(self, **kwargs):
        return (
            Registration()
            .set_iss(ISSUER)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(f"{ACADEMY}/lti/login")
            .set_launch_url(f"{ACADEMY}/modules/beta")
            .set_deeplink_launch_url(f"{ACADEMY}/lti/deep-link")
            .set_platform_public_key(PUBLIC_PEM)
            .set_platform_private_key(PRIVATE_PEM)
            .set_tool_key_set_url(f"{ACADEMY}/lti/jwks.json")
        )


class Request(RequestBase):
    def __init__(self, get_data=None, form_data=None, headers=None):
        self.request = {"method": "GET", "get_data": get_data or {}, "form_data": form_data or {},
                        "headers": headers or {}, "path": "", "content_type": None, "json": None}


class Members(NamesRoleProvisioningService):
    def get_context_by_id(self):
        return COURSE

    def get_member_data_page(self, page=1, limit=None, **kwargs):
        size = limit or len(ROSTER)
        start = (page - 1) * size
        return {"content": [dict(m) for m in ROSTER[start:start + size]], "has_next": start + size < len(ROSTER)}


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data, **kwargs):
        assert launch_data["launch_url"] == f"{ACADEMY}/lti/launch", launch_data["launch_url"]
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{escape(launch_data[name])}">'
            for name in ("id_token", "state")
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><title>Launching</title></head><body>'
            f'<form method="post" action="{escape(launch_data["launch_url"])}">{fields}</form>'
            "<script>document.forms[0].submit()</script></body></html>"
        )


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        length = int(self.headers.get("content-length", "0"))
        return dict(parse_qsl(self.rfile.read(length).decode()))

    def do_GET(self):
        url = urlparse(self.path)
        query = dict(parse_qsl(url.query))
        if url.path == "/start":
            platform = Platform()
            login = Login(Request(), platform)
            kind = query.get("kind", "learner")
            login.set_lti_message_hint(hint=kind)
            if kind == "teacher":
                login.set_deeplinking_launch_url()
            self.answer(302, "", headers=[("location", login.initiate_login(kind))])
        elif url.path == "/authorize":
            platform = Platform()
            launch = Launch(Request(get_data=query), platform)
            kind = query.get("lti_message_hint")
            launch.set_launch_context_claim(COURSE.id, context_title=COURSE.title, context_label=COURSE.label)
            launch.set_nrps(f"{ISSUER}/nrps/memberships")
            if kind == "instructor":
                launch.set_user_data("teacher-1", [INSTRUCTOR], full_name="Tess Teacher")
                launch.set_resource_link_claim("week-5-beta", title="Week 5: Beta")
            elif kind == "teacher":
                launch.set_user_data("teacher-1", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
                                     full_name="Tess Teacher")
                # No `data`: lti1p3platform sends it as an object, where Deep Linking 2.0 has an opaque string.
                launch.set_dl(f"{ISSUER}/deep-link-return", title="Week 5", accept_types={"ltiResourceLink"})
            else:
                launch.set_user_data("learner-1", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                                     full_name="Lewis Learner")
                launch.set_resource_link_claim("week-5-beta", title="Week 5: Beta")
                launch.set_ags(f"{ISSUER}/lineitems", f"{ISSUER}/lineitems/1")
            self.answer(200, launch.lti_launch())
        elif url.path == "/jwks":
            platform = Platform()
            platform.get_registration()
            self.answer(200, json.dumps(platform.get_jwks()), "application/json")
        elif url.path == "/nrps/memberships":
            if self.headers.get("accept") != MEMBERSHIP_TYPE:
                self.answer(406, "")
                return
            platform = Platform()
            platform.get_registration()
            members = Members(
                Request(get_data={"limit": 2, "page": int(query.get("page", "1"))},
                        headers={"Authorization": self.headers.get("authorization", "")}),
                platform,
                f"{ISSUER}/nrps/memberships",
            )
            try:
                result = members.handle_get_members()
            except LtiServiceException as error:
                self.answer(error.status_code, error.message, "text/plain")
                return
            except Exception as error:  # an invalid token raises from the JWT library
                print(f"platform refused the roster: {error!r}", flush=True)
                self.answer(401, "refused", "text/plain")
                return
            body = result.result
            following = body.pop("next", None)
            headers = [("link", f'<{following}>; rel="next"')] if following else []
            with lock:
                received["roster_pages"] += 1
            self.answer(result.code, json.dumps(body), result.media_type, headers)
        elif url.path == "/received":
            with lock:
                self.answer(200, json.dumps(received), "application/json")
        else:
            self.answer(404, "")

    def do_POST(self):
        url = urlparse(self.path)
        platform = Platform()
        platform.get_registration()
        try:
            if url.path == "/token":
                token = platform.get_access_token(self.form())
                with lock:
                    received["tokens"] += 1
                self.answer(200, json.dumps(token), "application/json")
            elif url.path == "/lineitems/1/scores":
                bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
                if not platform.validate_token(bearer, allowed_scopes=[SCORE_SCOPE]):
                    self.answer(403, "")
                    return
                length = int(self.headers.get("content-length", "0"))
                score = json.loads(self.rfile.read(length))
                with lock:
                    received["scores"].append(score)
                self.answer(200, "", "application/json")
            elif url.path == "/deep-link-return":
                items = platform.validate_deeplinking_resp(self.form())
                with lock:
                    received["placed"].extend(items)
                listed = "".join(f"<li>Placed: {escape(i['title'])} ({escape(i['url'])})</li>" for i in items)
                self.answer(200, f'<!DOCTYPE html><html lang="en"><head><title>Placed</title></head>'
                                 f"<body><ul>{listed}</ul></body></html>")
            else:
                self.answer(404, "")
        except Exception as error:  # the test reads the reason in the page or the log
            print(f"platform refused {url.path}: {error!r}", flush=True)
            self.answer(400, f"refused: {escape(repr(error))}", "text/plain")


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print(f"listening {ISSUER}", flush=True)
    server.serve_forever()
