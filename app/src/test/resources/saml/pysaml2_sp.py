"""An independent SAML service provider (pysaml2, Debian's python3-pysaml2) logging a user in
through the OpenSTS context handler and the built-in test IdP, as a browser would.

Prints one JSON line: the name id and the attributes pysaml2 accepted. Exits non-zero when pysaml2
refuses the answer (signature, encryption, audience, InResponseTo, time window).
"""
import argparse
import html
import json
import re
import sys
import urllib.parse
import urllib.request

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url, form=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with OPENER.open(urllib.request.Request(url, data=data), timeout=30) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def form_of(page):
    action = html.unescape(re.search(r'<form method="(?:post|get)" action="([^"]*)"', page).group(1))
    fields = {html.unescape(n): html.unescape(v)
              for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)}
    return action, fields


def main():
    a = argparse.ArgumentParser()
    for name in ("idp-metadata", "key", "cert", "entity-id", "acs", "username", "password", "loa"):
        a.add_argument("--" + name, required=True)
    args = a.parse_args()
    config = SPConfig()
    config.load({
        "entityid": args.entity_id,
        "key_file": args.key,
        "cert_file": args.cert,
        "encryption_keypairs": [{"key_file": args.key, "cert_file": args.cert}],
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [args.idp_metadata]},
        "allow_unknown_attributes": True,
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(args.acs, BINDING_HTTP_POST)]},
            "authn_requests_signed": True,
            "want_assertions_signed": True,
            "want_response_signed": True,
            "allow_unsolicited": False,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
        }},
    })
    client = Saml2Client(config)
    idp = list(client.metadata.identity_providers())[0]
    request_id, info = client.prepare_for_authenticate(
        entityid=idp, relay_state="pysaml2-relay", binding=BINDING_HTTP_REDIRECT, sign=True,
        sigalg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
    url = dict(info["headers"])["Location"]
    # the context handler sends the browser on to the municipal (test) IdP
    status, headers, page = fetch(url)
    while status == 302:
        status, headers, page = fetch(headers["Location"])
    if 'name="password"' not in page:
        print(json.dumps({"error": "no login form", "status": status, "page": page[:500]}))
        return 2
    action, fields = form_of(page)
    fields.update({"username": args.username, "password": args.password, "loa": args.loa})
    status, headers, page = fetch(urllib.parse.urljoin(url, action), fields)
    action, fields = form_of(page)
    # the IdP's answer back to the context handler, whose answer goes to this SP
    status, headers, page = fetch(urllib.parse.urljoin(url, action), fields)
    action, fields = form_of(page)
    if action != args.acs:
        print(json.dumps({"error": "answer not for this SP", "action": action}))
        return 3
    response = client.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/"})
    if response is None:
        print(json.dumps({"error": "pysaml2 accepted nothing"}))
        return 4
    print(json.dumps({
        "relayState": fields.get("RelayState"),
        "nameId": response.name_id.text,
        "inResponseTo": response.in_response_to,
        "issuer": response.issuer(),
        "attributes": response.ava,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
