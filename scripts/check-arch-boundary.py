# SPDX-License-Identifier: MIT
"""The arch boundary (include/zvm/arch.h): system registers and assembly
live only in arch code, meaning a file under a directory named `arch`
(arch/, the host tests' fake tests/unit/fake/arch/, the Linux tool's
guests/linux/arch/).

Every other C or assembly source of the tree must not contain, in code:
  - inline assembly (`asm`, `__asm`, `__asm__`);
  - `msr`/`mrs` (assembly files: any instruction; the C spelling is in
    an asm string, which the first rule catches);
  - a system register name: an identifier ending in `_el0`..`_el3` (any
    case) or `_ELx` (arch/el.h's per-image names), except `ZVM_EL1`,
    the build flag of the EL1 image, which names no register;
  - the accessors `read_sysreg`/`write_sysreg` or the macros
    `isb()`/`dsb()`/`dmb()`/`wfi()`/`wfe()`/`sev()`, or an include of
    arch/sysreg.h or arch/el.h, the headers that define them.

Comments and string literals are not code: a comment may say which
register a value mirrors ("ICH_VMCR_EL2 while not running") and a message
may name one. The check reads code only, so such text is allowed.

Usage: check-arch-boundary.py [FILE...]  (default: every C and assembly
file git knows in the repository, tracked or not yet added). Prints one
line per violation, "path:line: what", and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

SOURCE_EXT = (".c", ".h", ".S", ".s")
ALLOWED_NAMES = {"ZVM_EL1"}

RULES = [
    (re.compile(r"\b(?:__asm__|__asm|asm)\b"), "inline assembly"),
    (re.compile(r"\b(?:read_sysreg|write_sysreg|__read_sysreg|__write_sysreg)\b"),
     "system register accessor"),
    (re.compile(r"\b(?:isb|dsb|dmb|wfi|wfe|sev)\s*\("), "barrier or hint macro"),
    (re.compile(r"\b\w+_(?:[eE][lL][0-3]|ELx)\b"), "system register name"),
]
ASM_RULE = (re.compile(r"\b(?:msr|mrs)\b", re.IGNORECASE), "msr/mrs instruction")
INCLUDE_LINE = re.compile(r"^\s*#\s*include\b")
INCLUDE_RULE = re.compile(r"^\s*#\s*include\s*[<\"]arch/(?:sysreg|el)\.h[>\"]")


def is_arch(path):
    """Arch code: some directory of the path is named `arch`."""
    return "arch" in os.path.normpath(path).split(os.sep)[:-1]


def code_view(text):
    """text with comments and the insides of string and character literals
    blanked (newlines kept, so line numbers stay), and a copy with only
    the comments blanked (for #include lines)."""
    code, nocomment = [], []
    i, n = 0, len(text)
    while i < n:
        c, nxt = text[i], text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank = re.sub(r"[^\n]", " ", text[i:end])
            code.append(blank)
            nocomment.append(blank)
            i = end
        elif c == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            code.append(" " * (end - i))
            nocomment.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            code.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            nocomment.append(text[i:j])
            i = j
        else:
            code.append(c)
            nocomment.append(c)
            i += 1
    return "".join(code), "".join(nocomment)


def names_in_violation(line, regex):
    return [m.group(0) for m in regex.finditer(line)
            if m.group(0) not in ALLOWED_NAMES]


def check_file(path):
    """The violations of one file, as "path:line: what" strings."""
    with open(path, encoding="utf-8", errors="replace") as f:
        code, nocomment = code_view(f.read())
    rules = RULES + ([ASM_RULE] if path.endswith((".S", ".s")) else [])
    found = []
    for no, (line, raw) in enumerate(zip(code.split("\n"),
                                         nocomment.split("\n")), 1):
        if INCLUDE_RULE.search(raw):
            found.append(f"{path}:{no}: includes an arch-private header: "
                         f"{raw.strip()}")
        if INCLUDE_LINE.match(line):
            continue        # a header's name (<arch/asm.h>) is not code
        for regex, what in rules:
            hits = names_in_violation(line, regex)
            if hits:
                found.append(f"{path}:{no}: {what} outside arch/: "
                             f"{', '.join(hits)}")
    return found


def repository_sources():
    out = subprocess.run(["git", "ls-files", "--cached", "--others",
                          "--exclude-standard"], capture_output=True,
                         text=True, check=True).stdout
    return sorted({p for p in out.split("\n")
                   if p.endswith(SOURCE_EXT) and os.path.isfile(p)})


def main(argv):
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = argv[1:]
    if not paths:
        os.chdir(top)
        paths = repository_sources()
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        print(f"check-arch-boundary: no such file: {', '.join(missing)}")
        return 2
    violations = [v for p in paths if not is_arch(p) for v in check_file(p)]
    for v in violations:
        print(v)
    checked = sum(1 for p in paths if not is_arch(p))
    if violations:
        print(f"check-arch-boundary: {len(violations)} violation(s) in "
              f"{checked} files outside arch/ (see include/zvm/arch.h)")
        return 1
    print(f"check-arch-boundary: {checked} files outside arch/ are clean")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
