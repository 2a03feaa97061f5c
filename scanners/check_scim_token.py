#!/usr/bin/env python3
"""Reads candidate scim-token credentials (static tokens `scim_`, OAuth client secrets `scimcs_`, access
tokens `scimat_`), one per line, and prints those whose checksum is right.

The last 6 characters are the CRC32 of everything before them (prefix and `_` included), written
as 6 base62 digits (0-9A-Za-z), most significant first. A scanner match that fails this check is
not a scim-token token. Exits 0 if any line passed, 1 if none did.

    gitleaks detect --config scanners/gitleaks.toml --report-format csv ... | python3 scanners/check_scim_token.py
"""
import re
import sys
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKEN = re.compile(r"\b([a-z][a-z0-9]{0,15}_[0-9A-Za-z]{65})\b")


def checksum_ok(token: str) -> bool:
    body, digits = token[:-6], token[-6:]
    value = 0
    for d in digits:
        value = value * 62 + ALPHABET.index(d)
    return value == zlib.crc32(body.encode("ascii"))


def main() -> int:
    found = False
    for line in sys.stdin:
        for token in TOKEN.findall(line):
            if checksum_ok(token):
                print(token)
                found = True
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
