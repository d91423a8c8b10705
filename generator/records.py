"""Typed values as JSON and back, for what the build keeps on disk.

The type, not the data, says what is made: a value is written as JSON by walking its type
annotation, and read back by walking the same annotation, so reading can make only the
frozen model classes the annotation names, from plain strings, numbers and lists that have
each been checked against the field they fill. Nothing read can name a class, call a
function or run code; data of any other shape is refused as Malformed.

Types understood: None, bool, int, float, str, bytes, datetime, X | None, tuple[X, ...],
fixed tuples, frozenset[X], list[X], dict[str, X], named tuples and dataclasses whose
fields are of these types (written as the list of their fields' values, in order).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import json
import keyword
import types
import typing
import zoneinfo

try:
    import orjson
except ImportError:  # a platform without its wheel: json alone, slower
    orjson = None


class Malformed(ValueError):
    """Data that is not a value of the type asked for."""


@functools.cache
def _hints(kind: type) -> dict[str, typing.Any]:
    return typing.get_type_hints(kind)


def _fields(kind: type) -> tuple[str, ...]:
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind) if f.init)
    return kind._fields


def _optional(kind) -> typing.Any | None:
    """X for X | None; None for any other type."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(kind)) == 2:
            return args[0]
        raise TypeError(f"only X | None unions can be recorded, not {kind}")
    return None


def _is_record(kind) -> bool:
    return isinstance(kind, type) and (dataclasses.is_dataclass(kind) or (issubclass(kind, tuple) and hasattr(kind, "_fields")))


def to_data(value, kind):
    """value, of type kind, as JSON-able lists, dicts, strings and numbers."""
    return _encoder(kind)(value)


@functools.cache  # a pure memo of what each type's annotation says, the same for every build
def _encoder(kind):
    """The function that turns a value of type kind into data: worked out once a type."""
    inner = _optional(kind)
    if inner is not None:
        encode = _encoder(inner)
        return lambda value: None if value is None else encode(value)
    if kind is type(None) or kind in (bool, int, float, str):
        return _same
    if kind is bytes:
        return lambda value: base64.b64encode(value).decode("ascii")
    if kind is dt.datetime:
        return _moment
    if _is_record(kind):  # its fields' encoders found on first use, so a type may hold itself
        hints, names = _hints(kind), _fields(kind)
        return lambda value: [_encoder(hints[name])(getattr(value, name)) for name in names]
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis or origin is list:
        encode = _encoder(args[0])
        return lambda value: [encode(item) for item in value]
    if origin is tuple:
        encoders = tuple(_encoder(arg) for arg in args)
        return lambda value: [encode(item) for item, encode in zip(value, encoders, strict=True)]
    if origin is frozenset:
        encode = _encoder(args[0])
        return lambda value: [encode(item) for item in sorted(value)]
    if origin is dict and args[0] is str:
        encode = _encoder(args[1])
        return lambda value: {key: encode(item) for key, item in value.items()}
    raise TypeError(f"{kind} cannot be recorded")


def _same(value):
    return value


def from_data(data, kind):
    """The value of type kind that to_data turned into data; Malformed if data is not one."""
    return _decoder(kind)(data)


def _exactly(kind):
    def decode(data):  # JSON makes no subclasses, and a bool is not an int here
        if type(data) is not kind:
            raise Malformed(f"{type(data).__name__} where {kind.__name__} was expected")
        return data
    return decode


def _float(data):
    if type(data) is not float and type(data) is not int:
        raise Malformed(f"{type(data).__name__} where a number was expected")
    try:
        return float(data)
    except OverflowError:  # an integer too long for a float
        raise Malformed("a number too large") from None


def _bytes(data):
    try:
        return base64.b64decode(_string(data), validate=True)
    except ValueError as exc:
        raise Malformed(str(exc)) from None


def _moment(value: dt.datetime) -> str:
    """A datetime in ISO 8601, followed by its named time zone in brackets when it has one
    ("2024-05-06T10:00:00+02:00[Europe/Oslo]", as RFC 9557 writes it): an offset alone would
    come back as a fixed offset, which is shown otherwise than the zone's name."""
    zone = value.tzinfo
    if isinstance(zone, zoneinfo.ZoneInfo) and zone.key:
        return f"{value.isoformat()}[{zone.key}]"
    return value.isoformat()


def _datetime(data):
    text = _string(data)
    try:
        if text.endswith("]") and "[" in text:
            text, _, key = text[:-1].partition("[")
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise ValueError("a time zone's name after a time without its offset")
            return moment.astimezone(zoneinfo.ZoneInfo(key))
        return dt.datetime.fromisoformat(text)
    except (ValueError, KeyError, OSError, OverflowError) as exc:  # a malformed time, no such zone (a KeyError), or out of range
        raise Malformed(str(exc)) from None


def _string(data):
    if type(data) is not str:
        raise Malformed(f"{type(data).__name__} where a string was expected")
    return data


@functools.cache  # as _encoder: what each type's annotation says, worked out once a type
def _decoder(kind):
    """The function that makes a value of type kind from data, or raises Malformed."""
    inner = _optional(kind)
    if inner is not None:
        decode = _decoder(inner)
        return lambda data: None if data is None else decode(data)
    if kind is str:
        return _string
    if kind is type(None) or kind in (bool, int):
        return _exactly(kind)
    if kind is float:
        return _float
    if kind is bytes:
        return _bytes
    if kind is dt.datetime:
        return _datetime
    if _is_record(kind):
        return _record_decoder(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        decode = _decoder(args[0])
        return lambda data: tuple([decode(item) for item in _list(data)])
    if origin is tuple:
        decoders = tuple(_decoder(arg) for arg in args)

        def fixed(data):
            items = _list(data)
            if len(items) != len(decoders):
                raise Malformed(f"a list of {len(decoders)} was expected")
            return tuple([decode(item) for decode, item in zip(decoders, items)])
        return fixed
    if origin in (list, frozenset):
        decode = _decoder(args[0])
        return lambda data: origin([decode(item) for item in _list(data)])
    if origin is dict and args[0] is str:
        decode = _decoder(args[1])
        return lambda data: {_string(key): decode(item) for key, item in _dict(data).items()}
    raise TypeError(f"{kind} cannot be recorded")


# The field types a record's decoder checks in place, by the name its code gives the type.
_CHECKED = {str: "str", int: "int", bool: "bool", type(None): "NoneType"}


def _record_decoder(kind):
    """The decoder of a named tuple or dataclass: a function written for the type, which
    checks each field of a plain type (str, int, bool, None, or X | None of one) in place
    and hands the others to their own decoders. It takes half the time of a call for each
    field (a cached article is some sixty records, most fields of them plain). Its text is
    made from the type alone (its fields' names, identifiers in the generator's own code,
    and their types); what it reads only ever fills its variables."""
    names, hints = _fields(kind), _hints(kind)
    if not all(name.isidentifier() and not keyword.iskeyword(name) for name in names):
        raise TypeError(f"{kind} has a field that is not a name")
    # a named tuple whose __new__ is the one namedtuple made (it checks nothing)
    named = not dataclasses.is_dataclass(kind) and kind.__new__.__module__ == f"namedtuple_{kind.__name__}"
    # a dataclass whose __init__ only sets its fields: its objects are made without it
    # (a frozen class's __init__ sets each field through object.__setattr__, slowly)
    plain = dataclasses.is_dataclass(kind) and _only_fields(kind)
    scope = {"Malformed": Malformed, "kind": kind, "new": object.__new__, "new_tuple": tuple.__new__,
             "NoneType": type(None), "not_one": f"not a {kind.__name__}", "names": names,
             "where": f" of {kind.__name__} was expected"}
    values = "".join(f"v{number}, " for number in range(len(names)))
    checks, decoding = [], []
    for number, name in enumerate(names):
        inner = _optional(hints[name])
        checked = _CHECKED.get(inner if inner is not None else hints[name])
        value = f"v{number}"
        if checked is not None:
            test = f"type({value}) is not {checked}"
            checks += [f"if {value} is not None and {test}:" if inner is not None else f"if {test}:",
                       f"    raise Malformed(type({value}).__name__ + ' where ' + names[{number}] + where)"]
        else:
            scope[f"decode{number}"] = _found_later(scope, f"decode{number}", hints[name])
            decoding.append(f"{value} = decode{number}({value})")
    if named:
        made = [f"return new_tuple(kind, ({values}))"]
    elif plain:
        made = ["made = new(kind)", "made.__dict__.update(" + ", ".join(
            f"{name}=v{number}" for number, name in enumerate(names)) + ")", "return made"]
    else:
        made = [f"return kind({values})"]
    # a field's decoder, or the class, may refuse what it is given with a TypeError or a ValueError
    code = ["if type(data) is not list or len(data) != " + str(len(names)) + ":", "    raise Malformed(not_one)",
            *([f"{values} = data"] if names else []), *checks,
            "try:", *("    " + line for line in (*decoding, *made)),
            "except (TypeError, ValueError) as exc:", "    raise Malformed(str(exc)) from None"]
    exec("def record(data):\n" + "".join(f"    {line}\n" for line in code), scope)  # noqa: S102
    return scope["record"]


def _found_later(scope: dict, name: str, kind):
    """What a record's code calls to decode a field of kind until its first use, which
    puts kind's decoder in its place (found then, so that a type may hold itself)."""
    def first(data):
        decode = scope[name] = _decoder(kind)
        return decode(data)
    return first


def _only_fields(kind) -> bool:
    """Whether a dataclass's __init__ does nothing but set each of its fields: no field left
    out of it, no __post_init__, no slots in place of the instance's __dict__."""
    return (all(f.init for f in dataclasses.fields(kind)) and not hasattr(kind, "__post_init__")
            and "__slots__" not in kind.__dict__ and not any("__slots__" in c.__dict__ for c in kind.__mro__[1:-1]))


def _list(data) -> list:
    if type(data) is not list:
        raise Malformed(f"{type(data).__name__} where a list was expected")
    return data


def _dict(data) -> dict:
    if type(data) is not dict:
        raise Malformed(f"{type(data).__name__} where an object was expected")
    return data


def dumps(value, kind) -> bytes:
    return json_bytes(to_data(value, kind))


def json_bytes(data) -> bytes:
    """data as compact JSON in UTF-8. orjson writes it several times faster than json, and
    reads it so (json_value); json writes what orjson will not (integers beyond 64 bits)."""
    if orjson is not None:
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_value(data: bytes | str):
    """The value of a JSON text, as json reads it; ValueError or RecursionError if it is not one."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:  # malformed, too deep for orjson, or what only json reads
            pass
    return json.loads(data)


def loads(data: bytes, kind):
    """The value of type kind in data (from dumps); Malformed for anything else."""
    try:
        parsed = json_value(data)
    except (ValueError, RecursionError) as exc:  # not JSON, too deep, or numbers too long
        raise Malformed(str(exc)) from None
    try:
        return from_data(parsed, kind)
    except RecursionError:
        raise Malformed("nested too deep") from None
