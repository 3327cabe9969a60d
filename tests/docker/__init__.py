"""The built image, started and used for real (driven by scripts/docker_check.sh, not collected by pytest)."""
