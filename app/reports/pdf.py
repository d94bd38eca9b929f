"""A page of Podium as a PDF, drawn by WeasyPrint from the same HTML the browser gets.

WeasyPrint fetches what the HTML links to (the stylesheets). Left to itself it would open any
URL, over the network too; here it gets only Podium's own static files, read from disk, and every
other address is refused. So making a PDF never leaves the machine, never asks Podium itself over
HTTP (which a single-threaded server could not answer while it renders), and a name or a title in
the report cannot make it load anything.
"""
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from flask import Response, current_app, request, url_for
from weasyprint.urls import URLFetcherResponse
from werkzeug.security import safe_join

TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}


class StaticFilesOnly(weasyprint.URLFetcher):
    """Serves the files under `static_url` (e.g. http://host/static/) from `folder`; refuses the rest."""

    def __init__(self, static_url: str, folder: str):
        super().__init__(allowed_protocols=())
        self.static_url = static_url
        self.folder = folder

    def fetch(self, url, headers=None):
        """The static file `url` names, read from disk. :raises ValueError: for anything else."""
        if not url.startswith(self.static_url):
            raise ValueError(f"not one of Podium's static files: {url}")
        path = safe_join(self.folder, unquote(urlsplit(url).path[len(urlsplit(self.static_url).path):]))
        if path is None or not Path(path).is_file() or Path(path).suffix not in TYPES:
            raise ValueError(f"no such static file: {url}")
        return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": TYPES[Path(path).suffix]})


def pdf_bytes(html: str) -> bytes:
    """The HTML (rendered for this request, its links relative to it) as a PDF."""
    fetcher = StaticFilesOnly(urljoin(request.url, url_for("static", filename="")), current_app.static_folder)
    return weasyprint.HTML(string=html, base_url=request.url, url_fetcher=fetcher).write_pdf()


def pdf_download(html: str, filename: str) -> Response:
    """The HTML as a PDF, opened in the browser (and saved as `filename`)."""
    response = Response(pdf_bytes(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
