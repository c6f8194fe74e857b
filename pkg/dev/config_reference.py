"""The README's [tool.pkg] key reference, rendered from the model's JSON schema (pkg/core/settings.py), so the
two cannot drift: `python -m pkg schema --write` rewrites it between its markers; a test checks it."""

import json
from pathlib import Path

from pkg.core import atomic, settings
from pkg.core.errors import InputError

BEGIN = "<!-- [tool.pkg] keys: written by `python -m pkg schema --write` from pkg/core/settings.py -->"
END = "<!-- end of [tool.pkg] keys -->"


def _kind(node: dict, schema: dict) -> str:
    """A value's type, the way it is written in TOML."""
    options = node.get("anyOf") or node.get("oneOf")
    if options:
        return " or ".join(dict.fromkeys(_kind(o, schema) for o in options if o.get("type") != "null"))
    node = settings.resolve_ref(schema, node)
    if "enum" in node:
        return " or ".join(json.dumps(v) for v in node["enum"])
    if "const" in node:
        return json.dumps(node["const"])
    kind = node.get("type")
    if kind == "array":
        return f"list of {_kind(node.get('items', {}), schema)}s"
    if kind == "object":
        values = node.get("additionalProperties")
        return f"table of {_kind(values, schema)}s" if isinstance(values, dict) else "table"
    bounds = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤"}
    limits = ", ".join(f"{sign} {node[key]:g}" for key, sign in bounds.items() if key in node)
    return {"number": "number", "integer": "integer"}.get(kind, kind or "value") + (f" ({limits})" if limits else "")


def _default(node: dict) -> str:
    if "default" not in node or node["default"] in (None, [], {}):
        return ""
    return f"`{json.dumps(node['default'])}`"


def rows(schema: dict | None = None) -> list[tuple[str, str, str, str]]:
    """(key, type, default, meaning) for every key, nested tables as dotted paths: command.NAME.version."""
    schema = schema or settings.schema()
    found: list[tuple[str, str, str, str]] = []

    def walk(table: dict, prefix: str) -> None:
        required = set(table.get("required", ()))
        for key, node in table.get("properties", {}).items():
            path, inner = prefix + key, _table_of(schema, node)
            if inner is not None and inner[0].get("properties"):
                sub, suffix = inner
                found.append((path + suffix, "table", "", node.get("description") or sub.get("description", "")))
                walk(sub, path + suffix + ".")
                continue
            meaning = node.get("description", "") + (" (required)" if key in required else "")
            found.append((path, _kind(node, schema), _default(node), meaning))
        extra = table.get("additionalProperties")
        if isinstance(extra, dict):
            found.append((prefix + "GLOB", _kind(extra, schema), "", "the reason the build need not carry these files"))

    walk(schema["$defs"]["PkgTable"], "")
    return found


def _table_of(schema: dict, node: dict) -> tuple[dict, str] | None:
    """A key holding tables: (their schema, how the path names one: "", ".NAME" or "[]")."""
    node = settings.resolve_ref(schema, node)
    if node.get("type") == "object" and node.get("properties"):
        return node, ""
    values = node.get("additionalProperties")
    if isinstance(values, dict) and settings.resolve_ref(schema, values).get("properties"):
        return settings.resolve_ref(schema, values), ".NAME"
    items = settings.resolve_ref(schema, node.get("items") or {}) if node.get("type") == "array" else {}
    if items.get("properties"):
        return items, "[]"
    return None


def render() -> str:
    cell = lambda text: " ".join(text.split()).replace("|", "\\|")  # noqa: E731
    lines = ["| key | value | default | what it means |", "|---|---|---|---|"]
    lines += [f"| `{key}` | {cell(kind)} | {default} | {cell(meaning)} |" for key, kind, default, meaning in rows()]
    return "\n".join(lines) + "\n"


def write(readme: Path) -> bool:
    """Rewrite the reference between the markers; False when it was already up to date."""
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise InputError(f"{readme}: no [tool.pkg] key reference markers ({BEGIN})")
    head, rest = text.split(BEGIN, 1)
    new = f"{head}{BEGIN}\n{render()}{END}{rest.split(END, 1)[1]}"
    if new == text:
        return False
    atomic.write_text(readme, new)
    return True
