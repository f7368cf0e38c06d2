"""The bilingual instructions: complete, alike in both languages, rendered into the stubs."""

from __future__ import annotations

import ast
import re

import pytest

from grader.authoring.stubs import stub_source
from grader.core import instructions
from grader.core.instructions import (
    INSTRUCTIONS_DIR,
    check,
    docstring,
    language,
    summary,
    text,
    title,
    width,
    wrap,
)
from grader.core.manifest import load_manifest
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR

NAMES = [exercise.name for exercise in load_manifest()]
CJK = re.compile(r"[\u4e00-\u9fff]")


def public_functions(name: str) -> list[str]:
    tree = ast.parse((SOLUTIONS_DIR / f"{name}.py").read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]


def prose_lines(markdown: str) -> list[str]:
    """Lines outside fenced blocks, without inline code spans."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.strip():
            lines.append(re.sub(r"`[^`]*`", "", line))
    return lines


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_has_sound_instructions_in_both_languages(name):
    assert check(name) == []
    for lang in ("en", "zh"):
        assert len(text(name, lang)) > 300, f"{name}: the {lang} instructions are too short"


@pytest.mark.parametrize("name", NAMES)
def test_each_function_has_its_section_in_both_languages(name):
    for lang in ("en", "zh"):
        headings = re.findall(r"^## `(\w+)\(", text(name, lang), flags=re.MULTILINE)
        assert headings == public_functions(name), (name, lang)


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_text_is_chinese_and_the_english_text_is_not(name):
    assert title(name, "en") == next(e.title for e in load_manifest() if e.name == name)
    assert CJK.search(title(name, "zh"))
    for line in prose_lines(text(name, "en")):
        assert not CJK.search(line), f"{name}: Chinese in the English text: {line}"
    chinese = [line for line in prose_lines(text(name, "zh")) if not line.startswith("#")]
    untranslated = [line for line in chinese if len(CJK.findall(line)) < 4]
    assert chinese and not untranslated, f"{name}: zh lines without Chinese: {untranslated}"


@pytest.mark.parametrize("name", NAMES)
def test_summary_is_one_line_per_language_and_comes_after_the_title(name):
    en, zh = summary(name, "en"), summary(name, "zh")
    assert "\n" not in en and "\n" not in zh
    assert 40 < len(en) < 400 and 15 < len(zh) < 200
    assert CJK.search(zh) and not CJK.search(en)
    assert text(name, "zh").split("\n\n")[1] == zh  # the paragraph right under the title


@pytest.mark.parametrize("name", NAMES)
def test_stub_module_docstring_is_the_instructions_english_then_chinese(name):
    stub = (EXERCISES_DIR / f"{name}.py").read_text(encoding="utf-8")
    module_doc = ast.get_docstring(ast.parse(stub), clean=False)
    assert module_doc is not None and module_doc.strip() == docstring(name).strip()
    assert module_doc.index(title(name, "en")) < module_doc.index(title(name, "zh"))
    for line in stub.splitlines():
        assert width(line) <= 100, f"{name}: line wider than 100 columns: {line}"
    # every formula of the instructions, indented, in each language's half
    formulas = re.findall(r"```text\n(.*?)```", text(name, "en"), flags=re.DOTALL)
    english, chinese = module_doc.split(title(name, "zh"))
    for formula in formulas:
        indented = "\n".join(f"    {line}".rstrip() for line in formula.rstrip("\n").split("\n"))
        assert indented in english and indented in chinese, formula


@pytest.mark.parametrize("name", NAMES)
def test_the_instructions_are_written_once(name):
    """The reference's module docstring points at the instructions instead of copying them: a
    second copy would drift from the one the stub carries."""
    solution = (SOLUTIONS_DIR / f"{name}.py").read_text(encoding="utf-8")
    module_doc = ast.get_docstring(ast.parse(solution)) or ""
    assert f"instructions/{name}.md" in module_doc and len(module_doc.splitlines()) <= 4


def test_paragraphs_are_joined_without_spaces_between_chinese_characters():
    rendered = text("activations", "zh")
    assert "每个函数都接受任意形状的张量" in rendered
    assert "\n数" not in rendered and "的 新" not in rendered


# ----------------------------------------------------------------------------- malformed files

GOOD = """<!-- en -->
# Title

Summary here.

```text
y = f(x)
```

<!-- zh -->
# 标题

这是摘要。

```text
y = f(x)
```
"""


def problems_of(tmp_path, source: str) -> list[str]:
    (tmp_path / "thing.md").write_text(source, encoding="utf-8")
    return check("thing", tmp_path)


def test_check_accepts_a_well_formed_file(tmp_path):
    assert problems_of(tmp_path, GOOD) == []
    assert summary("thing", "zh", tmp_path) == "这是摘要。"
    assert title("thing", "en", tmp_path) == "Title"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (GOOD.replace("y = f(x)\n```\n\n<!-- zh", "y = g(x)\n```\n\n<!-- zh"), "formula blocks"),
        (GOOD.replace("这是摘要。", "这是摘要 `x`。"), "inline code differs"),
        (GOOD.replace("# 标题", "## 标题"), "headings differ"),
        (GOOD.split("<!-- zh -->")[0], "alternate"),
        ("<!-- zh -->\n# 标题\n<!-- en -->\n# Title\n", "alternate"),
        ("stray text\n" + GOOD, "before the first"),
        (GOOD.replace("<!-- zh -->", "<!-- fr -->"), "unknown language 'fr'"),
        (GOOD.rstrip("`\n"), "never closed"),
        (GOOD.replace("<!-- zh -->\n# 标题", "<!-- zh -->\n<!-- en -->\n# 标题"), "alternate"),
    ],
)
def test_check_names_what_is_wrong(tmp_path, source, problem):
    found = problems_of(tmp_path, source)
    assert any(problem in message for message in found), found


def test_missing_file_is_a_clear_error(tmp_path):
    assert "no instructions for the exercise 'nothing'" in check("nothing", tmp_path)[0]
    with pytest.raises(ValueError, match="no instructions"):
        text("nothing", "en", tmp_path)


def test_docstring_refuses_backslashes(tmp_path):
    (tmp_path / "thing.md").write_text(GOOD.replace("f(x)", "\\frac{x}{2}"), encoding="utf-8")
    with pytest.raises(ValueError, match="backslashes"):
        docstring("thing", tmp_path)


def test_stub_source_replaces_the_module_docstring_only():
    source = '"""Old\n\ntext."""\n\nimport torch\n\n\ndef f(x):\n    """Doc."""\n    return x\n'
    stub = stub_source(source, "f.py", "New title\n\nBody.\n")
    assert stub.startswith('"""New title\n\nBody.\n"""\n\nimport torch\n')
    assert ast.get_docstring(ast.parse(stub).body[-1]) == "Doc."
    bare = stub_source("import torch\n", "g.py", "Only")
    assert bare == '"""Only"""\n\nimport torch\n'


# ----------------------------------------------------------------------------- language


def test_language_comes_from_GRADER_LANG(monkeypatch):
    monkeypatch.delenv("GRADER_LANG", raising=False)
    assert language() == "en"
    for value, expected in [
        ("zh", "zh"),
        ("zh_CN.UTF-8", "zh"),
        ("zh-Hans", "zh"),
        ("EN_us", "en"),
        ("  ", "en"),
    ]:
        monkeypatch.setenv("GRADER_LANG", value)
        assert language() == expected, value
    monkeypatch.setenv("GRADER_LANG", "zh")
    assert summary("activations") == summary("activations", "zh")


def test_unknown_GRADER_LANG_warns_and_uses_english(monkeypatch):
    monkeypatch.setenv("GRADER_LANG", "fr")
    with pytest.warns(UserWarning, match="GRADER_LANG='fr'.*using English"):
        assert language() == "en"


def test_an_unknown_language_argument_is_an_error():
    with pytest.raises(ValueError, match="unknown language 'de'"):
        text("activations", "de")


# ----------------------------------------------------------------------------- wrapping


def test_wrap_counts_chinese_as_two_columns_and_respects_punctuation():
    paragraph = "损失函数" * 10 + "，" + "梯度下降" * 10 + "。"
    lines = wrap(paragraph, 40)
    assert "".join(lines) == paragraph
    assert all(width(line) <= 40 for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)


def test_wrap_never_breaks_a_code_span_and_breaks_english_at_spaces():
    lines = wrap("call `torch.rand(shape, generator=generator)` to draw the numbers " * 3, 30)
    assert all(line.count("`") % 2 == 0 for line in lines)
    assert (
        " ".join(lines).split()
        == ("call `torch.rand(shape, generator=generator)` to draw the numbers " * 3).split()
    )


def test_the_instructions_folder_holds_only_exercises():
    stray = {p.stem for p in INSTRUCTIONS_DIR.glob("*.md")} - set(NAMES) - {"README"}
    assert not stray, f"instructions for exercises not in the manifest: {stray}"
    assert instructions.LANGUAGES == ("en", "zh")
