"""JSON as vaultnet prints it: flat values on one line, anything holding more below."""

from __future__ import annotations

from collections import OrderedDict

from vaultnet.jsontext import Encoded, json_pieces, json_text


def test_plain_values_stay_on_one_line() -> None:
    entry = {"name": "Ann", "days": 3, "score": 1.5, "active": True, "due": None, "empty": []}
    assert json_text(entry) == (
        '{"name": "Ann", "days": 3, "score": 1.5, "active": true, "due": null, "empty": []}'
    )
    assert json_text([1, "two", None, {}]) == '[1, "two", null, {}]'


def test_a_value_holding_an_object_or_list_is_nested() -> None:
    assert json_text({"a": [1], "b": 2}) == '{\n  "a": [1],\n  "b": 2\n}'
    assert json_text([{"a": 1}]) == '[\n  {"a": 1}\n]'


def test_subclasses_of_objects_and_lists_nest_too() -> None:
    """The quick check of plain types must not take a dict or list subclass for plain."""

    class Names(list[str]):
        pass

    assert json_text({"a": OrderedDict(b=1)}) == '{\n  "a": {"b": 1}\n}'
    assert json_text({"a": Names(["x"])}) == '{\n  "a": ["x"]\n}'
    assert json_text({"a": (1, 2)}) == '{"a": [1, 2]}'  # a tuple is printed flat, as a list


def test_the_pieces_of_a_text_are_the_text() -> None:
    """``json_pieces`` gives the text of ``json_text`` in pieces, to be written as made;
    an ``Encoded`` value goes in as it is, one piece."""
    entry = Encoded('{"name": "Łukasz 🙂"}')
    value = {"a": [entry, {"b": [1, {"c": []}]}, 2], "d": {}, "e": [[3]], "f": entry}
    for indent in ("", "    "):
        pieces = list(json_pieces(value, indent))
        assert "".join(pieces) == json_text(value, indent)
        assert sum(piece is entry for piece in pieces) == 2
    assert list(json_pieces([1, "x"])) == [json_text([1, "x"])]
