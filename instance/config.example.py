# Copy to instance/config.py to override defaults on this machine.
# Environment variables DATABASE_URL and SECRET_KEY still take precedence.
#
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:5432/cityready"
# API_TOKEN_MAX_AGE_DAYS = 30
# SESSION_IDLE_TIMEOUT = timedelta(minutes=30)  # from datetime import timedelta
# SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
# LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"  # failed sign-ins, pages and API together
# LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"  # for one account from one address
# LOGIN_ALERT_PER_ACCOUNT = "50 per 15 minutes"  # one account from all addresses: a warning
# PDF_RENDER_TIMEOUT = 25   # seconds a PDF may take (keep under gunicorn's --timeout); then 503
# PDF_CACHE_ENTRIES = 32    # PDFs kept in memory per process, so a repeat is not laid out again
# DISPLAY_TIMEZONE = "Asia/Shanghai"  # clock that pages and PDFs show times on; exports stay UTC
