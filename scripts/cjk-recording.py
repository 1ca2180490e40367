#!/usr/bin/env python3
"""Rewrites a version-1 .barlive recording (`bar-live convert IN OUT --to 1`) so that its players have
Cyrillic, Chinese, Korean and Japanese names and its units BAR's Chinese labels (language/zh/units.json),
as a game played with BAR in Chinese would send. Only the JSON of `hello` (team names) and `unit_defs`
(labels) changes; times, connections and every other frame are copied as they are.

Usage: scripts/cjk-recording.py IN.barlive OUT.barlive   (for screenshots.sh's names.png)
"""
import json
import struct
import sys

MAGIC = b"\x89BLV\r\n\x1a\n"
# The simulator's names (crates/core/src/sim/game.rs) → names in other scripts.
NAMES = {
    "Alice": "Алиса",
    "Bob": "小明",
    "Carol": "민준",
    "Eve": "さくら",
    "Farid": "Дмитрий",
    "Grace": "王芳",
}
# BAR's Chinese unit names for the simulator's defs (crates/core/src/sim/defs.rs).
LABELS = {
    "armcom": "Armada 指挥官",
    "corcom": "Cortex 指挥官",
    "armck": "工程机甲",
    "armcv": "工程车",
    "armack": "2级工程机甲",
    "armlab": "机甲工厂",
    "armvp": "战车工厂",
    "armalab": "2级机甲工厂",
    "armavp": "2级战车工厂",
    "armshltx": "实验性建造平台",
    "armmex": "金属提炼器",
    "armsolar": "太阳能收集站",
    "armwin": "风力发电机",
    "armfus": "聚变反应堆",
    "armmoho": "2级金属提炼厂",
    "armpw": "走卒",
    "armrock": "炮手",
    "armstump": "胖墩",
    "armbull": "斗牛犬",
    "armfido": "猎犬",
    "armbanth": "泰坦",
    "armllt": "哨所",
    "armamd": "堡垒",
    "armsilo": "末日审判",
}


def frame(f):
    """One length-prefixed frame, or None at the end of the file."""
    head = f.read(4)
    if not head:
        return None
    (n,) = struct.unpack(">I", head)
    payload = f.read(n)
    if len(payload) != n:
        raise SystemExit("truncated frame")
    return payload


def rewrite(payload):
    msg = json.loads(payload)
    kind = msg.get("type")
    if kind == "hello":
        for team in msg.get("teams", []):
            team["name"] = NAMES.get(team["name"], team["name"])
    elif kind == "unit_defs":
        for d in msg.get("defs", []):
            d["label"] = LABELS.get(d["name"], d["label"])
    else:
        return payload
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode()


def main(src, dst):
    with open(src, "rb") as f, open(dst, "wb") as out:
        if f.read(8) != MAGIC:
            raise SystemExit(f"{src}: not a bar-live recording")
        (version,) = struct.unpack(">I", f.read(4))
        if version != 1:
            raise SystemExit(f"{src}: version {version}; convert it first: bar-live convert IN OUT --to 1")
        header = frame(f)
        out.write(MAGIC + struct.pack(">I", 1) + struct.pack(">I", len(header)) + header)
        while True:
            rec = f.read(12)  # u64 ms, u32 connection
            if not rec:
                break
            payload = rewrite(frame(f))
            out.write(rec + struct.pack(">I", len(payload)) + payload)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
