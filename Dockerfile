# Build: docker build -t tgmon .        (or: docker compose build)
# Run:   docker compose up -d           (see docker-compose.yml and the README's Docker part)
# The session file and the archive live in the data volume; nothing secret is baked in.

FROM python:3.11-slim AS build
# gcc for the rare dependency without a wheel for this platform (pycld2 on some arches).
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
RUN python -m venv /opt/tgmon \
    && /opt/tgmon/bin/pip install --no-cache-dir --disable-pip-version-check -r requirements.lock
COPY bot ./bot
RUN /opt/tgmon/bin/pip install --no-cache-dir --no-deps . \
    && /opt/tgmon/bin/python -m compileall -q /opt/tgmon

FROM python:3.11-slim
# A fixed numeric uid/gid: a bind-mounted data folder is chowned to it on the host
# (`sudo chown -R 10001:10001 ./data`), and Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid 10001 tgmon \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /app tgmon \
    && mkdir -p /app/data /app/config && chown 10001:10001 /app/data
COPY --from=build /opt/tgmon /opt/tgmon
# The example config as the default, so import, search and stats work with none mounted;
# mount your own over /app/config/tgmon.toml (read-only).
COPY config/tgmon.example.toml /app/config/tgmon.toml
COPY config/tgmon.example.toml /app/config/tgmon.example.toml
ENV PATH=/opt/tgmon/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    XDG_CACHE_HOME=/tmp/cache \
    TGMON_CONFIG=/app/config/tgmon.toml \
    TGMON_SESSION=/app/data/tgmon.session
WORKDIR /app
USER 10001:10001
VOLUME ["/app/data"]
# network.heartbeat_file (the example config sets ../data/tgmon.heartbeat) is touched every
# second while the event loop runs; older than a minute means stuck or stopped.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, sys, time; p = '/app/data/tgmon.heartbeat'; sys.exit(0 if os.path.exists(p) and time.time() - os.path.getmtime(p) < 60 else 1)"]
# tgmon stops cleanly on SIGTERM (docker stop) well within the grace period.
STOPSIGNAL SIGTERM
CMD ["tgmon", "run"]
