import enum

from sqlalchemy import BigInteger, Column, DateTime, Enum, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import relationship

from src.models.base import Base


class OrderStatus(str, enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_created", "customer_id", text("created_at DESC")),)

    id = Column(BigInteger, primary_key=True)
    customer_id = Column(BigInteger, ForeignKey("customers.id"), nullable=False)
    status = Column(Enum(OrderStatus, name="order_status"), nullable=False, default=OrderStatus.PENDING)
    currency = Column(String(3), nullable=False)
    total_cents = Column(Integer, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    customer = relationship("Customer", lazy="raise")
    items = relationship("OrderItem", lazy="raise", cascade="all, delete-orphan")
