"""MkDocs hook: the README's figures (``docs/figures/*.png``) join the site at the same path,
so the README's image links resolve in the pages that include its sections, as on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files


def on_files(files: Files, config: Any) -> Files:
    """Add every figure under docs/figures to the site's files, as docs/figures/NAME."""
    root = Path(config.config_file_path).parent
    for figure in sorted((root / "docs" / "figures").glob("*.png")):
        files.append(
            File(
                f"docs/figures/{figure.name}",
                src_dir=str(root),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
            )
        )
    return files
