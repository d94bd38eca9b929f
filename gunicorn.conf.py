"""gunicorn settings for `make run` and for production (override on the command line)."""
# Each worker process starts its own mail sender thread after the fork
# (post_worker_init below; under a plain `gunicorn wsgi:app` on its first
# request, see app.register_mail_sender); set MAIL_BACKGROUND=false where
# separate `flask --app wsgi mail work` processes deliver mail instead.
worker_class = "sync"
timeout = 30
graceful_timeout = 10
accesslog = "-"
# Paths /t/, /r/, /i/ and /u/ carry the keys of personal links: the logger leaves them out.
logger_class = "app.logredact.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss'


def post_worker_init(worker):
    """Start the worker's mail sender as soon as it has loaded the app (after the fork)."""
    from app.mailing.sender import start_background_sender

    start_background_sender(worker.wsgi)
