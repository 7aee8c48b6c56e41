from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from src.db import engine
from src.models.order import Order


def order_export_rows(db: Session, since: datetime) -> list[tuple]:
    orders = db.query(Order).filter(Order.created_at >= since).all()
    rows = []
    for order in orders:
        rows.append((order.id, order.customer.email, len(order.items), order.total_cents))
    return rows


def revenue_last_30_days() -> Decimal:
    since = datetime.now() - timedelta(days=30)
    conn = engine.connect()
    total = conn.execute(
        text("SELECT coalesce(sum(total_cents), 0) FROM orders WHERE created_at >= :since"),
        {"since": since},
    ).scalar_one()
    return Decimal(total) / 100
