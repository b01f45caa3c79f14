"""The Data menu's dialogs: archive, restore from the archive, backups and export, each an
OperationDialog over its store service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.store.archive import ArchivePlan, ArchiveScope, ArchiveService, ArchiveStats
from app.store.backup import BackupService, restore_backup, verify_backup
from app.store.database import Database
from app.store.errors import ValidationError
from app.store.export import ExportFormat, ExportKind, ExportScope, ExportService
from app.ui.background import BackgroundCalls
from app.ui.desk import TournamentRow
from app.ui.operation_dialog import OperationDialog, Work
from app.ui.statistics import human_bytes

#: How the window makes any of these dialogs.
DataDialogFactory = Callable[
    [BackgroundCalls, Database, Sequence[TournamentRow], QWidget | None], OperationDialog
]

OLDER_THAN = -1  # the scope combo's entry for "everything older than N days"


class PathField(QWidget):
    """A path typed or chosen with Browse…; the picker opens window-modal, never blocking."""

    def __init__(self, caption: str, *, save: bool, folder: bool = False, name: str = "") -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.edit.setObjectName(name)
        self.browse = QPushButton("Browse…")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        self._picker = QFileDialog(self, caption)
        if folder:
            self._picker.setFileMode(QFileDialog.FileMode.Directory)
        elif save:
            self._picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        else:
            self._picker.setFileMode(QFileDialog.FileMode.ExistingFile)
        self._picker.fileSelected.connect(self.edit.setText)
        self.browse.clicked.connect(self._picker.open)

    def path(self) -> Path:
        text = self.edit.text().strip()
        if not text:
            raise ValidationError("Choose a file first.")
        return Path(text).expanduser()


def tournament_combo(tournaments: Sequence[TournamentRow], *, everything: str | None) -> QComboBox:
    combo = QComboBox()
    if everything is not None:
        combo.addItem(everything, None)
    for tournament in tournaments:
        combo.addItem(tournament.name, tournament.id)
    return combo


def day_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 99)
    spin.setSpecialValueText("all days")
    return spin


def plan_text(plan: ArchivePlan, verb: str) -> str:
    text = (
        f"Will {verb} {plan.events:,} events and {plan.matches:,} matches "
        f"({plan.scope.describe()})."
    )
    if plan.held_back_matches:
        text += (
            f" The current match of each court stays live: {plan.held_back_matches} match(es), "
            f"{plan.held_back_events:,} events."
        )
    if not plan.rows:
        text += " Nothing to do."
    return text


class ArchiveDialog(OperationDialog):
    """Move finished matches from the live database into the archive."""

    verb = "archive"

    def __init__(
        self,
        calls: BackgroundCalls,
        db: Database,
        tournaments: Sequence[TournamentRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(calls, f"{self.verb.capitalize()} matches", parent)
        self.service = ArchiveService(db)
        self.scope_combo = tournament_combo(tournaments, everything=None)
        self.scope_combo.addItem("Everything older than…", OLDER_THAN)
        self.day = day_spin()
        self.days_old = QSpinBox()
        self.days_old.setRange(0, 3650)
        self.days_old.setValue(30)
        self.days_old.setSuffix(" days")
        self.form.addRow("&Tournament:", self.scope_combo)
        self.form.addRow("&Day:", self.day)
        self.form.addRow("&Older than:", self.days_old)
        self.scope_combo.currentIndexChanged.connect(self._scope_changed)
        self.day.valueChanged.connect(self.refresh_preview)
        self.days_old.valueChanged.connect(self.refresh_preview)
        self._scope_changed()

    def _scope_changed(self) -> None:
        older = self.scope_combo.currentData() == OLDER_THAN
        self.day.setEnabled(not older)
        self.days_old.setEnabled(older)
        self.refresh_preview()

    def scope(self) -> ArchiveScope:
        chosen = self.scope_combo.currentData()
        if chosen is None:
            raise ValidationError("There is no tournament yet.")
        if chosen == OLDER_THAN:
            return ArchiveScope.older_than(self.days_old.value())
        return ArchiveScope.for_tournament(int(chosen), self.day.value() or None)

    def plan(self) -> Callable[[], str]:
        scope = self.scope()
        return lambda: plan_text(self.service.plan_archive(scope), self.verb)

    def work(self) -> Work:
        scope = self.scope()
        return lambda ctx: self.service.archive(scope, ctx)


class RestoreDialog(ArchiveDialog):
    """Bring archived matches back into the live database."""

    verb = "restore"

    def plan(self) -> Callable[[], str]:
        scope = self.scope()
        return lambda: plan_text(self.service.plan_restore(scope), self.verb)

    def work(self) -> Work:
        scope = self.scope()
        return lambda ctx: self.service.restore(scope, ctx)


class BackupDialog(OperationDialog):
    """Create a backup file, verify one, restore one into a new data folder, or merge one
    tournament of a backup into this data folder."""

    CREATE, VERIFY, RESTORE, MERGE = range(4)

    def __init__(
        self,
        calls: BackgroundCalls,
        db: Database,
        tournaments: Sequence[TournamentRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(calls, "Backup", parent)
        self.service = BackupService(db)
        self.action = QComboBox()
        self.action.addItems(
            [
                "Create a backup",
                "Verify a backup",
                "Restore a backup into a new data folder",
                "Merge a backup's tournament into this data folder",
            ]
        )
        self.tournament = tournament_combo(tournaments, everything="All tournaments (full backup)")
        self.file = PathField("Backup file", save=True, name="backupPath")
        self.folder = PathField("New data folder", save=True, folder=True, name="restoreFolder")
        self.form.addRow("&Action:", self.action)
        self.form.addRow("&File:", self.file)
        self.form.addRow("&Tournament:", self.tournament)
        self.form.addRow("&New data folder:", self.folder)
        self.action.currentIndexChanged.connect(self._action_changed)
        self.tournament.currentIndexChanged.connect(self.refresh_preview)
        self.file.edit.textChanged.connect(self.refresh_preview)
        self.folder.edit.textChanged.connect(self.refresh_preview)
        self._action_changed()

    def _action_changed(self) -> None:
        action = self.action.currentIndex()
        self.tournament.setEnabled(action == self.CREATE)
        self.folder.setEnabled(action == self.RESTORE)
        self.refresh_preview()

    def plan(self) -> Callable[[], str]:
        action = self.action.currentIndex()
        path = self.file.path()
        if action == self.CREATE:
            tournament_id = self.tournament.currentData()
            return lambda: self._create_plan(path, tournament_id)
        if action == self.RESTORE:
            folder = self.folder.path()
            return lambda: self._existing(path, f"then restore it into {folder}")
        if action == self.MERGE:
            return lambda: self._existing(path, "then merge its tournament into this data folder")
        return lambda: self._existing(path, "table by table against its manifest")

    def _create_plan(self, path: Path, tournament_id: int | None) -> str:
        if path.exists():
            raise ValidationError(f"{path} already exists; choose another name for the backup.")
        plan = self.service.plan(tournament_id)
        what = "a full backup" if plan.tournament_name is None else repr(plan.tournament_name)
        return (
            f"Will write {what} to {path}: {plan.events:,} live events and {plan.matches:,} "
            f"matches, {plan.archived_events:,} archived events and {plan.archived_matches:,} "
            f"matches (databases {human_bytes(plan.database_bytes)})."
        )

    @staticmethod
    def _existing(path: Path, then: str) -> str:
        if not path.is_file():
            raise ValidationError(f"{path} is not a file.")
        return f"Will check {path} ({human_bytes(path.stat().st_size)}), {then}."

    def work(self) -> Work:
        action = self.action.currentIndex()
        path = self.file.path()
        if action == self.CREATE:
            tournament_id = self.tournament.currentData()
            return lambda ctx: self.service.create(path, ctx, tournament_id=tournament_id)
        if action == self.RESTORE:
            folder = self.folder.path()
            return lambda ctx: restore_backup(path, folder, ctx)
        if action == self.MERGE:
            return lambda ctx: self.service.merge(path, ctx)
        return lambda ctx: verify_backup(path, ctx)


class ExportDialog(OperationDialog):
    """Write a tournament's, a day's or a match's events or results to CSV or JSON."""

    def __init__(
        self,
        calls: BackgroundCalls,
        db: Database,
        tournaments: Sequence[TournamentRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(calls, "Export", parent)
        self.service = ExportService(db)
        self.kind = QComboBox()
        for kind in ExportKind:
            self.kind.addItem(kind.value.capitalize(), kind)
        self.format = QComboBox()
        for fmt in ExportFormat:
            self.format.addItem(fmt.value.upper(), fmt)
        self.tournament = tournament_combo(tournaments, everything="Any tournament")
        if tournaments:
            self.tournament.setCurrentIndex(1)
        self.day = day_spin()
        self.match = QLineEdit()
        self.match.setPlaceholderText("all matches")
        self.file = PathField("Export to", save=True, name="exportPath")
        self.form.addRow("&What:", self.kind)
        self.form.addRow("&Format:", self.format)
        self.form.addRow("&Tournament:", self.tournament)
        self.form.addRow("&Day:", self.day)
        self.form.addRow("&Match number:", self.match)
        self.form.addRow("&File:", self.file)
        for combo in (self.kind, self.tournament):
            combo.currentIndexChanged.connect(self.refresh_preview)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.day.valueChanged.connect(self.refresh_preview)
        self.match.textChanged.connect(self.refresh_preview)
        self.file.edit.textChanged.connect(self.refresh_preview)
        self.refresh_preview()

    def _format_changed(self) -> None:
        text = self.file.edit.text()
        if text:  # keep the extension in step with the format
            self.file.edit.setText(str(Path(text).with_suffix(f".{self.format.currentData()}")))
        self.refresh_preview()

    def scope(self) -> ExportScope:
        return ExportScope(
            self.tournament.currentData(),
            self.day.value() or None,
            self.match.text().strip() or None,
        )

    def plan(self) -> Callable[[], str]:
        kind = ExportKind(self.kind.currentData())  # Qt hands a StrEnum back as str
        scope = self.scope()
        path = self.file.path()

        def count() -> str:
            plan = self.service.plan(kind, scope)
            what = "events" if kind is ExportKind.EVENTS else "match results"
            archived = (
                f", {plan.archived_rows:,} of them from the archive" if plan.archived_rows else ""
            )
            exists = " (replacing the file there)" if path.exists() else ""
            return (
                f"Will write {plan.rows:,} {what}{archived} ({scope.describe()}) to {path}{exists}."
            )

        return count

    def work(self) -> Work:
        kind = ExportKind(self.kind.currentData())  # Qt hands a StrEnum back as str
        fmt = ExportFormat(self.format.currentData())
        scope = self.scope()
        path = self.file.path()
        return lambda ctx: self.service.export(kind, scope, fmt, path, ctx)


def archive_rows(stats: ArchiveStats) -> list[tuple[str, str]]:
    """The statistics panel's Archive section."""
    archive = stats.archive
    span = (
        f"{archive.oldest:%Y-%m-%d} – {archive.newest:%Y-%m-%d}"
        if archive.oldest is not None and archive.newest is not None
        else "—"
    )
    return [
        ("Archived events", f"{archive.events:,}"),
        ("Archived matches", f"{archive.matches:,}"),
        ("Archive file", human_bytes(archive.bytes)),
        ("Archived span", span),
    ]
