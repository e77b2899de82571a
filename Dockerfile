# Production-shaped image: gunicorn serves the app, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

WORKDIR /app
RUN useradd --create-home --uid 1000 app

COPY pyproject.toml ./
COPY requirements ./requirements
COPY config ./config
COPY accounts ./accounts
COPY partners ./partners
COPY alliances ./alliances
COPY eligibility ./eligibility
COPY invitations ./invitations
RUN python -m pip install --no-cache-dir --upgrade "pip>=25.3" \
    && python -m pip install --no-cache-dir --build-constraint requirements/build-constraints.txt .

COPY . .
# collectstatic needs a key to import settings; the real one comes from the environment at run time.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && chown -R app:app /app
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--no-control-socket"]
