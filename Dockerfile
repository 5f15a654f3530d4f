# pitchbot in a container (README, "Deploy").
#
#   docker build -t pitchbot .
#   docker run -d --name pitchbot --env-file .env -v pitchbot-data:/data pitchbot
#       long polling, SQLite in the /data volume (one container only)
#   docker run -d --name pitchbot --env-file .env -p 127.0.0.1:8080:8080 pitchbot run --webhook
#       webhook mode, behind an HTTPS reverse proxy
#   docker run --rm --env-file .env pitchbot check        any other command: db upgrade, backup …
#
# compose.yaml runs it with PostgreSQL.

ARG PYTHON_VERSION=3.11

# ---- build: the project and its dependencies in a virtual environment -------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN python -m venv /opt/pitchbot

WORKDIR /src
# only what `pip install .` needs (pyproject.toml, README.md, the packages): see .dockerignore
COPY . .
RUN /opt/pitchbot/bin/pip install --no-cache-dir . \
    && /opt/pitchbot/bin/pitchbot --help > /dev/null

# ---- run: the virtual environment, a non-root user and the /data volume ------------------
FROM python:${PYTHON_VERSION}-slim-bookworm

ENV PATH=/opt/pitchbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PITCHBOT_DATABASE_URL=sqlite+aiosqlite:////data/pitchbot.db \
    PITCHBOT_WEBHOOK_LISTEN=0.0.0.0 \
    PITCHBOT_WEBHOOK_PORT=8080

RUN groupadd --system --gid 10001 pitchbot \
    && useradd --system --uid 10001 --gid pitchbot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin pitchbot \
    && mkdir /data \
    && chown pitchbot:pitchbot /data

COPY --from=build /opt/pitchbot /opt/pitchbot

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]

# webhook mode only (`pitchbot run --webhook`): the webhook and GET /healthz
EXPOSE 8080

# the bot stops taking updates, finishes those in flight and closes the database
STOPSIGNAL SIGTERM

# settings, flow, database, migrations at head, the token (getMe), the staff group
HEALTHCHECK --interval=1m --timeout=30s --start-period=1m --retries=3 \
    CMD ["pitchbot", "check", "--quiet"]

ENTRYPOINT ["pitchbot"]
CMD ["run"]
