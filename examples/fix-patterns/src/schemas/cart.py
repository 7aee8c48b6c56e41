from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class AddCartItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product_id: PositiveInt
    quantity: int = Field(ge=1, le=99)
    coupon_code: str | None = Field(default=None, max_length=32, pattern=r"^[A-Z0-9-]+$")


class CartLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_id: int
    product_id: int
    quantity: PositiveInt
    unit_price_cents: int
