"""Run jobs one at a time in a background thread, where a newer request supersedes an older one.

An interactive view asks for a new run every time a control changes. Only the latest request
matters: the running job is told to stop (its ``ticket.cancelled()`` turns True), requests
that arrive while it winds down replace each other, and a superseded job can no longer
publish, so a late result never overwrites a newer one. Nothing here knows about widgets.
"""

import threading
import traceback


class Ticket:
    """A job's link back to its runner: has it been superseded, and publish while it has not."""

    def __init__(self, runner, generation):
        self._runner, self.generation = runner, generation

    def cancelled(self):
        return self._runner.generation != self.generation

    def publish(self, show):
        """Call ``show()`` unless this job was superseded; True if it was called.

        The runner's lock is held during the call, so a newer request (which takes the same
        lock) cannot slip in between the check and the update it guards.
        """
        with self._runner.condition:
            if self.cancelled():
                return False
            show()
            return True


class LatestRunner:
    """One daemon worker thread that runs ``job(ticket)`` for the latest ``submit`` only."""

    def __init__(self, name="hw1lib-runner"):
        self.condition = threading.Condition()
        self.generation = 0
        self._pending = None
        self._busy = False
        self._name = name
        self._thread = None

    def submit(self, job, before=None):
        """Queue ``job(ticket)``, cancelling the running and any queued job; returns its Ticket.

        ``before()``, if given, runs under the lock right after the older jobs lose the right to
        publish, so it can reset what they showed without racing them.
        """
        with self.condition:
            self.generation += 1
            ticket = Ticket(self, self.generation)
            self._pending = (job, ticket)
            if before is not None:
                before()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._thread.start()
            self.condition.notify_all()
            return ticket

    def cancel(self, then=None):
        """Cancel the running and any queued job; ``then()`` runs under the lock afterwards."""
        with self.condition:
            self.generation += 1
            self._pending = None
            if then is not None:
                then()
            self.condition.notify_all()

    def wait(self, timeout):
        """Block until no job is queued or running; False if ``timeout`` seconds passed first."""
        with self.condition:
            return self.condition.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def _work(self):
        while True:
            with self.condition:
                self.condition.wait_for(lambda: self._pending is not None)
                (job, ticket), self._pending = self._pending, None
                self._busy = True
            try:
                job(ticket)
            except Exception:
                traceback.print_exc()
            finally:
                with self.condition:
                    self._busy = False
                    self.condition.notify_all()
