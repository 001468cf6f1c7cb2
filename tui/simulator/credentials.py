"""Fixed demo credentials the simulator accepts (tests and the demo import these).

They open nothing but the loopback simulator; they are not secrets.
"""

from __future__ import annotations

# Smint.io: a static bearer token, plus an OAuth client that may refresh tokens at /connect/token.
SMINT_TOKEN = "sim-smint-token"
SMINT_CLIENT_ID = "sim-client"
SMINT_CLIENT_SECRET = "sim-client-secret"
SMINT_REFRESH_TOKEN = "sim-refresh-token"

# Huawei Cloud: a static X-Auth-Token, an IAM user for POST /v3/auth/tokens, and an AK/SK pair.
HW_TOKEN = "sim-hw-token"
IAM_DOMAIN = "sim-domain"
IAM_USER = "sim-user"
IAM_PASSWORD = "sim-password"
ACCESS_KEY = "SIMACCESSKEY0000000"
SECRET_KEY = "SIMSECRETKEY000000000000000000000000000"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
REGION = "sim-region-1"
