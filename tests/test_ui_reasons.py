"""The pages choose what to say from a refusal's `code` and `reason` (CONTRACT v2, "Errors carry a
reason"), never from the wording of its `message`: that wording is the server's sentence for people and
may change at any time. No browser, no server: the pages' JavaScript is read as text (and, where node
is installed, ui_common's two modules are run).
"""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI_DIRS = ("kiosk_ui", "display_ui", "console_ui", "backoffice_ui", "ui_common")
CODES = {"invalid", "unauthorized", "forbidden", "not_found", "conflict", "queue_empty", "unavailable", "network"}
CLIENT_REASONS = {"network"}  # made by ui_common/api.js when no server answers; not the server's


def ui_files(root: Path = ROOT) -> list[Path]:
    files = [p for d in UI_DIRS for p in sorted((root / d).rglob("*.js")) if "vendor" not in p.parts]
    assert files, f"no page scripts under {root}"
    return files


def without_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)
    return re.sub(r"(?<![:\"'\\\w])//.*", "", source)  # not "https://", not inside "a//b"


# ---------------------------------------------------------------- no branching on message wording
STRING_TESTS = r"(?:startsWith|endsWith|includes|match|matchAll|indexOf|lastIndexOf|search|localeCompare|test|exec)"
NORMALISE = r"(?:\s*\??\.\s*(?:toLowerCase|toUpperCase|toLocaleLowerCase|trim|trimStart|trimEnd|normalize)\(\s*\))*"
FALLBACK = r"""(?:\s*(?:\|\||\?\?)\s*(?:"[^"\n]*"|'[^'\n]*'|`[^`\n]*`))?\s*\)?"""
# The start of an argument list, up to a point at most two parentheses deep: `f(a, (b || "")…`.
CALL_ARGS = r"\((?:[^()\n]|\([^()\n]*\))*?(?:\([^()\n]*?)?"


def wording_checks(subject: str) -> list[tuple[str, re.Pattern]]:
    """Ways of deciding something by the text `subject` (a regex for the message or a copy of it)."""
    return [
        ("tests the message's text", re.compile(subject + FALLBACK + NORMALISE + r"\s*\??\.\s*" + STRING_TESTS + r"\s*\(")),
        ("passes the message to a test", re.compile(r"\.\s*" + STRING_TESTS + r"\s*" + CALL_ARGS + subject)),
        ("compares the message", re.compile(subject + r"\s*[!=]==?|[!=]==?\s*[\w$.?\[\]\"']*?" + subject)),
        ("switches on the message", re.compile(r"\bswitch\s*" + CALL_ARGS + subject)),
        ("looks the message up", re.compile(r"\[\s*[\w$.?]*?" + subject + r"\s*\]")),
    ]


MESSAGE = r"\??\.message\b(?!\s*\()"
ASSIGNED = re.compile(r"\b(?:const|let|var)\s+([\w$]+)\s*=[^;\n]*\.message\b")
DESTRUCTURED = re.compile(r"\b(?:const|let|var)\s*\{([^}]*)\}\s*=")


def message_aliases(source: str) -> set[str]:
    names = set(ASSIGNED.findall(source))
    for fields in DESTRUCTURED.findall(source):
        for field in fields.split(","):
            name, _, alias = (part.strip() for part in field.partition(":"))
            if name == "message":
                names.add(alias.split("=")[0].strip() or name)
    return names


def wording_branches(source: str) -> list[str]:
    """Each line that decides something by the wording of an error's message (or of a copy of it)."""
    code = without_comments(source)
    subjects = [MESSAGE] + [r"(?<![\w$.])" + re.escape(name) + r"\b" for name in message_aliases(code)]
    found = []
    for subject in subjects:
        for why, pattern in wording_checks(subject):
            for match in pattern.finditer(code):
                line = code[:match.start()].count("\n") + 1
                found.append(f"line {line}: {why}: {code.splitlines()[line - 1].strip()}")
    return sorted(set(found))


def test_no_page_decides_by_the_wording_of_a_message():
    offenders = {str(p.relative_to(ROOT)): wording_branches(p.read_text()) for p in ui_files()}
    offenders = {path: lines for path, lines in offenders.items() if lines}
    assert not offenders, "choose by err.code / err.reason (errors.js describe), not by message:\n" + json.dumps(offenders, indent=1, ensure_ascii=False)


# What the pages did before reasons existed: each must be caught.
BRANCHES_ON_WORDING = [
    'unavailable: err.message.startsWith("Tickets are issued") ? closedSentence() : t("unavailable"),',
    'const existing = /Ticket (\\S+) for case/.exec(err.message || "");',
    'conflict: existing ? t("a") : /not ready/.test(err.message) ? t("caseNotReady") : t("retry"),',
    'forbidden: t(err.message.includes("staffed by") ? "otherDepartment" : "notClerk"),',
    'else if (name === "recall" && /recalled/.test(err.message)) own.conflict = t("recallLimit", { number });',
    'if (err.code === "conflict" && /no current ticket|call one first/i.test(err.message) && !w.current) x = 1;',
    'own.conflict = /still serves/.test(err.message) ? t("stillServing", { window: number }) : t("x");',
    'const serverSaid = err && err.code ? (err.message || "") : "";\nif (serverSaid && !serverSaid.startsWith("HTTP ")) return 1;',
    'if (err.message === "Window 3 is closed.") return 1;',
    'if ("Window is closed." == error.message) return 1;',
    'switch (err.message) { case "x": return 1; }',
    'return SENTENCES[err.message];',
    'if ("not ready".includes(e.message)) return 1;',
    'if (err.message?.toLowerCase().includes("paused")) return 1;',
    'const { message: said } = err;\nif (said.match(/recalled/)) return 1;',
    'if (new RegExp("paused").test((err.message || "").trim())) return 1;',
]
SHOWS_THE_WORDS_ONLY = [
    'throw new ApiError(error.code, error.message || "", response.status);',
    'text.textContent = message.text ?? message;',
    'return alert.message || alert.text || "";',
    'const serverSaid = err.message || "";\nreturn { text: own, detail: serverSaid };',
    'if (err.code === "conflict" && err.reason === "recall_limit") return 1;  // err.message.includes("x")',
    'showMessage($("message"), { text: t("noCurrent") });',
]


@pytest.mark.parametrize("snippet", BRANCHES_ON_WORDING)
def test_the_check_catches_a_branch_on_wording(snippet):
    assert wording_branches(snippet), snippet


@pytest.mark.parametrize("snippet", SHOWS_THE_WORDS_ONLY)
def test_the_check_lets_the_words_be_shown(snippet):
    assert not wording_branches(snippet), snippet


# ---------------------------------------------------------------- reasons the pages name exist
def server_reasons() -> set[str]:
    """The values of the `Reason` enum in server/domain/errors.py (the catalogue the server refuses by)."""
    tree = ast.parse((ROOT / "server" / "domain" / "errors.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Reason":
            return {stmt.value.value for stmt in node.body if isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)}
    pytest.fail("server/domain/errors.py has no Reason enum: the pages' reasons cannot be checked")


def object_literal(code: str, start: int) -> str:
    """The text of the object literal whose `{` is at `start`, skipping strings and templates."""
    depth, i, quote = 0, start, None
    while i < len(code):
        c = code[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c in "{[(":
            depth += 1
        elif c in "}])":
            depth -= 1
            if depth == 0:
                return code[start:i + 1]
        i += 1
    raise AssertionError(f"unbalanced object literal at {start}")


def literal_keys(literal: str) -> list[str]:
    """The keys written at the top level of an object literal (spreads and computed keys are not keys)."""
    keys, depth, quote, i, last = [], 0, None, 0, ""
    while i < len(literal):
        c = literal[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
            i += 1
            continue
        if depth == 1 and last in "{," and not c.isspace():
            key = re.match(r"""(?:([\w$]+)|"([^"]*)"|'([^']*)')\s*:""", literal[i:])
            if key:
                keys.append(next(k for k in key.groups() if k is not None))
        if c in "\"'`":
            quote = c
        elif c in "{[(":
            depth += 1
        elif c in "}])":
            depth -= 1
        if not c.isspace():
            last = c
        i += 1
    return keys


def sentence_tables(kind: str) -> dict[str, list[str]]:
    """Every `reasons: {…}` (or `codes: {…}`) table the pages give describe(), by file: its keys."""
    tables = {}
    for path in ui_files():
        code = without_comments(path.read_text())
        for match in re.finditer(r"\b" + kind + r"\s*:\s*", code):
            where = f"{path.relative_to(ROOT)}:{code[:match.start()].count(chr(10)) + 1}"
            # A table the test cannot read is a table whose keys nobody checks.
            assert code[match.end()] == "{", f"{where}: write `{kind}` as an object literal"
            tables[where] = literal_keys(object_literal(code, match.end()))
        shorthand = re.search(r"[{,]\s*" + kind + r"\s*[,}]", code)
        assert not shorthand, f"{path.relative_to(ROOT)}: write `{kind}: {{…}}` as an object literal, not `{{ {kind} }}`"
    return tables


def test_every_reason_a_page_names_is_in_the_servers_catalogue():
    known = server_reasons() | CLIENT_REASONS
    tables = sentence_tables("reasons")
    named = {key for keys in tables.values() for key in keys}
    assert len(named) >= 40, f"the reason tables were not read: {tables}"  # the parser itself still works
    unknown = {where: sorted(set(keys) - known) for where, keys in tables.items() if set(keys) - known}
    assert not unknown, f"reasons the server never sends (server/domain/errors.py Reason): {unknown}"


def test_every_code_table_names_contract_codes():
    tables = sentence_tables("codes")
    assert tables
    wrong = {where: sorted(set(keys) - CODES) for where, keys in tables.items() if set(keys) - CODES}
    assert not wrong, f"not error codes (a reason belongs under `reasons`): {wrong}"


# ---------------------------------------------------------------- one place turns reasons into sentences
def test_pages_leave_reasons_to_describe():
    """A page hands its tables to errors.js describe() and never reads `reason` itself: then a page that
    knows nothing of a reason still gets its sentence for the code, and the general one after that."""
    for path in ui_files():
        code = without_comments(path.read_text())
        name = path.relative_to(ROOT).as_posix()
        if name in ("ui_common/errors.js", "ui_common/api.js"):
            continue
        assert not re.search(r"\.reason\b", code), f"{name} reads an error's reason itself; give describe() a table"
        assert not re.search(r"\bfunction\s+describe\b", code), f"{name} has its own describe()"
        if re.search(r"\bdescribe\(", code):
            assert re.search(r'import\s*\{[^}]*\bdescribe\b[^}]*\}\s*from\s*"/ui/common/errors\.js"', code), name


NODE = shutil.which("node")


def run_node(script: str):
    done = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(not NODE, reason="node is not installed")
def test_describe_chooses_by_reason_then_code_then_the_general_sentence():
    errors = (ROOT / "ui_common" / "errors.js").as_uri()
    out = run_node(f"""
        import {{ describe }} from "{errors}";
        const err = (reason, message = "Window 3 is paused; resume it before calling.", detail) =>
          ({{ code: "conflict", reason, message, detail }});
        const page = {{
          reasons: {{ window_paused: "暂停", serving_at_other_window: (d) => d.window && `在${{d.window}}号窗口` }},
          codes: {{ conflict: "冲突" }},
        }};
        console.log(JSON.stringify({{
          byReason: describe(err("window_paused"), "zh", page),
          sameReasonOtherWords: describe(err("window_paused", "Anything else entirely."), "zh", page).text,
          withDetail: describe(err("serving_at_other_window", "x", {{ window: "5" }}), "zh", page).text,
          detailMissing: describe(err("serving_at_other_window", "x"), "zh", page).text,
          unknownReason: describe(err("some_new_rule"), "zh", page).text,
          noReason: describe(err(undefined), "zh", page).text,
          pageKnowsNothing: describe(err("window_paused"), "zh").text,
          pageKnowsNothingEn: describe({{ code: "conflict", reason: "window_paused", message: "" }}, "en").text,
          notOwnKey: describe(err("constructor"), "zh", {{ reasons: {{}} }}).text,
          general: describe(err(undefined), "zh").text,
        }}));
    """)
    assert out["byReason"] == {"text": "暂停", "detail": "Window 3 is paused; resume it before calling."}  # the words: detail only
    assert out["sameReasonOtherWords"] == "暂停"
    assert out["withDetail"] == "在5号窗口"
    assert out["detailMissing"] == out["unknownReason"] == out["noReason"] == "冲突"
    assert out["pageKnowsNothing"] == out["notOwnKey"] == out["general"] == "当前状态下不能执行此操作。"
    assert out["pageKnowsNothingEn"] == "This cannot be done in the current state."


@pytest.mark.skipif(not NODE, reason="node is not installed")
def test_the_api_client_keeps_reason_and_detail_and_names_a_network_failure():
    api = (ROOT / "ui_common" / "api.js").as_uri()
    out = run_node(f"""
        import {{ api }} from "{api}";
        const fields = (e) => ({{ code: e.code, reason: e.reason, detail: e.detail, status: e.status, message: e.message }});
        const answer = (status, body) => async () => ({{ ok: false, status, json: async () => body }});
        const results = [];
        for (const fetcher of [
          answer(409, {{ error: {{ code: "conflict", reason: "pickup_ticket_exists", message: "m", detail: {{ number: "P003" }} }} }}),
          answer(409, {{ error: {{ code: "conflict", message: "m" }} }}),
          answer(502, null),
          async () => {{ throw new TypeError("Failed to fetch"); }},
        ]) {{
          globalThis.fetch = fetcher;
          try {{ await api("POST", "/tickets", {{ body: {{}} }}); results.push(null); }} catch (e) {{ results.push(fields(e)); }}
        }}
        console.log(JSON.stringify(results));
    """)
    assert out[0] == {"code": "conflict", "reason": "pickup_ticket_exists", "detail": {"number": "P003"}, "status": 409, "message": "m"}
    assert out[1]["reason"] is None and out[1]["detail"] == {}  # a server without reasons: the code still holds
    assert out[2]["code"] == "unavailable" and out[2]["reason"] is None and out[2]["status"] == 502
    assert out[3]["code"] == "network" and out[3]["reason"] == "network"
