import os

from django.core.wsgi import get_wsgi_application

from toolkit.runtime import collector_settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
# Start-up is done (settings, apps, URLs): what it allocated is frozen out of the collector's
# walks (toolkit/runtime.py). Under gunicorn --preload the forked workers share it unchanged.
collector_settle()
