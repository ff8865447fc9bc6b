"""Fill a .po from a TSV of ``msgid<TAB>msgstr`` (plural entries get the one Indonesian form).

.venv/bin/python backend/imports/locale/fill.py <file.po> <mapping.tsv>
"""

import sys

import polib

po = polib.pofile(sys.argv[1])
mapping = {}
with open(sys.argv[2], encoding="utf-8") as f:
    for raw in f:
        line = raw.rstrip("\n")
        if line.strip() and not line.startswith("#"):
            key, value = line.split("\t", 1)
            mapping[key] = value
for entry in po:
    if entry.msgid in mapping:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: mapping[entry.msgid]}
        else:
            entry.msgstr = mapping[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.metadata["Language"] = "id"
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
po.save()
missing = [
    e.msgid for e in po if not e.obsolete and not (e.msgstr or any(e.msgstr_plural.values()))
]
print("untranslated:", len(missing))
for msgid in missing:
    print("  ", repr(msgid))
