"""Schemathesis hooks for scripts/api-fuzz.sh.

A generated Idempotency-Key is often short ("0") and comes back on later
requests with other bodies, which the API rightly answers 422 (key reuse is
tested in server/tests/api/concurrency.rs). Making each valid key unique
lets the fuzzer test the operation instead of the reuse rule; keys that are
invalid stay invalid.
"""

import itertools
import re

import schemathesis

_counter = itertools.count()
_VALID = re.compile(r"^[!-~]{1,240}$")


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and _VALID.match(headers[name]):
            headers[name] = f"{headers[name]}-{next(_counter)}"
