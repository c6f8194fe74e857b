"""The one-line summary package managers show, from the project's own: Homebrew's desc and Debian's
synopsis share the rules whose mapping is sure (no leading article, no final full stop, a capital first
letter). What cannot be mapped for sure (too long, starting with the name) is each channel's one-line error."""

import re

ARTICLE = re.compile(r"^(the|an?)\s+", re.IGNORECASE)


def one_line(summary: str) -> str:
    text = ARTICLE.sub("", " ".join(summary.split()))
    text = re.sub(r"(?<!etc)\.$", "", text).strip()
    return text[:1].upper() + text[1:]


def starts_with_name(text: str, name: str) -> bool:
    """`mytool is…`, `My-Tool:` and `my tool` for mytool/my-tool (brew's and lintian's rule, loosely spelt)."""
    pattern = "[\\s_-]?".join(re.escape(c) for c in name.replace("-", "").replace("_", ""))
    return re.match(rf"{pattern}\b", text, re.IGNORECASE) is not None
