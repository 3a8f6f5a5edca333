"""A client that is not ours: discovers a service through $SRV and calls one endpoint.

Usage: srv_client.py NATS_URL SERVICE_NAME ENDPOINT_SUBJECT GOOD_REQUEST_JSON BAD_REQUEST_JSON

Prints one JSON document with what it saw, for the Rust test to check.
"""

import asyncio
import json
import sys

import nats


async def main() -> None:
    url, service, subject, good, bad = sys.argv[1:6]
    client = await nats.connect(url)
    seen = {}
    for verb in ("PING", "INFO", "STATS"):
        reply = await client.request(f"$SRV.{verb}.{service}", b"", timeout=5)
        document = json.loads(reply.data)
        seen[verb] = document
        by_id = await client.request(f"$SRV.{verb}.{service}.{document['id']}", b"", timeout=5)
        seen[f"{verb}_by_id"] = json.loads(by_id.data)
    ok = await client.request(subject, good.encode(), timeout=5)
    seen["ok"] = {"headers": ok.headers or {}, "body": json.loads(ok.data)}
    failed = await client.request(subject, bad.encode(), timeout=5)
    seen["error"] = {
        "headers": failed.headers or {},
        "body": json.loads(failed.data) if failed.data else None,
    }
    print(json.dumps(seen))
    await client.close()


asyncio.run(main())
