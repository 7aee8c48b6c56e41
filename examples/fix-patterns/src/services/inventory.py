from sqlalchemy import text
from sqlalchemy.orm import Session

from src.models.product import Product


class OutOfStock(Exception):
    def __init__(self, product_id: int) -> None:
        super().__init__(f"product {product_id} is out of stock")
        self.product_id = product_id


def reserve_stock(db: Session, product_id: int, qty: int) -> None:
    product = db.get(Product, product_id)
    if product.stock < qty:
        raise OutOfStock(product_id)
    product.stock = product.stock - qty
    db.commit()


def low_stock_report(db: Session, warehouse: str):
    sql = f"SELECT id, sku, stock FROM products WHERE warehouse = '{warehouse}' AND stock < 5"
    return db.execute(text(sql)).fetchall()
