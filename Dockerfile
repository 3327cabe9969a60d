# Voice Clone Studio as a container: the same `python app.py` as the README's first command.
# Suits any Docker host and Hugging Face Spaces' Docker runtime (uid 1000, port 7860).
#   docker build -t voice-clone-studio .
#   docker run --rm -p 7860:7860 -e MODELSLAB_API_KEY=... voice-clone-studio
# Without MODELSLAB_API_KEY the app runs on its embedded offline engine.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# System packages: the same list as the Space's packages.txt (ffmpeg decodes uploads,
# espeak-ng speaks the offline engine's non-English languages). Versions follow the base image's
# Debian release, which is what packages.txt gets on Spaces too.
COPY packages.txt /tmp/packages.txt
# hadolint ignore=DL3008
RUN apt-get update \
    && xargs --arg-file=/tmp/packages.txt apt-get install -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/* /tmp/packages.txt

# Pinned Python packages in their own layer: it is rebuilt only when requirements.txt changes.
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt

# Spaces' Docker runtime runs the container as uid 1000; so does this image.
RUN useradd --create-home --uid 1000 --user-group user \
    && install -d -o user -g user /home/user/app
USER 1000:1000
ENV HOME=/home/user \
    GRADIO_SERVER_NAME=0.0.0.0 \
    GRADIO_SERVER_PORT=7860 \
    GRADIO_ANALYTICS_ENABLED=False
WORKDIR /home/user/app

COPY --chown=user:user app.py ./
COPY --chown=user:user components/ ./components/

EXPOSE 7860
# `python app.py` runs as PID 1, and the kernel gives PID 1 no default action for SIGTERM: `docker stop`
# would wait 10 s and kill it. Python does handle SIGINT (Ctrl-C): Gradio closes its server and exits 0.
STOPSIGNAL SIGINT
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/' % os.environ.get('GRADIO_SERVER_PORT', '7860'), timeout=4)"]

CMD ["python", "app.py"]
