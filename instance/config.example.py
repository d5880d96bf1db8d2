# Copy to instance/config.py to override defaults on this machine.
# Environment variables DATABASE_URL and SECRET_KEY still take precedence.
#
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:5432/cityready"
# API_TOKEN_MAX_AGE_DAYS = 30
