"""The tests of clisops 0.18.1's suite that do not pass on rookery.ops, each with its reason.

Keys are ``file::test`` (a parametrised test's base name covers all its cases); values are
``("xfail" | "skip", reason)``. A reason starts with its class:

- ``difference:`` a deliberate, documented difference from clisops (README "Python");
- ``out of scope:`` the test exercises something outside rookery.ops (clisops internals, xESMF,
  data or services not available offline);
- ``bug:`` a rookery bug not fixed yet.
"""

EXPECTED: dict[str, tuple[str, str]] = {}
