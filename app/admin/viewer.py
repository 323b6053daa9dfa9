"""The BPMN diagram viewer: bpmn-js (NavigatedViewer) from the npm registry, installed by ``flask setup``.

The files are not committed: ``npm install --prefix app/static/vendor bpmn-js@<BPMN_JS_VERSION>`` puts them under
the static folder (git-ignored) and Flask's static route serves them. Without npm, or offline, nothing breaks:
the version page says the viewer is not installed and offers the BPMN XML for download.
"""
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

#: Pinned bpmn-js release (npm registry).
BPMN_JS_VERSION = "18.31.1"
#: Folder under the static folder that npm installs into.
VENDOR = "vendor"
_DIST = f"{VENDOR}/node_modules/bpmn-js/dist"
#: Static file names of the viewer, relative to the static folder.
ASSETS = {"script": f"{_DIST}/bpmn-navigated-viewer.production.min.js",
          "styles": (f"{_DIST}/assets/diagram-js.css", f"{_DIST}/assets/bpmn-js.css")}
#: Seconds ``npm install`` may take before setup gives up on the viewer.
NPM_TIMEOUT_SECONDS = 300


def installed_version(static_folder: Path) -> str | None:
    """The bpmn-js version installed under ``static_folder``, or ``None``."""
    manifest = static_folder / VENDOR / "node_modules" / "bpmn-js" / "package.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None


def viewer_assets(static_folder: Path) -> dict | None:
    """:data:`ASSETS` when the viewer's files are there, else ``None`` (the page offers the XML instead)."""
    return ASSETS if (static_folder / ASSETS["script"]).is_file() else None


def install_viewer(static_folder: Path, echo: Callable[[str], None]) -> bool:
    """Install the pinned bpmn-js with npm unless it is already there; never raises.

    :return: whether the viewer is installed afterwards.
    """
    if installed_version(static_folder) == BPMN_JS_VERSION:
        return True
    npm = shutil.which("npm")
    if npm is None:
        echo("Không có npm: bỏ qua trình xem sơ đồ BPMN (bpmn-js); trang phiên bản cho tải tệp XML.")
        return False
    command = [npm, "install", "--prefix", str(static_folder / VENDOR), "--no-audit", "--no-fund", "--ignore-scripts",
               "--loglevel=error", f"bpmn-js@{BPMN_JS_VERSION}"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=NPM_TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", None) or b""
        echo(f"Không cài được bpmn-js {BPMN_JS_VERSION} bằng npm ({type(exc).__name__}"
             f"{': ' + detail.decode(errors='replace').strip()[:300] if detail else ''}); trang phiên bản cho tải XML.")
        return False
    echo(f"Đã cài trình xem sơ đồ bpmn-js {BPMN_JS_VERSION}.")
    return installed_version(static_folder) == BPMN_JS_VERSION
