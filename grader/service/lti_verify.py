"""What an LTI 1.3 resource-link launch proves, checked (IMS LTI 1.3 core, section 5.1; OIDC):
the id_token is signed RS256 by a key of the platform's JWKS (chosen by ``kid``), for this tool
(``aud`` = client id; ``azp`` too when ``aud`` is a list), from the platform (``iss``), fresh
(``exp``, ``iat`` within :data:`LEEWAY_SECONDS`), for the nonce this tool issued, from a known
deployment, a ``LtiResourceLinkRequest`` of version ``1.3.0``. PyJWT does the cryptography and
the registered claims; this module the LTI claims and the roles, and turns each failure into a
sentence (:data:`TOKEN_FAILURES`) carried by :class:`LtiRefusal`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jwt

from grader.service.lti_config import CUSTOM, Platform, read_jwks_file
from grader.service.tokens import INSTRUCTOR, STUDENT

LEEWAY_SECONDS = 60  # clocks of the platform and the tool may differ this much
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = "LtiResourceLinkRequest"
VERSION = "1.3.0"
# LTI roles (context roles: membership#Name or its sub-roles membership/Name#Sub; Administrator
# also as a system or institution role) and the service's role each gives; an instructor role wins.
ROLE_OF = {"Instructor": INSTRUCTOR, "TeachingAssistant": INSTRUCTOR, "Administrator": INSTRUCTOR,
           "ContentDeveloper": INSTRUCTOR, "Learner": STUDENT}
LIS_VOCABULARY = "http://purl.imsglobal.org/vocab/lis/v2/"


class LtiRefusal(Exception):
    """A launch or login refused: the HTTP status and the sentence the refusal page shows."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# Each failure PyJWT reports → what the refusal page says (subclasses before their bases).
TOKEN_FAILURES = (
    (jwt.ExpiredSignatureError, "the sign-in has expired (the id_token's exp is past): open the link in the LMS again"),
    (jwt.ImmatureSignatureError, "the id_token is dated in the future (iat or nbf): is a clock wrong?"),
    (jwt.InvalidAudienceError, "the id_token is not meant for this tool (its aud is not the client_id)"),
    (jwt.InvalidIssuerError, "the id_token was not issued by the platform that started the sign-in (iss)"),
    (jwt.MissingRequiredClaimError, "the id_token lacks a required claim"),
    (jwt.InvalidSignatureError, "the id_token's signature does not verify with the platform's key"),
    (jwt.InvalidAlgorithmError, "the id_token is not signed with RS256"),
    (jwt.DecodeError, "the id_token is not a well-formed signed JWT"),
    (jwt.InvalidTokenError, "the id_token is not valid"),
)


@dataclass(frozen=True)
class Launch:
    """What a verified launch says: the platform, the deployment, who (the identity claim's value,
    ``sub``, name, e-mail), the role it gives, and the assignment the resource link names."""

    platform: Platform
    deployment_id: str
    subject: str
    identity: str | None
    name: str
    email: str
    roles: tuple[str, ...]
    role: str | None
    assignment: str | None
    resource_link_id: str


class KeyStore:
    """The platforms' public keys: a JWKS file read at each launch (so a rotated key is seen at
    once), or a JWKS URL fetched and cached by PyJWT (fetched again for an unknown ``kid``)."""

    def __init__(self):
        self._clients: dict[str, jwt.PyJWKClient] = {}

    def key(self, platform: Platform, kid: str):
        if platform.jwks_file is not None:
            return _key_in(_jwks(platform.jwks_file), kid)
        # the key set is cached 5 minutes, not each key for ever: a key the platform withdrew stops working
        client = self._clients.setdefault(platform.jwks_url, jwt.PyJWKClient(
            platform.jwks_url, cache_keys=False, cache_jwk_set=True, lifespan=300, timeout=10))
        try:
            return client.get_signing_key(kid).key
        except jwt.PyJWKClientConnectionError:
            raise LtiRefusal(502, "the platform's keys (jwks_url) cannot be fetched now: try again later") from None
        except jwt.PyJWKClientError:
            raise LtiRefusal(401, "the id_token is signed with a key (kid) the platform does not publish") from None


def _jwks(path: Path) -> dict:
    try:
        return read_jwks_file(path)
    except ValueError:
        raise LtiRefusal(500, "the platform's key file cannot be read: the course's lti.yaml needs fixing") from None


def _key_in(jwks: dict, kid: str):
    try:
        keys = jwt.PyJWKSet.from_dict(jwks).keys
    except jwt.PyJWKError:
        raise LtiRefusal(500, "the platform's key file holds no usable key: the course's lti.yaml needs fixing") from None
    for key in keys:
        if key.key_id == kid:
            return key.key
    raise LtiRefusal(401, "the id_token is signed with a key (kid) the platform does not publish")


def verify_id_token(token: str, platform: Platform, keys: KeyStore, *, nonce: str, now: float | None = None) -> dict:
    """The claims of ``token`` once every check of the module's docstring passed; else LtiRefusal."""
    now = time.time() if now is None else now
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise LtiRefusal(400, "the id_token is not a well-formed signed JWT") from None
    if header.get("alg") != "RS256":
        raise LtiRefusal(401, "the id_token is not signed with RS256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LtiRefusal(401, "the id_token names no key (kid)")
    key = keys.key(platform, kid)
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=platform.client_id, issuer=platform.issuer,
                            leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]})
    except jwt.PyJWTError as e:
        raise LtiRefusal(401, next(text for kind, text in TOKEN_FAILURES if isinstance(e, kind))) from None
    if not isinstance(claims["iat"], (int, float)) or claims["iat"] > now + LEEWAY_SECONDS:
        raise LtiRefusal(401, "the id_token is dated in the future (iat or nbf): is a clock wrong?")
    aud = claims["aud"]
    if (isinstance(aud, list) and len(aud) > 1 or "azp" in claims) and claims.get("azp") != platform.client_id:
        raise LtiRefusal(401, "the id_token is not meant for this tool (its azp is not the client_id)")
    if claims["nonce"] != nonce:
        raise LtiRefusal(401, "the id_token's nonce is not the one this sign-in issued (a replayed launch?)")
    return claims


def launch_of(claims: dict, platform: Platform) -> Launch:
    """The launch ``claims`` describe, refused unless it is a resource-link launch of LTI 1.3
    from a deployment of ``platform``."""
    if claims.get(CLAIM + "message_type") != MESSAGE_TYPE:
        raise LtiRefusal(400, f"this tool takes resource-link launches only ({MESSAGE_TYPE}), "
                              f"not {_text(claims.get(CLAIM + 'message_type'))}")
    if claims.get(CLAIM + "version") != VERSION:
        raise LtiRefusal(400, f"this tool speaks LTI {VERSION}, not {_text(claims.get(CLAIM + 'version'))}")
    deployment = claims.get(CLAIM + "deployment_id")
    if deployment not in platform.deployment_ids:
        raise LtiRefusal(403, f"the deployment {_text(deployment)} is not one of this course's (lti.yaml)")
    link = claims.get(CLAIM + "resource_link")
    if not isinstance(link, dict) or not isinstance(link.get("id"), str):
        raise LtiRefusal(400, "the launch names no resource link (its resource_link claim has no id)")
    roles = tuple(r for r in claims.get(CLAIM + "roles") or () if isinstance(r, str))
    return Launch(platform=platform, deployment_id=deployment, subject=str(claims["sub"]),
                  identity=platform.identity(claims), name=_text(claims.get("name"), ""),
                  email=_text(claims.get("email"), ""), roles=roles, role=role_of(roles),
                  assignment=assignment_named(claims), resource_link_id=link["id"])


def role_of(roles) -> str | None:
    """The service's role for LTI roles: an instructor role wins; None when there is neither.

    >>> m = LIS_VOCABULARY + "membership"
    >>> role_of([m + "#Learner"]), role_of([m + "#Learner", m + "/Instructor#TeachingAssistant"]), role_of([m + "#Mentor"])
    ('student', 'instructor', None)
    >>> role_of([LIS_VOCABULARY + "institution/person#Instructor"]), role_of(["Instructor"])
    (None, 'instructor')
    """
    found = set()
    for uri in roles:
        name = uri.rsplit("#", 1)[-1]
        if uri.startswith(LIS_VOCABULARY + "membership") or "/" not in uri:  # a context role (short form too)
            found.add(ROLE_OF.get(name))
        elif uri.startswith(LIS_VOCABULARY) and name == "Administrator":  # system or institution administrator
            found.add(INSTRUCTOR)
    return INSTRUCTOR if INSTRUCTOR in found else STUDENT if STUDENT in found else None


def assignment_named(claims: dict) -> str | None:
    """The assignment the resource link names: the custom parameter ``assignment``, else the
    target link's path ``/a/ID`` (or ``/class/ID``).

    >>> assignment_named({CLAIM + "target_link_uri": "https://t.edu/a/mlp-numeric"})
    'mlp-numeric'
    >>> assignment_named({CUSTOM: {"assignment": "softmax-ce"}, CLAIM + "target_link_uri": "https://t.edu/"})
    'softmax-ce'
    """
    from urllib.parse import unquote, urlsplit

    custom = claims.get(CUSTOM)
    if isinstance(custom, dict) and isinstance(custom.get("assignment"), str) and custom["assignment"].strip():
        return custom["assignment"].strip()
    target = claims.get(CLAIM + "target_link_uri")
    if isinstance(target, str):
        parts = urlsplit(target).path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("a", "class") and parts[1]:
            return unquote(parts[1])
    return None


def _text(value, default: str = "(none)") -> str:
    """A claim's value as text for a page or the database (escaped where shown)."""
    if value is None:
        return default
    return str(value)[:200]
