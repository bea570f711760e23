# The introductions service: `docker build -t introductions .`
# Configured only by environment variables (see the README's Operations section). By
# default it serves on SQLite in the /data volume; set INTRODUCTIONS_DATABASE_URL to a
# PostgreSQL URL (and run `introductions worker` beside it) to scale out.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# The locked versions, hashes checked, in a layer of their own that a change to the
# sources leaves cached.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt
COPY pyproject.toml README.md ./
COPY config ./config
COPY domain ./domain
COPY storage ./storage
COPY projections ./projections
COPY webhooks ./webhooks
COPY migrations ./migrations
COPY transfer ./transfer
COPY api ./api
# A regular (not editable) install of the project alone, its dependencies being above;
# the sources are not needed afterwards, nor is the build's cache.
RUN pip install --no-deps . && rm -rf /src

# Never root: a system user owning only its data folder.
RUN useradd --system --uid 10001 --user-group --home-dir /data --create-home introductions
USER introductions
WORKDIR /data
VOLUME ["/data"]

ENV INTRODUCTIONS_DATABASE_URL=sqlite:////data/introductions.db
EXPOSE 8000

# /healthz answers while the process serves; urllib, since the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

# Inside a container the service must listen on every interface to be reachable.
CMD ["introductions", "serve", "--host", "0.0.0.0", "--port", "8000"]
