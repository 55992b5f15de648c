"""pyasic's CPU per poll on the devices of `rigshift simulate` fleet files: the peer figure the
poller bench (server/benches/poller.rs) is compared with. Same devices, same machine, same
request (`summary+stats`, each answer parsed into a dict as pyasic does).

    python3 -m venv /tmp/pyv && /tmp/pyv/bin/pip install pyasic==0.79.0
    /tmp/pyv/bin/python scripts/pyasic-bench.py --rate 1000 --seconds 60 a.toml b.toml

Polls are paced (`--rate` per second, started every quarter second as Rigshift's ticks do) so
the simulators keep their share of the machine; the CPU counted is this process's own.
"""

import argparse
import asyncio
import resource
import time
import tomllib

from pyasic.rpc.bmminer import BMMinerRPCAPI


def addresses(paths):
    out = []
    for path in paths:
        with open(path, "rb") as f:
            for asic in tomllib.load(f).get("asic", []):
                host, port = asic["address"].rsplit(":", 1)
                out.append((host, int(port)))
    return out


async def poll(api, counts):
    try:
        await api.send_command("summary+stats", ignore_errors=True, allow_warning=False)
        counts["ok"] += 1
    except Exception:
        counts["failed"] += 1


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("fleets", nargs="+")
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    args = parser.parse_args()
    apis = [BMMinerRPCAPI(host, port=port) for host, port in addresses(args.fleets)]
    counts = {"ok": 0, "failed": 0}
    per_tick = max(1, args.rate // 4)
    tasks = set()
    nxt = 0
    started = time.monotonic()
    measuring = None
    while True:
        now = time.monotonic()
        if measuring is None and now - started >= args.warmup:
            measuring = (now, resource.getrusage(resource.RUSAGE_SELF), dict(counts))
        if measuring and now - measuring[0] >= args.seconds:
            break
        for _ in range(per_tick):
            api = apis[nxt % len(apis)]
            nxt += 1
            t = asyncio.create_task(poll(api, counts))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
        await asyncio.sleep(max(0.0, 0.25 - (time.monotonic() - now)))
    wall = time.monotonic() - measuring[0]
    end = resource.getrusage(resource.RUSAGE_SELF)
    user = end.ru_utime - measuring[1].ru_utime
    system = end.ru_stime - measuring[1].ru_stime
    cpu = user + system
    polls = counts["ok"] + counts["failed"] - measuring[2]["ok"] - measuring[2]["failed"]
    print(f"devices: {len(apis)}, polls: {polls} ({polls / wall:.0f}/s), failed: {counts['failed']}")
    ms = lambda s: s / polls * 1000
    print(
        f"cpu: {cpu:.1f} s over {wall:.1f} s; {ms(cpu):.3f} ms per poll (pyasic)"
        f" (user {ms(user):.3f}, system {ms(system):.3f})"
    )


asyncio.run(main())
