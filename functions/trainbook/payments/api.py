"""`POST /payments/tokens`: the payment simulator's tokenization endpoint, as a PSP's browser SDK calls it.

Public (no sign-in: the card form talks to the PSP directly) and rate-limited per client address
(TOKEN_RATE_LIMIT_PER_MINUTE, default 120: a family booking several times or a test suite stays far
below it, a card-testing script does not). Served by the simulator's own function
(`handlers.tokens_api`), the only one that can read the card vault; the API function includes the
router only so that /openapi.json documents it.
"""

from __future__ import annotations

import os
import time

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from trainbook.errors import TooManyRequests
from trainbook.payments.store import DynamoPaymentLedger
from trainbook.payments.tokens import HOLDER_MAX_LENGTH, TOKEN_PATTERN
from trainbook.payments.wiring import tokenizing_processor

router = Router()
logger = Logger(service="payment-tokens")
WINDOW_SECONDS = 60


class CardIn(BaseModel):
    number: str = Field(min_length=12, max_length=23, examples=["4242 4242 4242 4242"])
    exp_month: int = Field(ge=1, le=12, examples=[12])
    exp_year: int = Field(ge=2000, le=2100, examples=[2030])
    cvc: str = Field(pattern=r"^\d{3,4}$", examples=["123"], description="checked, never stored")
    holder: str | None = Field(default=None, min_length=1, max_length=HOLDER_MAX_LENGTH)


class CardSummaryOut(BaseModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class TokenOut(BaseModel):
    token: str = Field(pattern=TOKEN_PATTERN, description="single use: the payment_token of POST /bookings")
    expires_at: str = Field(description="UTC instant, 15 minutes after tokenization")
    card: CardSummaryOut


def _client_address() -> str:
    identity = (router.current_event.raw_event.get("requestContext") or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def _count_against_limit(address: str) -> None:
    limit = int(os.environ.get("TOKEN_RATE_LIMIT_PER_MINUTE", "120"))
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    window_ends = (window + 1) * WINDOW_SECONDS
    ledger = tokenizing_processor().ledger
    assert isinstance(ledger, DynamoPaymentLedger)
    if ledger.count_request(f"tokens#{address}#{window}", window_ends + WINDOW_SECONDS) > limit:
        raise TooManyRequests(
            f"more than {limit} cards tokenized from this address in a minute; wait and try again",
            retry_after=int(window_ends - now) + 1,
        )


@router.post(
    "/payments/tokens",
    status_code=201,
    summary="Tokenize a card (the payment simulator): a single-use token for POST /bookings",
    tags=["payments"],
    responses={201: {"description": "the token, valid 15 minutes, and what may be shown of the card"}},
)
def tokenize(body: CardIn) -> Response[TokenOut]:
    _count_against_limit(_client_address())
    token = tokenizing_processor().tokenize(body.model_dump(exclude_none=True))
    return Response(201, content_types.APPLICATION_JSON, TokenOut.model_validate(token))
