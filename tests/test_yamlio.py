from generator import yamlio
from generator.diagnostics import Diagnostics


def load(text, offset=0):
    diags = Diagnostics()
    return yamlio.load(text, "f.yaml", diags, line_offset=offset), diags


def test_positions_of_keys_and_values():
    doc, diags = load("title: A\nquotes:\n  - speaker: zhao\n    text: Hi\n")
    assert not diags.items
    assert str(doc.loc("quotes", 0, "speaker")) == "f.yaml:3:14"
    assert str(doc.key_loc("quotes", 0, "text")) == "f.yaml:4:5"
    assert str(doc.loc("quotes", 0, "missing")) == "f.yaml:3:5"


def test_line_offset_for_front_matter():
    doc, _ = load("title: A\n", offset=1)
    assert doc.loc("title").line == 2


def test_dates_stay_text_and_plain_scalars_keep_their_source():
    doc, _ = load("date: 2022-03-14\ntitle: 1984\nflag: Yes\n")
    assert doc.data == {"date": "2022-03-14", "title": 1984, "flag": True}
    assert doc.raw[("title",)] == "1984" and doc.raw[("flag",)] == "Yes"


def test_aliases_are_refused_at_the_key_holding_them():
    doc, diags = load("a: &x [1, 2]\nb: *x\n")
    assert doc is None
    assert [str(d.location) for d in diags.errors] == ["f.yaml:2:1"]
    assert "aliases" in diags.errors[0].message


def test_alias_bomb_fails_without_expanding():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    doc, diags = load("\n".join(lines))
    assert doc is None and len(diags.errors) == 1


def test_tags_that_construct_objects_are_refused(tmp_path):
    marker = tmp_path / "ran"
    doc, diags = load(f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert doc is None and not marker.exists()
    assert "'!!python/object/apply:os.system' is not allowed" in diags.errors[0].message


def test_merge_keys_and_duplicate_keys_are_refused():
    assert load("a: {x: 1}\nb:\n  <<: {x: 1}\n")[0] is None
    doc, diags = load("name: A\nname: B\n")
    assert doc is None and "appears twice" in diags.errors[0].message


def test_comment_that_cuts_a_headline_is_a_warning():
    doc, diags = load("title: We are #1 in the polls\n")
    assert doc.data["title"] == "We are"
    assert not diags.errors
    assert "#1 in the polls" in diags.warnings[0].message


def test_yaml_errors_name_line_and_hint():
    _, diags = load("title: Russia: the ask\n")
    assert str(diags.errors[0].location) == "f.yaml:1:14"
    assert 'title: "Russia: the ask"' in diags.errors[0].hint
    _, diags = load('title: "open\ndate: 2022\n')
    assert diags.errors[0].location.line == 1 and "never closed" in diags.errors[0].message


def test_front_matter_split():
    diags = Diagnostics()
    front = yamlio.split_front_matter("---\ntitle: A\n---\nBody\n", "a.md", diags)
    assert (front.yaml_text, front.yaml_line, front.body, front.body_line) == ("title: A\n", 2, "Body\n", 4)
    assert yamlio.split_front_matter("---\ntitle: A\n", "a.md", diags) is None
    assert "never closed" in diags.errors[0].message
