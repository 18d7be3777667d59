"""Production first, then local: local's `+=` on base's list happens after production has
finished (what production's values are is decided by then)."""

import settings.production

PRODUCTION_ORIGINS = settings.production.CORS_ALLOWED_ORIGINS

import settings.local  # noqa: E402

LOCAL_ORIGINS = settings.local.CORS_ALLOWED_ORIGINS
