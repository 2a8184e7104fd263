"""Loading session scripts: every problem reported at its line and column, in people's words.

Each file in tests/broken_scripts/ ends with `# expect: LINE:COLUMN: field.path: message`
comments, one per problem the loader must report (in order). " ... " in an expectation skips
any text; the first part must start the problem line right after the file name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from voicecoach.errors import ScriptError, UsageError
from voicecoach.script.library import (
    bundled_script_paths,
    find_script,
    load_library,
    load_scripts,
    scripts_for_position,
)
from voicecoach.script.loader import check_script_text, load_script, load_script_text, schema_path
from voicecoach.script.model import Pace, Position, Script, Sides

BROKEN = Path(__file__).parent / "broken_scripts"
DOCS = Path(__file__).parent.parent / "docs" / "script-format.md"

VALID = """\
id: chair-test
title: Test session
position: chair
description: A short session used by the tests.
safety: Move slowly and stop if anything hurts.
exercises:
  - name: Ankle pumps
    source: seed-001
    setup: Sit back with both feet flat on the floor.
    cues: ["Lift your toes", "Lower them down"]
    reps: 10
    sets: 2
    easier:
      - say: Lift your toes only a little.
        reps: 6
cool_down:
  - name: Slow breathing
    source: seed-003
    setup: Rest your hands in your lap and breathe slowly.
    cues: ["Breathe in", "Breathe out"]
    reps: 5
"""


def _expectations(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return [
        line[len("# expect: ") :] for line in text.splitlines() if line.startswith("# expect: ")
    ]


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        load_script(path)
    return caught.value.problems


def _matches(problem: str, expected: str, file: str) -> bool:
    first, *rest = expected.split(" ... ")
    if not problem.startswith(f"{file}:{first}"):
        return False
    at = len(file) + 1 + len(first)
    for part in rest:
        at = problem.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def test_there_are_broken_scripts_for_each_kind_of_mistake() -> None:
    assert len(BROKEN_FILES) >= 12
    assert all(_expectations(path) for path in BROKEN_FILES)


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_broken_script_reports_each_problem_at_its_line_and_column(path: Path) -> None:
    expected = _expectations(path)
    problems = _problems(path)
    assert len(problems) == len(expected), "\n".join(problems)
    for problem, wanted in zip(problems, expected, strict=True):
        assert _matches(problem, wanted, str(path)), f"{problem}\n  expected: {wanted}"


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_problems_are_one_line_each_sorted_by_line_and_never_raw_jsonschema(path: Path) -> None:
    problems = _problems(path)
    positions = []
    for problem in problems:
        assert "\n" not in problem
        match = re.match(rf"{re.escape(str(path))}:(\d+):(\d+): \S.*: .+", problem)
        assert match, problem
        positions.append((int(match[1]), int(match[2])))
        assert "is a required property" not in problem  # jsonschema's wording, not ours
        assert "Additional properties" not in problem
    assert positions == sorted(positions)


def test_several_problems_in_one_file_are_all_reported() -> None:
    problems = _problems(BROKEN / "several_problems.yaml")
    assert len(problems) == 8
    fields = [p.split(": ")[1] for p in problems]
    assert fields == [
        "title",
        "position",
        "exercises[0].reps",
        "exercises[0].reeps",
        "exercises[0].sets",
        "exercises[0].easier[0].say",
        "cool_down[0].name",
        "cool_down[0].reps",
    ]


def test_text_that_is_not_utf8_is_reported_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.replace("A short session", "A short café session").encode("latin-1"))
    problems = _problems(path)
    assert problems == [
        f"{path}:4:25: encoding: byte 0xe9 is not UTF-8 text (save the file as UTF-8)"
    ]


def test_a_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: cannot read the file: ")


def test_a_control_character_is_reported_at_its_place() -> None:
    problems = check_script_text(VALID.replace("Test session", "Test\x07session"), "bell.yaml")
    assert [str(p) for p in problems] == [
        "bell.yaml:2:12: YAML syntax: character U+0007 is not allowed in YAML text "
        "(expected printable characters only; remove it)"
    ]


def test_a_value_referring_to_itself_is_a_problem_not_a_crash() -> None:
    problems = check_script_text(VALID.replace("tags", "x") + "tags: &loop [*loop]\n", "loop.yaml")
    assert [(p.line, p.field) for p in problems] == [(22, "tags[0]")]


def test_comments_only_is_an_empty_file() -> None:
    problems = check_script_text("# nothing here yet\n\n", "new.yaml")
    assert [(p.line, p.column, p.field) for p in problems] == [(1, 1, "top level")]
    assert "the file is empty" in problems[0].message


def test_valid_script_loads_with_defaults_lines_and_path() -> None:
    script = load_script_text(VALID, "fixtures/chair-test.yaml")
    assert script.id == "chair-test"
    assert script.position is Position.CHAIR
    assert script.path == "fixtures/chair-test.yaml"
    assert script.closing == ""
    assert script.tags == ()
    pumps, breathing = script.all_exercises
    assert (pumps.line, breathing.line) == (7, 17)
    assert pumps.cues == ("Lift your toes", "Lower them down")
    assert (pumps.reps, pumps.sets, pumps.hold, pumps.rest, pumps.tempo) == (10, 2, 0, 30, 3.0)
    assert pumps.sides is Sides.NONE and pumps.pace is Pace.COUNTED
    assert pumps.easier[0].say == "Lift your toes only a little."
    assert pumps.at_level(-1).reps == 6
    assert breathing.sets == 1


def test_an_exercise_may_name_the_area_it_works_and_a_wrong_area_is_placed() -> None:
    area = "    source: seed-001\n    area: feet and ankles\n"
    text = VALID.replace("    source: seed-001\n", area)
    pumps, breathing = load_script_text(text, "area.yaml").all_exercises
    assert (pumps.area, breathing.area) == ("feet and ankles", None)
    wrong = text.replace("area: feet and ankles", "area: ankels")
    with pytest.raises(ScriptError) as raised:
        load_script_text(wrong, "area.yaml")
    (problem,) = raised.value.problems
    assert problem.startswith("area.yaml:9:11: exercises[0].area:")
    assert "feet and ankles" in problem


def test_folded_text_is_trimmed_and_windows_line_endings_and_bom_load(tmp_path: Path) -> None:
    text = VALID.replace(
        "safety: Move slowly and stop if anything hurts.",
        "safety: >\n  Move slowly and\n  stop if anything hurts.",
    )
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    script = load_script(path)
    assert script.safety == "Move slowly and stop if anything hurts."


def test_anchors_may_repeat_a_value() -> None:
    text = VALID.replace('cues: ["Lift your toes"', 'cues: &pump ["Lift your toes"').replace(
        'cues: ["Breathe in", "Breathe out"]', "cues: *pump"
    )
    script = load_script_text(text, "anchors.yaml")
    assert script.cool_down[0].cues == script.exercises[0].cues


def test_every_field_of_the_format_loads() -> None:
    script = load_script_text(_docs_example(), "docs-example.yaml")
    assert script.id == "chair-back-basics"
    assert script.tags == ("back", "gentle", "chair")
    assert script.closing.startswith("That is all the exercises")
    knee = script.exercises[1]
    assert (knee.hold, knee.sides, knee.rest) == (3, Sides.LEFT_THEN_RIGHT, 20)
    assert knee.at_level(-2).hold == 1 and knee.at_level(-2).reps == 4  # variants add up
    assert script.exercises[3].pace is Pace.SELF
    assert script.exercises[0].tempo == 2.0


# --- the schema and the docs ------------------------------------------------------------------


def _docs_example() -> str:
    found = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert found, "docs/script-format.md must start its examples with a full script"
    return found[1]


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded


def _objects(schema: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            found.append(schema)
        for value in schema.values():
            found.extend(_objects(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_objects(value))
    return found


def test_schema_ships_in_the_package_and_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    assert schema_path().is_file()
    assert schema_path().parent.parent.name == "script"
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_schema_refuses_unknown_keys_in_every_mapping() -> None:
    objects = _objects(_schema())
    assert len(objects) == 4  # script, exercise, ceiling, variant
    assert all(obj.get("additionalProperties") is False for obj in objects)


def test_docs_describe_every_key_of_the_schema() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for obj in _objects(_schema()):
        for key in obj["properties"]:
            assert f"`{key}`" in docs, key


def test_docs_example_passes_an_editor_style_schema_check() -> None:
    import yaml
    from jsonschema import Draft202012Validator

    errors = list(Draft202012Validator(_schema()).iter_errors(yaml.safe_load(_docs_example())))
    assert errors == []


# --- the library ---------------------------------------------------------------------------------


def _fixture_library() -> list[Script]:
    bed = VALID.replace("id: chair-test", "id: bed-test").replace(
        "position: chair", "position: bed"
    )
    return [
        load_script_text(VALID, "chair-test.yaml"),
        load_script_text(bed, "bed-test.yaml"),
        load_script_text(VALID.replace("id: chair-test", "id: chair-other"), "chair-other.yaml"),
    ]


def test_find_script_by_id_or_unique_prefix() -> None:
    library = _fixture_library()
    assert find_script("bed-test", library).id == "bed-test"
    assert find_script("be", library).id == "bed-test"
    assert find_script("chair-t", library).id == "chair-test"
    assert find_script("CHAIR-TEST", library).id == "chair-test"


def test_find_script_names_the_choices_when_a_prefix_is_ambiguous() -> None:
    with pytest.raises(UsageError) as caught:
        find_script("chair", _fixture_library())
    assert "chair-other, chair-test" in str(caught.value)


def test_find_script_lists_known_ids_for_an_unknown_id() -> None:
    with pytest.raises(UsageError) as caught:
        find_script("sofa-stretch", _fixture_library())
    message = str(caught.value)
    assert "sofa-stretch" in message
    assert "bed-test, chair-other, chair-test" in message
    assert "voicecoach list" in message


def test_find_script_loads_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(VALID.replace("chair-test", "my-own"), encoding="utf-8")
    assert find_script(str(path), _fixture_library()).id == "my-own"
    with pytest.raises(ScriptError) as caught:  # a .yaml name is a path even if it is missing
        find_script(str(tmp_path / "typo.yaml"), _fixture_library())
    assert "typo.yaml: cannot read the file" in str(caught.value)


def test_scripts_for_position() -> None:
    library = _fixture_library()
    assert [s.id for s in scripts_for_position("bed", library)] == ["bed-test"]
    assert [s.id for s in scripts_for_position(Position.CHAIR, library)] == [
        "chair-test",
        "chair-other",
    ]


def test_load_scripts_reports_broken_files_and_ids_used_twice(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(VALID.replace("reps: 10", "reps: 99"), encoding="utf-8")
    with pytest.raises(ScriptError) as caught:
        load_scripts(sorted(tmp_path.glob("*.yaml")))
    problems = caught.value.problems
    assert f"{tmp_path / 'c.yaml'}:11:11: exercises[0].reps: 99 is too large" in problems[0]
    assert problems[1].startswith(f"{tmp_path / 'b.yaml'}:1:1: id: 'chair-test' is already")
    assert str(tmp_path / "a.yaml") in problems[1]


def test_every_bundled_script_loads() -> None:
    paths = bundled_script_paths()
    assert len(paths) >= 6, "the library should offer at least six bundled scripts"
    scripts = load_library()
    assert len(scripts) == len(paths)
    assert {s.position for s in scripts} == {Position.BED, Position.CHAIR}
    assert load_library() == scripts  # cached, same answer


def test_the_gentlest_script_for_a_position_is_its_gentle_start() -> None:
    from voicecoach.script.library import gentlest_script

    bed, chair = gentlest_script("bed"), gentlest_script("chair")
    assert bed is not None and bed.id == "bed-gentle-start"
    assert chair is not None and chair.id == "chair-gentle-start"
    assert gentlest_script("bed", []) is None
