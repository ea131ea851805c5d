#!/usr/bin/python3
# check-doc-citations.py — every "§N.M" the sources cite resolves to a heading in docs/
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that section citations in the tree lead somewhere in a fresh clone.

Usage: check-doc-citations.py SOURCE_ROOT

A citation is "§N", "§N.M", a range "§N-M", or "NAME.md N.M" without the sign (bench/
writes them so). Which document a bare "§N.M" means:

- in src/, tests/, bench/ and README.md: the document named last before it in the same file
  ("pusher-protocol.md §14", then "§14.2" twenty lines later), and
  pusher-protocol.md when the file names none;
- in docs/*.md: a document named earlier on the same line, else the file itself;
- "issue N §M" cites the issue tracker, not a document, and is skipped (so are further
  "§M" after it on that line, "issue 6 §1, §5").

Each cited document must exist in docs/ and have a heading "## N." / "### N.M" for every
cited number. Exit status 0 when everything resolves, 1 with one line per failure.
"""
import os
import re
import sys

DEFAULT_DOC = "pusher-protocol.md"
SCANNED = ("src", "tests", "bench", "docs", "README.md")
SKIP_DIRS = {"node_modules", ".git", "__pycache__"}
SECTION = r"\d+(?:\.\d+)*"
TOKEN = re.compile(
    r"(?P<issue>\bissue\s+\d+)"
    r"|(?P<doc>[A-Za-z0-9_-]+\.md)(?:\s+(?P<plain>" + SECTION + r")(?![\d.]*\w))?"
    r"|§\s?(?P<sec>" + SECTION + r")(?:-(?P<end>" + SECTION + r"))?",
    re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}\s+(" + SECTION + r")\.?\s")


def citations(text, default_doc, sticky):
    """Yields (line number, document, section) for every citation in text."""
    doc = default_doc
    for number, line in enumerate(text.splitlines(), 1):
        if not sticky:
            doc = default_doc
        issue = False
        for match in TOKEN.finditer(line):
            if match.group("issue"):
                issue = True
            elif match.group("doc"):
                doc, issue = match.group("doc"), False
                if match.group("plain"):
                    yield number, doc, match.group("plain")
            elif not issue:
                yield number, doc, match.group("sec")
                if match.group("end"):
                    yield number, doc, match.group("end")


def headings(path):
    with open(path, encoding="utf-8") as f:
        return {m.group(1) for m in map(HEADING.match, f) if m}


def source_files(root):
    for top in SCANNED:
        if os.path.isfile(os.path.join(root, top)):
            yield os.path.join(root, top)
        for directory, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build"))
            for name in sorted(files):
                yield os.path.join(directory, name)


def self_test():
    """The resolver itself, on cases the tree has (a broken resolver passes everything)."""
    cases = [
        ("a (pusher-protocol.md §8, §18)\nb (§2.2)", [(1, "pusher-protocol.md", "8"),
                                                     (1, "pusher-protocol.md", "18"),
                                                     (2, "pusher-protocol.md", "2.2")]),
        ("(laravel-broadcasting.md §10.1)\n(§4.2)", [(1, "laravel-broadcasting.md", "10.1"),
                                                    (2, "laravel-broadcasting.md", "4.2")]),
        ("Delivery (issue 6 §2, §5): x §7", []),
        ("(pusher-protocol.md §2-12)", [(1, "pusher-protocol.md", "2"),
                                        (1, "pusher-protocol.md", "12")]),
        ("(pusher-protocol.md 14.2); (pusher-protocol.md 18 and RFC 6455 1.3)",
         [(1, "pusher-protocol.md", "14.2"), (1, "pusher-protocol.md", "18")]),
        ("no document named (§6.1)", [(1, DEFAULT_DOC, "6.1")]),
    ]
    for text, expected in cases:
        got = list(citations(text, DEFAULT_DOC, True))
        if got != expected:
            sys.exit(f"self-test: {text!r} resolved to {got}, expected {expected}")
    if list(citations("see pusher-protocol.md §3\nthen §4", "own.md", False)) != [
            (1, "pusher-protocol.md", "3"), (2, "own.md", "4")]:
        sys.exit("self-test: a docs/ file's bare § must mean the file itself")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    self_test()
    root = sys.argv[1]
    docs_dir = os.path.join(root, "docs")
    known = {}
    failures = []
    count = 0
    for path in source_files(root):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue  # binary files (images, certificates in DER) cite nothing
        relative = os.path.relpath(path, root)
        in_docs = relative.startswith("docs" + os.sep)
        default = os.path.basename(path) if in_docs else DEFAULT_DOC
        for line, doc, section in citations(text, default, not in_docs):
            count += 1
            if doc not in known:
                doc_path = os.path.join(docs_dir, doc)
                known[doc] = headings(doc_path) if os.path.isfile(doc_path) else None
            if known[doc] is None:
                failures.append(f"{relative}:{line}: cites {doc} §{section}, "
                                f"but docs/{doc} does not exist")
            elif section not in known[doc]:
                failures.append(f"{relative}:{line}: cites {doc} §{section}, "
                                f"but docs/{doc} has no heading numbered {section}")
    for failure in failures:
        print(failure)
    if count == 0:
        sys.exit(f"no citations found under {root}: wrong source root?")
    print(f"{count} citations, {len(failures)} unresolved")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
