"""The pages: the scrubber worklist, a claim (override a warning, fix the claim), the denial dashboard.

Handlers are thin: they read the request, call the stage functions (``override_finding`` and ``scrub_pending``
from rcm.coding.service, ``correct_claim`` from rcm.coding.corrections, the worklist and dashboard queries) in
one transaction, and render. After a change they redirect to the claim page (post, redirect, get).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rcm.coding.corrections import CorrectionRejected, correct_claim
from rcm.coding.findings import SEVERITIES
from rcm.coding.service import override_finding, scrub_pending
from rcm.coding.worklist import SORTS, WorklistFilters, held_claims, worklist_choices
from rcm.denials.dashboard import AGE_BUCKETS, Period, ar_aging, clean_claim_rate, denial_figures
from rcm.errors import InputError, StateError
from rcm.store import ClaimRecord
from rcm.web.app import csrf_form, current_user, db_session, render, state_of
from rcm.web.claim_view import load_claim_page

__all__ = ["register"]

log = logging.getLogger("rcm.web")

_DONE = {
    "override": "Override recorded and the claim scrubbed again.",
    "fix": "Correction saved as a new version and the claim scrubbed again.",
}


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _whole(name: str, value: str | None, problems: list[str], unit: str = " of days") -> int | None:
    text = _text(value)
    if text is None:
        return None
    if not text.isdigit():
        problems.append(f"{name} must be a whole number{unit}")
        return None
    return int(text)


def worklist_page(
    request: Request,
    payer: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    provider: str | None = None,
    min_age: str | None = None,
    max_age: str | None = None,
    sort: str | None = None,
    page: str | None = None,
    user: str = Depends(current_user),
    session: Session = Depends(db_session),
) -> Response:
    problems: list[str] = []
    wanted_severity = _text(severity)
    if wanted_severity is not None and wanted_severity not in SEVERITIES:
        problems.append(f"severity must be one of {', '.join(SEVERITIES)}")
        wanted_severity = None
    wanted_sort = _text(sort) or "age"
    if wanted_sort not in SORTS:
        problems.append("sort by age or amount")
        wanted_sort = "age"
    page_number = _whole("the page", page, problems, unit="") or 1
    args: dict[str, Any] = {
        "payer": _text(payer),
        "rule": _text(rule),
        "severity": wanted_severity,
        "provider": _text(provider),
        "min_age": _whole("minimum age", min_age, problems),
        "max_age": _whole("maximum age", max_age, problems),
        "sort": wanted_sort,
        "page": max(page_number, 1),
    }
    try:
        filters = WorklistFilters(**args)
    except InputError as exc:
        problems.append(str(exc))
        filters = WorklistFilters(**{**args, "min_age": None, "max_age": None})
    today = state_of(request).config.today()
    result = held_claims(session, filters, today=today)
    return render(
        request,
        "worklist.html.j2",
        400 if problems else 200,
        title="Worklist",
        nav="worklist",
        result=result,
        filters=filters,
        choices=worklist_choices(session),
        severities=SEVERITIES,
        problems=problems,
        query={k: v for k, v in args.items() if v is not None and k != "page"},
    )


def _claim_or_404(request: Request, session: Session, claim_id: int) -> ClaimRecord | Response:
    claim = session.get(ClaimRecord, claim_id)
    if claim is None:
        return render(request, "error.html.j2", 404, title="No such claim", message=f"There is no claim {claim_id}.")
    return claim


def _claim_response(
    request: Request,
    session: Session,
    claim_id: int,
    *,
    status_code: int = 200,
    error: str | None = None,
    problems: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    state = state_of(request)
    page = load_claim_page(session, claim_id, state.rulebook.by_id)
    if page is None:
        return render(request, "error.html.j2", 404, title="No such claim", message=f"There is no claim {claim_id}.")
    return render(
        request,
        "claim.html.j2",
        status_code,
        title=f"Claim {page.claim.claim_number}",
        nav="worklist",
        page=page,
        error=error,
        problems=problems or {},
        entered=entered or {},
        done=_DONE.get(done or ""),
    )


def claim_page(
    request: Request,
    claim_id: int,
    done: str | None = None,
    user: str = Depends(current_user),
    session: Session = Depends(db_session),
) -> Response:
    return _claim_response(request, session, claim_id, done=done)


def _stale(claim: ClaimRecord, form: FormData) -> bool:
    return str(form.get("version_id", "")) != str(claim.encounter_version_id)


def override_action(
    request: Request,
    claim_id: int,
    form: FormData = Depends(csrf_form),
    user: str = Depends(current_user),
    session: Session = Depends(db_session),
) -> Response:
    found = _claim_or_404(request, session, claim_id)
    if not isinstance(found, ClaimRecord):
        return found
    claim = found
    state = state_of(request)
    rule_id = str(form.get("rule_id", "")).strip()
    line_id = str(form.get("line_id", "")).strip() or None
    reason = str(form.get("reason", "")).strip()
    if _stale(claim, form):
        return _claim_response(request, session, claim_id, status_code=409,
                               error="The claim changed since this page was opened: look at it again first.")
    book = state.rulebook
    try:
        override_finding(session, claim.claim_number, rule_id, line_id, actor=user, reason=reason, rules=book.by_id)
        scrub_pending(session, book, as_of=state.config.today(), claim_numbers=[claim.claim_number])
        session.commit()
    except StateError as exc:
        session.rollback()
        return _claim_response(request, session, claim_id, status_code=400, error=str(exc))
    log.info("claim %s: %s overrode %s%s", claim.claim_number, user, rule_id, f" on line {line_id}" if line_id else "")
    return RedirectResponse(f"/claims/{claim_id}?done=override", status_code=303)


def _edits(form: FormData) -> dict[str, str]:
    return {
        name: str(value)
        for name, value in form.multi_items()
        if isinstance(value, str) and (name.startswith(("diagnoses[", "lines[")) or name == "place_of_service")
    }


def fix_action(
    request: Request,
    claim_id: int,
    form: FormData = Depends(csrf_form),
    user: str = Depends(current_user),
    session: Session = Depends(db_session),
) -> Response:
    found = _claim_or_404(request, session, claim_id)
    if not isinstance(found, ClaimRecord):
        return found
    claim = found
    state = state_of(request)
    edits = _edits(form)
    reason = str(form.get("reason", "")).strip()
    entered = {**edits, "reason": reason}
    version = str(form.get("version_id", ""))
    try:
        result = correct_claim(
            session,
            claim.claim_number,
            edits,
            actor=user,
            reason=reason,
            book=state.rulebook,
            expected_version_id=int(version) if version.isdigit() else -1,
            as_of=state.config.today(),
        )
        session.commit()
    except CorrectionRejected as exc:
        session.rollback()
        return _claim_response(request, session, claim_id, status_code=400, problems=exc.problems, entered=entered,
                               error="Nothing was saved: correct the fields marked below.")
    except StateError as exc:
        session.rollback()
        return _claim_response(request, session, claim_id, status_code=409, error=str(exc))
    log.info("claim %s: %s corrected %d field(s); now %s", claim.claim_number, user, len(result.changes),
             result.status)
    return RedirectResponse(f"/claims/{claim_id}?done=fix", status_code=303)


def dashboard_page(
    request: Request,
    first: str | None = None,
    last: str | None = None,
    as_of: str | None = None,
    user: str = Depends(current_user),
    session: Session = Depends(db_session),
) -> Response:
    today = state_of(request).config.today()
    problems: list[str] = []
    period = Period.months_ending(today)
    if _text(first) or _text(last):
        try:
            period = Period(_text(first) or period.first, _text(last) or period.last)
        except InputError as exc:
            problems.append(str(exc))
    aging_day = today
    if _text(as_of):
        try:
            aging_day = date.fromisoformat(str(as_of).strip())
        except ValueError:
            problems.append(f"{as_of!r} is not a date (YYYY-MM-DD)")
    return render(
        request,
        "dashboard.html.j2",
        400 if problems else 200,
        title="Denial dashboard",
        nav="dashboard",
        period=period,
        aging_day=aging_day,
        problems=problems,
        denials=denial_figures(session, period),
        clean=clean_claim_rate(session, period),
        aging=ar_aging(session, aging_day),
        buckets=[label for label, _, _ in AGE_BUCKETS],
    )


def register(app: FastAPI) -> None:
    """Add the pages to the app."""
    app.add_api_route("/worklist", worklist_page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route("/claims/{claim_id}", claim_page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route("/claims/{claim_id}/override", override_action, methods=["POST"], response_class=HTMLResponse)
    app.add_api_route("/claims/{claim_id}/fix", fix_action, methods=["POST"], response_class=HTMLResponse)
    app.add_api_route("/dashboard", dashboard_page, methods=["GET"], response_class=HTMLResponse)
