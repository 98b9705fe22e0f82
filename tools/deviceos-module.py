#!/usr/bin/env python3
"""Writes a minimal Device OS user-part module (function 5): a test image for product firmware OTA.

The module is what Device OS's virtual device (platform gcc, id 3) accepts at the end of an update
(docs/testing.md, "Device OS's virtual device"): its 24-byte module_info_t prefix (little-endian:
start and end address with end - start + 4 = file size, version, platform, function, index, two
dependencies) at offset 0; at the end the product data (product ID and product version, u16 each),
the suffix (reserved u16, SHA-256, suffix size u16) and a CRC-32 (big-endian) of everything before
it. It has no dependencies, so the device never validates itself into safe mode after installing it.
The body is filler derived from the arguments: the same arguments give the same bytes. Nothing in
it is executable; the virtual device only records the module's version and product version.

    tools/deviceos-module.py --product-version 2 --out firmware.bin
"""
import argparse
import hashlib
import struct
import sys
import zlib

PREFIX = 24                 # module_info_t
SUFFIX = 2 + 32 + 2         # reserved, SHA-256, size (module_info_suffix_t without extensions)
PRODUCT_DATA = 2 + 2 + 2    # filler, product ID, product version (before the suffix)
CRC = 4
USER_PART = 5
START_ADDRESS = 0x000B4000  # any: the device only checks end - start


def module(platform, product_version, product_id=None, version=6, index=1, size=4096):
    minimum = PREFIX + PRODUCT_DATA + SUFFIX + CRC
    if size < minimum:
        raise ValueError("size must be at least %d bytes" % minimum)
    prefix = struct.pack("<IIBBHHBB4s4s", START_ADDRESS, START_ADDRESS + size - CRC, 0, 0, version, platform,
                         USER_PART, index, bytes(4), bytes(4))
    body_length = size - PREFIX - PRODUCT_DATA - SUFFIX - CRC
    seed = ("boson %d %d %d" % (platform, product_version, version)).encode()
    filler = bytearray()
    while len(filler) < body_length:
        filler += hashlib.sha256(seed + len(filler).to_bytes(4, "little")).digest()
    image = bytearray(prefix + filler[:body_length])
    image += struct.pack("<HHH", 0xFFFF, 0xFFFF if product_id is None else product_id, product_version)
    image += struct.pack("<H", 0) + hashlib.sha256(image).digest() + struct.pack("<H", SUFFIX)
    image += struct.pack(">I", zlib.crc32(image))
    assert len(image) == size
    return bytes(image)


def main():
    p = argparse.ArgumentParser(description="Write a minimal Device OS user-part module (a test firmware image).")
    p.add_argument("--platform", type=int, default=3, help="platform ID (default 3, Device OS's virtual device)")
    p.add_argument("--product-version", type=int, required=True, help="the product firmware version, 1-65534")
    p.add_argument("--product-id", type=int, help="product ID written to the product data (default none: 0xFFFF)")
    p.add_argument("--module-version", type=int, default=6, help="the user part's module version (default 6)")
    p.add_argument("--index", type=int, default=1, help="module index (default 1, the user part's)")
    p.add_argument("--size", type=int, default=4096, help="file size in bytes (default 4096)")
    p.add_argument("--out", "-o", required=True, help="output file ('-' for standard output)")
    a = p.parse_args()
    for name, value, high in (("platform", a.platform, 0xFFFF), ("product-version", a.product_version, 0xFFFE),
                              ("product-id", a.product_id, 0xFFFE), ("module-version", a.module_version, 0xFFFF),
                              ("index", a.index, 0xFF)):
        if value is not None and not 0 <= value <= high:
            p.error("--%s must be 0-%d" % (name, high))
    try:
        image = module(a.platform, a.product_version, a.product_id, a.module_version, a.index, a.size)
    except ValueError as e:
        p.error(str(e))
    if a.out == "-":
        sys.stdout.buffer.write(image)
    else:
        with open(a.out, "wb") as f:
            f.write(image)


if __name__ == "__main__":
    main()
