from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from src.api.auth.routes import router as auth_router
from src.api.orders.routes import router as orders_router

app = FastAPI(title="shop-api")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.include_router(auth_router)
app.include_router(orders_router)
