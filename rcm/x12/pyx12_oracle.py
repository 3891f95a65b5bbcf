"""pyx12 as an independent second opinion: run its validator on a file and hand back its errors as Findings.

pyx12's own messages quote segment contents (names, member ids), so only its codes and positions are kept
and the message is rebuilt from the X12 code lists (IK304, IK403, IK5 and TA1 note codes): no PHI.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rcm.x12.findings import Finding

__all__ = ["Pyx12Report", "pyx12_findings"]

# IK304: why a segment is in error.
SEGMENT_ERRORS: dict[str, str] = {
    "1": "unrecognized segment ID",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "I4": "implementation 'not used' segment present",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent 'not used' segment present",
}

# IK403: why an element is in error.
ELEMENT_ERRORS: dict[str, str] = {
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I10": "implementation 'not used' data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation dependent 'not used' data element present",
    "I6": "code value not used in implementation",
    "I9": "implementation dependent data element missing",
}

# IK502 / AK502: why a transaction set is in error.
TRANSACTION_ERRORS: dict[str, str] = {
    "1": "transaction set not supported",
    "2": "transaction set trailer missing",
    "3": "transaction set control number in header and trailer do not match",
    "4": "number of included segments does not match actual count",
    "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier",
    "7": "missing or invalid transaction set control number",
    "23": "transaction set control number not unique within the functional group",
    "I5": "implementation one or more segments in error",
}

# AK905: why a functional group is in error.
GROUP_ERRORS: dict[str, str] = {
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "functional group trailer missing",
    "4": "group control number in header and trailer do not agree",
    "5": "number of included transaction sets does not match actual count",
    "6": "group control number violates syntax",
    "19": "functional group control number not unique within interchange",
}

# TA105: interchange note codes.
INTERCHANGE_ERRORS: dict[str, str] = {
    "001": "interchange control numbers in header and trailer do not match",
    "002": "standard as noted in the control standards identifier is not supported",
    "003": "version of the controls is not supported",
    "004": "segment terminator is invalid",
    "005": "invalid interchange ID qualifier for sender",
    "006": "invalid interchange sender ID",
    "007": "invalid interchange ID qualifier for receiver",
    "008": "invalid interchange receiver ID",
    "010": "invalid authorization information qualifier",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier",
    "013": "invalid security information value",
    "014": "invalid interchange date value",
    "015": "invalid interchange time value",
    "016": "invalid interchange standards identifier value",
    "017": "invalid interchange version ID value",
    "018": "invalid interchange control number value",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups value",
    "022": "invalid control structure",
    "023": "improper (premature) end-of-file",
    "024": "invalid interchange content",
    "025": "duplicate interchange control number",
    "026": "invalid data element separator",
    "027": "invalid component element separator",
}


@dataclass(slots=True)
class Pyx12Report:
    """What pyx12 said about one file.

    ``mapped`` is False when pyx12 has no map for the file's guide (it has none for 5010 270/271): then
    ``findings`` is empty because pyx12 had nothing to say, not because the file is clean.
    ``failed`` is the exception type name when pyx12 itself broke on the file.
    """

    findings: list[Finding] = field(default_factory=list)
    mapped: bool = True
    failed: str | None = None


def pyx12_findings(source: str | Path | bytes) -> Pyx12Report:
    """Validate ``source`` (a path or the file's bytes) with pyx12 and translate its error tree into Findings."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    src: str | io.StringIO = io.StringIO(source.decode("latin-1")) if isinstance(source, bytes) else str(source)
    out = io.StringIO()
    # pyx12 logs and prints segment contents (PHI): silence both while it runs
    previous_disable = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            pyx12.x12n_document.x12n_document(pyx12.params.params(), src, None, None, None, out)
    except pyx12.errors.EngineError as exc:
        if "Map not found" in str(exc):
            return Pyx12Report(mapped=False)
        return Pyx12Report(failed=type(exc).__name__)
    except Exception as exc:  # pyx12 raises bare exceptions on some malformed files; it is only an oracle
        return Pyx12Report(failed=type(exc).__name__)
    finally:
        logging.disable(previous_disable)
    text = out.getvalue()
    if not text:
        # pyx12 refused the file before building its error tree (not X12 to it)
        return Pyx12Report(
            findings=[Finding("error", "pyx12_unreadable", "pyx12: the file does not look like X12 data")]
        )
    return Pyx12Report(findings=_translate(json.loads(text)))


def _translate(doc: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    for isa in doc.get("interchanges", []):
        for err in isa.get("errors", []):
            code = str(err["err_cde"])
            findings.append(
                Finding(
                    "error",
                    f"pyx12_interchange_{code}",
                    f"pyx12: interchange: {INTERCHANGE_ERRORS.get(code, 'interchange error ' + code)}",
                    _int(isa.get("cur_line")),
                    segment_id="ISA",
                )
            )
        for gs in isa.get("groups", []):
            for err in gs.get("errors", []):
                code = str(err["err_cde"])
                findings.append(
                    Finding(
                        "error",
                        f"pyx12_group_{code}",
                        f"pyx12: functional group {gs.get('gs_control_num')}: "
                        f"{GROUP_ERRORS.get(code, 'group error ' + code)}",
                        _int(gs.get("cur_line")),
                        segment_id="GE",
                    )
                )
            for st in gs.get("transactions", []):
                findings.extend(_translate_transaction(st))
    findings.sort(key=lambda f: (f.segment is None, f.segment or 0))
    return findings


def _translate_transaction(st: dict[str, Any]) -> list[Finding]:
    control = str(st.get("trn_set_control_num") or "") or None
    findings: list[Finding] = []
    for err in st.get("errors", []):
        code = str(err["err_cde"])
        findings.append(
            Finding(
                "error",
                f"pyx12_transaction_{code}",
                f"pyx12: transaction {control}: {TRANSACTION_ERRORS.get(code, 'transaction error ' + code)}",
                _int(st.get("cur_line")),
                transaction=control,
                segment_id="SE",
            )
        )
    for seg in st.get("segments", []):
        seg_id = str(seg.get("seg_id") or "")
        number = _int(seg.get("cur_line"))
        loop = seg.get("ls_id")
        for err in seg.get("errors", []):
            code = str(err["err_cde"])
            findings.append(
                Finding(
                    "error",
                    f"pyx12_segment_{code}",
                    f"pyx12: {seg_id}: {SEGMENT_ERRORS.get(code, 'segment error ' + code)}",
                    number,
                    transaction=control,
                    segment_id=seg_id,
                    loop=str(loop) if loop else None,
                    ik3_code=code,
                )
            )
        for ele in seg.get("elements", []):
            pos = _int(ele.get("ele_pos"))
            sub = _int(ele.get("subele_pos"))
            where = f"{seg_id}{pos:02d}" if pos is not None else seg_id
            if sub is not None:
                where += f"-{sub}"
            for err in ele.get("errors", []):
                code = str(err["err_cde"])
                findings.append(
                    Finding(
                        "error",
                        f"pyx12_element_{code}",
                        f"pyx12: {where}: {ELEMENT_ERRORS.get(code, 'element error ' + code)}",
                        number,
                        transaction=control,
                        segment_id=seg_id,
                        loop=str(loop) if loop else None,
                        element=pos,
                        component=sub,
                        ik3_code="8",
                        ik4_code=code,
                    )
                )
    return findings


def _int(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
