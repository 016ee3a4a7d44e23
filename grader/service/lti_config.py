"""Which LMS platforms may vouch for a person (LTI 1.3): ``lti.yaml`` in the course folder.

::

    platforms:
      - issuer: https://canvas.instructure.com          # the id_token's iss
        client_id: "10000000000042"                      # what the platform calls this tool (aud)
        deployment_ids: ["17:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"]
        auth_url: https://canvas.example.edu/api/lti/authorize_redirect
        jwks_url: https://canvas.example.edu/api/lti/security/jwks   # or jwks_file: lti/canvas-keys.json
        student_id_claim: lis_person_sourcedid           # sub (default) | email | lis_person_sourcedid | custom:NAME
        match: id                                        # the roster's student id (default) | email
        not_on_roster: refuse                            # (default) | add: a learner is added as a student

Checked by ``grader/course/schemas/lti.schema.json`` and then by the rules a schema cannot say
(one key source, a key file that holds a JWKS, no two platforms with one issuer and client id);
any problem is a :class:`~grader.errors.ConfigError` naming the file, the key and its line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError, SubmissionError
from grader.io.safe_load import load_file
from grader.io.validate import path_text, validate
from grader.io.answer_files import LTI_FILE

CONFIG_FILE = LTI_FILE  # never graded as an answer file (grader.io.answer_files.CONFIG_FILES)
SESSION_HOURS = 8.0
LIS = "https://purl.imsglobal.org/spec/lti/claim/lis"
CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"


def _custom(name: str):
    return lambda claims: (claims.get(CUSTOM) or {}).get(name) if isinstance(claims.get(CUSTOM), dict) else None


# The claims that may name a person: how each is read from an id_token's claims.
IDENTITY_CLAIMS = {
    "sub": lambda claims: claims.get("sub"),
    "email": lambda claims: claims.get("email"),
    "lis_person_sourcedid": lambda claims: (claims.get(LIS) or {}).get("person_sourcedid")
    if isinstance(claims.get(LIS), dict) else None,
}


@dataclass(frozen=True)
class Platform:
    """One LMS registration: who it is, how its keys are found, and how its people map to the roster."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_url: str
    jwks_url: str = ""
    jwks_file: Path | None = None
    student_id_claim: str = "sub"
    match: str = "id"  # the roster field compared with the claim: "id" or "email"
    not_on_roster: str = "refuse"
    session_hours: float = SESSION_HOURS

    def identity(self, claims: dict) -> str | None:
        """The value of the claim that names the person (None when absent or not a text).

        >>> Platform("i", "c", ("d",), "https://a", student_id_claim="custom:sid").identity(
        ...     {"sub": "x", CUSTOM: {"sid": "s1001"}})
        's1001'
        >>> p = Platform("i", "c", ("d",), "https://a", student_id_claim="lis_person_sourcedid")
        >>> p.identity({LIS: {"person_sourcedid": 20417}}), p.identity({LIS: {"person_sourcedid": True}}), p.identity({})
        ('20417', None, None)
        """
        name = self.student_id_claim
        read = _custom(name.removeprefix("custom:")) if name.startswith("custom:") else IDENTITY_CLAIMS[name]
        value = read(claims)
        if isinstance(value, int) and not isinstance(value, bool):  # a numeric SIS id sent as a number
            value = str(value)
        return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class LtiConfig:
    platforms: tuple[Platform, ...] = ()

    def find(self, issuer: str, client_id: str | None) -> Platform | None:
        """The platform of ``issuer`` (and ``client_id`` when given; without it, only when the
        issuer has one registration)."""
        found = [p for p in self.platforms if p.issuer == issuer and (client_id is None or p.client_id == client_id)]
        return found[0] if len(found) == 1 else None


def read_lti_config(course: Path) -> LtiConfig:
    """The platforms of ``course/lti.yaml`` (none when there is no such file: LTI is off)."""
    path = Path(course) / CONFIG_FILE
    if not path.exists():
        return LtiConfig()
    try:
        doc = load_file(path)
    except SubmissionError as e:
        raise ConfigError(f"LTI configuration: {e.message}", file=str(path), line=e.line) from None
    validate(doc, "lti", error=ConfigError)
    platforms, seen = [], set()
    for i, raw in enumerate(doc.data["platforms"]):
        where = ("platforms", i)

        def fail(message: str, key: str | None = None):
            at = where + ((key,) if key else ())
            line = doc.lines.get(at) or doc.lines.get(where)
            raise ConfigError(f"at {path_text(at)}: {message}", file=str(path), line=line)

        if bool(raw.get("jwks_url")) == bool(raw.get("jwks_file")):
            fail("give the platform's keys as exactly one of jwks_url or jwks_file")
        platform = Platform(
            issuer=raw["issuer"], client_id=raw["client_id"], deployment_ids=tuple(raw["deployment_ids"]),
            auth_url=raw["auth_url"], jwks_url=raw.get("jwks_url", ""),
            jwks_file=(Path(course) / raw["jwks_file"]) if raw.get("jwks_file") else None,
            student_id_claim=raw.get("student_id_claim", "sub"), match=raw.get("match", "id"),
            not_on_roster=raw.get("not_on_roster", "refuse"),
            session_hours=float(raw.get("session_hours", SESSION_HOURS)))
        if platform.not_on_roster == "add" and platform.match != "id":
            fail("not_on_roster: add needs match: id (the claim becomes the new student's id)", "not_on_roster")
        if platform.jwks_file is not None:
            try:
                read_jwks_file(platform.jwks_file)
            except ValueError as e:
                fail(str(e), "jwks_file")
        if (platform.issuer, platform.client_id) in seen:
            fail("another platform has the same issuer and client_id", "client_id")
        seen.add((platform.issuer, platform.client_id))
        platforms.append(platform)
    return LtiConfig(tuple(platforms))


def read_jwks_file(path: Path) -> dict:
    """A JWKS (``{"keys": [...]}``) from a file; ValueError saying what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ValueError(f"cannot read the key file {path}: {e.strerror}") from None
    except ValueError as e:
        raise ValueError(f"the key file {path} is not JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
        raise ValueError(f'the key file {path} is not a JWKS ({{"keys": [...]}} with at least one key)')
    return data
