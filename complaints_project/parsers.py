"""Request parsers shared by the whole API."""

import json

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; bodies Python can decode but nothing downstream can store are 400s.

    Too deeply nested: a ``RecursionError``. A lone surrogate (``"\\ud800"``) is valid JSON
    but not encodable text: it would fail later, in the blind index, in PostgreSQL, as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
        except UnicodeEncodeError as exc:
            raise exceptions.ParseError(
                "JSON parse error - the body contains a lone surrogate (invalid text)."
            ) from exc
        return data
