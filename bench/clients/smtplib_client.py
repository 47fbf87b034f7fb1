"""Python's smtplib as a bench client: python3 smtplib_client.py PORT SCENARIO"""
import json
import os
import resource
import smtplib
import sys
import threading
import time

FULL = {
    "A": dict(messages=2000, connections=1, per=2000, rcpts=1, size=1000),
    # W is A after a warm-up in the same process; CPython has no JIT to warm, so it is A as is.
    "W": dict(messages=2000, connections=1, per=2000, rcpts=1, size=1000),
    "B": dict(messages=500, connections=1, per=1, rcpts=1, size=1000),
    "C": dict(messages=200, connections=1, per=200, rcpts=50, size=1000),
    "D": dict(messages=1, connections=1, per=1, rcpts=1, size=20 * 1024 * 1024),
    "E": dict(messages=2000, connections=8, per=250, rcpts=1, size=1000),
    "X": dict(messages=2000, connections=8, per=250, rcpts=1, size=1000),
}
# SMTPURE_BENCH_SCALE=k divides the work by k, as bench/clients/common.mjs does for the Node clients.
SCALE = int(os.environ.get("SMTPURE_BENCH_SCALE", "1"))


def scaled(s, k):
    if k == 1:
        return s
    messages = max(s["connections"], int(s["messages"] / k + 0.5))  # as JavaScript's Math.round
    return dict(
        s,
        messages=messages,
        per=min(s["per"], -(-messages // s["connections"])),
        size=-(-s["size"] // k) if s["messages"] == 1 else s["size"],
    )


port, name = int(sys.argv[1]), sys.argv[2]
sc = scaled(FULL[name], SCALE)
LINE = "The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwx\r\n"
DOT = ".A line that starts with a dot, as in scenario D of the benchmark brief......\r\n"
parts = ["Subject: bench\r\nFrom: <bench@example.org>\r\nTo: <sink@example.net>\r\n\r\n"]
n = len(parts[0])
i = 0
while n < sc["size"]:
    l = DOT if i % 4 == 3 else LINE
    parts.append(l)
    n += len(l)
    i += 1
msg = "".join(parts).encode()
to = ["rcpt%d@example.net" % i for i in range(sc["rcpts"])]


failures = []


def lane(share):
    try:
        sent = 0
        while sent < share:
            s = smtplib.SMTP("127.0.0.1", port, local_hostname="bench.example")
            batch = min(sc["per"], share - sent)
            for _ in range(batch):
                # Raises when every recipient is refused; returns the ones refused otherwise.
                refused = s.sendmail("bench@example.org", to, msg)
                if refused:
                    raise RuntimeError("refused: %r" % (refused,))
            s.quit()
            sent += batch
    except Exception as e:  # a thread's exception would not fail the process on its own
        failures.append(e)


t0 = time.perf_counter()
r0 = resource.getrusage(resource.RUSAGE_SELF)
shares = [sc["messages"] // sc["connections"] + (1 if k < sc["messages"] % sc["connections"] else 0) for k in range(sc["connections"])]
threads = [threading.Thread(target=lane, args=(sh,)) for sh in shares]
for t in threads:
    t.start()
for t in threads:
    t.join()
r1 = resource.getrusage(resource.RUSAGE_SELF)
if failures:
    sys.exit("smtplib client failed: %s" % failures[0])
wall = (time.perf_counter() - t0) * 1000
cpu = ((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1000
print(json.dumps({"messages": sc["messages"], "bytes": sc["messages"] * len(msg), "wallMs": wall, "cpuMs": cpu}))
