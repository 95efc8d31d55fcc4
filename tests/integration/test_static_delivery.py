"""The SPA's delivery: hashed assets cached a year as immutable and sent precompressed (br, gzip) only to a
client that accepts the coding, with Vary and the compressed body's own Content-Length; index.html and
client-side routes revalidated (no-cache); the API itself still never cached (no-store)."""
import gzip
import http.client

import pytest
import requests

import conftest
from conftest import HTTP_TIMEOUT

STATIC_OFFSET = 173  # a parity-operational on HTTP_PORT + 173 serving a STATIC_DIR made by the test
IMMUTABLE = "public, max-age=31536000, immutable"
JS = b"console.log('parity: ' + 'a fairly repetitive body '.repeat(40));\n" * 20
# The daemon sends stored bytes as they are: a made-up .br body proves which file was chosen (the build's
# real brotli output is checked by frontend's build, not here: Python has no brotli decoder on Debian 12).
FAKE_BR = b"\x1b\x00brotli-bytes-of-the-test"


@pytest.fixture(scope="module")
def spa(stack, tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    (root / "assets").mkdir()
    (root / "index.html").write_text("<!doctype html><title>SPA</title><div id=root></div>")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "assets" / "app-1a2b3c.js").write_bytes(JS)
    (root / "assets" / "app-1a2b3c.js.gz").write_bytes(gzip.compress(JS, 9))
    (root / "assets" / "app-1a2b3c.js.br").write_bytes(FAKE_BR)
    (root / "assets" / "only-gz-9f8e.css").write_bytes(b"body{color:red}" * 50)
    (root / "assets" / "only-gz-9f8e.css.gz").write_bytes(gzip.compress(b"body{color:red}" * 50, 9))
    (root / "assets" / "logo-77aa.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    daemon = conftest.extra_operational(STATIC_OFFSET, STATIC_DIR=str(root))
    yield daemon
    assert daemon.stop() == 0


def get_raw(daemon, path, accept_encoding=None):
    """(status, headers, body bytes) exactly as sent: no client-side decoding of the content coding."""
    host, port = daemon.public.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
    headers = {} if accept_encoding is None else {"Accept-Encoding": accept_encoding}
    # http.client adds "Accept-Encoding: identity" unless told not to: an absent header must stay absent.
    conn.putrequest("GET", path, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    answer = conn.getresponse()
    body = answer.read()
    result = (answer.status, {k.lower(): v for k, v in answer.getheaders()}, body)
    conn.close()
    return result


@pytest.mark.parametrize("accept", [None, "", "identity", "gzip;q=0, br;q=0", "deflate", "*;q=0"])
def test_an_asset_goes_uncompressed_to_a_client_that_did_not_ask(spa, accept):
    status, headers, body = get_raw(spa, "/assets/app-1a2b3c.js", accept)
    assert status == 200
    assert body == JS and int(headers["content-length"]) == len(JS)
    assert "content-encoding" not in headers
    assert headers["cache-control"] == IMMUTABLE and headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("accept", ["gzip", "gzip, deflate", "br;q=0, gzip", "x-gzip", "GZIP;Q=0.5"])
def test_gzip_goes_to_a_client_accepting_gzip_only(spa, accept):
    status, headers, body = get_raw(spa, "/assets/app-1a2b3c.js", accept)
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert int(headers["content-length"]) == len(body) < len(JS)
    assert gzip.decompress(body) == JS
    assert headers["cache-control"] == IMMUTABLE and headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize("accept", ["gzip, deflate, br", "br", "br;q=1, gzip;q=1", "*", "gzip;q=0.5, br;q=0.9"])
def test_brotli_goes_to_a_client_that_accepts_it(spa, accept):
    status, headers, body = get_raw(spa, "/assets/app-1a2b3c.js", accept)
    assert status == 200 and headers["content-encoding"] == "br"
    assert body == FAKE_BR and int(headers["content-length"]) == len(FAKE_BR)
    assert headers["cache-control"] == IMMUTABLE and headers["vary"] == "Accept-Encoding"


def test_a_higher_q_for_gzip_wins_over_brotli(spa):
    _, headers, body = get_raw(spa, "/assets/app-1a2b3c.js", "br;q=0.2, gzip;q=0.8")
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == JS


def test_an_asset_without_a_brotli_copy_falls_back_to_gzip_then_identity(spa):
    _, headers, body = get_raw(spa, "/assets/only-gz-9f8e.css", "br")
    assert "content-encoding" not in headers and body == b"body{color:red}" * 50
    _, headers, body = get_raw(spa, "/assets/only-gz-9f8e.css", "br, gzip")
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == b"body{color:red}" * 50
    _, headers, body = get_raw(spa, "/assets/logo-77aa.png", "br, gzip")
    assert "content-encoding" not in headers and headers["content-type"] == "image/png"
    assert headers["cache-control"] == IMMUTABLE


def test_index_html_and_client_routes_are_revalidated_never_immutable(spa):
    for path in ["/", "/index.html", "/goals", "/statements/2026-05"]:
        status, headers, body = get_raw(spa, path, "gzip, br")
        assert status == 200 and b"<div id=root>" in body, path
        assert headers["cache-control"] == "no-cache", path
        assert "content-encoding" not in headers and int(headers["content-length"]) == len(body)
    _, headers, _ = get_raw(spa, "/favicon.svg", "gzip")
    assert headers["cache-control"] == "no-cache"


def test_a_missing_asset_is_404_not_the_app_cached_for_a_year(spa):
    status, headers, body = get_raw(spa, "/assets/app-000000.js", "gzip, br")
    assert status == 404 and b'"NOT_FOUND"' in body
    assert headers["cache-control"] == "no-store"
    # The stored copies are not addressable as assets of their own kind... they are files, served as such.
    status, headers, _ = get_raw(spa, "/assets/app-1a2b3c.js.gz", None)
    assert status == 200 and "content-encoding" not in headers


def test_the_api_is_still_never_cached(spa):
    answer = requests.get(f"{spa.public}/api/v1/market/status", timeout=HTTP_TIMEOUT)
    assert answer.headers["Cache-Control"] == "no-store"
