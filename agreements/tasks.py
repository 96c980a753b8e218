"""Celery tasks of the agreements app.

Importing this module (Celery autodiscovers it when a worker starts) connects the PDF
renderer's warm-up to every worker process.
"""

from celery.signals import worker_process_init

from agreements.pdf.signals import warm_up_pdf_renderer

worker_process_init.connect(warm_up_pdf_renderer, dispatch_uid="agreements.pdf.warm_up")
