# Build: docker build -t tgmon .
# Run:   docker run -d --name tgmon --env-file .env \
#          -v tgmon-data:/app/data -v "$PWD/config/tgmon.toml:/app/config/tgmon.toml:ro" tgmon
# The session file and the archive live in the tgmon-data volume; nothing secret is baked in.

FROM python:3.11-slim AS build
# gcc for the rare dependency without a wheel for this platform (pycld2 on some arches).
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
RUN python -m venv /opt/tgmon \
    && /opt/tgmon/bin/pip install --no-cache-dir --disable-pip-version-check -r requirements.lock
COPY bot ./bot
RUN /opt/tgmon/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 tgmon \
    && mkdir -p /app/data /app/config && chown tgmon:tgmon /app/data
COPY --from=build /opt/tgmon /opt/tgmon
ENV PATH=/opt/tgmon/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TGMON_CONFIG=/app/config/tgmon.toml \
    TGMON_SESSION=/app/data/tgmon.session
WORKDIR /app
USER tgmon
VOLUME ["/app/data"]
# tgmon stops cleanly on SIGTERM (docker stop).
STOPSIGNAL SIGTERM
CMD ["tgmon", "run"]
