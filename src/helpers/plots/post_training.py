"""Chapter 13's figures: instruction-following before and after tuning, what DPO does to its pairs,
GRPO's curves, and the form share against the KL divergence.

Every figure is 4.2 inches wide (the share-vs-KL one 4) with every text at 10.5 points: 2.5
points per inch of width, above the book's rule of 1.8 (``_phone.min_font``), so that text is
about 12 px or more in the 366-pixel column of a 390-pixel phone (the instruction-following,
exact-DPO, DPO-pairs and GRPO figures at 12.5 points, about 15 px). Legends sit below the axes, inside the figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerLine2D
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .._checks import check_int
from ..i18n import t
from ._phone import min_font, set_fonts

WIDTH = 4.2
FONT = 10.5  # points: ~12.7 px when a 4.2-in figure is shown 366 px wide
assert FONT >= min_font(WIDTH)
BIG_FONT = 12.5  # points: ~15 px at 366 px, for the two figures readers found small
KL_WIDTH = 4.0  # the share-vs-KL figure: narrower, so its legend reads larger on a phone
MARKER_SIZE = 8  # the share-vs-KL figure's markers, points
MARKER_ZORDER = 3  # above every error bar (matplotlib draws lines and bars at zorder 2)
METRICS = {"form_ok": "requested form", "first_ok": "requested first character", "both": "both"}


def metric_labels() -> dict[str, str]:
    """``METRICS`` in the current language: metric key -> its label in a figure."""
    return {"form_ok": t("requested form"), "first_ok": t("requested first character"), "both": t("both")}


def plot_instruction_following(
    rows: Mapping[str, Mapping[str, Sequence[float]]], seed_rows: Sequence[str] = ()
) -> Figure:
    """Grouped horizontal bars: for each model (``rows`` label -> metric -> (share, low, high)),
    the share of answers with the requested form, first character, and both, with a bar from
    ``low`` to ``high``. For the labels in ``seed_rows`` that bar is the range over seeds (drawn
    as a thick line without caps, and without sampling error); for the others it is a 95%
    confidence interval (a thin line with caps). The legend names both kinds."""
    labels = list(rows)
    unknown = [s for s in seed_rows if s not in rows]
    if isinstance(seed_rows, str) or unknown:
        raise ValueError(f"seed_rows must be a list of labels of rows, got {seed_rows!r} (labels: {labels})")
    fig, ax = plt.subplots(figsize=(WIDTH, 2.1 + 0.95 * len(labels)), layout="constrained")
    h = 0.27
    y = np.arange(len(labels))[::-1]
    seeds = np.array([m in seed_rows for m in labels])
    for k, (key, name) in enumerate(metric_labels().items()):
        vals = np.array([100 * rows[m][key][0] for m in labels])
        lo = np.array([100 * rows[m][key][1] for m in labels])
        hi = np.array([100 * rows[m][key][2] for m in labels])
        yk = y + (1 - k) * h
        ax.barh(yk, vals, h, label=name)
        for yy, top in zip(yk[vals < 0.5], hi[vals < 0.5]):  # a bar of 0 is invisible: say so
            # right of the interval's cap, clear of the axis (on it "0%" reads as "-0%")
            ax.text(top + 2.5, yy, "0%", va="center", ha="left")
        for sel, style in ((~seeds, {"lw": 1.0, "capsize": 2.5}), (seeds, {"lw": 3.0, "capsize": 0})):
            if sel.any():
                ax.errorbar(
                    vals[sel], yk[sel], xerr=[vals[sel] - lo[sel], hi[sel] - vals[sel]], fmt="none", ecolor="k", **style
                )
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(t("% of answers to held-out instructions"))
    handles, names = ax.get_legend_handles_labels()
    # the legend's keys drawn as the plot draws them: the interval a thin line with a cap at each
    # end (a line with "|" markers at its two ends), the seeds' range a thick line without caps
    ci = Line2D([], [], color="k", lw=1.0, marker="|", markersize=7, markeredgewidth=1.0)
    rng = Line2D([], [], color="k", lw=3.0)
    handles.append(ci)
    names.append(t("95% CI"))
    if seeds.any():  # the seeds' key only where a row shows a range over seeds
        handles.append(rng)
        names.append(t("seeds' range\n(sampling error\nnot shown)"))
    fig.legend(handles, names, loc="outside lower center", ncol=2, frameon=False,
               handler_map={ci: HandlerLine2D(numpoints=2)})
    ax.grid(axis="x", alpha=0.3)
    set_fonts(fig, BIG_FONT)
    return fig


def plot_dpo_pairs(diagnostics: Mapping[str, Mapping[str, object]]) -> Figure:
    """What tuning did to the log-probabilities of preference pairs (``dpo.pair_diagnostics``, one
    entry per tuned model, e.g. "DPO" and "GRPO", all with the same reference and pairs).

    Top: the mean change of ln pi(y | x) from the reference, for the chosen and for the rejected
    answers (nats per answer). Bottom: one point per pair and model, x = the change for the
    chosen answer, y = the change for the rejected one; below the diagonal the implicit reward
    ranks the chosen answer first (margin > 0).
    """
    names = list(diagnostics)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(WIDTH, 8.2), layout="constrained", height_ratios=(1, 1.45))
    colours = ["tab:purple", "tab:green", "tab:orange", "tab:blue"]
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        d = diagnostics[name]
        dc = (np.asarray(d["chosen"]) - np.asarray(d["ref_chosen"])).mean()
        dr = (np.asarray(d["rejected"]) - np.asarray(d["ref_rejected"])).mean()
        x = np.arange(2) + (i - (len(names) - 1) / 2) * width
        bars = ax.bar(x, [dc, dr], width, color=colours[i % len(colours)], label=name)
        ax.bar_label(bars, fmt="%.1f", padding=2)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks([0, 1], [t("chosen $y_w$"), t("rejected $y_l$")])
    ax.set_ylabel(t("mean change of\nln π(y | x), nats"))
    lo = min(ax.get_ylim()[0], -1.0)
    ax.set_ylim(1.35 * lo, 0.5)
    ax.set_title(t("change from the SFT model,\nheld-out pairs"))
    ax.legend(loc="lower left", ncol=2)
    for i, name in enumerate(names):
        d = diagnostics[name]
        dc = np.asarray(d["chosen"]) - np.asarray(d["ref_chosen"])
        dr = np.asarray(d["rejected"]) - np.asarray(d["ref_rejected"])
        ax2.scatter(dc, dr, s=22, color=colours[i % len(colours)], alpha=0.8, label=name)
    lims = np.array([*ax2.get_xlim(), *ax2.get_ylim()])
    lo, hi = lims.min(), max(lims.max(), 1.0)
    ax2.plot([lo, hi], [lo, hi], "k--", lw=1, label=t("margin 0 (below it:\nchosen ranked first)"))
    ax2.axhline(0, color="gray", lw=0.6)
    ax2.axvline(0, color="gray", lw=0.6)
    ax2.set_xlim(lo, hi)
    ax2.set_ylim(lo, hi)
    ax2.set_aspect("equal", adjustable="box")
    ax2.set_xlabel(t("change for the chosen answer (nats)"))
    ax2.set_ylabel(t("change for the rejected\nanswer (nats)"))
    # below the figure, not inside the square: readers found it covering points
    fig.legend(*ax2.get_legend_handles_labels(), loc="outside lower center", ncol=2, frameon=False)
    ax2.grid(alpha=0.3)
    set_fonts(fig, BIG_FONT)  # readers found its title and labels small on a phone
    return fig


def _place_labels(
    fig: Figure, ax, items: Sequence[tuple[float, float, str]], bars: Sequence[tuple] = (), gap: float = 7.0
) -> None:
    """Write each label of ``items`` (x, y in data units, text) beside its point, at one of eight
    positions around it (right, left, above, below, then the corners), or of the same at 2.5 and 4
    times the distance with a thin line to the point. A position costs its overlap with the markers
    and the labels already placed (an error bar counts a tenth: text may cross a thin bar), a lot if
    it leaves the axes, and a little more the farther it is. Labels are placed one by one, each at
    its cheapest position; of four orders (as given, reversed, by x, by y) the one with the lowest
    total cost is drawn.
    ``bars``: (x0, y0, x1, y1) in data units, the error bars. ``gap``: points between the marker's
    centre and the text."""
    fig.canvas.draw()  # the layout settles first: the labels do not take part in it
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    px = fig.dpi / 72  # pixels per point
    r = MARKER_SIZE / 2 * px
    centres = [tuple(ax.transData.transform((x, y))) for x, y, _ in items]
    markers = [(cx - r, cy - r, cx + r, cy + r) for cx, cy in centres]
    thin = []  # the error bars, each at least 2 px thick
    for x0, y0, x1, y1 in bars:
        (a0, b0), (a1, b1) = ax.transData.transform((x0, y0)), ax.transData.transform((x1, y1))
        thin.append((min(a0, a1) - 1, min(b0, b1) - 1, max(a0, a1) + 1, max(b0, b1) + 1))
    sizes = []  # each label's width and height in pixels
    for x, y, text in items:
        probe = ax.annotate(text, (x, y), fontsize=FONT)
        e = probe.get_window_extent(renderer)
        sizes.append((e.width, e.height))
        probe.remove()
    positions = [  # (dx, dy) in points, horizontal and vertical alignment, extra cost
        ((k * dx, k * dy), ha, va, penalty)
        for k, penalty in ((gap, 0.0), (2.5 * gap, 150.0), (4 * gap, 300.0))
        for (dx, dy), ha, va in (
            ((1, 0), "left", "center"), ((-1, 0), "right", "center"), ((0, 1), "center", "bottom"),
            ((0, -1), "center", "top"), ((1, 1), "left", "bottom"), ((1, -1), "left", "top"),
            ((-1, 1), "right", "bottom"), ((-1, -1), "right", "top"),
        )
    ]
    shift_x = {"left": 0.0, "center": 0.5, "right": 1.0}
    shift_y = {"bottom": 0.0, "center": 0.5, "top": 1.0}

    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return max(w, 0.0) * max(h, 0.0)

    def best_position(i: int, taken: list) -> tuple[float, tuple, tuple]:
        (cx, cy), (w, h) = centres[i], sizes[i]
        found = None
        for (dx, dy), ha, va, penalty in positions:
            x0 = cx + dx * px - shift_x[ha] * w
            y0 = cy + dy * px - shift_y[va] * h
            box = (x0 - 1, y0 - 1, x0 + w + 1, y0 + h + 1)  # 1 px of space around each label
            outside = (max(frame.x0 - box[0], 0) + max(box[2] - frame.x1, 0)
                       + max(frame.y0 - box[1], 0) + max(box[3] - frame.y1, 0))
            cost = (sum(overlap(box, o) for o in taken) + 0.1 * sum(overlap(box, o) for o in thin)
                    + 1e3 * outside + penalty)
            if found is None or cost < found[0]:
                found = (cost, ((dx, dy), ha, va, penalty), box)
        return found

    def arrange(order: Sequence[int]) -> tuple[float, dict]:
        taken, placed, total = list(markers), {}, 0.0  # the markers, then the labels placed
        for i in order:
            cost, position, box = best_position(i, taken)
            taken.append(box)
            placed[i] = position
            total += cost
        return total, placed

    n = len(items)
    orders = [list(range(n)), list(range(n))[::-1], sorted(range(n), key=lambda i: centres[i]),
              sorted(range(n), key=lambda i: centres[i][::-1])]
    _, placed = min((arrange(order) for order in orders), key=lambda a: a[0])
    for i, ((dx, dy), ha, va, penalty) in placed.items():
        x, y, text = items[i]
        label = ax.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), ha=ha, va=va,
                            fontsize=FONT, arrowprops={"arrowstyle": "-", "lw": 0.8, "color": "0.3",
                                                       "shrinkB": 5} if penalty else None)
        label.set_in_layout(False)


def plot_share_vs_kl(
    points: Sequence[Mapping], best_of: Sequence[Mapping] | None = None, ylabel: str | None = None
) -> Figure:
    """Each method as a point: x = KL from the SFT model (nats per answer), y = a share (%).

    ``points``: dicts with "label", "kl", "share" and optional "kl_range", "share_range" (low,
    high) drawn as error bars (e.g. the spread over seeds). ``best_of``: dicts "n", "kl", "share",
    drawn as a dashed line (best-of-n's KL is a bound, not a measurement). Every point carries its
    label beside it (readers had to match 11 legend entries by colour), placed where it overlaps no
    other label or marker (``_place_labels``). The figure is ``KL_WIDTH`` (4 in) wide, so its text is
    ~13 px on a phone. ``ylabel``: default, the share of answers with the requested form and first
    character.
    """
    fig, ax = plt.subplots(figsize=(KL_WIDTH, 6.2), layout="constrained")
    labels, n_labels = [], []  # (x, y, text): written once the axes are laid out
    bar_boxes = []  # (x0, y0, x1, y1): the error bars, which labels avoid
    if best_of:
        ax.plot([b["kl"] for b in best_of], [100 * b["share"] for b in best_of], "k--", lw=1, marker=".")
        mid = best_of[len(best_of) // 2]
        n_labels.append((mid["kl"], 100 * mid["share"], t("best-of-n (KL: its bound)")))
        n_labels += [(b["kl"], 100 * b["share"], f"n={b['n']}") for b in best_of]
    markers = "osD^vP*Xdp"  # one per point: the figure has 10
    for i, p in enumerate(points):
        kl_lo, kl_hi = p.get("kl_range", (p["kl"], p["kl"]))
        s_lo, s_hi = p.get("share_range", (p["share"], p["share"]))
        bars = ax.errorbar(
            p["kl"],
            100 * p["share"],
            xerr=[[p["kl"] - kl_lo], [kl_hi - p["kl"]]],
            yerr=[[100 * (p["share"] - s_lo)], [100 * (s_hi - p["share"])]],
            fmt=markers[i % len(markers)],
            ms=MARKER_SIZE,
            mec="white",  # a white rim keeps the marker's shape visible where its bars cross it
            mew=0.8,
            capsize=2,
            label=p["label"],
        )
        # every marker on top of every error bar (readers found markers hidden under their bars)
        bars.lines[0].set_zorder(MARKER_ZORDER)
        labels.append((p["kl"], 100 * p["share"], p["label"]))
        bar_boxes += [(kl_lo, 100 * p["share"], kl_hi, 100 * p["share"]), (p["kl"], 100 * s_lo, p["kl"], 100 * s_hi)]
    ax.set_xlabel(t("KL from the SFT model (nats per answer)"))
    ax.set_ylabel(t("% answers with requested\nform and first character") if ylabel is None else ylabel)
    ax.grid(alpha=0.3)
    ax.margins(x=0.12, y=0.1)  # room for the labels of the points at the edges
    set_fonts(fig, FONT)
    _place_labels(fig, ax, labels + n_labels, bar_boxes)  # the methods first, in order, then best-of-n
    return fig


def moving_mean(log: Sequence[Mapping], k: int) -> list[dict]:
    """A log's rewards smoothed: from its ``k``-th entry on, each entry with its "reward" replaced by
    the mean of its own and the ``k - 1`` rewards before it (the first ``k - 1`` entries are
    dropped; ``k = 1`` returns the log unchanged). ``log``: dicts with "step" and "reward"."""
    k = check_int(k, "smooth", low=1)
    if len(log) < k:
        raise ValueError(f"smooth={k} needs a log of at least {k} steps, got {len(log)}")
    rewards = [float(e["reward"]) for e in log]
    return [{**e, "reward": float(np.mean(rewards[i - k + 1: i + 1]))} for i, e in enumerate(log) if i >= k - 1]


def _padded(values: Sequence[float], pad: float = 0.08) -> tuple[float, float]:
    """y-limits that hold ``values`` with a margin of ``pad`` of their range (at least 0.05 on a flat line)."""
    lo, hi = min(values), max(values)
    margin = pad * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1.0)
    return lo - margin, hi + margin


def plot_grpo(logs: Sequence[Sequence[Mapping]], hack_log: Sequence[Mapping], smooth: int = 1) -> Figure:
    """Three stacked panels over GRPO steps, each with one y axis. Top: the form reward of each
    step's sampled answers, one thin line per seed and their mean, each seed's rewards first
    smoothed by a moving mean over ``smooth`` steps (``moving_mean``; 1: no smoothing), its
    y axis fitted to the curves and its legend below it, outside the axes. Middle and bottom:
    the run on the flawed punctuation reward, its reward (from 0), then the answers' mean length
    in tokens (fitted to the data, so that a late rise shows). Every panel has its x axis titled.

    ``logs``: one list per seed of dicts with "step" and "reward"; ``hack_log``: dicts with
    "step", "reward" and "answer_length"."""
    smooth = check_int(smooth, "smooth", low=1)
    if isinstance(logs, (str, Mapping)) or not logs or any(not log for log in logs):
        raise ValueError(f"logs must be a non-empty list of non-empty logs (one per seed), got {logs!r:.80}")
    if isinstance(hack_log, (str, Mapping)) or not hack_log:
        raise ValueError(f"hack_log must be a non-empty list of log entries, got {hack_log!r:.80}")
    logs = [moving_mean(log, smooth) for log in logs]
    fig, (ax, ax2, ax3) = plt.subplots(3, 1, figsize=(WIDTH, 9.4), layout="constrained", height_ratios=[1.25, 1, 1])
    for i, log in enumerate(logs):
        ax.plot([e["step"] for e in log], [e["reward"] for e in log], lw=0.8, alpha=0.6, label=t("seed {i}", i=i))
    n = min(len(log) for log in logs)
    mean = np.mean([[e["reward"] for e in log[:n]] for log in logs], axis=0)
    ax.plot([e["step"] for e in logs[0][:n]], mean, "k-", lw=2, label=t("mean"))
    ax.set_ylim(*_padded([e["reward"] for log in logs for e in log]))  # the curves, not [0, 1]
    ax.set_ylabel(t("form reward"))
    ax.set_xlabel(t("GRPO step"))
    ax.set_title(t("GRPO with the form checker as reward"))
    # below the panel, outside it: the legend covers no line and needs no blank band
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, frameon=False, handlelength=1.2,
              columnspacing=0.8, handletextpad=0.4)
    ax.grid(alpha=0.3)
    steps = [e["step"] for e in hack_log]
    ax2.plot(steps, [e["reward"] for e in hack_log], "o-", ms=3, color="tab:red")
    ax2.set_ylabel(t("punctuation reward"))
    ax2.set_title(t("GRPO with a flawed reward"))
    ax2.set_ylim(0, 1.1 * max(e["reward"] for e in hack_log))
    ax2.set_xlabel(t("GRPO step"))
    ax3.sharex(ax2)
    lengths = [e["answer_length"] for e in hack_log]
    ax3.plot(steps, lengths, "s-", ms=3, color="tab:blue")
    ax3.set_ylabel(t("answer length (tokens)"))
    ax3.set_xlabel(t("GRPO step"))
    ax3.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax3.set_ylim(*_padded(lengths))
    for a in (ax2, ax3):
        a.grid(alpha=0.3)
    fig.align_ylabels([ax, ax2, ax3])
    set_fonts(fig, BIG_FONT)
    return fig


RECIPES_FONT = 12.0  # points: ~14 px when the figure (4.3 in, tight) is shown 366 px wide


def plot_recipes() -> Figure:
    """Three ways from a pretrained model to an assistant, one row each, as boxes and arrows:
    the classic RLHF recipe (SFT, a reward model, PPO), DPO, and GRPO with a reward that a
    program computes; a note under each row says what it needs. No data: a map for the chapter."""
    rows = [
        (
            t("Classic RLHF (InstructGPT)"),
            [t("pretrained"), "SFT", t("reward\nmodel"), "PPO"],
            t("the reward model learns people's comparisons;\nPPO trains against it, with a value model"),
        ),
        (
            t("DPO (this chapter)"),
            [t("pretrained"), "SFT", "DPO"],
            t("learns the comparisons directly:\nno reward model, no RL"),
        ),
        (
            t("GRPO with a checkable reward (this chapter)"),
            [t("pretrained"), "SFT", "GRPO"],
            t("a program scores each answer;\nno reward model, no value model"),
        ),
    ]
    fig, ax = plt.subplots(figsize=(WIDTH, 4.5), layout="constrained")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10.5)
    ax.axis("off")
    slots = [1.25, 3.75, 6.25, 8.75]  # box centres, in tenths of the width
    colours = {"SFT": "#d8efd9", "PPO": "#f9d9d6", "DPO": "#dbe7f6", "GRPO": "#dbe7f6"}
    for r, (title, boxes, note) in enumerate(rows):
        top = 10.3 - 3.5 * r
        ax.text(0.05, top, title, ha="left", va="top", color="#1f4e79")
        texts = []
        for k, label in enumerate(boxes):
            texts.append(
                ax.text(
                    slots[k],
                    top - 1.25,
                    label,
                    ha="center",
                    va="center",
                    bbox={
                        "boxstyle": "round,pad=0.35",
                        "fc": colours.get(label, "#eeeeee"),
                        "ec": "#555555",
                        "lw": 0.8,
                    },
                )
            )
        for a, b in zip(texts, texts[1:]):
            ax.annotate(
                "",
                xy=(0, 0.5),
                xycoords=b,
                xytext=(1, 0.5),
                textcoords=a,
                arrowprops={"arrowstyle": "->", "color": "#333333", "lw": 1.0, "shrinkA": 3, "shrinkB": 3},
            )
        ax.text(0.05, top - 2.05, note, ha="left", va="top", color="#333333", linespacing=1.2)
    set_fonts(fig, RECIPES_FONT)
    return fig


TOY_FONT = BIG_FONT  # points: ~15 px when the 4.2-in figure is shown 366 px wide


def plot_tabular_dpo(
    reward: Sequence[float], policies: Mapping[str, Sequence[float]], optimum: Sequence[float], beta: float
) -> Figure:
    """One prompt of the exact DPO example: each answer's probability under each policy
    (``policies``: label -> (A,) probabilities, drawn as grouped bars) and under the closed-form
    optimum ``pi*`` (``optimum``, (A,), drawn as a black tick over the groups). Tick labels
    name each answer with its reward (``reward``, (A,))."""
    r = np.asarray(reward, dtype=float)
    opt = np.asarray(optimum, dtype=float)
    if r.ndim != 1 or opt.shape != r.shape or not policies:
        raise ValueError(
            f"reward and optimum must be (A,) arrays of the same length and policies non-empty, "
            f"got {r.shape}, {opt.shape} and {len(policies)} policies"
        )
    probs = {k: np.asarray(v, dtype=float) for k, v in policies.items()}
    if any(p.shape != r.shape for p in probs.values()):
        raise ValueError(f"every policy must have {len(r)} probabilities, got {[p.shape for p in probs.values()]}")
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6), layout="constrained")
    x = np.arange(len(r))
    width = 0.8 / len(probs)
    colours = ["tab:gray", "tab:blue", "tab:orange", "tab:green"]
    for i, (name, p) in enumerate(probs.items()):
        ax.bar(x + (i - (len(probs) - 1) / 2) * width, p, width, color=colours[i % len(colours)], label=name)
    ax.hlines(opt, x - 0.45, x + 0.45, color="k", lw=2.2, label=t("π*, closed form (β = {beta})", beta=beta))
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ax.set_xticks(x, [f"{letters[i]}\nr={v:g}" for i, v in enumerate(r)])
    ax.set_ylabel(t("probability of the answer"))
    ax.set_ylim(0, min(1.0, 1.15 * max(opt.max(), *(p.max() for p in probs.values()))))
    ax.grid(axis="y", alpha=0.3)
    handles, names = ax.get_legend_handles_labels()
    order = [*range(1, len(handles)), 0]  # the bars first, then pi*
    fig.legend(
        [handles[i] for i in order], [names[i] for i in order], loc="outside lower center", ncol=1, frameon=False
    )  # one column: at 12.5 points two do not fit the width
    set_fonts(fig, TOY_FONT)
    return fig
