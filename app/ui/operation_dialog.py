"""OperationDialog: the one shape of every long data operation (archive, backup, export).

A form says what to do; a preview says what will happen (counted off the GUI thread) before
the operator presses Start; the job then runs on the JobRunner with a progress bar and a
Cancel that asks the job to stop at a consistent point; a summary says what was done.
Subclasses give the form, the preview (`plan`) and the work (`work`, `summarize`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import StrikeDeskError
from app.jobs.runner import Job, JobCancelled, JobContext, Priority, Progress
from app.ui.background import BackgroundCalls

Work = Callable[[JobContext], object]


class OperationDialog(QDialog):
    # Job listeners run on a worker thread; these signals carry them to the GUI thread.
    progressed = Signal(object)  # Progress
    job_ended = Signal(object)  # Job
    preview_shown = Signal(str)
    summary_shown = Signal(str)

    def __init__(self, calls: BackgroundCalls, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls = calls
        self.job: Job[object] | None = None
        self._preview_task: asyncio.Future[object] | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(560)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.preview = self._label("previewLabel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("not started")
        self.summary = self._label("summaryLabel")
        self.summary.hide()

        self.buttons = QDialogButtonBox()
        self.start_button = QPushButton("&Start")
        self.start_button.setObjectName("startButton")
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.close_button = QPushButton("Close")
        self.buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()  # after addButton, which shows it

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.preview)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.progressed.connect(self._show_progress)
        self.job_ended.connect(self._ended)

    @staticmethod
    def _label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # --- for subclasses ----------------------------------------------------------------------
    def plan(self) -> Callable[[], str]:
        """A blocking function (run off the GUI thread) saying what Start would do.
        Raise StrikeDeskError from here (not from the returned function) for a form that is
        not complete: its text is shown and Start stays disabled."""
        raise NotImplementedError

    def work(self) -> Work:
        """The operation, run as a job with the form's values as they are now."""
        raise NotImplementedError

    def summarize(self, result: object) -> str:
        summary = getattr(result, "summary", None)
        return str(summary()) if callable(summary) else str(result)

    # --- preview ----------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Call whenever the form changes: the preview is counted again off the GUI thread."""
        if self.job is not None:
            return
        if self._preview_task is not None:
            self._preview_task.cancel()
        try:
            plan = self.plan()
        except StrikeDeskError as error:
            self._set_preview(str(error), ready=False)
            return
        self._set_preview("Counting…", ready=False)
        self._preview_task = self.calls.spawn(self._count(plan))

    async def _count(self, plan: Callable[[], str]) -> None:
        try:
            text = await self.calls(plan, name="preview")
        except (StrikeDeskError, OSError) as error:
            self._set_preview(str(error), ready=False)
            return
        self._set_preview(text, ready=True)

    def _set_preview(self, text: str, *, ready: bool) -> None:
        self.preview.setText(text)
        self.start_button.setEnabled(ready and self.job is None)
        if ready:
            self.preview_shown.emit(text)

    # --- running ----------------------------------------------------------------------------
    def start(self) -> None:
        if self.job is not None or not self.start_button.isEnabled():
            return
        work = self.work()
        self.start_button.setEnabled(False)
        for row in range(self.form.rowCount()):
            for role in (QFormLayout.ItemRole.FieldRole, QFormLayout.ItemRole.SpanningRole):
                item = self.form.itemAt(row, role)
                field = item.widget() if item is not None else None
                if field is not None:
                    field.setEnabled(False)
        self.progress.setFormat("starting…")
        job = self.calls.runner.submit(work, self.windowTitle().lower(), Priority.NORMAL)
        self.job = job
        job.add_progress_listener(lambda _job, progress: self.progressed.emit(progress))
        job.add_done_listener(self.job_ended.emit)

    def cancel(self) -> None:
        """Before Start: close. While running: ask the job to stop (it ends consistent)."""
        if self.job is None:
            super().reject()
            return
        if not self.job.done:
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("cancelling…")
            self.job.cancel()

    def reject(self) -> None:
        """Escape or the title bar's close while running cancels instead of leaving the job
        running unseen."""
        if self.job is not None and not self.job.done:
            self.cancel()
            return
        super().reject()

    def done(self, result: int) -> None:
        """Closed: a count still under way is dropped and the dialog goes (each opening makes a
        new one, so they must not pile up as children of the window)."""
        if self._preview_task is not None:
            self._preview_task.cancel()
        super().done(result)
        self.deleteLater()

    def _show_progress(self, progress: Progress) -> None:
        if self.job is None or self.job.done:
            return
        fraction = progress.fraction
        if fraction is None:
            self.progress.setRange(0, 0)  # busy indicator while the total is unknown
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(fraction * 1000))
        self.progress.setFormat(f"{progress.message} %p%" if progress.message else "%p%")

    def _ended(self, job: Job[object]) -> None:
        error = job.error
        self.progress.setRange(0, 1000)
        if error is None:
            self.progress.setValue(1000)
            self.progress.setFormat("done")
            text = self.summarize(job.future.result())
        elif isinstance(error, JobCancelled):
            self.progress.setFormat("cancelled")
            partial = error.partial
            text = (
                f"Cancelled. {self.summarize(partial)}"
                if partial is not None
                else f"Cancelled: {error}. Nothing was changed."
            )
        else:
            self.progress.setFormat("failed")
            self.summary.setProperty("failed", True)
            text = str(error) if isinstance(error, StrikeDeskError | OSError) else repr(error)
            text = f"Failed: {text}"
        self.summary.setText(text)
        self.summary.show()
        self.cancel_button.hide()
        self.start_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.adjustSize()  # room for the summary: the rows above must not be squeezed
        self.summary_shown.emit(text)
