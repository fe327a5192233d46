#!/usr/bin/env python3
"""Writes src/Sockchat/Protocol/NameData.Tables.g.cs, the Unicode data that nickname rules need.

Inputs (all data, no code, from Unicode, Inc.; see LICENSE-UNICODE.txt beside this script):
  - the Unicode Character Database 15.0 as Debian's unicode-data package installs it
    (UnicodeData.txt, Scripts.txt, ScriptExtensions.txt, PropertyValueAliases.txt,
    CaseFolding.txt, DerivedCoreProperties.txt); pass its folder as the first argument
    (default /usr/share/unicode);
  - the UTS #39 confusables mapping (confusables.txt) of the same version, read through the
    ICU 72 library that carries it compiled (uspoof_getSkeleton of one code point at a time),
    because no package ships the text file itself.

Only code points that can reach the tables at run time are written: letters, marks and digits
(what a name holds after normalization) and - _ . ; everything else maps to itself.

Usage: python3 tools/unicode/generate_name_tables.py [UCD_DIR] > src/Sockchat/Protocol/NameData.Tables.g.cs
"""
import ctypes
import sys

UCD = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
ICU_VERSION = "72"


def lines(name):
    with open(f"{UCD}/{name}", encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield [part.strip() for part in line.split(";")]


def code_range(text):
    if ".." in text:
        a, b = text.split("..")
        return int(a, 16), int(b, 16)
    return int(text, 16), int(text, 16)


# General category and canonical decomposition of every code point.
category = {}
canonical = set()
first = None
for fields in lines("UnicodeData.txt"):
    cp = int(fields[0], 16)
    name, cat, decomposition = fields[1], fields[2], fields[5]
    if name.endswith(", First>"):
        first = cp
        continue
    if name.endswith(", Last>"):
        for c in range(first, cp + 1):
            category[c] = cat
        continue
    category[cp] = cat
    if decomposition and not decomposition.startswith("<"):
        canonical.add(cp)
for c in range(0xAC00, 0xD7A4):  # Hangul syllables decompose algorithmically
    canonical.add(c)


def relevant(cp):
    return category.get(cp, "Cn")[0] in "LMN" or cp in (0x2D, 0x5F, 0x2E)


# Scripts: Script_Extensions where given, else Script; short names.
long_to_short = {}
short_to_long = {}
for fields in lines("PropertyValueAliases.txt"):
    if fields[0] == "sc":
        long_to_short[fields[2]] = fields[1]
        short_to_long[fields[1]] = fields[2].replace("_", " ")
script_of = {}
for fields in lines("Scripts.txt"):
    a, b = code_range(fields[0])
    for c in range(a, b + 1):
        script_of[c] = (long_to_short[fields[1]],)
for fields in lines("ScriptExtensions.txt"):
    a, b = code_range(fields[0])
    for c in range(a, b + 1):
        script_of[c] = tuple(fields[1].split())

# Ids: the scripts in the order of first use, then those only augmentation adds (UTS #39 5.1).
ids = {}
for c in sorted(script_of):
    if relevant(c):
        for s in script_of[c]:
            if s not in ("Zyyy", "Zinh"):
                ids.setdefault(s, len(ids))
for s in ("Hanb", "Jpan", "Kore"):
    ids.setdefault(s, len(ids))
assert len(ids) <= 192, len(ids)

# Ranges of relevant code points sharing one script set; set 0 is "any" (Common, Inherited,
# and every code point that is not relevant or has no script in this version).
sets = [None]
set_index = {None: 0}
starts, range_sets = [], []
previous = -1
for c in range(0x110000):
    key = None
    if relevant(c) and c in script_of:
        scripts = tuple(s for s in script_of[c] if s not in ("Zyyy", "Zinh"))
        key = scripts or None
    if key not in set_index:
        set_index[key] = len(sets)
        sets.append(key)
    index = set_index[key]
    if index != previous:
        starts.append(c)
        range_sets.append(index)
        previous = index


def bits(scripts):
    words = [0, 0, 0]
    if scripts is None:
        return [0xFFFFFFFFFFFFFFFF] * 3
    for s in scripts:
        i = ids[s]
        words[i // 64] |= 1 << (i % 64)
    return words


# Full case folding (statuses C and F).
folding = {}
for fields in lines("CaseFolding.txt"):
    if fields[1] in ("C", "F"):
        folding[int(fields[0], 16)] = "".join(chr(int(x, 16)) for x in fields[2].split())

# Default_Ignorable_Code_Point ranges.
ignorable = []
for fields in lines("DerivedCoreProperties.txt"):
    if fields[1] == "Default_Ignorable_Code_Point":
        ignorable.append(code_range(fields[0]))
ignorable.sort()

# Confusable prototypes through ICU's compiled copy of confusables.txt.
icu = ctypes.CDLL(f"libicui18n.so.{ICU_VERSION}")
uspoof_open = getattr(icu, f"uspoof_open_{ICU_VERSION}")
uspoof_open.restype = ctypes.c_void_p
uspoof_open.argtypes = [ctypes.POINTER(ctypes.c_int)]
get_skeleton = getattr(icu, f"uspoof_getSkeleton_{ICU_VERSION}")
get_skeleton.restype = ctypes.c_int32
get_skeleton.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_int32,
                         ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_int)]
status = ctypes.c_int(0)
checker = uspoof_open(ctypes.byref(status))
assert status.value <= 0, status.value


def skeleton(text):
    source = text.encode("utf-16-le")
    target = ctypes.create_string_buffer(256)
    status = ctypes.c_int(0)
    n = get_skeleton(checker, 0, source, len(source) // 2, target, 128, ctypes.byref(status))
    assert status.value <= 0, (hex(ord(text)), status.value)
    return target.raw[: n * 2].decode("utf-16-le")


confusable = {}
for c in range(0x110000):
    if 0xD800 <= c <= 0xDFFF or not relevant(c) or c in canonical:
        continue
    s = skeleton(chr(c))
    if s != chr(c):
        confusable[c] = s


def utf16_escape(text):
    out = []
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        out.append("\\u%04X" % int.from_bytes(data[i:i + 2], "little"))
    return "".join(out)


def utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def emit_map(name, mapping, doc):
    keys = sorted(mapping)
    offsets, values, at = [], [], 0
    for k in keys:
        offsets.append(at)
        values.append(mapping[k])
        at += utf16_length(mapping[k])
    offsets.append(at)
    assert at < 65536
    print(f"    /// <summary>{doc} Sorted code points; the value of the i-th is {name}Values[{name}Offsets[i]..{name}Offsets[i + 1]].</summary>")
    print(f"    private static ReadOnlySpan<int> {name}Keys => [")
    emit_numbers(keys, "0x{:X}")
    print("    ];")
    print()
    print(f"    private static ReadOnlySpan<ushort> {name}Offsets => [")
    emit_numbers(offsets, "{}")
    print("    ];")
    print()
    print(f"    private const string {name}Values =")
    chunk = []
    for v in values:
        chunk.append(utf16_escape(v))
        if len(chunk) == 12:
            print(f'        "{"".join(chunk)}" +')
            chunk = []
    print(f'        "{"".join(chunk)}";')
    print()


def emit_numbers(numbers, fmt, per_line=12):
    for i in range(0, len(numbers), per_line):
        print("        " + ", ".join(fmt.format(n) for n in numbers[i:i + per_line]) + ",")


print("// <auto-generated>")
print("// Written by tools/unicode/generate_name_tables.py from Unicode 15.0 data: the Unicode")
print("// Character Database and the UTS #39 confusables (as compiled into ICU 72). Do not edit.")
print("// The data is Copyright (c) Unicode, Inc., used under the Unicode License; it was reduced")
print("// to the code points a nickname can hold. See tools/unicode/LICENSE-UNICODE.txt.")
print("// </auto-generated>")
print()
print("namespace Sockchat.Protocol;")
print()
print("internal static partial class NameData")
print("{")
print(f"    private const int ScriptCount = {len(ids)};")
for s in ("Hani", "Hanb", "Jpan", "Kore", "Hira", "Kana", "Hang", "Bopo"):
    print(f"    private const int Script{s} = {ids[s]};")
print()
print("    /// <summary>The English name of each script id.</summary>")
print("    private static readonly string[] ScriptNames =")
print("    [")
names = sorted(ids, key=ids.get)
for i in range(0, len(names), 6):
    print("        " + ", ".join(f'"{short_to_long.get(s, s)}"' for s in names[i:i + 6]) + ",")
print("    ];")
print()
print("    /// <summary>Starts of the ranges of code points that share a script set (each up to the next start).</summary>")
print("    private static ReadOnlySpan<int> ScriptRangeStarts => [")
emit_numbers(starts, "0x{:X}")
print("    ];")
print()
print("    /// <summary>The script set of each range: an index into <see cref=\"ScriptSetBits\"/>; 0 is every script.</summary>")
print("    private static ReadOnlySpan<byte> ScriptRangeSets => [")
assert len(sets) < 256, len(sets)
emit_numbers(range_sets, "{}", 24)
print("    ];")
print()
print("    /// <summary>Three 64-bit words per script set: bit i is script id i (Script_Extensions, before UTS #39 augmentation).</summary>")
print("    private static ReadOnlySpan<ulong> ScriptSetBits => [")
for s in sets:
    print("        " + ", ".join("0x{:X}".format(w) for w in bits(s)) + ",")
print("    ];")
print()
print("    /// <summary>Default_Ignorable_Code_Point, as inclusive ranges (first, last, first, last, ...).</summary>")
print("    private static ReadOnlySpan<int> IgnorableRanges => [")
emit_numbers([x for r in ignorable for x in r], "0x{:X}")
print("    ];")
print()
emit_map("Folding", folding, "Full case folding (CaseFolding.txt, statuses C and F).")
emit_map("Confusable", confusable, "UTS #39 confusable prototypes of code points in NFD (confusables.txt), already in NFD.")
print("}")
