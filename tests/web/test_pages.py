"""The web pages through FastAPI's TestClient: sign-in, CSRF, the worklist's filters, a claim's page, overriding
and fixing with their audit entries and validation messages, the dashboard's figures against the store."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rcm.coding import RuleBook
from rcm.store import (
    AuditLog,
    ClaimRecord,
    ClaimStatus,
    DenialRecord,
    EncounterVersion,
    FindingOverride,
    ScrubFinding,
    find_claim,
)
from rcm.store.database import session_factory
from rcm.web.app import COOKIE_NAME
from rcm.web.users import UserStore

from .conftest import csrf_of, sign_in
from .seed import AR_AS_OF, EXPECTED_BALANCES, OTHER_NPI, PASSWORD, Office


def text_of(html: str) -> str:
    """The page's visible text, tags dropped and whitespace squeezed (for reading figures and messages)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def held_numbers(html: str) -> list[str]:
    return re.findall(r'class="claim-link">([^<]+)</a>', html)


def post_form(client: TestClient, path: str, page: str, **data: str) -> object:
    return client.post(path, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


# --- signing in ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/worklist", "/claims/1", "/dashboard?first=2026-01&last=2026-03"])
def test_every_page_needs_a_signed_in_user(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/")
    assert "Sample" not in response.text


def test_sign_in_then_back_to_the_page_asked_for(anonymous: TestClient) -> None:
    page = anonymous.get("/dashboard?first=2026-03&last=2026-03")  # followed to the sign-in page
    assert page.url.path == "/login" and 'name="next" value="/dashboard?first=2026-03&amp;last=2026-03"' in page.text
    response = anonymous.post(
        "/login",
        data={"username": "jdoe", "password": PASSWORD, "csrf_token": csrf_of(page.text),
              "next": "/dashboard?first=2026-03&last=2026-03"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/dashboard?first=2026-03&last=2026-03"
    assert anonymous.get("/worklist").status_code == 200


def test_wrong_passwords_are_refused_and_then_throttled(anonymous: TestClient) -> None:
    page = anonymous.get("/login").text
    for _ in range(5):
        response = anonymous.post("/login", data={"username": "asmith", "password": "not the password",
                                                  "csrf_token": csrf_of(page)})
        assert response.status_code == 401 and "Unknown user or wrong password" in response.text
    unknown = anonymous.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": csrf_of(page)})
    assert unknown.status_code == 401
    # Five failures in a row: even the right password waits now.
    blocked = anonymous.post("/login", data={"username": "asmith", "password": PASSWORD, "csrf_token": csrf_of(page)})
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
    assert anonymous.get("/worklist", follow_redirects=False).status_code == 303


def test_sign_in_goes_only_to_pages_of_this_site(anonymous: TestClient) -> None:
    page = anonymous.get("/login").text
    response = anonymous.post("/login", data={"username": "jdoe", "password": PASSWORD, "csrf_token": csrf_of(page),
                                              "next": "//evil.example/phish"}, follow_redirects=False)
    assert response.headers["location"] == "/worklist"


def test_a_forged_or_stale_cookie_is_worth_nothing(client: TestClient, office: Office, tmp_path: Path) -> None:
    assert client.get("/worklist", follow_redirects=False).status_code == 200
    cookie = client.cookies[COOKIE_NAME]
    body, signature = cookie.rsplit(".", 1)
    client.cookies.set(COOKIE_NAME, body + "." + ("A" if signature[0] != "A" else "B") + signature[1:])
    assert client.get("/worklist", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE_NAME, cookie)
    assert client.get("/worklist", follow_redirects=False).status_code == 200
    # A new password ends the sessions signed before it.
    UserStore(tmp_path / "web-users.json").set_password("jdoe", PASSWORD + "!", replace=True)
    assert client.get("/worklist", follow_redirects=False).status_code == 303


def test_signing_out(client: TestClient) -> None:
    page = client.get("/worklist").text
    response = client.post("/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/worklist", follow_redirects=False).status_code == 303


def test_pages_forbid_caching_framing_and_outside_content(client: TestClient) -> None:
    response = client.get("/worklist")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no scripts at all
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "<script" not in response.text and "http://" not in response.text and "https://" not in response.text
    assert client.get("/static/style.css").status_code == 200


# --- CSRF ---------------------------------------------------------------------------------------------------------


def test_posts_without_the_session_token_are_refused(client: TestClient, office: Office) -> None:
    claim_id = office.claim_ids["W5"]
    form = {"rule_id": "POS-TELEHEALTH-MODIFIER", "line_id": "1", "reason": "forged", "version_id": "0"}
    for token in (None, "", "not-the-token"):
        data = dict(form) if token is None else {**form, "csrf_token": token}
        response = client.post(f"/claims/{claim_id}/override", data=data, follow_redirects=False)
        assert response.status_code == 403 and "Form refused" in response.text
    page = client.get(f"/claims/{claim_id}").text
    foreign = client.post(f"/claims/{claim_id}/override", data={**form, "csrf_token": csrf_of(page)},
                          headers={"Origin": "http://evil.example"}, follow_redirects=False)
    assert foreign.status_code == 403
    assert client.post("/login", data={"username": "jdoe", "password": PASSWORD}).status_code == 403
    with session_factory(office.engine)() as session:
        assert session.scalar(select(func.count()).select_from(FindingOverride)) == 0


# --- the worklist -------------------------------------------------------------------------------------------------


def test_the_worklist_lists_held_claims_with_their_findings(client: TestClient) -> None:
    page = client.get("/worklist")
    assert page.status_code == 200
    assert sorted(held_numbers(page.text)) == ["W4", "W5", "W6"]
    text = text_of(page.text)
    assert "3 held claims, charges 250.00" in text
    assert "ICD10-NOT-BILLABLE" in text and "POS-TELEHEALTH-MODIFIER" in text and "CHARGE-NOT-POSITIVE" in text
    assert "SampleW4, Testa" in text  # staff see who the claim is for
    # Oldest first by default: W6 was seen on 2026-01-10, 69 days before the office's day.
    assert held_numbers(page.text)[0] == "W6" and "69" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("payer=AET01", ["W5"]),
        ("payer=BCBS1", ["W6", "W4"]),
        ("rule=ICD10-NOT-BILLABLE", ["W4"]),
        ("severity=warning", ["W5"]),
        ("severity=error", ["W6", "W4"]),
        (f"provider={OTHER_NPI}", ["W6"]),
        ("min_age=30", ["W6"]),
        ("max_age=30", ["W4", "W5"]),
        ("min_age=10&max_age=20&payer=BCBS1", ["W4"]),
        ("sort=amount", ["W4", "W5", "W6"]),
        ("payer=UHC01", []),
    ],
)
def test_worklist_filters(client: TestClient, query: str, expected: list[str]) -> None:
    page = client.get(f"/worklist?{query}")
    assert page.status_code == 200
    assert held_numbers(page.text) == expected


def test_worklist_filter_mistakes_are_said_plainly(client: TestClient) -> None:
    page = client.get("/worklist?min_age=abc&severity=fatal&max_age=30&sort=size")
    assert page.status_code == 400
    text = text_of(page.text)
    assert "minimum age must be a whole number of days" in text
    assert "severity must be one of error, warning, info" in text and "sort by age or amount" in text
    assert held_numbers(page.text) == ["W4", "W5"]  # what could be understood still applies
    assert client.get("/worklist?min_age=40&max_age=10").status_code == 400


# --- a claim ------------------------------------------------------------------------------------------------------


def test_a_claim_page_shows_the_claim_its_lines_findings_and_timeline(client: TestClient, office: Office) -> None:
    page = client.get(f"/claims/{office.claim_ids['W2']}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Claim W2 partial" in text and "Blue Cross Blue Shield (BCBS1, primary), member XBC100000001" in text
    assert "87880" in text and "M15 (Separately billed services/tests have been bundled" in text
    assert "encounter version 1 received in export.jsonl, record 2" in text
    assert "ready → submitted" in text and "submission 1 (frequency 1)" in text
    assert "835 trace TRACE-BCBS-1: claim status 1, charge 175.00, paid 100.00" in text
    assert "CO-97 (The benefit for this service is included" in text
    assert 'id="fix-form"' not in page.text  # a sent claim is not fixed here
    held = text_of(client.get(f"/claims/{office.claim_ids['W4']}").text)
    assert "ICD10-NOT-BILLABLE" in held and "An error cannot be overridden: fix the claim." in held
    assert "scrub run" in held and "ingested → held" in held
    assert client.get("/claims/999999").status_code == 404


def _claim(office: Office, number: str) -> ClaimRecord:
    with session_factory(office.engine)() as session:
        claim = find_claim(session, number)
        assert claim is not None
        session.expunge(claim)
        return claim


def test_override_a_warning_from_the_claim_page(fresh_client: TestClient, fresh_office: Office) -> None:
    claim_id = fresh_office.claim_ids["W5"]
    version = _claim(fresh_office, "W5").encounter_version_id
    page = fresh_client.get(f"/claims/{claim_id}").text
    response = post_form(fresh_client, f"/claims/{claim_id}/override", page, rule_id="POS-TELEHEALTH-MODIFIER",
                         line_id="1", reason="audio-only visit, payer allows it", version_id=str(version))
    assert response.status_code == 303  # type: ignore[attr-defined]
    after = fresh_client.get(response.headers["location"])  # type: ignore[attr-defined]
    text = text_of(after.text)
    assert "Override recorded and the claim scrubbed again." in text and "Claim W5 ready" in text
    assert "override of POS-TELEHEALTH-MODIFIER on line 1 audio-only visit, payer allows it jdoe" in text
    audit = after.text[after.text.index('id="audit"'):]
    assert "scrub.override POS-TELEHEALTH-MODIFIER line 1" in text_of(audit) and "jdoe" in audit
    with session_factory(fresh_office.engine)() as session:
        override = session.scalars(select(FindingOverride)).one()
        assert (override.actor, override.rule_id, override.line_id) == ("jdoe", "POS-TELEHEALTH-MODIFIER", "1")
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "scrub.override")).one()
        assert entry.actor == "jdoe" and entry.entity_id == "W5" and entry.detail["reason"].startswith("audio-only")
        claim = find_claim(session, "W5")
        assert claim is not None and claim.status is ClaimStatus.ready
    assert "W5" not in held_numbers(fresh_client.get("/worklist").text)


def test_errors_cannot_be_overridden_from_the_page(fresh_client: TestClient, fresh_office: Office) -> None:
    claim = _claim(fresh_office, "W4")
    page = fresh_client.get(f"/claims/{claim.id}").text
    response = post_form(fresh_client, f"/claims/{claim.id}/override", page, rule_id="ICD10-NOT-BILLABLE",
                         line_id="", reason="trust me", version_id=str(claim.encounter_version_id))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "fix the claim instead of overriding" in text_of(response.text)  # type: ignore[attr-defined]
    missing_reason = post_form(fresh_client, f"/claims/{fresh_office.claim_ids['W5']}/override", page,
                               rule_id="POS-TELEHEALTH-MODIFIER", line_id="1", reason=" ",
                               version_id=str(_claim(fresh_office, "W5").encounter_version_id))
    assert missing_reason.status_code == 400  # type: ignore[attr-defined]
    with session_factory(fresh_office.engine)() as session:
        assert session.scalar(select(func.count()).select_from(FindingOverride)) == 0
        assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "jdoe")) == 0


def test_fix_a_diagnosis_from_the_claim_page(fresh_client: TestClient, fresh_office: Office) -> None:
    claim = _claim(fresh_office, "W4")
    page = fresh_client.get(f"/claims/{claim.id}").text
    assert 'name="diagnoses[1]" id="dx-1" value="E11"' in page and "flagged" in page
    response = post_form(fresh_client, f"/claims/{claim.id}/fix", page, **{
        "version_id": str(claim.encounter_version_id), "diagnoses[1]": "E11.9", "diagnoses[2]": "",
        "place_of_service": "11", "lines[1].modifiers": "", "lines[1].units": "1", "lines[1].charge": "125.00",
        "lines[1].diagnosis_pointers": "1", "lines[1].place_of_service": "",
        "reason": "coder confirmed type 2 diabetes without complications",
    })
    assert response.status_code == 303  # type: ignore[attr-defined]
    after = text_of(fresh_client.get(response.headers["location"]).text)  # type: ignore[attr-defined]
    assert "Correction saved as a new version and the claim scrubbed again." in after and "Claim W4 ready" in after
    assert "encounter version 2 staff correction by jdoe" in after
    assert "claim.correct" in after and "diagnoses[1] : E11 → E11.9" in after
    with session_factory(fresh_office.engine)() as session:
        fixed = find_claim(session, "W4")
        assert fixed is not None and fixed.status is ClaimStatus.ready
        assert [d.code for d in fixed.diagnoses] == ["E119"]
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "claim.correct")).one()
        assert entry.actor == "jdoe" and entry.detail["changes"] == [
            {"field": "diagnoses[1]", "from": "E11", "to": "E11.9"}
        ]
        assert session.scalars(
            select(ScrubFinding).where(ScrubFinding.claim_id == fixed.id, ScrubFinding.active.is_(True))
        ).all() == []


def test_fix_values_that_cannot_go_on_the_claim_are_refused_field_by_field(
    fresh_client: TestClient, fresh_office: Office
) -> None:
    claim = _claim(fresh_office, "W6")
    page = fresh_client.get(f"/claims/{claim.id}").text
    response = post_form(fresh_client, f"/claims/{claim.id}/fix", page, **{
        "version_id": str(claim.encounter_version_id), "diagnoses[1]": "XYZ", "place_of_service": "98",
        "lines[1].modifiers": "25,ZZ", "lines[1].units": "0", "lines[1].charge": "12.345",
        "lines[1].diagnosis_pointers": "1,3", "reason": "",
    })
    assert response.status_code == 400  # type: ignore[attr-defined]
    problems = dict(re.findall(r'data-field="([^"]+)">([^<]+)<', response.text))  # type: ignore[attr-defined]
    assert problems == {"reason": "say why the claim is changed"}
    # The reason is asked for first; with one given, every field says what is wrong with it.
    response = post_form(fresh_client, f"/claims/{claim.id}/fix", page, **{
        "version_id": str(claim.encounter_version_id), "diagnoses[1]": "XYZ", "place_of_service": "98",
        "lines[1].modifiers": "25,ZZ", "lines[1].units": "0", "lines[1].charge": "12.345",
        "lines[1].diagnosis_pointers": "1,3", "reason": "trying",
    })
    html = response.text  # type: ignore[attr-defined]
    problems = {k: unescape(v) for k, v in re.findall(r'data-field="([^"]+)">([^<]+)<', html)}
    assert problems["diagnoses[1]"].startswith("'XYZ' is not an ICD-10-CM code")
    assert problems["place_of_service"] == "place of service 98 is not in the CMS place of service code table"
    assert problems["lines[1].modifiers"] == "modifier ZZ is not in the modifier table"
    assert problems["lines[1].units"] == "units must be more than 0"
    assert problems["lines[1].charge"] == "'12.345': money has at most two decimal places"
    assert problems["lines[1].diagnosis_pointers"] == "pointer 3 is out of range: the claim has 1 diagnoses"
    assert 'value="12.345"' in html  # what was typed stays in the form
    with session_factory(fresh_office.engine)() as session:
        versions = session.scalar(select(func.count()).select_from(EncounterVersion)
                                  .where(EncounterVersion.encounter_id == "W6"))
        assert versions == 1
        assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "jdoe")) == 0


def test_a_fix_on_a_page_that_went_stale_is_refused(fresh_client: TestClient, fresh_office: Office) -> None:
    claim = _claim(fresh_office, "W6")
    page = fresh_client.get(f"/claims/{claim.id}").text
    form = {"lines[1].charge": "95.00", "reason": "fee schedule"}
    response = post_form(fresh_client, f"/claims/{claim.id}/fix", page, version_id=str(claim.encounter_version_id),
                         **form)
    assert response.status_code == 303  # type: ignore[attr-defined]
    again = post_form(fresh_client, f"/claims/{claim.id}/fix", page, version_id=str(claim.encounter_version_id),
                      **{**form, "lines[1].charge": "96.00"})
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "changed since it was opened" in text_of(again.text)  # type: ignore[attr-defined]
    assert _claim(fresh_office, "W6").total_charge == Decimal("95.00")


# --- the dashboard ------------------------------------------------------------------------------------------------


def _figure(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]+)<', html)
    assert match, element_id
    return match.group(1).strip()


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    table = html[html.index(f'id="{table_id}"'):]
    table = table[: table.index("</table>")]
    rows = {}
    for key, body in re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', table, re.S):
        rows[key] = [text_of(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
    return rows


def test_dashboard_figures_are_what_the_store_holds(client: TestClient, office: Office) -> None:
    last = f"{date.today():%Y-%m}"  # the scrub ran today: its first-pass figures fall in this month
    page = client.get(f"/dashboard?first=2026-03&last={last}&as_of={AR_AS_OF.isoformat()}")
    assert page.status_code == 200
    html = page.text
    assert (_figure(html, "adjudicated"), _figure(html, "denied"), _figure(html, "denial-rate")) == (
        "3", "2", "66.7 %"
    )
    assert _figure(html, "clean-rate") == "57.1 %" and _figure(html, "clean-counts") == "4 of 7 claims"
    assert _figure(html, "ar-total") == "220.00"
    assert _rows(html, "by-payer") == {
        "AET01": ["Aetna (AET01)", "1", "1", "100.0 %"],
        "BCBS1": ["Blue Cross Blue Shield (BCBS1)", "2", "1", "50.0 %"],
    }
    carcs = _rows(html, "by-carc")
    assert set(carcs) == {"97", "197"} and carcs["197"][2] == "1" and carcs["97"][2] == "1"
    assert carcs["197"][1].startswith("Precertification/authorization/notification/pre-treatment absent")
    rarcs = _rows(html, "by-rarc")
    assert set(rarcs) == {"M15", "N54"} and rarcs["N54"][1].startswith("Claim information is inconsistent")
    assert _rows(html, "by-code") == {"87880": ["87880", "1", "1", "100.0 %"], "99214": ["99214", "1", "1", "100.0 %"]}
    assert list(_rows(html, "by-provider")) == [next(iter(_rows(html, "by-provider")))]  # one rendering provider
    aging = _rows(html, "aging")
    assert aging == {
        "AET01": ["Aetna (AET01)", "1", "0.00", "0.00", "200.00", "0.00", "0.00", "200.00"],
        "BCBS1": ["Blue Cross Blue Shield (BCBS1)", "1", "20.00", "0.00", "0.00", "0.00", "0.00", "20.00"],
    }
    with session_factory(office.engine)() as session:
        denied = session.scalar(select(func.count(func.distinct(DenialRecord.claim_id))))
        open_balances = {c.claim_number: c.balance for c in session.scalars(
            select(ClaimRecord).where(ClaimRecord.balance > 0, ClaimRecord.status != ClaimStatus.held))}
    assert denied == 2 and open_balances == EXPECTED_BALANCES


def test_dashboard_period_outside_the_data_and_mistakes(client: TestClient) -> None:
    empty = client.get("/dashboard?first=2025-01&last=2025-02&as_of=2026-01-01")
    assert empty.status_code == 200
    assert _figure(empty.text, "adjudicated") == "0" and _figure(empty.text, "denial-rate") == "n/a"
    assert _figure(empty.text, "ar-total") == "220.00"  # balances are today's, whatever the day they are aged to
    wrong = client.get("/dashboard?first=2026-13&last=2026-01&as_of=yesterday")
    assert wrong.status_code == 400
    text = text_of(wrong.text)
    assert "'2026-13' is not a month (YYYY-MM)" in text and "'yesterday' is not a date (YYYY-MM-DD)" in text


def test_a_second_user_is_recorded_as_themselves(fresh_office: Office, tmp_path: Path, book: RuleBook) -> None:
    from .conftest import _client

    with _client(fresh_office, tmp_path, book, fresh_office.engine) as other:
        sign_in(other, "asmith")
        claim = _claim(fresh_office, "W5")
        page = other.get(f"/claims/{claim.id}").text
        assert 'id="signed-in-user">asmith<' in page
        post_form(other, f"/claims/{claim.id}/override", page, rule_id="POS-TELEHEALTH-MODIFIER", line_id="1",
                  reason="payer policy", version_id=str(claim.encounter_version_id))
    with session_factory(fresh_office.engine)() as session:
        assert session.scalars(select(AuditLog.actor).where(AuditLog.action == "scrub.override")).all() == ["asmith"]
