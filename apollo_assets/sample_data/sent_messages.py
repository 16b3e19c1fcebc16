"""Sent emails as the backup will hold them, kept as BSON bytes while the world goes on.

When the time of the backup being written is known, a message can be encoded as soon as it is sent: what that
backup shows of it (`visible_message`) never changes afterwards, and messages are the bulk of a large backup
(3,000,000 at scale 500: ~4 GB as dicts, ~1.6 GB as bytes). Its `_id` comes later, in send order, and goes first
in the document: `with_id` puts its element in front of the encoded fields.
"""

from datetime import datetime
from typing import NamedTuple

import bson
from bson import ObjectId

from .bson_files import CODEC
from .outcomes import visible_message

_ID_ELEMENT = b"\x07_id\x00"  # BSON element type 0x07 (ObjectId), then the key as a C string


class SentMessage(NamedTuple):
    """What the simulation still reads of a sent message, and the message as the backup sees it (no `_id`)."""

    sent_at: datetime
    contact_id: ObjectId
    replied_at: datetime | None
    encoded: bytes


def encode_sent(message: dict, visible_at: datetime) -> SentMessage:
    visible = bson.encode(visible_message(message, visible_at), codec_options=CODEC)
    return SentMessage(message["sent_at"], message["contact_id"], message["replied_at"], visible)


def with_id(encoded: bytes, message_id: ObjectId) -> bytes:
    """The encoded document `{"_id": message_id, **fields}`: length, the `_id` element, then the fields."""
    length = len(encoded) + len(_ID_ELEMENT) + 12
    return length.to_bytes(4, "little") + _ID_ELEMENT + message_id.binary + encoded[4:]
