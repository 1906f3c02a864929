"""OGC API Features Part 1 core conformance with the ``ogctests`` package, against the live server.

ogctests is itself a pytest suite; it runs in a subprocess (its own rootdir and conftest) with an
httpx client that carries a steward key, passed in through ``run_ogctests(test_client=...)``.
ogctests pins pyarrow<18, httpx<0.28 and pytest<9, which would break this project's environment,
so it is installed with ``pip install --no-deps ogctests`` (see docs/api.md).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys, httpx
    from ogctests.main import run_ogctests
    client = httpx.Client(base_url=sys.argv[1] + "/v1", headers={"X-API-Key": sys.argv[2]}, timeout=60)
    sys.exit(run_ogctests("features/core", test_client=client,
                          flags=["-q", "-rfE", "-p", "no:cacheprovider", "-W", "ignore", "--tb=short"]))
""")


def test_ogc_api_features_part1_core(live_url, keys, tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, live_url, keys.steward], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
