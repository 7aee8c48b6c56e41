"""Runtime configuration for shop-api (migration to Settings half done, see audit)."""
from pydantic import PostgresDsn, RedisDsn
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="SHOP_")

    database_url: PostgresDsn
    redis_url: RedisDsn
    access_token_ttl_minutes: int = 30


settings = Settings()

# TODO(DART-2210): move these into Settings and rotate the keys
STRIPE_API_KEY = "sk_live_51Nq8ZkLr2VfXc0a9TqM4hJ7d"
JWT_SECRET = "dev-secret-please-rotate-2023"
CARRIER_URL = "https://api.shipfast.example.com/v2"
MAILER_URL = "http://10.0.3.17:8025/send"
