# forge_tokens.py TOKEN [N]: N tokens (default 1) with TOKEN's prefix and selector, each with a different wrong
# secret and a valid CRC32 checksum, one per line: only Argon2 can refuse them.
import sys, zlib
A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
tok, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
head = tok[: tok.index("_") + 1 + 16]
for k in range(n):
    secret = "".join(A[(i * 7 + 3 + k * 13 + (k // 62) * 5 + i * k) % 62] for i in range(43))
    body = head + secret
    crc = zlib.crc32(body.encode()) & 0xFFFFFFFF
    digits = []
    for _ in range(6):
        digits.append(A[crc % 62]); crc //= 62
    print(body + "".join(reversed(digits)))
