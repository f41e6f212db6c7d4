"""Chinese function words (written for diplocode)."""

STOP_WORDS = frozenset(
    """
的 了 和 与 及 是 在 对 把 被 将 为 以 于 而 并 也 都 就 又 还 更 等 着 过 之 其 这 那 这些 那些 我们 你们 他们 它
它们 一个 一些 有 没有 不 也是 以及 或 或者 但 但是 因为 所以 如果 虽然 通过 根据 关于 对于 由于 从 向 到 给 让
""".split()
)
