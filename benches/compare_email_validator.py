"""Compares hybrid-setup's username rules with Python's email-validator
(syntax only, no DNS) on the same 100,000 addresses: time per address, the
ratio, and every address where the verdicts differ, grouped by why.

Run through benches/compare-email-validator.sh, which builds the Rust side
and sets up email-validator in a virtual environment.
"""

import csv
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict

import email_validator
from email_validator import EmailNotValidError, validate_email

COUNT = 100_000

# Edge cases real directories contain, beyond the generated mix: these are
# where validators disagree, so they are kept in the sample on purpose.
EDGE_CASES = [
    "jose.nunez@acme-corp.com",
    "josé.núñez@acme-corp.com",
    "ann@bücher.de",
    '"john smith"@acme-corp.com',
    "ann@[192.168.0.1]",
    "ann@localhost",
    "ann@acme-corp.local",
    "ann@acme-corp.example",
    "ann@acme-corp.test",
    "ann@123.123",
    "ann@acme-corp.c",
    "a..b@acme-corp.com",
    ".ann@acme-corp.com",
    "ann.@acme-corp.com",
    "ann@-acme.com",
    "ann@acme-.com",
    "ann@acme_corp.com",
    "ann+tag@acme-corp.com",
    "{weird}!#$%&*=?^`|~@acme-corp.com",
    "o'brien@acme-corp.ie",
    "x" * 64 + "@acme-corp.com",
    "x" * 65 + "@acme-corp.com",
    "ann@" + "d" * 63 + ".com",
    "ann@" + "d" * 64 + ".com",
    " ann@acme-corp.com ",
    "ANN@ACME-CORP.COM",
    "ann@acme-corp.com.",
    "ann@@acme-corp.com",
    "ann@acme corp.com",
    "",
]


# Hard cases written by hand: local parts and domains that sit on the edges
# of the rules (quoting, dots, special characters, length limits, Unicode,
# IP literals, hyphens, digits, trailing dots), combined into every pair.
HARD_LOCALS = [
    "a", "A.B", "first.last", "first..last", ".first", "first.", "first_last",
    "first-last", "first+tag", "o'neil", "{curly}", "pipe|bar", "hash#tag",
    "percent%20", "back`tick", "tilde~", "caret^", "eq=sign", "slash/ok",
    "question?", '"quoted"', '"with space"', "with space", "comma,name",
    "semi;colon", "angle<br>", "paren(x)", "colon:x", "at@at", "back\\slash",
    "ümlaut", "日本", "x" * 64, "x" * 65, "1234567890", "-lead", "trail-",
    "a.b.c.d.e", "UPPER", "MiXeD.CaSe",
]
HARD_DOMAINS = [
    "acme-corp.com", "ACME-CORP.COM", "sub.acme-corp.co.uk", "a.bc", "acme-corp.c",
    "acme-corp.com.", "-acme.com", "acme-.com", "ac--me.com", "acme_corp.com",
    "123.123", "acme.123", "localhost", "[192.168.0.1]", "xn--bcher-kva.de",
    "bücher.de", "d" * 63 + ".com", "d" * 64 + ".com", "acme..com", "acme .com",
]
HARD_CASES = [f"{local}@{domain}" for local in HARD_LOCALS for domain in HARD_DOMAINS]


def prepare(users_csv, addresses_path):
    """Client usernames and emails from the generated directory, with the
    reserved .example domain swapped for .com (email-validator rejects
    special-use domains by design; the edge cases keep one to show it)."""
    addresses = list(EDGE_CASES) + HARD_CASES
    with open(users_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for value in (row["client_username"], row["email"]):
                if len(addresses) >= COUNT:
                    break
                addresses.append(value.replace(".example", ".com"))
            if len(addresses) >= COUNT:
                break
    with open(addresses_path, "w", encoding="utf-8") as f:
        f.write("\n".join(a.replace("\n", " ") for a in addresses) + "\n")
    return addresses


def theirs(addresses):
    verdicts = []
    started = time.perf_counter()
    for address in addresses:
        try:
            validate_email(address, check_deliverability=False)
            verdicts.append("ok")
        except EmailNotValidError as e:
            verdicts.append(str(e))
    elapsed = time.perf_counter() - started
    return verdicts, elapsed / len(addresses) * 1e9


def main():
    users_csv, workdir, validator = sys.argv[1], sys.argv[2], sys.argv[3]
    addresses_path = f"{workdir}/addresses.txt"
    ours_path = f"{workdir}/ours.txt"
    addresses = prepare(users_csv, addresses_path)
    ours_run = json.loads(
        subprocess.run([validator, addresses_path, ours_path], check=True,
                       capture_output=True, text=True).stdout)
    with open(ours_path, encoding="utf-8") as f:
        ours = f.read().splitlines()
    their_verdicts, their_ns = theirs(addresses)
    assert len(ours) == len(addresses) == len(their_verdicts)

    our_ns = ours_run["ns_per_address"]
    print(f"addresses: {len(addresses):,} (email-validator {email_validator.__version__}, "
          f"syntax only, check_deliverability=False)")
    print(f"hybrid-setup validate(): {our_ns:,.0f} ns per address "
          f"(mean of {ours_run['rounds']} rounds)")
    print(f"email-validator:         {their_ns:,.0f} ns per address (one round)")
    print(f"ratio:                   {their_ns / our_ns:,.0f}x faster")
    same = [(a == "ok") == (b == "ok") for a, b in zip(ours, their_verdicts)]
    edge = len(EDGE_CASES)
    hard = len(HARD_CASES)
    generated = len(addresses) - edge - hard
    print(f"same verdict:            {sum(same):,} of {len(addresses):,} in all")
    print(f"  generated addresses:   {sum(same[edge + hard:]):,} of {generated:,}")
    print(f"  edge cases (listed):   {sum(same[:edge]):,} of {edge:,}")
    print(f"  hand-made hard cases:  {sum(same[edge:edge + hard]):,} of {hard:,} "
          f"({len(HARD_LOCALS)} local parts x {len(HARD_DOMAINS)} domains)")

    groups = defaultdict(list)
    for address, our, their in zip(addresses, ours, their_verdicts):
        if (our == "ok") != (their == "ok"):
            their_reason = their if their != "ok" else "accepted"
            groups[(our, their_reason)].append(address)
    print(f"\ndifferences: {sum(len(v) for v in groups.values()):,} addresses in "
          f"{len(groups)} groups (ours | email-validator | count | example)")
    for (our, their), members in sorted(groups.items(), key=lambda g: -len(g[1])):
        example = members[0]
        print(f"  {our} | {their} | {len(members):,} | {example!r}")


if __name__ == "__main__":
    main()
