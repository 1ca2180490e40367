#!/usr/bin/env python3
# App ingest (record: net::Server read_frame + decode_widget + channel + recorder) vs a raw loopback copy
# of the same wire bytes, taken from a recording (e.g. target/soak/soak-record.barlive from scripts/soak.sh).
#   python3 scripts/ingest_vs_raw.py FILE.barlive
import socket, struct, subprocess, sys, time, threading, json, statistics
BIN = "target/release/bar-live"; REC = sys.argv[1]
b = open(REC, "rb").read()
n = struct.unpack(">I", b[12:16])[0]; i = 16 + n; parts = []; frames = 0
while i + 16 <= len(b):
    ln = struct.unpack(">I", b[i+12:i+16])[0]; parts.append(b[i+12:i+16+ln]); i += 16 + ln; frames += 1
wire = b"".join(parts)
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def raw():
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1); port = srv.getsockname()[1]
    got = [0]
    def rd():
        c, _ = srv.accept(); c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        buf = bytearray(1 << 20); mv = memoryview(buf)
        while True:
            k = c.recv_into(mv)
            if not k: break
            got[0] += k
    t = threading.Thread(target=rd); t.start()
    t0 = time.perf_counter(); s = socket.create_connection(("127.0.0.1", port)); s.sendall(wire); s.close(); t.join()
    assert got[0] == len(wire); return time.perf_counter() - t0
def ingest():
    port = free()
    r = subprocess.Popen([BIN, "record", "--listen", f"127.0.0.1:{port}", "--out", "/tmp/ingest-out.barlive", "--connections", "1"], stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(wire); s.close()
    _, err = r.communicate(); dt = time.perf_counter() - t0
    assert f"{frames} frames written" in err, err
    return dt
R = [raw() for _ in range(5)]; I = [ingest() for _ in range(5)]
r, g = statistics.median(R), statistics.median(I)
print(f"{frames} frames, {len(wire)/1e6:.1f} MB wire bytes")
print(f"raw loopback copy (python sendall -> recv_into, discard): median {r*1000:.0f} ms = {frames/r:,.0f} frames/s, {len(wire)/r/1e6:.0f} MB/s")
print(f"app ingest (record --out FILE on /tmp: net::Server read_frame + decode_widget + channel + recorder): median {g*1000:.0f} ms = {frames/g:,.0f} frames/s, {len(wire)/g/1e6:.0f} MB/s")
print(f"ingest / raw time ratio: {g/r:.2f}x")
