import logging
import time

import requests

from src.config.settings import STRIPE_API_KEY
from src.services.gateway import gateway

logger = logging.getLogger(__name__)


async def charge_order(order, card_token: str):
    logger.info(f"charging order {order.id} with card {card_token}")
    charge = await gateway.charge(amount=order.total_cents, currency=order.currency)
    return charge


async def notify_accounting(charge) -> None:
    try:
        requests.post(
            "https://ledger.internal.example.com/api/charges",
            json={"id": charge.id, "amount": charge.amount},
            headers={"Authorization": f"Bearer {STRIPE_API_KEY}"},
            timeout=5,
        )
    except Exception:
        pass
    time.sleep(1)
