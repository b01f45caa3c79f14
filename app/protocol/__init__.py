"""WT UDP v2.3 protocol: pure parser and encoder. No I/O, no Qt, nothing else from `app`."""

from app.protocol.encoder import encode, encode_text
from app.protocol.messages import Malformed, Message, ParseStatus, Side, Unknown, status_of
from app.protocol.parser import ParsedLine, parse, parse_datagram, parse_text

__all__ = [
    "Malformed",
    "Message",
    "ParseStatus",
    "ParsedLine",
    "Side",
    "Unknown",
    "encode",
    "encode_text",
    "parse",
    "parse_datagram",
    "parse_text",
    "status_of",
]
