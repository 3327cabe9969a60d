"""Voice Clone Studio components: one job per module (see DESIGN.md)."""
