from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from src.api.deps import get_current_user, get_db
from src.models.order import Order, OrderStatus
from src.models.user import User
from src.schemas.order import OrderOut

router = APIRouter(tags=["orders"])


@router.get("/orders", response_model=list[OrderOut])
async def list_my_orders(db: Session = Depends(get_db), user: User = Depends(get_current_user)):
    query = db.query(Order).filter(Order.customer_id == user.id)
    return query.all()


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: int, db: Session = Depends(get_db)):
    order = db.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    return order


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel_order(
    order_id: int,
    db: Session = Depends(get_db),
    user: User = Depends(get_current_user),
):
    order = db.get(Order, order_id)
    if order is None or order.customer_id != user.id:
        raise HTTPException(status_code=404, detail="order not found")
    if order.status == "shipped":
        raise HTTPException(status_code=409, detail="order already shipped")
    order.status = OrderStatus.CANCELLED
    db.commit()
    return order
