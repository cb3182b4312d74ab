"""Renderers: a digest in, text out. They read nothing but the digest: no network, no database, no clock."""

from dailypapers.render.markdown import render_notification, render_page

__all__ = ["render_notification", "render_page"]
