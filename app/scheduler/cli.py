"""``flask scheduler run``: the timer service as a process of its own (production: exactly one is needed; more
stand by)."""
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

scheduler_cli = AppGroup("scheduler", help="The timer service: fires BPMN timers and runs external tasks.")


@scheduler_cli.command("run")
def run_command():
    """Run the timer service until SIGTERM or Ctrl-C.

    It fires only while it holds the lease (table ``scheduler_leases``); a second instance stands by and takes
    over within SCHEDULER_LEASE_SECONDS when the holder dies. On SIGTERM/Ctrl-C it finishes the dossier it is
    firing, releases the lease and exits.
    """
    from . import init_scheduler, stop_scheduler
    app = current_app._get_current_object()
    if "scheduler" not in app.extensions:
        init_scheduler(app)
    service = app.extensions["scheduler"].service
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Scheduler {service.holder} running (lease {app.config['SCHEDULER_LEASE_SECONDS']:g} s)", err=True)
    while not stop.wait(1):
        pass
    stop_scheduler(app)
    click.echo(f"Scheduler {service.holder} stopped; lease released", err=True)
