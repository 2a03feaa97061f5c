# stall.py PORT N SECONDS: opens N connections sending half a request head each, then, while they
# stall, times one normal request; then counts how many stalled ones the server closed within SECONDS.
import selectors, socket, sys, time
port, n, wait = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
sel = selectors.DefaultSelector()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: stalled\r\n")
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    socks.append(s)
t0 = time.time()
c = socket.create_connection(("127.0.0.1", port), timeout=60)
c.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
first = c.recv(64)
print(f"normal request with {n} stalled: {first[:12]!r} in {time.time()-t0:.3f} s")
start = time.time(); closed = 0
while time.time() - start < wait and closed < n:
    for key, _ in sel.select(timeout=1):
        s = key.fileobj
        try:
            data = s.recv(1)
        except OSError:
            data = b""
        if data == b"":
            sel.unregister(s); s.close(); closed += 1
print(f"stalled connections closed by the server within {time.time()-start:.1f} s: {closed}/{n}")
