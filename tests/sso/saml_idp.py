"""A real SAML 2.0 identity provider for the tests: pysaml2 (signing through xmlsec1) behind a tiny WSGI app.

    python tests/sso/saml_idp.py --port N --key idp.key --cert idp.crt

GET  /metadata          the IdP's metadata (its entity id is this URL)
GET  /sso/redirect      takes an HTTP-Redirect AuthnRequest and shows a login form (email, groups)
POST /sso/login         signs a Response (RSA-SHA256) for that person and auto-posts it to the SP's ACS

It is configured with no SP: like a permissive IdP, it trusts the issuer and ACS URL each AuthnRequest names
(and registers them as inline SP metadata). Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import html
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

ATTRIBUTES = ("email", "first_name", "last_name", "groups")
# pysaml2 renames attributes through its maps (email -> urn:mace:...); an identity map keeps the plain names.
IDENTITY_MAP = (
    "MAP = {'identifier': 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', "
    f"'fro': {{n: n for n in {ATTRIBUTES!r}}}, 'to': {{n: n for n in {ATTRIBUTES!r}}}}}\n"
)
LOGIN_FORM = """<!doctype html><html><head><title>Test IdP</title></head><body>
<h1>Test IdP login</h1>
<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{request}"><input type="hidden" name="RelayState" value="{relay}">
<label>Email <input name="email" type="email" required></label>
<label>Groups <input name="groups" placeholder="comma separated"></label>
<button type="submit">Sign in</button></form></body></html>"""
SP_METADATA = """<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">
<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="1"/>
</md:SPSSODescriptor></md:EntityDescriptor>"""


def build_server(base: str, key: str, cert: str) -> Server:
    maps = Path(tempfile.mkdtemp(prefix="saml-idp-maps-"))
    (maps / "__init__.py").write_text("")
    (maps / "identity.py").write_text(IDENTITY_MAP)
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/metadata",
            "attribute_map_dir": str(maps),
            "key_file": key,
            "cert_file": cert,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {},
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_BASIC}},
                }
            },
        }
    )
    return Server(config=config)


def respond(server: Server, form: dict[str, str]) -> str:
    """The auto-submitting HTML form that carries a signed Response for the person in `form`."""
    request = server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT).message
    sp, acs = request.issuer.text, request.assertion_consumer_service_url
    if sp not in server.metadata.keys():  # noqa: SIM118  (the store has keys() but no __contains__)
        server.metadata.load("inline", SP_METADATA.format(entity_id=html.escape(sp), acs=html.escape(acs)))
    email = form["email"].strip()
    local = email.split("@")[0]
    identity: dict[str, Any] = {"email": [email], "first_name": [local.title()], "last_name": ["Example"]}
    groups = [g.strip() for g in form.get("groups", "").split(",") if g.strip()]
    if groups:
        identity["groups"] = groups
    response = server.create_authn_response(
        identity,
        in_response_to=request.id,
        destination=acs,
        sp_entity_id=sp,
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
        sign_response=True,
        sign_assertion=True,
        sign_alg=xmldsig.SIG_RSA_SHA256,
        digest_alg=xmldsig.DIGEST_SHA256,
    )
    http = server.apply_binding(
        BINDING_HTTP_POST,
        str(response),
        destination=acs,
        relay_state=form.get("RelayState", ""),
        response=True,
    )
    return str(http["data"])


def make_app(server: Server) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path == "/metadata":
            body, kind = create_metadata_string(None, config=server.config, sign=False), "text/xml"
        elif path == "/sso/redirect":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            values = {
                "request": html.escape(query.get("SAMLRequest", "")),
                "relay": html.escape(query.get("RelayState", "")),
            }
            body, kind = LOGIN_FORM.format(**values).encode(), "text/html"
        elif path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            body, kind = respond(server, form).encode(), "text/html"
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", f"{kind}; charset=utf-8")])
        return [body if isinstance(body, bytes) else body.encode()]

    return app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    httpd = make_server(
        "127.0.0.1", args.port, make_app(build_server(base, args.key, args.cert)), handler_class=QuietHandler
    )
    print(f"saml idp listening on {base}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
