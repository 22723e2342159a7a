"""`python -m flows.demo [port]`: serve the bundled sample site on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import sys
import time

from flows.demo.server import SampleServer


def main() -> None:
    with SampleServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as server:
        names = (f"  {k:14} {v}" for k, v in server.base_urls().items())
        print(server.base_url, *names, sep="\n", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
