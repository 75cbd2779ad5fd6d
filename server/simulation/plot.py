"""`--plot FILE.png`: per floor, the tickets waiting and the mean wait by half-hour (matplotlib, the Agg
backend: no display needed). Imported only when a plot is asked for; matplotlib is the `sim` extra."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


def _clock(minute: float) -> str:
    return f"{int(minute) // 60:02d}:{int(minute) % 60:02d}"


def draw(timeline: dict, path: str, config, title: str) -> None:
    floors = sorted(timeline)
    figure, axes = plt.subplots(len(floors), 1, figsize=(10, 3 * len(floors)), sharex=True, squeeze=False)
    for ax, floor in zip(axes[:, 0], floors):
        rows = timeline[floor]
        x = list(range(len(rows)))
        ax.bar(x, [waiting for _slot, waiting, _wait in rows], color="#9ecae1", label="tickets waiting (at the half-hour)")
        ax.set_ylabel("waiting")
        ax.set_title(f"floor {floor} ({config.floors[floor].zone})", fontsize=10)
        waits = ax.twinx()
        waits.plot([i for i, row in zip(x, rows) if row[2] is not None], [row[2] for row in rows if row[2] is not None],
                   color="#d94801", marker="o", markersize=3, label="mean wait of tickets issued (min)")
        waits.set_ylabel("mean wait, min")
        waits.set_ylim(bottom=0)
        ax.set_xticks(x[::2], [_clock(row[0]) for row in rows][::2], fontsize=8)
        if floor == floors[0]:
            handles = ax.get_legend_handles_labels()[0] + waits.get_legend_handles_labels()[0]
            ax.legend(handles, [h.get_label() for h in handles], loc="upper right", fontsize=8)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

