import logging

from fastapi import APIRouter, Depends, HTTPException, Request
from slowapi import Limiter
from slowapi.util import get_remote_address
from sqlalchemy.orm import Session

from src.api.deps import get_db
from src.config.settings import settings
from src.schemas.auth import LoginIn, TokenOut
from src.services.auth import authenticate, hash_identifier, issue_token

logger = logging.getLogger(__name__)
limiter = Limiter(key_func=get_remote_address, storage_uri=str(settings.redis_url))
router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=TokenOut)
@limiter.limit("5/minute;20/hour")
async def login(request: Request, body: LoginIn, db: Session = Depends(get_db)):
    user = authenticate(db, body.email, body.password)
    if user is None:
        logger.info("failed login", extra={"email_hash": hash_identifier(body.email)})
        raise HTTPException(status_code=401, detail="invalid credentials")
    logger.info("login ok", extra={"user_id": user.id})
    return TokenOut(access_token=issue_token(user), token_type="bearer")
